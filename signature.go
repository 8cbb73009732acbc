package truce

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// SigningBytes returns the bytes that a source signs for o: the canonical
// bytes ([Observation.Canonical]) of o with Source, SourceRole, SourceParty
// and Signature left out. The store sets the first three from the
// credentials used, so a client computes these bytes before it sends; the
// signature cannot sign itself. docs/log-format.md gives them byte for
// byte.
func (o *Observation) SigningBytes() ([]byte, error) {
	c := *o
	c.Source, c.SourceRole, c.SourceParty, c.Signature = "", "", "", ""
	return c.Canonical()
}

// SignObservation signs o with priv, the private key of the source that
// will file it: it sets o.Signature to the Ed25519 signature of o's
// signing bytes. Changing any field of o but Source, SourceRole,
// SourceParty and Signature afterwards, other than in ways that
// normalization undoes (a time's zone, an evidence hash's case), breaks
// the signature.
func SignObservation(priv ed25519.PrivateKey, o *Observation) error {
	if len(priv) != ed25519.PrivateKeySize {
		return Errorf(EINVALID, "an Ed25519 private key has %d bytes, not %d", ed25519.PrivateKeySize, len(priv))
	}
	msg, err := o.SigningBytes()
	if err != nil {
		return fmt.Errorf("observation %q: %w", o.ID, err)
	}
	o.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(priv, msg))
	return nil
}

// VerifyObservation checks o.Signature against key: nil if it is key's
// signature of o's signing bytes, else an EFORBIDDEN error saying what is
// wrong (no signature, a malformed one, or one that does not verify).
func VerifyObservation(key ed25519.PublicKey, o *Observation) error {
	return verify(key, o, nil)
}

// verify is VerifyObservation, taking the signing bytes from canonical,
// o's canonical bytes, when that is not nil.
func verify(key ed25519.PublicKey, o *Observation, canonical []byte) error {
	if o.Signature == "" {
		return Errorf(EFORBIDDEN, "no signature, and the source has a public key: sign the observation with the source's private key")
	}
	sig, err := decodeSignature(o.Signature)
	if err != nil {
		return &Error{Code: EFORBIDDEN, Message: ErrorMessage(err)}
	}
	msg, ok := cutSigningBytes(o, canonical)
	if !ok {
		if msg, err = o.SigningBytes(); err != nil {
			return err
		}
	}
	if len(key) != ed25519.PublicKeySize || !ed25519.Verify(key, msg, sig) {
		return Errorf(EFORBIDDEN, "the signature does not verify with the source's public key %s: the observation was changed after it was signed, or signed with another key", FormatPublicKey(key))
	}
	return nil
}

// signatureLen is the length of a signature in base64: 64 bytes, padded.
const signatureLen = (ed25519.SignatureSize + 2) / 3 * 4

// decodeSignature decodes a signature as Observation.Signature holds it:
// the standard base64 of 64 bytes, in its one canonical text (the padding
// bits of its last character zero).
func decodeSignature(s string) ([]byte, error) {
	var b [ed25519.SignatureSize + 2]byte
	n, err := base64.StdEncoding.Strict().Decode(b[:], []byte(s))
	if err != nil || n != ed25519.SignatureSize || len(s) != signatureLen {
		return nil, Errorf(EINVALID, "not an Ed25519 signature: want the standard base64 of its 64 bytes (88 characters, ending in \"==\")")
	}
	return b[:n:n], nil
}

// CheckSignatures checks that the observations in obs, to be filed by the
// source named source whose public key is key (nil when it has none), are
// signed as the source's key requires: each carries a valid signature by
// key, or, when there is no key, none carries a signature (it could not
// be checked). It returns nil, or an error naming every line that fails:
// EFORBIDDEN for a missing or invalid signature, EINVALID for a signature
// that a source without a key sent. Lines are numbered from 1 in the order
// of obs, or 0 when obs holds one observation.
//
// canonical, when not nil, holds each observation's canonical bytes
// ([Observation.Canonical]), as a store that has computed them to log
// them has them: the signing bytes are then cut out of them, as
// docs/log-format.md says a verifier may, instead of being encoded again.
//
// The signatures are verified in parallel, on as many goroutines as there
// are CPUs (GOMAXPROCS), since Ed25519 verification is by far the dearest
// step of taking in a signed observation.
func CheckSignatures(source string, key ed25519.PublicKey, obs []*Observation, canonical [][]byte) error {
	line := func(i int) int {
		if len(obs) == 1 {
			return 0
		}
		return i + 1
	}
	if key == nil {
		var ps []Problem
		for i, o := range obs {
			if o.Signature != "" {
				ps = append(ps, Problem{Line: line(i), Path: "$.signature", Message: fmt.Sprintf("source %q has no public key to check a signature against: register its key (truce source key) or leave the signature out", source)})
			}
		}
		if len(ps) > 0 {
			return Invalid(fmt.Sprintf("%d observation(s) are signed, but source %q has no public key; nothing was stored", len(ps), source), ps...)
		}
		return nil
	}
	errs := make([]error, len(obs))
	verifyAll(len(obs), func(i int) {
		var c []byte
		if canonical != nil {
			c = canonical[i]
		}
		errs[i] = verify(key, obs[i], c)
	})
	var ps []Problem
	for i, err := range errs {
		switch code := ErrorCode(err); code {
		case "":
		case EFORBIDDEN:
			ps = append(ps, Problem{Line: line(i), Path: "$.signature", Message: ErrorMessage(err)})
		default:
			return err
		}
	}
	if len(ps) > 0 {
		return &Error{Code: EFORBIDDEN, Message: fmt.Sprintf("%d observation(s) are not signed by source %q's public key; nothing was stored", len(ps), source), Problems: ps}
	}
	return nil
}

// verifyChunk is how many signatures a goroutine of verifyAll takes at a
// time: enough to make handing out work cheap, few enough to keep the
// goroutines evenly loaded.
const verifyChunk = 16

// verifyAll calls check(i) for every i < n, on up to GOMAXPROCS goroutines.
func verifyAll(n int, check func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), (n+verifyChunk-1)/verifyChunk)
	if workers <= 1 {
		for i := range n {
			check(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				start := int(next.Add(verifyChunk)) - verifyChunk
				if start >= n {
					return
				}
				for i := start; i < min(start+verifyChunk, n); i++ {
					check(i)
				}
			}
		})
	}
	wg.Wait()
}

// cutSigningBytes returns the signing bytes of o cut out of canonical, o's
// canonical bytes: the bytes with the members source, source_role,
// source_party and signature removed. The canonical encoding writes id
// first, the three source members right after it and the signature last;
// ok is false, and the caller encodes the signing bytes instead, if
// canonical is nil or not laid out so, as when a value needs escaping.
func cutSigningBytes(o *Observation, canonical []byte) (msg []byte, ok bool) {
	if canonical == nil || !ValidID(o.ID) {
		return nil, false
	}
	head := `{"id":"` + o.ID + `"`
	rest, ok := bytes.CutPrefix(canonical, []byte(head))
	if !ok {
		return nil, false
	}
	for _, m := range [...]struct{ name, value string }{{"source", o.Source}, {"source_role", string(o.SourceRole)}, {"source_party", o.SourceParty}} {
		if m.value == "" {
			continue
		}
		if rest, ok = bytes.CutPrefix(rest, []byte(`,"`+m.name+`":"`+m.value+`"`)); !ok {
			return nil, false
		}
	}
	if rest, ok = bytes.CutSuffix(rest, []byte(`,"signature":"`+o.Signature+`"}`)); !ok {
		return nil, false
	}
	msg = make([]byte, 0, len(head)+len(rest)+1)
	msg = append(append(append(msg, head...), rest...), '}')
	return msg, true
}
