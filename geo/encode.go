package geo

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Decimals is the number of decimal places of a degree that the encoders
// write: 1e-7° is at most 1.1 cm on the ground, below the accuracy of any
// source truce reads.
const Decimals = 7

// MarshalPoint returns the GeoJSON (RFC 7946) Point geometry of p, with
// coordinates rounded to Decimals places.
func MarshalPoint(p Point) (json.RawMessage, error) {
	b := []byte(`{"type":"Point","coordinates":`)
	b, err := appendPosition(b, p, "coordinates")
	if err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

// MarshalLineString returns the GeoJSON LineString geometry of l.
func MarshalLineString(l LineString) (json.RawMessage, error) {
	b := []byte(`{"type":"LineString","coordinates":`)
	b, err := appendPositions(b, l, "coordinates")
	if err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

// MarshalMultiLineString returns the GeoJSON MultiLineString geometry of m.
func MarshalMultiLineString(m MultiLineString) (json.RawMessage, error) {
	b := []byte(`{"type":"MultiLineString","coordinates":[`)
	for i, l := range m {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendPositions(b, l, fmt.Sprintf("coordinates[%d]", i)); err != nil {
			return nil, err
		}
	}
	return append(b, "]}"...), nil
}

// MarshalPolygon returns the GeoJSON Polygon geometry of p. As RFC 7946
// section 3.1.6 asks, the outer ring is written counter-clockwise and the
// holes clockwise, whatever their orientation in p, and every ring is
// closed.
func MarshalPolygon(p Polygon) (json.RawMessage, error) {
	b := []byte(`{"type":"Polygon","coordinates":`)
	b, err := appendPolygon(b, p, "coordinates")
	if err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

// MarshalMultiPolygon returns the GeoJSON MultiPolygon geometry of m, with
// rings oriented as by MarshalPolygon.
func MarshalMultiPolygon(m MultiPolygon) (json.RawMessage, error) {
	b := []byte(`{"type":"MultiPolygon","coordinates":[`)
	for i, p := range m {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendPolygon(b, p, fmt.Sprintf("coordinates[%d]", i)); err != nil {
			return nil, err
		}
	}
	return append(b, "]}"...), nil
}

func appendPolygon(b []byte, p Polygon, path string) ([]byte, error) {
	b = append(b, '[')
	for i, r := range p {
		if i > 0 {
			b = append(b, ',')
		}
		// Outer rings counter-clockwise (positive area), holes clockwise.
		reverse := (r.signedArea() < 0) == (i == 0)
		var err error
		if b, err = appendRing(b, r, reverse, fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return nil, err
		}
	}
	return append(b, ']'), nil
}

func appendRing(b []byte, r Ring, reverse bool, path string) ([]byte, error) {
	n := len(r)
	closed := n > 0 && r[0] == r[n-1]
	b = append(b, '[')
	for k := range n {
		i := k
		if reverse {
			i = n - 1 - k
		}
		if k > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendPosition(b, r[i], fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return nil, err
		}
	}
	if n > 0 && !closed {
		b = append(b, ',')
		first := r[0]
		if reverse {
			first = r[n-1]
		}
		b, _ = appendPosition(b, first, path)
	}
	return append(b, ']'), nil
}

func appendPositions(b []byte, pts []Point, path string) ([]byte, error) {
	b = append(b, '[')
	for i, p := range pts {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendPosition(b, p, fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return nil, err
		}
	}
	return append(b, ']'), nil
}

// appendPosition appends [lon,lat] rounded to Decimals places, or fails
// on a position that is not finite or out of range.
func appendPosition(b []byte, p Point, path string) ([]byte, error) {
	if err := checkPoint(p, path); err != nil {
		return nil, err
	}
	b = append(b, '[')
	b = appendDegrees(b, p[0])
	b = append(b, ',')
	b = appendDegrees(b, p[1])
	return append(b, ']'), nil
}

func appendDegrees(b []byte, x float64) []byte {
	const scale = 1e7 // 10^Decimals
	x = math.Round(x*scale) / scale
	if x == 0 {
		x = 0 // no "-0"
	}
	return strconv.AppendFloat(b, x, 'f', -1, 64)
}

// Feature is a GeoJSON Feature for output: a geometry, made by one of the
// Marshal functions, with properties.
type Feature struct {
	// ID, if not nil, is written as the feature's "id": a string or a
	// number.
	ID any
	// Geometry is a GeoJSON geometry object; nil is written as null.
	Geometry json.RawMessage
	// Properties is written as the feature's "properties"; nil is
	// written as null.
	Properties map[string]any
}

// MarshalJSON writes f as a GeoJSON Feature object.
func (f Feature) MarshalJSON() ([]byte, error) {
	out := struct {
		Type       string          `json:"type"`
		ID         any             `json:"id,omitempty"`
		Geometry   json.RawMessage `json:"geometry"`
		Properties map[string]any  `json:"properties"`
	}{"Feature", f.ID, f.Geometry, f.Properties}
	if out.Geometry == nil {
		out.Geometry = json.RawMessage("null")
	}
	return json.Marshal(out)
}

// FeatureCollection is a GeoJSON FeatureCollection for output.
type FeatureCollection struct {
	Features []Feature
}

// MarshalJSON writes c as a GeoJSON FeatureCollection object; no features
// are written as an empty array.
func (c FeatureCollection) MarshalJSON() ([]byte, error) {
	out := struct {
		Type     string    `json:"type"`
		Features []Feature `json:"features"`
	}{"FeatureCollection", c.Features}
	if out.Features == nil {
		out.Features = []Feature{}
	}
	return json.Marshal(out)
}
