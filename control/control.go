// Package control answers questions about who holds which ground: who
// holds a point at a time, how far it lies from the line of contact, how
// much ground each party holds, and what changed hands between two dates.
//
// It owns the international boundaries truce ships (Natural Earth, see
// [NaturalEarth]); the preparation of a [truce.ControlMap] into a [Map]
// (indexes for point queries, the ground held by Ukraine derived from maps
// that give Russia's holding only, the line of contact); areas per party
// and country; advances between two maps ([Compare]) and their recording
// as observations of kind advance; and the [Timeline] that picks the map in
// force at a time from a [truce.ControlMapService] and caches prepared
// maps.
//
// It imports the root package, geo, github.com/peterstace/simplefeatures
// (polygon overlay: intersection and difference, which geo does not do),
// github.com/google/uuid and the standard library. Adapters (httpapi,
// cmd/truce) import it; it imports no adapter.
package control

import (
	"crypto/sha256"
	"fmt"
	"sync"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/geo"
)

// Unknown is the holder of ground that no holding of a map covers: outside
// the territory the map divides, or inside it where the map's edge and the
// state border disagree (see [Map.Unknown]).
const Unknown = "unknown"

// Defaults of [Options].
const (
	// DefaultTerritory is the country whose ground maps divide.
	DefaultTerritory = "UA"
	// DefaultLineTolerance is how close, in metres, the boundary of held
	// ground may come to the territory's state border or coast and still
	// be taken to follow it rather than be the line of contact. DeepState's
	// edges and Natural Earth's 1:10m border, quantized by world-atlas to
	// about 250 m, differ by up to 3 km in places (the Russian border east
	// of Donetsk, the Kerch and Kinburn coasts); docs/control.md gives the
	// measurements.
	DefaultLineTolerance = 3000.0
	// DefaultMinLineLength is the length in metres below which a piece of
	// the line of contact is dropped as a remnant of border mismatch.
	DefaultMinLineLength = 5000.0
	// DefaultMinArea is the area in square metres below which a gained or
	// lost polygon is taken for mapping noise (0.5 km²).
	DefaultMinArea = 0.5e6
)

// lineStep is the spacing in metres at which the boundary of held ground
// is sampled to find where it leaves the state border.
const lineStep = 200.0

// Options configure how a control map is prepared. The zero value (or nil)
// means the defaults.
type Options struct {
	// Boundaries are the countries; nil means [NaturalEarth].
	Boundaries *Boundaries
	// Territory is the ISO 3166-1 alpha-2 code of the country whose ground
	// the maps divide; "" means DefaultTerritory.
	Territory string
	// LineTolerance and MinLineLength, in metres, shape the line of
	// contact; zero means DefaultLineTolerance and DefaultMinLineLength.
	LineTolerance float64
	MinLineLength float64
}

func (o *Options) withDefaults() (Options, error) {
	var c Options
	if o != nil {
		c = *o
	}
	if c.Boundaries == nil {
		b, err := NaturalEarth()
		if err != nil {
			return c, err
		}
		c.Boundaries = b
	}
	if c.Territory == "" {
		c.Territory = DefaultTerritory
	}
	if c.LineTolerance <= 0 {
		c.LineTolerance = DefaultLineTolerance
	}
	if c.MinLineLength <= 0 {
		c.MinLineLength = DefaultMinLineLength
	}
	return c, nil
}

// Map is a control map prepared for queries. It is immutable and safe for
// concurrent use.
type Map struct {
	// ID, Source and AsOf are the control map's.
	ID     string
	Source string
	AsOf   time.Time
	// SHA256 is the SHA-256 of the control map's canonical bytes.
	SHA256 [32]byte
	// Holdings are the ground each party holds: the map's own holdings in
	// its order, then the derived one, if any.
	Holdings []*Holding
	// Unknown is ground inside the territory that no holding covers.
	// When the territory's party is derived, these are the slivers between
	// the mapped edge and the state border or coast: polygons whose every
	// vertex lies within the line tolerance of both.
	Unknown geo.MultiPolygon
	// Reference is the party on whose side [Map.Locate]'s signed distance
	// is positive: the party whose ground the map draws (RU for DeepState),
	// or the first holding's.
	Reference string
	// Territory is the country the map divides.
	Territory *Country

	opts     Options
	outline  *geo.LineIndex // the territory's state border and coast
	lineOnce sync.Once
	line     geo.MultiLineString
	lineIdx  *geo.LineIndex
	terrOnce sync.Once
	terrIdx  *geo.Index
}

// MaxMapAge is how much older than the time asked the map in force may be
// before an answer says that it is stale: DeepState draws its map daily,
// and a map a week old may not show ground taken since.
const MaxMapAge = 7 * 24 * time.Hour

// Covers reports whether p lies in what m covers: the territory it divides
// or ground one of its holdings gives. Outside, who holds p and how far it
// lies from the line are not answered by m: a point far outside (longitude
// and latitude swapped, say) is outside the record's coverage, not
// "unknown" at some distance.
func (m *Map) Covers(p geo.Point) bool {
	if m.Holder(p) != Unknown {
		return true
	}
	m.terrOnce.Do(func() { m.terrIdx = geo.NewIndex(m.Territory.Ground) })
	return m.terrIdx.Covers(p)
}

// Holding is the ground one party holds on a map.
type Holding struct {
	// Party is the holder, as the control map names it (RU, UA).
	Party string
	// Ground is what the party holds. A mapped holding of a map whose
	// territory's party is derived is clipped to the territory.
	Ground geo.MultiPolygon
	// Mapped is the ground as the control map gives it, before clipping;
	// nil for a derived holding.
	Mapped geo.MultiPolygon
	// Derived is true for the territory's party's ground when the map does
	// not give it: the territory minus the mapped ground and the slivers.
	Derived bool

	index *geo.Index
}

// New prepares cm: it decodes every holding, derives the territory's
// party's ground when cm gives one other party's ground only (as DeepState
// maps do: the territory's party holds the rest of the territory), builds
// the point indexes, and sets slivers between the mapped edge and the state
// border apart as unknown. The line of contact is traced when first asked
// for. Preparing a DeepState map takes about 0.2 s of CPU; [Timeline]
// caches the result.
func New(cm *truce.ControlMap, opts *Options) (*Map, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	terr := o.Boundaries.Country(o.Territory)
	if terr == nil {
		return nil, fmt.Errorf("control: no boundary for territory %q", o.Territory)
	}
	canon, err := cm.Canonical()
	if err != nil {
		return nil, fmt.Errorf("control map %s: %v", cm.ID, err)
	}
	m := &Map{ID: cm.ID, Source: cm.Source, AsOf: cm.AsOf, SHA256: sha256.Sum256(canon), Territory: terr, opts: o}
	if len(cm.Holdings) == 0 {
		return nil, truce.Errorf(truce.EINVALID, "control map %s has no holdings", cm.ID)
	}
	for i, h := range cm.Holdings {
		g, err := geo.DecodeMultiPolygon(h.Geometry)
		if err != nil {
			return nil, truce.Errorf(truce.EINVALID, "control map %s: holdings[%d].geometry: %v", cm.ID, i, err)
		}
		m.Holdings = append(m.Holdings, &Holding{Party: h.Party, Ground: g, Mapped: g})
	}
	m.Reference = m.Holdings[0].Party
	m.outline = geo.NewLineIndex(terr.Ground.Boundary())
	if len(m.Holdings) == 1 && m.Reference != o.Territory {
		ref := m.Holdings[0]
		if ref.Ground, err = intersection(ref.Mapped, terr.Ground); err != nil {
			return nil, fmt.Errorf("control map %s: clipping %s to %s: %v", cm.ID, ref.Party, terr.Name, err)
		}
		rest, err := difference(terr.Ground, ref.Ground)
		if err != nil {
			return nil, fmt.Errorf("control map %s: %s minus %s: %v", cm.ID, terr.Name, ref.Party, err)
		}
		edge := geo.NewLineIndex(ref.Ground.Boundary())
		var held geo.MultiPolygon
		for _, p := range rest {
			if sliver(p, m.outline, edge, o.LineTolerance) {
				m.Unknown = append(m.Unknown, p)
			} else {
				held = append(held, p)
			}
		}
		m.Holdings = append(m.Holdings, &Holding{Party: o.Territory, Ground: held, Derived: true})
	} else {
		// Holdings may overlap (contested ground); take each out in turn.
		m.Unknown = terr.Ground
		for _, h := range m.Holdings {
			if m.Unknown, err = difference(m.Unknown, h.Ground); err != nil {
				return nil, fmt.Errorf("control map %s: unknown ground: %v", cm.ID, err)
			}
		}
	}
	for _, h := range m.Holdings {
		h.index = geo.NewIndex(h.Ground)
	}
	return m, nil
}

// Line returns the line of contact: the boundary of the reference party's
// ground where it lies more than the line tolerance from the territory's
// state border and coast, in pieces of at least the minimum line length.
// It is traced on the first call (about a second for a DeepState map).
func (m *Map) Line() geo.MultiLineString {
	m.traceLine()
	return m.line
}

func (m *Map) traceLine() {
	m.lineOnce.Do(func() {
		m.line = contactLine(m.Holdings[0].Ground, m.outline, m.opts.LineTolerance, m.opts.MinLineLength)
		m.lineIdx = geo.NewLineIndex(m.line)
	})
}

// sliver reports whether every vertex of p lies within tol metres of both
// the territory's outline and the mapped ground's edge.
func sliver(p geo.Polygon, outline, edge *geo.LineIndex, tol float64) bool {
	for _, r := range p {
		for _, pt := range r {
			if d, _ := outline.Distance(pt); d > tol {
				return false
			}
			if d, _ := edge.Distance(pt); d > tol {
				return false
			}
		}
	}
	return true
}

// Holding returns the holding of party, or nil.
func (m *Map) Holding(party string) *Holding {
	for _, h := range m.Holdings {
		if h.Party == party {
			return h
		}
	}
	return nil
}

// Holder returns the party that holds p, or Unknown. A point on the
// boundary between two holdings goes to the first in m.Holdings.
func (m *Map) Holder(p geo.Point) string {
	for _, h := range m.Holdings {
		if h.index.Covers(p) {
			return h.Party
		}
	}
	return Unknown
}

// Location is where a point lies on a map.
type Location struct {
	// Holder is the party that holds the point, or Unknown.
	Holder string
	// DistanceM is the geodesic distance in metres to the nearest point of
	// the line of contact, Nearest; it is +Inf, and Nearest is zero, when
	// the map has no line.
	DistanceM float64
	Nearest   geo.Point
	// SignedM is DistanceM, positive when the point lies in the reference
	// party's ground (RU on DeepState maps) and negative anywhere else:
	// another party's ground or unknown ground.
	SignedM float64
}

// Locate returns who holds p and how far it lies from the line of contact.
func (m *Map) Locate(p geo.Point) Location {
	m.traceLine()
	l := Location{Holder: m.Holder(p)}
	l.DistanceM, l.Nearest = m.lineIdx.Distance(p)
	l.SignedM = l.DistanceM
	if l.Holder != m.Reference {
		l.SignedM = -l.DistanceM
	}
	return l
}

// LineLength returns the length of the line of contact in metres.
func (m *Map) LineLength() float64 {
	var s float64
	for _, l := range m.Line() {
		s += lineLength(l)
	}
	return s
}

func lineLength(l geo.LineString) float64 {
	var s float64
	for i := 1; i < len(l); i++ {
		s += geo.Distance(l[i-1], l[i])
	}
	return s
}
