package geo_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/truce-monitor/truce/geo"
)

// FuzzCompactJSON checks that CompactJSON never panics, takes only JSON,
// gives the same value back without white space, and is idempotent.
func FuzzCompactJSON(f *testing.F) {
	for _, s := range []string{`{"type":"Point","coordinates":[37.5, 48.5]}`, " [ 1 , 2 ] ", `{"a": {"b": [ ]}}`, `"x y"`, `{`, `1 2`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := geo.CompactJSON(data)
		if err != nil {
			return
		}
		if !json.Valid(data) {
			t.Fatalf("CompactJSON took %q, which is not JSON", data)
		}
		var want bytes.Buffer
		json.Compact(&want, data)
		if !bytes.Equal(c, want.Bytes()) {
			t.Fatalf("CompactJSON(%q) = %q, want %q", data, c, want.Bytes())
		}
		if again, err := geo.CompactJSON(c); err != nil || !bytes.Equal(again, c) {
			t.Fatalf("CompactJSON is not idempotent on %q: %q, %v", c, again, err)
		}
	})
}
