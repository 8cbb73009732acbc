package correlate_test

import (
	"reflect"
	"testing"

	"github.com/truce-monitor/truce/control"
	"github.com/truce-monitor/truce/control/controltest"
	"github.com/truce-monitor/truce/correlate"
	"github.com/truce-monitor/truce/geo"
)

// TestSeededDetections checks that SeededDetections gives n valid
// detections in time and log order, the same for the same seed, and other
// points for another seed.
func TestSeededDetections(t *testing.T) {
	const n = 20000
	m, err := control.New(controltest.DeepState(t, "2025-03-14"), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := correlate.SeededDetections(m.Line(), n, 1)
	if len(got) != n {
		t.Fatalf("got %d records, want %d", len(got), n)
	}
	if again := correlate.SeededDetections(m.Line(), n, 1); !reflect.DeepEqual(got, again) {
		t.Error("the same seed gave other records")
	}
	for i, r := range got {
		if err := r.Validate(); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if r.LogIndex != int64(i+1) || i > 0 && r.ObservedAt.Before(got[i-1].ObservedAt) {
			t.Fatalf("record %d (log index %d, %v) out of order", i, r.LogIndex, r.ObservedAt)
		}
	}
	other := correlate.SeededDetections(m.Line(), n, 2)
	same := 0
	for i := range other {
		if *other[i].Location.Lon == *got[i].Location.Lon {
			same++
		}
	}
	if same > 0 {
		t.Errorf("%d of %d detections are at the same longitude with seeds 1 and 2", same, n)
	}
	if got := correlate.SeededDetections(nil, 10, 1); got != nil {
		t.Errorf("SeededDetections(nil line) = %d records, want none", len(got))
	}
	if got := correlate.SeededDetections(geo.MultiLineString{{{37, 48}, {38, 48}}}, 0, 1); got != nil {
		t.Errorf("SeededDetections(n = 0) = %d records, want none", len(got))
	}
}
