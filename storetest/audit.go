package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

// testPrivateReads checks the audit trail: reads recorded in one call come
// back in order, numbered, with every field; by observation, after an id
// and up to a limit; to admins (and the local operator) only.
func testPrivateReads(t *testing.T, s truce.Store) {
	admin, _ := MustSource(t, s, "admin-1", "admin")
	analyst, _ := MustSource(t, s, "analyst-1", "analyst")
	party, _ := MustSource(t, s, "ua-liaison", "party:UA")
	at := time.Date(2025, 3, 16, 11, 0, 0, 250, time.UTC)
	const o1, o2 = "o-00000000000000000000000000000001", "o-00000000000000000000000000000002"
	in := []*truce.PrivateRead{
		{At: at, Audience: "party:UA", Reader: "ua-liaison", Observation: o1, LogIndex: 4, Groups: []truce.FieldGroup{truce.GroupText}, RequestID: "req-1"},
		{At: at, Audience: "mission", Reader: "analyst-1", Observation: o2, LogIndex: 5, Groups: truce.FieldGroups, RequestID: "req-2"},
		{At: at.Add(time.Second), Audience: "public", Observation: o1, LogIndex: 4, Groups: []truce.FieldGroup{truce.GroupSource}},
	}
	if err := s.RecordPrivateReads(ctx, in); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordPrivateReads(ctx, nil); err != nil {
		t.Fatalf("recording no reads: %v", err)
	}
	all, err := s.PrivateReads(ctx, admin, "", 0, 0)
	if err != nil || len(all) != 3 {
		t.Fatalf("PrivateReads: %d, %v; want 3", len(all), err)
	}
	for i, r := range all {
		w := *in[i]
		if r.ID <= 0 || i > 0 && r.ID <= all[i-1].ID {
			t.Errorf("read %d has id %d: want increasing ids from 1", i, r.ID)
		}
		w.ID = r.ID
		if !r.At.Equal(w.At) || r.Audience != w.Audience || r.Reader != w.Reader || r.Observation != w.Observation ||
			r.LogIndex != w.LogIndex || !slices.Equal(r.Groups, w.Groups) || r.RequestID != w.RequestID {
			t.Errorf("read %d: %+v, want %+v", i, r, w)
		}
	}
	if rs, err := s.PrivateReads(ctx, admin, o1, 0, 0); err != nil || len(rs) != 2 || rs[0].ID != all[0].ID || rs[1].ID != all[2].ID {
		t.Errorf("reads of %s: %+v, %v; want the first and the third", o1, rs, err)
	}
	if rs, err := s.PrivateReads(ctx, admin, "", all[0].ID, 1); err != nil || len(rs) != 1 || rs[0].ID != all[1].ID {
		t.Errorf("one read after the first: %+v, %v; want the second", rs, err)
	}
	if rs, err := s.PrivateReads(ctx, nil, "", 0, 0); err != nil || len(rs) != 3 {
		t.Errorf("the local operator reads %d, %v; want 3", len(rs), err)
	}
	for _, by := range []*truce.Source{analyst, party} {
		_, err := s.PrivateReads(ctx, by, "", 0, 0)
		wantCode(t, err, truce.EFORBIDDEN)
	}
}
