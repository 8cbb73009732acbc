package simulate

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/geo"
)

// TruthFormat names the truth file's format and version.
const TruthFormat = "truce-simulate-truth/1"

// Truth is what really happened in a scenario, and where each observation
// came from. It is written as one JSON object (see [Truth.WriteJSON]).
type Truth struct {
	Format     string       `json:"format"`
	Seed       int64        `json:"seed"`
	From       time.Time    `json:"from"`
	Days       int          `json:"days"`
	Window     truce.Window `json:"window"`
	ControlMap MapRef       `json:"control_map"`
	// ControlMaps are the maps the scenario writes after its advances.
	ControlMaps []MapRef `json:"control_maps"`
	Config      Config   `json:"config"`
	// QuietDays are the days (YYYY-MM-DD, UTC) with no true event.
	QuietDays []string  `json:"quiet_days"`
	Sources   []*Source `json:"sources"`
	Events    []*Event  `json:"events"`
	// Labels has one entry per observation, in the observations' order.
	Labels []Label `json:"labels"`
}

// MapRef names a control map.
type MapRef struct {
	ID     string    `json:"id"`
	AsOf   time.Time `json:"as_of"`
	SHA256 string    `json:"sha256,omitempty"`
}

// Event is one true event.
type Event struct {
	// ID is "ev-" and the event's number in time order.
	ID   string     `json:"id"`
	Kind truce.Kind `json:"kind"`
	// Party is the perpetrator (the party advancing, for an advance),
	// Against the other party.
	Party   string    `json:"party"`
	Against string    `json:"against"`
	Time    time.Time `json:"time"`
	// Origin is where the fire came from (absent for an explosion on
	// a party's own ground and for an advance); Impact where it landed
	// (the middle of the ground taken, for an advance).
	Origin *truce.Position `json:"origin,omitempty"`
	Impact truce.Position  `json:"impact"`
	// Area is the ground that changed hands, for an advance: a closed
	// ring of positions, and its geodesic area in km².
	Area    []truce.Position `json:"area,omitempty"`
	AreaKM2 float64          `json:"area_km2,omitempty"`
	// Weapon class and model, target category and, for a strike on a
	// named site, the site.
	WeaponClass truce.WeaponClass    `json:"weapon_class,omitempty"`
	Weapon      string               `json:"weapon,omitempty"`
	Target      truce.TargetCategory `json:"target,omitempty"`
	Site        string               `json:"site,omitempty"`
	// Rounds fired or drones and missiles launched.
	Rounds int `json:"rounds,omitempty"`
	// Sector is the 1-based sector the event lies in, 0 for a deep strike.
	Sector int `json:"sector,omitempty"`
	// CrossesLine says origin and impact lie on opposite sides of the line
	// (or ground was taken across it).
	CrossesLine bool `json:"crosses_line"`
	// InWindow says the agreement was in force at Time; Violation and
	// Rule are the simulator's reading of the agreement (see
	// docs/simulate.md), which the adjudicator decides independently.
	InWindow  bool   `json:"in_window"`
	Violation bool   `json:"violation"`
	Rule      string `json:"rule,omitempty"`
	// ReturnOf names the event this one returned fire for, in a duel.
	ReturnOf string `json:"return_of,omitempty"`
	returnOf *Event
}

// Label statuses.
const (
	// StatusTrue: the observation reports the event it names.
	StatusTrue = "true"
	// StatusFalsePositive: a sensor detection of nothing the scenario
	// did (Note "hot_spot" for a persistent industrial fire).
	StatusFalsePositive = "false_positive"
	// StatusInvented: a party's allegation of an act that never happened.
	StatusInvented = "invented"
)

// Label says where one observation came from.
type Label struct {
	Observation string `json:"observation"`
	Source      string `json:"source"`
	// Status is StatusTrue, StatusFalsePositive or StatusInvented.
	Status string `json:"status"`
	// Event is the true event reported, for StatusTrue.
	Event string `json:"event,omitempty"`
	// Part is what of the event the observation locates: "impact" or
	// "origin" (an acoustic sensor hears a launch and an impact apart).
	Part string `json:"part,omitempty"`
	Note string `json:"note,omitempty"`
}

// WriteJSON writes t as indented JSON.
func (t *Truth) WriteJSON(w io.Writer) error { return writeIndented(w, t) }

// WriteObservations writes the observations as NDJSON, one canonical
// observation a line, ready for POST /v1/observations by each source.
func (s *Scenario) WriteObservations(w io.Writer) error {
	var buf bytes.Buffer
	for _, o := range s.Observations {
		b, err := o.Canonical()
		if err != nil {
			return err
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteControlMaps writes the control maps after the advances as NDJSON,
// one canonical control map a line.
func (s *Scenario) WriteControlMaps(w io.Writer) error {
	var buf bytes.Buffer
	for _, m := range s.ControlMaps {
		b, err := m.Canonical()
		if err != nil {
			return err
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteSources writes the sources as indented JSON.
func (s *Scenario) WriteSources(w io.Writer) error { return writeIndented(w, s.Sources) }

func writeIndented(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// position rounds p to 1e-6° (about 0.1 m).
func position(p geo.Point) truce.Position {
	return truce.Position{Lon: round(p.Lon(), 1e6), Lat: round(p.Lat(), 1e6)}
}

func point(p truce.Position) geo.Point { return geo.Point{p.Lon, p.Lat} }

func round(v, scale float64) float64 {
	r := math.Round(v*scale) / scale
	if r == 0 {
		return 0
	}
	return r
}
