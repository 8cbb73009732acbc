package httpapi_test

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/httpapi"
)

// malformed lists bodies that POST /v1/observations must reject whole.
var malformed = []struct {
	name        string
	contentType string // default application/json
	body        string
	status      int
	path        string // the path of a problem, "" for no problems
	line        int    // that problem's line
	message     string // a part of that problem's message (or of the detail)
	lines       []int  // for batches: every line that must be listed
}{
	// Syntax and framing.
	{name: "truncated", body: `{"id":`, status: 400, path: "$", message: "unexpected end"},
	{name: "not json", body: `hello`, status: 400, path: "$", message: "line 1, column 1"},
	{name: "bad character position", body: "{\n  \"id\": x}", status: 400, path: "$", message: "line 2, column 9"},
	{name: "two objects", body: obs("a") + obs("b"), status: 400, path: "$", message: "unexpected data after"},
	{name: "trailing garbage", body: obs("a") + " ]", status: 400, path: "$", message: "unexpected data after"},
	{name: "empty body", body: ``, status: 400, message: "empty"},
	{name: "blank body", body: " \n\t ", status: 400, message: "empty"},
	{name: "array", body: `[` + obs("a") + `]`, status: 400, path: "$", message: "expected an object, got an array"},
	{name: "string", body: `"observation"`, status: 400, path: "$", message: "expected an object"},
	{name: "null", body: `null`, status: 400, path: "$", message: "got null"},
	// Unknown and misspelt fields.
	{name: "unknown field", body: obs("a", "severity", `3`), status: 400, path: "$.severity", message: "unknown field"},
	{name: "unknown nested field", body: obs("a", "location", `{"lon":37.6,"lat":48.6,"altitude":120}`), status: 400, path: "$.location.altitude", message: "unknown field"},
	{name: "unknown field in array", body: obs("a", "evidence", `[{"sha256":"`+strings.Repeat("ab", 32)+`","camera":"x"}]`), status: 400, path: "$.evidence[0].camera", message: "unknown field"},
	{name: "unknown deep field", body: obs("a", "origin", `{"observer":{"lon":37,"lat":48,"alt":3},"bearing_deg":90}`), status: 400, path: "$.origin.observer.alt"},
	{name: "wrong case", body: strings.Replace(obs("a"), `"kind"`, `"Kind"`, 1), status: 400, path: "$.Kind", message: `did you mean "kind"`},
	{name: "duplicate key", body: strings.Replace(obs("a"), `{"id":"a"`, `{"id":"a","id":"b"`, 1), status: 400, path: "$.id", message: "duplicate"},
	// Wrong JSON types.
	{name: "lat as string", body: obs("a", "location", `{"lon":37.6,"lat":"48.6"}`), status: 400, path: "$.location.lat", message: "expected a number"},
	{name: "lat NaN string", body: obs("a", "location", `{"lon":37.6,"lat":"NaN"}`), status: 400, path: "$.location.lat", message: `"NaN"`},
	{name: "lon Infinity string", body: obs("a", "location", `{"lon":"Infinity","lat":48.6}`), status: 400, path: "$.location.lon"},
	{name: "lat bare NaN", body: obs("a", "location", `{"lon":37.6,"lat":NaN}`), status: 400, path: "$", message: "invalid JSON"},
	{name: "lat object", body: obs("a", "location", `{"lon":37.6,"lat":{"deg":48}}`), status: 400, path: "$.location.lat", message: "got an object"},
	{name: "lat overflow", body: obs("a", "location", `{"lon":37.6,"lat":1e400}`), status: 400, path: "$.location.lat", message: "out of range"},
	{name: "count fraction", body: obs("a", "counts", `{"killed":1.5}`), status: 400, path: "$.counts.killed", message: "integer"},
	{name: "count overflow", body: obs("a", "counts", `{"rounds":99999999999999999999}`), status: 400, path: "$.counts.rounds", message: "out of range"},
	{name: "kind number", body: obs("a", "kind", `7`), status: 400, path: "$.kind", message: "expected a string"},
	{name: "kind null", body: obs("a", "kind", `null`), status: 400, path: "$.kind", message: "got null"},
	{name: "evidence object", body: obs("a", "evidence", `{"sha256":"00"}`), status: 400, path: "$.evidence", message: "expected an array"},
	{name: "time number", body: obs("a", "observed_at", `1741926600`), status: 400, path: "$.observed_at", message: "RFC 3339"},
	{name: "bad time", body: obs("a", "observed_at", `"yesterday"`), status: 400, path: "$.observed_at", message: "RFC 3339"},
	{name: "time without zone", body: obs("a", "observed_at", `"2025-03-14T06:30:00"`), status: 400, path: "$.observed_at"},
	// Validation.
	{name: "missing id", body: obs("", "id", ""), status: 400, path: "$.id", message: "required"},
	{name: "bad id", body: obs("has space"), status: 400, path: "$.id"},
	{name: "missing kind", body: obs("a", "kind", ""), status: 400, path: "$.kind", message: "required"},
	{name: "bad kind", body: obs("a", "kind", `"shelling"`), status: 400, path: "$.kind", message: "unknown kind"},
	{name: "missing time", body: obs("a", "observed_at", ""), status: 400, path: "$.observed_at", message: "required"},
	{name: "until before at", body: obs("a", "observed_until", `"2025-03-14T03:00:00Z"`), status: 400, path: "$.observed_until"},
	{name: "bad precision", body: obs("a", "time_precision", `"week"`), status: 400, path: "$.time_precision"},
	{name: "lat 91", body: obs("a", "location", `{"lon":37.6,"lat":91}`), status: 400, path: "$.location.lat", message: "between -90 and 90"},
	{name: "lon -181", body: obs("a", "location", `{"lon":-181,"lat":48}`), status: 400, path: "$.location.lon"},
	{name: "no location", body: obs("a", "location", ""), status: 400, path: "$.location", message: "required"},
	{name: "two location forms", body: obs("a", "location", `{"lon":37.6,"lat":48.6,"observer":{"lon":37.5,"lat":48.5},"bearing_deg":45}`), status: 400, path: "$.location", message: "one form"},
	{name: "bearing 360", body: obs("a", "location", `{"observer":{"lon":37.5,"lat":48.5},"bearing_deg":360}`), status: 400, path: "$.location.bearing_deg"},
	{name: "negative count", body: obs("a", "counts", `{"rounds":-3}`), status: 400, path: "$.counts.rounds"},
	{name: "bad evidence hash", body: obs("a", "evidence", `[{"sha256":"not-a-hash"}]`), status: 400, path: "$.evidence[0].sha256", message: "64 hexadecimal"},
	{name: "lower-case party", body: obs("a", "blamed_party", `"ru"`), status: 400, path: "$.blamed_party"},
	{name: "bad lang", body: obs("a", "lang", `"Ukrainian"`), status: 400, path: "$.lang"},
	{name: "supersedes itself", body: obs("a", "supersedes", `"a"`), status: 400, path: "$.supersedes"},
	{name: "text too long", body: obs("a", "text", q(strings.Repeat("x", truce.MaxTextBytes+1))), status: 400, path: "$.text"},
	// Batches.
	{name: "batch with bad lines", contentType: "application/x-ndjson",
		body:   obs("b1") + "\n" + obs("b2", "kind", `"shelling"`) + "\n" + obs("b3") + "\n" + obs("b4", "location", `{"lon":37,"lat":"x"}`) + "\n" + obs("b5") + "\n",
		status: 400, path: "$.kind", line: 2, lines: []int{2, 4}},
	{name: "batch lines count blank lines", contentType: "application/x-ndjson",
		body:   "\n" + obs("c1") + "\n\n   \n" + obs("c2", "severity", "1") + "\r\n" + obs("c3") + "\r\n" + `{"id":` + "\n",
		status: 400, path: "$.severity", line: 5, lines: []int{5, 7}},
	{name: "batch line with two objects", contentType: "application/x-ndjson",
		body:   obs("d1") + "\n" + obs("d2") + obs("d3") + "\n",
		status: 400, path: "$", line: 2, message: "column", lines: []int{2}},
	{name: "batch of blank lines", contentType: "application/x-ndjson", body: "\n\n  \n", status: 400, message: "empty"},
	{name: "batch over limit", contentType: "application/x-ndjson", body: strings.Repeat(obs("e")+"\n", 51), status: 413, message: "50"},
	{name: "batch body too large", contentType: "application/x-ndjson", body: strings.Repeat(obs("f", "text", q(strings.Repeat("y", 60000)))+"\n", 5), status: 413, message: "limit"},
	// Limits and media types.
	{name: "body too large", body: obs("g", "text", q(strings.Repeat("z", 300<<10))), status: 413, message: "limit"},
	{name: "text/plain", contentType: "text/plain", body: obs("h"), status: 415, message: "text/plain"},
	{name: "form", contentType: "application/x-www-form-urlencoded", body: "id=h", status: 415},
	{name: "unparsable content type", contentType: "application/json; ;;", body: obs("h"), status: 415},
}

// testOptions keep limits small so that tests can cross them cheaply.
var testOptions = httpapi.Options{MaxBatch: 50, MaxBodyBytes: 256 << 10}

func TestPostObservationMalformed(t *testing.T) {
	e := newEnv(t, testOptions)
	// One good observation first, so that "nothing stored" is checked
	// against a non-empty log.
	if r := e.post("/v1/observations", monitor, []byte(obs("seed"))); r.status != 201 {
		t.Fatalf("seed: %d %s", r.status, r.body)
	}
	size := e.logSize()
	for _, tc := range malformed {
		t.Run(tc.name, func(t *testing.T) {
			ct := tc.contentType
			if ct == "" {
				ct = "application/json"
			}
			r := e.do("POST", "/v1/observations", e.tokens[monitor], ct, []byte(tc.body))
			if r.status != tc.status {
				t.Fatalf("status %d, want %d; body %s", r.status, tc.status, r.body)
			}
			p := r.problem(t)
			if tc.status == 415 && r.header.Get("Accept-Post") == "" {
				t.Errorf("415 without Accept-Post")
			}
			if tc.path != "" {
				var found bool
				for _, e := range p.Errors {
					if e.Path == tc.path && e.Line == tc.line && strings.Contains(e.Message, tc.message) {
						found = true
					}
				}
				if !found {
					t.Errorf("no problem at line %d path %s with %q in %s", tc.line, tc.path, tc.message, r.body)
				}
			} else if !strings.Contains(p.Detail, tc.message) {
				t.Errorf("detail %q does not contain %q", p.Detail, tc.message)
			}
			if tc.lines != nil {
				var got []int
				for _, e := range p.Errors {
					if !slices.Contains(got, e.Line) {
						got = append(got, e.Line)
					}
				}
				if !slices.Equal(got, tc.lines) {
					t.Errorf("lines %v, want %v; body %s", got, tc.lines, r.body)
				}
			}
			if n := e.logSize(); n != size {
				t.Errorf("log size %d, want %d: something was stored", n, size)
			}
		})
	}
	if len(malformed) < 30 {
		t.Errorf("only %d malformed cases", len(malformed))
	}
}

// TestPostObservation files one observation and reads it back.
func TestPostObservation(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	body := obs("obs-1", "evidence", `[{"sha256":"`+strings.Repeat("0f", 32)+`","ref":"s3://bucket/a.jpg","media_type":"image/jpeg"}]`,
		"counts", `{"rounds":12}`, "weapon_class", `"artillery_ge100mm"`, "source", q(monitor), "source_role", `"monitor"`)
	before := e.logSize()
	r := e.post("/v1/observations", monitor, []byte(body))
	if r.status != http.StatusCreated {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var rec truce.ObservationRecord
	r.decode(t, &rec)
	if loc := r.header.Get("Location"); loc != "/v1/observations/"+rec.PublicID || !truce.IsPublicID(rec.PublicID) {
		t.Errorf("Location %q, public id %q", loc, rec.PublicID)
	}
	if rec.ID != "obs-1" || rec.Source != monitor || rec.SourceRole != truce.RoleMonitor || rec.LogIndex != before || rec.LoggedAt.IsZero() {
		t.Errorf("record %+v", rec)
	}
	if !rec.ObservedAt.Equal(time.Date(2025, 3, 14, 4, 30, 0, 0, time.UTC)) || rec.ObservedAt.Location() != time.UTC {
		t.Errorf("observed_at %v, want normalized to UTC", rec.ObservedAt)
	}
	for _, read := range []struct{ path, as string }{{r.header.Get("Location"), analyst}, {filed(monitor, "obs-1"), analyst}, {"/v1/observations/obs-1", monitor}} {
		if g := e.getAs(read.path, read.as); g.status != 200 || !bytes.Equal(g.body, r.body) {
			t.Errorf("GET %s as %s: %d %s\nPOST answered %s", read.path, read.as, g.status, g.body, r.body)
		}
	}
	if r := e.get("/v1/observations/nope"); r.status != 404 || r.problem(t).Type != httpapi.ProblemTypeBase+"not_found" {
		t.Errorf("missing: %d %s", r.status, r.body)
	}
}

func TestPostObservationIdempotent(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	body := []byte(obs("dup-1"))
	first := e.post("/v1/observations", monitor, body)
	if first.status != 201 {
		t.Fatalf("first: %d %s", first.status, first.body)
	}
	size := e.logSize()
	again := e.post("/v1/observations", monitor, body)
	if again.status != 200 {
		t.Fatalf("repeat: %d %s", again.status, again.body)
	}
	if !bytes.Equal(first.body, again.body) {
		t.Errorf("repeat answered %s, first %s", again.body, first.body)
	}
	// The same observation written differently (other time zone, fields
	// reordered) is the same canonical observation.
	same := obs("dup-1", "observed_at", `"2025-03-14T04:30:00Z"`)
	if r := e.post("/v1/observations", monitor, []byte(same)); r.status != 200 {
		t.Errorf("equivalent repeat: %d %s", r.status, r.body)
	}
	changed := e.post("/v1/observations", monitor, []byte(obs("dup-1", "kind", `"mlrs"`)))
	if changed.status != http.StatusConflict {
		t.Fatalf("changed body: %d %s", changed.status, changed.body)
	}
	if p := changed.problem(t); len(p.Errors) != 1 || p.Errors[0].Path != "$.id" || p.Errors[0].Line != 0 {
		t.Errorf("conflict problems %+v", p.Errors)
	}
	if n := e.logSize(); n != size {
		t.Errorf("log grew from %d to %d", size, n)
	}
	// Ids are scoped by source: another source files its own dup-1, and
	// cannot make the first source's fail.
	if r := e.post("/v1/observations", partyUA, body); r.status != http.StatusCreated {
		t.Errorf("other source, same id: %d %s", r.status, r.body)
	}
	if r := e.post("/v1/observations", monitor, body); r.status != http.StatusOK {
		t.Errorf("first source's repeat after another used its id: %d %s", r.status, r.body)
	}
}

func TestPostBatch(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	lines := []string{obs("n1"), "", obs("n2", "kind", `"mlrs"`), obs("n3", "kind", `"drone_strike"`)}
	r := e.postNDJSON(monitor, lines...)
	if r.status != 201 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var res struct {
		Accepted, Created int
		Results           []truce.AddResult
	}
	r.decode(t, &res)
	if res.Accepted != 3 || res.Created != 3 || len(res.Results) != 3 || res.Results[0].ID != "n1" || !res.Results[2].Created || res.Results[2].LogIndex != res.Results[0].LogIndex+2 {
		t.Errorf("response %s", r.body)
	}
	// Replayed with one new line: 201, one created, the old ones unchanged.
	r2 := e.postNDJSON(monitor, append(lines, obs("n4"))...)
	var res2 struct {
		Accepted, Created int
		Results           []truce.AddResult
	}
	r2.decode(t, &res2)
	if r2.status != 201 || res2.Accepted != 4 || res2.Created != 1 || res2.Results[1].LogIndex != res.Results[1].LogIndex || res2.Results[1].Created || !res2.Results[3].Created {
		t.Errorf("replay: %d %s", r2.status, r2.body)
	}
	// Replayed as is: 200, nothing created.
	if r3 := e.postNDJSON(monitor, lines...); r3.status != 200 || !strings.Contains(string(r3.body), `"created":0`) {
		t.Errorf("identical replay: %d %s", r3.status, r3.body)
	}
	// A conflicting line fails the batch; its line (counting the blank
	// one) is named and nothing is stored.
	size := e.logSize()
	r4 := e.postNDJSON(monitor, obs("n5"), "", obs("n2", "kind", `"mortar"`))
	if r4.status != 409 {
		t.Fatalf("conflict: %d %s", r4.status, r4.body)
	}
	if p := r4.problem(t); len(p.Errors) != 1 || p.Errors[0].Line != 3 || p.Errors[0].Path != "$.id" {
		t.Errorf("conflict problems %s", r4.body)
	}
	if n := e.logSize(); n != size {
		t.Errorf("log grew from %d to %d", size, n)
	}
	if r := e.get("/v1/observations/n5"); r.status != 404 {
		t.Errorf("n5 stored from a rejected batch: %d", r.status)
	}
}

// TestImpersonation checks that a source posts only as itself.
func TestImpersonation(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	size := e.logSize()
	for _, tc := range []struct {
		name, as, body, path string
		ndjson               bool
	}{
		{"party as monitor", partyUA, obs("i1", "source_role", `"monitor"`), "$.source_role", false},
		{"party as other source", partyUA, obs("i2", "source", `"other"`), "$.source", false},
		{"party as the other party", partyUA, obs("i3", "source", q(partyRU)), "$.source", false},
		{"monitor as party", monitor, obs("i4", "source_role", `"party"`), "$.source_role", false},
		{"party as the other party", partyUA, obs("i7", "source_role", `"party"`, "source_party", `"RU"`), "$.source_party", false},
		{"invalid and impersonating", partyRU, obs("i5", "kind", `"bad"`, "source_role", `"monitor"`), "$.source_role", false},
		{"undecodable and impersonating", partyRU, obs("i6", "location", `{"lat":"x"}`, "source_role", `"sensor"`), "$.source_role", false},
		{"in a batch", partyUA, obs("i7") + "\n" + obs("i8", "source_role", `"monitor"`), "$.source_role", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r response
			if tc.ndjson {
				r = e.postNDJSON(tc.as, tc.body)
			} else {
				r = e.post("/v1/observations", tc.as, []byte(tc.body))
			}
			if r.status != http.StatusForbidden {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			p := r.problem(t)
			if !slices.ContainsFunc(p.Errors, func(p truce.Problem) bool { return p.Path == tc.path }) {
				t.Errorf("no problem at %s: %s", tc.path, r.body)
			}
			if tc.ndjson && p.Errors[0].Line != 2 {
				t.Errorf("line %d, want 2", p.Errors[0].Line)
			}
		})
	}
	// Naming oneself correctly is fine.
	if r := e.post("/v1/observations", partyUA, []byte(obs("i9", "source", q(partyUA), "source_role", `"party"`))); r.status != 201 {
		t.Errorf("party as itself: %d %s", r.status, r.body)
	}
	if n := e.logSize(); n != size+1 {
		t.Errorf("log size %d, want %d", n, size+1)
	}
}

func TestAuth(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	body := []byte(obs("auth-1"))
	for _, tc := range []struct {
		name, header string
		status       int
	}{
		{"no token", "", 401},
		{"bad token", "Bearer truce_nope", 401},
		{"empty bearer", "Bearer ", 401},
		{"basic", "Basic YWRtaW46YWRtaW4=", 401},
		{"analyst may not observe", "Bearer " + e.tokens[analyst], 403},
		{"admin may not observe", "Bearer " + e.tokens[admin], 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", e.srv.URL+"/v1/observations", bytes.NewReader(body))
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			res, err := e.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.status)
			}
			if tc.status == 401 && !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate %q", res.Header.Get("WWW-Authenticate"))
			}
		})
	}
	// The scheme is case-insensitive.
	r := e.do("POST", "/v1/observations", "", "application/json", body)
	if r.status != 401 {
		t.Fatalf("no token: %d", r.status)
	}
	req, _ := http.NewRequest("POST", e.srv.URL+"/v1/observations", bytes.NewReader(body))
	req.Header.Set("Authorization", "bearer "+e.tokens[monitor])
	res, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Errorf("lower-case scheme: %d", res.StatusCode)
	}
	// Parties may not manage sources or agreements.
	for _, as := range []string{partyUA, monitor, analyst} {
		if r := e.post("/v1/sources", as, []byte(`{"name":"x","role":"monitor"}`)); r.status != 403 {
			t.Errorf("%s POST /v1/sources: %d %s", as, r.status, r.body)
		}
		if r := e.post("/v1/agreements", as, agreementJSON(t, 1)); r.status != 403 {
			t.Errorf("%s POST /v1/agreements: %d %s", as, r.status, r.body)
		}
	}
	if r := e.do("POST", "/v1/sources", "", "application/json", []byte(`{}`)); r.status != 401 {
		t.Errorf("anonymous POST /v1/sources: %d", r.status)
	}
}

// seedObservations files n observations spread over kinds, parties, places
// and times, by two sources, and returns them.
func seedObservations(t *testing.T, e *env, n int) []truce.Observation {
	t.Helper()
	kinds := []truce.Kind{truce.KindArtillery, truce.KindMLRS, truce.KindDroneStrike, truce.KindSmallArms}
	var byMonitor, byParty []string
	var all []truce.Observation
	for i := range n {
		lon, lat := 36.0+float64(i%10)*0.2, 47.0+float64(i%7)*0.25
		party := []string{"RU", "UA"}[i%2]
		at := t0.Add(time.Duration(i*37%n) * time.Minute) // some share a time
		if i%5 == 0 {
			at = t0.Add(time.Hour) // many at the same instant: log order orders them
		}
		o := truce.Observation{
			ID: fmt.Sprintf("p-%03d", i), Kind: kinds[i%len(kinds)], ObservedAt: at, TimePrecision: truce.PrecisionMinute,
			Location: truce.Location{Lon: &lon, Lat: &lat, UncertaintyM: 100}, BlamedParty: party,
		}
		b, err := json.Marshal(&o)
		if err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			byParty = append(byParty, string(b))
			o.Source = partyUA
		} else {
			byMonitor = append(byMonitor, string(b))
			o.Source = monitor
		}
		all = append(all, o)
	}
	for _, post := range []struct {
		as    string
		lines []string
	}{{monitor, byMonitor}, {partyUA, byParty}} {
		if r := e.postNDJSON(post.as, post.lines...); r.status != 201 {
			t.Fatalf("seed: %d %s", r.status, r.body)
		}
	}
	return all
}

// walk pages through GET path following the Link header and returns the
// ids in order.
func walk(t *testing.T, e *env, path string) []string {
	t.Helper()
	var ids []string
	for pages := 0; path != ""; pages++ {
		if pages > 100 {
			t.Fatal("too many pages")
		}
		r := e.do("GET", path, e.tokens[analyst], "", nil) // the mission, which may use every filter
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", path, r.status, r.body)
		}
		var page struct {
			Observations []truce.ObservationRecord `json:"observations"`
			Next         string                    `json:"next"`
		}
		r.decode(t, &page)
		for _, o := range page.Observations {
			ids = append(ids, o.ID)
		}
		link := r.header.Get("Link")
		if (link == "") != (page.Next == "") {
			t.Fatalf("Link %q with next %q", link, page.Next)
		}
		path = ""
		if link != "" {
			u, ok := strings.CutPrefix(link, "<")
			u, rel, ok2 := strings.Cut(u, ">")
			if !ok || !ok2 || rel != `; rel="next"` {
				t.Fatalf("Link %q", link)
			}
			pu, err := url.Parse(u)
			if err != nil || pu.Query().Get("cursor") != page.Next {
				t.Fatalf("Link %q does not carry cursor %q", link, page.Next)
			}
			path = u
		}
	}
	return ids
}

func TestFindObservations(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	all := seedObservations(t, e, 57)
	logIndex := map[string]int64{}
	for _, o := range all {
		var rec truce.ObservationRecord
		e.getAs(filed(o.Source, o.ID), analyst).decode(t, &rec)
		logIndex[o.ID] = rec.LogIndex
	}
	// Results come in time order, ties in log order.
	slices.SortFunc(all, func(a, b truce.Observation) int {
		if c := a.ObservedAt.Compare(b.ObservedAt); c != 0 {
			return c
		}
		return cmp.Compare(logIndex[a.ID], logIndex[b.ID])
	})
	want := func(keep func(o truce.Observation) bool) []string {
		var ids []string
		for _, o := range all {
			if keep(o) {
				ids = append(ids, o.ID)
			}
		}
		return ids
	}
	for _, tc := range []struct {
		query string
		keep  func(o truce.Observation) bool
	}{
		{"", func(truce.Observation) bool { return true }},
		{"limit=10", func(truce.Observation) bool { return true }},
		{"limit=1", func(truce.Observation) bool { return true }},
		{"kind=artillery,mlrs&limit=7", func(o truce.Observation) bool {
			return o.Kind == truce.KindArtillery || o.Kind == truce.KindMLRS
		}},
		{"kind=artillery&kind=small_arms&limit=4", func(o truce.Observation) bool {
			return o.Kind == truce.KindArtillery || o.Kind == truce.KindSmallArms
		}},
		{"blamed_party=UA&limit=5", func(o truce.Observation) bool { return o.BlamedParty == "UA" }},
		{"source=" + partyUA + "&limit=6", func(o truce.Observation) bool { return o.Source == partyUA }},
		{"bbox=36.3,47.3,37.0,48.0&limit=3", func(o truce.Observation) bool {
			return truce.BBox{West: 36.3, South: 47.3, East: 37, North: 48}.Contains(*o.Location.Lon, *o.Location.Lat)
		}},
		{"from=2025-03-14T04:20:00Z&to=2025-03-14T07:00:00%2B02:00&limit=8", func(o truce.Observation) bool {
			return !o.ObservedAt.Before(t0.Add(20*time.Minute)) && o.ObservedAt.Before(t0.Add(time.Hour))
		}},
		{"from=2025-03-14T05:00:00Z&limit=8", func(o truce.Observation) bool {
			return !o.ObservedAt.Before(t0.Add(time.Hour))
		}},
		{"from=2025-03-15", func(truce.Observation) bool { return false }},
	} {
		t.Run(tc.query, func(t *testing.T) {
			got := walk(t, e, "/v1/observations?"+tc.query)
			w := want(tc.keep)
			if !slices.Equal(got, w) {
				t.Errorf("got %d ids %v\nwant %d %v", len(got), got, len(w), w)
			}
		})
	}
	// An empty result is an empty list, not null.
	if r := e.get("/v1/observations?from=2030-01-01"); string(r.body) != "{\"observations\":[]}\n" {
		t.Errorf("empty page %s", r.body)
	}
}

func TestFindObservationsBadParams(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	for _, tc := range []struct{ query, path string }{
		{"from=yesterday", "query.from"},
		{"to=2025-13-01", "query.to"},
		{"from=2025-03-15&to=2025-03-14", "query.to"},
		{"bbox=1,2,3", "query.bbox"},
		{"bbox=a,b,c,d", "query.bbox"},
		{"bbox=0,10,1,5", "query.bbox"},
		{"bbox=0,0,200,1", "query.bbox"},
		{"bbox=NaN,0,1,1", "query.bbox"},
		{"kind=shelling", "query.kind"},
		{"source=Not%20A%20Name", "query.source"},
		{"blamed_party=ru", "query.blamed_party"},
		{"limit=0", "query.limit"},
		{"limit=5000", "query.limit"},
		{"limit=ten", "query.limit"},
		{"limit=1&limit=2", "query.limit"},
		{"kinds=artillery", "query.kinds"},
		{"cursor=not-a-cursor", "query.cursor"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			r := e.get("/v1/observations?" + tc.query)
			if r.status != 400 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			p := r.problem(t)
			if len(p.Errors) == 0 || p.Errors[0].Path != tc.path {
				t.Errorf("problems %s, want path %s", r.body, tc.path)
			}
		})
	}
}

// TestBatchLineLimit checks that one NDJSON line may be no larger than one
// JSON observation may be, however large the batch may be.
func TestBatchLineLimit(t *testing.T) {
	e := newEnv(t, httpapi.Options{MaxBodyBytes: 4 << 20})
	size := e.logSize()
	body := obs("ok-1") + "\n" + obs("big", "weapon", q(strings.Repeat("w", 1<<20))) + "\n"
	r := e.do("POST", "/v1/observations", e.tokens[monitor], "application/x-ndjson", []byte(body))
	if r.status != 413 {
		t.Fatalf("status %d, want 413: %.300s", r.status, r.body)
	}
	if p := r.problem(t); len(p.Errors) != 1 || p.Errors[0].Line != 2 {
		t.Errorf("problem %+v, want one naming line 2", p)
	}
	if n := e.logSize(); n != size {
		t.Errorf("log grew from %d to %d", size, n)
	}
}

// TestPostAnswersAsGet checks that the record a POST answers with is byte
// for byte the record GET serves, for a new observation and for a repeat.
func TestPostAnswersAsGet(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	body := obs("same-bytes", "observed_at", `"2025-03-14T08:30:00+02:00"`, "observed_until", `"2025-03-14T09:00:00+02:00"`,
		"evidence", `[{"sha256":"ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789"}]`)
	for _, as := range []string{partyUA, partyUA} {
		posted := e.post("/v1/observations", as, []byte(body))
		if posted.status != 201 && posted.status != 200 {
			t.Fatalf("POST: %d %s", posted.status, posted.body)
		}
		got := e.getAs(filed(as, "same-bytes"), analyst)
		if string(posted.body) != string(got.body) {
			t.Errorf("POST (%d) answered\n%s\nGET serves\n%s", posted.status, posted.body, got.body)
		}
	}
}
