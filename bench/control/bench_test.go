package main

import (
	"path/filepath"
	"testing"

	"github.com/truce-monitor/truce/geo"
)

// The truce side of the comparison alone, without PostgreSQL:
//
//	go test -run '^$' -bench . ./bench/control

func benchSnapshot(b *testing.B) snapshot {
	b.Helper()
	s, err := readSnapshot(filepath.Join(dataDir, "deepstatemap_data_20250314.geojson.gz"))
	if err != nil {
		b.Skip(err)
	}
	return s
}

// BenchmarkCoversAll classifies a million points along the front of
// 2025-03-14 per operation, as bench/control.sh does.
func BenchmarkCoversAll(b *testing.B) {
	s := benchSnapshot(b)
	pts := frontPoints(s.mp, 1_000_000, 1, 30000)
	out := make([]bool, len(pts))
	idx := geo.NewIndex(s.mp)
	b.ResetTimer()
	for b.Loop() {
		idx.CoversAll(pts, out)
	}
	b.ReportMetric(float64(b.N)*float64(len(pts))/b.Elapsed().Seconds(), "points/s")
}

// BenchmarkNewIndex prepares the index of 2025-03-14.
func BenchmarkNewIndex(b *testing.B) {
	s := benchSnapshot(b)
	for b.Loop() {
		geo.NewIndex(s.mp)
	}
}

// BenchmarkAreaAllSnapshots computes the area of every snapshot per
// operation.
func BenchmarkAreaAllSnapshots(b *testing.B) {
	snaps, err := readSnapshots(dataDir)
	if err != nil {
		b.Skip(err)
	}
	for b.Loop() {
		for _, s := range snaps {
			s.mp.Area()
		}
	}
}
