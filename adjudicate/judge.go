package adjudicate

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/control"
	"github.com/truce-monitor/truce/geo"
)

// judge adjudicates incidents under one agreement.
type judge struct {
	ctx   context.Context
	a     *truce.Agreement
	maps  MapAt
	opts  *Options
	line  *lineRef
	zones map[string]*zone
	diffs *control.Diffs
}

// timing is how an interval lies against a window.
type timing int

const (
	inside timing = iota
	edge
	outside
)

// against returns how [from, to) lies against w.
func against(w truce.Window, from, to time.Time) timing {
	startsIn, endsIn := w.Contains(from), w.Contains(to.Add(-time.Nanosecond))
	switch {
	case startsIn && endsIn:
		return inside
	case !to.After(w.Start), !w.End.IsZero() && !from.Before(w.End):
		return outside
	}
	return edge
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func windowText(w truce.Window) string {
	if w.End.IsZero() {
		return "from " + stamp(w.Start) + ", open-ended"
	}
	return "from " + stamp(w.Start) + " to " + stamp(w.End)
}

// fire is where an incident's impact and origin lie, and whom that points to.
type fire struct {
	impactHolder string
	impactDistM  float64
	attrParty    string
	attr         limit
	reasons      []truce.Reason
	crossed      bool   // origin and impact in different parties' ground
	crossKnown   bool   // the origin is known and both sides are parties' ground
	doubtful     bool   // the impact or the origin may lie on either side
	nearLine     bool   // the impact's uncertainty reaches the line
	straddles    bool   // the origin may lie across the line (chance over 10%)
	across       string // the one other party holding ground across the line from the impact, or ""
}

func (j *judge) finding(inc *truce.Incident) (*truce.Finding, error) {
	ev := gather(inc, j.opts.Observations)
	f := &truce.Finding{
		ID:        FindingID(inc.ID, j.a.ID, j.a.Version, Engine),
		Incident:  inc.ID,
		Agreement: j.a.ID,
		Version:   j.a.Version,
		Engine:    Engine,
		LogSize:   j.opts.LogSize,
	}
	// The incident happened in [from, to): its times widened by their
	// precision, except for an advance, which the maps' dates bound.
	from, to, how := ev.when(inc)
	if inc.Kind == truce.KindAdvance && how == "" {
		to = inc.End
	}
	if !to.After(from) {
		to = from.Add(time.Nanosecond)
	}
	var reasons []truce.Reason
	corr, corrReason := ev.corroboration(inc)
	limits := []limit{{corr, "corroboration"}}
	span := "The incident (" + stamp(from) + " to " + stamp(to) + ")"
	if how != "" {
		span = "The incident (" + stamp(from) + " to " + stamp(to) + ", " + how + ")"
	}
	switch against(j.a.Window, from, to) {
	case outside:
		reasons = append(reasons,
			truce.Reason{Code: CodeWindowOutside, Text: span + " lies outside the agreement's window, " + windowText(j.a.Window) + "; the agreement did not apply."},
			corrReason)
		l, r := combine(limits)
		f.Confidence, f.Reasons = l.confidence(), append(reasons, r)
		return f, nil
	case edge:
		reasons = append(reasons, truce.Reason{Code: CodeWindowEdge, Text: span + " may lie before or after an edge of the agreement's window, " + windowText(j.a.Window) + "."})
		limits = append(limits, limit{possible, "timing"})
	default:
		reasons = append(reasons, truce.Reason{Code: CodeWindowInForce, Text: span + " lies inside the agreement's window, " + windowText(j.a.Window) + "."})
	}

	var fr *fire
	var adv *advance
	if inc.Kind == truce.KindAdvance {
		var err error
		if adv, err = j.advance(inc, ev.precision); err != nil {
			return nil, err
		}
		if adv.found && corr == possible && len(ev.nonParty) == 1 && len(ev.parties) == 0 {
			// The control maps are evidence of their own: the
			// change of control shows on them.
			corr = probable
			corrReason = truce.Reason{Code: CodeCorrMaps, Text: "Reported by one source that is not a party (" + ev.nonPartyText() + "), and the control maps show the change of control."}
			limits[0] = limit{corr, "corroboration"}
		}
	} else {
		var err error
		if fr, err = j.fire(inc, ev); err != nil {
			return nil, err
		}
	}

	type verdict struct {
		rule    *truce.Rule
		limits  []limit
		reasons []truce.Reason
		level   level
		party   string
		// crossing: the rule needs fire across the line, origin and
		// impact appear on one side, and crossingParty is whom a
		// crossing would point to ("" when it cannot be told).
		crossing      bool
		crossingParty string
	}
	var best *verdict
	var also []*truce.Rule
	var notApplied []truce.Reason
	for i := range j.a.Rules {
		r := &j.a.Rules[i]
		if !slices.Contains(r.Prohibits, inc.Kind) {
			continue
		}
		v := &verdict{rule: r}
		miss := func(code, text string) {
			notApplied = append(notApplied, truce.Reason{Code: code, Text: text})
		}
		doubt := func(code, text, what string) {
			v.reasons = append(v.reasons, truce.Reason{Code: code, Text: text})
			v.limits = append(v.limits, limit{possible, what})
		}
		// What makes the act one the rule prohibits, and what the
		// judgement infers from its kind (aimed fire points across the
		// line; an explosion may have other causes), must not rest on a
		// party's word alone: when the other sources report only acts
		// the rule does not prohibit, or none that is judged alike (an
		// explosion heard where a party alleges mortar fire), the kind
		// came from the parties' reports.
		if len(ev.checked) > 0 && !slices.ContainsFunc(ev.checked, func(k truce.Kind) bool {
			return slices.Contains(r.Prohibits, k) && incoming(k) == incoming(inc.Kind) && airborne(k) == airborne(inc.Kind)
		}) {
			kinds := make([]string, len(ev.checked))
			for i, k := range ev.checked {
				kinds[i] = kindText(k)
			}
			doubt(CodeCorrActPartyOnly, "Only the parties' reports name the act as "+kindText(inc.Kind)+"; the other reports give "+joinList(kinds)+
				": that something happened there and then is checked, what it was is not.", "what the act was")
		}
		note := func(code, text string) { v.reasons = append(v.reasons, truce.Reason{Code: code, Text: text}) }
		name := "rule " + r.ID + " (" + r.Name + ")"
		if w := r.When; w != nil {
			switch against(*w, from, to) {
			case outside:
				miss(CodeRuleWhenOut, "R"+name[1:]+" applies only "+windowText(*w)+", and the incident lies outside that period.")
				continue
			case edge:
				doubt(CodeRuleWhenEdge, "The incident may lie before or after an edge of the period of "+name+", "+windowText(*w)+".", "timing")
			}
		}
		if len(r.WeaponClasses) > 0 {
			switch hit := intersect(ev.weapons, r.WeaponClasses); {
			case len(hit) > 0:
				note(CodeWeaponMatch, "The weapon class ("+joinStrings(hit)+") is one "+name+" names.")
			case len(ev.weapons) == 0:
				doubt(CodeWeaponUnknown, "No report gives the weapon class, and "+name+" concerns "+joinStrings(r.WeaponClasses)+" only.", "weapon class")
			default:
				miss(CodeWeaponOther, "The weapon class ("+joinStrings(ev.weapons)+") is not one "+name+" names.")
				continue
			}
		}
		targets := r.Targets
		if r.Where.Protected {
			targets = j.a.Protected
			if len(r.Targets) > 0 {
				targets = intersect(r.Targets, j.a.Protected)
			}
		}
		if len(r.Targets) > 0 || r.Where.Protected {
			switch hit := intersect(ev.targets, targets); {
			case len(hit) > 0:
				note(CodeTargetMatch, "The target ("+joinStrings(hit)+") is of a category "+name+" protects.")
			case len(ev.targets) == 0:
				doubt(CodeTargetUnknown, "No report gives the target's category, and "+name+" protects "+joinStrings(targets)+" only.", "target")
			default:
				miss(CodeTargetOther, "The target ("+joinStrings(ev.targets)+") is not of a category "+name+" protects.")
				continue
			}
		}
		if len(r.Where.InZones) > 0 {
			in, near, text, err := j.inZones(inc, r.Where.InZones)
			if err != nil {
				return nil, err
			}
			switch {
			case in && !near:
				note(CodeZoneIn, text)
			case near:
				doubt(CodeZoneEdge, text, "zone edge")
			default:
				miss(CodeZoneOutside, text)
				continue
			}
		}
		if r.Where.CrossesLine && fr != nil {
			switch {
			case fr.crossKnown && fr.crossed:
				note(CodeLineCrossed, "Origin and impact lie on different sides of the line of contact.")
			case fr.crossKnown && !fr.doubtful:
				miss(CodeLineNotCrossed, "Origin and impact lie on the same side of the line of contact, so "+name+" does not apply.")
				continue
			case fr.crossKnown:
				doubt(CodeLinePresumed, "Origin and impact appear to lie on the same side of the line of contact, but their uncertainty leaves a crossing possible.", "crossing")
				// The rule applies only if fire crossed the line: the
				// party is the one on the origin's side of a crossing,
				// never the holder of the impact's side as such.
				crossingParty, text := fr.crossingParty()
				v.reasons = append(v.reasons, truce.Reason{Code: CodeAttrCrossing, Text: text})
				v.crossing, v.crossingParty = true, crossingParty
			case inc.Origin == nil && !airborne(inc.Kind) && fr.impactDistM-inc.UncertaintyM > MaxGroundFireRangeM:
				miss(CodeLineOutOfRange, "The incident lies "+km(fr.impactDistM)+" from the line of contact, beyond the reach of ground fire ("+km(MaxGroundFireRangeM)+"), and no report fixes where it came from, so fire across the line is not presumed and "+name+" does not apply.")
				continue
			case fr.attrParty != "" && !fr.doubtful && incoming(inc.Kind):
				// The same inference as attribution by direction, and
				// no weaker: it limits the finding as that does.
				note(CodeLinePresumed, "Fire across the line of contact is presumed from the side the impact lies on; no origin shows it.")
				v.limits = append(v.limits, limit{probable, "crossing"})
			default:
				doubt(CodeLinePresumed, "Fire across the line of contact is presumed from the side the impact lies on; no origin shows it.", "crossing")
			}
		}
		var party string
		switch {
		case adv != nil:
			if !adv.found {
				doubt(CodeAdvanceNotOnMaps, "The control maps in force at the start and end of the incident ("+adv.fromID+", "+adv.toID+") show no change of control at its location.", "control maps")
				break
			}
			if adv.areaM2 < r.MinAreaKM2*1e6 {
				miss(CodeAdvanceBelowMin, fmt.Sprintf("%s gained %.3f km², less than the %.3f km² that %s counts as an advance.", adv.party, adv.areaM2/1e6, r.MinAreaKM2, name))
				continue
			}
			note(CodeAdvanceArea, fmt.Sprintf("%s gained %.3f km² at the incident's location between control maps %s and %s.", adv.party, adv.areaM2/1e6, adv.fromID, adv.toID))
			note(CodeAttrAdvance, "Attributed to "+adv.party+", the party that gained the ground.")
			party = adv.party
		case fr != nil && v.crossing:
			// One doubt: whether fire crossed. The party follows
			// from the crossing, so it is no second doubt, unless
			// none can be told.
			party = v.crossingParty
			if party == "" {
				v.limits = append(v.limits, limit{possible, "attribution"})
			}
		case fr != nil:
			party = fr.attrParty
			v.limits = append(v.limits, fr.attr)
		}
		if len(r.Parties) > 0 && party != "" && !slices.Contains(r.Parties, party) {
			miss(CodePartyNotBound, "R"+name[1:]+" binds "+joinList(r.Parties)+" only, and the act is attributed to "+party+".")
			continue
		}
		v.party = party
		v.level, _ = combine(append(slices.Clone(limits), v.limits...))
		note(CodeRuleProhibits, "R"+name[1:]+" prohibits "+kindText(inc.Kind)+ruleScope(r)+".")
		if best == nil || v.level > best.level {
			if best != nil {
				also = append(also, best.rule)
			}
			best = v
		} else {
			also = append(also, r)
		}
	}

	if fr != nil {
		for _, r := range fr.reasons {
			if r.Code == CodeAttrOrigin && best != nil && best.crossing {
				continue // superseded by the crossing's attribution
			}
			reasons = append(reasons, r)
		}
	}
	if best == nil {
		f.Violation = false
		if len(notApplied) == 0 {
			notApplied = append(notApplied, truce.Reason{Code: CodeRuleNone, Text: "No rule of the agreement prohibits " + kindText(inc.Kind) + "."})
		}
		reasons = append(reasons, notApplied...)
		reasons = append(reasons, corrReason)
		reasons = appendClaims(reasons, ev, "")
		l, r := combine(limits)
		f.Confidence, f.Reasons = l.confidence(), append(reasons, r)
		return f, nil
	}
	f.Violation = true
	f.Rule = best.rule.ID
	f.Party = best.party
	reasons = append(reasons, best.reasons...)
	slices.SortStableFunc(also, func(x, y *truce.Rule) int { return ruleIndex(j.a, x) - ruleIndex(j.a, y) })
	for _, r := range also {
		reasons = append(reasons, truce.Reason{Code: CodeRuleAlso, Text: "Rule " + r.ID + " (" + r.Name + ") applies as well."})
	}
	reasons = append(reasons, corrReason)
	reasons = appendClaims(reasons, ev, best.party)
	l, r := combine(append(limits, best.limits...))
	f.Confidence, f.Reasons = l.confidence(), append(reasons, r)
	return f, nil
}

// MaxGroundFireRangeM is the reach of the longest-range ground fire, in
// metres: rocket artillery such as Tornado-S, about 120 km. Beyond it, an
// impact with no origin is not presumed to be fire across the line.
const MaxGroundFireRangeM = 120000.0

// airborne reports whether an act of kind k comes by air (aircraft,
// drones, missiles), which reach any distance from the line.
func airborne(k truce.Kind) bool {
	switch k {
	case truce.KindAirStrike, truce.KindDroneStrike, truce.KindMissileStrike:
		return true
	}
	return false
}

// incoming reports whether an act of kind k is by its nature fire from a
// weapon aimed at where it lands, so that an impact clearly on one side of
// the line points across it. An explosion, a fire or harm to civilians may
// have other causes (a demolition, an accident), so it does not.
func incoming(k truce.Kind) bool {
	switch k {
	case truce.KindArtillery, truce.KindMLRS, truce.KindMortar, truce.KindAirStrike, truce.KindDroneStrike, truce.KindMissileStrike:
		return true
	}
	return false
}

func ruleIndex(a *truce.Agreement, r *truce.Rule) int {
	for i := range a.Rules {
		if &a.Rules[i] == r {
			return i
		}
	}
	return len(a.Rules)
}

// appendClaims states what the reports blamed, which the finding records
// but does not rest on.
func appendClaims(reasons []truce.Reason, ev *evidence, party string) []truce.Reason {
	if len(ev.blamed) == 0 {
		return reasons
	}
	text := "Reports blame " + joinList(ev.blamed) + "; attribution does not rest on who is blamed."
	if party != "" && !slices.Contains(ev.blamed, party) {
		text = "Reports blame " + joinList(ev.blamed) + ", not " + party + "; attribution does not rest on who is blamed."
	}
	return append(reasons, truce.Reason{Code: CodeClaimNotUsed, Text: text})
}

func kindText(k truce.Kind) string {
	switch k {
	case truce.KindArtillery:
		return "artillery fire"
	case truce.KindMLRS:
		return "rocket (MLRS) fire"
	case truce.KindMortar:
		return "mortar fire"
	case truce.KindSmallArms:
		return "small-arms fire"
	case truce.KindHeavyWeapon:
		return "heavy weapons"
	case truce.KindAdvance:
		return "advances"
	case truce.KindCivilianHarm:
		return "harm to civilians"
	case truce.KindOther:
		return "other acts"
	}
	return strings.ReplaceAll(string(k), "_", " ") + "s"
}

func ruleScope(r *truce.Rule) string {
	var s []string
	if r.Where.CrossesLine {
		s = append(s, " across the line of contact")
	}
	if len(r.Where.InZones) > 0 {
		s = append(s, " in "+joinList(r.Where.InZones))
	}
	if r.Where.Protected {
		s = append(s, " against protected sites")
	}
	return strings.Join(s, "")
}

func intersect[T ~string](have, want []T) []T {
	var out []T
	for _, v := range have {
		if slices.Contains(want, v) {
			out = append(out, v)
		}
	}
	return out
}

func joinStrings[T ~string](list []T) string {
	s := make([]string, len(list))
	for i, v := range list {
		s[i] = string(v)
	}
	return joinList(s)
}

// party reports whether id is a party of the agreement.
func (j *judge) party(id string) bool {
	return slices.ContainsFunc(j.a.Parties, func(p truce.Party) bool { return p.ID == id })
}

// holder returns who held p on m: the map's holder, or outside the map's
// territory the state whose territory p is, when that state is a party.
func (j *judge) holder(m *control.Map, p geo.Point) string {
	h := m.Holder(p)
	if h != control.Unknown {
		return h
	}
	for _, c := range countries() {
		if c.code != m.Territory.Code && j.party(c.code) && c.idx.Covers(p) {
			return c.code
		}
	}
	return control.Unknown
}

type country struct {
	code string
	idx  *geo.Index
}

var countries = sync.OnceValue(func() []country {
	b, err := control.NaturalEarth()
	if err != nil {
		return nil // the embedded boundaries are tested in control
	}
	out := make([]country, len(b.Countries))
	for i, c := range b.Countries {
		out[i] = country{code: c.Code, idx: geo.NewIndex(c.Ground)}
	}
	return out
})

// fire places an incident's impact and origin on the map in force at its
// start and attributes it.
func (j *judge) fire(inc *truce.Incident, ev *evidence) (*fire, error) {
	m, err := j.maps(j.ctx, inc.Start)
	if err != nil {
		return nil, fmt.Errorf("the control map at %s: %w", stamp(inc.Start), err)
	}
	impact := geo.Point{inc.Lon, inc.Lat}
	loc := m.Locate(impact)
	fr := &fire{impactHolder: j.holder(m, impact), impactDistM: loc.DistanceM}
	unc := fmt.Sprintf(" (uncertainty %s)", km(inc.UncertaintyM))
	nearLine := inc.UncertaintyM >= loc.DistanceM
	what := "Impact"
	if inc.Kind == truce.KindHeavyWeapon || inc.Kind == truce.KindArmourMovement {
		what = "Location"
	}
	if j.party(fr.impactHolder) {
		fr.reasons = append(fr.reasons, truce.Reason{Code: CodeImpactHeld, Text: what + " " + km(loc.DistanceM) + " inside " + fr.impactHolder + "-held ground on control map " + m.ID + unc + "."})
	} else {
		fr.reasons = append(fr.reasons, truce.Reason{Code: CodeImpactNoHolder, Text: what + " in ground no party holds on control map " + m.ID + ", " + km(loc.DistanceM) + " from the line of contact" + unc + "."})
	}
	fr.nearLine = nearLine
	fr.across = j.acrossFrom(m, fr.impactHolder)
	if nearLine {
		fr.doubtful = true
		fr.reasons = append(fr.reasons, truce.Reason{Code: CodeImpactNearLine, Text: "The " + strings.ToLower(what) + "'s uncertainty reaches the line of contact, so it may lie on either side."})
	}
	if inc.Origin != nil && ev.rayOnly {
		j.alongRay(inc, m, ev.ray, fr)
		return fr, nil
	}
	if o := inc.Origin; o != nil {
		op := geo.Point{o.Lon, o.Lat}
		ol := m.Locate(op)
		oh := j.holder(m, op)
		sigma := ev.originSigmaM
		how := "as reported"
		if ev.bearings >= 2 {
			how = "from " + plural(ev.bearings, "bearing", "bearings")
		}
		assumed := sigma == 0
		if assumed {
			sigma = DefaultOriginUncertaintyM
			how += ", with no stated uncertainty (" + km(sigma) + " assumed)"
		} else {
			how += ", uncertainty " + km(sigma)
		}
		if !j.party(oh) {
			fr.reasons = append(fr.reasons,
				truce.Reason{Code: CodeOriginNoHolder, Text: "Origin estimated in ground no party holds, " + km(ol.DistanceM) + " from the line of contact (" + how + ")."},
				truce.Reason{Code: CodeAttrNone, Text: "No party can be attributed: the origin lies in no party's ground."})
			fr.attr = limit{possible, "attribution"}
			return fr, nil
		}
		fr.attrParty = oh
		fr.crossKnown = j.party(fr.impactHolder)
		fr.crossed = fr.crossKnown && oh != fr.impactHolder
		at := "Origin estimated " + km(ol.DistanceM) + " inside " + oh + "-held ground (" + how + ")"
		switch across := acrossLine(ol.DistanceM, sigma); {
		case across <= confirmedAcross:
			fr.attr = limit{confirmed, "attribution"}
			if nearLine {
				fr.attr.level = probable
			}
			fr.reasons = append(fr.reasons, truce.Reason{Code: CodeOriginHeld, Text: at + "."})
		case across <= probableAcross:
			fr.attr = limit{probable, "attribution"}
			fr.reasons = append(fr.reasons, truce.Reason{Code: CodeOriginLikely, Text: at + "; the chance that it lies across the line of contact is " + percent(across) + "."})
		default:
			fr.doubtful, fr.straddles = true, true
			fr.attr = limit{possible, "attribution"}
			fr.reasons = append(fr.reasons, truce.Reason{Code: CodeOriginStraddle, Text: at + ", but its uncertainty reaches across the line of contact: the chance that it lies across is " + percent(across) + "."})
		}
		if assumed && fr.attr.level == confirmed {
			// Nothing confirmed rests on an assumed number.
			fr.attr.level = probable
		}
		fr.reasons = append(fr.reasons, truce.Reason{Code: CodeAttrOrigin, Text: "Attributed to " + oh + ", who held the ground the fire came from."})
		if fr.attr.level == possible && fr.crossed && !nearLine {
			// Two indications agree: the origin most likely lies in
			// oh's ground, and the impact lies clearly in the other
			// party's.
			fr.attr.level = probable
			fr.reasons = append(fr.reasons, truce.Reason{Code: CodeAttrOriginDirection, Text: "The impact lies clearly in " + fr.impactHolder + "-held ground, across the line from where the origin most likely lies: direction and origin agree, so the attribution is probable."})
		}
		return fr, nil
	}
	if inc.Kind == truce.KindHeavyWeapon || inc.Kind == truce.KindArmourMovement {
		if !j.party(fr.impactHolder) {
			fr.reasons = append(fr.reasons, truce.Reason{Code: CodeAttrNone, Text: "No party can be attributed: the weapons were seen in ground no party holds."})
			fr.attr = limit{possible, "attribution"}
			return fr, nil
		}
		fr.attrParty = fr.impactHolder
		fr.attr = limit{confirmed, "attribution"}
		if nearLine {
			fr.attr.level = possible
		}
		fr.reasons = append(fr.reasons, truce.Reason{Code: CodeAttrLocation, Text: "Attributed to " + fr.impactHolder + ", who held the ground where the weapons were seen."})
		return fr, nil
	}
	fr.reasons = append(fr.reasons, truce.Reason{Code: CodeOriginUnknown, Text: "No report fixes where the fire came from."})
	other := fr.across
	if other == "" {
		fr.reasons = append(fr.reasons, truce.Reason{Code: CodeAttrNone, Text: "No party can be attributed from the impact's side of the line alone."})
		fr.attr = limit{possible, "attribution"}
		return fr, nil
	}
	fr.attrParty = other
	fr.attr = limit{probable, "attribution"}
	if nearLine {
		fr.attr.level = possible
	}
	fr.reasons = append(fr.reasons, truce.Reason{Code: CodeAttrDirection, Text: "Attributed to " + other + ", who held the ground across the line from the impact; without an origin this is an inference from direction."})
	return fr, nil
}

// rayStepM is the spacing at which a bearing without a distance is walked.
const rayStepM = 250.0

// alongRay reasons with a bearing without a distance as what it is, a ray
// from the observer: the origin lies somewhere along it, within the reach
// of ground fire (MaxGroundFireRangeM: a bound, not an assumed range). It walks the ray on m and finds whose
// ground it runs through. In one party's ground all along, that party is
// attributed, at most probable (how far along is not known); where it runs
// through several, the origin's side cannot be told: when the impact lies
// clearly in one party's ground and the ray enters the other's, that other
// party is attributed as by direction (probable at most, crossing
// presumed); otherwise no party is attributed from it, and a rule that
// needs a crossing is left in doubt, with the party a crossing points to.
func (j *judge) alongRay(inc *truce.Incident, m *control.Map, ray *geo.Sighting, fr *fire) {
	// runs are the holders of the ground along the ray, in order, each
	// run of one holder once.
	var runs []string
	for d := 0.0; d <= MaxGroundFireRangeM; d += rayStepM {
		p, _ := geo.Direct(ray.From, ray.Azimuth, d)
		h := j.holder(m, p)
		if !j.party(h) {
			h = control.Unknown
		}
		if n := len(runs); n == 0 || runs[n-1] != h {
			runs = append(runs, h)
		}
	}
	var parties []string
	var parts []string
	for _, r := range runs {
		if r != control.Unknown && !slices.Contains(parties, r) {
			parties = append(parties, r)
		}
		// Whose ground, in order along the ray, but not how far along:
		// the ray starts at the observer, and the bearing and where it
		// crosses the line of contact would place them.
		if r == control.Unknown {
			parts = append(parts, "ground no party holds")
		} else {
			parts = append(parts, r+"-held ground")
		}
	}
	what := "The origin rests on a bearing without a distance: a ray, not a point. Within the reach of ground fire (" + km(MaxGroundFireRangeM) + ") it runs through " + strings.Join(parts, ", then ")
	fr.crossKnown = j.party(fr.impactHolder)
	switch n := len(parties); {
	case n == 0:
		fr.reasons = append(fr.reasons,
			truce.Reason{Code: CodeOriginRay, Text: what + "; no party's ground."},
			truce.Reason{Code: CodeAttrNone, Text: "No party can be attributed: the ray runs through no party's ground."})
		fr.crossKnown = false
		fr.attr = limit{possible, "attribution"}
	case n == 1:
		oh := parties[0]
		fr.attrParty = oh
		fr.crossed = fr.crossKnown && oh != fr.impactHolder
		fr.attr = limit{probable, "attribution"}
		if fr.nearLine {
			fr.attr.level = possible
		}
		fr.reasons = append(fr.reasons,
			truce.Reason{Code: CodeOriginRay, Text: what + "; wherever along it the fire came from, it was " + oh + "-held ground."},
			truce.Reason{Code: CodeAttrOrigin, Text: "Attributed to " + oh + ", who held the ground all along the ray; probable at most, since how far along it is not known."})
	case fr.crossKnown && !fr.nearLine && fr.across != "" && slices.Contains(parties, fr.across):
		// The ray points across the line into the other party's
		// ground from an impact clearly on one side: the inference
		// attribution by direction makes, with the ray agreeing, and
		// no stronger, since where along it is not known.
		fr.crossKnown = false
		fr.attrParty = fr.across
		fr.attr = limit{probable, "attribution"}
		fr.reasons = append(fr.reasons,
			truce.Reason{Code: CodeOriginRay, Text: what + "; it crosses the line of contact into " + fr.across + "-held ground, so where along it the fire came from decides the side."},
			truce.Reason{Code: CodeAttrDirection, Text: "Attributed to " + fr.across + ", who held the ground across the line from the impact that the ray points into; without a distance this is an inference from direction."})
	default:
		fr.doubtful, fr.straddles = true, true
		fr.attr = limit{possible, "attribution"}
		fr.reasons = append(fr.reasons,
			truce.Reason{Code: CodeOriginRay, Text: what + "; it crosses the line of contact, so the fire may have come from either side."},
			truce.Reason{Code: CodeAttrNone, Text: "The ray alone does not tell whose ground the fire came from."})
	}
}

// acrossFrom returns the one party other than holder that holds ground on
// m, when holder is a party and there is exactly one such; else "".
func (j *judge) acrossFrom(m *control.Map, holder string) string {
	if !j.party(holder) {
		return ""
	}
	var others []string
	for _, h := range m.Holdings {
		if h.Party != holder && j.party(h.Party) && !slices.Contains(others, h.Party) {
			others = append(others, h.Party)
		}
	}
	if len(others) == 1 {
		return others[0]
	}
	return ""
}

// crossingParty returns whom fire across the line would be attributed to
// when origin and impact appear on one side but their uncertainty leaves a
// crossing possible, and the sentence that says so. If only the origin may
// lie across, a crossing means it came from the other party's ground; if
// only the impact may, it came from the origin's holder into the other
// party's; if both may, or there is no one other party, it cannot be told.
func (fr *fire) crossingParty() (string, string) {
	switch {
	case fr.straddles && !fr.nearLine && fr.across != "":
		not := ""
		if fr.attrParty != "" {
			not = ", not to " + fr.attrParty + ", who holds both estimates' side,"
		}
		return fr.across, "If fire crossed the line of contact, it came from " + fr.across + "-held ground, across the line from the impact: the rule needs a crossing, so the act is attributed to " + fr.across + not + " and only as possible."
	case fr.nearLine && !fr.straddles && fr.across != "":
		return fr.attrParty, "If fire crossed the line of contact, the impact lay in " + fr.across + "-held ground and the fire came from " + fr.attrParty + "-held ground, where the origin lies: attributed to " + fr.attrParty + ", only as possible."
	}
	return "", "Whether and which way fire crossed the line of contact cannot be told from the estimates, so no party can be attributed for a rule that needs a crossing."
}

// inZones reports whether the incident lies in any of the zones ids, whether
// its uncertainty reaches a zone's edge, and the sentence that says so.
func (j *judge) inZones(inc *truce.Incident, ids []string) (in, near bool, text string, err error) {
	p := geo.Point{inc.Lon, inc.Lat}
	var m *control.Map
	var parts []string
	for _, id := range ids {
		z := j.zones[id]
		var inside bool
		var margin float64
		if z.area != nil {
			inside = z.area.Covers(p)
			margin, _ = z.edge.Distance(p)
			parts = append(parts, id+map[bool]string{true: " (inside its area)", false: " (outside its area, " + km(margin) + " from it)"}[inside])
		} else {
			d := j.line.distance(p)
			band := z.z.BandKM * 1000
			inside = d <= band
			margin = max(d-band, band-d)
			side := ""
			if z.z.Sides != "" && z.z.Sides != "both" {
				if m == nil {
					if m, err = j.maps(j.ctx, inc.Start); err != nil {
						return false, false, "", fmt.Errorf("the control map at %s: %w", stamp(inc.Start), err)
					}
				}
				if h := j.holder(m, p); h != z.z.Sides {
					inside = false
					side = ", on " + h + "'s side, not " + z.z.Sides + "'s"
				}
			}
			parts = append(parts, fmt.Sprintf("%s (%s from the line of contact, band %s%s)", id, km(d), km(band), side))
		}
		if inside && inc.UncertaintyM < margin {
			return true, false, "The incident lies in zone " + parts[len(parts)-1] + ".", nil
		}
		if inc.UncertaintyM >= margin && (inside || z.area != nil || z.z.Sides == "" || z.z.Sides == "both") {
			near = true
		}
		in = in || inside
	}
	switch {
	case near:
		return in, true, "The incident's uncertainty (" + km(inc.UncertaintyM) + ") reaches the edge of zone " + joinList(parts) + ".", nil
	case in:
		return true, false, "The incident lies in zone " + joinList(parts) + ".", nil
	}
	return false, false, "The incident lies outside zone " + joinList(parts) + ".", nil
}

// advance is what the control maps show at an advance incident.
type advance struct {
	found        bool
	party        string
	areaM2       float64
	fromID, toID string
}

// AdvanceMapLag is how long after an advance incident's end the control
// maps are searched for the ground it took, when the map in force at its
// end shows no change there: a map of the front is drawn after the fact
// (DeepState's a day or more later).
const AdvanceMapLag = 48 * time.Hour

// advance compares the maps in force at the incident's start and end, and
// finds the patch of ground gained at its location; if there is none, it
// compares the map at the start with the one in force AdvanceMapLag after
// the end of the incident's time at its precision.
func (j *judge) advance(inc *truce.Incident, precision time.Duration) (*advance, error) {
	from, err := j.maps(j.ctx, inc.Start)
	if err != nil {
		// A report of the advance, to the day, may start before the
		// first map: compare from the map in force at the first of its
		// observations' times that one is.
		var times []time.Time
		for _, id := range inc.Observations {
			if o := j.opts.Observations[id]; o != nil && o.ObservedAt.After(inc.Start) && !o.ObservedAt.After(inc.End) {
				times = append(times, o.ObservedAt)
			}
		}
		slices.SortFunc(times, time.Time.Compare)
		for _, t := range times {
			if m, err2 := j.maps(j.ctx, t); err2 == nil {
				from, err = m, nil
				break
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("the control map at %s: %w", stamp(inc.Start), err)
	}
	var adv *advance
	for _, end := range []time.Time{inc.End, inc.End.Add(precision + AdvanceMapLag)} {
		to, err := j.maps(j.ctx, end)
		if err != nil {
			return nil, fmt.Errorf("the control map at %s: %w", stamp(end), err)
		}
		if adv != nil && adv.toID == to.ID {
			break
		}
		if adv, err = j.gained(inc, from, to); err != nil || adv.found {
			return adv, err
		}
	}
	return adv, nil
}

// gained finds the patch of ground gained between maps from and to at the
// incident's location.
func (j *judge) gained(inc *truce.Incident, from, to *control.Map) (*advance, error) {
	adv := &advance{fromID: from.ID, toID: to.ID}
	if from.ID == to.ID {
		return adv, nil
	}
	d, err := j.diffs.Compare(from, to)
	if err != nil {
		return nil, err
	}
	// The patch that covers the incident's location, or else the largest
	// one within twice its uncertainty (a monitor places taken ground by
	// bearing and distance; slivers of redrawn edges are patches too),
	// the first in the diff's order on a tie.
	p := geo.Point{inc.Lon, inc.Lat}
	reach := 2 * inc.UncertaintyM
	for _, c := range d.Changes {
		if !j.party(c.Party) {
			continue
		}
		for _, patch := range c.Gained {
			if geo.Distance(patch.Centroid, p) <= max(1, inc.UncertaintyM/100) || geo.NewIndex(geo.MultiPolygon{patch.Polygon}).Covers(p) {
				adv.found, adv.party, adv.areaM2 = true, c.Party, patch.AreaM2
				return adv, nil
			}
			if patch.AreaM2 <= adv.areaM2 {
				continue
			}
			for _, ring := range patch.Polygon {
				if dm, _ := geo.DistanceToLine(p, geo.LineString(ring)); dm <= reach {
					adv.found, adv.party, adv.areaM2 = true, c.Party, patch.AreaM2
					break
				}
			}
		}
	}
	return adv, nil
}
