package ledger_test

import (
	"encoding/binary"
	"sync"
	"testing"

	"github.com/truce-monitor/truce/ledger"
	"golang.org/x/mod/sumdb/tlog"
)

const benchSize = 10_000_000

// synthReader answers any stored-hash index with a deterministic hash made
// from the index, without storage: it times the proof code, not a store.
type synthReader struct{}

func (synthReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		binary.BigEndian.PutUint64(out[i][:], uint64(x))
		out[i][31] = 0x5a
	}
	return out, nil
}

// sliceReader is a real stored-hash table in memory.
type sliceReader []tlog.Hash

func (s sliceReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		out[i] = s[x]
	}
	return out, nil
}

var (
	bigOnce  sync.Once
	bigStore sliceReader
)

// bigTree builds the stored hashes of a real 10,000,000-entry tree (about
// 20M hashes, 640 MB), once per test binary.
func bigTree(b *testing.B) sliceReader {
	bigOnce.Do(func() {
		hs := make(sliceReader, 0, tlog.StoredHashCount(benchSize))
		var leaf tlog.Hash
		for i := int64(0); i < benchSize; i++ {
			binary.BigEndian.PutUint64(leaf[:], uint64(i))
			add, err := ledger.HashesToStore(i, leaf, hs)
			if err != nil {
				panic(err)
			}
			hs = append(hs, add...)
		}
		bigStore = hs
	})
	return bigStore
}

// benchIndex spreads the proven indexes over the whole log.
func benchIndex(i int) int64 {
	return int64(uint64(i) * 2654435761 % benchSize)
}

func BenchmarkProveInclusion(b *testing.B) {
	b.Run("synthetic-10M", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := ledger.ProveInclusion(benchIndex(i), benchSize, synthReader{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stored-10M", func(b *testing.B) {
		r := bigTree(b)
		for i := 0; b.Loop(); i++ {
			if _, err := ledger.ProveInclusion(benchIndex(i), benchSize, r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stored-10M-with-check", func(b *testing.B) {
		r := bigTree(b)
		root, _ := ledger.Root(benchSize, r)
		for i := 0; b.Loop(); i++ {
			x := benchIndex(i)
			p, err := ledger.ProveInclusion(x, benchSize, r)
			if err != nil {
				b.Fatal(err)
			}
			var leaf tlog.Hash
			binary.BigEndian.PutUint64(leaf[:], uint64(x))
			if err := ledger.CheckInclusion(p, x, benchSize, leaf, root); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkProveConsistency(b *testing.B) {
	r := bigTree(b)
	for i := 0; b.Loop(); i++ {
		if _, err := ledger.ProveConsistency(1+benchIndex(i), benchSize, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRoot(b *testing.B) {
	r := bigTree(b)
	for i := 0; b.Loop(); i++ {
		if _, err := ledger.Root(benchSize-int64(i%1000), r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendHashes times HashesToStore for each appended entry of a
// growing log, with the stored hashes kept in memory; one op is one entry.
func BenchmarkAppendHashes(b *testing.B) {
	var hs sliceReader
	var leaf tlog.Hash
	n := int64(0)
	for b.Loop() {
		binary.BigEndian.PutUint64(leaf[:], uint64(n))
		add, err := ledger.HashesToStore(n, leaf, hs)
		if err != nil {
			b.Fatal(err)
		}
		hs = append(hs, add...)
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkLeafHash times encoding and hashing one typical entry.
func BenchmarkLeafHash(b *testing.B) {
	e := testEntry(1)
	for b.Loop() {
		ledger.LeafHash(e)
	}
}
