package httpapi_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/httpapi"
	"github.com/truce-monitor/truce/ledger"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// TestCheckpoint checks GET /checkpoint: 404 with a hint until a
// checkpoint is stored, then the latest signed note byte for byte.
func TestCheckpoint(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	r := e.get("/checkpoint")
	if r.status != 404 {
		t.Fatalf("GET /checkpoint before any checkpoint: %d %s", r.status, r.body)
	}
	if p := r.problem(t); !strings.Contains(p.Detail, "truce keys init") {
		t.Errorf("404 detail %q does not say how to get a key", p.Detail)
	}

	skey, vkey, err := ledger.GenerateKey("truce.invalid/log/test")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ledger.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := ledger.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	store := func() []byte {
		t.Helper()
		size := e.logSize()
		root, err := ledger.Root(size, ledger.HashReader(ctx, e.db))
		if err != nil {
			t.Fatal(err)
		}
		msg, err := ledger.Sign(&ledger.Checkpoint{Origin: signer.Name(), Size: size, Root: root}, signer)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.db.AddCheckpoint(ctx, &truce.SignedCheckpoint{Size: size, Root: root, Note: msg, SignedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		return msg
	}
	for round := range 2 {
		want := store()
		r := e.get("/checkpoint")
		if r.status != 200 {
			t.Fatalf("GET /checkpoint: %d %s", r.status, r.body)
		}
		if ct := r.header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
			t.Errorf("Content-Type = %q", ct)
		}
		if string(r.body) != string(want) {
			t.Fatalf("GET /checkpoint served\n%s\nwant\n%s", r.body, want)
		}
		cp, _, err := ledger.Open(r.body, note.VerifierList(verifier))
		if err != nil {
			t.Fatal(err)
		}
		if cp.Size != e.logSize() {
			t.Errorf("round %d: checkpoint size %d, log size %d", round, cp.Size, e.logSize())
		}
		if r := e.postNDJSON(monitor, obs(fmt.Sprintf("cp-%d-1", round)), obs(fmt.Sprintf("cp-%d-2", round))); r.status != 201 && r.status != 200 {
			t.Fatalf("post: %d %s", r.status, r.body)
		}
	}
	if r := e.do("HEAD", "/checkpoint", "", "", nil); r.status != 200 || len(r.body) != 0 {
		t.Errorf("HEAD /checkpoint: %d with %d bytes", r.status, len(r.body))
	}
	if r := e.do("POST", "/checkpoint", "", "", nil); r.status != 405 {
		t.Errorf("POST /checkpoint: %d, want 405", r.status)
	}
}

// TestWitnesses checks the witness registry over HTTP: only admins
// register, by verifier key; a repeat is 200 and another key for a name a
// conflict; GET lists them.
func TestWitnesses(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	_, vkey, err := ledger.GenerateCosignerKey("witness.invalid/ua")
	if err != nil {
		t.Fatal(err)
	}
	_, other, _ := ledger.GenerateCosignerKey("witness.invalid/ua")
	_, logKey, _ := ledger.GenerateKey("truce.invalid/log/x")
	body := func(key string) []byte { return fmt.Appendf(nil, `{"key":%q}`, key) }
	size := e.logSize()
	tests := []struct {
		name   string
		as     string
		body   []byte
		status int
		path   string // the problem's path, if any
	}{
		{"no token", "", body(vkey), 401, ""},
		{"monitor", monitor, body(vkey), 403, ""},
		{"register", admin, body(vkey), 201, ""},
		{"repeat", admin, body(vkey), 200, ""},
		{"another key", admin, body(other), 409, ""},
		{"log key", admin, body(logKey), 400, "$.key"},
		{"no key", admin, []byte(`{}`), 400, "$.key"},
		{"unknown field", admin, []byte(`{"key":"x","name":"y"}`), 400, "$.name"},
	}
	for _, tt := range tests {
		r := e.post("/v1/witnesses", tt.as, tt.body)
		if r.status != tt.status {
			t.Errorf("%s: POST /v1/witnesses: %d %s, want %d", tt.name, r.status, r.body, tt.status)
			continue
		}
		if tt.status >= 400 {
			p := r.problem(t)
			if tt.path != "" && (len(p.Errors) == 0 || p.Errors[0].Path != tt.path) {
				t.Errorf("%s: problem %+v, want one at %s", tt.name, p, tt.path)
			}
			continue
		}
		var rec struct {
			Name     string `json:"name"`
			Key      string `json:"key"`
			LogIndex int64  `json:"log_index"`
		}
		r.decode(t, &rec)
		if rec.Name != "witness.invalid/ua" || rec.Key != vkey || rec.LogIndex != size {
			t.Errorf("%s: record %+v, want the witness at log index %d", tt.name, rec, size)
		}
	}
	var list struct {
		Witnesses []struct{ Name, Key string }
	}
	e.get("/v1/witnesses").decode(t, &list)
	if len(list.Witnesses) != 1 || list.Witnesses[0].Key != vkey {
		t.Errorf("GET /v1/witnesses = %+v", list)
	}
	if n := e.logSize(); n != size+1 {
		t.Errorf("log size %d after one registration, want %d", n, size+1)
	}
}

// TestCosignatures posts witnesses' cosignatures of a signed checkpoint
// and checks that GET /checkpoint serves them appended to the note, which
// still opens with the log's key alone and verifies with the witnesses'
// keys; bad cosignatures are refused with the status that says why.
func TestCosignatures(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	ctx := context.Background()
	skey, vkey, _ := ledger.GenerateKey("truce.invalid/log/test")
	signer, _ := ledger.NewSigner(skey)
	logVerifier, _ := ledger.NewVerifier(vkey)
	cosigner := func(name string) *ledger.Cosigner {
		skey, _, err := ledger.GenerateCosignerKey(name)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := ledger.NewCosigner(skey)
		return c
	}
	ua, ru, stranger := cosigner("witness.invalid/ua"), cosigner("witness.invalid/ru"), cosigner("witness.invalid/x")
	for _, c := range []*ledger.Cosigner{ua, ru} {
		if r := e.post("/v1/witnesses", admin, fmt.Appendf(nil, `{"key":%q}`, c.VerifierKey())); r.status != 201 {
			t.Fatalf("register %s: %d %s", c.Name(), r.status, r.body)
		}
	}
	size := e.logSize()
	root, err := ledger.Root(size, ledger.HashReader(ctx, e.db))
	if err != nil {
		t.Fatal(err)
	}
	cp := &ledger.Checkpoint{Origin: signer.Name(), Size: size, Root: root}
	msg, _ := ledger.Sign(cp, signer)
	if err := e.db.AddCheckpoint(ctx, &truce.SignedCheckpoint{Size: size, Root: root, Note: msg, SignedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	body, _ := cp.Marshal()
	at := time.Date(2025, 3, 14, 6, 30, 0, 0, time.UTC)
	line := func(c *ledger.Cosigner) string {
		l, err := c.Cosign(body, at)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	post := func(size int64, root tlog.Hash, line string) response {
		return e.do("POST", "/v1/checkpoint/cosignatures", "", "application/json",
			fmt.Appendf(nil, `{"size":%d,"root":%q,"cosignature":%q}`, size, base64.StdEncoding.EncodeToString(root[:]), line))
	}
	uaLine, ruLine := line(ua), line(ru)
	badSig := []byte(uaLine)
	badSig[len(badSig)-6] ^= 1
	wrongRoot := root
	wrongRoot[0] ^= 1
	tests := []struct {
		name   string
		r      func() response
		status int
	}{
		{"ua", func() response { return post(size, root, uaLine) }, 201},
		{"ua again", func() response { return post(size, root, uaLine) }, 200},
		{"ru", func() response { return post(size, root, ruLine) }, 201},
		{"unknown witness", func() response { return post(size, root, line(stranger)) }, 403},
		{"bad signature", func() response { return post(size, root, string(badSig)) }, 400},
		{"another root", func() response { return post(size, wrongRoot, uaLine) }, 409},
		{"no such checkpoint", func() response { return post(size-1, root, uaLine) }, 404},
		{"no size", func() response {
			return e.do("POST", "/v1/checkpoint/cosignatures", "", "application/json", []byte(`{"root":"x","cosignature":""}`))
		}, 400},
		{"not JSON", func() response {
			return e.do("POST", "/v1/checkpoint/cosignatures", "", "text/plain", []byte(uaLine))
		}, 415},
	}
	for _, tt := range tests {
		r := tt.r()
		if r.status != tt.status {
			t.Errorf("%s: %d %s, want %d", tt.name, r.status, r.body, tt.status)
		} else if tt.status >= 400 {
			r.problem(t)
		}
	}
	if r := e.do("POST", "/v1/checkpoint/cosignatures", "", "application/json", []byte(`{"root":"x","cosignature":""}`)); r.status == 400 {
		var paths []string
		for _, p := range r.problem(t).Errors {
			paths = append(paths, p.Path)
		}
		if strings.Join(paths, " ") != "$.size $.root $.cosignature" {
			t.Errorf("problems at %q, want $.size $.root $.cosignature", paths)
		}
	}

	served := e.get("/checkpoint")
	if want := string(msg) + ruLine + uaLine; string(served.body) != want {
		t.Fatalf("GET /checkpoint served\n%s\nwant\n%s", served.body, want)
	}
	n, err := note.Open(served.body, note.VerifierList(logVerifier))
	if err != nil || len(n.Sigs) != 1 || len(n.UnverifiedSigs) != 2 {
		t.Errorf("note.Open with the log's key alone: %v", err)
	}
	n, err = note.Open(served.body, note.VerifierList(logVerifier, ua.Verifier(), ru.Verifier()))
	if err != nil || len(n.Sigs) != 3 {
		t.Errorf("note.Open with the witnesses' keys: %v", err)
	}
	if r := e.get(fmt.Sprintf("/v1/checkpoints/%d", size)); r.status != 200 || string(r.body) != string(served.body) {
		t.Errorf("GET /v1/checkpoints/%d: %d %s", size, r.status, r.body)
	}
	if r := e.get(fmt.Sprintf("/v1/checkpoints/%d", size+1)); r.status != 404 {
		t.Errorf("GET /v1/checkpoints/%d: %d, want 404", size+1, r.status)
	}
	if r := e.get("/v1/checkpoints/07"); r.status != 400 {
		t.Errorf("GET /v1/checkpoints/07: %d, want 400", r.status)
	}
}
