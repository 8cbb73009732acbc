package geo

import (
	"cmp"
	"fmt"
	"slices"
)

// Validity of polygons.
//
// The decoders check each position and that rings are closed; Validate
// checks how the rings lie against each other, in the plane of longitude
// and latitude as GEOS and PostGIS geometry do. It finds the edges that
// cross, or overlap along a stretch, by a sweep over the edges sorted by
// their least longitude, so that each edge is tested only against the edges
// whose longitude range meets its own: a DeepState snapshot (3,000 edges)
// takes well under a millisecond, and 100,000 edges a few tens of
// milliseconds. Rings may touch at single points. Not checked: a ring that
// passes through a vertex of another from one side to the other, holes
// outside their outer ring, and orientation (either is accepted).

// Validate reports the first crossing or overlap between two edges of the
// polygons of m, of one ring or of two, as a *CoordError whose Path names
// the first position of one of the edges ("coordinates[0][2][17]") and
// whose Message names the other. Unlike DecodeMultiPolygon, which checks
// each polygon on its own, it also rejects polygons that overlap each
// other, as the OGC simple features rules do.
func (m MultiPolygon) Validate() error {
	var segs []segment
	for i, p := range m {
		for j, r := range p {
			segs = appendSegments(segs, r, int32(i), int32(j))
		}
	}
	return firstCrossing(segs, func(s segment) string {
		return fmt.Sprintf("coordinates[%d][%d][%d]", s.poly, s.ring, s.index)
	})
}

// Validate is like MultiPolygon.Validate for one polygon, with paths of
// the form "coordinates[2][17]".
func (p Polygon) Validate() error { return p.validate("coordinates") }

// validate checks the rings of p against each other; path is the path of
// p's coordinates.
func (p Polygon) validate(path string) error {
	var segs []segment
	for j, r := range p {
		segs = appendSegments(segs, r, 0, int32(j))
	}
	return firstCrossing(segs, func(s segment) string {
		return fmt.Sprintf("%s[%d][%d]", path, s.ring, s.index)
	})
}

// segment is the edge of a ring from position index to the next.
type segment struct {
	a, b              Point
	minX, maxX        float64
	minY, maxY        float64
	poly, ring, index int32
	last              int32 // index of the ring's last edge
}

func appendSegments(segs []segment, r Ring, poly, ring int32) []segment {
	n := len(r)
	if n > 1 && r[0] == r[n-1] {
		n--
	}
	last := int32(n - 1)
	for k := range n {
		a, b := r[k], r[(k+1)%n]
		if a == b {
			continue
		}
		segs = append(segs, segment{
			a: a, b: b,
			minX: min(a[0], b[0]), maxX: max(a[0], b[0]),
			minY: min(a[1], b[1]), maxY: max(a[1], b[1]),
			poly: poly, ring: ring, index: int32(k), last: last,
		})
	}
	return segs
}

// adjacent reports whether s and t are consecutive edges of one ring.
func adjacent(s, t segment) bool {
	if s.poly != t.poly || s.ring != t.ring {
		return false
	}
	d := s.index - t.index
	return d == 1 || d == -1 || (s.index == 0 && t.index == s.last) || (t.index == 0 && s.index == t.last)
}

// ringOrder orders segments by polygon, ring and position.
func ringOrder(s, t segment) int {
	return cmp.Or(cmp.Compare(s.poly, t.poly), cmp.Compare(s.ring, t.ring), cmp.Compare(s.index, t.index))
}

func firstCrossing(segs []segment, path func(segment) string) error {
	slices.SortFunc(segs, func(s, t segment) int { return cmp.Compare(s.minX, t.minX) })
	var found bool
	var bad, other segment
	var how string
	for i := range segs {
		s := segs[i]
		for j := i + 1; j < len(segs) && segs[j].minX <= s.maxX; j++ {
			t := segs[j]
			if t.minY > s.maxY || t.maxY < s.minY {
				continue
			}
			what := intersection(s, t, adjacent(s, t))
			if what == "" {
				continue
			}
			if ringOrder(t, s) < 0 {
				s, t = t, s
			}
			if !found || ringOrder(s, bad) < 0 || (ringOrder(s, bad) == 0 && ringOrder(t, other) < 0) {
				found, bad, other, how = true, s, t, what
			}
			s = segs[i]
		}
	}
	if !found {
		return nil
	}
	return &CoordError{path(bad), fmt.Sprintf("edge from %v to %v %s edge %s from %v to %v",
		bad.a, bad.b, how, path(other), other.a, other.b)}
}

// intersection returns "crosses" if the interiors of s and t cross at a
// point, "overlaps" if they share a stretch of positive length, and "" if
// they are apart or only touch. Consecutive edges of a ring always share a
// vertex, so for them only an overlap (a spike) counts.
func intersection(s, t segment, adjacent bool) string {
	o1 := orient(s.a[0], s.a[1], s.b[0], s.b[1], t.a[0], t.a[1])
	o2 := orient(s.a[0], s.a[1], s.b[0], s.b[1], t.b[0], t.b[1])
	if o1 == 0 && o2 == 0 {
		if overlapLength(s, t) {
			return "overlaps"
		}
		return ""
	}
	if adjacent {
		return ""
	}
	o3 := orient(t.a[0], t.a[1], t.b[0], t.b[1], s.a[0], s.a[1])
	o4 := orient(t.a[0], t.a[1], t.b[0], t.b[1], s.b[0], s.b[1])
	if o1*o2 < 0 && o3*o4 < 0 {
		return "crosses"
	}
	return ""
}

// overlapLength reports whether collinear segments s and t share more
// than a point.
func overlapLength(s, t segment) bool {
	// Project on the axis along which s is longer.
	k := 0
	if s.maxX-s.minX < s.maxY-s.minY {
		k = 1
	}
	s0, s1 := min(s.a[k], s.b[k]), max(s.a[k], s.b[k])
	t0, t1 := min(t.a[k], t.b[k]), max(t.a[k], t.b[k])
	return min(s1, t1) > max(s0, t0)
}
