package replay_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/adjudicate"
	"github.com/truce-monitor/truce/agreement"
	"github.com/truce-monitor/truce/control"
	"github.com/truce-monitor/truce/importer"
	"github.com/truce-monitor/truce/replay"
	"github.com/truce-monitor/truce/sqlite"
)

// dataDir is the shared real-data folder, relative to this package.
const dataDir = "../../shared/data"

// dataFile is one real data file and the importer format that reads it.
type dataFile struct{ format, path string }

// realFiles returns the files of the 2025 replay: the DeepState snapshots
// whose names match deepstate (a glob over the date, such as "2025*"), then
// the Air Force reports, the VIINA strike reports and the FIRMS fires of
// March and April 2025. It skips the test when the data is absent.
func realFiles(tb testing.TB, deepstate string) []dataFile {
	tb.Helper()
	if _, err := os.Stat(dataDir); err != nil {
		tb.Skipf("real data not present: %v", err)
	}
	maps, err := filepath.Glob(filepath.Join(dataDir, "deepstate", "deepstatemap_data_"+deepstate+".geojson.gz"))
	if err != nil || len(maps) == 0 {
		tb.Fatalf("no DeepState snapshots match %q: %v", deepstate, err)
	}
	var files []dataFile
	for _, m := range maps {
		files = append(files, dataFile{"deepstate", m})
	}
	return append(files,
		dataFile{"airforce", filepath.Join(dataDir, "events", "missile_attacks_piterfm", "missile_attacks_daily_2025-03-01_2025-04-30.csv.gz")},
		dataFile{"viina", filepath.Join(dataDir, "events", "viina_strike_reports", "viina_strike_reports_2025-03-01_2025-04-30.csv.gz")},
		dataFile{"firms", filepath.Join(dataDir, "firms", "fires_2025-03_2025-04.csv.gz")},
	)
}

// realStore imports files, in their order, into a new store, logs the
// agreements and records the advances the control maps show during each
// one's window, as truce import, truce agreement add and truce control
// advances do.
func realStore(tb testing.TB, files []dataFile, agreements ...*truce.Agreement) *sqlite.DB {
	tb.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "real.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	sources := map[string]*truce.Source{}
	for _, df := range files {
		f, err := os.Open(df.path)
		if err != nil {
			tb.Fatal(err)
		}
		res, err := importer.Read(df.format, df.path, f, importer.Options{})
		f.Close()
		if err != nil {
			tb.Fatal(err)
		}
		by := sources[res.Source.Name]
		if by == nil {
			c := *res.Source
			if _, err := store.CreateSource(ctx, nil, &c); err != nil {
				tb.Fatal(err)
			}
			by, sources[c.Name] = &c, &c
		}
		if len(res.Observations) > 0 {
			if _, err := store.AddObservations(ctx, by, res.Observations); err != nil {
				tb.Fatalf("%s: %v", df.path, err)
			}
		}
		for _, m := range res.ControlMaps {
			if _, _, err := store.AddControlMap(ctx, by, m); err != nil {
				tb.Fatalf("%s: %v", df.path, err)
			}
		}
	}
	for _, a := range agreements {
		if _, _, err := store.AddAgreement(ctx, nil, a); err != nil {
			tb.Fatal(err)
		}
	}
	for _, a := range agreements {
		tl := control.NewTimeline(store, a.LineOfContact.ControlMapSource, nil)
		diffs, err := tl.Advances(ctx, a.Window.Start, a.Window.End, control.DefaultMinArea)
		if err != nil {
			tb.Fatal(err)
		}
		if _, _, err := control.RecordAdvances(ctx, store, diffs); err != nil {
			tb.Fatal(err)
		}
	}
	return store
}

func parseAgreement(tb testing.TB, name string) *truce.Agreement {
	tb.Helper()
	a, err := agreement.ParseFile(filepath.Join("..", "examples", name))
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// BenchmarkReplayReal replays the three agreements of 2025 over the real
// data, each over its own window in whole UTC days: 59 DeepState
// snapshots, the Air Force reports, VIINA strike reports and FIRMS fires
// of March and April 2025, with the advances during each window recorded.
// Building the store is not timed.
func BenchmarkReplayReal(b *testing.B) {
	cases := []struct {
		file string
		from time.Time
		days int
	}{
		{"ceasefire-30d-2025.yaml", time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC), 30},
		{"energy-moratorium-2025.yaml", time.Date(2025, 3, 17, 0, 0, 0, 0, time.UTC), 31},
		{"easter-truce-2025.yaml", time.Date(2025, 4, 19, 0, 0, 0, 0, time.UTC), 2},
	}
	var as []*truce.Agreement
	for _, c := range cases {
		as = append(as, parseAgreement(b, c.file))
	}
	store := realStore(b, realFiles(b, "2025*"), as...)
	ctx := context.Background()
	for i, c := range cases {
		b.Run(as[i].ID, func(b *testing.B) {
			opts := replay.Options{Agreement: as[i], From: c.from, Days: c.days}
			for b.Loop() {
				s, err := replay.Run(ctx, store, opts)
				if err != nil {
					b.Fatal(err)
				}
				if s.Total.Findings == 0 {
					b.Fatalf("no findings: %+v", s.Total)
				}
			}
		})
	}
}

// TestRunRealData replays two days of the 30-day ceasefire over the real
// data (the snapshots of 13 to 15 March 2025 and the event files): every
// observation read must be in exactly one incident, one hot spot or the
// skipped list, and the data's kinds must all come through. (The command's
// test, cmd/truce's TestReplayRealDeterministic, checks that two stores
// filed in other orders give the same bytes.)
func TestRunRealData(t *testing.T) {
	if testing.Short() {
		t.Skip("imports real data")
	}
	a := parseAgreement(t, "ceasefire-30d-2025.yaml")
	opts := replay.Options{Agreement: a, From: time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC), Days: 2}
	s1, err := replay.Run(context.Background(), realStore(t, realFiles(t, "2025031[3-5]"), a), opts)
	if err != nil {
		t.Fatal(err)
	}
	if s1.Digest != adjudicate.Digest(s1.Findings) {
		t.Errorf("digest %s is not that of the findings", s1.Digest)
	}

	seen := map[string]string{}
	place := func(id, where string) {
		if seen[id] != "" {
			t.Errorf("observation %s is in %s and in %s", id, seen[id], where)
		}
		seen[id] = where
	}
	for _, inc := range s1.Incidents {
		for _, id := range inc.Observations {
			place(id, "incident "+inc.ID)
		}
	}
	for _, h := range s1.Hotspots {
		for _, id := range h.Observations {
			place(id, "hot spot "+h.ID)
		}
	}
	for _, sk := range s1.Skipped {
		place(sk.Observation, "the skipped list")
	}
	for id := range s1.Observations {
		if seen[id] == "" {
			t.Errorf("observation %s is in no incident, no hot spot and not skipped", id)
		}
	}
	if len(seen) != len(s1.Observations) {
		t.Errorf("%d observations placed, %d read", len(seen), len(s1.Observations))
	}
	tot := s1.Total
	if tot.Observations != len(s1.Observations) || tot.Skipped != len(s1.Skipped) || tot.Incidents != len(s1.Incidents) {
		t.Errorf("total %+v: want %d observations, %d skipped, %d incidents", tot, len(s1.Observations), len(s1.Skipped), len(s1.Incidents))
	}
	// The data holds reports of every kind the importers make and the
	// advances of the maps: the replay must find some of each.
	kinds := map[truce.Kind]int{}
	for _, inc := range s1.Incidents {
		kinds[inc.Kind]++
	}
	// (The Air Force's reports on the whole country or a direction are
	// placed at a representative point with a wide spread, so its drone
	// attacks come through too.)
	for _, k := range []truce.Kind{truce.KindAdvance, truce.KindFire, truce.KindMissileStrike, truce.KindDroneStrike} {
		if kinds[k] == 0 {
			t.Errorf("no %s incident; incidents by kind: %v", k, kinds)
		}
	}
	for _, sk := range s1.Skipped {
		if sk.Reason == "" {
			t.Errorf("observation %s skipped with no reason", sk.Observation)
		}
	}
}
