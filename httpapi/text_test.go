package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/httpapi"
)

// TestInvalidUTF8 is the regression test of bodies whose strings are not
// UTF-8 being stored with U+FFFD in place of the bad bytes: each is now
// rejected with the path of the string, and nothing is stored.
func TestInvalidUTF8(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	for _, tt := range []struct {
		name, body, path string
		ndjson           bool
	}{
		{"text", obs("u1", "text", "\"bad \xff byte\""), "$.text", false},
		{"truncated rune", obs("u2", "text", "\"\xd0\""), "$.text", false},
		{"key", strings.Replace(obs("u3"), `"lang"`, "\"la\xffng\"", 1), "$[\"la\uFFFDng\"]", false},
		{"nested", obs("u4", "evidence", "[{\"sha256\":\"00\"},{\"ref\":\"\xc3\x28\"}]"), "$.evidence[1].ref", false},
		{"lone surrogate", obs("u5", "text", `"\ud800 alone"`), "$.text", false},
		{"low surrogate first", obs("u6", "text", `"\udc00\ud800"`), "$.text", false},
		{"batch line", obs("u7") + "\n" + obs("u8", "text", "\"\xfe\""), "$.text", true},
	} {
		size := e.logSize()
		var r response
		if tt.ndjson {
			r = e.postNDJSON(monitor, strings.Split(tt.body, "\n")...)
		} else {
			r = e.post("/v1/observations", monitor, []byte(tt.body))
		}
		if r.status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400: %s", tt.name, r.status, r.body)
			continue
		}
		p := r.problem(t)
		if len(p.Errors) == 0 || p.Errors[0].Path != tt.path || !strings.Contains(p.Errors[0].Message, "UTF") {
			t.Errorf("%s: problems %+v, want one at %s about UTF-8", tt.name, p.Errors, tt.path)
		}
		if e.logSize() != size {
			t.Errorf("%s: something was stored", tt.name)
		}
	}
	// A valid pair of surrogates is text.
	if r := e.post("/v1/observations", monitor, []byte(obs("u9", "text", `"\ud83d\ude00 ok"`))); r.status != http.StatusCreated {
		t.Errorf("surrogate pair: status %d: %s", r.status, r.body)
	}
	// So are query parameters.
	r := e.get("/v1/observations?source=%ff")
	if r.status != http.StatusBadRequest {
		t.Fatalf("query: status %d", r.status)
	}
	if p := r.problem(t); len(p.Errors) != 1 || p.Errors[0].Path != "query.source" {
		t.Errorf("query: problems %+v", p.Errors)
	}
}
