package main

import (
	"bytes"
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
