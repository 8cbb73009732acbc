package control

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/truce-monitor/truce/geo"
)

//go:generate go run ./internal/boundarygen -in $WORLD_ATLAS/countries-10m.json -out boundaries/countries.geojson

// countriesGeoJSON is Natural Earth's admin-0 countries at 1:10m, as
// world-atlas 2.0.2 carries them, converted by internal/boundarygen:
// Ukraine within its internationally recognised boundary (Crimea and
// Sevastopol included) and its neighbours clipped to 12–50° E, 40–62° N.
//
//go:embed boundaries/countries.geojson
var countriesGeoJSON []byte

// Country is a state's territory.
type Country struct {
	// Code is the ISO 3166-1 alpha-2 code ("UA").
	Code string
	// Name is the English short name ("Ukraine").
	Name string
	// Ground is the territory.
	Ground geo.MultiPolygon
}

// Boundaries are the countries truce knows the territory of.
type Boundaries struct {
	// Countries are Ukraine first, then its neighbours.
	Countries []*Country
}

// Country returns the country whose ISO 3166-1 alpha-2 code is code, or
// nil.
func (b *Boundaries) Country(code string) *Country {
	for _, c := range b.Countries {
		if c.Code == code {
			return c
		}
	}
	return nil
}

var (
	naturalEarthOnce sync.Once
	naturalEarth     *Boundaries
	naturalEarthErr  error
)

// NaturalEarth returns the boundaries embedded in truce: Natural Earth's
// admin-0 countries at 1:10m (public domain), via the npm package
// world-atlas 2.0.2 (ISC licence), for Ukraine, Russia, Belarus, Moldova,
// Romania, Poland, Slovakia and Hungary. Ukraine's territory is its
// internationally recognised boundary: Natural Earth's default view draws
// Crimea and Sevastopol with Russia, and the conversion moves them back.
// Neighbours are clipped to 12–50° E, 40–62° N. The result is shared;
// callers must not modify it.
func NaturalEarth() (*Boundaries, error) {
	naturalEarthOnce.Do(func() {
		naturalEarth, naturalEarthErr = DecodeBoundaries(countriesGeoJSON)
	})
	return naturalEarth, naturalEarthErr
}

// DecodeBoundaries reads a GeoJSON FeatureCollection of countries: each
// feature has the properties "iso_a2" and "name" and a Polygon or
// MultiPolygon geometry. Errors name the feature and coordinate.
func DecodeBoundaries(data []byte) (*Boundaries, error) {
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Properties struct {
				ISOA2 string `json:"iso_a2"`
				Name  string `json:"name"`
			} `json:"properties"`
			Geometry json.RawMessage `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(data, &fc); err != nil {
		return nil, fmt.Errorf("boundaries: %v", err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, fmt.Errorf("boundaries: type %q: want FeatureCollection", fc.Type)
	}
	b := &Boundaries{}
	for i, f := range fc.Features {
		if f.Properties.ISOA2 == "" {
			return nil, fmt.Errorf("boundaries: features[%d].properties.iso_a2: required", i)
		}
		mp, err := geo.DecodeMultiPolygon(f.Geometry)
		if err != nil {
			return nil, fmt.Errorf("boundaries: features[%d].geometry: %v", i, err)
		}
		b.Countries = append(b.Countries, &Country{Code: f.Properties.ISOA2, Name: f.Properties.Name, Ground: mp})
	}
	return b, nil
}
