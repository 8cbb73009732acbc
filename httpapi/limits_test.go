package httpapi_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/httpapi"
)

// never is a rate so low that no allowance grows back during a test: the
// tests count on bursts alone and take no time into account.
const never = 1e-9

// hit sends one request straight to the handler from the address remote
// ("host:port") with token ("" for none) and returns what it answered.
func (e *env) hit(method, path, remote, token string, body []byte, header ...string) response {
	e.t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.RemoteAddr = remote
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	e.api.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// tooMany checks that r is a 429 with Retry-After and a problem naming
// what was exceeded.
func tooMany(t *testing.T, r response, want string) {
	t.Helper()
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429; body %s", r.status, r.body)
	}
	if ra := r.header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After = %q, want a positive number of seconds", ra)
	}
	p := r.problem(t)
	if p.Type != httpapi.ProblemTypeBase+"too_many" || !strings.Contains(p.Detail, want) {
		t.Errorf("problem %+v, want type too_many and detail with %q", p, want)
	}
	if p.RequestID == "" || p.RequestID != r.header.Get("X-Request-Id") {
		t.Errorf("problem request_id %q, X-Request-Id %q: want the same, not empty", p.RequestID, r.header.Get("X-Request-Id"))
	}
}

func TestRateLimits(t *testing.T) {
	e := newEnv(t, httpapi.Options{Limits: &httpapi.Limits{ReadRate: never, ReadBurst: 3, WriteRate: never, WriteBurst: 2}})
	const a, b = "198.51.100.7:1111", "198.51.100.8:2222"
	for i := range 3 {
		if r := e.hit("GET", "/v1/log/size", a, "", nil); r.status != http.StatusOK {
			t.Fatalf("read %d: status %d", i, r.status)
		}
	}
	tooMany(t, e.hit("GET", "/v1/log/size", a, "", nil), "Too many reads from 198.51.100.7")
	// Writes are counted apart from reads.
	for i := range 2 {
		if r := e.hit("POST", "/v1/observations", a, e.tokens[monitor], []byte(obs("w"+string(rune('a'+i))))); r.status != http.StatusCreated {
			t.Fatalf("write %d: status %d %s", i, r.status, r.body)
		}
	}
	size := e.logSize()
	tooMany(t, e.hit("POST", "/v1/observations", a, e.tokens[monitor], []byte(obs("wz"))), "Too many writes")
	if e.logSize() != size {
		t.Error("a refused write was stored")
	}
	// Another address has its own allowance...
	if r := e.hit("GET", "/v1/log/size", b, "", nil); r.status != http.StatusOK {
		t.Fatalf("other address: status %d", r.status)
	}
	// ...but not the same token: it spent two writes from a.
	tooMany(t, e.hit("POST", "/v1/observations", b, e.tokens[monitor], []byte(obs("wy"))), "Too many writes with this token")
	// An IPv6 client is one /64.
	for i, addr := range []string{"[2001:db8::1]:1", "[2001:db8::2]:1", "[2001:db8::3]:1"} {
		if r := e.hit("GET", "/v1/log/size", addr, "", nil); r.status != http.StatusOK {
			t.Fatalf("IPv6 read %d: status %d", i, r.status)
		}
	}
	tooMany(t, e.hit("GET", "/v1/log/size", "[2001:db8::ffff]:1", "", nil), "Too many reads from 2001:db8::ffff")
	if r := e.hit("GET", "/v1/log/size", "[2001:db8:0:1::1]:1", "", nil); r.status != http.StatusOK {
		t.Fatalf("another /64: status %d", r.status)
	}
}

func TestAuthFailureThrottle(t *testing.T) {
	e := newEnv(t, httpapi.Options{Limits: &httpapi.Limits{AuthFailures: never, AuthFailureBurst: 3}})
	const a, b = "203.0.113.5:1", "203.0.113.6:1"
	for i, token := range []string{"guess-1", "guess-2", "guess-3"} {
		if r := e.hit("POST", "/v1/observations", a, token, []byte(obs("x"))); r.status != http.StatusUnauthorized {
			t.Fatalf("guess %d: status %d", i, r.status)
		}
	}
	// The address has used up its failures: even the right token is
	// refused without being looked up, and so is the next guess.
	tooMany(t, e.hit("POST", "/v1/observations", a, e.tokens[monitor], []byte(obs("x"))), "failed authentications from 203.0.113.5")
	tooMany(t, e.hit("GET", "/v1/log/size", a, "guess-4", nil), "failed authentications")
	// Reads without a token go on; so does another address.
	if r := e.hit("GET", "/v1/log/size", a, "", nil); r.status != http.StatusOK {
		t.Errorf("tokenless read: status %d", r.status)
	}
	if r := e.hit("POST", "/v1/observations", b, e.tokens[monitor], []byte(obs("x"))); r.status != http.StatusCreated {
		t.Errorf("other address: status %d %s", r.status, r.body)
	}
}

func TestTrustedProxy(t *testing.T) {
	e := newEnv(t, httpapi.Options{Limits: &httpapi.Limits{ReadRate: never, ReadBurst: 1,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}})
	const proxy = "10.1.2.3:5555"
	// Behind the proxy, each forwarded client has its own allowance; an
	// address the client wrote itself, before the proxy's, is ignored.
	for _, fwd := range []string{"192.0.2.10", "6.6.6.6, 192.0.2.11", "192.0.2.12, 10.9.9.9"} {
		if r := e.hit("GET", "/v1/log/size", proxy, "", nil, "X-Forwarded-For", fwd); r.status != http.StatusOK {
			t.Fatalf("forwarded %s: status %d", fwd, r.status)
		}
	}
	tooMany(t, e.hit("GET", "/v1/log/size", proxy, "", nil, "X-Forwarded-For", "7.7.7.7, 192.0.2.11"), "from 192.0.2.11")
	// A proxy's request id is kept.
	if r := e.hit("GET", "/nope", proxy, "", nil, "X-Forwarded-For", "192.0.2.20", "X-Request-Id", "edge-42"); r.header.Get("X-Request-Id") != "edge-42" || r.problem(t).RequestID != "edge-42" {
		t.Errorf("request id %q, want the proxy's edge-42", r.header.Get("X-Request-Id"))
	}
	// From anyone else, X-Forwarded-For and X-Request-Id are the client's
	// own words and are ignored.
	const other = "192.0.2.99:1"
	if r := e.hit("GET", "/v1/log/size", other, "", nil, "X-Forwarded-For", "192.0.2.30", "X-Request-Id", "mine"); r.status != http.StatusOK || r.header.Get("X-Request-Id") == "mine" {
		t.Fatalf("status %d, request id %q", r.status, r.header.Get("X-Request-Id"))
	}
	tooMany(t, e.hit("GET", "/v1/log/size", other, "", nil, "X-Forwarded-For", "192.0.2.31"), "from 192.0.2.99")
	if !strings.Contains(e.logs.String(), "client=192.0.2.12") {
		t.Errorf("request logs do not name the forwarded client:\n%s", e.logs)
	}
}

// TestRequestIDAndClient checks that every request's log line carries its id, as
// sent back in X-Request-Id and in a problem, and the client's address.
func TestRequestIDAndClient(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	r := e.hit("GET", "/v1/observations/nope", "198.51.100.77:4242", "", nil)
	id := r.header.Get("X-Request-Id")
	if len(id) < 16 {
		t.Fatalf("X-Request-Id = %q", id)
	}
	if p := r.problem(t); p.RequestID != id {
		t.Errorf("problem request_id %q, header %q", p.RequestID, id)
	}
	var line string
	for _, l := range strings.Split(e.logs.String(), "\n") {
		if strings.Contains(l, "request_id="+id) {
			line = l
		}
	}
	if !strings.Contains(line, "client=198.51.100.77") || !strings.Contains(line, "status=404") {
		t.Errorf("log line for request %s: %q", id, line)
	}
	if r2 := e.hit("GET", "/v1/log/size", "198.51.100.77:4242", "", nil); r2.header.Get("X-Request-Id") == id {
		t.Error("two requests got the same id")
	}
}

func TestCosignatureRate(t *testing.T) {
	e := newEnv(t, httpapi.Options{Limits: &httpapi.Limits{Cosignatures: never, CosignatureBurst: 2}})
	body := []byte(`{"size":1,"root":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","cosignature":"— w AAAA\n"}`)
	const a = "198.51.100.9:1"
	for i := range 2 {
		if r := e.hit("POST", "/v1/checkpoint/cosignatures", a, "", body); r.status == http.StatusTooManyRequests || r.status < 400 {
			t.Fatalf("cosignature %d: status %d %s", i, r.status, r.body)
		}
	}
	tooMany(t, e.hit("POST", "/v1/checkpoint/cosignatures", a, "", body), "Too many cosignatures from 198.51.100.9")
}
