package correlate

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// Hotspot is a fixed heat source: ground where fire detections recur on so
// many nights of the data span that they come from something that burns
// routinely (a coke plant, a steelworks, a gas flare), not from fighting.
// Its detections are kept out of the incidents.
type Hotspot struct {
	// ID is derived from the sorted ids of its detections, as an
	// incident's is.
	ID string `json:"id"`
	// Lon and Lat are the mean of its detections; RadiusM the distance
	// from there to the farthest.
	Lon     float64 `json:"lon"`
	Lat     float64 `json:"lat"`
	RadiusM float64 `json:"radius_m"`
	// Nights is the number of nights with any of its detections,
	// SpanNights the nights in the data span, and MinNights
	// the threshold that made it a fixed source.
	Nights     int `json:"nights"`
	SpanNights int `json:"span_nights"`
	MinNights  int `json:"min_nights"`
	// First and Last are the times of its first and last detections.
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
	// Observations are its detections' ids, sorted.
	Observations []string `json:"observations"`
}

// night returns the night of t: nights run from 12:00 to 12:00 UTC, so
// that a night overpass between 22:00 and 01:00 UTC counts once.
func night(t int64) int64 {
	const day = int64(24 * time.Hour)
	return floorDiv(t-day/2, day)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// hotCells is a grid of cells about cellM metres square: rows of cellM
// metres of latitude, each cut into columns cellM metres wide at the row's
// middle latitude.
type hotCells struct{ cellM float64 }

type cellID struct{ x, y int64 }

func (h hotCells) row(lat float64) int64 {
	return int64(math.Floor(lat * metresPerDegree / h.cellM))
}

// scale returns the cosine of row's middle latitude, which sets the width
// of its columns in degrees.
func (h hotCells) scale(row int64) float64 {
	mid := (float64(row) + 0.5) * h.cellM / metresPerDegree
	return math.Cos(mid * math.Pi / 180)
}

// colAt returns the column of lon in a row of the given scale.
func (h hotCells) colAt(lon, scale float64) int64 {
	return int64(math.Floor(lon * metresPerDegree * scale / h.cellM))
}

func (h hotCells) col(lon float64, row int64) int64 { return h.colAt(lon, h.scale(row)) }

// around returns the cell of lon, lat and its eight neighbours, the cell
// itself first, then row by row from the south-west.
func (h hotCells) around(lon, lat float64) [9]cellID {
	r := h.row(lat)
	out := [9]cellID{{h.col(lon, r), r}}
	k := 1
	for dy := int64(-1); dy <= 1; dy++ {
		c := h.col(lon, r+dy)
		for dx := int64(-1); dx <= 1; dx++ {
			if dx == 0 && dy == 0 {
				continue
			}
			out[k] = cellID{c + dx, r + dy}
			k++
		}
	}
	return out
}

// findHotspots finds the fixed sources among fire detections pts, counting
// the detections of the rest of the record, hist, with them. A cell is hot
// when it has detections on at least opts.HotspotMinNights distinct
// nights, however long the record: a site that burned on that many nights
// burns routinely, and a longer record must not hide it. A detection belongs to a fixed source when its own cell or one of
// the eight around it is hot; hot cells that touch (8-connected) form one
// source. It returns the sources, each with its detections' positions in
// pts, ordered by their first member, and a mask of pts in a source.
func findHotspots(own, hist []stPoint, o *Options) (groups [][]int32, span, minNights int, in []bool) {
	in = make([]bool, len(own))
	if len(own) == 0 {
		return nil, 0, 0, in
	}
	pts := own
	if len(hist) > 0 {
		pts = append(slices.Clip(own), hist...)
	}
	h := hotCells{o.HotspotCellM}
	nightOf := make([]int32, len(pts))
	cells := make([]cellID, len(pts))
	// Each row's scale, computed once per row, for the rows the points
	// span.
	minLat, maxLat := math.Inf(1), math.Inf(-1)
	for i := range pts {
		minLat, maxLat = min(minLat, pts[i].lat), max(maxLat, pts[i].lat)
	}
	row0 := h.row(minLat)
	scale := make([]float64, h.row(maxLat)-row0+1)
	for k := range scale {
		scale[k] = h.scale(row0 + int64(k))
	}
	parallel(int32(len(pts)), func(lo, hi int32) {
		for i := lo; i < hi; i++ {
			r := h.row(pts[i].lat)
			cells[i] = cellID{h.colAt(pts[i].lon, scale[r-row0]), r}
		}
	})
	first, last := int64(math.MaxInt64), int64(math.MinInt64)
	minX, maxX, minY := int64(math.MaxInt64), int64(math.MinInt64), int64(math.MaxInt64)
	for i := range pts {
		n := night(pts[i].t)
		first, last = min(first, n), max(last, n)
		c := cells[i]
		minX, maxX, minY = min(minX, c.x), max(maxX, c.x), min(minY, c.y)
	}
	span = int(last - first + 1)
	minNights = o.HotspotMinNights
	// Each detection's cell as a key, row by row, with its night; sorted
	// by cell stably, so that a cell's nights keep the order of pts.
	stride := uint64(maxX-minX) + 1
	keys := make([]uint64, len(pts))
	parallel(int32(len(pts)), func(lo, hi int32) {
		for i := lo; i < hi; i++ {
			c := cells[i]
			keys[i] = uint64(c.y-minY)*stride + uint64(c.x-minX)
			nightOf[i] = int32(night(pts[i].t) - first)
		}
	})
	sortByKey(keys, nightOf)
	cellOf := func(k uint64) cellID { return cellID{int64(k%stride) + minX, int64(k/stride) + minY} }
	// Nights per cell; hot cells in sorted order.
	var hot []cellID
	hotNights := map[cellID]int{}
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j] == keys[i] {
			j++
		}
		if j-i >= minNights {
			ns := nightOf[i:j]
			if !slices.IsSorted(ns) { // detections not filed in time order
				slices.Sort(ns)
			}
			k := 1
			for x := 1; x < len(ns); x++ {
				if ns[x] != ns[x-1] {
					k++
				}
			}
			if k >= minNights {
				c := cellOf(keys[i])
				hot = append(hot, c)
				hotNights[c] = k
			}
		}
		i = j
	}
	if len(hot) == 0 {
		return nil, span, minNights, in
	}
	// Components of touching hot cells, each named by its first cell in
	// sorted order.
	comp := map[cellID]int{}
	ncomp := 0
	for _, c := range hot {
		if _, ok := comp[c]; ok {
			continue
		}
		id := ncomp
		ncomp++
		stack := []cellID{c}
		comp[c] = id
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for dy := int64(-1); dy <= 1; dy++ {
				for dx := int64(-1); dx <= 1; dx++ {
					y := cellID{x.x + dx, x.y + dy}
					if _, isHot := hotNights[y]; isHot {
						if _, seen := comp[y]; !seen {
							comp[y] = id
							stack = append(stack, y)
						}
					}
				}
			}
		}
	}
	members := make([][]int32, ncomp)
	for i := range own {
		for _, c := range h.around(pts[i].lon, pts[i].lat) {
			if id, ok := comp[c]; ok {
				members[id] = append(members[id], int32(i))
				in[i] = true
				break
			}
		}
	}
	// Order by first member; drop the sources that burned only outside
	// the records correlated.
	var order []int
	for i := range members {
		if len(members[i]) > 0 {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(pts[members[a][0]].rec, pts[members[b][0]].rec) })
	for _, k := range order {
		groups = append(groups, members[k])
	}
	return groups, span, minNights, in
}
