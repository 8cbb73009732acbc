package sqlite_test

import (
	"context"
	"crypto/ed25519"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/storetest"
)

// TestRebuildSourceKeys checks that the keys in force are projections of
// the log like the rest: after Rebuild, each source has the same key, and
// the store takes and refuses the same signatures.
func TestRebuildSourceKeys(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	defer db.Close()
	signer, _, k1 := storetest.MustSignedSource(t, db, "signer", "monitor")
	plain, _ := storetest.MustSource(t, db, "plain", "sensor")
	k2 := storetest.Key("signer-2")
	if _, err := db.AddObservations(ctx, signer, storetest.Signed(t, k1, "a", "b")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.SetSourceKey(ctx, nil, "signer", truce.FormatPublicKey(k2.Public().(ed25519.PublicKey))); err != nil {
		t.Fatal(err)
	}
	before, err := db.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	after, err := db.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Fatalf("%d sources after Rebuild, %d before", len(after), len(before))
	}
	for i := range before {
		if *after[i] != *before[i] {
			t.Errorf("after Rebuild %+v, before %+v", after[i], before[i])
		}
	}
	if _, err := db.AddObservations(ctx, signer, storetest.Signed(t, k1, "c")); truce.ErrorCode(err) != truce.EFORBIDDEN {
		t.Errorf("the replaced key after Rebuild: %v, want forbidden", err)
	}
	if _, err := db.AddObservations(ctx, signer, storetest.Signed(t, k2, "d")); err != nil {
		t.Errorf("the key in force after Rebuild: %v", err)
	}
	if _, err := db.AddObservations(ctx, plain, []*truce.Observation{storetest.Obs("e", 37, 48, storetest.T0)}); err != nil {
		t.Errorf("a source without a key after Rebuild: %v", err)
	}
}
