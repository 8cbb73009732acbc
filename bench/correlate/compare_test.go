package main

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// column builds detections along the meridian 37°E, ys metres north of
// 48°N, all at one time in island 0, with truce's and PostGIS's clusters
// as given, and their projected coordinates ys scaled by scale.
func column(ys []float64, truce, pg []int32, scale float64) (*partitions, func() ([][2]float64, error)) {
	p := &partitions{
		ds: make([]detection, len(ys)), truce: truce, pg: pg,
		island: make([]int64, len(ys)), skip: make([]bool, len(ys)),
	}
	xy := make([][2]float64, len(ys))
	for i, y := range ys {
		p.ds[i] = detection{kind: "fire", t: 1e18, lon: 37, lat: 48 + y/metresPerDegree}
		xy[i] = [2]float64{0, y * scale}
	}
	return p, func() ([][2]float64, error) { return xy, nil }
}

func TestCompare(t *testing.T) {
	const epsM, epsT = 1500.0, int64(3 * 3600e9)
	for _, tc := range []struct {
		name        string
		ys          []float64
		truce, pg   []int32
		scale       float64
		minPts      int
		mismatches  int
		distance    int
		border      int
		unexplained int
		pairs       int // at the edge of eps
	}{
		{
			// Two trios joined by a pair 1,499 m apart, which the plane
			// (0.1% long) puts 1,500.5 m apart: PostGIS splits them.
			name:  "a pair at the edge of eps",
			ys:    []float64{0, 100, 200, 1699, 1799, 1899},
			truce: []int32{0, 0, 0, 0, 0, 0}, pg: []int32{0, 0, 0, 1, 1, 1},
			scale: 1.001, minPts: 3, mismatches: 6, distance: 6, pairs: 1,
		},
		{
			// A border point 1,400 m from a core point of each of two
			// clusters: truce puts it with the first (lower record), PostGIS
			// with the second.
			name:  "a border point within reach of two clusters",
			ys:    []float64{0, -300, -600, -900, 1400, 2800, 3100, 3400, 3700},
			truce: []int32{0, 0, 0, 0, 0, 1, 1, 1, 1}, pg: []int32{0, 0, 0, 0, 1, 1, 1, 1, 1},
			scale: 1, minPts: 4, mismatches: 9, border: 9,
		},
		{
			name:  "a split with no cause",
			ys:    []float64{0, 100, 200, 9000},
			truce: []int32{0, 0, 0, 1}, pg: []int32{0, 0, 2, 1},
			scale: 1, minPts: 3, mismatches: 3, unexplained: 3,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, xy := column(tc.ys, tc.truce, tc.pg, tc.scale)
			a, err := p.compare(p.agree(), xy, epsM, epsT, tc.minPts, 5)
			if err != nil {
				t.Fatal(err)
			}
			if a.Compared != len(tc.ys) || a.Mismatches != tc.mismatches || a.Groups != 1 ||
				a.ByMetric != tc.distance || a.ByBorder != tc.border || a.Unexplained != tc.unexplained {
				t.Errorf("got %+v; want %d compared, %d mismatches in 1 group: %d by distance, %d by a border point, %d unexplained",
					a, len(tc.ys), tc.mismatches, tc.distance, tc.border, tc.unexplained)
			}
			if len(a.Examples) != 1 || a.Examples[0].ID != 0 || a.Examples[0].GroupPoints != tc.mismatches || a.Examples[0].MetricPairs != tc.pairs {
				t.Errorf("examples %+v, want one for detection 0 with %d in its group and %d pairs at the edge", a.Examples, tc.mismatches, tc.pairs)
			}
		})
	}
}

func TestCompareAgrees(t *testing.T) {
	// The same partition under other labels; detection 4, left out (a hot
	// spot, or a wide island), is in neither.
	p, _ := column([]float64{0, 100, 200, 5000, 7000}, []int32{3, 3, 3, 7, -1}, []int32{0, 0, 0, 1, 2}, 1)
	p.skip[4] = true
	fail := func() ([][2]float64, error) { return nil, errors.New("read the projected points without a mismatch") }
	a, err := p.compare(p.agree(), fail, 1500, 1, 3, 5)
	if err != nil {
		t.Fatal(err)
	}
	if a.Compared != 4 || a.Mismatches != 0 || len(a.Examples) != 0 {
		t.Errorf("got %+v, want 4 compared and no mismatch", a)
	}
}

func TestBlockLabels(t *testing.T) {
	labels := []pgLabel{{0, 0}, {0, -1}, {1, 0}, {0, 0}, {1, -1}, {9, 9}}
	seen := []bool{true, true, true, true, true, false}
	got := blockLabels(labels, seen)
	want := []int32{0, 1, 2, 0, 3, -1}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("blockLabels = %v, want %v", got, want)
		}
	}
}

func TestChooseProjection(t *testing.T) {
	ds := []detection{{lon: 33, lat: 47}, {lon: 39, lat: 50}, {lon: 36, lat: 48}, {lon: 100, lat: 0, hot: true}}
	p := chooseProjection(ds)
	// The widest point is 3° from the centre at 47°N.
	b := math.Cos(47*math.Pi/180) * math.Sin(3*math.Pi/180)
	s := 1 / math.Sqrt(1-b*b)
	if p.Lon0 != 36 || math.Abs(p.K0*(1+s)-2) > 1e-15 || math.Abs(p.MaxScaleError-(s-1)/(s+1)) > 1e-15 {
		t.Errorf("got %+v, want lon_0 36, k_0 %v, scale error %v", p, 2/(1+s), (s-1)/(s+1))
	}
	if !strings.Contains(p.String(), "+proj=tmerc +lat_0=0 +lon_0=36 +k_0=0.99968") || !strings.Contains(p.String(), "+R=6371008.8 ") {
		t.Errorf("PROJ string %q", p)
	}
	if p := chooseProjection(nil); p.K0 != 1 || p.MaxScaleError != 0 {
		t.Errorf("projection of nothing: %+v", p)
	}
}

func TestDistance(t *testing.T) {
	// 1° of latitude; 1° of longitude on the equator; correlate's sphere.
	a, b, c := &detection{lon: 0, lat: 0}, &detection{lon: 0, lat: 1}, &detection{lon: 1, lat: 0}
	if d := distance(a, b); math.Abs(d-111195.08) > 0.01 {
		t.Errorf("1° of latitude: %v m", d)
	}
	if d := distance(a, c); math.Abs(d-111195.08) > 0.01 {
		t.Errorf("1° of longitude on the equator: %v m", d)
	}
}
