package adjudicate_test

import (
	"context"
	"slices"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/adjudicate"
)

// TestReconcile: two findings on incidents that may be one event (the
// correlation kept them apart) never state contradictory verdicts at
// probable or above (issue 12, class 5); the weaker is held to possible.
// Incidents that their times tell apart, and fire and the return fire by
// two parties, keep their verdicts.
func TestReconcile(t *testing.T) {
	two := []report{{by: monitor, prec: truce.PrecisionMinute, origin: point(ruEast.Lon, ruEast.Lat, 500)},
		{by: monitor2, prec: truce.PrecisionMinute, origin: point(ruEast.Lon, ruEast.Lat, 500)}}
	// The impact of the violation, and a second estimate 3 km off.
	vio := tcase{name: "fire from RU ground", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindArtillery,
		start: "2025-03-20T10:15:00Z", lon: uaPokrovsk[0], lat: uaPokrovsk[1], unc: 300, origin: ruEast, reports: two}
	same := func(start string) tcase {
		return tcase{name: "fire within UA ground", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindArtillery,
			start: start, lon: uaPokrovsk[0] - 0.04, lat: uaPokrovsk[1], unc: 300, origin: uaSameSide,
			reports: []report{{by: monitor, prec: truce.PrecisionMinute, origin: point(uaSameSide.Lon, uaSameSide.Lat, 500)}}}
	}
	ret := tcase{name: "the return fire from UA ground into RU's", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindArtillery,
		start: "2025-03-20T10:20:00Z", lon: ruEast.Lon, lat: ruEast.Lat, unc: 300, origin: &truce.Position{Lon: uaPokrovsk[0], Lat: uaPokrovsk[1]},
		reports: []report{{by: monitor, prec: truce.PrecisionMinute, origin: point(uaPokrovsk[0], uaPokrovsk[1], 500)}}}
	tests := []struct {
		name string
		b    tcase
		// held: whether the second finding is held to possible.
		held bool
	}{
		{"no violation five minutes later, 3 km off: held to possible", same("2025-03-20T10:20:00Z"), true},
		{"no violation three hours later: both stand", same("2025-03-20T13:15:00Z"), false},
		{"the return fire by the other party: both stand", ret, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			incA, obsA := vio.build(t, "11111111-1111-4111-8111-111111111111")
			incB, obsB := tt.b.build(t, "22222222-2222-4222-8222-222222222222")
			byID := map[string]*truce.Observation{}
			for _, o := range append(obsA, obsB...) {
				byID[o.ID] = o
			}
			fs, err := adjudicate.Adjudicate(context.Background(), []*truce.Incident{incB, incA}, example(t, vio.agreement), schedule(t, "RU"),
				&adjudicate.Options{Observations: byID, LogSize: 42})
			if err != nil {
				t.Fatal(err)
			}
			a, b := fs[0], fs[1]
			if a.Incident != incA.ID {
				a, b = b, a
			}
			if !a.Violation || a.Party != "RU" || a.Confidence != truce.Confirmed {
				t.Fatalf("first finding: violation %v by %q, %s; want a violation by RU, confirmed", a.Violation, a.Party, a.Confidence)
			}
			gotHeld := slices.Contains(codes(b), adjudicate.CodeConflict)
			if gotHeld != tt.held {
				t.Errorf("second finding (violation %v by %q, %s) held to possible: %v, want %v; reasons:\n%s", b.Violation, b.Party, b.Confidence, gotHeld, tt.held, reasonsText(b))
			}
			if gotHeld && b.Confidence != truce.Possible {
				t.Errorf("second finding held, but %s", b.Confidence)
			}
			if !tt.held && (b.Confidence == truce.Possible || b.Confidence == truce.Undetermined) {
				t.Errorf("second finding %s; want it to stand at probable or above", b.Confidence)
			}
			for _, f := range fs {
				if err := f.Validate(); err != nil {
					t.Error(err)
				}
			}
		})
	}
}
