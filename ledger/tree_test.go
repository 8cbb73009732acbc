package ledger_test

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/merkle/testonly"
	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/ledger"
	"golang.org/x/mod/sumdb/tlog"
)

func TestLeafHash(t *testing.T) {
	e := testEntry(7)
	want := sha256.Sum256(append([]byte{0x00}, e.Encode()...))
	if got := ledger.LeafHash(e); got != tlog.Hash(want) {
		t.Errorf("LeafHash = %x, want SHA-256(0x00 || Encode()) = %x", got, want)
	}
	// The index is the leaf's position, not part of its hash.
	e2 := testEntry(7)
	e2.Index = 99
	if ledger.LeafHash(e2) != ledger.LeafHash(e) {
		t.Error("LeafHash depends on Index")
	}
	e2.Submitter = "osce-team-4"
	if ledger.LeafHash(e2) == ledger.LeafHash(e) {
		t.Error("LeafHash ignores Submitter")
	}
}

func TestEmptyRoot(t *testing.T) {
	if want := sha256.Sum256(nil); ledger.EmptyRoot != tlog.Hash(want) {
		t.Errorf("EmptyRoot = %x, want %x", ledger.EmptyRoot, want)
	}
	got, err := ledger.Root(0, &memStore{})
	if err != nil || got != ledger.EmptyRoot {
		t.Errorf("Root(0) = %x, %v; want EmptyRoot", got, err)
	}
	if !bytes.Equal(ledger.EmptyRoot[:], testonly.EmptyRootHash()) {
		t.Error("EmptyRoot differs from transparency-dev/merkle's")
	}
}

// TestRootSizes checks the root of every tree of 1..64 entries against
// tlog.TreeHash over hashes stored by tlog.StoredHashes from the data, the
// compact range of transparency-dev/merkle, and its reference tree.
func TestRootSizes(t *testing.T) {
	const max = 64
	s := &memStore{}
	ref := mapStore{} // stored by tlog.StoredHashes from the raw bytes
	cr := (&compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}).NewEmptyRange(0)
	tree := testonly.New(rfc6962.DefaultHasher)
	for n := 1; n <= max; n++ {
		e := testEntry(n - 1)
		leaf := ledger.LeafHash(e)
		s.appendLeaf(t, leaf)

		hs, err := tlog.StoredHashes(int64(n-1), e.Encode(), ref)
		if err != nil {
			t.Fatal(err)
		}
		for i, h := range hs {
			ref[tlog.StoredHashIndex(0, int64(n-1))+int64(i)] = h
		}
		if err := cr.Append(rfc6962.DefaultHasher.HashLeaf(e.Encode()), nil); err != nil {
			t.Fatal(err)
		}
		tree.AppendData(e.Encode())

		got, err := ledger.Root(int64(n), s)
		if err != nil {
			t.Fatalf("Root(%d): %v", n, err)
		}
		if want, _ := tlog.TreeHash(int64(n), ref); got != want {
			t.Errorf("size %d: Root = %v, tlog.TreeHash = %v", n, got, want)
		}
		want, err := cr.GetRootHash(nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got[:], want) {
			t.Errorf("size %d: Root = %x, compact range = %x", n, got, want)
		}
		if want := tree.HashAt(uint64(n)); !bytes.Equal(got[:], want) {
			t.Errorf("size %d: Root = %x, merkle reference = %x", n, got, want)
		}
		if want := tree.LeafHash(uint64(n - 1)); !bytes.Equal(leaf[:], want) {
			t.Errorf("leaf %d: LeafHash = %x, merkle HashLeaf = %x", n-1, leaf, want)
		}
	}
	if got, want := int64(len(s.hashes)), tlog.StoredHashCount(max); got != want {
		t.Errorf("stored %d hashes for %d entries, want %d", got, max, want)
	}
	// Earlier roots stay computable from the same stored hashes.
	for n := 1; n <= max; n++ {
		got, _ := ledger.Root(int64(n), s)
		if !bytes.Equal(got[:], tree.HashAt(uint64(n))) {
			t.Errorf("Root(%d) after growth differs", n)
		}
	}
}

// TestRFC6962Vectors checks the transparency-dev/merkle RFC 6962 test
// vectors: leaf inputs, every prefix root.
func TestRFC6962Vectors(t *testing.T) {
	s := &memStore{}
	roots := testonly.RootHashes()
	for i, in := range testonly.LeafInputs() {
		s.appendLeaf(t, tlog.RecordHash(in))
		got, err := ledger.Root(int64(i+1), s)
		if err != nil {
			t.Fatal(err)
		}
		// roots[k] is the root of the first k leaves.
		if !bytes.Equal(got[:], roots[i+1]) {
			t.Errorf("size %d: root %x, vector %x", i+1, got[:], roots[i+1])
		}
	}
}

func TestHashesToStoreCount(t *testing.T) {
	// Entry i completes one subtree per trailing one bit of i.
	s := &memStore{}
	for i := int64(0); i < 300; i++ {
		hs, err := ledger.HashesToStore(i, ledger.LeafHash(testEntry(int(i))), s)
		if err != nil {
			t.Fatal(err)
		}
		want := 1
		for j := i; j&1 == 1; j >>= 1 {
			want++
		}
		if len(hs) != want {
			t.Fatalf("entry %d: %d hashes, want %d", i, len(hs), want)
		}
		s.hashes = append(s.hashes, hs...)
		s.size++
	}
}

func TestErrors(t *testing.T) {
	s := buildStore(t, 5)
	if _, err := ledger.HashesToStore(-1, tlog.Hash{}, s); truce.ErrorCode(err) != truce.EINVALID {
		t.Errorf("HashesToStore(-1): %v", err)
	}
	if _, err := ledger.Root(-1, s); truce.ErrorCode(err) != truce.EINVALID {
		t.Errorf("Root(-1): %v", err)
	}
	// A store missing hashes fails loudly, with the reader's error wrapped.
	if _, err := ledger.Root(6, s); err == nil {
		t.Error("Root beyond the stored hashes succeeded")
	}
	if _, err := ledger.HashesToStore(9, tlog.Hash{}, s); err == nil {
		t.Error("HashesToStore with missing earlier hashes succeeded")
	}
	if _, err := ledger.ProveInclusion(5, 5, s); truce.ErrorCode(err) != truce.EINVALID {
		t.Errorf("ProveInclusion(5, 5): %v", err)
	}
	if _, err := ledger.ProveInclusion(-1, 5, s); truce.ErrorCode(err) != truce.EINVALID {
		t.Errorf("ProveInclusion(-1, 5): %v", err)
	}
	if _, err := ledger.ProveConsistency(4, 3, s); truce.ErrorCode(err) != truce.EINVALID {
		t.Errorf("ProveConsistency(4, 3): %v", err)
	}
	if _, err := ledger.ProveConsistency(-1, 3, s); truce.ErrorCode(err) != truce.EINVALID {
		t.Errorf("ProveConsistency(-1, 3): %v", err)
	}
}
