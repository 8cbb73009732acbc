package ledger

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/truce-monitor/truce"
)

// Witness cosignatures follow C2SP tlog-cosignature, Ed25519 "cosignature/v1".
//
// The witness signs, with Ed25519, the message
//
//	cosignature/v1\n
//	time <POSIX seconds, decimal, no leading zeros>\n
//	<the whole checkpoint body, extension lines included>
//
// and publishes the signed-note signature line
//
//	— <witness name> <base64(key ID || timestamp || signature)>\n
//
// where key ID is SHA-256(name || 0x0A || 0x04 || public key)[:4], the
// timestamp is the same seconds as 8 bytes big-endian, and the signature is
// the 64-byte Ed25519 signature. A witness key is encoded like a note key
// but with signature type 0x04: the verifier key is
// "<name>+<key ID in hex>+<base64(0x04 || public key)>" and the signer key
// "PRIVATE+KEY+<name>+<key ID in hex>+<base64(0x04 || seed)>".

// cosignatureType is the signed-note signature type of Ed25519
// cosignature/v1 (c2sp.org/signed-note).
const cosignatureType = 0x04

// cosignatureLen is the length of a cosignature/v1 note signature:
// key ID, timestamp and Ed25519 signature.
const cosignatureLen = 4 + 8 + ed25519.SignatureSize

// A Cosigner makes witness cosignatures with one Ed25519 key. It is also a
// note.Signer (signing at the current time), so note.Sign can add its
// cosignature to a signed checkpoint.
type Cosigner struct {
	name string
	priv ed25519.PrivateKey
	id   uint32
}

// GenerateCosignerKey makes a new witness key pair named name (a key name:
// non-empty UTF-8 without spaces or '+'; a schema-less URL such as
// "witness.example.org/ua" is recommended).
func GenerateCosignerKey(name string) (skey, vkey string, err error) {
	if !isKeyName(name) {
		return "", "", truce.Errorf(truce.EINVALID, "ledger: bad witness name %q", name)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", fmt.Errorf("ledger: generate witness key: %w", err)
	}
	id := cosignerKeyID(name, pub)
	skey = fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", name, id, base64.StdEncoding.EncodeToString(append([]byte{cosignatureType}, priv.Seed()...)))
	vkey = fmt.Sprintf("%s+%08x+%s", name, id, base64.StdEncoding.EncodeToString(append([]byte{cosignatureType}, pub...)))
	return skey, vkey, nil
}

// NewCosigner returns the cosigner for a signer key made by
// [GenerateCosignerKey].
func NewCosigner(skey string) (*Cosigner, error) {
	bad := truce.Errorf(truce.EINVALID, "ledger: bad witness signer key")
	rest, ok := strings.CutPrefix(skey, "PRIVATE+KEY+")
	if !ok {
		return nil, bad
	}
	name, id, key, ok := splitKey(rest)
	if !ok || len(key) != 1+ed25519.SeedSize || key[0] != cosignatureType {
		return nil, bad
	}
	priv := ed25519.NewKeyFromSeed(key[1:])
	c := &Cosigner{name: name, priv: priv, id: cosignerKeyID(name, priv.Public().(ed25519.PublicKey))}
	if c.id != id {
		return nil, bad
	}
	return c, nil
}

// Name returns the witness's key name.
func (c *Cosigner) Name() string { return c.name }

// KeyHash returns the witness's key ID.
func (c *Cosigner) KeyHash() uint32 { return c.id }

// VerifierKey returns the witness's verifier key, for log clients to pin.
func (c *Cosigner) VerifierKey() string {
	pub := c.priv.Public().(ed25519.PublicKey)
	return fmt.Sprintf("%s+%08x+%s", c.name, c.id, base64.StdEncoding.EncodeToString(append([]byte{cosignatureType}, pub...)))
}

// Verifier returns the verifier of c's cosignatures.
func (c *Cosigner) Verifier() *CosignatureVerifier {
	return &CosignatureVerifier{name: c.name, pub: c.priv.Public().(ed25519.PublicKey), id: c.id}
}

// Sign implements note.Signer: it returns the cosignature/v1 signature
// (timestamp || Ed25519 signature) of the checkpoint body msg at the current
// time. The caller is responsible for having checked the checkpoint's
// consistency before cosigning it.
func (c *Cosigner) Sign(msg []byte) ([]byte, error) {
	return c.sign(msg, time.Now())
}

func (c *Cosigner) sign(body []byte, t time.Time) ([]byte, error) {
	if _, err := ParseCheckpoint(body); err != nil {
		return nil, err
	}
	if t.Unix() < 0 {
		return nil, truce.Errorf(truce.EINVALID, "ledger: cosignature time %v is before 1970", t)
	}
	ts := uint64(t.Unix())
	sig := make([]byte, 8, 8+ed25519.SignatureSize)
	binary.BigEndian.PutUint64(sig, ts)
	return append(sig, ed25519.Sign(c.priv, cosignedMessage(ts, body))...), nil
}

// Cosign returns the witness's signature line on the checkpoint body at time
// t (truncated to the second), ending in a newline, ready to be appended to
// the signed checkpoint: "— <name> <base64(key ID || timestamp || sig)>\n".
func (c *Cosigner) Cosign(body []byte, t time.Time) (line string, err error) {
	sig, err := c.sign(body, t)
	if err != nil {
		return "", err
	}
	raw := make([]byte, 4, cosignatureLen)
	binary.BigEndian.PutUint32(raw, c.id)
	raw = append(raw, sig...)
	return "— " + c.name + " " + base64.StdEncoding.EncodeToString(raw) + "\n", nil
}

// A CosignatureVerifier checks one witness's cosignatures. It is also a
// note.Verifier, so note.Open (and [Open]) verify the witness's signature
// lines when it is among the known verifiers.
type CosignatureVerifier struct {
	name string
	pub  ed25519.PublicKey
	id   uint32
}

// NewCosignatureVerifier returns the verifier for a witness verifier key,
// "<name>+<key ID in hex>+<base64(0x04 || public key)>". The key ID must
// match the name and key.
func NewCosignatureVerifier(vkey string) (*CosignatureVerifier, error) {
	name, id, key, ok := splitKey(vkey)
	if !ok || len(key) != 1+ed25519.PublicKeySize || key[0] != cosignatureType {
		return nil, truce.Errorf(truce.EINVALID, "ledger: bad witness verifier key %.80q", vkey)
	}
	v := &CosignatureVerifier{name: name, pub: ed25519.PublicKey(key[1:]), id: cosignerKeyID(name, key[1:])}
	if v.id != id {
		return nil, truce.Errorf(truce.EINVALID, "ledger: witness verifier key %.80q: key ID does not match", vkey)
	}
	return v, nil
}

// Name returns the witness's key name.
func (v *CosignatureVerifier) Name() string { return v.name }

// KeyHash returns the witness's key ID.
func (v *CosignatureVerifier) KeyHash() uint32 { return v.id }

// Verify implements note.Verifier: it reports whether sig (timestamp ||
// Ed25519 signature) is the witness's cosignature/v1 of the checkpoint body
// msg.
func (v *CosignatureVerifier) Verify(msg, sig []byte) bool {
	_, ok := v.verify(msg, sig)
	return ok
}

func (v *CosignatureVerifier) verify(body, sig []byte) (uint64, bool) {
	if len(sig) != 8+ed25519.SignatureSize {
		return 0, false
	}
	ts := binary.BigEndian.Uint64(sig)
	if ts > math.MaxInt64 {
		return 0, false
	}
	if _, err := ParseCheckpoint(body); err != nil {
		return 0, false
	}
	return ts, ed25519.Verify(v.pub, cosignedMessage(ts, body), sig[8:])
}

// VerifyCosignature checks that line, a signature line as made by
// [Cosigner.Cosign] (the final newline is optional), is v's valid
// cosignature of the checkpoint body, and returns the time it states.
func VerifyCosignature(body []byte, line string, v *CosignatureVerifier) (time.Time, error) {
	rest, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), "— ")
	name, b64, ok2 := strings.Cut(rest, " ")
	if !ok || !ok2 {
		return time.Time{}, truce.Errorf(truce.EINVALID, "ledger: cosignature: not a signature line")
	}
	if name != v.name {
		return time.Time{}, truce.Errorf(truce.EINVALID, "ledger: cosignature by %q, want %q", name, v.name)
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != cosignatureLen || base64.StdEncoding.EncodeToString(raw) != b64 {
		return time.Time{}, truce.Errorf(truce.EINVALID, "ledger: cosignature by %q: not %d bytes of standard base64", name, cosignatureLen)
	}
	if id := binary.BigEndian.Uint32(raw); id != v.id {
		return time.Time{}, truce.Errorf(truce.EINVALID, "ledger: cosignature by %q: key ID %08x, want %08x", name, id, v.id)
	}
	ts, ok := v.verify(body, raw[4:])
	if !ok {
		return time.Time{}, truce.Errorf(truce.EINVALID, "ledger: cosignature by %q does not verify", name)
	}
	return time.Unix(int64(ts), 0).UTC(), nil
}

// cosignedMessage is the message a cosignature/v1 signs.
func cosignedMessage(ts uint64, body []byte) []byte {
	m := make([]byte, 0, 40+len(body))
	m = append(m, "cosignature/v1\ntime "...)
	m = strconv.AppendUint(m, ts, 10)
	m = append(m, '\n')
	return append(m, body...)
}

// cosignerKeyID is SHA-256(name || 0x0A || 0x04 || public key)[:4],
// big-endian.
func cosignerKeyID(name string, pub []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{'\n', cosignatureType})
	h.Write(pub)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// splitKey splits "<name>+<8 hex digits>+<base64>" into its parts.
func splitKey(s string) (name string, id uint32, key []byte, ok bool) {
	name, s, ok1 := strings.Cut(s, "+")
	hexID, b64, ok2 := strings.Cut(s, "+")
	if !ok1 || !ok2 || !isKeyName(name) || len(hexID) != 8 {
		return "", 0, nil, false
	}
	n, err := strconv.ParseUint(hexID, 16, 32)
	if err != nil {
		return "", 0, nil, false
	}
	key, err = base64.StdEncoding.DecodeString(b64)
	if err != nil || base64.StdEncoding.EncodeToString(key) != b64 {
		return "", 0, nil, false
	}
	return name, uint32(n), key, true
}

// isKeyName reports whether name is a valid signed-note key name: non-empty
// UTF-8 without Unicode spaces, '+' or control characters.
func isKeyName(name string) bool {
	if name == "" || !utf8.ValidString(name) {
		return false
	}
	for _, r := range name {
		if unicode.IsSpace(r) || r == '+' || r < 0x20 {
			return false
		}
	}
	return true
}
