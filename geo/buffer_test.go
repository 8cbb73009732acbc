package geo_test

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/truce-monitor/truce/geo"
)

func TestBufferPoint(t *testing.T) {
	for _, tt := range []struct {
		center   geo.Point
		meters   float64
		segments int
	}{
		{geo.Point{37.8, 48.0}, 15000, 64},
		{geo.Point{0, 0}, 100, 8},
		{geo.Point{30.5, 50.45}, 500, 2}, // taken as 4
		{geo.Point{-70, -60}, 250000, 360},
	} {
		t.Run(fmt.Sprintf("%v %gm %d", tt.center, tt.meters, tt.segments), func(t *testing.T) {
			p := geo.BufferPoint(tt.center, tt.meters, tt.segments)
			n := max(tt.segments, 4)
			if len(p) != 1 || len(p[0]) != n+1 || p[0][0] != p[0][n] {
				t.Fatalf("got %d rings of %d positions, want 1 closed ring of %d", len(p), len(p[0]), n+1)
			}
			for i, q := range p[0] {
				if d := geo.Distance(tt.center, q); math.Abs(d-tt.meters) > 1e-6 {
					t.Errorf("vertex %d at %.9f m, want %g", i, d, tt.meters)
				}
			}
			if signedArea(p[0]) <= 0 {
				t.Errorf("ring is not counter-clockwise")
			}
			// An inscribed polygon: between the polygon's and the circle's area.
			area := p.Area()
			inscribed := float64(n) / 2 * tt.meters * tt.meters * math.Sin(2*math.Pi/float64(n))
			circle := math.Pi * tt.meters * tt.meters
			if area < inscribed*(1-1e-3) || area > circle {
				t.Errorf("area %.1f m², want between %.1f and %.1f", area, inscribed, circle)
			}
			if err := p.Validate(); err != nil {
				t.Error(err)
			}
		})
	}
}

// covers reports whether p lies inside the multipolygon by the even-odd
// rule in longitude and latitude.
func covers(mp geo.MultiPolygon, p geo.Point) bool {
	in := false
	for _, poly := range mp {
		for _, r := range poly {
			for i := 0; i+1 < len(r); i++ {
				a, b := r[i], r[i+1]
				if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < a[0]+(p[1]-a[1])*(b[0]-a[0])/(b[1]-a[1]) {
					in = !in
				}
			}
		}
	}
	return in
}

func TestBufferLine(t *testing.T) {
	const d = 10000.0
	tests := []struct {
		name string
		line geo.LineString
	}{
		{"one segment", geo.LineString{{37.0, 48.0}, {37.5, 48.2}}},
		{"a zigzag", geo.LineString{{37.0, 48.0}, {37.3, 48.3}, {37.35, 48.0}, {37.6, 48.4}, {37.2, 48.45}}},
		{"a line doubling back", geo.LineString{{36.0, 47.0}, {36.5, 47.0}, {36.2, 47.01}}},
		{"repeated positions", geo.LineString{{36.0, 47.0}, {36.0, 47.0}, {36.4, 47.2}, {36.4, 47.2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mp, err := geo.BufferLine(tt.line, d)
			if err != nil {
				t.Fatal(err)
			}
			if err := mp.Validate(); err != nil {
				t.Fatalf("buffer not valid: %v", err)
			}
			// Probe points beside every segment and round every vertex: inside
			// at 0.99 d, outside at 1.01 d (the error bound is 0.12%).
			for i := 0; i+1 < len(tt.line); i++ {
				a, b := tt.line[i], tt.line[i+1]
				if a == b {
					continue
				}
				s, azi, _ := geo.Inverse(a, b)
				for _, f := range []float64{0.1, 0.5, 0.9} {
					m, az := geo.Direct(a, azi, f*s)
					for _, side := range []float64{90, -90} {
						in, _ := geo.Direct(m, az+side, 0.99*d)
						if !covers(mp, in) {
							t.Errorf("segment %d: %v at 0.99 d beside it is not covered", i, in)
						}
					}
				}
			}
			for i, v := range tt.line {
				for az := 0.0; az < 360; az += 7.5 {
					in, _ := geo.Direct(v, az, 0.99*d)
					if !covers(mp, in) {
						t.Errorf("vertex %d: %v at 0.99 d, azimuth %g, is not covered", i, in, az)
					}
				}
			}
			// Every vertex of the outline is at least 0.99 d from the line
			// and never beyond d (probed against the line's vertices and
			// sampled points).
			var samples []geo.Point
			for i := 0; i+1 < len(tt.line); i++ {
				s, azi, _ := geo.Inverse(tt.line[i], tt.line[i+1])
				for k := 0; k <= 200; k++ {
					q, _ := geo.Direct(tt.line[i], azi, s*float64(k)/200)
					samples = append(samples, q)
				}
			}
			for _, poly := range mp {
				for _, r := range poly {
					for _, v := range r {
						near := math.Inf(1)
						for _, q := range samples {
							near = min(near, geo.Distance(v, q))
						}
						if near < 0.99*d || near > d*1.0001 {
							t.Errorf("outline vertex %v is %.1f m from the line, want about %g", v, near, d)
						}
					}
				}
			}
		})
	}
	// One straight segment: area close to 2dL + πd².
	line := geo.LineString{{37.0, 48.0}, {37.5, 48.2}}
	mp, err := geo.BufferLine(line, d)
	if err != nil {
		t.Fatal(err)
	}
	L := geo.Distance(line[0], line[1])
	want := 2*d*L + math.Pi*d*d
	if got := mp.Area(); math.Abs(got-want)/want > 3e-3 {
		t.Errorf("area %.0f m², want about %.0f", got, want)
	}
}

func TestBufferLineRejects(t *testing.T) {
	if _, err := geo.BufferLine(geo.LineString{{0, 0}, {1, 1}}, -5); err == nil {
		t.Error("negative distance accepted")
	}
	if _, err := geo.BufferLine(geo.LineString{{0, 0}, {1, 1}}, math.NaN()); err == nil {
		t.Error("NaN distance accepted")
	}
	if _, err := geo.BufferLine(nil, 5); err == nil {
		t.Error("empty line accepted")
	}
	_, err := geo.BufferLine(geo.LineString{{0, 0}, {1, 100}}, 5)
	var ce *geo.CoordError
	if !errors.As(err, &ce) || ce.Path != "coordinates[1]" {
		t.Errorf("bad latitude: %v, want a CoordError at coordinates[1]", err)
	}
	mp, err := geo.BufferLine(geo.LineString{{30, 50}, {30, 50}}, 1000)
	if err != nil || len(mp) != 1 || len(mp[0][0]) != 65 {
		t.Errorf("a line of one position: %v, %v; want a circle of 64 segments", mp, err)
	}
}

func ExampleBufferPoint() {
	zone := geo.BufferPoint(geo.Point{37.8, 48.0}, 15000, 128)
	fmt.Printf("%.1f km², π·15² = %.1f km²\n", zone.Area()/1e6, math.Pi*15*15)
	// Output: 706.6 km², π·15² = 706.9 km²
}

func BenchmarkBufferLine(b *testing.B) {
	line := geo.LineString{{37.0, 48.0}, {37.3, 48.3}, {37.35, 48.0}, {37.6, 48.4}, {37.2, 48.45}}
	for b.Loop() {
		if _, err := geo.BufferLine(line, 15000); err != nil {
			b.Fatal(err)
		}
	}
}
