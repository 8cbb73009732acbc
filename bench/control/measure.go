package main

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"time"

	"github.com/truce-monitor/truce/bench/internal/pgbench"
	"github.com/truce-monitor/truce/bench/internal/report"
	"github.com/truce-monitor/truce/geo"
)

// results is everything one run measured. Times are in seconds.
type results struct {
	pgbench.Machine
	Classify classifyResult `json:"classify"`
	Areas    *areaResult    `json:"areas,omitempty"`
}

// classifyResult is the point classification comparison.
type classifyResult struct {
	Snapshot     string  `json:"snapshot"`
	Vertices     int     `json:"vertices"`
	Points       int     `json:"points"`
	Seed         uint64  `json:"seed"`
	OffsetMeters float64 `json:"offset_m"`
	// OnBoundary counts the extra points placed exactly on vertices of the
	// map, after the others.
	OnBoundary int    `json:"on_boundary_points"`
	Subdivide  int    `json:"subdivide_max_vertices"`
	Pieces     int    `json:"pieces"`
	Storage    string `json:"pieces_storage,omitempty"` // as --pg-storage said; empty for PostgreSQL's default
	Runs       int    `json:"runs"`                     // PostGIS's
	TruceRuns  int    `json:"truce_runs"`
	Covered    int    `json:"covered"` // points inside RU-held ground, by truce

	// The CPU times add up all cores: this process's for truce, and for
	// PostGIS that of the server's processes, parallel workers included
	// (zero where they cannot be read).
	TruceClassifyCPU  float64 `json:"truce_classify_cpu_s"`
	TruceTotalCPU     float64 `json:"truce_build_and_classify_cpu_s"`
	PostGISQueryCPU   float64 `json:"postgis_query_cpu_s"`
	RatioCPU          float64 `json:"ratio_cpu,omitempty"`
	RatioWithBuildCPU float64 `json:"ratio_with_build_cpu,omitempty"`

	TruceBuild     float64 `json:"truce_build_s"`
	TruceClassify  float64 `json:"truce_classify_s"`
	TruceTotal     float64 `json:"truce_build_and_classify_s"`
	PostGISCopy    float64 `json:"postgis_copy_s"`
	PostGISQuery   float64 `json:"postgis_query_s"`
	PostGISPlan    string  `json:"postgis_plan"`
	TrucePerSec    float64 `json:"truce_points_per_s"`
	TruceAllPerSec float64 `json:"truce_with_build_points_per_s"`
	PostGISPerSec  float64 `json:"postgis_points_per_s"`
	Ratio          float64 `json:"ratio"`            // PostGIS query time / truce classify time
	RatioWithBuild float64 `json:"ratio_with_build"` // PostGIS query time / truce build and classify time

	Mismatches int        `json:"mismatches"`
	Examples   []mismatch `json:"mismatch_examples"`
}

// mismatch is a point on which truce and PostGIS disagree.
type mismatch struct {
	ID      int       `json:"id"`
	Point   geo.Point `json:"point"`
	Truce   bool      `json:"truce"`
	PostGIS bool      `json:"postgis"`
}

// areaResult is the area comparison over all snapshots.
type areaResult struct {
	Snapshots     int     `json:"snapshots"`
	Vertices      int     `json:"vertices"`
	Runs          int     `json:"runs"` // PostGIS's
	TruceRuns     int     `json:"truce_runs"`
	Truce         float64 `json:"truce_s"`
	PostGIS       float64 `json:"postgis_s"`
	Ratio         float64 `json:"ratio"`
	TruceCPU      float64 `json:"truce_cpu_s"`
	PostGISCPU    float64 `json:"postgis_cpu_s"`
	RatioCPU      float64 `json:"ratio_cpu,omitempty"`
	MaxRelDiff    float64 `json:"max_relative_difference"`
	MaxRelDiffAt  string  `json:"max_relative_difference_snapshot"`
	TruceKm2At    float64 `json:"truce_km2_there"`
	PostGISKm2At  float64 `json:"postgis_km2_there"`
	FirstKm2      float64 `json:"first_snapshot_km2"`
	LastKm2       float64 `json:"last_snapshot_km2"`
	FirstSnapshot string  `json:"first_snapshot"`
	LastSnapshot  string  `json:"last_snapshot"`
}

// measure runs both comparisons.
func measure(ctx context.Context, c config) (*results, error) {
	s, err := c.pg.Open(ctx)
	if err != nil {
		return nil, err
	}
	db := &postgis{s}
	defer db.Close(context.WithoutCancel(ctx), drop...)
	res := &results{}
	if res.Machine, err = db.Machine(ctx); err != nil {
		return nil, err
	}

	snap, err := readSnapshot(filepath.Join(c.data, "deepstatemap_data_"+c.snapshot+".geojson.gz"))
	if err != nil {
		return nil, err
	}
	cpu := db.CPU
	if err := classify(ctx, c, db, cpu, snap, &res.Classify); err != nil {
		return nil, err
	}
	if c.skipAreas {
		return res, nil
	}
	snaps, err := readSnapshots(c.data)
	if err != nil {
		return nil, err
	}
	res.Areas = &areaResult{}
	if err := compareAreas(ctx, c, db, cpu, snaps, res.Areas); err != nil {
		return nil, err
	}
	return res, nil
}

// classify runs the point classification comparison on one snapshot.
func classify(ctx context.Context, c config, db *postgis, cpu *pgbench.ServerCPU, snap snapshot, r *classifyResult) error {
	*r = classifyResult{
		Snapshot: snap.date, Vertices: vertices(snap.mp), Points: c.points, Seed: c.seed,
		OffsetMeters: c.offset, Subdivide: c.subdivide, Storage: c.storage, Runs: c.runs, TruceRuns: c.truceRuns,
	}
	pts := frontPoints(snap.mp, c.points, c.seed, c.offset)
	if len(pts) != c.points {
		return fmt.Errorf("snapshot %s has no boundary to put points on", snap.date)
	}
	pts = append(pts, vertexPoints(snap.mp, c.onBoundary)...)
	r.OnBoundary = len(pts) - c.points

	var err error
	if r.Pieces, err = db.loadPieces(ctx, snap.mp, c.subdivide, c.storage); err != nil {
		return err
	}
	copyTime, err := db.copyPoints(ctx, pts)
	if err != nil {
		return err
	}
	r.PostGISCopy = copyTime.Seconds()
	if r.PostGISPlan, err = db.Plan(ctx, coversQuery); err != nil {
		return err
	}

	// PostGIS first, truce second: neither side warms the other's caches.
	pg := make([]bool, len(pts))
	var pgTimes, pgCPU []time.Duration
	for range c.runs {
		clear(pg)
		before := cpu.Used()
		d, err := db.classify(ctx, pg)
		if err != nil {
			return err
		}
		pgTimes = append(pgTimes, d)
		pgCPU = append(pgCPU, cpu.Used()-before)
	}

	tr := make([]bool, len(pts))
	var builds, classifies, totals, classifyCPU, totalCPU []time.Duration
	for range c.truceRuns {
		runtime.GC()
		cpu0, start := pgbench.ProcessCPU(), time.Now()
		idx := geo.NewIndex(snap.mp)
		cpu1, built := pgbench.ProcessCPU(), time.Now()
		idx.CoversAll(pts, tr)
		done, cpu2 := time.Now(), pgbench.ProcessCPU()
		builds = append(builds, built.Sub(start))
		classifies = append(classifies, done.Sub(built))
		totals = append(totals, done.Sub(start))
		classifyCPU = append(classifyCPU, cpu2-cpu1)
		totalCPU = append(totalCPU, cpu2-cpu0)
	}

	for i := range pts {
		if tr[i] {
			r.Covered++
		}
		if tr[i] != pg[i] {
			r.Mismatches++
			if len(r.Examples) < c.maxExamples {
				r.Examples = append(r.Examples, mismatch{i, pts[i], tr[i], pg[i]})
			}
		}
	}
	n := float64(len(pts))
	q, cl, tot := report.Median(pgTimes), report.Median(classifies), report.Median(totals)
	r.TruceBuild = report.Median(builds).Seconds()
	r.TruceClassify = cl.Seconds()
	r.TruceTotal = tot.Seconds()
	r.PostGISQuery = q.Seconds()
	r.TrucePerSec = n / cl.Seconds()
	r.TruceAllPerSec = n / tot.Seconds()
	r.PostGISPerSec = n / q.Seconds()
	r.Ratio = q.Seconds() / cl.Seconds()
	r.RatioWithBuild = q.Seconds() / tot.Seconds()
	r.TruceClassifyCPU = report.Median(classifyCPU).Seconds()
	r.TruceTotalCPU = report.Median(totalCPU).Seconds()
	r.PostGISQueryCPU = report.Median(pgCPU).Seconds()
	if r.PostGISQueryCPU > 0 && r.TruceClassifyCPU > 0 {
		r.RatioCPU = r.PostGISQueryCPU / r.TruceClassifyCPU
		r.RatioWithBuildCPU = r.PostGISQueryCPU / r.TruceTotalCPU
	}
	return nil
}

// compareAreas runs the area comparison over all snapshots. Both sides
// work on one core: PostgreSQL computes one query's function calls in one
// process unless it plans a parallel scan, which it does not for a table
// of this size.
func compareAreas(ctx context.Context, c config, db *postgis, cpu *pgbench.ServerCPU, snaps []snapshot, r *areaResult) error {
	*r = areaResult{Snapshots: len(snaps), Runs: c.areaRuns, TruceRuns: c.truceRuns}
	for _, s := range snaps {
		r.Vertices += vertices(s.mp)
	}
	if err := db.loadSnapshots(ctx, snaps); err != nil {
		return err
	}
	pg := make([]float64, len(snaps))
	var pgTimes, pgCPU []time.Duration
	for range c.areaRuns {
		before := cpu.Used()
		d, err := db.areas(ctx, pg)
		if err != nil {
			return err
		}
		pgTimes = append(pgTimes, d)
		pgCPU = append(pgCPU, cpu.Used()-before)
	}
	tr := make([]float64, len(snaps))
	var trTimes, trCPU []time.Duration
	for range c.truceRuns {
		cpu0, start := pgbench.ProcessCPU(), time.Now()
		for i, s := range snaps {
			tr[i] = s.mp.Area()
		}
		trTimes = append(trTimes, time.Since(start))
		trCPU = append(trCPU, pgbench.ProcessCPU()-cpu0)
	}
	for i, s := range snaps {
		d := math.Abs(tr[i]-pg[i]) / pg[i]
		if i == 0 || d > r.MaxRelDiff || math.IsNaN(d) {
			r.MaxRelDiff, r.MaxRelDiffAt = d, s.date
			r.TruceKm2At, r.PostGISKm2At = tr[i]/1e6, pg[i]/1e6
		}
	}
	last := len(snaps) - 1
	r.FirstSnapshot, r.FirstKm2 = snaps[0].date, pg[0]/1e6
	r.LastSnapshot, r.LastKm2 = snaps[last].date, pg[last]/1e6
	r.Truce = report.Median(trTimes).Seconds()
	r.PostGIS = report.Median(pgTimes).Seconds()
	r.Ratio = r.PostGIS / r.Truce
	r.TruceCPU = report.Median(trCPU).Seconds()
	r.PostGISCPU = report.Median(pgCPU).Seconds()
	if r.TruceCPU > 0 && r.PostGISCPU > 0 {
		r.RatioCPU = r.PostGISCPU / r.TruceCPU
	}
	return nil
}
