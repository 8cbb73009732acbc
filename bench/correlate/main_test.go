package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/bench/internal/deepstate"
	"github.com/truce-monitor/truce/bench/internal/pgbench"
	"github.com/truce-monitor/truce/bench/internal/reporttest"
)

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

// TestReadLineErrors checks what readLine adds to deepstate.Read: the
// control map and its line, whose errors name the file.
func TestReadLineErrors(t *testing.T) {
	dir := t.TempDir()
	day := 0
	write := func(doc string) string {
		day++
		name, err := deepstate.Write(dir, time.Date(2025, 1, day, 0, 0, 0, 0, time.UTC), []byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		return name
	}
	square := `{"type":"MultiPolygon","coordinates":[[[[37,48],[37,47],[38,47],[38,48],[37,48]]]]}`
	for _, tc := range []struct{ path, want string }{
		{filepath.Join(dir, "deepstatemap_data_20241231.geojson.gz"), "no such file"},
		{write(`[1, 2]`), "cannot unmarshal"},
		{write(`{"type":"FeatureCollection","features":[]}`), "no features"},
		{write(`{"type":"FeatureCollection","features":[{"geometry":{"type":"Point","coordinates":[37,48]}}]}`), "Point"},
	} {
		_, _, err := readLine(tc.path)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), filepath.Base(tc.path)) {
			t.Errorf("readLine(%s): error %v, want one naming the file and saying %q", filepath.Base(tc.path), err, tc.want)
		}
	}
	date, line, err := readLine(write(`{"type":"FeatureCollection","features":[{"geometry":` + square + `}]}`))
	if err != nil || date != "2025-01-04" || len(line) == 0 {
		t.Errorf("readLine(a square) = %s, %v, %v; want 2025-01-04 and a line of contact", date, line, err)
	}
}

func TestDetectionRows(t *testing.T) {
	got := detectionRows([]detection{{kind: "fire", t: 1, lon: 30.5, lat: -50.25, hot: true}}).Bytes()
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
		t.Errorf("detectionRows:\n got %q\nwant %q", got, want)
	}
}

func TestReport(t *testing.T) {
	res := &results{
		Machine: pgbench.Machine{
			Cores: 2, Go: "go1.26.0", PostgreSQL: "15.18 (Debian 15.18-0+deb12u1)",
			PostGIS: `POSTGIS="3.3.2 4975da8" [EXTENSION] PGSQL="150" GEOS="3.11.1-CAPI-1.17.1" PROJ="9.1.1" LIBXML="2.9.14"`,
			Settings: []pgbench.Setting{{Name: "max_parallel_workers_per_gather", Value: "2"}, {Name: "jit", Value: "off"},
				{Name: "work_mem", Value: "256MB"}},
			Load: "0.10 0.20 0.30",
		},
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
	write := func(w io.Writer) error { return writeReport(w, res) }
	reporttest.Golden(t, "testdata/report.golden", write)

	res.Load = ""
	c := &res.Cluster
	c.Mismatches, c.Groups, c.ByMetric, c.ByBorder, c.Unexplained, c.Examples = 0, 0, 0, 0, 0, nil
	c.Hotspots, c.HotspotDetections, c.WideIslands, c.WideIslandPoints = 2, 138, 1, 1
	c.Compared = c.Points - 139
	c.PostGISQueryCPU, c.RatioCPU = 0, 0 // unreadable
	reporttest.Golden(t, "testdata/report_agrees.golden", write)
}

func TestFormatFloat(t *testing.T) {
	for _, tc := range []struct {
		x    float64
		want string
	}{{1500, "1500"}, {0.1, "0.1"}, {36.93732417296773, "36.93732417296773"}} {
		if got := formatFloat(tc.x); got != tc.want {
			t.Errorf("formatFloat(%v) = %q, want %q", tc.x, got, tc.want)
		}
	}
}

// TestPostGIS checks the query on a few detections whose clusters are
// known: time islands keep apart what EpsT keeps apart, kinds are
// clustered apart, and hot spot detections are left out.
func TestPostGIS(t *testing.T) {
	db := &postgis{pgbench.Connect(t, pgbench.Setting{Name: "jit", Value: "off"})}
	ctx := context.Background()

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
	plan, err := db.Plan(ctx, q)
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
	dsn := pgbench.Start(t)
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
