package geo_test

import (
	"testing"

	"github.com/truce-monitor/truce/geo"
)

// frontLines returns the rings of the benchmark snapshot as lines.
func frontLines(tb testing.TB) (geo.MultiPolygon, geo.MultiLineString) {
	m := readDeepState(tb, benchSnapshot)
	return m, m.Boundary()
}

func BenchmarkNewLineIndex(b *testing.B) {
	_, ml := frontLines(b)
	for b.Loop() {
		geo.NewLineIndex(ml)
	}
}

// BenchmarkLineIndexDistance measures one query against the snapshot's
// rings (about 2,900 segments) from points within a few kilometres of them.
func BenchmarkLineIndexDistance(b *testing.B) {
	m, ml := frontLines(b)
	li := geo.NewLineIndex(ml)
	pts := nearFront(m, 1<<12, 2)
	i := 0
	for b.Loop() {
		li.Distance(pts[i%len(pts)])
		i++
	}
}

// BenchmarkDistanceToLine measures the exact search on one segment of 10 km.
func BenchmarkDistanceToLine(b *testing.B) {
	a := geo.Point{37.5, 48}
	c, _ := geo.Direct(a, 60, 10000)
	l := geo.LineString{a, c}
	p, _ := geo.Direct(a, 10, 6000)
	for b.Loop() {
		geo.DistanceToLine(p, l)
	}
}
