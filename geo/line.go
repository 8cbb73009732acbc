package geo

import (
	"math"

	"github.com/tidwall/rtree"
)

// Constants of the WGS84 ellipsoid and of the searches in this file.
const (
	wgs84E2   = Flattening * (2 - Flattening)       // first eccentricity squared
	wgs84B    = EquatorialRadius * (1 - Flattening) // semi-minor axis, metres
	minRadius = wgs84B * wgs84B / EquatorialRadius  // least radius of curvature (of the meridian at the equator), metres
	meanR     = (2*EquatorialRadius + wgs84B) / 3   // mean radius, metres, for steps of the search only

	degToRad  = math.Pi / 180
	stepTol   = 1e-6     // metres along a segment: the nearest-point search has converged
	maxSteps  = 30       // iterations of the nearest-point search, at most
	boundTol  = 1e-6     // metres of slack for rounding in lower bounds
	chordSlop = 1 + 1e-9 // widens the sagitta bound against rounding
	boxPad    = 1e-9     // degrees added around a segment's box
	farAway   = 1e6      // metres: beyond this the nearest-point search checks both ends
)

// DistanceToLine returns the geodesic distance in metres on the WGS84
// ellipsoid from p to the nearest point of the line l, and that point.
// Each segment of l is the geodesic between its ends (not the straight line
// in longitude and latitude).
//
// The nearest point of a segment is found by iterating Direct and Inverse
// until the geodesic from p meets the segment at a right angle (or an end is
// nearest), to within a micrometre along the segment; the distance then
// carries the accuracy of Inverse, about 15 nanometres. The search is meant
// for segments shorter than a few thousand kilometres, with p not near the
// antipodes of the line.
//
// A line of one point gives the distance to that point; an empty line gives
// +Inf and the zero Point.
func DistanceToLine(p Point, l LineString) (meters float64, nearest Point) {
	meters = math.Inf(1)
	if len(l) == 1 {
		return Distance(p, l[0]), l[0]
	}
	pe := ecef(p)
	for i := 0; i+1 < len(l); i++ {
		s := newGeoSegment(l[i], l[i+1])
		if d, q := s.nearest(p, pe); d < meters {
			meters, nearest = d, q
		}
	}
	return meters, nearest
}

// geoSegment is a geodesic segment prepared for nearest-point queries.
type geoSegment struct {
	a, b   Point
	length float64    // metres
	azi    float64    // forward azimuth at a, degrees
	aziB   float64    // forward azimuth at b, degrees
	ea, eb [3]float64 // ends in Earth-centred Cartesian coordinates, metres
	sag    float64    // bound on the distance of the geodesic from the chord ab, metres
}

func newGeoSegment(a, b Point) geoSegment {
	s := geoSegment{a: a, b: b, ea: ecef(a), eb: ecef(b)}
	s.length, s.azi, s.aziB = Inverse(a, b)
	// A curve whose curvature is at most κ strays at most κL²/8 from its
	// chord; a geodesic's curvature is the normal curvature of the
	// ellipsoid, at most 1/minRadius.
	s.sag = s.length * s.length / (8 * minRadius) * chordSlop
	return s
}

// ecef returns p on the ellipsoid in Earth-centred Cartesian coordinates.
func ecef(p Point) [3]float64 {
	sφ, cφ := math.Sincos(p.Lat() * degToRad)
	sλ, cλ := math.Sincos(p.Lon() * degToRad)
	n := EquatorialRadius / math.Sqrt(1-wgs84E2*sφ*sφ)
	return [3]float64{n * cφ * cλ, n * cφ * sλ, n * (1 - wgs84E2) * sφ}
}

// chordParam returns the parameter t in [0, 1] of the point of the chord
// a→b nearest to p, and the distance from p to it.
func chordParam(p, a, b [3]float64) (t, dist float64) {
	var ab, ap [3]float64
	var abab, apab float64
	for k := range 3 {
		ab[k] = b[k] - a[k]
		ap[k] = p[k] - a[k]
		abab += ab[k] * ab[k]
		apab += ap[k] * ab[k]
	}
	if abab > 0 {
		t = min(max(apab/abab, 0), 1)
	}
	var d2 float64
	for k := range 3 {
		d := ap[k] - t*ab[k]
		d2 += d * d
	}
	return t, math.Sqrt(d2)
}

// lowerBound returns a distance in metres that the geodesic distance from p
// (pe in Cartesian form) to the segment cannot be below: the straight-line
// distance to the chord less the sagitta bound.
func (s *geoSegment) lowerBound(pe [3]float64) float64 {
	_, d := chordParam(pe, s.ea, s.eb)
	return d - s.sag - boundTol
}

// nearest returns the distance from p to the segment and its nearest point.
func (s *geoSegment) nearest(p Point, pe [3]float64) (float64, Point) {
	if s.length == 0 {
		return Distance(p, s.a), s.a
	}
	// First guess: the point of the chord nearest to p, carried to the
	// geodesic by its fraction of the length.
	t, _ := chordParam(pe, s.ea, s.eb)
	at := t * s.length
	var d float64
	var q Point
	for range maxSteps {
		var aziQ float64
		switch at {
		case 0:
			q, aziQ = s.a, s.azi
		case s.length:
			q, aziQ = s.b, s.aziB
		default:
			q, aziQ = Direct(s.a, s.azi, at)
		}
		var aziQP float64
		d, aziQP, _ = Inverse(q, p)
		// On a sphere, the foot of the perpendicular from p lies
		// atan(tan(d)·cos θ) along the geodesic from q, where θ is the
		// angle at q between the geodesic and the direction of p. On
		// the ellipsoid this step converges linearly, by a factor of
		// the order of the flattening per iteration.
		cosθ := math.Cos((aziQP - aziQ) * degToRad)
		step := meanR * math.Atan2(math.Sin(d/meanR)*cosθ, math.Cos(d/meanR))
		next := min(max(at+step, 0), s.length)
		if math.Abs(next-at) < stepTol {
			break
		}
		at = next
	}
	// At an end, the other end may be nearer when p sees the segment
	// from afar (the search follows the slope, which on a long segment
	// seen from beyond a quarter of the globe may lead to the wrong end);
	// compare them outright.
	if (at == 0 || at == s.length) && d > farAway {
		for _, e := range [2]Point{s.a, s.b} {
			if de := Distance(p, e); de < d {
				d, q = de, e
			}
		}
	}
	return d, q
}

// LineIndex is a set of lines prepared for nearest-point queries: Distance
// gives what DistanceToLine gives for the nearest of the lines, visiting only
// the segments that could be nearest.
//
// Segments sit in an R-tree by longitude and latitude. A query visits them
// in order of a lower bound on their distance (from the box, then from the
// straight chord in space), and refines a segment with the exact geodesic
// search only while its bound is below the best distance found so far.
//
// A LineIndex is immutable and safe for concurrent use.
type LineIndex struct {
	segs []geoSegment
	tree rtree.RTreeG[int32]
}

// NewLineIndex prepares ml for Distance. It does not retain ml.
func NewLineIndex(ml MultiLineString) *LineIndex {
	li := new(LineIndex)
	for _, l := range ml {
		if len(l) == 1 {
			l = LineString{l[0], l[0]}
		}
		for i := 0; i+1 < len(l); i++ {
			s := newGeoSegment(l[i], l[i+1])
			lo, hi := s.box()
			li.tree.Insert(lo, hi, int32(len(li.segs)))
			li.segs = append(li.segs, s)
		}
	}
	return li
}

// box returns a longitude/latitude box that holds the whole geodesic
// segment. Longitude is monotonic along a geodesic, so the box runs from one
// end to the other in the direction of travel, and may end past 180°. Its
// latitude range takes in the vertex of the geodesic (its point nearest a
// pole) when the segment passes it.
func (s *geoSegment) box() (lo, hi [2]float64) {
	azi1, azi2 := s.azi, s.aziB
	a, b := s.a.Lon(), s.b.Lon()
	if math.Sin(azi1*degToRad) < 0 {
		a, b = b, a // westward: run from b east to a
	}
	span := math.Mod(b-a+2*360, 360)
	if s.length > 0 && math.Abs(math.Sin(azi1*degToRad)) < 1e-12 && span > 1e-9 {
		// Along a meridian over a pole: every longitude between.
		span = 360
		a = -180
	}
	lo[0], hi[0] = a-boxPad, a+span+boxPad
	lo[1] = min(s.a.Lat(), s.b.Lat())
	hi[1] = max(s.a.Lat(), s.b.Lat())
	c1, c2 := math.Cos(azi1*degToRad), math.Cos(azi2*degToRad)
	if c1*c2 < 0 || (c1 == 0) != (c2 == 0) {
		// The heading turns from northward to southward (or back):
		// the vertex, where cos β₀ = |sin α cos β| (Clairaut), lies on
		// the segment.
		β1 := math.Atan((1 - Flattening) * math.Tan(s.a.Lat()*degToRad))
		cβ0 := math.Abs(math.Sin(azi1*degToRad) * math.Cos(β1))
		φ0 := math.Atan(math.Tan(math.Acos(min(cβ0, 1)))/(1-Flattening)) / degToRad
		if c1 > 0 || (c1 == 0 && s.a.Lat() > 0) {
			hi[1] = max(hi[1], φ0)
		} else {
			lo[1] = min(lo[1], -φ0)
		}
	}
	lo[1] = max(lo[1]-boxPad, -90)
	hi[1] = min(hi[1]+boxPad, 90)
	return lo, hi
}

// boxBound returns a lower bound in metres on the geodesic distance from p
// to any point in the box: the larger of the meridian arc to the box's
// latitudes and the chord across the longitude gap at the least parallel
// radius involved. rp is the radius of p's parallel. It is called for
// every node and item that a query meets, so it uses polynomial bounds on
// sine and cosine rather than the functions themselves.
func boxBound(p Point, rp float64, lo, hi [2]float64) float64 {
	var dφ float64
	switch lat := p.Lat(); {
	case lat < lo[1]:
		dφ = lo[1] - lat
	case lat > hi[1]:
		dφ = lat - hi[1]
	}
	latBound := dφ * degToRad * minRadius
	dλ := lonGap(p.Lon(), lo[0], hi[0])
	if dλ == 0 {
		return latBound
	}
	// The parallel radius N cos φ is at least a cos φ, and cos x is at
	// least 1 − x²/2 + x⁴/24 − x⁶/720; sin y is at least y − y³/6.
	x := max(math.Abs(lo[1]), math.Abs(hi[1])) * degToRad
	x2 := x * x
	cosLow := 1 - x2/2*(1-x2/12*(1-x2/30))
	r := min(rp, EquatorialRadius*max(cosLow, 0))
	y := dλ * degToRad / 2
	return max(latBound, 2*r*(y-y*y*y/6))
}

// lonGap returns the angle in degrees, at most 180, from longitude x to the
// nearest longitude of the eastward interval [lo, hi].
func lonGap(x, lo, hi float64) float64 {
	if hi-lo >= 360 {
		return 0
	}
	d := x - lo
	for d < 0 {
		d += 360
	}
	for d >= 360 {
		d -= 360
	}
	if d <= hi-lo {
		return 0
	}
	return min(d-(hi-lo), 360-d)
}

// parallelRadius returns the radius in metres of the parallel at latitude
// lat degrees.
func parallelRadius(lat float64) float64 {
	s, c := math.Sincos(lat * degToRad)
	return EquatorialRadius * math.Abs(c) / math.Sqrt(1-wgs84E2*s*s)
}

// Distance returns the geodesic distance in metres from p to the nearest
// point of the indexed lines, and that point; see DistanceToLine. With no
// lines it returns +Inf and the zero Point; for a point with a coordinate
// that is NaN or infinite, NaN and the zero Point.
func (li *LineIndex) Distance(p Point) (meters float64, nearest Point) {
	if !finite(p) {
		return math.NaN(), Point{}
	}
	meters = math.Inf(1)
	pe := ecef(p)
	rp := parallelRadius(p.Lat())
	li.tree.Nearby(
		func(lo, hi [2]float64, k int32, item bool) float64 {
			b := boxBound(p, rp, lo, hi)
			if item {
				b = max(b, li.segs[k].lowerBound(pe))
			}
			return b
		},
		func(_, _ [2]float64, k int32, bound float64) bool {
			if bound >= meters {
				return false
			}
			if d, q := li.segs[k].nearest(p, pe); d < meters {
				meters, nearest = d, q
			}
			return true
		},
	)
	return meters, nearest
}
