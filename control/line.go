package control

import (
	"math"

	"github.com/truce-monitor/truce/geo"
)

// contactLine traces the line of contact: the parts of the boundary of
// ground that lie farther than tol metres from the territory's outline
// (its state border and coast), in pieces of at least minLen metres.
//
// Every edge of ground is sampled at most lineStep metres apart; a stretch
// between two consecutive samples belongs to the line when both samples lie
// farther than tol from the outline. A piece of line keeps the edge's own
// vertices and starts and ends at samples, so it follows the map's edge
// exactly and departs from it only by up to lineStep at its ends. A ring
// that lies wholly off the outline (an enclave, or a hole in the ground: an
// interior ring) is line whatever its length; only pieces of rings that
// follow the outline elsewhere are dropped below minLen.
func contactLine(ground geo.MultiPolygon, outline *geo.LineIndex, tol, minLen float64) geo.MultiLineString {
	var out geo.MultiLineString
	for _, poly := range ground {
		for _, ring := range poly {
			out = append(out, ringLine(ring, outline, tol, minLen)...)
		}
	}
	return out
}

// sample is a point on a ring's edge: off when it lies beyond tol of the
// outline, vertex when it is a vertex of the ring.
type sample struct {
	p      geo.Point
	off    bool
	vertex bool
}

func ringLine(ring geo.Ring, outline *geo.LineIndex, tol, minLen float64) geo.MultiLineString {
	n := len(ring)
	if n > 1 && ring[0] == ring[n-1] {
		n-- // the samples go round; the closing point is the first
	}
	if n < 2 {
		return nil
	}
	var ss []sample
	for i := 0; i < n; i++ {
		a, b := ring[i], ring[(i+1)%n]
		k := max(1, int(math.Ceil(geo.Distance(a, b)/lineStep)))
		for j := 0; j < k; j++ {
			f := float64(j) / float64(k)
			p := geo.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])}
			d, _ := outline.Distance(p)
			ss = append(ss, sample{p: p, off: d > tol, vertex: j == 0})
		}
	}
	m := len(ss)
	kept := func(t int) bool { return ss[t%m].off && ss[(t+1)%m].off }
	start := -1
	for t := 0; t < m; t++ {
		if !kept(t) {
			start = t + 1
			break
		}
	}
	if start < 0 {
		// The whole ring is line: an enclave or a hole (an interior
		// ring), wholly away from the border, however small. minLen
		// drops remnants of border mismatch, which a closed ring off
		// the border is not.
		l := make(geo.LineString, 0, n+1)
		l = append(l, ring[:n]...)
		l = append(l, ring[0])
		return geo.MultiLineString{l}
	}
	var out geo.MultiLineString
	var cur geo.LineString
	for t := start; t < start+m; t++ {
		if !kept(t) {
			continue
		}
		s, next := ss[t%m], ss[(t+1)%m]
		if len(cur) == 0 {
			cur = append(cur, s.p)
		} else if s.vertex {
			cur = append(cur, s.p)
		}
		if !kept(t + 1) {
			cur = append(cur, next.p)
			if lineLength(cur) >= minLen {
				out = append(out, cur)
			}
			cur = nil
		}
	}
	return out
}
