// Command boundarygen converts Natural Earth's admin-0 countries, as the
// npm package world-atlas carries them (countries-10m.json, TopoJSON), into
// the GeoJSON that package control embeds: Ukraine and its neighbours.
//
// Usage:
//
//	go run ./control/internal/boundarygen -in countries-10m.json -out control/boundaries/countries.geojson
//
// Get countries-10m.json with "npm pack world-atlas@2.0.2" in a scratch
// directory and untar it (package/countries-10m.json). The conversion is
// deterministic: the same input gives the same bytes.
//
// What it does:
//
//   - decodes the TopoJSON arcs (delta-encoded, quantized) and its
//     transform into longitude/latitude degrees, rounded to 6 decimals
//     (the input's quantum is 0.0036° by 0.0017°, so nothing is lost);
//   - takes the countries listed in countries, by their ISO 3166-1 numeric
//     code, which world-atlas uses as the geometry id;
//   - moves Crimea to Ukraine: Natural Earth's default admin-0 view draws
//     the peninsula (Sevastopol included) as a polygon of Russia. The
//     Russian polygon that covers Simferopol is taken out of Russia and
//     unioned with Ukraine, so that Ukraine is its internationally
//     recognised boundary of 1991;
//   - clips every country but Ukraine to the window west, south, east,
//     north (Russia's mainland polygon spans the globe, and its ring is
//     not simple at the antimeridian, so the clipping is done ring by ring
//     before any overlay);
//   - writes one FeatureCollection, a Feature per country with properties
//     iso_a2, iso_n3 and name, exterior rings counter-clockwise (RFC 7946).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"

	"github.com/peterstace/simplefeatures/geom"
)

// country is one country to write.
type country struct {
	isoN3, isoA2, name string
}

// countries are Ukraine and the neighbours needed to tell a state border
// from a coast, and to say in which country held ground lies.
var countries = []country{
	{"804", "UA", "Ukraine"},
	{"643", "RU", "Russia"},
	{"112", "BY", "Belarus"},
	{"498", "MD", "Moldova"},
	{"642", "RO", "Romania"},
	{"616", "PL", "Poland"},
	{"703", "SK", "Slovakia"},
	{"348", "HU", "Hungary"},
}

// The window neighbours are clipped to, in degrees. Only Russia reaches
// beyond it.
const west, south, east, north = 12.0, 40.0, 50.0, 62.0

// simferopol is a point in Crimea, used to find the peninsula's polygon.
var simferopol = geom.XY{X: 34.10, Y: 44.95}

type topology struct {
	Type      string `json:"type"`
	Transform *struct {
		Scale     [2]float64 `json:"scale"`
		Translate [2]float64 `json:"translate"`
	} `json:"transform"`
	Objects map[string]struct {
		Geometries []struct {
			Type       string          `json:"type"`
			ID         json.RawMessage `json:"id"`
			Arcs       json.RawMessage `json:"arcs"`
			Properties map[string]any  `json:"properties"`
		} `json:"geometries"`
	} `json:"objects"`
	Arcs [][][]float64 `json:"arcs"`
}

func main() {
	in := flag.String("in", "", "world-atlas countries-10m.json (TopoJSON)")
	out := flag.String("out", "", "the GeoJSON to write")
	flag.Parse()
	if *in == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: boundarygen -in countries-10m.json -out countries.geojson")
		os.Exit(2)
	}
	data, err := os.ReadFile(*in)
	if err != nil {
		fatal(err)
	}
	b, err := convert(data)
	if err != nil {
		fatal(fmt.Errorf("%s: %v", *in, err))
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "boundarygen:", err)
	os.Exit(1)
}

// convert turns the TopoJSON into the embedded GeoJSON.
func convert(data []byte) ([]byte, error) {
	var t topology
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, err
	}
	if t.Type != "Topology" {
		return nil, fmt.Errorf("type %q: want Topology", t.Type)
	}
	arcs, err := decodeArcs(&t)
	if err != nil {
		return nil, err
	}
	obj, ok := t.Objects["countries"]
	if !ok {
		return nil, fmt.Errorf("no object \"countries\"")
	}
	wanted := map[string]bool{}
	for _, c := range countries {
		wanted[c.isoN3] = true
	}
	byID := map[string]geom.MultiPolygon{}
	for i, g := range obj.Geometries {
		var id string
		if err := json.Unmarshal(g.ID, &id); err != nil || !wanted[id] {
			continue // a few territories have no ISO code
		}
		mp, err := multiPolygon(g.Type, g.Arcs, arcs, id == "804")
		if err != nil {
			return nil, fmt.Errorf("objects.countries.geometries[%d] (id %s): %v", i, id, err)
		}
		byID[id] = mp
	}
	for _, c := range countries {
		if _, ok := byID[c.isoN3]; !ok {
			return nil, fmt.Errorf("no country with id %s (%s)", c.isoN3, c.name)
		}
	}

	// Crimea: out of Russia, into Ukraine.
	var crimea geom.Polygon
	var rest []geom.Polygon
	ru := byID["643"]
	for i := 0; i < ru.NumPolygons(); i++ {
		p := ru.PolygonN(i)
		if crimea.IsEmpty() && p.Envelope().Contains(simferopol) && covers(p, simferopol) {
			crimea = p
			continue
		}
		rest = append(rest, p)
	}
	if crimea.IsEmpty() {
		return nil, fmt.Errorf("no Russian polygon covers Simferopol: has Natural Earth moved Crimea? Check before regenerating")
	}
	byID["643"] = geom.NewMultiPolygon(rest)
	ua, err := geom.Union(byID["804"].AsGeometry(), crimea.AsGeometry())
	if err != nil {
		return nil, fmt.Errorf("union of Ukraine and Crimea: %v", err)
	}
	byID["804"] = asMulti(ua)

	var buf bytes.Buffer
	buf.WriteString(`{"type":"FeatureCollection","features":[`)
	for i, c := range countries {
		mp := byID[c.isoN3]
		if err := mp.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %v", c.name, err)
		}
		mp = mp.ForceCCW()
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, "\n{\"type\":\"Feature\",\"properties\":{\"iso_a2\":%q,\"iso_n3\":%q,\"name\":%q},\"geometry\":", c.isoA2, c.isoN3, c.name)
		writeMultiPolygon(&buf, mp)
		buf.WriteByte('}')
	}
	buf.WriteString("\n]}\n")
	return buf.Bytes(), nil
}

// decodeArcs undoes the delta encoding and quantization of every arc.
func decodeArcs(t *topology) ([][]geom.XY, error) {
	out := make([][]geom.XY, len(t.Arcs))
	for i, a := range t.Arcs {
		if len(a) < 2 {
			return nil, fmt.Errorf("arcs[%d]: an arc needs at least 2 positions, found %d", i, len(a))
		}
		pts := make([]geom.XY, len(a))
		var x, y float64
		for j, p := range a {
			if len(p) < 2 {
				return nil, fmt.Errorf("arcs[%d][%d]: a position needs 2 numbers, found %d", i, j, len(p))
			}
			if t.Transform != nil {
				x += p[0]
				y += p[1]
				pts[j] = geom.XY{
					X: round6(x*t.Transform.Scale[0] + t.Transform.Translate[0]),
					Y: round6(y*t.Transform.Scale[1] + t.Transform.Translate[1]),
				}
			} else {
				pts[j] = geom.XY{X: p[0], Y: p[1]}
			}
		}
		out[i] = pts
	}
	return out, nil
}

func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }

// ring joins arcs into one closed ring. A negative index ~i means arc i
// reversed; consecutive arcs share their joining point.
func ring(idx []int, arcs [][]geom.XY) ([]float64, error) {
	var flat []float64
	for k, i := range idx {
		rev := i < 0
		if rev {
			i = ^i
		}
		if i >= len(arcs) {
			return nil, fmt.Errorf("arc %d does not exist", i)
		}
		a := arcs[i]
		for j := range a {
			p := a[j]
			if rev {
				p = a[len(a)-1-j]
			}
			if k > 0 && j == 0 {
				continue
			}
			flat = append(flat, p.X, p.Y)
		}
	}
	return flat, nil
}

// multiPolygon builds a geometry from its arcs. With check, every polygon
// must be valid; without, validity is checked after clipping to the window
// (Russia's mainland ring is not simple at the antimeridian, far from it).
func multiPolygon(typ string, raw json.RawMessage, arcs [][]geom.XY, check bool) (geom.MultiPolygon, error) {
	var polys [][][]int
	switch typ {
	case "Polygon":
		var p [][]int
		if err := json.Unmarshal(raw, &p); err != nil {
			return geom.MultiPolygon{}, err
		}
		polys = [][][]int{p}
	case "MultiPolygon":
		if err := json.Unmarshal(raw, &polys); err != nil {
			return geom.MultiPolygon{}, err
		}
	default:
		return geom.MultiPolygon{}, fmt.Errorf("geometry type %q: want Polygon or MultiPolygon", typ)
	}
	var out []geom.Polygon
	for _, p := range polys {
		var rings []geom.LineString
		for _, r := range p {
			flat, err := ring(r, arcs)
			if err != nil {
				return geom.MultiPolygon{}, err
			}
			if len(flat) < 8 || flat[0] != flat[len(flat)-2] || flat[1] != flat[len(flat)-1] {
				return geom.MultiPolygon{}, fmt.Errorf("ring %v is not a closed ring of at least 4 positions", r)
			}
			if !check {
				var ok bool
				if flat, ok = clip(flat); !ok {
					continue
				}
			}
			if flat = clean(flat); len(flat) < 8 {
				if len(rings) == 0 {
					break // the exterior is nothing but a spike: no polygon
				}
				continue // a hole that is nothing but a spike
			}
			rings = append(rings, geom.NewLineString(geom.NewSequence(flat, geom.DimXY)))
		}
		if len(rings) == 0 {
			continue
		}
		poly := geom.NewPolygon(rings)
		if check {
			if err := poly.Validate(); err != nil {
				return geom.MultiPolygon{}, err
			}
		}
		out = append(out, poly)
	}
	return geom.NewMultiPolygon(out), nil
}

// clean removes what quantization leaves in a closed ring of x, y pairs:
// repeated points and spikes (A, B, A), which make a ring not simple.
func clean(flat []float64) []float64 {
	type xy struct{ x, y float64 }
	pts := make([]xy, 0, len(flat)/2)
	for i := 0; i+1 < len(flat); i += 2 {
		pts = append(pts, xy{flat[i], flat[i+1]})
	}
	pts = pts[:len(pts)-1] // open the ring
	for changed := true; changed && len(pts) > 3; {
		changed = false
		out := pts[:0:0]
		for _, p := range pts {
			if len(out) > 0 && out[len(out)-1] == p {
				changed = true
				continue
			}
			if len(out) > 1 && out[len(out)-2] == p { // spike: drop its tip
				out = out[:len(out)-1]
				changed = true
				continue
			}
			out = append(out, p)
		}
		for len(out) > 2 && (out[0] == out[len(out)-1] || out[1] == out[len(out)-1]) {
			if out[0] == out[len(out)-1] {
				out = out[:len(out)-1]
			} else {
				out = out[1:]
			}
			changed = true
		}
		pts = out
	}
	if len(pts) < 3 {
		return nil
	}
	flat = flat[:0:0]
	for _, p := range append(pts, pts[0]) {
		flat = append(flat, p.x, p.y)
	}
	return flat
}

// clip cuts a closed ring of x, y pairs to the window. Each run of
// vertices outside the window is replaced by the points where the ring
// leaves and re-enters it, joined along the window's edge through the
// corners the run went round. ok is false when nothing of the ring is
// inside the window.
func clip(flat []float64) ([]float64, bool) {
	n := len(flat)/2 - 1 // the ring without its closing point
	at := func(i int) geom.XY { i %= n; return geom.XY{X: flat[2*i], Y: flat[2*i+1]} }
	start := -1
	for i := 0; i < n; i++ {
		if inWindow(at(i)) {
			start = i
			break
		}
	}
	if start < 0 {
		return nil, false
	}
	var out []float64
	add := func(p geom.XY) {
		if k := len(out); k >= 2 && out[k-2] == p.X && out[k-1] == p.Y {
			return
		}
		out = append(out, p.X, p.Y)
	}
	for i := start; i < start+n; {
		p := at(i)
		if inWindow(p) {
			add(p)
			i++
			continue
		}
		// A run of outside vertices from i to j-1.
		exit := crossing(at(i-1+n), p)
		s := perimeter(exit)
		walk := 0.0
		j := i
		for ; !inWindow(at(j)); j++ {
			q := perimeter(clampXY(at(j)))
			walk += unwrap(q - s)
			s = q
		}
		entry := crossing(at(j), at(j-1))
		walk += unwrap(perimeter(entry) - s)
		add(exit)
		for _, c := range corners(perimeter(exit), walk) {
			add(c)
		}
		add(entry)
		i = j
	}
	add(geom.XY{X: out[0], Y: out[1]})
	return out, len(out) >= 8
}

func inWindow(p geom.XY) bool { return p.X >= west && p.X <= east && p.Y >= south && p.Y <= north }

func clampXY(p geom.XY) geom.XY {
	return geom.XY{X: math.Min(math.Max(p.X, west), east), Y: math.Min(math.Max(p.Y, south), north)}
}

// crossing returns where the segment from a (inside) to b (outside) meets
// the window's edge.
func crossing(a, b geom.XY) geom.XY {
	t := 1.0
	for _, e := range []struct{ p, d, lim float64 }{
		{a.X, b.X - a.X, west}, {a.X, b.X - a.X, east}, {a.Y, b.Y - a.Y, south}, {a.Y, b.Y - a.Y, north},
	} {
		if e.d != 0 {
			if u := (e.lim - e.p) / e.d; u >= 0 && u < t {
				t = u
			}
		}
	}
	return clampXY(geom.XY{X: round6(a.X + t*(b.X-a.X)), Y: round6(a.Y + t*(b.Y-a.Y))})
}

const width, height = east - west, north - south

// perimeter returns the distance along the window's edge, counter-clockwise
// from its south-west corner, of a point on the edge.
func perimeter(p geom.XY) float64 {
	switch {
	case p.Y == south:
		return p.X - west
	case p.X == east:
		return width + p.Y - south
	case p.Y == north:
		return width + height + (east - p.X)
	}
	return 2*width + 2*height - (p.Y - south)
}

// unwrap maps a step along the perimeter to the shorter way round.
func unwrap(d float64) float64 {
	const l = 2 * (width + height)
	for d > l/2 {
		d -= l
	}
	for d < -l/2 {
		d += l
	}
	return d
}

// corners lists the window's corners passed walking walk along its edge
// from perimeter position s, in the order they are passed.
func corners(s, walk float64) []geom.XY {
	pos := []float64{0, width, width + height, 2*width + height}
	xy := []geom.XY{{X: west, Y: south}, {X: east, Y: south}, {X: east, Y: north}, {X: west, Y: north}}
	const l = 2 * (width + height)
	lo, hi := min(s, s+walk), max(s, s+walk)
	type corner struct {
		at float64
		xy geom.XY
	}
	var cs []corner
	for m := -2.0; m <= 2; m++ {
		for k, p := range pos {
			if c := p + m*l; c > lo && c < hi {
				cs = append(cs, corner{c, xy[k]})
			}
		}
	}
	sort.Slice(cs, func(i, j int) bool { return (cs[i].at < cs[j].at) == (walk > 0) })
	out := make([]geom.XY, len(cs))
	for i, c := range cs {
		out[i] = c.xy
	}
	return out
}

// covers reports whether p's exterior ring holds xy (even-odd rule).
func covers(p geom.Polygon, xy geom.XY) bool {
	seq := p.ExteriorRing().Coordinates()
	in := false
	for i := 1; i < seq.Length(); i++ {
		a, b := seq.GetXY(i-1), seq.GetXY(i)
		if (a.Y > xy.Y) != (b.Y > xy.Y) && xy.X < (b.X-a.X)*(xy.Y-a.Y)/(b.Y-a.Y)+a.X {
			in = !in
		}
	}
	return in
}

func asMulti(g geom.Geometry) geom.MultiPolygon {
	if p, ok := g.AsPolygon(); ok {
		return p.AsMultiPolygon()
	}
	mp, _ := g.AsMultiPolygon()
	return mp
}

func writeMultiPolygon(buf *bytes.Buffer, mp geom.MultiPolygon) {
	buf.WriteString(`{"type":"MultiPolygon","coordinates":[`)
	for i := 0; i < mp.NumPolygons(); i++ {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteByte('[')
		for j, r := range mp.PolygonN(i).DumpRings() {
			if j > 0 {
				buf.WriteByte(',')
			}
			buf.WriteByte('[')
			seq := r.Coordinates()
			for k := 0; k < seq.Length(); k++ {
				if k > 0 {
					buf.WriteByte(',')
				}
				xy := seq.GetXY(k)
				buf.WriteByte('[')
				buf.WriteString(strconv.FormatFloat(xy.X, 'f', -1, 64))
				buf.WriteByte(',')
				buf.WriteString(strconv.FormatFloat(xy.Y, 'f', -1, 64))
				buf.WriteByte(']')
			}
			buf.WriteByte(']')
		}
		buf.WriteByte(']')
	}
	buf.WriteString(`]}`)
}
