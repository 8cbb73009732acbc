package truce

import (
	"fmt"
	"time"
)

// MaxClockSkew is how far an observation's times may lie in the future of
// the log's clock when it is filed: a source's clock may run this much
// ahead of the log's, but nobody observes what has not happened yet. An
// allegation dated days ahead is rejected rather than logged.
const MaxClockSkew = 5 * time.Minute

// LateFiling is how long after an observation's time it may be filed
// before it counts as filed late: a report that comes in days after the
// event may be true, but the reader should know it came late (it had time
// to be shaped by what was published meanwhile).
const LateFiling = 72 * time.Hour

// FilingProblems returns the problems of filing o when the log's clock
// reads now: observed_at or observed_until later than now plus
// MaxClockSkew. The store calls it as it takes o in, with its own clock.
func (o *Observation) FilingProblems(now time.Time) []Problem {
	limit := now.Add(MaxClockSkew)
	var ps []Problem
	if o.ObservedAt.After(limit) {
		ps = append(ps, Problem{Path: "$.observed_at", Message: fmt.Sprintf("%s is in the future: more than %v after the log's time, %s",
			o.ObservedAt.UTC().Format(time.RFC3339), MaxClockSkew, now.UTC().Format(time.RFC3339))})
	}
	if u := o.ObservedUntil; u != nil && u.After(limit) {
		ps = append(ps, Problem{Path: "$.observed_until", Message: fmt.Sprintf("%s is in the future: more than %v after the log's time, %s",
			u.UTC().Format(time.RFC3339), MaxClockSkew, now.UTC().Format(time.RFC3339))})
	}
	return ps
}

// FiledLate reports whether an observation of observedAt logged at
// loggedAt was filed late: more than LateFiling after the event.
func FiledLate(observedAt, loggedAt time.Time) bool {
	return loggedAt.Sub(observedAt) > LateFiling
}
