package correlate_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/control"
	"github.com/truce-monitor/truce/control/controltest"
	"github.com/truce-monitor/truce/correlate"
)

// frontDetections returns n seeded fire detections along the line of
// contact of the DeepState snapshot of 2025-03-14, as a satellite sensor
// would file them over a year (about 2,700 a day; FIRMS saw some 500,000 over Ukraine in four years): events within about 15 km of the line,
// each seen on one of four daily overpasses (00:30, 10:30, 12:10, 22:40
// UTC) as 1 to 9 detections within 500 m and 3 minutes of each other.
func frontDetections(tb testing.TB, n int) []*truce.ObservationRecord {
	m, err := control.New(controltest.DeepState(tb, "2025-03-14"), nil)
	if err != nil {
		tb.Fatal(err)
	}
	var verts [][2]float64
	for _, l := range m.Line() {
		for _, p := range l {
			verts = append(verts, [2]float64{p[0], p[1]})
		}
	}
	r := rand.New(rand.NewPCG(2025, 314))
	day0 := time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)
	passes := []time.Duration{30 * time.Minute, 10*time.Hour + 30*time.Minute, 12*time.Hour + 10*time.Minute, 22*time.Hour + 40*time.Minute}
	recs := make([]*truce.ObservationRecord, 0, n)
	obs := make([]truce.Observation, n)
	coords := make([]float64, 2*n)
	for len(recs) < n {
		v := verts[r.IntN(len(verts))]
		clon, clat := v[0]+(r.Float64()-0.5)*0.4, v[1]+(r.Float64()-0.5)*0.27
		at := day0.Add(time.Duration(r.IntN(365))*24*time.Hour + passes[r.IntN(len(passes))])
		for k := 1 + r.IntN(9); k > 0 && len(recs) < n; k-- {
			i := len(recs)
			coords[2*i], coords[2*i+1] = clon+(r.Float64()-0.5)*0.013, clat+(r.Float64()-0.5)*0.009
			obs[i] = truce.Observation{
				ID: fmt.Sprintf("det-%07d", i), Source: "firms", SourceRole: truce.RoleSensor,
				Kind: truce.KindFire, ObservedAt: at.Add(time.Duration(r.IntN(180)) * time.Second),
				TimePrecision: truce.PrecisionMinute,
				Location:      truce.Location{Lon: &coords[2*i], Lat: &coords[2*i+1], UncertaintyM: 375},
			}
			recs = append(recs, &truce.ObservationRecord{Observation: &obs[i], LogIndex: int64(i + 1)})
		}
	}
	return recs
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
