// Package storetest is the conformance suite that every truce store passes:
// the embedded SQLite store and the PostgreSQL store alike. A store package
// calls Run from its tests with a function that opens a new, empty store.
//
// The suite asserts behaviour through the truce.Store interface only: the
// log-first write path, all-or-nothing batches, idempotent repeats,
// conflicts, roles, queries and pagination, and concurrent writers.
package storetest

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/ledger"
)

// Open returns a new, empty store; the suite closes it.
type Open func(t *testing.T) truce.Store

// Run runs the whole suite against stores made by open.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s truce.Store)
	}{
		{"Sources", testSources},
		{"SourceRoles", testSourceRoles},
		{"IssueToken", testIssueToken},
		{"AddObservation", testAddObservation},
		{"IdempotentRepeat", testIdempotentRepeat},
		{"Conflict", testConflict},
		{"ScopedIDs", testScopedIDs},
		{"SealedSources", testSealedSources},
		{"BatchAllOrNothing", testBatchAllOrNothing},
		{"BatchDuplicateIDs", testBatchDuplicateIDs},
		{"ObserveRoles", testObserveRoles},
		{"Supersedes", testSupersedes},
		{"FindObservations", testFindObservations},
		{"Pagination", testPagination},
		{"Agreements", testAgreements},
		{"ControlMaps", testControlMaps},
		{"LogEntries", testLogEntries},
		{"ConcurrentWriters", testConcurrentWriters},
		{"MerkleTree", testMerkleTree},
		{"Checkpoints", testCheckpoints},
		{"SignedObservations", testSignedObservations},
		{"SignatureRejected", testSignatureRejected},
		{"SourceKeyRotation", testSourceKeyRotation},
		{"KeyRotationRace", testKeyRotationRace},
		{"Witnesses", testWitnesses},
		{"Cosignatures", testCosignatures},
		{"FindingVersions", testFindingVersions},
		{"Reviews", testReviews},
		{"Releases", testReleases},
		{"PrivateReads", testPrivateReads},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tt.fn(t, s)
		})
	}
}

// MustSource registers a source with role (as ParseRole reads it) and
// returns it with its token.
func MustSource(t testing.TB, s truce.Store, name, role string) (*truce.Source, string) {
	t.Helper()
	r, party, err := truce.ParseRole(role)
	if err != nil {
		t.Fatal(err)
	}
	src := &truce.Source{Name: name, Role: r, Party: party}
	token, err := s.CreateSource(context.Background(), nil, src)
	if err != nil {
		t.Fatalf("CreateSource(%s): %v", name, err)
	}
	return src, token
}

// Obs returns a valid artillery observation at lon, lat and time t.
func Obs(id string, lon, lat float64, t time.Time) *truce.Observation {
	return &truce.Observation{
		ID: id, Kind: truce.KindArtillery, ObservedAt: t, TimePrecision: truce.PrecisionMinute,
		Location: truce.Location{Lon: &lon, Lat: &lat, UncertaintyM: 250},
		Counts:   &truce.Counts{Rounds: 4}, BlamedParty: "RU", Text: "Чотири постріли", Lang: "uk",
	}
}

// T0 is the time the suite's observations are made around.
var T0 = time.Date(2025, 3, 14, 6, 0, 0, 0, time.UTC)

var (
	ctx = context.Background()
	t0  = T0
)

func logSize(t *testing.T, s truce.Store) int64 {
	t.Helper()
	n, err := s.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := truce.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func testSources(t *testing.T, s truce.Store) {
	src, token := MustSource(t, s, "osce-team-3", "monitor")
	if src.CreatedAt.IsZero() {
		t.Error("CreatedAt not set")
	}
	got, err := s.Authenticate(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "osce-team-3" || got.Role != truce.RoleMonitor {
		t.Errorf("Authenticate = %+v", got)
	}
	_, err = s.Authenticate(ctx, token+"x")
	wantCode(t, err, truce.EUNAUTHORIZED)
	_, err = s.Authenticate(ctx, "")
	wantCode(t, err, truce.EUNAUTHORIZED)
	_, err = s.CreateSource(ctx, nil, &truce.Source{Name: "osce-team-3", Role: truce.RoleMonitor})
	wantCode(t, err, truce.ECONFLICT)
	_, err = s.CreateSource(ctx, nil, &truce.Source{Name: "Bad Name", Role: truce.RoleMonitor})
	wantCode(t, err, truce.EINVALID)
	_, err = s.Source(ctx, "nobody")
	wantCode(t, err, truce.ENOTFOUND)
	MustSource(t, s, "ua-liaison", "party:UA")
	all, err := s.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, x := range all {
		names = append(names, x.Name+"="+x.RoleString())
	}
	if want := []string{"osce-team-3=monitor", "ua-liaison=party:UA"}; !slices.Equal(names, want) {
		t.Errorf("Sources = %v, want %v", names, want)
	}
	// The log holds each source and when its token was issued, never the
	// token or its hash.
	entries, err := s.Entries(ctx, 0, logSize(t, s))
	if err != nil {
		t.Fatal(err)
	}
	types := []truce.EntryType{truce.EntrySource, truce.EntryCredential, truce.EntrySource, truce.EntryCredential}
	if len(entries) != len(types) {
		t.Fatalf("%d entries, want %d", len(entries), len(types))
	}
	for i, e := range entries {
		if e.Type != types[i] {
			t.Errorf("entry %d has type %s, want %s", e.Index, e.Type, types[i])
		}
		if strings.Contains(string(e.Data), token) || strings.Contains(string(e.Data), truce.HashToken(token)) || strings.Contains(string(e.Data), "token") {
			t.Errorf("entry %d holds a token or its hash: %s", e.Index, e.Data)
		}
	}
	var c truce.Credential
	if err := json.Unmarshal(entries[1].Data, &c); err != nil || c.Source != src.PublicName || c.IssuedAt.IsZero() {
		t.Errorf("credential entry %s: %v; want it to name %s", entries[1].Data, err, src.PublicName)
	}
}

// testSealedSources checks that the log names a source whose role the
// policy does not leave open by its pseudonym — in its own entry, its
// credentials, its keys and the entries it submits — and commits to its
// name and description without holding them, while an open source (a
// dataset) is named in the clear; the store still knows each by name.
func testSealedSources(t *testing.T, s truce.Store) {
	before := logSize(t, s)
	team := &truce.Source{Name: "team-kramatorsk-2", Role: truce.RoleMonitor, Description: "OSCE-style team at the Kramatorsk base"}
	if _, err := s.CreateSource(ctx, nil, team); err != nil {
		t.Fatal(err)
	}
	open := &truce.Source{Name: "firms", Role: truce.RoleDataset, Description: "NASA FIRMS"}
	if _, err := s.CreateSource(ctx, nil, open); err != nil {
		t.Fatal(err)
	}
	adm, _ := MustSource(t, s, "admin-petrenko", "admin")
	pk, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SetSourceKey(ctx, adm, team.Name, truce.FormatPublicKey(pk)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AddAgreement(ctx, adm, Agreement("sealed-cf", 1)); err != nil {
		t.Fatal(err)
	}
	if !truce.IsSourcePseudonym(team.PublicName) || team.Sealed == "" || team.Name != "team-kramatorsk-2" {
		t.Errorf("sealed source as created = %+v", team)
	}
	if open.PublicName != "firms" || open.Sealed != "" {
		t.Errorf("open source as created = %+v", open)
	}
	got, err := s.Source(ctx, team.Name)
	if err != nil || got.Description != team.Description || got.PublicName != team.PublicName || got.PublicKey == "" {
		t.Errorf("Source(%s) = %+v, %v", team.Name, got, err)
	}
	entries, err := s.Entries(ctx, before, logSize(t, s))
	if err != nil {
		t.Fatal(err)
	}
	var sawOpen bool
	for _, e := range entries {
		text := e.Submitter + "\n" + string(e.Data)
		for _, secret := range []string{"kramatorsk", "petrenko"} {
			if strings.Contains(strings.ToLower(text), secret) {
				t.Errorf("entry %d (%s) names a sealed source: %s", e.Index, e.Type, text)
			}
		}
		sawOpen = sawOpen || strings.Contains(string(e.Data), `"name":"firms"`)
	}
	if !sawOpen {
		t.Error("the open source's entry does not name it")
	}
	var pub truce.Source
	if err := json.Unmarshal(entries[0].Data, &pub); err != nil || pub.Name != team.PublicName || pub.Sealed != team.Sealed || pub.Description != "" {
		t.Errorf("sealed source entry %s: %v", entries[0].Data, err)
	}
}

func testIssueToken(t *testing.T, s truce.Store) {
	mon, old := MustSource(t, s, "mon", "monitor")
	party, _ := MustSource(t, s, "ua-liaison", "party:UA")
	_, err := s.IssueToken(ctx, party, "mon")
	wantCode(t, err, truce.EFORBIDDEN)
	_, err = s.IssueToken(ctx, nil, "nobody")
	wantCode(t, err, truce.ENOTFOUND)
	size := logSize(t, s)
	token, err := s.IssueToken(ctx, nil, "mon")
	if err != nil || token == old {
		t.Fatalf("IssueToken: %q, %v", token, err)
	}
	_, err = s.Authenticate(ctx, old)
	wantCode(t, err, truce.EUNAUTHORIZED)
	got, err := s.Authenticate(ctx, token)
	if err != nil || got.Name != mon.Name {
		t.Fatalf("Authenticate(new token) = %v, %v", got, err)
	}
	entries, err := s.Entries(ctx, size, size+1)
	if err != nil || len(entries) != 1 || entries[0].Type != truce.EntryCredential || strings.Contains(string(entries[0].Data), truce.HashToken(token)) {
		t.Fatalf("IssueToken logged %v, %v", entries, err)
	}
}

func testSourceRoles(t *testing.T, s truce.Store) {
	party, _ := MustSource(t, s, "ru-liaison", "party:RU")
	analyst, _ := MustSource(t, s, "analyst", "analyst")
	admin, _ := MustSource(t, s, "admin", "admin")
	for _, by := range []*truce.Source{party, analyst} {
		_, err := s.CreateSource(ctx, by, &truce.Source{Name: "x-" + by.Name, Role: truce.RoleMonitor})
		wantCode(t, err, truce.EFORBIDDEN)
	}
	if _, err := s.CreateSource(ctx, admin, &truce.Source{Name: "by-admin", Role: truce.RoleSensor}); err != nil {
		t.Fatal(err)
	}
}

func testAddObservation(t *testing.T, s truce.Store) {
	mon, _ := MustSource(t, s, "mon", "monitor")
	before := logSize(t, s)
	o := Obs("obs-1", 37.8, 48.1, t0.In(time.FixedZone("EET", 2*3600)))
	res, err := s.AddObservations(ctx, mon, []*truce.Observation{o})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || !res[0].Created || res[0].LogIndex != before || res[0].ID != "obs-1" {
		t.Fatalf("results = %+v, want one created at index %d", res, before)
	}
	if o.Source != "" {
		t.Error("AddObservations modified its input")
	}
	rec, err := s.Observation(ctx, "mon", "obs-1")
	if err != nil {
		t.Fatal(err)
	}
	if byPub, err := s.ObservationByPublicID(ctx, res[0].PublicID); err != nil || byPub.LogIndex != rec.LogIndex || byPub.PublicID != res[0].PublicID {
		t.Errorf("ObservationByPublicID(%s) = %+v, %v; want the record at %d", res[0].PublicID, byPub, err, rec.LogIndex)
	}
	if rec.Source != "mon" || rec.SourceRole != truce.RoleMonitor {
		t.Errorf("source = %q/%q, want mon/monitor", rec.Source, rec.SourceRole)
	}
	if !rec.ObservedAt.Equal(t0) || rec.ObservedAt.Location() != time.UTC {
		t.Errorf("observed_at = %v, want %v in UTC", rec.ObservedAt, t0)
	}
	if rec.LogIndex != before || rec.LoggedAt.IsZero() {
		t.Errorf("record log index %d at %v", rec.LogIndex, rec.LoggedAt)
	}
	if rec.Text != "Чотири постріли" || *rec.Location.Lon != 37.8 || rec.Counts.Rounds != 4 {
		t.Errorf("record = %+v", rec.Observation)
	}
	entries, err := s.Entries(ctx, before, before+1)
	if err != nil || len(entries) != 1 {
		t.Fatalf("Entries = %v, %v", entries, err)
	}
	checkSealedEntry(t, entries[0], rec, o, "mon", truce.RoleMonitor)
	for _, c := range [][2]string{{"mon", "nope"}, {"other", "obs-1"}, {"", "obs-1"}} {
		_, err = s.Observation(ctx, c[0], c[1])
		wantCode(t, err, truce.ENOTFOUND)
	}
	for _, pid := range []string{"o-00000000000000000000000000000000", "obs-1", "", "o-" + strings.Repeat("A", 32)} {
		_, err = s.ObservationByPublicID(ctx, pid)
		wantCode(t, err, truce.ENOTFOUND)
	}
}

func testIdempotentRepeat(t *testing.T, s truce.Store) {
	mon, _ := MustSource(t, s, "mon", "monitor")
	o := Obs("obs-1", 37.8, 48.1, t0)
	first, err := s.AddObservations(ctx, mon, []*truce.Observation{o})
	if err != nil {
		t.Fatal(err)
	}
	size := logSize(t, s)
	// The same instant in another zone is the same observation.
	again := Obs("obs-1", 37.8, 48.1, t0.In(time.FixedZone("MSK", 3*3600)))
	res, err := s.AddObservations(ctx, mon, []*truce.Observation{again})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Created || res[0].LogIndex != first[0].LogIndex {
		t.Errorf("repeat = %+v, want not created at %d", res[0], first[0].LogIndex)
	}
	if got := logSize(t, s); got != size {
		t.Errorf("log grew from %d to %d on a repeat", size, got)
	}
}

func testConflict(t *testing.T, s truce.Store) {
	mon, _ := MustSource(t, s, "mon", "monitor")
	if _, err := s.AddObservations(ctx, mon, []*truce.Observation{Obs("obs-1", 37.8, 48.1, t0)}); err != nil {
		t.Fatal(err)
	}
	size := logSize(t, s)
	changed := Obs("obs-1", 37.8, 48.1, t0)
	changed.Counts.Rounds = 5
	_, err := s.AddObservations(ctx, mon, []*truce.Observation{changed})
	wantCode(t, err, truce.ECONFLICT)
	if got := logSize(t, s); got != size {
		t.Errorf("log grew from %d to %d on conflicts", size, got)
	}
}

// testScopedIDs checks that ids are scoped by source: another source may
// file under an id one has used (so none can squat another's predictable
// ids), each is found under its own source, and their public ids differ.
func testScopedIDs(t *testing.T, s truce.Store) {
	mon, _ := MustSource(t, s, "mon", "monitor")
	other, _ := MustSource(t, s, "other", "party:RU")
	mine, err := s.AddObservations(ctx, mon, []*truce.Observation{Obs("obs-1", 37.8, 48.1, t0)})
	if err != nil {
		t.Fatal(err)
	}
	// The other source takes the id first for a batch the first source
	// has not filed yet, then files the same id with other content.
	squat, err := s.AddObservations(ctx, other, []*truce.Observation{Obs("obs-2", 37.8, 48.1, t0), Obs("obs-1", 37.9, 48.2, t0)})
	if err != nil {
		t.Fatalf("another source's obs-1: %v, want it stored (ids are scoped by source)", err)
	}
	if !squat[1].Created || squat[1].PublicID == mine[0].PublicID {
		t.Errorf("other's obs-1 = %+v, want created with its own public id (mine: %s)", squat[1], mine[0].PublicID)
	}
	if _, err := s.AddObservations(ctx, mon, []*truce.Observation{Obs("obs-2", 37, 48, t0), Obs("obs-3", 37, 48, t0)}); err != nil {
		t.Errorf("mon's batch after the other source used obs-2: %v, want stored", err)
	}
	for _, c := range []struct {
		source string
		lon    float64
	}{{"mon", 37.8}, {"other", 37.9}} {
		rec, err := s.Observation(ctx, c.source, "obs-1")
		if err != nil || rec.Source != c.source || *rec.Location.Lon != c.lon {
			t.Errorf("Observation(%s, obs-1) = %+v, %v", c.source, rec, err)
		}
	}
	// A repeat by either is answered as its own.
	again, err := s.AddObservations(ctx, other, []*truce.Observation{Obs("obs-1", 37.9, 48.2, t0)})
	if err != nil || again[0].Created || again[0].LogIndex != squat[1].LogIndex {
		t.Errorf("other's repeat = %+v, %v; want not created at %d", again, err, squat[1].LogIndex)
	}
	page, err := s.FindObservations(ctx, truce.ObservationFilter{})
	if err != nil || len(page.Observations) != 5 {
		t.Fatalf("FindObservations: %d, %v; want 5", len(page.Observations), err)
	}
}

func testBatchAllOrNothing(t *testing.T, s truce.Store) {
	mon, _ := MustSource(t, s, "mon", "monitor")
	if _, err := s.AddObservations(ctx, mon, []*truce.Observation{Obs("taken", 37, 48, t0)}); err != nil {
		t.Fatal(err)
	}
	size := logSize(t, s)
	bad := Obs("b-2", 37, 48, t0)
	bad.Kind = "shelling"
	bad2 := Obs("b-4", 37, 95, t0)
	batch := []*truce.Observation{Obs("b-1", 37, 48, t0), bad, Obs("b-3", 37, 48, t0), bad2}
	_, err := s.AddObservations(ctx, mon, batch)
	wantCode(t, err, truce.EINVALID)
	lines := map[int]string{}
	for _, p := range truce.ErrorProblems(err) {
		lines[p.Line] = p.Path
	}
	if lines[2] != "$.kind" || lines[4] != "$.location.lat" || len(lines) != 2 {
		t.Errorf("problems by line = %v, want line 2 $.kind and line 4 $.location.lat", lines)
	}
	changed := Obs("taken", 37, 48, t0)
	changed.Text = "changed"
	_, err = s.AddObservations(ctx, mon, []*truce.Observation{Obs("c-1", 37, 48, t0), changed})
	wantCode(t, err, truce.ECONFLICT)
	if ps := truce.ErrorProblems(err); len(ps) != 1 || ps[0].Line != 2 {
		t.Errorf("conflict problems = %v, want one on line 2", ps)
	}
	if got := logSize(t, s); got != size {
		t.Errorf("log grew from %d to %d after rejected batches", size, got)
	}
	for _, id := range []string{"b-1", "b-3", "c-1"} {
		_, err := s.Observation(ctx, "mon", id)
		wantCode(t, err, truce.ENOTFOUND)
	}
}

func testBatchDuplicateIDs(t *testing.T, s truce.Store) {
	mon, _ := MustSource(t, s, "mon", "monitor")
	res, err := s.AddObservations(ctx, mon, []*truce.Observation{Obs("d", 37, 48, t0), Obs("d", 37, 48, t0)})
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].Created || res[1].Created || res[0].LogIndex != res[1].LogIndex {
		t.Errorf("results = %+v", res)
	}
	other := Obs("e", 37, 48, t0)
	other2 := Obs("e", 38, 48, t0)
	_, err = s.AddObservations(ctx, mon, []*truce.Observation{other, other2})
	wantCode(t, err, truce.ECONFLICT)
}

func testObserveRoles(t *testing.T, s truce.Store) {
	party, _ := MustSource(t, s, "ua-liaison", "party:UA")
	analyst, _ := MustSource(t, s, "analyst", "analyst")
	admin, _ := MustSource(t, s, "admin", "admin")
	size := logSize(t, s)
	for _, by := range []*truce.Source{analyst, admin, nil} {
		_, err := s.AddObservations(ctx, by, []*truce.Observation{Obs("x", 37, 48, t0)})
		if code := truce.ErrorCode(err); code != truce.EFORBIDDEN && code != truce.EUNAUTHORIZED {
			t.Errorf("observation by %v: %v, want forbidden", by, err)
		}
	}
	// A party files allegations, never as a monitor or another source.
	asMonitor := Obs("x", 37, 48, t0)
	asMonitor.SourceRole = truce.RoleMonitor
	_, err := s.AddObservations(ctx, party, []*truce.Observation{asMonitor})
	wantCode(t, err, truce.EFORBIDDEN)
	asOther := Obs("x", 37, 48, t0)
	asOther.Source = "osce-team-3"
	_, err = s.AddObservations(ctx, party, []*truce.Observation{asOther})
	wantCode(t, err, truce.EFORBIDDEN)
	if got := logSize(t, s); got != size {
		t.Errorf("log grew from %d to %d on forbidden writes", size, got)
	}
	res, err := s.AddObservations(ctx, party, []*truce.Observation{Obs("allegation", 37, 48, t0)})
	if err != nil || !res[0].Created {
		t.Fatalf("party allegation: %v %+v", err, res)
	}
	rec, _ := s.Observation(ctx, "ua-liaison", "allegation")
	asOtherParty := Obs("x", 37, 48, t0)
	asOtherParty.SourceParty = "RU"
	_, err = s.AddObservations(ctx, party, []*truce.Observation{asOtherParty})
	wantCode(t, err, truce.EFORBIDDEN)
	if rec.SourceRole != truce.RoleParty || rec.Source != "ua-liaison" || rec.SourceParty != "UA" {
		t.Errorf("allegation stored as %s/%s", rec.Source, rec.SourceRole)
	}
}

func testSupersedes(t *testing.T, s truce.Store) {
	mon, _ := MustSource(t, s, "mon", "monitor")
	other, _ := MustSource(t, s, "other", "monitor")
	if _, err := s.AddObservations(ctx, mon, []*truce.Observation{Obs("orig", 37, 48, t0)}); err != nil {
		t.Fatal(err)
	}
	fix := Obs("fix", 37, 48.01, t0)
	fix.Supersedes = "orig"
	if _, err := s.AddObservations(ctx, mon, []*truce.Observation{fix}); err != nil {
		t.Fatal(err)
	}
	fix2 := Obs("fix-2", 37, 48.02, t0)
	fix2.Supersedes = "orig"
	if _, err := s.AddObservations(ctx, mon, []*truce.Observation{fix2}); err != nil {
		t.Fatal(err)
	}
	// The original stays, and says what corrects it.
	rec, err := s.Observation(ctx, "mon", "orig")
	if err != nil || !slices.Equal(rec.SupersededBy, []string{"fix", "fix-2"}) {
		t.Fatalf("Observation(orig) superseded by %v, %v; want [fix fix-2]", rec.SupersededBy, err)
	}
	page, err := s.FindObservations(ctx, truce.ObservationFilter{})
	if err != nil || len(page.Observations) != 3 {
		t.Fatalf("FindObservations: %v, %v", page, err)
	}
	for _, r := range page.Observations {
		if want := map[string]int{"orig": 2}[r.ID]; len(r.SupersededBy) != want {
			t.Errorf("%s superseded by %v", r.ID, r.SupersededBy)
		}
	}
	steal := Obs("steal", 37, 48, t0)
	steal.Supersedes = "orig"
	_, err = s.AddObservations(ctx, other, []*truce.Observation{steal})
	wantCode(t, err, truce.EINVALID)
	ghost := Obs("ghost", 37, 48, t0)
	ghost.Supersedes = "missing"
	_, err = s.AddObservations(ctx, mon, []*truce.Observation{ghost})
	wantCode(t, err, truce.EINVALID)
}

func testFindObservations(t *testing.T, s truce.Store) {
	mon, _ := MustSource(t, s, "mon", "monitor")
	party, _ := MustSource(t, s, "ru-liaison", "party:RU")
	a := Obs("a", 37.5, 48.0, t0)
	b := Obs("b", 38.5, 47.5, t0.Add(time.Hour))
	b.Kind = truce.KindMLRS
	c := Obs("c", 179.5, 60, t0.Add(2*time.Hour))
	c.BlamedParty = "UA"
	bearing, dist := 90.0, 5000.0
	d := Obs("d", 0, 0, t0.Add(3*time.Hour))
	d.Location = truce.Location{Observer: &truce.Position{Lon: 37.0, Lat: 48.0}, BearingDeg: &bearing, DistanceM: &dist, BearingErrorDeg: 5}
	region := Obs("r", 0, 0, t0.Add(4*time.Hour))
	region.Location = truce.Location{Region: "Odesa oblast", GeoPrecision: truce.GeoOblast}
	if _, err := s.AddObservations(ctx, mon, []*truce.Observation{a, b, c, d, region}); err != nil {
		t.Fatal(err)
	}
	e := Obs("e", -179.5, 60, t0.Add(5*time.Hour))
	if _, err := s.AddObservations(ctx, party, []*truce.Observation{e}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    truce.ObservationFilter
		want []string
	}{
		{"all", truce.ObservationFilter{}, []string{"a", "b", "c", "d", "r", "e"}},
		{"time", truce.ObservationFilter{From: t0.Add(time.Hour), To: t0.Add(3 * time.Hour)}, []string{"b", "c"}},
		{"bbox", truce.ObservationFilter{BBox: &truce.BBox{West: 37, South: 47.9, East: 38, North: 48.1}}, []string{"a", "d"}},
		{"antimeridian", truce.ObservationFilter{BBox: &truce.BBox{West: 179, South: 59, East: -179, North: 61}}, []string{"c", "e"}},
		{"kind", truce.ObservationFilter{Kinds: []truce.Kind{truce.KindMLRS}}, []string{"b"}},
		{"source", truce.ObservationFilter{Sources: []string{"ru-liaison"}}, []string{"e"}},
		{"blamed", truce.ObservationFilter{BlamedParties: []string{"UA"}}, []string{"c"}},
		{"combined", truce.ObservationFilter{Kinds: []truce.Kind{truce.KindArtillery}, BlamedParties: []string{"RU"}, From: t0.Add(time.Minute)}, []string{"d", "r", "e"}},
		{"none", truce.ObservationFilter{Sources: []string{"nobody"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := s.FindObservations(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range page.Observations {
				got = append(got, o.ID)
			}
			if !slices.Equal(got, tt.want) || page.Next != "" {
				t.Errorf("got %v (next %q), want %v", got, page.Next, tt.want)
			}
		})
	}
	_, err := s.FindObservations(ctx, truce.ObservationFilter{Cursor: "not-a-cursor!"})
	wantCode(t, err, truce.EINVALID)
}

func testPagination(t *testing.T, s truce.Store) {
	mon, _ := MustSource(t, s, "mon", "monitor")
	const n = 257
	var batch []*truce.Observation
	for i := range n {
		// Several observations share each instant, so the cursor must
		// break ties by id.
		batch = append(batch, Obs(fmt.Sprintf("p-%03d", (i*7)%n), 37, 48, t0.Add(time.Duration(i/3)*time.Minute)))
	}
	if _, err := s.AddObservations(ctx, mon, batch); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var cursor string
	pages := 0
	for {
		page, err := s.FindObservations(ctx, truce.ObservationFilter{Limit: 20, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, o := range page.Observations {
			if seen[o.ID] {
				t.Fatalf("%s seen twice", o.ID)
			}
			seen[o.ID] = true
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	if len(seen) != n || pages != 13 {
		t.Errorf("walked %d observations in %d pages, want %d in 13", len(seen), pages, n)
	}
}

// Agreement returns a small valid agreement.
func Agreement(id string, version int) *truce.Agreement {
	return &truce.Agreement{
		ID: id, Version: version, Title: "Test ceasefire",
		Parties:       []truce.Party{{ID: "UA", Name: "Ukraine"}, {ID: "RU", Name: "Russian Federation"}},
		Window:        truce.Window{Start: t0, End: t0.Add(720 * time.Hour), TimeZone: "Europe/Kyiv"},
		LineOfContact: truce.LineOfContact{ControlMapAt: "start"},
		Rules:         []truce.Rule{{ID: "R1", Name: "No fire", Prohibits: []truce.Kind{truce.KindArtillery}}},
	}
}

func testAgreements(t *testing.T, s truce.Store) {
	party, _ := MustSource(t, s, "ua-liaison", "party:UA")
	_, _, err := s.AddAgreement(ctx, party, Agreement("cf", 1))
	wantCode(t, err, truce.EFORBIDDEN)
	rec, created, err := s.AddAgreement(ctx, nil, Agreement("cf", 1))
	if err != nil || !created {
		t.Fatalf("AddAgreement: %v created=%v", err, created)
	}
	_, created, err = s.AddAgreement(ctx, nil, Agreement("cf", 1))
	if err != nil || created {
		t.Fatalf("repeat: %v created=%v", err, created)
	}
	changed := Agreement("cf", 1)
	changed.Title = "Changed"
	_, _, err = s.AddAgreement(ctx, nil, changed)
	wantCode(t, err, truce.ECONFLICT)
	v2 := Agreement("cf", 2)
	v2.Title = "Second version"
	if _, _, err := s.AddAgreement(ctx, nil, v2); err != nil {
		t.Fatal(err)
	}
	bad := Agreement("bad", 1)
	bad.Rules = nil
	_, _, err = s.AddAgreement(ctx, nil, bad)
	wantCode(t, err, truce.EINVALID)
	got, err := s.Agreement(ctx, "cf")
	if err != nil || got.Version != 2 || got.Title != "Second version" || got.LogIndex <= rec.LogIndex {
		t.Fatalf("Agreement = %+v, %v", got, err)
	}
	if !got.Window.Start.Equal(t0) {
		t.Errorf("window start = %v", got.Window.Start)
	}
	if _, _, err := s.AddAgreement(ctx, nil, Agreement("another", 1)); err != nil {
		t.Fatal(err)
	}
	all, err := s.Agreements(ctx)
	if err != nil || len(all) != 2 || all[0].ID != "another" || all[1].Version != 2 {
		t.Fatalf("Agreements = %v, %v", all, err)
	}
	_, err = s.Agreement(ctx, "missing")
	wantCode(t, err, truce.ENOTFOUND)
}

// ControlMap returns a control map with a 1°×1° square held by RU.
func ControlMap(id string, asOf time.Time) *truce.ControlMap {
	return &truce.ControlMap{ID: id, AsOf: asOf, Holdings: []truce.Holding{{
		Party:    "RU",
		Geometry: json.RawMessage(`{"type":"Polygon","coordinates":[[[37,47],[38,47],[38,48],[37,48],[37,47]]]}`),
	}}}
}

func testControlMaps(t *testing.T, s truce.Store) {
	ds, _ := MustSource(t, s, "deepstate", "dataset")
	mon, _ := MustSource(t, s, "mon", "monitor")
	_, _, err := s.AddControlMap(ctx, mon, ControlMap("m0", t0))
	wantCode(t, err, truce.EFORBIDDEN)
	for i, id := range []string{"m1", "m2", "m3"} {
		if _, created, err := s.AddControlMap(ctx, ds, ControlMap(id, t0.Add(time.Duration(i)*24*time.Hour))); err != nil || !created {
			t.Fatalf("AddControlMap(%s): %v %v", id, err, created)
		}
	}
	if _, created, err := s.AddControlMap(ctx, ds, ControlMap("m2", t0.Add(24*time.Hour))); err != nil || created {
		t.Fatalf("repeat: %v %v", err, created)
	}
	_, _, err = s.AddControlMap(ctx, ds, ControlMap("m2", t0))
	wantCode(t, err, truce.ECONFLICT)
	broken := ControlMap("broken", t0)
	broken.Holdings[0].Geometry = json.RawMessage(`{"type":"Polygon","coordinates":[[[37,47],[38,47],[38,48],[37,48]]]}`)
	_, _, err = s.AddControlMap(ctx, ds, broken)
	wantCode(t, err, truce.EINVALID)
	at, err := s.ControlMapAt(ctx, "deepstate", t0.Add(36*time.Hour))
	if err != nil || at.ID != "m2" || at.Source != "deepstate" || len(at.Holdings[0].Geometry) == 0 {
		t.Fatalf("ControlMapAt = %+v, %v", at, err)
	}
	if at, err := s.ControlMapAt(ctx, "", t0.Add(240*time.Hour)); err != nil || at.ID != "m3" {
		t.Fatalf("ControlMapAt(any) = %+v, %v", at, err)
	}
	_, err = s.ControlMapAt(ctx, "deepstate", t0.Add(-time.Hour))
	wantCode(t, err, truce.ENOTFOUND)
	list, err := s.ControlMaps(ctx)
	if err != nil || len(list) != 3 || list[0].ID != "m1" || list[2].ID != "m3" {
		t.Fatalf("ControlMaps = %v, %v", list, err)
	}
	if m, err := s.ControlMap(ctx, "m1"); err != nil || m.Holdings[0].Party != "RU" {
		t.Fatalf("ControlMap = %+v, %v", m, err)
	}
}

func testLogEntries(t *testing.T, s truce.Store) {
	mon, _ := MustSource(t, s, "mon", "monitor")
	if _, _, err := s.AddAgreement(ctx, nil, Agreement("cf", 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddObservations(ctx, mon, []*truce.Observation{Obs("o1", 37, 48, t0), Obs("o2", 37, 48, t0)}); err != nil {
		t.Fatal(err)
	}
	n := logSize(t, s)
	if n != 5 {
		t.Fatalf("log size %d, want 5", n)
	}
	entries, err := s.Entries(ctx, 0, n+10)
	if err != nil {
		t.Fatal(err)
	}
	types := []truce.EntryType{truce.EntrySource, truce.EntryCredential, truce.EntryAgreement, truce.EntryObservation, truce.EntryObservation}
	var last time.Time
	for i, e := range entries {
		if e.Index != int64(i) || e.Type != types[i] {
			t.Errorf("entry %d = index %d type %s, want %s", i, e.Index, e.Type, types[i])
		}
		if e.Time.Before(last) {
			t.Errorf("entry %d time %v goes back from %v", i, e.Time, last)
		}
		last = e.Time
		d, err := truce.DecodeEntry(e.Encode())
		if err != nil || string(d.Data) != string(e.Data) || !d.Time.Equal(e.Time) {
			t.Errorf("entry %d does not round-trip: %v", i, err)
		}
	}
	if mid, err := s.Entries(ctx, 1, 3); err != nil || len(mid) != 2 || mid[0].Index != 1 || mid[1].Type != truce.EntryAgreement {
		t.Errorf("Entries(1, 3) = %v, %v", mid, err)
	}
	_, err = s.Entries(ctx, 3, 1)
	wantCode(t, err, truce.EINVALID)
}

func testConcurrentWriters(t *testing.T, s truce.Store) {
	const writers, batches, per = 8, 10, 25
	srcs := make([]*truce.Source, writers)
	for w := range srcs {
		srcs[w], _ = MustSource(t, s, fmt.Sprintf("sensor-%d", w), "sensor")
	}
	start := logSize(t, s)
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				var batch []*truce.Observation
				for i := range per {
					batch = append(batch, Obs(fmt.Sprintf("w%d-b%d-%d", w, b, i), 37+float64(w)/10, 48, t0.Add(time.Duration(i)*time.Second)))
				}
				if _, err := s.AddObservations(ctx, srcs[w], batch); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	total := int64(writers * batches * per)
	if got := logSize(t, s); got != start+total {
		t.Fatalf("log size %d, want %d", got, start+total)
	}
	entries, err := s.Entries(ctx, start, start+total)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for i, e := range entries {
		if e.Index != start+int64(i) {
			t.Fatalf("entry %d has index %d: the log has a gap", i, e.Index)
		}
		var o truce.Observation
		if err := json.Unmarshal(e.Data, &o); err != nil {
			t.Fatal(err)
		}
		ids[o.ID] = true
	}
	if len(ids) != int(total) {
		t.Errorf("%d distinct observations logged, want %d", len(ids), total)
	}
}

// testMerkleTree checks the stored Merkle tree against RFC 6962's
// definition, computed here from the entries alone, for every prefix of a
// log written in batches of several sizes and by concurrent writers.
func testMerkleTree(t *testing.T, s truce.Store) {
	mon, _ := MustSource(t, s, "mon", "monitor")
	n := 0
	for _, size := range []int{1, 2, 5, 1, 16, 33} {
		var batch []*truce.Observation
		for range size {
			batch = append(batch, Obs(fmt.Sprintf("m-%d", n), 37, 48, t0))
			n++
		}
		if _, err := s.AddObservations(ctx, mon, batch); err != nil {
			t.Fatal(err)
		}
	}
	testConcurrentWriters(t, s)
	size := logSize(t, s)
	entries, err := s.Entries(ctx, 0, size)
	if err != nil {
		t.Fatal(err)
	}
	leaves := make([][32]byte, len(entries))
	for i, e := range entries {
		leaves[i] = sha256.Sum256(append([]byte{0}, e.Encode()...))
	}
	reader := ledger.HashReader(ctx, s)
	// Every prefix of the first writes, then a sample through the
	// concurrent ones, and the whole log.
	var sizes []int64
	for n := int64(1); n <= size; n++ {
		if n <= 80 || n%97 == 0 || n == size {
			sizes = append(sizes, n)
		}
	}
	for _, n := range sizes {
		got, err := tlog.TreeHash(n, reader)
		if err != nil {
			t.Fatalf("TreeHash(%d): %v", n, err)
		}
		if want := rfc6962Root(leaves[:n]); got != tlog.Hash(want) {
			t.Fatalf("root of the first %d entries is %x, RFC 6962 says %x", n, got, want)
		}
	}
	_, err = s.ReadHashes(ctx, []int64{tlog.StoredHashIndex(0, size)})
	wantCode(t, err, truce.ENOTFOUND)
}

// testCheckpoints checks the rules of signed checkpoints: none at first,
// sizes within the log that never decrease, one root per size, and the
// latest one returned byte for byte.
func testCheckpoints(t *testing.T, s truce.Store) {
	_, err := s.LatestCheckpoint(ctx)
	wantCode(t, err, truce.ENOTFOUND)
	mon, _ := MustSource(t, s, "mon", "monitor")
	var batch []*truce.Observation
	for i := range 5 {
		batch = append(batch, Obs(fmt.Sprintf("cp-%d", i), 37, 48, t0))
	}
	if _, err := s.AddObservations(ctx, mon, batch); err != nil {
		t.Fatal(err)
	}
	size := logSize(t, s)
	reader := ledger.HashReader(ctx, s)
	checkpoint := func(n int64) *truce.SignedCheckpoint {
		t.Helper()
		root, err := tlog.TreeHash(n, reader)
		if err != nil {
			t.Fatal(err)
		}
		return &truce.SignedCheckpoint{Size: n, Root: root, Note: []byte(fmt.Sprintf("test.invalid/log\n%d\nroot\n\n— sig\n", n)),
			SignedAt: time.Date(2025, 3, 14, 6, 0, int(n), 123456789, time.FixedZone("EET", 2*3600))}
	}
	latest := func(want *truce.SignedCheckpoint) {
		t.Helper()
		got, err := s.LatestCheckpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got.Size != want.Size || got.Root != want.Root || string(got.Note) != string(want.Note) || !got.SignedAt.Equal(want.SignedAt) {
			t.Fatalf("LatestCheckpoint = size %d root %x note %q at %v, want size %d root %x note %q at %v",
				got.Size, got.Root, got.Note, got.SignedAt, want.Size, want.Root, want.Note, want.SignedAt)
		}
	}

	small, big := checkpoint(2), checkpoint(size-1)
	if err := s.AddCheckpoint(ctx, small); err != nil {
		t.Fatal(err)
	}
	latest(small)
	// The same checkpoint again changes nothing; another root for its size
	// is a fork.
	if err := s.AddCheckpoint(ctx, checkpoint(2)); err != nil {
		t.Errorf("re-adding the same checkpoint: %v", err)
	}
	forked := checkpoint(2)
	forked.Root[0] ^= 1
	wantCode(t, s.AddCheckpoint(ctx, forked), truce.ECONFLICT)
	if err := s.AddCheckpoint(ctx, big); err != nil {
		t.Fatal(err)
	}
	latest(big)
	// Sizes do not go back; a known older checkpoint may be repeated.
	wantCode(t, s.AddCheckpoint(ctx, checkpoint(3)), truce.ECONFLICT)
	if err := s.AddCheckpoint(ctx, checkpoint(2)); err != nil {
		t.Errorf("repeating an older checkpoint: %v", err)
	}
	forked = checkpoint(size - 1)
	forked.Root[31] ^= 0x80
	wantCode(t, s.AddCheckpoint(ctx, forked), truce.ECONFLICT)
	// Nothing beyond the log, nothing malformed.
	beyond := checkpoint(size)
	beyond.Size = size + 1
	wantCode(t, s.AddCheckpoint(ctx, beyond), truce.EINVALID)
	bad := checkpoint(size)
	bad.Note = nil
	wantCode(t, s.AddCheckpoint(ctx, bad), truce.EINVALID)
	bad = checkpoint(size)
	bad.SignedAt = time.Time{}
	wantCode(t, s.AddCheckpoint(ctx, bad), truce.EINVALID)
	bad = checkpoint(size)
	bad.Size = -1
	wantCode(t, s.AddCheckpoint(ctx, bad), truce.EINVALID)
	latest(big)
	// A checkpoint of the whole log moves the latest forward.
	whole := checkpoint(size)
	if err := s.AddCheckpoint(ctx, whole); err != nil {
		t.Fatal(err)
	}
	latest(whole)
	if n := logSize(t, s); n != size {
		t.Errorf("checkpoints changed the log size from %d to %d: they are not entries", size, n)
	}
}

// rfc6962Root is RFC 6962's Merkle tree hash, section 2.1, over leaf hashes.
func rfc6962Root(leaves [][32]byte) [32]byte {
	if len(leaves) == 1 {
		return leaves[0]
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	l, r := rfc6962Root(leaves[:k]), rfc6962Root(leaves[k:])
	return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
}

// checkSealedEntry checks that e, the entry of rec, holds the public form
// of o as filed by source with role: the role, not the source, in the
// header; nothing of the source, the observer or the text in the clear;
// and the record's private parts matching the entry's commitments and
// giving back o as filed.
func checkSealedEntry(t *testing.T, e *truce.Entry, rec *truce.ObservationRecord, o *truce.Observation, source string, role truce.Role) {
	t.Helper()
	if e.Type != truce.EntryObservation || e.Submitter != string(role) {
		t.Errorf("entry %s by %q, want an observation by role %s", e.Type, e.Submitter, role)
	}
	pub, err := truce.DecodeSealed(e.Data)
	if err != nil {
		t.Fatalf("entry data %s: %v", e.Data, err)
	}
	if pub.ID != rec.PublicID || pub.Clear != nil {
		t.Errorf("public form %s: want sealed, with the record's public id %s", e.Data, rec.PublicID)
	}
	for _, secret := range []string{`"` + source + `"`, `"` + o.ID + `"`, o.Text} {
		if secret != `""` && secret != "" && strings.Contains(string(e.Data), secret) {
			t.Errorf("public form %s holds %s", e.Data, secret)
		}
	}
	got, err := truce.Unseal(pub, rec.Private)
	if err != nil {
		t.Fatalf("unsealing with the record's private parts: %v", err)
	}
	want := *o
	want.Source, want.SourceRole = source, role
	wb, _ := want.Canonical()
	gb, _ := got.Canonical()
	if string(gb) != string(wb) {
		t.Errorf("unsealed %s, want %s", gb, wb)
	}
}

// Named returns the observation that a finding or incident names by id:
// its public id, or an id that exactly one source filed it under (found by
// walking the whole record, as tests may; stores look ids up by source).
func Named(ctx context.Context, s truce.ObservationService, id string) (*truce.ObservationRecord, error) {
	if truce.IsPublicID(id) {
		return s.ObservationByPublicID(ctx, id)
	}
	var found *truce.ObservationRecord
	f := truce.ObservationFilter{Limit: truce.MaxPageSize}
	for {
		page, err := s.FindObservations(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, r := range page.Observations {
			if r.ID != id {
				continue
			}
			if found != nil {
				return nil, fmt.Errorf("storetest: sources %s and %s both filed an observation %q", found.Source, r.Source, id)
			}
			found = r
		}
		if page.Next == "" {
			break
		}
		f.Cursor = page.Next
	}
	if found == nil {
		return nil, truce.Errorf(truce.ENOTFOUND, "no observation %q", id)
	}
	return s.Observation(ctx, found.Source, id)
}
