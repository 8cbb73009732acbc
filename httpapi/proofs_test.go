package httpapi_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/truce-monitor/truce/httpapi"
)

// proofLogSize is the log size the proof tests build: the entries every env
// starts with and then observations, so that the tree has ragged right edges
// at several levels (37 = 100101 in binary).
const proofLogSize = 37

// seedLog posts observations in batches of uneven sizes until the log holds
// proofLogSize entries.
func seedLog(t *testing.T, e *env) {
	t.Helper()
	need := proofLogSize - int(e.logSize())
	if need < 10 {
		t.Fatalf("a new env already has %d log entries", e.logSize())
	}
	n := 0
	for _, batch := range []int{1, 3, 7, need} {
		batch = min(batch, need-n)
		lines := make([]string, batch)
		for i := range lines {
			lines[i] = obs(fmt.Sprintf("proof-%03d", n))
			n++
		}
		if r := e.postNDJSON(monitor, lines...); r.status != 201 && r.status != 200 {
			t.Fatalf("batch of %d: %d %s", batch, r.status, r.body)
		}
	}
	if got := e.logSize(); got != proofLogSize {
		t.Fatalf("log size %d, want %d", got, proofLogSize)
	}
}

// leafHashes fetches every entry through GET /v1/log/entries, rebuilds its
// encoding from the JSON fields as docs/log-format.md describes it, and
// returns the RFC 6962 leaf hashes, SHA-256(0x00 || encoding).
func leafHashes(t *testing.T, e *env) [][]byte {
	t.Helper()
	var entries []struct {
		Index         int64           `json:"index"`
		Type          string          `json:"type"`
		Time          string          `json:"time"`
		Submitter     string          `json:"submitter"`
		Data          json.RawMessage `json:"data"`
		ContentSHA256 string          `json:"content_sha256"`
	}
	e.get("/v1/log/entries?start=0&end=1000").decode(t, &entries)
	leaves := make([][]byte, len(entries))
	for i, en := range entries {
		if en.Index != int64(i) {
			t.Fatalf("entry %d has index %d", i, en.Index)
		}
		enc := []byte("truce-entry/v1\n" + en.Type + "\n" + en.Time + "\n" + en.Submitter + "\n" + string(en.Data))
		if h := sha256.Sum256(enc); hex.EncodeToString(h[:]) != en.ContentSHA256 {
			t.Fatalf("entry %d: rebuilt encoding does not match content_sha256", i)
		}
		h := sha256.Sum256(append([]byte{0x00}, enc...))
		leaves[i] = h[:]
		if !bytes.Equal(leaves[i], rfc6962.DefaultHasher.HashLeaf(enc)) {
			t.Fatalf("entry %d: leaf hash disagrees with rfc6962.HashLeaf", i)
		}
	}
	return leaves
}

// mth is the RFC 6962 Merkle tree hash of leaves (section 2.1), computed
// recursively from the leaf hashes.
func mth(leaves [][]byte) []byte {
	switch len(leaves) {
	case 0:
		h := sha256.Sum256(nil)
		return h[:]
	case 1:
		return leaves[0]
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	h := sha256.New()
	h.Write([]byte{0x01})
	h.Write(mth(leaves[:k]))
	h.Write(mth(leaves[k:]))
	return h.Sum(nil)
}

// b64 decodes standard padded base64, failing the test on anything else.
func b64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != 32 || base64.StdEncoding.EncodeToString(b) != s {
		t.Fatalf("hash %q is not 32 bytes of canonical base64", s)
	}
	return b
}

func b64s(t *testing.T, ss []string) [][]byte {
	t.Helper()
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = b64(t, s)
	}
	return out
}

// decodeExact decodes a JSON body into v, refusing unknown fields, and
// checks the body is the compact one-line form.
func decodeExact(t *testing.T, r response, v any) {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type = %q", ct)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, r.body); err != nil || buf.String()+"\n" != string(r.body) {
		t.Fatalf("body is not one compact line: %q", r.body)
	}
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("body %s: %v", r.body, err)
	}
}

type rootJSON struct {
	Size int64  `json:"size"`
	Root string `json:"root"`
}

type inclusionJSON struct {
	Index    *int64   `json:"index"`
	Size     *int64   `json:"size"`
	LeafHash string   `json:"leaf_hash"`
	Proof    []string `json:"proof"`
}

type consistencyJSON struct {
	Old   *int64   `json:"old"`
	New   *int64   `json:"new"`
	Proof []string `json:"proof"`
}

// TestLogProofs checks every root, inclusion proof and consistency proof
// the API serves for a log of proofLogSize entries against a tree computed
// here from the entries, with transparency-dev/merkle's verifiers: code
// that shares nothing with ledger or the store.
func TestLogProofs(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	seedLog(t, e)
	leaves := leafHashes(t, e)
	if len(leaves) != proofLogSize {
		t.Fatalf("%d entries, want %d", len(leaves), proofLogSize)
	}
	hasher := rfc6962.DefaultHasher

	// Roots of every size, fetched with no token (e.get sends none).
	roots := make([][]byte, proofLogSize+1)
	for n := 0; n <= proofLogSize; n++ {
		want := mth(leaves[:n])
		var got rootJSON
		decodeExact(t, e.get(fmt.Sprintf("/v1/log/root?size=%d", n)), &got)
		if got.Size != int64(n) || !bytes.Equal(b64(t, got.Root), want) {
			t.Fatalf("root of %d: got %+v, want %x", n, got, want)
		}
		roots[n] = want
	}
	if !bytes.Equal(roots[0], hasher.EmptyRoot()) {
		t.Errorf("root of the empty tree %x, want %x", roots[0], hasher.EmptyRoot())
	}
	var cur rootJSON
	decodeExact(t, e.get("/v1/log/root"), &cur)
	if cur.Size != proofLogSize || !bytes.Equal(b64(t, cur.Root), roots[proofLogSize]) {
		t.Errorf("default root: %+v", cur)
	}

	// Every inclusion proof: 0 <= index < size <= log size.
	for n := 1; n <= proofLogSize; n++ {
		for i := 0; i < n; i++ {
			r := e.get(fmt.Sprintf("/v1/log/proof/inclusion?index=%d&size=%d", i, n))
			var p inclusionJSON
			decodeExact(t, r, &p)
			if p.Index == nil || *p.Index != int64(i) || p.Size == nil || *p.Size != int64(n) || p.Proof == nil {
				t.Fatalf("inclusion %d in %d: %s", i, n, r.body)
			}
			leaf := b64(t, p.LeafHash)
			if !bytes.Equal(leaf, leaves[i]) {
				t.Fatalf("inclusion %d in %d: leaf_hash %x, want %x", i, n, leaf, leaves[i])
			}
			if err := proof.VerifyInclusion(hasher, uint64(i), uint64(n), leaves[i], b64s(t, p.Proof), roots[n]); err != nil {
				t.Fatalf("inclusion %d in %d does not verify: %v; %s", i, n, err, r.body)
			}
			// The proof proves this leaf only.
			if i+1 < n {
				if err := proof.VerifyInclusion(hasher, uint64(i), uint64(n), leaves[i+1], b64s(t, p.Proof), roots[n]); err == nil {
					t.Fatalf("inclusion %d in %d also verifies leaf %d", i, n, i+1)
				}
			}
		}
	}

	// Every consistency proof: 0 <= old <= new <= log size.
	for n := 0; n <= proofLogSize; n++ {
		for m := 0; m <= n; m++ {
			r := e.get(fmt.Sprintf("/v1/log/proof/consistency?old=%d&new=%d", m, n))
			var p consistencyJSON
			decodeExact(t, r, &p)
			if p.Old == nil || *p.Old != int64(m) || p.New == nil || *p.New != int64(n) || p.Proof == nil {
				t.Fatalf("consistency %d to %d: %s", m, n, r.body)
			}
			if (m == 0 || m == n) && len(p.Proof) != 0 {
				t.Fatalf("consistency %d to %d: want an empty proof, got %s", m, n, r.body)
			}
			hs := b64s(t, p.Proof)
			if err := proof.VerifyConsistency(hasher, uint64(m), uint64(n), hs, roots[m], roots[n]); err != nil {
				t.Fatalf("consistency %d to %d does not verify: %v; %s", m, n, err, r.body)
			}
			// Nor does it join the old size to another tree.
			if 0 < m && m < n {
				forged := append([]byte(nil), roots[n]...)
				forged[0] ^= 1
				if err := proof.VerifyConsistency(hasher, uint64(m), uint64(n), hs, roots[m], forged); err == nil {
					t.Fatalf("consistency %d to %d verifies against a wrong new root", m, n)
				}
			}
		}
	}
}

// TestLogProofsWire checks the exact bytes of a few answers: the canonical
// JSON of ledger's wire types.
func TestLogProofsWire(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	seedLog(t, e)
	leaves := leafHashes(t, e)
	enc := base64.StdEncoding.EncodeToString
	r := e.get("/v1/log/proof/consistency?old=0&new=5")
	if string(r.body) != `{"old":0,"new":5,"proof":[]}`+"\n" {
		t.Errorf("empty consistency proof: %q", r.body)
	}
	r = e.get("/v1/log/proof/consistency?old=4&new=4")
	if string(r.body) != `{"old":4,"new":4,"proof":[]}`+"\n" {
		t.Errorf("consistency of equal sizes: %q", r.body)
	}
	r = e.get("/v1/log/proof/inclusion?index=0&size=1")
	if want := `{"index":0,"size":1,"leaf_hash":"` + enc(leaves[0]) + `","proof":[]}` + "\n"; string(r.body) != want {
		t.Errorf("inclusion in a tree of one: %q, want %q", r.body, want)
	}
	r = e.get("/v1/log/proof/inclusion?index=2&size=3")
	want := `{"index":2,"size":3,"leaf_hash":"` + enc(leaves[2]) + `","proof":["` + enc(mth(leaves[:2])) + `"]}` + "\n"
	if string(r.body) != want {
		t.Errorf("inclusion of 2 in 3: %q, want %q", r.body, want)
	}
	r = e.get("/v1/log/root?size=0")
	if want := `{"size":0,"root":"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}` + "\n"; string(r.body) != want {
		t.Errorf("empty root: %q, want %q", r.body, want)
	}
	// Reads need no token, and a token changes nothing.
	for _, path := range []string{"/v1/log/root", "/v1/log/proof/inclusion?index=3&size=9", "/v1/log/proof/consistency?old=3&new=9"} {
		anon := e.get(path)
		if anon.status != 200 || anon.header.Get("WWW-Authenticate") != "" {
			t.Errorf("%s without a token: %d %s", path, anon.status, anon.body)
		}
		if authed := e.do("GET", path, e.tokens[admin], "", nil); authed.status != 200 || !bytes.Equal(authed.body, anon.body) {
			t.Errorf("%s with a token: %d %s", path, authed.status, authed.body)
		}
		if r := e.do("POST", path, e.tokens[admin], "application/json", []byte("{}")); r.status != 405 || !strings.Contains(r.header.Get("Allow"), "GET") {
			t.Errorf("POST %s: %d, Allow %q", path, r.status, r.header.Get("Allow"))
		}
	}
}

// TestLogProofsBadParameters checks that each wrong parameter is a 400
// problem naming it.
func TestLogProofsBadParameters(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	seedLog(t, e)
	for _, tc := range []struct{ query, path string }{
		// root
		{"root?size=-1", "query.size"},
		{"root?size=+1", "query.size"},
		{"root?size=01", "query.size"},
		{"root?size=00", "query.size"},
		{"root?size=x", "query.size"},
		{"root?size=1.0", "query.size"},
		{"root?size=1e1", "query.size"},
		{"root?size=%201", "query.size"},
		{"root?size=0x1", "query.size"},
		{"root?size=9223372036854775808", "query.size"},
		{"root?size=38", "query.size"},
		{"root?size=1&size=2", "query.size"},
		{"root?sise=1", "query.sise"},
		// inclusion
		{"proof/inclusion", "query.index"},
		{"proof/inclusion?size=5", "query.index"},
		{"proof/inclusion?index=&size=5", "query.index"},
		{"proof/inclusion?index=1", "query.size"},
		{"proof/inclusion?index=-1&size=5", "query.index"},
		{"proof/inclusion?index=01&size=5", "query.index"},
		{"proof/inclusion?index=x&size=5", "query.index"},
		{"proof/inclusion?index=1&size=-5", "query.size"},
		{"proof/inclusion?index=1&size=05", "query.size"},
		{"proof/inclusion?index=1&size=y", "query.size"},
		{"proof/inclusion?index=5&size=5", "query.index"},
		{"proof/inclusion?index=6&size=5", "query.index"},
		{"proof/inclusion?index=0&size=0", "query.index"},
		{"proof/inclusion?index=0&size=38", "query.size"},
		{"proof/inclusion?index=37&size=38", "query.size"},
		{"proof/inclusion?index=1&size=5&leaf=1", "query.leaf"},
		// consistency
		{"proof/consistency", "query.new"},
		{"proof/consistency?new=5", "query.old"},
		{"proof/consistency?old=1", "query.new"},
		{"proof/consistency?old=-1&new=5", "query.old"},
		{"proof/consistency?old=01&new=5", "query.old"},
		{"proof/consistency?old=x&new=5", "query.old"},
		{"proof/consistency?old=1&new=-5", "query.new"},
		{"proof/consistency?old=1&new=05", "query.new"},
		{"proof/consistency?old=1&new=+5", "query.new"},
		{"proof/consistency?old=6&new=5", "query.old"},
		{"proof/consistency?old=0&new=38", "query.new"},
		{"proof/consistency?old=38&new=38", "query.new"},
		{"proof/consistency?first=1&second=2", "query.first"},
	} {
		r := e.get("/v1/log/" + tc.query)
		if r.status != 400 {
			t.Errorf("%s: %d %s", tc.query, r.status, r.body)
			continue
		}
		p := r.problem(t)
		if !strings.HasSuffix(p.Type, "/invalid") || len(p.Errors) == 0 {
			t.Errorf("%s: %s", tc.query, r.body)
			continue
		}
		found := false
		for _, pr := range p.Errors {
			found = found || pr.Path == tc.path
		}
		if !found || p.Errors[0].Path != tc.path {
			t.Errorf("%s: first problem %+v, want path %s; %s", tc.query, p.Errors[0], tc.path, r.body)
		}
	}
}
