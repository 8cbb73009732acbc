package httpapi_test

import (
	"bufio"
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
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/control/controltest"
	"github.com/truce-monitor/truce/httpapi"
	"github.com/truce-monitor/truce/sqlite"
)

// withDeepState adds the DeepState maps of 2025-03-14 and 2025-04-13 from
// control/testdata to e's store, under a dataset source "deepstate".
func withDeepState(t testing.TB, e *env) {
	t.Helper()
	ctx := context.Background()
	src := &truce.Source{Name: "deepstate", Role: truce.RoleDataset}
	if _, err := e.db.CreateSource(ctx, nil, src); err != nil {
		t.Fatal(err)
	}
	for _, day := range controltest.Days {
		m := controltest.DeepState(t, day)
		if _, _, err := e.db.AddControlMap(ctx, src, m); err != nil {
			t.Fatal(err)
		}
	}
}

type geoCollection struct {
	Type string `json:"type"`
	Maps []struct {
		ID string `json:"id"`
	} `json:"maps"`
	Features []struct {
		Type       string         `json:"type"`
		Properties map[string]any `json:"properties"`
		Geometry   struct {
			Type string `json:"type"`
		} `json:"geometry"`
	} `json:"features"`
	Changes []struct {
		Party     string  `json:"party"`
		GainedKM2 float64 `json:"gained_km2"`
		LostKM2   float64 `json:"lost_km2"`
	} `json:"changes"`
}

func decodeGeoJSON(t *testing.T, r response) geoCollection {
	t.Helper()
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("status %d, Content-Type %q: %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	var c geoCollection
	if err := json.Unmarshal(r.body, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestControlMapGeoJSON(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	withDeepState(t, e)
	c := decodeGeoJSON(t, e.get("/v1/control?date=2025-03-20"))
	if c.Type != "FeatureCollection" || len(c.Maps) != 1 || c.Maps[0].ID != "deepstate-2025-03-14" || len(c.Features) != 4 {
		t.Fatalf("collection: %+v", c)
	}
	want := []struct{ party, geom string }{{"RU", "MultiPolygon"}, {"UA", "MultiPolygon"}, {"unknown", "MultiPolygon"}, {"", "MultiLineString"}}
	for i, w := range want {
		f := c.Features[i]
		if f.Type != "Feature" || f.Geometry.Type != w.geom || w.party != "" && f.Properties["party"] != w.party {
			t.Errorf("features[%d] %+v, want %s %s", i, f, w.party, w.geom)
		}
	}
	if l, _ := c.Features[3].Properties["length_km"].(float64); c.Features[3].Properties["kind"] != "line_of_contact" || l < 1000 || l > 1300 {
		t.Errorf("line feature %+v", c.Features[3].Properties)
	}
	if a, _ := c.Features[0].Properties["area_km2"].(float64); a < 110000 || a > 112500 {
		t.Errorf("RU area %v km²", a)
	}
}

func TestControlDiffGeoJSON(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	withDeepState(t, e)
	c := decodeGeoJSON(t, e.get("/v1/control/diff?from=2025-03-14&to=2025-04-13&min_area_km2=1"))
	if len(c.Maps) != 2 || c.Maps[1].ID != "deepstate-2025-04-13" || len(c.Changes) != 2 || c.Changes[0].Party != "RU" || c.Changes[0].GainedKM2 <= 100 {
		t.Fatalf("diff: maps %+v, changes %+v", c.Maps, c.Changes)
	}
	for i, f := range c.Features {
		if a, _ := f.Properties["area_km2"].(float64); f.Geometry.Type != "Polygon" || a < 1 {
			t.Errorf("features[%d] %+v: want polygons of at least 1 km²", i, f)
		}
	}
}

func TestControlErrors(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	withDeepState(t, e)
	tests := []struct {
		method, path, ctype string
		body                string
		status              int
		path0               string // the first problem's path, if any
	}{
		{"GET", "/v1/control", "", "", 400, "query.date"},
		{"GET", "/v1/control?date=yesterday", "", "", 400, "query.date"},
		{"GET", "/v1/control?date=2025-03-14&colour=red", "", "", 400, "query.colour"},
		{"GET", "/v1/control?date=2020-01-01", "", "", 404, ""},
		{"GET", "/v1/control?date=2025-03-14&source=nobody", "", "", 400, "query.source"},
		{"GET", "/v1/control/diff?from=2025-03-14", "", "", 400, "query.to"},
		{"GET", "/v1/control/diff?from=2025-03-14&to=2025-04-13&min_area_km2=-1", "", "", 400, "query.min_area_km2"},
		{"POST", "/v1/control/classify", "text/csv", "lon,lat\n", 415, ""},
		{"POST", "/v1/control/classify?date=soon", "application/x-ndjson", "", 400, "query.date"},
		{"DELETE", "/v1/control", "", "", 405, ""},
	}
	for _, tt := range tests {
		r := e.do(tt.method, tt.path, "", tt.ctype, []byte(tt.body))
		if r.status != tt.status {
			t.Errorf("%s %s: status %d, want %d: %s", tt.method, tt.path, r.status, tt.status, r.body)
			continue
		}
		p := r.problem(t)
		if tt.path0 != "" && (len(p.Errors) == 0 || p.Errors[0].Path != tt.path0) {
			t.Errorf("%s %s: problems %+v, want the first at %s", tt.method, tt.path, p.Errors, tt.path0)
		}
	}
}

type classified struct {
	Line      int             `json:"line"`
	ID        json.RawMessage `json:"id"`
	Holder    string          `json:"holder"`
	DistanceM *float64        `json:"distance_m"`
	SignedM   *float64        `json:"signed_distance_m"`
	Map       string          `json:"map"`
	Error     *struct {
		Code     string          `json:"code"`
		Message  string          `json:"message"`
		Problems []truce.Problem `json:"errors"`
	} `json:"error"`
}

func readClassified(t *testing.T, body []byte) []classified {
	t.Helper()
	var out []classified
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		var c classified
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		out = append(out, c)
	}
	return out
}

func TestClassify(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	withDeepState(t, e)
	body := strings.Join([]string{
		`{"id":"kramatorsk","lon":37.5847,"lat":48.7389}`,
		`{"id":2,"lon":37.8028,"lat":48.0159,"time":"2025-04-20T00:00:00Z"}`,
		``,
		`{"id":"bad-lat","lon":37.5,"lat":91}`,
		`not json`,
		`{"id":"early","lon":37.5,"lat":48.5,"time":"2020-01-01T00:00:00Z"}`,
		`{"id":"extra","lon":37.5,"lat":48.5,"colour":"red"}`,
		`{"id":"belgorod","lon":36.5853,"lat":50.5997}`,
	}, "\n")
	r := e.do("POST", "/v1/control/classify?date=2025-03-20", "", "application/x-ndjson", []byte(body))
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("status %d, %s: %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	got := readClassified(t, r.body)
	if len(got) != 7 {
		t.Fatalf("%d output lines for 7 non-blank input lines:\n%s", len(got), r.body)
	}
	want := []struct {
		line   int
		holder string
		sign   float64
		mapID  string
		code   string
		path   string
	}{
		{1, "UA", -1, "deepstate-2025-03-14", "", ""},
		{2, "RU", 1, "deepstate-2025-04-13", "", ""},
		{4, "", 0, "", truce.EINVALID, "$.lat"},
		{5, "", 0, "", truce.EINVALID, "$"},
		{6, "", 0, "", truce.ENOTFOUND, ""},
		{7, "", 0, "", truce.EINVALID, "$.colour"},
		{8, "unknown", -1, "deepstate-2025-03-14", "", ""},
	}
	for i, w := range want {
		g := got[i]
		if g.Line != w.line {
			t.Errorf("output %d: line %d, want %d", i, g.Line, w.line)
		}
		if w.code != "" {
			if g.Error == nil || g.Error.Code != w.code || w.path != "" && (len(g.Error.Problems) == 0 || g.Error.Problems[0].Path != w.path || g.Error.Problems[0].Line != w.line) {
				t.Errorf("line %d: %+v, want error %s at %s", w.line, g, w.code, w.path)
			}
			continue
		}
		if g.Error != nil || g.Holder != w.holder || g.Map != w.mapID || g.DistanceM == nil || *g.SignedM != w.sign**g.DistanceM {
			t.Errorf("line %d: %+v, want %s on %s", w.line, g, w.holder, w.mapID)
		}
	}
	if string(got[0].ID) != `"kramatorsk"` || string(got[1].ID) != `2` {
		t.Errorf("ids %s, %s: want them echoed", got[0].ID, got[1].ID)
	}
}

// TestClassifyStreams checks that answers come while the request is still
// being sent: the client writes a line, reads its answer, then writes the
// next.
func TestClassifyStreams(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	withDeepState(t, e)
	pr, pw := io.Pipe()
	req, err := http.NewRequest("POST", e.srv.URL+"/v1/control/classify?date=2025-03-20", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	done := make(chan *http.Response, 1)
	go func() {
		res, err := e.srv.Client().Do(req)
		if err != nil {
			t.Error(err)
			close(done)
			return
		}
		done <- res
	}()
	if _, err := io.WriteString(pw, `{"id":"a","lon":37.5847,"lat":48.7389}`+"\n"); err != nil {
		t.Fatal(err)
	}
	res := <-done
	if res == nil {
		t.FailNow()
	}
	defer res.Body.Close()
	br := bufio.NewReader(res.Body)
	first, err := br.ReadBytes('\n')
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(first, []byte(`"id":"a"`)) {
		t.Errorf("first answer %s", first)
	}
	io.WriteString(pw, `{"id":"b","lon":37.8028,"lat":48.0159}`+"\n")
	pw.Close()
	second, err := br.ReadBytes('\n')
	if err != nil || !bytes.Contains(second, []byte(`"holder":"RU"`)) {
		t.Errorf("second answer %s, %v", second, err)
	}
}

// FuzzClassify checks that POST /v1/control/classify answers any body with
// 200 and one JSON line per non-blank input line, in order, each a result
// or an error naming the line, and never a 5xx or an internal error.
func FuzzClassify(f *testing.F) {
	f.Add([]byte(`{"id":"a","lon":37.5,"lat":48.5}` + "\n" + `{"id":2,"lon":10,"lat":10,"time":"2025-03-20T00:00:00Z"}`))
	f.Add([]byte(`{"lon":37.5}` + "\n\n" + `nonsense` + "\n" + `{"id":{"x":1},"lon":"37","lat":null}`))
	f.Add([]byte(`{"id":"early","lon":37.5,"lat":48.5,"time":"1999-01-01T00:00:00Z"}` + "\r\n" + `[1,2]`))
	f.Add([]byte(`{"id":"a","lon":37.5,"lat":48.5,"lon":38}`))

	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	src := &truce.Source{Name: "maps", Role: truce.RoleDataset}
	if _, err := db.CreateSource(ctx, nil, src); err != nil {
		f.Fatal(err)
	}
	m := &truce.ControlMap{ID: "square", AsOf: time.Date(2025, 3, 14, 3, 0, 0, 0, time.UTC), Holdings: []truce.Holding{{Party: "RU",
		Geometry: json.RawMessage(`{"type":"Polygon","coordinates":[[[37,48],[38,48],[38,49],[37,49],[37,48]]]}`)}}}
	if _, _, err := db.AddControlMap(ctx, src, m); err != nil {
		f.Fatal(err)
	}
	api := httpapi.NewServer(db, httpapi.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Limits: &httpapi.Limits{}})

	f.Fuzz(func(t *testing.T, data []byte) {
		req := httptest.NewRequest("POST", "/v1/control/classify?date=2025-03-20", bytes.NewReader(data))
		req.Header.Set("Content-Type", "application/x-ndjson")
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		var want []int
		for i, l := range bytes.Split(data, []byte{'\n'}) {
			if len(bytes.TrimSpace(l)) > 0 {
				want = append(want, i+1)
			}
		}
		out := bytes.Split(bytes.TrimSuffix(rec.Body.Bytes(), []byte{'\n'}), []byte{'\n'})
		if len(want) == 0 {
			if rec.Body.Len() != 0 {
				t.Fatalf("answer to a blank body: %s", rec.Body)
			}
			return
		}
		if len(out) != len(want) {
			t.Fatalf("%d answers for %d lines: %s", len(out), len(want), rec.Body)
		}
		for i, l := range out {
			var c classified
			if err := json.Unmarshal(l, &c); err != nil {
				t.Fatalf("answer %d is not JSON: %s", i, l)
			}
			if c.Line != want[i] {
				t.Fatalf("answer %d names line %d, want %d", i, c.Line, want[i])
			}
			switch {
			case c.Error != nil && (c.Error.Code == "" || c.Error.Code == truce.EINTERNAL || c.Error.Message == ""):
				t.Fatalf("line %d: error %+v", c.Line, c.Error)
			case c.Error == nil && (c.Holder == "" || c.Map != "square"):
				t.Fatalf("line %d: result %+v", c.Line, c)
			}
		}
	})
}

// BenchmarkClassify posts batches of 1,000 points within about 30 km of the
// front (seeded) and reads the answers; one op is one point.
func BenchmarkClassify(b *testing.B) {
	e := newEnv(b, httpapi.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Limits: &httpapi.Limits{}})
	withDeepState(b, e)
	var body bytes.Buffer
	for i := range 1000 {
		// A grid over the Donetsk front, 36.5–38.5° E, 47.5–49° N.
		fmt.Fprintf(&body, `{"id":%d,"lon":%.4f,"lat":%.4f}`+"\n", i, 36.5+float64(i%40)*0.05, 47.5+float64(i/40)*0.06)
	}
	e.do("POST", "/v1/control/classify?date=2025-03-14", "", "application/x-ndjson", body.Bytes()) // prepare the map
	b.ResetTimer()
	for n := 0; n < b.N; n += 1000 {
		r := e.do("POST", "/v1/control/classify?date=2025-03-14", "", "application/x-ndjson", body.Bytes())
		if r.status != 200 || bytes.Count(r.body, []byte{'\n'}) != 1000 {
			b.Fatalf("status %d", r.status)
		}
	}
}
