package correlate

import (
	"cmp"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// metresPerDegree is the length of a degree of latitude on a sphere of the
// WGS84 mean radius.
const metresPerDegree = 6371008.8 * math.Pi / 180

// stPoint is one detection as the space-time clustering sees it.
type stPoint struct {
	lon, lat float64
	cos      float64 // cos(lat)
	t        int64   // Unix nanoseconds
	rec      int32   // index of the record
}

// near reports whether a and b lie within epsM metres and epsT nanoseconds
// of each other. Distance is equirectangular about the pair's mean
// latitude, within 0.1% of the geodesic at the few kilometres that eps
// spans.
func near(a, b *stPoint, epsM2 float64, epsT int64) bool {
	dt := a.t - b.t
	if dt > epsT || dt < -epsT {
		return false
	}
	dy := (a.lat - b.lat) * metresPerDegree
	dx := (a.lon - b.lon) * metresPerDegree * (a.cos + b.cos) / 2
	return dx*dx+dy*dy <= epsM2
}

// stGrid is a grid over points: square cells eps metres wide (at the
// highest latitude among the points, so wider elsewhere), the points of
// each cell sorted by time, so that every neighbour of a point lies in its
// cell or one of the 8 around it, within a run of each found by its time.
type stGrid struct {
	pts   []stPoint // sorted by cell, then time, then record
	start []int32   // start[c] is the first point of cell c; start[len(keys)] = len(pts)
	keys  []uint64  // cell keys, sorted: row in the high 32 bits, column in the low
}

// cellOff offsets cell indexes so that they pack as unsigned.
const cellOff = 1 << 31

func cellKey(ix, iy int64) uint64 { return uint64(iy+cellOff)<<32 | uint64(ix+cellOff) }

func newSTGrid(pts []stPoint, epsM float64) (*stGrid, error) {
	maxLat := 0.0
	for i := range pts {
		maxLat = max(maxLat, math.Abs(pts[i].lat))
	}
	dLat := epsM / metresPerDegree
	dLon := epsM / (metresPerDegree * math.Cos(math.Min(maxLat, 89.9)*math.Pi/180))
	keys := make([]uint64, len(pts))
	for i := range pts {
		p := &pts[i]
		ix := int64(math.Floor(p.lon / dLon))
		iy := int64(math.Floor(p.lat / dLat))
		if ix < -cellOff+1 || ix >= cellOff-1 || iy < -cellOff+1 || iy >= cellOff-1 {
			return nil, fmt.Errorf("eps of %g m is too small for a grid over the whole globe", epsM)
		}
		keys[i] = cellKey(ix, iy)
	}
	type entry struct {
		key uint64
		t   int64
		rec int32
		i   int32
	}
	es := make([]entry, len(pts))
	for i := range pts {
		es[i] = entry{keys[i], pts[i].t, pts[i].rec, int32(i)}
	}
	slices.SortFunc(es, func(a, b entry) int {
		if a.key != b.key {
			return cmp.Compare(a.key, b.key)
		}
		if a.t != b.t {
			return cmp.Compare(a.t, b.t)
		}
		return cmp.Compare(a.rec, b.rec)
	})
	g := &stGrid{pts: make([]stPoint, len(pts))}
	for i, e := range es {
		g.pts[i] = pts[e.i]
		if i == 0 || e.key != g.keys[len(g.keys)-1] {
			g.keys = append(g.keys, e.key)
			g.start = append(g.start, int32(i))
		}
	}
	g.start = append(g.start, int32(len(pts)))
	return g, nil
}

// neighbours appends to dst the cells around cell c (c included): in each
// of the three rows, the keys from column−1 to column+1 are contiguous.
func (g *stGrid) neighbours(dst []int32, c int32) []int32 {
	k := g.keys[c]
	for dy := -1; dy <= 1; dy++ {
		row := uint64(int64(k>>32)+int64(dy)) << 32
		lo := row | (k&(1<<32-1) - 1)
		hi := row | (k&(1<<32-1) + 1)
		j, _ := slices.BinarySearch(g.keys, lo)
		for ; j < len(g.keys) && g.keys[j] <= hi; j++ {
			dst = append(dst, int32(j))
		}
	}
	return dst
}

// eachNear calls f(i, j) for every point i of cell c and every point j
// within reach of it (i itself included), cell by neighbouring cell; the
// points of each cell being in time order, a sweep finds the run of j
// within epsT of i.
func (g *stGrid) eachNear(c int32, nb []int32, epsM2 float64, epsT int64, f func(i, j int32)) {
	for _, d := range nb {
		j0, end := g.start[d], g.start[d+1]
		for i := g.start[c]; i < g.start[c+1]; i++ {
			p := &g.pts[i]
			for j0 < end && g.pts[j0].t < p.t-epsT {
				j0++
			}
			for j := j0; j < end && g.pts[j].t <= p.t+epsT; j++ {
				if near(p, &g.pts[j], epsM2, epsT) {
					f(i, j)
				}
			}
		}
	}
}

// stDBSCAN clusters pts by ST-DBSCAN: a point is a core point when at
// least minPts points (itself included) lie within epsM metres and epsT
// nanoseconds of it; core points within reach of each other share a
// cluster; a point that is not core joins the cluster of its core
// neighbour with the lowest record index, or else is noise. It returns the
// clusters, each a sorted list of record indexes, ordered by their first
// record, and the noise points' records, sorted.
//
// The result depends only on the set of points and their record indexes,
// not on their order or on scheduling: neighbour counts are computed in
// parallel into separate slots, and the clusters of core points do not
// depend on the order in which they are joined.
func stDBSCAN(pts []stPoint, epsM float64, epsT int64, minPts int) (clusters [][]int32, noise []int32, err error) {
	if len(pts) == 0 {
		return nil, nil, nil
	}
	g, err := newSTGrid(pts, epsM)
	if err != nil {
		return nil, nil, err
	}
	n := len(g.pts)
	epsM2 := epsM * epsM
	counts := make([]int32, n)
	ncell := int32(len(g.keys))
	parallel(ncell, func(lo, hi int32) {
		var nb []int32
		for c := lo; c < hi; c++ {
			nb = g.neighbours(nb[:0], c)
			g.eachNear(c, nb, epsM2, epsT, func(i, _ int32) { counts[i]++ })
		}
	})
	// Join core points; attach border points to their core neighbour with
	// the lowest record. The union-find is shared by the workers: a link
	// always points a root at a lower index, set by compare-and-swap, so
	// each component ends with its lowest index as root whatever the
	// schedule.
	parent := make([]atomic.Int32, n)
	for i := range parent {
		parent[i].Store(int32(i))
	}
	find := func(x int32) int32 {
		for {
			p := parent[x].Load()
			if p == x {
				return x
			}
			gp := parent[p].Load()
			if gp != p {
				parent[x].CompareAndSwap(p, gp)
			}
			x = p
		}
	}
	union := func(a, b int32) {
		for {
			a, b = find(a), find(b)
			if a == b {
				return
			}
			if a > b {
				a, b = b, a
			}
			if parent[b].CompareAndSwap(b, a) {
				return
			}
		}
	}
	border := make([]int32, n) // the point a border point joins, or -1
	min32 := int32(minPts)
	parallel(ncell, func(lo, hi int32) {
		var nb []int32
		for c := lo; c < hi; c++ {
			for i := g.start[c]; i < g.start[c+1]; i++ {
				border[i] = -1
			}
			nb = g.neighbours(nb[:0], c)
			g.eachNear(c, nb, epsM2, epsT, func(i, j int32) {
				if counts[j] < min32 {
					return
				}
				if counts[i] >= min32 {
					if j > i {
						union(i, j)
					}
				} else if border[i] < 0 || g.pts[j].rec < g.pts[border[i]].rec {
					border[i] = j
				}
			})
		}
	})
	// Label each point by its root (the lowest index in its component),
	// then lay the clusters out in one slice by counting.
	label := make([]int32, n) // cluster number, or -1 for noise
	number := make([]int32, n)
	for i := range number {
		number[i] = -1
	}
	var sizes []int32
	for i := int32(0); i < int32(n); i++ {
		var root int32
		switch {
		case counts[i] >= min32:
			root = find(i)
		case border[i] >= 0:
			root = find(border[i])
		default:
			label[i] = -1
			noise = append(noise, g.pts[i].rec)
			continue
		}
		if number[root] < 0 {
			number[root] = int32(len(sizes))
			sizes = append(sizes, 0)
		}
		label[i] = number[root]
		sizes[label[i]]++
	}
	flat := make([]int32, n-len(noise))
	clusters = make([][]int32, len(sizes))
	var off int32
	for k, sz := range sizes {
		clusters[k] = flat[off : off : off+sz]
		off += sz
	}
	for i := range label {
		if k := label[i]; k >= 0 {
			clusters[k] = append(clusters[k], g.pts[i].rec)
		}
	}
	for _, c := range clusters {
		slices.Sort(c)
	}
	slices.SortFunc(clusters, func(a, b []int32) int { return cmp.Compare(a[0], b[0]) })
	slices.Sort(noise)
	return clusters, noise, nil
}

// parallel runs f over [0, n) in contiguous chunks, one goroutine per
// processor, and waits for them all.
func parallel(n int32, f func(lo, hi int32)) {
	w := int32(runtime.GOMAXPROCS(0))
	if w <= 1 || n < 1024 {
		f(0, n)
		return
	}
	chunk := (n + w*8 - 1) / (w * 8)
	var next int32
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range w {
		wg.Go(func() {
			for {
				mu.Lock()
				lo := next
				next += chunk
				mu.Unlock()
				if lo >= n {
					return
				}
				f(lo, min(lo+chunk, n))
			}
		})
	}
	wg.Wait()
}
