package sqlite_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/ledger"
	"github.com/truce-monitor/truce/storetest"
)

// TestRebuildReviews checks that reviews are projections of the log and
// finding versions are kept beside it: after a rebuild a series' history
// reads exactly as before, and the store verifies.
func TestRebuildReviews(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	defer db.Close()
	ana, _ := storetest.MustSource(t, db, "ana", "analyst")
	ru, _ := storetest.MustSource(t, db, "ru-liaison", "party:RU")
	mon, _ := storetest.MustSource(t, db, "mon", "monitor")
	filed, err := db.AddObservations(ctx, mon, []*truce.Observation{storetest.Obs("o1", 37, 48, storetest.T0)})
	if err != nil {
		t.Fatal(err)
	}
	pid := filed[0].PublicID
	size, _ := db.LogSize(ctx)
	f := &truce.Finding{ID: "f1", Incident: "i1", Agreement: "ag", Version: 1, Violation: true, Rule: "R1", Party: "RU",
		Confidence: truce.Probable, Reasons: []truce.Reason{{Code: "c", Text: "t"}}, Engine: "test/1", LogSize: size}
	if _, err := db.RecordFindings(ctx, &truce.FindingRun{Agreement: "ag", AgreementVersion: 1, LogSize: size, Engine: "test/1",
		Findings: []*truce.SeriesFinding{{Series: "s1", Anchor: "o1", Observations: []string{"o1"}, Finding: f}}}); err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		by *truce.Source
		r  *truce.Review
	}{
		{ana, &truce.Review{ID: "c1", Series: "s1", Version: 1, Action: truce.ReviewConfirm}},
		{ru, &truce.Review{ID: "d1", Series: "s1", Version: 1, Action: truce.ReviewDispute, Reason: "no", Evidence: []string{pid}}},
		{ana, &truce.Review{ID: "x1", Series: "s1", Version: 1, Action: truce.ReviewResolve, Dispute: "d1", Outcome: truce.DisputeRejected, Reason: "yes"}},
	} {
		if _, _, err := db.AddReview(ctx, r.by, r.r); err != nil {
			t.Fatalf("review %s: %v", r.r.ID, err)
		}
	}
	snapshot := func() string {
		h, err := db.Finding(ctx, "s1")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(h)
		return string(b)
	}
	before := snapshot()
	if _, err := db.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if after := snapshot(); after != before {
		t.Errorf("the history reads differently after a rebuild:\nbefore %s\nafter  %s", before, after)
	}
	var problems []string
	a := ledger.NewAuditor(func(p truce.Problem) { problems = append(problems, p.String()) })
	rows, err := db.Verify(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	a.Finish()
	if len(problems) > 0 || rows["reviews"] != 3 {
		t.Errorf("verify: %d review rows compared, problems %v", rows["reviews"], problems)
	}
}
