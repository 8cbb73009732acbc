package geo

import (
	"cmp"
	"math"
	"slices"
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
	farAway   = 1e6      // metres: beyond this the nearest-point search checks both ends
)

// Boundary returns the rings of m, outer rings and holes, as lines, sharing
// their points with m.
func (m MultiPolygon) Boundary() MultiLineString {
	var out MultiLineString
	for _, p := range m {
		for _, r := range p {
			out = append(out, LineString(r))
		}
	}
	return out
}

// DistanceToLine returns the geodesic distance in metres on the WGS84
// ellipsoid from p to the nearest point of the line l, and that point.
// Each segment of l is the geodesic between its ends (not the straight line
// in longitude and latitude).
//
// The nearest point of a segment is found by iterating Direct and Inverse,
// from the foot of the perpendicular on a sphere that touches the ellipsoid
// there, until the geodesic from p meets the segment at a right angle (or an
// end is nearest), to within a micrometre along the segment; the distance then
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
	var ends endCache
	for i := 0; i+1 < len(l); i++ {
		s := newGeoSegment(l[i], l[i+1])
		if s.lowerBound(pe) >= meters {
			continue
		}
		if d, q := s.nearest(p, pe, &ends); d < meters {
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

// endCache remembers the last few geodesics from a segment end to one
// point p: neighbouring segments share their ends, and the nearest point of
// a line is often a vertex, so a query meets the same end more than once.
// A nil *endCache remembers nothing.
type endCache struct {
	n    int
	ends [4]Point
	d    [4]float64 // metres from the end to p
	azi  [4]float64 // azimuth at the end towards p, degrees
}

// inverse returns the distance from the segment end q to p and the
// azimuth of that geodesic at q, as Inverse gives them.
func (c *endCache) inverse(q, p Point) (meters, azi float64) {
	if c == nil {
		meters, azi, _ = Inverse(q, p)
		return meters, azi
	}
	for i := range min(c.n, len(c.ends)) {
		if c.ends[i] == q {
			return c.d[i], c.azi[i]
		}
	}
	meters, azi, _ = Inverse(q, p)
	i := c.n % len(c.ends)
	c.ends[i], c.d[i], c.azi[i] = q, meters, azi
	c.n++
	return meters, azi
}

// nearest returns the distance from p to the segment and its nearest point.
// ends, if not nil, remembers the geodesics from the segment ends to p
// between calls for the same p.
func (s *geoSegment) nearest(p Point, pe [3]float64, ends *endCache) (float64, Point) {
	if s.length == 0 {
		d, _ := ends.inverse(s.a, p)
		return d, s.a
	}
	return s.refine(p, s.guess(pe)*s.length, ends)
}

// guess returns a first guess at the fraction of the segment's length where
// its nearest point to pe lies: the foot of the perpendicular from pe to the
// great circle through the ends on the sphere of radius meanR that touches
// the ellipsoid at the segment. For a point a few kilometres from a short
// segment it is within a micrometre or so of the geodesic answer, where the
// nearest point of the straight chord is off by up to a few tenths of a
// millimetre (the chord and the geodesic part by the angle between them).
func (s *geoSegment) guess(pe [3]float64) float64 {
	// The surface normal at x is along (x, y, z/(1-e²)); take the mean
	// of the normals at the ends, and the centre of the sphere below the
	// chord's midpoint along it.
	var n [3]float64
	for k, scale := range [3]float64{1, 1, 1 / (1 - wgs84E2)} {
		n[k] = (s.ea[k] + s.eb[k]) * scale
	}
	nn := norm(n)
	var u, v, w [3]float64
	for k := range 3 {
		c := (s.ea[k]+s.eb[k])/2 - meanR*n[k]/nn
		u[k], v[k], w[k] = s.ea[k]-c, s.eb[k]-c, pe[k]-c
	}
	// The angle from u to w, seen along the pole of the great circle,
	// over the angle from u to v.
	pole := cross(u, v)
	pw := cross(u, w)
	along := math.Atan2(dot(pw, pole), dot(u, w)*norm(pole))
	total := math.Atan2(norm(pole), dot(u, v))
	if !(total > 0) {
		t, _ := chordParam(pe, s.ea, s.eb)
		return t
	}
	return min(max(along/total, 0), 1)
}

// cross, dot and norm are the vector product, scalar product and length of
// Cartesian vectors.
func cross(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

func dot(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

func norm(a [3]float64) float64 { return math.Sqrt(dot(a, a)) }

// refine runs the nearest-point search on the segment from the point at
// metres along it.
func (s *geoSegment) refine(p Point, at float64, ends *endCache) (float64, Point) {
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
		if at == 0 || at == s.length {
			d, aziQP = ends.inverse(q, p)
		} else {
			d, aziQP, _ = Inverse(q, p)
		}
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
			if de, _ := ends.inverse(e, p); de < d {
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
// Segments sit in a bounding-volume hierarchy of boxes in Earth-centred
// Cartesian coordinates, each box widened by the sagitta bound of its
// segments so that it holds the geodesics and not just their chords. The
// straight-line distance to a box is a lower bound on the geodesic distance
// to anything in it, and it needs no care at the antimeridian or the poles.
// A query visits boxes and segments in order of that bound, and runs the
// exact geodesic search on a segment only while its bound (the distance to
// its chord less the sagitta) is below the best distance found so far.
//
// A LineIndex is immutable and safe for concurrent use.
type LineIndex struct {
	segs  []geoSegment
	nodes []lineNode
}

// lineNode is a node of a LineIndex's hierarchy: a box and either two
// children (nodes[first] and nodes[first+1]) or, in a leaf, the segments
// segs[first:first+count].
type lineNode struct {
	lo, hi       [3]float64
	first, count int32 // count is 0 in an inner node
}

// leafSize is the most segments in a leaf of a LineIndex.
const leafSize = 4

// NewLineIndex prepares ml for Distance. It does not retain ml.
func NewLineIndex(ml MultiLineString) *LineIndex {
	li := new(LineIndex)
	for _, l := range ml {
		if len(l) == 1 {
			l = LineString{l[0], l[0]}
		}
		for i := 0; i+1 < len(l); i++ {
			li.segs = append(li.segs, newGeoSegment(l[i], l[i+1]))
		}
	}
	if len(li.segs) > 0 {
		li.nodes = make([]lineNode, 1, 2*len(li.segs)/leafSize+2)
		li.build(0, 0, len(li.segs))
	}
	return li
}

// build makes nodes[n] the node of segs[i:j], splitting the segments at
// the median of their chords' midpoints along the box's longest axis.
func (li *LineIndex) build(n int32, i, j int) {
	nd := lineNode{first: int32(i), count: int32(j - i)}
	for k := range 3 {
		nd.lo[k], nd.hi[k] = math.Inf(1), math.Inf(-1)
	}
	for _, s := range li.segs[i:j] {
		slo, shi := s.bounds()
		for k := range 3 {
			nd.lo[k] = min(nd.lo[k], slo[k])
			nd.hi[k] = max(nd.hi[k], shi[k])
		}
	}
	if j-i > leafSize {
		axis := 0
		for k := 1; k < 3; k++ {
			if nd.hi[k]-nd.lo[k] > nd.hi[axis]-nd.lo[axis] {
				axis = k
			}
		}
		slices.SortFunc(li.segs[i:j], func(s, t geoSegment) int {
			return cmp.Compare(s.ea[axis]+s.eb[axis], t.ea[axis]+t.eb[axis])
		})
		c := int32(len(li.nodes))
		li.nodes = append(li.nodes, lineNode{}, lineNode{})
		mid := (i + j) / 2
		li.build(c, i, mid)
		li.build(c+1, mid, j)
		nd.first, nd.count = c, 0
	}
	li.nodes[n] = nd
}

// bounds returns a Cartesian box that holds the whole geodesic segment:
// the box of its chord widened by the sagitta bound.
func (s *geoSegment) bounds() (lo, hi [3]float64) {
	for k := range 3 {
		lo[k] = min(s.ea[k], s.eb[k]) - s.sag
		hi[k] = max(s.ea[k], s.eb[k]) + s.sag
	}
	return lo, hi
}

// boxBound returns a lower bound in metres on the geodesic distance from pe
// to anything in the Cartesian box: the straight-line distance to the box.
func boxBound(pe, lo, hi [3]float64) float64 {
	var d2 float64
	for k := range 3 {
		d := max(lo[k]-pe[k], pe[k]-hi[k], 0)
		d2 += d * d
	}
	return math.Sqrt(d2) - boundTol
}

// pending is a node (id ≥ 0) or segment (id = -1 - index) waiting in a
// query's queue with its lower bound.
type pending struct {
	bound float64
	id    int32
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
	if len(li.nodes) == 0 {
		return meters, nearest
	}
	pe := ecef(p)
	var ends endCache
	var buf [64]pending
	q := buf[:0]
	// next is the node or segment to visit: popped from q, or the nearer
	// child of the node just visited, taken straight away while nothing
	// in q comes before it.
	next := pending{boxBound(pe, li.nodes[0].lo, li.nodes[0].hi), 0}
	for next.bound < meters {
		if next.id < 0 {
			s := &li.segs[-1-next.id]
			if d, x := s.nearest(p, pe, &ends); d < meters {
				meters, nearest = d, x
			}
		} else if nd := &li.nodes[next.id]; nd.count == 0 {
			c0, c1 := nd.first, nd.first+1
			b0 := boxBound(pe, li.nodes[c0].lo, li.nodes[c0].hi)
			b1 := boxBound(pe, li.nodes[c1].lo, li.nodes[c1].hi)
			if b1 < b0 {
				c0, c1, b0, b1 = c1, c0, b1, b0
			}
			if b1 < meters {
				q = pushPending(q, pending{b1, c1})
			}
			if len(q) == 0 || b0 <= q[0].bound {
				next = pending{b0, c0}
				continue
			}
			if b0 < meters {
				q = pushPending(q, pending{b0, c0})
			}
		} else {
			for k := nd.first; k < nd.first+nd.count; k++ {
				if b := li.segs[k].lowerBound(pe); b < meters {
					q = pushPending(q, pending{b, -1 - k})
				}
			}
		}
		if len(q) == 0 {
			break
		}
		next, q = popPending(q)
	}
	return meters, nearest
}

// pushPending adds x to the binary min-heap q.
func pushPending(q []pending, x pending) []pending {
	q = append(q, x)
	for i := len(q) - 1; i > 0; {
		parent := (i - 1) / 2
		if q[parent].bound <= q[i].bound {
			break
		}
		q[parent], q[i] = q[i], q[parent]
		i = parent
	}
	return q
}

// popPending removes the least element of the binary min-heap q.
func popPending(q []pending) (pending, []pending) {
	top := q[0]
	n := len(q) - 1
	q[0] = q[n]
	q = q[:n]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < n && q[l].bound < q[m].bound {
			m = l
		}
		if r := l + 1; r < n && q[r].bound < q[m].bound {
			m = r
		}
		if m == i {
			break
		}
		q[i], q[m] = q[m], q[i]
		i = m
	}
	return top, q
}
