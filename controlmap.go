package truce

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/truce-monitor/truce/geo"
)

// ControlMap is a snapshot of who holds which ground: for each party, the
// ground it holds as a GeoJSON MultiPolygon. Ground in no holding is unknown
// or contested; a source that maps one side only (DeepState maps RU-held
// ground inside Ukraine) gives one holding.
type ControlMap struct {
	ID     string `json:"id"`
	Source string `json:"source,omitempty"` // set by the store from the credentials
	// AsOf is the moment the map describes.
	AsOf     time.Time `json:"as_of"`
	Holdings []Holding `json:"holdings"`
	// Note says where the map came from and what it leaves out.
	Note string `json:"note,omitempty"`
}

// Holding is the ground one party holds.
type Holding struct {
	Party    string          `json:"party"`
	Geometry json.RawMessage `json:"geometry"`
}

// ControlMapRecord is a control map as stored. Listings leave Holdings'
// geometry out.
type ControlMapRecord struct {
	*ControlMap
	LogIndex int64     `json:"log_index"`
	LoggedAt time.Time `json:"logged_at"`
}

// Validate reports every problem with m, naming the holding and the
// coordinate of bad geometry.
func (m *ControlMap) Validate() error {
	var ps problems
	if !ValidID(m.ID) {
		ps.add("id", "required: letters, digits, '.', '_', ':' or '-'")
	}
	if m.AsOf.IsZero() {
		ps.add("as_of", "required")
	} else if y := m.AsOf.UTC().Year(); y < 1900 || y > 9999 {
		ps.add("as_of", "year %d is out of range", y)
	}
	if len(m.Holdings) == 0 {
		ps.add("holdings", "at least one party's ground is required")
	}
	seen := map[string]bool{}
	for i, h := range m.Holdings {
		path := fmt.Sprintf("holdings[%d]", i)
		if !ValidPartyID(h.Party) {
			ps.add(path+".party", "%q is not a party id", h.Party)
		} else if seen[h.Party] {
			ps.add(path+".party", "party %q has two holdings", h.Party)
		}
		seen[h.Party] = true
		if _, err := geo.DecodeMultiPolygon(h.Geometry); err != nil {
			ps.add(path+".geometry", "%v", err)
		}
	}
	return ps.err("control map")
}

// Canonical returns the canonical bytes of m: compact JSON with AsOf in UTC
// and each geometry compacted.
func (m *ControlMap) Canonical() ([]byte, error) {
	c := *m
	c.AsOf = c.AsOf.UTC()
	c.Holdings = make([]Holding, len(m.Holdings))
	for i, h := range m.Holdings {
		g, err := geo.CompactJSON(h.Geometry)
		if err != nil {
			return nil, err
		}
		c.Holdings[i] = Holding{Party: h.Party, Geometry: g}
	}
	return json.Marshal(&c)
}
