package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/ledger"
	"github.com/truce-monitor/truce/sqlite"
)

func TestKeysInit(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "mission.db")
	code, out, errOut := runCLI(t, "keys", "init", "--db", db)
	if code != exitOK {
		t.Fatalf("keys init: exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	vkey := lines[len(lines)-1]
	if !strings.HasPrefix(vkey, "truce.invalid/log/mission+") {
		t.Fatalf("keys init printed %q; want the verifier key of truce.invalid/log/mission last", out)
	}
	fi, err := os.Stat(db + ".key")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	before, _ := os.ReadFile(db + ".key")
	signer, err := loadSigner(db + ".key")
	if err != nil || signer == nil {
		t.Fatalf("loadSigner: %v, %v", signer, err)
	}
	// The key pair matches: a note it signs opens with the printed key.
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := note.Sign(&note.Note{Text: "hello\n"}, signer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := note.Open(msg, note.VerifierList(v)); err != nil {
		t.Errorf("a note signed with the key file does not open with the printed key: %v", err)
	}

	code, _, errOut = runCLI(t, "keys", "init", "--db", db)
	if code != exitFail || !strings.Contains(errOut, "already exists") {
		t.Errorf("second keys init: exit %d, %q; want a refusal", code, errOut)
	}
	if after, _ := os.ReadFile(db + ".key"); string(after) != string(before) {
		t.Error("second keys init changed the key file")
	}

	key := filepath.Join(dir, "other.key")
	code, out, errOut = runCLI(t, "keys", "init", "--key", key, "--origin", "example.org/ceasefire", "--json")
	if code != exitOK {
		t.Fatalf("keys init --json: exit %d: %s", code, errOut)
	}
	var res map[string]string
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("--json printed %q: %v", out, err)
	}
	if res["origin"] != "example.org/ceasefire" || res["key_file"] != key || !strings.HasPrefix(res["verifier_key"], "example.org/ceasefire+") {
		t.Errorf("--json printed %v", res)
	}

	code, _, errOut = runCLI(t, "keys", "init", "--key", filepath.Join(dir, "bad.key"), "--origin", "has space")
	if code != exitFail || !strings.Contains(errOut, "--origin") {
		t.Errorf("bad origin: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.key")); err == nil {
		t.Error("a key file was written for a bad origin")
	}
}

func TestServeWithoutKey(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	// The logger is done writing once run returns.
	var errb bytes.Buffer
	if code := run(ctx, []string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, io.Discard, &errb); code != exitOK {
		t.Fatalf("serve exited %d: %s", code, errb.String())
	}
	if s := errb.String(); !strings.Contains(s, "level=WARN") || !strings.Contains(s, "no log key") {
		t.Errorf("serve without a key logged:\n%s", s)
	}
}

func TestCheckpointer(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	skey, vkey, err := ledger.GenerateKey("truce.invalid/log/t")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := ledger.NewSigner(skey)
	verifier, _ := ledger.NewVerifier(vkey)
	c := &checkpointer{store: store, signer: signer, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	// The empty log gets a checkpoint too, once.
	for i, want := range []bool{true, false} {
		cp, err := c.sign(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if (cp != nil) != want {
			t.Fatalf("sign %d on the empty log returned %v; want a checkpoint: %v", i+1, cp, want)
		}
	}
	if _, err := store.CreateSource(ctx, nil, &truce.Source{Name: "mon", Role: truce.RoleMonitor}); err != nil {
		t.Fatal(err)
	}
	cp, err := c.sign(ctx)
	if err != nil || cp == nil {
		t.Fatalf("sign after growth: %v, %v", cp, err)
	}
	got, err := store.LatestCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	body, _, err := ledger.Open(got.Note, note.VerifierList(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if body.Size != 2 || got.Size != 2 || body.Root != got.Root {
		t.Errorf("stored checkpoint size %d root %x; its note says size %d root %x", got.Size, got.Root, body.Size, body.Root)
	}
	// run stops with its context.
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); c.run(rctx, time.Millisecond) }()
	time.Sleep(10 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("checkpointer did not stop with its context")
	}
}
