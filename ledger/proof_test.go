package ledger_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/merkle/testonly"
	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/ledger"
	"golang.org/x/mod/sumdb/tlog"
)

const maxProofSize = 40

// TestProofs proves every inclusion and consistency for trees of up to 40
// entries, checks each proof with CheckInclusion/CheckConsistency and with
// transparency-dev/merkle/proof, compares it with the proof of merkle's
// reference tree, and round-trips it through its JSON wire form.
func TestProofs(t *testing.T) {
	s := buildStore(t, maxProofSize)
	ref := testonly.New(rfc6962.DefaultHasher)
	roots := []tlog.Hash{ledger.EmptyRoot}
	leaves := []tlog.Hash{}
	for i := 0; i < maxProofSize; i++ {
		ref.AppendData(testEntry(i).Encode())
		leaves = append(leaves, ledger.LeafHash(testEntry(i)))
		r, err := ledger.Root(int64(i+1), s)
		if err != nil {
			t.Fatal(err)
		}
		roots = append(roots, r)
	}
	h := rfc6962.DefaultHasher
	var nIncl, nCons int
	for n := int64(1); n <= maxProofSize; n++ {
		for i := int64(0); i < n; i++ {
			p, err := ledger.ProveInclusion(i, n, s)
			if err != nil {
				t.Fatalf("ProveInclusion(%d, %d): %v", i, n, err)
			}
			if err := ledger.CheckInclusion(p, i, n, leaves[i], roots[n]); err != nil {
				t.Errorf("CheckInclusion(%d, %d): %v", i, n, err)
			}
			if err := proof.VerifyInclusion(h, uint64(i), uint64(n), leaves[i][:], hashBytes(p), roots[n][:]); err != nil {
				t.Errorf("merkle VerifyInclusion(%d, %d): %v", i, n, err)
			}
			want, err := ref.InclusionProof(uint64(i), uint64(n))
			if err != nil {
				t.Fatal(err)
			}
			if !equalProof(hashBytes(p), want) {
				t.Errorf("inclusion %d in %d differs from merkle's reference proof", i, n)
			}
			wire := &ledger.InclusionProof{Index: i, Size: n, LeafHash: leaves[i], Proof: p}
			b, _ := wire.MarshalJSON()
			got, err := ledger.DecodeInclusionProof(b)
			if err != nil {
				t.Fatalf("DecodeInclusionProof(%s): %v", b, err)
			}
			if err := got.Verify(roots[n]); err != nil {
				t.Errorf("decoded inclusion %d in %d: %v", i, n, err)
			}
			nIncl++
		}
		for m := int64(0); m <= n; m++ {
			p, err := ledger.ProveConsistency(m, n, s)
			if err != nil {
				t.Fatalf("ProveConsistency(%d, %d): %v", m, n, err)
			}
			if err := ledger.CheckConsistency(p, m, n, roots[m], roots[n]); err != nil {
				t.Errorf("CheckConsistency(%d, %d): %v", m, n, err)
			}
			if err := proof.VerifyConsistency(h, uint64(m), uint64(n), hashBytes(p), roots[m][:], roots[n][:]); err != nil {
				t.Errorf("merkle VerifyConsistency(%d, %d): %v", m, n, err)
			}
			if m > 0 {
				want, err := ref.ConsistencyProof(uint64(m), uint64(n))
				if err != nil {
					t.Fatal(err)
				}
				if !equalProof(hashBytes(p), want) {
					t.Errorf("consistency %d to %d differs from merkle's reference proof", m, n)
				}
			}
			wire := &ledger.ConsistencyProof{Old: m, New: n, Proof: p}
			b, _ := wire.MarshalJSON()
			got, err := ledger.DecodeConsistencyProof(b)
			if err != nil {
				t.Fatalf("DecodeConsistencyProof(%s): %v", b, err)
			}
			if err := got.Verify(roots[m], roots[n]); err != nil {
				t.Errorf("decoded consistency %d to %d: %v", m, n, err)
			}
			nCons++
		}
	}
	t.Logf("checked %d inclusion and %d consistency proofs", nIncl, nCons)
}

func equalProof(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// TestTamperedProofs flips bits, drops, adds and swaps hashes, and changes
// the claimed index, size, leaf and roots of valid proofs: every change is
// rejected.
func TestTamperedProofs(t *testing.T) {
	const n = 21
	s := buildStore(t, n+1)
	root, _ := ledger.Root(n, s)
	nextRoot, _ := ledger.Root(n+1, s)
	for i := int64(0); i < n; i++ {
		leaf := ledger.LeafHash(testEntry(int(i)))
		p, _ := ledger.ProveInclusion(i, n, s)
		var tampered []tlog.RecordProof
		for k := range p {
			q := append(tlog.RecordProof{}, p...)
			q[k][k%32] ^= 1
			tampered = append(tampered, q)
		}
		tampered = append(tampered, p[:len(p)-1], append(append(tlog.RecordProof{}, p...), leaf))
		if len(p) > 1 {
			q := append(tlog.RecordProof{}, p...)
			q[0], q[1] = q[1], q[0]
			tampered = append(tampered, q)
		}
		for k, q := range tampered {
			if ledger.CheckInclusion(q, i, n, leaf, root) == nil {
				t.Errorf("index %d: tampered proof %d accepted", i, k)
			}
		}
		other := ledger.LeafHash(testEntry(int(i) + 1))
		if ledger.CheckInclusion(p, i, n, other, root) == nil {
			t.Errorf("index %d: proof accepted for another leaf", i)
		}
		if j := (i + 1) % n; ledger.CheckInclusion(p, j, n, leaf, root) == nil && j != i {
			t.Errorf("index %d: proof accepted at index %d", i, j)
		}
		// A proof binds the leaf to a root; the size comes with the root in
		// a signed checkpoint. The proof does not verify for the next tree.
		if ledger.CheckInclusion(p, i, n+1, leaf, nextRoot) == nil {
			t.Errorf("index %d: proof accepted for the tree of size %d", i, n+1)
		}
		bad := root
		bad[31] ^= 0x80
		if err := ledger.CheckInclusion(p, i, n, leaf, bad); truce.ErrorCode(err) != truce.EINVALID {
			t.Errorf("index %d: wrong root: %v", i, err)
		}
	}
	for m := int64(1); m < n; m++ {
		oldRoot, _ := ledger.Root(m, s)
		p, _ := ledger.ProveConsistency(m, n, s)
		for k := range p {
			q := append(tlog.TreeProof{}, p...)
			q[k][0] ^= 0x40
			if ledger.CheckConsistency(q, m, n, oldRoot, root) == nil {
				t.Errorf("old %d: tampered hash %d accepted", m, k)
			}
		}
		if ledger.CheckConsistency(p[1:], m, n, oldRoot, root) == nil {
			t.Errorf("old %d: shortened proof accepted", m)
		}
		forked := oldRoot
		forked[0] ^= 1
		if ledger.CheckConsistency(p, m, n, forked, root) == nil {
			t.Errorf("old %d: proof accepted for a forked old root", m)
		}
		if ledger.CheckConsistency(p, m, n, oldRoot, forked) == nil {
			t.Errorf("old %d: proof accepted for a forked new root", m)
		}
	}
	// From the empty tree: the proof is empty and the old root must be the
	// empty tree's; equal sizes need equal roots.
	if err := ledger.CheckConsistency(nil, 0, n, ledger.EmptyRoot, root); err != nil {
		t.Errorf("from 0: %v", err)
	}
	if ledger.CheckConsistency(nil, 0, n, root, root) == nil {
		t.Error("from 0 with a non-empty old root accepted")
	}
	if ledger.CheckConsistency(tlog.TreeProof{root}, 0, n, ledger.EmptyRoot, root) == nil {
		t.Error("from 0 with a non-empty proof accepted")
	}
	if err := ledger.CheckConsistency(nil, n, n, root, root); err != nil {
		t.Errorf("same size: %v", err)
	}
	other, _ := ledger.Root(n-1, s)
	if ledger.CheckConsistency(nil, n, n, other, root) == nil {
		t.Error("same size, different roots accepted")
	}
	if ledger.CheckConsistency(nil, n, n-1, root, other) == nil {
		t.Error("shrinking tree accepted")
	}
}

func TestInclusionProofJSON(t *testing.T) {
	s := buildStore(t, 7)
	p, _ := ledger.ProveInclusion(2, 7, s)
	leaf := ledger.LeafHash(testEntry(2))
	ip := &ledger.InclusionProof{Index: 2, Size: 7, LeafHash: leaf, Proof: p}
	b, err := json.Marshal(ip)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`{"index":2,"size":7,"leaf_hash":"%s","proof":["%s","%s","%s"]}`, leaf, p[0], p[1], p[2])
	if string(b) != want {
		t.Errorf("JSON =\n%s\nwant\n%s", b, want)
	}
	var back ledger.InclusionProof
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Index != 2 || back.Size != 7 || back.LeafHash != leaf || len(back.Proof) != 3 {
		t.Errorf("round trip = %+v", back)
	}
	// Whitespace and key order are free.
	spaced := fmt.Sprintf("{\n  \"proof\": [\"%s\", \"%s\", \"%s\"],\n  \"leaf_hash\": \"%s\", \"size\": 7, \"index\": 2\n}\n", p[0], p[1], p[2], leaf)
	if got, err := ledger.DecodeInclusionProof([]byte(spaced)); err != nil {
		t.Errorf("spaced JSON: %v", err)
	} else if b2, _ := got.MarshalJSON(); string(b2) != want {
		t.Errorf("spaced JSON re-marshals to %s", b2)
	}
	h := leaf.String()
	bad := []struct{ name, in, msg string }{
		{"empty", ``, "not valid JSON"},
		{"array", `[]`, "want a JSON object"},
		{"null", `null`, "want a JSON object"},
		{"missing proof", fmt.Sprintf(`{"index":0,"size":1,"leaf_hash":"%s"}`, h), `missing field "proof"`},
		{"unknown field", fmt.Sprintf(`{"index":0,"size":1,"leaf_hash":"%s","proof":[],"root":"%s"}`, h, h), `unknown field "root"`},
		{"wrong case", fmt.Sprintf(`{"Index":0,"size":1,"leaf_hash":"%s","proof":[]}`, h), `unknown field "Index"`},
		{"repeated", fmt.Sprintf(`{"index":0,"index":0,"size":1,"leaf_hash":"%s","proof":[]}`, h), `repeated`},
		{"negative", fmt.Sprintf(`{"index":-1,"size":1,"leaf_hash":"%s","proof":[]}`, h), "not a non-negative integer"},
		{"fraction", fmt.Sprintf(`{"index":0.0,"size":1,"leaf_hash":"%s","proof":[]}`, h), "not a non-negative integer"},
		{"exponent", fmt.Sprintf(`{"index":0,"size":1e0,"leaf_hash":"%s","proof":[]}`, h), "not a non-negative integer"},
		{"string number", fmt.Sprintf(`{"index":"0","size":1,"leaf_hash":"%s","proof":[]}`, h), "want a non-negative integer"},
		{"overflow", fmt.Sprintf(`{"index":0,"size":9223372036854775808,"leaf_hash":"%s","proof":[]}`, h), "out of range"},
		{"index not below size", fmt.Sprintf(`{"index":1,"size":1,"leaf_hash":"%s","proof":[]}`, h), "not in a tree of size 1"},
		{"short hash", `{"index":0,"size":1,"leaf_hash":"AAAA","proof":[]}`, "not a 32-byte hash"},
		{"unpadded hash", fmt.Sprintf(`{"index":0,"size":1,"leaf_hash":"%s","proof":[]}`, strings.TrimRight(h, "=")), "not a 32-byte hash"},
		{"url base64", `{"index":0,"size":1,"leaf_hash":"_-__________________________________________8=","proof":[]}`, "not a 32-byte hash"},
		{"newline in base64", fmt.Sprintf(`{"index":0,"size":1,"leaf_hash":"%s\n%s","proof":[]}`, h[:20], h[20:]), "not a 32-byte hash"},
		{"null proof", fmt.Sprintf(`{"index":0,"size":1,"leaf_hash":"%s","proof":null}`, h), "want an array"},
		{"too many hashes", fmt.Sprintf(`{"index":0,"size":1,"leaf_hash":"%s","proof":["%s"]}`, h, h), "proof has 1 hashes, want 0"},
		{"too few hashes", fmt.Sprintf(`{"index":0,"size":2,"leaf_hash":"%s","proof":[]}`, h), "proof has 0 hashes, want 1"},
		{"trailing data", fmt.Sprintf(`{"index":0,"size":1,"leaf_hash":"%s","proof":[]} {}`, h), "not valid JSON"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ledger.DecodeInclusionProof([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.msg) || truce.ErrorCode(err) != truce.EINVALID {
				t.Errorf("DecodeInclusionProof(%s) = %v, want EINVALID containing %q", tt.in, err, tt.msg)
			}
		})
	}
}

func TestConsistencyProofJSON(t *testing.T) {
	s := buildStore(t, 7)
	p, _ := ledger.ProveConsistency(3, 7, s)
	cp := &ledger.ConsistencyProof{Old: 3, New: 7, Proof: p}
	b, err := json.Marshal(cp)
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, h := range p {
		parts = append(parts, `"`+h.String()+`"`)
	}
	if want := `{"old":3,"new":7,"proof":[` + strings.Join(parts, ",") + `]}`; string(b) != want {
		t.Errorf("JSON =\n%s\nwant\n%s", b, want)
	}
	var back ledger.ConsistencyProof
	if err := json.Unmarshal(b, &back); err != nil || back.Old != 3 || back.New != 7 || len(back.Proof) != len(p) {
		t.Errorf("round trip = %+v, %v", back, err)
	}
	empty, _ := (&ledger.ConsistencyProof{Old: 0, New: 7}).MarshalJSON()
	if string(empty) != `{"old":0,"new":7,"proof":[]}` {
		t.Errorf("empty proof JSON = %s", empty)
	}
	h := p[0].String()
	bad := []struct{ name, in, msg string }{
		{"shrinking", `{"old":4,"new":3,"proof":[]}`, "larger than new size"},
		{"proof from zero", fmt.Sprintf(`{"old":0,"new":3,"proof":["%s"]}`, h), "proof has 1 hashes, want 0"},
		{"proof for equal sizes", fmt.Sprintf(`{"old":3,"new":3,"proof":["%s"]}`, h), "proof has 1 hashes, want 0"},
		{"missing new", `{"old":0,"proof":[]}`, `missing field "new"`},
		{"unknown", `{"old":0,"new":0,"proof":[],"x":1}`, `unknown field "x"`},
		{"proof element not string", `{"old":1,"new":2,"proof":[1]}`, "want a base64 string"},
		{"nested", `{"old":1,"new":2,"proof":[["a"]]}`, "want a base64 string"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ledger.DecodeConsistencyProof([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.msg) || truce.ErrorCode(err) != truce.EINVALID {
				t.Errorf("DecodeConsistencyProof(%s) = %v, want EINVALID containing %q", tt.in, err, tt.msg)
			}
		})
	}
}
