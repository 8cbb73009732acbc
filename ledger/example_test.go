package ledger_test

import (
	"fmt"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/ledger"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// hashTable is the simplest store of stored hashes: a slice in
// tlog.StoredHashIndex order.
type hashTable []tlog.Hash

func (h hashTable) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		out[i] = h[x]
	}
	return out, nil
}

// A store appends entries with their stored hashes, then publishes a signed
// checkpoint, and a client checks that an entry is in the log.
func Example() {
	var hashes hashTable
	for i, kind := range []string{"artillery", "drone_strike", "mlrs"} {
		e := &truce.Entry{
			Index: int64(i), Type: truce.EntryObservation, Submitter: "osce-team-3",
			Time: time.Date(2025, 3, 14, 6, i, 0, 0, time.UTC),
			Data: fmt.Appendf(nil, `{"id":"obs-%d","kind":%q}`, i, kind),
		}
		// In the same transaction as the entry:
		add, err := ledger.HashesToStore(e.Index, ledger.LeafHash(e), hashes)
		if err != nil {
			panic(err)
		}
		hashes = append(hashes, add...)
	}

	root, _ := ledger.Root(3, hashes)
	skey, vkey, _ := ledger.GenerateKey("truce.example/log")
	signer, _ := ledger.NewSigner(skey)
	signed, _ := ledger.Sign(&ledger.Checkpoint{Origin: "truce.example/log", Size: 3, Root: root}, signer)

	// A client pins vkey, opens the checkpoint, and checks entry 1.
	v, _ := ledger.NewVerifier(vkey)
	cp, _, err := ledger.Open(signed, note.VerifierList(v))
	if err != nil {
		panic(err)
	}
	p, _ := ledger.ProveInclusion(1, cp.Size, hashes)
	leaf := hashes[tlog.StoredHashIndex(0, 1)]
	fmt.Println(cp.Size, len(p), ledger.CheckInclusion(p, 1, cp.Size, leaf, cp.Root))
	// Output: 3 2 <nil>
}
