package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/httpapi"
	"github.com/truce-monitor/truce/sqlite"
)

// fuzzServer is a server over a store with an admin, an analyst and a
// party, for the fuzz targets of request decoding.
func fuzzServer(f *testing.F) (*httpapi.Server, *sqlite.DB, map[string]string) {
	db, err := sqlite.Open(context.Background(), filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	tokens := map[string]string{}
	for _, s := range []*truce.Source{{Name: "admin", Role: truce.RoleAdmin}, {Name: "ana", Role: truce.RoleAnalyst}, {Name: "ru", Role: truce.RoleParty, Party: "RU"}} {
		tok, err := db.CreateSource(context.Background(), nil, s)
		if err != nil {
			f.Fatal(err)
		}
		tokens[s.Name] = tok
	}
	return httpapi.NewServer(db, httpapi.Options{Logger: slog.New(slog.DiscardHandler), Limits: &httpapi.Limits{}}), db, tokens
}

// checkProblem fails t unless rec is a success or a well-formed 4xx
// problem; a 5xx is a fault whatever the input.
func checkProblem(t *testing.T, rec *httptest.ResponseRecorder, what string) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("%s: status %d: %s", what, rec.Code, rec.Body)
	}
	if rec.Code < 400 {
		return
	}
	var p httpapi.Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != rec.Code || p.Detail == "" || p.RequestID == "" {
		t.Fatalf("%s: status %d, not a problem: %s", what, rec.Code, rec.Body)
	}
	for _, x := range p.Errors {
		if x.Message == "" {
			t.Fatalf("%s: a problem without a message: %+v", what, x)
		}
	}
}

// getRoutes are the GET routes that take query parameters.
var getRoutes = []string{
	"/v1/observations", "/v1/findings", "/v1/log/entries", "/v1/log/root", "/v1/log/proof/inclusion",
	"/v1/log/proof/consistency", "/v1/control", "/v1/control/diff", "/v1/sources", "/v1/checkpoints/1",
	"/v1/releases", "/v1/audit/private-reads",
}

// adminRoutes are the routes of getRoutes that read their query only for
// an admin: the fuzz target sends them the admin's token.
var adminRoutes = map[string]bool{"/v1/releases": true, "/v1/audit/private-reads": true}

// FuzzQuery sends any raw query string to every GET route that reads
// one: each answer is a success or a 4xx problem whose paths name query
// parameters, never a 5xx.
func FuzzQuery(f *testing.F) {
	for _, q := range []string{
		"start=0&end=10", "start=9223372036854775807", "start=1&start=2", "index=0&size=1", "old=0&new=1",
		"from=2025-03-14&to=2025-03-15&bbox=36,47,39,49&kind=artillery,mlrs&limit=5", "bbox=1,2,3", "party=UA&party=RU",
		"date=2025-03-14&source=x", "kind=%C0%AF", "cursor=%00", "limit=-1", "min_area_km2=NaN", "a=%zz",
		"observation=o-00000000000000000000000000000000&after=3&limit=1000", "after=99999999999999999999", "limit=+1",
	} {
		for i := range getRoutes {
			f.Add(uint8(i), q)
		}
	}
	api, db, tokens := fuzzServer(f)
	f.Fuzz(func(t *testing.T, route uint8, query string) {
		path := getRoutes[int(route)%len(getRoutes)]
		req := httptest.NewRequest("GET", "/", nil)
		req.URL.Path, req.URL.RawQuery = path, query
		if adminRoutes[path] {
			req.Header.Set("Authorization", "Bearer "+tokens["admin"])
		}
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		checkProblem(t, rec, path+"?"+query)
		if rec.Code == http.StatusBadRequest {
			var p httpapi.Problem
			json.Unmarshal(rec.Body.Bytes(), &p)
			for _, x := range p.Errors {
				if x.Path != "" && !strings.HasPrefix(x.Path, "query.") && x.Path != "size" {
					t.Fatalf("%s?%s: problem at %q, not a query parameter", path, query, x.Path)
				}
			}
		}
		_ = db
	})
}

// postRoutes are the routes that decode a JSON body, with the role whose
// token is sent.
var postRoutes = []struct{ path, as string }{
	{"/v1/sources", "admin"}, {"/v1/agreements", "admin"}, {"/v1/witnesses", "admin"},
	{"/v1/sources/ana/key", "admin"}, {"/v1/checkpoint/cosignatures", ""},
	{"/v1/findings/nothing/reviews", "ru"}, {"/v1/observations", "admin"},
}

// FuzzPostBody sends any body to every route that decodes one: each is
// answered with a success or a 4xx problem, never a 5xx, and a refused
// body stores nothing.
func FuzzPostBody(f *testing.F) {
	for _, b := range []string{
		`{"name":"s-1","role":"monitor"}`, `{"name":"s-2","role":"party:UA","description":"x"}`, `{"name":"w","key":"x"}`,
		`{"public_key":"AAAA"}`, `{"size":1,"root":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","cosignature":"— w AAAA\n"}`,
		`{"id":"r","version":1,"action":"dispute","reason":"r","evidence":["x"]}`, `{"id":"a","title":"t"}`,
		`[]`, `null`, `{"name":"\udc00"}`, "{\"name\":\"\xff\"}", `{"name":1e999}`, `{"a":` + strings.Repeat("[", 300),
	} {
		for i := range postRoutes {
			f.Add(uint8(i), []byte(b))
		}
	}
	api, db, tokens := fuzzServer(f)
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		r := postRoutes[int(route)%len(postRoutes)]
		before, err := db.LogSize(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest("POST", r.path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if r.as != "" {
			req.Header.Set("Authorization", "Bearer "+tokens[r.as])
		}
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		checkProblem(t, rec, r.path)
		if after, _ := db.LogSize(context.Background()); rec.Code >= 400 && after != before {
			t.Fatalf("%s: refused with %d, but the log grew from %d to %d", r.path, rec.Code, before, after)
		}
		_, _ = io.Discard.Write(nil)
	})
}
