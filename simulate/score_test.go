package simulate_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/simulate"
)

// oracle returns the incidents a perfect correlator would make of sc (one
// per true event, one per false or invented observation) and the findings
// a perfect adjudicator would give them: confirmed when a monitor or
// sensor saw the event, possible otherwise.
func oracle(sc *simulate.Scenario) ([]*truce.Incident, []*truce.Finding) {
	roles := map[string]truce.Role{}
	for _, s := range sc.Sources {
		roles[s.Name] = s.Role
	}
	events := map[string]*simulate.Event{}
	for _, e := range sc.Truth.Events {
		events[e.ID] = e
	}
	byEvent := map[string]*truce.Incident{}
	indep := map[string]bool{}
	var incidents []*truce.Incident
	for _, lb := range sc.Truth.Labels {
		if lb.Event == "" {
			incidents = append(incidents, &truce.Incident{ID: "inc-" + lb.Observation, Observations: []string{lb.Observation}})
			continue
		}
		in := byEvent[lb.Event]
		if in == nil {
			in = &truce.Incident{ID: "inc-" + lb.Event}
			byEvent[lb.Event] = in
			incidents = append(incidents, in)
		}
		in.Observations = append(in.Observations, lb.Observation)
		if r := roles[lb.Source]; r == truce.RoleMonitor || r == truce.RoleSensor {
			indep[lb.Event] = true
		}
	}
	var findings []*truce.Finding
	for _, in := range incidents {
		f := &truce.Finding{ID: "f-" + in.ID, Incident: in.ID, Confidence: truce.Undetermined}
		if id, ok := strings.CutPrefix(in.ID, "inc-"); ok && events[id] != nil {
			e := events[id]
			f.Violation, f.Rule, f.Party, f.Confidence = e.Violation, e.Rule, e.Party, truce.Possible
			if indep[id] {
				f.Confidence = truce.Confirmed
			}
		}
		findings = append(findings, f)
	}
	return incidents, findings
}

func TestScoreFindings(t *testing.T) {
	sc := generate(t, simulate.DefaultConfig(5))
	statusOf := map[string]string{}
	for _, lb := range sc.Truth.Labels {
		statusOf[lb.Observation] = lb.Status
	}
	// first returns the index of the first finding whose incident
	// satisfies ok.
	first := func(incidents []*truce.Incident, ok func(*truce.Incident) bool) int {
		for i, in := range incidents {
			if ok(in) {
				return i
			}
		}
		t.Fatal("no such incident")
		return -1
	}
	onlyStatus := func(status string) func(*truce.Incident) bool {
		return func(in *truce.Incident) bool { return statusOf[in.Observations[0]] == status }
	}
	confirmedViolation := func(fs []*truce.Finding) func(*truce.Incident) bool {
		return func(in *truce.Incident) bool {
			f := fs[slicesIndex(fs, in.ID)]
			return f.Violation && f.Confidence == truce.Confirmed && len(in.Observations) > 1
		}
	}
	base := func() ([]*truce.Incident, []*truce.Finding) { return oracle(sc) }
	perfect, _ := func() (*simulate.Score, error) { in, fs := base(); return simulate.ScoreFindings(sc.Truth, in, fs) }()

	tests := []struct {
		name  string
		edit  func(in []*truce.Incident, fs []*truce.Finding) ([]*truce.Incident, []*truce.Finding)
		check func(s *simulate.Score) string
	}{
		{"perfect", nil, func(s *simulate.Score) string {
			c := s.Levels[0]
			if c.TruePositives != c.Findings || c.Attributed != c.TruePositives || c.DetectedObserved != s.Observed || s.Observed == 0 {
				return fmt.Sprintf("confirmed level %+v, observed %d", c, s.Observed)
			}
			if s.InventedReached != 0 || s.Invented == 0 || s.Unlabelled != 0 {
				return fmt.Sprintf("invented %d reached %d, unlabelled %d", s.Invented, s.InventedReached, s.Unlabelled)
			}
			return ""
		}},
		{"wrong party", func(in []*truce.Incident, fs []*truce.Finding) ([]*truce.Incident, []*truce.Finding) {
			i := first(in, confirmedViolation(fs))
			fs[i].Party = map[string]string{"UA": "RU", "RU": "UA"}[fs[i].Party]
			return in, fs
		}, func(s *simulate.Score) string {
			if c := s.Levels[0]; c.Attributed != c.TruePositives-1 {
				return fmt.Sprintf("attributed %d of %d, want one fewer", c.Attributed, c.TruePositives)
			}
			return ""
		}},
		{"invented found probable", func(in []*truce.Incident, fs []*truce.Finding) ([]*truce.Incident, []*truce.Finding) {
			i := first(in, onlyStatus(simulate.StatusInvented))
			fs[i].Violation, fs[i].Rule, fs[i].Party, fs[i].Confidence = true, "R1", "RU", truce.Probable
			return in, fs
		}, func(s *simulate.Score) string {
			p := s.Levels[1]
			if s.InventedReached != 1 || s.InventedUncorroborated != 1 || p.Findings != perfect.Levels[1].Findings+1 || p.TruePositives != perfect.Levels[1].TruePositives {
				return fmt.Sprintf("reached %d uncorroborated %d, probable %+v", s.InventedReached, s.InventedUncorroborated, p)
			}
			return ""
		}},
		{"false fire found confirmed", func(in []*truce.Incident, fs []*truce.Finding) ([]*truce.Incident, []*truce.Finding) {
			i := first(in, onlyStatus(simulate.StatusFalsePositive))
			fs[i].Violation, fs[i].Rule, fs[i].Party, fs[i].Confidence = true, "R2", "UA", truce.Confirmed
			return in, fs
		}, func(s *simulate.Score) string {
			c := s.Levels[0]
			if c.Findings != perfect.Levels[0].Findings+1 || c.TruePositives != perfect.Levels[0].TruePositives {
				return fmt.Sprintf("confirmed %+v", c)
			}
			return ""
		}},
		{"event split in two", func(in []*truce.Incident, fs []*truce.Finding) ([]*truce.Incident, []*truce.Finding) {
			i := first(in, confirmedViolation(fs))
			half := &truce.Incident{ID: in[i].ID + "-b", Observations: in[i].Observations[1:]}
			in[i].Observations = in[i].Observations[:1]
			f := *fs[i]
			f.ID, f.Incident = f.ID+"-b", half.ID
			return append(in, half), append(fs, &f)
		}, func(s *simulate.Score) string {
			c := s.Levels[0]
			if c.Findings != perfect.Levels[0].Findings+1 || c.TruePositives != perfect.Levels[0].TruePositives+1 || c.Detected != perfect.Levels[0].Detected {
				return fmt.Sprintf("confirmed %+v", c)
			}
			return ""
		}},
	}
	for _, tc := range tests {
		in, fs := base()
		if tc.edit != nil {
			in, fs = tc.edit(in, fs)
		}
		s, err := simulate.ScoreFindings(sc.Truth, in, fs)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if msg := tc.check(s); msg != "" {
			t.Errorf("%s: %s", tc.name, msg)
		}
	}

	in, fs := base()
	fs[0].Incident = "nonesuch"
	if _, err := simulate.ScoreFindings(sc.Truth, in, fs); err == nil || !strings.Contains(err.Error(), `"nonesuch"`) {
		t.Errorf("unknown incident: %v", err)
	}
}

func slicesIndex(fs []*truce.Finding, incident string) int {
	for i, f := range fs {
		if f.Incident == incident {
			return i
		}
	}
	return -1
}

func TestReadTruth(t *testing.T) {
	sc := generate(t, simulate.DefaultConfig(2))
	var b bytes.Buffer
	if err := sc.Truth.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	got, err := simulate.ReadTruth(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := got.WriteJSON(&again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), again.Bytes()) {
		t.Error("the truth file does not read back to the same bytes")
	}
	for _, c := range []struct{ in, want string }{
		{`{"format":"other"}`, "$.format"},
		{`{"format":"truce-simulate-truth/1","labels":[{"observation":"a","status":"true","event":"ev-9"}]}`, "$.labels[0].event"},
		{`{"format":"truce-simulate-truth/1","labels":[{"observation":"a","status":"maybe"}]}`, "$.labels[0].status"},
		{`{"format":"truce-simulate-truth/1","events":[{"id":"ev-1"},{"id":"ev-1"}]}`, "$.events[1].id"},
		{`{"format":"truce-simulate-truth/1","extra":1}`, "unknown field"},
	} {
		if _, err := simulate.ReadTruth(strings.NewReader(c.in)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one naming %s", c.in, err, c.want)
		}
	}
}

func FuzzReadTruth(f *testing.F) {
	f.Add([]byte(`{"format":"truce-simulate-truth/1","events":[{"id":"ev-1","kind":"artillery"}],"labels":[{"observation":"a","status":"true","event":"ev-1"}]}`))
	f.Add([]byte(`{"format":"truce-simulate-truth/1","labels":[{"observation":"a","status":"invented"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := simulate.ReadTruth(bytes.NewReader(data))
		if err != nil {
			return
		}
		var b bytes.Buffer
		if err := tr.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		if _, err := simulate.ReadTruth(&b); err != nil {
			t.Fatalf("a truth that read does not read again: %v", err)
		}
	})
}

// TestAblate: an invented allegation fused into a true violation's
// incident rides along when the event's finding stands without it, and
// raised it when it does not; one found a violation on its own always
// raised its finding.
func TestAblate(t *testing.T) {
	sc := generate(t, simulate.DefaultConfig(5))
	var invented string
	for _, lb := range sc.Truth.Labels {
		if lb.Status == simulate.StatusInvented {
			invented = lb.Observation
			break
		}
	}
	if invented == "" {
		t.Fatal("the scenario has no invented allegation")
	}
	// fused moves the invented allegation into the first confirmed true
	// violation's incident.
	fused := func() ([]*truce.Incident, []*truce.Finding, int) {
		in, fs := oracle(sc)
		v := -1
		for i, f := range fs {
			if f.Violation && f.Confidence == truce.Confirmed && v < 0 {
				v = i
			}
		}
		for i, x := range in {
			if x.ID == "inc-"+invented {
				in, fs = append(in[:i:i], in[i+1:]...), append(fs[:i:i], fs[i+1:]...)
				if i < v {
					v--
				}
				break
			}
		}
		in[v].Observations = append(in[v].Observations, invented)
		return in, fs, v
	}
	score := func(in []*truce.Incident, fs []*truce.Finding) *simulate.Score {
		s, err := simulate.ScoreFindings(sc.Truth, in, fs)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	in, fs, v := fused()
	full := score(in, fs)
	if full.InventedReached != 1 {
		t.Fatalf("reached %d, want the fused allegation", full.InventedReached)
	}
	base, bfs := oracle(sc)
	without := score(base, bfs)
	full.Ablate(without)
	if full.InventedRaised != 0 {
		t.Errorf("rode along with a confirmed event: raised %d", full.InventedRaised)
	}
	for i, f := range bfs {
		if f.Incident == fs[v].Incident {
			bfs[i].Violation, bfs[i].Party = false, ""
		}
	}
	full.Ablate(score(base, bfs))
	if full.InventedRaised != 1 {
		t.Errorf("the event is no violation without it: raised %d, want 1", full.InventedRaised)
	}

	in, fs = oracle(sc)
	i := slicesIndex(fs, "inc-"+invented)
	fs[i].Violation, fs[i].Rule, fs[i].Party, fs[i].Confidence = true, "R1", "RU", truce.Probable
	alone := score(in, fs)
	alone.Ablate(without)
	if alone.InventedRaised != 1 {
		t.Errorf("found a violation on its own: raised %d, want 1", alone.InventedRaised)
	}
}
