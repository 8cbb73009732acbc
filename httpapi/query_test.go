package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/truce-monitor/truce/httpapi"
)

// TestLogEntriesQuery is the regression test of GET /v1/log/entries
// overflowing on a start near the top of int64 and silently taking the
// first of repeated parameters.
func TestLogEntriesQuery(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	e.post("/v1/observations", monitor, []byte(obs("q1")))
	for _, tt := range []struct {
		query  string
		status int
		path   string
		body   string
	}{
		{"start=9223372036854775807", 200, "", "[]\n"},
		{"start=9223372036854775000", 200, "", "[]\n"},
		{"start=0&end=9223372036854775807", 400, "query.end", ""},
		{"start=9223372036854775808", 400, "query.start", ""},
		{"start=1&start=2", 400, "query.start", ""},
		{"end=1&end=1", 400, "query.end", ""},
		{"start=-1", 400, "query.start", ""},
		{"start=2&end=1", 400, "query.end", ""},
	} {
		r := e.get("/v1/log/entries?" + tt.query)
		if r.status != tt.status {
			t.Errorf("%s: status %d, want %d: %s", tt.query, r.status, tt.status, r.body)
			continue
		}
		if tt.status != http.StatusOK {
			if p := r.problem(t); len(p.Errors) == 0 || p.Errors[0].Path != tt.path {
				t.Errorf("%s: problems %+v, want %s", tt.query, p.Errors, tt.path)
			}
		} else if string(r.body) != tt.body {
			t.Errorf("%s: body %q, want %q", tt.query, r.body, tt.body)
		}
	}
}
