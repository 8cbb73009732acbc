package replay

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/control"
	"github.com/truce-monitor/truce/importer"
	"github.com/truce-monitor/truce/sqlite"
)

// TestAtlas checks that the atlas picks the maps the timeline picks: the
// map in force at a time (the newer of two with the same AsOf by id),
// outside the prepared window too, and the same pairs of maps to compare.
func TestAtlas(t *testing.T) {
	ctx := context.Background()
	const snapshot = "../control/testdata/deepstatemap_data_20250314.geojson.gz"
	f, err := os.Open(snapshot)
	if err != nil {
		t.Fatal(err)
	}
	res, err := importer.Read("deepstate", snapshot, f, importer.Options{})
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "atlas.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	src := *res.Source
	if _, err := store.CreateSource(ctx, nil, &src); err != nil {
		t.Fatal(err)
	}
	base := res.ControlMaps[0] // as of 2025-03-14T03:00Z
	day := 24 * time.Hour
	// d is logged before c and b, and c and b share an AsOf: c, the
	// greater id, is in force from then.
	for _, m := range []struct {
		id    string
		after time.Duration
	}{{"a", 0}, {"d", 2 * day}, {"c", day}, {"b", day}} {
		cm := *base
		cm.ID, cm.AsOf = m.id, base.AsOf.Add(m.after)
		if _, _, err := store.AddControlMap(ctx, &src, &cm); err != nil {
			t.Fatal(err)
		}
	}
	tl := control.NewTimeline(store, "", nil)
	from := time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)
	a, err := prepare(ctx, tl, from, from.Add(2*day))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range a.window {
		ids = append(ids, r.ID)
	}
	// The window [03-14, 03-16) holds a (from 03:00 on the 14th), and b
	// and c (from the 15th), listed as control.Timeline.Between lists
	// them; d comes into force on the 16th, after it.
	if got := len(a.prepared); got != 3 || len(ids) != 3 || ids[0] != "a" || ids[1] != "b" || ids[2] != "c" {
		t.Errorf("prepared %v (%d maps), want a, b and c", ids, got)
	}
	for _, at := range []time.Time{
		from, base.AsOf.Add(-time.Nanosecond), base.AsOf, base.AsOf.Add(time.Hour),
		base.AsOf.Add(day - time.Nanosecond), base.AsOf.Add(day), base.AsOf.Add(2 * day), base.AsOf.Add(30 * day),
	} {
		want, wantErr := tl.At(ctx, at)
		got, gotErr := a.at(ctx, at)
		switch {
		case wantErr != nil || gotErr != nil:
			if truce.ErrorCode(wantErr) != truce.ErrorCode(gotErr) || gotErr == nil {
				t.Errorf("at %s: error %v, want %v", at, gotErr, wantErr)
			}
		case got.ID != want.ID:
			t.Errorf("at %s: map %s, want %s", at, got.ID, want.ID)
		}
	}
	for _, w := range [][2]time.Time{{from, from.Add(3 * day)}, {base.AsOf.Add(day), base.AsOf.Add(day)}, {from, from.Add(time.Hour)}} {
		want, err := tl.Advances(ctx, w[0], w[1], control.DefaultMinArea)
		if err != nil {
			t.Fatal(err)
		}
		got, err := a.advances(ctx, w[0], w[1], control.DefaultMinArea)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Errorf("advances %s to %s: %d diffs, want %d", w[0], w[1], len(got), len(want))
			continue
		}
		for i := range got {
			if got[i].From.ID != want[i].From.ID || got[i].To.ID != want[i].To.ID {
				t.Errorf("advances %s to %s: diff %d is %s → %s, want %s → %s", w[0], w[1], i,
					got[i].From.ID, got[i].To.ID, want[i].From.ID, want[i].To.ID)
			}
		}
	}
}
