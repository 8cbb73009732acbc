package ledger_test

import (
	"bytes"
	"testing"

	"github.com/truce-monitor/truce/ledger"
)

func FuzzParseCheckpoint(f *testing.F) {
	f.Add([]byte("example.com/behind-the-sofa\n20852163\n" + testRoot + "\n"))
	f.Add([]byte("o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next\n"))
	f.Add([]byte("o\n01\n" + testRoot + "\n"))
	f.Add([]byte("o\n1\n" + testRoot))
	f.Add([]byte("\n\n\n"))
	f.Add([]byte("o\n9223372036854775807\n" + testRoot + "\na\nb\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		cp, err := ledger.ParseCheckpoint(body)
		if err != nil {
			return
		}
		b, err := cp.Marshal()
		if err != nil {
			t.Fatalf("Marshal of parsed %q: %v", body, err)
		}
		if !bytes.Equal(b, body) {
			t.Fatalf("ParseCheckpoint(%q) re-marshals to %q", body, b)
		}
	})
}

func FuzzDecodeInclusionProof(f *testing.F) {
	s := buildStore(f, 13)
	root, _ := ledger.Root(13, s)
	for _, i := range []int64{0, 5, 12} {
		p, _ := ledger.ProveInclusion(i, 13, s)
		b, _ := (&ledger.InclusionProof{Index: i, Size: 13, LeafHash: ledger.LeafHash(testEntry(int(i))), Proof: p}).MarshalJSON()
		f.Add(b)
	}
	f.Add([]byte(`{"index":0,"size":1,"leaf_hash":"` + testRoot + `","proof":[]}`))
	f.Add([]byte(` { "proof" : [ ] , "size" : 1 , "leaf_hash" : "` + testRoot + `" , "index" : 0 } `))
	f.Add([]byte(`{"index":0,"size":1,"leaf_hash":"` + testRoot + `","proof":[],"index":0}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ledger.DecodeInclusionProof(data)
		if err != nil {
			return
		}
		_ = p.Verify(root) // must not panic
		m, _ := p.MarshalJSON()
		q, err := ledger.DecodeInclusionProof(m)
		if err != nil {
			t.Fatalf("re-marshaled %s does not decode: %v", m, err)
		}
		m2, _ := q.MarshalJSON()
		if !bytes.Equal(m, m2) || q.Index != p.Index || q.Size != p.Size || q.LeafHash != p.LeafHash || len(q.Proof) != len(p.Proof) {
			t.Fatalf("round trip of %s changed it: %s", m, m2)
		}
		if isCompact(data) && !bytes.Equal(data, m) && sameKeyOrder(data, m) {
			t.Fatalf("canonical input %s re-marshals to %s", data, m)
		}
	})
}

func FuzzDecodeConsistencyProof(f *testing.F) {
	s := buildStore(f, 13)
	for _, m := range []int64{0, 1, 4, 7, 13} {
		p, _ := ledger.ProveConsistency(m, 13, s)
		b, _ := (&ledger.ConsistencyProof{Old: m, New: 13, Proof: p}).MarshalJSON()
		f.Add(b)
	}
	f.Add([]byte(`{"new":2,"old":1,"proof":["` + testRoot + `"]}`))
	f.Add([]byte(`{"old":1,"new":2,"proof":["` + testRoot + `"]}trailing`))
	root, _ := ledger.Root(13, s)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ledger.DecodeConsistencyProof(data)
		if err != nil {
			return
		}
		_ = p.Verify(root, root) // must not panic
		m, _ := p.MarshalJSON()
		q, err := ledger.DecodeConsistencyProof(m)
		if err != nil {
			t.Fatalf("re-marshaled %s does not decode: %v", m, err)
		}
		m2, _ := q.MarshalJSON()
		if !bytes.Equal(m, m2) || q.Old != p.Old || q.New != p.New || len(q.Proof) != len(p.Proof) {
			t.Fatalf("round trip of %s changed it: %s", m, m2)
		}
		if isCompact(data) && !bytes.Equal(data, m) && sameKeyOrder(data, m) {
			t.Fatalf("canonical input %s re-marshals to %s", data, m)
		}
	})
}

// isCompact reports whether data has no whitespace and no escapes, so that
// a decoder's canonical re-marshaling of it must give the same bytes when
// the keys come in the canonical order.
func isCompact(data []byte) bool {
	return !bytes.ContainsAny(data, " \t\r\n\\")
}

// sameKeyOrder reports whether the object keys appear in the same order in
// a and b (the keys are the quoted strings followed by a colon).
func sameKeyOrder(a, b []byte) bool {
	keys := func(d []byte) string {
		var out []byte
		for _, part := range bytes.Split(d, []byte(`":`)) {
			if i := bytes.LastIndexByte(part, '"'); i >= 0 {
				out = append(append(out, part[i+1:]...), ',')
			}
		}
		return string(out)
	}
	return keys(a) == keys(b)
}
