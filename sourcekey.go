package truce

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
)

// EntrySourceKey is the type of the log entry that sets a source's public
// key after its registration: its data is the canonical JSON of a
// [SourceKey].
const EntrySourceKey EntryType = "source_key"

// SourceKey records that a source's Ed25519 public key was set or replaced.
// The key is in force for every observation the source files after this
// entry, until the next one; the observations before it stay verifiable
// against the key that was in force when they were logged, which the log
// also holds.
type SourceKey struct {
	Source    string `json:"source"`
	PublicKey string `json:"public_key"`
}

// Validate reports every problem with k.
func (k *SourceKey) Validate() error {
	var ps problems
	if !ValidName(k.Source) {
		ps.add("source", "not a source name")
	}
	if k.PublicKey == "" {
		ps.add("public_key", "required: the source's Ed25519 public key, base64 of its 32 bytes")
	} else if _, err := ParsePublicKey(k.PublicKey); err != nil {
		ps.add("public_key", "%s", ErrorMessage(err))
	}
	return ps.err("source key")
}

// ParsePublicKey parses a source's public key: the standard base64 (RFC
// 4648 §4, with padding) of the 32 bytes of an Ed25519 public key, 44
// characters. Exactly one text is accepted per key, so that the log records
// each key one way.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != ed25519.PublicKeySize || base64.StdEncoding.EncodeToString(b) != s {
		return nil, Errorf(EINVALID, "%q is not an Ed25519 public key: want the standard base64 of its 32 bytes (44 characters, ending in \"=\")", short(s))
	}
	return ed25519.PublicKey(b), nil
}

// FormatPublicKey returns key in the form ParsePublicKey reads.
func FormatPublicKey(key ed25519.PublicKey) string {
	return base64.StdEncoding.EncodeToString(key)
}

// short cuts s to a length fit for an error message.
func short(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// MarshalPrivateKey returns priv as a PEM block of type "PRIVATE KEY"
// holding its PKCS #8 encoding (RFC 8410): the file that truce source
// keygen writes, and that openssl genpkey -algorithm ed25519 also makes.
func MarshalPrivateKey(priv ed25519.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ParsePrivateKey reads a source's private key from a file's bytes made by
// MarshalPrivateKey: one PEM "PRIVATE KEY" block of a PKCS #8 Ed25519 key.
func ParsePrivateKey(b []byte) (ed25519.PrivateKey, error) {
	block, rest := pem.Decode(b)
	switch {
	case block == nil:
		return nil, Errorf(EINVALID, "not a PEM private key: want a \"-----BEGIN PRIVATE KEY-----\" block")
	case block.Type != "PRIVATE KEY":
		return nil, Errorf(EINVALID, "PEM block of type %q, want \"PRIVATE KEY\" (PKCS #8)", block.Type)
	case len(bytes.TrimSpace(rest)) > 0:
		return nil, Errorf(EINVALID, "data after the PEM private key")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, Errorf(EINVALID, "PKCS #8 private key: %v", err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, Errorf(EINVALID, "the private key is a %T, not an Ed25519 key", k)
	}
	return priv, nil
}

// SourceKeys follows sources' public keys through a log read in order, so
// that signed observations can be checked again from the log alone: the
// key in force for a source at an entry is the one set by the latest
// entry before it that set one — the source's "source" entry, when it was
// registered with a key, or a "source_key" entry. The zero value is ready
// to use.
//
// The log names a sealed source by its pseudonym (docs/log-format.md §14),
// and a sealed observation's source group by its name: a reader who holds
// both learns the mapping from the source entry's private part and tells
// it with [SourceKeys.Reveal].
type SourceKeys struct {
	keys  map[string]ed25519.PublicKey
	alias map[string]string // name → public name
}

// Reveal records that the source called name is the one the log names
// public, so that its observations, whose source groups name it, are
// checked against the keys the log sets for public.
func (k *SourceKeys) Reveal(public, name string) {
	if k.alias == nil {
		k.alias = map[string]string{}
	}
	k.alias[name] = public
}

// Apply records the key that e sets, if it sets one. Entries of other
// types are ignored. An entry whose data does not decode, or holds a
// malformed key, is an EINVALID error.
func (k *SourceKeys) Apply(e *Entry) error {
	var name, key string
	switch e.Type {
	case EntrySource:
		var s Source
		if err := json.Unmarshal(e.Data, &s); err != nil {
			return Errorf(EINVALID, "%s: %v", e, err)
		}
		name, key = s.Name, s.PublicKey
	case EntrySourceKey:
		var sk SourceKey
		if err := json.Unmarshal(e.Data, &sk); err != nil {
			return Errorf(EINVALID, "%s: %v", e, err)
		}
		if sk.PublicKey == "" {
			return Errorf(EINVALID, "%s: no public_key", e)
		}
		name, key = sk.Source, sk.PublicKey
	default:
		return nil
	}
	if key == "" {
		return nil
	}
	pub, err := ParsePublicKey(key)
	if err != nil {
		return Errorf(EINVALID, "%s: %s", e, ErrorMessage(err))
	}
	if k.keys == nil {
		k.keys = map[string]ed25519.PublicKey{}
	}
	k.keys[name] = pub
	return nil
}

// Key returns the key in force for the source named name, nil when it has
// none.
func (k *SourceKeys) Key(name string) ed25519.PublicKey {
	if pub, ok := k.alias[name]; ok {
		return k.keys[pub]
	}
	return k.keys[name]
}

// CheckObservation checks the signature of the observation that entry e
// holds against the key in force for its source: a source with a key must
// have signed it, with that key, and one without must not have signed it.
// pp are the observation's private parts, nil when the reader holds none:
// then only an open source's observation, whose source group is in the
// clear, can be checked, and a sealed one is taken as it is (the source
// group, which holds the signature, is withheld). It returns nil for an
// entry of another type, an EFORBIDDEN error for a missing or invalid
// signature, and an EINVALID error for data that does not decode, parts
// that do not match, or a signature that no key can check.
func (k *SourceKeys) CheckObservation(e *Entry, pp PrivateParts) error {
	if e.Type != EntryObservation {
		return nil
	}
	pub, err := DecodeSealed(e.Data)
	if err != nil {
		return Errorf(EINVALID, "%s: %s", e, ErrorMessage(err))
	}
	if pub.Clear == nil && pp == nil {
		return nil
	}
	o, err := Unseal(pub, pp)
	if err != nil {
		return Errorf(EINVALID, "%s: %s", e, ErrorMessage(err))
	}
	key := k.Key(o.Source)
	if key == nil {
		if o.Signature != "" {
			return Errorf(EINVALID, "%s: observation %q is signed, but source %q had no public key", e, o.ID, o.Source)
		}
		return nil
	}
	if err := VerifyObservation(key, o); err != nil {
		return &Error{Code: ErrorCode(err), Message: fmt.Sprintf("%s: observation %q: %s", e, o.ID, ErrorMessage(err))}
	}
	return nil
}
