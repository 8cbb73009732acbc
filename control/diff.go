package control

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/truce-monitor/truce/geo"
)

// Diff is what changed hands between two maps.
type Diff struct {
	// From and To are the maps compared, as given to Compare.
	From, To *Map
	// MinAreaM2 is the threshold below which a patch was taken for mapping
	// noise and left out of Gained and Lost.
	MinAreaM2 float64
	// Changes has one entry per party holding ground on either map, in the
	// order of From's holdings and then To's new ones.
	Changes []Change
}

// Change is what one party gained and lost between two maps.
type Change struct {
	// Party is the holder whose ground changed.
	Party string
	// Gained and Lost are the patches of at least MinAreaM2, largest first.
	Gained, Lost []Patch
	// GainedM2 and LostM2 are the areas of Gained and Lost, in square
	// metres.
	GainedM2, LostM2 float64
	// NoiseGained and NoiseLost count the patches below the threshold, and
	// NoiseGainedM2 and NoiseLostM2 are their areas.
	NoiseGained, NoiseLost     int
	NoiseGainedM2, NoiseLostM2 float64
}

// Patch is one polygon of ground that changed hands.
type Patch struct {
	// Polygon is the ground that changed hands.
	Polygon geo.Polygon
	// AreaM2 is its geodesic area in square metres.
	AreaM2 float64
	// Centroid is its centroid (planar, in degrees; for patches of a few
	// kilometres this is within metres of the geodesic one).
	Centroid geo.Point
	// RadiusM is the largest geodesic distance from Centroid to a vertex of
	// Polygon: a circle of this radius round Centroid holds the patch.
	RadiusM float64
}

// Compare returns what changed hands from one map to another: for each
// party, the ground it holds on to and not on from (gained) and the
// reverse (lost), split into polygons, with those smaller than minAreaM2
// square metres counted as noise. Both maps must divide the same
// territory.
func Compare(from, to *Map, minAreaM2 float64) (*Diff, error) {
	if from.Territory.Code != to.Territory.Code {
		return nil, fmt.Errorf("control: maps %s and %s divide different territories (%s, %s)", from.ID, to.ID, from.Territory.Code, to.Territory.Code)
	}
	d := &Diff{From: from, To: to, MinAreaM2: minAreaM2}
	var parties []string
	for _, m := range []*Map{from, to} {
		for _, h := range m.Holdings {
			if !slices.Contains(parties, h.Party) {
				parties = append(parties, h.Party)
			}
		}
	}
	for _, party := range parties {
		var a, b geo.MultiPolygon
		if h := from.Holding(party); h != nil {
			a = h.Ground
		}
		if h := to.Holding(party); h != nil {
			b = h.Ground
		}
		c := Change{Party: party}
		gained, err := difference(b, a)
		if err != nil {
			return nil, fmt.Errorf("control: %s gained from %s to %s: %v", party, from.ID, to.ID, err)
		}
		lost, err := difference(a, b)
		if err != nil {
			return nil, fmt.Errorf("control: %s lost from %s to %s: %v", party, from.ID, to.ID, err)
		}
		c.Gained, c.GainedM2, c.NoiseGained, c.NoiseGainedM2 = patches(gained, minAreaM2)
		c.Lost, c.LostM2, c.NoiseLost, c.NoiseLostM2 = patches(lost, minAreaM2)
		d.Changes = append(d.Changes, c)
	}
	return d, nil
}

// Change returns the change of party, or nil.
func (d *Diff) Change(party string) *Change {
	for i := range d.Changes {
		if d.Changes[i].Party == party {
			return &d.Changes[i]
		}
	}
	return nil
}

// patches splits mp into patches, keeping those of at least min square
// metres, largest first (then by centroid, so the order is total).
func patches(mp geo.MultiPolygon, minM2 float64) (kept []Patch, keptM2 float64, noise int, noiseM2 float64) {
	for _, p := range mp {
		a := p.Area()
		if a < minM2 || a == 0 {
			noise++
			noiseM2 += a
			continue
		}
		c := centroid(geo.MultiPolygon{p})
		var r float64
		for _, pt := range p[0] {
			r = max(r, geo.Distance(c, pt))
		}
		kept = append(kept, Patch{Polygon: p, AreaM2: a, Centroid: c, RadiusM: r})
		keptM2 += a
	}
	slices.SortFunc(kept, func(x, y Patch) int {
		return cmp.Or(cmp.Compare(y.AreaM2, x.AreaM2), cmp.Compare(x.Centroid[0], y.Centroid[0]), cmp.Compare(x.Centroid[1], y.Centroid[1]))
	})
	return kept, keptM2, noise, noiseM2
}
