package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/sqlite"
	"github.com/truce-monitor/truce/storetest"
)

// TestRestore restores a store from its log and the private parts one
// reader holds: with every part, the observations read back as filed;
// without the text, as filed but for it; without an observation's
// position, that observation is left out and named by its commitments;
// and a sealed source whose name is not held is known by its public name.
func TestRestore(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	defer db.Close()
	mon, _ := storetest.MustSource(t, db, "restore-team-1", "monitor")
	var obs []*truce.Observation
	for i, id := range []string{"r-0", "r-1", "r-2"} {
		o := storetest.Obs(id, 37.5+float64(i)/10, 48.1, storetest.T0)
		obs = append(obs, o)
	}
	res, err := db.AddObservations(ctx, mon, obs)
	if err != nil {
		t.Fatal(err)
	}
	size, err := db.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := db.Entries(ctx, 0, size)
	if err != nil {
		t.Fatal(err)
	}
	var indexes []int64
	for _, r := range res {
		indexes = append(indexes, r.LogIndex)
	}
	parts, err := db.PrivateParts(ctx, indexes)
	if err != nil {
		t.Fatal(err)
	}
	all := func(t *testing.T) *truce.ObservationPage {
		t.Helper()
		page, err := db.FindObservations(ctx, truce.ObservationFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return page
	}
	want := all(t)

	tests := []struct {
		name     string
		drop     map[int64][]truce.FieldGroup // groups withheld, by index
		withheld []int64
	}{
		{"every part", nil, nil},
		{"no text", map[int64][]truce.FieldGroup{indexes[0]: {truce.GroupText}, indexes[1]: {truce.GroupText}, indexes[2]: {truce.GroupText}}, nil},
		{"one position withheld", map[int64][]truce.FieldGroup{indexes[1]: {truce.GroupText, truce.GroupSource}}, []int64{indexes[1]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			held := map[int64]truce.PrivateParts{}
			for i, pp := range parts {
				c := truce.PrivateParts{}
				for g, s := range pp {
					c[g] = s
				}
				for _, g := range tt.drop[i] {
					delete(c, g)
				}
				held[i] = c
			}
			r, rr, err := sqlite.Restore(ctx, filepath.Join(t.TempDir(), "restored.db"), entries, held)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if rr.Entries != size || len(rr.Skipped) != 0 || len(rr.Withheld) != len(tt.withheld) {
				t.Fatalf("restored %+v, want %d entries, withheld %v", rr, size, tt.withheld)
			}
			for k, w := range rr.Withheld {
				if w.LogIndex != tt.withheld[k] || w.Commitments[truce.GroupSource] == "" || w.Commitments[truce.GroupText] != "" {
					t.Errorf("withheld %+v: want entry %d, by its source commitment, not the text (no input)", w, tt.withheld[k])
				}
			}
			page, err := r.FindObservations(ctx, truce.ObservationFilter{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			var kept []*truce.ObservationRecord
			for _, rec := range want.Observations {
				if len(tt.withheld) == 0 || rec.LogIndex != tt.withheld[0] {
					kept = append(kept, rec)
				}
			}
			if len(page.Observations) != len(kept) {
				t.Fatalf("%d observations restored, want %d", len(page.Observations), len(kept))
			}
			for k, got := range page.Observations {
				w := *kept[k].Observation
				if len(tt.drop[got.LogIndex]) > 0 {
					w.Text, w.Lang = "", ""
				}
				gb, _ := got.Observation.Canonical()
				wb, _ := w.Canonical()
				if string(gb) != string(wb) || got.PublicID != kept[k].PublicID || got.LogIndex != kept[k].LogIndex {
					t.Errorf("observation %d restored as\n %s\nwant\n %s", got.LogIndex, gb, wb)
				}
			}
			// The source's name is not in any bundle: it is known by
			// its public name.
			srcs, err := r.Sources(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range srcs {
				if s.Name == "restore-team-1" {
					t.Errorf("the restored store names the sealed source: %+v", s)
				}
			}
		})
	}
	// A reader shown the source's identity (its entry's part) knows it
	// by name.
	idents, err := db.SourceParts(ctx, []int64{0, 1, 2})
	if err != nil || len(idents) != 1 {
		t.Fatalf("source parts %v, %v: want the team's", idents, err)
	}
	held := map[int64]truce.PrivateParts{}
	for i, pp := range parts {
		held[i] = pp
	}
	for i, g := range idents {
		held[i] = truce.PrivateParts{truce.GroupSource: g}
	}
	r, _, err := sqlite.Restore(ctx, filepath.Join(t.TempDir(), "named.db"), entries, held)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if s, err := r.Source(ctx, "restore-team-1"); err != nil || s.PublicName == s.Name {
		t.Errorf("shown its identity, the restored store has source %+v, %v", s, err)
	}
	// A store is restored into a new file only.
	if _, _, err := sqlite.Restore(ctx, db.Path(), entries, parts); err == nil {
		t.Error("restored into a store that holds a log")
	}
}
