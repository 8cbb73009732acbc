package truce_test

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

func qaEntry() *truce.Entry {
	return &truce.Entry{
		Index:     41,
		Type:      truce.EntryObservation,
		Time:      time.Date(2025, 3, 14, 12, 30, 5, 123456789, time.UTC),
		Submitter: "osce-team-3",
		Data:      []byte(`{"id":"obs-1","kind":"artillery"}`),
	}
}

func TestEntryEncodeGolden(t *testing.T) {
	// Byte for byte as documented on Entry.Encode: magic, type, time
	// (RFC 3339 UTC with nanoseconds), submitter, each ending in '\n',
	// then the data with no trailing newline; the index is not encoded.
	want := []byte("truce-entry/v1\n" +
		"observation\n" +
		"2025-03-14T12:30:05.123456789Z\n" +
		"osce-team-3\n" +
		`{"id":"obs-1","kind":"artillery"}`)
	if got := qaEntry().Encode(); !bytes.Equal(got, want) {
		t.Errorf("Encode() =\n%q\nwant\n%q", got, want)
	}
}

func TestEntryEncodeTime(t *testing.T) {
	tests := []struct {
		name string
		time time.Time
		want string
	}{
		{"whole second", time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), "2025-03-01T00:00:00Z"},
		{"trailing zeros trimmed", time.Date(2025, 3, 1, 0, 0, 0, 500_000_000, time.UTC), "2025-03-01T00:00:00.5Z"},
		{"nanosecond", time.Date(2025, 3, 1, 0, 0, 0, 1, time.UTC), "2025-03-01T00:00:00.000000001Z"},
		{"other zone converted to UTC", time.Date(2025, 3, 1, 2, 0, 0, 0, time.FixedZone("EET", 2*3600)), "2025-03-01T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := qaEntry()
			e.Time = tt.time
			lines := strings.Split(string(e.Encode()), "\n")
			if len(lines) < 3 || lines[2] != tt.want {
				t.Errorf("time line = %q, want %q", lines[2], tt.want)
			}
		})
	}
}

func TestEntryRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		mod  func(e *truce.Entry)
	}{
		{"observation", func(e *truce.Entry) {}},
		{"data with newlines", func(e *truce.Entry) { e.Data = []byte("{\n  \"a\": 1\n}\n\n") }},
		{"data that looks like a header", func(e *truce.Entry) { e.Data = []byte("truce-entry/v1\nsource\n2025-01-01T00:00:00Z\nx\n") }},
		{"empty data", func(e *truce.Entry) { e.Data = []byte{} }},
		{"binary data", func(e *truce.Entry) { e.Data = []byte{0, 0xff, '\n', '\r', 0x80} }},
		{"whole-second time", func(e *truce.Entry) { e.Time = time.Date(2024, 8, 6, 3, 0, 0, 0, time.UTC) }},
		{"time in another zone", func(e *truce.Entry) { e.Time = time.Date(2024, 8, 6, 6, 0, 0, 0, time.FixedZone("MSK", 3*3600)) }},
		{"source entry", func(e *truce.Entry) { e.Type = truce.EntrySource; e.Submitter = "operator" }},
		{"agreement entry", func(e *truce.Entry) { e.Type = truce.EntryAgreement }},
		{"control map entry", func(e *truce.Entry) { e.Type = truce.EntryControlMap; e.Submitter = "deepstate" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := qaEntry()
			tt.mod(e)
			enc := e.Encode()
			d, err := truce.DecodeEntry(enc)
			if err != nil {
				t.Fatalf("DecodeEntry: %v", err)
			}
			if d.Index != 0 {
				t.Errorf("Index = %d, want 0 (not encoded)", d.Index)
			}
			if d.Type != e.Type || d.Submitter != e.Submitter || !bytes.Equal(d.Data, e.Data) {
				t.Errorf("decoded %+v, want %+v", d, e)
			}
			if !d.Time.Equal(e.Time) || d.Time.Location() != time.UTC {
				t.Errorf("Time = %v, want %v in UTC", d.Time, e.Time)
			}
			if re := d.Encode(); !bytes.Equal(re, enc) {
				t.Errorf("re-encoded bytes differ:\n%q\n%q", re, enc)
			}
			if d.ContentHash() != e.ContentHash() {
				t.Errorf("content hash changed in a round trip")
			}
		})
	}
}

func TestEntryIndexNotEncoded(t *testing.T) {
	a, b := qaEntry(), qaEntry()
	b.Index = 99999
	if !bytes.Equal(a.Encode(), b.Encode()) || a.ContentHash() != b.ContentHash() {
		t.Errorf("the index changes the encoding")
	}
}

func TestDecodeEntryRejects(t *testing.T) {
	good := "truce-entry/v1\nobservation\n2025-03-14T12:30:05.5Z\nosce-team-3\n{}"
	if _, err := truce.DecodeEntry([]byte(good)); err != nil {
		t.Fatalf("the base case does not decode: %v", err)
	}
	tests := []struct {
		name string
		in   string
		msg  string
	}{
		{"empty", "", "found 1 lines"},
		{"wrong magic", "truce-entry/v2\nobservation\n2025-03-14T12:30:05.5Z\nosce-team-3\n{}", "line 1"},
		{"magic with CR", "truce-entry/v1\r\nobservation\n2025-03-14T12:30:05.5Z\nosce-team-3\n{}", "line 1"},
		{"magic only", "truce-entry/v1\n", "found 2 lines"},
		{"missing data line", "truce-entry/v1\nobservation\n2025-03-14T12:30:05.5Z\nosce-team-3", "found 4 lines"},
		{"missing submitter line", "truce-entry/v1\nobservation\n2025-03-14T12:30:05.5Z\n", "found 4 lines"},
		{"empty type", "truce-entry/v1\n\n2025-03-14T12:30:05.5Z\nosce-team-3\n{}", "line 2"},
		{"type with space", "truce-entry/v1\nobser vation\n2025-03-14T12:30:05.5Z\nosce-team-3\n{}", "line 2"},
		{"type with CR", "truce-entry/v1\nobservation\r\n2025-03-14T12:30:05.5Z\nosce-team-3\n{}", "line 2"},
		{"type with tab", "truce-entry/v1\n\tobservation\n2025-03-14T12:30:05.5Z\nosce-team-3\n{}", "line 2"},
		{"time not a time", "truce-entry/v1\nobservation\nyesterday\nosce-team-3\n{}", "line 3"},
		{"time empty", "truce-entry/v1\nobservation\n\nosce-team-3\n{}", "line 3"},
		{"time with offset", "truce-entry/v1\nobservation\n2025-03-14T14:30:05.5+02:00\nosce-team-3\n{}", "line 3"},
		{"time with zero offset", "truce-entry/v1\nobservation\n2025-03-14T12:30:05.5+00:00\nosce-team-3\n{}", "line 3"},
		{"time with trailing zero", "truce-entry/v1\nobservation\n2025-03-14T12:30:05.50Z\nosce-team-3\n{}", "line 3"},
		{"time with zero fraction", "truce-entry/v1\nobservation\n2025-03-14T12:30:05.000Z\nosce-team-3\n{}", "line 3"},
		{"time lower-case z", "truce-entry/v1\nobservation\n2025-03-14T12:30:05.5z\nosce-team-3\n{}", "line 3"},
		{"time date only", "truce-entry/v1\nobservation\n2025-03-14\nosce-team-3\n{}", "line 3"},
		{"submitter empty", "truce-entry/v1\nobservation\n2025-03-14T12:30:05.5Z\n\n{}", "line 4"},
		{"submitter upper case", "truce-entry/v1\nobservation\n2025-03-14T12:30:05.5Z\nOSCE\n{}", "line 4"},
		{"submitter with space", "truce-entry/v1\nobservation\n2025-03-14T12:30:05.5Z\nosce team\n{}", "line 4"},
		{"submitter with CR", "truce-entry/v1\nobservation\n2025-03-14T12:30:05.5Z\nosce\r\n{}", "line 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := truce.DecodeEntry([]byte(tt.in))
			if err == nil {
				t.Fatalf("DecodeEntry(%q) = %+v, want an error", tt.in, e)
			}
			if truce.ErrorCode(err) != truce.EINVALID {
				t.Errorf("code = %q, want %q", truce.ErrorCode(err), truce.EINVALID)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
		})
	}
}

func TestEntryContentHash(t *testing.T) {
	for _, e := range []*truce.Entry{qaEntry(), {Type: "x", Submitter: "a"}} {
		if got, want := e.ContentHash(), sha256.Sum256(e.Encode()); got != want {
			t.Errorf("ContentHash = %x, want %x", got, want)
		}
	}
	a, b := qaEntry(), qaEntry()
	b.Data = append([]byte(nil), b.Data...)
	b.Data[len(b.Data)-1] = ']'
	if a.ContentHash() == b.ContentHash() {
		t.Errorf("different data, same hash")
	}
	b = qaEntry()
	b.Time = b.Time.Add(time.Nanosecond)
	if a.ContentHash() == b.ContentHash() {
		t.Errorf("different time, same hash")
	}
}

func TestEntryString(t *testing.T) {
	got := qaEntry().String()
	want := "entry 41 (observation by osce-team-3 at 2025-03-14T12:30:05Z)"
	if got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func FuzzDecodeEntry(f *testing.F) {
	f.Add(qaEntry().Encode())
	f.Add([]byte("truce-entry/v1\nsource\n2025-01-01T00:00:00Z\noperator\n"))
	f.Add([]byte("truce-entry/v1\nx\n2025-01-01T00:00:00.000000001Z\na\n\n\n\n"))
	f.Add([]byte("truce-entry/v1\nobservation\n2025-03-14T14:30:05+02:00\nosce\n{}"))
	f.Add([]byte(""))
	f.Add([]byte("\n\n\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := truce.DecodeEntry(b)
		if err != nil {
			if e != nil {
				t.Errorf("error %v with a non-nil entry", err)
			}
			if truce.ErrorCode(err) != truce.EINVALID {
				t.Errorf("code %q, want %q", truce.ErrorCode(err), truce.EINVALID)
			}
			return
		}
		if e.Time.Location() != time.UTC {
			t.Errorf("decoded time %v not in UTC", e.Time)
		}
		if !truce.ValidName(e.Submitter) || e.Type == "" {
			t.Errorf("decoded bad header %+v", e)
		}
		if re := e.Encode(); !bytes.Equal(re, b) {
			t.Errorf("re-encoding differs:\n in %q\nout %q", b, re)
		}
	})
}
