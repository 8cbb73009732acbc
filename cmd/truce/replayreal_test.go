package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// realData is the shared real-data folder, relative to this package.
var realData = filepath.Join("..", "..", "..", "shared", "data")

// realImports are the imports of the real-data replay test: the DeepState
// snapshots of 13 and 14 March 2025 (the map in force when the 30-day
// ceasefire opens at 22:00 UTC on the 13th, and the advances of its first
// hours), then the Air Force reports, the VIINA strike reports and the
// FIRMS fires of March and April 2025.
func realImports(t *testing.T) [][2]string {
	t.Helper()
	if _, err := os.Stat(realData); err != nil {
		t.Skipf("real data not present: %v", err)
	}
	var out [][2]string
	for _, d := range []string{"20250313", "20250314"} {
		out = append(out, [2]string{"deepstate", filepath.Join(realData, "deepstate", "deepstatemap_data_"+d+".geojson.gz")})
	}
	return append(out,
		[2]string{"airforce", filepath.Join(realData, "events", "missile_attacks_piterfm", "missile_attacks_daily_2025-03-01_2025-04-30.csv.gz")},
		[2]string{"viina", filepath.Join(realData, "events", "viina_strike_reports", "viina_strike_reports_2025-03-01_2025-04-30.csv.gz")},
		[2]string{"firms", filepath.Join(realData, "firms", "fires_2025-03_2025-04.csv.gz")},
	)
}

// realStore files imports, one file per import command in their order,
// into a new store with the agreement logged first or last, then records
// the agreement's advances, as docs/replay-2025.md does.
func realStore(t *testing.T, imports [][2]string, agreementFirst bool) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "real.db")
	// The Air Force's reports are a party's, sealed: their public ids, by
	// which findings name them, depend on the store's sealing key. Both
	// stores take the key bench/replay.sh seals under (bench/internal/sealkey).
	sealStore(t, db, sha256.Sum256([]byte("truce bench replay sealing key")))
	cli := func(args ...string) {
		t.Helper()
		if code, _, errOut := runCLI(t, append(args, "--db", db)...); code != exitOK {
			t.Fatalf("%s: exit %d: %s", strings.Join(args, " "), code, errOut)
		}
	}
	add := []string{"agreement", "add", filepath.Join("..", "..", "examples", "ceasefire-30d-2025.yaml")}
	if agreementFirst {
		cli(add...)
	}
	for _, im := range imports {
		cli("import", im[0], im[1])
	}
	if !agreementFirst {
		cli(add...)
	}
	cli("control", "advances", "--agreement", "ceasefire-30d-2025")
	return db
}

// TestReplayRealDeterministic replays the first two days of the 30-day
// ceasefire (13 and 14 March 2025: the window opens at 22:00 UTC on the
// 13th) over real data: twice on one store, and on a second store that
// logged the same files and agreement in another order. Text, JSON and the
// files --out writes must be the same bytes every time.
func TestReplayRealDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("imports real data")
	}
	imports := realImports(t)
	reversed := slices.Clone(imports)
	slices.Reverse(reversed)
	dbs := []string{realStore(t, imports, false), realStore(t, reversed, true)}

	type output struct{ text, json, geojson, csv string }
	replay := func(db string) output {
		t.Helper()
		dir := t.TempDir()
		args := []string{"replay", "--db", db, "--agreement", "ceasefire-30d-2025", "--from", "2025-03-13", "--days", "2"}
		code, text, errOut := runCLI(t, append(args, "--out", dir)...)
		if code != exitOK {
			t.Fatalf("replay: exit %d: %s", code, errOut)
		}
		code, js, errOut := runCLI(t, append(args, "--json")...)
		if code != exitOK {
			t.Fatalf("replay --json: exit %d: %s", code, errOut)
		}
		o := output{text: text, json: js}
		for name, to := range map[string]*string{"findings.geojson": &o.geojson, "findings.csv": &o.csv} {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			*to = string(b)
		}
		return o
	}
	first := replay(dbs[0])
	for _, c := range []struct {
		name string
		db   string
	}{{"the same store again", dbs[0]}, {"a store filed in another order", dbs[1]}} {
		got := replay(c.db)
		for _, part := range []struct{ name, got, want string }{
			{"text", got.text, first.text}, {"JSON", got.json, first.json},
			{"findings.geojson", got.geojson, first.geojson}, {"findings.csv", got.csv, first.csv},
		} {
			if part.got != part.want {
				t.Errorf("%s: %s differs:\n%s\nwant:\n%s", c.name, part.name, part.got, part.want)
			}
		}
	}

	var s struct {
		Digest string `json:"findings_sha256"`
		Total  struct {
			Observations int `json:"observations"`
			Findings     int `json:"findings"`
		} `json:"total"`
	}
	if err := json.Unmarshal([]byte(first.json), &s); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(first.text, "findings sha256 "+s.Digest+"\n") || len(s.Digest) != 64 {
		t.Errorf("the text does not print the JSON's digest %q:\n%s", s.Digest, first.text)
	}
	// The fires, the reports and the advance from the map of 13 March to
	// that of 14 March all give findings.
	if s.Total.Observations == 0 || s.Total.Findings == 0 {
		t.Errorf("total %+v: want observations and findings", s.Total)
	}
	for _, kind := range []string{"advance", "fire", "missile_strike"} {
		if !strings.Contains(first.csv, ","+kind+",") {
			t.Errorf("findings.csv has no finding on an incident of kind %s", kind)
		}
	}
	if lines := bytes.Count([]byte(first.csv), []byte("\n")); lines != s.Total.Findings+1 {
		t.Errorf("findings.csv has %d lines for %d findings", lines, s.Total.Findings)
	}
}
