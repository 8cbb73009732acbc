package geo_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/geo"
)

// sightingOf returns the exact sighting of target from an observer.
func sightingOf(from, target geo.Point, σ float64) geo.Sighting {
	_, azi, _ := geo.Inverse(from, target)
	return geo.Sighting{From: from, Azimuth: azi, AzimuthSigma: σ}
}

func TestTriangulateExact(t *testing.T) {
	target := geo.Point{37.8, 48.1}
	tests := []struct {
		name string
		s    []geo.Sighting
	}{
		{"two bearings at right angles", []geo.Sighting{
			sightingOf(geo.Point{37.7, 48.1}, target, 2),
			sightingOf(geo.Point{37.8, 48.0}, target, 2),
		}},
		{"two bearings at 20°", []geo.Sighting{
			sightingOf(geo.Point{37.6, 48.0}, target, 1),
			sightingOf(geo.Point{37.65, 47.95}, target, 1),
		}},
		{"five bearings", []geo.Sighting{
			sightingOf(geo.Point{37.6, 48.0}, target, 1),
			sightingOf(geo.Point{37.9, 48.0}, target, 3),
			sightingOf(geo.Point{38.0, 48.2}, target, 5),
			sightingOf(geo.Point{37.7, 48.3}, target, 2),
			sightingOf(geo.Point{37.8, 47.95}, target, 4),
		}},
		{"one bearing with a distance", []geo.Sighting{func() geo.Sighting {
			s := sightingOf(geo.Point{37.7, 48.0}, target, 2)
			s.Distance, s.DistanceSigma = geo.Distance(s.From, target), 500
			return s
		}()}},
		{"a bearing and a bearing with a distance", []geo.Sighting{
			sightingOf(geo.Point{37.6, 48.0}, target, 1),
			func() geo.Sighting {
				s := sightingOf(geo.Point{37.9, 48.2}, target, 2)
				s.Distance, s.DistanceSigma = geo.Distance(s.From, target), 300
				return s
			}(),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := geo.Triangulate(tt.s)
			if err != nil {
				t.Fatalf("Triangulate: %v", err)
			}
			if d := geo.Distance(e.Point, target); d > 0.01 {
				t.Errorf("estimate %v is %.4f m from the target", e.Point, d)
			}
			if e.ChiSquare > 1e-8 {
				t.Errorf("ChiSquare = %g for exact sightings", e.ChiSquare)
			}
			if !e.Contains(target) {
				t.Errorf("ellipse %+v does not hold the target", e.Ellipse)
			}
			el := e.Ellipse
			if !(el.SemiMajor >= el.SemiMinor && el.SemiMinor > 0 && el.Orientation >= 0 && el.Orientation < 180 && el.Confidence == 0.95) {
				t.Errorf("ellipse %+v is malformed", el)
			}
		})
	}
}

// TestTriangulateEllipseShape checks the ellipse of two bearings that cross
// at a right angle, one from the west and one from the south, with the
// western bearing four times less precise: the ellipse is long north–south,
// and, the errors being small enough for the problem to be nearly linear,
// its axes are the bearings' errors at their ranges, times √5.991.
func TestTriangulateEllipseShape(t *testing.T) {
	target := geo.Point{37.8, 48.1}
	west, _ := geo.Direct(target, 270, 10000)
	south, _ := geo.Direct(target, 180, 10000)
	e, err := geo.Triangulate([]geo.Sighting{sightingOf(west, target, 0.4), sightingOf(south, target, 0.1)})
	if err != nil {
		t.Fatal(err)
	}
	k := math.Sqrt(5.991)
	wantMajor := 10000 * 0.4 * math.Pi / 180 * k
	wantMinor := 10000 * 0.1 * math.Pi / 180 * k
	el := e.Ellipse
	if math.Abs(el.SemiMajor-wantMajor) > 0.01*wantMajor || math.Abs(el.SemiMinor-wantMinor) > 0.01*wantMinor {
		t.Errorf("axes %.1f m and %.1f m, want about %.1f and %.1f", el.SemiMajor, el.SemiMinor, wantMajor, wantMinor)
	}
	if d := math.Min(el.Orientation, 180-el.Orientation); d > 0.5 {
		t.Errorf("orientation %.2f°, want north–south", el.Orientation)
	}
	// Points on the axes just inside and outside the ellipse.
	for _, c := range []struct {
		azi, dist float64
		in        bool
	}{
		{0, 0.99 * el.SemiMajor, true}, {180, 0.99 * el.SemiMajor, true}, {0, 1.01 * el.SemiMajor, false},
		{90, 0.99 * el.SemiMinor, true}, {270, 1.01 * el.SemiMinor, false}, {45, 0.99 * el.SemiMinor, true},
	} {
		q, _ := geo.Direct(e.Point, c.azi, c.dist)
		if e.Contains(q) != c.in {
			t.Errorf("Contains(%.0f m at %.0f°) = %v", c.dist, c.azi, !c.in)
		}
	}
}

// TestTriangulateCalibrated draws seeded noisy trials near the front: a
// target, two to five observers 2–20 km away at bearings at least 30°
// apart, each with its own σ of 1–5° and a normal error of that σ, and a
// quarter of them with a distance as well. The 95%
// ellipse must hold the target in at least 95% of trials, and not in
// nearly all of them (an ellipse too large is no ellipse).
func TestTriangulateCalibrated(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(2026, 3))
	trials := 2000
	if testing.Short() {
		trials = 300
	}
	hits, failed := 0, 0
	for trial := range trials {
		target := geo.Point{36 + 3*rng.Float64(), 47 + 2*rng.Float64()}
		n := 2 + rng.IntN(4)
		// Directions from the target, their lines at least 30° apart
		// (drawn afresh when the draw paints itself into a corner).
		var dirs []float64
		for tries := 0; len(dirs) < n; tries++ {
			if tries == 100 {
				dirs, tries = dirs[:0], 0
			}
			dir := 360 * rng.Float64()
			ok := true
			for _, d := range dirs {
				if a := math.Abs(math.Mod(dir-d+540, 360) - 180); a > 150 || a < 30 {
					ok = false
				}
			}
			if ok {
				dirs = append(dirs, dir)
			}
		}
		var s []geo.Sighting
		for _, dir := range dirs {
			from, _ := geo.Direct(target, dir, 2000+18000*rng.Float64())
			σ := 1 + 4*rng.Float64()
			v := sightingOf(from, target, σ)
			v.Azimuth += σ * rng.NormFloat64()
			if rng.IntN(4) == 0 { // a quarter also give a distance, ±5–15%
				d := geo.Distance(from, target)
				v.DistanceSigma = d * (0.05 + 0.1*rng.Float64())
				v.Distance = max(d+v.DistanceSigma*rng.NormFloat64(), 1)
			}
			s = append(s, v)
		}
		e, err := geo.Triangulate(s)
		if err != nil {
			failed++
			t.Logf("trial %d: %v", trial, err)
			continue
		}
		if e.Contains(target) {
			hits++
		}
	}
	rate := float64(hits) / float64(trials)
	t.Logf("%d of %d trials hold the target (%.2f%%); %d failed", hits, trials, 100*rate, failed)
	if rate < 0.95 || rate > 0.995 {
		t.Errorf("the 95%% ellipse holds the target in %.2f%% of trials, want 95–99.5%%", 100*rate)
	}
}

func TestTriangulateErrors(t *testing.T) {
	o := geo.Point{37, 48}
	good := geo.Sighting{From: o, Azimuth: 45, AzimuthSigma: 2}
	east, _ := geo.Direct(o, 90, 10000)
	tests := []struct {
		name      string
		s         []geo.Sighting
		sightings []int
		msg       string
	}{
		{"none", nil, nil, "no sightings"},
		{"one bearing", []geo.Sighting{good}, []int{0}, "single bearing"},
		{"bad position", []geo.Sighting{good, {From: geo.Point{37, 95}, Azimuth: 10, AzimuthSigma: 1}}, []int{1}, "latitude 95"},
		{"NaN azimuth", []geo.Sighting{good, {From: east, Azimuth: math.NaN(), AzimuthSigma: 1}}, []int{1}, "azimuth NaN"},
		{"no sigma", []geo.Sighting{good, {From: east, Azimuth: 10}}, []int{1}, "azimuth sigma 0"},
		{"negative distance", []geo.Sighting{{From: east, Azimuth: 10, AzimuthSigma: 1, Distance: -5, DistanceSigma: 1}}, []int{0}, "distance -5"},
		{"distance without sigma", []geo.Sighting{good, {From: east, Azimuth: 10, AzimuthSigma: 1, Distance: 500}}, []int{1}, "needs a distance sigma"},
		{"sigma without distance", []geo.Sighting{good, {From: east, Azimuth: 10, AzimuthSigma: 1, DistanceSigma: 5}}, []int{1}, "without a distance"},
		{"parallel", []geo.Sighting{{From: o, Azimuth: 0, AzimuthSigma: 1}, {From: east, Azimuth: 0, AzimuthSigma: 1}}, []int{0, 1}, "parallel"},
		{"diverging", []geo.Sighting{{From: o, Azimuth: 300, AzimuthSigma: 1}, {From: east, Azimuth: 60, AzimuthSigma: 1}}, []int{0, 1}, "do not meet in front"},
		{"meeting behind", []geo.Sighting{{From: o, Azimuth: 225, AzimuthSigma: 1}, {From: east, Azimuth: 135, AzimuthSigma: 1}}, []int{0, 1}, "do not meet in front"},
		{"three diverging", []geo.Sighting{
			{From: o, Azimuth: 270, AzimuthSigma: 1}, {From: east, Azimuth: 90, AzimuthSigma: 1},
			{From: geo.Point{37.07, 47.9}, Azimuth: 180, AzimuthSigma: 1},
		}, []int{0, 1, 2}, "sightings 0, 1, 2: no two bearings meet"},
		{"estimate behind the third", []geo.Sighting{
			{From: o, Azimuth: 45, AzimuthSigma: 1}, {From: east, Azimuth: 315, AzimuthSigma: 1},
			{From: geo.Point{37.07, 47.9}, Azimuth: 180, AzimuthSigma: 30},
		}, []int{2}, "behind the observer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := geo.Triangulate(tt.s)
			var te *geo.TriangulationError
			if !errors.As(err, &te) {
				t.Fatalf("Triangulate = %+v, %v; want a *TriangulationError", e, err)
			}
			if fmt.Sprint(te.Sightings) != fmt.Sprint(tt.sightings) {
				t.Errorf("error names sightings %v, want %v (%v)", te.Sightings, tt.sightings, err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not say %q", err, tt.msg)
			}
		})
	}
}

func ExampleTriangulate() {
	// Two monitors 10 km apart hear the same gun: one bearing 45°, the
	// other 315°, each ±2°.
	west := geo.Point{37.5, 48.0}
	east, _ := geo.Direct(west, 90, 10000)
	e, err := geo.Triangulate([]geo.Sighting{
		{From: west, Azimuth: 45, AzimuthSigma: 2},
		{From: east, Azimuth: 315, AzimuthSigma: 2},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	el := e.Ellipse
	fmt.Printf("[%.4f %.4f], 95%% ellipse %.0f m × %.0f m\n", e.Point.Lon(), e.Point.Lat(), el.SemiMajor, el.SemiMinor)
	// Output:
	// [37.5669 48.0449], 95% ellipse 645 m × 631 m
}
