package main

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/sqlite"
	"github.com/truce-monitor/truce/storetest"
)

// TestFindingsReview runs the review workflow end to end on a simulated
// scenario: recompute, confirm a finding, file an observation that joins
// its incident, recompute again — a new version of the same series, with
// the confirmation now against the earlier version — and verify the
// store, reviews included.
func TestFindingsReview(t *testing.T) {
	db, _ := simStore(t, "2", "2")
	cli := func(args ...string) string {
		t.Helper()
		code, out, errOut := runCLI(t, args...)
		if code != exitOK {
			t.Fatalf("truce %s: exit %d: %s%s", strings.Join(args, " "), code, out, errOut)
		}
		return out
	}
	cli("agreement", "add", "--db", db, replayAgreement)
	cli("source", "add", "ana", "--role", "analyst", "--db", db)
	cli("source", "add", "second-team", "--role", "monitor", "--db", db)

	var first []struct {
		Findings int                     `json:"findings"`
		Added    int                     `json:"added"`
		Versions []*truce.FindingVersion `json:"versions"`
	}
	if err := json.Unmarshal([]byte(cli("findings", "recompute", "--db", db, "--json")), &first); err != nil || len(first) != 1 {
		t.Fatalf("recompute: %v, %d results", err, len(first))
	}
	if first[0].Findings == 0 || first[0].Added != first[0].Findings {
		t.Fatalf("first recompute: %d findings, %d versions", first[0].Findings, first[0].Added)
	}
	// Recomputing the same log records nothing.
	if out := cli("findings", "recompute", "--db", db); !strings.Contains(out, "0 new versions, 0 withdrawn") {
		t.Errorf("second recompute: %s", out)
	}

	// A violation resting on a monitor's report.
	store, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	var v *truce.FindingVersion
	var anchor *truce.ObservationRecord
	for _, c := range first[0].Versions {
		if !c.Finding.Violation {
			continue
		}
		o, err := storetest.Named(context.Background(), store, c.Anchor)
		if err != nil {
			t.Fatal(err)
		}
		if o.SourceRole == truce.RoleMonitor {
			v, anchor = c, o
			break
		}
	}
	if v == nil {
		t.Fatal("no violation on a monitor's report to review")
	}
	cli("findings", "review", v.Series, "--as", "ana", "--action", "confirm", "--id", "confirm-1", "--reason", "Matches the team's notes.", "--db", db)

	// A second team reports the same event: it joins the incident.
	twin := *anchor.Observation
	twin.ID, twin.Source, twin.SourceRole, twin.SourceParty, twin.Signature, twin.Supersedes = "twin-1", "", "", "", "", ""
	team, err := store.Source(context.Background(), "second-team")
	if err != nil {
		t.Fatal(err)
	}
	added, err := store.AddObservations(context.Background(), team, []*truce.Observation{&twin})
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
	cli("findings", "recompute", "--db", db)

	var h truce.FindingHistory
	if err := json.Unmarshal([]byte(cli("findings", "show", v.Series, "--json", "--db", db)), &h); err != nil {
		t.Fatal(err)
	}
	if h.Current.Version != 2 || !slices.Contains(h.Current.Observations, added[0].PublicID) || h.Current.Anchor != v.Anchor {
		t.Fatalf("after the twin: current %+v", h.Current)
	}
	if !slices.Contains(h.Current.Changes, "observations") || h.Current.Finding.ID == v.Finding.ID {
		t.Errorf("version 2 changes %v, finding id %s (was %s)", h.Current.Changes, h.Current.Finding.ID, v.Finding.ID)
	}
	if len(h.Reviews) != 1 || !h.Reviews[0].Earlier || !slices.Equal(h.Outcome.ConfirmedEarlier, []string{"confirm-1"}) || len(h.Outcome.Confirmed) != 0 {
		t.Errorf("reviews %+v, outcome %+v", h.Reviews, h.Outcome)
	}
	// The old engine id still finds the series; a review of version 1 is
	// now refused, naming the current version.
	if out := cli("findings", "show", v.Finding.ID, "--db", db); !strings.Contains(out, "version 2") || !strings.Contains(out, "against an earlier version") {
		t.Errorf("show by the old finding id:\n%s", out)
	}
	code, _, errOut := runCLI(t, "findings", "review", v.Series, "--as", "ana", "--action", "confirm", "--version", "1", "--db", db)
	if code != exitFail || !strings.Contains(errOut, "current version is 2") {
		t.Errorf("stale review: exit %d: %s", code, errOut)
	}
	code, _, errOut = runCLI(t, "findings", "review", v.Series, "--as", "second-team", "--action", "confirm", "--db", db)
	if code != exitFail || !strings.Contains(errOut, "only an analyst") {
		t.Errorf("review by a monitor: exit %d: %s", code, errOut)
	}
	cli("findings", "review", v.Series, "--as", "ana", "--action", "override", "--confidence", "possible", "--reason", "Second look.", "--db", db)
	if out := cli("findings", "list", "--db", db, "--violation", "true"); !strings.Contains(out, v.Series) {
		t.Errorf("list does not show the series:\n%s", out)
	}

	// The log still verifies, reviews rebuilt from it row by row.
	out := cli("verify", "--db", db)
	if !strings.Contains(out, "reviews") {
		t.Errorf("verify --db does not compare the reviews:\n%s", out)
	}
}
