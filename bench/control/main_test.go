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
	"github.com/truce-monitor/truce/geo"
)

// dataDir is the shared DeepState folder, beside the work tree.
const dataDir = "../../../shared/data/deepstate"

func square(lon, lat, side float64) geo.Ring {
	return geo.Ring{{lon, lat}, {lon + side, lat}, {lon + side, lat + side}, {lon, lat + side}, {lon, lat}}
}

func TestFrontPoints(t *testing.T) {
	// A 1° square at the equator; points within 10 km of its edges.
	mp := geo.MultiPolygon{{square(0, 0, 1)}}
	const n, offset = 20000, 10000.0
	pts := frontPoints(mp, n, 7, offset)
	if len(pts) != n {
		t.Fatalf("got %d points, want %d", len(pts), n)
	}
	again := frontPoints(mp, n, 7, offset)
	other := frontPoints(mp, n, 8, offset)
	same := 0
	for i := range pts {
		if pts[i] != again[i] {
			t.Fatalf("point %d differs between two runs with one seed: %v, %v", i, pts[i], again[i])
		}
		if pts[i] == other[i] {
			same++
		}
	}
	if same > 0 {
		t.Errorf("%d points are the same with seeds 7 and 8", same)
	}
	// 10 km is at most 0.0899° of latitude or of longitude at the equator.
	const margin = 0.0900
	inside := 0
	for i, p := range pts {
		if p[0] < -margin || p[0] > 1+margin || p[1] < -margin || p[1] > 1+margin {
			t.Fatalf("point %d %v is more than 10 km outside the square", i, p)
		}
		if p[0] > margin && p[0] < 1-margin && p[1] > margin && p[1] < 1-margin {
			t.Fatalf("point %d %v is more than 10 km inside the square", i, p)
		}
		if p[0] > 0 && p[0] < 1 && p[1] > 0 && p[1] < 1 {
			inside++
		}
	}
	if f := float64(inside) / n; f < 0.46 || f > 0.54 {
		t.Errorf("%.3f of the points are inside, want about half", f)
	}
	for _, side := range []int{0, 1} { // every edge gets points
		for _, at := range []float64{0, 1} {
			near := 0
			for _, p := range pts {
				if math.Abs(p[side]-at) < margin && p[1-side] > 0.1 && p[1-side] < 0.9 {
					near++
				}
			}
			if near < n/8 {
				t.Errorf("only %d points near the edge where coordinate %d is %g", near, side, at)
			}
		}
	}
}

func TestFrontPointsNoBoundary(t *testing.T) {
	if pts := frontPoints(nil, 10, 1, 1000); pts != nil {
		t.Errorf("got %d points for an empty multipolygon, want none", len(pts))
	}
}

func TestVertexPoints(t *testing.T) {
	mp := geo.MultiPolygon{{square(0, 0, 1), square(0.25, 0.25, 0.5)}}
	got := vertexPoints(mp, 10)
	want := []geo.Point{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0.25, 0.25}, {0.75, 0.25}, {0.75, 0.75}, {0.25, 0.75}, {0, 0}, {1, 0}}
	if len(got) != len(want) {
		t.Fatalf("got %d points, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("point %d: got %v, want %v", i, got[i], want[i])
		}
	}
	if got := vertexPoints(mp, 0); got != nil {
		t.Errorf("vertexPoints(mp, 0) = %v, want none", got)
	}
}

func TestPointRows(t *testing.T) {
	got := pointRows([]geo.Point{{30.5, -50.25}}).Bytes()
	want := []byte("PGCOPY\n\xff\r\n\x00" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00" +
		"\x00\x02" + "\x00\x00\x00\x04" + "\x00\x00\x00\x00" + "\x00\x00\x00\x19" +
		"\x01" + "\x01\x00\x00\x20" + "\xe6\x10\x00\x00" +
		"\x00\x00\x00\x00\x00\x80\x3e\x40" + // 30.5
		"\x00\x00\x00\x00\x00\x20\x49\xc0" + // -50.25
		"\xff\xff")
	if !bytes.Equal(got, want) {
		t.Errorf("pointRows:\n got %q\nwant %q", got, want)
	}
}

// TestReadSnapshot checks what readSnapshot adds to deepstate.Read: the
// control map, whose errors name the file.
func TestReadSnapshot(t *testing.T) {
	dir := t.TempDir()
	good := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]}}]}`
	write := func(day int, doc string) string {
		name, err := deepstate.Write(dir, time.Date(2025, 1, day, 0, 0, 0, 0, time.UTC), []byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		return name
	}
	for _, tc := range []struct {
		path, want string
	}{
		{write(2, strings.Replace(good, "[0,0]]]]", "[0,1]]]]", 1)), "coordinates[0][0]: ring is not closed"},
		{filepath.Join(dir, "deepstatemap_data_20250103.geojson.gz"), "no such file"},
	} {
		s, err := readSnapshot(tc.path)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), filepath.Base(tc.path)) {
			t.Errorf("readSnapshot(%s) = %v, error %v; want one naming the file and saying %q", filepath.Base(tc.path), s, err, tc.want)
		}
	}
	s, err := readSnapshot(write(4, good))
	if err != nil || s.date != "2025-01-04" || vertices(s.mp) != 4 {
		t.Errorf("readSnapshot(good) = %v, %v; want date 2025-01-04 and 4 vertices", s, err)
	}
}

func TestReport(t *testing.T) {
	res := &results{
		Machine: pgbench.Machine{
			Cores: 2, Go: "go1.26.0", PostgreSQL: "15.18 (Debian 15.18-0+deb12u1)",
			PostGIS:  `POSTGIS="3.3.2 4975da8" [EXTENSION] PGSQL="150" GEOS="3.11.1-CAPI-1.17.1" PROJ="9.1.1" LIBXML="2.9.14"`,
			Settings: []pgbench.Setting{{Name: "max_parallel_workers_per_gather", Value: "2"}, {Name: "jit", Value: "off"}},
			Load:     "0.10 0.20 0.30",
		},
		Classify: classifyResult{
			Snapshot: "2025-03-14", Vertices: 2876, Points: 1000000, Seed: 1, OffsetMeters: 30000,
			Subdivide: 256, Pieces: 28, Runs: 3, TruceRuns: 15, Covered: 446759,
			TruceClassifyCPU: 0.0790, TruceTotalCPU: 0.0795, PostGISQueryCPU: 11.8, RatioCPU: 149.4, RatioWithBuildCPU: 148.4,
			TruceBuild: 0.000412, TruceClassify: 0.0401, TruceTotal: 0.0405,
			PostGISCopy: 0.784, PostGISQuery: 6.05,
			PostGISPlan: "Gather\n  Workers Planned: 2",
			TrucePerSec: 24.94e6, TruceAllPerSec: 24.69e6, PostGISPerSec: 165289,
			Ratio: 150.87, RatioWithBuild: 149.38,
			Mismatches: 1,
			Examples:   []mismatch{{17, geo.Point{37.5, 47.000000000000004}, true, false}},
		},
		Areas: &areaResult{
			Snapshots: 113, Vertices: 327481, Runs: 5, TruceRuns: 15, Truce: 0.0123, PostGIS: 1.12, Ratio: 91.06, TruceCPU: 0.0121, PostGISCPU: 1.10, RatioCPU: 90.9,
			MaxRelDiff: 3.2e-9, MaxRelDiffAt: "2024-08-21", TruceKm2At: 109611.123456, PostGISKm2At: 109611.123457,
			FirstSnapshot: "2024-08-06", LastSnapshot: "2025-04-30",
		},
	}
	write := func(w io.Writer) error { return writeReport(w, res) }
	reporttest.Golden(t, "testdata/report.golden", write)

	res.Areas = nil
	res.Load = ""
	res.Classify.OnBoundary = 2876
	res.Classify.Storage = "EXTERNAL"
	res.Classify.PostGISQueryCPU, res.Classify.RatioCPU, res.Classify.RatioWithBuildCPU = 0, 0, 0 // unreadable
	reporttest.Golden(t, "testdata/report_noareas.golden", write)
}

func TestRunFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--dsn", ""},
		{"--dsn", "x", "--points", "0"},
		{"--dsn", "x", "--runs", "0"},
		{"--dsn", "x", "--truce-runs", "0"},
		{"--dsn", "x", "--offset-km", "-1"},
		{"--dsn", "x", "--subdivide", "4"},
		{"--dsn", "x", "--pg-storage", "compressed"},
		{"--dsn", "x", "extra"},
	} {
		t.Setenv("DATABASE_URL", "")
		if err := run(context.Background(), args, new(bytes.Buffer)); err == nil {
			t.Errorf("run(%q) succeeded, want an error", args)
		}
	}
}

func TestPostGIS(t *testing.T) {
	db := &postgis{pgbench.Connect(t, pgbench.Setting{Name: "jit", Value: "off"})}
	ctx := context.Background()

	// A 1° square with a hole, and a second square; clockwise rings as in
	// DeepState's files.
	reverse := func(r geo.Ring) geo.Ring {
		out := make(geo.Ring, len(r))
		for i, p := range r {
			out[len(r)-1-i] = p
		}
		return out
	}
	mp := geo.MultiPolygon{{reverse(square(30, 45, 1)), square(30.25, 45.25, 0.5)}, {reverse(square(33, 45, 1))}}
	pieces, err := db.loadPieces(ctx, mp, 5, "EXTERNAL")
	if err != nil {
		t.Fatal(err)
	}
	if pieces < 3 {
		t.Errorf("ST_Subdivide(5) made %d pieces, want at least 3", pieces)
	}
	pts := []geo.Point{
		{30.1, 45.1},   // inside
		{30.5, 45.5},   // in the hole
		{30.9, 45.9},   // inside
		{31.5, 45.5},   // between the squares
		{33.5, 45.5},   // inside the second
		{30, 45.5},     // on the outer edge: covered
		{30.25, 45.5},  // on the hole's edge: covered
		{29.999, 45.5}, // just outside
	}
	want := []bool{true, false, true, false, true, true, true, false}
	if _, err := db.copyPoints(ctx, pts); err != nil {
		t.Fatal(err)
	}
	got := make([]bool, len(pts))
	if _, err := db.classify(ctx, got); err != nil {
		t.Fatal(err)
	}
	for i := range pts {
		if got[i] != want[i] {
			t.Errorf("point %d %v: PostGIS says covered %v, want %v", i, pts[i], got[i], want[i])
		}
	}
	plan, err := db.Plan(ctx, coversQuery)
	if err != nil || !strings.Contains(plan, "st_covers") {
		t.Errorf("plan %q, %v: want one that calls st_covers", plan, err)
	}

	snaps := []snapshot{
		{"2025-01-01", geo.MultiPolygon{{reverse(square(0, 0, 1))}}},
		{"2025-01-02", mp},
	}
	if err := db.loadSnapshots(ctx, snaps); err != nil {
		t.Fatal(err)
	}
	areas := make([]float64, len(snaps))
	if _, err := db.areas(ctx, areas); err != nil {
		t.Fatal(err)
	}
	// A 1° cell at the equator is about 12,308 km² whichever edges it has;
	// the second is two 1° cells at 45° N less a quarter of one.
	if math.Abs(areas[0]/1e6-12308.5) > 5 {
		t.Errorf("area of the 1° cell at the equator: %.1f km², want about 12,308.5", areas[0]/1e6)
	}
	if cell := 12308.5 * math.Cos(45.5*math.Pi/180); math.Abs(areas[1]/1e6-1.75*cell)/(1.75*cell) > 0.01 {
		t.Errorf("area of the second map: %.1f km², want about %.1f", areas[1]/1e6, 1.75*cell)
	}
}

// TestRun runs the whole comparison, small, on the real snapshots.
func TestRun(t *testing.T) {
	if _, err := os.Stat(dataDir); err != nil {
		t.Skip("no DeepState data beside the work tree")
	}
	dsn := pgbench.Start(t)
	var out bytes.Buffer
	args := []string{"--dsn", dsn, "--data", dataDir, "--points", "3000", "--on-boundary", "500", "--runs", "1", "--area-runs", "1", "--truce-runs", "1", "--json"}
	if err := run(context.Background(), args, &out); err != nil {
		t.Fatal(err)
	}
	var res results
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("%v\n%s", err, out.Bytes())
	}
	c := res.Classify
	if c.Points != 3000 || c.OnBoundary != 500 || c.Snapshot != "2025-03-14" || c.Pieces < 10 {
		t.Errorf("classified %d+%d points on %s in %d pieces, want 3000+500 on 2025-03-14 in 10 or more", c.Points, c.OnBoundary, c.Snapshot, c.Pieces)
	}
	if c.Mismatches != 0 {
		t.Errorf("%d mismatches between truce and PostGIS: %v", c.Mismatches, c.Examples)
	}
	// The 500 vertices are covered; about half of the others.
	if f := float64(c.Covered-500) / float64(c.Points); f < 0.3 || f > 0.6 {
		t.Errorf("%.2f of the points are in RU-held ground, want about half", f)
	}
	a := res.Areas
	if a == nil || a.Snapshots < 100 {
		t.Fatalf("areas: %+v, want 100 snapshots or more", a)
	}
	if a.MaxRelDiff > 1e-5 {
		t.Errorf("areas differ from PostGIS's by up to %.2g (%s), want 1e-5 or less", a.MaxRelDiff, a.MaxRelDiffAt)
	}
	if a.PostGISCPU <= 0 || a.TruceCPU <= 0 {
		t.Errorf("CPU times of the areas: truce %v s, PostGIS %v s; want both read", a.TruceCPU, a.PostGISCPU)
	}
	if a.FirstKm2 < 100000 || a.FirstKm2 > 120000 {
		t.Errorf("first snapshot %s: %.0f km², want about 110,000", a.FirstSnapshot, a.FirstKm2)
	}
}
