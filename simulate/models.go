package simulate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/geo"
)

// Error models a scenario file may choose (Config.ErrorModels). Each adds
// one kind of error real monitors make or one trick a party would try; a
// scenario with none is the plain scenario. They draw from a second random
// stream seeded by Config.Seed, so that choosing one does not reshuffle
// the others' draws.
const (
	// ModelBearingBias gives every monitors' post and acoustic sensor a
	// systematic bearing bias (σ 5°) that it does not state.
	ModelBearingBias = "bearing_bias"
	// ModelBearingOnly drops the distance from half the monitors'
	// reports: the location (and origin) is a bearing, a ray.
	ModelBearingOnly = "bearing_only"
	// ModelDistanceOnly turns half the monitors' bearings into a compass
	// point (N, NE, ...) with a stated error of 22.5°: the distance is
	// what the post really knows.
	ModelDistanceOnly = "distance_only"
	// ModelMixedClocks gives every source a clock minutes off (σ 4 min),
	// and has the parties write their times in their own zones (Kyiv,
	// Moscow), the hour truncated in that zone.
	ModelMixedClocks = "mixed_clocks"
	// ModelMultiVictim has the victim of an act file two to four
	// allegations of it (several victims, each with its own place and a
	// time up to 15 minutes off).
	ModelMultiVictim = "multi_victim"
	// ModelFabricated has each party fabricate an allegation a day on
	// average, and coordinate a third of them: two or three more of its
	// liaison officers file the same act, minutes and a kilometre apart.
	ModelFabricated = "fabricated"
	// ModelStaged has each party fabricate an allegation every other day
	// and light a fire where it points, 20 minutes to 4 hours later, in
	// time for a satellite pass.
	ModelStaged = "staged"
	// ModelRearHotSpots adds three to five sites 30 to 80 km behind the
	// line (flares, fields) that burn on most nights, and the party
	// holding a site alleges shelling there on some of those nights.
	ModelRearHotSpots = "rear_hot_spots"
	// ModelPreWindow starts the window on the second day at 06:00 UTC
	// and has duels end minutes before it (fire that is no violation),
	// alleged to the hour by the victim.
	ModelPreWindow = "pre_window"
	// ModelOwnGround adds fire within a party's own ground (a range, a
	// misfire): origin and impact on the same side, no line crossed.
	ModelOwnGround = "own_ground"
)

// ErrorModels lists the error models in the order they are applied.
var ErrorModels = []string{ModelBearingBias, ModelBearingOnly, ModelDistanceOnly, ModelMixedClocks,
	ModelMultiVictim, ModelFabricated, ModelStaged, ModelRearHotSpots, ModelPreWindow, ModelOwnGround}

// More label statuses, set by the error models.
const (
	// StatusStaged: a fire lit where a fabricated allegation points.
	StatusStaged = "staged"
)

func (c *Config) has(model string) bool { return slices.Contains(c.ErrorModels, model) }

// ScenarioFile is the scenario file `truce simulate --scenario` reads: a
// JSON object whose fields override [DefaultConfig]. Unknown fields are
// errors.
type ScenarioFile struct {
	Seed        *int64   `json:"seed,omitempty"`
	Days        *int     `json:"days,omitempty"`
	From        string   `json:"from,omitempty"`
	ErrorModels []string `json:"error_models"`
}

// ReadScenarioFile reads a scenario file from r, named name in errors,
// and applies it to cfg. An error names the field ($.error_models[2]).
func ReadScenarioFile(name string, r io.Reader, cfg *Config) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f ScenarioFile
	if err := dec.Decode(&f); err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	if dec.More() {
		return fmt.Errorf("%s: more than one JSON value", name)
	}
	c := *cfg
	if f.Seed != nil {
		c.Seed = *f.Seed
	}
	if f.Days != nil {
		if *f.Days < 1 || *f.Days > 3660 {
			return fmt.Errorf("%s: $.days: %d: want 1 to 3660", name, *f.Days)
		}
		c.Days = *f.Days
	}
	if f.From != "" {
		t, err := time.Parse(time.DateOnly, f.From)
		if err != nil {
			return fmt.Errorf("%s: $.from: %q: want YYYY-MM-DD", name, f.From)
		}
		c.From = t
	}
	c.ErrorModels = nil
	for i, m := range f.ErrorModels {
		if m == "all" {
			c.ErrorModels = append(c.ErrorModels, ErrorModels...)
			continue
		}
		if !slices.Contains(ErrorModels, m) {
			return fmt.Errorf("%s: $.error_models[%d]: unknown error model %q (want one of %s, or all)", name, i, m, strings.Join(ErrorModels, ", "))
		}
		if slices.Contains(c.ErrorModels, m) {
			return fmt.Errorf("%s: $.error_models[%d]: %q repeated", name, i, m)
		}
		c.ErrorModels = append(c.ErrorModels, m)
	}
	slices.SortFunc(c.ErrorModels, func(a, b string) int { return slices.Index(ErrorModels, a) - slices.Index(ErrorModels, b) })
	c.ErrorModels = slices.Compact(c.ErrorModels)
	*cfg = c
	return nil
}

// checkModels reports the first unknown error model.
func (c *Config) checkModels() error {
	for i, m := range c.ErrorModels {
		if !slices.Contains(ErrorModels, m) {
			return fmt.Errorf("error models[%d]: unknown error model %q", i, m)
		}
	}
	return nil
}

// modelEvents draws the events the error models add (before observation).
func (g *generator) modelEvents() error {
	if g.cfg.has(ModelPreWindow) {
		if err := g.preWindow(); err != nil {
			return err
		}
	}
	if g.cfg.has(ModelOwnGround) {
		if err := g.ownGround(); err != nil {
			return err
		}
	}
	return nil
}

// preWindow draws one to three duels per sector that end 2 to 40 minutes
// before the window opens.
func (g *generator) preWindow() error {
	start := g.cfg.Window.Start
	for si := range g.sectors {
		for range 1 + g.mr.IntN(3) {
			f := []fire{artillery, mlrs, mortar}[g.mr.IntN(3)]
			party := g.party(g.mr.IntN(2))
			t := start.Add(-time.Duration(2+g.mr.IntN(39)) * time.Minute)
			var e *Event
			var err error
			for range 20 {
				s := g.sectors[si].at + (g.mr.Float64()*2-1)*g.cfg.SectorHalfWidthM
				if e, err = g.crossWith(g.mr, f, party, t, s, 2000, si+1); err == nil {
					break
				}
			}
			if err != nil {
				return err
			}
			g.add(e)
		}
	}
	return nil
}

// ownGround draws fire within a party's own ground: from 3 to 8 km behind
// the line to 0.5 to 3 km behind it, on the same side, about once a day.
func (g *generator) ownGround() error {
	for d := range g.cfg.Days {
		day := g.day0.AddDate(0, 0, d)
		for range poisson(g.mr, 1) {
			si := g.mr.IntN(len(g.sectors))
			party := g.party(g.mr.IntN(2))
			for range 40 {
				p, az := g.line.at(g.sectors[si].at + (g.mr.Float64()*2-1)*g.cfg.SectorHalfWidthM)
				o, _, ok1 := g.line.across(p, az, party, uniform(g.mr, [2]float64{3000, 8000}))
				i, _, ok2 := g.line.across(p, az, party, uniform(g.mr, [2]float64{500, 3000}))
				if !ok1 || !ok2 || g.line.m.Holder(o) != party || g.line.m.Holder(i) != party {
					continue
				}
				op := position(o)
				f := []fire{artillery, mortar}[g.mr.IntN(2)]
				g.add(&Event{Kind: f.kind, Party: party, Against: g.other(party), Time: g.atWith(g.mr, day), Origin: &op, Impact: position(i),
					WeaponClass: f.class, Weapon: f.weapon[g.partyIndex(party)], Target: truce.TargetMilitary, Sector: si + 1,
					Rounds: f.rounds[0] + g.mr.IntN(f.rounds[1]-f.rounds[0]+1)})
				break
			}
		}
	}
	return nil
}

// sourceBias returns the systematic bearing bias of a source (zero
// without ModelBearingBias), drawn once per source.
func (g *generator) sourceBias(name string) float64 {
	if !g.cfg.has(ModelBearingBias) {
		return 0
	}
	if b, ok := g.bias[name]; ok {
		return b
	}
	b := normal(g.mr, 0, 5)
	g.bias[name] = b
	return b
}

// distort applies the observation-side error models to every observation
// filed so far, in order.
func (g *generator) distort() {
	c := g.cfg
	skew := map[string]time.Duration{}
	kyiv, _ := time.LoadLocation("Europe/Kyiv")
	moscow, _ := time.LoadLocation("Europe/Moscow")
	for _, p := range g.obs {
		o := p.o
		if c.has(ModelBearingOnly) && o.SourceRole == truce.RoleMonitor && o.Location.Observer != nil && g.mr.Float64() < 0.5 {
			o.Location.DistanceM, o.Location.DistanceErrorM = nil, 0
			if o.Origin != nil {
				o.Origin.DistanceM, o.Origin.DistanceErrorM = nil, 0
			}
		}
		if c.has(ModelDistanceOnly) && o.SourceRole == truce.RoleMonitor && o.Location.Observer != nil && o.Location.DistanceM != nil && g.mr.Float64() < 0.5 {
			for _, l := range []*truce.Location{&o.Location, o.Origin} {
				if l == nil || l.BearingDeg == nil {
					continue
				}
				b := math.Mod(math.Round(*l.BearingDeg/45)*45, 360)
				l.BearingDeg, l.BearingErrorDeg = &b, 22.5
			}
		}
		if c.has(ModelMixedClocks) && o.TimePrecision != truce.PrecisionDay {
			d, ok := skew[o.Source]
			if !ok {
				d = time.Duration(normal(g.mr, 0, 4*60)) * time.Second
				skew[o.Source] = d
			}
			t := o.ObservedAt.Add(d)
			switch o.TimePrecision {
			case truce.PrecisionSecond:
				t = t.Truncate(time.Second)
			case truce.PrecisionMinute:
				t = t.Truncate(time.Minute)
			}
			if o.SourceRole == truce.RoleParty && kyiv != nil && moscow != nil {
				loc := kyiv
				if o.SourceParty == g.party(1) {
					loc = moscow
				}
				lt := t.In(loc)
				if o.TimePrecision == truce.PrecisionHour {
					lt = time.Date(lt.Year(), lt.Month(), lt.Day(), lt.Hour(), 0, 0, 0, loc)
				}
				t = lt
			}
			o.ObservedAt = t
		}
	}
}

// allegeMore files the extra allegations ModelMultiVictim adds for an
// allegation a of event e.
func (g *generator) allegeMore(a *truce.Observation, e *Event) {
	if !g.cfg.has(ModelMultiVictim) {
		return
	}
	src := g.source(a.Source)
	for range 1 + g.mr.IntN(3) {
		o := *a
		q, _ := geo.Direct(point(e.Impact), g.mr.Float64()*360, math.Abs(normal(g.mr, 0, 1500)))
		pos := position(q)
		o.Location = truce.Location{Lon: &pos.Lon, Lat: &pos.Lat, UncertaintyM: 3000}
		if o.TimePrecision != truce.PrecisionDay {
			o.ObservedAt = e.Time.Add(time.Duration(g.mr.IntN(31)-15) * time.Minute).Truncate(time.Minute)
			o.TimePrecision = truce.PrecisionMinute
		}
		o.Text = "Residents report " + a.Text
		g.emit(&o, src, e, Label{Part: "impact", Note: "victim"})
	}
}

// fabricate files the allegations ModelFabricated, ModelStaged and
// ModelRearHotSpots add, and the staged fires and hot spots.
func (g *generator) fabricate() {
	c := g.cfg
	for d := range c.Days {
		day := g.day0.AddDate(0, 0, d)
		for pi := range 2 {
			victim := g.party(pi)
			if c.has(ModelFabricated) {
				for range poisson(g.mr, 1) {
					at, t, ok := g.fabricationSite(victim, day, [2]float64{1000, 10000})
					if !ok {
						continue
					}
					o := g.fabricated(victim, at, t, "fabricated")
					if g.mr.Float64() < 1.0/3 {
						g.coordinate(o, victim)
					}
				}
			}
			if c.has(ModelStaged) {
				for range poisson(g.mr, 0.5) {
					at, t, ok := g.fabricationSite(victim, day, [2]float64{2000, 60000})
					if !ok {
						continue
					}
					g.fabricated(victim, at, t, "staged")
					g.stage(point(*at), t)
				}
			}
		}
	}
	if c.has(ModelRearHotSpots) {
		g.rearHotSpots()
	}
}

// fabricationSite draws a place on victim's ground near a sector at a
// distance from the line in rg (to its nearest point), and a time on day.
func (g *generator) fabricationSite(victim string, day time.Time, rg [2]float64) (*truce.Position, time.Time, bool) {
	sec := g.sectors[g.mr.IntN(len(g.sectors))]
	for range 40 {
		p, az := g.line.at(sec.at + (g.mr.Float64()*2-1)*g.cfg.SectorHalfWidthM)
		q, _, ok := g.line.across(p, az, victim, uniform(g.mr, rg))
		if !ok || g.line.m.Holder(q) != victim {
			continue
		}
		// The line bends: the distance from the nearest point of it, not
		// along the perpendicular drawn, must be in range.
		if d := g.line.m.Locate(q).DistanceM; d >= rg[0] && d <= rg[1] {
			pos := position(q)
			return &pos, g.atWith(g.mr, day), true
		}
	}
	return nil, time.Time{}, false
}

// fabricated files a fabricated allegation by victim's liaison of fire by
// the other party at at, t; note says which model made it.
func (g *generator) fabricated(victim string, at *truce.Position, t time.Time, note string) *truce.Observation {
	f := []fire{artillery, mlrs, drone, mortar}[g.mr.IntN(4)]
	o := &truce.Observation{Kind: f.kind, ObservedAt: t.Truncate(time.Hour), TimePrecision: truce.PrecisionHour,
		Location:    truce.Location{Lon: &at.Lon, Lat: &at.Lat, UncertaintyM: 2000},
		WeaponClass: f.class, Target: truce.TargetCivilian, BlamedParty: g.other(victim), Lang: "en",
		Counts: &truce.Counts{Rounds: 5 + g.mr.IntN(30)},
		Text:   fmt.Sprintf("%s by %s against %s.", f.kind, g.other(victim), victim)}
	if f.kind == truce.KindDroneStrike {
		o.Counts = &truce.Counts{Launched: 1 + g.mr.IntN(5)}
	}
	g.emit(o, g.source(liaisonName(victim)), nil, Label{Status: StatusInvented, Note: note})
	return o
}

// coordinate has two or three more of victim's officers file a's act.
func (g *generator) coordinate(a *truce.Observation, victim string) {
	for k := range 2 + g.mr.IntN(2) {
		src := g.extraLiaison(victim, k+2)
		o := *a
		q, _ := geo.Direct(geo.Point{*a.Location.Lon, *a.Location.Lat}, g.mr.Float64()*360, g.mr.Float64()*1000)
		pos := position(q)
		o.Location = truce.Location{Lon: &pos.Lon, Lat: &pos.Lat, UncertaintyM: 2000}
		o.ObservedAt = a.ObservedAt.Add(time.Duration(g.mr.IntN(21)-10) * time.Minute)
		o.TimePrecision = truce.PrecisionMinute
		g.emit(&o, src, nil, Label{Status: StatusInvented, Note: "coordinated"})
	}
}

// extraLiaison returns the party's k-th liaison officer, registering it.
func (g *generator) extraLiaison(party string, k int) *Source {
	name := fmt.Sprintf("%s-%d", liaisonName(party), k)
	for _, s := range g.sources {
		if s.Name == name {
			return s
		}
	}
	s := &Source{Name: name, Role: truce.RoleParty, Party: party, Description: fmt.Sprintf("simulated liaison officer %d of %s", k, party)}
	g.sources = append(g.sources, s)
	return s
}

// stage lights a fire at p 20 minutes to 4 hours after t, seen at the
// next satellite pass, or lit just before one.
func (g *generator) stage(p geo.Point, t time.Time) {
	lit := t.Add(time.Duration(20+g.mr.IntN(221)) * time.Minute)
	day := lit.Truncate(24 * time.Hour)
	var pass time.Time
	for d := 0; d < 2 && pass.IsZero(); d++ {
		for _, q := range []time.Duration{11 * time.Hour, 23 * time.Hour} {
			if at := day.AddDate(0, 0, d).Add(q); !at.Before(lit) {
				pass = at
				break
			}
		}
	}
	if pass.Sub(t) > 4*time.Hour {
		pass = t.Add(time.Duration(30+g.mr.IntN(200)) * time.Minute) // lit to meet the pass
	}
	o := g.fireAtWith(g.mr, pass, p)
	g.emit(o, g.source(satName), nil, Label{Status: StatusStaged, Note: "staged"})
}

// rearHotSpots: three to five sites 30 to 80 km behind the line burn on
// 70% of nights; the party holding a site alleges shelling there on 15%
// of the nights it burns, to the hour before the pass.
func (g *generator) rearHotSpots() {
	type spot struct {
		at     geo.Point
		holder string
	}
	var spots []spot
	for range 3 + g.mr.IntN(3) {
		holder := g.party(g.mr.IntN(2))
		if at, _, ok := g.fabricationSite(holder, g.day0, [2]float64{30000, 80000}); ok {
			spots = append(spots, spot{point(*at), holder})
		}
	}
	for d := range g.cfg.Days {
		day := g.day0.AddDate(0, 0, d)
		for _, s := range spots {
			if g.mr.Float64() >= 0.7 {
				continue
			}
			pass := day.Add(23*time.Hour + time.Duration(g.mr.IntN(61)-30)*time.Minute)
			g.emit(g.fireAtWith(g.mr, pass, s.at), g.source(satName), nil, Label{Status: StatusFalsePositive, Note: "rear_hot_spot"})
			if g.mr.Float64() < 0.15 {
				pos := position(s.at)
				g.fabricated(s.holder, &pos, pass.Add(-time.Duration(30+g.mr.IntN(150))*time.Minute), "hot_spot_allegation")
			}
		}
	}
}
