package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/sqlite"
	"github.com/truce-monitor/truce/storetest"
)

// addMonitorReports files, as a sealed monitoring team, reports of
// artillery fire near Pokrovsk and Toretsk during the 30-day window,
// each from an observer position with a bearing and a distance. They are
// logged now, so that every embargo on them is still running.
func addMonitorReports(t *testing.T, db string) {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	mon, _ := storetest.MustSource(t, store, "recompute-team-7", "monitor")
	f := func(v float64) *float64 { return &v }
	var obs []*truce.Observation
	for i, p := range []struct{ lon, lat, bearing, dist float64 }{
		{37.10, 48.35, 120, 4000}, {37.12, 48.33, 95, 3500}, {37.75, 48.42, 70, 5000}, {37.70, 48.40, 80, 4500},
	} {
		at := time.Date(2025, 3, 18+i, 21, 10, 0, 0, time.UTC)
		obs = append(obs, &truce.Observation{
			ID: fmt.Sprintf("t7-%d", i), Kind: truce.KindArtillery, ObservedAt: at, TimePrecision: truce.PrecisionMinute,
			Location: truce.Location{Observer: &truce.Position{Lon: p.lon, Lat: p.lat}, BearingDeg: f(p.bearing), BearingErrorDeg: 5,
				DistanceM: f(p.dist), DistanceErrorM: 500},
			Counts: &truce.Counts{Rounds: 6}, Text: "marker-recompute-text", Lang: "en",
		})
	}
	if _, err := store.AddObservations(ctx, mon, obs); err != nil {
		t.Fatal(err)
	}
}

// TestRecomputeByAudience is issue 11's recompute by audience on real
// data: the 30-day replay of the 2025 ceasefire over the real store, with
// a sealed team's reports added, is recomputed from bundles exported for
// each audience. The mission's bundle and a party's (whose embargo on the
// team's reports runs) give it byte for byte where they hold every input;
// the public's, which holds every open dataset's observation but not the
// team's, reproduces each finding that does not rest on the team, and
// names the team's reports by commitment for those that do.
func TestRecomputeByAudience(t *testing.T) {
	if testing.Short() {
		t.Skip("imports real data")
	}
	db := realStore(t, realImports(t), false)
	addMonitorReports(t, db)
	dir := t.TempDir()
	published := filepath.Join(dir, "published")
	args := []string{"replay", "--db", db, "--agreement", "ceasefire-30d-2025", "--from", "2025-03-14", "--days", "30"}
	code, out, errOut := runCLI(t, append(args, "--json", "--out", published)...)
	if code != exitOK {
		t.Fatalf("replay: exit %d: %s", code, errOut)
	}
	var s struct {
		Digest string `json:"findings_sha256"`
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	geojson := filepath.Join(published, "findings.geojson")
	var fc struct{ Features []json.RawMessage }
	if err := json.Unmarshal(mustRead(t, geojson), &fc); err != nil || len(fc.Features) == 0 {
		t.Fatalf("published findings: %v, %d", err, len(fc.Features))
	}
	findings := len(fc.Features)

	later := func(d time.Duration) string { return time.Now().Add(d).UTC().Format(time.RFC3339) }
	exported := 0
	recompute := func(audience, at string, extra ...string) (int, *verifyResult, string) {
		t.Helper()
		exported++
		bundle := filepath.Join(dir, fmt.Sprintf("bundle-%d", exported))
		if code, _, errOut := runCLI(t, "log", "export", "--db", db, "--audience", audience, "--at", at, bundle); code != exitOK {
			t.Fatalf("log export --audience %s: exit %d: %s", audience, code, errOut)
		}
		a := append([]string{"verify", "--recompute", "--agreement", "ceasefire-30d-2025", "--from", "2025-03-14", "--days", "30",
			"--expect", s.Digest, "--published", geojson}, extra...)
		code, text, _ := runCLI(t, append(a, bundle)...)
		_, js, errOut := runCLI(t, append(a, "--json", bundle)...)
		var res verifyResult
		if err := json.Unmarshal([]byte(js), &res); err != nil {
			t.Fatalf("verify --recompute %s: %v: %s%s", audience, err, js, errOut)
		}
		return code, &res, text
	}

	// The mission holds every group of every observation, and a party
	// past the 72-hour embargo every input: the source and position
	// groups (never the text, which is no input).
	for _, c := range []struct{ audience, at string }{{"mission", later(0)}, {"party:UA", later(73 * time.Hour)}} {
		code, res, text := recompute(c.audience, c.at)
		rc := res.Recomputed
		if code != exitOK || rc == nil || rc.Digest != s.Digest || len(rc.Withheld) != 0 ||
			rc.Published.Matched != findings || rc.Published.Differ != 0 || !strings.Contains(text, ", as published\n") {
			t.Fatalf("%s: exit %d, recomputed %+v; want digest %s and all %d findings matched:\n%s", c.audience, code, rc, s.Digest, findings, text)
		}
	}

	// The public: at once, it holds the open datasets' observations
	// whole and of the others (the Air Force's reports, the satellite
	// fire detections, the team's reports) the public part only; after
	// 7 days everything but the team's positions, which it sees only on
	// a grid.
	for _, c := range []struct {
		at       string
		withheld func(n int) bool
	}{
		{later(0), func(n int) bool { return n > 4 }},
		{later(8 * 24 * time.Hour), func(n int) bool { return n == 4 }},
	} {
		code, res, text := recompute("public", c.at)
		rc := res.Recomputed
		if code != exitOK || rc == nil {
			t.Fatalf("public at %s: exit %d: %s", c.at, code, text)
		}
		if !c.withheld(len(rc.Withheld)) {
			t.Errorf("public at %s: %d observations withheld", c.at, len(rc.Withheld))
		}
		for _, w := range rc.Withheld {
			if !truce.IsPublicID(w.PublicID) || len(w.Commitments) == 0 {
				t.Errorf("public at %s: withheld %+v: want commitments by public id", c.at, w)
			}
			for g, cm := range w.Commitments {
				if len(cm) != 64 || g == truce.GroupText {
					t.Errorf("public at %s: withheld %+v: group %s", c.at, w, g)
				}
			}
		}
		p := rc.Published
		t.Logf("public at %s: %d observations withheld; of %d findings, %d recomputed byte for byte, %d rest on withheld inputs", c.at, len(rc.Withheld), p.Findings, p.Matched, len(p.RestOnWithheld))
		if p.Findings != findings || p.Differ != 0 || len(p.RestOnWithheld) == 0 || p.Matched == 0 || p.Matched+len(p.RestOnWithheld) != p.Findings {
			t.Errorf("public at %s: published %+v; want every finding matched or resting on withheld inputs, some of each", c.at, p)
		}
		for _, r := range p.RestOnWithheld {
			if !strings.Contains(text, "finding "+r.Finding+" rests on "+r.Observations[0]+" (") {
				t.Errorf("public at %s: the text does not name finding %s's withheld inputs by commitment:\n%s", c.at, r.Finding, text)
			}
		}
		if strings.Contains(text, "recompute-team-7") || strings.Contains(text, "marker-recompute-text") || strings.Contains(text, "t7-") {
			t.Errorf("public at %s: the recompute names what the public may not see:\n%s", c.at, text)
		}
	}

	// A published finding altered by one byte is found, as is a digest
	// that is not the findings'.
	raw, err := os.ReadFile(geojson)
	if err != nil {
		t.Fatal(err)
	}
	altered := strings.Replace(string(raw), `"confidence": "possible"`, `"confidence": "probable"`, 1)
	if altered == string(raw) {
		t.Fatal("no possible finding to alter")
	}
	if err := os.WriteFile(geojson, []byte(altered), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, res, text := recompute("mission", later(0)); code == exitOK || res.Recomputed.Published.Differ != 1 || !strings.Contains(text, "differs from what recomputing derives") {
		t.Errorf("an altered finding: exit %d, %+v:\n%s", code, res.Recomputed.Published, text)
	}
	if err := os.WriteFile(geojson, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, text := recompute("mission", later(0), "--expect", strings.Repeat("0", 64)); code == exitOK || !strings.Contains(text, "NOT the published") {
		t.Errorf("a wrong digest: exit %d:\n%s", code, text)
	}
}

// TestRecomputeFlags checks that the recompute flags go together.
func TestRecomputeFlags(t *testing.T) {
	for _, args := range [][]string{
		{"verify", "--from", "2025-03-14", "dir"},
		{"verify", "--expect", "ab", "dir"},
		{"verify", "--recompute", "--db", "x.db"},
		{"verify", "--recompute", "http://127.0.0.1:1"},
	} {
		if code, _, errOut := runCLI(t, args...); code != exitUsage {
			t.Errorf("%s: exit %d, want usage: %s", strings.Join(args, " "), code, errOut)
		}
	}
}
