package geo

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// Index is a multipolygon prepared for fast point-in-polygon queries.
//
// It answers the question of PostGIS ST_Covers on planar longitude/latitude
// geometry: a point is covered if it lies in the interior of the
// multipolygon or on its boundary (an edge or a vertex of any ring,
// holes included). The answer is exact: every decision is a sign of a
// determinant of the input coordinates, computed exactly when floating
// point cannot decide it.
//
// The index is a uniform grid over the bounding box of the multipolygon.
// A cell that no edge touches is wholly inside or wholly outside and answers
// with one load. A cell that edges cross keeps copies of those edges and a
// reference point whose state is known; a query there counts the edges that
// cross the segment from the reference point to the query point, so it costs
// a few orientation tests however large the multipolygon is.
//
// Rings may have either orientation; a ring whose last point differs from its
// first is treated as closed. Interiors are decided by the even-odd rule over
// all rings, which is the union of the polygons when their interiors do not
// overlap (every valid multipolygon; polygons that share edges are fine).
//
// An Index is immutable and safe for concurrent use.
type Index struct {
	minX, minY, maxX, maxY float64
	nx, ny                 int
	sx, sy                 float64 // cells per degree
	cells                  []uint32
	bcells                 []boundaryCell
	edges                  []cellEdge
}

// Cell codes in Index.cells; a code of cellBoundary or more is
// cellBoundary plus an index into Index.bcells.
const (
	cellOutside  = 0
	cellInside   = 1
	cellBoundary = 2
)

// boundaryCell is a cell that edges cross: its edges are
// Index.edges[start:end], and the reference point (rx, ry) lies inside the
// cell and on no edge; in says whether it is inside the multipolygon.
type boundaryCell struct {
	rx, ry     float64
	start, end uint32
	in         bool
}

// cellEdge is an edge a→b stored with the cell it crosses; side is
// orient(a, b, reference point of the cell).
type cellEdge struct {
	ax, ay, bx, by float64
	side           int8
}

// cellsPerEdge and maxCells size the grid: about cellsPerEdge cells per edge,
// at most maxCells in all.
const (
	cellsPerEdge = 64
	maxCells     = 1 << 22
)

// edge is one edge of a ring as NewIndex collects them.
type edge struct{ a, b Point }

// NewIndex prepares m for Covers. It does not retain m. The coordinates
// should be finite, as DecodeMultiPolygon ensures; an edge with a NaN or
// infinite end is left out.
func NewIndex(m MultiPolygon) *Index {
	var edges []edge
	for _, poly := range m {
		for _, r := range poly {
			if len(r) == 0 {
				continue
			}
			for i := range r {
				e := edge{r[i], r[(i+1)%len(r)]}
				if i+1 == len(r) && e.a == e.b {
					break // the closing point of a closed ring
				}
				if finite(e.a) && finite(e.b) {
					edges = append(edges, e)
				}
			}
		}
	}
	ix := &Index{minX: math.Inf(1), minY: math.Inf(1), maxX: math.Inf(-1), maxY: math.Inf(-1)}
	if len(edges) == 0 {
		return ix // covers nothing: its box is empty
	}
	for _, e := range edges {
		ix.minX = min(ix.minX, e.a[0], e.b[0])
		ix.maxX = max(ix.maxX, e.a[0], e.b[0])
		ix.minY = min(ix.minY, e.a[1], e.b[1])
		ix.maxY = max(ix.maxY, e.a[1], e.b[1])
	}
	// A box of no width or height still needs cells with room for a
	// reference point off the edges.
	if ix.minX == ix.maxX {
		ix.minX, ix.maxX = ix.minX-0.5, ix.maxX+0.5
	}
	if ix.minY == ix.maxY {
		ix.minY, ix.maxY = ix.minY-0.5, ix.maxY+0.5
	}
	ix.sizeGrid(len(edges))
	ix.build(edges)
	return ix
}

func finite(p Point) bool {
	return !math.IsNaN(p[0]) && !math.IsInf(p[0], 0) && !math.IsNaN(p[1]) && !math.IsInf(p[1], 0)
}

// sizeGrid chooses the grid's dimensions for n edges, with cells roughly
// square in degrees.
func (ix *Index) sizeGrid(n int) {
	target := float64(min(max(n*cellsPerEdge, 1), maxCells))
	w, h := ix.maxX-ix.minX, ix.maxY-ix.minY
	ix.nx = int(math.Ceil(math.Sqrt(target * w / h)))
	ix.ny = int(math.Ceil(target / float64(ix.nx)))
	ix.nx = min(max(ix.nx, 1), maxCells)
	ix.ny = min(max(ix.ny, 1), maxCells/ix.nx)
	ix.sx = float64(ix.nx) / w
	ix.sy = float64(ix.ny) / h
}

// cellX returns the column of longitude x, clamped to the grid.
func (ix *Index) cellX(x float64) int {
	return min(max(int((x-ix.minX)*ix.sx), 0), ix.nx-1)
}

// cellY returns the row of latitude y, clamped to the grid.
func (ix *Index) cellY(y float64) int {
	return min(max(int((y-ix.minY)*ix.sy), 0), ix.ny-1)
}

// cellRect returns the bounds of column i and row j, widened by a margin
// that covers the rounding of cellX and cellY: a point that they place in
// cell (i, j) lies within these bounds.
func (ix *Index) cellRect(i, j int) (x0, y0, x1, y1 float64) {
	w, h := ix.maxX-ix.minX, ix.maxY-ix.minY
	cw, ch := w/float64(ix.nx), h/float64(ix.ny)
	padX := cw*1e-6 + 1e-9
	padY := ch*1e-6 + 1e-9
	x0 = ix.minX + float64(i)*cw - padX
	x1 = ix.minX + float64(i+1)*cw + padX
	y0 = ix.minY + float64(j)*ch - padY
	y1 = ix.minY + float64(j+1)*ch + padY
	return
}

// build distributes the edges over the cells and decides every cell.
func (ix *Index) build(edges []edge) {
	ncell := ix.nx * ix.ny
	// Count, then list, the edges that touch each cell (compressed rows).
	count := make([]uint32, ncell+1)
	ix.eachEdgeCell(edges, func(c, _ int) { count[c+1]++ })
	for c := 1; c <= ncell; c++ {
		count[c] += count[c-1]
	}
	ids := make([]int32, count[ncell])
	fill := slices.Clone(count[:ncell])
	ix.eachEdgeCell(edges, func(c, e int) {
		ids[fill[c]] = int32(e)
		fill[c]++
	})
	fill = nil

	// Edges whose latitude range meets each row, for ray casting.
	rowCount := make([]uint32, ix.ny+1)
	for _, e := range edges {
		j0, j1 := ix.edgeRows(e)
		for j := j0; j <= j1; j++ {
			rowCount[j+1]++
		}
	}
	for j := 1; j <= ix.ny; j++ {
		rowCount[j] += rowCount[j-1]
	}
	rowIDs := make([]int32, rowCount[ix.ny])
	rowFill := slices.Clone(rowCount[:ix.ny])
	for k, e := range edges {
		j0, j1 := ix.edgeRows(e)
		for j := j0; j <= j1; j++ {
			rowIDs[rowFill[j]] = int32(k)
			rowFill[j]++
		}
	}

	ix.cells = make([]uint32, ncell)
	ix.edges = make([]cellEdge, 0, len(ids))
	var xs []float64
	for j := range ix.ny {
		row := rowIDs[rowCount[j]:rowCount[j+1]]
		// Crossings of the row's centre line, for the cells no edge
		// touches: an edge that meets the line inside such a cell would
		// touch it, so rounding here cannot move a crossing past a centre.
		_, y0, _, y1 := ix.cellRect(0, j)
		yc := (y0 + y1) / 2
		xs = xs[:0]
		for _, k := range row {
			a, b := edges[k].a, edges[k].b
			if (a[1] <= yc) != (b[1] <= yc) {
				xs = append(xs, a[0]+(yc-a[1])*(b[0]-a[0])/(b[1]-a[1]))
			}
		}
		slices.Sort(xs)
		left := 0 // crossings left of the current centre
		for i := range ix.nx {
			c := j*ix.nx + i
			x0, _, x1, _ := ix.cellRect(i, j)
			xc := (x0 + x1) / 2
			for left < len(xs) && xs[left] <= xc {
				left++
			}
			cellIDs := ids[count[c]:count[c+1]]
			if len(cellIDs) == 0 {
				if (len(xs)-left)%2 == 1 {
					ix.cells[c] = cellInside
				}
				continue
			}
			ix.cells[c] = cellBoundary + uint32(len(ix.bcells))
			ix.bcells = append(ix.bcells, ix.boundaryCell(i, j, edges, cellIDs, row))
		}
	}
}

// eachEdgeCell calls f(cell, edge) for every cell that edge touches (or
// nearly touches: the test is conservative).
func (ix *Index) eachEdgeCell(edges []edge, f func(c, e int)) {
	for k, e := range edges {
		i0 := ix.cellX(min(e.a[0], e.b[0])) - 1
		i1 := ix.cellX(max(e.a[0], e.b[0])) + 1
		j0 := ix.cellY(min(e.a[1], e.b[1])) - 1
		j1 := ix.cellY(max(e.a[1], e.b[1])) + 1
		for j := max(j0, 0); j <= min(j1, ix.ny-1); j++ {
			for i := max(i0, 0); i <= min(i1, ix.nx-1); i++ {
				x0, y0, x1, y1 := ix.cellRect(i, j)
				if segmentTouchesRect(e.a, e.b, x0, y0, x1, y1) {
					f(j*ix.nx+i, k)
				}
			}
		}
	}
}

// edgeRows returns the rows whose (widened) latitude range meets the edge's.
func (ix *Index) edgeRows(e edge) (j0, j1 int) {
	lo, hi := min(e.a[1], e.b[1]), max(e.a[1], e.b[1])
	j0 = max(ix.cellY(lo)-1, 0)
	j1 = min(ix.cellY(hi)+1, ix.ny-1)
	for j0 < j1 {
		if _, _, _, y1 := ix.cellRect(0, j0); y1 >= lo {
			break
		}
		j0++
	}
	for j1 > j0 {
		if _, y0, _, _ := ix.cellRect(0, j1); y0 <= hi {
			break
		}
		j1--
	}
	return j0, j1
}

// segmentTouchesRect reports whether segment ab may meet the rectangle. It
// errs only towards true.
func segmentTouchesRect(a, b Point, x0, y0, x1, y1 float64) bool {
	if max(a[0], b[0]) < x0 || min(a[0], b[0]) > x1 || max(a[1], b[1]) < y0 || min(a[1], b[1]) > y1 {
		return false
	}
	dx, dy := b[0]-a[0], b[1]-a[1]
	var pos, neg bool
	for _, c := range [4]Point{{x0, y0}, {x1, y0}, {x0, y1}, {x1, y1}} {
		s := dx*(c[1]-a[1]) - dy*(c[0]-a[0])
		pos = pos || s >= 0
		neg = neg || s <= 0
	}
	return pos && neg
}

// refFractions are the positions within a cell, as fractions of its width
// and height, tried in turn for a reference point that lies on no edge.
var refFractions = [...][2]float64{
	{0.5, 0.5}, {0.3125, 0.6875}, {0.6875, 0.3125}, {0.40625, 0.21875},
	{0.78125, 0.84375}, {0.15625, 0.46875}, {0.59375, 0.09375}, {0.90625, 0.65625},
}

// boundaryCell chooses the reference point of cell (i, j), decides it by
// ray casting over the row's edges, and stores the cell's edges.
func (ix *Index) boundaryCell(i, j int, edges []edge, cellIDs, rowIDs []int32) boundaryCell {
	w, h := ix.maxX-ix.minX, ix.maxY-ix.minY
	cw, ch := w/float64(ix.nx), h/float64(ix.ny)
	var rx, ry float64
	for n := 0; ; n++ {
		var f [2]float64
		if n < len(refFractions) {
			f = refFractions[n]
		} else {
			// Irrational steps: some point of the cell is on no edge.
			f = [2]float64{math.Mod(float64(n)*0.6180339887498949, 1), math.Mod(float64(n)*0.7548776662466927, 1)}
		}
		rx = ix.minX + (float64(i)+f[0])*cw
		ry = ix.minY + (float64(j)+f[1])*ch
		if !onAnyEdge(rx, ry, edges, cellIDs) {
			break
		}
	}
	// The reference point is on no edge, so the crossing number of the
	// ray from it towards +x decides it; the half-open rule counts an edge
	// whose end lies on the ray once.
	in := false
	for _, k := range rowIDs {
		a, b := edges[k].a, edges[k].b
		switch {
		case a[1] <= ry && ry < b[1]: // upward
			in = in != (orient(a[0], a[1], b[0], b[1], rx, ry) > 0)
		case b[1] <= ry && ry < a[1]: // downward
			in = in != (orient(a[0], a[1], b[0], b[1], rx, ry) < 0)
		}
	}
	bc := boundaryCell{rx: rx, ry: ry, in: in, start: uint32(len(ix.edges))}
	for _, k := range cellIDs {
		a, b := edges[k].a, edges[k].b
		ix.edges = append(ix.edges, cellEdge{
			ax: a[0], ay: a[1], bx: b[0], by: b[1],
			side: int8(orient(a[0], a[1], b[0], b[1], rx, ry)),
		})
	}
	bc.end = uint32(len(ix.edges))
	return bc
}

// onAnyEdge reports whether (x, y) lies on one of the listed edges.
func onAnyEdge(x, y float64, edges []edge, ids []int32) bool {
	for _, k := range ids {
		a, b := edges[k].a, edges[k].b
		if onSegment(a[0], a[1], b[0], b[1], x, y) {
			return true
		}
	}
	return false
}

// onSegment reports whether p lies on the closed segment ab, exactly.
func onSegment(ax, ay, bx, by, px, py float64) bool {
	return px >= min(ax, bx) && px <= max(ax, bx) && py >= min(ay, by) && py <= max(ay, by) &&
		orient(ax, ay, bx, by, px, py) == 0
}

// Covers reports whether p lies inside the multipolygon or on its boundary.
// A point with a NaN coordinate is not covered.
func (ix *Index) Covers(p Point) bool {
	x, y := p[0], p[1]
	if !(x >= ix.minX && x <= ix.maxX && y >= ix.minY && y <= ix.maxY) {
		return false
	}
	// In the box, the products are not negative; only the top edge of
	// the box needs clamping.
	i := min(int((x-ix.minX)*ix.sx), ix.nx-1)
	j := min(int((y-ix.minY)*ix.sy), ix.ny-1)
	code := ix.cells[j*ix.nx+i]
	if code < cellBoundary {
		return code == cellInside
	}
	return ix.coversInCell(&ix.bcells[code-cellBoundary], x, y)
}

// coversInCell decides (px, py) from the state of the cell's reference point
// r and the parity of the number of edges that cross the segment r→p.
//
// Vertices that lie on the line through r and p are counted as lying to its
// left: that is the same as bending the segment infinitesimally to the right
// between its ends, so an edge crosses it when its ends are on opposite
// sides of the line (on counting as left) and r and p are on opposite sides
// of the edge's line. Neither r nor p is then on that line (p is on no edge
// once the on-edge test has failed, and r is on no edge by construction), so
// each crossing is counted exactly once.
func (ix *Index) coversInCell(bc *boundaryCell, px, py float64) bool {
	in := bc.in
	rx, ry := bc.rx, bc.ry
	lox, hix := min(rx, px), max(rx, px)
	loy, hiy := min(ry, py), max(ry, py)
	for k := bc.start; k < bc.end; k++ {
		e := &ix.edges[k]
		ex0, ex1 := min(e.ax, e.bx), max(e.ax, e.bx)
		ey0, ey1 := min(e.ay, e.by), max(e.ay, e.by)
		if ex1 < lox || ex0 > hix || ey1 < loy || ey0 > hiy {
			continue // misses the box of r→p, which holds p
		}
		o := orient(e.ax, e.ay, e.bx, e.by, px, py)
		if o == 0 {
			if px >= ex0 && px <= ex1 && py >= ey0 && py <= ey1 {
				return true // on the edge
			}
			continue
		}
		if int8(o) == e.side {
			continue // r and p on the same side of the edge's line
		}
		if (orient(rx, ry, px, py, e.ax, e.ay) >= 0) != (orient(rx, ry, px, py, e.bx, e.by) >= 0) {
			in = !in
		}
	}
	return in
}

// coversBatch is the number of points a worker of CoversAll takes at a time.
const coversBatch = 1 << 13

// CoversAll sets out[i] to ix.Covers(pts[i]) for every point, spreading the
// work over GOMAXPROCS goroutines when the batch is large enough to gain
// from it. It panics if out is shorter than pts.
func (ix *Index) CoversAll(pts []Point, out []bool) {
	if len(out) < len(pts) {
		panic(fmt.Sprintf("geo: CoversAll: out holds %d results for %d points", len(out), len(pts)))
	}
	workers := min(runtime.GOMAXPROCS(0), len(pts)/coversBatch)
	if workers <= 1 {
		for i, p := range pts {
			out[i] = ix.Covers(p)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				end := int(next.Add(coversBatch))
				start := end - coversBatch
				if start >= len(pts) {
					return
				}
				end = min(end, len(pts))
				for i, p := range pts[start:end] {
					out[start+i] = ix.Covers(p)
				}
			}
		})
	}
	wg.Wait()
}
