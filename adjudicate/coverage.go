package adjudicate

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/geo"
)

// DefaultSectorM is the length of a sector of the line of contact, in
// metres, and DefaultRangeM how far from a sector a source's observation
// may lie and still count as the source watching it.
const (
	DefaultSectorM = 25000.0
	DefaultRangeM  = 25000.0
)

// Sector is a stretch of the line of contact.
type Sector struct {
	// Index numbers sectors from 0 along the pieces of the line in order.
	Index int `json:"index"`
	// Piece is the index of the piece of the line (a LineString of the
	// MultiLineString) that the sector lies on; FromKM and ToKM are where
	// it starts and ends along that piece.
	Piece  int     `json:"piece"`
	FromKM float64 `json:"from_km"`
	ToKM   float64 `json:"to_km"`
	// Line is the stretch itself.
	Line geo.LineString `json:"line"`

	west, south, east, north float64
}

// Sectors cuts line into consecutive stretches of at most lengthM metres
// along each of its pieces (the last of a piece may be shorter).
func Sectors(line geo.MultiLineString, lengthM float64) ([]Sector, error) {
	if !(lengthM > 0) || math.IsInf(lengthM, 0) {
		return nil, truce.Errorf(truce.EINVALID, "sector length %v: must be more than 0 metres", lengthM)
	}
	var out []Sector
	for pi, l := range line {
		if len(l) < 2 {
			continue
		}
		cur := geo.LineString{l[0]}
		start, along := 0.0, 0.0
		flush := func() {
			s := Sector{Index: len(out), Piece: pi, FromKM: round3(start / 1000), ToKM: round3(along / 1000), Line: cur}
			s.bounds()
			out = append(out, s)
		}
		for i := 1; i < len(l); i++ {
			a, b := l[i-1], l[i]
			seg := geo.Distance(a, b)
			for done := 0.0; seg-done > 0; {
				room := start + lengthM - along
				if seg-done <= room {
					along += seg - done
					cur = append(cur, b)
					break
				}
				f := (done + room) / seg
				p := geo.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])}
				along += room
				done += room
				cur = append(cur, p)
				flush()
				cur, start = geo.LineString{p}, along
			}
		}
		if len(cur) > 1 {
			flush()
		}
	}
	return out, nil
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

func (s *Sector) bounds() {
	s.west, s.south, s.east, s.north = math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range s.Line {
		s.west, s.east = min(s.west, p[0]), max(s.east, p[0])
		s.south, s.north = min(s.south, p[1]), max(s.north, p[1])
	}
}

// Coverage is who could have seen anything in one sector on one day: by
// role, and for parties' liaisons by party, with counts, never by name.
// Which sources watched a sector day by day is where each monitoring team
// stood, so no audience is shown it; the counts are the same bytes for
// every audience.
type Coverage struct {
	// Day is the date, YYYY-MM-DD, in the time zone Cover was given.
	Day    string `json:"day"`
	Sector int    `json:"sector"`
	// Sources counts the sources with at least one observation within
	// range of the sector that day, by role (and party), ordered by role
	// and party. Empty means nobody was seen watching: no violation
	// observed there is no evidence of none.
	Sources []SourceCoverage `json:"sources"`
}

// SourceCoverage counts the sources of one role (and, for parties'
// liaisons, of one party) present in a sector on a day, and their
// observations there. It names no source.
type SourceCoverage struct {
	Role         truce.Role `json:"role"`
	Party        string     `json:"party,omitempty"`
	Sources      int        `json:"sources"`
	Observations int        `json:"observations"`
}

// Cover returns, for each of days days from the day of from in loc and each
// sector, the sources that could have seen anything there, counted by role
// (and party): those that filed at least one observation, observed that
// day, placed within rangeM metres of the sector. Sources are told apart by
// name (obs are as derivations take them; a name is counted, never
// returned). A monitor's or sensor's observation given as a bearing counts
// where the observer stood; any other at its point (see
// [truce.Location.Point]). Each observation counts for the one sector
// nearest to it. Every day and sector is listed, those with no source
// too, ordered by day and then sector.
//
// Presence is evidence of coverage, not its measure: a sensor that
// detected nothing filed nothing, and satellites (FIRMS) count only on the
// days and places where they detected something.
func Cover(obs []*truce.Observation, sectors []Sector, from time.Time, days int, loc *time.Location, rangeM float64) ([]Coverage, error) {
	if days < 0 {
		return nil, truce.Errorf(truce.EINVALID, "days %d: must not be negative", days)
	}
	if loc == nil {
		loc = time.UTC
	}
	first := time.Date(from.In(loc).Year(), from.In(loc).Month(), from.In(loc).Day(), 0, 0, 0, 0, loc)
	var all geo.MultiLineString
	for _, s := range sectors {
		all = append(all, s.Line)
	}
	idx := geo.NewLineIndex(all)
	type key struct{ day, sector int }
	type group struct {
		role  truce.Role
		party string
	}
	type tally struct {
		sources map[string]bool
		obs     int
	}
	seen := map[key]map[group]*tally{}
	// The nearest point of the line lies on some sector; a sector's box,
	// widened by the bulge of a geodesic edge off the straight one in
	// degrees (metres over tens of kilometres), finds the candidates.
	const slackDeg = 0.01
	for i, o := range obs {
		if o == nil {
			return nil, truce.Errorf(truce.EINVALID, "observations[%d]: nil", i)
		}
		t := o.ObservedAt.In(loc)
		day := int(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc).Sub(first).Hours()+12) / 24
		if t.Before(first) || day >= days {
			continue
		}
		var p geo.Point
		if l := o.Location; l.Observer != nil {
			p = geo.Point{l.Observer.Lon, l.Observer.Lat}
		} else if lon, lat, ok := l.Point(); ok {
			p = geo.Point{lon, lat}
		} else {
			continue
		}
		d, near := idx.Distance(p)
		if d > rangeM {
			continue
		}
		best, bestD := -1, math.Inf(1)
		for k := range sectors {
			s := &sectors[k]
			if near[0] < s.west-slackDeg || near[0] > s.east+slackDeg || near[1] < s.south-slackDeg || near[1] > s.north+slackDeg {
				continue
			}
			if sd, _ := geo.DistanceToLine(p, s.Line); sd < bestD {
				best, bestD = s.Index, sd
			}
		}
		if best < 0 {
			continue
		}
		k := key{day, best}
		m := seen[k]
		if m == nil {
			m = map[group]*tally{}
			seen[k] = m
		}
		g := group{role: o.SourceRole}
		if o.SourceRole == truce.RoleParty {
			g.party = o.SourceParty
		}
		tl := m[g]
		if tl == nil {
			tl = &tally{sources: map[string]bool{}}
			m[g] = tl
		}
		tl.sources[o.Source] = true
		tl.obs++
	}
	out := make([]Coverage, 0, days*len(sectors))
	for d := range days {
		date := first.AddDate(0, 0, d).Format(time.DateOnly)
		for _, s := range sectors {
			c := Coverage{Day: date, Sector: s.Index, Sources: []SourceCoverage{}}
			for g, t := range seen[key{d, s.Index}] {
				c.Sources = append(c.Sources, SourceCoverage{Role: g.role, Party: g.party, Sources: len(t.sources), Observations: t.obs})
			}
			slices.SortFunc(c.Sources, func(x, y SourceCoverage) int {
				return cmp.Or(cmp.Compare(x.Role, y.Role), cmp.Compare(x.Party, y.Party))
			})
			out = append(out, c)
		}
	}
	return out, nil
}

// String describes c in one line: "2025-03-14 sector 3: three sources
// (two monitors and one liaison of UA)".
func (c Coverage) String() string {
	n := 0
	parts := make([]string, len(c.Sources))
	for i, s := range c.Sources {
		n += s.Sources
		what := string(s.Role)
		switch s.Role {
		case "":
			what = "source of no known role"
		case truce.RoleParty:
			what = "liaison"
		}
		parts[i] = plural(s.Sources, what, what+"s")
		if s.Party != "" {
			parts[i] += " of " + s.Party
		}
	}
	if n == 0 {
		return fmt.Sprintf("%s sector %d: no source", c.Day, c.Sector)
	}
	return fmt.Sprintf("%s sector %d: %s (%s)", c.Day, c.Sector, plural(n, "source", "sources"), joinList(parts))
}
