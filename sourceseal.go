package truce

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
)

// SourceIdentity is what a sealed source's log entry commits to and leaves
// out: who the source is. Its canonical JSON is the value of the entry's
// private part (docs/log-format.md §14).
type SourceIdentity struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// SourcePseudonym returns the name by which the log names a sealed source
// called name:
//
//	"s-" || first 32 hex digits of HMAC-SHA256(key, "truce-source/v1\n" || name)
//
// with key the store's sealing key. Only the holder of the key can compute
// it; the mapping is disclosed by disclosing the source entry's private
// part.
func SourcePseudonym(key []byte, name string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("truce-source/v1\n"))
	m.Write([]byte(name))
	return "s-" + hex.EncodeToString(m.Sum(nil)[:16])
}

// IsSourcePseudonym reports whether s has the form of a source pseudonym.
func IsSourcePseudonym(s string) bool {
	return strings.HasPrefix(s, "s-") && len(s) == 34 && isLowerHex(s[2:])
}

// SealSource returns the log entry form of s under policy p and sealing
// key: for a role that p leaves open, s as it is (Sealed empty) and no
// private part; for any other, s with its pseudonym for its name, no
// description, and Sealed the commitment to its identity, with the private
// part that opens the commitment (salt: [Salt] of the group "source" for
// the source's name and an empty id).
func SealSource(p *DisclosurePolicy, key []byte, s *Source) (*Source, *SealedGroup, error) {
	pub := *s
	pub.PublicName, pub.Sealed = "", ""
	if p.Open(s.Role) {
		return &pub, nil, nil
	}
	value, err := json.Marshal(&SourceIdentity{Name: s.Name, Description: s.Description})
	if err != nil {
		return nil, nil, err
	}
	salt := Salt(key, GroupSource, s.Name, "")
	pub.Name, pub.Description = SourcePseudonym(key, s.Name), ""
	pub.Sealed = Commit(GroupSource, salt, value)
	return &pub, &SealedGroup{Salt: hex.EncodeToString(salt), Value: value}, nil
}

// UnsealSource returns the source that the entry form pub and, for a
// sealed one, its private part describe, with PublicName the name the log
// uses. A sealed source without its part, or with one that does not match
// the commitment, is an EINVALID error.
func UnsealSource(pub *Source, part *SealedGroup) (*Source, error) {
	s := *pub
	s.PublicName = pub.Name
	if pub.Sealed == "" {
		if part != nil {
			return nil, Errorf(EINVALID, "source %s: a private part for an open source, which has none", pub.Name)
		}
		return &s, nil
	}
	if part == nil {
		return nil, Errorf(EINVALID, "source %s: sealed, and its private part is missing", pub.Name)
	}
	if err := part.Check(GroupSource, pub.Sealed); err != nil {
		return nil, Errorf(EINVALID, "source %s: %s", pub.Name, ErrorMessage(err))
	}
	var id SourceIdentity
	if err := json.Unmarshal(part.Value, &id); err != nil {
		return nil, Errorf(EINVALID, "source %s: identity: %v", pub.Name, err)
	}
	if b, err := json.Marshal(&id); err != nil || string(b) != string(part.Value) {
		return nil, Errorf(EINVALID, "source %s: identity: not in canonical form", pub.Name)
	}
	s.Name, s.Description = id.Name, id.Description
	return &s, nil
}
