package httpapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/httpapi"
)

// agreementJSON returns the canonical JSON of a small valid agreement.
func agreementJSON(t testing.TB, version int) []byte {
	t.Helper()
	a := &truce.Agreement{
		ID: "ceasefire-30d-2025", Version: version, Title: "Proposed unconditional 30-day ceasefire",
		TitleI18n:     map[string]string{"uk": "Запропоноване 30-денне припинення вогню"},
		Parties:       []truce.Party{{ID: "UA", Name: "Ukraine"}, {ID: "RU", Name: "Russian Federation"}},
		Window:        truce.Window{Start: t0, End: t0.Add(720 * time.Hour), TimeZone: "Europe/Kyiv"},
		LineOfContact: truce.LineOfContact{ControlMapAt: "start"},
		Zones:         []truce.Zone{{ID: "security-zone", BandKM: 15, Sides: "both"}},
		Protected:     []truce.TargetCategory{truce.TargetEnergy},
		Rules: []truce.Rule{
			{ID: "R1", Name: "No fire across the line of contact", Prohibits: []truce.Kind{truce.KindArtillery, truce.KindMLRS}, Where: truce.Where{CrossesLine: true}},
			{ID: "R2", Name: "No strikes on energy", Prohibits: []truce.Kind{truce.KindDroneStrike, truce.KindMissileStrike}, Where: truce.Where{Protected: true}},
		},
	}
	b, err := a.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAgreements(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	if r := e.get("/v1/agreements"); r.status != 200 || string(r.body) != "{\"agreements\":[]}\n" {
		t.Errorf("empty list: %d %s", r.status, r.body)
	}
	body := agreementJSON(t, 1)
	r := e.post("/v1/agreements", admin, body)
	if r.status != 201 {
		t.Fatalf("add: %d %s", r.status, r.body)
	}
	var rec truce.AgreementRecord
	r.decode(t, &rec)
	if rec.ID != "ceasefire-30d-2025" || rec.Version != 1 || len(rec.Rules) != 2 {
		t.Errorf("record %s", r.body)
	}
	if again := e.post("/v1/agreements", admin, body); again.status != 200 {
		t.Errorf("repeat: %d %s", again.status, again.body)
	}
	// Same version, other terms: conflict.
	changed := strings.Replace(string(body), "No strikes on energy", "No strikes", 1)
	if r := e.post("/v1/agreements", admin, []byte(changed)); r.status != 409 {
		t.Errorf("changed terms: %d %s", r.status, r.body)
	}
	if r := e.post("/v1/agreements", admin, agreementJSON(t, 2)); r.status != 201 {
		t.Errorf("version 2: %d %s", r.status, r.body)
	}
	if r := e.get("/v1/agreements/ceasefire-30d-2025"); r.status != 200 || !strings.Contains(string(r.body), `"version":2`) {
		t.Errorf("get: %d %s", r.status, r.body)
	}
	var list struct{ Agreements []truce.AgreementRecord }
	e.get("/v1/agreements").decode(t, &list)
	if len(list.Agreements) != 1 || list.Agreements[0].Version != 2 {
		t.Errorf("list %+v", list)
	}
	if r := e.get("/v1/agreements/nope"); r.status != 404 {
		t.Errorf("missing: %d", r.status)
	}

	size := e.logSize()
	for _, tc := range []struct{ name, body, path string }{
		{"unknown field", strings.Replace(string(body), `"title":`, `"titel":"x","title":`, 1), "$.titel"},
		{"rule kind", strings.Replace(string(body), `"prohibits":["artillery"`, `"prohibits":["shelling"`, 1), "$.rules[0].prohibits[0]"},
		{"one party", strings.Replace(string(body), `,{"id":"RU","name":"Russian Federation"}`, ``, 1), "$.parties"},
		{"bad zone", strings.Replace(string(body), `"window":{`, `"window":{"start":"x",`, 1), "$.window.start"},
		{"i18n type", strings.Replace(string(body), `"title_i18n":{"uk":"`, `"title_i18n":{"uk":7,"x":"`, 1), `$.title_i18n.uk`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.post("/v1/agreements", admin, []byte(tc.body))
			if r.status != 400 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			p := r.problem(t)
			if len(p.Errors) == 0 || p.Errors[0].Path != tc.path {
				t.Errorf("problems %s, want %s", r.body, tc.path)
			}
		})
	}
	if r := e.do("POST", "/v1/agreements", e.tokens[admin], "application/yaml", []byte("id: x")); r.status != 415 {
		t.Errorf("yaml: %d", r.status)
	}
	if n := e.logSize(); n != size {
		t.Errorf("log grew from %d to %d", size, n)
	}
}

func TestSources(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	r := e.post("/v1/sources", admin, []byte(`{"name":"ru-liaison-2","role":"party:RU","description":"Second RU liaison"}`))
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", r.header.Get("Cache-Control"))
	}
	var created struct {
		Source map[string]any `json:"source"`
		Token  string         `json:"token"`
	}
	r.decode(t, &created)
	if created.Source["name"] != "ru-liaison-2" || created.Source["role"] != "party" || created.Source["party"] != "RU" || created.Token == "" {
		t.Errorf("created %s", r.body)
	}
	if _, ok := created.Source["token_sha256"]; ok {
		t.Errorf("token hash leaked: %s", r.body)
	}
	// The token works, once.
	e.tokens["ru-liaison-2"] = created.Token
	if r := e.post("/v1/observations", "ru-liaison-2", []byte(obs("src-1", "blamed_party", `"UA"`))); r.status != 201 {
		t.Errorf("new source posts: %d %s", r.status, r.body)
	}
	list := e.get("/v1/sources")
	if list.status != 200 || strings.Contains(string(list.body), "token") || strings.Contains(string(list.body), truce.HashToken(created.Token)) {
		t.Errorf("list leaks tokens: %s", list.body)
	}
	var sources struct{ Sources []truce.Source }
	list.decode(t, &sources)
	if len(sources.Sources) != 6 {
		t.Errorf("%d sources: %s", len(sources.Sources), list.body)
	}
	for _, tc := range []struct {
		body   string
		status int
		path   string
	}{
		{`{"name":"ru-liaison-2","role":"monitor"}`, 409, ""},
		{`{"name":"x","role":"party:ru"}`, 400, "$.role"},
		{`{"name":"x","role":"general"}`, 400, "$.role"},
		{`{"name":"x"}`, 400, "$.role"},
		{`{"name":"Bad Name","role":"monitor"}`, 400, "$.name"},
		{`{"name":"x","role":"monitor","token":"mine"}`, 400, "$.token"},
		{`{"name":"x","role":"monitor"`, 400, "$"},
	} {
		r := e.post("/v1/sources", admin, []byte(tc.body))
		if r.status != tc.status {
			t.Errorf("%s: %d %s", tc.body, r.status, r.body)
			continue
		}
		p := r.problem(t)
		if tc.path != "" && (len(p.Errors) == 0 || p.Errors[0].Path != tc.path) {
			t.Errorf("%s: problems %s, want %s", tc.body, r.body, tc.path)
		}
	}
}

func TestControlMaps(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	ctx := context.Background()
	m := &truce.ControlMap{
		ID: "deepstate-2025-03-14", AsOf: t0, Note: "RU-held ground only",
		Holdings: []truce.Holding{{Party: "RU", Geometry: json.RawMessage(`{"type":"Polygon","coordinates":[[[37,48],[38,48],[38,49],[37,49],[37,48]]]}`)}},
	}
	if _, _, err := e.db.AddControlMap(ctx, nil, m); err != nil {
		t.Fatal(err)
	}
	r := e.get("/v1/control-maps")
	if r.status != 200 || !strings.Contains(string(r.body), `"id":"deepstate-2025-03-14"`) {
		t.Errorf("list: %d %s", r.status, r.body)
	}
	r = e.get("/v1/control-maps/deepstate-2025-03-14")
	if r.status != 200 || !strings.Contains(string(r.body), `"coordinates":[[[37,48]`) {
		t.Errorf("get: %d %s", r.status, r.body)
	}
	if r := e.get("/v1/control-maps/nope"); r.status != 404 {
		t.Errorf("missing: %d", r.status)
	}
}

func TestLog(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	seedObservations(t, e, 12)
	size := e.logSize()
	var got struct{ Size int64 }
	e.get("/v1/log/size").decode(t, &got)
	if got.Size != size || size < 12 {
		t.Fatalf("size %d, store says %d", got.Size, size)
	}
	var entries []struct {
		Index         int64           `json:"index"`
		Type          string          `json:"type"`
		Time          string          `json:"time"`
		Submitter     string          `json:"submitter"`
		Data          json.RawMessage `json:"data"`
		ContentSHA256 string          `json:"content_sha256"`
	}
	e.get("/v1/log/entries").decode(t, &entries)
	if int64(len(entries)) != size {
		t.Fatalf("%d entries, want %d", len(entries), size)
	}
	for i, en := range entries {
		if en.Index != int64(i) {
			t.Errorf("entry %d has index %d", i, en.Index)
		}
		// Anyone can recompute the content hash from the fields.
		enc := "truce-entry/v1\n" + en.Type + "\n" + en.Time + "\n" + en.Submitter + "\n" + string(en.Data)
		h := sha256.Sum256([]byte(enc))
		if hex.EncodeToString(h[:]) != en.ContentSHA256 {
			t.Errorf("entry %d: content_sha256 %s does not match its fields", i, en.ContentSHA256)
		}
	}
	if entries[len(entries)-1].Type != "observation" || !strings.Contains(string(entries[len(entries)-1].Data), `"source":`) {
		t.Errorf("last entry %+v", entries[len(entries)-1])
	}
	e.get(fmt.Sprintf("/v1/log/entries?start=%d&end=%d", size-3, size+50)).decode(t, &entries)
	if len(entries) != 3 || entries[0].Index != size-3 {
		t.Errorf("tail: %d entries", len(entries))
	}
	e.get("/v1/log/entries?start=1000000").decode(t, &entries)
	if len(entries) != 0 {
		t.Errorf("past the end: %d entries", len(entries))
	}
	for _, tc := range []struct{ query, path string }{
		{"start=-1", "query.start"},
		{"start=x", "query.start"},
		{"start=5&end=4", "query.end"},
		{"start=0&end=1001", "query.end"},
		{"from=0", "query.from"},
	} {
		r := e.get("/v1/log/entries?" + tc.query)
		if r.status != 400 {
			t.Errorf("%s: %d", tc.query, r.status)
			continue
		}
		if p := r.problem(t); len(p.Errors) == 0 || p.Errors[0].Path != tc.path {
			t.Errorf("%s: %s", tc.query, r.body)
		}
	}
}

func TestHealthzAndMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	e := newEnv(t, httpapi.Options{Registry: reg})
	var h struct {
		Status  string `json:"status"`
		LogSize int64  `json:"log_size"`
	}
	e.get("/healthz").decode(t, &h)
	if h.Status != "ok" || h.LogSize != e.logSize() {
		t.Errorf("healthz %+v", h)
	}
	m1 := e.post("/v1/observations", monitor, []byte(obs("m-1"))).header.Get("Location")
	e.post("/v1/observations", monitor, []byte(obs("m-2", "kind", `"bad"`)))
	e.postNDJSON(partyUA, obs("m-3"), obs("m-4"))
	e.get(m1)
	e.get(m1)
	e.get("/no/such/route")
	r := e.get("/metrics")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("metrics: %d %s", r.status, r.header.Get("Content-Type"))
	}
	for _, want := range []string{
		`truce_http_requests_total{route="POST /v1/observations",status="201"} 2`,
		`truce_http_requests_total{route="POST /v1/observations",status="400"} 1`,
		`truce_http_requests_total{route="GET /v1/observations/{id}",status="200"} 2`,
		`truce_http_requests_total{route="GET /healthz",status="200"} 1`,
		`truce_http_requests_total{route="unmatched",status="404"} 1`,
		`truce_http_request_duration_seconds_count{route="GET /v1/observations/{id}"} 2`,
		`truce_observations_accepted_total{source_role="monitor"} 1`,
		`truce_observations_accepted_total{source_role="party"} 2`,
		`truce_observations_created_total{source_role="party"} 2`,
		`truce_observation_batches_rejected_total{code="invalid"} 1`,
		`go_goroutines `,
	} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// The store closed: health fails with 503, other reads with a generic
	// 500 whose cause is logged, not sent.
	e.db.Close()
	if r := e.get("/healthz"); r.status != 503 {
		t.Errorf("healthz on a closed store: %d %s", r.status, r.body)
	}
	r = e.get("/v1/log/size")
	if r.status != 500 || r.problem(t).Detail != "Internal error." {
		t.Errorf("closed store: %d %s", r.status, r.body)
	}
	if !strings.Contains(e.logs.String(), "internal error") {
		t.Errorf("internal error not logged:\n%s", e.logs.String())
	}
}

func TestRequestLog(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	e.get("/v1/log/size")
	e.get("/healthz")
	logs := e.logs.String()
	for _, want := range []string{
		`level=INFO msg="http request" method=GET path=/v1/log/size status=200 duration=`,
		`level=DEBUG msg="http request" method=GET path=/healthz status=200`,
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
}

func TestRouting(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	r := e.get("/v2/nothing")
	if r.status != 404 || r.problem(t).Instance != "/v2/nothing" {
		t.Errorf("unknown route: %d %s", r.status, r.body)
	}
	r = e.do("DELETE", "/v1/observations", e.tokens[admin], "", nil)
	if r.status != 405 || r.header.Get("Allow") != "GET, HEAD, POST" {
		t.Errorf("DELETE: %d Allow %q %s", r.status, r.header.Get("Allow"), r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("405 Content-Type %q", ct)
	}
	r = e.do("PUT", "/v1/observations/x", e.tokens[admin], "", nil)
	if r.status != 405 || r.header.Get("Allow") != "GET, HEAD" {
		t.Errorf("PUT: %d Allow %q", r.status, r.header.Get("Allow"))
	}
}

// panicStore is a real store whose LogSize panics, to check recovery.
type panicStore struct{ truce.Store }

func (panicStore) LogSize(context.Context) (int64, error) { panic("boom") }

func TestPanicRecovered(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	api := httpapi.NewServer(panicStore{e.db}, httpapi.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Limits: &httpapi.Limits{}})
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/log/size", nil))
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"detail":"Internal error."`) || strings.Contains(rec.Body.String(), "boom") {
		t.Errorf("panic: %d %s", rec.Code, rec.Body)
	}
}

func TestIssueToken(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	old := e.tokens[partyUA]
	if r := e.post("/v1/sources/"+partyUA+"/token", partyRU, nil); r.status != 403 {
		t.Errorf("a party issuing a token: %d, want 403", r.status)
	}
	if r := e.post("/v1/sources/nobody/token", admin, nil); r.status != 404 {
		t.Errorf("unknown source: %d, want 404", r.status)
	}
	size := e.logSize()
	r := e.post("/v1/sources/"+partyUA+"/token", admin, nil)
	if r.status != 201 || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("issue: %d %s", r.status, r.body)
	}
	var issued struct {
		Source struct{ Name string } `json:"source"`
		Token  string                `json:"token"`
	}
	r.decode(t, &issued)
	if issued.Source.Name != partyUA || issued.Token == "" || issued.Token == old {
		t.Fatalf("issued %s", r.body)
	}
	if n := e.logSize(); n != size+1 {
		t.Errorf("issuing logged %d entries, want 1 (the credential)", n-size)
	}
	if r := e.do("POST", "/v1/observations", old, "application/json", []byte(obs("t-1"))); r.status != 401 {
		t.Errorf("old token: %d, want 401", r.status)
	}
	if r := e.do("POST", "/v1/observations", issued.Token, "application/json", []byte(obs("t-2"))); r.status != 201 {
		t.Errorf("new token: %d %s, want 201", r.status, r.body)
	}
	entries := e.get("/v1/log/entries?start=0&end=1000")
	if strings.Contains(string(entries.body), truce.HashToken(issued.Token)) || strings.Contains(string(entries.body), truce.HashToken(old)) {
		t.Error("the log serves a token hash")
	}
}
