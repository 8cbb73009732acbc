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

// nSinXi is the number of terms of the series of sin ξ in onAuthalic.
const nSinXi = 8

// qp is q(90°)/(1-e²), the authalic q of the pole: the series of
// onAuthalic, before the division by qp, at sin φ = 1.
var qp = func() float64 {
	var q float64
	for k := nSinXi - 1; k >= 0; k-- {
		q = q*wgs84.e2 + 1 + 1/float64(2*k+1)
	}
	return q
}()

// sinXiCoeff holds the coefficients of the series of sin ξ in onAuthalic,
// (1 + 1/(2k+1)) / qp for k = 0, …, nSinXi-1.
var sinXiCoeff = func() (c [nSinXi]float64) {
	for k := range c {
		c[k] = (1 + 1/float64(2*k+1)) / qp
	}
	return c
}()

// onAuthalic returns sin ξ and 1 + cos ξ for the geographic latitude lat,
// in degrees, where ξ is the authalic latitude: sin ξ = q(φ)/q(90°), with
//
//	q(φ)/(1-e²) = s/(1-e²s²) + atanh(e s)/e = s Σₖ (1 + 1/(2k+1)) xᵏ,
//
// s = sin φ and x = e²s² ≤ e² < 0.0067. The terms past x⁷ are below 5e-18
// of the first, so the series, evaluated as one polynomial, is exact to a
// few units in the last place and needs no division. In [-90°, 90°] the
// sine of lat is its Taylor series to the 21st power, whose truncation
// error is below 1e-17 at ±90°: it agrees with math.Sin to 4 units in the
// last place (2 below 80°), in about half the time, and has no branch. Both
// polynomials are evaluated by Estrin's scheme, for short chains of
// dependent operations.
func onAuthalic(lat float64) (sxi, cxi1 float64) {
	var s float64
	if math.Abs(lat) <= 90 {
		const (
			c1  = -1.0 / 6
			c2  = 1.0 / 120
			c3  = -1.0 / 5040
			c4  = 1.0 / 362880
			c5  = -1.0 / 39916800
			c6  = 1.0 / 6227020800
			c7  = -1.0 / 1307674368000
			c8  = 1.0 / 355687428096000
			c9  = -1.0 / 121645100408832000
			c10 = 1.0 / 51090942171709440000
		)
		x := lat * degree
		z := x * x
		z2 := z * z
		z4 := z2 * z2
		p := z*(c1+z*(c2+c3*z)) + z4*((c4+c5*z)+z2*(c6+c7*z)+z4*(c8+z*(c9+c10*z)))
		s = x + x*p
	} else {
		s = math.Sin(lat * degree)
	}
	c := &sinXiCoeff
	x := wgs84.e2 * s * s
	x2 := x * x
	x4 := x2 * x2
	p := c[0] + (x*(c[1]+x*(c[2]+x*c[3])) + x4*((c[4]+x*c[5])+x2*(c[6]+x*c[7])))
	sxi = s * p
	if sxi > 1 {
		sxi = 1
	} else if sxi < -1 {
		sxi = -1
	}
	return sxi, 1 + math.Sqrt((1-sxi)*(1+sxi))
}

// exactEdgeArea returns the area between the geodesic from (lat1, lon1)
// to (lat2, lon2) and the equator, in units of c², clockwise positive, by
// the geodesic inverse problem.
func exactEdgeArea(lat1, lon1, lat2, lon2 float64) float64 {
	return wgs84.inverse(lat1, lon1, lat2, lon2, outArea).S12 / wgs84.c2
}

// signedArea returns the area of r in m², positive if r runs
// counter-clockwise, in (-A/2, A/2] where A is the area of the ellipsoid.
//
// Each vertex is mapped once to the authalic sphere (onAuthalic): its
// longitude λ in [-180°, 180°], sin ξ and 1 + cos ξ. The area between a
// short edge and the equator is then the spherical excess E of the
// quadrilateral it makes with the equator,
//
//	tan(E/2) = tan(Δλ/2) (tan(ξ₁/2) + tan(ξ₂/2)) / (1 + tan(ξ₁/2) tan(ξ₂/2)),
//
// written with tan(ξ/2) = sin ξ / (1 + cos ξ) so that it takes one
// division. Short edges have |Δλ| ≤ shortEdge = 0.1° (8.7e-4 rad for
// Δλ/2), and tan(E/2) is tan(Δλ/2) times a factor of magnitude at most
// 1/cos(Δξ/2) < 1 + 4e-7, so the tangent and the arc tangent are their
// Taylor series to the fifth power, whose omitted terms are below 1e-18
// relative. The edge areas are summed with Knuth's two-sum, as
// GeographicLib's Accumulator does.
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
	lon0, lat0 := r[0][0], r[0][1]
	if !(lon0 >= -180 && lon0 <= 180) {
		lon0 = angNormalize(lon0)
	}
	s0, c0 := onAuthalic(lat0)
	plon, plat, ps, pc := lon0, lat0, s0, c0
	for i := 1; i <= n; i++ {
		lon, lat, s, c := lon0, lat0, s0, c0
		if i < n {
			lon, lat = r[i][0], r[i][1]
			if !(lon >= -180 && lon <= 180) {
				lon = angNormalize(lon)
			}
			s, c = onAuthalic(lat)
		}
		d := lon - plon
		if d > 180 {
			d -= 360
		} else if d < -180 {
			d += 360
		}
		switch {
		case d > 0 && ((plon < 0 && lon >= 0) || (plon > 0 && lon == 0)):
			crossings++
		case d < 0 && plon >= 0 && lon < 0:
			crossings--
		}
		var e float64
		if math.Abs(d) > shortEdge || math.Abs(lat-plat) > shortEdge {
			e = exactEdgeArea(plat, plon, lat, lon)
		} else {
			h := d * (degree / 2)
			h2 := h * h
			z := h * (1 + h2*(1.0/3+h2*(2.0/15))) * (ps*c + s*pc) / (ps*s + pc*c)
			z2 := z * z
			e = 2 * z * (1 - z2*(1.0/3-z2*(1.0/5)))
		}
		// Knuth's two-sum: sum + comp carries the exact sum of the
		// rounded edge areas to twice the precision.
		t := sum + e
		b := t - sum
		comp += (sum - (t - b)) + (e - b)
		sum = t
		plon, plat, ps, pc = lon, lat, s, c
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
