package simulate

import (
	"fmt"
	"time"

	"github.com/peterstace/simplefeatures/geom"

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
	ground := map[string]geom.Geometry{}
	var parties []string
	for _, h := range m.Holdings {
		if h.Derived {
			continue
		}
		mp := h.Mapped
		if mp == nil {
			mp = h.Ground
		}
		ground[h.Party] = toSF(mp).AsGeometry()
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
		quad := toSF(geo.MultiPolygon{{ring}}).AsGeometry()
		for _, p := range parties {
			var err error
			switch p {
			case e.Party:
				ground[p], err = geom.Union(ground[p], quad)
			case e.Against:
				ground[p], err = geom.Difference(ground[p], quad)
			}
			if err != nil {
				return nil, fmt.Errorf("simulate: advance %s: %v", e.ID, err)
			}
		}
		day := e.Time.Truncate(24*time.Hour).AddDate(0, 0, 1)
		cm := &truce.ControlMap{ID: fmt.Sprintf("sim%d-%s-%s", g.cfg.Seed, e.ID, day.Format(time.DateOnly)),
			Source: m.Source, AsOf: day.Add(3 * time.Hour)}
		for _, p := range parties {
			raw, err := geo.MarshalMultiPolygon(fromSF(ground[p]))
			if err != nil {
				return nil, fmt.Errorf("simulate: advance %s: %v", e.ID, err)
			}
			cm.Holdings = append(cm.Holdings, truce.Holding{Party: p, Geometry: raw})
		}
		maps = append(maps, cm)
	}
	return maps, nil
}

// toSF converts mp to a simplefeatures multipolygon.
func toSF(mp geo.MultiPolygon) geom.MultiPolygon {
	polys := make([]geom.Polygon, 0, len(mp))
	for _, p := range mp {
		rings := make([]geom.LineString, 0, len(p))
		for _, r := range p {
			flat := make([]float64, 0, 2*len(r))
			for _, pt := range r {
				flat = append(flat, pt[0], pt[1])
			}
			rings = append(rings, geom.NewLineString(geom.NewSequence(flat, geom.DimXY)))
		}
		polys = append(polys, geom.NewPolygon(rings))
	}
	return geom.NewMultiPolygon(polys)
}

// fromSF returns the polygons of g, exterior rings counter-clockwise.
func fromSF(g geom.Geometry) geo.MultiPolygon {
	var out geo.MultiPolygon
	add := func(p geom.Polygon) {
		var poly geo.Polygon
		for _, ls := range append([]geom.LineString{p.ExteriorRing()}, interiors(p)...) {
			seq := ls.Coordinates()
			r := make(geo.Ring, seq.Length())
			for i := range r {
				xy := seq.GetXY(i)
				r[i] = geo.Point{xy.X, xy.Y}
			}
			poly = append(poly, r)
		}
		out = append(out, poly)
	}
	switch g.Type() {
	case geom.TypePolygon:
		p, _ := g.AsPolygon()
		add(p.ForceCCW())
	case geom.TypeMultiPolygon:
		mp, _ := g.AsMultiPolygon()
		mp = mp.ForceCCW()
		for i := 0; i < mp.NumPolygons(); i++ {
			add(mp.PolygonN(i))
		}
	case geom.TypeGeometryCollection:
		gc, _ := g.AsGeometryCollection()
		for i := 0; i < gc.NumGeometries(); i++ {
			out = append(out, fromSF(gc.GeometryN(i))...)
		}
	}
	return out
}

func interiors(p geom.Polygon) []geom.LineString {
	rs := make([]geom.LineString, p.NumInteriorRings())
	for i := range rs {
		rs[i] = p.InteriorRingN(i)
	}
	return rs
}
