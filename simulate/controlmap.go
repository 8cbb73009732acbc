package simulate

import (
	"fmt"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/control"
	"github.com/truce-monitor/truce/geo"
)

// controlMaps returns, for each advance in time order, the control map of
// the day after it: m's mapped holdings with the ground taken added to the
// advancing party's holding and cut from the other's (holdings the map
// derives are left to be derived again). Each is as of 03:00 UTC the next
// day, DeepState's hour, and carries the changes of the advances before
// it.
func (g *generator) controlMaps(m *control.Map) ([]*truce.ControlMap, error) {
	ground := map[string]geo.MultiPolygon{}
	var parties []string
	for _, h := range m.Holdings {
		if h.Derived {
			continue
		}
		mp := h.Mapped
		if mp == nil {
			mp = h.Ground
		}
		ground[h.Party] = mp
		parties = append(parties, h.Party)
	}
	var maps []*truce.ControlMap
	for _, e := range g.events {
		if e.Kind != truce.KindAdvance {
			continue
		}
		ring := make(geo.Ring, len(e.Area))
		for i, p := range e.Area {
			ring[i] = point(p)
		}
		quad := geo.MultiPolygon{{ring}}
		for _, p := range parties {
			var err error
			switch p {
			case e.Party:
				ground[p], err = control.Union(ground[p], quad)
			case e.Against:
				ground[p], err = control.Difference(ground[p], quad)
			}
			if err != nil {
				return nil, fmt.Errorf("simulate: advance %s: %v", e.ID, err)
			}
		}
		day := e.Time.Truncate(24*time.Hour).AddDate(0, 0, 1)
		cm := &truce.ControlMap{ID: fmt.Sprintf("sim%d-%s-%s", g.cfg.Seed, e.ID, day.Format(time.DateOnly)),
			Source: m.Source, AsOf: day.Add(3 * time.Hour)}
		for _, p := range parties {
			raw, err := geo.MarshalMultiPolygon(ground[p])
			if err != nil {
				return nil, fmt.Errorf("simulate: advance %s: %v", e.ID, err)
			}
			cm.Holdings = append(cm.Holdings, truce.Holding{Party: p, Geometry: raw})
		}
		maps = append(maps, cm)
	}
	return maps, nil
}
