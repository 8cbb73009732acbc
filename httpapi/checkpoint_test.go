package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/httpapi"
	"github.com/truce-monitor/truce/ledger"
	"golang.org/x/mod/sumdb/note"
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
