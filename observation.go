package truce

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on an observation's parts.
const (
	MaxTextBytes = 64 << 10 // free text
	MaxEvidence  = 64       // evidence items
	MaxRefBytes  = 2048     // one evidence reference
)

// Observation is one report by one source of one thing seen, heard, detected
// or alleged. Its canonical bytes (see [Observation.Canonical]) are what the
// log keeps.
type Observation struct {
	// ID is chosen by the client and globally unique; UUIDs are recommended.
	ID string `json:"id"`
	// Source is the registered source that filed the observation,
	// SourceRole its role at the time ("monitor", "party", "sensor",
	// "dataset") and SourceParty, for a party's allegation, the party. The
	// store sets all three from the credentials used.
	Source      string `json:"source,omitempty"`
	SourceRole  Role   `json:"source_role,omitempty"`
	SourceParty string `json:"source_party,omitempty"`
	// Kind is what was observed.
	Kind Kind `json:"kind"`
	// ObservedAt is when it happened, ObservedUntil the end when it lasted
	// (an overnight attack), and TimePrecision how exactly either is known.
	ObservedAt    time.Time     `json:"observed_at"`
	ObservedUntil *time.Time    `json:"observed_until,omitempty"`
	TimePrecision TimePrecision `json:"time_precision"`
	// Location is where it happened (the impact, for fire). Origin, when
	// known, is where the fire came from.
	Location Location  `json:"location"`
	Origin   *Location `json:"origin,omitempty"`
	// Counts are the numbers reported, if any.
	Counts *Counts `json:"counts,omitempty"`
	// WeaponClass is the class of weapon, Weapon the model as reported
	// ("Shahed-136/131").
	WeaponClass WeaponClass `json:"weapon_class,omitempty"`
	Weapon      string      `json:"weapon,omitempty"`
	// Target is the category of what was hit or aimed at.
	Target TargetCategory `json:"target,omitempty"`
	// BlamedParty is the party the source holds responsible. It records a
	// claim; attribution is adjudication's job.
	BlamedParty string `json:"blamed_party,omitempty"`
	// Text is a free description in any language, Lang its BCP 47 tag.
	Text string `json:"text,omitempty"`
	Lang string `json:"lang,omitempty"`
	// Evidence lists content hashes of photos, videos, sensor files.
	Evidence []Evidence `json:"evidence,omitempty"`
	// Supersedes names an earlier observation by the same source that this
	// one corrects.
	Supersedes string `json:"supersedes,omitempty"`
	// Signature is the filing source's Ed25519 signature of the
	// observation's signing bytes ([Observation.SigningBytes]), in
	// standard base64 with padding (88 characters). It is required when
	// the source has a public key and refused when it has none; the log
	// keeps it, so that anyone can check it again. [SignObservation]
	// sets it.
	Signature string `json:"signature,omitempty"`
}

// Location is where something happened, in exactly one of three forms: a
// point with an uncertainty radius; an observer's position with a bearing and
// optional distance; or a named region with its precision (optionally with a
// representative point). Coordinates are WGS84 degrees.
type Location struct {
	// Point form (Lon and Lat are also the representative point of a region).
	Lon          *float64 `json:"lon,omitempty"`
	Lat          *float64 `json:"lat,omitempty"`
	UncertaintyM float64  `json:"uncertainty_m,omitempty"`

	// Observer form: where the observer stood, the bearing in degrees from
	// true north to what was seen or heard, and its distance if known.
	Observer        *Position `json:"observer,omitempty"`
	BearingDeg      *float64  `json:"bearing_deg,omitempty"`
	BearingErrorDeg float64   `json:"bearing_error_deg,omitempty"`
	DistanceM       *float64  `json:"distance_m,omitempty"`
	DistanceErrorM  float64   `json:"distance_error_m,omitempty"`

	// Region form.
	Region       string       `json:"region,omitempty"`
	GeoPrecision GeoPrecision `json:"geo_precision,omitempty"`
}

// Position is a bare WGS84 position.
type Position struct {
	Lon float64 `json:"lon"`
	Lat float64 `json:"lat"`
}

// Counts are the numbers an observation reports.
type Counts struct {
	Events    int `json:"events,omitempty"`    // separate events folded into one report
	Rounds    int `json:"rounds,omitempty"`    // rounds, shells or rockets
	Launched  int `json:"launched,omitempty"`  // missiles or drones launched
	Destroyed int `json:"destroyed,omitempty"` // of those, shot down or suppressed
	Killed    int `json:"killed,omitempty"`
	Injured   int `json:"injured,omitempty"`
}

// Evidence is a piece of supporting material, identified by its content hash.
type Evidence struct {
	SHA256    string `json:"sha256"`
	Ref       string `json:"ref,omitempty"`
	MediaType string `json:"media_type,omitempty"`
}

// ObservationRecord is an observation as stored: its log position, when it
// was logged, and the later observations that correct it, if any.
type ObservationRecord struct {
	*Observation
	LogIndex int64     `json:"log_index"`
	LoggedAt time.Time `json:"logged_at"`
	// PublicID is the observation's public id; Sealed its public form, as
	// its log entry holds it, and Private its private groups (nil for an
	// open source's): what [DisclosurePolicy.View] takes.
	PublicID     string             `json:"public_id,omitempty"`
	Sealed       *SealedObservation `json:"-"`
	Private      PrivateParts       `json:"-"`
	SupersededBy []string           `json:"superseded_by,omitempty"`
	// Releases are the releases logged of the observation's groups, in
	// log order: what [DisclosurePolicy.View] is given with it.
	Releases []*ReleaseRecord `json:"releases,omitempty"`
	// FiledLate is set when the observation was logged more than
	// LateFiling after its time (see FiledLate).
	FiledLate bool `json:"filed_late,omitempty"`
}

// AddResult reports what happened to one observation of a batch.
type AddResult struct {
	ID       string `json:"id"`
	LogIndex int64  `json:"log_index"`
	Created  bool   `json:"created"`
	// PublicID is the observation's public id, by which everyone but its
	// source names it.
	PublicID string `json:"public_id"`
	// LoggedAt is when the observation was logged: now, when Created, or
	// when it first was.
	LoggedAt time.Time `json:"-"`
}

// ObservationFilter selects observations. Zero fields select everything.
type ObservationFilter struct {
	From, To      time.Time // From <= ObservedAt < To
	BBox          *BBox     // the estimated point lies inside
	Kinds         []Kind
	Sources       []string
	BlamedParties []string
	Limit         int    // page size; 0 means DefaultPageSize, capped at MaxPageSize
	Cursor        string // from the previous page's Next
}

// Page sizes for FindObservations.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// ObservationPage is one page of results; Next is empty on the last page.
type ObservationPage struct {
	Observations []*ObservationRecord `json:"observations"`
	Next         string               `json:"next,omitempty"`
}

// BBox is a longitude/latitude box: west, south, east, north.
type BBox struct{ West, South, East, North float64 }

// Contains reports whether lon, lat lies inside b (edges included).
func (b BBox) Contains(lon, lat float64) bool {
	return lon >= b.West && lon <= b.East && lat >= b.South && lat <= b.North
}

// Validate reports every problem with o as EINVALID with a JSON path per
// problem. It does not check Source, which the store sets.
func (o *Observation) Validate() error {
	var ps problems
	o.validate(&ps)
	return ps.err("observation")
}

func (o *Observation) validate(ps *problems) {
	if o.ID == "" {
		ps.add("$.id", "required")
	} else if !ValidID(o.ID) {
		ps.add("$.id", "must be 1-128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit")
	}
	if o.Kind == "" {
		ps.add("$.kind", "required")
	} else if !o.Kind.Valid() {
		ps.add("$.kind", "unknown kind %q; one of %s", o.Kind, quoted(Kinds))
	}
	if o.ObservedAt.IsZero() {
		ps.add("$.observed_at", "required (RFC 3339 time)")
	} else if y := o.ObservedAt.UTC().Year(); y < 1900 || y > 2200 {
		ps.add("$.observed_at", "year %d is out of range", y)
	}
	if u := o.ObservedUntil; u != nil {
		if y := u.UTC().Year(); y < 1900 || y > 2200 {
			ps.add("$.observed_until", "year %d is out of range", y)
		} else if !o.ObservedAt.IsZero() && u.Before(o.ObservedAt) {
			ps.add("$.observed_until", "is before observed_at")
		}
	}
	if o.TimePrecision == "" {
		ps.add("$.time_precision", "required; one of %s", quoted(TimePrecisions))
	} else if !o.TimePrecision.Valid() {
		ps.add("$.time_precision", "unknown precision %q; one of %s", o.TimePrecision, quoted(TimePrecisions))
	}
	o.Location.validate(ps, "$.location", true)
	if o.Origin != nil {
		o.Origin.validate(ps, "$.origin", false)
	}
	if c := o.Counts; c != nil {
		for _, f := range []struct {
			name string
			v    int
		}{{"events", c.Events}, {"rounds", c.Rounds}, {"launched", c.Launched}, {"destroyed", c.Destroyed}, {"killed", c.Killed}, {"injured", c.Injured}} {
			if f.v < 0 {
				ps.add("$.counts."+f.name, "must not be negative")
			}
		}
		if c.Launched > 0 && c.Destroyed > c.Launched {
			ps.add("$.counts.destroyed", "is more than launched (%d > %d)", c.Destroyed, c.Launched)
		}
	}
	if o.WeaponClass != "" && !o.WeaponClass.Valid() {
		ps.add("$.weapon_class", "unknown weapon class %q; one of %s", o.WeaponClass, quoted(WeaponClasses))
	}
	if len(o.Weapon) > 256 {
		ps.add("$.weapon", "longer than 256 bytes")
	}
	if o.Target != "" && !o.Target.Valid() {
		ps.add("$.target", "unknown target category %q; one of %s", o.Target, quoted(TargetCategories))
	}
	if o.BlamedParty != "" && !ValidPartyID(o.BlamedParty) {
		ps.add("$.blamed_party", "%q is not a party id (upper-case, like \"UA\")", o.BlamedParty)
	}
	if len(o.Text) > MaxTextBytes {
		ps.add("$.text", "longer than %d bytes", MaxTextBytes)
	}
	if !utf8.ValidString(o.Text) {
		ps.add("$.text", "not valid UTF-8")
	}
	if !utf8.ValidString(o.Weapon) {
		ps.add("$.weapon", "not valid UTF-8")
	}
	if o.Lang != "" && !ValidLang(o.Lang) {
		ps.add("$.lang", "%q is not a language tag such as \"uk\" or \"ru\"", o.Lang)
	}
	if len(o.Evidence) > MaxEvidence {
		ps.add("$.evidence", "more than %d items", MaxEvidence)
	}
	for i, e := range o.Evidence {
		p := fmt.Sprintf("$.evidence[%d]", i)
		if b, err := hex.DecodeString(e.SHA256); err != nil || len(b) != 32 {
			ps.add(p+".sha256", "must be 64 hexadecimal digits")
		}
		if len(e.Ref) > MaxRefBytes {
			ps.add(p+".ref", "longer than %d bytes", MaxRefBytes)
		}
	}
	if o.Signature != "" {
		if _, err := decodeSignature(o.Signature); err != nil {
			ps.add("$.signature", "%s", ErrorMessage(err))
		}
	}
	if o.Supersedes != "" {
		if !ValidID(o.Supersedes) {
			ps.add("$.supersedes", "not a valid observation id")
		} else if o.Supersedes == o.ID {
			ps.add("$.supersedes", "an observation cannot supersede itself")
		}
	}
}

func (l *Location) validate(ps *problems, path string, allowRegion bool) {
	point := l.Lon != nil || l.Lat != nil
	observer := l.Observer != nil || l.BearingDeg != nil || l.DistanceM != nil
	region := l.Region != "" || l.GeoPrecision != ""
	switch {
	case observer && point && !region, observer && region:
		ps.add(path, "give one form: a point (lon, lat), an observer with bearing, or a region")
		return
	case observer:
		if l.Observer == nil {
			ps.add(path+".observer", "required with bearing_deg or distance_m")
		} else {
			checkLonLat(ps, path+".observer", l.Observer.Lon, l.Observer.Lat)
		}
		if l.BearingDeg == nil {
			ps.add(path+".bearing_deg", "required with an observer")
		} else if b := *l.BearingDeg; !finite(b) || b < 0 || b >= 360 {
			ps.add(path+".bearing_deg", "must be at least 0 and less than 360")
		}
		if e := l.BearingErrorDeg; !finite(e) || e < 0 || e > 180 {
			ps.add(path+".bearing_error_deg", "must be between 0 and 180")
		}
		if l.DistanceM != nil {
			if d := *l.DistanceM; !finite(d) || d <= 0 || d > 1e6 {
				ps.add(path+".distance_m", "must be more than 0 and at most 1000000")
			}
		}
		if e := l.DistanceErrorM; !finite(e) || e < 0 {
			ps.add(path+".distance_error_m", "must not be negative")
		} else if e > 0 && l.DistanceM == nil {
			ps.add(path+".distance_error_m", "given without distance_m")
		}
		if l.UncertaintyM != 0 {
			ps.add(path+".uncertainty_m", "not used with an observer; give bearing_error_deg and distance_error_m")
		}
		return
	case region:
		if !allowRegion {
			ps.add(path, "must be a point or an observer with bearing")
			return
		}
		if l.Region == "" {
			ps.add(path+".region", "required with geo_precision")
		} else if len(l.Region) > 256 || !utf8.ValidString(l.Region) {
			ps.add(path+".region", "must be valid UTF-8 of at most 256 bytes")
		}
		if l.GeoPrecision == "" {
			ps.add(path+".geo_precision", "required with region; one of %s", quoted(GeoPrecisions))
		} else if !l.GeoPrecision.Valid() {
			ps.add(path+".geo_precision", "unknown precision %q; one of %s", l.GeoPrecision, quoted(GeoPrecisions))
		}
		if point {
			l.validatePoint(ps, path)
		}
		return
	case point:
		l.validatePoint(ps, path)
		return
	}
	ps.add(path, "required: a point {lon, lat, uncertainty_m}, an observer with bearing_deg, or a region with geo_precision")
}

func (l *Location) validatePoint(ps *problems, path string) {
	if l.Lon == nil {
		ps.add(path+".lon", "required with lat")
	}
	if l.Lat == nil {
		ps.add(path+".lat", "required with lon")
	}
	if l.Lon != nil && l.Lat != nil {
		checkLonLat(ps, path, *l.Lon, *l.Lat)
	}
	if u := l.UncertaintyM; !finite(u) || u < 0 || u > 1e6 {
		ps.add(path+".uncertainty_m", "must be between 0 and 1000000")
	}
}

func checkLonLat(ps *problems, path string, lon, lat float64) {
	if !finite(lon) || lon < -180 || lon > 180 {
		ps.add(join(path, "lon"), "longitude must be between -180 and 180")
	}
	if !finite(lat) || lat < -90 || lat > 90 {
		ps.add(join(path, "lat"), "latitude must be between -90 and 90")
	}
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// Normalize puts o in canonical form: times in UTC, evidence hashes in
// lower case.
func (o *Observation) Normalize() {
	o.ObservedAt = o.ObservedAt.UTC()
	if o.ObservedUntil != nil {
		t := o.ObservedUntil.UTC()
		o.ObservedUntil = &t
	}
	if len(o.Evidence) > 0 {
		ev := make([]Evidence, len(o.Evidence))
		for i, e := range o.Evidence {
			e.SHA256 = strings.ToLower(e.SHA256)
			ev[i] = e
		}
		o.Evidence = ev
	}
}

// Canonical returns the canonical bytes of o: compact JSON of the normalized
// observation with fields in declaration order. Two observations are the same
// if and only if their canonical bytes are equal.
func (o *Observation) Canonical() ([]byte, error) {
	c := *o
	c.Normalize()
	return json.Marshal(&c)
}

// Point returns the best single position for o, used to index and filter:
// the point itself, the point at the bearing and distance from the
// observer (the observer when no distance is given), or a region's
// representative point. ok is false when there is none.
func (l *Location) Point() (lon, lat float64, ok bool) {
	switch {
	case l.Lon != nil && l.Lat != nil:
		return *l.Lon, *l.Lat, true
	case l.Observer != nil && l.BearingDeg != nil && l.DistanceM != nil:
		lon, lat := destination(l.Observer.Lon, l.Observer.Lat, *l.BearingDeg, *l.DistanceM)
		return lon, lat, true
	case l.Observer != nil:
		return l.Observer.Lon, l.Observer.Lat, true
	}
	return 0, 0, false
}

// destination solves the direct problem on a sphere of the WGS84 mean radius;
// it serves indexing only (metres of error over tens of kilometres).
func destination(lon, lat, bearingDeg, distM float64) (float64, float64) {
	const r = 6371008.8
	φ1, λ1, θ := lat*math.Pi/180, lon*math.Pi/180, bearingDeg*math.Pi/180
	δ := distM / r
	φ2 := math.Asin(math.Sin(φ1)*math.Cos(δ) + math.Cos(φ1)*math.Sin(δ)*math.Cos(θ))
	λ2 := λ1 + math.Atan2(math.Sin(θ)*math.Sin(δ)*math.Cos(φ1), math.Cos(δ)-math.Sin(φ1)*math.Sin(φ2))
	lon2 := math.Mod(λ2*180/math.Pi+540, 360) - 180
	return lon2, φ2 * 180 / math.Pi
}
