package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// truce runs the command line in-process and returns its exit code and
// output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{nil, exitUsage, "Commands:", ""},
		{[]string{"help"}, exitOK, "Commands:", ""},
		{[]string{"--help"}, exitOK, "Commands:", ""},
		{[]string{"nonsense"}, exitUsage, "", `unknown command "nonsense"`},
		{[]string{"serve", "--help"}, exitOK, "", "--addr"},
		{[]string{"help", "import"}, exitOK, "", "--skip-bad"},
		{[]string{"import", "--help"}, exitOK, "", "deepstate, airforce, viina, firms, geojson, csv"},
		{[]string{"import", "nosuchformat", "x.csv"}, exitUsage, "", `unknown format "nosuchformat"`},
		{[]string{"import", "firms"}, exitUsage, "", "want FORMAT and at least one FILE"},
		{[]string{"source"}, exitUsage, "", "want a subcommand"},
		{[]string{"source", "add", "x"}, exitUsage, "", "--role is required"},
		{[]string{"source", "add", "x", "--role", "king", "--db", "/nonexistent/dir/t.db"}, exitFail, "", `unknown role "king"`},
		{[]string{"agreement", "check"}, exitUsage, "", "at least one FILE"},
		{[]string{"agreement", "frobnicate"}, exitUsage, "", `unknown subcommand "frobnicate"`},
		{[]string{"serve", "--bogus"}, exitUsage, "", "flag provided but not defined: -bogus"},
		{[]string{"version"}, exitOK, "truce ", ""},
		{[]string{"agreement", "--help"}, exitOK, "", "check agreement files and summarise them"},
		{[]string{"source", "help"}, exitOK, "", "register a source and print its API token once"},
		{[]string{"agreement", "check", "--help"}, exitOK, "", "FILE:LINE: field: message"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != tt.code || !strings.Contains(stdout, tt.inStdout) || !strings.Contains(stderr, tt.inStderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d with %q and %q", code, stdout, stderr, tt.code, tt.inStdout, tt.inStderr)
			}
		})
	}
}

func TestAgreementCheck(t *testing.T) {
	files, _ := filepath.Glob("../../examples/*.yaml")
	if len(files) < 4 {
		t.Fatalf("found %d example agreements, want 4 or more", len(files))
	}
	code, stdout, stderr := runCLI(t, append([]string{"agreement", "check"}, files...)...)
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	golden(t, "agreement-check.golden", stdout)

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("id: x\nversion: 1\ntitle: T\nparties:\n  - {id: UA, name: Ukraine}\n  - {id: UA, name: Again}\nwindow: {start: \"2025-03-14T00:00:00\", duration: 30d, time_zone: Europe/Kyiv}\nline_of_contact: {control_map_at: start}\nrules:\n  - {id: R1, name: N, prohibits: [shelling]}\n"), 0o644)
	code, stdout, stderr = runCLI(t, "agreement", "check", bad, files[0])
	if code != exitFail || stdout != "" {
		t.Fatalf("exit %d, stdout %q; want 1 and nothing on stdout", code, stdout)
	}
	for _, want := range []string{bad + `:6: parties[1].id: party "UA" is listed twice`, bad + `:10: rules[0].prohibits[0]: unknown kind "shelling"`} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}

	// --json reports every file, valid or not, and still exits 1.
	code, stdout, _ = runCLI(t, "agreement", "check", "--json", bad, files[0])
	var report []struct {
		File      string
		Valid     bool
		Summary   string
		Agreement *struct{ ID string }
		Problems  []struct {
			Line int
			Path string
		}
	}
	if err := json.Unmarshal([]byte(stdout), &report); err != nil || code != exitFail || len(report) != 2 {
		t.Fatalf("--json: exit %d, %v: %s", code, err, stdout)
	}
	if r := report[0]; r.Valid || len(r.Problems) != 2 || r.Problems[0].Line != 6 || r.Problems[1].Path != "rules[0].prohibits[0]" {
		t.Errorf("--json report for the bad file: %+v", r)
	}
	if r := report[1]; !r.Valid || r.Agreement == nil || r.Agreement.ID != "ceasefire-30d-2025" || !strings.Contains(r.Summary, "parties UA, RU") {
		t.Errorf("--json report for the good file: %+v", r)
	}

	// agreement add logs nothing unless every file is valid.
	db := filepath.Join(t.TempDir(), "t.db")
	if code, _, _ := runCLI(t, "agreement", "add", "--db", db, files[0], bad); code != exitFail {
		t.Fatalf("agreement add with a bad file: exit %d, want 1", code)
	}
	code, stdout, _ = runCLI(t, "agreement", "list", "--db", db, "--json")
	if code != exitOK || strings.TrimSpace(stdout) != "[]" {
		t.Fatalf("after a rejected add: exit %d, list %s", code, stdout)
	}
	code, stdout, _ = runCLI(t, append([]string{"agreement", "add", "--db", db}, files...)...)
	if code != exitOK || strings.Count(stdout, " logged at log index ") != len(files) {
		t.Fatalf("agreement add: exit %d: %s", code, stdout)
	}
	code, stdout, _ = runCLI(t, append([]string{"agreement", "add", "--db", db}, files...)...)
	if code != exitOK || strings.Count(stdout, " unchanged at log index ") != len(files) {
		t.Fatalf("agreement add again: exit %d: %s", code, stdout)
	}
}

// TestImport imports the demo's real data, re-imports it, and checks that
// the second import changes nothing and that a bad file stores nothing.
func TestImport(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	imports := []struct {
		format string
		glob   string
		obs    int
		maps   int
	}{
		{"deepstate", "demodata/deepstatemap_data_2025031*.geojson.gz", 0, 2},
		{"airforce", "demodata/missile_attacks_daily_*.csv.gz", 216, 0},
		{"viina", "demodata/viina_strike_reports_*.csv.gz", 26, 0},
		{"firms", "demodata/fires_*.csv.gz", 405, 0},
	}
	var size int64
	for _, pass := range []string{"first", "again"} {
		for _, im := range imports {
			files, _ := filepath.Glob(im.glob)
			code, stdout, stderr := runCLI(t, append([]string{"import", im.format, "--json", "--db", db}, files...)...)
			if code != exitOK {
				t.Fatalf("%s import %s: exit %d: %s", pass, im.format, code, stderr)
			}
			var sums []importSummary
			if err := json.Unmarshal([]byte(stdout), &sums); err != nil {
				t.Fatalf("%s: %v: %s", im.format, err, stdout)
			}
			var obs, newObs, maps, newMaps int
			for _, s := range sums {
				obs, newObs, maps, newMaps = obs+s.Observations, newObs+s.NewObservations, maps+s.ControlMaps, newMaps+s.NewControlMaps
				if pass == "again" && s.LogSizeAfterImport != size {
					t.Errorf("re-import of %s changed the log size from %d to %d", s.File, size, s.LogSizeAfterImport)
				}
				size = s.LogSizeAfterImport
			}
			if obs != im.obs || maps != im.maps {
				t.Errorf("%s: %d observations and %d maps, want %d and %d", im.format, obs, maps, im.obs, im.maps)
			}
			if pass == "first" && (newObs != im.obs || newMaps != im.maps) || pass == "again" && (newObs != 0 || newMaps != 0) {
				t.Errorf("%s pass %s: %d new observations, %d new maps", im.format, pass, newObs, newMaps)
			}
		}
	}

	// One bad row rejects the whole file; --skip-bad imports the rest.
	csv := filepath.Join(t.TempDir(), "obs.csv")
	os.WriteFile(csv, []byte("id,kind,observed_at,time_precision,lon,lat,uncertainty_m\n"+
		"m-1,artillery,2025-03-15T06:10:00+02:00,minute,37.62,48.58,500\n"+
		"m-2,artillery,2025-03-15T06:12:00+02:00,minute,37.62,91,500\n"+
		"m-3,mortar,2025-03-15T06:14:00+02:00,minute,37.60,48.57,300\n"), 0o644)
	code, stdout, stderr := runCLI(t, "import", "csv", csv, "--db", db)
	if code != exitFail || !strings.Contains(stderr, csv+":3:") {
		t.Fatalf("bad csv: exit %d, stdout %q, stderr %q; want exit 1 naming %s:3", code, stdout, stderr, csv)
	}
	code, stdout, _ = runCLI(t, "import", "csv", csv, "--db", db, "--json")
	if code != exitFail || strings.TrimSpace(stdout) != "[]" {
		t.Fatalf("bad csv again: exit %d, stdout %q; want 1 and []", code, stdout)
	}
	code, stdout, stderr = runCLI(t, "import", "csv", csv, "--db", db, "--skip-bad")
	if code != exitOK || !strings.Contains(stdout, "2 observation(s), 2 new, 1 row(s) skipped") || !strings.Contains(stdout, "skipped "+csv+":3:") {
		t.Fatalf("--skip-bad: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	// A row changed since it was imported is a conflict named by its line.
	os.WriteFile(csv, []byte("id,kind,observed_at,time_precision,lon,lat,uncertainty_m\n"+
		"m-1,artillery,2025-03-15T06:10:00+02:00,minute,37.62,48.58,500\n"+
		"\n"+
		"m-3,mortar,2025-03-15T06:14:00+02:00,minute,37.60,48.57,999\n"), 0o644)
	code, _, stderr = runCLI(t, "import", "csv", csv, "--db", db)
	if code != exitFail || !strings.Contains(stderr, csv+`:4: $.id: id "m-3" is already stored`) {
		t.Fatalf("changed row: exit %d, stderr %q; want exit 1 naming %s:4", code, stderr, csv)
	}
}

func TestSourceCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	code, stdout, stderr := runCLI(t, "source", "add", "ua-liaison", "--role", "party:UA", "--db", db, "--description", "Ukraine's liaison officers")
	if code != exitOK || !strings.Contains(stdout, "truce_") {
		t.Fatalf("source add: exit %d: %s %s", code, stdout, stderr)
	}
	code, _, stderr = runCLI(t, "source", "add", "ua-liaison", "--role", "monitor", "--db", db)
	if code != exitFail || !strings.Contains(stderr, "already exists") {
		t.Fatalf("duplicate source: exit %d: %s", code, stderr)
	}
	code, stdout, _ = runCLI(t, "source", "list", "--db", db)
	if code != exitOK || !strings.Contains(stdout, "ua-liaison") || !strings.Contains(stdout, "party:UA") || strings.Contains(stdout, "truce_") {
		t.Fatalf("source list: exit %d: %s", code, stdout)
	}
	code, stdout, _ = runCLI(t, "source", "list", "--db", db, "--json")
	if code != exitOK || strings.Contains(stdout, "token") {
		t.Fatalf("source list --json leaks token hashes or failed: %s", stdout)
	}
	code, stdout, _ = runCLI(t, "source", "token", "ua-liaison", "--db", db, "--json")
	var issued struct{ Source, Token string }
	if err := json.Unmarshal([]byte(stdout), &issued); code != exitOK || err != nil || issued.Source != "ua-liaison" || !strings.HasPrefix(issued.Token, "truce_") {
		t.Fatalf("source token: exit %d: %s", code, stdout)
	}
	if code, _, stderr = runCLI(t, "source", "token", "nobody", "--db", db); code != exitFail || !strings.Contains(stderr, `no source named "nobody"`) {
		t.Fatalf("source token nobody: exit %d: %s", code, stderr)
	}
}
