package storetest

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
)

// seriesFinding returns a violation finding on the incident of obs, the
// first its anchor, under agreement "ag" version 1, as series series.
func seriesFinding(series, party string, conf truce.Confidence, obs ...string) *truce.SeriesFinding {
	inc := "inc-" + strings.Join(obs, "-")
	return &truce.SeriesFinding{
		Series: series, Anchor: obs[0], AnchorIndex: 0, Observations: obs,
		Finding: &truce.Finding{
			ID: "f-" + inc, Incident: inc, Agreement: "ag", Version: 1, Violation: true, Rule: "R1",
			Party: party, Confidence: conf, Reasons: []truce.Reason{{Code: "test", Text: "A test finding."}}, Engine: "test/1",
		},
	}
}

func findingRun(size int64, fs ...*truce.SeriesFinding) *truce.FindingRun {
	for _, f := range fs {
		f.Finding.LogSize = size
	}
	return &truce.FindingRun{Agreement: "ag", AgreementVersion: 1, LogSize: size, Engine: "test/1", Findings: fs}
}

func mustRecord(t *testing.T, s truce.Store, run *truce.FindingRun) *truce.RecordResult {
	t.Helper()
	res, err := s.RecordFindings(ctx, run)
	if err != nil {
		t.Fatalf("RecordFindings(log size %d): %v", run.LogSize, err)
	}
	return res
}

// versionsOf lists "series@version" for vs, with "-" for a withdrawal.
func versionsOf(vs []*truce.FindingVersion) []string {
	var out []string
	for _, v := range vs {
		s := v.Series + "@" + strconv.Itoa(v.Version)
		if v.Withdrawn {
			s += "-" + v.MergedInto
		}
		out = append(out, s)
	}
	return out
}

// testFindingVersions checks that recording a recomputation stores a new
// version only for what changed, withdraws what is gone (naming the series
// that absorbed it), refuses a run older than one recorded, and that a
// series is found by its id, a version's content id or the engine's id.
func testFindingVersions(t *testing.T, s truce.Store) {
	res := mustRecord(t, s, findingRun(10, seriesFinding("a", "RU", truce.Probable, "o1"), seriesFinding("b", "UA", truce.Possible, "o2")))
	if got := versionsOf(res.Added); !slices.Equal(got, []string{"a@1", "b@1"}) || res.Unchanged != 0 {
		t.Fatalf("first run added %v (unchanged %d), want a@1 b@1", got, res.Unchanged)
	}
	// The same findings from a longer log: nothing new.
	res = mustRecord(t, s, findingRun(12, seriesFinding("a", "RU", truce.Probable, "o1"), seriesFinding("b", "UA", truce.Possible, "o2")))
	if len(res.Added) != 0 || res.Unchanged != 2 {
		t.Fatalf("unchanged run added %v, unchanged %d; want nothing, 2", versionsOf(res.Added), res.Unchanged)
	}
	// o2 joins a's incident: a gets version 2, b is withdrawn into a.
	res = mustRecord(t, s, findingRun(15, seriesFinding("a", "RU", truce.Confirmed, "o1", "o2")))
	if got := versionsOf(res.Added); !slices.Equal(got, []string{"a@2", "b@2-a"}) {
		t.Fatalf("merging run added %v, want a@2 b@2-a", got)
	}
	// A run from a shorter log than one recorded changes nothing.
	_, err := s.RecordFindings(ctx, findingRun(11, seriesFinding("a", "RU", truce.Possible, "o1")))
	wantCode(t, err, truce.ECONFLICT)
	// An invalid run is refused.
	bad := findingRun(16, seriesFinding("a", "RU", truce.Confirmed, "o1"))
	bad.Findings[0].Anchor = "elsewhere"
	_, err = s.RecordFindings(ctx, bad)
	wantCode(t, err, truce.EINVALID)

	h, err := s.Finding(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if h.Current.Version != 2 || len(h.Earlier) != 1 || h.Current.LogSize != 15 || h.Earlier[0].LogSize != 10 {
		t.Fatalf("history of a: current %+v, earlier %d", h.Current, len(h.Earlier))
	}
	if want := []string{"confidence", "observations"}; !slices.Equal(h.Current.Changes, want) {
		t.Errorf("a@2 changes = %v, want %v", h.Current.Changes, want)
	}
	if !slices.Equal(h.Current.Observations, []string{"o1", "o2"}) || h.Current.Finding.Incident != "inc-o1-o2" {
		t.Errorf("a@2 = %+v", h.Current)
	}
	if h.Outcome.Confidence != truce.Confirmed || h.Outcome.AdjustedBy != "" {
		t.Errorf("outcome = %+v, want the engine's", h.Outcome)
	}
	for _, id := range []string{h.Earlier[0].ContentID, h.Current.ContentID, "f-inc-o1"} {
		if got, err := s.Finding(ctx, id); err != nil || got.Series != "a" {
			t.Errorf("Finding(%s) = %v, %v; want series a", id, got, err)
		}
	}
	_, err = s.Finding(ctx, "nothing")
	wantCode(t, err, truce.ENOTFOUND)
	hb, err := s.Finding(ctx, "b")
	if err != nil || !hb.Current.Withdrawn || hb.Current.MergedInto != "a" || !hb.Outcome.Withdrawn || hb.Outcome.Party != "UA" {
		t.Fatalf("history of b: %+v, %v", hb, err)
	}

	list := func(f truce.FindingFilter) []string {
		t.Helper()
		var out []string
		for {
			page, err := s.Findings(ctx, f)
			if err != nil {
				t.Fatalf("Findings(%+v): %v", f, err)
			}
			out = append(out, versionsOf(page.Findings)...)
			if page.Next == "" {
				return out
			}
			f.Cursor = page.Next
		}
	}
	no := false
	for _, tc := range []struct {
		f    truce.FindingFilter
		want []string
	}{
		{truce.FindingFilter{}, []string{"a@2"}},
		{truce.FindingFilter{Status: truce.StatusWithdrawn}, []string{"b@2-a"}},
		{truce.FindingFilter{Status: truce.StatusAll, Limit: 1}, []string{"a@2", "b@2-a"}},
		{truce.FindingFilter{Party: "RU", Confidence: truce.Confirmed, Rule: "R1", Agreement: "ag"}, []string{"a@2"}},
		{truce.FindingFilter{Party: "UA"}, nil},
		{truce.FindingFilter{Violation: &no}, nil},
		{truce.FindingFilter{Status: truce.StatusDisputed}, nil},
	} {
		if got := list(tc.f); !slices.Equal(got, tc.want) {
			t.Errorf("Findings(%+v) = %v, want %v", tc.f, got, tc.want)
		}
	}
	_, err = s.Findings(ctx, truce.FindingFilter{Cursor: "!!"})
	wantCode(t, err, truce.EINVALID)

	// The series comes back: a new version, no longer withdrawn.
	res = mustRecord(t, s, findingRun(20, seriesFinding("a", "RU", truce.Confirmed, "o1"), seriesFinding("b", "UA", truce.Possible, "o2")))
	if got := versionsOf(res.Added); !slices.Equal(got, []string{"a@3", "b@3"}) {
		t.Fatalf("splitting run added %v, want a@3 b@3", got)
	}
}

// testReviews checks the review workflow and every refusal: roles,
// unknown series and versions, stale versions, idempotent repeats,
// overrides that change nothing, disputes about another party and with
// missing evidence, and resolutions of unknown or resolved disputes.
func testReviews(t *testing.T, s truce.Store) {
	analyst, _ := MustSource(t, s, "ana", "analyst")
	ru, _ := MustSource(t, s, "ru-liaison", "party:RU")
	ua, _ := MustSource(t, s, "ua-liaison", "party:UA")
	mon, _ := MustSource(t, s, "mon", "monitor")
	filed, err := s.AddObservations(ctx, mon, []*truce.Observation{Obs("o1", 37, 48, t0), Obs("o2", 37, 48, t0)})
	if err != nil {
		t.Fatal(err)
	}
	// A party names another source's observations by public id: their
	// own ids are withheld from it.
	o1, o2 := filed[0].PublicID, filed[1].PublicID
	mustRecord(t, s, findingRun(logSize(t, s), seriesFinding("a", "RU", truce.Probable, "o1")))
	ptr := func(s string) *string { return &s }
	yes, no := true, false

	add := func(by *truce.Source, r truce.Review) (*truce.ReviewRecord, bool, error) {
		t.Helper()
		return s.AddReview(ctx, by, &r)
	}
	confirm := truce.Review{ID: "r-confirm", Series: "a", Version: 1, Action: truce.ReviewConfirm}
	rec, created, err := add(analyst, confirm)
	if err != nil || !created || rec.By != analyst.PublicName || rec.Role != "analyst" || rec.Finding == "" {
		t.Fatalf("confirm: %+v, %v, %v", rec, created, err)
	}
	size := logSize(t, s)
	again, created, err := add(analyst, confirm)
	if err != nil || created || again.LogIndex != rec.LogIndex || logSize(t, s) != size {
		t.Fatalf("repeated confirm: %+v, created %v, %v; want entry %d again", again, created, err, rec.LogIndex)
	}
	other := confirm
	other.Reason = "other words"
	_, _, err = add(analyst, other)
	wantCode(t, err, truce.ECONFLICT)

	dispute := truce.Review{ID: "r-dispute", Series: "a", Version: 1, Action: truce.ReviewDispute,
		Reason: "Our guns were silent.", Evidence: []string{o2}, Text: "Logs attached."}
	for _, tc := range []struct {
		name string
		by   *truce.Source
		r    truce.Review
		code string
		path string
	}{
		{"monitor confirms", mon, confirm, truce.EFORBIDDEN, ""},
		{"analyst disputes", analyst, dispute, truce.EFORBIDDEN, ""},
		{"party overrides", ru, truce.Review{ID: "r-x", Series: "a", Version: 1, Action: truce.ReviewOverride, Party: ptr("UA"), Reason: "no"}, truce.EFORBIDDEN, ""},
		{"another party disputes", ua, dispute, truce.EFORBIDDEN, ""},
		{"unknown series", analyst, truce.Review{ID: "r-x", Series: "zzz", Version: 1, Action: truce.ReviewConfirm}, truce.ENOTFOUND, ""},
		{"unknown version", analyst, truce.Review{ID: "r-x", Series: "a", Version: 9, Action: truce.ReviewConfirm}, truce.ENOTFOUND, ""},
		{"override changes nothing", analyst, truce.Review{ID: "r-x", Series: "a", Version: 1, Action: truce.ReviewOverride, Party: ptr("RU"), Reason: "same"}, truce.EINVALID, "$"},
		{"override without reason", analyst, truce.Review{ID: "r-x", Series: "a", Version: 1, Action: truce.ReviewOverride, Violation: &no}, truce.EINVALID, "$.reason"},
		{"missing evidence", ru, truce.Review{ID: "r-x", Series: "a", Version: 1, Action: truce.ReviewDispute, Reason: "r", Evidence: []string{o1, "o2"}}, truce.EINVALID, "$.evidence[1]"},
		{"bad action", analyst, truce.Review{ID: "r-x", Series: "a", Version: 1, Action: "approve"}, truce.EINVALID, "$.action"},
		{"resolve unknown dispute", analyst, truce.Review{ID: "r-x", Series: "a", Version: 1, Action: truce.ReviewResolve, Dispute: "nope", Outcome: truce.DisputeRejected, Reason: "r"}, truce.ENOTFOUND, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := add(tc.by, tc.r)
			wantCode(t, err, tc.code)
			if tc.path != "" && !slices.ContainsFunc(truce.ErrorProblems(err), func(p truce.Problem) bool { return p.Path == tc.path }) {
				t.Errorf("problems %v name no %s", truce.ErrorProblems(err), tc.path)
			}
		})
	}

	d, _, err := add(ru, dispute)
	if err != nil || d.Role != "party:RU" {
		t.Fatalf("dispute: %+v, %v", d, err)
	}
	h, err := s.Finding(ctx, "a")
	if err != nil || !slices.Equal(h.Outcome.OpenDisputes, []string{"r-dispute"}) {
		t.Fatalf("outcome after dispute: %+v, %v", h.Outcome, err)
	}
	resolve := truce.Review{ID: "r-resolve", Series: "a", Version: 1, Action: truce.ReviewResolve, Dispute: "r-dispute",
		Outcome: truce.DisputeUpheld, Party: ptr(""), Confidence: truce.Possible, Reason: "The origin cannot be placed."}
	if _, _, err := add(analyst, resolve); err != nil {
		t.Fatalf("resolve: %v", err)
	}
	again2 := resolve
	again2.ID = "r-resolve-2"
	again2.Outcome, again2.Party, again2.Confidence = truce.DisputeRejected, nil, ""
	_, _, err = add(analyst, again2)
	wantCode(t, err, truce.ECONFLICT)

	override := truce.Review{ID: "r-override", Series: "a", Version: 1, Action: truce.ReviewOverride, Violation: &yes, Confidence: truce.Probable, Reason: "Second look."}
	if _, _, err := add(analyst, override); err != nil {
		t.Fatalf("override: %v", err)
	}
	h, err = s.Finding(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	o := h.Outcome
	if o.AdjustedBy != "r-override" || o.Confidence != truce.Probable || o.Party != "RU" || len(o.OpenDisputes) != 0 || !slices.Equal(o.Confirmed, []string{"r-confirm"}) {
		t.Errorf("outcome = %+v", o)
	}
	if got := len(h.Reviews); got != 4 || h.Reviews[1].ResolvedBy != "r-resolve" {
		t.Errorf("reviews = %d, dispute resolved by %q", got, h.Reviews[1].ResolvedBy)
	}

	// A new version: reviews of version 1 are now against an earlier one.
	mustRecord(t, s, findingRun(logSize(t, s), seriesFinding("a", "RU", truce.Confirmed, "o1", "o2")))
	_, _, err = add(analyst, truce.Review{ID: "r-late", Series: "a", Version: 1, Action: truce.ReviewConfirm})
	wantCode(t, err, truce.ECONFLICT)
	if !strings.Contains(truce.ErrorMessage(err), "current version is 2") {
		t.Errorf("stale review error %q does not name the current version", truce.ErrorMessage(err))
	}
	h, err = s.Finding(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	o = h.Outcome
	if !slices.Equal(o.ConfirmedEarlier, []string{"r-confirm"}) || len(o.Confirmed) != 0 || !o.AdjustedEarlier || !h.Reviews[0].Earlier {
		t.Errorf("outcome after a new version = %+v", o)
	}
	// A repeat of a review made against version 1 is still answered.
	if r, created, err := add(analyst, confirm); err != nil || created || r.LogIndex != rec.LogIndex {
		t.Errorf("repeat after a new version: %+v, %v, %v", r, created, err)
	}
	if _, _, err := add(analyst, truce.Review{ID: "r-now", Series: "a", Version: 2, Action: truce.ReviewConfirm}); err != nil {
		t.Errorf("confirm of the current version: %v", err)
	}
	entries, err := s.Entries(ctx, 0, logSize(t, s))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Type == truce.EntryReview {
			n++
			if _, err := truce.DecodeReview(e.Data); err != nil {
				t.Errorf("entry %d: %v", e.Index, err)
			}
		}
	}
	if n != 5 {
		t.Errorf("%d review entries, want 5", n)
	}
}
