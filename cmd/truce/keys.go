package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/ledger"
)

func runKeys(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "keys", args, []command{
		{"init", "make the log's signing key and print its verifier key", runKeysInit},
	})
}

// defaultOrigin is the log's origin when keys init is given none:
// "truce.invalid/log/" and the store file's base name without its
// extension ("truce" for truce.db).
func defaultOrigin(db string) string {
	base := filepath.Base(db)
	return "truce.invalid/log/" + strings.TrimSuffix(base, filepath.Ext(base))
}

// defaultKeyFile is where the log's key is kept unless --key says
// otherwise: beside the store, its path with ".key" added.
func defaultKeyFile(db string) string { return db + ".key" }

func runKeysInit(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "keys init", "keys init [--db PATH] [--key FILE] [--origin NAME] [--json]",
		"Make the log's Ed25519 signing key, with which truce serve signs checkpoints, and\n"+
			"print its verifier key (name+hash+key) for parties and observers to pin.\n"+
			"The private key is written to --key (default: the --db path with \".key\"\n"+
			"added) with mode 0600; an existing file is never overwritten. The origin names\n"+
			"the log in every checkpoint; by default it is \"truce.invalid/log/\" followed by\n"+
			"the store file's name without its extension (truce.invalid/log/truce for\n"+
			"truce.db). Choose a name you control for a log that others check.")
	db := dbFlag(fs)
	keyFile := fs.String("key", "", "the file to write the private key to (default: the --db path + \".key\")")
	origin := fs.String("origin", "", "the log's name, without spaces or '+' (default: truce.invalid/log/<db name>)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("keys init: takes no arguments, got %q", pos)
	}
	if *keyFile == "" {
		*keyFile = defaultKeyFile(*db)
	}
	if *origin == "" {
		*origin = defaultOrigin(*db)
	}
	skey, vkey, err := ledger.GenerateKey(*origin)
	if err != nil {
		return fmt.Errorf("%w (choose another with --origin)", err)
	}
	f, err := os.OpenFile(*keyFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("keys init: %s already exists; it is not overwritten (move it away first, or choose another --key)", *keyFile)
	}
	if err != nil {
		return fmt.Errorf("keys init: %w", err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		os.Remove(*keyFile)
		return fmt.Errorf("keys init: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(*keyFile)
		return fmt.Errorf("keys init: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(*keyFile)
		return fmt.Errorf("keys init: %w", err)
	}
	if *asJSON {
		return writeJSON(e, map[string]string{"origin": *origin, "key_file": *keyFile, "verifier_key": vkey})
	}
	fmt.Fprintf(e.stdout, "log key for %s written to %s (keep it secret; truce serve --key uses it).\n", *origin, *keyFile)
	fmt.Fprintf(e.stdout, "Verifier key, for parties and observers to pin:\n%s\n", vkey)
	return nil
}

// loadSigner reads the log's signing key from file. A file that does not
// exist is (nil, nil): the server then runs without signing.
func loadSigner(file string) (note.Signer, error) {
	b, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("log key: %w", err)
	}
	s, err := ledger.NewSigner(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("log key %s: %w", file, err)
	}
	return s, nil
}

// startCheckpointer signs checkpoints of store's log with signer, now and
// every interval while the log grows, until ctx is done or the returned
// stop is called; stop returns once signing has stopped.
func startCheckpointer(ctx context.Context, store truce.Store, signer note.Signer, logger *slog.Logger, interval time.Duration) (stop func()) {
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	c := &checkpointer{store: store, signer: signer, log: logger}
	go func() { defer close(done); c.run(cctx, interval) }()
	return func() { cancel(); <-done }
}

// checkpointer signs checkpoints of the store's log with the log's key.
type checkpointer struct {
	store  truce.Store
	signer note.Signer
	log    *slog.Logger
}

// run signs a checkpoint now and then every interval, whenever the log has
// grown past the latest checkpoint, until ctx is done.
func (c *checkpointer) run(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if cp, err := c.sign(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			c.log.Error("signing a checkpoint", "err", err)
		} else if cp != nil {
			c.log.Debug("signed checkpoint", "size", cp.Size)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// sign signs and stores a checkpoint of the whole log if the log has grown
// past the latest checkpoint (or none is stored), and returns it; nil when
// there was nothing to sign.
func (c *checkpointer) sign(ctx context.Context) (*truce.SignedCheckpoint, error) {
	size, err := c.store.LogSize(ctx)
	if err != nil {
		return nil, err
	}
	latest, err := c.store.LatestCheckpoint(ctx)
	switch {
	case truce.ErrorCode(err) == truce.ENOTFOUND:
	case err != nil:
		return nil, err
	case size <= latest.Size:
		return nil, nil
	}
	root, err := ledger.Root(size, ledger.HashReader(ctx, c.store))
	if err != nil {
		return nil, err
	}
	msg, err := ledger.Sign(&ledger.Checkpoint{Origin: c.signer.Name(), Size: size, Root: root}, c.signer)
	if err != nil {
		return nil, err
	}
	cp := &truce.SignedCheckpoint{Size: size, Root: root, Note: msg, SignedAt: time.Now().UTC()}
	if err := c.store.AddCheckpoint(ctx, cp); err != nil {
		return nil, err
	}
	return cp, nil
}
