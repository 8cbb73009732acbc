package truce_test

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Window.Validate loads IANA zones; do not depend on the host's zoneinfo

	"github.com/truce-monitor/truce"
)

var (
	qaAgStart = time.Date(2025, 3, 18, 0, 0, 0, 0, time.UTC)
	qaAgEnd   = time.Date(2025, 4, 17, 0, 0, 0, 0, time.UTC)
)

const qaSquare = `{"type":"Polygon","coordinates":[[[34.5,47.4],[34.7,47.4],[34.7,47.6],[34.5,47.6],[34.5,47.4]]]}`

// qaAgreement returns a valid agreement with three zones and three rules:
// rules[0] protects energy, rules[1] has its own window, parties and zone,
// rules[2] prohibits advance with a minimum area.
func qaAgreement() *truce.Agreement {
	return &truce.Agreement{
		ID:        "energy-2025",
		Version:   1,
		Title:     "Energy infrastructure ceasefire",
		TitleI18n: map[string]string{"uk": "Енергетичне перемир'я"},
		Parties: []truce.Party{
			{ID: "UA", Name: "Ukraine", NameI18n: map[string]string{"uk": "Україна"}},
			{ID: "RU", Name: "Russia"},
		},
		Window:        truce.Window{Start: qaAgStart, End: qaAgEnd, TimeZone: "Europe/Kyiv"},
		LineOfContact: truce.LineOfContact{ControlMapAt: "start", ControlMapSource: "deepstate"},
		Zones: []truce.Zone{
			{ID: "band-15", Name: "15 km band", BandKM: 15, Sides: "both"},
			{ID: "ua-side", BandKM: 5, Sides: "UA"},
			{ID: "znpp", Geometry: json.RawMessage(qaSquare)},
		},
		Protected: []truce.TargetCategory{truce.TargetEnergy, truce.TargetMedical},
		Rules: []truce.Rule{
			{ID: "no-energy-strikes", Name: "No strikes on energy", Prohibits: []truce.Kind{truce.KindMissileStrike, truce.KindDroneStrike},
				Targets: []truce.TargetCategory{truce.TargetEnergy}, Where: truce.Where{Protected: true}},
			{ID: "no-heavy-in-band", Name: "No heavy weapons in the band", Prohibits: []truce.Kind{truce.KindHeavyWeapon},
				WeaponClasses: []truce.WeaponClass{truce.WeaponArtilleryGE100, truce.WeaponTank},
				Where:         truce.Where{InZones: []string{"band-15", "znpp"}},
				When:          &truce.Window{Start: qaAgStart.AddDate(0, 0, 2), End: qaAgEnd.AddDate(0, 0, -7)},
				Parties:       []string{"RU"}},
			{ID: "no-advance", Name: "No advance", Prohibits: []truce.Kind{truce.KindAdvance}, MinAreaKM2: 1},
		},
	}
}

func TestAgreementValidateValid(t *testing.T) {
	tests := []struct {
		name string
		mod  func(a *truce.Agreement)
	}{
		{"base", func(a *truce.Agreement) {}},
		{"open-ended", func(a *truce.Agreement) { a.Window.End = time.Time{} }},
		{"line as geometry", func(a *truce.Agreement) {
			a.LineOfContact = truce.LineOfContact{Geometry: json.RawMessage(`{"type":"LineString","coordinates":[[37,47],[38,48]]}`)}
		}},
		{"line from a dated map", func(a *truce.Agreement) { a.LineOfContact.ControlMapAt = "2025-03-17" }},
		{"rule window equal to agreement window", func(a *truce.Agreement) {
			a.Rules[1].When = &truce.Window{Start: qaAgStart, End: qaAgEnd}
		}},
		{"rule window open-ended", func(a *truce.Agreement) { a.Rules[1].When.End = time.Time{} }},
		{"rule window with its own zone", func(a *truce.Agreement) { a.Rules[1].When.TimeZone = "Europe/Moscow" }},
		{"UTC zone", func(a *truce.Agreement) { a.Window.TimeZone = "UTC" }},
		{"three parties", func(a *truce.Agreement) { a.Parties = append(a.Parties, truce.Party{ID: "DPR", Name: "DPR"}) }},
		{"no zones, no protected", func(a *truce.Agreement) {
			a.Zones, a.Protected = nil, nil
			a.Rules = a.Rules[2:]
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := qaAgreement()
			tt.mod(a)
			if err := a.Validate(); err != nil {
				t.Errorf("Validate() = %v, want nil", err)
			}
		})
	}
}

func TestAgreementValidateInvalid(t *testing.T) {
	tests := []struct {
		name string
		mod  func(a *truce.Agreement)
		path string
		msg  string
		n    int // expected number of problems; -1 not checked
	}{
		{"id missing", func(a *truce.Agreement) { a.ID = "" }, "id", "required", 1},
		{"id bad", func(a *truce.Agreement) { a.ID = "energy 2025" }, "id", "must be 1-128", 1},
		{"version 0", func(a *truce.Agreement) { a.Version = 0 }, "version", "must be 1 or more", 1},
		{"title missing", func(a *truce.Agreement) { a.Title = "" }, "title", "required", 1},
		{"title_i18n bad tag", func(a *truce.Agreement) { a.TitleI18n["Ukrainian"] = "x" }, "title_i18n.Ukrainian", "not a language tag", 1},
		{"title_i18n empty translation", func(a *truce.Agreement) { a.TitleI18n["ru"] = "" }, "title_i18n.ru", "empty translation", 1},

		// parties
		{"one party", func(a *truce.Agreement) {
			a.Parties = a.Parties[1:]
			a.Zones[1].Sides = "both"
		}, "parties", "at least two parties", 1},
		{"duplicate party id", func(a *truce.Agreement) { a.Parties = append(a.Parties, truce.Party{ID: "UA", Name: "Ukraine again"}) }, "parties[2].id", `party "UA" is listed twice`, 1},
		{"party id bad", func(a *truce.Agreement) { a.Parties = append(a.Parties, truce.Party{ID: "pl", Name: "Poland"}) }, "parties[2].id", `"pl" is not a party id`, 1},
		{"party name missing", func(a *truce.Agreement) { a.Parties[1].Name = "" }, "parties[1].name", "required", 1},
		{"party name_i18n bad", func(a *truce.Agreement) { a.Parties[0].NameI18n["UK"] = "Україна" }, "parties[0].name_i18n.UK", "not a language tag", 1},

		// window
		{"window start missing", func(a *truce.Agreement) { a.Window.Start = time.Time{} }, "window.start", "required", 1},
		{"window start year 1800", func(a *truce.Agreement) {
			a.Window.Start = time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC)
			a.Rules[1].When = nil
		}, "window.start", "year 1800 is out of range", 1},
		{"window end year 10000", func(a *truce.Agreement) { a.Window.End = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "window.end", "year 10000 is out of range", 1},
		{"window end before start", func(a *truce.Agreement) {
			a.Window.End = qaAgStart.Add(-time.Hour)
			a.Rules[1].When = nil
		}, "window.end", "must be after start", 1},
		{"window end equal to start", func(a *truce.Agreement) {
			a.Window.End = qaAgStart
			a.Rules[1].When = nil
		}, "window.end", "must be after start", 1},
		{"window zone missing", func(a *truce.Agreement) { a.Window.TimeZone = "" }, "window.time_zone", "required", 1},
		{"window zone Local", func(a *truce.Agreement) { a.Window.TimeZone = "Local" }, "window.time_zone", `"Local" differs from machine to machine`, 1},
		{"window zone unknown", func(a *truce.Agreement) { a.Window.TimeZone = "Europe/Atlantis" }, "window.time_zone", `unknown time zone "Europe/Atlantis"`, 1},

		// line of contact
		{"line missing", func(a *truce.Agreement) { a.LineOfContact = truce.LineOfContact{} }, "line_of_contact", "required", 1},
		{"line both forms", func(a *truce.Agreement) {
			a.LineOfContact.Geometry = json.RawMessage(`{"type":"LineString","coordinates":[[37,47],[38,48]]}`)
		}, "line_of_contact", "either control_map_at or geometry", 1},
		{"line bad date", func(a *truce.Agreement) { a.LineOfContact.ControlMapAt = "18.03.2025" }, "line_of_contact.control_map_at", `must be "start" or a date YYYY-MM-DD, not "18.03.2025"`, 1},
		{"line bad source", func(a *truce.Agreement) { a.LineOfContact.ControlMapSource = "Deep State" }, "line_of_contact.control_map_source", "not a source name", 1},
		{"line geometry with source", func(a *truce.Agreement) {
			a.LineOfContact = truce.LineOfContact{ControlMapSource: "deepstate", Geometry: json.RawMessage(`{"type":"LineString","coordinates":[[37,47],[38,48]]}`)}
		}, "line_of_contact.control_map_source", "applies only with control_map_at", 1},
		{"line geometry bad", func(a *truce.Agreement) {
			a.LineOfContact = truce.LineOfContact{Geometry: json.RawMessage(`{"type":"LineString","coordinates":[[37,47],[38,98]]}`)}
		}, "line_of_contact.geometry", "coordinates[1]: latitude 98 is out of range", 1},
		{"line geometry a polygon", func(a *truce.Agreement) {
			a.LineOfContact = truce.LineOfContact{Geometry: json.RawMessage(qaSquare)}
		}, "line_of_contact.geometry", "want LineString or MultiLineString", 1},

		// zones
		{"zone sides unknown party", func(a *truce.Agreement) { a.Zones[1].Sides = "PL" }, "zones[1].sides", `not "PL"`, 1},
		{"zone sides lower case", func(a *truce.Agreement) { a.Zones[1].Sides = "ua" }, "zones[1].sides", `must be "both" or the id of a party`, 1},
		{"zone sides missing", func(a *truce.Agreement) { a.Zones[0].Sides = "" }, "zones[0].sides", `must be "both"`, 1},
		{"duplicate zone id", func(a *truce.Agreement) { a.Zones[1].ID = "band-15" }, "zones[1].id", `zone "band-15" is defined twice`, 1},
		{"zone id bad", func(a *truce.Agreement) { a.Zones[1].ID = "" }, "zones[1].id", "required", 1},
		{"zone band and geometry", func(a *truce.Agreement) { a.Zones[0].Geometry = json.RawMessage(qaSquare) }, "zones[0]", "either band_km or geometry, not both", 1},
		{"zone neither band nor geometry", func(a *truce.Agreement) { a.Zones[0].BandKM = 0 }, "zones[0]", "give band_km", 1},
		{"zone band negative", func(a *truce.Agreement) { a.Zones[0].BandKM = -5 }, "zones[0].band_km", "more than 0 and at most 1000", 1},
		{"zone band too wide", func(a *truce.Agreement) { a.Zones[0].BandKM = 1000.5 }, "zones[0].band_km", "more than 0 and at most 1000", 1},
		{"zone band NaN", func(a *truce.Agreement) { a.Zones[0].BandKM = math.NaN() }, "zones[0].band_km", "more than 0 and at most 1000", 1},
		{"zone geometry with sides", func(a *truce.Agreement) { a.Zones[2].Sides = "both" }, "zones[2].sides", "only a band zone has sides", 1},
		{"zone geometry unclosed", func(a *truce.Agreement) {
			a.Zones[2].Geometry = json.RawMessage(`{"type":"Polygon","coordinates":[[[34.5,47.4],[34.7,47.4],[34.7,47.6],[34.5,47.6]]]}`)
		}, "zones[2].geometry", "coordinates[0]: ring is not closed", 1},
		{"zone geometry bad coordinate", func(a *truce.Agreement) {
			a.Zones[2].Geometry = json.RawMessage(`{"type":"MultiPolygon","coordinates":[[[[34.5,47.4],[234.7,47.4],[34.7,47.6],[34.5,47.4]]]]}`)
		}, "zones[2].geometry", "coordinates[0][0][1]: longitude 234.7 is out of range", 1},
		{"zone name_i18n bad", func(a *truce.Agreement) { a.Zones[0].NameI18n = map[string]string{"uk": ""} }, "zones[0].name_i18n.uk", "empty translation", 1},

		// protected
		{"protected unknown", func(a *truce.Agreement) { a.Protected = append(a.Protected, "zoo") }, "protected[2]", `unknown category "zoo"`, 1},
		{"protected duplicate", func(a *truce.Agreement) { a.Protected = append(a.Protected, truce.TargetEnergy) }, "protected[2]", `"energy" is listed twice`, 1},
		{"rule protected without list", func(a *truce.Agreement) { a.Protected = nil }, "rules[0].where.protected", "lists no protected categories", 1},

		// rules
		{"no rules", func(a *truce.Agreement) { a.Rules = nil }, "rules", "at least one rule", 1},
		{"duplicate rule id", func(a *truce.Agreement) { a.Rules[2].ID = "no-energy-strikes" }, "rules[2].id", `rule "no-energy-strikes" is defined twice`, 1},
		{"rule id missing", func(a *truce.Agreement) { a.Rules[0].ID = "" }, "rules[0].id", "required", 1},
		{"rule name missing", func(a *truce.Agreement) { a.Rules[2].Name = "" }, "rules[2].name", "required", 1},
		{"rule name_i18n bad", func(a *truce.Agreement) { a.Rules[0].NameI18n = map[string]string{"e": "x"} }, "rules[0].name_i18n.e", "not a language tag", 1},
		{"rule prohibits nothing", func(a *truce.Agreement) { a.Rules[0].Prohibits = nil }, "rules[0].prohibits", "required", 1},
		{"rule prohibits duplicate", func(a *truce.Agreement) {
			a.Rules[0].Prohibits = append(a.Rules[0].Prohibits, truce.KindMissileStrike)
		}, "rules[0].prohibits[2]", `"missile_strike" is listed twice`, 1},
		{"rule prohibits unknown", func(a *truce.Agreement) { a.Rules[0].Prohibits[1] = "shelling" }, "rules[0].prohibits[1]", `unknown kind "shelling"`, 1},
		{"rule weapon class unknown", func(a *truce.Agreement) { a.Rules[1].WeaponClasses[0] = "laser" }, "rules[1].weapon_classes[0]", `unknown weapon class "laser"`, 1},
		{"rule weapon class duplicate", func(a *truce.Agreement) { a.Rules[1].WeaponClasses[1] = truce.WeaponArtilleryGE100 }, "rules[1].weapon_classes[1]", "listed twice", 1},
		{"rule target unknown", func(a *truce.Agreement) { a.Rules[0].Targets[0] = "zoo" }, "rules[0].targets[0]", `unknown target category "zoo"`, 1},
		{"rule in_zones undefined", func(a *truce.Agreement) { a.Rules[1].Where.InZones[1] = "nowhere" }, "rules[1].where.in_zones[1]", `no zone "nowhere" is defined`, 1},
		{"rule in_zones duplicate", func(a *truce.Agreement) { a.Rules[1].Where.InZones[1] = "band-15" }, "rules[1].where.in_zones[1]", `"band-15" is listed twice`, 1},
		{"rule party not in agreement", func(a *truce.Agreement) { a.Rules[1].Parties = []string{"RU", "PL"} }, "rules[1].parties[1]", `"PL" is not a party of this agreement`, 1},
		{"rule party duplicate", func(a *truce.Agreement) { a.Rules[1].Parties = []string{"RU", "RU"} }, "rules[1].parties[1]", `"RU" is listed twice`, 1},
		{"rule when starts before window", func(a *truce.Agreement) { a.Rules[1].When.Start = qaAgStart.Add(-time.Second) }, "rules[1].when.start", "is before the agreement's window starts", 1},
		{"rule when starts at window end", func(a *truce.Agreement) {
			a.Rules[1].When = &truce.Window{Start: qaAgEnd}
		}, "rules[1].when.start", "at or after the agreement's window ends", 1},
		{"rule when ends after window", func(a *truce.Agreement) { a.Rules[1].When.End = qaAgEnd.Add(time.Second) }, "rules[1].when.end", "is after the agreement's window ends", 1},
		{"rule when end before start", func(a *truce.Agreement) { a.Rules[1].When.End = a.Rules[1].When.Start.Add(-time.Hour) }, "rules[1].when.end", "must be after start", 1},
		{"rule when start missing", func(a *truce.Agreement) { a.Rules[1].When.Start = time.Time{} }, "rules[1].when.start", "required", -1},
		{"rule when Local zone", func(a *truce.Agreement) { a.Rules[1].When.TimeZone = "Local" }, "rules[1].when.time_zone", `"Local" differs`, 1},
		{"rule when unknown zone", func(a *truce.Agreement) { a.Rules[1].When.TimeZone = "Mars/Olympus" }, "rules[1].when.time_zone", "unknown time zone", 1},
		{"min_area_km2 on a non-advance rule", func(a *truce.Agreement) { a.Rules[0].MinAreaKM2 = 2 }, "rules[0].min_area_km2", "applies only to a rule that prohibits advance", 1},
		{"min_area_km2 negative", func(a *truce.Agreement) { a.Rules[2].MinAreaKM2 = -1 }, "rules[2].min_area_km2", "must not be negative", 1},
		{"min_area_km2 NaN", func(a *truce.Agreement) { a.Rules[2].MinAreaKM2 = math.NaN() }, "rules[2].min_area_km2", "must not be negative", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := qaAgreement()
			tt.mod(a)
			qaWant(t, a.Validate(), tt.path, tt.msg, tt.n)
		})
	}
}

func TestAgreementValidateReportsEveryProblem(t *testing.T) {
	a := qaAgreement()
	a.ID = ""
	a.Version = 0
	a.Parties = append(a.Parties, truce.Party{ID: "UA", Name: "dup"})
	a.Window.TimeZone = "Local"
	a.Zones[1].Sides = "PL"
	a.Zones = append(a.Zones, truce.Zone{ID: "band-15", BandKM: 1, Sides: "both"})
	a.Rules[0].Prohibits = append(a.Rules[0].Prohibits, truce.KindDroneStrike)
	a.Rules[0].MinAreaKM2 = 3
	a.Rules[1].Where.InZones = []string{"nowhere"}
	a.Rules[1].Parties = []string{"PL"}
	a.Rules[1].When.Start = qaAgStart.Add(-time.Hour)
	a.Rules[2].ID = "no-energy-strikes"
	want := []struct{ path, msg string }{
		{"id", "required"},
		{"version", "1 or more"},
		{"parties[2].id", "listed twice"},
		{"window.time_zone", "Local"},
		{"zones[1].sides", "PL"},
		{"zones[3].id", "defined twice"},
		{"rules[0].prohibits[2]", "listed twice"},
		{"rules[0].min_area_km2", "advance"},
		{"rules[1].where.in_zones[0]", "nowhere"},
		{"rules[1].parties[0]", "PL"},
		{"rules[1].when.start", "before"},
		{"rules[2].id", "defined twice"},
	}
	ps := qaProblems(t, a.Validate())
	for _, w := range want {
		if !qaHas(ps, w.path, w.msg) {
			t.Errorf("missing problem %s: %q", w.path, w.msg)
		}
	}
	if len(ps) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(ps), len(want), qaList(ps))
	}
}

func TestPartyValidate(t *testing.T) {
	tests := []struct {
		name string
		p    truce.Party
		path string
		msg  string
	}{
		{"valid", truce.Party{ID: "UA", Name: "Ukraine"}, "", ""},
		{"valid with translations", truce.Party{ID: "RU", Name: "Russia", NameI18n: map[string]string{"ru": "Россия", "en-GB": "Russia"}}, "", ""},
		{"id lower case", truce.Party{ID: "ua", Name: "Ukraine"}, "id", `"ua" is not a party id`},
		{"id missing", truce.Party{Name: "Ukraine"}, "id", `"" is not a party id`},
		{"id too long", truce.Party{ID: "ABCDEFGHIJKLMNOPQ", Name: "x"}, "id", "not a party id"},
		{"name missing", truce.Party{ID: "UA"}, "name", "required"},
		{"translation bad tag", truce.Party{ID: "UA", Name: "Ukraine", NameI18n: map[string]string{"ukr-": "x"}}, "name_i18n.ukr-", "not a language tag"},
		{"translation empty", truce.Party{ID: "UA", Name: "Ukraine", NameI18n: map[string]string{"uk": ""}}, "name_i18n.uk", "empty translation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if tt.path == "" {
				if err != nil {
					t.Errorf("Validate() = %v, want nil", err)
				}
				return
			}
			qaWant(t, err, tt.path, tt.msg, 1)
		})
	}
}

func TestZoneValidate(t *testing.T) {
	tests := []struct {
		name string
		z    truce.Zone
		path string
		msg  string
	}{
		{"band both", truce.Zone{ID: "b", BandKM: 15, Sides: "both"}, "", ""},
		{"band one side", truce.Zone{ID: "b", BandKM: 0.5, Sides: "RU"}, "", ""},
		{"band at the limit", truce.Zone{ID: "b", BandKM: 1000, Sides: "both"}, "", ""},
		// On its own a zone cannot know the parties; only the form of the id is checked.
		{"band sides any party id", truce.Zone{ID: "b", BandKM: 1, Sides: "XX"}, "", ""},
		{"polygon", truce.Zone{ID: "p", Geometry: json.RawMessage(qaSquare)}, "", ""},
		{"id missing", truce.Zone{BandKM: 1, Sides: "both"}, "id", "required"},
		{"band and geometry", truce.Zone{ID: "z", BandKM: 1, Sides: "both", Geometry: json.RawMessage(qaSquare)}, "", "either band_km or geometry"},
		{"nothing", truce.Zone{ID: "z"}, "", "give band_km"},
		{"band negative", truce.Zone{ID: "z", BandKM: -1, Sides: "both"}, "band_km", "more than 0"},
		{"band +Inf", truce.Zone{ID: "z", BandKM: math.Inf(1), Sides: "both"}, "band_km", "more than 0"},
		{"band sides bad", truce.Zone{ID: "z", BandKM: 1, Sides: "left"}, "sides", `not "left"`},
		{"geometry with sides", truce.Zone{ID: "z", Sides: "both", Geometry: json.RawMessage(qaSquare)}, "sides", "only a band zone has sides"},
		{"geometry a point", truce.Zone{ID: "z", Geometry: json.RawMessage(`{"type":"Point","coordinates":[1,2]}`)}, "geometry", `geometry type "Point"`},
		{"geometry not JSON", truce.Zone{ID: "z", Geometry: json.RawMessage(`{"type":`)}, "geometry", "not a GeoJSON object"},
		{"geometry ring too short", truce.Zone{ID: "z", Geometry: json.RawMessage(`{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}`)}, "geometry", "coordinates[0]: a ring needs at least 4 positions, found 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.z.Validate()
			if tt.path == "" && tt.msg == "" {
				if err != nil {
					t.Errorf("Validate() = %v, want nil", err)
				}
				return
			}
			qaWant(t, err, tt.path, tt.msg, 1)
		})
	}
}

func TestRuleValidate(t *testing.T) {
	base := func() truce.Rule {
		return truce.Rule{ID: "r1", Name: "No shelling", Prohibits: []truce.Kind{truce.KindArtillery, truce.KindMortar}}
	}
	tests := []struct {
		name string
		mod  func(r *truce.Rule)
		path string
		msg  string
	}{
		{"valid", func(r *truce.Rule) {}, "", ""},
		{"valid advance with min area", func(r *truce.Rule) { r.Prohibits = []truce.Kind{truce.KindAdvance}; r.MinAreaKM2 = 0.5 }, "", ""},
		// On its own a rule cannot know the zones or parties; those are checked by Agreement.Validate.
		{"valid unknown zone and party", func(r *truce.Rule) { r.Where.InZones = []string{"z"}; r.Parties = []string{"XX"} }, "", ""},
		{"valid window without zone", func(r *truce.Rule) { r.When = &truce.Window{Start: qaAgStart} }, "", ""},
		{"id missing", func(r *truce.Rule) { r.ID = "" }, "id", "required"},
		{"name missing", func(r *truce.Rule) { r.Name = "" }, "name", "required"},
		{"prohibits missing", func(r *truce.Rule) { r.Prohibits = nil }, "prohibits", "required"},
		{"prohibits duplicate", func(r *truce.Rule) { r.Prohibits = append(r.Prohibits, truce.KindArtillery) }, "prohibits[2]", `"artillery" is listed twice`},
		{"prohibits unknown", func(r *truce.Rule) { r.Prohibits[0] = "bad" }, "prohibits[0]", `unknown kind "bad"`},
		{"targets duplicate", func(r *truce.Rule) { r.Targets = []truce.TargetCategory{"energy", "energy"} }, "targets[1]", "listed twice"},
		{"zones duplicate", func(r *truce.Rule) { r.Where.InZones = []string{"a", "b", "a"} }, "where.in_zones[2]", `"a" is listed twice`},
		{"parties duplicate", func(r *truce.Rule) { r.Parties = []string{"UA", "UA"} }, "parties[1]", `"UA" is listed twice`},
		{"min area on non-advance", func(r *truce.Rule) { r.MinAreaKM2 = 1 }, "min_area_km2", "applies only to a rule that prohibits advance"},
		{"min area negative", func(r *truce.Rule) { r.Prohibits = []truce.Kind{truce.KindAdvance}; r.MinAreaKM2 = -1 }, "min_area_km2", "must not be negative"},
		{"when end before start", func(r *truce.Rule) { r.When = &truce.Window{Start: qaAgEnd, End: qaAgStart} }, "when.end", "must be after start"},
		{"when Local", func(r *truce.Rule) { r.When = &truce.Window{Start: qaAgStart, TimeZone: "Local"} }, "when.time_zone", "Local"},
		{"when start missing", func(r *truce.Rule) { r.When = &truce.Window{} }, "when.start", "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := base()
			tt.mod(&r)
			err := r.Validate()
			if tt.path == "" {
				if err != nil {
					t.Errorf("Validate() = %v, want nil", err)
				}
				return
			}
			qaWant(t, err, tt.path, tt.msg, 1)
		})
	}
}

func TestWindowContains(t *testing.T) {
	closed := truce.Window{Start: qaAgStart, End: qaAgEnd}
	open := truce.Window{Start: qaAgStart}
	kyiv := time.FixedZone("EET", 2*3600)
	tests := []struct {
		name string
		w    truce.Window
		t    time.Time
		want bool
	}{
		{"start is inside", closed, qaAgStart, true},
		{"just before start", closed, qaAgStart.Add(-time.Nanosecond), false},
		{"middle", closed, qaAgStart.Add(24 * time.Hour), true},
		{"just before end", closed, qaAgEnd.Add(-time.Nanosecond), true},
		{"end is outside", closed, qaAgEnd, false},
		{"after end", closed, qaAgEnd.Add(time.Hour), false},
		{"start in another zone", closed, qaAgStart.In(kyiv), true},
		{"end in another zone", closed, qaAgEnd.In(kyiv), false},
		{"open: start", open, qaAgStart, true},
		{"open: far future", open, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"open: before start", open, qaAgStart.Add(-time.Nanosecond), false},
		{"zero time", closed, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.w.Contains(tt.t); got != tt.want {
				t.Errorf("Contains(%v) = %v, want %v", tt.t, got, tt.want)
			}
		})
	}
	a := qaAgreement()
	if !a.InForce(qaAgStart) || a.InForce(qaAgEnd) {
		t.Errorf("InForce does not follow Window.Contains")
	}
}

func TestAgreementCanonical(t *testing.T) {
	kyiv := time.FixedZone("EET", 2*3600)
	utcA := qaAgreement()
	want, err := utcA.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	a := qaAgreement()
	a.Window.Start = a.Window.Start.In(kyiv)
	a.Window.End = a.Window.End.In(kyiv)
	ruleWhen := a.Rules[1].When
	ruleWhen.Start = ruleWhen.Start.In(kyiv)
	ruleWhen.End = ruleWhen.End.In(kyiv)
	got, err := a.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("same instants in another zone give other bytes:\n%s\n%s", got, want)
	}
	for _, s := range []string{`"start":"2025-03-18T00:00:00Z"`, `"end":"2025-04-17T00:00:00Z"`, `"start":"2025-03-20T00:00:00Z"`, `"end":"2025-04-10T00:00:00Z"`} {
		if !strings.Contains(string(got), s) {
			t.Errorf("canonical bytes lack %s: %s", s, got)
		}
	}
	if strings.Contains(string(got), "+02:00") {
		t.Errorf("canonical bytes hold a non-UTC time: %s", got)
	}
	// The input is not mutated, including the rule windows it points to.
	if a.Window.Start.Location() != kyiv || a.Rules[1].When != ruleWhen || ruleWhen.Start.Location() != kyiv || ruleWhen.End.Location() != kyiv {
		t.Errorf("Canonical mutated its input")
	}
	// Deterministic, and stable through a JSON round trip.
	if again, _ := a.Canonical(); !bytes.Equal(again, got) {
		t.Errorf("Canonical not deterministic")
	}
	var back truce.Agreement
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if rt, _ := back.Canonical(); !bytes.Equal(rt, got) {
		t.Errorf("canonical bytes change in a JSON round trip:\n%s\n%s", rt, got)
	}
	// An open-ended window has no end in its canonical form.
	a = qaAgreement()
	a.Window.End = time.Time{}
	a.Rules[1].When.End = time.Time{}
	b, err := a.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "0001-01-01") {
		t.Errorf("open-ended window encodes a zero end: %s", b)
	}
}
