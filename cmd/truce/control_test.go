package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// controlDB returns a store holding the demo's DeepState maps of
// 2025-03-13, 03-14 and 04-13 and the 30-day ceasefire agreement.
func controlDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "t.db")
	files := []string{
		"demodata/deepstatemap_data_20250313.geojson.gz",
		"demodata/deepstatemap_data_20250314.geojson.gz",
		"demodata/deepstatemap_data_20250413.geojson.gz",
	}
	if code, _, stderr := runCLI(t, append([]string{"import", "deepstate", "--db", db}, files...)...); code != exitOK {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "agreement", "add", "--db", db, "../../examples/ceasefire-30d-2025.yaml"); code != exitOK {
		t.Fatalf("agreement add: exit %d: %s", code, stderr)
	}
	return db
}

func TestControl(t *testing.T) {
	db := controlDB(t)
	dir := t.TempDir()
	diffFile, lineFile := filepath.Join(dir, "diff.geojson"), filepath.Join(dir, "line.geojson")
	tests := []struct {
		name string
		args []string
	}{
		{"control-area.golden", []string{"control", "area", "--date", "2025-03-14"}},
		{"control-diff.golden", []string{"control", "diff", "--from", "2025-03-14", "--to", "2025-04-13", "--geojson", diffFile}},
		{"control-at.golden", []string{"control", "at", "37.5847", "48.7389", "--date", "2025-03-14"}},
		{"control-line.golden", []string{"control", "line", "--date", "2025-03-14", "--geojson", lineFile}},
		{"control-advances-dry.golden", []string{"control", "advances", "--agreement", "ceasefire-30d-2025", "--dry-run"}},
		{"control-advances.golden", []string{"control", "advances", "--agreement", "ceasefire-30d-2025"}},
	}
	for _, tt := range tests {
		code, stdout, stderr := runCLI(t, append(tt.args, "--db", db)...)
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", strings.Join(tt.args, " "), code, stderr)
		}
		stdout = strings.ReplaceAll(stdout, dir, "DIR")
		golden(t, tt.name, stdout)
	}

	// Recording again logs nothing new.
	code, stdout, _ := runCLI(t, "control", "advances", "--agreement", "ceasefire-30d-2025", "--db", db, "--json")
	var adv advancesReport
	if code != exitOK || json.Unmarshal([]byte(stdout), &adv) != nil || adv.New != 0 || adv.Recorded == 0 {
		t.Errorf("advances again: exit %d, %+v; want observations, none new", code, adv)
	}

	// The GeoJSON files are FeatureCollections of what the text reported.
	var diff struct {
		Type     string `json:"type"`
		Features []struct {
			Properties struct {
				Party  string  `json:"party"`
				Change string  `json:"change"`
				KM2    float64 `json:"area_km2"`
			} `json:"properties"`
			Geometry struct {
				Type string `json:"type"`
			} `json:"geometry"`
		} `json:"features"`
		Changes []struct {
			Party     string  `json:"party"`
			GainedKM2 float64 `json:"gained_km2"`
		} `json:"changes"`
	}
	readJSON(t, diffFile, &diff)
	var ruGained float64
	for _, f := range diff.Features {
		if f.Geometry.Type != "Polygon" || f.Properties.KM2 < 0.5 {
			t.Errorf("diff feature %+v", f)
		}
		if f.Properties.Party == "RU" && f.Properties.Change == "gained" {
			ruGained += f.Properties.KM2
		}
	}
	if diff.Type != "FeatureCollection" || len(diff.Changes) != 2 || diff.Changes[0].Party != "RU" ||
		ruGained < 0.999*diff.Changes[0].GainedKM2 || ruGained > 1.001*diff.Changes[0].GainedKM2 {
		t.Errorf("diff GeoJSON: %d features, changes %+v, RU gained features %.3f km²", len(diff.Features), diff.Changes, ruGained)
	}
	var line struct {
		Features []struct {
			Properties struct {
				LengthKM float64 `json:"length_km"`
			} `json:"properties"`
			Geometry struct {
				Type        string         `json:"type"`
				Coordinates [][][2]float64 `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	readJSON(t, lineFile, &line)
	if len(line.Features) != 1 || line.Features[0].Geometry.Type != "MultiLineString" || len(line.Features[0].Geometry.Coordinates) == 0 ||
		line.Features[0].Properties.LengthKM < 1000 || line.Features[0].Properties.LengthKM > 1300 {
		t.Errorf("line GeoJSON %+v", line)
	}

	// --json gives the same figures as the text.
	code, stdout, _ = runCLI(t, "control", "at", "37.5847", "48.7389", "--date", "2025-03-14", "--db", db, "--json")
	var at atReport
	if code != exitOK || json.Unmarshal([]byte(stdout), &at) != nil || at.Holder != "UA" || at.SignedM == nil || *at.SignedM >= 0 || at.Map.ID != "deepstate-2025-03-14" {
		t.Errorf("at --json: exit %d, %+v", code, at)
	}
	code, stdout, _ = runCLI(t, "control", "area", "--date", "2025-03-14T02:59:59Z", "--db", db, "--json")
	var area areaReport
	if code != exitOK || json.Unmarshal([]byte(stdout), &area) != nil || area.Map.ID != "deepstate-2025-03-13" || len(area.Areas) != 3 {
		t.Errorf("area --json at a time before the 03-14 map: exit %d, %+v", code, area)
	}
}

// TestControlCoverage checks that geography outside what the record covers
// says so: a point outside every map (longitude and latitude swapped) has
// no holder or distance, and a map much older than the date asked is
// called stale.
func TestControlCoverage(t *testing.T) {
	db := controlDB(t)
	code, stdout, _ := runCLI(t, "control", "at", "48.7389", "37.5847", "--date", "2025-03-14", "--db", db, "--json")
	var at atReport
	if code != exitOK || json.Unmarshal([]byte(stdout), &at) != nil || !at.Outside || at.DistanceM != nil || at.Holder != "" {
		t.Errorf("at, swapped: exit %d, %s", code, stdout)
	}
	code, stdout, _ = runCLI(t, "control", "at", "48.7389", "37.5847", "--date", "2025-03-14", "--db", db)
	if code != exitOK || !strings.Contains(stdout, "outside what the map covers") || strings.Contains(stdout, " m from the line") {
		t.Errorf("at, swapped, as text: exit %d, %s", code, stdout)
	}
	code, stdout, _ = runCLI(t, "control", "area", "--date", "2025-12-01", "--db", db, "--json")
	var area areaReport
	if code != exitOK || json.Unmarshal([]byte(stdout), &area) != nil || area.Map.StaleDays < 200 {
		t.Errorf("area at a date long after the last map: exit %d, map %+v", code, area.Map)
	}
	code, stdout, _ = runCLI(t, "control", "area", "--date", "2025-12-01", "--db", db)
	if code != exitOK || !strings.Contains(stdout, "stale:") {
		t.Errorf("area, stale, as text: exit %d, %s", code, stdout)
	}
	code, stdout, _ = runCLI(t, "control", "area", "--date", "2025-03-14", "--db", db, "--json")
	area = areaReport{}
	if code != exitOK || json.Unmarshal([]byte(stdout), &area) != nil || area.Map.StaleDays != 0 {
		t.Errorf("area on the map's day: map %+v", area.Map)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func TestControlErrors(t *testing.T) {
	db := controlDB(t)
	tests := []struct {
		args     []string
		code     int
		inStderr string
	}{
		{[]string{"control", "area"}, exitUsage, "--date is required"},
		{[]string{"control", "area", "--date", "14.03.2025"}, exitUsage, `--date "14.03.2025": want a day`},
		{[]string{"control", "area", "--date", "2024-01-01"}, exitFail, "no control map as of 2024-01-01T23:59:59Z"},
		{[]string{"control", "diff", "--from", "2025-03-14"}, exitUsage, "--to is required"},
		{[]string{"control", "diff", "--from", "2025-03-14", "--to", "2025-04-13", "--min-area", "-1"}, exitUsage, "--min-area must not be negative"},
		{[]string{"control", "at", "37.5", "--date", "2025-03-14"}, exitUsage, "want LON LAT"},
		{[]string{"control", "at", "37.5", "95", "--date", "2025-03-14"}, exitUsage, "is not a longitude"},
		{[]string{"control", "line", "--date", "2025-03-14"}, exitUsage, "--geojson FILE is required"},
		{[]string{"control", "advances"}, exitUsage, "--agreement ID is required"},
		{[]string{"control", "advances", "--agreement", "nope"}, exitFail, "nope"},
		{[]string{"control", "advances", "--agreement", "ceasefire-30d-2025", "--from", "2025-05-01"}, exitUsage, "is empty"},
	}
	if code, _, stderr := runCLI(t, "control"); code != exitUsage || !strings.Contains(stderr, "want a subcommand: area, diff, at, line, advances") {
		t.Errorf("control: exit %d, stderr %q", code, stderr)
	}
	for _, tt := range tests {
		code, _, stderr := runCLI(t, append(tt.args, "--db", db)...)
		if code != tt.code || !strings.Contains(stderr, tt.inStderr) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", strings.Join(tt.args, " "), code, stderr, tt.code, tt.inStderr)
		}
	}
}
