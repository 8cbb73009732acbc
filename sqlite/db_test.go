package sqlite_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

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
	if _, err := db.Observation(ctx, "mon", "a"); err != nil {
		t.Fatal(err)
	}
	res, err := db.AddObservations(ctx, mon2, []*truce.Observation{storetest.Obs("b", 37, 48, storetest.T0)})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].LogIndex != 3 { // source, credential, a
		t.Errorf("log index after reopen = %d, want 3", res[0].LogIndex)
	}
}

// TestGroupCommit checks that concurrent writers share transactions (and so
// fsyncs) and that each still gets its own answer.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	defer db.Close()
	const writers, each = 16, 20
	srcs := make([]*truce.Source, writers)
	for w := range srcs {
		srcs[w], _ = storetest.MustSource(t, db, fmt.Sprintf("s%d", w), "sensor")
	}
	before := db.Stats()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				o := storetest.Obs(fmt.Sprintf("w%d-%d", w, i), 37, 48, storetest.T0)
				if i == each-1 {
					o.Kind = "bogus" // fails validation before it reaches the writer
				}
				res, err := db.AddObservations(ctx, srcs[w], []*truce.Observation{o})
				if i == each-1 {
					if truce.ErrorCode(err) != truce.EINVALID {
						t.Errorf("bad observation: %v", err)
					}
					continue
				}
				if err != nil || !res[0].Created {
					t.Errorf("write %d/%d: %v %+v", w, i, err, res)
				}
			}
			// A conflicting write in a shared transaction fails alone.
			o := storetest.Obs(fmt.Sprintf("w%d-0", w), 38, 48, storetest.T0)
			if _, err := db.AddObservations(ctx, srcs[w], []*truce.Observation{o}); truce.ErrorCode(err) != truce.ECONFLICT {
				t.Errorf("conflict: %v", err)
			}
		}()
	}
	wg.Wait()
	st := db.Stats()
	writes, commits := st.Writes-before.Writes, st.Commits-before.Commits
	if want := uint64(writers * each); writes != want {
		t.Errorf("%d writes reached the writer, want %d", writes, want)
	}
	if commits >= writes {
		t.Errorf("%d commits for %d writes: concurrent writers did not share transactions", commits, writes)
	}
	t.Logf("%d writes in %d transactions", writes, commits)
	if n, _ := db.LogSize(ctx); n != int64(2*writers+writers*(each-1)) {
		t.Errorf("log size %d, want %d", n, 2*writers+writers*(each-1))
	}
}

// TestTwoProcesses writes through two stores open on one file, as the CLI
// does while a server runs: each must see the other's appends, so that the
// log stays contiguous and no write fails.
func TestTwoProcesses(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "truce.db")
	a, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	src, _ := storetest.MustSource(t, a, "sensor", "sensor")
	for i := range 10 {
		db := a
		if i%2 == 1 {
			db = b
		}
		res, err := db.AddObservations(ctx, src, []*truce.Observation{storetest.Obs(fmt.Sprintf("o%d", i), 37, 48, storetest.T0)})
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		if want := int64(i + 2); res[0].LogIndex != want {
			t.Errorf("write %d got log index %d, want %d", i, res[0].LogIndex, want)
		}
	}
	if _, err := b.CreateSource(ctx, nil, &truce.Source{Name: "late", Role: truce.RoleMonitor}); err != nil {
		t.Fatal(err)
	}
	entries, err := a.Entries(ctx, 0, 100)
	if err != nil || len(entries) != 14 {
		t.Fatalf("Entries: %d, %v; want 14", len(entries), err)
	}
	for i, e := range entries {
		if e.Index != int64(i) {
			t.Fatalf("entry %d has index %d", i, e.Index)
		}
	}
}

// TestRebuild checks that the query tables are projections of the log:
// rebuilt from the entries alone, every query answers exactly as before.
func TestRebuild(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	defer db.Close()
	mon, token := storetest.MustSource(t, db, "mon", "monitor")
	party, _ := storetest.MustSource(t, db, "ua-liaison", "party:UA")
	ds, _ := storetest.MustSource(t, db, "deepstate", "dataset")
	if _, _, err := db.AddAgreement(ctx, nil, storetest.Agreement("cf", 1)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.AddAgreement(ctx, nil, storetest.Agreement("cf", 2)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.AddControlMap(ctx, ds, storetest.ControlMap("m1", storetest.T0)); err != nil {
		t.Fatal(err)
	}
	var batch []*truce.Observation
	for i := range 2500 {
		batch = append(batch, storetest.Obs(fmt.Sprintf("o-%d", i), 37+float64(i%50)/100, 48, storetest.T0.Add(time.Duration(i%300)*time.Minute)))
	}
	if _, err := db.AddObservations(ctx, mon, batch); err != nil {
		t.Fatal(err)
	}
	fix := storetest.Obs("fix", 37, 48, storetest.T0)
	fix.Supersedes = "o-1"
	if _, err := db.AddObservations(ctx, mon, []*truce.Observation{fix}); err != nil {
		t.Fatal(err)
	}
	alleged, err := db.AddObservations(ctx, party, []*truce.Observation{storetest.Obs("allegation", 38, 47.5, storetest.T0)})
	if err != nil {
		t.Fatal(err)
	}
	// A release (a projection of the log) and a private read (beside it):
	// Rebuild remakes the one and leaves the other alone.
	analyst, _ := storetest.MustSource(t, db, "analyst-1", "analyst")
	if _, _, err := db.AddRelease(ctx, analyst, &truce.Release{ID: "rel-1", Observation: alleged[0].PublicID,
		Groups: []truce.FieldGroup{truce.GroupText}, To: truce.AudienceParty, Party: "RU", Reason: "answers RU"}); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordPrivateReads(ctx, []*truce.PrivateRead{{At: storetest.T0, Audience: "party:RU", Reader: "ru-liaison",
		Observation: alleged[0].PublicID, LogIndex: 1, Groups: []truce.FieldGroup{truce.GroupText}}}); err != nil {
		t.Fatal(err)
	}
	snapshot := func() string {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		srcs, _ := db.Sources(ctx)
		as, _ := db.Agreements(ctx)
		ms, _ := db.ControlMaps(ctx)
		at, _ := db.ControlMapAt(ctx, "deepstate", storetest.T0.Add(time.Hour))
		o, _ := db.Observation(ctx, "mon", "o-1234")
		rs, _ := db.Releases(ctx, nil)
		reads, _ := db.PrivateReads(ctx, nil, "", 0, 0)
		enc.Encode([]any{srcs, as, ms, at, o, rs, reads})
		for _, f := range []truce.ObservationFilter{{}, {Kinds: []truce.Kind{truce.KindArtillery}, BlamedParties: []string{"RU"}}, {BBox: &truce.BBox{West: 37.1, South: 47, East: 37.3, North: 49}}} {
			for f.Limit = 1000; ; {
				page, err := db.FindObservations(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				enc.Encode(page)
				if f.Cursor = page.Next; f.Cursor == "" {
					break
				}
			}
		}
		return b.String()
	}
	before := snapshot()
	size, _ := db.LogSize(ctx)
	n, err := db.Rebuild(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != size {
		t.Errorf("rebuilt from %d entries, the log has %d", n, size)
	}
	if after := snapshot(); after != before {
		t.Errorf("queries answer differently after a rebuild:\nbefore %.400s\nafter  %.400s", before, after)
	}
	if got, err := db.Authenticate(ctx, token); err != nil || got.Name != mon.Name {
		t.Errorf("credentials lost in the rebuild: %v, %v", got, err)
	}
	if s, _ := db.LogSize(ctx); s != size {
		t.Errorf("rebuilding changed the log size from %d to %d", size, s)
	}
	if reads, err := db.PrivateReads(ctx, nil, "", 0, 0); err != nil || len(reads) != 1 {
		t.Errorf("the audit trail after a rebuild: %d reads, %v; want 1", len(reads), err)
	}
	if rs, err := db.Releases(ctx, nil); err != nil || len(rs[alleged[0].PublicID]) != 1 {
		t.Errorf("the releases after a rebuild: %v, %v; want rel-1", rs, err)
	}
}

// TestIDAcrossPolicies checks that an observation is found by its source
// and id whichever form its public id took: the store computes both (the
// sealed one under its key, the open one with no salt), since a role may
// be open under one agreement's policy and sealed under the next. Filed
// again once the policy has changed, each observation conflicts with the
// one stored (its public id, and so its entry, differ) rather than being
// stored twice.
func TestIDAcrossPolicies(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	defer db.Close()
	ds, _ := storetest.MustSource(t, db, "ds", "dataset")
	sen, _ := storetest.MustSource(t, db, "sen", "sensor")
	filed := []struct {
		src *truce.Source
		id  string
	}{{ds, "a"}, {sen, "b"}}
	first := map[string]truce.AddResult{}
	for _, f := range filed {
		res, err := db.AddObservations(ctx, f.src, []*truce.Observation{storetest.Obs(f.id, 37.5, 48.5, storetest.T0)})
		if err != nil {
			t.Fatal(err)
		}
		first[f.id] = res[0]
	}
	// The first agreement's policy replaces the default: sensors open,
	// datasets sealed.
	ag := storetest.Agreement("cf", 1)
	ag.Disclosure = truce.DefaultDisclosure()
	ag.Disclosure.OpenRoles = []truce.Role{truce.RoleSensor}
	if _, _, err := db.AddAgreement(ctx, nil, ag); err != nil {
		t.Fatal(err)
	}
	size, err := db.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range filed {
		_, err := db.AddObservations(ctx, f.src, []*truce.Observation{storetest.Obs(f.id, 37.5, 48.5, storetest.T0)})
		if truce.ErrorCode(err) != truce.ECONFLICT {
			t.Errorf("%s files %s again under the new policy: %v, want %s", f.src.Name, f.id, err, truce.ECONFLICT)
		}
		rec, err := db.Observation(ctx, f.src.Name, f.id)
		if err != nil || rec.LogIndex != first[f.id].LogIndex || rec.PublicID != first[f.id].PublicID {
			t.Errorf("Observation(%s, %s) = %+v, %v; want log index %d, public id %s", f.src.Name, f.id, rec, err, first[f.id].LogIndex, first[f.id].PublicID)
		}
		c := storetest.Obs(f.id+"-fix", 37.5, 48.5, storetest.T0)
		c.Supersedes = f.id
		if _, err := db.AddObservations(ctx, f.src, []*truce.Observation{c}); err != nil {
			t.Errorf("%s corrects %s under the new policy: %v", f.src.Name, f.id, err)
		}
	}
	if n, err := db.LogSize(ctx); err != nil || n != size+2 {
		t.Errorf("log size %d, %v; want %d (the two corrections)", n, err, size+2)
	}
}
