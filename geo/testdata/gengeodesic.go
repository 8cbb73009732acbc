//go:build ignore

// Gengeodesic writes the seeded random inputs of the geodesic tests: one
// problem per line, "inverse lat1 lon1 lat2 lon2" or "direct lat1 lon1
// azi1 s12". See README.md for how the expected values were computed.
package main

import (
	"fmt"
	"math"
	"math/rand/v2"
)

func main() {
	r := rand.New(rand.NewPCG(3, 2026))
	lat := func() float64 { return math.Asin(2*r.Float64()-1) * 180 / math.Pi }
	lon := func() float64 { return 360*r.Float64() - 180 }
	wrap := func(x float64) float64 { return math.Remainder(x, 360) }
	inv := func(lat1, lon1, lat2, lon2 float64) {
		fmt.Printf("inverse %.12f %.12f %.12f %.12f\n", lat1, lon1, lat2, lon2)
	}
	for range 600 { // anywhere
		inv(lat(), lon(), lat(), lon())
	}
	for range 100 { // exactly antipodal
		la, lo := lat(), lon()
		inv(la, lo, -la, wrap(lo+180))
	}
	for i := range 100 { // nearly antipodal, within 1e-9° to 1°
		la, lo := lat(), lon()
		d := math.Pow(10, -9+9*float64(i)/99)
		inv(la, lo, math.Max(-90, math.Min(90, -la+d*(2*r.Float64()-1))), wrap(lo+180+d*(2*r.Float64()-1)))
	}
	for i := range 100 { // near a pole: within 1e-9° to 1° of it, or on it
		d := math.Pow(10, -9+9*float64(i%50)/49)
		if i%10 == 0 {
			d = 0
		}
		s := 1.0
		if i%2 == 1 {
			s = -1
		}
		inv(s*(90-d*r.Float64()), lon(), s*(90-d*r.Float64())*float64(1-2*(i/50)), lon())
	}
	for range 50 { // both on the equator, some nearly antipodal
		lo := lon()
		inv(0, lo, 0, wrap(lo+180*r.Float64()*float64(1-2*r.IntN(2))))
	}
	for i := range 50 { // coincident or nearly so
		la, lo := lat(), lon()
		if i%2 == 0 {
			inv(la, lo, la, lo)
			continue
		}
		d := math.Pow(10, -10+6*float64(i)/49)
		inv(la, lo, math.Max(-90, math.Min(90, la+d*(2*r.Float64()-1))), wrap(lo+d*(2*r.Float64()-1)))
	}
	for i := range 300 { // direct problems: up to half the Earth round
		s := 20e6 * r.Float64()
		if i%3 == 0 {
			s = math.Pow(10, 7*r.Float64())
		}
		fmt.Printf("direct %.12f %.12f %.12f %.6f\n", lat(), lon(), 360*r.Float64()-180, s)
	}
}
