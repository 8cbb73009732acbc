package geo_test

import (
	"testing"

	"github.com/truce-monitor/truce/geo"
)

// BenchmarkTriangulate measures three noisy bearings 5–15 km from the target.
func BenchmarkTriangulate(b *testing.B) {
	target := geo.Point{37.8, 48.1}
	var s []geo.Sighting
	for _, c := range []struct{ dir, dist, σ, noise float64 }{{200, 5000, 2, 1.5}, {290, 12000, 3, -2}, {20, 15000, 1, 0.5}} {
		from, _ := geo.Direct(target, c.dir, c.dist)
		v := sightingOf(from, target, c.σ)
		v.Azimuth += c.noise
		s = append(s, v)
	}
	for b.Loop() {
		if _, err := geo.Triangulate(s); err != nil {
			b.Fatal(err)
		}
	}
}
