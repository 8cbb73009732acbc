package main

import (
	"math"
	"slices"
)

// metresPerDegree is the length of a degree of latitude on correlate's
// sphere (radius 6,371,008.8 m).
const metresPerDegree = 6371008.8 * math.Pi / 180

// distance is correlate's distance between two detections: equirectangular
// about the pair's mean latitude, on its sphere.
func distance(a, b *detection) float64 {
	dy := (a.lat - b.lat) * metresPerDegree
	dx := (a.lon - b.lon) * metresPerDegree * (math.Cos(a.lat*math.Pi/180) + math.Cos(b.lat*math.Pi/180)) / 2
	return math.Hypot(dx, dy)
}

// projection is the transverse Mercator on correlate's sphere that the
// PostGIS side clusters in.
type projection struct {
	Lon0, K0 float64
	// MaxScaleError is the largest relative difference between a distance
	// in the plane and on the sphere, over the detections: the scale runs
	// from 1 − MaxScaleError to 1 + MaxScaleError.
	MaxScaleError float64
}

// chooseProjection centres the projection on the middle longitude of ds
// (hot spots aside) and sets its central scale so that the scale error is
// split evenly between too short and too long.
func chooseProjection(ds []detection) projection {
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range ds {
		if !ds[i].hot {
			lo, hi = min(lo, ds[i].lon), max(hi, ds[i].lon)
		}
	}
	if lo > hi {
		return projection{Lon0: 0, K0: 1}
	}
	lon0 := (lo + hi) / 2
	bmax := 0.0
	for i := range ds {
		if !ds[i].hot {
			b := math.Cos(ds[i].lat*math.Pi/180) * math.Sin((ds[i].lon-lon0)*math.Pi/180)
			bmax = max(bmax, math.Abs(b))
		}
	}
	s := 1 / math.Sqrt(1-bmax*bmax) // the scale at the widest point over that at the centre
	return projection{Lon0: lon0, K0: 2 / (1 + s), MaxScaleError: (s - 1) / (s + 1)}
}

// String returns p as a PROJ string.
func (p projection) String() string {
	return "+proj=tmerc +lat_0=0 +lon_0=" + formatFloat(p.Lon0) + " +k_0=" + formatFloat(p.K0) +
		" +x_0=0 +y_0=0 +R=6371008.8 +units=m +no_defs"
}

// agreement is the comparison of the two partitions.
type agreement struct {
	Compared   int // detections compared: not in a hot spot nor in a wide island
	Mismatches int // compared detections whose clusters differ
	Groups     int // groups of clusters that differ, joined by shared detections
	// The mismatching detections whose group holds a pair of detections
	// that one distance puts within EpsM and the other not; those whose
	// group holds instead a border point with core neighbours in two of
	// truce's clusters; and the rest.
	ByMetric, ByBorder, Unexplained int
	Examples                        []mismatch
}

// mismatch is the first detection of a group of clusters that differ.
type mismatch struct {
	ID           int     `json:"id"`
	Lon          float64 `json:"lon"`
	Lat          float64 `json:"lat"`
	TruceSize    int     `json:"truce_cluster_size"`
	PostGISSize  int     `json:"postgis_cluster_size"`
	GroupPoints  int     `json:"group_points"`
	Reason       string  `json:"reason"` // "distance", "border" or "unexplained"
	MetricPairs  int     `json:"pairs_across_eps"`
	BorderPoints int     `json:"ambiguous_border_points"`
}

// partitions holds the two clusterings of the detections, by id.
type partitions struct {
	ds    []detection
	truce []int32 // truce's cluster (incident) of each detection; -1 where set apart
	pg    []int32 // PostGIS's cluster; each noise point has its own; -1 where set apart
	// island of each detection in PostGIS's numbering; skip marks those
	// not compared (set apart, or in an island wider than EpsT).
	island []int64
	skip   []bool
}

// blockLabels turns PostGIS's (island, cluster) answers into one label per
// detection, noise being a cluster of its own; -1 for those it did not see.
func blockLabels(labels []pgLabel, seen []bool) []int32 {
	out := make([]int32, len(labels))
	ids := map[pgLabel]int32{}
	next := int32(0)
	for i, l := range labels {
		switch {
		case !seen[i]:
			out[i] = -1
		case l.cid < 0:
			out[i] = next
			next++
		default:
			b, ok := ids[l]
			if !ok {
				b = next
				next++
				ids[l] = b
			}
			out[i] = b
		}
	}
	return out
}

// agree returns, for each detection compared, whether its truce cluster
// and its PostGIS cluster hold the same detections.
func (p *partitions) agree() []bool {
	sizeT := map[int32]int32{}
	sizeG := map[int32]int32{}
	both := map[[2]int32]int32{}
	for i := range p.ds {
		if p.skip[i] {
			continue
		}
		sizeT[p.truce[i]]++
		sizeG[p.pg[i]]++
		both[[2]int32{p.truce[i], p.pg[i]}]++
	}
	ok := make([]bool, len(p.ds))
	for i := range p.ds {
		if p.skip[i] {
			continue
		}
		a, b := p.truce[i], p.pg[i]
		n := both[[2]int32{a, b}]
		ok[i] = n == sizeT[a] && n == sizeG[b]
	}
	return ok
}

// compare checks the two partitions and explains the differences. xy are
// the projected coordinates PostGIS clustered (needed only where the
// partitions differ; nil otherwise, when it is not called for).
func (p *partitions) compare(ok []bool, xy func() ([][2]float64, error), epsM float64, epsT int64, minPts, maxExamples int) (agreement, error) {
	var a agreement
	var bad []int32
	for i := range p.ds {
		if p.skip[i] {
			continue
		}
		a.Compared++
		if !ok[i] {
			bad = append(bad, int32(i))
		}
	}
	a.Mismatches = len(bad)
	if len(bad) == 0 {
		return a, nil
	}
	pts, err := xy()
	if err != nil {
		return a, err
	}
	g := newGrid(p, epsM*1.01)
	// Group the mismatching detections: two are in one group when they share
	// a cluster on either side.
	parent := make(map[int32]int32, len(bad))
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	union := func(x, y int32) {
		x, y = find(x), find(y)
		if x != y {
			parent[max(x, y)] = min(x, y)
		}
	}
	firstT, firstG := map[int32]int32{}, map[int32]int32{}
	for _, i := range bad {
		parent[i] = i
	}
	for _, i := range bad {
		if f, ok := firstT[p.truce[i]]; ok {
			union(i, f)
		} else {
			firstT[p.truce[i]] = i
		}
		if f, ok := firstG[p.pg[i]]; ok {
			union(i, f)
		} else {
			firstG[p.pg[i]] = i
		}
	}
	// For each mismatching detection: the pairs the two distances disagree
	// on, and whether it is a border point with core neighbours in two of
	// truce's clusters.
	counts := map[int32]int{}
	countT := func(i int32) int {
		if c, ok := counts[i]; ok {
			return c
		}
		c := 0
		g.each(p, i, epsT, func(j int32) {
			if distance(&p.ds[i], &p.ds[j]) <= epsM {
				c++
			}
		})
		counts[i] = c
		return c
	}
	metric := map[int32]int{} // pairs, each counted once
	border := map[int32]int{}
	for _, i := range bad {
		var coreBlocks []int32
		g.each(p, i, epsT, func(j int32) {
			dt := distance(&p.ds[i], &p.ds[j]) <= epsM
			dp := math.Hypot(pts[i][0]-pts[j][0], pts[i][1]-pts[j][1]) <= epsM
			if _, jbad := parent[j]; dt != dp && (!jbad || i < j) {
				metric[find(i)]++
			}
			if dt && j != i && countT(j) >= minPts && !slices.Contains(coreBlocks, p.truce[j]) {
				coreBlocks = append(coreBlocks, p.truce[j])
			}
		})
		if countT(i) < minPts && len(coreBlocks) > 1 {
			border[find(i)]++
		}
	}
	size := map[int32]int{}
	for _, i := range bad {
		size[find(i)]++
	}
	a.Groups = len(size)
	sizeT, sizeG := map[int32]int{}, map[int32]int{}
	for i := range p.ds {
		if !p.skip[i] {
			sizeT[p.truce[i]]++
			sizeG[p.pg[i]]++
		}
	}
	for _, i := range bad {
		r := find(i)
		reason := "unexplained"
		switch {
		case metric[r] > 0:
			a.ByMetric++
			reason = "distance"
		case border[r] > 0:
			a.ByBorder++
			reason = "border"
		default:
			a.Unexplained++
		}
		if r == i && len(a.Examples) < maxExamples {
			d := &p.ds[i]
			a.Examples = append(a.Examples, mismatch{
				ID: int(i), Lon: d.lon, Lat: d.lat, TruceSize: sizeT[p.truce[i]], PostGISSize: sizeG[p.pg[i]],
				GroupPoints: size[r], Reason: reason, MetricPairs: metric[r], BorderPoints: border[r],
			})
		}
	}
	return a, nil
}

// grid finds the detections near one: square cells at least eps wide, per
// island.
type grid struct {
	dLon, dLat float64
	cells      map[[3]int64][]int32
}

func newGrid(p *partitions, eps float64) *grid {
	maxLat := 0.0
	for i := range p.ds {
		if !p.skip[i] {
			maxLat = max(maxLat, math.Abs(p.ds[i].lat))
		}
	}
	g := &grid{
		dLat:  eps / metresPerDegree,
		dLon:  eps / (metresPerDegree * math.Cos(math.Min(maxLat, 89.9)*math.Pi/180)),
		cells: map[[3]int64][]int32{},
	}
	for i := range p.ds {
		if !p.skip[i] {
			k := g.key(p, int32(i))
			g.cells[k] = append(g.cells[k], int32(i))
		}
	}
	return g
}

func (g *grid) key(p *partitions, i int32) [3]int64 {
	return [3]int64{p.island[i], int64(math.Floor(p.ds[i].lon / g.dLon)), int64(math.Floor(p.ds[i].lat / g.dLat))}
}

// each calls f for every compared detection j (i itself included) in the
// cells around i's, in its island and within epsT of it. Islands are
// separated by more than epsT, so no neighbour lies in another.
func (g *grid) each(p *partitions, i int32, epsT int64, f func(j int32)) {
	k := g.key(p, i)
	for dx := int64(-1); dx <= 1; dx++ {
		for dy := int64(-1); dy <= 1; dy++ {
			for _, j := range g.cells[[3]int64{k[0], k[1] + dx, k[2] + dy}] {
				if dt := p.ds[i].t - p.ds[j].t; dt <= epsT && dt >= -epsT {
					f(j)
				}
			}
		}
	}
}
