package truce

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"
)

// Role is what a source is and so what it may write.
type Role string

// Roles. A party source is written "party:<ID>" in role strings.
const (
	RoleAdmin   Role = "admin"   // manages agreements, sources and control maps
	RoleAnalyst Role = "analyst" // reviews findings; reads everything
	RoleMonitor Role = "monitor" // a monitoring mission's observer or team
	RoleSensor  Role = "sensor"  // an automated sensor (acoustic, satellite)
	RoleDataset Role = "dataset" // an imported dataset (VIINA, FIRMS, ACLED, DeepState)
	RoleParty   Role = "party"   // a party's liaison: files allegations
)

// Roles lists every Role.
var Roles = []Role{RoleAdmin, RoleAnalyst, RoleMonitor, RoleSensor, RoleDataset, RoleParty}

// Source is a registered reporter: a person, team, sensor or dataset with
// an API token and a role.
type Source struct {
	Name        string `json:"name"`
	Role        Role   `json:"role"`
	Party       string `json:"party,omitempty"` // the party, for RoleParty
	Description string `json:"description,omitempty"`
	// PublicKey is the source's Ed25519 public key in the form that
	// [ParsePublicKey] reads, when it signs its observations: every
	// observation it files must then carry a valid Signature. In the
	// source's log entry it is the key it was registered with; a store
	// reports the key in force now, which a "source_key" entry
	// ([SourceKey]) may since have replaced.
	PublicKey string    `json:"public_key,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// Sealed is, in a sealed source's log entry, the commitment to its
	// identity ([SourceIdentity]: its name and description), which the
	// entry then leaves out: the entry's Name is the source's pseudonym
	// ([SourcePseudonym]). Empty for an open source, whose entry names it.
	Sealed string `json:"sealed,omitempty"`
	// PublicName is, in a store's record of a source, the name by which
	// the log names it: its pseudonym when sealed, else its name. Never
	// in a log entry.
	PublicName string `json:"public_name,omitempty"`
}

// Credential records that an API token was issued to a source. The log
// keeps it so that anyone can see who could write as whom from when; the
// token, and its hash, stay out of the log.
type Credential struct {
	Source   string    `json:"source"`
	IssuedAt time.Time `json:"issued_at"`
}

// Operator is the local operator: whoever holds the store file and runs the
// CLI on it. It acts as admin and writes imports under their own sources.
var Operator = &Source{Name: "operator", Role: RoleAdmin}

// ParseRole parses a role string: "admin", "analyst", "monitor", "sensor",
// "dataset" or "party:<ID>".
func ParseRole(s string) (Role, string, error) {
	if id, ok := strings.CutPrefix(s, "party:"); ok {
		if !ValidPartyID(id) {
			return "", "", Errorf(EINVALID, "role %q: %q is not a party id (upper-case, like \"UA\")", s, id)
		}
		return RoleParty, id, nil
	}
	for _, r := range Roles {
		if string(r) == s && r != RoleParty {
			return r, "", nil
		}
	}
	return "", "", Errorf(EINVALID, "unknown role %q; one of admin, analyst, monitor, sensor, dataset, party:<ID>", s)
}

// RoleString returns the role as ParseRole reads it ("party:UA").
func (s *Source) RoleString() string {
	if s.Role == RoleParty {
		return "party:" + s.Party
	}
	return string(s.Role)
}

// Validate reports every problem with s.
func (s *Source) Validate() error {
	var ps problems
	if !ValidName(s.Name) {
		ps.add("name", "must be 1-64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	switch s.Role {
	case RoleParty:
		if !ValidPartyID(s.Party) {
			ps.add("party", "%q is not a party id (upper-case, like \"UA\")", s.Party)
		}
	case RoleAdmin, RoleAnalyst, RoleMonitor, RoleSensor, RoleDataset:
		if s.Party != "" {
			ps.add("party", "only a party source names a party")
		}
	default:
		ps.add("role", "unknown role %q", s.Role)
	}
	if len(s.Description) > 1024 {
		ps.add("description", "longer than 1024 bytes")
	}
	if s.PublicKey != "" {
		if _, err := ParsePublicKey(s.PublicKey); err != nil {
			ps.add("public_key", "%s", ErrorMessage(err))
		}
	}
	return ps.err("source")
}

// Action is a kind of write that a role may or may not make.
type Action string

// Actions checked by [Source.Authorize].
const (
	ActionObserve         Action = "file observations"
	ActionManageAgreement Action = "manage agreements"
	ActionManageSource    Action = "manage sources"
	ActionAddControlMap   Action = "add control maps"
)

// Authorize returns nil if s may perform a, else an EFORBIDDEN error (or
// EUNAUTHORIZED for a nil source).
//
// Monitors, sensors, datasets and parties file observations (a party's are
// allegations); only admins manage agreements, sources and witnesses; admins and
// datasets add control maps; analysts review findings (confirm, override,
// resolve disputes) and parties dispute them; analysts and admins release
// private groups early; admins read the audit trail of private reads.
func (s *Source) Authorize(a Action) error {
	if s == nil {
		return Errorf(EUNAUTHORIZED, "authentication required to %s", a)
	}
	var ok bool
	switch a {
	case ActionObserve:
		ok = s.Role == RoleMonitor || s.Role == RoleSensor || s.Role == RoleDataset || s.Role == RoleParty
	case ActionManageAgreement, ActionManageSource, ActionManageWitness:
		ok = s.Role == RoleAdmin
	case ActionAddControlMap:
		ok = s.Role == RoleAdmin || s.Role == RoleDataset
	case ActionReviewFinding:
		ok = s.Role == RoleAnalyst
	case ActionDisputeFinding:
		ok = s.Role == RoleParty
	case ActionRelease:
		ok = s.Role == RoleAnalyst || s.Role == RoleAdmin
	case ActionReadAudit:
		ok = s.Role == RoleAdmin
	}
	if !ok {
		return Errorf(EFORBIDDEN, "source %q with role %s may not %s", s.Name, s.RoleString(), a)
	}
	return nil
}

// ClaimProblems reports, as problems at the JSON paths of an observation's
// fields, any claim to be filed by another source, role or party than s:
// an input may name its filer only as the source whose credentials send it.
func (s *Source) ClaimProblems(source string, role Role, party string) []Problem {
	var ps problems
	if source != "" && source != s.Name {
		ps.add("$.source", "the request is authenticated as source %q, not %q", s.Name, source)
	}
	if role != "" && role != s.Role {
		ps.add("$.source_role", "source %q has role %s and may not post as %q", s.Name, s.RoleString(), role)
	}
	if party != "" && party != s.Party {
		ps.add("$.source_party", "source %q has role %s and may not post for party %q", s.Name, s.RoleString(), party)
	}
	return ps
}

// tokenPrefix marks truce API tokens so that secret scanners can find them.
const tokenPrefix = "truce_"

// NewToken returns a new random API token.
func NewToken() string {
	var b [32]byte
	rand.Read(b[:])
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// HashToken returns the hex SHA-256 of token, as a store keeps it.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}
