package simulate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/geo"
)

// pending is an observation before it is numbered, with its label.
type pending struct {
	o     *truce.Observation
	event *Event
	label Label
}

func (g *generator) emit(o *truce.Observation, src *Source, e *Event, lb Label) {
	o.Source, o.SourceRole, o.SourceParty = src.Name, src.Role, src.Party
	if e != nil {
		lb.Status = StatusTrue
	}
	g.obs = append(g.obs, pending{o: o, event: e, label: lb})
}

func (g *generator) source(name string) *Source {
	for _, s := range g.sources {
		if s.Name == name {
			return s
		}
	}
	panic("simulate: no source " + name)
}

// observe draws what every source reports, event by event in the order
// they were drawn, then the false detections and invented allegations.
func (g *generator) observe() {
	for _, e := range g.events {
		g.monitors(e)
		g.acoustic(e)
		g.satellite(e)
		g.allege(e)
	}
	g.falseFires()
	g.invent()
	g.fabricate()
	g.distort()
}

// bearingTo returns a noisy observer-form location of p seen from at.
func (g *generator) bearingTo(at truce.Position, p truce.Position, sigma float64, distSigmaFr float64) truce.Location {
	d, az, _ := geo.Inverse(point(at), point(p))
	bias := g.sourceBias(fmt.Sprintf("%.6f,%.6f", at.Lon, at.Lat))
	b := math.Mod(round(math.Mod(az+bias+normal(g.r, 0, sigma)+720, 360), 10), 360)
	obs := at
	loc := truce.Location{Observer: &obs, BearingDeg: &b, BearingErrorDeg: sigma}
	if distSigmaFr > 0 {
		dd := math.Max(50, round(d*(1+normal(g.r, 0, distSigmaFr)), 1))
		loc.DistanceM = &dd
		loc.DistanceErrorM = round(math.Max(50, d*distSigmaFr), 1)
	}
	return loc
}

// monitors: a post reports an event whose impact (or taken ground) lies
// in range, with bearing and distance, and the origin when that is in
// range too; to the minute, naming no culprit.
func (g *generator) monitors(e *Event) {
	c := g.cfg
	for _, src := range g.sources {
		if !g.postInRange(src, e.Impact) {
			continue
		}
		if g.r.Float64() >= c.MonitorDetectRate {
			continue
		}
		t := e.Time.Add(time.Duration(normal(g.r, 0, 20)) * time.Second).Truncate(time.Minute)
		o := &truce.Observation{Kind: e.Kind, ObservedAt: t, TimePrecision: truce.PrecisionMinute,
			Location:    g.bearingTo(*src.At, e.Impact, c.MonitorBearingSigma, c.MonitorDistanceSigmaFr),
			WeaponClass: e.WeaponClass, Lang: "en"}
		if e.Kind == truce.KindAdvance {
			o.TimePrecision = truce.PrecisionDay
			o.ObservedAt = e.Time.Truncate(24 * time.Hour)
			o.Text = "Positions seen to have changed hands."
		} else {
			o.Text = fmt.Sprintf("%s: impacts observed.", e.Kind)
			if e.Rounds > 0 {
				o.Counts = &truce.Counts{Rounds: max(1, int(math.Round(float64(e.Rounds)*(1+normal(g.r, 0, 0.2)))))}
			}
		}
		if e.Origin != nil && geo.Distance(point(*src.At), point(*e.Origin)) <= c.MonitorRangeM {
			origin := g.bearingTo(*src.At, *e.Origin, c.MonitorBearingSigma+1, c.MonitorDistanceSigmaFr*1.5)
			o.Origin = &origin
			o.Text = fmt.Sprintf("%s: outgoing fire and impacts observed.", e.Kind)
		}
		g.emit(o, src, e, Label{Part: "impact"})
	}
}

// acoustic: a sensor hears an impact within range, when its sound
// arrives, and files its bearing (no distance). When it also hears the
// launch of artillery, MLRS or mortar fire, it names the kind and gives
// the launch's bearing as the origin; otherwise it files an explosion. A
// launch heard without its impact is not filed: the observation's
// location is the impact.
func (g *generator) acoustic(e *Event) {
	if e.Kind == truce.KindAdvance {
		return
	}
	c := g.cfg
	launches := e.Origin != nil && (e.Kind == truce.KindArtillery || e.Kind == truce.KindMLRS || e.Kind == truce.KindMortar)
	for _, src := range g.sources {
		if src.Role != truce.RoleSensor || src.At == nil {
			continue
		}
		d := geo.Distance(point(*src.At), point(e.Impact))
		if d > c.SensorRangeM || g.r.Float64() >= c.SensorDetectRate {
			continue
		}
		t := e.Time.Add(time.Duration(d / 343 * float64(time.Second))).Truncate(time.Second)
		o := &truce.Observation{Kind: truce.KindExplosion, ObservedAt: t, TimePrecision: truce.PrecisionSecond,
			Location: g.bearingTo(*src.At, e.Impact, c.SensorBearingSigma, 0)}
		if launches && geo.Distance(point(*src.At), point(*e.Origin)) <= c.SensorRangeM && g.r.Float64() < c.SensorDetectRate {
			origin := g.bearingTo(*src.At, *e.Origin, c.SensorBearingSigma, 0)
			o.Kind, o.Origin = e.Kind, &origin
		}
		g.emit(o, src, e, Label{Part: "impact"})
	}
}

// overpasses returns the satellite's passes over the front on day: about
// 11:00 and 23:00 UTC (01:30 and 13:30 local solar time).
func (g *generator) overpasses(day time.Time) []time.Time {
	return []time.Time{
		day.Add(11*time.Hour + time.Duration(g.r.IntN(61)-30)*time.Minute),
		day.Add(23*time.Hour + time.Duration(g.r.IntN(61)-30)*time.Minute),
	}
}

// fireFor returns how an event's impact burns: whether it ignites and
// for how long.
func fireFor(e *Event) (rate float64, burn time.Duration) {
	switch {
	case e.Target == truce.TargetEnergy:
		return 1, 30 * time.Hour
	case e.Kind == truce.KindArtillery:
		return artillery.igniteRate, artillery.burn
	case e.Kind == truce.KindMLRS:
		return mlrs.igniteRate, mlrs.burn
	case e.Kind == truce.KindMortar:
		return mortar.igniteRate, mortar.burn
	case e.Kind == truce.KindDroneStrike:
		return drone.igniteRate, drone.burn
	case e.Kind == truce.KindMissileStrike:
		return missile.igniteRate, missile.burn
	case e.Kind == truce.KindExplosion:
		return 0.3, 2 * time.Hour
	}
	return 0, 0
}

// satellite: a fire the impact starts is detected at each overpass while
// it burns, unless missed, within the pixel of its position.
func (g *generator) satellite(e *Event) {
	rate, burn := fireFor(e)
	if rate == 0 || g.r.Float64() >= rate {
		return
	}
	src := g.source(satName)
	day := e.Time.Truncate(24 * time.Hour)
	for d := 0; d <= int(burn/(24*time.Hour))+1; d++ {
		for _, t := range g.overpasses(day.AddDate(0, 0, d)) {
			if t.Before(e.Time) || t.After(e.Time.Add(burn)) || g.r.Float64() < g.cfg.SatMissRate {
				continue
			}
			g.emit(g.fireAt(t, point(e.Impact)), src, e, Label{Part: "impact"})
		}
	}
}

// fireAt returns a fire detection at t displaced from p within the
// position error.
func (g *generator) fireAt(t time.Time, p geo.Point) *truce.Observation {
	return g.fireAtWith(g.r, t, p)
}

// fireAtWith is fireAt drawing from r.
func (g *generator) fireAtWith(r *rand.Rand, t time.Time, p geo.Point) *truce.Observation {
	q, _ := geo.Direct(p, r.Float64()*360, g.cfg.SatPositionErrM*math.Sqrt(r.Float64()))
	pos := position(q)
	return &truce.Observation{Kind: truce.KindFire, ObservedAt: t.Truncate(time.Minute), TimePrecision: truce.PrecisionMinute,
		Location: truce.Location{Lon: &pos.Lon, Lat: &pos.Lat, UncertaintyM: g.cfg.SatPositionErrM}}
}

// falseFires: detections of nothing the scenario did, anywhere within
// the sectors, and the persistent hot spots at every night pass.
func (g *generator) falseFires() {
	c := g.cfg
	src := g.source(satName)
	var spots []geo.Point
	for i := range c.SatHotSpots {
		sec := g.sectors[i%len(g.sectors)]
		if at, ok := g.fixedPoint(sec.at, g.party(0), [2]float64{15000, 30000}); ok {
			spots = append(spots, point(*at))
		}
	}
	for d := range c.Days {
		day := g.day0.AddDate(0, 0, d)
		passes := g.overpasses(day)
		for range poisson(g.r, c.SatFalsePerDay) {
			sec := g.sectors[g.r.IntN(len(g.sectors))]
			p, az := g.line.at(sec.at + (g.r.Float64()*2-1)*c.SectorHalfWidthM)
			q, _ := geo.Direct(p, az+90+180*float64(g.r.IntN(2)), uniform(g.r, [2]float64{500, 30000}))
			g.emit(g.fireAt(passes[g.r.IntN(2)], q), src, nil, Label{Status: StatusFalsePositive})
		}
		for _, s := range spots {
			if g.r.Float64() < 0.8 {
				g.emit(g.fireAt(passes[1], s), src, nil, Label{Status: StatusFalsePositive, Note: "hot_spot"})
			}
		}
	}
}

// allege: the party an act was against reports it, to the hour, near
// where it landed, with counts multiplied; a party never reports its own
// acts.
func (g *generator) allege(e *Event) {
	c := g.cfg
	if e.Kind == truce.KindExplosion && !e.CrossesLine {
		return // a party's own explosion: nobody complains
	}
	rate := c.AllegeRate
	if e.Sector == 0 {
		rate = c.AllegeDeepRate
	}
	if g.r.Float64() >= rate {
		return
	}
	src := g.source(liaisonName(e.Against))
	q, _ := geo.Direct(point(e.Impact), g.r.Float64()*360, math.Abs(normal(g.r, 0, 1500)))
	pos := position(q)
	o := &truce.Observation{Kind: e.Kind, ObservedAt: e.Time.Truncate(time.Hour), TimePrecision: truce.PrecisionHour,
		Location:    truce.Location{Lon: &pos.Lon, Lat: &pos.Lat, UncertaintyM: 3000},
		WeaponClass: e.WeaponClass, Weapon: e.Weapon, Target: e.Target, BlamedParty: e.Party, Lang: "en",
		Text: fmt.Sprintf("%s by %s against %s.", e.Kind, e.Party, e.Against)}
	if e.Kind == truce.KindAdvance {
		o.ObservedAt, o.TimePrecision = e.Time.Truncate(24*time.Hour), truce.PrecisionDay
	}
	if e.Rounds > 0 {
		n := int(math.Ceil(float64(e.Rounds) * uniform(g.r, c.Exaggeration)))
		if e.Kind == truce.KindDroneStrike || e.Kind == truce.KindMissileStrike {
			o.Counts = &truce.Counts{Launched: n}
		} else {
			o.Counts = &truce.Counts{Rounds: n}
		}
	}
	if e.Target == truce.TargetMilitary && g.r.Float64() < 0.5 {
		o.Target = truce.TargetCivilian // the victim says it hit homes
	}
	g.emit(o, src, e, Label{Part: "impact"})
	g.allegeMore(o, e)
	g.visit(e)
}

// patrolName is the source of the monitors' site visits.
const patrolName = "sim-patrol"

// postInRange reports whether src is a monitors' post within range of p.
func (g *generator) postInRange(src *Source, p truce.Position) bool {
	return src.Role == truce.RoleMonitor && src.At != nil && geo.Distance(point(*src.At), point(p)) <= g.cfg.MonitorRangeM
}

// visit: when no post could see an alleged act, the monitors' patrol may
// visit the site and report the damage it finds there.
func (g *generator) visit(e *Event) {
	c := g.cfg
	if e.Kind == truce.KindAdvance {
		return
	}
	if slices.ContainsFunc(g.sources, func(src *Source) bool { return g.postInRange(src, e.Impact) }) {
		return
	}
	if g.r.Float64() >= c.VisitRate {
		return
	}
	q, _ := geo.Direct(point(e.Impact), g.r.Float64()*360, math.Abs(normal(g.r, 0, 100)))
	pos := position(q)
	o := &truce.Observation{Kind: e.Kind, ObservedAt: e.Time.Truncate(time.Hour), TimePrecision: truce.PrecisionHour,
		Location: truce.Location{Lon: &pos.Lon, Lat: &pos.Lat, UncertaintyM: 200},
		Target:   e.Target, Lang: "en",
		Text: fmt.Sprintf("Site visit: damage from %s; time from witnesses.", e.Kind)}
	if g.r.Float64() < 0.8 {
		o.WeaponClass = e.WeaponClass // the fragments show it
	}
	g.emit(o, g.source(patrolName), e, Label{Part: "impact"})
}

// invent: each party files allegations of acts that never happened, on
// its own ground near a sector, blaming the other.
func (g *generator) invent() {
	c := g.cfg
	for d := range c.Days {
		day := g.day0.AddDate(0, 0, d)
		for pi := range 2 {
			victim := g.party(pi)
			for range poisson(g.r, c.InventedPerDay) {
				sec := g.sectors[g.r.IntN(len(g.sectors))]
				at, ok := g.fixedPoint(sec.at, victim, [2]float64{1000, 8000})
				if !ok {
					continue
				}
				f := []fire{artillery, mlrs, drone}[g.r.IntN(3)]
				o := &truce.Observation{Kind: f.kind, ObservedAt: g.at(day).Truncate(time.Hour), TimePrecision: truce.PrecisionHour,
					Location:    truce.Location{Lon: &at.Lon, Lat: &at.Lat, UncertaintyM: 3000},
					WeaponClass: f.class, Target: truce.TargetCivilian, BlamedParty: g.other(victim), Lang: "en",
					Counts: &truce.Counts{Rounds: 5 + g.r.IntN(30)},
					Text:   fmt.Sprintf("%s by %s against %s.", f.kind, g.other(victim), victim)}
				if f.kind == truce.KindDroneStrike {
					o.Counts = &truce.Counts{Launched: 1 + g.r.IntN(5)}
				}
				g.emit(o, g.source(liaisonName(victim)), nil, Label{Status: StatusInvented})
			}
		}
	}
}
