package geo_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/truce-monitor/truce/geo"
)

// denseNearest samples the geodesic segment ab densely with Direct: 2,000
// even steps, then 2,000 steps across the best sample's neighbours, and so on
// until the steps are below 10 µm, and returns the least distance from p found and the distance along ab where
// it lies.
func denseNearest(p, a, b geo.Point) (meters, along float64) {
	length, azi, _ := geo.Inverse(a, b)
	meters = math.Inf(1)
	sample := func(lo, hi float64) {
		const n = 2000
		for i := range n + 1 {
			s := lo + (hi-lo)*float64(i)/n
			q, _ := geo.Direct(a, azi, s)
			if d := geo.Distance(p, q); d < meters {
				meters, along = d, s
			}
		}
	}
	sample(0, length)
	for step := length / 2000; step > 1e-5; step /= 1000 {
		sample(max(along-step, 0), min(along+step, length))
	}
	return meters, along
}

func TestDistanceToLineDense(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 9))
	trials := 200
	if testing.Short() {
		trials = 40
	}
	for trial := range trials {
		a := geo.Point{35 + 4*rng.Float64(), 46 + 4*rng.Float64()}
		length := 500 + 19500*rng.Float64()
		b, _ := geo.Direct(a, 360*rng.Float64(), length)
		var p geo.Point
		switch trial % 10 {
		case 0: // on the segment
			p, _ = geo.Direct(a, mustAzimuth(a, b), length*rng.Float64())
		case 1: // beyond an end
			p, _ = geo.Direct(b, mustAzimuth(a, b)+60*(rng.Float64()-0.5), 5000*rng.Float64())
		default:
			p, _ = geo.Direct(a, 360*rng.Float64(), 30000*rng.Float64())
		}
		got, q := geo.DistanceToLine(p, geo.LineString{a, b})
		want, _ := denseNearest(p, a, b)
		// The true minimum is at most the least sample, and the
		// samples, micrometres apart near it, come within 1 mm of it.
		if got > want+1e-6 || want-got > 1e-3 {
			t.Errorf("trial %d: DistanceToLine(%v, [%v %v]) = %.6f m, dense sampling %.6f m", trial, p, a, b, got, want)
		}
		// The nearest point is on the segment and at the stated distance.
		if d := geo.Distance(p, q); math.Abs(d-got) > 1e-9 {
			t.Errorf("trial %d: distance to the nearest point %v is %.9f m, DistanceToLine says %.9f m", trial, q, d, got)
		}
		if off := geo.Distance(a, q) + geo.Distance(q, b) - length; off > 1e-6 {
			t.Errorf("trial %d: nearest point %v is %g m off the segment", trial, q, off)
		}
	}
}

func mustAzimuth(a, b geo.Point) float64 {
	_, azi, _ := geo.Inverse(a, b)
	return azi
}

func TestDistanceToLineTable(t *testing.T) {
	meridian := geo.LineString{{37, 47}, {37, 48}}
	tests := []struct {
		name        string
		p           geo.Point
		l           geo.LineString
		wantMeters  float64
		wantNearest geo.Point
		tol         float64
	}{
		{"empty line", geo.Point{37, 47}, nil, math.Inf(1), geo.Point{}, 0},
		{"one point", geo.Point{37, 47}, geo.LineString{{37, 48}}, geo.Distance(geo.Point{37, 47}, geo.Point{37, 48}), geo.Point{37, 48}, 0},
		{"on a vertex", geo.Point{37, 48}, geo.LineString{{37, 47}, {37, 48}, {38, 48}}, 0, geo.Point{37, 48}, 1e-9},
		{"past the south end", geo.Point{37, 46}, meridian, geo.Distance(geo.Point{37, 46}, geo.Point{37, 47}), geo.Point{37, 47}, 1e-9},
		{"past the north end", geo.Point{37.01, 49}, meridian, geo.Distance(geo.Point{37.01, 49}, geo.Point{37, 48}), geo.Point{37, 48}, 1e-9},
		{"second segment nearer", geo.Point{37.5, 48.1}, geo.LineString{{37, 47}, {37, 48}, {38, 48}}, -1, geo.Point{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, q := geo.DistanceToLine(tt.p, tt.l)
			if tt.wantMeters < 0 {
				// Only the second segment can hold the answer.
				want, _ := geo.DistanceToLine(tt.p, tt.l[1:])
				if got != want {
					t.Errorf("DistanceToLine = %v, the second segment alone gives %v", got, want)
				}
				return
			}
			if !(math.Abs(got-tt.wantMeters) <= tt.tol) && got != tt.wantMeters {
				t.Errorf("DistanceToLine = %.9f m, want %.9f m", got, tt.wantMeters)
			}
			if geo.Distance(q, tt.wantNearest) > 1e-6 && !math.IsInf(got, 1) || math.IsInf(got, 1) && q != tt.wantNearest {
				t.Errorf("nearest point %v, want %v", q, tt.wantNearest)
			}
		})
	}
}

// TestDistanceToLineMidMeridian checks a case with a closed form: the
// nearest point of a meridian to a point due east of its middle is where the
// geodesic to it leaves the meridian at a right angle.
func TestDistanceToLinePerpendicular(t *testing.T) {
	l := geo.LineString{{37, 47}, {37, 48}}
	p := geo.Point{37.2, 47.5}
	d, q := geo.DistanceToLine(p, l)
	_, azi, _ := geo.Inverse(q, p)
	if math.Abs(math.Abs(azi)-90) > 1e-7 {
		t.Errorf("geodesic to the nearest point %v leaves at azimuth %v, want ±90", q, azi)
	}
	if q.Lon() != 37 && math.Abs(q.Lon()-37) > 1e-12 {
		t.Errorf("nearest point %v is off the meridian", q)
	}
	if d < 15000 || d > 15200 {
		t.Errorf("distance %v m; 0.2° of longitude at 47.5° N is about 15.1 km", d)
	}
}

// bruteDistance returns the least distance from p to the lines of ml,
// asking DistanceToLine about one segment at a time so that its own pruning
// of segments plays no part.
func bruteDistance(p geo.Point, ml geo.MultiLineString) float64 {
	least := math.Inf(1)
	for _, l := range ml {
		for i := range max(len(l)-1, 1) {
			if d, _ := geo.DistanceToLine(p, l[i:min(i+2, len(l))]); d < least {
				least = d
			}
		}
	}
	return least
}

func TestLineIndexMatchesBruteForce(t *testing.T) {
	t.Parallel()
	m, ml := frontLines(t)
	li := geo.NewLineIndex(ml)
	rng := rand.New(rand.NewPCG(8, 2))
	pts := nearFront(m, 60, 3)
	for range 20 { // and some far from everything
		pts = append(pts, geo.Point{30 + 12*rng.Float64(), 43 + 9*rng.Float64()})
	}
	if testing.Short() {
		pts = pts[:15]
	}
	for i, p := range pts {
		got, q := li.Distance(p)
		want := bruteDistance(p, ml)
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("point %d %v: LineIndex.Distance = %.9f m, brute force %.9f m", i, p, got, want)
		}
		if d := geo.Distance(p, q); math.Abs(d-got) > 1e-9 {
			t.Errorf("point %d: nearest point %v is %.9f m away, Distance says %.9f", i, q, d, got)
		}
	}
}

// TestLineIndexAwkwardPlaces puts lines across the antimeridian, over a
// pole and along the equator, and checks the index against brute force.
func TestLineIndexAwkwardPlaces(t *testing.T) {
	ml := geo.MultiLineString{
		{{179.5, 10}, {-179.5, 10.5}, {-178, 11}}, // crosses the antimeridian eastward
		{{-179.8, -20}, {179.8, -20.3}},           // and westward
		{{10, 89.5}, {-170, 89.5}},                // over the North Pole
		{{40, 0}, {41, 0}, {42, 0.001}},           // along the equator
		{{-60, -70}, {-50, -70}},                  // a long east-west segment that bulges poleward
		{{100, 30}},                               // a single point
		{{5, 5}, {5, 5}, {5.5, 5.5}},              // a repeated point
	}
	li := geo.NewLineIndex(ml)
	rng := rand.New(rand.NewPCG(4, 4))
	var pts []geo.Point
	for _, l := range ml {
		for range 25 {
			v := l[rng.IntN(len(l))]
			pts = append(pts, geo.Point{
				math.Mod(v.Lon()+4*(rng.Float64()-0.5)+540, 360) - 180,
				max(min(v.Lat()+2*(rng.Float64()-0.5), 90), -90),
			})
		}
	}
	// The south side of the long segment at 70° S: its middle lies south
	// of both ends, so a point just beyond the ends' latitude is near it.
	pts = append(pts, geo.Point{-55, -70.1}, geo.Point{-55, -69.9})
	for i, p := range pts {
		got, _ := li.Distance(p)
		want := bruteDistance(p, ml)
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("point %d %v: LineIndex.Distance = %.9f m, brute force %.9f m", i, p, got, want)
		}
	}
}

func TestLineIndexNotFinite(t *testing.T) {
	li := geo.NewLineIndex(geo.MultiLineString{{{37, 47}, {38, 48}}})
	for _, p := range []geo.Point{{math.NaN(), 47}, {math.Inf(1), 47}, {37, math.Inf(-1)}} {
		if d, q := li.Distance(p); !math.IsNaN(d) || q != (geo.Point{}) {
			t.Errorf("Distance(%v) = %v, %v; want NaN and the zero point", p, d, q)
		}
	}
}

func TestLineIndexEmpty(t *testing.T) {
	d, q := geo.NewLineIndex(nil).Distance(geo.Point{1, 2})
	if !math.IsInf(d, 1) || q != (geo.Point{}) {
		t.Errorf("empty LineIndex: Distance = %v, %v; want +Inf and the zero point", d, q)
	}
}

func ExampleDistanceToLine() {
	line := geo.LineString{{37, 47}, {37, 48}, {38, 48}}
	d, q := geo.DistanceToLine(geo.Point{37.5, 47.5}, line)
	fmt.Printf("%.1f m to [%.4f %.4f]\n", d, q.Lon(), q.Lat())
	// Output:
	// 37671.5 m to [37.0000 47.5011]
}
