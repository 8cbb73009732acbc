package simulate

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/truce-monitor/truce"
)

// ReadTruth reads a truth file as [Truth.WriteJSON] writes it and checks
// that it hangs together: the format, each label's status, and that every
// event a label names exists.
func ReadTruth(r io.Reader) (*Truth, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var t Truth
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("truth: %v", err)
	}
	if t.Format != TruthFormat {
		return nil, fmt.Errorf("truth: $.format: %q, want %q", t.Format, TruthFormat)
	}
	events := make(map[string]bool, len(t.Events))
	for i, e := range t.Events {
		if e == nil || e.ID == "" || events[e.ID] {
			return nil, fmt.Errorf("truth: $.events[%d].id: missing or repeated", i)
		}
		events[e.ID] = true
	}
	for i, lb := range t.Labels {
		switch lb.Status {
		case StatusTrue:
			if !events[lb.Event] {
				return nil, fmt.Errorf("truth: $.labels[%d].event: no event %q", i, lb.Event)
			}
		case StatusFalsePositive, StatusInvented, StatusStaged:
			if lb.Event != "" {
				return nil, fmt.Errorf("truth: $.labels[%d].event: a %s names no event", i, lb.Status)
			}
		default:
			return nil, fmt.Errorf("truth: $.labels[%d].status: unknown status %q", i, lb.Status)
		}
	}
	return &t, nil
}

// Score is how findings compare with a scenario's truth.
type Score struct {
	// ViolationEvents are the true violations; Observed those of them
	// that a monitor or sensor reported (what independent evidence could
	// have confirmed).
	ViolationEvents int `json:"violation_events"`
	Observed        int `json:"observed_violation_events"`
	// Levels holds the figures for findings at or above confirmed,
	// probable and possible, in that order.
	Levels []Level `json:"levels"`
	// Invented counts the invented allegations; InventedReached those in
	// an incident found a violation at probable or above, and
	// InventedUncorroborated those of them whose incident no monitor or
	// sensor reported.
	Invented               int `json:"invented"`
	InventedReached        int `json:"invented_reached_probable"`
	InventedUncorroborated int `json:"invented_reached_probable_uncorroborated"`
	// Staged counts the staged fires and the fabricated allegations they
	// were lit for; StagedReached those in an incident found a violation
	// at probable or above.
	Staged        int `json:"staged"`
	StagedReached int `json:"staged_reached_probable"`
	// InventedRaised and StagedRaised count those of InventedReached and
	// StagedReached that raised their finding: without every invented and
	// staged observation, the event has no violation finding at probable
	// or above naming the same party (or the incident stands for no true
	// event). Set by [Score.Ablate]; the others rode along with a finding
	// the real reports make on their own.
	InventedRaised int `json:"invented_raised_probable"`
	StagedRaised   int `json:"staged_raised_probable"`
	// reached lists the incidents found a violation at probable or above
	// that hold invented or staged observations; perEvent the findings of
	// each true event.
	reached  []reach
	perEvent map[string][]*truce.Finding
	// EventsWithFindings counts the true events that an incident with a
	// finding stands for; Split those with more than one finding, and
	// Contradictory those whose findings at probable or above disagree
	// (a violation beside no violation, or violations naming different
	// parties).
	EventsWithFindings int `json:"events_with_findings"`
	Split              int `json:"split_events"`
	// SplitProbable counts the events with more than one finding at
	// probable or above.
	SplitProbable int `json:"split_events_probable"`
	Contradictory int `json:"contradictory_events"`
	// Calibration holds, for findings rated exactly confirmed and exactly
	// probable, how many were violations of a true violation naming the
	// true perpetrator: what each level promises (see docs/simulate.md).
	Calibration []Bin `json:"calibration"`
	// Unlabelled counts incident observations the truth does not know.
	Unlabelled int `json:"unlabelled"`
}

// Bin holds the violation findings rated exactly one confidence and how
// many of them were right: a true violation, the true perpetrator named.
type Bin struct {
	Confidence truce.Confidence `json:"confidence"`
	Findings   int              `json:"findings"`
	Right      int              `json:"right"`
	// Promise is the least share of Right the level promises.
	Promise float64 `json:"promise"`
}

// Share is Right/Findings; ok is false when there are no findings.
func (b Bin) Share() (v float64, ok bool) { return ratio(b.Right, b.Findings) }

// Promises are what each confidence promises of its violation findings:
// at least this share are true violations naming the right party.
var Promises = map[truce.Confidence]float64{truce.Confirmed: 0.98, truce.Probable: 0.80}

// SplitShare is Split/EventsWithFindings; ok is false when no event has a
// finding.
func (s *Score) SplitShare() (v float64, ok bool) { return ratio(s.Split, s.EventsWithFindings) }

// Level holds the figures for violation findings at or above one
// confidence.
type Level struct {
	Confidence truce.Confidence `json:"confidence"`
	// Findings are the violation findings at or above Confidence;
	// TruePositives those whose incident is a true violation.
	Findings      int `json:"findings"`
	TruePositives int `json:"true_positives"`
	// Detected are the distinct true violations with such a finding,
	// DetectedObserved those of them that are Observed.
	Detected         int `json:"detected"`
	DetectedObserved int `json:"detected_observed"`
	// Attributed are the true positives that name the true perpetrator.
	Attributed int `json:"attributed"`
}

// Precision is TruePositives/Findings; ok is false when there are no
// findings.
func (l Level) Precision() (v float64, ok bool) { return ratio(l.TruePositives, l.Findings) }

// Attribution is Attributed/TruePositives; ok is false when there are no
// true positives.
func (l Level) Attribution() (v float64, ok bool) { return ratio(l.Attributed, l.TruePositives) }

// Recall is Detected over all true violations; ok is false when there
// are none.
func (l Level) Recall(s *Score) (v float64, ok bool) { return ratio(l.Detected, s.ViolationEvents) }

// RecallObserved is DetectedObserved over the true violations a monitor
// or sensor reported.
func (l Level) RecallObserved(s *Score) (v float64, ok bool) {
	return ratio(l.DetectedObserved, s.Observed)
}

func ratio(n, d int) (float64, bool) {
	if d == 0 {
		return 0, false
	}
	return float64(n) / float64(d), true
}

// rank orders confidences, strongest first; unknown ones rank last.
func rank(c truce.Confidence) int {
	if i := slices.Index(truce.Confidences, c); i >= 0 {
		return i
	}
	return len(truce.Confidences)
}

// ScoreFindings scores the findings of one agreement on the incidents
// they judge against t. An incident stands for the true event most of its
// labelled observations report (the earliest event on a tie), or for none
// when all are false positives or invented. A finding naming an incident
// not in incidents is an error.
func ScoreFindings(t *Truth, incidents []*truce.Incident, findings []*truce.Finding) (*Score, error) {
	labels := make(map[string]Label, len(t.Labels))
	for _, lb := range t.Labels {
		labels[lb.Observation] = lb
	}
	independent := make(map[string]bool)
	for _, s := range t.Sources {
		independent[s.Name] = s.Role == truce.RoleMonitor || s.Role == truce.RoleSensor
	}
	events := make(map[string]*Event, len(t.Events))
	order := make(map[string]int, len(t.Events))
	for i, e := range t.Events {
		events[e.ID], order[e.ID] = e, i
	}
	s := &Score{}
	observed := make(map[string]bool)
	for _, lb := range t.Labels {
		switch {
		case lb.Status == StatusInvented:
			s.Invented++
			if lb.Note == "staged" {
				s.Staged++
			}
		case lb.Status == StatusStaged:
			s.Staged++
		case lb.Status == StatusTrue && independent[lb.Source]:
			observed[lb.Event] = true
		}
	}
	for _, e := range t.Events {
		if e.Violation {
			s.ViolationEvents++
			if observed[e.ID] {
				s.Observed++
			}
		}
	}

	type judged struct {
		event    *Event
		invented int
		staged   int
		corrobor bool
	}
	byIncident := make(map[string]judged, len(incidents))
	for _, in := range incidents {
		var j judged
		votes := map[string]int{}
		for _, id := range in.Observations {
			lb, ok := labels[id]
			if !ok {
				s.Unlabelled++
				continue
			}
			switch lb.Status {
			case StatusTrue:
				votes[lb.Event]++
			case StatusInvented:
				j.invented++
				if lb.Note == "staged" {
					j.staged++
				}
			case StatusStaged:
				j.staged++
			}
			if independent[lb.Source] {
				j.corrobor = true
			}
		}
		best := ""
		for id, n := range votes {
			if best == "" || n > votes[best] || n == votes[best] && order[id] < order[best] {
				best = id
			}
		}
		if best != "" {
			j.event = events[best]
		}
		byIncident[in.ID] = j
	}

	s.Levels = []Level{{Confidence: truce.Confirmed}, {Confidence: truce.Probable}, {Confidence: truce.Possible}}
	detected := make([]map[string]bool, len(s.Levels))
	for i := range detected {
		detected[i] = map[string]bool{}
	}
	reached := map[string]bool{}
	s.Calibration = []Bin{{Confidence: truce.Confirmed, Promise: Promises[truce.Confirmed]}, {Confidence: truce.Probable, Promise: Promises[truce.Probable]}}
	perEvent := map[string][]*truce.Finding{}
	for i, f := range findings {
		j, ok := byIncident[f.Incident]
		if !ok {
			return nil, fmt.Errorf("finding %d (%s): incident %q is not among the incidents", i, f.ID, f.Incident)
		}
		if j.event != nil {
			perEvent[j.event.ID] = append(perEvent[j.event.ID], f)
		}
		if !f.Violation {
			continue
		}
		right := j.event != nil && j.event.Violation && f.Party == j.event.Party
		for k := range s.Calibration {
			if b := &s.Calibration[k]; b.Confidence == f.Confidence {
				b.Findings++
				if right {
					b.Right++
				}
			}
		}
		if rank(f.Confidence) <= rank(truce.Probable) && (j.invented > 0 || j.staged > 0) && !reached[f.Incident] {
			reached[f.Incident] = true
			s.InventedReached += j.invented
			s.StagedReached += j.staged
			r := reach{party: f.Party, invented: j.invented, staged: j.staged}
			if j.event != nil {
				r.event = j.event.ID
			}
			s.reached = append(s.reached, r)
			if !j.corrobor {
				s.InventedUncorroborated += j.invented
			}
		}
		for k := range s.Levels {
			l := &s.Levels[k]
			if rank(f.Confidence) > rank(l.Confidence) {
				continue
			}
			l.Findings++
			if j.event == nil || !j.event.Violation {
				continue
			}
			l.TruePositives++
			if f.Party == j.event.Party {
				l.Attributed++
			}
			if !detected[k][j.event.ID] {
				detected[k][j.event.ID] = true
				l.Detected++
				if observed[j.event.ID] {
					l.DetectedObserved++
				}
			}
		}
	}
	s.perEvent = perEvent
	for _, fs := range perEvent {
		s.EventsWithFindings++
		if len(fs) > 1 {
			s.Split++
		}
		if len(slices.DeleteFunc(slices.Clone(fs), func(f *truce.Finding) bool { return rank(f.Confidence) > rank(truce.Probable) })) > 1 {
			s.SplitProbable++
		}
		if contradictory(fs) {
			s.Contradictory++
		}
	}
	return s, nil
}

// reach is an incident found a violation at probable or above that holds
// invented or staged observations: the true event it stands for ("" for
// none), the party its finding names, and how many of each it holds.
type reach struct {
	event, party     string
	invented, staged int
}

// Ablate sets s.InventedRaised and s.StagedRaised from without, the score
// of the same scenario's findings derived from every observation but the
// invented and staged ones: an invented or staged observation in a
// violation found at probable or above raised it unless the event it
// stands for has, without them, a violation finding at probable or above
// naming the same party.
func (s *Score) Ablate(without *Score) {
	s.InventedRaised, s.StagedRaised = 0, 0
	for _, r := range s.reached {
		stands := false
		for _, f := range without.perEvent[r.event] {
			stands = stands || r.event != "" && f.Violation && f.Party == r.party && rank(f.Confidence) <= rank(truce.Probable)
		}
		if !stands {
			s.InventedRaised += r.invented
			s.StagedRaised += r.staged
		}
	}
}

// contradictory reports whether findings at probable or above among fs
// disagree: a violation beside no violation, or violations naming
// different parties.
func contradictory(fs []*truce.Finding) bool {
	var yes, no bool
	parties := map[string]bool{}
	for _, f := range fs {
		if rank(f.Confidence) > rank(truce.Probable) {
			continue
		}
		if f.Violation {
			yes = true
			parties[f.Party] = true
		} else {
			no = true
		}
	}
	return yes && no || len(parties) > 1
}

// WriteJSON writes s as indented JSON.
func (s *Score) WriteJSON(w io.Writer) error { return writeIndented(w, s) }
