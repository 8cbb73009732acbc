package httpapi_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/httpapi"
)

// TestControlSourceValidated is the regression test of an attack on
// memory: the control endpoints kept one timeline per distinct source
// asked for, never validated and never trimmed, so that a loop of requests
// with made-up sources grew the server without bound. Now a source that no
// map comes from is answered 400 naming query.source, and the timelines
// kept are bounded by the sources that exist.
func TestControlSourceValidated(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	withDeepState(t, e)
	paths := []string{"/v1/control?date=2025-03-14&source=", "/v1/control/diff?from=2025-03-14&to=2025-04-13&source="}
	for i := range 300 {
		src := fmt.Sprintf("made-up-%d-%s", i, strings.Repeat("x", 200))
		var r response
		if i%3 == 2 {
			r = e.do("POST", "/v1/control/classify?source="+src, "", "application/x-ndjson", []byte(`{"lon":37.5,"lat":48.5}`+"\n"))
		} else {
			r = e.get(paths[i%3] + src)
		}
		if r.status != http.StatusBadRequest {
			t.Fatalf("source %d: status %d, want 400: %s", i, r.status, r.body)
		}
		if p := r.problem(t); len(p.Errors) != 1 || p.Errors[0].Path != "query.source" || !strings.Contains(p.Errors[0].Message, "deepstate") {
			t.Fatalf("source %d: problems %+v, want query.source naming the known sources", i, p.Errors)
		}
	}
	if r := e.get("/v1/control?date=2025-03-14&source=deepstate"); r.status != http.StatusOK {
		t.Fatalf("known source: status %d: %s", r.status, r.body)
	}
	if n := metric(t, e, "truce_control_timelines"); n > 2 {
		t.Errorf("%v timelines kept after 300 made-up sources and one real one, want at most 2", n)
	}
}

// metric returns the value of an unlabelled metric from /metrics.
func metric(t *testing.T, e *env, name string) float64 {
	t.Helper()
	r := e.get("/metrics")
	m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindSubmatch(r.body)
	if m == nil {
		t.Fatalf("no %s in /metrics", name)
	}
	v, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestClassifyPointCap is the regression test of POST /v1/control/classify
// taking any number of points (a 64 MiB body, seconds of CPU) from anyone:
// past MaxClassifyPoints it answers one too_large line and stops reading.
func TestClassifyPointCap(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	withDeepState(t, e)
	var body bytes.Buffer
	for i := range httpapi.MaxClassifyPoints + 10 {
		fmt.Fprintf(&body, "{\"lon\":%.3f,\"lat\":48.5}\n", 37+float64(i%1000)/1000)
	}
	r := e.do("POST", "/v1/control/classify?date=2025-03-14", "", "application/x-ndjson", body.Bytes())
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	out := readClassified(t, r.body)
	if len(out) != httpapi.MaxClassifyPoints+1 {
		t.Fatalf("%d answer lines, want %d results and one error", len(out), httpapi.MaxClassifyPoints)
	}
	last := out[len(out)-1]
	if last.Error == nil || last.Error.Code != truce.ETOOLARGE || last.Line != httpapi.MaxClassifyPoints+1 || !strings.Contains(last.Error.Message, strconv.Itoa(httpapi.MaxClassifyPoints)) {
		t.Errorf("last line %+v, want too_large at line %d", last, httpapi.MaxClassifyPoints+1)
	}
}

// TestExpensiveConcurrency checks the cap on expensive requests at once:
// while one classify request is being served (its body still open), a
// second one is answered 503 with Retry-After, and once it is done the
// next is served.
func TestExpensiveConcurrency(t *testing.T) {
	e := newEnv(t, httpapi.Options{Limits: &httpapi.Limits{Expensive: 1}})
	withDeepState(t, e)
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", e.srv.URL+"/v1/control/classify?date=2025-03-14", pr)
	req.Header.Set("Content-Type", "application/x-ndjson")
	type result struct {
		res *http.Response
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := e.srv.Client().Do(req)
		done <- result{res, err}
	}()
	fmt.Fprintln(pw, `{"id":1,"lon":37.5,"lat":48.5}`)
	res := <-done
	if res.err != nil {
		t.Fatal(res.err)
	}
	defer res.res.Body.Close()
	br := bufio.NewReader(res.res.Body)
	if line, err := br.ReadString('\n'); err != nil || !strings.Contains(line, `"line":1`) {
		t.Fatalf("first answer %q, %v", line, err)
	}
	// The first request is in the handler, waiting for more of its body.
	busy := e.do("POST", "/v1/control/classify?date=2025-03-14", "", "application/x-ndjson", []byte(`{"lon":37.5,"lat":48.5}`+"\n"))
	if busy.status != http.StatusServiceUnavailable || busy.header.Get("Retry-After") == "" {
		t.Fatalf("second request while the first runs: status %d, Retry-After %q", busy.status, busy.header.Get("Retry-After"))
	}
	busy.problem(t)
	if r := e.get("/v1/control/diff?from=2025-03-14&to=2025-04-13"); r.status != http.StatusServiceUnavailable {
		t.Errorf("diff while classify runs: status %d", r.status)
	}
	pw.Close()
	io.Copy(io.Discard, br)
	if r := e.do("POST", "/v1/control/classify?date=2025-03-14", "", "application/x-ndjson", []byte(`{"lon":37.5,"lat":48.5}`+"\n")); r.status != http.StatusOK {
		t.Errorf("after the first finished: status %d", r.status)
	}
}
