package geo

import (
	"fmt"
	"math"

	sf "github.com/peterstace/simplefeatures/geom"
)

// Buffers.
//
// A buffer is drawn by the direct geodesic problem: every vertex of its
// outline lies at the given distance, on the ellipsoid, from the centre or
// the line. Between vertices the outline is a straight segment in
// longitude and latitude, a chord of the true curve, so the buffer lies
// inside the true one by at most d(1 - cos(π/n)) for a circle of n
// segments (0.12% of the distance for the 64 that BufferLine uses, 12 m on
// a 10 km buffer) plus the chord sag along the sides, which BufferLine
// keeps below the same bound by placing a vertex at least every d/8 along
// each side. Buffers are meant for regional distances: a buffer that
// crosses the antimeridian or reaches a pole is not supported.

// bufferSegments is the number of segments of a full circle in BufferLine.
const bufferSegments = 64

// BufferPoint returns the geodesic circle of radius meters around p as a
// polygon of the given number of segments (at least 4; fewer are taken as
// 4), counter-clockwise, its vertices on the circle.
func BufferPoint(p Point, meters float64, segments int) Polygon {
	segments = max(segments, 4)
	ring := make(Ring, 0, segments+1)
	for k := range segments {
		// Decreasing azimuths run counter-clockwise.
		q, _ := Direct(p, -360*float64(k)/float64(segments), meters)
		ring = append(ring, q)
	}
	ring = append(ring, ring[0])
	return Polygon{ring}
}

// BufferLine returns the ground within meters of the line l: the union of
// the geodesic capsules around its segments (each segment's two sides
// offset by meters, joined by half circles round its ends). A line of one
// distinct position gives a circle. The error is described above; the union
// is computed in longitude and latitude by simplefeatures.
func BufferLine(l LineString, meters float64) (MultiPolygon, error) {
	if !(meters > 0) {
		return nil, fmt.Errorf("buffer distance %v m: want a positive distance", meters)
	}
	for i, p := range l {
		if err := checkPoint(p, fmt.Sprintf("coordinates[%d]", i)); err != nil {
			return nil, err
		}
	}
	var parts []sf.Geometry
	for i := 0; i+1 < len(l); i++ {
		if l[i] == l[i+1] {
			continue
		}
		parts = append(parts, toSF(capsule(l[i], l[i+1], meters)))
	}
	if len(parts) == 0 {
		if len(l) == 0 {
			return nil, fmt.Errorf("empty line")
		}
		return MultiPolygon{BufferPoint(l[0], meters, bufferSegments)}, nil
	}
	u, err := sf.UnionMany(parts)
	if err != nil {
		return nil, fmt.Errorf("buffer union: %v", err)
	}
	return fromSF(u), nil
}

// capsule returns the buffer of the geodesic segment from a to b.
func capsule(a, b Point, d float64) Ring {
	length, azi1, _ := Inverse(a, b)
	// Points along the segment, at most d/8 apart, with the azimuth there.
	n := max(1, int(math.Ceil(length/(d/8))))
	type station struct {
		p   Point
		azi float64
	}
	st := make([]station, n+1)
	st[0] = station{a, azi1}
	for k := 1; k <= n; k++ {
		q, azi := Direct(a, azi1, length*float64(k)/float64(n))
		st[k] = station{q, azi}
	}
	var ring Ring
	// The right side forward, a half circle round b, the left side back,
	// a half circle round a: counter-clockwise.
	for _, s := range st {
		q, _ := Direct(s.p, s.azi+90, d)
		ring = append(ring, q)
	}
	half := bufferSegments / 2
	end := st[n]
	for k := 1; k < half; k++ {
		q, _ := Direct(end.p, end.azi+90-180*float64(k)/float64(half), d)
		ring = append(ring, q)
	}
	for k := n; k >= 0; k-- {
		q, _ := Direct(st[k].p, st[k].azi-90, d)
		ring = append(ring, q)
	}
	for k := 1; k < half; k++ {
		q, _ := Direct(a, azi1-90-180*float64(k)/float64(half), d)
		ring = append(ring, q)
	}
	return append(ring, ring[0])
}

func toSF(r Ring) sf.Geometry {
	xy := make([]float64, 0, 2*len(r))
	for _, p := range r {
		xy = append(xy, p[0], p[1])
	}
	ls := sf.NewLineString(sf.NewSequence(xy, sf.DimXY))
	return sf.NewPolygon([]sf.LineString{ls}).AsGeometry()
}

func fromSF(g sf.Geometry) MultiPolygon {
	var mp MultiPolygon
	for _, part := range g.Dump() {
		p, ok := part.AsPolygon()
		if !ok {
			continue
		}
		poly := Polygon{ringFromSF(p.ExteriorRing())}
		for i := range p.NumInteriorRings() {
			poly = append(poly, ringFromSF(p.InteriorRingN(i)))
		}
		mp = append(mp, poly)
	}
	return mp
}

func ringFromSF(ls sf.LineString) Ring {
	seq := ls.Coordinates()
	r := make(Ring, seq.Length())
	for i := range r {
		xy := seq.GetXY(i)
		r[i] = Point{xy.X, xy.Y}
	}
	return r
}
