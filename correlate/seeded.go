package correlate

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/geo"
)

// SeededDetections returns n seeded fire detections along line, as a
// satellite sensor would file them over a year from 2025-03-14: events
// within about 15 km of a vertex of line (±0.2° of longitude, ±0.135° of
// latitude), each seen on one of four daily overpasses (00:30, 10:30,
// 12:10, 22:40 UTC) as 1 to 9 detections within 500 m and 3 minutes of
// each other. The records are in time order, as a satellite feed files
// them: record i has id "det-%07d", log index i+1, source "firms" (role
// sensor), kind fire, minute precision and an uncertainty of 375 m.
//
// The same line, n and seed give the same records. Seed 1 with the line of
// contact of the DeepState snapshot of 2025-03-14 gives the detections of
// BenchmarkCorrelateDetections; bench/correlate clusters them with
// [Correlate] and with PostGIS. It returns nil if line has no vertex.
func SeededDetections(line geo.MultiLineString, n int, seed uint64) []*truce.ObservationRecord {
	var verts []geo.Point
	for _, l := range line {
		verts = append(verts, l...)
	}
	if len(verts) == 0 || n <= 0 {
		return nil
	}
	r := rand.New(rand.NewPCG(2025, 313+seed))
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
				Source: "firms", SourceRole: truce.RoleSensor,
				Kind: truce.KindFire, ObservedAt: at.Add(time.Duration(r.IntN(180)) * time.Second),
				TimePrecision: truce.PrecisionMinute,
				Location:      truce.Location{Lon: &coords[2*i], Lat: &coords[2*i+1], UncertaintyM: 375},
			}
			recs = append(recs, &truce.ObservationRecord{Observation: &obs[i]})
		}
	}
	// Filed in time order, as a satellite feed files them, and laid out
	// in memory in that order, as a store reading its log allocates them.
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := obs[a].ObservedAt.Compare(obs[b].ObservedAt); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	sorted := make([]truce.Observation, n)
	sortedCoords := make([]float64, 2*n)
	out := make([]truce.ObservationRecord, n)
	for i, k := range order {
		sorted[i] = obs[k]
		sortedCoords[2*i], sortedCoords[2*i+1] = coords[2*k], coords[2*k+1]
		sorted[i].Location.Lon, sorted[i].Location.Lat = &sortedCoords[2*i], &sortedCoords[2*i+1]
		sorted[i].ID = fmt.Sprintf("det-%07d", i)
		out[i] = truce.ObservationRecord{Observation: &sorted[i], LogIndex: int64(i + 1)}
		recs[i] = &out[i]
	}
	return recs
}
