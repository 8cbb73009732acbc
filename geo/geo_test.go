package geo_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/geo"
)

const (
	// Counter-clockwise (RFC 7946 right-hand rule) unit-ish square.
	sqCCW = `[[37,47],[38,47],[38,48],[37,48],[37,47]]`
	// The same square clockwise, as DeepState writes exteriors.
	sqCW = `[[37,47],[37,48],[38,48],[38,47],[37,47]]`
	// A small hole.
	hole = `[[37.2,47.2],[37.2,47.4],[37.4,47.4],[37.4,47.2],[37.2,47.2]]`
)

func polygonJSON(rings ...string) string {
	return `{"type":"Polygon","coordinates":[` + strings.Join(rings, ",") + `]}`
}

func TestDecodeMultiPolygonAccepts(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		polys int
		rings []int // rings per polygon
		first geo.Point
	}{
		{"Polygon", polygonJSON(sqCCW), 1, []int{1}, geo.Point{37, 47}},
		{"Polygon clockwise", polygonJSON(sqCW), 1, []int{1}, geo.Point{37, 47}},
		{"Polygon with hole", polygonJSON(sqCW, hole), 1, []int{2}, geo.Point{37, 47}},
		{"Polygon minimal ring", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`, 1, []int{1}, geo.Point{0, 0}},
		{"Polygon on the extremes", `{"type":"Polygon","coordinates":[[[-180,-90],[180,-90],[180,90],[-180,-90]]]}`, 1, []int{1}, geo.Point{-180, -90}},
		{"MultiPolygon", `{"type":"MultiPolygon","coordinates":[[` + sqCCW + `],[` + sqCW + `,` + hole + `]]}`, 2, []int{1, 2}, geo.Point{37, 47}},
		{"Feature", `{"type":"Feature","properties":{"name":"x"},"geometry":` + polygonJSON(sqCCW) + `}`, 1, []int{1}, geo.Point{37, 47}},
		{"Feature with MultiPolygon", `{"type":"Feature","properties":null,"geometry":{"type":"MultiPolygon","coordinates":[[` + sqCCW + `]]}}`, 1, []int{1}, geo.Point{37, 47}},
		{"one-feature FeatureCollection", `{"type":"FeatureCollection","name":"x","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[{"type":"Feature","properties":{},"geometry":` + polygonJSON(sqCW, hole) + `}]}`, 1, []int{2}, geo.Point{37, 47}},
		{"3-D positions", `{"type":"Polygon","coordinates":[[[37,47,100],[38,47,120.5],[38,48,0],[37,48,-3],[37,47,100]]]}`, 1, []int{1}, geo.Point{37, 47}},
		{"3-D closing position differs only in altitude", `{"type":"Polygon","coordinates":[[[37,47,1],[38,47,1],[38,48,1],[37,47,2]]]}`, 1, []int{1}, geo.Point{37, 47}},
		{"white space", "\n  { \"type\" : \"Polygon\",\n \"coordinates\" : [ " + sqCCW + " ] }\n", 1, []int{1}, geo.Point{37, 47}},
		{"extra members ignored", `{"type":"Polygon","bbox":[37,47,38,48],"coordinates":[` + sqCCW + `]}`, 1, []int{1}, geo.Point{37, 47}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mp, err := geo.DecodeMultiPolygon([]byte(tt.in))
			if err != nil {
				t.Fatalf("DecodeMultiPolygon: %v", err)
			}
			if len(mp) != tt.polys {
				t.Fatalf("%d polygons, want %d", len(mp), tt.polys)
			}
			for i, p := range mp {
				if len(p) != tt.rings[i] {
					t.Errorf("polygon %d: %d rings, want %d", i, len(p), tt.rings[i])
				}
			}
			if got := mp[0][0][0]; got != tt.first {
				t.Errorf("first point %v, want %v", got, tt.first)
			}
			if mp[0][0][0].Lon() != tt.first[0] || mp[0][0][0].Lat() != tt.first[1] {
				t.Errorf("Lon/Lat accessors wrong")
			}
		})
	}
}

func TestDecodeMultiPolygonOrientationPreserved(t *testing.T) {
	for _, ring := range []string{sqCCW, sqCW} {
		mp, err := geo.DecodeMultiPolygon([]byte(polygonJSON(ring)))
		if err != nil {
			t.Fatal(err)
		}
		// The second vertex tells the two orientations apart; it must be kept as given.
		want := geo.Point{38, 47}
		if ring == sqCW {
			want = geo.Point{37, 48}
		}
		if mp[0][0][1] != want {
			t.Errorf("ring %s: second vertex %v, want %v", ring, mp[0][0][1], want)
		}
	}
}

func TestDecodeMultiPolygonRejects(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		msg     string // the error must contain this
		coord   string // if set, the error must be a *geo.CoordError with this Path
		coordOK bool
	}{
		{"empty input", "", "empty geometry", "", false},
		{"blank input", " \n\t", "empty geometry", "", false},
		{"invalid JSON", `{"type":"Polygon",`, "not a GeoJSON object", "", false},
		{"JSON array", `[[1,2]]`, "not a GeoJSON object", "", false},
		{"JSON null", `null`, `missing "type"`, "", false},
		{"missing type", `{"coordinates":[` + sqCCW + `]}`, `missing "type"`, "", false},
		{"wrong type Point", `{"type":"Point","coordinates":[37,47]}`, `geometry type "Point": want Polygon or MultiPolygon`, "", false},
		{"wrong type LineString", `{"type":"LineString","coordinates":[[37,47],[38,48]]}`, `geometry type "LineString"`, "", false},
		{"GeometryCollection", `{"type":"GeometryCollection","geometries":[]}`, `geometry type "GeometryCollection"`, "", false},
		{"Feature without geometry", `{"type":"Feature","properties":{}}`, "feature has no geometry", "", false},
		{"Feature with null geometry", `{"type":"Feature","geometry":null}`, "feature has no geometry", "", false},
		{"FeatureCollection with 2 features", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":` + polygonJSON(sqCCW) + `},{"type":"Feature","geometry":` + polygonJSON(sqCW) + `}]}`, "exactly one feature here, found 2", "", false},
		{"FeatureCollection with no features", `{"type":"FeatureCollection","features":[]}`, "found 0", "", false},
		{"FeatureCollection with a bad feature", `{"type":"FeatureCollection","features":[{"type":"Feature"}]}`, "features[0]: feature has no geometry", "", false},
		{"FeatureCollection with a bad polygon", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0.5]]]}}]}`, "coordinates[0]: ring is not closed", "features[0].geometry.coordinates[0]", true},
		{"Feature with a bad position", `{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,91],[0,0]]]]}}`, "geometry.coordinates[0][0][2]: latitude 91", "geometry.coordinates[0][0][2]", true},
		{"self-intersecting ring", `{"type":"Polygon","coordinates":[[[0,0],[10,10],[10,0],[0,10],[0,0]]]}`, "coordinates[0][0]: edge from [0 0] to [10 10] crosses edge coordinates[0][2]", "coordinates[0][0]", true},
		{"hole crossing its outer ring", `{"type":"MultiPolygon","coordinates":[[` + sqCCW + `],[` + sqCCW + `,[[37.5,47.5],[38.5,47.5],[38.5,47.7],[37.5,47.7],[37.5,47.5]]]]}`, "coordinates[1][0][1]: edge from [38 47] to [38 48] crosses edge coordinates[1][1][0]", "coordinates[1][0][1]", true},
		{"self-intersection in a FeatureCollection", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[` + sqCCW + `,[[37.2,47.2],[37.4,47.4],[37.4,47.2],[37.2,47.4],[37.2,47.2]]]}}]}`, "features[0].geometry.coordinates[1][0]: edge", "features[0].geometry.coordinates[1][0]", true},
		{"missing coordinates", `{"type":"Polygon"}`, "Polygon coordinates", "", false},
		{"empty polygon", `{"type":"Polygon","coordinates":[]}`, "coordinates: polygon has no rings", "coordinates", true},
		{"null polygon", `{"type":"Polygon","coordinates":null}`, "polygon has no rings", "coordinates", true},
		{"empty MultiPolygon", `{"type":"MultiPolygon","coordinates":[]}`, "MultiPolygon has no polygons", "", false},
		{"MultiPolygon with an empty polygon", `{"type":"MultiPolygon","coordinates":[[` + sqCCW + `],[]]}`, "coordinates[1]: polygon has no rings", "coordinates[1]", true},
		{"empty ring", `{"type":"Polygon","coordinates":[[]]}`, "coordinates[0]: a ring needs at least 4 positions, found 0", "coordinates[0]", true},
		{"ring of 3 positions", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}`, "coordinates[0]: a ring needs at least 4 positions, found 3", "coordinates[0]", true},
		{"hole of 3 positions", `{"type":"MultiPolygon","coordinates":[[` + sqCCW + `,[[0,0],[1,0],[0,0]]]]}`, "coordinates[0][1]: a ring needs at least 4 positions, found 3", "coordinates[0][1]", true},
		{"unclosed ring", `{"type":"Polygon","coordinates":[[[37,47],[38,47],[38,48],[37,48]]]}`, "coordinates[0]: ring is not closed", "coordinates[0]", true},
		{"unclosed hole in MultiPolygon", `{"type":"MultiPolygon","coordinates":[[` + sqCCW + `],[` + sqCCW + `,[[37.2,47.2],[37.2,47.4],[37.4,47.4],[37.4,47.2]]]]}`, "coordinates[1][1]: ring is not closed", "coordinates[1][1]", true},
		{"longitude out of range in Polygon", `{"type":"Polygon","coordinates":[[[37,47],[38,47],[38,48],[200,48],[37,47]]]}`, "coordinates[0][3]: longitude 200 is out of range [-180, 180]", "coordinates[0][3]", true},
		{"longitude out of range in MultiPolygon", `{"type":"MultiPolygon","coordinates":[[` + sqCCW + `],[` + sqCCW + `,[[37.2,47.2],[37.2,47.4],[37.4,47.4],[200,47.2],[37.2,47.2]]]]}`, "coordinates[1][1][3]: longitude 200 is out of range", "coordinates[1][1][3]", true},
		{"the brief's example path", `{"type":"MultiPolygon","coordinates":[[` + sqCCW + `,[[37.2,47.2],[37.2,47.4],[37.4,47.4],[200,47.2],[37.2,47.2]]]]}`, "coordinates[0][1][3]: longitude 200 is out of range", "coordinates[0][1][3]", true},
		{"longitude -180.000001", `{"type":"Polygon","coordinates":[[[-180.000001,0],[1,0],[1,1],[-180.000001,0]]]}`, "coordinates[0][0]: longitude -180.000001 is out of range", "coordinates[0][0]", true},
		{"latitude out of range", `{"type":"Polygon","coordinates":[[[37,47],[38,91],[38,48],[37,47]]]}`, "coordinates[0][1]: latitude 91 is out of range [-90, 90]", "coordinates[0][1]", true},
		{"latitude -90.5", `{"type":"Polygon","coordinates":[[[37,-90.5],[38,47],[38,48],[37,-90.5]]]}`, "coordinates[0][0]: latitude -90.5 is out of range", "coordinates[0][0]", true},
		{"number too large for float64", `{"type":"Polygon","coordinates":[[[1e400,0],[1,0],[1,1],[1e400,0]]]}`, "Polygon coordinates", "", false},
		{"position of 1 number", `{"type":"Polygon","coordinates":[[[37],[38,47],[38,48],[37]]]}`, "a position has 2 or 3 numbers, found 1", "", false},
		{"position of 4 numbers", `{"type":"Polygon","coordinates":[[[37,47,0,0],[38,47],[38,48],[37,47,0,0]]]}`, "a position has 2 or 3 numbers, found 4", "", false},
		{"null position", `{"type":"Polygon","coordinates":[[null,[38,47],[38,48],[37,47]]]}`, "found 0", "", false},
		{"string coordinate", `{"type":"Polygon","coordinates":[[["37",47],[38,47],[38,48],["37",47]]]}`, "Polygon coordinates", "", false},
		{"wrong nesting: Polygon with MultiPolygon coordinates", `{"type":"Polygon","coordinates":[[` + sqCCW + `]]}`, "Polygon coordinates", "", false},
		{"wrong nesting: MultiPolygon with Polygon coordinates", `{"type":"MultiPolygon","coordinates":[` + sqCCW + `]}`, "MultiPolygon coordinates", "", false},
		{"wrong nesting: ring of numbers", `{"type":"Polygon","coordinates":[[37,47,38,48]]}`, "Polygon coordinates", "", false},
		{"wrong nesting: coordinates an object", `{"type":"Polygon","coordinates":{"a":1}}`, "wrong nesting: found a object", "", false},
		{"wrong nesting: coordinates a number", `{"type":"Polygon","coordinates":5}`, "wrong nesting: found a number", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mp, err := geo.DecodeMultiPolygon([]byte(tt.in))
			if err == nil {
				t.Fatalf("DecodeMultiPolygon(%s) = %v, want an error", tt.in, mp)
			}
			if mp != nil {
				t.Errorf("error with a non-nil result %v", mp)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
			var ce *geo.CoordError
			isCoord := errors.As(err, &ce)
			if tt.coordOK != isCoord {
				t.Errorf("CoordError = %v, want %v (err %v)", isCoord, tt.coordOK, err)
			}
			if isCoord && ce.Path != tt.coord {
				t.Errorf("CoordError.Path = %q, want %q", ce.Path, tt.coord)
			}
			if isCoord && ce.Error() != ce.Path+": "+ce.Message {
				t.Errorf("CoordError.Error() = %q", ce.Error())
			}
		})
	}
}

func TestDecodeLines(t *testing.T) {
	accept := []struct {
		name  string
		in    string
		lines []int // positions per line
	}{
		{"LineString", `{"type":"LineString","coordinates":[[37,47],[38,48]]}`, []int{2}},
		{"LineString 3-D", `{"type":"LineString","coordinates":[[37,47,5],[38,48,6],[39,48,7]]}`, []int{3}},
		{"MultiLineString", `{"type":"MultiLineString","coordinates":[[[37,47],[38,48]],[[30,40],[31,41],[32,42]]]}`, []int{2, 3}},
		{"Feature", `{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[37,47],[38,48]]}}`, []int{2}},
		{"one-feature FeatureCollection", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"MultiLineString","coordinates":[[[37,47],[38,48]]]}}]}`, []int{2}},
		{"extremes", `{"type":"LineString","coordinates":[[-180,-90],[180,90]]}`, []int{2}},
		{"repeated point", `{"type":"LineString","coordinates":[[37,47],[37,47]]}`, []int{2}},
	}
	for _, tt := range accept {
		t.Run("accept "+tt.name, func(t *testing.T) {
			ml, err := geo.DecodeLines([]byte(tt.in))
			if err != nil {
				t.Fatalf("DecodeLines: %v", err)
			}
			if len(ml) != len(tt.lines) {
				t.Fatalf("%d lines, want %d", len(ml), len(tt.lines))
			}
			for i, l := range ml {
				if len(l) != tt.lines[i] {
					t.Errorf("line %d: %d positions, want %d", i, len(l), tt.lines[i])
				}
			}
		})
	}
	ml, _ := geo.DecodeLines([]byte(`{"type":"LineString","coordinates":[[37.5,47.25,100],[38,48]]}`))
	if len(ml) != 1 || ml[0][0] != (geo.Point{37.5, 47.25}) {
		t.Errorf("LineString decoded as %v", ml)
	}

	reject := []struct {
		name  string
		in    string
		msg   string
		coord string // CoordError.Path, if a CoordError is expected
	}{
		{"empty input", "", "empty geometry", ""},
		{"invalid JSON", `{"type":`, "not a GeoJSON object", ""},
		{"missing type", `{"coordinates":[[37,47],[38,48]]}`, `missing "type"`, ""},
		{"wrong type Polygon", polygonJSON(sqCCW), `geometry type "Polygon": want LineString or MultiLineString`, ""},
		{"wrong type Point", `{"type":"Point","coordinates":[37,47]}`, `geometry type "Point"`, ""},
		{"FeatureCollection with 2 features", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[37,47],[38,48]]}},{"type":"Feature","geometry":{"type":"LineString","coordinates":[[37,47],[38,48]]}}]}`, "found 2", ""},
		{"LineString of one position", `{"type":"LineString","coordinates":[[37,47]]}`, "coordinates: a line needs at least 2 positions, found 1", "coordinates"},
		{"LineString empty", `{"type":"LineString","coordinates":[]}`, "coordinates: a line needs at least 2 positions, found 0", "coordinates"},
		{"LineString null", `{"type":"LineString","coordinates":null}`, "found 0", "coordinates"},
		{"MultiLineString empty", `{"type":"MultiLineString","coordinates":[]}`, "no lines", ""},
		{"MultiLineString short line", `{"type":"MultiLineString","coordinates":[[[37,47],[38,48]],[[1,1]]]}`, "coordinates[1]: a line needs at least 2 positions, found 1", "coordinates[1]"},
		{"LineString longitude out of range", `{"type":"LineString","coordinates":[[37,47],[-190,48]]}`, "coordinates[1]: longitude -190 is out of range", "coordinates[1]"},
		{"Feature longitude out of range", `{"type":"Feature","geometry":{"type":"LineString","coordinates":[[37,47],[-190,48]]}}`, "geometry.coordinates[1]: longitude -190 is out of range", "geometry.coordinates[1]"},
		{"FeatureCollection longitude out of range", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[37,47],[-190,48]]}}]}`, "features[0].geometry.coordinates[1]: longitude", "features[0].geometry.coordinates[1]"},
		{"MultiLineString latitude out of range", `{"type":"MultiLineString","coordinates":[[[37,47],[38,48]],[[1,1],[2,2],[3,95]]]}`, "coordinates[1][2]: latitude 95 is out of range", "coordinates[1][2]"},
		{"wrong nesting: LineString with MultiLineString coordinates", `{"type":"LineString","coordinates":[[[37,47],[38,48]]]}`, "LineString coordinates", ""},
		{"wrong nesting: MultiLineString with LineString coordinates", `{"type":"MultiLineString","coordinates":[[37,47],[38,48]]}`, "MultiLineString coordinates", ""},
		{"position of 4 numbers", `{"type":"LineString","coordinates":[[37,47,1,2],[38,48]]}`, "2 or 3 numbers, found 4", ""},
	}
	for _, tt := range reject {
		t.Run("reject "+tt.name, func(t *testing.T) {
			ml, err := geo.DecodeLines([]byte(tt.in))
			if err == nil {
				t.Fatalf("DecodeLines(%s) = %v, want an error", tt.in, ml)
			}
			if ml != nil {
				t.Errorf("error with a non-nil result %v", ml)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
			var ce *geo.CoordError
			if isCoord := errors.As(err, &ce); isCoord != (tt.coord != "") {
				t.Errorf("CoordError = %v, want %v (err %v)", isCoord, tt.coord != "", err)
			} else if isCoord && ce.Path != tt.coord {
				t.Errorf("CoordError.Path = %q, want %q", ce.Path, tt.coord)
			}
		})
	}
}

func TestCompactJSON(t *testing.T) {
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"already compact", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`, `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`, true},
		{"white space removed", "{ \"type\" : \"Polygon\",\n\t\"coordinates\" : [ [ [0, 0], [1, 0] ] ] }\n", `{"type":"Polygon","coordinates":[[[0,0],[1,0]]]}`, true},
		{"spaces inside strings kept", `{"name" : "a  b"}`, `{"name":"a  b"}`, true},
		{"numbers kept as written", `[1.0, 1e2, -0]`, `[1.0,1e2,-0]`, true},
		{"invalid JSON", `{"type":`, "", false},
		{"empty", ``, "", false},
		{"two values", `{} {}`, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := geo.CompactJSON([]byte(tt.in))
			if !tt.ok {
				if err == nil {
					t.Errorf("CompactJSON(%q) = %q, want an error", tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("CompactJSON: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("CompactJSON = %s, want %s", got, tt.want)
			}
			if again, _ := geo.CompactJSON(got); !bytes.Equal(again, got) {
				t.Errorf("CompactJSON not idempotent")
			}
		})
	}
}

// signedArea is the shoelace sum of a ring in degrees²: positive for
// counter-clockwise rings.
func signedArea(r geo.Ring) float64 {
	var s float64
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s / 2
}

func TestDecodeDeepStateSnapshot(t *testing.T) {
	const name = "deepstatemap_data_20250314.geojson.gz"
	mp := readSnapshot(t, name)
	rings, holes, vertices := 0, 0, 0
	for _, p := range mp {
		rings += len(p)
		holes += len(p) - 1
		for i, r := range p {
			vertices += len(r)
			if len(r) < 4 || r[0] != r[len(r)-1] {
				t.Errorf("ring with %d positions not closed", len(r))
			}
			// Per the data README, exteriors are clockwise and holes
			// counter-clockwise: DecodeMultiPolygon accepts that orientation.
			if a := signedArea(r); (i == 0) != (a < 0) {
				t.Errorf("ring %d has signed area %g", i, a)
			}
			for _, pt := range r {
				// The data covers occupied Ukraine: roughly 31–41° E, 44–52° N.
				if pt.Lon() < 31 || pt.Lon() > 41 || pt.Lat() < 44 || pt.Lat() > 52 {
					t.Fatalf("point %v outside Ukraine", pt)
				}
			}
		}
	}
	t.Logf("%d polygons, %d rings (%d holes), %d vertices", len(mp), rings, holes, vertices)
	if len(mp) < 5 || len(mp) > 8 {
		t.Errorf("%d polygons, want 5-8", len(mp))
	}
	if rings < len(mp) || rings > len(mp)+2 {
		t.Errorf("%d rings for %d polygons, want 1-2 holes in all", rings, len(mp))
	}
	if vertices < 2848 || vertices > 2948 {
		t.Errorf("%d vertices, want 2,848-2,948", vertices)
	}
	// The manifest gives the exact counts for this file.
	mf, err := os.Open(filepath.Join(deepstateDir, "MANIFEST.csv"))
	if err != nil {
		t.Logf("no manifest: %v", err)
		return
	}
	defer mf.Close()
	recs, err := csv.NewReader(mf).ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("manifest: %v", err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, rec := range recs[1:] {
		if rec[col["file"]] != name {
			continue
		}
		for _, c := range []struct {
			column string
			got    int
		}{{"polygons", len(mp)}, {"holes", holes}, {"vertices", vertices}} {
			want, err := strconv.Atoi(rec[col[c.column]])
			if err != nil {
				t.Fatalf("manifest %s: %v", c.column, err)
			}
			if c.got != want {
				t.Errorf("%s = %d, manifest says %d", c.column, c.got, want)
			}
		}
		return
	}
	t.Errorf("%s not in the manifest", name)
}

// checkPoints asserts that every decoded position is finite and in range.
func checkPoints(t *testing.T, pts []geo.Point) {
	t.Helper()
	for _, p := range pts {
		lon, lat := p.Lon(), p.Lat()
		if math.IsNaN(lon) || math.IsInf(lon, 0) || lon < -180 || lon > 180 ||
			math.IsNaN(lat) || math.IsInf(lat, 0) || lat < -90 || lat > 90 {
			t.Fatalf("decoded position %v out of range", p)
		}
	}
}

func FuzzDecodeMultiPolygon(f *testing.F) {
	f.Add([]byte(polygonJSON(sqCCW)))
	f.Add([]byte(polygonJSON(sqCW, hole)))
	f.Add([]byte(`{"type":"MultiPolygon","coordinates":[[` + sqCCW + `],[` + sqCW + `,` + hole + `]]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":` + polygonJSON(sqCCW) + `}]}`))
	f.Add([]byte(`{"type":"Polygon","coordinates":[[[37,47,1],[38,47,1],[38,48,1],[37,47,2]]]}`))
	f.Add([]byte(`{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}`))
	f.Add([]byte(`{"type":"Feature","geometry":null}`))
	f.Add([]byte(`{"type":"Polygon","coordinates":[[[0,0],[10,10],[10,0],[0,10],[0,0]]]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[1,1],[5,1],[5,2],[1,2],[1,1]]]}}]}`))
	f.Add([]byte(`null`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		mp, err := geo.DecodeMultiPolygon(data)
		if err != nil {
			if mp != nil {
				t.Errorf("error %v with a result", err)
			}
			return
		}
		if len(mp) == 0 {
			t.Fatalf("success with no polygons")
		}
		for _, p := range mp {
			if len(p) == 0 {
				t.Fatalf("success with a polygon of no rings")
			}
			if err := p.Validate(); err != nil {
				t.Fatalf("success with a self-intersecting polygon: %v", err)
			}
			for _, r := range p {
				if len(r) < 4 {
					t.Fatalf("ring of %d positions", len(r))
				}
				if r[0] != r[len(r)-1] {
					t.Fatalf("ring not closed: %v", r)
				}
				checkPoints(t, r)
			}
		}
	})
}

func FuzzDecodeLines(f *testing.F) {
	f.Add([]byte(`{"type":"LineString","coordinates":[[37,47],[38,48]]}`))
	f.Add([]byte(`{"type":"MultiLineString","coordinates":[[[37,47],[38,48]],[[30,40],[31,41,5]]]}`))
	f.Add([]byte(`{"type":"Feature","geometry":{"type":"LineString","coordinates":[[37,47],[38,48]]}}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[37,47],[38,48]]}}]}`))
	f.Add([]byte(`{"type":"LineString","coordinates":[[37,47]]}`))
	f.Add([]byte(`{"type":"MultiLineString","coordinates":[]}`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		ml, err := geo.DecodeLines(data)
		if err != nil {
			if ml != nil {
				t.Errorf("error %v with a result", err)
			}
			return
		}
		if len(ml) == 0 {
			t.Fatalf("success with no lines")
		}
		for _, l := range ml {
			if len(l) < 2 {
				t.Fatalf("line of %d positions", len(l))
			}
			checkPoints(t, l)
		}
	})
}
