package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/mod/sumdb/tlog"
	"golang.org/x/term"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/ledger"
	"github.com/truce-monitor/truce/sqlite"
)

func runLog(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "log", args, []command{
		{"export", "write the log to a bundle for offline verification", runLogExport},
	})
}

// exportSummary reports what truce log export wrote.
type exportSummary struct {
	Dir          string `json:"dir"`
	Origin       string `json:"origin,omitempty"`
	Entries      int64  `json:"entries"`
	Root         string `json:"root"`
	Checkpoints  int    `json:"checkpoints"`
	Cosignatures int    `json:"cosignatures"`
	LogKey       string `json:"log_key"`
}

func runLogExport(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "log export", "log export [--db PATH] [--key FILE | --log-key VKEY] [--json] DIR",
		"Write the log to the directory DIR, which must not exist, as a bundle that anyone can\n"+
			"verify offline with truce verify DIR (or with their own code: docs/log-format.md,\n"+
			"\"Export bundle and verification\"): every entry, every signed checkpoint with its\n"+
			"cosignatures, the log's verifier key and a manifest. The bundle is written to a\n"+
			"temporary directory beside DIR and renamed into place when complete.\n\n"+
			"The verifier key is derived from the log's key file (default: the --db path +\n"+
			"\".key\"), or given with --log-key. It is written for convenience only: a bundle's\n"+
			"own key proves nothing, so verifiers should pin the key the log's operator published.")
	db := dbFlag(fs)
	keyFile := fs.String("key", "", "the log's signing key file, to state its verifier key (default: the --db path + \".key\")")
	logKey := fs.String("log-key", "", "the log's verifier key to state in the bundle, instead of deriving it from the key file")
	asJSON := fs.Bool("json", false, "print a JSON summary")
	pos, err := parseN(fs, args, "log export", "one DIR", 1)
	if err != nil {
		return err
	}
	dir := filepath.Clean(pos[0])
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("log export: %s already exists; it is not overwritten", dir)
	}
	if _, err := os.Stat(*db); err != nil {
		return fmt.Errorf("log export: %w", err)
	}
	vkey := strings.TrimSpace(*logKey)
	if vkey != "" {
		if _, err := ledger.NewVerifier(vkey); err != nil {
			return usagef("log export: --log-key: %s", truce.ErrorMessage(err))
		}
	} else {
		if *keyFile == "" {
			*keyFile = defaultKeyFile(*db)
		}
		if vkey, err = verifierKeyFromFile(*keyFile); err != nil {
			return err
		}
	}
	store, err := sqlite.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	sum, err := exportBundle(ctx, e, store, dir, vkey)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e, sum)
	}
	fmt.Fprintf(e.stdout, "exported %d entries (root %s), %d checkpoint(s) with %d cosignature(s) to %s\n",
		sum.Entries, sum.Root, sum.Checkpoints, sum.Cosignatures, sum.Dir)
	if sum.LogKey == "" {
		fmt.Fprintf(e.stdout, "no log key found (%s): the bundle states none; verifiers need --log-key\n", *keyFile)
	} else {
		fmt.Fprintf(e.stdout, "log key stated in the bundle: %s\n", sum.LogKey)
	}
	return nil
}

// verifierKeyFromFile returns the verifier key of the log's signing key in
// file, or "" if the file does not exist.
func verifierKeyFromFile(file string) (string, error) {
	b, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("log key: %w", err)
	}
	vkey, err := ledger.VerifierKey(string(b))
	if err != nil {
		return "", fmt.Errorf("log key %s: %s", file, truce.ErrorMessage(err))
	}
	return vkey, nil
}

// exportBundle writes the store's log, as it is now, to the bundle
// directory dir: into a temporary directory beside it, renamed to dir once
// every file is written and synced.
func exportBundle(ctx context.Context, e *env, store truce.Store, dir, vkey string) (*exportSummary, error) {
	size, err := store.LogSize(ctx)
	if err != nil {
		return nil, err
	}
	cps, err := store.Checkpoints(ctx)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return nil, fmt.Errorf("log export: %w", err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	for _, sub := range []string{"entries", "checkpoints"} {
		if err := os.Mkdir(filepath.Join(tmp, sub), 0o755); err != nil {
			return nil, fmt.Errorf("log export: %w", err)
		}
	}
	m := &ledger.Manifest{Format: ledger.BundleFormat, LogKey: vkey, Size: size, Checkpoints: []int64{}}
	sum := &exportSummary{Dir: dir, Entries: size, LogKey: vkey}
	for _, cp := range cps {
		if cp.Size > size {
			continue // signed while exporting: beyond the entries exported
		}
		if err := writeSynced(filepath.Join(tmp, ledger.CheckpointFile(cp.Size)), cp.Cosigned()); err != nil {
			return nil, err
		}
		m.Checkpoints = append(m.Checkpoints, cp.Size)
		sum.Checkpoints++
		sum.Cosignatures += len(cp.Cosignatures)
		if body, _, ok := strings.Cut(string(cp.Note), "\n\n"); ok {
			if c, err := ledger.ParseCheckpoint([]byte(body + "\n")); err == nil {
				m.Origin = c.Origin
			}
		}
	}
	if m.Origin == "" && vkey != "" {
		m.Origin, _, _ = strings.Cut(vkey, "+")
	}
	sum.Origin = m.Origin
	bar := entriesProgress(e, size, "exporting "+filepath.Base(dir))
	var tree ledger.Tree
	for k := int64(0); k*ledger.EntriesPerFile < size; k++ {
		start := k * ledger.EntriesPerFile
		end := min(start+ledger.EntriesPerFile, size)
		if err := writeEntryFile(ctx, store, filepath.Join(tmp, ledger.EntryFile(k)), start, end, &tree, bar); err != nil {
			return nil, err
		}
	}
	if bar != nil {
		bar.Finish()
	}
	m.Root = tree.Root()
	sum.Root = base64.StdEncoding.EncodeToString(m.Root[:])
	if err := writeSynced(filepath.Join(tmp, ledger.ManifestFile), m.Marshal()); err != nil {
		return nil, err
	}
	for _, sub := range []string{"entries", "checkpoints", "."} {
		if err := syncDir(filepath.Join(tmp, sub)); err != nil {
			return nil, err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		return nil, fmt.Errorf("log export: %w", err)
	}
	done = true
	if err := syncDir(filepath.Dir(dir)); err != nil {
		return nil, err
	}
	return sum, nil
}

// writeEntryFile writes the entries start <= index < end to the entry file
// name, adding their leaves to tree.
func writeEntryFile(ctx context.Context, store truce.Store, name string, start, end int64, tree *ledger.Tree, bar *progressbar.ProgressBar) error {
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("log export: %w", err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	var rec []byte
	const page = 1000
	for at := start; at < end; at += page {
		es, err := store.Entries(ctx, at, min(at+page, end))
		if err != nil {
			return err
		}
		if want := min(at+page, end) - at; int64(len(es)) != want {
			return fmt.Errorf("log export: the store returned %d entries from %d, want %d", len(es), at, want)
		}
		for _, en := range es {
			enc := en.Encode()
			tree.Append(tlog.RecordHash(enc))
			rec = ledger.AppendEntryRecord(rec[:0], enc)
			if _, err := w.Write(rec); err != nil {
				return fmt.Errorf("log export: %w", err)
			}
		}
		if bar != nil {
			bar.Add(len(es))
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("log export: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("log export: %w", err)
	}
	return f.Close()
}

// writeSynced writes b to the new file name and syncs it.
func writeSynced(name string, b []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("log export: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("log export: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("log export: %w", err)
	}
	return f.Close()
}

// syncDir syncs the directory dir, so that the names in it are durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("log export: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("log export: %w", err)
	}
	return nil
}

// entriesProgress returns a progress bar over n entries on stderr when
// stderr is a terminal, and nil otherwise (pipes and logs stay quiet).
func entriesProgress(e *env, n int64, what string) *progressbar.ProgressBar {
	out, ok := e.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(out.Fd())) || n == 0 {
		return nil
	}
	return progressbar.NewOptions64(n,
		progressbar.OptionSetWriter(io.Writer(out)),
		progressbar.OptionSetDescription(what),
		progressbar.OptionSetItsString("entries"),
		progressbar.OptionShowIts(),
		progressbar.OptionShowCount(),
		progressbar.OptionThrottle(100_000_000),
		progressbar.OptionClearOnFinish(),
	)
}
