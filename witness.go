package truce

import (
	"encoding/json"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// EntryWitness is the type of the log entry that registers a [Witness]: its
// data is the witness's canonical JSON.
const EntryWitness EntryType = "witness"

// ActionManageWitness is registering witnesses, which only admins may do.
const ActionManageWitness Action = "manage witnesses"

// A Witness is a party or observer that checks the log's signed checkpoints
// and co-signs each one that is consistent with every checkpoint it saw
// before (C2SP tlog-cosignature, Ed25519 "cosignature/v1"). The log takes
// cosignatures only from registered witnesses; registering one is a log
// entry, so the record says from when each witness's cosignatures count.
type Witness struct {
	// Name is the witness's key name, as its cosignature lines give it.
	Name string `json:"name"`
	// Key is the witness's verifier key,
	// "<name>+<key ID in hex>+<base64(0x04 || Ed25519 public key)>", as
	// package ledger's NewCosignatureVerifier reads it.
	Key string `json:"key"`
}

// MaxWitnessKeyLen bounds a witness verifier key: a name of up to 256 bytes,
// the key ID and the base64 key.
const MaxWitnessKeyLen = 256 + 1 + 8 + 1 + 44

// Validate reports every problem with w that can be seen without parsing
// the key: a signed-note key name (non-empty UTF-8, no spaces, '+' or
// control characters), and a key of the form "<name>+..." for that name, at
// most MaxWitnessKeyLen bytes. A store also checks that the key parses.
func (w *Witness) Validate() error {
	var ps problems
	if !ValidKeyName(w.Name) {
		ps.add("name", "must be a key name: 1-256 bytes of UTF-8 without spaces, '+' or control characters")
	}
	switch {
	case w.Key == "":
		ps.add("key", "required: the witness's verifier key, <name>+<key ID>+<base64 key>")
	case len(w.Key) > MaxWitnessKeyLen:
		ps.add("key", "longer than %d bytes", MaxWitnessKeyLen)
	case !strings.HasPrefix(w.Key, w.Name+"+"):
		ps.add("key", "must begin with the witness's name %q and '+'", w.Name)
	}
	return ps.err("witness")
}

// Canonical returns the JSON that the log keeps for w:
// {"name":"...","key":"..."}.
func (w *Witness) Canonical() ([]byte, error) {
	return json.Marshal(&Witness{Name: w.Name, Key: w.Key})
}

// ValidKeyName reports whether name can name a signed-note key: 1 to 256
// bytes of UTF-8 without Unicode spaces, '+' or control characters.
func ValidKeyName(name string) bool {
	if name == "" || len(name) > 256 || !utf8.ValidString(name) {
		return false
	}
	for _, r := range name {
		if unicode.IsSpace(r) || r == '+' || unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// A WitnessRecord is a registered witness with the entry that registered it.
type WitnessRecord struct {
	*Witness
	LogIndex int64     `json:"log_index"`
	LoggedAt time.Time `json:"logged_at"`
}

// A Cosignature is one witness's cosignature of one of the log's signed
// checkpoints: a signed-note signature line that the log appends to the
// checkpoint it serves.
type Cosignature struct {
	// Size is the size of the checkpoint cosigned.
	Size int64 `json:"size"`
	// Witness is the registered witness's name.
	Witness string `json:"witness"`
	// Line is the signature line, "— <name> <base64>\n", byte for byte.
	Line string `json:"cosignature"`
	// SignedAt is the time the cosignature states, to the second.
	SignedAt time.Time `json:"signed_at"`
}

// CosignatureFrom returns the witness name of a signature line,
// "— <name> <base64>" (with or without its final newline), or "" if line
// is not one.
func CosignatureFrom(line string) string {
	rest, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), "— ")
	name, sig, ok2 := strings.Cut(rest, " ")
	if !ok || !ok2 || sig == "" || strings.Contains(sig, "\n") || !ValidKeyName(name) {
		return ""
	}
	return name
}

// Cosigned returns the note that the log serves for c: the signed note with
// the lines of its cosignatures appended, in the order given (a store lists
// them by witness name). The result is still a valid signed note; a reader
// that knows only the log's key ignores the witnesses' lines.
func (c *SignedCheckpoint) Cosigned() []byte {
	n := len(c.Note)
	for _, cs := range c.Cosignatures {
		n += len(cs.Line)
	}
	out := make([]byte, 0, n)
	out = append(out, c.Note...)
	for _, cs := range c.Cosignatures {
		out = append(out, cs.Line...)
	}
	return out
}
