package httpapi

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzBadText checks badText and pathAt against encoding/json: a document
// that badText passes decodes without a replacement character that was not
// in it, one it flags is not UTF-8 text or escapes half a surrogate pair,
// and pathAt always gives a JSON path.
func FuzzBadText(f *testing.F) {
	for _, s := range []string{`{"a":"b"}`, `{"a":["x","\ud800"]}`, "{\"a\":{\"b\":\"\xff\"}}", `"\ud83d\ude00"`, `"\\u0041"`, `{"\u00e9":1}`, "[1,\"\xc3\x28\"]", `{"a":"\udc00\ud800"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		off, what := badText(data)
		if off >= 0 {
			if off >= len(data) || what == "" {
				t.Fatalf("badText(%q) = %d, %q", data, off, what)
			}
			if p := pathAt(data, off); !strings.HasPrefix(p, "$") {
				t.Fatalf("pathAt(%q, %d) = %q", data, off, p)
			}
			return
		}
		if !utf8.Valid(data) {
			t.Fatalf("badText passed %q, which is not UTF-8", data)
		}
		var v any
		if json.Unmarshal(data, &v) != nil {
			return
		}
		b, _ := json.Marshal(v)
		if strings.Contains(string(b), "\ufffd") && !strings.Contains(string(data), "\ufffd") && !strings.Contains(strings.ToLower(string(data)), `\ufffd`) {
			t.Fatalf("badText passed %q, which decodes with a replacement character: %s", data, b)
		}
	})
}
