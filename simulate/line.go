package simulate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/truce-monitor/truce/control"
	"github.com/truce-monitor/truce/geo"
)

// line is the line of contact prepared for sampling by length.
type line struct {
	m     *control.Map
	segs  []segment
	total float64 // metres
}

// segment is one edge of the line with the length before it.
type segment struct {
	a, b    geo.Point
	start   float64 // metres along the line where a lies
	length  float64
	azimuth float64 // from a to b
}

func newLine(m *control.Map) (*line, error) {
	l := &line{m: m}
	for _, ls := range m.Line() {
		if lineLength(ls) < control.DefaultMinLineLength {
			// A small enclave or hole of held ground is line for
			// distances, but the front the scenario plays along
			// is its long stretches.
			continue
		}
		for i := 1; i < len(ls); i++ {
			d, az, _ := geo.Inverse(ls[i-1], ls[i])
			if d == 0 {
				continue
			}
			l.segs = append(l.segs, segment{a: ls[i-1], b: ls[i], start: l.total, length: d, azimuth: az})
			l.total += d
		}
	}
	if l.total == 0 {
		return nil, fmt.Errorf("simulate: control map %s has no line of contact", m.ID)
	}
	return l, nil
}

// lineLength returns the geodesic length of ls in metres.
func lineLength(ls geo.LineString) float64 {
	var d float64
	for i := 1; i < len(ls); i++ {
		d += geo.Distance(ls[i-1], ls[i])
	}
	return d
}

// at returns the point s metres along the line (clamped to its ends) and
// the line's azimuth there.
func (l *line) at(s float64) (geo.Point, float64) {
	s = math.Max(0, math.Min(s, l.total))
	i := sort.Search(len(l.segs), func(i int) bool { return l.segs[i].start+l.segs[i].length >= s })
	if i == len(l.segs) {
		i--
	}
	sg := l.segs[i]
	p, _ := geo.Direct(sg.a, sg.azimuth, s-sg.start)
	return p, sg.azimuth
}

// across returns a point d metres from the line point p, perpendicular to
// the line's azimuth az, on the side that party holds, and true; or false
// when neither perpendicular leads into that party's ground.
func (l *line) across(p geo.Point, az float64, party string, d float64) (geo.Point, float64, bool) {
	for _, side := range []float64{90, -90} {
		q, _ := geo.Direct(p, az+side, d)
		if l.m.Holder(q) == party {
			return q, az + side, true
		}
	}
	return geo.Point{}, 0, false
}

// pair draws an origin in party's ground and a point in other's ground on
// either side of the line near s metres along it, at distances drawn from
// the given ranges, and checks both against the map. It tries a few times
// around s before giving up.
func (l *line) pair(r *rand.Rand, s, spread float64, party, other string, back, beyond [2]float64) (origin, impact geo.Point, ok bool) {
	for try := 0; try < 40; try++ {
		p, az := l.at(s + (r.Float64()*2-1)*spread)
		_, sideAz, found := l.across(p, az, party, 1500)
		if !found {
			continue
		}
		o, _ := geo.Direct(p, sideAz+normal(r, 0, 15), uniform(r, back))
		i, _ := geo.Direct(p, sideAz+180+normal(r, 0, 15), uniform(r, beyond))
		if l.m.Holder(o) == party && l.m.Holder(i) == other {
			return o, i, true
		}
	}
	return geo.Point{}, geo.Point{}, false
}

func uniform(r *rand.Rand, rg [2]float64) float64 { return rg[0] + r.Float64()*(rg[1]-rg[0]) }

func normal(r *rand.Rand, mean, sigma float64) float64 { return mean + r.NormFloat64()*sigma }

// poisson draws from a Poisson distribution of mean lambda (Knuth's
// method; lambda is small here).
func poisson(r *rand.Rand, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	limit, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= r.Float64()
		if p <= limit {
			return k
		}
		k++
	}
}
