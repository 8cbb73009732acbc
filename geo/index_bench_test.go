package geo_test

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/truce-monitor/truce/geo"
)

// benchSnapshot is the DeepState snapshot the index benchmarks use.
const benchSnapshot = "20250430"

// nearFront returns n seeded points spread along the rings of m: a uniform
// point of a random edge moved by a normal offset of σ = 0.05° (about 4–5 km)
// in each coordinate, as satellite detections along a front would fall.
func nearFront(m geo.MultiPolygon, n int, seed uint64) []geo.Point {
	rng := rand.New(rand.NewPCG(seed, 11))
	var edges [][2]geo.Point
	for _, p := range m {
		for _, r := range p {
			for i := 0; i+1 < len(r); i++ {
				edges = append(edges, [2]geo.Point{r[i], r[i+1]})
			}
		}
	}
	pts := make([]geo.Point, n)
	for i := range pts {
		e := edges[rng.IntN(len(edges))]
		t := rng.Float64()
		pts[i] = geo.Point{
			e[0][0] + t*(e[1][0]-e[0][0]) + 0.05*rng.NormFloat64(),
			e[0][1] + t*(e[1][1]-e[0][1]) + 0.05*rng.NormFloat64(),
		}
	}
	return pts
}

func BenchmarkNewIndex(b *testing.B) {
	m := readDeepState(b, benchSnapshot)
	for b.Loop() {
		geo.NewIndex(m)
	}
}

// BenchmarkIndexCovers measures one query on one core; ns/op is per point.
func BenchmarkIndexCovers(b *testing.B) {
	m := readDeepState(b, benchSnapshot)
	ix := geo.NewIndex(m)
	pts := nearFront(m, 1<<20, 1)
	var n int
	i := 0
	for b.Loop() {
		if ix.Covers(pts[i&(len(pts)-1)]) {
			n++
		}
		i++
	}
	if i > len(pts) && n == 0 {
		b.Fatal("no point covered")
	}
}

// BenchmarkIndexCoversAll classifies 1,000,000 points per op on all cores
// (GOMAXPROCS) and reports points/s.
func BenchmarkIndexCoversAll(b *testing.B) {
	m := readDeepState(b, benchSnapshot)
	ix := geo.NewIndex(m)
	pts := nearFront(m, 1_000_000, 1)
	out := make([]bool, len(pts))
	for b.Loop() {
		ix.CoversAll(pts, out)
	}
	b.ReportMetric(float64(len(pts))*float64(b.N)/b.Elapsed().Seconds(), "points/s")
	b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "procs")
}
