package truce

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// EntryRelease is the type of the log entry that holds a [Release]: its
// data is the release's canonical JSON.
const EntryRelease EntryType = "release"

// ActionRelease is showing an audience a private group early: analysts
// and admins.
const ActionRelease Action = "release private groups"

// MaxReleaseReason caps the bytes of a release's reason.
const MaxReleaseReason = 4096

// Release is a reviewer's decision, kept on the log as an entry of type
// "release", to show a party or the public groups of one observation
// that the policy withholds from them (free text or evidence that answers
// an allegation, a position once it no longer endangers anyone). It
// takes effect from its entry on, for every read path: the one view
// function, [DisclosurePolicy.View], is given it.
type Release struct {
	// ID is chosen by the reviewer (a UUID) and unique among releases: a
	// release sent again with the same id and content is not logged
	// twice.
	ID string `json:"id"`
	// Observation is the public id of a sealed observation.
	Observation string `json:"observation"`
	// Groups are the groups released, in name order, each one the
	// observation commits to.
	Groups []FieldGroup `json:"groups"`
	// To is the audience kind released to: AudienceParty (the one party
	// Party names) or AudiencePublic (everyone, the parties too).
	To    AudienceKind `json:"to"`
	Party string       `json:"party,omitempty"`
	// Reason says why the groups may be shown.
	Reason string `json:"reason"`
	// By and Role name the source that made the release, with its role
	// as ParseRole reads it ("analyst" or "admin"). The store sets both.
	By   string `json:"by,omitempty"`
	Role string `json:"role,omitempty"`
}

// ReleaseRecord is a logged release.
type ReleaseRecord struct {
	*Release
	LogIndex int64     `json:"log_index"`
	LoggedAt time.Time `json:"logged_at"`
}

// ReleasesOf returns the releases of rs, as [DisclosurePolicy.View]
// takes them.
func ReleasesOf(rs []*ReleaseRecord) []*Release {
	out := make([]*Release, len(rs))
	for i, r := range rs {
		out[i] = r.Release
	}
	return out
}

// Normalize puts r's groups in name order, each once: the order the log
// keeps.
func (r *Release) Normalize() {
	r.Groups = slices.Clone(r.Groups)
	slices.Sort(r.Groups)
	r.Groups = slices.Compact(r.Groups)
}

// Validate reports every problem with r that can be seen without the
// store, with JSON paths. It does not check the fields the store sets.
func (r *Release) Validate() error {
	var ps problems
	if !ValidID(r.ID) {
		ps.add("$.id", "required: an id for the release (a UUID), 1-128 letters, digits, '.', '_', ':' or '-'")
	}
	if !IsPublicID(r.Observation) {
		ps.add("$.observation", "required: the observation's public id, \"o-\" and 32 lower-case hexadecimal digits")
	}
	if len(r.Groups) == 0 {
		ps.add("$.groups", "required: one or more of %s", quoted(FieldGroups))
	}
	for i, g := range r.Groups {
		p := fmt.Sprintf("$.groups[%d]", i)
		switch {
		case !g.Valid():
			ps.add(p, "unknown group %q; one of %s", g, quoted(FieldGroups))
		case slices.Index(r.Groups, g) < i:
			ps.add(p, "group %q is given twice", g)
		}
	}
	switch r.To {
	case AudienceParty:
		if !ValidPartyID(r.Party) {
			ps.add("$.party", "required when to is \"party\": the party released to (upper-case, like \"UA\")")
		}
	case AudiencePublic:
		if r.Party != "" {
			ps.add("$.party", "given only when to is \"party\"")
		}
	case "":
		ps.add("$.to", "required: \"party\" or \"public\"")
	default:
		ps.add("$.to", "unknown audience %q; \"party\" or \"public\"", r.To)
	}
	switch {
	case !utf8.ValidString(r.Reason):
		ps.add("$.reason", "not valid UTF-8")
	case strings.TrimSpace(r.Reason) == "":
		ps.add("$.reason", "required: why the groups may be shown")
	case len(r.Reason) > MaxReleaseReason:
		ps.add("$.reason", "longer than %d bytes", MaxReleaseReason)
	}
	return ps.err("release")
}

// Shows reports whether r shows group g to audience a.
func (r *Release) Shows(g FieldGroup, a Audience) bool {
	if !slices.Contains(r.Groups, g) {
		return false
	}
	return r.To == AudiencePublic || r.To == AudienceParty && a.Kind == AudienceParty && a.Party == r.Party
}

// releases reports whether any of rs shows group g to audience a.
func releases(rs []*Release, g FieldGroup, a Audience) bool {
	for _, r := range rs {
		if r.Shows(g, a) {
			return true
		}
	}
	return false
}

// Canonical returns the JSON that the log keeps for r: compact, fields in
// declaration order, empty optional fields left out, no HTML escaping.
func (r *Release) Canonical() ([]byte, error) { return canonicalJSON(r) }

// DecodeRelease decodes the data of a release entry strictly: one JSON
// object of Release's fields, spelt exactly, in canonical form (what
// Canonical returns, byte for byte, groups in name order), that
// validates, with the fields the store sets present: by a source name,
// role "analyst" or "admin".
func DecodeRelease(data []byte) (*Release, error) {
	var r Release
	if err := decodeCanonical("release", data, &r); err != nil {
		return nil, err
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	var ps problems
	if !slices.IsSorted(r.Groups) {
		ps.add("$.groups", "not in name order")
	}
	if !ValidName(r.By) {
		ps.add("$.by", "required: the source that made the release")
	}
	if role, _, err := ParseRole(r.Role); err != nil {
		ps.add("$.role", "%s", ErrorMessage(err))
	} else if role != RoleAnalyst && role != RoleAdmin {
		ps.add("$.role", "a release is made by an analyst or an admin, not %q", r.Role)
	}
	if err := ps.err("release"); err != nil {
		return nil, err
	}
	return &r, nil
}
