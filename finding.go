package truce

import (
	"fmt"
	"slices"
	"time"
)

// Corroboration says how many independent kinds of source describe an
// incident.
type Corroboration string

// Corroboration levels, weakest first.
const (
	SingleSource     Corroboration = "single_source"     // one report
	SameParty        Corroboration = "same_party"        // several reports, all from one party
	SeveralSources   Corroboration = "several_sources"   // reports from more than one source
	IndependentCheck Corroboration = "independent_check" // a monitor or sensor confirms
)

// Corroborations lists every Corroboration, weakest first.
var Corroborations = []Corroboration{SingleSource, SameParty, SeveralSources, IndependentCheck}

// Incident is one real-world event that one or more observations describe,
// fused in space and time by correlation. Observations lists them as
// derivations name them ([Observation.Derived]): by public id, sorted.
type Incident struct {
	ID            string        `json:"id"`
	Kind          Kind          `json:"kind"`
	Start         time.Time     `json:"start"`
	End           time.Time     `json:"end"`
	Lon           float64       `json:"lon"`
	Lat           float64       `json:"lat"`
	UncertaintyM  float64       `json:"uncertainty_m"`
	Origin        *Position     `json:"origin,omitempty"`
	Observations  []string      `json:"observations"`
	Corroboration Corroboration `json:"corroboration"`
}

// Validate reports every problem with i.
func (i *Incident) Validate() error {
	var ps problems
	if !ValidID(i.ID) {
		ps.add("id", "required")
	}
	if !i.Kind.Valid() {
		ps.add("kind", "unknown kind %q", i.Kind)
	}
	if i.Start.IsZero() {
		ps.add("start", "required")
	} else if i.End.Before(i.Start) {
		ps.add("end", "must not be before start")
	}
	checkLonLat(&ps, "", i.Lon, i.Lat)
	if i.Origin != nil {
		checkLonLat(&ps, "origin", i.Origin.Lon, i.Origin.Lat)
	}
	for j, id := range i.Observations {
		if !ValidID(id) {
			ps.add(fmt.Sprintf("observations[%d]", j), "%q is not an observation id", id)
		}
	}
	if !finite(i.UncertaintyM) || i.UncertaintyM < 0 {
		ps.add("uncertainty_m", "must not be negative")
	}
	if len(i.Observations) == 0 {
		ps.add("observations", "an incident rests on at least one observation")
	}
	if !slices.Contains(Corroborations, i.Corroboration) {
		ps.add("corroboration", "unknown corroboration %q", i.Corroboration)
	}
	return ps.err("incident")
}

// Confidence is how sure a finding is.
type Confidence string

// Confidence levels, strongest first.
const (
	Confirmed    Confidence = "confirmed"
	Probable     Confidence = "probable"
	Possible     Confidence = "possible"
	Undetermined Confidence = "undetermined"
)

// Confidences lists every Confidence, strongest first.
var Confidences = []Confidence{Confirmed, Probable, Possible, Undetermined}

// Finding is the adjudication of one incident under one agreement.
type Finding struct {
	ID         string     `json:"id"`
	Incident   string     `json:"incident"`
	Agreement  string     `json:"agreement"`
	Version    int        `json:"agreement_version"`
	Violation  bool       `json:"violation"`
	Rule       string     `json:"rule,omitempty"`
	Party      string     `json:"party,omitempty"` // the party attributed
	Confidence Confidence `json:"confidence"`
	Reasons    []Reason   `json:"reasons"`
	Engine     string     `json:"engine"`   // the engine version that derived it
	LogSize    int64      `json:"log_size"` // the log prefix it was derived from
}

// Reason is one step of a finding's argument: a machine-readable code (so
// that it can be translated) and the sentence in English.
type Reason struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

// Validate reports every problem with f.
func (f *Finding) Validate() error {
	var ps problems
	if !ValidID(f.ID) {
		ps.add("id", "required")
	}
	if !ValidID(f.Incident) {
		ps.add("incident", "required")
	}
	if !ValidID(f.Agreement) {
		ps.add("agreement", "required")
	}
	if f.Version < 1 {
		ps.add("agreement_version", "must be 1 or more")
	}
	if f.Engine == "" {
		ps.add("engine", "required: the engine version that derived the finding")
	}
	if f.LogSize < 0 {
		ps.add("log_size", "must not be negative")
	}
	if f.Violation && f.Rule == "" {
		ps.add("rule", "a violation names the rule it breaks")
	}
	if f.Party != "" && !ValidPartyID(f.Party) {
		ps.add("party", "%q is not a party id", f.Party)
	}
	if !slices.Contains(Confidences, f.Confidence) {
		ps.add("confidence", "unknown confidence %q", f.Confidence)
	}
	if len(f.Reasons) == 0 {
		ps.add("reasons", "a finding states its reasons")
	}
	for i, r := range f.Reasons {
		if r.Code == "" || r.Text == "" {
			ps.add(fmt.Sprintf("reasons[%d]", i), "needs a code and a text")
		}
	}
	return ps.err("finding")
}
