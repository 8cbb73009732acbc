package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/httpapi"
)

func runSign(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "sign", "sign --key FILE [IN.ndjson]",
		"Sign observations for a source whose public key is registered. Reads NDJSON\n"+
			"observations (one a line, as POST /v1/observations takes them) from IN.ndjson, or\n"+
			"from standard input when it is absent or \"-\", and writes each one signed to\n"+
			"standard output: its canonical JSON with \"signature\", the Ed25519 signature of\n"+
			"its signing bytes (docs/log-format.md). --key is the private key file that\n"+
			"truce source keygen wrote. Every line is decoded and validated as the server\n"+
			"does; if any is bad, each problem is reported as FILE:LINE and nothing is written.")
	keyFile := fs.String("key", "", "the source's private key file (required)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *keyFile == "" {
		return usagef("sign: --key FILE is required")
	}
	if len(pos) > 1 {
		return usagef("sign: want at most one input file, got %d", len(pos))
	}
	b, err := os.ReadFile(*keyFile)
	if err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	warnReadable(e, *keyFile, "signing key")
	priv, err := truce.ParsePrivateKey(b)
	if err != nil {
		return fmt.Errorf("sign: %s: %w", *keyFile, err)
	}
	name, in := "stdin", io.Reader(os.Stdin)
	if len(pos) == 1 && pos[0] != "-" {
		f, err := os.Open(pos[0])
		if err != nil {
			return fmt.Errorf("sign: %w", err)
		}
		defer f.Close()
		name, in = pos[0], f
	}
	out, err := signNDJSON(priv, in)
	if err != nil {
		printProblems(e, name, err)
		return errProblems
	}
	_, err = e.stdout.Write(out)
	return err
}

// signNDJSON reads NDJSON observations from r, signs each with priv, and
// returns them as NDJSON, blank lines dropped. It decodes every line as
// the server does and, if any is bad, returns an EINVALID error naming
// each bad line and nothing else.
func signNDJSON(priv ed25519.PrivateKey, r io.Reader) ([]byte, error) {
	var obs []*truce.Observation
	var ps []truce.Problem
	br := bufio.NewReaderSize(r, 64<<10)
	for n := 1; ; n++ {
		line, rerr := br.ReadBytes('\n')
		if rerr != nil && rerr != io.EOF {
			return nil, rerr
		}
		if len(bytes.TrimSpace(line)) > 0 {
			o, lps := httpapi.DecodeObservation(line, n)
			ps = append(ps, lps...)
			obs = append(obs, o)
		}
		if rerr == io.EOF {
			break
		}
	}
	if len(ps) > 0 {
		return nil, truce.Invalid("invalid observation(s); nothing was signed", ps...)
	}
	// Ed25519 signing dominates; spread it over the cores.
	out := make([][]byte, len(obs))
	errs := make([]error, len(obs))
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(obs); i += workers {
				if errs[i] = truce.SignObservation(priv, obs[i]); errs[i] == nil {
					obs[i].Normalize()
					out[i], errs[i] = json.Marshal(obs[i])
				}
			}
		})
	}
	wg.Wait()
	var buf bytes.Buffer
	for i := range obs {
		if errs[i] != nil {
			return nil, errs[i]
		}
		buf.Write(out[i])
		buf.WriteByte('\n')
	}
	return buf.Bytes(), nil
}
