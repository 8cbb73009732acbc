package correlate_test

import (
	"reflect"
	"testing"

	"github.com/truce-monitor/truce/control"
	"github.com/truce-monitor/truce/control/controltest"
	"github.com/truce-monitor/truce/correlate"
	"github.com/truce-monitor/truce/geo"
)

// TestSeededDetections checks that SeededDetections with seed 1 gives the
// benchmark's detections, record for record, so that bench/correlate and
// BenchmarkCorrelateDetections cluster the same points; and that another
// seed gives other points.
func TestSeededDetections(t *testing.T) {
	const n = 20000
	m, err := control.New(controltest.DeepState(t, "2025-03-14"), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := frontDetections(t, n)
	got := correlate.SeededDetections(m.Line(), n, 1)
	if len(got) != n {
		t.Fatalf("got %d records, want %d", len(got), n)
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("record %d: got %+v, want %+v", i, got[i].Observation, want[i].Observation)
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
