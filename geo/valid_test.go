package geo_test

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/geo"
)

// TestValidateDeepState checks every real snapshot: all are valid by GEOS
// (see the data README), and Validate agrees.
func TestValidateDeepState(t *testing.T) {
	t.Parallel()
	names, _ := filepath.Glob(filepath.Join(deepstateDir, "deepstatemap_data_*.geojson.gz"))
	if len(names) == 0 {
		t.Skip("no DeepState snapshots")
	}
	for _, n := range names {
		mp := readSnapshot(t, filepath.Base(n))
		if err := mp.Validate(); err != nil {
			t.Errorf("%s: %v", filepath.Base(n), err)
		}
	}
}

func TestValidate(t *testing.T) {
	square := geo.Ring{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}
	tests := []struct {
		name string
		mp   geo.MultiPolygon
		path string // "" if valid
		msg  string
	}{
		{"square", geo.MultiPolygon{{square}}, "", ""},
		{"square with a hole", geo.MultiPolygon{{square, {{2, 2}, {2, 4}, {4, 4}, {4, 2}, {2, 2}}}}, "", ""},
		{"hole touching the outer ring at a point", geo.MultiPolygon{{square, {{0, 5}, {3, 4}, {3, 6}, {0, 5}}}}, "", ""},
		{"repeated position", geo.MultiPolygon{{{{0, 0}, {10, 0}, {10, 0}, {10, 10}, {0, 0}}}}, "", ""},
		{"collinear vertex", geo.MultiPolygon{{{{0, 0}, {5, 0}, {10, 0}, {10, 10}, {0, 0}}}}, "", ""},
		{"two polygons touching at a point", geo.MultiPolygon{{square}, {{{10, 0}, {20, 0}, {20, 10}, {10, 0}}}}, "", ""},
		{"bow tie", geo.MultiPolygon{{{{0, 0}, {10, 10}, {10, 0}, {0, 10}, {0, 0}}}},
			"coordinates[0][0][0]", "crosses edge coordinates[0][0][2]"},
		{"hole crossing the outer ring", geo.MultiPolygon{{square, {{2, 2}, {12, 2}, {12, 4}, {2, 4}, {2, 2}}}},
			"coordinates[0][0][1]", "crosses edge coordinates[0][1][0]"},
		{"holes crossing", geo.MultiPolygon{{square, {{2, 2}, {2, 4}, {4, 4}, {4, 2}, {2, 2}}, {{3, 3}, {3, 5}, {5, 5}, {5, 3}, {3, 3}}}},
			"coordinates[0][1][1]", "crosses edge coordinates[0][2]"},
		{"spike", geo.MultiPolygon{{{{0, 0}, {10, 0}, {10, 10}, {10, 5}, {0, 10}, {0, 0}}}},
			"coordinates[0][0][1]", "overlaps edge coordinates[0][0][2]"},
		{"polygons overlapping", geo.MultiPolygon{{square}, {{{5, 5}, {15, 5}, {15, 15}, {5, 15}, {5, 5}}}},
			"coordinates[0][0][1]", "crosses edge coordinates[1][0][0]"},
		{"polygons sharing an edge stretch", geo.MultiPolygon{{square}, {{{10, 2}, {20, 2}, {20, 8}, {10, 8}, {10, 2}}}},
			"coordinates[0][0][1]", "overlaps edge coordinates[1][0][3]"},
		{"crossing deep in a ring", geo.MultiPolygon{{square}, {{{20, 0}, {21, 0}, {22, 0}, {23, 0}, {23, 3}, {21.5, -1}, {20, 3}, {20, 0}}}},
			"coordinates[1][0][1]", "crosses edge coordinates[1][0][4]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.mp.Validate()
			if tt.path == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				if len(tt.mp) == 1 {
					if err := tt.mp[0].Validate(); err != nil {
						t.Fatalf("Polygon.Validate: %v", err)
					}
				}
				return
			}
			var ce *geo.CoordError
			if !errors.As(err, &ce) {
				t.Fatalf("Validate = %v, want a CoordError", err)
			}
			if ce.Path != tt.path || !strings.Contains(ce.Message, tt.msg) {
				t.Errorf("Validate = %v, want path %s and %q", err, tt.path, tt.msg)
			}
			if len(tt.mp) == 1 {
				// A polygon names its rings without the polygon index.
				perr := tt.mp[0].Validate()
				want := strings.Replace(tt.path, "coordinates[0]", "coordinates", 1)
				if !errors.As(perr, &ce) || ce.Path != want {
					t.Errorf("Polygon.Validate = %v, want path %s", perr, want)
				}
			}
		})
	}
}

func ExampleMultiPolygon_Validate() {
	// Two squares, each valid, that overlap: DecodeMultiPolygon accepts
	// them, Validate does not.
	mp, err := geo.DecodeMultiPolygon([]byte(`{"type":"MultiPolygon","coordinates":[
		[[[0,0],[10,0],[10,10],[0,10],[0,0]]],
		[[[5,5],[15,5],[15,15],[5,15],[5,5]]]]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(mp.Validate())
	// Output: coordinates[0][0][1]: edge from [10 0] to [10 10] crosses edge coordinates[1][0][0] from [5 5] to [15 5]
}

func BenchmarkValidateDeepState(b *testing.B) {
	mp := readSnapshot(b, "deepstatemap_data_20250430.geojson.gz")
	for b.Loop() {
		if err := mp.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

// polygonFromBytes builds a polygon of up to 3 rings on a 16×16 grid of
// whole degrees from fuzz input, so that plain arithmetic is exact.
func polygonFromBytes(data []byte) geo.Polygon {
	var p geo.Polygon
	for len(data) > 0 && len(p) < 3 {
		n := 3 + int(data[0])%8
		data = data[1:]
		var r geo.Ring
		for len(r) < n && len(data) > 0 {
			r = append(r, geo.Point{float64(data[0] % 16), float64(data[0] / 16)})
			data = data[1:]
		}
		if len(r) < 3 {
			break
		}
		p = append(p, append(r, r[0]))
	}
	return p
}

// bruteValid is the rule of Validate tested on every pair of edges.
func bruteValid(p geo.Polygon) bool {
	type seg struct {
		a, b       geo.Point
		ring, k, n int
	}
	var segs []seg
	for j, r := range p {
		n := len(r) - 1
		for k := range n {
			if r[k] != r[k+1] {
				segs = append(segs, seg{r[k], r[k+1], j, k, n})
			}
		}
	}
	cross := func(o, a, b geo.Point) float64 {
		return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0])
	}
	sign := func(x float64) int {
		switch {
		case x > 0:
			return 1
		case x < 0:
			return -1
		}
		return 0
	}
	for i := range segs {
		for j := i + 1; j < len(segs); j++ {
			s, t := segs[i], segs[j]
			adj := s.ring == t.ring && (s.k-t.k == 1 || t.k-s.k == 1 || (s.k == 0 && t.k == s.n-1) || (t.k == 0 && s.k == s.n-1))
			o1, o2 := sign(cross(s.a, s.b, t.a)), sign(cross(s.a, s.b, t.b))
			if o1 == 0 && o2 == 0 {
				ax := 0
				if math.Abs(s.a[0]-s.b[0]) < math.Abs(s.a[1]-s.b[1]) {
					ax = 1
				}
				lo := max(min(s.a[ax], s.b[ax]), min(t.a[ax], t.b[ax]))
				hi := min(max(s.a[ax], s.b[ax]), max(t.a[ax], t.b[ax]))
				if hi > lo {
					return false
				}
				continue
			}
			if adj {
				continue
			}
			o3, o4 := sign(cross(t.a, t.b, s.a)), sign(cross(t.a, t.b, s.b))
			if o1*o2 < 0 && o3*o4 < 0 {
				return false
			}
		}
	}
	return true
}

func FuzzValidate(f *testing.F) {
	f.Add([]byte{1, 0x00, 0x0a, 0xaa, 0xa0})                            // square
	f.Add([]byte{1, 0x00, 0xaa, 0x0a, 0xa0})                            // bow tie
	f.Add([]byte{1, 0x00, 0x0a, 0xaa, 0xa0, 1, 0x22, 0x24, 0x44, 0x42}) // square with hole
	f.Add([]byte{2, 0x00, 0x0a, 0xaa, 0x5a, 0xa0})                      // spike
	f.Add([]byte{0, 0x00, 0x00, 0x11, 0x22})                            // repeated position
	f.Fuzz(func(t *testing.T, data []byte) {
		p := polygonFromBytes(data)
		err := p.Validate()
		if want := bruteValid(p); (err == nil) != want {
			t.Fatalf("Validate(%v) = %v, but pairwise check says valid = %v", p, err, want)
		}
		if err == nil {
			return
		}
		var ce *geo.CoordError
		if !errors.As(err, &ce) || !strings.HasPrefix(ce.Path, "coordinates[") {
			t.Fatalf("error %v is not a CoordError with a coordinates path", err)
		}
		// The multipolygon of one polygon agrees.
		if merr := (geo.MultiPolygon{p}).Validate(); merr == nil {
			t.Fatalf("MultiPolygon.Validate accepts what Polygon.Validate rejects: %v", err)
		}
	})
}

// BenchmarkValidateComb validates a comb of 100,000 vertices: 25,000 teeth
// side by side, so that every edge has neighbours in longitude.
func BenchmarkValidateComb(b *testing.B) {
	const teeth = 25000
	var r geo.Ring
	for i := range teeth {
		x := 30 + 10*float64(i)/teeth
		w := 10.0 / teeth / 2
		r = append(r, geo.Point{x, 45}, geo.Point{x, 50}, geo.Point{x + w, 50}, geo.Point{x + w, 45.1})
	}
	r = append(r, geo.Point{40, 45}, geo.Point{40, 44}, geo.Point{30, 44}, geo.Point{30, 45})
	p := geo.Polygon{r}
	for b.Loop() {
		if err := p.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}
