package control

import (
	"encoding/json"
	"math"
	"time"

	"github.com/truce-monitor/truce/geo"
)

// The GeoJSON (RFC 7946) that maps and diffs encode to: geo's features in
// a collection that carries the maps it was made from as the foreign member
// "maps".

type collection struct {
	Type     string        `json:"type"`
	Maps     []mapRef      `json:"maps"`
	Features []geo.Feature `json:"features"`
}

type mapRef struct {
	ID     string    `json:"id"`
	Source string    `json:"source"`
	AsOf   time.Time `json:"as_of"`
}

func ref(m *Map) mapRef { return mapRef{ID: m.ID, Source: m.Source, AsOf: m.AsOf.UTC()} }

// km2 converts square metres to square kilometres rounded to 0.001 km².
func km2(m2 float64) float64 { return math.Round(m2/1e3) / 1e3 }

// GeoJSON encodes m as a FeatureCollection: one MultiPolygon feature per
// holding (properties party, derived, area_km2), one for the unknown
// ground (party "unknown"), and the line of contact as a MultiLineString
// (properties kind "line_of_contact", length_km, tolerance_m,
// min_length_m). Coordinates have geo.Decimals decimals.
func (m *Map) GeoJSON() ([]byte, error) {
	c := collection{Type: "FeatureCollection", Maps: []mapRef{ref(m)}}
	add := func(party string, derived bool, g geo.MultiPolygon) error {
		gj, err := geo.MarshalMultiPolygon(g)
		if err != nil {
			return err
		}
		c.Features = append(c.Features, geo.Feature{Geometry: gj,
			Properties: map[string]any{"party": party, "derived": derived, "area_km2": km2(g.Area())}})
		return nil
	}
	for _, h := range m.Holdings {
		if err := add(h.Party, h.Derived, h.Ground); err != nil {
			return nil, err
		}
	}
	if err := add(Unknown, true, m.Unknown); err != nil {
		return nil, err
	}
	f, err := m.lineFeature()
	if err != nil {
		return nil, err
	}
	c.Features = append(c.Features, f)
	return json.Marshal(c)
}

// LineGeoJSON encodes m's line of contact as a FeatureCollection of one
// MultiLineString feature.
func (m *Map) LineGeoJSON() ([]byte, error) {
	f, err := m.lineFeature()
	if err != nil {
		return nil, err
	}
	return json.Marshal(collection{Type: "FeatureCollection", Maps: []mapRef{ref(m)}, Features: []geo.Feature{f}})
}

func (m *Map) lineFeature() (geo.Feature, error) {
	gj, err := geo.MarshalMultiLineString(m.Line())
	if err != nil {
		return geo.Feature{}, err
	}
	return geo.Feature{Geometry: gj, Properties: map[string]any{
		"kind": "line_of_contact", "length_km": math.Round(m.LineLength()) / 1e3,
		"tolerance_m": m.opts.LineTolerance, "min_length_m": m.opts.MinLineLength}}, nil
}

// GeoJSON encodes d as a FeatureCollection of one Polygon feature per
// patch (properties party, change "gained" or "lost", area_km2, centroid,
// radius_m), with the foreign members "min_area_km2" and "changes": per
// party, the km² gained and lost, and those counted as noise.
func (d *Diff) GeoJSON() ([]byte, error) {
	type total struct {
		Party          string  `json:"party"`
		GainedKM2      float64 `json:"gained_km2"`
		LostKM2        float64 `json:"lost_km2"`
		Gained         int     `json:"gained_patches"`
		Lost           int     `json:"lost_patches"`
		NoiseGainedKM2 float64 `json:"noise_gained_km2"`
		NoiseLostKM2   float64 `json:"noise_lost_km2"`
	}
	out := struct {
		collection
		MinAreaKM2 float64 `json:"min_area_km2"`
		Changes    []total `json:"changes"`
	}{collection: collection{Type: "FeatureCollection", Maps: []mapRef{ref(d.From), ref(d.To)}, Features: []geo.Feature{}},
		MinAreaKM2: d.MinAreaM2 / 1e6, Changes: []total{}}
	for _, c := range d.Changes {
		out.Changes = append(out.Changes, total{c.Party, km2(c.GainedM2), km2(c.LostM2), len(c.Gained), len(c.Lost), km2(c.NoiseGainedM2), km2(c.NoiseLostM2)})
		for _, side := range []struct {
			name string
			ps   []Patch
		}{{"gained", c.Gained}, {"lost", c.Lost}} {
			for _, p := range side.ps {
				gj, err := geo.MarshalPolygon(p.Polygon)
				if err != nil {
					return nil, err
				}
				out.Features = append(out.Features, geo.Feature{Geometry: gj, Properties: map[string]any{
					"party": c.Party, "change": side.name, "area_km2": km2(p.AreaM2),
					"centroid": [2]float64{math.Round(p.Centroid[0]*1e6) / 1e6, math.Round(p.Centroid[1]*1e6) / 1e6},
					"radius_m": math.Round(p.RadiusM)}})
			}
		}
	}
	return json.Marshal(out)
}
