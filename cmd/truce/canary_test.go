package main

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/canary"
	"github.com/truce-monitor/truce/sqlite"
	"github.com/truce-monitor/truce/storetest"
)

// TestLeakCanaryCLI is the leak canary of the CLI's outputs that leave the
// mission: the bundles of truce log export for the public and the other
// party, the published findings truce replay --out writes, and what truce
// verify --recompute prints from the public's bundle. A sealed team whose
// name, ids, texts and evidence hold the marker reports two shellings,
// logged now (every embargo running), one by bearing and distance, one
// with the origin by a bearing alone; no output may hold the marker or a
// position within 2 km of either observer. The mission's bundle holds
// both: the canary is not deaf.
func TestLeakCanaryCLI(t *testing.T) {
	const marker = "zq7"
	observers := [][2]float64{{37.31234, 48.51234}, {37.35678, 48.45678}}
	find := canary.Finder{Markers: []string{marker}, Observers: observers, RadiusM: 2000}
	dir := t.TempDir()
	db := filepath.Join(dir, "canary.db")
	for _, args := range [][]string{{"import", "deepstate", "demodata/deepstatemap_data_20250314.geojson.gz"}, {"agreement", "add", replayAgreement}} {
		if code, _, errOut := runCLI(t, append(args, "--db", db)...); code != exitOK {
			t.Fatalf("%s: %s", args[0], errOut)
		}
	}
	ctx := context.Background()
	store, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	team, _ := storetest.MustSource(t, store, "zq7-team", "monitor")
	f := func(v float64) *float64 { return &v }
	at := time.Date(2025, 3, 20, 4, 10, 0, 0, time.UTC)
	obs := []*truce.Observation{
		{ID: "zq7-1", Kind: truce.KindArtillery, ObservedAt: at, TimePrecision: truce.PrecisionMinute,
			Location: truce.Location{Observer: &truce.Position{Lon: observers[0][0], Lat: observers[0][1]}, BearingDeg: f(120), BearingErrorDeg: 3, DistanceM: f(4000), DistanceErrorM: 300},
			Text:     "zq7 heard from the ridge", Lang: "en", Evidence: []truce.Evidence{{SHA256: strings.Repeat("ab", 32), Ref: "zq7-photo.jpg"}}},
		{ID: "zq7-2", Kind: truce.KindArtillery, ObservedAt: at.Add(time.Minute), TimePrecision: truce.PrecisionMinute,
			Location: truce.Location{Observer: &truce.Position{Lon: observers[0][0], Lat: observers[0][1]}, BearingDeg: f(121), BearingErrorDeg: 3, DistanceM: f(4100), DistanceErrorM: 300},
			Origin:   &truce.Location{Observer: &truce.Position{Lon: observers[1][0], Lat: observers[1][1]}, BearingDeg: f(80), BearingErrorDeg: 2},
			Text:     "zq7 launch seen", Lang: "en"},
	}
	if _, err := store.AddObservations(ctx, team, obs); err != nil {
		t.Fatal(err)
	}
	store.Close()

	published := filepath.Join(dir, "published")
	if code, _, errOut := runCLI(t, "replay", "--db", db, "--agreement", "replay-test", "--from", "2025-03-20", "--days", "1", "--out", published); code != exitOK {
		t.Fatalf("replay: %s", errOut)
	}
	// search reads every file under root and reports what leaks.
	search := func(root string) []string {
		t.Helper()
		var leaks []string
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if l := find.Find(b); l != "" {
				leaks = append(leaks, path+": "+l)
			}
			return nil
		})
		return leaks
	}
	if b, _ := os.ReadFile(filepath.Join(published, "findings.geojson")); !strings.Contains(string(b), `"Feature"`) {
		t.Fatalf("the team's reports give no finding to search: %s", b)
	}
	if leaks := search(published); len(leaks) > 0 {
		t.Errorf("the published findings leak: %q", leaks)
	}
	for _, audience := range []string{"public", "party:RU", "mission"} {
		bundle := filepath.Join(dir, strings.ReplaceAll(audience, ":", "-"))
		if code, _, errOut := runCLI(t, "log", "export", "--db", db, "--audience", audience, bundle); code != exitOK {
			t.Fatalf("log export --audience %s: %s", audience, errOut)
		}
		leaks := search(bundle)
		if audience == "mission" {
			if len(leaks) == 0 {
				t.Error("the mission's bundle holds no marker or observer: the canary is deaf")
			}
			continue
		}
		if len(leaks) > 0 {
			t.Errorf("the %s bundle leaks: %q", audience, leaks)
		}
		for _, extra := range [][]string{nil, {"--json"}} {
			args := append([]string{"verify", "--recompute", "--agreement", "replay-test", "--from", "2025-03-20", "--days", "1",
				"--published", filepath.Join(published, "findings.geojson")}, extra...)
			code, out, errOut := runCLI(t, append(args, bundle)...)
			if code != exitOK {
				t.Fatalf("verify --recompute %s: exit %d: %s%s", audience, code, out, errOut)
			}
			if l := find.Find([]byte(out + errOut)); l != "" {
				t.Errorf("verify --recompute %s %v leaks %s:\n%s", audience, extra, l, out)
			}
		}
	}
}
