package geo_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/geo"
)

var updateEncode = flag.Bool("update-encode", false, "rewrite the golden files of the GeoJSON encoders in testdata/encode")

// golden compares got with testdata/encode/name, or rewrites the file
// with -update-encode.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "encode", name)
	if *updateEncode {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update-encode to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\ngot  %s\nwant %s", name, got, want)
	}
}

func TestMarshalGolden(t *testing.T) {
	cw := geo.Ring{{37, 47}, {37, 48}, {38, 48}, {38, 47}, {37, 47}}
	ccw := geo.Ring{{37, 47}, {38, 47}, {38, 48}, {37, 48}, {37, 47}}
	holeCCW := geo.Ring{{37.2, 47.2}, {37.4, 47.2}, {37.4, 47.4}, {37.2, 47.4}, {37.2, 47.2}}
	tests := []struct {
		name string
		f    func() (json.RawMessage, error)
	}{
		{"point.geojson", func() (json.RawMessage, error) { return geo.MarshalPoint(geo.Point{37.123456789, -0.00000001}) }},
		{"linestring.geojson", func() (json.RawMessage, error) {
			return geo.MarshalLineString(geo.LineString{{37.5, 47.25}, {38.000000049, 48.00000005}, {-180, 90}})
		}},
		{"multilinestring.geojson", func() (json.RawMessage, error) {
			return geo.MarshalMultiLineString(geo.MultiLineString{{{37, 47}, {38, 48}}, {{1e-9, 1}, {2, 2}}})
		}},
		// DeepState writes outer rings clockwise and holes counter-clockwise:
		// both come out the other way round.
		{"polygon-cw-outer.geojson", func() (json.RawMessage, error) { return geo.MarshalPolygon(geo.Polygon{cw, holeCCW}) }},
		{"polygon-ccw-outer.geojson", func() (json.RawMessage, error) { return geo.MarshalPolygon(geo.Polygon{ccw}) }},
		{"polygon-unclosed.geojson", func() (json.RawMessage, error) { return geo.MarshalPolygon(geo.Polygon{cw[:4]}) }},
		{"multipolygon.geojson", func() (json.RawMessage, error) {
			return geo.MarshalMultiPolygon(geo.MultiPolygon{{cw, holeCCW}, {{{179.5, -16}, {-179.5, -16}, {-179.5, -17}, {179.5, -17}, {179.5, -16}}}})
		}},
		{"feature-collection.geojson", func() (json.RawMessage, error) {
			pt, err := geo.MarshalPoint(geo.Point{37.5, 47.5})
			if err != nil {
				return nil, err
			}
			line, err := geo.MarshalLineString(geo.LineString{{37, 47}, {38, 48}})
			if err != nil {
				return nil, err
			}
			return json.Marshal(geo.FeatureCollection{Features: []geo.Feature{
				{ID: "p1", Geometry: pt, Properties: map[string]any{"holder": "RU", "distance_m": 1234.5}},
				{ID: 2, Geometry: line},
				{},
			}})
		}},
		{"feature-collection-empty.geojson", func() (json.RawMessage, error) { return json.Marshal(geo.FeatureCollection{}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.f()
			if err != nil {
				t.Fatal(err)
			}
			if !json.Valid(got) {
				t.Fatalf("invalid JSON: %s", got)
			}
			golden(t, tt.name, append(got, '\n'))
		})
	}
}

// TestMarshalOrientation checks RFC 7946's right-hand rule on the output
// and that decoding the output gives back the rounded input.
func TestMarshalOrientation(t *testing.T) {
	mp := readSnapshot(t, "deepstatemap_data_20250314.geojson.gz")
	data, err := geo.MarshalMultiPolygon(mp)
	if err != nil {
		t.Fatal(err)
	}
	back, err := geo.DecodeMultiPolygon(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(mp) {
		t.Fatalf("%d polygons back, want %d", len(back), len(mp))
	}
	for i, p := range back {
		for j, r := range p {
			if a := signedArea(r); (j == 0) != (a > 0) {
				t.Errorf("polygon %d ring %d: signed area %g, want outer rings counter-clockwise, holes clockwise", i, j, a)
			}
			if len(r) != len(mp[i][j]) {
				t.Fatalf("polygon %d ring %d: %d positions, want %d", i, j, len(r), len(mp[i][j]))
			}
			// The input ring was clockwise (outer) or counter-clockwise (hole):
			// the output is its reverse, rounded.
			n := len(r)
			for k := range r {
				in := mp[i][j][n-1-k]
				if math.Abs(r[k][0]-in[0]) > 0.5e-7 || math.Abs(r[k][1]-in[1]) > 0.5e-7 {
					t.Fatalf("polygon %d ring %d position %d: %v, want %v rounded", i, j, k, r[k], in)
				}
			}
		}
	}
	if rel := math.Abs(back.Area()-mp.Area()) / mp.Area(); rel > 1e-9 {
		t.Errorf("area changed by %.2g relative in the round trip", rel)
	}
}

func TestMarshalRejects(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		f    func() (json.RawMessage, error)
		path string
	}{
		{"NaN point", func() (json.RawMessage, error) { return geo.MarshalPoint(geo.Point{nan, 0}) }, "coordinates"},
		{"infinite latitude", func() (json.RawMessage, error) {
			return geo.MarshalLineString(geo.LineString{{0, 0}, {1, math.Inf(1)}})
		}, "coordinates[1]"},
		{"longitude out of range", func() (json.RawMessage, error) {
			return geo.MarshalMultiLineString(geo.MultiLineString{{{0, 0}, {1, 1}}, {{0, 0}, {181, 1}}})
		}, "coordinates[1][1]"},
		{"hole", func() (json.RawMessage, error) {
			return geo.MarshalPolygon(geo.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}, {{0.1, 0.1}, {0.2, 0.1}, {0.2, 95}, {0.1, 0.1}}})
		}, "coordinates[1][2]"},
		{"multipolygon", func() (json.RawMessage, error) {
			return geo.MarshalMultiPolygon(geo.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}, {{{0, 0}, {nan, 0}, {1, 1}, {0, 0}}}})
		}, "coordinates[1][0][1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.f()
			var ce *geo.CoordError
			if !errors.As(err, &ce) {
				t.Fatalf("got %s, %v; want a CoordError", got, err)
			}
			if ce.Path != tt.path {
				t.Errorf("path %q, want %q", ce.Path, tt.path)
			}
			if got != nil {
				t.Errorf("output %s with an error", got)
			}
		})
	}
}

func ExampleMarshalPolygon() {
	// A clockwise ring, as DeepState writes them, comes out counter-clockwise.
	data, err := geo.MarshalPolygon(geo.Polygon{{{37, 47}, {37, 48}, {38.123456789, 48}, {37, 47}}})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(data))
	// Output: {"type":"Polygon","coordinates":[[[37,47],[38.1234568,48],[37,48],[37,47]]]}
}

func ExampleFeatureCollection() {
	pt, _ := geo.MarshalPoint(geo.Point{37.5503, 47.962})
	fc := geo.FeatureCollection{Features: []geo.Feature{
		{Geometry: pt, Properties: map[string]any{"holder": "RU"}},
	}}
	out, _ := json.Marshal(fc)
	fmt.Println(strings.TrimSpace(string(out)))
	// Output: {"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[37.5503,47.962]},"properties":{"holder":"RU"}}]}
}

// FuzzMarshalMultiPolygon decodes, encodes and decodes again: what was
// accepted once is encoded without error, as valid JSON, with the same
// shape, positions within half a unit of the last decimal, outer rings
// counter-clockwise and holes clockwise. (Rounding may make two edges
// meet that were apart: then the second decode may reject a crossing.)
func FuzzMarshalMultiPolygon(f *testing.F) {
	f.Add([]byte(polygonJSON(sqCW, hole)))
	f.Add([]byte(`{"type":"MultiPolygon","coordinates":[[` + sqCCW + `],[` + sqCW + `,` + hole + `]]}`))
	f.Add([]byte(`{"type":"Polygon","coordinates":[[[179.5,-16],[-179.5,-16],[-179.5,-17],[179.5,-17],[179.5,-16]]]}`))
	f.Add([]byte(`{"type":"Polygon","coordinates":[[[0,0],[1e-8,0],[1e-8,1e-8],[0,0]]]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		mp, err := geo.DecodeMultiPolygon(data)
		if err != nil {
			return
		}
		out, err := geo.MarshalMultiPolygon(mp)
		if err != nil {
			t.Fatalf("MarshalMultiPolygon(%v): %v", mp, err)
		}
		if !json.Valid(out) {
			t.Fatalf("invalid JSON %s", out)
		}
		back, err := geo.DecodeMultiPolygon(out)
		if err != nil {
			if !strings.Contains(err.Error(), "crosses") && !strings.Contains(err.Error(), "overlaps") {
				t.Fatalf("re-decoding %s: %v", out, err)
			}
			return
		}
		if len(back) != len(mp) {
			t.Fatalf("%d polygons back, want %d", len(back), len(mp))
		}
		for i := range back {
			if len(back[i]) != len(mp[i]) {
				t.Fatalf("polygon %d: %d rings back, want %d", i, len(back[i]), len(mp[i]))
			}
			for j, r := range back[i] {
				if len(r) != len(mp[i][j]) {
					t.Fatalf("ring %d/%d: %d positions back, want %d", i, j, len(r), len(mp[i][j]))
				}
				// The ring comes back as it was or reversed, rounded.
				rev := slices.Clone(mp[i][j])
				slices.Reverse(rev)
				if !nearRing(r, mp[i][j]) && !nearRing(r, rev) {
					t.Fatalf("ring %d/%d: %v back from %v", i, j, r, mp[i][j])
				}
			}
		}
	})
}

// nearRing reports whether a and b have the same positions to within half
// a unit of the encoders' last decimal.
func nearRing(a, b geo.Ring) bool {
	const tol = 0.5e-7 + 1e-12
	for k := range a {
		if math.Abs(a[k][0]-b[k][0]) > tol || math.Abs(a[k][1]-b[k][1]) > tol {
			return false
		}
	}
	return true
}
