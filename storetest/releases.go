package storetest

import (
	"testing"

	"github.com/truce-monitor/truce"
)

// testReleases checks AddRelease: who may release, what it must name,
// idempotent repeats and conflicts, the entry logged, and the releases
// that the records carry afterwards.
func testReleases(t *testing.T, s truce.Store) {
	mon, _ := MustSource(t, s, "mon", "monitor")
	analyst, _ := MustSource(t, s, "analyst-1", "analyst")
	admin, _ := MustSource(t, s, "admin-1", "admin")
	party, _ := MustSource(t, s, "ua-liaison", "party:UA")
	res, err := s.AddObservations(ctx, mon, []*truce.Observation{Obs("m-1", 37, 48, t0)})
	if err != nil {
		t.Fatal(err)
	}
	pid := res[0].PublicID
	rel := func(id string, groups ...truce.FieldGroup) *truce.Release {
		return &truce.Release{ID: id, Observation: pid, Groups: groups, To: truce.AudienceParty, Party: "RU", Reason: "answers RU's question"}
	}
	size := logSize(t, s)
	for _, by := range []*truce.Source{mon, party, nil} {
		_, _, err := s.AddRelease(ctx, by, rel("r-0", truce.GroupText))
		wantCode(t, err, truce.EFORBIDDEN)
	}
	_, _, err = s.AddRelease(ctx, analyst, rel("r-0", truce.GroupEvidence))
	wantCode(t, err, truce.EINVALID) // the observation has no evidence
	_, _, err = s.AddRelease(ctx, analyst, &truce.Release{ID: "r-0", Observation: "o-00000000000000000000000000000000",
		Groups: []truce.FieldGroup{truce.GroupText}, To: truce.AudiencePublic, Reason: "r"})
	wantCode(t, err, truce.ENOTFOUND)
	if n := logSize(t, s); n != size {
		t.Fatalf("refused releases grew the log from %d to %d", size, n)
	}

	got, created, err := s.AddRelease(ctx, analyst, rel("r-1", truce.GroupText, truce.GroupSource))
	if err != nil || !created {
		t.Fatalf("AddRelease: %v, created %v", err, created)
	}
	if got.By != analyst.PublicName || got.Role != "analyst" || got.LogIndex != size || got.Groups[0] != truce.GroupSource {
		t.Errorf("release record %+v: want by %s in role analyst at entry %d, groups in name order", got, analyst.PublicName, size)
	}
	es, err := s.Entries(ctx, size, size+1)
	if err != nil || len(es) != 1 || es[0].Type != truce.EntryRelease || es[0].Submitter != analyst.PublicName {
		t.Fatalf("entry %d: %v, %v", size, es, err)
	}
	if _, err := truce.DecodeRelease(es[0].Data); err != nil {
		t.Errorf("the entry's data does not decode: %v", err)
	}
	again, created, err := s.AddRelease(ctx, analyst, rel("r-1", truce.GroupText, truce.GroupSource))
	if err != nil || created || again.LogIndex != got.LogIndex {
		t.Errorf("the same release again: %+v, created %v, %v", again, created, err)
	}
	_, _, err = s.AddRelease(ctx, admin, rel("r-1", truce.GroupText))
	wantCode(t, err, truce.ECONFLICT)
	if _, _, err := s.AddRelease(ctx, admin, &truce.Release{ID: "r-2", Observation: pid, Groups: []truce.FieldGroup{truce.GroupText},
		To: truce.AudiencePublic, Reason: "public now"}); err != nil {
		t.Fatal(err)
	}
	page, err := s.FindObservations(ctx, truce.ObservationFilter{})
	if err != nil || len(page.Observations) != 1 {
		t.Fatalf("FindObservations: %v, %v", page, err)
	}
	rs := page.Observations[0].Releases
	if len(rs) != 2 || rs[0].ID != "r-1" || rs[1].ID != "r-2" || rs[1].By != admin.PublicName {
		t.Errorf("the record's releases: %+v; want r-1, r-2 in log order", rs)
	}
}
