package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// dataDir holds the DeepState snapshot of 2025-03-14 that
// BenchmarkCorrelateDetections uses.
const dataDir = "../../control/testdata"

func TestRunFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--dsn", ""}, "no PostgreSQL server"},
		{[]string{"--dsn", "x", "--points", "0"}, "--points 0"},
		{[]string{"--dsn", "x", "--eps-m", "0.5"}, "--eps-m 0.5"},
		{[]string{"--dsn", "x", "--eps-m", "NaN"}, "--eps-m NaN"},
		{[]string{"--dsn", "x", "--eps-t", "0s"}, "--eps-t 0s"},
		{[]string{"--dsn", "x", "--min-pts", "0"}, "--min-pts 0"},
		{[]string{"--dsn", "x", "--runs", "0"}, "--runs"},
		{[]string{"--dsn", "x", "--truce-runs", "0"}, "--truce-runs"},
		{[]string{"--dsn", "x", "--pg-workers", "-1"}, "--pg-workers -1"},
		{[]string{"--dsn", "x", "--examples", "-1"}, "--examples -1"},
		{[]string{"--dsn", "x", "extra"}, `unexpected arguments ["extra"]`},
		{[]string{"--dsn", "x", "--eps-t", "3"}, "invalid value"},
		{[]string{"--no-such-flag"}, "flag provided but not defined"},
	} {
		t.Setenv("DATABASE_URL", "")
		err := run(context.Background(), tc.args, new(bytes.Buffer))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q): error %v, want one saying %q", tc.args, err, tc.want)
		}
	}
}

func TestReadLineErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, want string }{
		{"deepstatemap_data_2025.geojson.gz", "want a name deepstatemap_data_YYYYMMDD"},
		{"deepstatemap_data_20251399.geojson.gz", "month out of range"},
		{"deepstatemap_data_20250101.geojson.gz", "no such file"},
	} {
		_, _, err := readLine(filepath.Join(dir, tc.name))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("readLine(%s): error %v, want one naming the file and saying %q", tc.name, err, tc.want)
		}
	}
	bad := filepath.Join(dir, "deepstatemap_data_20250102.geojson.gz")
	if err := os.WriteFile(bad, []byte("not gzipped at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := readLine(bad); err == nil || !strings.Contains(err.Error(), "gzip: invalid header") || !strings.Contains(err.Error(), bad) {
		t.Errorf("readLine(not gzipped): %v", err)
	}
}

func TestCopyBinaryDetections(t *testing.T) {
	got := copyBinaryDetections([]detection{{kind: "fire", t: 1, lon: 30.5, lat: -50.25, hot: true}})
	want := []byte("PGCOPY\n\xff\r\n\x00" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00" +
		"\x00\x05" + "\x00\x00\x00\x04" + "\x00\x00\x00\x00" + // id 0
		"\x00\x00\x00\x04" + "fire" +
		"\x00\x00\x00\x08" + "\x00\x00\x00\x00\x00\x00\x00\x01" + // t
		"\x00\x00\x00\x01" + "\x01" + // hot
		"\x00\x00\x00\x19" + "\x01" + "\x01\x00\x00\x20" + "\xe6\x10\x00\x00" +
		"\x00\x00\x00\x00\x00\x80\x3e\x40" + // 30.5
		"\x00\x00\x00\x00\x00\x20\x49\xc0" + // -50.25
		"\xff\xff")
	if !bytes.Equal(got, want) {
		t.Errorf("copyBinaryDetections:\n got %q\nwant %q", got, want)
	}
}

func TestReport(t *testing.T) {
	res := &results{
		Cores: 2, Go: "go1.26.0", PostgreSQL: "15.18 (Debian 15.18-0+deb12u1)",
		PostGIS:  `POSTGIS="3.3.2 4975da8" [EXTENSION] PGSQL="150" GEOS="3.11.1-CAPI-1.17.1" PROJ="9.1.1" LIBXML="2.9.14"`,
		Settings: []setting{{"max_parallel_workers_per_gather", "2"}, {"jit", "off"}, {"work_mem", "256MB"}},
		Load:     "0.10 0.20 0.30",
		Cluster: clusterResult{
			Snapshot: "2025-03-14", LineVertices: 1171, Points: 1000000, Seed: 1, EpsM: 1500, EpsT: 10800, MinPts: 3,
			Runs: 3, TruceRuns: 5, Incidents: 197778, TruceClusters: 141930, PostGISClusters: 141929, PostGISNoise: 55847,
			Projection:    "+proj=tmerc +lat_0=0 +lon_0=35.36505135969166 +k_0=0.99965218107425 +x_0=0 +y_0=0 +R=6371008.8 +units=m +no_defs",
			MaxScaleError: 0.000347879, MeasuredScaleMin: 0.999652181, MeasuredScaleMax: 1.000347819,
			Islands: 731, WidestIsland: 6779,
			TruceCPU: 3.33, PostGISQueryCPU: 5.40, RatioCPU: 1.62,
			Truce: 2.41, PostGISCopy: 1.40, PostGISPrepare: 10.8, PostGISQuery: 11.2,
			PostGISSQL:  "SELECT id, island, cid\nFROM t",
			PostGISPlan: "WindowAgg\n  ->  Sort",
			TrucePerSec: 414938, PostGISPerSec: 89286, Ratio: 4.65,
			Cluster: 0.42, ClusterCPU: 0.71, ClusterPerSec: 2380952, ClusterRatio: 26.7, ClusterRatioCPU: 7.61,
			Compared: 1000000, Mismatches: 46, Groups: 5, ByMetric: 40, ByBorder: 3, Unexplained: 3,
			Examples: []mismatch{
				{ID: 147683, Lon: 36.93732417296773, Lat: 48.104626144111926, TruceSize: 4, PostGISSize: 12, GroupPoints: 12, Reason: "distance", MetricPairs: 2},
				{ID: 2, Lon: 37, Lat: 48, TruceSize: 1, PostGISSize: 3, GroupPoints: 3, Reason: "border", BorderPoints: 1},
				{ID: 9, Lon: 37.5, Lat: 48.5, TruceSize: 3, PostGISSize: 2, GroupPoints: 3, Reason: "unexplained"},
			},
		},
	}
	var b bytes.Buffer
	if err := writeReport(&b, res); err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/report.golden", b.Bytes())

	res.Load = ""
	c := &res.Cluster
	c.Mismatches, c.Groups, c.ByMetric, c.ByBorder, c.Unexplained, c.Examples = 0, 0, 0, 0, 0, nil
	c.Hotspots, c.HotspotDetections, c.WideIslands, c.WideIslandPoints = 2, 138, 1, 1
	c.Compared = c.Points - 139
	c.PostGISQueryCPU, c.RatioCPU = 0, 0 // unreadable
	b.Reset()
	if err := writeReport(&b, res); err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/report_agrees.golden", b.Bytes())
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update to rewrite):\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestFormats(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{count(0), "0"}, {count(999), "999"}, {count(1000), "1,000"}, {count(-1234567), "-1,234,567"},
		{seconds(2.345), "2.35 s"}, {seconds(0.0401), "40.1 ms"}, {seconds(0.000412), "412 µs"},
		{seconds(0.0999999), "100 ms"}, {seconds(12.34), "12.3 s"}, {seconds(0), "–"},
		{rate(24.94e6), "24.9 M"}, {rate(165289), "165 k"}, {rate(12), "12"},
		{times(0), "–"}, {times(12.345), "12.3×"}, {plural(1, "pair", "pairs"), "1 pair"}, {plural(1000, "pair", "pairs"), "1,000 pairs"},
		{formatFloat(1500), "1500"}, {formatFloat(0.1), "0.1"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// startPostGIS starts a throwaway PostgreSQL 15 cluster with PostGIS, as
// bench/correlate.sh does, and returns its DSN. It skips the test where
// they are not installed, unless TRUCE_REQUIRE_POSTGIS is set (as .ci/run
// sets it), when their absence fails the test.
func startPostGIS(t *testing.T) string {
	t.Helper()
	skip := t.Skip
	if os.Getenv("TRUCE_REQUIRE_POSTGIS") != "" {
		skip = t.Fatal
	}
	const bin = "/usr/lib/postgresql/15/bin"
	if _, err := os.Stat(bin + "/initdb"); err != nil {
		skip("PostgreSQL 15 is not installed")
	}
	if _, err := os.Stat("/usr/share/postgresql/15/extension/postgis.control"); err != nil {
		skip("PostGIS is not installed")
	}
	dir, err := os.MkdirTemp("", "truce-bench-correlate-test")
	if err != nil {
		t.Fatal(err)
	}
	var as []string
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			skip("running as root and there is no postgres user to run PostgreSQL")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		as = []string{"runuser", "-u", "postgres", "--"}
	}
	cmd := func(args ...string) {
		t.Helper()
		args = append(as, args...)
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	t.Cleanup(func() {
		args := append(as, bin+"/pg_ctl", "-D", dir+"/data", "-m", "immediate", "stop")
		exec.Command(args[0], args[1:]...).Run()
		os.RemoveAll(dir)
	})
	cmd(bin+"/initdb", "-D", dir+"/data", "--auth=trust", "--username=postgres", "--no-sync")
	cmd(bin+"/pg_ctl", "-D", dir+"/data", "-l", dir+"/postgres.log", "-w", "-s", "start", "-o",
		"-c listen_addresses='' -k "+dir+" -p 5432 -c fsync=off -c autovacuum=off")
	return fmt.Sprintf("host=%s port=5432 user=postgres dbname=postgres", dir)
}

// TestPostGIS checks the query on a few detections whose clusters are
// known: time islands keep apart what EpsT keeps apart, kinds are
// clustered apart, and hot spot detections are left out.
func TestPostGIS(t *testing.T) {
	dsn := startPostGIS(t)
	ctx := context.Background()
	db, err := openPostGIS(ctx, dsn, []setting{{"jit", "off"}})
	if err != nil {
		t.Fatal(err)
	}
	defer db.close(ctx, false)

	const epsM, minPts = 1500.0, 3
	epsT := 3 * time.Hour
	t0 := time.Date(2025, 3, 14, 22, 40, 0, 0, time.UTC).UnixNano()
	at := func(kind string, dt time.Duration, dy float64, hot bool) detection {
		return detection{kind: kind, t: t0 + int64(dt), lon: 37.5, lat: 48 + dy/metresPerDegree, hot: hot}
	}
	ds := []detection{
		at("fire", 0, 0, false),                             // 0: a cluster at 22:40 …
		at("fire", time.Minute, 500, false),                 // 1
		at("fire", 110*time.Minute, 1000, false),            // 2: … with one at 00:30
		at("fire", 0, 9000, false),                          // 3: noise
		at("fire", 5*time.Hour, 0, false),                   // 4: 3 h after 00:30: another island
		at("fire", 5*time.Hour, 1400, false),                // 5
		at("fire", 5*time.Hour, 2800, false),                // 6: a chain through 5
		at("fire", time.Minute, 100, true),                  // 7: in a hot spot
		at("explosion", 0, 0, false),                        // 8: another kind, at 0's place
		at("explosion", time.Minute, 200, false),            // 9
		at("explosion", 2*time.Minute, 400, false),          // 10
		at("fire", 5*time.Hour+10*time.Minute, 1401, false), // 11: ten minutes later, in 4's island
	}
	if _, err := db.copyDetections(ctx, ds); err != nil {
		t.Fatal(err)
	}
	proj := chooseProjection(ds)
	if _, err := db.prepare(ctx, proj.String()); err != nil {
		t.Fatal(err)
	}
	want := make([]bool, len(ds))
	for i := range ds {
		want[i] = !ds[i].hot
	}
	q := clusterQuery(epsM, int64(epsT), minPts)
	labels := make([]pgLabel, len(ds))
	if _, err := db.cluster(ctx, q, labels, want); err != nil {
		t.Fatal(err)
	}
	same := func(i, j int) bool { return labels[i] == labels[j] && labels[i].cid >= 0 }
	switch {
	case !same(0, 1) || !same(0, 2):
		t.Errorf("0, 1, 2 are not one cluster: %v", labels[:3])
	case labels[3].cid != -1:
		t.Errorf("3 is not noise: %v", labels[3])
	case !same(4, 5) || !same(4, 6) || !same(4, 11):
		t.Errorf("4, 5, 6, 11 are not one cluster: %v %v %v %v", labels[4], labels[5], labels[6], labels[11])
	case labels[4].island == labels[0].island:
		t.Errorf("4 is in 0's island %d", labels[0].island)
	case !same(8, 9) || !same(8, 10) || labels[8].island == labels[0].island:
		t.Errorf("the explosions are not one cluster of their own: %v, 0 is %v", labels[8:11], labels[0])
	}
	plan, err := db.plan(ctx, q)
	if err != nil || !strings.Contains(plan, "WindowAgg") {
		t.Errorf("plan %q, %v: want window aggregates", plan, err)
	}
	xy, err := db.projected(ctx, len(ds))
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(xy[7][0]) {
		t.Errorf("the hot spot detection was projected: %v", xy[7])
	}
	d := math.Hypot(xy[6][0]-xy[4][0], xy[6][1]-xy[4][1])
	if s := d / distance(&ds[4], &ds[6]); math.Abs(s-1) > proj.MaxScaleError+1e-9 {
		t.Errorf("planar distance %v m, correlate's %v m: scale %v, want within %v of 1", d, distance(&ds[4], &ds[6]), s, proj.MaxScaleError)
	}
}

// TestRun runs the whole comparison, small, on the line of contact of
// 2025-03-14: the two clusterings must agree wherever they must.
func TestRun(t *testing.T) {
	if _, err := os.Stat(dataDir); err != nil {
		t.Skip("no DeepState snapshots")
	}
	dsn := startPostGIS(t)
	var out bytes.Buffer
	args := []string{"--dsn", dsn, "--data", dataDir, "--points", "20000", "--runs", "1", "--truce-runs", "1", "--json"}
	if err := run(context.Background(), args, &out); err != nil {
		t.Fatal(err)
	}
	var res results
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("%v\n%s", err, out.Bytes())
	}
	c := res.Cluster
	if c.Points != 20000 || c.Snapshot != "2025-03-14" || c.Compared+c.HotspotDetections+c.WideIslandPoints != c.Points {
		t.Errorf("compared %d of %d detections on %s, want all", c.Compared, c.Points, c.Snapshot)
	}
	if c.Islands < 700 || c.WideIslands != 0 {
		t.Errorf("%d time islands, %d wider than EpsT; want more than 700 (two a day), none wide", c.Islands, c.WideIslands)
	}
	if c.Unexplained != 0 || c.Mismatches != c.ByMetric+c.ByBorder {
		t.Errorf("%d mismatches, %d unexplained: %+v", c.Mismatches, c.Unexplained, c.Examples)
	}
	if c.Mismatches > c.Points/1000 {
		t.Errorf("%d mismatches in %d detections, want at most 0.1%%", c.Mismatches, c.Points)
	}
	if c.Mismatches == 0 && (c.PostGISClusters != c.TruceClusters || c.PostGISClusters+c.PostGISNoise != c.Incidents) {
		t.Errorf("no mismatch, but PostGIS has %d clusters and %d noise points and truce %d incidents, %d clusters",
			c.PostGISClusters, c.PostGISNoise, c.Incidents, c.TruceClusters)
	}
	if c.MeasuredScaleMin < 1-c.MaxScaleError-1e-9 || c.MeasuredScaleMax > 1+c.MaxScaleError+1e-9 || c.MaxScaleError > 1e-3 {
		t.Errorf("planar ÷ correlate's distance from %v to %v, want within %v of 1", c.MeasuredScaleMin, c.MeasuredScaleMax, c.MaxScaleError)
	}
	if c.TruceCPU <= 0 || c.PostGISQueryCPU <= 0 {
		t.Errorf("CPU times: truce %v s, PostGIS %v s; want both read", c.TruceCPU, c.PostGISQueryCPU)
	}
}
