package sqlite_test

import (
	"context"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/ledger"
)

// TestRebuildWitnesses checks that Rebuild projects witness entries again
// and keeps the cosignatures, which are not entries: after it, the witness
// is still registered and its cosignatures are still served and taken.
func TestRebuildWitnesses(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	defer db.Close()
	skey, _, _ := ledger.GenerateCosignerKey("witness.invalid/ua")
	c, _ := ledger.NewCosigner(skey)
	if _, _, err := db.AddWitness(ctx, nil, &truce.Witness{Name: c.Name(), Key: c.VerifierKey()}); err != nil {
		t.Fatal(err)
	}
	lskey, _, _ := ledger.GenerateKey("truce.invalid/log/t")
	signer, _ := ledger.NewSigner(lskey)
	cosign := func() {
		t.Helper()
		size, _ := db.LogSize(ctx)
		root, err := tlog.TreeHash(size, ledger.HashReader(ctx, db))
		if err != nil {
			t.Fatal(err)
		}
		cp := &ledger.Checkpoint{Origin: signer.Name(), Size: size, Root: root}
		msg, _ := ledger.Sign(cp, signer)
		if err := db.AddCheckpoint(ctx, &truce.SignedCheckpoint{Size: size, Root: root, Note: msg, SignedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		body, _ := cp.Marshal()
		line, _ := c.Cosign(body, time.Now())
		if _, created, err := db.AddCosignature(ctx, size, root, line); err != nil || !created {
			t.Fatalf("AddCosignature: %v, %v", created, err)
		}
	}
	cosign()
	if n, err := db.Rebuild(ctx); err != nil || n != 1 {
		t.Fatalf("Rebuild = %d, %v", n, err)
	}
	ws, err := db.Witnesses(ctx)
	if err != nil || len(ws) != 1 || ws[0].Key != c.VerifierKey() || ws[0].LogIndex != 0 {
		t.Fatalf("Witnesses after Rebuild = %v, %v", ws, err)
	}
	if cp, err := db.LatestCheckpoint(ctx); err != nil || len(cp.Cosignatures) != 1 {
		t.Fatalf("cosignatures after Rebuild: %v, %v", cp, err)
	}
	if _, err := db.CreateSource(ctx, nil, &truce.Source{Name: "mon", Role: truce.RoleMonitor}); err != nil {
		t.Fatal(err)
	}
	cosign()
}
