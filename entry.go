package truce

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"
)

// EntryType is what a log entry holds.
type EntryType string

// Entry types. Each entry's Data is the canonical JSON of the named type.
const (
	EntrySource      EntryType = "source"      // a Source
	EntryCredential  EntryType = "credential"  // a Credential: a token was issued
	EntryAgreement   EntryType = "agreement"   // an Agreement
	EntryObservation EntryType = "observation" // an Observation
	EntryControlMap  EntryType = "control_map" // a ControlMap
)

// Entry is one record of the append-only log.
type Entry struct {
	// Index is the entry's 0-based position in the log.
	Index int64
	// Type says what Data holds.
	Type EntryType
	// Time is when the log accepted the entry, in UTC.
	Time time.Time
	// Submitter is the source whose credentials wrote the entry.
	Submitter string
	// Data is the canonical JSON of the input.
	Data []byte
}

// entryMagic opens every encoded entry and names the encoding's version.
const entryMagic = "truce-entry/v1"

// Encode returns the bytes that the log commits to for e:
//
//	truce-entry/v1\n
//	<type>\n
//	<time, RFC 3339 in UTC with nanoseconds, as time.RFC3339Nano>\n
//	<submitter>\n
//	<data>
//
// The header lines hold no newline; data runs to the end. The index is not
// encoded: it is the entry's position in the log.
func (e *Entry) Encode() []byte {
	var b bytes.Buffer
	b.Grow(len(entryMagic) + 64 + len(e.Data))
	b.WriteString(entryMagic)
	b.WriteByte('\n')
	b.WriteString(string(e.Type))
	b.WriteByte('\n')
	b.WriteString(e.Time.UTC().Format(time.RFC3339Nano))
	b.WriteByte('\n')
	b.WriteString(e.Submitter)
	b.WriteByte('\n')
	b.Write(e.Data)
	return b.Bytes()
}

// DecodeEntry parses bytes made by Encode. The index is not part of the
// encoding; the caller sets it.
func DecodeEntry(b []byte) (*Entry, error) {
	parts := bytes.SplitN(b, []byte{'\n'}, 5)
	if len(parts) != 5 {
		return nil, Errorf(EINVALID, "entry: want 4 header lines and data, found %d lines", len(parts))
	}
	if string(parts[0]) != entryMagic {
		return nil, Errorf(EINVALID, "entry: line 1: want %q", entryMagic)
	}
	typ := string(parts[1])
	if typ == "" || strings.ContainsAny(typ, " \r\t") {
		return nil, Errorf(EINVALID, "entry: line 2: bad type %q", typ)
	}
	t, err := time.Parse(time.RFC3339Nano, string(parts[2]))
	if err != nil || t.Location() != time.UTC || t.Format(time.RFC3339Nano) != string(parts[2]) {
		return nil, Errorf(EINVALID, "entry: line 3: time %q is not canonical RFC 3339 UTC", parts[2])
	}
	sub := string(parts[3])
	if !ValidName(sub) {
		return nil, Errorf(EINVALID, "entry: line 4: bad submitter %q", sub)
	}
	return &Entry{Type: EntryType(typ), Time: t, Submitter: sub, Data: parts[4]}, nil
}

// ContentHash returns the SHA-256 of Encode(), the entry's content hash.
func (e *Entry) ContentHash() [32]byte { return sha256.Sum256(e.Encode()) }

// String describes e for logs and error messages.
func (e *Entry) String() string {
	return fmt.Sprintf("entry %d (%s by %s at %s)", e.Index, e.Type, e.Submitter, e.Time.Format(time.RFC3339))
}
