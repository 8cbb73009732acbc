package adjudicate

import (
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/geo"
)

// evidence is what an incident's observations say beyond the incident
// itself.
type evidence struct {
	found, missing int
	// monitors, heat and nonParty name sources, for counting
	// independent ones only: no reason names a source (a monitoring
	// team's name locates it), only roles and counts.
	monitors      []string              // sources of role monitor or sensor, sorted, but for heat detections
	heat          []string              // sources of satellite fire detections, sorted
	heatOnly      bool                  // every observation found is a heat detection
	nonParty      []string              // other sources that are not parties, sorted
	nonPartyRoles map[string]truce.Role // the role of each of nonParty
	parties       []string              // the parties whose liaisons filed reports, sorted
	blamed        []string              // the parties the reports blame, sorted
	// checked are the kinds of act the non-party sources report, but for
	// heat detections, in the order of truce.Kinds: what the reports
	// that check a party's word say happened.
	checked      []truce.Kind
	weapons      []truce.WeaponClass
	targets      []truce.TargetCategory
	precision    time.Duration // the coarsest time precision
	bearings     int           // origin fixes given as an observer's bearing
	originSigmaM float64       // the origin's standard error in metres, the least stated or triangulated; 0 when none
	located      int           // origin fixes as a point or a bearing with a distance
	ray          *geo.Sighting // the first bearing to the origin without a distance
	// spans are the intervals the observations allow, [at, until+grain),
	// by tier of source: 0 heat detections, 1 parties and unknown roles,
	// 2 other non-party sources, 3 monitors and sensors.
	spans [4][][2]time.Time
	// rayOnly: the origin rests on bearings without distance that do not
	// cross (one, or from one place): a ray, not a point.
	rayOnly bool
}

// ellipse95 is the ratio of a 95% error ellipse's semi-axis to the standard
// error along it: sqrt of the 95% quantile of χ² with two degrees of freedom.
const ellipse95 = 2.4477

// precisionUnit is the span a time of precision p may lie anywhere in.
func precisionUnit(p truce.TimePrecision) time.Duration {
	switch p {
	case truce.PrecisionMinute:
		return time.Minute
	case truce.PrecisionHour:
		return time.Hour
	case truce.PrecisionDay:
		return 24 * time.Hour
	}
	return time.Second
}

func gather(inc *truce.Incident, obs map[string]*truce.Observation) *evidence {
	e := &evidence{precision: time.Second}
	var sights []geo.Sighting
	add := func(list []string, s string) []string {
		if i, ok := slices.BinarySearch(list, s); !ok {
			list = slices.Insert(list, i, s)
		}
		return list
	}
	for _, id := range inc.Observations {
		o := obs[id]
		if o == nil {
			e.missing++
			continue
		}
		e.found++
		until := o.ObservedAt
		if o.ObservedUntil != nil && o.ObservedUntil.After(until) {
			until = *o.ObservedUntil
		}
		span := [2]time.Time{o.ObservedAt, until.Add(precisionUnit(o.TimePrecision))}
		if o.Kind == truce.KindAdvance && o.ObservedUntil != nil {
			// Two maps' dates bound an advance read off them.
			span[1] = until
		}
		tier := 1
		switch {
		case o.HeatDetection():
			tier = 0
		case o.SourceRole == truce.RoleMonitor || o.SourceRole == truce.RoleSensor:
			tier = 3
		case o.SourceRole == truce.RoleDataset || o.SourceRole == truce.RoleAnalyst || o.SourceRole == truce.RoleAdmin:
			tier = 2
		}
		e.spans[tier] = append(e.spans[tier], span)
		if o.HeatDetection() {
			// Heat at a place and time: no weapon, target, origin,
			// party or time of an attack comes from it.
			e.heat = add(e.heat, o.Source)
			continue
		}
		if o.SourceRole != truce.RoleParty && o.SourceRole != "" && !slices.Contains(e.checked, o.Kind) {
			e.checked = append(e.checked, o.Kind)
			slices.SortFunc(e.checked, func(x, y truce.Kind) int { return kindIndex(x) - kindIndex(y) })
		}
		switch o.SourceRole {
		case truce.RoleMonitor, truce.RoleSensor:
			e.monitors = add(e.monitors, o.Source)
		case truce.RoleParty:
			e.parties = add(e.parties, o.SourceParty)
		case truce.RoleDataset, truce.RoleAnalyst, truce.RoleAdmin:
			e.nonParty = add(e.nonParty, o.Source)
			if e.nonPartyRoles == nil {
				e.nonPartyRoles = map[string]truce.Role{}
			}
			e.nonPartyRoles[o.Source] = o.SourceRole
		default: // a role that is not set cannot be trusted beyond a party's word
			e.parties = add(e.parties, "")
		}
		if o.BlamedParty != "" {
			e.blamed = add(e.blamed, o.BlamedParty)
		}
		if o.WeaponClass != "" {
			e.weapons = addOrdered(e.weapons, o.WeaponClass)
		}
		if o.Target != "" {
			e.targets = addOrdered(e.targets, o.Target)
		}
		e.precision = max(e.precision, precisionUnit(o.TimePrecision))
		if l := o.Origin; l != nil {
			e.narrow(originSigma(l))
			if l.Observer != nil && l.BearingDeg != nil {
				e.bearings++
				sights = append(sights, sighting(l))
				if l.DistanceM == nil && e.ray == nil {
					e.ray = &sights[len(sights)-1]
				}
			}
			if l.Lon != nil || l.DistanceM != nil {
				e.located++
			}
		}
	}
	e.heatOnly = e.found > 0 && len(e.heat) > 0 && e.found == e.heatCount(inc, obs)
	crossed := false
	if len(sights) > 0 && inc.Origin != nil { // the uncertainty matters only with an origin
		if est, err := geo.Triangulate(sights); err == nil {
			e.narrow(est.Ellipse.SemiMajor / ellipse95)
			crossed = true
		}
	}
	if e.ray != nil {
		r := *e.ray
		e.ray = &r
	}
	e.rayOnly = inc.Origin != nil && e.ray != nil && e.located == 0 && !crossed
	return e
}

// when returns the interval the incident happened in: the intersection of
// the intervals that the observations of the most trusted tier present
// allow (monitors and sensors over other non-party sources over parties'
// allegations over fire detections), or their hull when they do not
// intersect; a coarser or less trusted report does not widen it. With no
// observation known, it is [start, end + the coarsest precision).
func (e *evidence) when(inc *truce.Incident) (from, to time.Time, how string) {
	for tier := len(e.spans) - 1; tier >= 0; tier-- {
		ss := e.spans[tier]
		if len(ss) == 0 {
			continue
		}
		lo, hi := ss[0][0], ss[0][1]
		hullLo, hullHi := lo, hi
		for _, s := range ss[1:] {
			if s[0].After(lo) {
				lo = s[0]
			}
			if s[1].Before(hi) {
				hi = s[1]
			}
			if s[0].Before(hullLo) {
				hullLo = s[0]
			}
			if s[1].After(hullHi) {
				hullHi = s[1]
			}
		}
		what := [...]string{"fire detections", "allegations", "reports of non-party sources", "monitors' and sensors' reports"}[tier]
		if hi.After(lo) {
			if len(ss) == 1 {
				return lo, hi, "as the " + what + " give it"
			}
			return lo, hi, "where the " + what + " agree"
		}
		return hullLo, hullHi, "spanning the " + what + ", which do not agree"
	}
	return inc.Start, inc.End.Add(e.precision), ""
}

// heatCount returns how many of inc's observations are heat detections.
func (e *evidence) heatCount(inc *truce.Incident, obs map[string]*truce.Observation) int {
	n := 0
	for _, id := range inc.Observations {
		if obs[id].HeatDetection() {
			n++
		}
	}
	return n
}

// narrow takes u metres as the origin's standard error if it is stated and
// smaller than the one known.
func (e *evidence) narrow(u float64) {
	if u > 0 && !math.IsInf(u, 0) && (e.originSigmaM == 0 || u < e.originSigmaM) {
		e.originSigmaM = u
	}
}

// Defaults for a bearing to an origin that states no error.
const (
	defaultBearingErrorDeg = 3.0
	minDistanceErrorM      = 50.0
)

// sighting reads an observer's bearing (and distance) to an origin for
// triangulation: with no bearing error stated, 3°; with no distance error,
// a tenth of the distance but at least 50 m.
func sighting(l *truce.Location) geo.Sighting {
	s := geo.Sighting{From: geo.Point{l.Observer.Lon, l.Observer.Lat}, Azimuth: *l.BearingDeg, AzimuthSigma: l.BearingErrorDeg}
	if s.AzimuthSigma <= 0 {
		s.AzimuthSigma = defaultBearingErrorDeg
	}
	s.AzimuthSigma = min(s.AzimuthSigma, 89)
	if l.DistanceM != nil {
		s.Distance = *l.DistanceM
		s.DistanceSigma = l.DistanceErrorM
		if s.DistanceSigma <= 0 {
			s.DistanceSigma = max(0.1*s.Distance, minDistanceErrorM)
		}
	}
	return s
}

// originSigma is the standard error in metres that an observation states
// for an origin on its own: a point's uncertainty radius (for a named
// region's representative point, at least the region's spread), or for an
// observer's bearing with a distance, the larger of the distance error and
// the arc the bearing error spans at that distance (stated errors are
// standard errors, as correlate reads them). A bare bearing states none
// (gather triangulates the bearings together).
func originSigma(l *truce.Location) float64 {
	switch {
	case l.Lon != nil && l.Region != "":
		return max(l.UncertaintyM, l.GeoPrecision.SpreadM())
	case l.Lon != nil:
		return l.UncertaintyM
	case l.DistanceM != nil:
		return max(l.DistanceErrorM, *l.DistanceM*math.Tan(l.BearingErrorDeg*math.Pi/180))
	}
	return 0
}

func addOrdered[T ~string](list []T, v T) []T {
	if i, ok := slices.BinarySearch(list, v); !ok {
		list = slices.Insert(list, i, v)
	}
	return list
}

// corroboration returns the cap that the incident's sources put on the
// confidence, the reason that states it, and whether it rests on parties'
// allegations only. This is where a party's allegation alone is held to
// possible: with no monitor, sensor or other non-party source among the
// observations the cap is possible, whatever else holds.
func (e *evidence) corroboration(inc *truce.Incident) (level, truce.Reason) {
	switch {
	case len(e.monitors) > 0:
		return confirmed, truce.Reason{Code: CodeCorrIndependent, Text: "Confirmed independently by " + plural(len(e.monitors), "monitor or sensor", "monitors or sensors") + "."}
	case len(e.nonParty) == 1:
		// One dataset relays what others said (VIINA codes news
		// reports): one source that is not a party is no check.
		return possible, truce.Reason{Code: CodeCorrSingleNonParty, Text: "Reported by one source that is not a party (" + e.nonPartyText() + ") and by no monitor or sensor; a single dataset relays what others said, so alone it is never more than possible."}
	case len(e.nonParty) > 0:
		return probable, truce.Reason{Code: CodeCorrNonParty, Text: "Reported by " + plural(len(e.nonParty), "source", "sources") + " that " + verb(len(e.nonParty), "is", "are") + " not a party (" + e.nonPartyText() + ") but by no monitor or sensor."}
	case e.heatOnly:
		return possible, truce.Reason{Code: CodeCorrHeatOnly, Text: "Only satellite fire detections (" + plural(len(e.heat), "source", "sources") + ") report it: they show heat at the place and time, not a weapon, where fire came from or who fired."}
	case e.found == 0:
		// Nothing known of the sources: only the incident's own claim.
		return possible, truce.Reason{Code: CodeCorrUnknown, Text: "The sources of the reports are not known (corroboration stated as " + string(inc.Corroboration) + "), so they count as a party's allegation."}
	}
	who := joinList(e.parties)
	if who == "" || slices.Contains(e.parties, "") {
		who = "a party"
	}
	heat := ""
	if len(e.heat) > 0 {
		heat = "; the satellite fire detections (" + plural(len(e.heat), "source", "sources") + ") show heat at the place and time only, and corroborate no weapon, origin or party"
	}
	return possible, truce.Reason{Code: CodeCorrPartyOnly, Text: "Only allegations by " + who + " report it" + heat + "; an allegation alone is never more than possible."}
}

// nonPartyText counts the non-party sources by role, never by name:
// "one dataset", "two datasets and one analyst".
func (e *evidence) nonPartyText() string {
	var parts []string
	for _, r := range []struct {
		role      truce.Role
		one, many string
	}{{truce.RoleDataset, "dataset", "datasets"}, {truce.RoleAnalyst, "analyst", "analysts"}, {truce.RoleAdmin, "administrator", "administrators"}} {
		n := 0
		for _, role := range e.nonPartyRoles {
			if role == r.role {
				n++
			}
		}
		if n > 0 {
			parts = append(parts, plural(n, r.one, r.many))
		}
	}
	return joinList(parts)
}

// Chances that an origin lies across the line of contact, at or below which
// its side counts as confirmed and as probable.
const (
	confirmedAcross = 0.01
	probableAcross  = 0.10
)

// acrossLine returns the chance that an origin estimated d metres from the
// line of contact, with standard error sigma metres, lies on its other
// side: the normal tail beyond d/sigma (the line taken as straight over
// the error's extent).
func acrossLine(d, sigma float64) float64 {
	if sigma <= 0 {
		return 0
	}
	return 0.5 * math.Erfc(d/sigma/math.Sqrt2)
}

// percent formats a chance as "3%", "0.4%" or "below 0.1%".
func percent(p float64) string {
	switch {
	case p < 0.001:
		return "below 0.1%"
	case p < 0.1:
		return strconv.FormatFloat(100*p, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(100*p, 'f', 0, 64) + "%"
}

// kindIndex is k's place in truce.Kinds, or after them all.
func kindIndex(k truce.Kind) int {
	if i := slices.Index(truce.Kinds, k); i >= 0 {
		return i
	}
	return len(truce.Kinds)
}
