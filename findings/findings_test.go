package findings_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/agreement"
	"github.com/truce-monitor/truce/control"
	"github.com/truce-monitor/truce/findings"
	"github.com/truce-monitor/truce/importer"
	"github.com/truce-monitor/truce/simulate"
	"github.com/truce-monitor/truce/sqlite"
	"github.com/truce-monitor/truce/storetest"
)

const snapshot = "../control/testdata/deepstatemap_data_20250314.geojson.gz"

var (
	ctx  = context.Background()
	day0 = time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)
	now  = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
)

// newStore returns a store holding the test agreement, the DeepState
// snapshot and the simulated scenario of seed over two days.
func newStore(t *testing.T, seed int64) *sqlite.DB {
	t.Helper()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "findings.db"))
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
	a, err := agreement.ParseFile("testdata/agreement.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.AddAgreement(ctx, nil, a); err != nil {
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
	m, err := control.New(res.ControlMaps[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := simulate.DefaultConfig(seed)
	cfg.From, cfg.Days = day0, 2
	sc, err := simulate.Generate(cfg, m)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string][]*truce.Observation{}
	for _, o := range sc.Observations {
		by[o.Source] = append(by[o.Source], o)
	}
	for _, s := range sc.Sources {
		src := register(s.Registration())
		if len(by[s.Name]) > 0 {
			if _, err := store.AddObservations(ctx, src, by[s.Name]); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, cm := range append(res.ControlMaps, sc.ControlMaps...) {
		if _, _, err := store.AddControlMap(ctx, ds, cm); err != nil {
			t.Fatal(err)
		}
	}
	register(&truce.Source{Name: "second-team", Role: truce.RoleMonitor})
	return store
}

// versions lists series and content ids of vs.
func versions(vs []*truce.FindingVersion) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Series+" "+v.ContentID)
	}
	return out
}

func recomputeAll(t *testing.T, store findings.Store) *findings.Result {
	t.Helper()
	rs, err := findings.RecomputeAll(ctx, store, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 {
		t.Fatalf("%d results, want 1 (one agreement)", len(rs))
	}
	return rs[0]
}

// TestRecomputeDeterministic checks that two stores holding the same log
// get the same series and versions, and that recomputing records nothing
// new.
func TestRecomputeDeterministic(t *testing.T) {
	s1, s2 := newStore(t, 4), newStore(t, 4)
	r1, r2 := recomputeAll(t, s1), recomputeAll(t, s2)
	if r1.Findings == 0 || r1.Added != r1.Findings || r1.Withdrawn != 0 {
		t.Fatalf("first recompute: %+v", r1)
	}
	if !slices.Equal(versions(r1.Versions), versions(r2.Versions)) {
		t.Errorf("two stores with one log record different versions")
	}
	for _, v := range r1.Versions {
		if v.Version != 1 || v.Anchor != v.Observations[0] || v.Finding.LogSize != r1.LogSize || v.Series != findings.SeriesID(v.Agreement, v.AgreementVersion, v.Anchor) {
			t.Errorf("version %+v", v)
		}
	}
	again := recomputeAll(t, s1)
	if again.Added != 0 || again.Withdrawn != 0 || again.Unchanged != r1.Findings {
		t.Errorf("recompute of the same log: %+v", again)
	}
}

// twin files, by the second team, the report of the first violation's
// anchor observation that a monitor made, and returns that version and the
// twin's public id.
func twin(t *testing.T, store *sqlite.DB, vs []*truce.FindingVersion) (*truce.FindingVersion, string) {
	t.Helper()
	for _, v := range vs {
		if v.Finding == nil || !v.Finding.Violation {
			continue
		}
		rec, err := storetest.Named(ctx, store, v.Anchor)
		if err != nil {
			t.Fatal(err)
		}
		if rec.SourceRole != truce.RoleMonitor {
			continue
		}
		o := *rec.Observation
		o.ID, o.Source, o.SourceRole, o.SourceParty, o.Signature, o.Supersedes = "twin-"+v.Anchor, "", "", "", "", ""
		team, err := store.Source(ctx, "second-team")
		if err != nil {
			t.Fatal(err)
		}
		res, err := store.AddObservations(ctx, team, []*truce.Observation{&o})
		if err != nil {
			t.Fatal(err)
		}
		return v, res[0].PublicID
	}
	t.Fatal("no violation on a monitor's report")
	return nil, ""
}

// TestRecomputePrefix checks that a recomputation reads the log prefix it
// is given, whatever was logged after, and that an observation joining an
// incident gives its series a new version.
func TestRecomputePrefix(t *testing.T) {
	store := newStore(t, 4)
	first := recomputeAll(t, store)
	rec, err := store.Agreement(ctx, "findings-test")
	if err != nil {
		t.Fatal(err)
	}
	v, twinID := twin(t, store, first.Versions)
	r, err := findings.Recompute(ctx, store, rec.Agreement, first.LogSize, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Added != 0 || r.Withdrawn != 0 || r.Unchanged != first.Findings {
		t.Errorf("recompute of the old prefix saw the new observation: %+v", r)
	}
	next := recomputeAll(t, store)
	i := slices.IndexFunc(next.Versions, func(x *truce.FindingVersion) bool { return x.Series == v.Series })
	if i < 0 {
		t.Fatalf("the twin gave series %s no new version: %+v", v.Series, next)
	}
	nv := next.Versions[i]
	if nv.Version != 2 || nv.Anchor != v.Anchor || !slices.Contains(nv.Observations, twinID) || nv.Finding.ID == v.Finding.ID {
		t.Errorf("new version %+v", nv)
	}
	// A run of the old prefix now comes too late.
	if _, err := findings.Recompute(ctx, store, rec.Agreement, first.LogSize, now, nil); truce.ErrorCode(err) != truce.ECONFLICT {
		t.Errorf("recompute of an older prefix: %v, want a conflict", err)
	}
}

// TestWorker checks that the worker recomputes at start and again after
// an observation arrives.
func TestWorker(t *testing.T) {
	store := newStore(t, 4)
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	w := &findings.Worker{Store: store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Poll: 5 * time.Millisecond, Debounce: 10 * time.Millisecond, Now: func() time.Time { return now }}
	go func() { defer close(done); w.Run(wctx) }()
	defer func() { cancel(); <-done }()

	// wait polls cond until it holds; the limit only bounds a hung test.
	wait := func(what string, cond func() bool) {
		t.Helper()
		for limit := time.Now().Add(2 * time.Minute); !cond(); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(limit) {
				t.Fatalf("gave up waiting for %s", what)
			}
		}
	}
	var page *truce.FindingPage
	wait("the first findings", func() bool {
		var err error
		page, err = store.Findings(ctx, truce.FindingFilter{Limit: truce.MaxPageSize})
		return err == nil && len(page.Findings) > 0
	})
	v, _ := twin(t, store, page.Findings)
	wait("a new version", func() bool {
		h, err := store.Finding(ctx, v.Series)
		return err == nil && h.Current.Version == 2
	})
}

// TestRecomputeAllPartial checks that an agreement that cannot be
// adjudicated (no control map is as old as its line of contact) fails
// alone.
func TestRecomputeAllPartial(t *testing.T) {
	store := newStore(t, 4)
	a, err := agreement.ParseFile("testdata/agreement-nomap.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.AddAgreement(ctx, nil, a); err != nil {
		t.Fatal(err)
	}
	rs, err := findings.RecomputeAll(ctx, store, now, nil)
	if err == nil || !strings.Contains(err.Error(), "findings-nomap") {
		t.Errorf("err = %v, want the failure of findings-nomap", err)
	}
	if len(rs) != 1 || rs[0].Agreement != "findings-test" || rs[0].Added == 0 {
		t.Errorf("results %+v, want findings-test's (err %v)", rs, err)
	}
}
