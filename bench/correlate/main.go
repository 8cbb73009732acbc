// Command correlate compares truce's clustering of dense sensor detections
// with PostGIS ST_ClusterDBSCAN on the same machine, on the same points. It
// generates the seeded fire detections of BenchmarkCorrelateDetections
// along the line of contact of a DeepState snapshot
// ([correlate.SeededDetections]), clusters them with [correlate.Correlate],
// loads them into PostGIS by a binary COPY and clusters them there with the
// query below, checks that the two give the same partition of the points
// into clusters and noise, and prints the times, the ratios and the
// disagreements. bench/correlate.sh runs it against a throwaway cluster;
// see BENCHMARKS.md.
//
// # The PostGIS query
//
// correlate's ST-DBSCAN calls two detections of one kind neighbours when
// they lie within EpsM metres (equirectangular about the pair's mean
// latitude, on a sphere of radius 6,371,008.8 m) and within EpsT of each
// other; a core point has at least MinPts neighbours, itself included.
// ST_ClusterDBSCAN is DBSCAN in the plane, with the same notions of core
// point, border point and noise. The query expresses the space-time
// neighbourhood as follows.
//
// Space. The points are projected once, at load time, by ST_Transform to a
// transverse Mercator on correlate's sphere, centred on the middle
// longitude of the points, with the central scale set so that the scale
// error is at most ± half its range over the points (reported as "scale
// error": ±3.5·10⁻⁴ over the seeded detections, which span 8° of longitude
// from Kherson to Kharkiv oblast, that is ±0.52 m at 1.5 km). The
// projection is conformal, so the planar distance is the spherical
// distance times that scale (and correlate's equirectangular distance is
// the spherical one to within 10⁻⁷ at a few kilometres). Pairs whose
// distance lies within the scale error of EpsM can be neighbours on one
// side only; that is the one difference in space.
//
// Time. A disk in the plane times an interval in time is not a ball in any
// 3-D metric, so scaling time into a coordinate cannot express the
// neighbourhood (and ST_ClusterDBSCAN measures in 2-D). Cutting time into
// fixed buckets splits neighbours at the edges. Instead the query cuts
// each kind's detections, in time order, wherever two consecutive ones lie
// more than EpsT apart: no two detections of different "islands" are
// neighbours. Where an island spans at most EpsT, every two of its
// detections are within EpsT of each other, so within it the neighbourhood
// is purely spatial, and ST_ClusterDBSCAN(...) OVER (PARTITION BY island),
// the islands being numbered across kinds, is exactly ST-DBSCAN. The
// islands are found in the timed query itself, by window functions over a
// B-tree index on (kind, t, id). An island longer than EpsT (detections in
// a continuous chain over hours) is not: PostGIS there ignores time and
// may join detections more than EpsT apart. The program reports such
// islands and their points and leaves those points out of the agreement
// count. On the seeded detections (four overpasses a day, paired at 22:40
// and 00:30, 10:30 and 12:10 UTC) every island spans under two hours.
//
// Border points. A border point within reach of core points of two
// clusters joins, in correlate, the cluster of its core neighbour with the
// lowest log position, and in PostGIS either one ("arbitrarily", its
// documentation says). Both are DBSCAN; the partitions then differ.
//
// Fixed hot spots. correlate sets fire detections at fixed heat sources
// apart before clustering (docs/correlation.md, step 2); PostGIS has no
// such rule. The detections correlate set apart are marked in the table
// and left out of the PostGIS query: the comparison is of the clustering
// alone. (On a year of seeded detections there are none.)
//
// # The agreement check
//
// A point agrees when the cluster truce puts it in (a lone detection being
// a cluster of one) holds exactly the points of PostGIS's cluster for it
// (noise being alone). Each disagreement is then explained, where it can
// be, by a pair of detections of its clusters that one metric puts within
// EpsM and the other does not, or by a border point with core neighbours
// in two of truce's clusters; the rest are "unexplained", and there should
// be none.
//
// PostgreSQL 15 runs window functions in one process (no parallel plan),
// so the query uses one core whatever max_parallel_workers_per_gather
// says; Correlate uses every core. The CPU times and their ratio are the
// per-core comparison.
//
// Both wall-clock and CPU times are reported, as bench/control does. Only
// the clustering query is timed on the PostGIS side, results received
// included; loading, COPY, the projection and the index are not. On the
// truce side the whole of Correlate is timed: the check for repeated ids,
// hot spots, ST-DBSCAN, fusion (which has nothing to fuse here) and the
// incidents with their ids.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/bench/internal/deepstate"
	"github.com/truce-monitor/truce/bench/internal/pgbench"
	"github.com/truce-monitor/truce/bench/internal/report"
	"github.com/truce-monitor/truce/control"
	"github.com/truce-monitor/truce/correlate"
	"github.com/truce-monitor/truce/geo"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "correlate:", err)
		os.Exit(1)
	}
}

// config is what the flags say.
type config struct {
	pg          pgbench.Flags
	data        string
	snapshot    string
	points      int
	seed        uint64
	epsM        float64
	epsT        time.Duration
	minPts      int
	runs        int
	truceRuns   int
	workMem     string
	json        bool
	maxExamples int
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("correlate", flag.ContinueOnError)
	var c config
	c.pg.Register(fs)
	fs.StringVar(&c.data, "data", "control/testdata", "the folder of DeepState snapshots")
	fs.StringVar(&c.snapshot, "snapshot", "20250314", "the snapshot whose line of contact the detections follow (YYYYMMDD or YYYY-MM-DD)")
	fs.IntVar(&c.points, "points", 1_000_000, "detections to cluster")
	fs.Uint64Var(&c.seed, "seed", 1, "the seed for the detections (1 gives BenchmarkCorrelateDetections's)")
	fs.Float64Var(&c.epsM, "eps-m", correlate.DefaultEpsM, "ST-DBSCAN's space radius, in metres")
	fs.DurationVar(&c.epsT, "eps-t", correlate.DefaultEpsT, "ST-DBSCAN's time radius")
	fs.IntVar(&c.minPts, "min-pts", correlate.DefaultMinPts, "ST-DBSCAN's neighbours of a core point, itself included")
	fs.IntVar(&c.runs, "runs", 3, "timed PostGIS runs; the median is reported")
	fs.IntVar(&c.truceRuns, "truce-runs", 5, "timed truce runs; the median is reported")
	fs.StringVar(&c.workMem, "pg-work-mem", "256MB", "PostgreSQL work_mem, for the sorts of the window functions")
	fs.BoolVar(&c.json, "json", false, "print the results as JSON")
	fs.IntVar(&c.maxExamples, "examples", 10, "disagreeing detections to show")
	if err := c.pg.Parse(fs, args); err != nil {
		return err
	}
	switch {
	case c.points < 1 || c.points > 1<<31-1:
		return fmt.Errorf("--points %d: want 1 to %d", c.points, 1<<31-1)
	case !(c.epsM >= 1 && c.epsM <= 100_000):
		return fmt.Errorf("--eps-m %v: want 1 to 100000", c.epsM)
	case c.epsT <= 0:
		return fmt.Errorf("--eps-t %v: want more than 0", c.epsT)
	case c.minPts < 1:
		return fmt.Errorf("--min-pts %d: want 1 or more", c.minPts)
	case c.runs < 1 || c.truceRuns < 1:
		return fmt.Errorf("--runs and --truce-runs must be at least 1")
	case c.maxExamples < 0:
		return fmt.Errorf("--examples %d: want 0 or more", c.maxExamples)
	}
	c.snapshot = strings.ReplaceAll(c.snapshot, "-", "")

	res, err := measure(ctx, c)
	if err != nil {
		return err
	}
	return report.Write(stdout, res, c.json, writeReport)
}

// readLine reads the gzipped DeepState snapshot name and returns its date
// and the line of contact of the control map the importer would make of it
// (as control/controltest does: the first feature is RU-held ground).
func readLine(name string) (string, geo.MultiLineString, error) {
	date, data, err := deepstate.Read(name)
	if err != nil {
		return "", nil, err
	}
	var fc struct {
		Features []struct {
			Geometry json.RawMessage `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(data, &fc); err != nil {
		return "", nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(fc.Features) == 0 {
		return "", nil, fmt.Errorf("%s: no features", name)
	}
	cm := &truce.ControlMap{ID: "deepstate-" + date.Format(time.DateOnly), Source: "deepstate", AsOf: date.Add(3 * time.Hour),
		Holdings: []truce.Holding{{Party: "RU", Geometry: fc.Features[0].Geometry}}}
	m, err := control.New(cm, nil)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %v", name, err)
	}
	line := m.Line()
	if len(line) == 0 {
		return "", nil, fmt.Errorf("%s: no line of contact", name)
	}
	return date.Format(time.DateOnly), line, nil
}
