package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/httpapi"
	"github.com/truce-monitor/truce/ledger"
	"github.com/truce-monitor/truce/sqlite"
)

func TestWitnessCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.db")
	keyFile := filepath.Join(dir, "w.key")
	code, out, errOut := runCLI(t, "witness", "keygen", "observer.invalid/ua", "--key", keyFile)
	if code != exitOK {
		t.Fatalf("witness keygen: exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	vkey := lines[len(lines)-1]
	v, err := ledger.NewCosignatureVerifier(vkey)
	if err != nil || v.Name() != "observer.invalid/ua" {
		t.Fatalf("witness keygen printed %q last: %v", vkey, err)
	}
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", fi, err)
	}
	b, _ := os.ReadFile(keyFile)
	c, err := ledger.NewCosigner(strings.TrimSpace(string(b)))
	if err != nil || c.VerifierKey() != vkey {
		t.Fatalf("the key file does not hold the printed key's signer: %v", err)
	}

	tests := []struct {
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{[]string{"witness", "keygen", "observer.invalid/ua", "--key", keyFile}, exitFail, "", "already exists"},
		{[]string{"witness", "keygen", "bad name", "--key", filepath.Join(dir, "x.key")}, exitFail, "", "bad witness name"},
		{[]string{"witness", "keygen"}, exitUsage, "", "want one NAME"},
		{[]string{"witness", "add", "--db", db, vkey}, exitOK, "witness observer.invalid/ua registered (log entry 0)", ""},
		{[]string{"witness", "add", "--db", db, vkey}, exitOK, "already registered", ""},
		{[]string{"witness", "add", "--db", db, "observer.invalid/ua+00000000+AAAA"}, exitFail, "", "bad witness verifier key"},
		{[]string{"witness", "add", "--db", db}, exitUsage, "", "want one VKEY"},
		{[]string{"witness", "list", "--db", db}, exitOK, vkey, ""},
		{[]string{"witness"}, exitUsage, "", "want a subcommand"},
		{[]string{"witness", "--help"}, exitOK, "", "cosign"},
		{[]string{"witness", "--log", "http://127.0.0.1:1"}, exitUsage, "", "--key FILE is required"},
		{[]string{"witness", "run", "--key", keyFile}, exitUsage, "", "--log URL is required"},
		{[]string{"witness", "--log", "http://x", "--key", keyFile}, exitUsage, "", "--state DIR is required"},
		{[]string{"witness", "--log", "ftp://x", "--key", keyFile, "--state", dir}, exitUsage, "", "not an http or https URL"},
		{[]string{"witness", "--log", "http://x", "--key", keyFile, "--state", filepath.Join(dir, "s")}, exitUsage, "", "--log-key on first use"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runCLI(t, tt.args...)
		if code != tt.code || !strings.Contains(stdout, tt.inStdout) || !strings.Contains(stderr, tt.inStderr) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit %d with %q and %q", tt.args, code, stdout, stderr, tt.code, tt.inStdout, tt.inStderr)
		}
	}
	code, out, _ = runCLI(t, "witness", "list", "--db", db, "--json")
	var list []struct{ Name, Key string }
	if code != exitOK || json.Unmarshal([]byte(out), &list) != nil || len(list) != 1 || list[0].Key != vkey {
		t.Errorf("witness list --json: exit %d: %s", code, out)
	}
}

// TestWitnessRun runs the witness in-process against an API server: it
// cosigns, keeps the checkpoint, and the log serves the cosignature; an
// unregistered witness is told so; and a checkpoint smaller than the one
// kept is refused and reported with both as evidence.
func TestWitnessRun(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	srv := httptest.NewServer(httpapi.NewServer(store, httpapi.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Limits: &httpapi.Limits{}}))
	defer srv.Close()
	skey, logKey, _ := ledger.GenerateKey("truce.invalid/log/t")
	signer, _ := ledger.NewSigner(skey)
	logVerifier, _ := ledger.NewVerifier(logKey)
	cpr := &checkpointer{store: store, signer: signer, log: slog.New(slog.NewTextHandler(io.Discard, nil))}

	keyFile := filepath.Join(dir, "w.key")
	if code, _, errOut := runCLI(t, "witness", "keygen", "observer.invalid/ua", "--key", keyFile); code != exitOK {
		t.Fatal(errOut)
	}
	b, _ := os.ReadFile(keyFile)
	cosigner, _ := ledger.NewCosigner(strings.TrimSpace(string(b)))
	state := filepath.Join(dir, "state")
	witness := func(extra ...string) (int, string) {
		t.Helper()
		code, _, errOut := runCLI(t, append([]string{"witness", "--log", srv.URL + "/", "--key", keyFile, "--state", state, "--once"}, extra...)...)
		return code, errOut
	}

	if _, err := cpr.sign(ctx); err != nil {
		t.Fatal(err)
	}
	if code, errOut := witness("--log-key", logKey); code != exitFail || !strings.Contains(errOut, "not registered") {
		t.Fatalf("unregistered witness: exit %d: %s", code, errOut)
	}
	if pinned, err := os.ReadFile(filepath.Join(state, "log-key")); err != nil || strings.TrimSpace(string(pinned)) != logKey {
		t.Fatalf("log-key file %q, %v", pinned, err)
	}
	if _, _, err := store.AddWitness(ctx, nil, &truce.Witness{Name: cosigner.Name(), Key: cosigner.VerifierKey()}); err != nil {
		t.Fatal(err)
	}
	cp, err := cpr.sign(ctx)
	if err != nil || cp == nil {
		t.Fatalf("sign: %v, %v", cp, err)
	}
	if code, errOut := witness(); code != exitOK {
		t.Fatalf("witness: exit %d: %s", code, errOut)
	}
	got, err := store.LatestCheckpoint(ctx)
	if err != nil || len(got.Cosignatures) != 1 || got.Cosignatures[0].Witness != cosigner.Name() {
		t.Fatalf("latest checkpoint after the witness ran: %+v, %v", got, err)
	}
	if _, err := note.Open(got.Cosigned(), note.VerifierList(logVerifier, cosigner.Verifier())); err != nil {
		t.Fatal(err)
	}
	kept := filepath.Join(state, "truce.invalid%2Flog%2Ft.checkpoint")
	if b, err := os.ReadFile(kept); err != nil || string(b) != string(got.Note) {
		t.Fatalf("kept checkpoint %q, %v; want the one cosigned", b, err)
	}
	if code, errOut := witness("--log-key", logKey+"x"); code != exitFail || !strings.Contains(errOut, "not the key pinned") {
		t.Errorf("another --log-key: exit %d: %s", code, errOut)
	}

	// A kept checkpoint larger than the log's: the log has rolled back.
	bigger, err := ledger.Sign(&ledger.Checkpoint{Origin: signer.Name(), Size: got.Size + 5, Root: got.Root}, signer)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kept, bigger, 0o600); err != nil {
		t.Fatal(err)
	}
	code, errOut := witness()
	if code != exitFail || !strings.Contains(errOut, "INCONSISTENT") || !strings.Contains(errOut, "rolled back") ||
		!strings.Contains(errOut, string(bigger)) || !strings.Contains(errOut, string(got.Cosigned())) {
		t.Fatalf("rolled-back log: exit %d:\n%s", code, errOut)
	}
	evidence, _ := filepath.Glob(filepath.Join(state, "inconsistency-*", "*"))
	if len(evidence) != 3 {
		t.Fatalf("evidence files %q, want old.checkpoint, new.checkpoint and reason", evidence)
	}
	if b, _ := os.ReadFile(kept); string(b) != string(bigger) {
		t.Error("the witness replaced its kept checkpoint with an inconsistent one")
	}
}
