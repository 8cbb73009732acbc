package adjudicate

import (
	"fmt"
	"slices"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/geo"
)

// CodeConflict marks a finding held to possible because an incident that
// may be the same event was found otherwise (see [reconcile]).
const CodeConflict = "conflict.neighbour"

// Bounds within which two incidents may be one event that the correlation
// kept apart (see [reconcile]).
const (
	// ConflictGap is the largest gap between two incidents' times.
	ConflictGap = 30 * time.Minute
	// ConflictDistanceM is the largest distance between their impacts, or
	// between their origins, beyond their stated uncertainties.
	ConflictDistanceM = 10000.0
)

// reconcile keeps findings that may be about one event from stating
// contradictory verdicts at probable or above: a violation beside no
// violation. Two incidents may be one
// event when their kinds are alike (the same, or both indirect fire, or
// both strikes from the air), their times lie within ConflictGap of each
// other, and their impacts lie within ConflictDistanceM plus twice their
// combined uncertainty, or their origins within ConflictDistanceM. Two
// violations naming different parties are not reconciled: each rests on
// an origin in its party's ground, and fire from two sides of the line is
// two acts (fire and the return fire). Of two such findings, the weaker
// (the lower confidence, then the fewer observations, then the later
// incident) is held to possible, with a reason naming the other; an event
// whose reports the correlation split thus says it cannot tell rather
// than contradict itself. incs and fs are parallel, in order of start.
func reconcile(incs []*truce.Incident, fs []*truce.Finding) {
	for i := range incs {
		for j := i + 1; j < len(incs); j++ {
			if incs[j].Start.Sub(incs[i].End) > ConflictGap {
				if incs[j].Start.Sub(incs[i].Start) > 48*time.Hour {
					break
				}
				continue
			}
			a, b := fs[i], fs[j]
			if !strong(a) || !strong(b) {
				continue
			}
			if a.Violation == b.Violation || !mayBeOne(incs[i], incs[j]) {
				continue
			}
			w, o := j, i
			if weaker(incs[i], a, incs[j], b) {
				w, o = i, j
			}
			holdToPossible(fs[w], incs[o], fs[o])
		}
	}
}

// strong reports whether f is rated probable or confirmed.
func strong(f *truce.Finding) bool {
	return f.Confidence == truce.Confirmed || f.Confidence == truce.Probable
}

// weaker reports whether finding a (on incident x) is weaker than b (on y).
func weaker(x *truce.Incident, a *truce.Finding, y *truce.Incident, b *truce.Finding) bool {
	if ra, rb := slices.Index(truce.Confidences, a.Confidence), slices.Index(truce.Confidences, b.Confidence); ra != rb {
		return ra > rb
	}
	if len(x.Observations) != len(y.Observations) {
		return len(x.Observations) < len(y.Observations)
	}
	return false // x is the earlier: b is the weaker
}

// alikeKinds reports whether kinds a and b may name one event.
func alikeKinds(a, b truce.Kind) bool {
	group := func(k truce.Kind) int {
		switch k {
		case truce.KindArtillery, truce.KindMLRS, truce.KindMortar:
			return 1
		case truce.KindAirStrike, truce.KindDroneStrike, truce.KindMissileStrike:
			return 2
		}
		return 0
	}
	return a == b || group(a) != 0 && group(a) == group(b)
}

// mayBeOne reports whether incidents x and y may be one event (see
// [reconcile]).
func mayBeOne(x, y *truce.Incident) bool {
	if !alikeKinds(x.Kind, y.Kind) {
		return false
	}
	d := geo.Distance(geo.Point{x.Lon, x.Lat}, geo.Point{y.Lon, y.Lat})
	if d <= ConflictDistanceM+2*(x.UncertaintyM+y.UncertaintyM) {
		return true
	}
	return x.Origin != nil && y.Origin != nil &&
		geo.Distance(geo.Point{x.Origin.Lon, x.Origin.Lat}, geo.Point{y.Origin.Lon, y.Origin.Lat}) <= ConflictDistanceM
}

// holdToPossible lowers f to possible, saying why: the finding other on
// incident on may be about the same event and says otherwise.
func holdToPossible(f *truce.Finding, on *truce.Incident, other *truce.Finding) {
	said := "no violation"
	if other.Violation {
		said = "a violation"
		if other.Party != "" {
			said += " by " + other.Party
		}
	}
	r := truce.Reason{Code: CodeConflict, Text: fmt.Sprintf(
		"Incident %s, of a like kind, within %.0f minutes and %.0f km of this one, may be the same event, and its reports show %s (%s); the two cannot both hold, so this finding is possible at most.",
		on.ID, ConflictGap.Minutes(), ConflictDistanceM/1000, said, other.Confidence)}
	c := truce.Reason{Code: CodeConfidence, Text: "Confidence possible: an incident that may be the same event was found otherwise."}
	if k := len(f.Reasons); k > 0 && f.Reasons[k-1].Code == CodeConfidence {
		f.Reasons = f.Reasons[: k-1 : k-1]
	}
	f.Reasons = append(f.Reasons, r, c)
	f.Confidence = truce.Possible
}
