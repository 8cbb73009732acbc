package geo

import "math"

// Geodesic area.
//
// The area of a ring is the sum over its edges of the area between the
// edge and the equator (Karney 2013, section 6), reduced for rings that
// go round a pole. The edges are geodesics, as in GeographicLib's
// Planimeter and PostGIS's ST_Area(geography).
//
// For speed, an edge shorter than shortEdge degrees in latitude and in
// longitude is taken as a great circle on the authalic sphere (the sphere
// of the ellipsoid's area, onto which the ellipsoid maps preserving area,
// meridians and the equator): its area to the equator is then one
// closed-form spherical excess. The only error is the sliver between the
// image of the geodesic on that sphere and the great circle, which grows as
// the cube of the edge's length: at most 0.05 m² for a 1 km edge and 60 m²
// for an 11 km one (shortEdge of latitude) in the worst direction; over
// the real DeepState snapshots the area differs from GeographicLib's by
// less than 1e-9 relative (area_test.go). Longer edges get the exact
// per-edge area of the geodesic inverse problem.

// shortEdge is the largest latitude and longitude difference, in degrees,
// of an edge whose area is taken on the authalic sphere.
const shortEdge = 0.1

// authalic holds the quantities of a vertex on the authalic sphere.
type authalic struct {
	lon    float64 // degrees in [-180, 180]
	lat    float64 // geographic latitude, degrees
	sxi    float64 // sine of the authalic latitude
	cxi1   float64 // 1 + its cosine
	lonRad float64 // lon in radians
}

// qp is q(90°), the authalic q of the pole.
var qp = authalicQ(1)

// authalicQ returns q(φ)/(1-e²) as a function of sin φ:
// sinφ/(1-e²sin²φ) + atanh(e sinφ)/e, the second term summed as its
// series s (1 + x/3 + x²/5 + …) in x = e²s², whose terms past x⁸ are below
// 1e-19 of the first.
func authalicQ(sinphi float64) float64 {
	x := wgs84.e2 * sq(sinphi)
	t := 1.0 / 17
	for k := 15; k >= 1; k -= 2 {
		t = t*x + 1/float64(k)
	}
	return sinphi/(1-x) + sinphi*t
}

func toAuthalic(p Point) authalic {
	lon := p[0]
	if !(lon >= -180 && lon <= 180) {
		lon = angNormalize(lon)
	}
	lat := p[1]
	sxi := authalicQ(math.Sin(lat*degree)) / qp
	if sxi > 1 {
		sxi = 1
	} else if sxi < -1 {
		sxi = -1
	}
	cxi := math.Sqrt((1 - sxi) * (1 + sxi))
	return authalic{lon: lon, lat: lat, sxi: sxi, cxi1: 1 + cxi, lonRad: lon * degree}
}

// edgeArea returns the signed area between the edge from a to b and the
// equator, in units of c² (the authalic radius squared), clockwise
// positive as in GeographicLib, and +1 or -1 if the edge crosses the prime
// meridian going east or west.
func edgeArea(a, b *authalic) (area float64, cross int) {
	d := b.lon - a.lon
	if d > 180 {
		d -= 360
	} else if d < -180 {
		d += 360
	}
	switch {
	case d > 0 && ((a.lon < 0 && b.lon >= 0) || (a.lon > 0 && b.lon == 0)):
		cross = 1
	case d < 0 && a.lon >= 0 && b.lon < 0:
		cross = -1
	}
	if math.Abs(d) > shortEdge || math.Abs(b.lat-a.lat) > shortEdge {
		r := wgs84.inverse(a.lat, a.lon, b.lat, b.lon, outArea)
		return r.S12 / wgs84.c2, cross
	}
	return excess(a, b, d), cross
}

// excess returns the area between the great circle from a to b on the
// authalic sphere and its equator, in units of c², clockwise positive; d
// is the longitude difference in degrees. It is the spherical excess of the
// quadrilateral, tan(E/2) = tan(Δλ/2) (tan(ξ₁/2) + tan(ξ₂/2)) /
// (1 + tan(ξ₁/2) tan(ξ₂/2)), written with tan(x/2) = sin x / (1 + cos x).
//
// Only short edges come here (|d| ≤ shortEdge = 0.1°, 1.75e-3 rad), so the
// sine, cosine and arc tangent are their Taylor series, exact in double
// precision at such small arguments: the omitted terms are below 1e-28
// relative. The tangent of E/2 is tan(Δλ/2) times a factor in [-1, 1], so
// it is as small.
func excess(a, b *authalic, d float64) float64 {
	x := d * degree
	x2 := x * x
	sd := x * (1 - x2/6*(1-x2/20*(1-x2/42)))
	cd := 1 - x2/2*(1-x2/12*(1-x2/30))
	z := sd * (a.sxi*b.cxi1 + b.sxi*a.cxi1) / ((1 + cd) * (a.sxi*b.sxi + a.cxi1*b.cxi1))
	if math.Abs(z) > 1e-3 {
		return 2 * math.Atan(z)
	}
	z2 := z * z
	return 2 * z * (1 - z2*(1.0/3-z2*(1.0/5-z2*(1.0/7-z2/9))))
}

// signedArea returns the area of r in m², positive if r runs
// counter-clockwise, in (-A/2, A/2] where A is the area of the ellipsoid.
func (r Ring) signedArea() float64 {
	n := len(r)
	if n > 1 && r[0] == r[n-1] {
		n--
	}
	if n < 3 {
		return 0
	}
	var sum, comp float64
	crossings := 0
	first := toAuthalic(r[0])
	prev := first
	for i := 1; i <= n; i++ {
		cur := first
		if i < n {
			cur = toAuthalic(r[i])
		}
		a, c := edgeArea(&prev, &cur)
		// Neumaier's compensated sum.
		t := sum + a
		if math.Abs(sum) >= math.Abs(a) {
			comp += (sum - t) + a
		} else {
			comp += (a - t) + sum
		}
		sum = t
		crossings += c
		prev = cur
	}
	return reduceArea((sum+comp)*wgs84.c2, 4*math.Pi*wgs84.c2, crossings)
}

// reduceArea is GeographicLib's areareduceB with reverse false and sign
// true: it turns the clockwise sum of edge areas into the counter-clockwise
// area in (-area0/2, area0/2].
func reduceArea(area, area0 float64, crossings int) float64 {
	area = math.Remainder(area, area0)
	if crossings&1 != 0 {
		if area < 0 {
			area += area0 / 2
		} else {
			area -= area0 / 2
		}
	}
	area = -area
	if area > area0/2 {
		area -= area0
	} else if area <= -area0/2 {
		area += area0
	}
	return 0 + area
}

// Area returns the area in square metres on the WGS84 ellipsoid enclosed
// by the ring, whose edges are geodesics. Either orientation gives the
// same, positive, result: the area of the smaller of the two regions the
// ring bounds. A ring of fewer than three distinct positions has no area.
// It agrees with GeographicLib's Planimeter to better than 1e-9 relative on
// regions of the size of a country.
func (r Ring) Area() float64 { return math.Abs(r.signedArea()) }

// Area returns the area in square metres of the polygon: its outer ring's
// minus its holes', whatever their orientation.
func (p Polygon) Area() float64 {
	if len(p) == 0 {
		return 0
	}
	a := p[0].Area()
	for _, h := range p[1:] {
		a -= h.Area()
	}
	return a
}

// Area returns the sum of the areas of the polygons, in square metres. The
// polygons are assumed not to overlap.
func (m MultiPolygon) Area() float64 {
	var a float64
	for _, p := range m {
		a += p.Area()
	}
	return a
}
