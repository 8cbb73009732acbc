package control

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"sync"

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
// metres, largest first (then by centroid, so the order is total). The
// areas are summed largest first, kept and noise apart, so that
// [Diff.Above] can give the same sums from a diff at threshold 0.
func patches(mp geo.MultiPolygon, minM2 float64) (kept []Patch, keptM2 float64, noise int, noiseM2 float64) {
	var small []float64
	for _, p := range mp {
		a := p.Area()
		if a < minM2 || a == 0 {
			small = append(small, a)
			continue
		}
		c := centroid(geo.MultiPolygon{p})
		var r float64
		for _, pt := range p[0] {
			r = max(r, geo.Distance(c, pt))
		}
		kept = append(kept, Patch{Polygon: p, AreaM2: a, Centroid: c, RadiusM: r})
	}
	slices.SortFunc(kept, func(x, y Patch) int {
		return cmp.Or(cmp.Compare(y.AreaM2, x.AreaM2), cmp.Compare(x.Centroid[0], y.Centroid[0]), cmp.Compare(x.Centroid[1], y.Centroid[1]))
	})
	for _, p := range kept {
		keptM2 += p.AreaM2
	}
	slices.SortFunc(small, func(x, y float64) int { return cmp.Compare(y, x) })
	for _, a := range small {
		noiseM2 += a
	}
	return kept, keptM2, len(small), noiseM2
}

// Above returns the diff that Compare would give with the threshold
// minAreaM2, from d, which must have been compared with threshold 0: the
// patches under minAreaM2 become noise, and the sums are the same, to the
// bit, as Compare's. It shares d's patches.
func (d *Diff) Above(minAreaM2 float64) (*Diff, error) {
	if d.MinAreaM2 != 0 {
		return nil, fmt.Errorf("control: Above needs a diff compared with threshold 0, not %g m²", d.MinAreaM2)
	}
	out := &Diff{From: d.From, To: d.To, MinAreaM2: minAreaM2, Changes: make([]Change, len(d.Changes))}
	for i, c := range d.Changes {
		n := Change{Party: c.Party}
		n.Gained, n.GainedM2, n.NoiseGained, n.NoiseGainedM2 = above(c.Gained, c.NoiseGained, minAreaM2)
		n.Lost, n.LostM2, n.NoiseLost, n.NoiseLostM2 = above(c.Lost, c.NoiseLost, minAreaM2)
		out.Changes[i] = n
	}
	return out, nil
}

// above splits patches, largest first, at minM2; zeros more patches of no
// area were noise already.
func above(ps []Patch, zeros int, minM2 float64) (kept []Patch, keptM2 float64, noise int, noiseM2 float64) {
	k := sort.Search(len(ps), func(i int) bool { return ps[i].AreaM2 < minM2 })
	kept = ps[:k:k]
	for _, p := range kept {
		keptM2 += p.AreaM2
	}
	for _, p := range ps[k:] {
		noiseM2 += p.AreaM2
	}
	if k == 0 {
		kept = nil
	}
	return kept, keptM2, len(ps) - k + zeros, noiseM2
}

// Diffs compares pairs of maps at threshold 0, each pair once, for callers
// that compare the same maps on several goroutines ([Diff.Above] gives
// other thresholds). The zero value is ready to use.
type Diffs struct {
	mu sync.Mutex
	m  map[[2]string]*diffOnce
}

type diffOnce struct {
	once sync.Once
	d    *Diff
	err  error
}

// Compare returns Compare(from, to, 0), computed once for the pair of ids.
func (ds *Diffs) Compare(from, to *Map) (*Diff, error) {
	key := [2]string{from.ID, to.ID}
	ds.mu.Lock()
	if ds.m == nil {
		ds.m = map[[2]string]*diffOnce{}
	}
	e := ds.m[key]
	if e == nil {
		e = &diffOnce{}
		ds.m[key] = e
	}
	ds.mu.Unlock()
	e.once.Do(func() { e.d, e.err = Compare(from, to, 0) })
	return e.d, e.err
}
