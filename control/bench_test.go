package control_test

import (
	"math/rand/v2"
	"testing"

	"github.com/truce-monitor/truce/control"
	"github.com/truce-monitor/truce/control/controltest"
	"github.com/truce-monitor/truce/geo"
)

// frontPoints returns n points within about 30 km of the line of contact
// of m, seeded.
func frontPoints(m *control.Map, n int) []geo.Point {
	r := rand.New(rand.NewPCG(1, 2))
	var verts []geo.Point
	for _, l := range m.Line() {
		verts = append(verts, l...)
	}
	pts := make([]geo.Point, n)
	for i := range pts {
		v := verts[r.IntN(len(verts))]
		pts[i] = geo.Point{v[0] + (r.Float64()-0.5)*0.8, v[1] + (r.Float64()-0.5)*0.5}
	}
	return pts
}

func BenchmarkNew(b *testing.B) {
	cm := controltest.DeepState(b, "2025-03-14")
	for b.Loop() {
		if _, err := control.New(cm, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLine(b *testing.B) {
	cm := controltest.DeepState(b, "2025-03-14")
	for b.Loop() {
		m, err := control.New(cm, nil)
		if err != nil {
			b.Fatal(err)
		}
		m.Line()
	}
}

func BenchmarkHolder(b *testing.B) {
	m := realMap(b, "2025-03-14")
	pts := frontPoints(m, 1<<16)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		m.Holder(pts[i&(len(pts)-1)])
	}
}

func BenchmarkLocate(b *testing.B) {
	m := realMap(b, "2025-03-14")
	pts := frontPoints(m, 1<<16)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		m.Locate(pts[i&(len(pts)-1)])
	}
}

func BenchmarkCompare(b *testing.B) {
	from, to := realMap(b, "2025-03-14"), realMap(b, "2025-04-13")
	for b.Loop() {
		if _, err := control.Compare(from, to, control.DefaultMinArea); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAreas(b *testing.B) {
	m := realMap(b, "2025-03-14")
	for b.Loop() {
		if _, err := m.Areas(); err != nil {
			b.Fatal(err)
		}
	}
}
