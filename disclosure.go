package truce

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file holds who may see what of an observation: the audiences, the
// disclosure policy, the split of an observation into a public form that
// the log keeps in the clear and private field groups that it commits to
// with salted hashes, and the one function, [DisclosurePolicy.View], that
// decides what an audience is shown. docs/disclosure.md explains the
// policy and the threat it answers; docs/log-format.md gives the bytes.

// AudienceKind is a class of reader.
type AudienceKind string

// Audience kinds.
const (
	// AudiencePublic is anyone: a request with no token.
	AudiencePublic AudienceKind = "public"
	// AudienceParty is a party to an agreement, through any of its
	// sources' tokens ("party:UA").
	AudienceParty AudienceKind = "party"
	// AudienceMission is the monitoring mission: analyst and admin tokens.
	AudienceMission AudienceKind = "mission"
	// AudienceSource is a source that is neither the mission nor a party
	// (a monitor, sensor or dataset): it sees its own submissions whole
	// and everything else as the public does.
	AudienceSource AudienceKind = "source"
)

// Audience is who reads: its kind, for a party the party's id, and for a
// reader with a token the source it authenticated as.
type Audience struct {
	Kind   AudienceKind
	Party  string // for AudienceParty
	Source string // the authenticated source's name; empty for the public
}

// Public is the audience of a reader with no token.
var Public = Audience{Kind: AudiencePublic}

// AudienceOf returns the audience of a reader authenticated as s; nil is
// the public.
func AudienceOf(s *Source) Audience {
	switch {
	case s == nil:
		return Public
	case s.Role == RoleAdmin || s.Role == RoleAnalyst:
		return Audience{Kind: AudienceMission, Source: s.Name}
	case s.Role == RoleParty:
		return Audience{Kind: AudienceParty, Party: s.Party, Source: s.Name}
	}
	return Audience{Kind: AudienceSource, Source: s.Name}
}

// ParseAudience reads an audience as String writes it and as command-line
// flags take it: "public", "mission", "party:<ID>" or "source:<name>".
func ParseAudience(s string) (Audience, error) {
	switch {
	case s == "public":
		return Public, nil
	case s == "mission":
		return Audience{Kind: AudienceMission}, nil
	case strings.HasPrefix(s, "party:") && ValidPartyID(s[len("party:"):]):
		return Audience{Kind: AudienceParty, Party: s[len("party:"):]}, nil
	case strings.HasPrefix(s, "source:") && ValidName(s[len("source:"):]):
		return Audience{Kind: AudienceSource, Source: s[len("source:"):]}, nil
	}
	return Audience{}, Errorf(EINVALID, "audience %q: want public, mission, party:<ID> (like party:UA) or source:<name>", s)
}

// String returns the audience as ParseAudience reads it.
func (a Audience) String() string {
	switch a.Kind {
	case AudienceParty:
		return "party:" + a.Party
	case AudienceSource:
		return "source:" + a.Source
	}
	return string(a.Kind)
}

// FieldGroup names a group of an observation's fields that is disclosed
// as a whole.
type FieldGroup string

// Field groups. Every other field of an observation is public at once:
// what happened, when, where it struck, the counts, the weapon, the
// target, whom the source blamed, and the filing source's role and party.
const (
	// GroupSource is who filed: the source's name, the id it gave the
	// observation, and its signature.
	GroupSource FieldGroup = "source"
	// GroupPosition is where the observer stood: the observer form of a
	// location (position, bearing, distance and their errors).
	GroupPosition FieldGroup = "position"
	// GroupText is the free text and its language.
	GroupText FieldGroup = "text"
	// GroupEvidence is the evidence references.
	GroupEvidence FieldGroup = "evidence"
)

// FieldGroups lists every field group in the order of their names.
var FieldGroups = []FieldGroup{GroupEvidence, GroupPosition, GroupSource, GroupText}

// Valid reports whether g is a known field group.
func (g FieldGroup) Valid() bool { return slices.Contains(FieldGroups, g) }

// Delay is how long after an observation is logged an audience may see a
// field group: zero is at once, [Never] is not unless a reviewer releases
// it. In agreement files and JSON it is written "0", "72h", "7d" (days
// of 24 hours) or "never".
type Delay struct {
	d     time.Duration
	never bool
}

// Never is the delay of a group that an audience sees only once released.
var Never = Delay{never: true}

// After returns the delay d, which must not be negative.
func After(d time.Duration) Delay { return Delay{d: max(d, 0)} }

// IsNever reports whether the group is shown only when released.
func (d Delay) IsNever() bool { return d.never }

// Duration returns the delay; it is meaningless when IsNever.
func (d Delay) Duration() time.Duration { return d.d }

// Passed reports whether, at now, the delay after loggedAt has passed.
func (d Delay) Passed(loggedAt, now time.Time) bool {
	return !d.never && !now.Before(loggedAt.Add(d.d))
}

// longer returns the stricter of d and e.
func (d Delay) longer(e Delay) Delay {
	if d.never || e.never {
		return Never
	}
	return Delay{d: max(d.d, e.d)}
}

// String writes d as ParseDelay reads it: "never", whole days as "7d",
// otherwise a Go duration ("72h0m0s" is written "3d"; "90m" as "1h30m0s").
func (d Delay) String() string {
	switch {
	case d.never:
		return "never"
	case d.d == 0:
		return "0"
	case d.d%(24*time.Hour) == 0:
		return strconv.FormatInt(int64(d.d/(24*time.Hour)), 10) + "d"
	}
	return d.d.String()
}

// ParseDelay reads "0", "never", a number of days ("7d") or a Go duration
// ("72h", "90m").
func ParseDelay(s string) (Delay, error) {
	switch {
	case s == "never":
		return Never, nil
	case s == "0":
		return Delay{}, nil
	case strings.HasSuffix(s, "d"):
		n, err := strconv.ParseUint(s[:len(s)-1], 10, 16)
		if err == nil {
			return Delay{d: time.Duration(n) * 24 * time.Hour}, nil
		}
	default:
		if d, err := time.ParseDuration(s); err == nil && d >= 0 && d <= 100*365*24*time.Hour {
			return Delay{d: d}, nil
		}
	}
	return Delay{}, Errorf(EINVALID, "delay %q: want 0, never, a number of days like 7d, or a duration like 72h", s)
}

// MarshalText implements encoding.TextMarshaler.
func (d Delay) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Delay) UnmarshalText(b []byte) error {
	v, err := ParseDelay(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// GroupPolicy says when the parties and the public see a field group. The
// mission sees every group at once, and a source always sees its own
// submissions whole.
type GroupPolicy struct {
	Parties Delay `json:"parties"`
	Public  Delay `json:"public"`
	// PublicGridKM, for the position group, is the width of the grid
	// cells the public is shown an observer's position in once Public has
	// passed: the centre of the cell, never the position itself. Zero
	// shows the position exactly.
	PublicGridKM float64 `json:"public_grid_km,omitempty"`
}

// DisclosurePolicy says, per field group, who sees it and after what
// delay. An agreement may carry one; [EffectivePolicy] combines them.
type DisclosurePolicy struct {
	Source   GroupPolicy `json:"source"`
	Position GroupPolicy `json:"position"`
	Text     GroupPolicy `json:"text"`
	Evidence GroupPolicy `json:"evidence"`
	// OpenRoles are the source roles whose observations have no private
	// groups: everything they file is public at once. By default the
	// imported datasets (already public data); never monitors or parties.
	OpenRoles []Role `json:"open_roles,omitempty"`
}

// DefaultDisclosure is the policy that holds when no agreement states
// one: observers' positions and sources' identities to the parties after
// 72 hours and to the public after 7 days (positions on a 5 km grid);
// free text and evidence to the mission only, unless released; datasets
// open.
func DefaultDisclosure() *DisclosurePolicy {
	return &DisclosurePolicy{
		Source:    GroupPolicy{Parties: After(72 * time.Hour), Public: After(7 * 24 * time.Hour)},
		Position:  GroupPolicy{Parties: After(72 * time.Hour), Public: After(7 * 24 * time.Hour), PublicGridKM: 5},
		Text:      GroupPolicy{Parties: Never, Public: Never},
		Evidence:  GroupPolicy{Parties: Never, Public: Never},
		OpenRoles: []Role{RoleDataset},
	}
}

// Group returns the policy of group g.
func (p *DisclosurePolicy) Group(g FieldGroup) GroupPolicy {
	switch g {
	case GroupSource:
		return p.Source
	case GroupPosition:
		return p.Position
	case GroupText:
		return p.Text
	}
	return p.Evidence
}

// Validate reports every problem with p, with paths under "disclosure".
func (p *DisclosurePolicy) Validate() error {
	var ps problems
	p.validate(&ps, "disclosure")
	return ps.err("disclosure policy")
}

func (p *DisclosurePolicy) validate(ps *problems, path string) {
	for _, g := range FieldGroups {
		gp := p.Group(g)
		switch {
		case gp.Parties.never && !gp.Public.never:
			ps.add(path+"."+string(g)+".public", "the public would see the group and the parties never")
		case !gp.Parties.never && !gp.Public.never && gp.Public.d < gp.Parties.d:
			ps.add(path+"."+string(g)+".public", "the public would see the group (after %s) before the parties (after %s)", gp.Public, gp.Parties)
		}
		if g != GroupPosition && gp.PublicGridKM != 0 {
			ps.add(path+"."+string(g)+".public_grid_km", "only the position group has a grid")
		}
	}
	if km := p.Position.PublicGridKM; !finite(km) || km < 0 || km > 500 {
		ps.add(path+".position.public_grid_km", "must be between 0 and 500")
	}
	for i, r := range p.OpenRoles {
		if !slices.Contains([]Role{RoleDataset, RoleSensor}, r) {
			ps.add(fmt.Sprintf("%s.open_roles[%d]", path, i), "role %q cannot be open: only dataset and sensor sources may file in the clear", r)
		}
	}
}

// EffectivePolicy returns the strictest of the policies the agreements
// state, group by group (the longer delay, the coarser grid, the roles
// every policy leaves open), or [DefaultDisclosure] when none states one.
func EffectivePolicy(agreements []*Agreement) *DisclosurePolicy {
	var out *DisclosurePolicy
	for _, a := range agreements {
		p := a.Disclosure
		if p == nil {
			p = DefaultDisclosure()
		}
		if out == nil {
			c := *p
			c.OpenRoles = slices.Clone(p.OpenRoles)
			out = &c
			continue
		}
		for _, g := range FieldGroups {
			o, n := out.group(g), p.Group(g)
			o.Parties = o.Parties.longer(n.Parties)
			o.Public = o.Public.longer(n.Public)
			o.PublicGridKM = max(o.PublicGridKM, n.PublicGridKM)
		}
		out.OpenRoles = slices.DeleteFunc(out.OpenRoles, func(r Role) bool { return !slices.Contains(p.OpenRoles, r) })
	}
	if out == nil {
		return DefaultDisclosure()
	}
	return out
}

func (p *DisclosurePolicy) group(g FieldGroup) *GroupPolicy {
	switch g {
	case GroupSource:
		return &p.Source
	case GroupPosition:
		return &p.Position
	case GroupText:
		return &p.Text
	}
	return &p.Evidence
}

// Open reports whether observations by sources of role r are filed with
// no private groups.
func (p *DisclosurePolicy) Open(r Role) bool { return slices.Contains(p.OpenRoles, r) }

// SealedObservation is an observation's public form: what its log entry
// holds and what anyone may read at once. Each private group the
// observation has is replaced by a commitment to it (see
// [PrivateParts]). Its canonical bytes are the compact JSON of its fields
// in declaration order, the commitments' keys sorted.
type SealedObservation struct {
	// ID is the public id: it names the observation everywhere but in its
	// source's own view (incidents and findings refer to it) and reveals
	// neither the source nor the id the source gave it ([PublicID]).
	ID          string        `json:"id"`
	SourceRole  Role          `json:"source_role"`
	SourceParty string        `json:"source_party,omitempty"`
	Kind        Kind          `json:"kind"`
	ObservedAt  time.Time     `json:"observed_at"`
	Until       *time.Time    `json:"observed_until,omitempty"`
	Precision   TimePrecision `json:"time_precision"`
	// Location is the impact: the point or region as filed, or for an
	// observer with a bearing and a distance the point they give, with
	// the uncertainty their errors allow. It is absent when the
	// observation locates nothing but the observer (a bearing alone).
	Location    *Location      `json:"location,omitempty"`
	Origin      *Location      `json:"origin,omitempty"`
	Counts      *Counts        `json:"counts,omitempty"`
	WeaponClass WeaponClass    `json:"weapon_class,omitempty"`
	Weapon      string         `json:"weapon,omitempty"`
	Target      TargetCategory `json:"target,omitempty"`
	BlamedParty string         `json:"blamed_party,omitempty"`
	// Supersedes is the public id of the observation this one corrects.
	Supersedes string `json:"supersedes,omitempty"`
	// Commitments holds, per private group, the lower-case hex of its
	// commitment ([Commit]).
	Commitments map[FieldGroup]string `json:"commitments,omitempty"`
	// Clear holds, for an open source ([DisclosurePolicy.OpenRoles]),
	// what would otherwise be private, in the clear.
	Clear *ClearGroups `json:"clear,omitempty"`
}

// ClearGroups are the would-be private fields of an open source's
// observation.
type ClearGroups struct {
	SourceGroup
	Position *Location `json:"position,omitempty"`
	TextGroup
	Evidence []Evidence `json:"evidence,omitempty"`
}

// SealedGroup is one private group as disclosed: its salt (64 hex digits)
// and its value, the canonical JSON of the group's fields.
type SealedGroup struct {
	Salt  string          `json:"salt"`
	Value json.RawMessage `json:"value"`
}

// PrivateParts are an observation's private groups with their salts: what
// the store keeps beside the log and discloses group by group.
type PrivateParts map[FieldGroup]*SealedGroup

// The values of the private groups.
type (
	// SourceGroup is the value of [GroupSource].
	SourceGroup struct {
		Source string `json:"source"`
		ID     string `json:"id"`
		// Supersedes is the source's own id of the observation this one
		// corrects; the public form names it by public id.
		Supersedes string `json:"supersedes,omitempty"`
		Signature  string `json:"signature,omitempty"`
	}
	// PositionGroup is the value of [GroupPosition]: the location as
	// filed (the observer form, or the impact as filed when only the
	// origin is given from an observer), and the origin in observer form
	// when it is given so. Its JSON is the location's members, then
	// "origin": a position group without an origin is exactly the
	// location's JSON.
	PositionGroup struct {
		Location
		Origin *Location `json:"origin,omitempty"`
	}
	// TextGroup is the value of [GroupText].
	TextGroup struct {
		Text string `json:"text,omitempty"`
		Lang string `json:"lang,omitempty"`
	}
)

// commitPrefix opens every committed message and names its version.
const commitPrefix = "truce-commitment/v1\n"

// Commit returns the commitment to a group's value under salt:
//
//	SHA-256("truce-commitment/v1\n" || group || "\n" || salt || value)
//
// with salt the 32 bytes the hex digits of SealedGroup.Salt encode and
// value the group's canonical JSON, as lower-case hex.
func Commit(g FieldGroup, salt []byte, value []byte) string {
	h := sha256.New()
	h.Write([]byte(commitPrefix))
	h.Write([]byte(g))
	h.Write([]byte{'\n'})
	h.Write(salt)
	h.Write(value)
	return hex.EncodeToString(h.Sum(nil))
}

// Check reports whether the disclosed group matches commitment: nil, or
// an EINVALID error naming the group and what is wrong.
func (s *SealedGroup) Check(g FieldGroup, commitment string) error {
	salt, err := hex.DecodeString(s.Salt)
	if err != nil || len(salt) != 32 || hex.EncodeToString(salt) != s.Salt {
		return Errorf(EINVALID, "group %s: salt must be 64 lower-case hexadecimal digits", g)
	}
	if commitment == "" {
		return Errorf(EINVALID, "group %s: the public form commits to no such group", g)
	}
	if Commit(g, salt, s.Value) != commitment {
		return Errorf(EINVALID, "group %s: does not match its commitment %s", g, commitment)
	}
	return nil
}

// Check checks every group of pp against the commitments of pub, and that
// the source group, when present, gives pub's public id.
func (pp PrivateParts) Check(pub *SealedObservation) error {
	for g := range pp {
		if !slices.Contains(FieldGroups, g) {
			return Errorf(EINVALID, "observation %s: no field group %q", pub.ID, g)
		}
	}
	for _, g := range FieldGroups {
		s := pp[g]
		if s == nil {
			continue
		}
		if err := s.Check(g, pub.Commitments[g]); err != nil {
			return fmt.Errorf("observation %s: %w", pub.ID, err)
		}
	}
	if s := pp[GroupSource]; s != nil {
		var v SourceGroup
		if err := json.Unmarshal(s.Value, &v); err != nil {
			return Errorf(EINVALID, "observation %s: group source: %v", pub.ID, err)
		}
		salt, _ := hex.DecodeString(s.Salt)
		if id := PublicID(salt, v.Source, v.ID); id != pub.ID {
			return Errorf(EINVALID, "observation %s: group source gives public id %s", pub.ID, id)
		}
	}
	return nil
}

// IsPublicID reports whether s has the form of a public id: "o-" and 32
// lower-case hexadecimal digits.
func IsPublicID(s string) bool {
	return strings.HasPrefix(s, "o-") && len(s) == 34 && isLowerHex(s[2:])
}

// PublicID returns the public id of the observation a source named id:
//
//	"o-" || first 32 hex digits of SHA-256("truce-observation-id/v1\n" || salt || source || "\n" || id)
//
// with salt the source group's salt, or empty for an open source, whose
// observations anyone can name.
func PublicID(salt []byte, source, id string) string {
	h := sha256.New()
	h.Write([]byte("truce-observation-id/v1\n"))
	h.Write(salt)
	h.Write([]byte(source))
	h.Write([]byte{'\n'})
	h.Write([]byte(id))
	return "o-" + hex.EncodeToString(h.Sum(nil))[:32]
}

// SealingKeySize is the size of a store's sealing key.
const SealingKeySize = 32

// Salt returns the salt of group g of the observation that source named
// id, derived from the store's secret sealing key:
//
//	HMAC-SHA256(key, "truce-salt/v1\n" || group || "\n" || source || "\n" || id)
//
// Deriving salts rather than drawing them makes sealing a function of the
// input and the key, so that a supersedes reference can be sealed without
// a lookup and a store rebuilt from its log and key seals alike; only the
// holder of the key can compute a salt, and a disclosed salt reveals
// nothing of the key.
func Salt(key []byte, g FieldGroup, source, id string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("truce-salt/v1\n"))
	m.Write([]byte(g))
	m.Write([]byte{'\n'})
	m.Write([]byte(source))
	m.Write([]byte{'\n'})
	m.Write([]byte(id))
	return m.Sum(nil)
}

// Seal splits o, as filed by its source (o.Source, o.SourceRole and
// o.SourceParty set), into its public form and its private groups, under
// policy p and the store's sealing key. An observation by an open role
// has no private groups and a public id anyone can compute. To seal many
// observations, use a [Sealer].
func Seal(p *DisclosurePolicy, key []byte, o *Observation) (*SealedObservation, PrivateParts, error) {
	s, err := NewSealer(p, key)
	if err != nil {
		return nil, nil, err
	}
	return s.Seal(o)
}

// A Sealer seals observations under one policy and sealing key, as [Seal]
// does, keeping its keyed HMAC and its hash state from one observation to
// the next. A Sealer is not safe for concurrent use.
type Sealer struct {
	p   *DisclosurePolicy
	mac hash.Hash // HMAC-SHA256 under the sealing key, for salts
	sha hash.Hash // SHA-256, for public ids and commitments
	buf []byte    // the message being hashed
	sum []byte    // the last digest
}

// NewSealer returns a Sealer for policy p and the store's sealing key.
func NewSealer(p *DisclosurePolicy, key []byte) (*Sealer, error) {
	if len(key) != SealingKeySize {
		return nil, Errorf(EINTERNAL, "a sealing key has %d bytes, not %d", SealingKeySize, len(key))
	}
	return &Sealer{p: p, mac: hmac.New(sha256.New, key), sha: sha256.New(), sum: make([]byte, 0, sha256.Size)}, nil
}

// salt returns [Salt] of group g of the observation that source named id.
func (s *Sealer) salt(g FieldGroup, source, id string) []byte {
	s.buf = append(s.buf[:0], "truce-salt/v1\n"...)
	s.buf = append(s.buf, g...)
	s.buf = append(s.buf, '\n')
	s.buf = append(s.buf, source...)
	s.buf = append(s.buf, '\n')
	s.buf = append(s.buf, id...)
	s.mac.Reset()
	s.mac.Write(s.buf)
	return s.mac.Sum(make([]byte, 0, sha256.Size))
}

// publicID returns [PublicID] of the observation that source named id.
func (s *Sealer) publicID(salt []byte, source, id string) string {
	s.buf = append(s.buf[:0], "truce-observation-id/v1\n"...)
	s.buf = append(s.buf, salt...)
	s.buf = append(s.buf, source...)
	s.buf = append(s.buf, '\n')
	s.buf = append(s.buf, id...)
	s.sha.Reset()
	s.sha.Write(s.buf)
	s.sum = s.sha.Sum(s.sum[:0])
	var b [34]byte
	b[0], b[1] = 'o', '-'
	hex.Encode(b[2:], s.sum[:16])
	return string(b[:])
}

// commit returns [Commit] of a group's value under salt.
func (s *Sealer) commit(g FieldGroup, salt, value []byte) string {
	s.buf = append(s.buf[:0], commitPrefix...)
	s.buf = append(s.buf, g...)
	s.buf = append(s.buf, '\n')
	s.buf = append(s.buf, salt...)
	s.sha.Reset()
	s.sha.Write(s.buf)
	s.sha.Write(value)
	s.sum = s.sha.Sum(s.sum[:0])
	return hex.EncodeToString(s.sum)
}

// Seal is [Seal] under the Sealer's policy and key.
func (s *Sealer) Seal(o *Observation) (*SealedObservation, PrivateParts, error) {
	c := *o
	c.Normalize()
	pub := &SealedObservation{
		SourceRole: c.SourceRole, SourceParty: c.SourceParty, Kind: c.Kind,
		ObservedAt: c.ObservedAt, Until: c.ObservedUntil, Precision: c.TimePrecision,
		Origin: c.Origin, Counts: c.Counts, WeaponClass: c.WeaponClass, Weapon: c.Weapon,
		Target: c.Target, BlamedParty: c.BlamedParty,
	}
	open := s.p.Open(c.SourceRole)
	var origin *Location
	if c.Origin != nil && c.Origin.Observer != nil && !open {
		// Where fire came from, given from where the observer stood:
		// the observer is private, the point it gives public.
		origin = c.Origin
		pub.Origin = observedPoint(c.Origin)
	}
	var sourceSalt []byte
	if !open {
		sourceSalt = s.salt(GroupSource, c.Source, c.ID)
	}
	pub.ID = s.publicID(sourceSalt, c.Source, c.ID)
	if c.Supersedes != "" {
		var salt []byte
		if !open {
			salt = s.salt(GroupSource, c.Source, c.Supersedes)
		}
		pub.Supersedes = s.publicID(salt, c.Source, c.Supersedes)
	}
	loc := c.Location
	impact := &loc
	var position *Location
	if loc.Observer != nil {
		position = &loc
		impact = observedPoint(&loc)
	}
	if open {
		pub.Location = impact
		pub.Clear = &ClearGroups{
			SourceGroup: SourceGroup{Source: c.Source, ID: c.ID, Supersedes: c.Supersedes, Signature: c.Signature},
			Position:    position,
			TextGroup:   TextGroup{Text: c.Text, Lang: c.Lang},
			Evidence:    c.Evidence,
		}
		return pub, nil, nil
	}
	pub.Location = impact
	pp := make(PrivateParts, len(FieldGroups))
	pub.Commitments = make(map[FieldGroup]string, len(FieldGroups))
	add := func(g FieldGroup, salt []byte, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		pp[g] = &SealedGroup{Salt: hex.EncodeToString(salt), Value: b}
		pub.Commitments[g] = s.commit(g, salt, b)
		return nil
	}
	if err := add(GroupSource, sourceSalt, SourceGroup{Source: c.Source, ID: c.ID, Supersedes: c.Supersedes, Signature: c.Signature}); err != nil {
		return nil, nil, err
	}
	if position != nil || origin != nil {
		pg := PositionGroup{Location: loc, Origin: origin}
		if err := add(GroupPosition, s.salt(GroupPosition, c.Source, c.ID), pg); err != nil {
			return nil, nil, err
		}
	}
	if c.Text != "" || c.Lang != "" {
		if err := add(GroupText, s.salt(GroupText, c.Source, c.ID), TextGroup{Text: c.Text, Lang: c.Lang}); err != nil {
			return nil, nil, err
		}
	}
	if len(c.Evidence) > 0 {
		if err := add(GroupEvidence, s.salt(GroupEvidence, c.Source, c.ID), c.Evidence); err != nil {
			return nil, nil, err
		}
	}
	return pub, pp, nil
}

// observedPoint returns the impact an observer's bearing and distance
// give, with an uncertainty radius that covers the distance error and the
// bearing error's sweep at that distance; nil for a bearing alone.
func observedPoint(l *Location) *Location {
	if l.Observer == nil || l.BearingDeg == nil || l.DistanceM == nil {
		return nil
	}
	lon, lat := destination(l.Observer.Lon, l.Observer.Lat, *l.BearingDeg, *l.DistanceM)
	sweep := *l.DistanceM * math.Sin(math.Min(l.BearingErrorDeg, 90)*math.Pi/180)
	u := math.Ceil(math.Hypot(l.DistanceErrorM, sweep))
	lon, lat = math.Round(lon*1e7)/1e7, math.Round(lat*1e7)/1e7
	return &Location{Lon: &lon, Lat: &lat, UncertaintyM: u}
}

// Canonical returns the canonical bytes of the public form: what the
// observation's log entry holds as its data.
func (s *SealedObservation) Canonical() ([]byte, error) { return json.Marshal(s) }

// Unseal rebuilds the observation as its source filed it from its public
// form and its private groups, which must all be present and match
// (pp is nil for an open source). The result's ID is the source's own id;
// [Observation.Derived] gives the form derivations use.
func Unseal(pub *SealedObservation, pp PrivateParts) (*Observation, error) {
	o, _, err := unseal(pub, pp, false)
	return o, err
}

// Inputs returns the private groups of s that derivations (correlation,
// adjudication, coverage) read, in the order of their names: who filed
// (the source group), where the observer stood (position) and, for an
// advance, the evidence, which names the control maps it was read off.
// The free text, and the evidence of any other observation, are no
// input: a reader who is not shown them derives the same incidents and
// findings.
func (s *SealedObservation) Inputs() []FieldGroup {
	if s.Kind == KindAdvance {
		return []FieldGroup{GroupEvidence, GroupPosition, GroupSource}
	}
	return []FieldGroup{GroupPosition, GroupSource}
}

// UnsealInputs rebuilds the observation as derivations take it from its
// public form and the groups a reader holds: every group in pp must match
// its commitment, as for [Unseal], but a group that is no input
// ([SealedObservation.Inputs]) may be missing, and is then left empty in
// the result.
// When an input group is missing, the observation cannot be derived from:
// UnsealInputs returns nil and the input groups withheld, in the order of
// their names.
func UnsealInputs(pub *SealedObservation, pp PrivateParts) (*Observation, []FieldGroup, error) {
	return unseal(pub, pp, true)
}

// unseal is Unseal, or with inputsOnly UnsealInputs.
func unseal(pub *SealedObservation, pp PrivateParts, inputsOnly bool) (*Observation, []FieldGroup, error) {
	o := &Observation{
		SourceRole: pub.SourceRole, SourceParty: pub.SourceParty, Kind: pub.Kind,
		ObservedAt: pub.ObservedAt, ObservedUntil: pub.Until, TimePrecision: pub.Precision,
		Origin: pub.Origin, Counts: pub.Counts, WeaponClass: pub.WeaponClass, Weapon: pub.Weapon,
		Target: pub.Target, BlamedParty: pub.BlamedParty,
	}
	if pub.Location != nil {
		o.Location = *pub.Location
	}
	var cg ClearGroups
	var origin *Location
	if pub.Clear != nil {
		cg = *pub.Clear
	} else {
		if err := pp.Check(pub); err != nil {
			return nil, nil, err
		}
		var withheld []FieldGroup
		for _, g := range FieldGroups {
			if _, ok := pub.Commitments[g]; !ok {
				continue
			}
			s := pp[g]
			switch {
			case s == nil && !inputsOnly:
				return nil, nil, Errorf(EINVALID, "observation %s: group %s is withheld", pub.ID, g)
			case s == nil && slices.Contains(pub.Inputs(), g):
				withheld = append(withheld, g)
				continue
			case s == nil:
				continue
			}
			var err error
			switch g {
			case GroupSource:
				err = json.Unmarshal(s.Value, &cg.SourceGroup)
			case GroupPosition:
				var pg PositionGroup
				if err = json.Unmarshal(s.Value, &pg); err == nil {
					cg.Position, origin = &pg.Location, pg.Origin
				}
			case GroupText:
				err = json.Unmarshal(s.Value, &cg.TextGroup)
			case GroupEvidence:
				err = json.Unmarshal(s.Value, &cg.Evidence)
			}
			if err != nil {
				return nil, nil, Errorf(EINVALID, "observation %s: group %s: %v", pub.ID, g, err)
			}
		}
		if len(withheld) > 0 {
			return nil, withheld, nil
		}
	}
	if cg.Source == "" {
		return nil, nil, Errorf(EINVALID, "observation %s: no source", pub.ID)
	}
	o.ID, o.Source, o.Signature = cg.ID, cg.Source, cg.Signature
	if cg.Position != nil {
		o.Location = *cg.Position
	}
	if origin != nil {
		o.Origin = origin
	}
	o.Text, o.Lang, o.Evidence, o.Supersedes = cg.Text, cg.Lang, cg.Evidence, cg.Supersedes
	return o, nil, nil
}

// Derived returns o as derivations (correlation, adjudication) take it:
// named by its public id, its correction's target by its public id too,
// so that incidents and findings are the same bytes for every audience.
func (o *Observation) Derived(pub *SealedObservation) *Observation {
	c := *o
	c.ID, c.Supersedes = pub.ID, pub.Supersedes
	return &c
}

// Cell is a square of a grid of cells about CellKM wide: what the public
// is shown of an observer's position. Lon and Lat are its centre.
type Cell struct {
	Lon    float64 `json:"lon"`
	Lat    float64 `json:"lat"`
	CellKM float64 `json:"cell_km"`
}

// GridCell returns the cell of a grid of km-wide cells that holds lon,
// lat. Rows are km of latitude high; within a row, cells are km wide at
// the row's middle latitude. The centre, not the position, is returned.
func GridCell(lon, lat, km float64) Cell {
	const kmPerDeg = 6371.0088 * math.Pi / 180
	dlat := km / kmPerDeg
	row := math.Floor((lat + 90) / dlat)
	clat := math.Min(-90+(row+0.5)*dlat, 90)
	dlon := km / (kmPerDeg * math.Max(math.Cos(clat*math.Pi/180), 1e-6))
	col := math.Floor((lon + 180) / dlon)
	clon := -180 + (col+0.5)*dlon
	round := func(f float64) float64 { return math.Round(f*1e5) / 1e5 }
	return Cell{Lon: round(clon), Lat: round(clat), CellKM: km}
}

// ObservationView is what an audience is shown of one observation: the
// public form always; the private groups it may see, with their salts, so
// that it can check them against the commitments; for the position group
// when only its grid cell may be shown, the cell; and which groups stay
// withheld.
type ObservationView struct {
	Audience  Audience           `json:"audience"`
	Public    *SealedObservation `json:"public"`
	Disclosed PrivateParts       `json:"disclosed,omitempty"`
	Cell      *Cell              `json:"observer_cell,omitempty"`
	Withheld  []FieldGroup       `json:"withheld,omitempty"`
	Own       bool               `json:"own,omitempty"` // the reader's own submission
}

// MarshalJSON writes the audience as a string.
func (a Audience) MarshalJSON() ([]byte, error) { return json.Marshal(a.String()) }

// Shown lists the groups the view discloses, in name order; a read that
// shows any must be recorded in the audit trail.
func (v *ObservationView) Shown() []FieldGroup {
	var out []FieldGroup
	for _, g := range FieldGroups {
		if v.Disclosed[g] != nil {
			out = append(out, g)
		}
	}
	return out
}

// View decides what audience a is shown, at now, of the observation whose
// public form is pub, logged at loggedAt, with private groups pp (nil when
// the reader's store holds none) and the releases made of it. It is the
// one function that decides; every read path calls it.
//
// The mission sees everything at once; a source sees its own submissions
// whole, and a party its own sources' submissions; otherwise a group is
// shown once the policy's delay for the audience has passed or a release
// shows it. A position the public may see only on a grid is shown as its
// cell, never as the position or its salt.
func (p *DisclosurePolicy) View(a Audience, now, loggedAt time.Time, pub *SealedObservation, pp PrivateParts, rs []*Release) *ObservationView {
	v := &ObservationView{Audience: a, Public: pub}
	if pub.Clear != nil {
		return v
	}
	var src SourceGroup
	if s := pp[GroupSource]; s != nil {
		_ = json.Unmarshal(s.Value, &src)
	}
	v.Own = a.Source != "" && src.Source == a.Source ||
		a.Kind == AudienceParty && pub.SourceRole == RoleParty && pub.SourceParty == a.Party
	for _, g := range FieldGroups {
		if pub.Commitments[g] == "" {
			continue
		}
		gp := p.Group(g)
		show, public := p.shows(a, g, v.Own, loggedAt, now, rs)
		if public && g == GroupPosition && gp.PublicGridKM > 0 {
			show = false
			var pg PositionGroup
			if s := pp[g]; s != nil && json.Unmarshal(s.Value, &pg) == nil {
				at := pg.Observer
				if at == nil && pg.Origin != nil {
					at = pg.Origin.Observer
				}
				if at != nil {
					c := GridCell(at.Lon, at.Lat, gp.PublicGridKM)
					v.Cell = &c
				}
			}
		}
		if show && pp[g] != nil {
			if v.Disclosed == nil {
				v.Disclosed = PrivateParts{}
			}
			v.Disclosed[g] = pp[g]
		} else {
			v.Withheld = append(v.Withheld, g)
		}
	}
	return v
}

// SourceView decides whether audience a is shown, at now, the identity
// (name and description) of the sealed source whose register entry,
// logged at loggedAt, is pub, with the sealed group part (nil when the
// reader's store holds none). It is [DisclosurePolicy.View] for a
// source's entry, and returns the part to show, or nil.
//
// The mission sees it at once; so does the source itself, and a party
// its own liaison sources; anyone else once the policy's delay on the
// source group for that audience has passed since the entry was logged —
// the delay after which the source's observations name it anyway, so
// that a reader who holds them can find the source's keys under its
// pseudonym and check its signatures.
func (p *DisclosurePolicy) SourceView(a Audience, now, loggedAt time.Time, pub *Source, part *SealedGroup) *SealedGroup {
	if pub.Sealed == "" || part == nil {
		return nil
	}
	var id SourceIdentity
	_ = json.Unmarshal(part.Value, &id)
	own := a.Kind == AudienceSource && a.Source != "" && id.Name == a.Source ||
		a.Kind == AudienceParty && pub.Role == RoleParty && pub.Party == a.Party
	if show, _ := p.shows(a, GroupSource, own, loggedAt, now, nil); !show {
		return nil
	}
	return part
}

// shows decides whether audience a is shown, at now, group g of a record
// logged at loggedAt that is its own (own) or not, given the releases rs
// made of it: the mission and the record's own reader at once, an
// audience released to at once, a party after the policy's delay for
// parties, anyone else after the delay for the public. It is the rule
// View and SourceView share; public says that the group is shown by the
// public delay alone, so that View shows a position on the public's grid
// only.
func (p *DisclosurePolicy) shows(a Audience, g FieldGroup, own bool, loggedAt, now time.Time, rs []*Release) (show, public bool) {
	gp := p.Group(g)
	switch {
	case a.Kind == AudienceMission || own || releases(rs, g, a):
		return true, false
	case a.Kind == AudienceParty:
		return gp.Parties.Passed(loggedAt, now), false
	}
	show = gp.Public.Passed(loggedAt, now)
	return show, show
}

// Validate reports every problem with the public form s, with JSON paths:
// the public fields as an observation's, the commitments, and for an open
// source the whole observation.
func (s *SealedObservation) Validate() error {
	var ps problems
	if !IsPublicID(s.ID) {
		ps.add("$.id", "must be a public id: \"o-\" and 32 lower-case hexadecimal digits")
	}
	if !slices.Contains(Roles, s.SourceRole) || s.SourceRole == RoleAdmin || s.SourceRole == RoleAnalyst {
		ps.add("$.source_role", "must be the role of a source that files observations")
	}
	if (s.SourceRole == RoleParty) != (s.SourceParty != "") {
		ps.add("$.source_party", "is given for a party's allegation, and only for one")
	}
	if s.Clear != nil {
		if len(s.Commitments) > 0 {
			ps.add("$.commitments", "an open source's observation has no commitments")
		}
		if o, err := Unseal(s, nil); err != nil {
			ps.add("$.clear", "%s", ErrorMessage(err))
		} else {
			o.validate(&ps)
		}
		return ps.err("observation")
	}
	if s.Commitments[GroupSource] == "" {
		ps.add("$.commitments.source", "required: every sealed observation commits to its source")
	}
	for g, c := range s.Commitments {
		if !g.Valid() {
			ps.add("$.commitments."+string(g), "unknown group; one of %s", quoted(FieldGroups))
		} else if len(c) != 64 || !isLowerHex(c) {
			ps.add("$.commitments."+string(g), "must be 64 lower-case hexadecimal digits")
		}
	}
	if s.Location == nil && s.Commitments[GroupPosition] == "" {
		ps.add("$.location", "required unless the position is withheld")
	}
	o := &Observation{ID: "public", Kind: s.Kind, ObservedAt: s.ObservedAt, ObservedUntil: s.Until,
		TimePrecision: s.Precision, Origin: s.Origin, Counts: s.Counts, WeaponClass: s.WeaponClass,
		Weapon: s.Weapon, Target: s.Target, BlamedParty: s.BlamedParty}
	var ops problems
	if s.Location != nil {
		o.Location = *s.Location
		if o.Location.Observer != nil {
			ps.add("$.location.observer", "an observer's position is never in the public form")
		}
	}
	if s.Origin != nil && s.Origin.Observer != nil {
		ps.add("$.origin.observer", "an observer's position is never in the public form")
	}
	o.validate(&ops)
	for _, p := range ops {
		if s.Location == nil && strings.HasPrefix(p.Path, "$.location") {
			continue
		}
		ps = append(ps, p)
	}
	if s.Supersedes != "" && (!strings.HasPrefix(s.Supersedes, "o-") || len(s.Supersedes) != 34) {
		ps.add("$.supersedes", "must be a public id")
	}
	return ps.err("observation")
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// DecodeSealed parses an observation entry's data: its public form,
// which must be valid and in canonical form.
func DecodeSealed(data []byte) (*SealedObservation, error) {
	s := new(SealedObservation)
	if err := json.Unmarshal(data, s); err != nil {
		return nil, Errorf(EINVALID, "observation: %v", err)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if b, err := s.Canonical(); err != nil || string(b) != string(data) {
		return nil, Errorf(EINVALID, "observation %s: not in canonical form", s.ID)
	}
	return s, nil
}
