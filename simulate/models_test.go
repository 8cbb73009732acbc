package simulate_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/geo"
	"github.com/truce-monitor/truce/simulate"
)

func TestReadScenarioFile(t *testing.T) {
	for _, tc := range []struct {
		name, in, err string
		models        []string
	}{
		{"none", `{"error_models": []}`, "", nil},
		{"two in any order", `{"error_models": ["staged", "bearing_bias"]}`, "", []string{"bearing_bias", "staged"}},
		{"all", `{"error_models": ["all"], "seed": 4, "days": 3, "from": "2025-03-15"}`, "", simulate.ErrorModels},
		{"unknown model", `{"error_models": ["bearing_bias", "lies"]}`, `s.json: $.error_models[1]: unknown error model "lies"`, nil},
		{"repeated model", `{"error_models": ["staged", "staged"]}`, `s.json: $.error_models[1]: "staged" repeated`, nil},
		{"unknown field", `{"error_model": []}`, `s.json: json: unknown field "error_model"`, nil},
		{"bad days", `{"days": 0}`, `s.json: $.days: 0: want 1 to 3660`, nil},
		{"bad from", `{"from": "15/03/2025"}`, `s.json: $.from: "15/03/2025": want YYYY-MM-DD`, nil},
		{"two values", `{} {}`, `s.json: more than one JSON value`, nil},
		{"not json", `error_models: [x]`, `s.json: invalid character`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := simulate.DefaultConfig(1)
			before := cfg
			err := simulate.ReadScenarioFile("s.json", strings.NewReader(tc.in), &cfg)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				if cfg.Seed != before.Seed || cfg.Days != before.Days || len(cfg.ErrorModels) != 0 {
					t.Fatalf("config changed on error: %+v", cfg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(cfg.ErrorModels, ",") != strings.Join(tc.models, ",") {
				t.Fatalf("models %v, want %v", cfg.ErrorModels, tc.models)
			}
		})
	}
}

func FuzzReadScenarioFile(f *testing.F) {
	f.Add(`{"error_models": ["all"], "seed": 4, "days": 3, "from": "2025-03-15"}`)
	f.Add(`{"error_models": ["staged", "x"]}`)
	f.Fuzz(func(t *testing.T, in string) {
		cfg := simulate.DefaultConfig(1)
		if err := simulate.ReadScenarioFile("s.json", strings.NewReader(in), &cfg); err != nil {
			return
		}
		if cfg.Days < 1 || cfg.Days > 3660 {
			t.Fatalf("days %d accepted", cfg.Days)
		}
		for _, m := range cfg.ErrorModels {
			if !strings.Contains(strings.Join(simulate.ErrorModels, " "), m) {
				t.Fatalf("model %q accepted", m)
			}
		}
	})
}

// TestErrorModels checks what each error model puts in the scenario and
// that the truth marks it.
func TestErrorModels(t *testing.T) {
	m := frontMap(t)
	plain := generate(t, cfgDays(1, 6, nil))
	for _, model := range simulate.ErrorModels {
		t.Run(model, func(t *testing.T) {
			sc := generate(t, cfgDays(1, 6, []string{model}))
			again := generate(t, cfgDays(1, 6, []string{model}))
			if !bytes.Equal(files(t, sc), files(t, again)) {
				t.Fatal("same config, different bytes")
			}
			for _, o := range sc.Observations {
				if err := o.Validate(); err != nil {
					t.Fatalf("%s: %v", o.ID, err)
				}
			}
			if bytes.Equal(files(t, sc), files(t, plain)) {
				t.Fatal("the model changed nothing")
			}
			notes := map[string]int{}
			for _, lb := range sc.Truth.Labels {
				notes[lb.Status+"/"+lb.Note]++
			}
			byID := map[string]*truce.Observation{}
			for _, o := range sc.Observations {
				byID[o.ID] = o
			}
			switch model {
			case simulate.ModelBearingOnly:
				if !slices(sc, func(o *truce.Observation) bool {
					return o.SourceRole == truce.RoleMonitor && o.Location.BearingDeg != nil && o.Location.DistanceM == nil
				}) {
					t.Fatal("no monitor's report without a distance")
				}
			case simulate.ModelDistanceOnly:
				if !slices(sc, func(o *truce.Observation) bool { return o.Location.BearingErrorDeg == 22.5 }) {
					t.Fatal("no compass-point bearing")
				}
			case simulate.ModelMixedClocks:
				if !slices(sc, func(o *truce.Observation) bool { _, off := o.ObservedAt.Zone(); return off != 0 }) {
					t.Fatal("no time in a local zone")
				}
			case simulate.ModelMultiVictim:
				if notes["true/victim"] == 0 {
					t.Fatal("no victims' allegations")
				}
			case simulate.ModelFabricated:
				if notes["invented/fabricated"] == 0 || notes["invented/coordinated"] == 0 {
					t.Fatalf("labels %v: want fabricated and coordinated allegations", notes)
				}
			case simulate.ModelStaged:
				if notes["invented/staged"] == 0 || notes["invented/staged"] != notes["staged/staged"] {
					t.Fatalf("labels %v: want one staged fire per staged allegation", notes)
				}
				// Each staged fire burns where an allegation points, within hours after it.
				var alleged, fires []*truce.Observation
				for _, lb := range sc.Truth.Labels {
					switch lb.Status + "/" + lb.Note {
					case "invented/staged":
						alleged = append(alleged, byID[lb.Observation])
					case "staged/staged":
						fires = append(fires, byID[lb.Observation])
					}
				}
				for _, f := range fires {
					ok := false
					for _, a := range alleged {
						d := geo.Distance(geo.Point{*f.Location.Lon, *f.Location.Lat}, geo.Point{*a.Location.Lon, *a.Location.Lat})
						dt := f.ObservedAt.Sub(a.ObservedAt)
						ok = ok || d <= 400 && dt >= 0 && dt <= 5*time.Hour
					}
					if !ok {
						t.Fatalf("staged fire %s is near no allegation made hours before", f.ID)
					}
				}
			case simulate.ModelRearHotSpots:
				if notes["false_positive/rear_hot_spot"] < 6 || notes["invented/hot_spot_allegation"] == 0 && notes["false_positive/rear_hot_spot"] < 10 {
					t.Fatalf("labels %v: want recurring rear hot spots", notes)
				}
				for _, lb := range sc.Truth.Labels {
					if lb.Note != "rear_hot_spot" {
						continue
					}
					o := byID[lb.Observation]
					if d := m.Locate(geo.Point{*o.Location.Lon, *o.Location.Lat}).DistanceM; d < 29000 || d > 81000 {
						t.Fatalf("rear hot spot %s %.0f m from the line", o.ID, d)
					}
				}
			case simulate.ModelPreWindow:
				w := sc.Truth.Window
				n := 0
				for _, e := range sc.Truth.Events {
					if e.Time.Before(w.Start) && w.Start.Sub(e.Time) <= 40*time.Minute {
						n++
						if e.Violation || e.InWindow {
							t.Fatalf("%s before the window judged a violation", e.ID)
						}
					}
				}
				if n == 0 {
					t.Fatal("no fire just before the window")
				}
			case simulate.ModelOwnGround:
				n := 0
				for _, e := range sc.Truth.Events {
					if e.Origin != nil && !e.CrossesLine {
						n++
						if e.Violation || m.Holder(geo.Point{e.Origin.Lon, e.Origin.Lat}) != m.Holder(geo.Point{e.Impact.Lon, e.Impact.Lat}) {
							t.Fatalf("%s: fire within own ground crosses or violates", e.ID)
						}
					}
				}
				if n == 0 {
					t.Fatal("no fire within own ground")
				}
			}
		})
	}
}

func cfgDays(seed int64, days int, models []string) simulate.Config {
	cfg := simulate.DefaultConfig(seed)
	cfg.Days = days
	cfg.ErrorModels = models
	return cfg
}

func slices(sc *simulate.Scenario, f func(*truce.Observation) bool) bool {
	for _, o := range sc.Observations {
		if f(o) {
			return true
		}
	}
	return false
}
