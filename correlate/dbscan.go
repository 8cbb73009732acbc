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
	idx      int32   // index among the points given to stDBSCAN
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
	pts   []stPoint // sorted by cell, then time, then record; idx set
	start []int32   // start[c] is the first point of cell c; start[len(keys)] = len(pts)
	keys  []uint64  // cell keys, sorted: row·stride + column
	// stride is the number of columns a row of keys spans: the columns
	// the points use and an empty one each side, so that the three cells
	// of a row around a cell have consecutive keys.
	stride uint64
}

func newSTGrid(pts []stPoint, epsM float64) (*stGrid, error) {
	minLon, maxLon, minLat, maxLat := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for i := range pts {
		minLon, maxLon = min(minLon, pts[i].lon), max(maxLon, pts[i].lon)
		minLat, maxLat = min(minLat, pts[i].lat), max(maxLat, pts[i].lat)
	}
	farLat := max(math.Abs(minLat), math.Abs(maxLat))
	dLat := epsM / metresPerDegree
	dLon := epsM / (metresPerDegree * math.Cos(math.Min(farLat, 89.9)*math.Pi/180))
	// The ranges of columns and rows (floor is monotonic), as floats, to
	// find them without overflow.
	minX, maxX := math.Floor(minLon/dLon), math.Floor(maxLon/dLon)
	minY, maxY := math.Floor(minLat/dLat), math.Floor(maxLat/dLat)
	if (maxX-minX+3)*(maxY-minY+3) >= 1<<62 {
		return nil, fmt.Errorf("eps of %g m is too small for a grid over the whole globe", epsM)
	}
	g := &stGrid{pts: make([]stPoint, len(pts)), stride: uint64(maxX-minX) + 3}
	keys := make([]uint64, len(pts))
	order := make([]int32, len(pts))
	parallel(int32(len(pts)), func(lo, hi int32) {
		for i := lo; i < hi; i++ {
			col := uint64(math.Floor(pts[i].lon/dLon)-minX) + 1
			row := uint64(math.Floor(pts[i].lat/dLat)-minY) + 1
			keys[i], order[i] = row*g.stride+col, i
		}
	})
	// By cell, stably, so that each cell's points keep the order of pts
	// (records); then each cell by time and record, unless it is in that
	// order already (as detections filed in time order are).
	sortByKey(keys, order)
	for i := range keys {
		if i == 0 || keys[i] != keys[i-1] {
			g.keys = append(g.keys, keys[i])
			g.start = append(g.start, int32(i))
		}
	}
	g.start = append(g.start, int32(len(pts)))
	byTime := func(a, b stPoint) int {
		if a.t != b.t {
			return cmp.Compare(a.t, b.t)
		}
		return cmp.Compare(a.rec, b.rec)
	}
	parallel(int32(len(g.keys)), func(lo, hi int32) {
		for c := lo; c < hi; c++ {
			for i := g.start[c]; i < g.start[c+1]; i++ {
				g.pts[i] = pts[order[i]]
				g.pts[i].idx = order[i]
			}
			if cell := g.pts[g.start[c]:g.start[c+1]]; !slices.IsSortedFunc(cell, byTime) {
				slices.SortFunc(cell, byTime)
			}
		}
	})
	return g, nil
}

// neighbours appends to dst the cells around cell c (c included): in each
// of the three rows, the keys from column−1 to column+1 are contiguous.
func (g *stGrid) neighbours(dst []int32, c int32) []int32 {
	k := g.keys[c]
	for _, mid := range [3]uint64{k - g.stride, k, k + g.stride} {
		j, _ := slices.BinarySearch(g.keys, mid-1)
		for ; j < len(g.keys) && g.keys[j] <= mid+1; j++ {
			dst = append(dst, int32(j))
		}
	}
	return dst
}

// markCore sets core[i] for the points i of cell c that have at least
// minPts points (themselves included) within reach, looking in cells nb;
// cnt is scratch space. The points of each cell being in time order, a
// sweep finds, cell by neighbouring cell, the run of points within epsT of
// each point of c; a point stops counting at minPts.
func (g *stGrid) markCore(c int32, nb []int32, epsM2 float64, epsT int64, minPts int32, core []bool, cnt []int32) []int32 {
	first, last := g.start[c], g.start[c+1]
	cnt = slices.Grow(cnt[:0], int(last-first))[:last-first]
	clear(cnt)
	// The cell itself first: most points have their neighbours there, and
	// a point that has minPts is not looked at again. (The sweep's start
	// only moves forward, so skipping points leaves it right.)
	own := slices.Index(nb, c)
	for k := range nb {
		d := nb[(k+own)%len(nb)]
		j0, end := g.start[d], g.start[d+1]
		for i := first; i < last; i++ {
			n := &cnt[i-first]
			if *n >= minPts {
				continue
			}
			p := &g.pts[i]
			for j0 < end && g.pts[j0].t < p.t-epsT {
				j0++
			}
			for j := j0; *n < minPts && j < end && g.pts[j].t <= p.t+epsT; j++ {
				if near(p, &g.pts[j], epsM2, epsT) {
					*n++
				}
			}
		}
	}
	for i := first; i < last; i++ {
		core[i] = cnt[i-first] >= minPts
	}
	return cnt
}

// stDBSCAN clusters pts by ST-DBSCAN: a point is a core point when at
// least minPts points (itself included) lie within epsM metres and epsT
// nanoseconds of it; core points within reach of each other share a
// cluster; a point that is not core joins the cluster of its core
// neighbour with the lowest record index, or else is noise. pts must be in
// record order. It returns each point's cluster, by index in pts: clusters
// are numbered from 0 in the order of their first record, and noise is -1;
// and the number of clusters. ([layout] lists them.)
//
// The result depends only on the set of points and their record indexes,
// not on their order or on scheduling: neighbour counts are computed in
// parallel into separate slots, and the clusters of core points do not
// depend on the order in which they are joined.
func stDBSCAN(pts []stPoint, epsM float64, epsT int64, minPts int) (labels []int32, count int, err error) {
	if len(pts) == 0 {
		return nil, 0, nil
	}
	if !slices.IsSortedFunc(pts, func(a, b stPoint) int { return cmp.Compare(a.rec, b.rec) }) {
		return nil, 0, fmt.Errorf("stDBSCAN: points not in record order")
	}
	g, err := newSTGrid(pts, epsM)
	if err != nil {
		return nil, 0, err
	}
	n := len(g.pts)
	epsM2 := epsM * epsM
	ncell := int32(len(g.keys))
	min32 := int32(minPts)
	core := make([]bool, n)
	parallel(ncell, func(lo, hi int32) {
		var nb, cnt []int32
		for c := lo; c < hi; c++ {
			nb = g.neighbours(nb[:0], c)
			cnt = g.markCore(c, nb, epsM2, epsT, min32, core, cnt)
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
	parallel(ncell, func(lo, hi int32) {
		var nb []int32
		for c := lo; c < hi; c++ {
			for i := g.start[c]; i < g.start[c+1]; i++ {
				border[i] = -1
			}
			nb = g.neighbours(nb[:0], c)
			for _, d := range nb {
				j0, end := g.start[d], g.start[d+1]
				for i := g.start[c]; i < g.start[c+1]; i++ {
					// A core point links to the core points after it
					// (each pair once); a border point looks at all.
					if core[i] && d < c {
						continue
					}
					p := &g.pts[i]
					for j0 < end && g.pts[j0].t < p.t-epsT {
						j0++
					}
					j := j0
					if core[i] && d == c {
						j = max(j, i+1)
					}
					for ; j < end && g.pts[j].t <= p.t+epsT; j++ {
						if !core[j] || !near(p, &g.pts[j], epsM2, epsT) {
							continue
						}
						if core[i] {
							union(i, j)
						} else if border[i] < 0 || g.pts[j].rec < g.pts[border[i]].rec {
							border[i] = j
						}
					}
				}
			}
		}
	})
	// Label each point by its root (the lowest index in its component),
	// by its index in pts; then number the clusters and lay them out in
	// one slice, in the order of pts, which is the order of records.
	root := make([]int32, n) // by index in pts: the root of its cluster, or -1 for noise
	parallel(int32(n), func(lo, hi int32) {
		for i := lo; i < hi; i++ {
			r := int32(-1)
			switch {
			case core[i]:
				r = find(i)
			case border[i] >= 0:
				r = find(border[i])
			}
			root[g.pts[i].idx] = r
		}
	})
	number := make([]int32, n) // by root: the cluster's number, or -1
	for i := range number {
		number[i] = -1
	}
	for k, r := range root {
		if r >= 0 {
			if number[r] < 0 {
				number[r] = int32(count)
				count++
			}
			root[k] = number[r]
		}
	}
	return root, count, nil
}

// layout returns the clusters of labels (as stDBSCAN numbers them, by
// index in pts), each a list of record indexes in the order of pts, and the
// records of the noise points.
func layout(pts []stPoint, labels []int32, count int) (clusters [][]int32, noise []int32) {
	sizes := make([]int32, count)
	for _, l := range labels {
		if l >= 0 {
			sizes[l]++
		}
	}
	flat := make([]int32, 0, len(labels))
	clusters = make([][]int32, count)
	var off int32
	for k, sz := range sizes {
		clusters[k] = flat[off : off : off+sz]
		off += sz
	}
	for k, l := range labels {
		if l >= 0 {
			clusters[l] = append(clusters[l], pts[k].rec)
		} else {
			noise = append(noise, pts[k].rec)
		}
	}
	return clusters, noise
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
