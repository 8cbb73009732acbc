package geo_test

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/geo"
)

// refOrient is the sign of orient(a, b, c) computed independently of the
// package: a loose floating-point filter, then exact rationals.
func refOrient(a, b, c geo.Point) int {
	l := (b[0] - a[0]) * (c[1] - a[1])
	r := (b[1] - a[1]) * (c[0] - a[0])
	if d := l - r; math.Abs(d) > 1e-9*(math.Abs(l)+math.Abs(r)) && math.Abs(l)+math.Abs(r) > 1e-200 {
		if d > 0 {
			return 1
		}
		return -1
	}
	rat := func(x float64) *big.Rat { return new(big.Rat).SetFloat64(x) }
	bx := new(big.Rat).Sub(rat(b[0]), rat(a[0]))
	by := new(big.Rat).Sub(rat(b[1]), rat(a[1]))
	cx := new(big.Rat).Sub(rat(c[0]), rat(a[0]))
	cy := new(big.Rat).Sub(rat(c[1]), rat(a[1]))
	return new(big.Rat).Mul(bx, cy).Cmp(new(big.Rat).Mul(by, cx))
}

// refOnSegment reports whether p lies on the closed segment ab.
func refOnSegment(a, b, p geo.Point) bool {
	return p[0] >= min(a[0], b[0]) && p[0] <= max(a[0], b[0]) &&
		p[1] >= min(a[1], b[1]) && p[1] <= max(a[1], b[1]) && refOrient(a, b, p) == 0
}

// refEdge is one ring edge, tagged with its polygon and ring.
type refEdge struct {
	a, b       geo.Point
	poly, ring int
}

// refCovers is a brute-force ST_Covers: a point is covered if it lies on the
// boundary of some polygon, or inside its exterior ring and inside none of
// its holes, each ring decided by the crossing number of a ray towards +x.
// Edges are kept in latitude strips only to skip edges that cannot matter.
type refCovers struct {
	m            geo.MultiPolygon
	y0, dy       float64
	strips       [][]refEdge
	rings        [][]bool // scratch: crossing parity per polygon and ring
	onBoundaryOf []bool
}

func newRefCovers(m geo.MultiPolygon) *refCovers {
	rc := &refCovers{m: m, y0: math.Inf(1)}
	y1 := math.Inf(-1)
	for _, p := range m {
		for _, r := range p {
			for _, q := range r {
				rc.y0, y1 = min(rc.y0, q[1]), max(y1, q[1])
			}
		}
	}
	edges := 0
	for _, p := range m {
		for _, r := range p {
			edges += len(r)
		}
	}
	n := min(max(edges, 1), 4096)
	rc.dy = (y1 - rc.y0) / float64(n)
	if rc.dy == 0 {
		rc.dy = 1
	}
	rc.strips = make([][]refEdge, n)
	for pi, p := range m {
		for ri, r := range p {
			for i := 0; i+1 < len(r); i++ {
				e := refEdge{r[i], r[i+1], pi, ri}
				s0, s1 := rc.strip(min(e.a[1], e.b[1])), rc.strip(max(e.a[1], e.b[1]))
				for s := s0; s <= s1; s++ {
					rc.strips[s] = append(rc.strips[s], e)
				}
			}
		}
		rc.rings = append(rc.rings, make([]bool, len(p)))
	}
	rc.onBoundaryOf = make([]bool, len(m))
	return rc
}

func (rc *refCovers) strip(y float64) int {
	return min(max(int((y-rc.y0)/rc.dy), 0), len(rc.strips)-1)
}

func (rc *refCovers) covers(p geo.Point) bool {
	for _, r := range rc.rings {
		clear(r)
	}
	for _, e := range rc.strips[rc.strip(p[1])] {
		if refOnSegment(e.a, e.b, p) {
			return true
		}
		a, b := e.a, e.b
		if (a[1] <= p[1]) != (b[1] <= p[1]) {
			o := refOrient(a, b, p)
			if (a[1] <= p[1] && o > 0) || (b[1] <= p[1] && o < 0) {
				rc.rings[e.poly][e.ring] = !rc.rings[e.poly][e.ring]
			}
		}
	}
	for _, r := range rc.rings {
		if r[0] && !slices.Contains(r[1:], true) {
			return true
		}
	}
	return false
}

func reversed(r geo.Ring) geo.Ring {
	r = slices.Clone(r)
	slices.Reverse(r)
	return r
}

func TestIndexCoversTable(t *testing.T) {
	square := geo.Ring{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}
	squareCW := reversed(square)
	hole := geo.Ring{{1, 1}, {1, 3}, {3, 3}, {3, 1}, {1, 1}}
	right := geo.Ring{{4, 0}, {8, 0}, {8, 4}, {4, 4}, {4, 0}} // shares x=4 with square
	skew := geo.MultiPolygon{{{{37.123456789, 47.987654321}, {37.923456781, 48.187654329}, {37.123456789, 48.187654329}, {37.123456789, 47.987654321}}}}
	tests := []struct {
		name string
		m    geo.MultiPolygon
		p    geo.Point
		want bool
	}{
		{"inside", geo.MultiPolygon{{square}}, geo.Point{0.5, 0.5}, true},
		{"inside clockwise", geo.MultiPolygon{{squareCW}}, geo.Point{0.5, 0.5}, true},
		{"outside", geo.MultiPolygon{{square}}, geo.Point{5, 2}, false},
		{"outside box below", geo.MultiPolygon{{square}}, geo.Point{2, -1}, false},
		{"vertex", geo.MultiPolygon{{square}}, geo.Point{4, 4}, true},
		{"edge", geo.MultiPolygon{{square}}, geo.Point{2, 0}, true},
		{"edge clockwise", geo.MultiPolygon{{squareCW}}, geo.Point{0, 3.25}, true},
		{"on the line of an edge, beyond it", geo.MultiPolygon{{square}}, geo.Point{5, 0}, false},
		{"in the hole", geo.MultiPolygon{{square, hole}}, geo.Point{2, 2}, false},
		{"on the hole's edge", geo.MultiPolygon{{square, hole}}, geo.Point{1, 2}, true},
		{"on the hole's vertex", geo.MultiPolygon{{square, hole}}, geo.Point{3, 3}, true},
		{"between shell and hole", geo.MultiPolygon{{square, hole}}, geo.Point{0.5, 2}, true},
		{"hole wound like its shell", geo.MultiPolygon{{square, reversed(hole)}}, geo.Point{2, 2}, false},
		{"shared edge", geo.MultiPolygon{{square}, {right}}, geo.Point{4, 2}, true},
		{"left of shared edge", geo.MultiPolygon{{square}, {right}}, geo.Point{3.999, 2}, true},
		{"right of shared edge", geo.MultiPolygon{{square}, {right}}, geo.Point{4.001, 2}, true},
		{"second polygon", geo.MultiPolygon{{square}, {right}}, geo.Point{7, 3}, true},
		{"beyond both", geo.MultiPolygon{{square}, {right}}, geo.Point{8.5, 3}, false},
		{"unclosed ring", geo.MultiPolygon{{{{0, 0}, {4, 0}, {4, 4}, {0, 4}}}}, geo.Point{1, 1}, true},
		{"unclosed ring's closing edge", geo.MultiPolygon{{{{0, 0}, {4, 0}, {4, 4}, {0, 4}}}}, geo.Point{0, 2}, true},
		{"NaN", geo.MultiPolygon{{square}}, geo.Point{math.NaN(), 1}, false},
		{"NaN vertex left out", geo.MultiPolygon{{square}, {{{20, 20}, {math.NaN(), 21}, {21, 21}, {20, 20}}}}, geo.Point{2, 2}, true},
		{"empty", nil, geo.Point{0, 0}, false},
		{"degenerate ring: its point", geo.MultiPolygon{{{{1, 1}, {1, 1}, {1, 1}, {1, 1}}}}, geo.Point{1, 1}, true},
		{"degenerate ring: elsewhere", geo.MultiPolygon{{{{1, 1}, {1, 1}, {1, 1}, {1, 1}}}}, geo.Point{1, 1.5}, false},
		{"flat ring: on it", geo.MultiPolygon{{{{0, 1}, {3, 1}, {0, 1}, {0, 1}}}}, geo.Point{2, 1}, true},
		{"flat ring: beside it", geo.MultiPolygon{{{{0, 1}, {3, 1}, {0, 1}, {0, 1}}}}, geo.Point{2, 1.0000001}, false},
		// A point a hair's breadth (one unit in the last place) off a
		// long diagonal edge: floating point cannot tell, exact
		// arithmetic can.
		{"just inside a diagonal", geo.MultiPolygon{{{{0, 0}, {3, 1}, {0, 1}, {0, 0}}}}, geo.Point{1.5, math.Nextafter(0.5, 1)}, true},
		{"just outside a diagonal", geo.MultiPolygon{{{{0, 0}, {3, 1}, {0, 1}, {0, 0}}}}, geo.Point{1.5, math.Nextafter(0.5, 0)}, false},
		{"on a diagonal", geo.MultiPolygon{{{{0, 0}, {3, 1}, {0, 1}, {0, 0}}}}, geo.Point{1.5, 0.5}, true},
		// Points within rounding of a skew edge, where the determinant
		// in floating point is zero but exactly is not.
		{"a hair outside a skew edge", skew, geo.Point{37.646455886302846, 48.1184041018632}, false},
		{"another hair outside a skew edge", skew, geo.Point{37.61550463665509, 48.11066628906437}, false},
		{"a hair inside a skew edge", skew, geo.Point{37.49376376435182, 48.08023106946679}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := geo.NewIndex(tt.m).Covers(tt.p); got != tt.want {
				t.Errorf("Covers(%v) = %v, want %v", tt.p, got, tt.want)
			}
			if tt.m != nil && !math.IsNaN(tt.p[0]) && !strings.HasPrefix(tt.name, "NaN") && !slices.ContainsFunc(tt.m[0], func(r geo.Ring) bool { return r[0] != r[len(r)-1] }) {
				if got := newRefCovers(tt.m).covers(tt.p); got != tt.want {
					t.Errorf("reference covers(%v) = %v, want %v: the table is wrong", tt.p, got, tt.want)
				}
			}
		})
	}
}

// TestIndexCoversSmallGrid checks random polygons whose vertices sit on a
// small integer lattice against the brute-force reference at lattice and
// half-lattice points, where nearly every query is degenerate: on a vertex,
// on an edge, level with a vertex or collinear with an edge.
func TestIndexCoversSmallGrid(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 1))
	for trial := range 300 {
		var m geo.MultiPolygon
		for range 1 + rng.IntN(3) {
			var poly geo.Polygon
			for range 1 + rng.IntN(2) {
				n := 3 + rng.IntN(8)
				r := make(geo.Ring, 0, n+1)
				for range n {
					r = append(r, geo.Point{float64(rng.IntN(9)), float64(rng.IntN(9))})
				}
				poly = append(poly, append(r, r[0]))
			}
			m = append(m, poly)
		}
		// Self-intersecting and overlapping rings are fine for the
		// even-odd rule but not for the reference's union of polygons,
		// so compare against the reference run on every ring alone.
		ix := geo.NewIndex(m)
		var refs []*refCovers
		for _, p := range m {
			for _, r := range p {
				refs = append(refs, newRefCovers(geo.MultiPolygon{{r}}))
			}
		}
		for x := -1.0; x <= 9; x += 0.5 {
			for y := -1.0; y <= 9; y += 0.5 {
				p := geo.Point{x, y}
				onBoundary, parity := false, false
				for k, rc := range refs {
					if boundaryOf(m, k, p) {
						onBoundary = true
					}
					parity = parity != rc.covers(p)
				}
				want := onBoundary || parity
				if got := ix.Covers(p); got != want {
					t.Fatalf("trial %d: %v: Covers(%v) = %v, want %v", trial, m, p, got, want)
				}
			}
		}
	}
}

// boundaryOf reports whether p lies on the k-th ring of m, counting rings
// across polygons in order.
func boundaryOf(m geo.MultiPolygon, k int, p geo.Point) bool {
	for _, poly := range m {
		for _, r := range poly {
			if k == 0 {
				for i := 0; i+1 < len(r); i++ {
					if refOnSegment(r[i], r[i+1], p) {
						return true
					}
				}
				return false
			}
			k--
		}
	}
	return false
}

// frontPoints returns n seeded points along the rings of m: most near an
// edge, at distances from 1e-12° to 0.1°, and some exactly on a vertex, on
// the rounded midpoint of an edge, level with a vertex, or anywhere in the
// bounding box.
func frontPoints(m geo.MultiPolygon, n int, seed uint64) []geo.Point {
	rng := rand.New(rand.NewPCG(seed, 7))
	var edges [][2]geo.Point
	lo, hi := geo.Point{math.Inf(1), math.Inf(1)}, geo.Point{math.Inf(-1), math.Inf(-1)}
	for _, p := range m {
		for _, r := range p {
			for i := 0; i+1 < len(r); i++ {
				edges = append(edges, [2]geo.Point{r[i], r[i+1]})
				lo = geo.Point{min(lo[0], r[i][0]), min(lo[1], r[i][1])}
				hi = geo.Point{max(hi[0], r[i][0]), max(hi[1], r[i][1])}
			}
		}
	}
	pts := make([]geo.Point, n)
	for i := range pts {
		e := edges[rng.IntN(len(edges))]
		switch k := rng.IntN(100); {
		case k < 5: // a vertex
			pts[i] = e[0]
		case k < 10: // the rounded midpoint of an edge
			pts[i] = geo.Point{(e[0][0] + e[1][0]) / 2, (e[0][1] + e[1][1]) / 2}
		case k < 15: // level with a vertex
			pts[i] = geo.Point{e[0][0] + (rng.Float64()-0.5)*1e-2, e[0][1]}
		case k < 20: // straight above or below a vertex
			pts[i] = geo.Point{e[0][0], e[0][1] + (rng.Float64()-0.5)*1e-2}
		case k < 25: // anywhere in the box
			pts[i] = geo.Point{lo[0] + rng.Float64()*(hi[0]-lo[0]), lo[1] + rng.Float64()*(hi[1]-lo[1])}
		default: // near an edge
			t := rng.Float64()
			d := math.Pow(10, -12+11*rng.Float64())
			a := 2 * math.Pi * rng.Float64()
			pts[i] = geo.Point{
				e[0][0] + t*(e[1][0]-e[0][0]) + d*math.Cos(a),
				e[0][1] + t*(e[1][1]-e[0][1]) + d*math.Sin(a),
			}
		}
	}
	return pts
}

func TestIndexCoversDeepState(t *testing.T) {
	t.Parallel()
	tests := []struct {
		date string
		n    int
	}{
		{"20240821", 1_000_000}, // two holes
		{"20250430", 1_000_000},
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			m := readDeepState(t, tt.date)
			n := tt.n
			if testing.Short() {
				n /= 20
			}
			pts := frontPoints(m, n, 1)
			ix := geo.NewIndex(m)
			ref := newRefCovers(m)
			got := make([]bool, len(pts))
			ix.CoversAll(pts, got)
			var in, mismatches int
			for i, p := range pts {
				want := ref.covers(p)
				if want {
					in++
				}
				if got[i] != want {
					mismatches++
					if mismatches <= 10 {
						t.Errorf("point %d %v: Covers = %v, want %v", i, p, got[i], want)
					}
				}
				if c := ix.Covers(p); c != got[i] {
					t.Fatalf("point %d %v: Covers = %v but CoversAll = %v", i, p, c, got[i])
				}
			}
			if mismatches > 0 {
				t.Fatalf("%d of %d points wrong", mismatches, len(pts))
			}
			// The sample must exercise both answers in earnest.
			if in < len(pts)/4 || in > 3*len(pts)/4 {
				t.Errorf("%d of %d points covered: the sample is lopsided", in, len(pts))
			}
		})
	}
}

// TestIndexCoversAllSnapshots runs every snapshot against the reference
// with a smaller sample each.
func TestIndexCoversAllSnapshots(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("short")
	}
	names, _ := filepath.Glob(filepath.Join("..", "..", "shared", "data", "deepstate", "deepstatemap_data_*.geojson.gz"))
	if len(names) == 0 {
		t.Skip("DeepState snapshots not available")
	}
	for k, name := range names {
		date := filepath.Base(name)[len("deepstatemap_data_"):][:8]
		m := readDeepState(t, date)
		ix, ref := geo.NewIndex(m), newRefCovers(m)
		for i, p := range frontPoints(m, 10_000, uint64(100+k)) {
			if got, want := ix.Covers(p), ref.covers(p); got != want {
				t.Fatalf("%s: point %d %v: Covers = %v, want %v", date, i, p, got, want)
			}
		}
	}
}

func TestIndexCoversAllShortOut(t *testing.T) {
	ix := geo.NewIndex(geo.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}})
	defer func() {
		if recover() == nil {
			t.Error("CoversAll with a short out did not panic")
		}
	}()
	ix.CoversAll(make([]geo.Point, 3), make([]bool, 2, 8))
}

func ExampleIndex_Covers() {
	// A square with a square hole, wound clockwise as DeepState does.
	m := geo.MultiPolygon{{
		{{37, 47}, {37, 48}, {38, 48}, {38, 47}, {37, 47}},
		{{37.25, 47.25}, {37.75, 47.25}, {37.75, 47.75}, {37.25, 47.75}, {37.25, 47.25}},
	}}
	ix := geo.NewIndex(m)
	for _, p := range []geo.Point{{37.1, 47.5}, {37.5, 47.5}, {37.25, 47.5}, {38, 47}, {38.1, 47.5}} {
		fmt.Println(p, ix.Covers(p))
	}
	// Output:
	// [37.1 47.5] true
	// [37.5 47.5] false
	// [37.25 47.5] true
	// [38 47] true
	// [38.1 47.5] false
}

// FuzzIndexCovers builds rings on a small lattice from the input (two bytes
// a vertex, a zero byte ending a ring) and checks a query point, on the
// half lattice, against the brute-force reference.
func FuzzIndexCovers(f *testing.F) {
	f.Add([]byte{0, 0, 8, 0, 8, 8, 0, 8}, byte(4), byte(4))
	f.Add([]byte{0, 0, 8, 0, 8, 8, 0, 8, 255, 2, 2, 2, 6, 6, 6, 6, 2}, byte(8), byte(6))
	f.Add([]byte{0, 0, 8, 8, 0, 8, 8, 0}, byte(8), byte(8))
	f.Fuzz(func(t *testing.T, data []byte, x, y byte) {
		var m geo.MultiPolygon
		var r geo.Ring
		flush := func() {
			if len(r) >= 3 {
				m = append(m, geo.Polygon{append(r, r[0])})
			}
			r = nil
		}
		for i := 0; i+1 < len(data) && len(m) < 4; i += 2 {
			if data[i] == 255 {
				flush()
				i--
				continue
			}
			r = append(r, geo.Point{float64(data[i] % 9), float64(data[i+1] % 9)})
		}
		flush()
		p := geo.Point{float64(x%20)/2 - 1, float64(y%20)/2 - 1}
		onBoundary, parity := false, false
		for k := range m {
			if boundaryOf(m, k, p) {
				onBoundary = true
			}
			parity = parity != newRefCovers(m[k:k+1]).covers(p)
		}
		if got, want := geo.NewIndex(m).Covers(p), onBoundary || parity; got != want {
			t.Fatalf("%v: Covers(%v) = %v, want %v", m, p, got, want)
		}
	})
}
