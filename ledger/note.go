package ledger

import (
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/truce-monitor/truce"
	"golang.org/x/mod/sumdb/note"
)

// GenerateKey makes a new Ed25519 key pair for the log named origin, in the
// signed-note encodings of golang.org/x/mod/sumdb/note. The signer key skey,
// "PRIVATE+KEY+<origin>+<key ID>+<base64(0x01 || seed)>", must be kept
// secret. The verifier key vkey, "<origin>+<key ID>+<base64(0x01 ||
// public key)>", is what parties pin to check checkpoints. The key ID is
// the first four bytes of SHA-256(origin || 0x0A || 0x01 || public key), in
// hexadecimal. The origin must be a valid key name: non-empty UTF-8 with no
// spaces and no '+'.
func GenerateKey(origin string) (skey, vkey string, err error) {
	if !isKeyName(origin) {
		return "", "", truce.Errorf(truce.EINVALID, "ledger: origin %q cannot name a key: it must be non-empty UTF-8 without spaces or '+'", origin)
	}
	skey, vkey, err = note.GenerateKey(rand.Reader, origin)
	if err != nil {
		return "", "", fmt.Errorf("%w: %w", truce.Errorf(truce.EINVALID, "ledger: generate key for %q", origin), err)
	}
	return skey, vkey, nil
}

// NewSigner returns the note signer for an Ed25519 signer key made by
// [GenerateKey].
func NewSigner(skey string) (note.Signer, error) {
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", truce.Errorf(truce.EINVALID, "ledger: bad signer key"), err)
	}
	return s, nil
}

// NewVerifier returns the note verifier for a verifier key in the
// "<name>+<key ID>+<base64 key>" form.
func NewVerifier(vkey string) (note.Verifier, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", truce.Errorf(truce.EINVALID, "ledger: bad verifier key"), err)
	}
	return v, nil
}

// Sign returns cp as a signed note: the checkpoint body, a blank line, and
// the signature line "— <origin> <base64(key ID || Ed25519 signature)>\n".
// The signer's name must be the checkpoint's origin.
func Sign(cp *Checkpoint, signer note.Signer) ([]byte, error) {
	body, err := cp.Marshal()
	if err != nil {
		return nil, err
	}
	if signer.Name() != cp.Origin {
		return nil, truce.Errorf(truce.EINVALID, "ledger: signer %q cannot sign a checkpoint of log %q", signer.Name(), cp.Origin)
	}
	msg, err := note.Sign(&note.Note{Text: string(body)}, signer)
	if err != nil {
		return nil, fmt.Errorf("ledger: sign checkpoint: %w", err)
	}
	return msg, nil
}

// Open verifies the signed checkpoint msg and parses its body. It requires a
// valid signature by a key in verifiers whose name is the checkpoint's
// origin, the log's own key. Other signatures by keys in verifiers (witness
// cosignatures, for example, with [CosignatureVerifier]) are verified too and
// listed in the note's Sigs; signatures by unknown keys are listed in
// UnverifiedSigs. Any signature by a known key that does not verify fails
// the whole note. Errors carry truce.EINVALID and wrap note's error types
// (note.UnverifiedNoteError, note.InvalidSignatureError) when there is one.
func Open(msg []byte, verifiers note.Verifiers) (*Checkpoint, *note.Note, error) {
	n, err := note.Open(msg, verifiers)
	if err != nil {
		var unverified *note.UnverifiedNoteError
		if errors.As(err, &unverified) {
			return nil, nil, fmt.Errorf("%w: %w", truce.Errorf(truce.EINVALID, "ledger: checkpoint is not signed by a known key"), err)
		}
		return nil, nil, fmt.Errorf("%w: %w", truce.Errorf(truce.EINVALID, "ledger: open signed checkpoint"), err)
	}
	cp, err := ParseCheckpoint([]byte(n.Text))
	if err != nil {
		return nil, nil, err
	}
	for _, s := range n.Sigs {
		if s.Name == cp.Origin {
			return cp, n, nil
		}
	}
	return nil, nil, truce.Errorf(truce.EINVALID, "ledger: checkpoint of log %q has no valid signature by the log's key", cp.Origin)
}
