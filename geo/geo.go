// Package geo holds truce's geometry: points, rings, polygons and lines in
// WGS84 longitude/latitude degrees; geodesics on the WGS84 ellipsoid
// (distance, azimuths, the direct problem: a port of GeographicLib's
// algorithms by Charles Karney); geodesic areas; buffers; the geodesic
// distance from a point to lines, with a [LineIndex] for many queries;
// point-in-multipolygon tests with exact predicates and a prepared [Index];
// triangulation of bearings into an estimate with a confidence ellipse; and
// GeoJSON (RFC 7946) decoding and encoding, with validation that names the
// coordinate at fault.
//
// It is a leaf library: it imports the standard library and, for the
// polygon union of buffers, github.com/peterstace/simplefeatures, and no
// other truce package; every other truce package may import it.
package geo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
)

// Point is a position: longitude then latitude, in degrees.
type Point [2]float64

// Lon returns the longitude.
func (p Point) Lon() float64 { return p[0] }

// Lat returns the latitude.
func (p Point) Lat() float64 { return p[1] }

// Ring is a closed ring: its first and last points are equal.
type Ring []Point

// Polygon is an outer ring followed by its holes. Either orientation is
// accepted on input.
type Polygon []Ring

// MultiPolygon is a set of polygons.
type MultiPolygon []Polygon

// LineString is a path of two or more points.
type LineString []Point

// MultiLineString is a set of paths.
type MultiLineString []LineString

// geometry is the wire form of a GeoJSON geometry object.
type geometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// CoordError reports a bad coordinate or ring, with the path of indexes
// into the GeoJSON coordinates array ("coordinates[0][2][17]").
type CoordError struct {
	Path    string
	Message string
}

func (e *CoordError) Error() string { return e.Path + ": " + e.Message }

// decodeGeometry reads a GeoJSON geometry object, or the geometry of a
// Feature, or of the single Feature of a FeatureCollection. The prefix
// returned is the JSON path of the geometry object within data ("",
// "geometry." or "features[0].geometry."), for CoordError paths.
func decodeGeometry(data []byte) (g *geometry, prefix string, err error) {
	var obj struct {
		Type        string            `json:"type"`
		Coordinates json.RawMessage   `json:"coordinates"`
		Geometry    *geometry         `json:"geometry"`
		Features    []json.RawMessage `json:"features"`
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, "", fmt.Errorf("empty geometry")
	}
	if err := json.Unmarshal(data, &obj); err != nil {
		return nil, "", fmt.Errorf("not a GeoJSON object: %v", err)
	}
	switch obj.Type {
	case "Feature":
		if obj.Geometry == nil {
			return nil, "", fmt.Errorf("feature has no geometry")
		}
		return obj.Geometry, "geometry.", nil
	case "FeatureCollection":
		if len(obj.Features) != 1 {
			return nil, "", fmt.Errorf("a feature collection must hold exactly one feature here, found %d", len(obj.Features))
		}
		g, prefix, err := decodeGeometry(obj.Features[0])
		if err != nil {
			return nil, "", fmt.Errorf("features[0]: %v", err)
		}
		return g, "features[0]." + prefix, nil
	case "":
		return nil, "", fmt.Errorf("missing \"type\"")
	}
	return &geometry{Type: obj.Type, Coordinates: obj.Coordinates}, "", nil
}

// withPrefix prefixes the path of a CoordError with the path of the
// geometry within the document decoded.
func withPrefix(err error, prefix string) error {
	if ce, ok := err.(*CoordError); ok && prefix != "" {
		return &CoordError{prefix + ce.Path, ce.Message}
	}
	return err
}

// DecodeMultiPolygon reads a GeoJSON Polygon or MultiPolygon (bare, or as the
// geometry of a Feature or of a one-feature FeatureCollection) and checks it:
// every position finite and in range, every ring closed with at least four
// positions, and no two edges of one polygon crossing or overlapping (see
// Polygon.Validate; polygons may overlap each other). A Polygon becomes a
// MultiPolygon of one. A bad
// position or ring is reported as a *CoordError whose path starts at the
// document given ("features[0].geometry.coordinates[0][2][17]").
func DecodeMultiPolygon(data []byte) (MultiPolygon, error) {
	g, prefix, err := decodeGeometry(data)
	if err != nil {
		return nil, err
	}
	mp, err := decodeMultiPolygon(g)
	if err != nil {
		return nil, withPrefix(err, prefix)
	}
	return mp, nil
}

func decodeMultiPolygon(g *geometry) (MultiPolygon, error) {
	var mp MultiPolygon
	switch g.Type {
	case "Polygon":
		var p Polygon
		if err := json.Unmarshal(g.Coordinates, &p); err != nil {
			return nil, fmt.Errorf("Polygon coordinates: %v", shapeError(err))
		}
		if err := checkPolygon(p, "coordinates"); err != nil {
			return nil, err
		}
		if err := p.validate("coordinates"); err != nil {
			return nil, err
		}
		mp = MultiPolygon{p}
	case "MultiPolygon":
		if err := json.Unmarshal(g.Coordinates, &mp); err != nil {
			return nil, fmt.Errorf("MultiPolygon coordinates: %v", shapeError(err))
		}
		if len(mp) == 0 {
			return nil, fmt.Errorf("MultiPolygon has no polygons")
		}
		for i, p := range mp {
			if err := checkPolygon(p, fmt.Sprintf("coordinates[%d]", i)); err != nil {
				return nil, err
			}
		}
		for i, p := range mp {
			if err := p.validate(fmt.Sprintf("coordinates[%d]", i)); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("geometry type %q: want Polygon or MultiPolygon", g.Type)
	}
	return mp, nil
}

// DecodeLines reads a GeoJSON LineString or MultiLineString and checks every
// position. A LineString becomes a MultiLineString of one.
func DecodeLines(data []byte) (MultiLineString, error) {
	g, prefix, err := decodeGeometry(data)
	if err != nil {
		return nil, err
	}
	ml, err := decodeLines(g)
	if err != nil {
		return nil, withPrefix(err, prefix)
	}
	return ml, nil
}

func decodeLines(g *geometry) (MultiLineString, error) {
	var ml MultiLineString
	switch g.Type {
	case "LineString":
		var l LineString
		if err := json.Unmarshal(g.Coordinates, &l); err != nil {
			return nil, fmt.Errorf("LineString coordinates: %v", shapeError(err))
		}
		ml = MultiLineString{l}
	case "MultiLineString":
		if err := json.Unmarshal(g.Coordinates, &ml); err != nil {
			return nil, fmt.Errorf("MultiLineString coordinates: %v", shapeError(err))
		}
	default:
		return nil, fmt.Errorf("geometry type %q: want LineString or MultiLineString", g.Type)
	}
	if len(ml) == 0 {
		return nil, fmt.Errorf("no lines")
	}
	for i, l := range ml {
		path := "coordinates"
		if g.Type == "MultiLineString" {
			path = fmt.Sprintf("coordinates[%d]", i)
		}
		if len(l) < 2 {
			return nil, &CoordError{path, fmt.Sprintf("a line needs at least 2 positions, found %d", len(l))}
		}
		for j, p := range l {
			if err := checkPoint(p, fmt.Sprintf("%s[%d]", path, j)); err != nil {
				return nil, err
			}
		}
	}
	return ml, nil
}

func checkPolygon(p Polygon, path string) error {
	if len(p) == 0 {
		return &CoordError{path, "polygon has no rings"}
	}
	for i, r := range p {
		rp := fmt.Sprintf("%s[%d]", path, i)
		if len(r) < 4 {
			return &CoordError{rp, fmt.Sprintf("a ring needs at least 4 positions, found %d", len(r))}
		}
		for j, pt := range r {
			if err := checkPoint(pt, fmt.Sprintf("%s[%d]", rp, j)); err != nil {
				return err
			}
		}
		if r[0] != r[len(r)-1] {
			return &CoordError{rp, fmt.Sprintf("ring is not closed: first position %v differs from last %v", r[0], r[len(r)-1])}
		}
	}
	return nil
}

func checkPoint(p Point, path string) error {
	lon, lat := p[0], p[1]
	switch {
	case math.IsNaN(lon) || math.IsInf(lon, 0) || lon < -180 || lon > 180:
		return &CoordError{path, fmt.Sprintf("longitude %v is out of range [-180, 180]", lon)}
	case math.IsNaN(lat) || math.IsInf(lat, 0) || lat < -90 || lat > 90:
		return &CoordError{path, fmt.Sprintf("latitude %v is out of range [-90, 90]", lat)}
	}
	return nil
}

// UnmarshalJSON reads a position [lon, lat] or [lon, lat, alt]; the
// altitude is dropped.
func (p *Point) UnmarshalJSON(b []byte) error {
	var c []float64
	if err := json.Unmarshal(b, &c); err != nil {
		return err
	}
	if len(c) < 2 || len(c) > 3 {
		return fmt.Errorf("a position has 2 or 3 numbers, found %d", len(c))
	}
	*p = Point{c[0], c[1]}
	return nil
}

func shapeError(err error) error {
	if te, ok := err.(*json.UnmarshalTypeError); ok {
		return fmt.Errorf("wrong nesting: found a %s where an array of positions was expected", te.Value)
	}
	return err
}

// CompactJSON returns data with insignificant white space removed, so that
// equal geometries have equal bytes.
func CompactJSON(data []byte) (json.RawMessage, error) {
	var b bytes.Buffer
	if err := json.Compact(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
