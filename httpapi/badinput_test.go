package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/httpapi"
)

// TestBadInput sends malformed requests of every kind an attacker or a
// broken client sends — oversized, deeply nested, not UTF-8, NaN, wrong
// types, times in the future, huge batches, bad tokens, repeated and
// out-of-range query parameters — to the real handler over a real store.
// Each must be answered 4xx with a problem that names the field (its JSON
// path, query parameter or what is wrong), nothing may be stored, and the
// server must go on answering.
func TestBadInput(t *testing.T) {
	e := newEnv(t, httpapi.Options{MaxBatch: 100})
	withDeepState(t, e)
	e.record(t, "probable", "o-anchor")
	mon, adm := e.tokens[monitor], e.tokens[admin]
	if r := e.post("/v1/observations", monitor, []byte(obs("rel-target", "text", `"notes"`))); r.status != 201 {
		t.Fatalf("filing: %d %s", r.status, r.body)
	}
	rel := "/v1/observations/" + e.publicID(monitor, "rel-target") + "/releases"
	future := q(time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339))
	nested := func(open, close string, n int) string { return strings.Repeat(open, n) + strings.Repeat(close, n) }
	lines := func(n int, bad int, badLine string) []byte {
		var b bytes.Buffer
		for i := 1; i <= n; i++ {
			if i == bad {
				b.WriteString(badLine + "\n")
			} else {
				b.WriteString(obs(fmt.Sprintf("batch-%d", i)) + "\n")
			}
		}
		return b.Bytes()
	}
	manyFields := "{" + strings.Repeat(`"x":1,`, 5000) + `"id":"m"}`
	evidence := "[" + strings.TrimSuffix(strings.Repeat(`{"ref":"r"},`, 65), ",") + "]"
	const (
		json   = "application/json"
		ndjson = "application/x-ndjson"
	)
	tests := []struct {
		name         string
		method, path string
		token, ctype string
		body         []byte
		status       int
		want         string // in a problem's path, or else the detail
	}{
		// Oversized.
		{"object over 1 MiB", "POST", "/v1/observations", mon, json, []byte(obs("big", "text", q(strings.Repeat("a", 1<<20+1)))), 413, "limit"},
		{"text over 64 KiB", "POST", "/v1/observations", mon, json, []byte(obs("t64", "text", q(strings.Repeat("ж", 40<<10)))), 400, "$.text"},
		{"batch over the limit", "POST", "/v1/observations", mon, ndjson, lines(101, 0, ""), 413, "more than 100"},
		{"batch line over 1 MiB", "POST", "/v1/observations", mon, ndjson, lines(3, 2, obs("huge", "text", q(strings.Repeat("b", 1<<20+1)))), 413, "Line 2"},
		{"65 evidence items", "POST", "/v1/observations", mon, json, []byte(obs("ev", "evidence", evidence)), 400, "$.evidence"},
		{"5000 unknown fields", "POST", "/v1/observations", mon, json, []byte(manyFields), 400, "$.x"},
		// Nested.
		{"arrays 20,000 deep", "POST", "/v1/observations", mon, json, []byte(obs("deep", "text", nested("[", "]", 20000))), 400, "$"},
		{"objects 20,000 deep", "POST", "/v1/observations", mon, json, []byte(obs("deep2", "location", nested(`{"a":`, "}", 20000)[:20000*5]+"1"+strings.Repeat("}", 20000))), 400, "$"},
		{"nested where a number goes", "POST", "/v1/observations", mon, json, []byte(obs("deep3", "location", `{"lon":[[1]],"lat":48,"uncertainty_m":5}`)), 400, "$.location.lon"},
		// Not UTF-8.
		{"invalid UTF-8 in text", "POST", "/v1/observations", mon, json, []byte(obs("u", "text", "\"\xff\xfe\"")), 400, "$.text"},
		{"lone surrogate", "POST", "/v1/observations", mon, json, []byte(obs("u2", "text", `"\udfff"`)), 400, "$.text"},
		{"invalid UTF-8 in a batch line", "POST", "/v1/observations", mon, ndjson, lines(3, 3, obs("u3", "lang", "\"\xc0\"")), 400, "$.lang"},
		// Numbers.
		{"NaN", "POST", "/v1/observations", mon, json, []byte(obs("n1", "location", `{"lon":NaN,"lat":48,"uncertainty_m":5}`)), 400, "$"},
		{"Infinity", "POST", "/v1/observations", mon, json, []byte(obs("n2", "location", `{"lon":37,"lat":Infinity,"uncertainty_m":5}`)), 400, "$"},
		{"1e999", "POST", "/v1/observations", mon, json, []byte(obs("n3", "location", `{"lon":37,"lat":1e999,"uncertainty_m":5}`)), 400, "$.location.lat"},
		{"latitude 91", "POST", "/v1/observations", mon, json, []byte(obs("n4", "location", `{"lon":37,"lat":91,"uncertainty_m":5}`)), 400, "$.location.lat"},
		{"negative count", "POST", "/v1/observations", mon, json, []byte(obs("n5", "counts", `{"rounds":-3}`)), 400, "$.counts.rounds"},
		// Types and shapes.
		{"latitude as a string", "POST", "/v1/observations", mon, json, []byte(obs("w1", "location", `{"lon":37,"lat":"48","uncertainty_m":5}`)), 400, "$.location.lat"},
		{"kind as a number", "POST", "/v1/observations", mon, json, []byte(obs("w2", "kind", `7`)), 400, "$.kind"},
		{"unknown kind", "POST", "/v1/observations", mon, json, []byte(obs("w3", "kind", `"rumour"`)), 400, "$.kind"},
		{"id with a slash", "POST", "/v1/observations", mon, json, []byte(obs("a/b")), 400, "$.id"},
		{"unknown field", "POST", "/v1/observations", mon, json, []byte(obs("w4", "colour", `"red"`)), 400, "$.colour"},
		{"duplicate field", "POST", "/v1/observations", mon, json, []byte(strings.Replace(obs("w5"), `"kind":"artillery"`, `"kind":"artillery","kind":"mlrs"`, 1)), 400, "$.kind"},
		{"field in the wrong case", "POST", "/v1/observations", mon, json, []byte(strings.Replace(obs("w6"), `"kind"`, `"Kind"`, 1)), 400, "$.Kind"},
		{"data after the object", "POST", "/v1/observations", mon, json, []byte(obs("w7") + ` {}`), 400, "$"},
		{"an array, not an object", "POST", "/v1/observations", mon, json, []byte(`[` + obs("w8") + `]`), 400, "$"},
		{"null", "POST", "/v1/observations", mon, json, []byte(`null`), 400, "$"},
		{"empty body", "POST", "/v1/observations", mon, json, nil, 400, "empty"},
		{"wrong media type", "POST", "/v1/observations", mon, "text/plain", []byte(obs("w9")), 415, "text/plain"},
		{"one bad line spoils the batch", "POST", "/v1/observations", mon, ndjson, lines(5, 3, obs("bad-3", "kind", `"nothing"`)), 400, "$.kind"},
		// Times.
		{"observed two days ahead", "POST", "/v1/observations", mon, json, []byte(obs("f1", "observed_at", future)), 400, "$.observed_at"},
		{"observed in 1800", "POST", "/v1/observations", mon, json, []byte(obs("f2", "observed_at", `"1800-01-01T00:00:00Z"`)), 400, "$.observed_at"},
		{"not a time", "POST", "/v1/observations", mon, json, []byte(obs("f3", "observed_at", `"yesterday"`)), 400, "$.observed_at"},
		// Credentials.
		{"no token", "POST", "/v1/observations", "", json, []byte(obs("c1")), 401, "Authorization"},
		{"unknown token", "POST", "/v1/observations", "not-a-token", json, []byte(obs("c2")), 401, "token"},
		{"a monitor registers a source", "POST", "/v1/sources", mon, json, []byte(`{"name":"evil","role":"admin"}`), 403, "manage sources"},
		// Other bodies.
		{"source of an unknown role", "POST", "/v1/sources", adm, json, []byte(`{"name":"s1","role":"root"}`), 400, "$.role"},
		{"agreement of the wrong type", "POST", "/v1/agreements", adm, json, []byte(`{"id":7}`), 400, "$.id"},
		{"cosignature with a bad root", "POST", "/v1/checkpoint/cosignatures", "", json, []byte(`{"size":1,"root":"!!","cosignature":"— w AAAA"}`), 400, "$.root"},
		{"cosignature of negative size", "POST", "/v1/checkpoint/cosignatures", "", json, []byte(`{"size":-1,"root":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","cosignature":"— w AAAA"}`), 400, "$.size"},
		{"cosignature by no registered witness", "POST", "/v1/checkpoint/cosignatures", "", json, []byte(`{"size":1,"root":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","cosignature":"— nobody AAAA"}`), 403, "not registered"},
		{"review of an unknown action", "POST", "/v1/findings/" + series + "/reviews", e.tokens[analyst], json, []byte(`{"id":"r","version":1,"action":"approve"}`), 400, "$.action"},
		{"release of an unknown group", "POST", rel, adm, json, []byte(`{"id":"r1","groups":["salt"],"to":"public","reason":"r"}`), 400, "$.groups[0]"},
		{"release to the mission", "POST", rel, adm, json, []byte(`{"id":"r1","groups":["text"],"to":"mission","reason":"r"}`), 400, "$.to"},
		{"release to a lower-case party", "POST", rel, adm, json, []byte(`{"id":"r1","groups":["text"],"to":"party","party":"ua","reason":"r"}`), 400, "$.party"},
		{"release without a reason", "POST", rel, adm, json, []byte(`{"id":"r1","groups":["text"],"to":"public"}`), 400, "$.reason"},
		{"release of a group the observation lacks", "POST", rel, adm, json, []byte(`{"id":"r1","groups":["text","evidence"],"to":"public","reason":"r"}`), 400, "$.groups[1]"},
		{"release with groups as a string", "POST", rel, adm, json, []byte(`{"id":"r1","groups":"text","to":"public","reason":"r"}`), 400, "$.groups"},
		{"release of an unknown observation", "POST", "/v1/observations/o-00000000000000000000000000000000/releases", adm, json, []byte(`{"id":"r1","groups":["text"],"to":"public","reason":"r"}`), 404, "no observation"},
		{"release by the source's own id", "POST", "/v1/observations/rel-target/releases", adm, json, []byte(`{"id":"r1","groups":["text"],"to":"public","reason":"r"}`), 400, "public id"},
		{"release by a monitor", "POST", rel, mon, json, []byte(`{"id":"r1","groups":["text"],"to":"public","reason":"r"}`), 403, "analyst or an admin"},
		{"audit trail after a negative id", "GET", "/v1/audit/private-reads?after=-1", adm, "", nil, 400, "query.after"},
		{"audit trail with a leading zero", "GET", "/v1/audit/private-reads?limit=010", adm, "", nil, 400, "query.limit"},
		{"audit trail of a source's own id", "GET", "/v1/audit/private-reads?observation=rel-target", adm, "", nil, 400, "query.observation"},
		{"audit trail with an unknown parameter", "GET", "/v1/audit/private-reads?reader=x", adm, "", nil, 400, "query.reader"},
		{"releases of a source's own id", "GET", "/v1/releases?observation=rel-target", adm, "", nil, 400, "query.observation"},
		{"classify as CSV", "POST", "/v1/control/classify", "", "text/csv", []byte("lon,lat\n"), 415, "text/csv"},
		// Queries.
		{"huge start and end", "GET", "/v1/log/entries?start=1&end=99999", "", "", nil, 400, "query.end"},
		{"repeated start", "GET", "/v1/log/entries?start=1&start=2", "", "", nil, 400, "query.start"},
		{"start past int64", "GET", "/v1/log/entries?start=99999999999999999999", "", "", nil, 400, "query.start"},
		{"bbox of three numbers", "GET", "/v1/observations?bbox=1,2,3", "", "", nil, 400, "query.bbox"},
		{"limit 0", "GET", "/v1/observations?limit=0", "", "", nil, 400, "query.limit"},
		{"from not a time", "GET", "/v1/observations?from=yesterday", "", "", nil, 400, "query.from"},
		{"query not UTF-8", "GET", "/v1/observations?kind=%C0%AF", "", "", nil, 400, "query.kind"},
		{"repeated party", "GET", "/v1/findings?party=UA&party=RU", "", "", nil, 400, "query.party"},
		{"a made-up control source", "GET", "/v1/control?date=2025-03-14&source=" + strings.Repeat("z", 5000), "", "", nil, 400, "query.source"},
		{"repeated date", "GET", "/v1/control?date=2025-03-14&date=2025-03-15", "", "", nil, 400, "query.date"},
		{"negative index", "GET", "/v1/log/proof/inclusion?index=-1&size=1", "", "", nil, 400, "query.index"},
		{"checkpoint size with a leading zero", "GET", "/v1/checkpoints/01", "", "", nil, 400, "size"},
	}
	if len(tests) < 30 {
		t.Fatalf("only %d cases", len(tests))
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			size := e.logSize()
			cps, err := e.db.Checkpoints(ctx)
			if err != nil {
				t.Fatal(err)
			}
			r := e.do(tt.method, tt.path, tt.token, tt.ctype, tt.body)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %.300s", r.status, tt.status, r.body)
			}
			p := r.problem(t)
			named := strings.Contains(p.Detail, tt.want)
			for _, x := range p.Errors {
				named = named || strings.HasPrefix(x.Path, tt.want) || strings.Contains(x.Message, tt.want)
			}
			if !named {
				t.Errorf("problem does not name %q: %s: %+v", tt.want, p.Detail, p.Errors)
			}
			if len(p.Errors) > 101 || len(r.body) > 64<<10 {
				t.Errorf("%d problems, %d bytes: the answer should be bounded", len(p.Errors), len(r.body))
			}
			if n := e.logSize(); n != size {
				t.Errorf("the log grew from %d to %d entries", size, n)
			}
			if after, _ := e.db.Checkpoints(ctx); len(after) != len(cps) {
				t.Error("a checkpoint was stored")
			}
			if h := e.get("/healthz"); h.status != http.StatusOK {
				t.Fatalf("the server stopped answering: /healthz %d", h.status)
			}
		})
	}
}

// TestBadInputFlood checks the last kind of bad input, too many requests:
// past its burst a client is answered 429 naming what it exceeded, and
// nothing it sends is stored.
func TestBadInputFlood(t *testing.T) {
	e := newEnv(t, httpapi.Options{Limits: &httpapi.Limits{WriteRate: never, WriteBurst: 5}})
	size := e.logSize()
	for i := range 5 {
		if r := e.post("/v1/observations", monitor, []byte(obs(fmt.Sprintf("flood-%d", i), "kind", `"nothing"`))); r.status != http.StatusBadRequest {
			t.Fatalf("request %d: status %d", i, r.status)
		}
	}
	r := e.post("/v1/observations", monitor, []byte(obs("flood-ok")))
	tooMany(t, r, "Too many writes")
	if e.logSize() != size {
		t.Error("something was stored")
	}
	if h := e.get("/healthz"); h.status != http.StatusOK {
		t.Fatalf("/healthz %d", h.status)
	}
}
