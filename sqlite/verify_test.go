package sqlite

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/ledger"
	"github.com/truce-monitor/truce/storetest"
)

// fixture is a store built for verification tests, closed, with what a
// verifier holds outside it.
type fixture struct {
	path string   // the store file
	vkey string   // the log's verifier key
	held [][]byte // every checkpoint signed, with its cosignatures
	size int64
}

var (
	fixtureOnce sync.Once
	fixtureVal  *fixture
	fixtureErr  error
)

// sharedFixture builds, once per test binary, a store of n of each kind of
// input (see buildStore).
func sharedFixture(t testing.TB) *fixture {
	t.Helper()
	fixtureOnce.Do(func() {
		dir, err := os.MkdirTemp("", "truce-verify-fixture-")
		if err != nil {
			fixtureErr = err
			return
		}
		fixtureVal, fixtureErr = buildStore(context.Background(), filepath.Join(dir, "truce.db"), 150)
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureVal
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureVal != nil {
		os.RemoveAll(filepath.Dir(fixtureVal.path))
	}
	os.Exit(code)
}

// buildStore makes a store at path through the store's API: n sources
// (with credentials, some reissued, a few with public keys that sign their
// observations and one whose key is replaced), n agreement versions, 2n
// observations of which a tenth supersede earlier ones, n control maps and
// three witnesses; it signs a checkpoint after each kind, has every
// witness cosign it, and signs a last one of the whole log.
func buildStore(ctx context.Context, path string, n int) (*fixture, error) {
	db, err := Open(ctx, path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	clock := time.Date(2025, 3, 20, 0, 0, 0, 0, time.UTC) // after every observation: none is dated in the log's future
	var mu sync.Mutex
	db.Now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(1500 * time.Microsecond)
		return clock
	}
	skey, vkey, err := ledger.GenerateKey("truce.invalid/log/verify-test")
	if err != nil {
		return nil, err
	}
	signer, err := ledger.NewSigner(skey)
	if err != nil {
		return nil, err
	}
	var cosigners []*ledger.Cosigner
	for _, name := range []string{"witness.invalid/ua", "witness.invalid/ru", "witness.invalid/osce"} {
		wkey, _, err := ledger.GenerateCosignerKey(name)
		if err != nil {
			return nil, err
		}
		c, err := ledger.NewCosigner(wkey)
		if err != nil {
			return nil, err
		}
		if _, _, err := db.AddWitness(ctx, nil, &truce.Witness{Name: c.Name(), Key: c.VerifierKey()}); err != nil {
			return nil, err
		}
		cosigners = append(cosigners, c)
	}
	sign := func() error {
		size, err := db.LogSize(ctx)
		if err != nil {
			return err
		}
		root, err := ledger.Root(size, ledger.HashReader(ctx, db))
		if err != nil {
			return err
		}
		cp := &ledger.Checkpoint{Origin: signer.Name(), Size: size, Root: root}
		msg, err := ledger.Sign(cp, signer)
		if err != nil {
			return err
		}
		if err := db.AddCheckpoint(ctx, &truce.SignedCheckpoint{Size: size, Root: root, Note: msg, SignedAt: clock}); err != nil {
			return err
		}
		body, _ := cp.Marshal()
		for _, c := range cosigners {
			line, err := c.Cosign(body, clock.Add(time.Minute))
			if err != nil {
				return err
			}
			if _, _, err := db.AddCosignature(ctx, size, root, line); err != nil {
				return err
			}
		}
		return nil
	}

	// Sources: monitors, a few of which sign with keys, a dataset and
	// a party.
	r := rand.New(rand.NewPCG(1, 2))
	var monitors []*truce.Source
	keys := map[string]ed25519.PrivateKey{}
	for i := range n - 2 {
		s := &truce.Source{Name: fmt.Sprintf("mon-%03d", i), Role: truce.RoleMonitor, Description: "team " + fmt.Sprint(i)}
		if i%40 == 0 {
			pub, priv, _ := ed25519.GenerateKey(nil)
			s.PublicKey = truce.FormatPublicKey(pub)
			keys[s.Name] = priv
		}
		if _, err := db.CreateSource(ctx, nil, s); err != nil {
			return nil, err
		}
		monitors = append(monitors, s)
	}
	ds := &truce.Source{Name: "deepstate", Role: truce.RoleDataset}
	party := &truce.Source{Name: "ua-liaison", Role: truce.RoleParty, Party: "UA"}
	analyst := &truce.Source{Name: "analyst-1", Role: truce.RoleAnalyst}
	for _, s := range []*truce.Source{ds, party, analyst} {
		if _, err := db.CreateSource(ctx, nil, s); err != nil {
			return nil, err
		}
	}
	for i := 0; i < n/10; i++ {
		if _, err := db.IssueToken(ctx, nil, monitors[i*3%len(monitors)].Name); err != nil {
			return nil, err
		}
	}
	pub, priv, _ := ed25519.GenerateKey(nil)
	if _, _, err := db.SetSourceKey(ctx, nil, monitors[0].Name, truce.FormatPublicKey(pub)); err != nil {
		return nil, err
	}
	keys[monitors[0].Name] = priv
	if err := sign(); err != nil {
		return nil, err
	}

	// Agreements, two versions each.
	for i := 0; i < n/2; i++ {
		for v := 1; v <= 2; v++ {
			a := storetest.Agreement(fmt.Sprintf("cf-%03d", i), v)
			a.Title = fmt.Sprintf("Ceasefire %d, version %d", i, v)
			if _, _, err := db.AddAgreement(ctx, nil, a); err != nil {
				return nil, err
			}
		}
	}
	if err := sign(); err != nil {
		return nil, err
	}

	// Observations in batches; every tenth supersedes an earlier one by
	// its source.
	filed := map[string][]string{}
	for b := 0; b < 2*n/20; b++ {
		by := monitors[b%len(monitors)]
		var batch []*truce.Observation
		for k := range 20 {
			id := fmt.Sprintf("obs-%04d-%02d", b, k)
			o := storetest.Obs(id, 36+r.Float64()*3, 47+r.Float64()*2, storetest.T0.Add(time.Duration(r.IntN(86400))*time.Second))
			o.Counts = &truce.Counts{Rounds: 1 + r.IntN(20)}
			if prev := filed[by.Name]; k%10 == 9 && len(prev) > 0 {
				o.Supersedes = prev[r.IntN(len(prev))]
			}
			if k%7 == 3 {
				o.BlamedParty = "UA"
			}
			if priv, ok := keys[by.Name]; ok {
				o.Source, o.SourceRole = by.Name, by.Role
				if err := truce.SignObservation(priv, o); err != nil {
					return nil, err
				}
			}
			batch = append(batch, o)
		}
		res, err := db.AddObservations(ctx, by, batch)
		if err != nil {
			return nil, err
		}
		if b%4 == 1 {
			// A release of the text of one observation to UA.
			rl := &truce.Release{ID: fmt.Sprintf("rel-%02d", b), Observation: res[b%20].PublicID, Groups: []truce.FieldGroup{truce.GroupText},
				To: truce.AudienceParty, Party: "UA", Reason: "answers UA's question"}
			if _, _, err := db.AddRelease(ctx, analyst, rl); err != nil {
				return nil, err
			}
		}
		for _, o := range batch {
			filed[by.Name] = append(filed[by.Name], o.ID)
		}
	}
	if err := sign(); err != nil {
		return nil, err
	}

	// Control maps.
	for i := range n {
		m := storetest.ControlMap(fmt.Sprintf("map-%03d", i), storetest.T0.Add(time.Duration(i)*time.Hour))
		if _, _, err := db.AddControlMap(ctx, ds, m); err != nil {
			return nil, err
		}
	}
	if err := sign(); err != nil {
		return nil, err
	}
	cps, err := db.Checkpoints(ctx)
	if err != nil {
		return nil, err
	}
	f := &fixture{path: path, vkey: vkey}
	for _, cp := range cps {
		f.held = append(f.held, cp.Cosigned())
	}
	f.size, err = db.LogSize(ctx)
	return f, err
}

// verify runs Verify on the file at path as truce verify --db does, with
// the log key pinned and f's checkpoints held outside, and returns the
// problems and the summary.
func verify(t testing.TB, path string, f *fixture) ([]truce.Problem, *ledger.Summary, map[string]int64) {
	t.Helper()
	ps, s, rows, err := verifyFile(path, f)
	if err != nil {
		t.Fatal(err)
	}
	return ps, s, rows
}

// verifyFile is verify for any goroutine.
func verifyFile(path string, f *fixture) ([]truce.Problem, *ledger.Summary, map[string]int64, error) {
	var ps []truce.Problem
	a := ledger.NewAuditor(func(p truce.Problem) { ps = append(ps, p) })
	if err := a.PinLogKey(f.vkey); err != nil {
		return nil, nil, nil, err
	}
	a.RequireHeld()
	for _, msg := range f.held {
		a.Checkpoint("held", msg, true)
	}
	rows, err := Verify(context.Background(), path, a)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("Verify: %w", err)
	}
	return ps, a.Finish(), rows, nil
}

func TestVerify(t *testing.T) {
	f := sharedFixture(t)
	ps, s, rows := verify(t, f.path, f)
	for _, p := range ps {
		t.Errorf("problem in an untouched store: %s", p)
	}
	if s.Entries != f.size || s.Checkpoints != len(f.held) || s.Held != len(f.held) || s.Cosignatures != 2*3*len(f.held) || s.LatestSize != f.size {
		t.Errorf("summary %+v; want %d entries, %d checkpoints held and kept, %d cosignatures", s, f.size, len(f.held), 2*3*len(f.held))
	}
	want := map[string]int64{"sources": 151, "agreements": 150, "observations": 300, "control_maps": 150, "witnesses": 3, "credentials": 151, "releases": 4}
	for table, n := range want {
		if rows[table] != n {
			t.Errorf("%d rows of %s compared, want %d", rows[table], table, n)
		}
	}
	if s.Types[truce.EntryObservation] != 300 || s.Types[truce.EntrySourceKey] != 1 || s.Types[truce.EntryRelease] != 4 {
		t.Errorf("types = %v", s.Types)
	}
}

// TestVerifyKeys checks what the log key proves: a store checked with
// another pinned key fails on every checkpoint, and one checked with no key
// at all says that nothing could be checked.
func TestVerifyKeys(t *testing.T) {
	f := sharedFixture(t)
	_, other, err := ledger.GenerateKey("truce.invalid/log/verify-test")
	if err != nil {
		t.Fatal(err)
	}
	g := *f
	g.vkey = other
	ps, _, _ := verify(t, f.path, &g)
	// One per checkpoint, and one that none is signed by the pinned key.
	if len(ps) != 2*len(f.held)+1 {
		t.Errorf("%d problems with another key, want one per checkpoint (%d) and one for them all: %v", len(ps), 2*len(f.held), ps)
	}
	for _, p := range ps {
		if !strings.Contains(p.String(), "log signature") && !strings.Contains(p.String(), "no checkpoint of the log is signed by the pinned key") {
			t.Errorf("problem %q does not name the signature", p)
		}
	}
	var got []truce.Problem
	a := ledger.NewAuditor(func(p truce.Problem) { got = append(got, p) })
	if _, err := Verify(context.Background(), f.path, a); err != nil {
		t.Fatal(err)
	}
	if s := a.Finish(); len(got) != 1 || !strings.Contains(got[0].String(), "--log-key") || s.Checkpoints != 0 {
		t.Errorf("without a key: %v, %+v", got, s)
	}
}

// BenchmarkVerifyFixture measures Verify of the test store (about 900
// entries, 770 query rows, 4 checkpoints with 12 cosignatures).
func BenchmarkVerifyFixture(b *testing.B) {
	f := sharedFixture(b)
	for b.Loop() {
		ps, _, _ := verify(b, f.path, f)
		if len(ps) > 0 {
			b.Fatal(ps)
		}
	}
}

// TestVerifyLive checks that Verify reads a store that is being written
// to in one snapshot: the entries and the rows it compares are those of
// one moment, so a store taking writes verifies.
func TestVerifyLive(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "live.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mon, _ := storetest.MustSource(t, db, "mon", "monitor")
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			var batch []*truce.Observation
			for k := range 10 {
				batch = append(batch, storetest.Obs(fmt.Sprintf("live-%d-%d", i, k), 37, 48, storetest.T0))
			}
			if _, err := db.AddObservations(ctx, mon, batch); err != nil {
				done <- err
				return
			}
		}
	}()
	var sizes []int64
	for range 3 {
		// Wait for the log to grow past the size verified last.
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
			n, err := db.LogSize(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(sizes) == 0 && n > 2 || len(sizes) > 0 && n > sizes[len(sizes)-1] {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the log does not grow")
			}
		}
		var ps []truce.Problem
		a := ledger.NewAuditor(func(p truce.Problem) { ps = append(ps, p) })
		rows, err := db.Verify(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		s := a.Finish()
		if len(ps) > 0 || rows["observations"] != s.Entries-2 {
			t.Errorf("verify during writes: %d entries, %d observation rows, problems %v", s.Entries, rows["observations"], ps)
		}
		sizes = append(sizes, s.Entries)
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if sizes[0] == sizes[len(sizes)-1] {
		t.Errorf("the log did not grow while it was verified (sizes %v): the test shows nothing", sizes)
	}
}
