// Package ledger is truce's verifiable log: RFC 6962 Merkle-tree hashing of
// log entries, the stored hashes that let a store compute any tree root or
// proof without rereading entries, inclusion and consistency proofs and their
// JSON wire form, C2SP tlog-checkpoint bodies signed as C2SP signed notes with
// Ed25519, and C2SP tlog-cosignature/v1 witness cosignatures.
//
// The package is a pure library in the style of golang.org/x/mod/sumdb/tlog,
// which it builds on: it holds no state and does no I/O. Storage is supplied by
// the caller as a [tlog.HashReader]. A store that appends entry i computes
// [LeafHash] of the entry, asks [HashesToStore] for the hashes to write, and
// writes them at tlog.StoredHashIndex(0, i) onwards in the same transaction as
// the entry; [Root], [ProveInclusion] and [ProveConsistency] then read only
// O(log n) stored hashes.
//
// The byte-for-byte formats are described in docs/log-format.md, which is
// enough to write an independent verifier.
//
// Imports: the standard library, golang.org/x/mod/sumdb/tlog and note, and the
// root package truce for [truce.Entry] and [truce.Error]. Errors about bad
// input carry the code truce.EINVALID; errors from a HashReader are wrapped
// and passed through.
package ledger
