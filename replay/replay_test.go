package replay_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/adjudicate"
	"github.com/truce-monitor/truce/agreement"
	"github.com/truce-monitor/truce/control"
	"github.com/truce-monitor/truce/importer"
	"github.com/truce-monitor/truce/replay"
	"github.com/truce-monitor/truce/simulate"
	"github.com/truce-monitor/truce/sqlite"
)

const snapshot = "../control/testdata/deepstatemap_data_20250314.geojson.gz"

var day0 = time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)

// newStore returns a store holding the DeepState snapshot and, when days
// is more than 0, the simulated scenario of seed over days days.
// newStore files a simulated scenario of days days (none for 0) with its
// control maps; observations of kind skip, if not empty, are left out.
func newStore(t *testing.T, seed int64, days int, skip truce.Kind) *sqlite.DB {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "replay.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	// One sealing key for every store: public ids, by which incidents
	// and findings name observations, are a function of the key, so two
	// stores filed alike hold the same log only under the same key.
	if err := store.SetSealingKey(ctx, []byte("replay and findings tests' key!!")); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(snapshot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := importer.Read("deepstate", snapshot, f, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	register := func(s *truce.Source) *truce.Source {
		c := *s
		if _, err := store.CreateSource(ctx, nil, &c); err != nil {
			t.Fatal(err)
		}
		return &c
	}
	ds := register(res.Source)
	maps := res.ControlMaps
	if days > 0 {
		m, err := control.New(res.ControlMaps[0], nil)
		if err != nil {
			t.Fatal(err)
		}
		cfg := simulate.DefaultConfig(seed)
		cfg.From, cfg.Days = day0, days
		sc, err := simulate.Generate(cfg, m)
		if err != nil {
			t.Fatal(err)
		}
		maps = append(maps, sc.ControlMaps...)
		by := map[string][]*truce.Observation{}
		for _, o := range sc.Observations {
			if o.Kind != skip {
				by[o.Source] = append(by[o.Source], o)
			}
		}
		for _, s := range sc.Sources {
			src := register(s.Registration())
			if len(by[s.Name]) > 0 {
				if _, err := store.AddObservations(ctx, src, by[s.Name]); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for _, cm := range maps {
		if _, _, err := store.AddControlMap(ctx, ds, cm); err != nil {
			t.Fatal(err)
		}
	}
	return store
}

func testAgreement(t *testing.T) *truce.Agreement {
	t.Helper()
	a, err := agreement.ParseFile("testdata/agreement.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func encode(t *testing.T, s *replay.Summary) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRunDeterministic(t *testing.T) {
	ctx := context.Background()
	a := testAgreement(t)
	opts := replay.Options{Agreement: a, From: day0, Days: 3}
	s1, err := replay.Run(ctx, newStore(t, 5, 3, ""), opts)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := replay.Run(ctx, newStore(t, 5, 3, ""), opts)
	if err != nil {
		t.Fatal(err)
	}
	if e1, e2 := encode(t, s1), encode(t, s2); e1 != e2 {
		t.Errorf("two stores with the same scenario give different summaries:\n%s\n%s", e1, e2)
	}
	if s1.Digest != adjudicate.Digest(s1.Findings) || s1.Digest != s2.Digest {
		t.Errorf("digests %s, %s", s1.Digest, s2.Digest)
	}
	if len(s1.PerDay) != 3 || s1.PerDay[2].Day != "2025-03-16" || s1.Total.Day != "total" {
		t.Fatalf("days: %+v", s1.PerDay)
	}
	if len(s1.Findings) != len(s1.Incidents) || s1.Total.Findings != len(s1.Findings) || s1.Total.Incidents == 0 {
		t.Errorf("%d findings, %d incidents, total %+v", len(s1.Findings), len(s1.Incidents), s1.Total)
	}
	var obs, viol, cov int
	for _, d := range s1.PerDay {
		obs += d.Observations
		viol += d.Violations
		cov += d.Covered
		var byConf int
		for _, n := range d.ByConfidence {
			byConf += n
		}
		if byConf != d.Violations {
			t.Errorf("%s: %d violations, %d by confidence", d.Day, d.Violations, byConf)
		}
	}
	if obs != s1.Total.Observations || obs != len(s1.Observations) || viol != s1.Total.Violations || cov != s1.Total.Covered {
		t.Errorf("days sum to %d observations, %d violations, %d covered; total %+v", obs, viol, cov, s1.Total)
	}
	if s1.Sectors == 0 || s1.Total.Covered == 0 {
		t.Errorf("coverage: %d sectors, %d covered", s1.Sectors, s1.Total.Covered)
	}
}

// TestRunWindow checks that only the window's observations are read and
// that an empty window gives an empty summary.
// TestAdvancesFromMaps files a scenario whose control maps show ground
// taken but no observation of an advance: the replay derives the advances
// from the maps itself, so rule R3 finds them.
func TestAdvancesFromMaps(t *testing.T) {
	ctx := context.Background()
	store := newStore(t, 3, 4, truce.KindAdvance)
	s, err := replay.Run(ctx, store, replay.Options{Agreement: testAgreement(t), From: day0, Days: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Total.Control) == 0 {
		t.Fatal("the scenario's maps show no ground taken")
	}
	if s.Total.ByRule["R3"] == 0 {
		t.Errorf("no R3 finding; rules %v", s.Total.ByRule)
	}
	again, err := replay.Run(ctx, store, replay.Options{Agreement: testAgreement(t), From: day0, Days: 4})
	if err != nil {
		t.Fatal(err)
	}
	if again.Digest != s.Digest {
		t.Errorf("digest %s, then %s", s.Digest, again.Digest)
	}
}

func TestRunWindow(t *testing.T) {
	ctx := context.Background()
	a := testAgreement(t)
	store := newStore(t, 5, 3, "")
	s, err := replay.Run(ctx, store, replay.Options{Agreement: a, From: day0.AddDate(0, 0, 1), Days: 1})
	if err != nil {
		t.Fatal(err)
	}
	for id, o := range s.Observations {
		if d := o.ObservedAt.UTC().Format(time.DateOnly); d != "2025-03-15" {
			t.Errorf("observation %s of %s read for 2025-03-15", id, d)
		}
	}
	empty, err := replay.Run(ctx, store, replay.Options{Agreement: a, From: day0.AddDate(0, 0, 10), Days: 2})
	if err != nil {
		t.Fatal(err)
	}
	if empty.Total.Observations != 0 || empty.Total.Findings != 0 || empty.Digest != adjudicate.Digest(nil) {
		t.Errorf("empty window: %+v, digest %s", empty.Total, empty.Digest)
	}
}

// TestRunPublicIDs checks that the pipeline takes observations in their
// derived form: incidents list them by public id (an advance the control
// maps show, logged by nobody, by its own id), and no incident or finding
// holds a source's own id or name.
func TestRunPublicIDs(t *testing.T) {
	ctx := context.Background()
	store := newStore(t, 5, 3, "")
	s, err := replay.Run(ctx, store, replay.Options{Agreement: testAgreement(t), From: day0, Days: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Incidents) == 0 {
		t.Fatal("no incidents")
	}
	var own, names []string
	for pid, o := range s.Observations {
		if o.ID != pid {
			t.Errorf("observation %s is keyed %s", o.ID, pid)
		}
		if _, derived := s.Derived[pid]; derived {
			continue
		}
		if !truce.IsPublicID(pid) || s.Filed[pid] == "" || s.Filed[pid] == pid {
			t.Errorf("observation %s (filed as %q) is not named by a public id", pid, s.Filed[pid])
		}
		own, names = append(own, `"`+s.Filed[pid]+`"`), append(names, o.Source)
	}
	b, err := json.Marshal(struct {
		I []*truce.Incident
		F []*truce.Finding
	}{s.Incidents, s.Findings})
	if err != nil {
		t.Fatal(err)
	}
	for _, inc := range s.Incidents {
		for _, id := range inc.Observations {
			if _, derived := s.Derived[id]; !derived && !truce.IsPublicID(id) {
				t.Errorf("incident %s lists observation %s, not by its public id", inc.ID, id)
			}
		}
	}
	for _, id := range own {
		if strings.Contains(string(b), id) {
			t.Errorf("incidents or findings hold the source's own id %s", id)
		}
	}
	for _, name := range names {
		// A control map's id starts with its source's name, and maps
		// are public.
		if strings.Contains(strings.ReplaceAll(string(b), name+"-2025", ""), name) {
			t.Errorf("incidents or findings name source %s", name)
		}
	}
}

func TestRunErrors(t *testing.T) {
	ctx := context.Background()
	store := newStore(t, 0, 0, "")
	a := testAgreement(t)
	for _, c := range []struct {
		name string
		opts replay.Options
	}{
		{"no agreement", replay.Options{From: day0, Days: 1}},
		{"no days", replay.Options{Agreement: a, From: day0}},
		{"negative days", replay.Options{Agreement: a, From: day0, Days: -2}},
	} {
		if _, err := replay.Run(ctx, store, c.opts); truce.ErrorCode(err) != truce.EINVALID {
			t.Errorf("%s: %v, want EINVALID", c.name, err)
		}
	}
	// The agreement's line is the map in force at its start: a window
	// before any map cannot be judged.
	early := *a
	early.Window.Start = day0.Add(-48 * time.Hour)
	if _, err := replay.Run(ctx, store, replay.Options{Agreement: &early, From: day0, Days: 1}); err == nil {
		t.Error("an agreement whose line has no map: no error")
	}
}
