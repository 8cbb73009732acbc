package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const simMap = "../../control/testdata/deepstatemap_data_20250314.geojson.gz"

func TestSimulate(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "sim.db")
	code, out, errOut := runCLI(t, "simulate", "--seed", "3", "--map", simMap, "--out", filepath.Join(dir, "a"), "--db", db)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden(t, "simulate.golden", strings.ReplaceAll(out, db, "DB"))

	// The same flags write the same bytes; the files are what the store
	// accepts.
	if code, _, errOut := runCLI(t, "simulate", "--seed", "3", "--map", simMap, "--out", filepath.Join(dir, "b")); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, name := range []string{"observations.ndjson", "sources.json", "controlmaps.ndjson", "truth.json"} {
		a, errA := os.ReadFile(filepath.Join(dir, "a", name))
		b, errB := os.ReadFile(filepath.Join(dir, "b", name))
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
	// Filing again creates nothing new.
	code, out, errOut = runCLI(t, "simulate", "--seed", "3", "--map", simMap, "--out", filepath.Join(dir, "c"), "--db", db)
	if code != exitOK || !strings.Contains(out, "filed 0 new observations and 0 new control maps") {
		t.Errorf("second filing: exit %d, %q, %s", code, out, errOut)
	}
}

func TestSimulateUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"simulate", "--map", simMap}, "--out is required"},
		{[]string{"simulate", "--out", "x"}, "want --map FILE or --db PATH"},
		{[]string{"simulate", "--out", "x", "--map", simMap, "--from", "14/03/2025"}, `--from "14/03/2025"`},
	} {
		code, _, errOut := runCLI(t, c.args...)
		if code != exitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errOut, exitUsage, c.want)
		}
	}
	code, _, errOut := runCLI(t, "simulate", "--out", t.TempDir(), "--map", simMap, "--days", "0")
	if code != exitFail || !strings.Contains(errOut, "days 0") {
		t.Errorf("--days 0: exit %d, %q", code, errOut)
	}
}

// TestSimulateErrorModels simulates every error model together for a few
// days (golden: what the scenario holds, by truth label) and scores it:
// the score counts every staged fire and allegation the truth marks, and
// a bad scenario file is refused naming the field, writing nothing.
func TestSimulateErrorModels(t *testing.T) {
	dir := t.TempDir()
	scenario := filepath.Join(dir, "all.json")
	if err := os.WriteFile(scenario, []byte(`{"error_models": ["all"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "sim.db")
	code, out, errOut := runCLI(t, "simulate", "--scenario", scenario, "--seed", "5", "--days", "4", "--map", simMap,
		"--agreement", replayAgreement, "--out", filepath.Join(dir, "sim"), "--db", db)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden(t, "simulate-models.golden", strings.ReplaceAll(out, db, "DB"))
	truthFile := filepath.Join(dir, "sim", "truth.json")
	b, err := os.ReadFile(truthFile)
	if err != nil {
		t.Fatal(err)
	}
	staged := strings.Count(string(b), `"note": "staged"`)
	_, js, errOut := runCLI(t, "score", "--truth", truthFile, "--db", db, "--agreement", replayAgreement, "--json")
	var r struct {
		Score struct {
			Staged        int `json:"staged"`
			Events        int `json:"events_with_findings"`
			Split         int `json:"split_events"`
			SplitProbable int `json:"split_events_probable"`
			Calibration   []struct {
				Confidence      string
				Findings, Right int
				Promise         float64
			} `json:"calibration"`
		} `json:"score"`
	}
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatalf("%v: %s", err, errOut)
	}
	// Each staged fire carries status and note "staged", each staged
	// allegation the note only: the score counts each once.
	if r.Score.Staged == 0 || r.Score.Staged != staged {
		t.Errorf("staged %d, truth marks %d", r.Score.Staged, staged)
	}
	if s := r.Score; s.Split > s.Events || s.SplitProbable > s.Split {
		t.Errorf("split %d, at probable+ %d, of %d events", s.Split, s.SplitProbable, s.Events)
	}
	if c := r.Score.Calibration; len(c) != 2 || c[0].Confidence != "confirmed" || c[0].Promise != 0.98 || c[1].Promise != 0.8 || c[0].Right > c[0].Findings {
		t.Errorf("calibration %+v", c)
	}

	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"error_models": ["staged", "lies"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	outDir := filepath.Join(dir, "bad")
	code, _, errOut = runCLI(t, "simulate", "--scenario", bad, "--map", simMap, "--out", outDir)
	if code != exitFail || !strings.Contains(errOut, `$.error_models[1]: unknown error model "lies"`) {
		t.Errorf("bad scenario: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(outDir); !os.IsNotExist(err) {
		t.Errorf("bad scenario wrote %s", outDir)
	}
}
