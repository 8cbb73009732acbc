package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/sqlite"
	"github.com/truce-monitor/truce/storetest"
)

func open(t testing.TB) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "truce.db"))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) truce.Store { return open(t) })
}

// TestReopen checks that what was acknowledged is there after a reopen and
// that the log continues where it stopped.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "truce.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	mon, token := storetest.MustSource(t, db, "mon", "monitor")
	if _, err := db.AddObservations(ctx, mon, []*truce.Observation{storetest.Obs("a", 37, 48, storetest.T0)}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddObservations(ctx, mon, []*truce.Observation{storetest.Obs("late", 37, 48, storetest.T0)}); truce.ErrorCode(err) != truce.EUNAVAILABLE {
		t.Errorf("write after Close: %v, want unavailable", err)
	}
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mon2, err := db.Authenticate(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Observation(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	res, err := db.AddObservations(ctx, mon2, []*truce.Observation{storetest.Obs("b", 37, 48, storetest.T0)})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].LogIndex != 2 {
		t.Errorf("log index after reopen = %d, want 2", res[0].LogIndex)
	}
}
