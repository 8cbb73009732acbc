package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/control"
	"github.com/truce-monitor/truce/geo"
)

// topo builds a quantized TopoJSON (scale 0.01°, origin 20° E, 40° N) with
// a MultiPolygon per id: one single-ring polygon per ring given, in degrees.
func topo(rings map[string][][][2]float64) []byte {
	var arcs []string
	var geoms []string
	for _, c := range countries {
		rs, ok := rings[c.isoN3]
		if !ok {
			continue
		}
		var polys []string
		for _, r := range rs {
			var deltas []string
			px, py := 0, 0
			for _, p := range r {
				x, y := int((p[0]-20)/0.01+0.5), int((p[1]-40)/0.01+0.5)
				deltas = append(deltas, fmt.Sprintf("[%d,%d]", x-px, y-py))
				px, py = x, y
			}
			polys = append(polys, fmt.Sprintf("[[%d]]", len(arcs)))
			arcs = append(arcs, "["+strings.Join(deltas, ",")+"]")
		}
		geoms = append(geoms, fmt.Sprintf(`{"type":"MultiPolygon","id":%q,"arcs":[%s],"properties":{"name":%q}}`, c.isoN3, strings.Join(polys, ","), c.name))
	}
	return []byte(`{"type":"Topology","transform":{"scale":[0.01,0.01],"translate":[20,40]},` +
		`"objects":{"countries":{"type":"GeometryCollection","geometries":[` + strings.Join(geoms, ",") + `]}},` +
		`"arcs":[` + strings.Join(arcs, ",") + `]}`)
}

func square(w, s, e, n float64) [][2]float64 {
	return [][2]float64{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}
}

func TestConvert(t *testing.T) {
	rings := map[string][][][2]float64{
		// Ukraine, with a spike (36,47)→(36.5,47)→(36,47) on its east side.
		"804": {{{32, 46}, {36, 46}, {36, 47}, {36.5, 47}, {36, 47}, {36, 48}, {32, 48}, {32, 46}}},
		// Russia: its "Crimea", sharing Ukraine's southern edge, and land
		// across the window's east edge (50° E).
		"643": {square(33, 44.5, 35, 46), square(45, 46, 55, 50)},
		"112": {square(26, 52, 28, 53)},
		"498": {square(28, 46.5, 29, 47.5)},
		"642": {square(24, 45, 26, 46)},
		"616": {square(20, 50, 22, 51)},
		"703": {square(20, 48, 21, 49)},
		"348": {square(20, 46, 21, 47)},
	}
	out, err := convert(topo(rings))
	if err != nil {
		t.Fatal(err)
	}
	b, err := control.DecodeBoundaries(out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(b.Countries) != 8 {
		t.Fatalf("%d countries", len(b.Countries))
	}
	ua := b.Country("UA")
	// Crimea joined Ukraine: one polygon of 4×2 + 2×1.5 square degrees,
	// with the spike gone.
	if len(ua.Ground) != 1 || len(ua.Ground[0]) != 1 {
		t.Fatalf("Ukraine: %v", ua.Ground)
	}
	for _, p := range ua.Ground[0][0] {
		if p[0] > 36 {
			t.Errorf("spike vertex %v left in Ukraine", p)
		}
	}
	if !geo.NewIndex(ua.Ground).Covers(geo.Point{34.1, 44.95}) {
		t.Error("Simferopol is not in Ukraine")
	}
	if ru := b.Country("RU"); fmt.Sprint(ru.Ground) != "[[[[45 46] [50 46] [50 50] [45 50] [45 46]]]]" {
		t.Errorf("Russia: %v, want Crimea gone and the rest clipped at 50° E", ru.Ground)
	}
	// Exterior rings are counter-clockwise.
	r := ua.Ground[0][0]
	var s float64
	for i := 1; i < len(r); i++ {
		s += (r[i][0] - r[i-1][0]) * (r[i][1] + r[i-1][1])
	}
	if s >= 0 {
		t.Error("Ukraine's ring is not counter-clockwise")
	}

	// Without a Russian polygon over Simferopol, conversion stops.
	rings["643"] = [][][2]float64{square(38, 46, 40, 48)}
	if _, err := convert(topo(rings)); err == nil || !strings.Contains(err.Error(), "Simferopol") {
		t.Errorf("no Crimea: %v", err)
	}
	delete(rings, "112")
	if _, err := convert(topo(rings)); err == nil || !strings.Contains(err.Error(), "Belarus") {
		t.Errorf("no Belarus: %v", err)
	}
}

func TestClip(t *testing.T) {
	// A ring from inside the window out past its east edge (50° E) and
	// back, and one round its north-east corner.
	tests := []struct {
		name string
		ring [][2]float64
		want [][2]float64
	}{
		{"east", square(45, 45, 55, 47), [][2]float64{{45, 45}, {50, 45}, {50, 47}, {45, 47}, {45, 45}}},
		{"corner", square(45, 58, 55, 65), [][2]float64{{45, 58}, {50, 58}, {50, 62}, {45, 62}, {45, 58}}},
		{"inside", square(30, 45, 31, 46), square(30, 45, 31, 46)},
	}
	for _, tt := range tests {
		var flat []float64
		for _, p := range tt.ring {
			flat = append(flat, p[0], p[1])
		}
		got, ok := clip(flat)
		if !ok {
			t.Errorf("%s: nothing left", tt.name)
			continue
		}
		var want []float64
		for _, p := range tt.want {
			want = append(want, p[0], p[1])
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: clip = %v, want %v", tt.name, got, want)
		}
	}
	if _, ok := clip([]float64{60, 60, 61, 60, 61, 61, 60, 60}); ok {
		t.Error("a ring outside the window was kept")
	}
}

func FuzzConvert(f *testing.F) {
	f.Add(topo(map[string][][][2]float64{"804": {square(32, 46, 36, 48)}, "643": {square(33, 44.5, 35, 46)}}))
	f.Add([]byte(`{"type":"Topology","objects":{"countries":{"geometries":[{"type":"Polygon","id":"804","arcs":[[0]]}]}},"arcs":[[[0,0],[1,0],[0,1],[-1,-1]]]}`))
	f.Add([]byte(`{"type":"Topology","objects":{"countries":{"geometries":[{"type":"Polygon","id":"804","arcs":[[5]]}]}},"arcs":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := convert(data)
		if err != nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("invalid JSON out: %s", out)
		}
	})
}
