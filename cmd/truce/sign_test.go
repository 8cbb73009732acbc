package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/httpapi"
	"github.com/truce-monitor/truce/sqlite"
)

// TestSignCommands makes a source key, registers it, signs a file with
// truce sign and files the result in the store; then rotates the key.
func TestSignCommands(t *testing.T) {
	dir := t.TempDir()
	db, keyFile := filepath.Join(dir, "t.db"), filepath.Join(dir, "sensor.pem")
	code, stdout, stderr := runCLI(t, "source", "keygen", "--out", keyFile, "--json")
	var made struct {
		KeyFile   string `json:"key_file"`
		PublicKey string `json:"public_key"`
	}
	if err := json.Unmarshal([]byte(stdout), &made); code != exitOK || err != nil || made.KeyFile != keyFile {
		t.Fatalf("source keygen: exit %d: %s %s", code, stdout, stderr)
	}
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, mode %v; want 0600", err, fi.Mode())
	}
	if code, _, stderr := runCLI(t, "source", "keygen", "--out", keyFile); code != exitFail || !strings.Contains(stderr, "not overwritten") {
		t.Fatalf("keygen over an existing file: exit %d: %s", code, stderr)
	}
	if code, stdout, stderr := runCLI(t, "source", "add", "sensor-7", "--role", "sensor", "--public-key", made.PublicKey, "--db", db); code != exitOK || !strings.Contains(stdout, made.PublicKey) {
		t.Fatalf("source add --public-key: exit %d: %s %s", code, stdout, stderr)
	}
	if code, _, stderr := runCLI(t, "source", "add", "sensor-8", "--role", "sensor", "--public-key", "nope", "--db", db); code != exitFail || !strings.Contains(stderr, "public_key") {
		t.Fatalf("source add with a bad key: exit %d: %s", code, stderr)
	}

	in := filepath.Join(dir, "in.ndjson")
	lines := `{"id":"s-1","kind":"artillery","observed_at":"2025-03-14T06:30:00+02:00","time_precision":"minute","location":{"lon":37.62,"lat":48.59,"uncertainty_m":500}}` + "\n\n" +
		`{"id":"s-2","kind":"mortar","observed_at":"2025-03-14T06:31:00Z","time_precision":"minute","location":{"lon":37.6,"lat":48.5}}` + "\n"
	os.WriteFile(in, []byte(lines), 0o644)
	code, signed, stderr := runCLI(t, "sign", "--key", keyFile, in)
	if code != exitOK {
		t.Fatalf("sign: exit %d: %s", code, stderr)
	}
	obs := decodeLines(t, signed)
	if len(obs) != 2 {
		t.Fatalf("sign wrote %d lines, want 2: %s", len(obs), signed)
	}
	pub, _ := truce.ParsePublicKey(made.PublicKey)
	for _, o := range obs {
		if err := truce.VerifyObservation(pub, o); err != nil {
			t.Errorf("signed %s: %v", o.ID, err)
		}
	}

	// What truce sign wrote is what the store takes from the source.
	ctx := context.Background()
	store, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	src, err := store.Source(ctx, "sensor-7")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.AddObservations(ctx, src, obs); err != nil {
		t.Fatalf("filing the signed lines: %v", err)
	}
	tampered := decodeLines(t, strings.Replace(signed, `"mortar"`, `"mlrs"`, 1))
	tampered[1].ID = "s-3"
	if _, err := store.AddObservations(ctx, src, tampered); truce.ErrorCode(err) != truce.EFORBIDDEN {
		t.Errorf("tampered lines: %v, want forbidden", err)
	}
	store.Close()

	// A bad line: every problem named by file and line, nothing written.
	os.WriteFile(in, []byte(lines+`{"id":"s-4","kind":"shelling"}`+"\n"), 0o644)
	code, stdout, stderr = runCLI(t, "sign", "--key", keyFile, in)
	if code != exitFail || stdout != "" || !strings.Contains(stderr, in+":4: $.kind") {
		t.Errorf("sign with a bad line: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	for _, args := range [][]string{{"sign", in}, {"sign", "--key", keyFile, in, in}} {
		if code, _, _ := runCLI(t, args...); code != exitUsage {
			t.Errorf("%q: exit %d, want %d", args, code, exitUsage)
		}
	}
	if code, _, stderr := runCLI(t, "sign", "--key", in, in); code != exitFail || !strings.Contains(stderr, "PEM") {
		t.Errorf("sign with a key file that is not a key: exit %d: %s", code, stderr)
	}

	// Rotation: the new key is in force and listed.
	other := filepath.Join(dir, "new.pem")
	_, stdout, _ = runCLI(t, "source", "keygen", "--out", other, "--json")
	json.Unmarshal([]byte(stdout), &made)
	if code, stdout, stderr := runCLI(t, "source", "key", "sensor-7", made.PublicKey, "--db", db); code != exitOK || !strings.Contains(stdout, "now has the key") {
		t.Fatalf("source key: exit %d: %s %s", code, stdout, stderr)
	}
	if code, stdout, _ := runCLI(t, "source", "key", "sensor-7", made.PublicKey, "--db", db); code != exitOK || !strings.Contains(stdout, "nothing changed") {
		t.Errorf("source key again: exit %d: %s", code, stdout)
	}
	if code, stdout, _ := runCLI(t, "source", "list", "--db", db); code != exitOK || !strings.Contains(stdout, made.PublicKey) {
		t.Errorf("source list does not show the key in force: %s", stdout)
	}
	if code, _, stderr := runCLI(t, "source", "key", "nobody", made.PublicKey, "--db", db); code != exitFail || !strings.Contains(stderr, "no source") {
		t.Errorf("source key for an unknown source: exit %d: %s", code, stderr)
	}
}

func decodeLines(t *testing.T, ndjson string) []*truce.Observation {
	t.Helper()
	var out []*truce.Observation
	for i, l := range strings.Split(strings.TrimSpace(ndjson), "\n") {
		o, ps := httpapi.DecodeObservation([]byte(l), i+1)
		if len(ps) > 0 {
			t.Fatalf("line %d: %v", i+1, ps)
		}
		out = append(out, o)
	}
	return out
}
