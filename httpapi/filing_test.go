package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/httpapi"
)

// TestFutureObservation is the regression test of allegations dated days
// in the future being logged (any year up to 2200 was taken): a time later
// than the log's clock plus truce.MaxClockSkew is rejected, with the
// field named and nothing stored; a late filing is logged and flagged.
func TestFutureObservation(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	now := time.Now().UTC()
	ts := func(d time.Duration) string { return q(now.Add(d).Format(time.RFC3339)) }
	size := e.logSize()
	for _, tt := range []struct {
		name, body, path string
	}{
		{"days ahead", obs("f1", "observed_at", ts(72*time.Hour)), "$.observed_at"},
		{"an hour ahead", obs("f2", "observed_at", ts(time.Hour)), "$.observed_at"},
		{"until ahead", obs("f3", "observed_at", ts(-time.Hour), "observed_until", ts(48*time.Hour)), "$.observed_until"},
	} {
		r := e.post("/v1/observations", monitor, []byte(tt.body))
		if r.status != http.StatusBadRequest {
			t.Errorf("%s: status %d: %s", tt.name, r.status, r.body)
			continue
		}
		if p := r.problem(t); len(p.Errors) != 1 || p.Errors[0].Path != tt.path || !strings.Contains(p.Errors[0].Message, "future") {
			t.Errorf("%s: problems %+v", tt.name, p.Errors)
		}
	}
	// One future line makes the whole batch fail.
	if r := e.postNDJSON(monitor, obs("f4"), obs("f5", "observed_at", ts(24*time.Hour))); r.status != http.StatusBadRequest {
		t.Errorf("batch: status %d", r.status)
	} else if p := r.problem(t); len(p.Errors) != 1 || p.Errors[0].Line != 2 {
		t.Errorf("batch: problems %+v", p.Errors)
	}
	if e.logSize() != size {
		t.Fatal("a future observation was stored")
	}
	// Within the skew is fine and not late; a report of 2025 is late.
	var rec truce.ObservationRecord
	r := e.post("/v1/observations", monitor, []byte(obs("f6", "observed_at", ts(truce.MaxClockSkew/2))))
	r.decode(t, &rec)
	if r.status != http.StatusCreated || rec.FiledLate {
		t.Errorf("within the skew: status %d, filed_late %v", r.status, rec.FiledLate)
	}
	r = e.post("/v1/observations", monitor, []byte(obs("f7")))
	if r.status != http.StatusCreated || !strings.Contains(string(r.body), `"filed_late":true`) {
		t.Errorf("a 2025 report filed now: status %d, body %s", r.status, r.body)
	}
	if r := e.get(r.header.Get("Location")); !strings.Contains(string(r.body), `"filed_late":true`) {
		t.Errorf("read back: %s", r.body)
	}
}
