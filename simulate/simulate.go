// Package simulate generates seeded ceasefire scenarios with known ground
// truth, so that correlation and adjudication can be scored: true events
// along the real line of contact of a control map (artillery duels, drone
// and missile strikes, a strike on a power station, a small advance, and
// days of quiet), the observations that monitors, acoustic sensors, a
// fire-detecting satellite and the parties' liaison officers would file
// about them (with their errors, misses, false positives, exaggerations,
// omissions and inventions), and a truth file that says which event each
// observation came from.
//
// The same Config gives the same bytes on every run and machine: all
// randomness comes from one PCG stream seeded by Config.Seed, the
// scenario is built in a fixed order, and coordinates are rounded before
// they are written.
//
// [ScoreFindings] compares an adjudication's findings with the truth.
//
// The package imports the root package truce, control, geo,
// github.com/peterstace/simplefeatures (to redraw the control map after an
// advance) and the standard library.
package simulate

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/control"
)

// Config configures a scenario. [DefaultConfig] gives the defaults; a zero
// rate means none of that thing.
type Config struct {
	// Seed seeds the one random stream the scenario draws from.
	Seed int64
	// From is the start of the first simulated day (its UTC date is used)
	// and Days the number of days.
	From time.Time
	Days int
	// Window is when the agreement is in force; an event outside it is
	// no violation. A zero Start means the simulated days themselves.
	Window truce.Window
	// Parties are the two sides: the first holds the ground the map
	// derives (UA on DeepState maps), the second the mapped ground (RU).
	Parties [2]string

	// Sectors is the number of active sectors along the line, each
	// SectorHalfWidthM either side of its centre along the line. Fire
	// across the line happens in sectors; deep strikes anywhere.
	Sectors          int
	SectorHalfWidthM float64
	// QuietDayRate is the chance that a day has no true event at all.
	QuietDayRate float64
	// Mean counts per active day: artillery duels (fire one way, return
	// fire the other), drone strikes, missile strikes, and explosions on a
	// party's own ground (demolitions, which cross no line).
	DuelsPerDay        float64
	DroneStrikesPerDay float64
	MissilesPerDay     float64
	DemolitionsPerDay  float64
	// EnergyStrikes and Advances are the numbers of strikes on a power
	// station and of small advances over the whole scenario.
	EnergyStrikes int
	Advances      int

	// Monitors: observation posts per sector, their range, the chance
	// they report an event in range, their bearing σ in degrees and
	// their distance σ as a fraction of the distance.
	MonitorsPerSector      int
	MonitorRangeM          float64
	MonitorDetectRate      float64
	MonitorBearingSigma    float64
	MonitorDistanceSigmaFr float64
	// Acoustic sensors: per sector, range, detection chance and bearing σ.
	SensorsPerSector   int
	SensorRangeM       float64
	SensorDetectRate   float64
	SensorBearingSigma float64
	// Satellite fire detection: the chance a fire burning at an overpass
	// is missed, the position error radius, the mean false detections per
	// day, and the number of persistent hot spots (an industrial site
	// that burns every night).
	SatMissRate     float64
	SatPositionErrM float64
	SatFalsePerDay  float64
	SatHotSpots     int
	// Parties' allegations: the chance a party reports an act of the
	// other against it, the range of the factor by which it multiplies
	// counts, and the mean number of invented allegations per party per
	// day.
	AllegeRate float64
	// AllegeDeepRate is the chance for a deep strike (a drone or missile
	// strike far behind the line): parties report those nearly always,
	// as Ukraine's Air Force reports every night's attack.
	AllegeDeepRate float64
	Exaggeration   [2]float64
	InventedPerDay float64
	// VisitRate is the chance that the monitors' patrol reaches the site
	// of a party's allegation beyond every post's range (as the OSCE
	// mission's patrols visited impact sites) and, when something did
	// happen there, reports the damage: the impact to the crater, the
	// hour from witnesses, the target, and the weapon class when the
	// fragments show it. A site where nothing happened yields no report.
	// Zero turns patrols off.
	VisitRate float64

	// ErrorModels are the error models chosen (see [ErrorModels]), in
	// that list's order; none gives the plain scenario.
	ErrorModels []string `json:",omitempty"`
}

// DefaultConfig returns the defaults for seed: 30 days from 14 March 2025,
// four sectors, and the rates documented in docs/simulate.md.
func DefaultConfig(seed int64) Config {
	return Config{
		Seed:                   seed,
		From:                   time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC),
		Days:                   30,
		Parties:                [2]string{"UA", "RU"},
		Sectors:                4,
		SectorHalfWidthM:       15000,
		QuietDayRate:           0.2,
		DuelsPerDay:            2,
		DroneStrikesPerDay:     1,
		MissilesPerDay:         0.2,
		DemolitionsPerDay:      0.3,
		EnergyStrikes:          1,
		Advances:               1,
		MonitorsPerSector:      2,
		MonitorRangeM:          12000,
		MonitorDetectRate:      0.85,
		MonitorBearingSigma:    4,
		MonitorDistanceSigmaFr: 0.15,
		SensorsPerSector:       6,
		SensorRangeM:           20000,
		SensorDetectRate:       0.8,
		SensorBearingSigma:     3,
		SatMissRate:            0.3,
		SatPositionErrM:        375,
		SatFalsePerDay:         1.5,
		SatHotSpots:            1,
		AllegeRate:             0.8,
		AllegeDeepRate:         0.95,
		Exaggeration:           [2]float64{1.5, 3},
		InventedPerDay:         0.15,
		VisitRate:              0.85,
	}
}

func (c *Config) check() error {
	var errs []error
	if c.Days < 1 || c.Days > 3660 {
		errs = append(errs, fmt.Errorf("days %d: want 1 to 3660", c.Days))
	}
	if c.From.IsZero() {
		errs = append(errs, errors.New("from: required"))
	}
	for _, p := range c.Parties {
		if !truce.ValidPartyID(p) {
			errs = append(errs, fmt.Errorf("parties: %q is not a party id", p))
		}
	}
	if c.Parties[0] == c.Parties[1] {
		errs = append(errs, errors.New("parties: the two sides must differ"))
	}
	if c.Sectors < 1 {
		errs = append(errs, fmt.Errorf("sectors %d: want at least 1", c.Sectors))
	}
	for name, r := range map[string]float64{
		"quiet day rate": c.QuietDayRate, "monitor detect rate": c.MonitorDetectRate,
		"sensor detect rate": c.SensorDetectRate, "satellite miss rate": c.SatMissRate, "allege rate": c.AllegeRate, "allege deep rate": c.AllegeDeepRate, "visit rate": c.VisitRate,
	} {
		if r < 0 || r > 1 {
			errs = append(errs, fmt.Errorf("%s %g: want 0 to 1", name, r))
		}
	}
	if c.Exaggeration[0] < 1 || c.Exaggeration[1] < c.Exaggeration[0] {
		errs = append(errs, fmt.Errorf("exaggeration %v: want 1 <= low <= high", c.Exaggeration))
	}
	if err := c.checkModels(); err != nil {
		errs = append(errs, err)
	}
	slices.SortFunc(errs, func(a, b error) int { return cmp.Compare(a.Error(), b.Error()) })
	if len(errs) > 0 {
		return fmt.Errorf("simulate: config: %w", errors.Join(errs...))
	}
	return nil
}

// Scenario is a generated scenario: the sources to register, the
// observations they file, the control maps after each advance, and the
// truth.
type Scenario struct {
	Sources      []*Source
	Observations []*truce.Observation
	ControlMaps  []*truce.ControlMap
	Truth        *Truth
}

// Source is a simulated source: what to register, and where it stands if
// it is fixed.
type Source struct {
	Name        string     `json:"name"`
	Role        truce.Role `json:"role"`
	Party       string     `json:"party,omitempty"` // for RoleParty
	Description string     `json:"description"`
	// At is the position of a monitors' post or a sensor, if fixed.
	At *truce.Position `json:"at,omitempty"`
}

// Registration returns the source to register in a store.
func (s *Source) Registration() *truce.Source {
	return &truce.Source{Name: s.Name, Role: s.Role, Party: s.Party, Description: s.Description}
}

// Generate builds the scenario cfg describes on the line of contact of m.
// It fails if cfg is invalid or the map offers too little line to place
// the events on.
func Generate(cfg Config, m *control.Map) (*Scenario, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	l, err := newLine(m)
	if err != nil {
		return nil, err
	}
	g := &generator{
		cfg:  cfg,
		r:    rand.New(rand.NewPCG(uint64(cfg.Seed), 0x7472756365)),
		mr:   rand.New(rand.NewPCG(uint64(cfg.Seed), 0x6d6f64656c)),
		bias: map[string]float64{},
		line: l,
		day0: time.Date(cfg.From.UTC().Year(), cfg.From.UTC().Month(), cfg.From.UTC().Day(), 0, 0, 0, 0, time.UTC),
	}
	if g.cfg.Window.Start.IsZero() {
		g.cfg.Window = truce.Window{Start: g.day0, End: g.day0.AddDate(0, 0, cfg.Days), TimeZone: "UTC"}
		if cfg.has(ModelPreWindow) {
			g.cfg.Window.Start = g.day0.Add(30 * time.Hour)
		}
	}
	if err := g.placeSectors(); err != nil {
		return nil, err
	}
	if err := g.drawEvents(); err != nil {
		return nil, err
	}
	if err := g.modelEvents(); err != nil {
		return nil, err
	}
	g.observe()
	sc := g.finish(m)
	if sc.ControlMaps, err = g.controlMaps(m); err != nil {
		return nil, err
	}
	for _, cm := range sc.ControlMaps {
		sc.Truth.ControlMaps = append(sc.Truth.ControlMaps, MapRef{ID: cm.ID, AsOf: cm.AsOf})
	}
	return sc, nil
}

// generator holds a scenario under construction.
type generator struct {
	cfg     Config
	r       *rand.Rand
	mr      *rand.Rand         // the error models' stream
	bias    map[string]float64 // systematic bearing bias by observer
	line    *line
	day0    time.Time
	sectors []sector
	sources []*Source
	events  []*Event
	quiet   []string
	obs     []pending
}

// sector is an active stretch of the line.
type sector struct {
	at float64 // metres along the line of its centre
}

func (g *generator) party(i int) string { return g.cfg.Parties[i] }

func (g *generator) other(p string) string {
	if p == g.cfg.Parties[0] {
		return g.cfg.Parties[1]
	}
	return g.cfg.Parties[0]
}

// placeSectors spreads the sectors along the line and places the fixed
// monitors and sensors in them, alternating sides.
func (g *generator) placeSectors() error {
	c := g.cfg
	n := c.Sectors
	for i := range n {
		// A sector must have room for fire both ways (not a river
		// bank or a border stretch).
		var s float64
		for try := 0; ; try++ {
			s = (float64(i) + 0.2 + 0.6*g.r.Float64()) * g.line.total / float64(n)
			_, _, ok1 := g.line.pair(g.r, s, 0, g.party(0), g.party(1), artillery.back, artillery.beyond)
			_, _, ok2 := g.line.pair(g.r, s, 0, g.party(1), g.party(0), artillery.back, artillery.beyond)
			if ok1 && ok2 {
				break
			}
			if try == 40 {
				return fmt.Errorf("simulate: no stretch of line for sector %d with room for fire both ways", i+1)
			}
		}
		sec := sector{at: s}
		for j := range c.MonitorsPerSector {
			at, ok := g.fixedPoint(s, g.party(j%2), [2]float64{2000, 5000})
			if !ok {
				return fmt.Errorf("simulate: no ground for a monitor's post near %.0f km along the line", s/1000)
			}
			src := &Source{Name: fmt.Sprintf("sim-op-%d%d", i+1, j+1), Role: truce.RoleMonitor,
				Description: fmt.Sprintf("simulated monitors' observation post %d in sector %d", j+1, i+1), At: at}
			g.sources = append(g.sources, src)
		}
		for j := range c.SensorsPerSector {
			at, ok := g.fixedPoint(s, g.party(j%2), [2]float64{1000, 12000})
			if !ok {
				return fmt.Errorf("simulate: no ground for an acoustic sensor near %.0f km along the line", s/1000)
			}
			src := &Source{Name: fmt.Sprintf("sim-acoustic-%d%02d", i+1, j+1), Role: truce.RoleSensor,
				Description: fmt.Sprintf("simulated acoustic sensor %d in sector %d", j+1, i+1), At: at}
			g.sources = append(g.sources, src)
		}
		g.sectors = append(g.sectors, sec)
	}
	g.sources = append(g.sources,
		&Source{Name: patrolName, Role: truce.RoleMonitor, Description: "simulated monitors' patrol visiting the sites of alleged strikes beyond the posts' range"},
		&Source{Name: satName, Role: truce.RoleSensor, Description: "simulated satellite active-fire detections (VIIRS-like, 375 m pixels)"},
		&Source{Name: liaisonName(g.party(0)), Role: truce.RoleParty, Party: g.party(0), Description: "simulated liaison officer of " + g.party(0)},
		&Source{Name: liaisonName(g.party(1)), Role: truce.RoleParty, Party: g.party(1), Description: "simulated liaison officer of " + g.party(1)},
	)
	return nil
}

const satName = "sim-satellite"

func liaisonName(party string) string {
	b := []byte(party)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		} else if c == '_' {
			b[i] = '-'
		}
	}
	return "sim-liaison-" + string(b)
}

// fixedPoint returns a point on party's side of the line within the
// sector around s, at a distance from the line drawn from rg.
func (g *generator) fixedPoint(s float64, party string, rg [2]float64) (*truce.Position, bool) {
	for range 40 {
		p, az := g.line.at(s + (g.r.Float64()*2-1)*g.cfg.SectorHalfWidthM)
		q, _, ok := g.line.across(p, az, party, uniform(g.r, rg))
		if ok {
			pos := position(q)
			return &pos, true
		}
	}
	return nil, false
}

// finish orders and names the events and observations and builds the
// scenario.
func (g *generator) finish(m *control.Map) *Scenario {
	slices.SortStableFunc(g.events, func(a, b *Event) int { return a.Time.Compare(b.Time) })
	for i, e := range g.events {
		e.ID = fmt.Sprintf("ev-%04d", i+1)
	}
	for _, e := range g.events {
		if e.returnOf != nil {
			e.ReturnOf = e.returnOf.ID
		}
	}
	slices.SortStableFunc(g.obs, func(a, b pending) int {
		if c := a.o.ObservedAt.Compare(b.o.ObservedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.o.Source, b.o.Source)
	})
	sc := &Scenario{Sources: g.sources}
	t := &Truth{
		Format:      TruthFormat,
		Seed:        g.cfg.Seed,
		From:        g.day0,
		Days:        g.cfg.Days,
		Window:      g.cfg.Window,
		ControlMap:  MapRef{ID: m.ID, AsOf: m.AsOf.UTC(), SHA256: fmt.Sprintf("%x", m.SHA256)},
		Config:      g.cfg,
		QuietDays:   g.quiet,
		ControlMaps: []MapRef{},
		Sources:     g.sources,
		Events:      g.events,
	}
	if t.QuietDays == nil {
		t.QuietDays = []string{}
	}
	for i, p := range g.obs {
		o := p.o
		o.ID = fmt.Sprintf("sim%d-%05d", g.cfg.Seed, i+1)
		lb := p.label
		lb.Observation = o.ID
		lb.Source = o.Source
		if p.event != nil {
			lb.Event = p.event.ID
		}
		sc.Observations = append(sc.Observations, o)
		t.Labels = append(t.Labels, lb)
	}
	sc.Truth = t
	return sc
}
