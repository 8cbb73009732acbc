package control

import (
	"fmt"

	"github.com/truce-monitor/truce/geo"
)

// Area is the ground one party holds on a map.
type Area struct {
	// Party is the holder, or Unknown.
	Party string
	// M2 is the geodesic area in square metres on the WGS84 ellipsoid of
	// the holding's Ground.
	M2 float64
	// Countries splits the ground as mapped (Holding.Mapped; Ground for a
	// derived holding, and for Unknown) by country, largest first. Code ""
	// is ground in none of the countries the boundaries hold: sea, or the
	// part of a mapped edge beyond the coast.
	Countries []CountryArea
}

// CountryArea is the part of a holding inside one country.
type CountryArea struct {
	// Code and Name are the country's ISO 3166-1 alpha-2 code and name as
	// the boundaries give them; both are "" for ground in no country.
	Code, Name string
	// M2 is the geodesic area in square metres.
	M2 float64
}

// Areas returns the ground each party holds, in the order of m.Holdings,
// and then the unknown ground inside the territory (Party Unknown).
// Splitting mapped ground by country costs an overlay per country it
// reaches.
func (m *Map) Areas() ([]Area, error) {
	var out []Area
	for _, h := range m.Holdings {
		a := Area{Party: h.Party, M2: h.Ground.Area()}
		if h.Derived {
			a.Countries = []CountryArea{{Code: m.Territory.Code, Name: m.Territory.Name, M2: a.M2}}
		} else {
			cs, err := m.byCountry(h.Mapped)
			if err != nil {
				return nil, fmt.Errorf("control map %s: %s by country: %v", m.ID, h.Party, err)
			}
			a.Countries = cs
		}
		out = append(out, a)
	}
	u := Area{Party: Unknown, M2: m.Unknown.Area()}
	if u.M2 > 0 {
		u.Countries = []CountryArea{{Code: m.Territory.Code, Name: m.Territory.Name, M2: u.M2}}
	}
	return append(out, u), nil
}

// byCountry splits g by country.
func (m *Map) byCountry(g geo.MultiPolygon) ([]CountryArea, error) {
	total := g.Area()
	rest := total
	var out []CountryArea
	gb := bounds(g)
	for _, c := range m.opts.Boundaries.Countries {
		if !gb.overlaps(bounds(c.Ground)) {
			continue
		}
		in, err := intersection(g, c.Ground)
		if err != nil {
			return nil, err
		}
		if a := in.Area(); a > 0 {
			out = append(out, CountryArea{Code: c.Code, Name: c.Name, M2: a})
			rest -= a
		}
	}
	// What is left is outside every country; a residue of rounding below
	// a square metre is not reported.
	if rest > 1 {
		out = append(out, CountryArea{M2: rest})
	}
	sortAreas(out)
	return out, nil
}

func sortAreas(cs []CountryArea) {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && cs[j].M2 > cs[j-1].M2; j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}

// box is a longitude/latitude bounding box.
type box struct{ minX, minY, maxX, maxY float64 }

func bounds(mp geo.MultiPolygon) box {
	b := box{minX: 181, minY: 91, maxX: -181, maxY: -91}
	for _, p := range mp {
		for _, r := range p {
			for _, pt := range r {
				b.minX, b.maxX = min(b.minX, pt[0]), max(b.maxX, pt[0])
				b.minY, b.maxY = min(b.minY, pt[1]), max(b.maxY, pt[1])
			}
		}
	}
	return b
}

func (b box) overlaps(o box) bool {
	return b.minX <= o.maxX && o.minX <= b.maxX && b.minY <= o.maxY && o.minY <= b.maxY
}
