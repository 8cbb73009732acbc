package truce_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

var qaAsOf = time.Date(2025, 3, 14, 3, 0, 0, 0, time.UTC)

func qaControlMap() *truce.ControlMap {
	return &truce.ControlMap{
		ID:   "deepstate-20250314",
		AsOf: qaAsOf,
		Holdings: []truce.Holding{
			{Party: "RU", Geometry: json.RawMessage(`{"type":"MultiPolygon","coordinates":[[[[37,47],[38,47],[38,48],[37,48],[37,47]]]]}`)},
			{Party: "UA", Geometry: json.RawMessage(qaSquare)},
		},
		Note: "test",
	}
}

func TestControlMapValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(m *truce.ControlMap)
		path string // "" means valid
		msg  string
		bug  string
	}{
		{"valid", func(m *truce.ControlMap) {}, "", "", ""},
		{"valid one holding", func(m *truce.ControlMap) { m.Holdings = m.Holdings[:1] }, "", "", ""},
		{"valid feature collection", func(m *truce.ControlMap) {
			m.Holdings[1].Geometry = json.RawMessage(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":` + qaSquare + `}]}`)
		}, "", "", ""},
		{"id missing", func(m *truce.ControlMap) { m.ID = "" }, "id", "required", ""},
		{"id bad", func(m *truce.ControlMap) { m.ID = "deepstate/2025" }, "id", "required", ""},
		{"as_of missing", func(m *truce.ControlMap) { m.AsOf = time.Time{} }, "as_of", "required", ""},
		{"as_of year 10000", func(m *truce.ControlMap) { m.AsOf = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "as_of", "out of range",
			""},
		{"no holdings", func(m *truce.ControlMap) { m.Holdings = nil }, "holdings", "at least one", ""},
		{"party bad", func(m *truce.ControlMap) { m.Holdings[1].Party = "ua" }, "holdings[1].party", `"ua" is not a party id`, ""},
		{"duplicate party", func(m *truce.ControlMap) { m.Holdings[1].Party = "RU" }, "holdings[1].party", `party "RU" has two holdings`, ""},
		{"geometry missing", func(m *truce.ControlMap) { m.Holdings[0].Geometry = nil }, "holdings[0].geometry", "empty geometry", ""},
		{"geometry bad longitude", func(m *truce.ControlMap) {
			m.Holdings[1].Geometry = json.RawMessage(`{"type":"Polygon","coordinates":[[[34.5,47.4],[34.7,47.4],[200,47.6],[34.5,47.4]]]}`)
		}, "holdings[1].geometry", "coordinates[0][2]: longitude 200 is out of range", ""},
		{"geometry bad latitude in a hole", func(m *truce.ControlMap) {
			m.Holdings[0].Geometry = json.RawMessage(`{"type":"MultiPolygon","coordinates":[[[[37,47],[38,47],[38,48],[37,48],[37,47]],[[37.1,47.1],[37.2,-91],[37.2,47.2],[37.1,47.1]]]]}`)
		}, "holdings[0].geometry", "coordinates[0][1][1]: latitude -91 is out of range", ""},
		{"geometry unclosed ring", func(m *truce.ControlMap) {
			m.Holdings[0].Geometry = json.RawMessage(`{"type":"MultiPolygon","coordinates":[[[[37,47],[38,47],[38,48],[37,48],[37,47]]],[[[30,40],[31,40],[31,41],[30,41]]]]}`)
		}, "holdings[0].geometry", "coordinates[1][0]: ring is not closed", ""},
		{"geometry a line", func(m *truce.ControlMap) {
			m.Holdings[0].Geometry = json.RawMessage(`{"type":"LineString","coordinates":[[37,47],[38,48]]}`)
		}, "holdings[0].geometry", `geometry type "LineString"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.bug != "" {
				qaBug(t, tt.bug)
			}
			m := qaControlMap()
			tt.mod(m)
			err := m.Validate()
			if tt.path == "" {
				if err != nil {
					t.Errorf("Validate() = %v, want nil", err)
				}
				return
			}
			qaWant(t, err, tt.path, tt.msg, 1)
		})
	}
	// Several problems at once.
	m := &truce.ControlMap{Holdings: []truce.Holding{{Party: "RU", Geometry: json.RawMessage(`{}`)}, {Party: "RU", Geometry: json.RawMessage(qaSquare)}}}
	ps := qaProblems(t, m.Validate())
	for _, w := range []struct{ path, msg string }{{"id", "required"}, {"as_of", "required"}, {"holdings[0].geometry", "missing \"type\""}, {"holdings[1].party", "two holdings"}} {
		if !qaHas(ps, w.path, w.msg) {
			t.Errorf("missing problem %s: %q", w.path, w.msg)
		}
	}
	if len(ps) != 4 {
		t.Errorf("got %d problems, want 4:\n%s", len(ps), qaList(ps))
	}
}

func TestControlMapCanonical(t *testing.T) {
	want, err := qaControlMap().Canonical()
	if err != nil {
		t.Fatal(err)
	}
	m := qaControlMap()
	m.AsOf = qaAsOf.In(time.FixedZone("MSK", 3*3600))
	spaced := "{\n  \"type\": \"Polygon\",\n  \"coordinates\": [ [ [34.5, 47.4], [34.7, 47.4], [34.7, 47.6], [34.5, 47.6], [34.5, 47.4] ] ]\n}\n"
	m.Holdings[1].Geometry = json.RawMessage(spaced)
	got, err := m.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("canonical bytes differ:\n%s\n%s", got, want)
	}
	if !bytes.Contains(got, []byte(`"as_of":"2025-03-14T03:00:00Z"`)) {
		t.Errorf("as_of not in UTC: %s", got)
	}
	// Not mutated.
	if m.AsOf.Location().String() != "MSK" || string(m.Holdings[1].Geometry) != spaced {
		t.Errorf("Canonical mutated its input")
	}
	m.Holdings[0].Geometry = json.RawMessage(`{"type":`)
	if _, err := m.Canonical(); err == nil {
		t.Errorf("Canonical accepted invalid JSON geometry")
	}
	if strings.Contains(string(want), " ") {
		t.Errorf("canonical bytes not compact: %s", want)
	}
}
