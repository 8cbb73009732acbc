package agreement_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/agreement"
)

// FuzzParse feeds Parse arbitrary bytes. It must never panic; it either
// returns a valid agreement whose canonical bytes are stable, or an
// EINVALID *truce.Error whose every problem names the file and a line.
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"../examples/*.yaml", "testdata/bad/*.yaml"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	fsys := fstest.MapFS{
		"line.geojson": {Data: []byte(`{"type":"LineString","coordinates":[[37.5,47.9],[37.9,48.1]]}`)},
		"zone.geojson": {Data: []byte(`{"type":"Polygon","coordinates":[[[37,47],[38,47],[38,48],[37,47]]]}`)},
		"not-json.txt": {Data: []byte("not json")},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := agreement.Parse("fuzz.yaml", data, agreement.WithFS(fsys))
		if err != nil {
			var e *truce.Error
			if !errors.As(err, &e) {
				t.Fatalf("error is not a *truce.Error: %#v", err)
			}
			if e.Code != truce.EINVALID || len(e.Problems) == 0 {
				t.Fatalf("error code %q with %d problems", e.Code, len(e.Problems))
			}
			for i, p := range e.Problems {
				if p.Line < 1 || p.File != "fuzz.yaml" || p.Message == "" {
					t.Fatalf("problem %d: %+v", i, p)
				}
				if i > 0 && p.Line < e.Problems[i-1].Line {
					t.Fatalf("problems not sorted: %v", err)
				}
			}
			if a != nil {
				t.Fatal("an agreement with an error")
			}
			return
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("Parse accepted what Validate rejects: %v", err)
		}
		b1, err := a.Canonical()
		if err != nil {
			t.Fatalf("Canonical: %v", err)
		}
		a2, err := agreement.Parse("other.yaml", data, agreement.WithFS(fsys))
		if err != nil {
			t.Fatalf("second parse: %v", err)
		}
		b2, _ := a2.Canonical()
		if !bytes.Equal(b1, b2) {
			t.Fatalf("canonical bytes differ between two parses")
		}
	})
}
