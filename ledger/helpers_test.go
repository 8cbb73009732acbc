package ledger_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/ledger"
	"golang.org/x/mod/sumdb/tlog"
)

// memStore is an in-memory tlog.HashReader: stored hashes in a slice
// indexed by tlog.StoredHashIndex, written as a store would.
type memStore struct {
	hashes []tlog.Hash
	size   int64
	reads  int
}

func (s *memStore) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	s.reads++
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(s.hashes)) {
			return nil, fmt.Errorf("memStore: no stored hash %d (have %d)", x, len(s.hashes))
		}
		out[i] = s.hashes[x]
	}
	return out, nil
}

// appendLeaf appends one leaf hash the way a store appends an entry.
func (s *memStore) appendLeaf(t testing.TB, leaf tlog.Hash) {
	t.Helper()
	if want := tlog.StoredHashIndex(0, s.size); int64(len(s.hashes)) != want {
		t.Fatalf("store holds %d hashes before entry %d, want %d", len(s.hashes), s.size, want)
	}
	hs, err := ledger.HashesToStore(s.size, leaf, s)
	if err != nil {
		t.Fatal(err)
	}
	s.hashes = append(s.hashes, hs...)
	s.size++
}

// mapStore is a map-backed tlog.HashReader, as a key-value store would be.
type mapStore map[int64]tlog.Hash

func (m mapStore) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		h, ok := m[x]
		if !ok {
			return nil, fmt.Errorf("mapStore: no stored hash %d", x)
		}
		out[i] = h
	}
	return out, nil
}

// testEntry returns the i'th entry of the test logs.
func testEntry(i int) *truce.Entry {
	return &truce.Entry{
		Index:     int64(i),
		Type:      truce.EntryObservation,
		Time:      time.Date(2025, 3, 14, 0, 0, i, 0, time.UTC),
		Submitter: "osce-team-3",
		Data:      fmt.Appendf(nil, `{"id":"obs-%d","kind":"artillery"}`, i),
	}
}

// buildStore appends the first n test entries.
func buildStore(t testing.TB, n int) *memStore {
	t.Helper()
	s := &memStore{}
	for i := 0; i < n; i++ {
		s.appendLeaf(t, ledger.LeafHash(testEntry(i)))
	}
	return s
}

// seededNoteKey returns a fixed Ed25519 signer and verifier key for name,
// with the seed SHA-256(seedText), encoded as golang.org/x/mod/sumdb/note
// does (signature type 0x01).
func seededNoteKey(name, seedText string) (skey, vkey string) {
	seed := sha256.Sum256([]byte(seedText))
	pub := ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey)
	id := keyID(name, 0x01, pub)
	skey = fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", name, id, base64.StdEncoding.EncodeToString(append([]byte{0x01}, seed[:]...)))
	vkey = fmt.Sprintf("%s+%08x+%s", name, id, base64.StdEncoding.EncodeToString(append([]byte{0x01}, pub...)))
	return skey, vkey
}

// seededWitnessKey is seededNoteKey for a cosignature/v1 key (type 0x04).
func seededWitnessKey(name, seedText string) (skey, vkey string) {
	seed := sha256.Sum256([]byte(seedText))
	pub := ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey)
	id := keyID(name, 0x04, pub)
	skey = fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", name, id, base64.StdEncoding.EncodeToString(append([]byte{0x04}, seed[:]...)))
	vkey = fmt.Sprintf("%s+%08x+%s", name, id, base64.StdEncoding.EncodeToString(append([]byte{0x04}, pub...)))
	return skey, vkey
}

// keyID is SHA-256(name || 0x0A || type || public key)[:4], written here
// from the C2SP signed-note text rather than taken from the package.
func keyID(name string, typ byte, pub []byte) uint32 {
	b := append([]byte(name), '\n', typ)
	sum := sha256.Sum256(append(b, pub...))
	return binary.BigEndian.Uint32(sum[:4])
}

func hashBytes(hs []tlog.Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = hs[i][:]
	}
	return out
}
