package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/httpapi"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const series = "5d1b7c3e-0000-5000-8000-000000000001"

// findingsEnv is an env whose store holds two observations blamed on RU
// and version 1 of a finding series anchored at the first, attributed to
// RU. Entries are stamped with a fixed time, so that responses are
// golden.
func findingsEnv(t *testing.T) *env {
	e := newEnv(t, httpapi.Options{})
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	e.db.Now = func() time.Time { return at }
	if r := e.postNDJSON(monitor, obs("o-1"), obs("o-2")); r.status != 200 && r.status != 201 {
		t.Fatalf("observations: %d %s", r.status, r.body)
	}
	e.record(t, truce.Probable, "o-1")
	return e
}

// record stores a recomputation in which the series' incident holds obs.
func (e *env) record(t *testing.T, conf truce.Confidence, obs ...string) {
	t.Helper()
	size := e.logSize()
	inc := "inc-" + strings.Join(obs, "_")
	_, err := e.db.RecordFindings(context.Background(), &truce.FindingRun{
		Agreement: "ag", AgreementVersion: 1, LogSize: size, Engine: "test/1",
		Findings: []*truce.SeriesFinding{{Series: series, Anchor: obs[0], AnchorIndex: 5, Observations: obs, Finding: &truce.Finding{
			ID: "f-" + inc, Incident: inc, Agreement: "ag", Version: 1, Violation: true, Rule: "R1", Party: "RU",
			Confidence: conf, Reasons: []truce.Reason{{Code: "fire_across_line", Text: "Fire crossed the line of contact."}},
			Engine: "test/1", LogSize: size,
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestReviewRoutes(t *testing.T) {
	e := findingsEnv(t)
	path := "/v1/findings/" + series + "/reviews"
	confirm := []byte(`{"id":"r-1","version":1,"action":"confirm","reason":"Matches the crater survey."}`)
	dispute := []byte(`{"id":"r-2","version":1,"action":"dispute","reason":"Our battery was 40 km away.","evidence":["` + e.publicID(monitor, "o-2") + `"],"text":"Unit logs."}`)
	for _, tc := range []struct {
		name, as string
		path     string
		body     []byte
		status   int
		errPath  string
	}{
		{"no token", "", path, confirm, 401, ""},
		{"monitor", monitor, path, confirm, 403, ""},
		{"admin", admin, path, confirm, 403, ""},
		{"analyst disputes", analyst, path, dispute, 403, ""},
		{"party confirms", partyRU, path, confirm, 403, ""},
		{"another party disputes", partyUA, path, dispute, 403, ""},
		{"unknown finding", analyst, "/v1/findings/nothing/reviews", confirm, 404, ""},
		{"unknown version", analyst, path, []byte(`{"id":"r-9","version":7,"action":"confirm"}`), 404, ""},
		{"server-set field", analyst, path, []byte(`{"id":"r-9","version":1,"action":"confirm","by":"someone"}`), 400, "$.by"},
		{"unknown action", analyst, path, []byte(`{"id":"r-9","version":1,"action":"approve"}`), 400, "$.action"},
		{"override changes nothing", analyst, path, []byte(`{"id":"r-9","version":1,"action":"override","party":"RU","reason":"same"}`), 400, "$"},
		{"missing evidence", partyRU, path, []byte(`{"id":"r-9","version":1,"action":"dispute","reason":"r","evidence":["nope"]}`), 400, "$.evidence[0]"},
		{"resolve unknown dispute", analyst, path, []byte(`{"id":"r-9","version":1,"action":"resolve","dispute":"nope","outcome":"rejected","reason":"r"}`), 404, ""},
		{"confirm", analyst, path, confirm, 201, ""},
		{"confirm again", analyst, path, confirm, 200, ""},
		{"same id, other body", analyst, path, bytes.Replace(confirm, []byte("crater"), []byte("radar"), 1), 409, ""},
		{"dispute", partyRU, path, dispute, 201, ""},
		{"reject", analyst, path, []byte(`{"id":"r-3","version":1,"action":"resolve","dispute":"r-2","outcome":"rejected","reason":"Two bearings cross inside RU-held ground."}`), 201, ""},
		{"resolve again", analyst, path, []byte(`{"id":"r-4","version":1,"action":"resolve","dispute":"r-2","outcome":"upheld","confidence":"possible","reason":"r"}`), 409, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("POST", tc.path, e.tokens[tc.as], "application/json", tc.body)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.status >= 400 {
				p := r.problem(t)
				if p.Detail == "" {
					t.Error("problem without detail")
				}
				if tc.errPath != "" && !hasPath(p.Errors, tc.errPath) {
					t.Errorf("problems %v name no %s", p.Errors, tc.errPath)
				}
			}
		})
	}
	// A new version makes version 1 stale.
	e.record(t, truce.Confirmed, "o-1", "o-2")
	r := e.post(path, analyst, []byte(`{"id":"r-5","version":1,"action":"override","confidence":"possible","reason":"r"}`))
	if r.status != 409 || !strings.Contains(r.problem(t).Detail, "current version is 2") {
		t.Fatalf("stale review: %d %s", r.status, r.body)
	}
	r = e.post(path, analyst, []byte(`{"id":"r-6","version":2,"action":"override","confidence":"probable","reason":"One bearing is a party's."}`))
	if r.status != 201 {
		t.Fatalf("override: %d %s", r.status, r.body)
	}

	r = e.get("/v1/findings/" + series)
	if r.status != 200 {
		t.Fatalf("history: %d %s", r.status, r.body)
	}
	golden(t, "testdata/finding-history.golden.json", r.body)
	var h truce.FindingHistory
	r.decode(t, &h)
	// Every id of the series finds it.
	for _, id := range []string{h.Earlier[0].ContentID, h.Current.ContentID, h.Current.Finding.ID} {
		if r := e.get("/v1/findings/" + id); r.status != 200 || r.header.Get("Content-Location") != "/v1/findings/"+series {
			t.Errorf("GET by %s: %d, Content-Location %q", id, r.status, r.header.Get("Content-Location"))
		}
	}
}

func hasPath(ps []truce.Problem, path string) bool {
	for _, p := range ps {
		if p.Path == path {
			return true
		}
	}
	return false
}

func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, got, "", "  "); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s differs (run with -update to rewrite it); got:\n%s", file, buf.Bytes())
	}
}

func TestListFindings(t *testing.T) {
	e := findingsEnv(t)
	for _, tc := range []struct {
		query  string
		status int
		n      int
	}{
		{"", 200, 1},
		{"?party=RU&confidence=probable&violation=true&rule=R1&agreement=ag", 200, 1},
		{"?party=UA", 200, 0},
		{"?party=-", 200, 0},
		{"?status=withdrawn", 200, 0},
		{"?status=all&limit=1", 200, 1},
		{"?status=maybe", 400, 0},
		{"?violation=perhaps", 400, 0},
		{"?limit=0", 400, 0},
		{"?colour=red", 400, 0},
		{"?cursor=%21", 400, 0},
	} {
		r := e.get("/v1/findings" + tc.query)
		if r.status != tc.status {
			t.Errorf("GET /v1/findings%s: %d, want %d: %s", tc.query, r.status, tc.status, r.body)
			continue
		}
		if tc.status != 200 {
			continue
		}
		var page struct {
			Findings []*truce.FindingVersion `json:"findings"`
		}
		r.decode(t, &page)
		if len(page.Findings) != tc.n {
			t.Errorf("GET /v1/findings%s: %d findings, want %d", tc.query, len(page.Findings), tc.n)
		}
	}
	if r := e.get("/v1/findings/nothing"); r.status != 404 {
		t.Errorf("unknown finding: %d", r.status)
	}
}

// FuzzDecodeReleaseBody checks that the release body parser never
// panics, that what it accepts validates, and that it rejects only with
// problems that say where.
func FuzzDecodeReleaseBody(f *testing.F) {
	for _, s := range []string{
		`{"id":"rel-1","groups":["text","evidence"],"to":"party","party":"RU","reason":"answers RU's question"}`,
		`{"id":"rel-2","groups":["position"],"to":"public","reason":"the team has left"}`,
		`{"id":"rel-3","groups":["text","text"],"to":"mission","reason":""}`,
		`{"id":"rel-4","groups":"text","to":"public","reason":"r","observation":"o-1"}`,
		`{"ID":"r-5"}`, `[]`, `{`, ``,
	} {
		f.Add([]byte(s))
	}
	const pid = "o-0123456789abcdef0123456789abcdef"
	f.Fuzz(func(t *testing.T, data []byte) {
		r, ps := httpapi.DecodeRelease(data, pid)
		if r != nil {
			if len(ps) > 0 {
				t.Fatalf("both a release and problems: %v", ps)
			}
			if err := r.Validate(); err != nil || r.Observation != pid {
				t.Fatalf("accepted an invalid release %+v: %v", r, err)
			}
			return
		}
		checkRejection(t, ps)
	})
}

// FuzzDecodeReviewBody checks that the review body parser never panics,
// that what it accepts validates, and that it rejects only with problems
// that say where.
func FuzzDecodeReviewBody(f *testing.F) {
	for _, s := range []string{
		`{"id":"r-1","version":1,"action":"confirm"}`,
		`{"id":"r-2","version":1,"action":"override","violation":false,"party":"","confidence":"possible","reason":"r"}`,
		`{"id":"r-3","version":1,"action":"dispute","reason":"r","evidence":["o-1"],"text":"t"}`,
		`{"id":"r-4","version":1,"action":"resolve","dispute":"r-3","outcome":"upheld","party":"UA","reason":"r"}`,
		`{"id":"r-5","version":1,"action":"confirm","id":"r-6"}`,
		`{"ID":"r-5"}`, `[]`, `{`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, ps := httpapi.DecodeReview(data, "series-1")
		if r != nil {
			if len(ps) > 0 {
				t.Fatalf("both a review and problems: %v", ps)
			}
			if err := r.Validate(); err != nil {
				t.Fatalf("accepted an invalid review: %v", err)
			}
			return
		}
		checkRejection(t, ps)
	})
}

// checkRejection fails t unless ps, a decoder's rejection, holds at least
// one problem and each says where (a JSON path) and what.
func checkRejection(t *testing.T, ps []truce.Problem) {
	t.Helper()
	if len(ps) == 0 {
		t.Fatal("rejected without a problem")
	}
	for _, p := range ps {
		if !strings.HasPrefix(p.Path, "$") || p.Message == "" {
			t.Fatalf("problem %+v does not say where and what", p)
		}
	}
}
