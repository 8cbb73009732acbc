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
	"github.com/truce-monitor/truce/correlate"
)

// results is everything one run measured. Times are in seconds.
type results struct {
	pgbench.Machine
	Cluster clusterResult `json:"cluster"`
}

// clusterResult is the clustering comparison.
type clusterResult struct {
	Snapshot     string  `json:"snapshot"`
	LineVertices int     `json:"line_vertices"`
	Points       int     `json:"points"`
	Seed         uint64  `json:"seed"`
	EpsM         float64 `json:"eps_m"`
	EpsT         float64 `json:"eps_t_s"`
	MinPts       int     `json:"min_pts"`
	Runs         int     `json:"runs"` // PostGIS's
	TruceRuns    int     `json:"truce_runs"`

	// What truce found: incidents (each a cluster or a lone detection),
	// of which clusters of two or more; hot spots and their detections.
	Incidents         int `json:"incidents"`
	TruceClusters     int `json:"truce_clusters"`
	Hotspots          int `json:"hotspots"`
	HotspotDetections int `json:"hotspot_detections"`
	// What PostGIS found: clusters and noise points.
	PostGISClusters int `json:"postgis_clusters"`
	PostGISNoise    int `json:"postgis_noise"`

	// The projection PostGIS clusters in, and the scale error it implies
	// over the detections; MeasuredScaleMin and Max are the least and
	// greatest ratio of planar to correlate's distance over pairs of
	// consecutive detections 100 m to EpsM apart.
	Projection       string  `json:"projection"`
	MaxScaleError    float64 `json:"max_scale_error"`
	MeasuredScaleMin float64 `json:"measured_scale_min"`
	MeasuredScaleMax float64 `json:"measured_scale_max"`

	// Time islands: Islands in all; WideIslands span more than EpsT and
	// hold WideIslandPoints, which are not compared; WidestIsland is the
	// longest span, in seconds.
	Islands          int     `json:"islands"`
	WideIslands      int     `json:"wide_islands"`
	WideIslandPoints int     `json:"wide_island_points"`
	WidestIsland     float64 `json:"widest_island_s"`

	// The CPU times add up all cores: this process's for truce, and for
	// PostGIS that of the server's processes, parallel workers included
	// (zero where they cannot be read).
	TruceCPU        float64 `json:"truce_cpu_s"`
	PostGISQueryCPU float64 `json:"postgis_query_cpu_s"`
	RatioCPU        float64 `json:"ratio_cpu,omitempty"`

	Truce float64 `json:"truce_s"`
	// The clustering alone (correlate.Cluster): what the PostGIS query
	// computes, so the like-for-like ratio.
	Cluster         float64 `json:"truce_cluster_s"`
	ClusterCPU      float64 `json:"truce_cluster_cpu_s"`
	ClusterPerSec   float64 `json:"truce_cluster_points_per_s"`
	ClusterRatio    float64 `json:"cluster_ratio"`
	ClusterRatioCPU float64 `json:"cluster_ratio_cpu,omitempty"`
	PostGISCopy     float64 `json:"postgis_copy_s"`
	PostGISPrepare  float64 `json:"postgis_prepare_s"` // projection, index, ANALYZE
	PostGISQuery    float64 `json:"postgis_query_s"`
	PostGISSQL      string  `json:"postgis_query"`
	PostGISPlan     string  `json:"postgis_plan"`
	TrucePerSec     float64 `json:"truce_points_per_s"`
	PostGISPerSec   float64 `json:"postgis_points_per_s"`
	Ratio           float64 `json:"ratio"` // PostGIS query time / truce time

	Compared    int        `json:"compared"`
	Mismatches  int        `json:"mismatches"`
	Groups      int        `json:"mismatch_groups"`
	ByMetric    int        `json:"mismatches_by_distance"`
	ByBorder    int        `json:"mismatches_by_border"`
	Unexplained int        `json:"mismatches_unexplained"`
	Examples    []mismatch `json:"mismatch_examples"`
}

// measure runs the comparison.
func measure(ctx context.Context, c config) (*results, error) {
	s, err := c.pg.Open(ctx, pgbench.Setting{Name: "work_mem", Value: c.workMem})
	if err != nil {
		return nil, err
	}
	db := &postgis{s}
	defer db.Close(context.WithoutCancel(ctx), drop...)
	res := &results{}
	if res.Machine, err = db.Machine(ctx); err != nil {
		return nil, err
	}
	date, line, err := readLine(filepath.Join(c.data, "deepstatemap_data_"+c.snapshot+".geojson.gz"))
	if err != nil {
		return nil, err
	}
	cpu := db.CPU
	r := &res.Cluster
	*r = clusterResult{Snapshot: date, Points: c.points, Seed: c.seed, EpsM: c.epsM, EpsT: c.epsT.Seconds(),
		MinPts: c.minPts, Runs: c.runs, TruceRuns: c.truceRuns}
	for _, l := range line {
		r.LineVertices += len(l)
	}
	recs := correlate.SeededDetections(line, c.points, c.seed)
	opts := &correlate.Options{EpsM: c.epsM, EpsT: c.epsT, MinPts: c.minPts}

	// One untimed run of truce finds the hot spots, whose detections the
	// PostGIS side leaves out; PostGIS is timed next and truce last, so
	// that neither warms the other's caches.
	first, err := correlate.Correlate(recs, opts)
	if err != nil {
		return nil, err
	}
	index := make(map[string]int32, len(recs))
	ds := make([]detection, len(recs))
	for i, rec := range recs {
		index[rec.ID] = int32(i)
		ds[i] = detection{kind: string(rec.Kind), t: rec.ObservedAt.UnixNano(), lon: *rec.Location.Lon, lat: *rec.Location.Lat}
	}
	for _, h := range first.Hotspots {
		r.Hotspots++
		for _, id := range h.Observations {
			ds[index[id]].hot = true
			r.HotspotDetections++
		}
	}
	proj := chooseProjection(ds)
	r.Projection, r.MaxScaleError = proj.String(), proj.MaxScaleError

	copyTime, err := db.copyDetections(ctx, ds)
	if err != nil {
		return nil, err
	}
	r.PostGISCopy = copyTime.Seconds()
	prep, err := db.prepare(ctx, r.Projection)
	if err != nil {
		return nil, err
	}
	r.PostGISPrepare = prep.Seconds()
	r.PostGISSQL = clusterQuery(c.epsM, int64(c.epsT), c.minPts)
	if r.PostGISPlan, err = db.Plan(ctx, r.PostGISSQL); err != nil {
		return nil, err
	}
	want := make([]bool, len(ds))
	for i := range ds {
		want[i] = !ds[i].hot
	}
	labels := make([]pgLabel, len(ds))
	var pgTimes, pgCPU []time.Duration
	for range c.runs {
		before := cpu.Used()
		d, err := db.cluster(ctx, r.PostGISSQL, labels, want)
		if err != nil {
			return nil, err
		}
		pgTimes = append(pgTimes, d)
		pgCPU = append(pgCPU, cpu.Used()-before)
	}

	var trTimes, trCPU []time.Duration
	var last *correlate.Result
	for range c.truceRuns {
		last = nil
		runtime.GC()
		cpu0, start := pgbench.ProcessCPU(), time.Now()
		res, err := correlate.Correlate(recs, opts)
		elapsed, cpu1 := time.Since(start), pgbench.ProcessCPU()
		if err != nil {
			return nil, err
		}
		trTimes = append(trTimes, elapsed)
		trCPU = append(trCPU, cpu1-cpu0)
		last = res
	}

	var clTimes, clCPU []time.Duration
	var clusterCount int
	for range c.truceRuns {
		runtime.GC()
		cpu0, start := pgbench.ProcessCPU(), time.Now()
		cl, err := correlate.Cluster(recs, opts)
		elapsed, cpu1 := time.Since(start), pgbench.ProcessCPU()
		if err != nil {
			return nil, err
		}
		clTimes = append(clTimes, elapsed)
		clCPU = append(clCPU, cpu1-cpu0)
		clusterCount = cl.Clusters
	}

	// truce's partition: each detection's incident.
	p := &partitions{ds: ds, truce: make([]int32, len(ds)), island: make([]int64, len(ds)), skip: make([]bool, len(ds))}
	for i := range p.truce {
		p.truce[i] = -1
	}
	for k, inc := range last.Incidents {
		if len(inc.Observations) > 1 {
			r.TruceClusters++
		}
		for _, id := range inc.Observations {
			i, ok := index[id]
			if !ok || p.truce[i] >= 0 || ds[i].hot {
				return nil, fmt.Errorf("truce: detection %q is in incident %s and elsewhere too, or is unknown", id, inc.ID)
			}
			p.truce[i] = int32(k)
		}
	}
	r.Incidents = len(last.Incidents)
	for i := range ds {
		if p.truce[i] < 0 && !ds[i].hot {
			return nil, fmt.Errorf("truce: detection %s is in no incident and no hot spot", recs[i].ID)
		}
	}
	p.pg = blockLabels(labels, want)
	islands := map[int64][2]int64{}
	clusters := map[pgLabel]bool{}
	for i := range ds {
		if ds[i].hot {
			p.skip[i] = true
			continue
		}
		l := labels[i]
		p.island[i] = l.island
		span, ok := islands[l.island]
		if !ok {
			span = [2]int64{math.MaxInt64, math.MinInt64}
		}
		islands[l.island] = [2]int64{min(span[0], ds[i].t), max(span[1], ds[i].t)}
		if l.cid < 0 {
			r.PostGISNoise++
		} else {
			clusters[l] = true
		}
	}
	r.PostGISClusters = len(clusters)
	r.Islands = len(islands)
	wide := map[int64]bool{}
	for k, s := range islands {
		r.WidestIsland = max(r.WidestIsland, time.Duration(s[1]-s[0]).Seconds())
		if s[1]-s[0] > int64(c.epsT) {
			wide[k] = true
			r.WideIslands++
		}
	}
	for i := range ds {
		if !p.skip[i] && wide[p.island[i]] {
			p.skip[i] = true
			r.WideIslandPoints++
		}
	}

	var projected [][2]float64
	xy := func() ([][2]float64, error) { // read once, where needed
		var err error
		if projected == nil {
			projected, err = db.projected(ctx, len(ds))
		}
		return projected, err
	}
	ag, err := p.compare(p.agree(), xy, c.epsM, int64(c.epsT), c.minPts, c.maxExamples)
	if err != nil {
		return nil, err
	}
	if clusterCount != r.TruceClusters {
		return nil, fmt.Errorf("truce: correlate.Cluster found %d clusters, correlate.Correlate %d", clusterCount, r.TruceClusters)
	}
	r.Compared, r.Mismatches, r.Groups = ag.Compared, ag.Mismatches, ag.Groups
	r.ByMetric, r.ByBorder, r.Unexplained, r.Examples = ag.ByMetric, ag.ByBorder, ag.Unexplained, ag.Examples
	if r.MeasuredScaleMin, r.MeasuredScaleMax, err = measuredScale(ds, xy, c.epsM); err != nil {
		return nil, err
	}

	n := float64(len(ds))
	q, tr := report.Median(pgTimes), report.Median(trTimes)
	r.Truce = tr.Seconds()
	r.PostGISQuery = q.Seconds()
	r.TrucePerSec = n / tr.Seconds()
	r.PostGISPerSec = float64(len(ds)-r.HotspotDetections) / q.Seconds()
	r.Ratio = q.Seconds() / tr.Seconds()
	r.TruceCPU = report.Median(trCPU).Seconds()
	cl := report.Median(clTimes)
	r.Cluster, r.ClusterCPU = cl.Seconds(), report.Median(clCPU).Seconds()
	r.ClusterPerSec = n / cl.Seconds()
	r.ClusterRatio = q.Seconds() / cl.Seconds()
	r.PostGISQueryCPU = report.Median(pgCPU).Seconds()
	if r.PostGISQueryCPU > 0 && r.TruceCPU > 0 {
		r.RatioCPU = r.PostGISQueryCPU / r.TruceCPU
	}
	if r.PostGISQueryCPU > 0 && r.ClusterCPU > 0 {
		r.ClusterRatioCPU = r.PostGISQueryCPU / r.ClusterCPU
	}
	return res, nil
}

// measuredScale returns the least and greatest ratio of the planar
// distance to correlate's over the pairs of consecutive detections (by id)
// that lie 100 m to epsM apart and both outside hot spots: a check that
// PostGIS projected as intended.
func measuredScale(ds []detection, xy func() ([][2]float64, error), epsM float64) (lo, hi float64, err error) {
	pts, err := xy()
	if err != nil {
		return 0, 0, err
	}
	lo, hi = math.Inf(1), math.Inf(-1)
	for i := 1; i < len(ds); i++ {
		a, b := &ds[i-1], &ds[i]
		if a.hot || b.hot {
			continue
		}
		d := distance(a, b)
		if d < 100 || d > epsM {
			continue
		}
		s := math.Hypot(pts[i][0]-pts[i-1][0], pts[i][1]-pts[i-1][1]) / d
		lo, hi = min(lo, s), max(hi, s)
	}
	if lo > hi {
		return 0, 0, nil
	}
	return lo, hi, nil
}
