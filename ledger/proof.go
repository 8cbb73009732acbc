package ledger

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/bits"
	"strconv"

	"github.com/truce-monitor/truce"
	"golang.org/x/mod/sumdb/tlog"
)

// ProveInclusion returns the RFC 6962 audit path proving that the tree of
// the first size entries contains the entry at index (0 <= index < size).
func ProveInclusion(index, size int64, r tlog.HashReader) (tlog.RecordProof, error) {
	if index < 0 || index >= size {
		return nil, truce.Errorf(truce.EINVALID, "ledger: inclusion proof: index %d is not in a tree of size %d", index, size)
	}
	p, err := tlog.ProveRecord(size, index, r)
	if err != nil {
		return nil, fmt.Errorf("ledger: inclusion proof for %d in %d: %w", index, size, err)
	}
	return p, nil
}

// ProveConsistency returns the RFC 6962 consistency proof that the tree of
// size new holds the tree of size old as a prefix (0 <= old <= new). The proof
// is empty when old is 0 or old equals new.
func ProveConsistency(old, new int64, r tlog.HashReader) (tlog.TreeProof, error) {
	if old < 0 || old > new {
		return nil, truce.Errorf(truce.EINVALID, "ledger: consistency proof: sizes %d and %d are out of order", old, new)
	}
	if old == 0 || old == new {
		return tlog.TreeProof{}, nil
	}
	p, err := tlog.ProveTree(new, old, r)
	if err != nil {
		return nil, fmt.Errorf("ledger: consistency proof from %d to %d: %w", old, new, err)
	}
	return p, nil
}

// CheckInclusion verifies that p proves that the tree of the given size and
// root hash holds leaf at index.
func CheckInclusion(p tlog.RecordProof, index, size int64, leaf, root tlog.Hash) error {
	if index < 0 || index >= size {
		return truce.Errorf(truce.EINVALID, "ledger: inclusion proof: index %d is not in a tree of size %d", index, size)
	}
	if want := inclusionProofLen(index, size); len(p) != want {
		return truce.Errorf(truce.EINVALID, "ledger: inclusion proof for %d in %d has %d hashes, want %d", index, size, len(p), want)
	}
	if err := tlog.CheckRecord(p, size, root, index, leaf); err != nil {
		return truce.Errorf(truce.EINVALID, "ledger: inclusion proof for %d in %d does not verify against root %v", index, size, root)
	}
	return nil
}

// CheckConsistency verifies that p proves that the tree of size new with
// root newRoot holds the tree of size old with root oldRoot as a prefix.
// When old is 0, p must be empty and oldRoot must be [EmptyRoot]; when old
// equals new, p must be empty and the roots equal.
func CheckConsistency(p tlog.TreeProof, old, new int64, oldRoot, newRoot tlog.Hash) error {
	if old < 0 || old > new {
		return truce.Errorf(truce.EINVALID, "ledger: consistency proof: sizes %d and %d are out of order", old, new)
	}
	if want := consistencyProofLen(old, new); len(p) != want {
		return truce.Errorf(truce.EINVALID, "ledger: consistency proof from %d to %d has %d hashes, want %d", old, new, len(p), want)
	}
	if old == 0 {
		if oldRoot != EmptyRoot {
			return truce.Errorf(truce.EINVALID, "ledger: consistency proof: root %v is not the empty tree's", oldRoot)
		}
		return nil
	}
	if err := tlog.CheckTree(p, new, newRoot, old, oldRoot); err != nil {
		return truce.Errorf(truce.EINVALID, "ledger: consistency proof from %d (%v) to %d (%v) does not verify", old, oldRoot, new, newRoot)
	}
	return nil
}

// inclusionProofLen is the number of hashes in the audit path of index in a
// tree of size (RFC 9162, section 2.1.3.2): the levels below the point where
// the paths to index and to size-1 part, plus one per right border subtree.
func inclusionProofLen(index, size int64) int {
	inner := bits.Len64(uint64(index) ^ uint64(size-1))
	border := bits.OnesCount64(uint64(index) >> inner)
	return inner + border
}

// consistencyProofLen is the number of hashes in the consistency proof from
// old to new (RFC 9162, section 2.1.4.2).
func consistencyProofLen(old, new int64) int {
	if old == 0 || old == new {
		return 0
	}
	n := inclusionProofLen(old-1, new)
	shift := bits.TrailingZeros64(uint64(old))
	if old == 1<<shift {
		// The old tree is a complete subtree: its root is not sent.
		return n - shift
	}
	return n - shift + 1
}

// InclusionProof is the wire form of an inclusion proof: that the tree of
// Size entries holds the leaf LeafHash at Index. Its JSON is
//
//	{"index":N,"size":N,"leaf_hash":"<base64>","proof":["<base64>",...]}
type InclusionProof struct {
	Index    int64
	Size     int64
	LeafHash tlog.Hash
	Proof    tlog.RecordProof
}

// Verify checks p against the root hash of the tree of p.Size entries.
func (p *InclusionProof) Verify(root tlog.Hash) error {
	return CheckInclusion(p.Proof, p.Index, p.Size, p.LeafHash, root)
}

// MarshalJSON returns the canonical JSON of p: the keys in the documented
// order, no spaces, standard padded base64, and [] for an empty proof.
func (p *InclusionProof) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"index":`)
	b.WriteString(strconv.FormatInt(p.Index, 10))
	b.WriteString(`,"size":`)
	b.WriteString(strconv.FormatInt(p.Size, 10))
	b.WriteString(`,"leaf_hash":"`)
	b.WriteString(base64.StdEncoding.EncodeToString(p.LeafHash[:]))
	b.WriteString(`","proof":`)
	writeHashes(&b, p.Proof)
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON decodes p strictly, as [DecodeInclusionProof] does.
func (p *InclusionProof) UnmarshalJSON(data []byte) error {
	q, err := DecodeInclusionProof(data)
	if err != nil {
		return err
	}
	*p = *q
	return nil
}

// DecodeInclusionProof parses the JSON of an inclusion proof strictly: an
// object with exactly the keys index, size, leaf_hash and proof, each once
// and spelled exactly; index and size non-negative decimal integers with
// 0 <= index < size; each hash 32 bytes in standard padded base64; and as
// many proof hashes as the tree shape requires. Whitespace between tokens
// and the order of the keys are free. It does not check the proof itself.
func DecodeInclusionProof(data []byte) (*InclusionProof, error) {
	var p InclusionProof
	var proof []tlog.Hash
	seen, err := decodeObject(data, "inclusion proof", map[string]func(*json.Decoder) error{
		"index":     func(d *json.Decoder) (err error) { p.Index, err = decodeInt(d, "index"); return },
		"size":      func(d *json.Decoder) (err error) { p.Size, err = decodeInt(d, "size"); return },
		"leaf_hash": func(d *json.Decoder) (err error) { p.LeafHash, err = decodeHash(d, "leaf_hash"); return },
		"proof":     func(d *json.Decoder) (err error) { proof, err = decodeHashes(d, "proof"); return },
	})
	if err != nil {
		return nil, err
	}
	if err := missing(seen, "inclusion proof", "index", "size", "leaf_hash", "proof"); err != nil {
		return nil, err
	}
	if p.Index >= p.Size {
		return nil, truce.Errorf(truce.EINVALID, "inclusion proof: index %d is not in a tree of size %d", p.Index, p.Size)
	}
	if want := inclusionProofLen(p.Index, p.Size); len(proof) != want {
		return nil, truce.Errorf(truce.EINVALID, "inclusion proof: proof has %d hashes, want %d for index %d in size %d", len(proof), want, p.Index, p.Size)
	}
	p.Proof = proof
	return &p, nil
}

// ConsistencyProof is the wire form of a consistency proof: that the tree of
// New entries holds the tree of Old entries as a prefix. Its JSON is
//
//	{"old":N,"new":N,"proof":["<base64>",...]}
type ConsistencyProof struct {
	Old   int64
	New   int64
	Proof tlog.TreeProof
}

// Verify checks p against the root hashes of the trees of p.Old and p.New
// entries.
func (p *ConsistencyProof) Verify(oldRoot, newRoot tlog.Hash) error {
	return CheckConsistency(p.Proof, p.Old, p.New, oldRoot, newRoot)
}

// MarshalJSON returns the canonical JSON of p: the keys in the documented
// order, no spaces, standard padded base64, and [] for an empty proof.
func (p *ConsistencyProof) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"old":`)
	b.WriteString(strconv.FormatInt(p.Old, 10))
	b.WriteString(`,"new":`)
	b.WriteString(strconv.FormatInt(p.New, 10))
	b.WriteString(`,"proof":`)
	writeHashes(&b, p.Proof)
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON decodes p strictly, as [DecodeConsistencyProof] does.
func (p *ConsistencyProof) UnmarshalJSON(data []byte) error {
	q, err := DecodeConsistencyProof(data)
	if err != nil {
		return err
	}
	*p = *q
	return nil
}

// DecodeConsistencyProof parses the JSON of a consistency proof strictly:
// an object with exactly the keys old, new and proof, each once and spelled
// exactly; old and new non-negative decimal integers with old <= new; each
// hash 32 bytes in standard padded base64; and as many proof hashes as the
// tree shapes require (none when old is 0 or equals new). Whitespace between
// tokens and the order of the keys are free. It does not check the proof.
func DecodeConsistencyProof(data []byte) (*ConsistencyProof, error) {
	var p ConsistencyProof
	var proof []tlog.Hash
	seen, err := decodeObject(data, "consistency proof", map[string]func(*json.Decoder) error{
		"old":   func(d *json.Decoder) (err error) { p.Old, err = decodeInt(d, "old"); return },
		"new":   func(d *json.Decoder) (err error) { p.New, err = decodeInt(d, "new"); return },
		"proof": func(d *json.Decoder) (err error) { proof, err = decodeHashes(d, "proof"); return },
	})
	if err != nil {
		return nil, err
	}
	if err := missing(seen, "consistency proof", "old", "new", "proof"); err != nil {
		return nil, err
	}
	if p.Old > p.New {
		return nil, truce.Errorf(truce.EINVALID, "consistency proof: old size %d is larger than new size %d", p.Old, p.New)
	}
	if want := consistencyProofLen(p.Old, p.New); len(proof) != want {
		return nil, truce.Errorf(truce.EINVALID, "consistency proof: proof has %d hashes, want %d from %d to %d", len(proof), want, p.Old, p.New)
	}
	p.Proof = proof
	return &p, nil
}

// maxProofHashes bounds the proof arrays a decoder accepts. A tree of at
// most 2⁶³-1 leaves has inclusion proofs of at most 63 hashes and consistency
// proofs of at most 64.
const maxProofHashes = 64

func writeHashes(b *bytes.Buffer, hs []tlog.Hash) {
	b.WriteByte('[')
	for i, h := range hs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(base64.StdEncoding.EncodeToString(h[:]))
		b.WriteByte('"')
	}
	b.WriteByte(']')
}

// decodeObject reads one JSON object from data, calling fields[key] to decode
// each member's value, and rejects unknown and repeated keys and anything
// after the object. It returns the keys seen.
func decodeObject(data []byte, what string, fields map[string]func(*json.Decoder) error) (map[string]bool, error) {
	if !json.Valid(data) {
		return nil, truce.Errorf(truce.EINVALID, "%s: not valid JSON", what)
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		return nil, truce.Errorf(truce.EINVALID, "%s: want a JSON object", what)
	}
	seen := make(map[string]bool, len(fields))
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return nil, truce.Errorf(truce.EINVALID, "%s: %v", what, err)
		}
		key, _ := tok.(string)
		f, ok := fields[key]
		if !ok {
			return nil, truce.Errorf(truce.EINVALID, "%s: unknown field %q", what, key)
		}
		if seen[key] {
			return nil, truce.Errorf(truce.EINVALID, "%s: field %q repeated", what, key)
		}
		seen[key] = true
		if err := f(d); err != nil {
			return nil, truce.Errorf(truce.EINVALID, "%s: %v", what, err)
		}
	}
	if tok, err := d.Token(); err != nil || tok != json.Delim('}') {
		return nil, truce.Errorf(truce.EINVALID, "%s: want the end of the object", what)
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, truce.Errorf(truce.EINVALID, "%s: data after the object", what)
	}
	return seen, nil
}

func missing(seen map[string]bool, what string, keys ...string) error {
	for _, k := range keys {
		if !seen[k] {
			return truce.Errorf(truce.EINVALID, "%s: missing field %q", what, k)
		}
	}
	return nil
}

// decodeInt reads a JSON number that is a non-negative int64 written as
// plain decimal digits (no sign, fraction or exponent).
func decodeInt(d *json.Decoder, key string) (int64, error) {
	tok, err := d.Token()
	if err != nil {
		return 0, err
	}
	num, ok := tok.(json.Number)
	if !ok {
		return 0, fmt.Errorf("%s: want a non-negative integer", key)
	}
	s := string(num)
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%s: %s is not a non-negative integer", key, s)
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %s is out of range", key, s)
	}
	return n, nil
}

func decodeHash(d *json.Decoder, key string) (tlog.Hash, error) {
	tok, err := d.Token()
	if err != nil {
		return tlog.Hash{}, err
	}
	s, ok := tok.(string)
	if !ok {
		return tlog.Hash{}, fmt.Errorf("%s: want a base64 string", key)
	}
	return parseHash(s, key)
}

func decodeHashes(d *json.Decoder, key string) ([]tlog.Hash, error) {
	if tok, err := d.Token(); err != nil || tok != json.Delim('[') {
		return nil, fmt.Errorf("%s: want an array of base64 strings", key)
	}
	hs := []tlog.Hash{}
	for d.More() {
		if len(hs) == maxProofHashes {
			return nil, fmt.Errorf("%s: more than %d hashes", key, maxProofHashes)
		}
		h, err := decodeHash(d, fmt.Sprintf("%s[%d]", key, len(hs)))
		if err != nil {
			return nil, err
		}
		hs = append(hs, h)
	}
	if tok, err := d.Token(); err != nil || tok != json.Delim(']') {
		return nil, fmt.Errorf("%s: want the end of the array", key)
	}
	return hs, nil
}

// parseHash decodes a hash written in canonical standard base64: 44
// characters with padding, decoding to 32 bytes, and re-encoding to the same
// text (which rules out stray newlines and non-zero padding bits).
func parseHash(s, what string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != tlog.HashSize || base64.StdEncoding.EncodeToString(b) != s {
		return h, fmt.Errorf("%s: %.60q is not a 32-byte hash in standard base64", what, s)
	}
	copy(h[:], b)
	return h, nil
}
