package main

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/truce-monitor/truce/geo"
)

// earthRadius is the mean radius of the Earth in metres. Test points only
// need to be spread plausibly, not placed to the millimetre, so a sphere
// serves, and point generation depends on nothing it measures.
const earthRadius = 6371008.8

// frontPoints returns n seeded points near the boundary of mp: each is a
// point drawn uniformly by length along the rings of mp (outer rings and
// holes alike), moved by a distance drawn uniformly from [0, maxOffset]
// metres in a uniformly drawn direction. Where the boundary is a front line
// about half of the points fall on each side. The same arguments give the
// same points.
func frontPoints(mp geo.MultiPolygon, n int, seed uint64, maxOffset float64) []geo.Point {
	type segment struct {
		a, b geo.Point
		end  float64 // cumulative length at b, metres
	}
	var segs []segment
	total := 0.0
	for _, poly := range mp {
		for _, ring := range poly {
			for i := 1; i < len(ring); i++ {
				d := sphereDistance(ring[i-1], ring[i])
				if d == 0 {
					continue
				}
				total += d
				segs = append(segs, segment{ring[i-1], ring[i], total})
			}
		}
	}
	if len(segs) == 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(seed, 0x636f6e74726f6c))
	pts := make([]geo.Point, n)
	for i := range pts {
		at := rng.Float64() * total
		k, _ := slices.BinarySearchFunc(segs, at, func(s segment, at float64) int {
			if s.end < at {
				return -1
			}
			return 1
		})
		k = min(k, len(segs)-1)
		s := segs[k]
		start := s.end - sphereDistance(s.a, s.b)
		f := min(max((at-start)/(s.end-start), 0), 1)
		on := geo.Point{s.a[0] + f*(s.b[0]-s.a[0]), s.a[1] + f*(s.b[1]-s.a[1])}
		dist := rng.Float64() * maxOffset
		az := rng.Float64() * 2 * math.Pi
		pts[i] = sphereDestination(on, az, dist)
	}
	return pts
}

// sphereDistance returns the great-circle distance in metres between a and b.
func sphereDistance(a, b geo.Point) float64 {
	φ1, φ2 := radians(a[1]), radians(b[1])
	dφ, dλ := φ2-φ1, radians(b[0]-a[0])
	h := math.Sin(dφ/2)*math.Sin(dφ/2) + math.Cos(φ1)*math.Cos(φ2)*math.Sin(dλ/2)*math.Sin(dλ/2)
	return 2 * earthRadius * math.Asin(math.Sqrt(min(h, 1)))
}

// sphereDestination returns the point dist metres from p at azimuth az
// (radians clockwise from north) along a great circle.
func sphereDestination(p geo.Point, az, dist float64) geo.Point {
	φ1, λ1 := radians(p[1]), radians(p[0])
	δ := dist / earthRadius
	sinφ2 := math.Sin(φ1)*math.Cos(δ) + math.Cos(φ1)*math.Sin(δ)*math.Cos(az)
	φ2 := math.Asin(sinφ2)
	λ2 := λ1 + math.Atan2(math.Sin(az)*math.Sin(δ)*math.Cos(φ1), math.Cos(δ)-math.Sin(φ1)*sinφ2)
	lon := math.Mod(degrees(λ2)+540, 360) - 180
	return geo.Point{lon, degrees(φ2)}
}

func radians(d float64) float64 { return d * math.Pi / 180 }
func degrees(r float64) float64 { return r * 180 / math.Pi }

// vertexPoints returns n vertices of mp, going round its rings in order and
// starting again when they are used up: points exactly on the boundary,
// which a test of covering counts as inside.
func vertexPoints(mp geo.MultiPolygon, n int) []geo.Point {
	var all []geo.Point
	for _, poly := range mp {
		for _, r := range poly {
			all = append(all, r[:len(r)-1]...)
		}
	}
	if len(all) == 0 || n <= 0 {
		return nil
	}
	pts := make([]geo.Point, n)
	for i := range pts {
		pts[i] = all[i%len(all)]
	}
	return pts
}
