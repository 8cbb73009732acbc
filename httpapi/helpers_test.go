package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/httpapi"
	"github.com/truce-monitor/truce/sqlite"
)

// env is a running API over a fresh SQLite store, with a source of each
// kind.
type env struct {
	t      testing.TB
	db     *sqlite.DB
	api    *httpapi.Server
	srv    *httptest.Server
	tokens map[string]string // source name → token
	logs   *syncWriter
}

// Sources every env has.
const (
	admin   = "admin"
	monitor = "osce-team-1"
	partyUA = "ua-liaison"
	partyRU = "ru-liaison"
	analyst = "analyst-1"
)

func newEnv(t testing.TB, opts httpapi.Options) *env {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	// A fixed sealing key, so that public ids in golden files reproduce.
	if err := db.SetSealingKey(ctx, []byte("httpapi tests' sealing key: 32 B")); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, tokens: map[string]string{}, logs: &syncWriter{buf: new(bytes.Buffer)}}
	for _, s := range []*truce.Source{
		{Name: admin, Role: truce.RoleAdmin},
		{Name: monitor, Role: truce.RoleMonitor, Description: "OSCE-style monitoring team"},
		{Name: partyUA, Role: truce.RoleParty, Party: "UA"},
		{Name: partyRU, Role: truce.RoleParty, Party: "RU"},
		{Name: analyst, Role: truce.RoleAnalyst},
	} {
		token, err := db.CreateSource(ctx, nil, s)
		if err != nil {
			t.Fatalf("create source %s: %v", s.Name, err)
		}
		e.tokens[s.Name] = token
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if opts.Limits == nil {
		opts.Limits = &httpapi.Limits{} // the tests of limits set their own
	}
	e.api = httpapi.NewServer(db, opts)
	e.srv = httptest.NewServer(e.api)
	t.Cleanup(e.srv.Close)
	return e
}

// syncWriter serializes writes to buf.
type syncWriter struct {
	mu  sync.Mutex
	buf *bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

// response is what a request got back.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request; token "" sends no Authorization header, and
// contentType "" no Content-Type.
func (e *env) do(method, path, token, contentType string, body []byte) response {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

func (e *env) get(path string) response {
	e.t.Helper()
	return e.do("GET", path, "", "", nil)
}

// post sends body as application/json with the token of source as.
func (e *env) post(path, as string, body []byte) response {
	e.t.Helper()
	return e.do("POST", path, e.tokens[as], "application/json", body)
}

// postNDJSON sends lines as application/x-ndjson.
func (e *env) postNDJSON(as string, lines ...string) response {
	e.t.Helper()
	return e.do("POST", "/v1/observations", e.tokens[as], "application/x-ndjson", []byte(strings.Join(lines, "\n")+"\n"))
}

func (e *env) logSize() int64 {
	e.t.Helper()
	n, err := e.db.LogSize(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// problem decodes a problem+json body, failing the test if it is not one.
func (r response) problem(t testing.TB) httpapi.Problem {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json; body %s", ct, r.body)
	}
	var p httpapi.Problem
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("problem body %s: %v", r.body, err)
	}
	if p.Status != r.status {
		t.Errorf("problem status %d, response status %d", p.Status, r.status)
	}
	if !strings.HasPrefix(p.Type, httpapi.ProblemTypeBase) || p.Title == "" || p.Detail == "" || !strings.HasPrefix(p.Instance, "/") {
		t.Errorf("incomplete problem: %+v", p)
	}
	return p
}

// decode decodes a JSON body into v.
func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type = %q, want application/json; status %d body %s", ct, r.status, r.body)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body %s: %v", r.body, err)
	}
}

// t0 is the start of the 2025 ceasefire proposal's window.
var t0 = time.Date(2025, 3, 14, 4, 0, 0, 0, time.UTC)

// obs returns a valid observation as a JSON object with fields overridden
// or added by kv (key, JSON value, key, JSON value...); a value of "" drops
// the key.
func obs(id string, kv ...string) string {
	fields := [][2]string{
		{"id", q(id)},
		{"kind", `"artillery"`},
		{"observed_at", `"2025-03-14T06:30:00+02:00"`},
		{"time_precision", `"minute"`},
		{"location", `{"lon":37.62,"lat":48.59,"uncertainty_m":500}`},
		{"blamed_party", `"RU"`},
		{"text", `"Обстріл з артилерії"`},
		{"lang", `"uk"`},
	}
	for i := 0; i+1 < len(kv); i += 2 {
		found := false
		for j := range fields {
			if fields[j][0] == kv[i] {
				fields[j][1], found = kv[i+1], true
			}
		}
		if !found {
			fields = append(fields, [2]string{kv[i], kv[i+1]})
		}
	}
	var b strings.Builder
	b.WriteByte('{')
	first := true
	for _, f := range fields {
		if f[1] == "" {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		fmt.Fprintf(&b, "%q:%s", f[0], f[1])
	}
	b.WriteByte('}')
	return b.String()
}

func q(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// getAs sends GET path with the token of source as.
func (e *env) getAs(path, as string) response {
	e.t.Helper()
	return e.do("GET", path, e.tokens[as], "", nil)
}

// filed returns the path by which the mission reads the observation source
// filed under id.
func filed(source, id string) string {
	return "/v1/sources/" + source + "/observations/" + id
}

// publicID returns the public id of the observation source filed under id,
// as the mission reads it.
func (e *env) publicID(source, id string) string {
	e.t.Helper()
	var rec struct {
		PublicID string `json:"public_id"`
	}
	e.getAs(filed(source, id), analyst).decode(e.t, &rec)
	if rec.PublicID == "" {
		e.t.Fatalf("%s's observation %s has no public id", source, id)
	}
	return rec.PublicID
}
