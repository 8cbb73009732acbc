package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/ledger"
	"github.com/truce-monitor/truce/sqlite"
)

func runWitness(ctx context.Context, e *env, args []string) error {
	// "truce witness --log URL ..." is "truce witness run --log URL ...".
	if len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "-h", "--help", "-help":
		default:
			return runWitnessRun(ctx, e, args)
		}
	}
	return dispatch(ctx, e, "witness", args, []command{
		{"run", "check the log's checkpoints and cosign them (also: truce witness --log URL ...)", runWitnessRun},
		{"keygen", "make a witness's key and print its verifier key", runWitnessKeygen},
		{"add", "register a witness's verifier key with the log", runWitnessAdd},
		{"list", "list the registered witnesses", runWitnessList},
	})
}

func runWitnessKeygen(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "witness keygen", "witness keygen NAME [--key FILE] [--json]",
		"Make a witness's Ed25519 key (C2SP cosignature/v1) named NAME, a name without spaces\n"+
			"or '+' such as \"observer.example/ua\". The private key is written to --key (mode\n"+
			"0600; an existing file is never overwritten) for truce witness run --key; the\n"+
			"verifier key is printed for the log's admin to register (truce witness add).")
	keyFile := fs.String("key", "witness.key", "the file to write the private key to")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseN(fs, args, "witness keygen", "one NAME", 1)
	if err != nil {
		return err
	}
	skey, vkey, err := ledger.GenerateCosignerKey(pos[0])
	if err != nil {
		return err
	}
	if err := writeSecret(*keyFile, []byte(skey+"\n")); err != nil {
		return fmt.Errorf("witness keygen: %w", err)
	}
	if *asJSON {
		return writeJSON(e, map[string]string{"name": pos[0], "key_file": *keyFile, "verifier_key": vkey})
	}
	fmt.Fprintf(e.stdout, "witness key for %s written to %s (keep it secret; truce witness run --key uses it).\n", pos[0], *keyFile)
	fmt.Fprintf(e.stdout, "Verifier key, for the log to register (truce witness add) and others to pin:\n%s\n", vkey)
	return nil
}

func runWitnessAdd(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "witness add", "witness add VKEY [--db PATH] [--json]",
		"Register a witness with the log by its verifier key (as truce witness keygen prints\n"+
			"it), as a \"witness\" log entry. The log then takes the witness's cosignatures of\n"+
			"its checkpoints and serves them with GET /checkpoint.")
	db := dbFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseN(fs, args, "witness add", "one VKEY", 1)
	if err != nil {
		return err
	}
	v, err := ledger.NewCosignatureVerifier(pos[0])
	if err != nil {
		return err
	}
	store, err := sqlite.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	rec, created, err := store.AddWitness(ctx, nil, &truce.Witness{Name: v.Name(), Key: pos[0]})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e, map[string]any{"witness": rec, "created": created})
	}
	if !created {
		fmt.Fprintf(e.stdout, "witness %s is already registered with this key (log entry %d); nothing changed.\n", rec.Name, rec.LogIndex)
		return nil
	}
	fmt.Fprintf(e.stdout, "witness %s registered (log entry %d).\n", rec.Name, rec.LogIndex)
	return nil
}

func runWitnessList(ctx context.Context, e *env, args []string) error {
	return runList(ctx, e, args, "witness list", "List the witnesses registered with the log.",
		func(ctx context.Context, store truce.Store) ([]*truce.WitnessRecord, error) {
			return store.Witnesses(ctx)
		},
		"NAME\tLOG INDEX\tREGISTERED\tKEY", func(w *truce.WitnessRecord) string {
			return fmt.Sprintf("%s\t%d\t%s\t%s", w.Name, w.LogIndex, w.LoggedAt.Format("2006-01-02 15:04"), w.Key)
		})
}

// errInconsistent means the witness caught the log contradicting itself and
// has reported it.
var errInconsistent = errors.New("the log is inconsistent: refused to cosign")

func runWitnessRun(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "witness run", "witness [run] --log URL --key FILE --state DIR [--log-key VKEY] [--once] [--interval 30s]",
		"Witness a truce log: fetch its latest checkpoint (GET /checkpoint), verify it with the\n"+
			"log's pinned verifier key, check that it is consistent with the last checkpoint\n"+
			"this witness verified (same tree, or a larger one proven to extend it by\n"+
			"GET /v1/log/proof/consistency), cosign it with --key and post the cosignature\n"+
			"(POST /v1/checkpoint/cosignatures). Repeats every --interval until stopped, or\n"+
			"once with --once.\n\n"+
			"--state DIR keeps the pinned log key (file log-key, written on first use from\n"+
			"--log-key) and the latest verified checkpoint of the log (<origin>.checkpoint,\n"+
			"replaced atomically). If the log ever serves a checkpoint that contradicts one it\n"+
			"served before (a smaller tree, another root for the same size, a failing proof)\n"+
			"the witness refuses to cosign, saves both signed checkpoints in\n"+
			"DIR/inconsistency-<time>/, prints both to stderr and exits with status 1.")
	logURL := fs.String("log", "", "the log's base URL (required)")
	keyFile := fs.String("key", "", "the witness's private key file, from truce witness keygen (required)")
	stateDir := fs.String("state", "", "the witness's state directory, created if missing (required)")
	logKey := fs.String("log-key", "", "the log's verifier key, as truce keys init prints it; required on first use, then pinned in the state directory")
	once := fs.Bool("once", false, "check and cosign once, then exit")
	interval := fs.Duration("interval", 30*time.Second, "how often to check the log")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) != 0:
		return usagef("witness run: takes no arguments, got %q", pos)
	case *logURL == "":
		return usagef("witness run: --log URL is required")
	case *keyFile == "":
		return usagef("witness run: --key FILE is required (make one with truce witness keygen)")
	case *stateDir == "":
		return usagef("witness run: --state DIR is required")
	case *interval <= 0:
		return usagef("witness run: --interval must be positive")
	}
	base, err := url.Parse(strings.TrimSuffix(*logURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return usagef("witness run: --log %q is not an http or https URL", *logURL)
	}
	b, err := os.ReadFile(*keyFile)
	if err != nil {
		return fmt.Errorf("witness key: %w", err)
	}
	warnReadable(e, *keyFile, "witness key")
	cosigner, err := ledger.NewCosigner(strings.TrimSpace(string(b)))
	if err != nil {
		return fmt.Errorf("witness key %s: %w", *keyFile, err)
	}
	if err := os.MkdirAll(*stateDir, 0o700); err != nil {
		return fmt.Errorf("witness state: %w", err)
	}
	vkey, err := pinLogKey(e, *stateDir, *logKey)
	if err != nil {
		return err
	}
	w, err := ledger.NewWitness(vkey, cosigner)
	if err != nil {
		return err
	}
	wr := &witnessRunner{
		e: e, w: w, name: cosigner.Name(), base: base.String(), state: *stateDir,
		client: &http.Client{Timeout: 30 * time.Second},
		log:    slog.New(slog.NewTextHandler(e.stderr, nil)),
	}
	if *once {
		return wr.check(ctx)
	}
	tick := time.NewTicker(*interval)
	defer tick.Stop()
	for {
		if err := wr.check(ctx); errors.Is(err, errInconsistent) {
			return err
		} else if err != nil && ctx.Err() == nil {
			wr.log.Error("witness: nothing cosigned this time", "log", wr.base, "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// pinLogKey returns the log's verifier key pinned in the state directory,
// pinning given on first use. A given key other than the pinned one is an
// error: a witness never changes the key it checks a log with.
func pinLogKey(e *env, dir, given string) (string, error) {
	file := filepath.Join(dir, "log-key")
	b, err := os.ReadFile(file)
	switch {
	case err == nil:
		pinned := strings.TrimSpace(string(b))
		if given != "" && given != pinned {
			return "", fmt.Errorf("witness: --log-key %s is not the key pinned in %s, %s; a witness does not change the key of a log it witnesses (use another --state for another log)", given, file, pinned)
		}
		return pinned, nil
	case !errors.Is(err, os.ErrNotExist):
		return "", fmt.Errorf("witness state: %w", err)
	case given == "":
		return "", usagef("witness run: no log key is pinned in %s yet; give the log's verifier key with --log-key on first use", dir)
	}
	if _, err := ledger.NewVerifier(given); err != nil {
		return "", fmt.Errorf("--log-key: %w", err)
	}
	if err := writeFileAtomic(file, []byte(given+"\n")); err != nil {
		return "", fmt.Errorf("witness state: %w", err)
	}
	fmt.Fprintf(e.stderr, "truce witness: pinned the log key %s in %s\n", given, file)
	return given, nil
}

// witnessRunner is one witness checking one log.
type witnessRunner struct {
	e      *env
	w      *ledger.Witness
	name   string // the witness's key name
	base   string // the log's base URL
	state  string
	client *http.Client
	log    *slog.Logger
}

// checkpointFile is where the latest verified checkpoint of the log is kept.
func (wr *witnessRunner) checkpointFile() string {
	return filepath.Join(wr.state, url.PathEscape(wr.w.Origin())+".checkpoint")
}

// check fetches the log's checkpoint, checks it, cosigns it and posts the
// cosignature.
func (wr *witnessRunner) check(ctx context.Context) error {
	msg, err := wr.get(ctx, "/checkpoint")
	if err != nil {
		return err
	}
	prev, err := os.ReadFile(wr.checkpointFile())
	if errors.Is(err, os.ErrNotExist) {
		prev = nil
	} else if err != nil {
		return fmt.Errorf("witness state: %w", err)
	}
	cp, line, err := wr.w.Cosign(prev, msg, func(old, new int64) (tlog.TreeProof, error) {
		b, err := wr.get(ctx, fmt.Sprintf("/v1/log/proof/consistency?old=%d&new=%d", old, new))
		if err != nil {
			return nil, err
		}
		p, err := ledger.DecodeConsistencyProof(b)
		if err != nil {
			return nil, err
		}
		if p.Old != old || p.New != new {
			return nil, fmt.Errorf("asked for the proof from %d to %d, got one from %d to %d", old, new, p.Old, p.New)
		}
		return p.Proof, nil
	}, time.Now())
	var ie *ledger.InconsistencyError
	if errors.As(err, &ie) {
		return wr.report(ie)
	}
	if err != nil {
		return err
	}
	// The checkpoint is kept before its cosignature leaves: whatever
	// happens next, this witness never cosigns anything that contradicts
	// what it has cosigned.
	if !bytes.Equal(prev, msg) {
		if err := writeFileAtomic(wr.checkpointFile(), msg); err != nil {
			return fmt.Errorf("witness state: %w", err)
		}
	}
	body, err := json.Marshal(map[string]any{"size": cp.Size, "root": base64.StdEncoding.EncodeToString(cp.Root[:]), "cosignature": line})
	if err != nil {
		return err
	}
	res, err := wr.do(ctx, "POST", "/v1/checkpoint/cosignatures", body)
	if err != nil {
		return fmt.Errorf("posting the cosignature of checkpoint %d: %w", cp.Size, err)
	}
	wr.log.Info("witness: cosigned", "log", cp.Origin, "size", cp.Size, "root", base64.StdEncoding.EncodeToString(cp.Root[:]), "witness", wr.name, "new", res.StatusCode == http.StatusCreated)
	return nil
}

// report saves the evidence of an inconsistency in the state directory and
// prints it, loudly, to stderr.
func (wr *witnessRunner) report(ie *ledger.InconsistencyError) error {
	dir := filepath.Join(wr.state, "inconsistency-"+time.Now().UTC().Format("20060102T150405.000000000Z"))
	saved := "the evidence could not be saved: "
	err := os.MkdirAll(dir, 0o700)
	if err == nil {
		err = writeFileAtomic(filepath.Join(dir, "old.checkpoint"), ie.Old)
	}
	if err == nil {
		err = writeFileAtomic(filepath.Join(dir, "new.checkpoint"), ie.New)
	}
	if err == nil {
		err = writeFileAtomic(filepath.Join(dir, "reason"), []byte(ie.Reason+"\n"))
	}
	if err == nil {
		saved = "Both are saved in " + dir
	} else {
		saved += err.Error()
	}
	w := wr.e.stderr
	fmt.Fprintf(w, "\n!!! truce witness: THE LOG %s IS INCONSISTENT: %s.\n", ie.NewCheckpoint.Origin, ie.Reason)
	fmt.Fprintf(w, "!!! It signed both checkpoints below with its key; no append-only log can have both.\n")
	fmt.Fprintf(w, "!!! This witness refused to cosign. %s.\n", saved)
	fmt.Fprintf(w, "\n--- checkpoint verified before (size %d) ---\n%s", ie.OldCheckpoint.Size, ie.Old)
	fmt.Fprintf(w, "--- checkpoint served now by %s (size %d) ---\n%s---\n\n", wr.base, ie.NewCheckpoint.Size, ie.New)
	return fmt.Errorf("%w: %s", errInconsistent, ie.Reason)
}

// maxResponse caps what the witness reads of a response.
const maxResponse = 1 << 20

// get fetches path from the log and returns the body of a 200 answer.
func (wr *witnessRunner) get(ctx context.Context, path string) ([]byte, error) {
	res, err := wr.do(ctx, "GET", path, nil)
	if err != nil {
		return nil, err
	}
	return res.body, nil
}

type witnessResponse struct {
	StatusCode int
	body       []byte
}

// do sends a request to the log and returns its 2xx answer; any other is an
// error with the problem's detail.
func (wr *witnessRunner) do(ctx context.Context, method, path string, body []byte) (*witnessResponse, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, wr.base+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := doPolitely(ctx, wr.client, req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, maxResponse))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if res.StatusCode/100 != 2 {
		var p struct{ Detail string }
		if json.Unmarshal(b, &p) == nil && p.Detail != "" {
			return nil, fmt.Errorf("%s %s: %s: %s", method, path, res.Status, p.Detail)
		}
		return nil, fmt.Errorf("%s %s: %s", method, path, res.Status)
	}
	return &witnessResponse{StatusCode: res.StatusCode, body: b}, nil
}

// writeFileAtomic replaces file with b: it writes a temporary file in the
// same directory, syncs it, renames it over file and syncs the directory,
// so that file holds either its old or its new bytes after a crash.
func writeFileAtomic(file string, b []byte) error {
	dir := filepath.Dir(file)
	f, err := os.CreateTemp(dir, "."+filepath.Base(file)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(b)
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, file)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
