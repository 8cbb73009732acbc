package correlate_test

import (
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/control"
	"github.com/truce-monitor/truce/control/controltest"
	"github.com/truce-monitor/truce/correlate"
)

// frontDetections returns n seeded fire detections along the line of
// contact of the DeepState snapshot of 2025-03-14 (about 2,700 a day over
// a year; FIRMS saw some 500,000 over Ukraine in four years): what
// correlate.SeededDetections gives with seed 1, as bench/correlate uses.
func frontDetections(tb testing.TB, n int) []*truce.ObservationRecord {
	m, err := control.New(controltest.DeepState(tb, "2025-03-14"), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return correlate.SeededDetections(m.Line(), n, 1)
}

// BenchmarkCorrelateDetections correlates 1,000,000 seeded fire detections
// along the real front.
func BenchmarkCorrelateDetections(b *testing.B) {
	recs := frontDetections(b, 1_000_000)
	b.ResetTimer()
	var res *correlate.Result
	for b.Loop() {
		var err error
		if res, err = correlate.Correlate(recs, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(res.Incidents)), "incidents")
	b.ReportMetric(float64(len(res.Hotspots)), "hotspots")
}

// BenchmarkClusterDetections runs only the space-time clustering of the
// same 1,000,000 detections: what PostGIS's ST_ClusterDBSCAN computes.
func BenchmarkClusterDetections(b *testing.B) {
	recs := frontDetections(b, 1_000_000)
	b.ResetTimer()
	var cl *correlate.Clustering
	for b.Loop() {
		var err error
		if cl, err = correlate.Cluster(recs, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cl.Clusters), "clusters")
}
