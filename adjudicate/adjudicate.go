// Package adjudicate decides, for each incident, whether it breaks the terms
// of an agreement, which party is responsible, how sure that is, and why.
//
// [Adjudicate] is a deterministic function of the incidents, the
// observations they rest on, the agreement, the control maps and the engine
// version [Engine]: anyone holding the same log prefix gets the same
// findings, byte for byte ([Digest]). Attribution rests on where the fire
// came from and who held that ground, never on who complains; confidence
// follows the scheme in docs/adjudication.md, under which a party's
// allegation alone never exceeds [truce.Possible]. [Cover] records, per day
// and sector of the line of contact, which sources could have seen
// anything, so that "no violation observed" is not read as "no violation".
//
// It imports the root package, geo, control, github.com/google/uuid and the
// standard library.
package adjudicate

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/control"
	"github.com/truce-monitor/truce/geo"
)

// Engine is the version of the rules engine, recorded in every finding. A
// change that can change any finding changes it.
const Engine = "truce-adjudicate/8"

// DefaultOriginUncertaintyM is the uncertainty, in metres, taken for an
// incident's origin when no observation states one.
const DefaultOriginUncertaintyM = 5000.0

// findingNamespace is the UUID namespace of finding ids.
var findingNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://truce.invalid/adjudicate/finding"))

// FindingID returns the id of the finding on incident under version
// version of agreement agreementID by engine: a UUIDv5, so that the same
// inputs always give the same id.
func FindingID(incident, agreementID string, version int, engine string) string {
	return uuid.NewSHA1(findingNamespace, []byte(incident+"\x00"+agreementID+"\x00"+strconv.Itoa(version)+"\x00"+engine)).String()
}

// MapAt returns the control map in force at t. A [control.Timeline]'s At
// method is one.
type MapAt func(ctx context.Context, t time.Time) (*control.Map, error)

// Options are the inputs of [Adjudicate] besides the incidents, the
// agreement and the maps.
type Options struct {
	// Observations are the observations the incidents rest on, by id.
	// They give the sources' roles (for corroboration), weapon classes,
	// targets, time precision and the origin's stated uncertainty. An
	// observation an incident names but that is missing here counts as a
	// party's allegation.
	Observations map[string]*truce.Observation
	// LogSize is the size of the log prefix the inputs were read from; it
	// is copied into every finding.
	LogSize int64
	// Diffs, if not nil, compares control maps for advances (each pair at
	// threshold 0, once), so that a caller that compares the same maps
	// for other ends, as a replay does, shares the work. Nil: a cache of
	// the call's own.
	Diffs *control.Diffs
}

// Adjudicate returns one finding for each incident under a, ordered by the
// incident's start and then its id. The line of contact is the agreement's
// geometry, or the control map in force at its control_map_at; who held a
// point is read from the map in force at the incident's start. It returns
// an error when an incident or the agreement is invalid, or a map cannot be
// had; it returns no findings then.
func Adjudicate(ctx context.Context, incidents []*truce.Incident, a *truce.Agreement, maps MapAt, opts *Options) ([]*truce.Finding, error) {
	if opts == nil {
		opts = &Options{}
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	line, err := agreementLine(ctx, a, maps)
	if err != nil {
		return nil, err
	}
	zones, err := decodeZones(a)
	if err != nil {
		return nil, err
	}
	j := &judge{ctx: ctx, a: a, maps: maps, opts: opts, line: line, zones: zones, diffs: cmp.Or(opts.Diffs, &control.Diffs{})}
	sorted := slices.Clone(incidents)
	slices.SortFunc(sorted, func(x, y *truce.Incident) int {
		return cmp.Or(x.Start.Compare(y.Start), cmp.Compare(x.ID, y.ID))
	})
	out := make([]*truce.Finding, 0, len(sorted))
	for i, inc := range sorted {
		if err := inc.Validate(); err != nil {
			return nil, fmt.Errorf("incident %d (%s): %w", i, inc.ID, err)
		}
		if i > 0 && sorted[i-1].ID == inc.ID {
			return nil, truce.Errorf(truce.EINVALID, "incident %s is given twice", inc.ID)
		}
		f, err := j.finding(inc)
		if err != nil {
			return nil, fmt.Errorf("incident %s: %w", inc.ID, err)
		}
		out = append(out, f)
	}
	reconcile(sorted, out)
	return out, nil
}

// Digest returns the SHA-256, in hexadecimal, of the canonical JSON of
// findings: the findings ordered by id, as a compact JSON array. The order
// in which findings are given does not change it.
func Digest(findings []*truce.Finding) string {
	s := slices.Clone(findings)
	slices.SortFunc(s, func(x, y *truce.Finding) int { return cmp.Compare(x.ID, y.ID) })
	if s == nil {
		s = []*truce.Finding{}
	}
	b, err := json.Marshal(s)
	if err != nil {
		panic("adjudicate: findings do not marshal: " + err.Error()) // plain structs of strings, numbers and bools
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// lineRef is the agreement's line of contact, for distances and bands.
type lineRef struct {
	idx *geo.LineIndex
	m   *control.Map // the map it was traced from, nil for a geometry
}

// distance returns the distance in metres from p to the line.
func (l *lineRef) distance(p geo.Point) float64 {
	d, _ := l.idx.Distance(p)
	return d
}

func agreementLine(ctx context.Context, a *truce.Agreement, maps MapAt) (*lineRef, error) {
	loc := a.LineOfContact
	if len(loc.Geometry) > 0 {
		ml, err := geo.DecodeLines(loc.Geometry)
		if err != nil {
			return nil, truce.Errorf(truce.EINVALID, "agreement %s: line_of_contact.geometry: %v", a.ID, err)
		}
		return &lineRef{idx: geo.NewLineIndex(ml)}, nil
	}
	at := a.Window.Start
	if loc.ControlMapAt != "start" {
		tz, err := time.LoadLocation(a.Window.TimeZone)
		if err != nil {
			return nil, truce.Errorf(truce.EINVALID, "agreement %s: window.time_zone: %v", a.ID, err)
		}
		if at, err = time.ParseInLocation(time.DateOnly, loc.ControlMapAt, tz); err != nil {
			return nil, truce.Errorf(truce.EINVALID, "agreement %s: line_of_contact.control_map_at: %v", a.ID, err)
		}
	}
	m, err := maps(ctx, at)
	if err != nil {
		return nil, fmt.Errorf("agreement %s: the control map for its line of contact: %w", a.ID, err)
	}
	return &lineRef{idx: geo.NewLineIndex(m.Line()), m: m}, nil
}

// zone is an agreement's zone, decoded.
type zone struct {
	z    *truce.Zone
	area *geo.Index     // nil for a band
	edge *geo.LineIndex // the area's boundary
}

func decodeZones(a *truce.Agreement) (map[string]*zone, error) {
	out := make(map[string]*zone, len(a.Zones))
	for i := range a.Zones {
		z := &a.Zones[i]
		zz := &zone{z: z}
		if len(z.Geometry) > 0 {
			mp, err := geo.DecodeMultiPolygon(z.Geometry)
			if err != nil {
				return nil, truce.Errorf(truce.EINVALID, "agreement %s: zones[%d].geometry: %v", a.ID, i, err)
			}
			zz.area, zz.edge = geo.NewIndex(mp), geo.NewLineIndex(mp.Boundary())
		}
		out[z.ID] = zz
	}
	return out, nil
}
