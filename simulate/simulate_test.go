package simulate_test

import (
	"bytes"
	"math"
	"sync"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/control"
	"github.com/truce-monitor/truce/control/controltest"
	"github.com/truce-monitor/truce/geo"
	"github.com/truce-monitor/truce/simulate"
)

var (
	mapOnce sync.Once
	theMap  *control.Map
	mapErr  error
)

// frontMap returns the DeepState map of 14 March 2025, prepared once.
func frontMap(t *testing.T) *control.Map {
	t.Helper()
	cm := controltest.DeepState(t, "2025-03-14")
	mapOnce.Do(func() {
		theMap, mapErr = control.New(cm, nil)
		if mapErr == nil {
			theMap.Line()
		}
	})
	if mapErr != nil {
		t.Fatal(mapErr)
	}
	return theMap
}

func generate(t *testing.T, cfg simulate.Config) *simulate.Scenario {
	t.Helper()
	sc, err := simulate.Generate(cfg, frontMap(t))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// files returns the bytes a scenario writes.
func files(t *testing.T, sc *simulate.Scenario) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := sc.WriteObservations(&b); err != nil {
		t.Fatal(err)
	}
	if err := sc.WriteSources(&b); err != nil {
		t.Fatal(err)
	}
	if err := sc.Truth.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDeterministic(t *testing.T) {
	a := files(t, generate(t, simulate.DefaultConfig(7)))
	b := files(t, generate(t, simulate.DefaultConfig(7)))
	if !bytes.Equal(a, b) {
		t.Fatal("the same seed gave different bytes")
	}
	c := files(t, generate(t, simulate.DefaultConfig(8)))
	if bytes.Equal(a, c) {
		t.Fatal("seeds 7 and 8 gave the same bytes")
	}
}

func TestObservationsValidate(t *testing.T) {
	for _, seed := range []int64{1, 2, 3, -4} {
		sc := generate(t, simulate.DefaultConfig(seed))
		if len(sc.Observations) == 0 || len(sc.Truth.Labels) != len(sc.Observations) {
			t.Fatalf("seed %d: %d observations, %d labels", seed, len(sc.Observations), len(sc.Truth.Labels))
		}
		sources := map[string]*simulate.Source{}
		for _, s := range sc.Sources {
			if err := s.Registration().Validate(); err != nil {
				t.Errorf("seed %d: source %s: %v", seed, s.Name, err)
			}
			sources[s.Name] = s
		}
		events := map[string]*simulate.Event{}
		for _, e := range sc.Truth.Events {
			events[e.ID] = e
		}
		ids := map[string]bool{}
		for i, o := range sc.Observations {
			if err := o.Validate(); err != nil {
				t.Errorf("seed %d: observation %d: %v", seed, i, err)
			}
			if ids[o.ID] {
				t.Errorf("seed %d: duplicate id %s", seed, o.ID)
			}
			ids[o.ID] = true
			s := sources[o.Source]
			if s == nil || s.Role != o.SourceRole || s.Party != o.SourceParty {
				t.Errorf("seed %d: %s: filed as %s/%s/%s, which is no registered source", seed, o.ID, o.Source, o.SourceRole, o.SourceParty)
			}
			lb := sc.Truth.Labels[i]
			if lb.Observation != o.ID || lb.Source != o.Source {
				t.Errorf("seed %d: label %d is %+v for observation %s", seed, i, lb, o.ID)
			}
			switch lb.Status {
			case simulate.StatusTrue:
				e := events[lb.Event]
				if e == nil {
					t.Errorf("seed %d: %s: unknown event %q", seed, o.ID, lb.Event)
				} else if o.SourceRole == truce.RoleParty && (o.BlamedParty != e.Party || o.SourceParty != e.Against) {
					t.Errorf("seed %d: %s: %s blames %s for %s's act against %s", seed, o.ID, o.SourceParty, o.BlamedParty, e.Party, e.Against)
				}
			case simulate.StatusInvented:
				if o.SourceRole != truce.RoleParty || lb.Event != "" || o.BlamedParty == o.SourceParty {
					t.Errorf("seed %d: %s: bad invented allegation %+v", seed, o.ID, o)
				}
			case simulate.StatusFalsePositive:
				if o.Kind != truce.KindFire || lb.Event != "" {
					t.Errorf("seed %d: %s: false positive of kind %s", seed, o.ID, o.Kind)
				}
			default:
				t.Errorf("seed %d: %s: status %q", seed, o.ID, lb.Status)
			}
			if i > 0 && o.ObservedAt.Before(sc.Observations[i-1].ObservedAt) {
				t.Errorf("seed %d: %s out of time order", seed, o.ID)
			}
		}
	}
}

func TestEventsOnTheirSide(t *testing.T) {
	m := frontMap(t)
	pt := func(p truce.Position) geo.Point { return geo.Point{p.Lon, p.Lat} }
	kinds := map[truce.Kind]int{}
	for _, seed := range []int64{1, 2, 3} {
		sc := generate(t, simulate.DefaultConfig(seed))
		var energy, advances int
		for _, e := range sc.Truth.Events {
			kinds[e.Kind]++
			if e.Origin != nil {
				if h := m.Holder(pt(*e.Origin)); h != e.Party {
					t.Errorf("seed %d: %s %s by %s: origin held by %s", seed, e.ID, e.Kind, e.Party, h)
				}
			}
			want := e.Against
			if !e.CrossesLine {
				want = e.Party
			}
			if h := m.Holder(pt(e.Impact)); h != want {
				t.Errorf("seed %d: %s %s by %s: impact held by %s, want %s", seed, e.ID, e.Kind, e.Party, h, want)
			}
			for _, p := range e.Area {
				if h := m.Holder(pt(p)); h != e.Against {
					t.Errorf("seed %d: %s: ground taken by %s was held by %s", seed, e.ID, e.Party, h)
				}
			}
			if e.Target == truce.TargetEnergy {
				energy++
			}
			if e.Kind == truce.KindAdvance {
				advances++
				if e.AreaKM2 < 0.5 || e.AreaKM2 > 2.5 || !e.Violation || e.Rule != "R3" {
					t.Errorf("seed %d: advance %s: %.3f km², violation %v rule %q", seed, e.ID, e.AreaKM2, e.Violation, e.Rule)
				}
			}
			if e.CrossesLine != e.Violation {
				t.Errorf("seed %d: %s %s: crosses line %v but violation %v (every day is in the window)", seed, e.ID, e.Kind, e.CrossesLine, e.Violation)
			}
		}
		if energy != 1 || advances != 1 {
			t.Errorf("seed %d: %d energy strikes, %d advances; want 1 and 1", seed, energy, advances)
		}
	}
	for _, k := range []truce.Kind{truce.KindArtillery, truce.KindDroneStrike, truce.KindExplosion, truce.KindAdvance} {
		if kinds[k] == 0 {
			t.Errorf("no event of kind %s in three seeds", k)
		}
	}
}

// TestRates checks the numbers of invented allegations and false fire
// detections against the configured means, within four standard
// deviations of a Poisson count.
func TestRates(t *testing.T) {
	cfg := simulate.DefaultConfig(11)
	cfg.Days = 300
	cfg.InventedPerDay = 0.2
	cfg.SatFalsePerDay = 2
	cfg.SatHotSpots = 0
	sc := generate(t, cfg)
	var invented, falsePos int
	for _, lb := range sc.Truth.Labels {
		switch lb.Status {
		case simulate.StatusInvented:
			invented++
		case simulate.StatusFalsePositive:
			falsePos++
		}
	}
	for _, c := range []struct {
		what string
		got  int
		mean float64
	}{
		{"invented allegations", invented, cfg.InventedPerDay * 2 * float64(cfg.Days)},
		{"false fire detections", falsePos, cfg.SatFalsePerDay * float64(cfg.Days)},
	} {
		if d := math.Abs(float64(c.got) - c.mean); d > 4*math.Sqrt(c.mean) {
			t.Errorf("%d %s, want %.0f ± %.0f", c.got, c.what, c.mean, 4*math.Sqrt(c.mean))
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(*simulate.Config)
	}{
		{"no days", func(c *simulate.Config) { c.Days = 0 }},
		{"same parties", func(c *simulate.Config) { c.Parties = [2]string{"UA", "UA"} }},
		{"rate above one", func(c *simulate.Config) { c.SatMissRate = 1.5 }},
		{"no sectors", func(c *simulate.Config) { c.Sectors = 0 }},
	} {
		cfg := simulate.DefaultConfig(1)
		c.edit(&cfg)
		if _, err := simulate.Generate(cfg, frontMap(t)); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

func TestManySeeds(t *testing.T) {
	for seed := int64(100); seed < 130; seed++ {
		if _, err := simulate.Generate(simulate.DefaultConfig(seed), frontMap(t)); err != nil {
			t.Errorf("seed %d: %v", seed, err)
		}
	}
}

// TestAdvanceMaps checks that the control map written after an advance
// shows the ground taken changing hands, and nothing else of note.
func TestAdvanceMaps(t *testing.T) {
	base := frontMap(t)
	for _, seed := range []int64{1, 3} { // UA advances in one, RU in the other
		sc := generate(t, simulate.DefaultConfig(seed))
		var adv *simulate.Event
		for _, e := range sc.Truth.Events {
			if e.Kind == truce.KindAdvance {
				adv = e
			}
		}
		if adv == nil || len(sc.ControlMaps) != 1 || len(sc.Truth.ControlMaps) != 1 {
			t.Fatalf("seed %d: %d control maps for advance %v", seed, len(sc.ControlMaps), adv)
		}
		cm := sc.ControlMaps[0]
		if err := cm.Validate(); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		after, err := control.New(cm, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !after.AsOf.After(adv.Time) {
			t.Errorf("seed %d: map as of %v, advance at %v", seed, after.AsOf, adv.Time)
		}
		d, err := control.Compare(base, after, 0.5e6)
		if err != nil {
			t.Fatal(err)
		}
		c := d.Change(adv.Party)
		if c == nil || len(c.Gained) != 1 || len(c.Lost) != 0 || math.Abs(c.GainedM2/1e6-adv.AreaKM2) > 0.01 {
			t.Errorf("seed %d: %s took %.3f km²; the maps show %+v", seed, adv.Party, adv.AreaKM2, c)
		}
		if h := after.Holder(geo.Point{adv.Impact.Lon, adv.Impact.Lat}); h != adv.Party {
			t.Errorf("seed %d: the ground taken is held by %s after the advance, want %s", seed, h, adv.Party)
		}
	}
}

// TestWindow checks that acts outside the agreement's window are no
// violations.
func TestWindow(t *testing.T) {
	cfg := simulate.DefaultConfig(4)
	start := cfg.From.AddDate(0, 0, 10)
	cfg.Window = truce.Window{Start: start, End: start.AddDate(0, 0, 10), TimeZone: "UTC"}
	sc := generate(t, cfg)
	var in, out int
	for _, e := range sc.Truth.Events {
		want := !e.Time.Before(cfg.Window.Start) && e.Time.Before(cfg.Window.End)
		if e.InWindow != want || e.Violation && !want {
			t.Errorf("%s at %v: in window %v, violation %v", e.ID, e.Time, e.InWindow, e.Violation)
		}
		if want {
			in++
		} else {
			out++
		}
	}
	if in == 0 || out == 0 {
		t.Errorf("%d events in the window and %d outside; want some of each", in, out)
	}
}
