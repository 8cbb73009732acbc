package ledger

import (
	"context"
	"fmt"

	"github.com/truce-monitor/truce"
	"golang.org/x/mod/sumdb/tlog"
)

// HashReader returns a tlog.HashReader over a log store's stored hashes
// (truce.LogService's ReadHashes), reading with ctx.
func HashReader(ctx context.Context, log interface {
	ReadHashes(ctx context.Context, indexes []int64) ([][32]byte, error)
}) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		hs, err := log.ReadHashes(ctx, indexes)
		if err != nil {
			return nil, err
		}
		if len(hs) != len(indexes) {
			return nil, fmt.Errorf("ledger: the store returned %d hashes for %d indexes", len(hs), len(indexes))
		}
		out := make([]tlog.Hash, len(hs))
		for i, h := range hs {
			out[i] = h
		}
		return out, nil
	})
}

// EmptyRoot is the root hash of the empty tree, SHA-256 of no bytes
// (RFC 6962, section 2.1): e3b0c442…b855.
var EmptyRoot = tlog.Hash{
	0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14,
	0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
	0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c,
	0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
}

// LeafHash returns the Merkle leaf hash of e: SHA-256(0x00 || e.Encode()),
// the RFC 6962 leaf hash of the entry's encoding. The entry's Index is not
// part of its encoding; its position in the tree is.
func LeafHash(e *truce.Entry) tlog.Hash {
	return tlog.RecordHash(e.Encode())
}

// HashesToStore returns the hashes that a store must write when it appends
// the entry at index, whose leaf hash is leaf: the leaf hash itself followed
// by the hash of every subtree that the new leaf completes. The i'th returned
// hash belongs at stored-hash position tlog.StoredHashIndex(0, index)+i, and
// the store should write them in the same transaction as the entry, so that
// the stored hashes always describe exactly the entries stored.
//
// HashesToStore reads up to log₂(index) earlier stored hashes from r, which
// must answer for every hash written for entries 0..index-1. It is a thin
// wrapper around tlog.StoredHashesForRecordHash. On average it returns just
// under two hashes per entry.
func HashesToStore(index int64, leaf tlog.Hash, r tlog.HashReader) ([]tlog.Hash, error) {
	if index < 0 {
		return nil, truce.Errorf(truce.EINVALID, "ledger: negative entry index %d", index)
	}
	hs, err := tlog.StoredHashesForRecordHash(index, leaf, r)
	if err != nil {
		return nil, fmt.Errorf("ledger: hashes to store for entry %d: %w", index, err)
	}
	return hs, nil
}

// Root returns the RFC 6962 root hash of the tree of the first size entries,
// reading at most 1+log₂(size) stored hashes from r. The root of the empty
// tree is [EmptyRoot].
func Root(size int64, r tlog.HashReader) (tlog.Hash, error) {
	if size < 0 {
		return tlog.Hash{}, truce.Errorf(truce.EINVALID, "ledger: negative tree size %d", size)
	}
	h, err := tlog.TreeHash(size, r)
	if err != nil {
		return tlog.Hash{}, fmt.Errorf("ledger: root of tree of size %d: %w", size, err)
	}
	return h, nil
}
