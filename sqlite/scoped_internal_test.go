package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

// TestRekeyObservations checks the step migration 0008 adds to its script:
// rows with no public key are found by source and id, and by public id,
// once rekeyed.
func TestRekeyObservations(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	src := &truce.Source{Name: "mon", Role: truce.RoleMonitor}
	if _, err := db.CreateSource(ctx, nil, src); err != nil {
		t.Fatal(err)
	}
	lon, lat := 37.5, 48.5
	o := &truce.Observation{ID: "a", Kind: truce.KindArtillery, ObservedAt: time.Date(2025, 3, 14, 6, 0, 0, 0, time.UTC),
		TimePrecision: truce.PrecisionMinute, Location: truce.Location{Lon: &lon, Lat: &lat}}
	res, err := db.AddObservations(ctx, src, []*truce.Observation{o})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.w.ExecContext(ctx, `UPDATE observations SET public_key = 0`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Observation(ctx, "mon", "a"); truce.ErrorCode(err) != truce.ENOTFOUND {
		t.Fatalf("before rekeying: %v, want not found (the test damages the keys)", err)
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := rekeyObservations(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if r, err := db.Observation(ctx, "mon", "a"); err != nil || r.LogIndex != res[0].LogIndex {
		t.Errorf("by source and id: %+v, %v", r, err)
	}
	if r, err := db.ObservationByPublicID(ctx, res[0].PublicID); err != nil || r.LogIndex != res[0].LogIndex {
		t.Errorf("by public id: %+v, %v", r, err)
	}
}
