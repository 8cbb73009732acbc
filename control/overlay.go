package control

import (
	"fmt"

	"github.com/peterstace/simplefeatures/geom"

	"github.com/truce-monitor/truce/geo"
)

// This file converts between geo's types and simplefeatures', which does
// the polygon overlay (intersection, difference) that geo does not.

// toSF converts mp to a simplefeatures multipolygon. Ring orientation does
// not matter to the overlay.
func toSF(mp geo.MultiPolygon) geom.MultiPolygon {
	polys := make([]geom.Polygon, 0, len(mp))
	for _, p := range mp {
		rings := make([]geom.LineString, 0, len(p))
		for _, r := range p {
			flat := make([]float64, 0, 2*len(r))
			for _, pt := range r {
				flat = append(flat, pt[0], pt[1])
			}
			rings = append(rings, geom.NewLineString(geom.NewSequence(flat, geom.DimXY)))
		}
		polys = append(polys, geom.NewPolygon(rings))
	}
	return geom.NewMultiPolygon(polys)
}

// fromSF returns the polygonal parts of g (lines and points, which an
// overlay leaves where polygons touch, are dropped), exterior rings
// counter-clockwise and holes clockwise as RFC 7946 asks.
func fromSF(g geom.Geometry) geo.MultiPolygon {
	var out geo.MultiPolygon
	var add func(g geom.Geometry)
	add = func(g geom.Geometry) {
		switch g.Type() {
		case geom.TypePolygon:
			p, _ := g.AsPolygon()
			out = append(out, polygonFromSF(p.ForceCCW()))
		case geom.TypeMultiPolygon:
			mp, _ := g.AsMultiPolygon()
			mp = mp.ForceCCW()
			for i := 0; i < mp.NumPolygons(); i++ {
				out = append(out, polygonFromSF(mp.PolygonN(i)))
			}
		case geom.TypeGeometryCollection:
			gc, _ := g.AsGeometryCollection()
			for i := 0; i < gc.NumGeometries(); i++ {
				add(gc.GeometryN(i))
			}
		}
	}
	add(g)
	return out
}

func polygonFromSF(p geom.Polygon) geo.Polygon {
	rings := p.DumpRings()
	out := make(geo.Polygon, len(rings))
	for i, r := range rings {
		seq := r.Coordinates()
		ring := make(geo.Ring, seq.Length())
		for j := range ring {
			xy := seq.GetXY(j)
			ring[j] = geo.Point{xy.X, xy.Y}
		}
		out[i] = ring
	}
	return out
}

// intersection returns the ground in both a and b.
func intersection(a, b geo.MultiPolygon) (geo.MultiPolygon, error) {
	g, err := geom.Intersection(toSF(a).AsGeometry(), toSF(b).AsGeometry())
	if err != nil {
		return nil, fmt.Errorf("intersection: %v", err)
	}
	return fromSF(g), nil
}

// Union returns the ground in a or b, exterior rings counter-clockwise.
func Union(a, b geo.MultiPolygon) (geo.MultiPolygon, error) {
	g, err := geom.Union(toSF(a).AsGeometry(), toSF(b).AsGeometry())
	if err != nil {
		return nil, fmt.Errorf("union: %v", err)
	}
	return fromSF(g), nil
}

// Difference returns the ground in a and not in b, exterior rings
// counter-clockwise.
func Difference(a, b geo.MultiPolygon) (geo.MultiPolygon, error) {
	return difference(a, b)
}

// difference returns the ground in a and not in b.
func difference(a, b geo.MultiPolygon) (geo.MultiPolygon, error) {
	g, err := geom.Difference(toSF(a).AsGeometry(), toSF(b).AsGeometry())
	if err != nil {
		return nil, fmt.Errorf("difference: %v", err)
	}
	return fromSF(g), nil
}

// centroid returns the planar centroid of mp in degrees; for polygons of a
// few kilometres the difference from a geodesic centroid is far below the
// polygons' own uncertainty.
func centroid(mp geo.MultiPolygon) geo.Point {
	c := toSF(mp).Centroid()
	xy, ok := c.XY()
	if !ok {
		return geo.Point{}
	}
	return geo.Point{xy.X, xy.Y}
}
