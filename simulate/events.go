package simulate

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/geo"
)

// fire is how a kind of fire is drawn: weapon, distances behind and
// beyond the line in metres, and rounds.
type fire struct {
	kind         truce.Kind
	class        truce.WeaponClass
	weapon       [2]string // by the first party, by the second
	back, beyond [2]float64
	rounds       [2]int
	target       truce.TargetCategory
	igniteRate   float64 // chance the impact starts a fire a satellite could see
	burn         time.Duration
}

var (
	artillery = fire{truce.KindArtillery, truce.WeaponArtilleryGE100, [2]string{"2S1 Gvozdika", "D-30"},
		[2]float64{3000, 12000}, [2]float64{1000, 8000}, [2]int{4, 40}, truce.TargetMilitary, 0.3, 2 * time.Hour}
	mlrs = fire{truce.KindMLRS, truce.WeaponMLRS, [2]string{"BM-21 Grad", "BM-21 Grad"},
		[2]float64{5000, 15000}, [2]float64{2000, 12000}, [2]int{10, 40}, truce.TargetMilitary, 0.5, 3 * time.Hour}
	mortar = fire{truce.KindMortar, truce.WeaponMortar, [2]string{"120 mm mortar", "82 mm mortar"},
		[2]float64{500, 3000}, [2]float64{300, 2500}, [2]int{3, 20}, truce.TargetMilitary, 0.1, time.Hour}
	drone = fire{truce.KindDroneStrike, truce.WeaponStrikeDrone, [2]string{"Liutyi", "Shahed-136/131"},
		[2]float64{15000, 40000}, [2]float64{15000, 80000}, [2]int{1, 6}, truce.TargetMilitary, 0.6, 6 * time.Hour}
	missile = fire{truce.KindMissileStrike, truce.WeaponBallisticMissile, [2]string{"ATACMS", "Iskander-M"},
		[2]float64{30000, 90000}, [2]float64{30000, 150000}, [2]int{1, 4}, truce.TargetMilitary, 0.7, 12 * time.Hour}
)

// drawEvents draws the true events, day by day, then the energy strikes and
// advances on active days.
func (g *generator) drawEvents() error {
	c := g.cfg
	var active []int
	for d := range c.Days {
		day := g.day0.AddDate(0, 0, d)
		if g.r.Float64() < c.QuietDayRate {
			g.quiet = append(g.quiet, day.Format(time.DateOnly))
			continue
		}
		active = append(active, d)
		for range poisson(g.r, c.DuelsPerDay) {
			if err := g.duel(day); err != nil {
				return err
			}
		}
		for range poisson(g.r, c.DroneStrikesPerDay) {
			if err := g.strike(day, drone); err != nil {
				return err
			}
		}
		for range poisson(g.r, c.MissilesPerDay) {
			if err := g.strike(day, missile); err != nil {
				return err
			}
		}
		for range poisson(g.r, c.DemolitionsPerDay) {
			if err := g.demolition(day); err != nil {
				return err
			}
		}
	}
	if len(active) == 0 && (c.EnergyStrikes > 0 || c.Advances > 0) {
		active = []int{0}
		g.quiet = g.quiet[1:]
	}
	for range c.EnergyStrikes {
		if err := g.energyStrike(g.day0.AddDate(0, 0, active[g.r.IntN(len(active))])); err != nil {
			return err
		}
	}
	for range c.Advances {
		if err := g.advance(g.day0.AddDate(0, 0, active[g.r.IntN(len(active))])); err != nil {
			return err
		}
	}
	return nil
}

// at returns a random instant of day.
func (g *generator) at(day time.Time) time.Time { return g.atWith(g.r, day) }

// atWith returns a random instant of day drawn from r.
func (g *generator) atWith(r *rand.Rand, day time.Time) time.Time {
	return day.Add(time.Duration(r.Int64N(int64(24*time.Hour/time.Second))) * time.Second)
}

// add judges e under the simulator's reading of the agreement and
// records it.
func (g *generator) add(e *Event) *Event {
	e.InWindow = g.cfg.Window.Contains(e.Time)
	if e.InWindow {
		switch e.Kind {
		case truce.KindArtillery, truce.KindMLRS, truce.KindMortar, truce.KindSmallArms, truce.KindExplosion:
			if e.CrossesLine {
				e.Violation, e.Rule = true, "R1"
			}
		case truce.KindAirStrike, truce.KindDroneStrike, truce.KindMissileStrike:
			e.Violation, e.Rule = true, "R2"
		case truce.KindAdvance:
			if e.AreaKM2 >= 0.5 {
				e.Violation, e.Rule = true, "R3"
			}
		}
	}
	g.events = append(g.events, e)
	return e
}

func (g *generator) partyIndex(p string) int {
	if p == g.cfg.Parties[0] {
		return 0
	}
	return 1
}

// cross draws one fire event f by party near s metres along the line;
// the caller adds it.
func (g *generator) cross(f fire, party string, t time.Time, s, spread float64, sector int) (*Event, error) {
	return g.crossWith(g.r, f, party, t, s, spread, sector)
}

// crossWith is cross drawing from r.
func (g *generator) crossWith(r *rand.Rand, f fire, party string, t time.Time, s, spread float64, sector int) (*Event, error) {
	against := g.other(party)
	o, i, ok := g.line.pair(r, s, spread, party, against, f.back, f.beyond)
	if !ok {
		return nil, fmt.Errorf("simulate: cannot place %s by %s across the line near %.0f km along it", f.kind, party, s/1000)
	}
	pi := g.partyIndex(party)
	op := position(o)
	e := &Event{Kind: f.kind, Party: party, Against: against, Time: t, Origin: &op, Impact: position(i),
		WeaponClass: f.class, Weapon: f.weapon[pi], Target: f.target, Sector: sector, CrossesLine: true,
		Rounds: f.rounds[0] + r.IntN(f.rounds[1]-f.rounds[0]+1)}
	return e, nil
}

// duel draws fire one way across the line in a sector and, 5 to 40
// minutes later, fire back.
func (g *generator) duel(day time.Time) error {
	si := g.r.IntN(len(g.sectors))
	sec := g.sectors[si]
	f := []fire{artillery, artillery, mlrs, mortar}[g.r.IntN(4)]
	first := g.party(g.r.IntN(2))
	t := g.at(day)
	back := []fire{artillery, mlrs, mortar, f}[g.r.IntN(4)]
	delay := time.Duration(5+g.r.IntN(36)) * time.Minute
	var err error
	for range 20 { // some stretches (a river, a border) leave no room
		s := sec.at + (g.r.Float64()*2-1)*g.cfg.SectorHalfWidthM
		var e, r *Event
		if e, err = g.cross(f, first, t, s, 2000, si+1); err != nil {
			continue
		}
		if r, err = g.cross(back, g.other(first), t.Add(delay), s, 3000, si+1); err != nil {
			continue
		}
		g.add(e)
		g.add(r).returnOf = e
		return nil
	}
	return err
}

// strike draws a drone or missile strike deep across the line, anywhere
// along it.
func (g *generator) strike(day time.Time, f fire) error {
	party := g.party(g.r.IntN(2))
	t := g.at(day)
	var e *Event
	var err error
	for range 20 { // some stretches (a river, a border) leave no room
		if e, err = g.cross(f, party, t, g.r.Float64()*g.line.total, 5000, 0); err == nil {
			break
		}
	}
	if err != nil {
		return err
	}
	g.add(e)
	switch u := g.r.Float64(); {
	case u < 0.15:
		e.Target = truce.TargetCivilian
	case u < 0.25:
		e.Target = truce.TargetTransport
	}
	return nil
}

// demolition draws an explosion on a party's own ground in a sector: no
// fire across the line.
func (g *generator) demolition(day time.Time) error {
	si := g.r.IntN(len(g.sectors))
	party := g.party(g.r.IntN(2))
	at, ok := g.fixedPoint(g.sectors[si].at, party, [2]float64{1000, 10000})
	if !ok {
		return fmt.Errorf("simulate: no ground for an explosion by %s in sector %d", party, si+1)
	}
	g.add(&Event{Kind: truce.KindExplosion, Party: party, Against: g.other(party), Time: g.at(day), Impact: *at,
		Target: truce.TargetMilitary, Sector: si + 1})
	return nil
}

// energyStrike draws a missile or drone strike by the second party on a
// power station in the first party's ground, launched from the second
// party's ground beyond the nearest point of the line.
func (g *generator) energyStrike(day time.Time) error {
	attacker, victim := g.party(1), g.party(0)
	start := g.r.IntN(len(EnergySites))
	for k := range EnergySites {
		site := EnergySites[(start+k)%len(EnergySites)]
		if g.line.m.Holder(site.At) != victim {
			continue
		}
		loc := g.line.m.Locate(site.At)
		_, az, _ := geo.Inverse(site.At, loc.Nearest)
		f := missile
		f.class, f.weapon = truce.WeaponCruiseMissile, [2]string{"Neptune", "Kh-101"}
		if g.r.IntN(2) == 0 {
			f = drone
		}
		for range 20 {
			o, _ := geo.Direct(site.At, az+normal(g.r, 0, 10), loc.DistanceM+uniform(g.r, [2]float64{20000, 80000}))
			if g.line.m.Holder(o) != attacker {
				continue
			}
			op := position(o)
			g.add(&Event{Kind: f.kind, Party: attacker, Against: victim, Time: g.at(day), Origin: &op, Impact: position(site.At),
				WeaponClass: f.class, Weapon: f.weapon[1], Target: truce.TargetEnergy, Site: site.Name, CrossesLine: true,
				Rounds: 1 + g.r.IntN(4)})
			return nil
		}
	}
	return fmt.Errorf("simulate: no energy site in %s-held ground with a launch point in %s-held ground", victim, attacker)
}

// advance draws a small advance: a quadrilateral of about a square
// kilometre of one party's ground beside the line, taken by the other.
func (g *generator) advance(day time.Time) error {
	party := g.party(g.r.IntN(2))
	against := g.other(party)
	si := g.r.IntN(len(g.sectors))
	for range 60 {
		p, az := g.line.at(g.sectors[si].at + (g.r.Float64()*2-1)*g.cfg.SectorHalfWidthM)
		_, side, ok := g.line.across(p, az, against, 300)
		if !ok {
			continue
		}
		w, depth := uniform(g.r, [2]float64{1000, 1600}), uniform(g.r, [2]float64{700, 1100})
		base, _ := geo.Direct(p, side, 100)
		a, _ := geo.Direct(base, az, -w/2)
		b, _ := geo.Direct(base, az, w/2)
		c, _ := geo.Direct(b, side, depth)
		d, _ := geo.Direct(a, side, depth)
		mid, _ := geo.Direct(base, side, depth/2)
		ring := geo.Ring{a, b, c, d, a}
		if !allHeldBy(g, against, a, b, c, d, mid) {
			continue
		}
		area := geo.Polygon{ring}.Area() / 1e6
		e := &Event{Kind: truce.KindAdvance, Party: party, Against: against, Time: g.at(day), Impact: position(mid),
			AreaKM2: round(area, 1e3), Sector: si + 1, CrossesLine: true}
		for _, q := range ring {
			e.Area = append(e.Area, position(q))
		}
		g.add(e)
		return nil
	}
	return fmt.Errorf("simulate: cannot place an advance by %s in sector %d", party, si+1)
}

func allHeldBy(g *generator, party string, ps ...geo.Point) bool {
	for _, p := range ps {
		if g.line.m.Holder(p) != party {
			return false
		}
	}
	return true
}
