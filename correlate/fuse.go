package correlate

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/geo"
)

// fuse joins the items that describe one event and returns the groups,
// each a list of items ordered by start. Reports are compared with each
// other and with clusters of detections (clusters with one another never:
// the clustering has joined those already).
func (c *correlation) fuse(items []*item) [][]*item {
	slices.SortFunc(items, func(a, b *item) int {
		if x := cmp.Compare(a.lo, b.lo); x != 0 {
			return x
		}
		return cmp.Compare(a.recs[0], b.recs[0])
	})
	parent, find := disjointSets(len(items))
	union := func(a, b int) {
		if a, b = find(a), find(b); a != b {
			parent[max(a, b)] = min(a, b)
		}
	}
	var reports, clusters []int
	var maxLen int64 // the longest interval among clusters
	for i, it := range items {
		if it.cluster {
			clusters = append(clusters, i)
			maxLen = max(maxLen, it.hi-it.lo)
		} else {
			reports = append(reports, i)
		}
	}
	// The pairs that agree, in the order of the sweep.
	var edges [][2]int
	w := int64(maxWindow)
	for a, i := range reports {
		x := items[i]
		// Reports with reports: a sweep in order of start.
		for _, j := range reports[a+1:] {
			if items[j].lo > x.hi+w {
				break
			}
			if c.match(x, items[j]) {
				edges = append(edges, [2]int{i, j})
			}
		}
		// Reports with clusters that start between x.lo-w-maxLen and x.hi+w.
		// Only the best of them joins, so that a report cannot bridge
		// clusters that the clustering kept apart.
		k, _ := slices.BinarySearchFunc(clusters, x.lo-w-maxLen, func(j int, t int64) int { return cmp.Compare(items[j].lo, t) })
		best, bestScore := -1, math.Inf(1)
		for _, j := range clusters[k:] {
			if items[j].lo > x.hi+w {
				break
			}
			if c.match(x, items[j]) {
				if s := closeness(x, items[j]); s < bestScore {
					best, bestScore = j, s
				}
			}
		}
		if best >= 0 {
			edges = append(edges, [2]int{i, best})
		}
	}
	c.join(items, edges, find, union)
	// Groups in order of their first item; a root is its group's first
	// item, since union keeps the lower index.
	groupOf := make([]int32, len(items))
	var groups [][]*item
	for i, it := range items {
		r := find(i)
		if r == i {
			groupOf[i] = int32(len(groups))
			groups = append(groups, []*item{it})
			continue
		}
		g := groupOf[r]
		groups[g] = append(groups[g], it)
	}
	// Cut chains that last too long: at an item that starts more than
	// MaxSpan after the first of its part, unless that first item is an
	// advance whose interval (between two maps, days long) it starts in:
	// a report of ground taken within it is of it. Two advances both read
	// off the control maps are two patches, and are cut as before.
	span := int64(c.o.MaxSpan)
	var out [][]*item
	for _, g := range groups {
		first := 0
		for i := range g {
			if g[i].lo-g[first].lo > span && !(g[first].kind == truce.KindAdvance && g[i].lo < g[first].hi && !(c.fromMaps(g[first]) && c.fromMaps(g[i]))) {
				out = append(out, g[first:i])
				first = i
			}
		}
		out = append(out, g[first:])
	}
	return c.merge(out)
}

// disjointSets returns the parents of n singleton sets and the function
// that finds a set's root, halving paths as it goes.
func disjointSets(n int) ([]int, func(int) int) {
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	return parent, func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
}

// join unites the items of the agreeing pairs in edges, keeping apart
// reports whose origins disagree (fire and the return fire):
//
//  1. reports that give an origin (directional) are united when they agree
//     and every directional member of one side agrees in origin with every
//     one of the other;
//  2. each item without an origin that agrees with directional ones joins
//     the group of the one it fits best (closeness, then the lower index);
//  3. the other pairs are united unless both sides already hold
//     directional reports, so that a report at the impact cannot bridge
//     two directional groups.
//
// In every step, groups holding allegations by different parties are kept
// apart: a party alleges an act against itself, on its own ground, so two
// parties' allegations are two acts (fire and the return fire), never one.
// So are groups whose precisely timed items (intervals under an hour) lie
// further apart than their kinds' windows: a report timed to the hour
// cannot bridge two bursts of fire minutes apart.
//
// Without origins or allegations, this unites every pair, as plain
// union-find would.
func (c *correlation) join(items []*item, edges [][2]int, find func(int) int, union func(a, b int)) {
	dirs := map[int][]int{}               // a root's directional members
	parties := make([]string, len(items)) // the party whose allegations a root holds
	for i, it := range items {
		if it.origin != nil {
			dirs[i] = []int{i}
		}
		if !it.cluster && len(it.recs) == 1 {
			if r := c.recs[it.recs[0]]; r.SourceRole == truce.RoleParty && r.SourceParty != "" {
				parties[i] = r.SourceParty
			}
		}
	}
	// The span of a root's precisely timed items (intervals shorter than
	// an hour) and the largest window of their kinds: a report timed to
	// the hour cannot join two groups of precise reports that are further
	// apart in time than their kinds allow.
	type span struct {
		lo, hi, win int64
		ok          bool
	}
	spans := make([]span, len(items))
	for i, it := range items {
		if it.hi-it.lo < int64(time.Hour) {
			spans[i] = span{it.lo, it.hi, int64(c.window(it)), true}
		}
	}
	apart := func(ra, rb int) bool {
		if pa, pb := parties[ra], parties[rb]; pa != "" && pb != "" && pa != pb {
			return true
		}
		sa, sb := spans[ra], spans[rb]
		return sa.ok && sb.ok && max(sa.lo-sb.hi, sb.lo-sa.hi) > max(sa.win, sb.win)
	}
	merge := func(a, b int) {
		ra, rb := find(a), find(b)
		if ra == rb || apart(ra, rb) {
			return
		}
		union(ra, rb)
		r := find(ra)
		d := append(dirs[ra], dirs[rb]...)
		delete(dirs, ra)
		delete(dirs, rb)
		if len(d) > 0 {
			dirs[r] = d
		}
		parties[r] = cmp.Or(parties[ra], parties[rb])
		switch sa, sb := spans[ra], spans[rb]; {
		case sa.ok && sb.ok:
			spans[r] = span{min(sa.lo, sb.lo), max(sa.hi, sb.hi), max(sa.win, sb.win), true}
		case sa.ok:
			spans[r] = sa
		default:
			spans[r] = sb
		}
	}
	// 1. Directional with directional.
	for _, e := range edges {
		a, b := items[e[0]], items[e[1]]
		if a.origin == nil || b.origin == nil {
			continue
		}
		ra, rb := find(e[0]), find(e[1])
		if ra == rb || apart(ra, rb) {
			continue
		}
		ok := true
		for _, i := range dirs[ra] {
			for _, j := range dirs[rb] {
				if !c.originsAgree(items[i].origin, items[j].origin) {
					ok = false
					break
				}
			}
			if !ok {
				break
			}
		}
		if ok {
			merge(e[0], e[1])
		}
	}
	// 2. Items without an origin beside directional ones: the best fit.
	type fit struct {
		to    int
		score float64
	}
	best := map[int]fit{}
	for _, e := range edges {
		for k := range 2 {
			i, j := e[k], e[1-k]
			if items[i].origin != nil || items[j].origin == nil {
				continue
			}
			s := fitScore(items[i], items[j])
			if f, ok := best[i]; !ok || s < f.score || (s == f.score && j < f.to) {
				best[i] = fit{j, s}
			}
		}
	}
	for i := range items { // in index order, not map order
		if f, ok := best[i]; ok {
			if ri, rj := find(i), find(f.to); ri != rj && (len(dirs[ri]) > 0 || apart(ri, rj)) {
				continue // already with another directional group, or another party's allegation
			}
			merge(i, f.to)
		}
	}
	// 3. The rest, never bridging two directional groups.
	for _, e := range edges {
		if items[e[0]].origin != nil && items[e[1]].origin != nil {
			continue
		}
		if _, ok := best[e[0]]; ok && items[e[1]].origin != nil {
			continue
		}
		if _, ok := best[e[1]]; ok && items[e[0]].origin != nil {
			continue
		}
		ra, rb := find(e[0]), find(e[1])
		if ra != rb && len(dirs[ra]) > 0 && len(dirs[rb]) > 0 {
			continue
		}
		merge(e[0], e[1])
	}
}

// fitScore scores how well x fits y, lower being better: closeness when
// either is a point, else the gap between their intervals in hours plus
// one (two bearings that cross fit less well than a point on a bearing).
func fitScore(x, y *item) float64 {
	switch {
	case y.point:
		return closeness(x, y)
	case x.point:
		return closeness(y, x)
	}
	return 1 + float64(max(0, max(x.lo, y.lo)-min(x.hi, y.hi)))/float64(time.Hour)
}

// originsAgree reports whether two origins may be one firing position, by
// chi-square tests at the significance OriginK sets (see [Options]): two
// points when the Mahalanobis distance of their difference under the sum
// of their error covariances is at most OriginK, or they lie within
// MinDistanceM; a point and a bearing when the point's offset across the
// bearing is at most k₁ standard errors of that offset; two bearings from
// one place (within 100 m) when they differ by at most k₁·sqrt(σ1² + σ2²),
// and from two places when they can cross in front of both observers
// within BearingRangeM, each turned by up to k₁ times its error.
func (c *correlation) originsAgree(a, b *origin) bool {
	k1 := oneDimK(c.o.OriginK)
	switch {
	case a.sight == nil && b.sight == nil:
		d := geo.Distance(geo.Point{a.lon, a.lat}, geo.Point{b.lon, b.lat})
		if d <= c.o.MinDistanceM {
			return true
		}
		return mahalanobis(a, b) <= c.o.OriginK
	case a.sight == nil:
		return c.pointOnSight(b.sight, a, k1)
	case b.sight == nil:
		return c.pointOnSight(a.sight, b, k1)
	}
	s, t := a.sight, b.sight
	tol := k1 * math.Hypot(s.AzimuthSigma, t.AzimuthSigma)
	if geo.Distance(s.From, t.From) <= 100 {
		return math.Abs(angleDiff(s.Azimuth, t.Azimuth)) <= tol
	}
	for _, ds := range []float64{0, -1, 1} {
		for _, dt := range []float64{0, -1, 1} {
			if c.meet(s.From, s.Azimuth+ds*k1*s.AzimuthSigma, t.From, t.Azimuth+dt*k1*t.AzimuthSigma) {
				return true
			}
		}
	}
	return false
}

// oneDimK returns the bound of a one-dimensional normal test of the same
// significance as the two-dimensional chi-square bound k: the chance
// exp(−k²/2) of exceeding k in two dimensions, in one.
func oneDimK(k float64) float64 {
	return math.Sqrt2 * math.Erfcinv(math.Exp(-k*k/2))
}

// mahalanobis returns the Mahalanobis distance between points a and b
// under the sum of their error covariances (equirectangular about their
// mean latitude); +Inf when neither states an error.
func mahalanobis(a, b *origin) float64 {
	lat := (a.lat + b.lat) / 2
	dx := (b.lon - a.lon) * metresPerDegree * math.Cos(lat*math.Pi/180)
	dy := (b.lat - a.lat) * metresPerDegree
	ee, en, nn := a.cov[0]+b.cov[0], a.cov[1]+b.cov[1], a.cov[2]+b.cov[2]
	det := ee*nn - en*en
	if !(det > 0) {
		return math.Inf(1)
	}
	return math.Sqrt((nn*dx*dx - 2*en*dx*dy + ee*dy*dy) / det)
}

// pointOnSight reports whether origin p lies within BearingRangeM (plus
// k·σ) of s's observer and off its bearing by at most
// k·sqrt(σ_bearing² + (σ_point/d)²).
func (c *correlation) pointOnSight(s *geo.Sighting, p *origin, k float64) bool {
	d, azi, _ := geo.Inverse(s.From, geo.Point{p.lon, p.lat})
	if d > c.o.BearingRangeM+k*p.sig {
		return false
	}
	if d <= k*p.sig {
		return true
	}
	tol := k * math.Hypot(s.AzimuthSigma, p.sig/d*180/math.Pi)
	return math.Abs(angleDiff(azi, s.Azimuth)) <= tol
}

// meet reports whether rays from a and b along azimuths az1 and az2 cross
// in front of both within BearingRangeM of each (equirectangular about a).
func (c *correlation) meet(a geo.Point, az1 float64, b geo.Point, az2 float64) bool {
	r := c.o.BearingRangeM
	cos := math.Cos(a[1] * math.Pi / 180)
	px := (b[0] - a[0]) * metresPerDegree * cos
	py := (b[1] - a[1]) * metresPerDegree
	s1, c1 := math.Sincos(az1 * math.Pi / 180)
	s2, c2 := math.Sincos(az2 * math.Pi / 180)
	det := s1*c2 - c1*s2
	if math.Abs(det) < 1e-9 {
		return false
	}
	t1 := (px*c2 - py*s2) / det
	t2 := (px*c1 - py*s1) / det
	return t1 > 0 && t2 > 0 && t1 <= r && t2 <= r
}

// closeness scores how well report x fits cluster y, lower being better:
// their distance over sqrt(σx² + σy²) (for a bearing, the cluster's
// distance from the observer's line of sight over its spread), plus the gap
// between their intervals in hours.
func closeness(x, y *item) float64 {
	gap := float64(max(0, max(x.lo, y.lo)-min(x.hi, y.hi))) / float64(time.Hour)
	if x.point {
		d := geo.Distance(geo.Point{x.lon, x.lat}, geo.Point{y.lon, y.lat})
		return d/math.Hypot(max(x.sig, 10), max(y.sig, 10)) + gap
	}
	d, azi, _ := geo.Inverse(x.sight.From, geo.Point{y.lon, y.lat})
	off := d * math.Abs(math.Sin(angleDiff(azi, x.sight.Azimuth)*math.Pi/180))
	return off/max(y.sig, 10) + gap
}

// fromMaps reports whether item it is one advance read off the control
// maps (its evidence is a control map, as control.Diff.Observations
// gives it).
func (c *correlation) fromMaps(it *item) bool {
	if it.cluster || len(it.recs) != 1 {
		return false
	}
	r := c.recs[it.recs[0]]
	return r.Kind == truce.KindAdvance && len(r.Evidence) > 0 && strings.HasPrefix(r.Evidence[0].Ref, "control-map:")
}

// window is how far apart in time item it may lie from another report of
// its event: its kind's Window, widened by AllegationSlack for a party's
// allegation, which a victim or a liaison times from memory or by another
// clock, minutes off the monitors'.
func (c *correlation) window(it *item) time.Duration {
	w := Window(it.kind)
	if !it.cluster && len(it.recs) == 1 && c.recs[it.recs[0]].SourceRole == truce.RoleParty {
		w += AllegationSlack
	}
	return w
}

// match reports whether items a and b may describe one event: compatible
// kinds, intervals no further apart than the larger window of their kinds,
// and positions that agree.
func (c *correlation) match(a, b *item) bool {
	if !a.fusible || !b.fusible || !Compatible(a.kind, b.kind) {
		return false
	}
	gap := max(a.lo, b.lo) - min(a.hi, b.hi)
	if gap > int64(max(c.window(a), c.window(b))) {
		return false
	}
	switch {
	case a.point && b.point:
		d := geo.Distance(geo.Point{a.lon, a.lat}, geo.Point{b.lon, b.lat})
		return d <= max(c.o.DistanceK*math.Hypot(a.sig, b.sig), c.o.MinDistanceM)
	case a.point:
		return c.onBearing(b.sight, a)
	case b.point:
		return c.onBearing(a.sight, b)
	}
	return c.cross(a.sight, b.sight)
}

// onBearing reports whether the point of p lies within sight of s: no
// farther than BearingRangeM (plus K·σ), and off the bearing by at most
// K·sqrt(σ_bearing² + (σ_point/d)²) in angle.
func (c *correlation) onBearing(s *geo.Sighting, p *item) bool {
	d, azi, _ := geo.Inverse(s.From, geo.Point{p.lon, p.lat})
	k := c.o.DistanceK
	if d > c.o.BearingRangeM+k*p.sig {
		return false
	}
	if d <= k*p.sig {
		return true
	}
	tol := k * math.Hypot(s.AzimuthSigma, p.sig/d*180/math.Pi)
	return math.Abs(angleDiff(azi, s.Azimuth)) <= tol
}

// cross reports whether two bearings meet, in front of both observers and
// within BearingRangeM of each, at a crossing whose 95% ellipse has a
// semi-major axis of at most MaxCrossingM. It works in a plane about the
// first observer (equirectangular; the bearings reach 25 km at most) with
// the linearised covariance of the crossing: each bearing pins the normal
// to its ray with variance (t·σ)², t the distance along it. This gate is
// cheap where geo.Triangulate, which places the incident, is not.
func (c *correlation) cross(a, b *geo.Sighting) bool {
	r := c.o.BearingRangeM
	cos := math.Cos(a.From[1] * math.Pi / 180)
	px := (b.From[0] - a.From[0]) * metresPerDegree * cos
	py := (b.From[1] - a.From[1]) * metresPerDegree
	if px*px+py*py > 4*r*r {
		return false
	}
	s1, c1 := math.Sincos(a.Azimuth * math.Pi / 180)
	s2, c2 := math.Sincos(b.Azimuth * math.Pi / 180)
	det := s1*c2 - c1*s2 // u1 × u2, u = (sin, cos)
	if math.Abs(det) < 1e-9 {
		return false
	}
	t1 := (px*c2 - py*s2) / det
	t2 := (px*c1 - py*s1) / det
	if t1 <= 0 || t2 <= 0 || t1 > r || t2 > r {
		return false
	}
	// Information matrix Σ n nᵀ / (t σ)², n = (cos, −sin) the normals.
	w1 := 1 / sq(max(t1, 1)*a.AzimuthSigma*math.Pi/180)
	w2 := 1 / sq(max(t2, 1)*b.AzimuthSigma*math.Pi/180)
	ixx := w1*c1*c1 + w2*c2*c2
	iyy := w1*s1*s1 + w2*s2*s2
	ixy := -w1*c1*s1 - w2*c2*s2
	mean, dev := (ixx+iyy)/2, math.Hypot((ixx-iyy)/2, ixy)
	λmin := mean - dev
	if !(λmin > 0) {
		return false
	}
	return math.Sqrt(chi2_95/λmin) <= c.o.MaxCrossingM
}

// chi2_95 is the 95% quantile of the chi-square law with two degrees of
// freedom.
const chi2_95 = 5.991464547107979

func sq(x float64) float64 { return x * x }

// angleDiff returns a − b in degrees, reduced to [−180, 180).
func angleDiff(a, b float64) float64 {
	d := math.Mod(a-b, 360)
	switch {
	case d >= 180:
		d -= 360
	case d < -180:
		d += 360
	}
	return d
}

// estimate is a position with its spread (1σ, metres).
type estimate struct{ lon, lat, sig float64 }

// combine returns the inverse-variance weighted mean of es, with a spread
// that takes in both the estimates' own spreads and how far they lie
// apart: sqrt(1/Σw + Σw·d²/Σw). Spreads below 10 m count as 10 m.
func combine(es []estimate) estimate {
	if len(es) == 1 {
		return es[0]
	}
	var sw, lon, lat float64
	ws := make([]float64, len(es))
	for i, e := range es {
		s := max(e.sig, 10)
		ws[i] = 1 / (s * s)
		sw += ws[i]
		lon += ws[i] * e.lon
		lat += ws[i] * e.lat
	}
	m := estimate{lon: lon / sw, lat: lat / sw}
	var spread float64
	for i, e := range es {
		d := geo.Distance(geo.Point{m.lon, m.lat}, geo.Point{e.lon, e.lat})
		spread += ws[i] * d * d
	}
	m.sig = math.Sqrt(1/sw + spread/sw)
	return m
}

// place estimates where a group of sightings and point estimates puts an
// event: the sightings are triangulated together when there are two or
// more, and the result combined with the points; a single bearing without
// a distance only places an event that nothing else places, halfway along
// its range.
func (c *correlation) place(sights []geo.Sighting, points []estimate) (estimate, bool) {
	es := points
	switch {
	case len(sights) >= 2 || (len(sights) == 1 && sights[0].Distance > 0):
		if e, err := geo.Triangulate(sights); err == nil {
			// 1σ of the 95% ellipse's mean axis.
			σ := math.Sqrt(e.Ellipse.SemiMajor*e.Ellipse.SemiMinor) / math.Sqrt(chi2_95)
			es = append(slices.Clip(es), estimate{e.Point[0], e.Point[1], σ})
		}
	}
	if len(es) == 0 && len(sights) > 0 {
		s := sights[0]
		half := c.o.BearingRangeM / 2
		if s.Distance > 0 {
			half = s.Distance
		}
		q, _ := geo.Direct(s.From, s.Azimuth, half)
		es = []estimate{{q[0], q[1], half}}
	}
	if len(es) == 0 {
		return estimate{}, false
	}
	return combine(es), true
}

// heatOnly reports whether every record of it is a satellite fire
// detection.
func (c *correlation) heatOnly(it *item) bool {
	for _, k := range it.recs {
		if !c.recs[k].Observation.HeatDetection() {
			return false
		}
	}
	return true
}

// incident makes the incident of a group of items.
func (c *correlation) incident(g []*item) *truce.Incident {
	recs := g[0].recs
	if len(g) > 1 {
		n := 0
		for _, it := range g {
			n += len(it.recs)
		}
		recs = make([]int32, 0, n)
		for _, it := range g {
			recs = append(recs, it.recs...)
		}
		slices.Sort(recs)
	}
	// A satellite fire detection shows heat, not where a shell or a
	// bomb struck: it places the incident only when nothing else does
	// (a staged or unrelated fire fused with a real event must not move
	// its impact across the line).
	var points, heat []estimate
	var sights []geo.Sighting
	for _, it := range g {
		switch {
		case c.heatOnly(it):
			if it.cluster || it.point {
				heat = append(heat, estimate{it.lon, it.lat, it.sig})
			}
		case it.cluster:
			points = append(points, estimate{it.lon, it.lat, it.sig})
		default:
			r := c.recs[it.recs[0]]
			if l := &r.Location; l.Observer != nil && l.BearingDeg != nil {
				sights = append(sights, c.sighting(l))
			} else if it.point {
				points = append(points, estimate{it.lon, it.lat, it.sig})
			}
		}
	}
	if len(points)+len(sights) == 0 {
		points = heat
	}
	inc := &truce.Incident{Observations: make([]string, len(recs))}
	var lo, hi time.Time
	var kinds [16]int // by position in truce.Kinds
	var oSights []geo.Sighting
	var oPoints []estimate
	for i, k := range recs {
		r := c.recs[k]
		inc.Observations[i] = r.ID
		end := r.ObservedAt
		if r.ObservedUntil != nil {
			end = *r.ObservedUntil
		}
		if i == 0 || r.ObservedAt.Before(lo) {
			lo = r.ObservedAt
		}
		if i == 0 || end.After(hi) {
			hi = end
		}
		kinds[kindIndex(r.Kind)]++
		if ol := r.Origin; ol != nil {
			switch {
			case ol.Observer != nil && ol.BearingDeg != nil:
				oSights = append(oSights, c.sighting(ol))
			case ol.Lon != nil && ol.Lat != nil:
				oPoints = append(oPoints, estimate{*ol.Lon, *ol.Lat, ol.UncertaintyM})
			}
		}
	}
	slices.Sort(inc.Observations)
	inc.ID = groupID(inc.Observations)
	inc.Start, inc.End = lo.UTC(), hi.UTC()
	inc.Kind = pickKind(&kinds)
	if e, ok := c.place(sights, points); ok {
		inc.Lon, inc.Lat, inc.UncertaintyM = round7(e.lon), round7(e.lat), math.Round(e.sig)
	}
	if len(oSights)+len(oPoints) > 0 {
		if e, ok := c.place(oSights, oPoints); ok {
			inc.Origin = &truce.Position{Lon: round7(e.lon), Lat: round7(e.lat)}
		}
	}
	inc.Corroboration = c.corroboration(recs)
	return inc
}

// kindIndex returns the position of k in truce.Kinds, or 15 for a kind
// not there.
func kindIndex(k truce.Kind) int {
	if i := slices.Index(truce.Kinds, k); i >= 0 && i < 15 {
		return i
	}
	return 15
}

// round7 rounds degrees to 7 decimals (about 1 cm), so that encodings do
// not carry floating-point noise.
func round7(x float64) float64 { return math.Round(x*1e7) / 1e7 }

// pickKind names a group's kind: the specific kind that most members
// report (ties go to the earlier in truce.Kinds); a generic kind
// (explosion, fire, civilian_harm, other) only when no member reports a
// specific one.
func pickKind(counts *[16]int) truce.Kind {
	best, bestN := truce.Kind(""), 0
	for _, gen := range []bool{false, true} {
		for i, k := range truce.Kinds {
			if generic(k) == gen && counts[i] > bestN {
				best, bestN = k, counts[i]
			}
		}
		if bestN > 0 {
			return best
		}
	}
	return truce.KindOther
}

// corroboration grades a group by its distinct sources (by name; reports
// with no source name count as one unknown source):
//
//   - one source: single_source, however many reports it filed;
//   - two or more, at least one a monitor or a sensor other than a
//     satellite fire detection (truce.Observation.HeatDetection):
//     independent_check;
//   - two or more, all parties' liaisons of one party: same_party;
//   - otherwise (parties of both sides, datasets): several_sources.
func (c *correlation) corroboration(recs []int32) truce.Corroboration {
	sources := map[string]bool{}
	independent, parties, others := false, map[string]bool{}, false
	for _, k := range recs {
		r := c.recs[k]
		sources[r.Source] = true
		switch r.SourceRole {
		case truce.RoleMonitor, truce.RoleSensor:
			// A satellite fire detection shows heat, not an act: it
			// checks no report, and is one more source.
			if r.Observation.HeatDetection() {
				others = true
			} else {
				independent = true
			}
		case truce.RoleParty:
			parties[r.SourceParty] = true
		default:
			others = true
		}
	}
	switch {
	case len(sources) == 1:
		return truce.SingleSource
	case independent:
		return truce.IndependentCheck
	case len(parties) == 1 && !others:
		return truce.SameParty
	}
	return truce.SeveralSources
}
