package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/httpapi"
	"github.com/truce-monitor/truce/ledger"
	"github.com/truce-monitor/truce/sqlite"
	"github.com/truce-monitor/truce/storetest"
)

// seeded returns a reader of the bytes SHA-256(seed), SHA-256 of that, …:
// deterministic key material for tests.
type seeded struct{ buf []byte }

func (s *seeded) Read(p []byte) (int, error) {
	for len(s.buf) < len(p) {
		h := sha256.Sum256(append([]byte("more"), s.buf...))
		s.buf = append(s.buf, h[:]...)
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

func seed(s string) io.Reader { h := sha256.Sum256([]byte(s)); return &seeded{buf: h[:]} }

// testCosigner returns a witness key made from a fixed seed.
func testCosigner(t *testing.T, name string) *ledger.Cosigner {
	t.Helper()
	s := sha256.Sum256([]byte(name))
	pub := ed25519.NewKeyFromSeed(s[:]).Public().(ed25519.PublicKey)
	h := sha256.New()
	h.Write([]byte(name + "\n\x04"))
	h.Write(pub)
	id := binary.BigEndian.Uint32(h.Sum(nil))
	c, err := ledger.NewCosigner(fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", name, id, base64.StdEncoding.EncodeToString(append([]byte{4}, s[:]...))))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// verifyStore makes a store at dir/mission.db with its log key beside it,
// all from fixed seeds and a fixed clock so that its bytes are the same on
// every run: sources, an agreement, observations (one a correction), a
// control map, two witnesses; two checkpoints, each cosigned by both. It
// returns the store's path and the log's verifier key.
func verifyStore(t *testing.T, dir string) (db, vkey string) {
	t.Helper()
	ctx := context.Background()
	db = filepath.Join(dir, "mission.db")
	skey, vkey, err := note.GenerateKey(seed("log"), "truce.invalid/log/mission")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(db+".key", []byte(skey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	signer, err := loadSigner(db + ".key")
	if err != nil {
		t.Fatal(err)
	}
	store, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	// A fixed sealing key, so that the entries, and so the roots in the
	// golden files, reproduce.
	if err := store.SetSealingKey(ctx, []byte("cmd/truce verify tests: 32 bytes")); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	clock := time.Date(2025, 3, 14, 6, 0, 0, 0, time.UTC)
	store.Now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(1250 * time.Millisecond)
		return clock
	}
	ua, osce := testCosigner(t, "witness.invalid/ua"), testCosigner(t, "witness.invalid/osce")
	for _, c := range []*ledger.Cosigner{ua, osce} {
		if _, _, err := store.AddWitness(ctx, nil, &truce.Witness{Name: c.Name(), Key: c.VerifierKey()}); err != nil {
			t.Fatal(err)
		}
	}
	mon, _ := storetest.MustSource(t, store, "osce-team-1", "monitor")
	ds, _ := storetest.MustSource(t, store, "deepstate", "dataset")
	if _, _, err := store.AddAgreement(ctx, nil, storetest.Agreement("ceasefire-30d-2025", 1)); err != nil {
		t.Fatal(err)
	}
	cpr := &checkpointer{store: store, signer: signer, log: slog.New(slog.DiscardHandler)}
	sign := func() {
		t.Helper()
		cp, err := cpr.sign(ctx)
		if err != nil || cp == nil {
			t.Fatalf("sign: %v, %v", cp, err)
		}
		body, _, _ := strings.Cut(string(cp.Note), "\n\n")
		for _, c := range []*ledger.Cosigner{ua, osce} {
			line, err := c.Cosign([]byte(body+"\n"), clock)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := store.AddCosignature(ctx, cp.Size, cp.Root, line); err != nil {
				t.Fatal(err)
			}
		}
	}
	sign()
	var obs []*truce.Observation
	for i := range 5 {
		obs = append(obs, storetest.Obs(fmt.Sprintf("osce-2025-03-14-%04d", i), 37.5+float64(i)/10, 48.1, storetest.T0.Add(time.Duration(i)*time.Minute)))
	}
	fix := storetest.Obs("osce-2025-03-14-0005", 37.55, 48.1, storetest.T0)
	fix.Supersedes = "osce-2025-03-14-0000"
	if _, err := store.AddObservations(ctx, mon, append(obs, fix)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.AddControlMap(ctx, ds, storetest.ControlMap("deepstate-2025-03-14", storetest.T0)); err != nil {
		t.Fatal(err)
	}
	sign()
	return db, vkey
}

func TestVerifyCommand(t *testing.T) {
	dir := t.TempDir()
	db, vkey := verifyStore(t, dir)
	bundle := filepath.Join(dir, "bundle")

	code, out, errOut := runCLI(t, "log", "export", "--db", db, bundle)
	if code != exitOK {
		t.Fatalf("log export: exit %d: %s", code, errOut)
	}
	golden(t, "log-export.golden", strings.ReplaceAll(out, dir, "DIR"))
	if code, _, errOut := runCLI(t, "log", "export", "--db", db, bundle); code != exitFail || !strings.Contains(errOut, "already exists") {
		t.Errorf("export over an existing directory: exit %d, %s", code, errOut)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".bundle.tmp-*")); len(left) > 0 {
		t.Errorf("temporary directories left behind: %v", left)
	}

	code, out, errOut = runCLI(t, "verify", "--log-key", vkey, bundle)
	if code != exitOK {
		t.Fatalf("verify bundle: exit %d: %s%s", code, out, errOut)
	}
	golden(t, "verify-bundle.golden", strings.ReplaceAll(out, dir, "DIR"))

	code, out, errOut = runCLI(t, "verify", "--db", db)
	if code != exitOK {
		t.Fatalf("verify --db: exit %d: %s%s", code, out, errOut)
	}
	golden(t, "verify-db.golden", strings.ReplaceAll(out, dir, "DIR"))

	store, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.NewServer(store, httpapi.Options{Logger: slog.New(slog.DiscardHandler), Limits: &httpapi.Limits{}}))
	code, out, errOut = runCLI(t, "verify", "--log-key", vkey, "--witness", testCosigner(t, "witness.invalid/ua").VerifierKey(), srv.URL)
	srv.Close()
	store.Close()
	if code != exitOK {
		t.Fatalf("verify URL: exit %d: %s%s", code, out, errOut)
	}
	golden(t, "verify-url.golden", strings.ReplaceAll(out, srv.URL, "URL"))

	var res verifyResult
	code, out, _ = runCLI(t, "verify", "--json", "--log-key", vkey, bundle)
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != exitOK || !res.OK || res.Summary.Entries != 14 || res.Summary.Cosignatures != 4 {
		t.Errorf("verify --json: exit %d, %v, %s", code, err, out)
	}
}

// TestVerifyCommandFinds checks that verify reports, one per line and with
// exit status 1, what was changed in a bundle or a store.
func TestVerifyCommandFinds(t *testing.T) {
	dir := t.TempDir()
	db, vkey := verifyStore(t, dir)
	bundle := filepath.Join(dir, "bundle")
	if code, _, errOut := runCLI(t, "log", "export", "--db", db, bundle); code != exitOK {
		t.Fatal(errOut)
	}
	// Checkpoints held outside, as a witness or an earlier export keeps
	// them.
	first, latest := filepath.Join(dir, "checkpoint-7"), filepath.Join(dir, "checkpoint-14")
	for _, f := range []string{first, latest} {
		size := strings.TrimPrefix(filepath.Base(f), "checkpoint-")
		if err := os.WriteFile(f, mustRead(t, filepath.Join(bundle, "checkpoints", size)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, otherKey, _ := note.GenerateKey(seed("other"), "truce.invalid/log/mission")

	tests := []struct {
		name   string
		change func(t *testing.T, bundle string)
		args   []string
	}{
		{"entry changed", func(t *testing.T, b string) {
			flip(t, filepath.Join(b, "entries", "00000000.bin"), `"lon":37.8`, `"lon":37.9`)
		}, nil},
		{"entry cut short", func(t *testing.T, b string) {
			f := filepath.Join(b, "entries", "00000000.bin")
			data, _ := os.ReadFile(f)
			os.WriteFile(f, data[:len(data)-10], 0o644)
		}, nil},
		{"checkpoint removed", func(t *testing.T, b string) {
			// Removed from the bundle and its manifest: an earlier
			// copy held outside shows it.
			os.Remove(filepath.Join(b, "checkpoints", "7"))
			m, _ := ledger.ParseManifest(mustRead(t, filepath.Join(b, "manifest.json")))
			m.Checkpoints = []int64{14}
			os.WriteFile(filepath.Join(b, "manifest.json"), m.Marshal(), 0o644)
		}, []string{"--checkpoint", first, "--checkpoint", latest}},
		{"another key", func(t *testing.T, b string) {}, []string{"--log-key", otherKey}},
		{"no checkpoint", func(t *testing.T, b string) {
			// Consistent, but nothing signed by the pinned key vouches
			// for it.
			os.RemoveAll(filepath.Join(b, "checkpoints"))
			m, _ := ledger.ParseManifest(mustRead(t, filepath.Join(b, "manifest.json")))
			m.Checkpoints = nil
			os.WriteFile(filepath.Join(b, "manifest.json"), m.Marshal(), 0o644)
		}, nil},
		{"cosignatures removed", func(t *testing.T, b string) {
			// Every checkpoint keeps the log's signature and loses its
			// witnesses': with a witness pinned, that is found.
			for _, size := range []string{"7", "14"} {
				f := filepath.Join(b, "checkpoints", size)
				msg := string(mustRead(t, f))
				i := strings.Index(msg, "\n\n")
				var kept []string
				for _, l := range strings.SplitAfter(msg[i+2:], "\n") {
					if strings.HasPrefix(l, "— truce.invalid/log/") {
						kept = append(kept, l)
					}
				}
				os.WriteFile(f, []byte(msg[:i+2]+strings.Join(kept, "")), 0o644)
			}
		}, []string{"--witness", testCosigner(t, "witness.invalid/ua").VerifierKey()}},
		{"truncated", func(t *testing.T, b string) {
			// A consistent bundle of the first checkpoint only: a
			// checkpoint held outside shows what is missing.
			os.RemoveAll(filepath.Join(b, "checkpoints", "14"))
			m, _ := ledger.ParseManifest(mustRead(t, filepath.Join(b, "manifest.json")))
			data := mustRead(t, filepath.Join(b, "entries", "00000000.bin"))
			var cut []byte
			er := ledger.NewEntryReader(bytes.NewReader(data), "x")
			var tree ledger.Tree
			for range 7 {
				enc, _ := er.Next()
				cut = ledger.AppendEntryRecord(cut, enc)
				tree.Append(ledger.LeafHash(mustDecode(t, enc)))
			}
			os.WriteFile(filepath.Join(b, "entries", "00000000.bin"), cut, 0o644)
			m.Size, m.Root, m.Checkpoints = 7, tree.Root(), []int64{7}
			os.WriteFile(filepath.Join(b, "manifest.json"), m.Marshal(), 0o644)
		}, []string{"--checkpoint", latest}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := filepath.Join(t.TempDir(), "bundle")
			if err := os.CopyFS(b, os.DirFS(bundle)); err != nil {
				t.Fatal(err)
			}
			tt.change(t, b)
			args := append([]string{"verify"}, tt.args...)
			if !strings.Contains(strings.Join(tt.args, " "), "--log-key") {
				args = append(args, "--log-key", vkey)
			}
			code, out, errOut := runCLI(t, append(args, b)...)
			if code != exitFail {
				t.Fatalf("exit %d, want %d: %s%s", code, exitFail, out, errOut)
			}
			out = strings.ReplaceAll(out, b, "BUNDLE")
			out = strings.ReplaceAll(out, dir, "DIR")
			golden(t, "verify-"+strings.ReplaceAll(tt.name, " ", "-")+".golden", out)
		})
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustDecode(t *testing.T, enc []byte) *truce.Entry {
	t.Helper()
	e, err := truce.DecodeEntry(enc)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// flip replaces old by new, of the same length, in the file name.
func flip(t *testing.T, name, old, new string) {
	t.Helper()
	b := mustRead(t, name)
	if !bytes.Contains(b, []byte(old)) || len(old) != len(new) {
		t.Fatalf("%s does not hold %q", name, old)
	}
	if err := os.WriteFile(name, bytes.Replace(b, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}
