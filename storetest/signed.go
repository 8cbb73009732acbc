package storetest

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

// Key returns a fixed Ed25519 key made from seed, for tests: the same seed
// always gives the same key.
func Key(seed string) ed25519.PrivateKey {
	s := sha256.Sum256([]byte(seed))
	return ed25519.NewKeyFromSeed(s[:])
}

// MustSignedSource registers a source with role (as ParseRole reads it)
// and the public key of Key(name), and returns it with its token and
// private key.
func MustSignedSource(t testing.TB, s truce.Store, name, role string) (*truce.Source, string, ed25519.PrivateKey) {
	t.Helper()
	r, party, err := truce.ParseRole(role)
	if err != nil {
		t.Fatal(err)
	}
	priv := Key(name)
	src := &truce.Source{Name: name, Role: r, Party: party, PublicKey: truce.FormatPublicKey(priv.Public().(ed25519.PublicKey))}
	token, err := s.CreateSource(ctx, nil, src)
	if err != nil {
		t.Fatalf("CreateSource(%s): %v", name, err)
	}
	return src, token, priv
}

// Signed returns the observations of Obs(id, lon, lat, T0) for each id,
// signed with priv.
func Signed(t testing.TB, priv ed25519.PrivateKey, ids ...string) []*truce.Observation {
	t.Helper()
	obs := make([]*truce.Observation, len(ids))
	for i, id := range ids {
		obs[i] = Obs(id, 37+float64(i)/100, 48, T0)
		if err := truce.SignObservation(priv, obs[i]); err != nil {
			t.Fatal(err)
		}
	}
	return obs
}

// wantProblems checks that err has code and problems at exactly the lines
// given, each at path.
func wantProblems(t *testing.T, err error, code, path string, lines ...int) {
	t.Helper()
	wantCode(t, err, code)
	ps := truce.ErrorProblems(err)
	var got []int
	for _, p := range ps {
		got = append(got, p.Line)
		if p.Path != path {
			t.Errorf("problem %v: path %q, want %q", p, p.Path, path)
		}
	}
	if len(got) != len(lines) {
		t.Fatalf("problems at lines %v, want %v (%v)", got, lines, err)
	}
	for i := range got {
		if got[i] != lines[i] {
			t.Fatalf("problems at lines %v, want %v (%v)", got, lines, err)
		}
	}
}

// verifyLog checks every observation of the log against the key in force
// for its source when it was logged, from the entries alone.
func verifyLog(t *testing.T, s truce.Store) {
	t.Helper()
	entries, err := s.Entries(ctx, 0, logSize(t, s))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[int64]truce.PrivateParts{}
	for f := (truce.ObservationFilter{Limit: truce.MaxPageSize}); ; {
		page, err := s.FindObservations(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Observations {
			parts[r.LogIndex] = r.Private
		}
		if f.Cursor = page.Next; f.Cursor == "" {
			break
		}
	}
	// The mission holds every source's identity: the log's pseudonyms
	// map to the names the observations' source groups hold.
	var keys truce.SourceKeys
	srcs, err := s.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range srcs {
		keys.Reveal(src.PublicName, src.Name)
	}
	for _, e := range entries {
		if err := keys.CheckObservation(e, parts[e.Index]); err != nil {
			t.Errorf("from the log: %v", err)
		}
		if err := keys.Apply(e); err != nil {
			t.Errorf("from the log: %v", err)
		}
	}
}

func testSignedObservations(t *testing.T, s truce.Store) {
	mon, _, priv := MustSignedSource(t, s, "signer", "monitor")
	got, err := s.Source(ctx, "signer")
	if err != nil || got.PublicKey != mon.PublicKey {
		t.Fatalf("Source = %+v, %v; want public key %s", got, err, mon.PublicKey)
	}
	obs := Signed(t, priv, "s1", "s2", "s3")
	before := logSize(t, s)
	res, err := s.AddObservations(ctx, mon, obs)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 || !res[2].Created {
		t.Fatalf("results = %+v", res)
	}
	rec, err := s.Observation(ctx, mon.Name, "s2")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Signature == "" || rec.Signature != obs[1].Signature {
		t.Errorf("record signature = %q, want %q", rec.Signature, obs[1].Signature)
	}
	if err := truce.VerifyObservation(priv.Public().(ed25519.PublicKey), rec.Observation); err != nil {
		t.Errorf("the stored record does not verify: %v", err)
	}
	entries, err := s.Entries(ctx, before, before+3)
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.Observation(ctx, mon.Name, "s1")
	if err != nil {
		t.Fatal(err)
	}
	checkSealedEntry(t, entries[0], first, obs[0], mon.Name, mon.Role)
	// A repeat is a repeat: the signature is part of the stored bytes,
	// and Ed25519 signs deterministically.
	again := Signed(t, priv, "s1", "s2", "s3")
	if res, err := s.AddObservations(ctx, mon, again); err != nil || res[0].Created {
		t.Errorf("repeat = %+v, %v; want not created", res, err)
	}
	verifyLog(t, s)
}

func testSignatureRejected(t *testing.T, s truce.Store) {
	mon, _, priv := MustSignedSource(t, s, "signer", "monitor")
	plain, _ := MustSource(t, s, "plain", "monitor")
	sigPath := "$.signature"
	tests := []struct {
		name  string
		by    *truce.Source
		obs   func() []*truce.Observation
		code  string
		lines []int
	}{
		{"tampered field", mon, func() []*truce.Observation {
			obs := Signed(t, priv, "t1", "t2", "t3")
			obs[1].Counts.Rounds = 40
			return obs
		}, truce.EFORBIDDEN, []int{2}},
		{"tampered text", mon, func() []*truce.Observation {
			obs := Signed(t, priv, "t1", "t2", "t3")
			obs[2].Text += "!"
			return obs
		}, truce.EFORBIDDEN, []int{3}},
		{"wrong key", mon, func() []*truce.Observation {
			return Signed(t, Key("someone else"), "t1", "t2")
		}, truce.EFORBIDDEN, []int{1, 2}},
		{"unsigned from a keyed source", mon, func() []*truce.Observation {
			obs := Signed(t, priv, "t1", "t2", "t3")
			obs[0].Signature = ""
			return obs
		}, truce.EFORBIDDEN, []int{1}},
		{"one unsigned observation", mon, func() []*truce.Observation {
			return []*truce.Observation{Obs("t1", 37, 48, T0)}
		}, truce.EFORBIDDEN, []int{0}},
		{"another observation's signature", mon, func() []*truce.Observation {
			obs := Signed(t, priv, "t1", "t2")
			obs[0].Signature = obs[1].Signature
			return obs
		}, truce.EFORBIDDEN, []int{1}},
		{"malformed signature", mon, func() []*truce.Observation {
			obs := Signed(t, priv, "t1", "t2")
			obs[1].Signature = obs[1].Signature[:40]
			return obs
		}, truce.EINVALID, []int{2}},
		{"signed by a source without a key", plain, func() []*truce.Observation {
			return Signed(t, priv, "t1", "t2")
		}, truce.EINVALID, []int{1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := logSize(t, s)
			_, err := s.AddObservations(ctx, tt.by, tt.obs())
			wantProblems(t, err, tt.code, sigPath, tt.lines...)
			if n := logSize(t, s); n != before {
				t.Errorf("log grew from %d to %d on a rejected batch", before, n)
			}
		})
	}
	// Normalization does not break a signature: the signing bytes are
	// canonical.
	obs := Signed(t, priv, "n1")
	obs[0].ObservedAt = obs[0].ObservedAt.In(time.FixedZone("EET", 2*3600))
	if _, err := s.AddObservations(ctx, mon, obs); err != nil {
		t.Errorf("a signed observation with its time in another zone: %v", err)
	}
}

func testSourceKeyRotation(t *testing.T, s truce.Store) {
	admin, _ := MustSource(t, s, "admin", "admin")
	mon, _ := MustSource(t, s, "rotating", "monitor")
	k1, k2 := Key("rotating-1"), Key("rotating-2")
	pub1, pub2 := truce.FormatPublicKey(k1.Public().(ed25519.PublicKey)), truce.FormatPublicKey(k2.Public().(ed25519.PublicKey))

	// Unsigned observations before the source has a key.
	if _, err := s.AddObservations(ctx, mon, []*truce.Observation{Obs("u1", 37, 48, T0)}); err != nil {
		t.Fatal(err)
	}
	before := logSize(t, s)
	src, changed, err := s.SetSourceKey(ctx, admin, "rotating", pub1)
	if err != nil || !changed || src.PublicKey != pub1 {
		t.Fatalf("SetSourceKey = %+v, %v, %v", src, changed, err)
	}
	entries, err := s.Entries(ctx, before, before+1)
	if err != nil || len(entries) != 1 {
		t.Fatalf("Entries = %v, %v", entries, err)
	}
	if e := entries[0]; e.Type != truce.EntrySourceKey || e.Submitter != admin.PublicName || string(e.Data) != `{"source":"`+mon.PublicName+`","public_key":"`+pub1+`"}` {
		t.Errorf("key entry = %s %s %s", e.Type, e.Submitter, e.Data)
	}
	if _, changed, err := s.SetSourceKey(ctx, admin, "rotating", pub1); err != nil || changed {
		t.Errorf("setting the key in force again: changed %v, %v", changed, err)
	}
	if n := logSize(t, s); n != before+1 {
		t.Errorf("setting the key in force again logged an entry")
	}
	// The key is in force: unsigned is refused, signed with it accepted.
	_, err = s.AddObservations(ctx, mon, []*truce.Observation{Obs("u2", 37, 48, T0)})
	wantCode(t, err, truce.EFORBIDDEN)
	if _, err := s.AddObservations(ctx, mon, Signed(t, k1, "k1-a", "k1-b")); err != nil {
		t.Fatal(err)
	}

	// Rotation: the old key's signatures are refused from now on, the
	// new key's taken, and the old observations stay as they were.
	if _, _, err := s.SetSourceKey(ctx, admin, "rotating", pub2); err != nil {
		t.Fatal(err)
	}
	_, err = s.AddObservations(ctx, mon, Signed(t, k1, "k1-c"))
	wantCode(t, err, truce.EFORBIDDEN)
	if _, err := s.AddObservations(ctx, mon, Signed(t, k2, "k2-a")); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Source(ctx, "rotating"); err != nil || got.PublicKey != pub2 {
		t.Errorf("Source after rotation = %+v, %v; want key %s", got, err, pub2)
	}
	all, err := s.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range all {
		if want := map[string]string{"rotating": pub2}[src.Name]; src.PublicKey != want {
			t.Errorf("Sources: %s has key %q, want %q", src.Name, src.PublicKey, want)
		}
	}
	// The log alone is enough to check every signature against the key
	// in force when it was logged.
	verifyLog(t, s)

	// Who may set keys, and what.
	_, _, err = s.SetSourceKey(ctx, mon, "rotating", pub1)
	wantCode(t, err, truce.EFORBIDDEN)
	_, _, err = s.SetSourceKey(ctx, admin, "nobody", pub1)
	wantCode(t, err, truce.ENOTFOUND)
	for _, bad := range []string{"", "abc", pub1[:43], pub1 + "AAAA", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"} {
		_, _, err = s.SetSourceKey(ctx, admin, "rotating", bad)
		wantCode(t, err, truce.EINVALID)
	}
	_, err = s.CreateSource(ctx, nil, &truce.Source{Name: "bad-key", Role: truce.RoleSensor, PublicKey: "not a key"})
	wantCode(t, err, truce.EINVALID)
}

// testKeyRotationRace files signed batches from several writers while the
// source's key is replaced again and again: whatever was acknowledged, the
// log must verify, so no observation was logged after a key entry that its
// signature does not verify against.
func testKeyRotationRace(t *testing.T, s truce.Store) {
	src, _, _ := MustSignedSource(t, s, "racer", "sensor")
	keys := []ed25519.PrivateKey{Key("racer"), Key("racer-2")}
	var current atomic.Int32 // the key the writers believe in force
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var filed, refused atomic.Int64
	for w := range 4 {
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				ids := make([]string, 20)
				for i := range ids {
					ids[i] = fmt.Sprintf("race-%d-%d-%d", w, n, i)
				}
				_, err := s.AddObservations(ctx, src, Signed(t, keys[current.Load()], ids...))
				switch truce.ErrorCode(err) {
				case "":
					filed.Add(1)
				case truce.EFORBIDDEN:
					refused.Add(1)
				default:
					t.Error(err)
					return
				}
			}
		})
	}
	for i := range 20 {
		k := keys[(i+1)%2]
		if _, _, err := s.SetSourceKey(ctx, nil, "racer", truce.FormatPublicKey(k.Public().(ed25519.PublicKey))); err != nil {
			t.Fatal(err)
		}
		current.Store(int32((i + 1) % 2))
		time.Sleep(5 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if filed.Load() == 0 {
		t.Fatal("no batch was filed")
	}
	t.Logf("%d batches filed, %d refused", filed.Load(), refused.Load())
	verifyLog(t, s)
}
