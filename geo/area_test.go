package geo_test

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/geo"
)

// plannedAreas reads testdata/deepstate_areas.txt: file name → area in m²
// by GeographicLib's Planimeter.
func plannedAreas(tb testing.TB) map[string]float64 {
	tb.Helper()
	f, err := os.Open("testdata/deepstate_areas.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	areas := map[string]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "#") {
			continue
		}
		name, area, ok := strings.Cut(sc.Text(), " ")
		a, err := strconv.ParseFloat(area, 64)
		if !ok || err != nil {
			tb.Fatalf("deepstate_areas.txt: bad line %q", sc.Text())
		}
		areas[name] = a
	}
	return areas
}

func TestAreaDeepState(t *testing.T) {
	t.Parallel()
	areas := plannedAreas(t)
	if len(areas) < 5 {
		t.Fatalf("%d expected areas, want at least 5", len(areas))
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range areas {
			if !yield(k) {
				return
			}
		}
	})
	var worst float64
	for _, name := range names {
		want := areas[name]
		mp := readSnapshot(t, name)
		got := mp.Area()
		rel := math.Abs(got-want) / want
		if rel > 1e-9 {
			t.Errorf("%s: area %.3f m², Planimeter %.3f m² (%.2g relative)", name, got, want, rel)
		}
		worst = max(worst, rel)
	}
	t.Logf("%d snapshots, largest relative difference from Planimeter -E: %.2g", len(names), worst)
}

func TestArea(t *testing.T) {
	// Expected values: GeographicLib 2.1.2, printf "lon lat\n..." |
	// Planimeter -E -w -p 9 (see testdata/README.md).
	tests := []struct {
		name string
		ring geo.Ring
		want float64
	}{
		{"1° square on the equator", geo.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}, 12308778361.4694},
		{"Kyiv box", geo.Ring{{30.4, 50.4}, {30.6, 50.4}, {30.6, 50.5}, {30.4, 50.5}, {30.4, 50.4}}, 158011528.6771},
		{"across the antimeridian", geo.Ring{{179.5, -16}, {-179.5, -16}, {-179.5, -17}, {179.5, -17}, {179.5, -16}}, 11815019730.2698},
		{"round the north pole", geo.Ring{{0, 80}, {90, 80}, {180, 80}, {-90, 80}, {0, 80}}, 2507270031169.8750},
		{"round the south pole", geo.Ring{{0, -89}, {120, -89}, {-120, -89}, {0, -89}}, 16207615128.3438},
		{"long edges", geo.Ring{{10, 0}, {60, 10}, {30, 50}, {10, 0}}, 14813219507681.6719},
		{"an eighth of the Earth", geo.Ring{{0, 0}, {179, 0}, {90, 60}, {0, 0}}, 84309876969045.6875},
		{"not closed", geo.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 1}}, 12308778361.4694},
		// Short edges (taken on the authalic sphere) near the poles and
		// round them.
		{"small box near the north pole", geo.Ring{{10, 89.9}, {10.05, 89.9}, {10.05, 89.95}, {10, 89.95}}, 40826.1066},
		{"small box in the south", geo.Ring{{-70, -60}, {-69.95, -60}, {-69.95, -60.05}, {-70, -60.05}}, 15530344.3828},
		// python3 -c 'for i in range(3600): print(round(-180+i*0.1,1), 89.9)'
		{"round the north pole in 0.1° steps", parallelRing(3600, 89.9, 0), 391930500.8438},
		// python3 -c 'for i in range(3600): print(round(-180+i*0.1,1), -45.5+0.03*(i%2))'
		{"zigzag round the south in 0.1° steps", parallelRing(3600, -45.5, 0.03), 73578105812475.0625},
		{"degenerate", geo.Ring{{0, 0}, {1, 1}, {0, 0}}, 0},
		{"one point", geo.Ring{{5, 5}}, 0},
		{"empty", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rev := slices.Clone(tt.ring)
			slices.Reverse(rev)
			for _, r := range []geo.Ring{tt.ring, rev} {
				got := r.Area()
				if math.Abs(got-tt.want) > 1e-9*tt.want+1e-6 {
					t.Errorf("Area(%v) = %.4f, want %.4f", r, got, tt.want)
				}
			}
		})
	}
}

// parallelRing returns the ring of n vertices at longitudes -180° + 360°i/n
// and latitude lat, plus zig at odd i.
func parallelRing(n int, lat, zig float64) geo.Ring {
	r := make(geo.Ring, n)
	for i := range r {
		lon := math.Round((-180+360*float64(i)/float64(n))*1e9) / 1e9
		r[i] = geo.Point{lon, lat + zig*float64(i%2)}
	}
	return r
}

func TestPolygonArea(t *testing.T) {
	outer := geo.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}
	hole := geo.Ring{{0.2, 0.2}, {0.2, 0.4}, {0.4, 0.4}, {0.4, 0.2}, {0.2, 0.2}}
	holeCCW := slices.Clone(hole)
	slices.Reverse(holeCCW)
	kyiv := geo.Ring{{30.4, 50.4}, {30.6, 50.4}, {30.6, 50.5}, {30.4, 50.5}, {30.4, 50.4}}
	a, h, k := outer.Area(), hole.Area(), kyiv.Area()
	tests := []struct {
		name string
		got  float64
		want float64
	}{
		{"hole clockwise", geo.Polygon{outer, hole}.Area(), a - h},
		{"hole counter-clockwise", geo.Polygon{outer, holeCCW}.Area(), a - h},
		{"two holes", geo.Polygon{outer, hole, holeCCW}.Area(), a - 2*h},
		{"empty polygon", geo.Polygon{}.Area(), 0},
		{"multipolygon", geo.MultiPolygon{{outer, hole}, {kyiv}}.Area(), a - h + k},
		{"empty multipolygon", geo.MultiPolygon{}.Area(), 0},
	}
	for _, tt := range tests {
		if math.Abs(tt.got-tt.want) > 1e-12*tt.want {
			t.Errorf("%s: area %.4f, want %.4f", tt.name, tt.got, tt.want)
		}
	}
	if h <= 0 || h >= a {
		t.Errorf("hole area %v against outer %v", h, a)
	}
}

func ExampleMultiPolygon_Area() {
	mp, err := geo.DecodeMultiPolygon([]byte(`{"type":"Polygon","coordinates":[
		[[37,47],[38,47],[38,48],[37,48],[37,47]],
		[[37.2,47.2],[37.2,47.4],[37.4,47.4],[37.4,47.2],[37.2,47.2]]]}`))
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.3f km²\n", mp.Area()/1e6)
	// Output: 8040.171 km²
}

// BenchmarkAreaDeepState measures the area of every DeepState snapshot, as
// the PostGIS comparison in bench/ does with ST_Area(geography).
func BenchmarkAreaDeepState(b *testing.B) {
	names, _ := filepath.Glob(filepath.Join(deepstateDir, "deepstatemap_data_*.geojson.gz"))
	if len(names) == 0 {
		b.Skip("no DeepState snapshots")
	}
	var snaps []geo.MultiPolygon
	vertices := 0
	for _, n := range names {
		mp := readSnapshot(b, filepath.Base(n))
		snaps = append(snaps, mp)
		for _, p := range mp {
			for _, r := range p {
				vertices += len(r)
			}
		}
	}
	b.ResetTimer()
	for b.Loop() {
		for _, mp := range snaps {
			mp.Area()
		}
	}
	perSnap := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(len(snaps))
	b.ReportMetric(perSnap/1e6, "ms/snapshot")
	b.ReportMetric(perSnap*float64(len(snaps))/float64(vertices), "ns/vertex")
}
