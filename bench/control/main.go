// Command control compares truce's geometry with PostGIS on the same
// machine, on the same data. It loads one DeepState control map into
// PostGIS (ST_Subdivide pieces under a GiST index), classifies the same
// seeded points spread along the front with truce's prepared index and with
// PostGIS ST_Covers, checks that the answers agree point by point, and then
// computes the geodesic area of every snapshot with truce and with PostGIS
// ST_Area on geography (the spheroid). It prints the times, the ratios and
// the disagreements. bench/control.sh runs it against a throwaway cluster;
// see BENCHMARKS.md.
//
// Both wall-clock and CPU times are reported. The wall clock is what a user
// waits for; on a shared machine it also measures the neighbours, so the CPU
// time each side spent (this process for truce; the server's processes,
// parallel workers included, for PostGIS, read from /proc) is the steadier
// basis for the ratios. Only the classification query or the area query is
// timed on the PostGIS side, results received included; loading, COPY and
// casts are not.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/truce-monitor/truce/bench/internal/deepstate"
	"github.com/truce-monitor/truce/bench/internal/pgbench"
	"github.com/truce-monitor/truce/bench/internal/report"
	"github.com/truce-monitor/truce/geo"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "control:", err)
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
	offset      float64 // metres
	subdivide   int
	runs        int
	areaRuns    int
	json        bool
	skipAreas   bool
	maxExamples int
	onBoundary  int
	storage     string
	truceRuns   int
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("control", flag.ContinueOnError)
	var c config
	c.pg.Register(fs)
	fs.StringVar(&c.data, "data", "../shared/data/deepstate", "the folder of DeepState snapshots")
	fs.StringVar(&c.snapshot, "snapshot", "20250314", "the snapshot to classify points against (YYYYMMDD or YYYY-MM-DD)")
	fs.IntVar(&c.points, "points", 1_000_000, "points to classify")
	fs.Uint64Var(&c.seed, "seed", 1, "the seed for the points")
	offsetKm := fs.Float64("offset-km", 30, "largest distance of a point from the boundary, in km")
	fs.IntVar(&c.onBoundary, "on-boundary", 0, "extra points placed exactly on vertices of the map")
	// MAIN keeps every piece in its row (compressed where it is over 2 kB),
	// which spares the TOAST table lookup on each ST_Covers call: about 10%
	// less CPU for PostGIS here than PostgreSQL's default, EXTENDED.
	fs.StringVar(&c.storage, "pg-storage", "MAIN", "the TOAST storage of the pieces' geometry column: PLAIN, MAIN, EXTERNAL, EXTENDED, or empty for PostgreSQL's default")
	fs.IntVar(&c.subdivide, "subdivide", 256, "ST_Subdivide's max_vertices")
	fs.IntVar(&c.runs, "runs", 3, "timed PostGIS classification runs; the median is reported")
	fs.IntVar(&c.areaRuns, "area-runs", 5, "timed PostGIS runs over all snapshots' areas; the median is reported")
	fs.IntVar(&c.truceRuns, "truce-runs", 15, "timed truce runs of each kind; the median is reported (truce's runs are short, and a short run is more at the mercy of other work on the machine)")
	fs.BoolVar(&c.json, "json", false, "print the results as JSON")
	fs.BoolVar(&c.skipAreas, "skip-areas", false, "skip the area comparison")
	fs.IntVar(&c.maxExamples, "examples", 10, "mismatching points to show")
	if err := c.pg.Parse(fs, args); err != nil {
		return err
	}
	c.offset = *offsetKm * 1000
	switch {
	case c.points < 1 || c.points > 1<<31-1:
		return fmt.Errorf("--points %d: want 1 to %d", c.points, 1<<31-1)
	case c.onBoundary < 0 || c.points+c.onBoundary > 1<<31-1:
		return fmt.Errorf("--on-boundary %d: want 0 or more, with --points at most %d in all", c.onBoundary, 1<<31-1)
	case c.runs < 1 || c.areaRuns < 1 || c.truceRuns < 1:
		return fmt.Errorf("--runs, --area-runs and --truce-runs must be at least 1")
	case !(c.offset >= 0):
		return fmt.Errorf("--offset-km %v: want 0 or more", *offsetKm)
	case !slices.Contains([]string{"", "PLAIN", "MAIN", "EXTERNAL", "EXTENDED"}, strings.ToUpper(c.storage)):
		return fmt.Errorf("--pg-storage %q: want PLAIN, MAIN, EXTERNAL or EXTENDED", c.storage)
	case c.subdivide < 5:
		return fmt.Errorf("--subdivide %d: ST_Subdivide needs at least 5", c.subdivide)
	}
	c.snapshot = strings.ReplaceAll(c.snapshot, "-", "")
	c.storage = strings.ToUpper(c.storage)

	res, err := measure(ctx, c)
	if err != nil {
		return err
	}
	return report.Write(stdout, res, c.json, writeReport)
}

// snapshot is one DeepState file: its date and RU-held ground.
type snapshot struct {
	date string // YYYY-MM-DD
	mp   geo.MultiPolygon
}

// readSnapshots reads every deepstatemap_data_YYYYMMDD.geojson.gz in dir,
// in date order.
func readSnapshots(dir string) ([]snapshot, error) {
	names, err := filepath.Glob(filepath.Join(dir, "deepstatemap_data_*.geojson.gz"))
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no deepstatemap_data_YYYYMMDD.geojson.gz files", dir)
	}
	slices.Sort(names)
	snaps := make([]snapshot, 0, len(names))
	for _, name := range names {
		s, err := readSnapshot(name)
		if err != nil {
			return nil, err
		}
		snaps = append(snaps, s)
	}
	return snaps, nil
}

// readSnapshot reads one gzipped DeepState GeoJSON file.
func readSnapshot(name string) (snapshot, error) {
	date, data, err := deepstate.Read(name)
	if err != nil {
		return snapshot{}, err
	}
	mp, err := geo.DecodeMultiPolygon(data)
	if err != nil {
		return snapshot{}, fmt.Errorf("%s: %v", name, err)
	}
	return snapshot{date.Format(time.DateOnly), mp}, nil
}

// vertices counts the positions of mp, closing positions included.
func vertices(mp geo.MultiPolygon) int {
	n := 0
	for _, poly := range mp {
		for _, r := range poly {
			n += len(r)
		}
	}
	return n
}
