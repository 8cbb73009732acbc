package truce_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

func qaIncident() *truce.Incident {
	start := time.Date(2025, 3, 20, 22, 0, 0, 0, time.UTC)
	return &truce.Incident{
		ID: "inc-1", Kind: truce.KindDroneStrike, Start: start, End: start.Add(2 * time.Hour),
		Lon: 36.25, Lat: 49.98, UncertaintyM: 1500,
		Observations:  []string{"obs-1", "obs-2"},
		Corroboration: truce.SeveralSources,
	}
}

func TestIncidentValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(i *truce.Incident)
		path string // "" means valid
		msg  string
		bug  string
	}{
		{"valid", func(i *truce.Incident) {}, "", "", ""},
		{"valid instant", func(i *truce.Incident) { i.End = i.Start }, "", "", ""},
		{"valid with origin", func(i *truce.Incident) { i.Origin = &truce.Position{Lon: 36.6, Lat: 50.6} }, "", "", ""},
		{"valid corners", func(i *truce.Incident) { i.Lon, i.Lat = -180, 90 }, "", "", ""},
		{"id missing", func(i *truce.Incident) { i.ID = "" }, "id", "required", ""},
		{"kind missing", func(i *truce.Incident) { i.Kind = "" }, "kind", `unknown kind ""`, ""},
		{"kind unknown", func(i *truce.Incident) { i.Kind = "shelling" }, "kind", `unknown kind "shelling"`, ""},
		{"end before start", func(i *truce.Incident) { i.End = i.Start.Add(-time.Second) }, "end", "must not be before start", ""},
		{"end missing", func(i *truce.Incident) { i.End = time.Time{} }, "end", "must not be before start", ""},
		{"start missing", func(i *truce.Incident) { i.Start = time.Time{} }, "start", "required",
			""},
		{"lon out of range", func(i *truce.Incident) { i.Lon = 181 }, "lon", "longitude must be between -180 and 180",
			""},
		{"lat out of range", func(i *truce.Incident) { i.Lat = math.NaN() }, "lat", "latitude must be between -90 and 90",
			""},
		{"origin out of range", func(i *truce.Incident) { i.Origin = &truce.Position{Lon: 500, Lat: 50} }, "origin.lon", "longitude must be between",
			""},
		{"uncertainty negative", func(i *truce.Incident) { i.UncertaintyM = -1 }, "uncertainty_m", "must not be negative", ""},
		{"uncertainty NaN", func(i *truce.Incident) { i.UncertaintyM = math.NaN() }, "uncertainty_m", "must not be negative", ""},
		{"no observations", func(i *truce.Incident) { i.Observations = nil }, "observations", "at least one observation", ""},
		{"corroboration missing", func(i *truce.Incident) { i.Corroboration = "" }, "corroboration", `unknown corroboration ""`, ""},
		{"corroboration unknown", func(i *truce.Incident) { i.Corroboration = "rumour" }, "corroboration", `unknown corroboration "rumour"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.bug != "" {
				qaBug(t, tt.bug)
			}
			i := qaIncident()
			tt.mod(i)
			err := i.Validate()
			if tt.path == "" {
				if err != nil {
					t.Errorf("Validate() = %v, want nil", err)
				}
				return
			}
			qaWant(t, err, tt.path, tt.msg, 1)
		})
	}
	for _, c := range truce.Corroborations {
		i := qaIncident()
		i.Corroboration = c
		if err := i.Validate(); err != nil {
			t.Errorf("corroboration %q: %v", c, err)
		}
	}
}

func qaFinding() *truce.Finding {
	return &truce.Finding{
		ID: "f-1", Incident: "inc-1", Agreement: "energy-2025", Version: 1,
		Violation: true, Rule: "no-energy-strikes", Party: "RU", Confidence: truce.Probable,
		Reasons: []truce.Reason{
			{Code: "in_window", Text: "The strike happened while the agreement was in force."},
			{Code: "protected_target", Text: "The target was a substation."},
		},
		Engine: "adjudicate/1", LogSize: 120,
	}
}

func TestFindingValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(f *truce.Finding)
		path string // "" means valid
		msg  string
	}{
		{"valid", func(f *truce.Finding) {}, "", ""},
		{"valid no violation", func(f *truce.Finding) { f.Violation, f.Rule, f.Party = false, "", "" }, "", ""},
		{"valid undetermined", func(f *truce.Finding) { f.Confidence = truce.Undetermined; f.Party = "" }, "", ""},
		{"id missing", func(f *truce.Finding) { f.ID = "" }, "id", "required"},
		{"id bad", func(f *truce.Finding) { f.ID = "f 1" }, "id", "required"},
		{"incident missing", func(f *truce.Finding) { f.Incident = "" }, "incident", "required"},
		{"agreement missing", func(f *truce.Finding) { f.Agreement = "" }, "agreement", "required"},
		{"violation without rule", func(f *truce.Finding) { f.Rule = "" }, "rule", "a violation names the rule it breaks"},
		{"party bad", func(f *truce.Finding) { f.Party = "russia" }, "party", `"russia" is not a party id`},
		{"confidence missing", func(f *truce.Finding) { f.Confidence = "" }, "confidence", `unknown confidence ""`},
		{"confidence unknown", func(f *truce.Finding) { f.Confidence = "certain" }, "confidence", `unknown confidence "certain"`},
		{"no reasons", func(f *truce.Finding) { f.Reasons = nil }, "reasons", "a finding states its reasons"},
		{"reason without text", func(f *truce.Finding) { f.Reasons[1].Text = "" }, "reasons[1]", "needs a code and a text"},
		{"reason without code", func(f *truce.Finding) { f.Reasons[0].Code = "" }, "reasons[0]", "needs a code and a text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := qaFinding()
			tt.mod(f)
			err := f.Validate()
			if tt.path == "" {
				if err != nil {
					t.Errorf("Validate() = %v, want nil", err)
				}
				return
			}
			qaWant(t, err, tt.path, tt.msg, 1)
		})
	}
	for _, c := range truce.Confidences {
		f := qaFinding()
		f.Confidence = c
		if err := f.Validate(); err != nil {
			t.Errorf("confidence %q: %v", c, err)
		}
	}
	// Several problems at once.
	f := &truce.Finding{Violation: true, Party: "x", Reasons: []truce.Reason{{}}}
	ps := qaProblems(t, f.Validate())
	if len(ps) != 9 {
		t.Errorf("got %d problems, want 9 (id, incident, agreement, agreement_version, engine, rule, party, confidence, reasons[0]):\n%s", len(ps), qaList(ps))
	}
}

// TestIncidentCoordinatesReported checks that bad coordinates are reported at
// all, whatever the path (see the skipped cases in TestIncidentValidate).
func TestIncidentCoordinatesReported(t *testing.T) {
	i := qaIncident()
	i.Lon, i.Lat = 181, -91
	ps := qaProblems(t, i.Validate())
	var lon, lat bool
	for _, p := range ps {
		lon = lon || strings.HasSuffix(p.Path, "lon") && strings.Contains(p.Message, "longitude must be between -180 and 180")
		lat = lat || strings.HasSuffix(p.Path, "lat") && strings.Contains(p.Message, "latitude must be between -90 and 90")
	}
	if !lon || !lat || len(ps) != 2 {
		t.Errorf("got:\n%s", qaList(ps))
	}
}
