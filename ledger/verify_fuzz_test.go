package ledger_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/ledger"
)

func FuzzParseManifest(f *testing.F) {
	l := newTestLog(f, 2)
	f.Add(l.bundle(f)[ledger.ManifestFile].Data)
	f.Add([]byte(`{"format":"truce-bundle/v1","origin":"","log_key":"","size":0,"root":"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=","checkpoints":[]}` + "\n"))
	f.Add([]byte(`{"format":"truce-bundle/v1","size":1e3}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ledger.ParseManifest(b)
		if err != nil {
			if truce.ErrorCode(err) != truce.EINVALID {
				t.Fatalf("ParseManifest(%q): %v is not EINVALID", b, err)
			}
			return
		}
		if !bytes.Equal(m.Marshal(), b) {
			t.Fatalf("ParseManifest(%q) re-marshals to %q", b, m.Marshal())
		}
	})
}

func FuzzEntryReader(f *testing.F) {
	l := newTestLog(f, 3)
	f.Add(l.bundle(f)["entries/00000000.bin"].Data)
	f.Add([]byte{0, 0, 0, 1, 'x', 0, 0})
	f.Add([]byte{0x80, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := ledger.NewEntryReader(bytes.NewReader(b), "f")
		var again []byte
		for {
			enc, err := r.Next()
			if errors.Is(err, io.EOF) {
				if !bytes.Equal(again, b) {
					t.Fatalf("records read from %x re-encode to %x", b, again)
				}
				return
			}
			if err != nil {
				if truce.ErrorCode(err) != truce.EINVALID {
					t.Fatalf("Next: %v is not EINVALID", err)
				}
				if !bytes.HasPrefix(b, again) {
					t.Fatalf("records read before an error are not a prefix of the input")
				}
				return
			}
			again = ledger.AppendEntryRecord(again, enc)
		}
	})
}

// FuzzAuditor feeds a valid log with one arbitrary entry and one arbitrary
// checkpoint: whatever they hold, the Auditor reports problems and never
// fails otherwise; the valid log's own checkpoints still verify.
func FuzzAuditor(f *testing.F) {
	l := newTestLog(f, 3)
	f.Add(l.entries[4], l.notes[6])
	f.Add([]byte("truce-entry/v1\nobservation\n2025-03-14T06:00:09Z\nosce-team-3\n{}"), []byte("truce.example/log\n1\nAAAA\n\n— x y\n"))
	f.Add([]byte("truce-entry/v1\nwitness\n2025-03-14T06:00:09Z\noperator\n{\"name\":\"a\",\"key\":\"a+00000000+BAAA\"}"), []byte("\n\n"))
	f.Fuzz(func(t *testing.T, entry, note []byte) {
		var ps []truce.Problem
		a := ledger.NewAuditor(func(p truce.Problem) { ps = append(ps, p) })
		a.PinLogKey(l.vkey)
		a.Checkpoint("fuzz", note, true)
		for size, msg := range l.notes {
			a.Checkpoint("log", msg, false)
			_ = size
		}
		for i, enc := range l.entries {
			a.Entry(int64(i), enc)
		}
		a.Entry(int64(len(l.entries)), entry)
		s := a.Finish()
		if s.Problems != len(ps) || s.Checkpoints != 2 {
			t.Fatalf("summary %+v with problems %v", s, ps)
		}
	})
}

// FuzzVerifyBundle reads a bundle whose manifest, first entry file and a
// checkpoint are arbitrary.
func FuzzVerifyBundle(f *testing.F) {
	l := newTestLog(f, 2)
	b := l.bundle(f)
	f.Add(b[ledger.ManifestFile].Data, b["entries/00000000.bin"].Data, b["checkpoints/3"].Data)
	f.Fuzz(func(t *testing.T, manifest, entries, checkpoint []byte) {
		fsys := fstest.MapFS{
			ledger.ManifestFile:    {Data: manifest},
			"entries/00000000.bin": {Data: entries},
			"checkpoints/3":        {Data: checkpoint},
		}
		a := ledger.NewAuditor(func(truce.Problem) {})
		if err := ledger.VerifyBundle(fsys, a); err != nil {
			if _, perr := ledger.ParseManifest(manifest); perr == nil {
				t.Fatalf("VerifyBundle: %v with a valid manifest", err)
			}
			return
		}
		a.Finish()
	})
}

// FuzzParseDisclosed parses arbitrary disclosed files: an error names the
// file, and what parses writes back to JSON that parses to the same.
func FuzzParseDisclosed(f *testing.F) {
	f.Add(disclosedFile(f, "obs-0", nil).Data)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"text":{"salt":"00","value":{"text":"x"}}} {}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		pp, err := ledger.ParseDisclosed("disclosed/3.json", b)
		if err != nil {
			if !strings.HasPrefix(truce.ErrorMessage(err), "disclosed/3.json: ") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		out, err := ledger.MarshalDisclosed(pp)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ledger.ParseDisclosed("x", out); err != nil {
			t.Fatalf("%s written as %s does not parse: %v", b, out, err)
		}
	})
}

// FuzzReadBundle reads a bundle whose manifest, first entry file and a
// disclosed file are arbitrary: it reads the entries the manifest states,
// each decoded and indexed by its place, or returns an error; it never
// panics.
func FuzzReadBundle(f *testing.F) {
	l := newTestLog(f, 2)
	b := l.bundle(f)
	f.Add(b[ledger.ManifestFile].Data, b["entries/00000000.bin"].Data, disclosedFile(f, "obs-0", nil).Data)
	f.Fuzz(func(t *testing.T, manifest, entries, disclosed []byte) {
		fsys := fstest.MapFS{
			ledger.ManifestFile:    {Data: manifest},
			"entries/00000000.bin": {Data: entries},
			"disclosed/3.json":     {Data: disclosed},
		}
		got, err := ledger.ReadBundle(fsys)
		if err != nil {
			return
		}
		if int64(len(got.Entries)) != got.Manifest.Size {
			t.Fatalf("%d entries read, the manifest says %d", len(got.Entries), got.Manifest.Size)
		}
		for i, e := range got.Entries {
			if e.Index != int64(i) {
				t.Fatalf("entry %d has index %d", i, e.Index)
			}
		}
	})
}
