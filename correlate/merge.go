package correlate

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/geo"
)

// ClockSlack is how far apart in time, beyond their kinds' windows, two
// groups of precisely timed reports may lie and still be taken for one
// event when nothing else tells them apart (see [correlation.merge]):
// every source keeps its own clock, minutes off the others', so two
// sources' times of one burst of fire differ by the sum of two clock
// errors.
const ClockSlack = 10 * time.Minute

// summary is what the merge step knows of a group: its kind, the time its
// reports allow, where it places the event and where it says the fire came
// from.
type summary struct {
	kind    truce.Kind
	lo, hi  int64 // the precise items' span, or all items' when there are none
	precise bool  // some item is timed to less than an hour
	win     int64 // the largest window of its items' kinds
	place   estimate
	placed  bool
	sight   *geo.Sighting // the one bearing without a distance that alone places it
	origin  *origin       // nil: gives none
	party   string        // the party whose allegations it holds, if any
	first   int64         // the earliest start of its items, for MaxSpan
	last    int64         // the latest
	fusible bool          // every item may fuse
	report  bool          // some item is a report, not a cluster of detections
}

// summarize returns the summary of group g.
func (c *correlation) summarize(g []*item) summary {
	s := summary{lo: math.MaxInt64, hi: math.MinInt64, first: math.MaxInt64, last: math.MinInt64, fusible: true}
	var kinds [16]int
	var points, oPoints []estimate
	var sights, oSights []geo.Sighting
	for _, it := range g {
		s.win = max(s.win, int64(c.window(it)))
		s.first, s.last = min(s.first, it.lo), max(s.last, it.lo)
		s.fusible = s.fusible && it.fusible
		s.report = s.report || !it.cluster
		if it.hi-it.lo < int64(time.Hour) {
			if !s.precise {
				s.lo, s.hi = math.MaxInt64, math.MinInt64
			}
			s.precise = true
		}
		if !s.precise || it.hi-it.lo < int64(time.Hour) {
			s.lo, s.hi = min(s.lo, it.lo), max(s.hi, it.hi)
		}
		switch {
		case it.point:
			points = append(points, estimate{it.lon, it.lat, it.sig})
		case it.sight != nil:
			sights = append(sights, *it.sight)
		}
		for _, k := range it.recs {
			r := c.recs[k]
			kinds[kindIndex(r.Kind)]++
			if !it.cluster && r.SourceRole == truce.RoleParty && r.SourceParty != "" {
				s.party = r.SourceParty
			}
		}
		if o := it.origin; o != nil {
			if o.sight != nil {
				oSights = append(oSights, *o.sight)
			} else {
				oPoints = append(oPoints, estimate{o.lon, o.lat, o.sig})
			}
		}
	}
	s.kind = pickKind(&kinds)
	// A lone bearing without a distance places nothing here: the point
	// halfway along its range that an incident falls back on is no
	// evidence of where the event was.
	switch {
	case len(points) > 0 || len(sights) >= 2:
		s.place, s.placed = c.place(sights, points)
	case len(sights) == 1:
		s.sight = &sights[0]
	}
	switch {
	case len(oPoints) == 0 && len(oSights) == 1:
		s.origin = &origin{sight: &oSights[0]}
	case len(oPoints)+len(oSights) > 0:
		if e, ok := c.place(oSights, oPoints); ok {
			σ := max(e.sig, 10)
			s.origin = &origin{lon: e.lon, lat: e.lat, sig: σ, cov: [3]float64{σ * σ, 0, σ * σ}}
		}
	}
	return s
}

// merge unites groups that cannot be told apart: groups, one of them
// holding a report (detection clusters with one another never: the
// clustering has kept them apart), whose kinds are
// compatible, that hold no allegations by different parties, whose times
// lie within their kinds' windows of each other (widened by ClockSlack
// when both are precisely timed, and by an hour when either is timed only
// to the hour or coarser, as a report timed to the hour by another clock
// may name the hour before or after), whose places agree within
// DistanceK times their combined spreads, and whose origins, where both
// give one, agree by the test of [correlation.originsAgree] applied to the
// groups' combined origin estimates. The pairwise test of step 6 of the
// package documentation asks every directional report of one group to
// agree with every one of the other, which two honest groups of several
// reports each fail often; one estimate per group does not. A group
// without precise times joins only the one group it fits best, so that it
// cannot bridge two events. The result is ordered as groups is, by first
// item, each group's items by start.
func (c *correlation) merge(groups [][]*item) [][]*item {
	if len(groups) < 2 {
		return groups
	}
	ss := make([]summary, len(groups))
	parallel(int32(len(groups)), func(lo, hi int32) {
		for i := lo; i < hi; i++ {
			ss[i] = c.summarize(groups[i])
		}
	})
	order := make([]int, len(groups))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(ss[a].lo, ss[b].lo), cmp.Compare(a, b))
	})
	parent, find := disjointSets(len(groups))
	members := make([][]int, len(groups))
	first, last := make([]int64, len(groups)), make([]int64, len(groups))
	for i := range members {
		members[i] = []int{i}
		first[i], last[i] = ss[i].first, ss[i].last
	}
	// unite joins the sets of a and b unless some member of one cannot be
	// the event of some member of the other.
	unite := func(a, b int) {
		ra, rb := find(a), find(b)
		if ra == rb || max(last[ra], last[rb])-min(first[ra], first[rb]) > int64(c.o.MaxSpan) {
			return
		}
		for _, i := range members[ra] {
			for _, j := range members[rb] {
				if !c.alike(&ss[i], &ss[j]) {
					return
				}
			}
		}
		r, o := min(ra, rb), max(ra, rb)
		parent[o] = r
		members[r] = append(members[r], members[o]...)
		members[o] = nil
		first[r], last[r] = min(first[ra], first[rb]), max(last[ra], last[rb])
	}
	maxWin := int64(maxWindow + ClockSlack + time.Hour)
	best := make(map[int]int) // an imprecise group and the precise one it fits best
	bestScore := make(map[int]float64)
	for a, i := range order {
		for _, j := range order[a+1:] {
			if ss[j].lo > ss[i].hi+maxWin {
				break
			}
			if !c.alike(&ss[i], &ss[j]) {
				continue
			}
			x, y := i, j
			if ss[x].precise && ss[y].precise {
				unite(x, y)
				continue
			}
			if ss[x].precise {
				x, y = y, x
			}
			if !ss[y].precise && y < x {
				x, y = y, x // two imprecise groups: the later joins the earlier
			}
			sc := c.fitGroups(&ss[x], &ss[y])
			if b, ok := bestScore[x]; !ok || sc < b || (sc == b && y < best[x]) {
				best[x], bestScore[x] = y, sc
			}
		}
	}
	for i := range groups { // in index order, not map order
		if j, ok := best[i]; ok {
			unite(i, j)
		}
	}
	var out [][]*item
	for i := range groups {
		if find(i) != i {
			continue
		}
		if len(members[i]) == 1 {
			out = append(out, groups[i])
			continue
		}
		var g []*item
		for _, m := range members[i] {
			g = append(g, groups[m]...)
		}
		slices.SortStableFunc(g, func(a, b *item) int {
			return cmp.Or(cmp.Compare(a.lo, b.lo), cmp.Compare(a.recs[0], b.recs[0]))
		})
		out = append(out, g)
	}
	return out
}

// alike reports whether groups a and b may be one event (see
// [correlation.merge]).
func (c *correlation) alike(a, b *summary) bool {
	if !a.fusible || !b.fusible || !(a.report || b.report) || !Compatible(a.kind, b.kind) || (a.party != "" && b.party != "" && a.party != b.party) {
		return false
	}
	slack := int64(ClockSlack)
	if !a.precise || !b.precise {
		slack = int64(time.Hour)
	}
	if max(a.lo, b.lo)-min(a.hi, b.hi) > max(a.win, b.win)+slack {
		return false
	}
	switch {
	case a.placed && b.placed:
		d := geo.Distance(geo.Point{a.place.lon, a.place.lat}, geo.Point{b.place.lon, b.place.lat})
		if d > max(c.o.DistanceK*math.Hypot(a.place.sig, b.place.sig), c.o.MinDistanceM) {
			return false
		}
	case a.placed && b.sight != nil:
		if !c.onBearing(b.sight, &item{lon: a.place.lon, lat: a.place.lat, sig: a.place.sig}) {
			return false
		}
	case b.placed && a.sight != nil:
		if !c.onBearing(a.sight, &item{lon: b.place.lon, lat: b.place.lat, sig: b.place.sig}) {
			return false
		}
	case a.sight != nil && b.sight != nil:
		if !c.cross(a.sight, b.sight) {
			return false
		}
	default:
		return false
	}
	if a.origin != nil && b.origin != nil && !c.originsAgree(a.origin, b.origin) {
		return false
	}
	return true
}

// fitGroups scores how well group x fits group y, lower being better: the
// distance between their places over their combined spread, plus the gap
// between their times in hours.
func (c *correlation) fitGroups(x, y *summary) float64 {
	gap := float64(max(0, max(x.lo, y.lo)-min(x.hi, y.hi))) / float64(time.Hour)
	if !x.placed || !y.placed {
		return 1 + gap // a bearing fits less well than a point
	}
	d := geo.Distance(geo.Point{x.place.lon, x.place.lat}, geo.Point{y.place.lon, y.place.lat})
	return d/math.Hypot(max(x.place.sig, 10), max(y.place.sig, 10)) + gap
}
