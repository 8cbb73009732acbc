package main

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// writeReport prints res as a compact text report.
func writeReport(w io.Writer, res *results) error {
	p := &printer{w: w}
	p.printf("truce vs PostGIS on one machine: %d cores, %s, PostgreSQL %s, %s\n", res.Cores, res.Go, res.PostgreSQL, shortPostGIS(res.PostGIS))
	if res.Load != "" {
		p.printf("load average at the start: %s\n", res.Load)
	}
	var set []string
	for _, s := range res.Settings {
		set = append(set, s.Name+"="+s.Value)
	}
	p.printf("PostgreSQL settings: %s\n\n", strings.Join(set, " "))

	c := &res.Cluster
	epsT := time.Duration(c.EpsT * float64(time.Second))
	p.printf("Clustering: %s seeded fire detections along the line of contact of %s (%s vertices), seed %d\n",
		count(c.Points), c.Snapshot, count(c.LineVertices), c.Seed)
	p.printf("ST-DBSCAN: within %s m and %v, at least %d points\n", formatFloat(c.EpsM), epsT, c.MinPts)
	p.printf("truce: %s incidents, %s of them clusters of two or more; %s (%s, left out of PostGIS's input)\n",
		count(c.Incidents), count(c.TruceClusters), plural(c.Hotspots, "hot spot", "hot spots"),
		plural(c.HotspotDetections, "detection", "detections"))
	p.printf("PostGIS: %s clusters and %s noise points, in %s time islands (widest %v; %s wider than %v, with %s left out of the comparison)\n",
		count(c.PostGISClusters), count(c.PostGISNoise), count(c.Islands), time.Duration(c.WidestIsland*float64(time.Second)),
		count(c.WideIslands), epsT, plural(c.WideIslandPoints, "detection", "detections"))
	p.printf("projection: %s\n", c.Projection)
	p.printf("  scale error at most ±%.2g; planar ÷ correlate's distance measured %.6f to %.6f\n",
		c.MaxScaleError, c.MeasuredScaleMin, c.MeasuredScaleMax)
	p.printf("median of %d runs for PostGIS and of %d for truce; CPU adds up all cores\n", c.Runs, c.TruceRuns)
	const row = "%-49s %9s %10s %11s %9s %11s"
	p.row(row, "", "time", "points/s", "PostGIS ÷", "CPU", "PostGIS ÷")
	p.row(row, "", "", "", "truce", "", "truce, CPU")
	p.row(row, "truce correlate.Cluster (the clustering alone)", seconds(c.Cluster), rate(c.ClusterPerSec), times(c.ClusterRatio),
		seconds(c.ClusterCPU), times(c.ClusterRatioCPU))
	p.row(row, "truce correlate.Correlate (and fusion, incidents)", seconds(c.Truce), rate(c.TrucePerSec), times(c.Ratio),
		seconds(c.TruceCPU), times(c.RatioCPU))
	p.row(row, "PostGIS ST_ClusterDBSCAN query", seconds(c.PostGISQuery), rate(c.PostGISPerSec), "", seconds(c.PostGISQueryCPU), "")
	p.row(row, "PostGIS COPY (not in the ratio)", seconds(c.PostGISCopy), "", "", "", "")
	p.row(row, "PostGIS ST_Transform and index (not in the ratio)", seconds(c.PostGISPrepare), "", "", "", "")
	p.printf("agreement: %s in %s detections compared\n", plural(c.Mismatches, "mismatch", "mismatches"), count(c.Compared))
	if c.Mismatches > 0 {
		p.printf("  in %s of clusters that differ: %s by pairs at the edge of %s m where the two distances disagree, %s by border points within reach of two clusters, %s unexplained\n",
			plural(c.Groups, "group", "groups"), count(c.ByMetric), formatFloat(c.EpsM), count(c.ByBorder), count(c.Unexplained))
	}
	for _, m := range c.Examples {
		p.printf("  detection %d (%s, %s): truce's cluster %s, PostGIS's %s; %s in the group: %s\n", m.ID,
			formatFloat(m.Lon), formatFloat(m.Lat), plural(m.TruceSize, "point", "points"), plural(m.PostGISSize, "point", "points"),
			plural(m.GroupPoints, "mismatch", "mismatches"), explain(m))
	}
	p.printf("PostGIS query:\n")
	for l := range strings.SplitSeq(c.PostGISSQL, "\n") {
		p.printf("  %s\n", l)
	}
	p.printf("PostGIS plan:\n")
	for l := range strings.SplitSeq(c.PostGISPlan, "\n") {
		p.printf("  %s\n", l)
	}
	return p.err
}

// explain says why a group of clusters differs.
func explain(m mismatch) string {
	switch m.Reason {
	case "distance":
		return plural(m.MetricPairs, "pair", "pairs") + " at the edge of eps"
	case "border":
		return plural(m.BorderPoints, "border point", "border points") + " within reach of two clusters"
	}
	return "unexplained"
}

// printer writes until the first error and keeps it.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) Write(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	var n int
	n, p.err = p.w.Write(b)
	return n, p.err
}

func (p *printer) printf(format string, args ...any) { fmt.Fprintf(p, format, args...) }

// row prints one line of a table, without trailing spaces.
func (p *printer) row(format string, args ...any) {
	p.printf("%s\n", strings.TrimRight(fmt.Sprintf(format, args...), " "))
}

// formatFloat formats x with the fewest digits that read back as x.
func formatFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// times formats a ratio; 0 is unknown.
func times(r float64) string {
	if r == 0 {
		return "–"
	}
	return strconv.FormatFloat(r, 'f', 1, 64) + "×"
}

// plural formats a count of things.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return count(n) + " " + many
}

var postgisPart = regexp.MustCompile(`(POSTGIS|GEOS|PROJ)="([^"]*)"`)

// shortPostGIS keeps the PostGIS, GEOS and PROJ versions of
// postgis_full_version().
func shortPostGIS(full string) string {
	var parts []string
	for _, m := range postgisPart.FindAllStringSubmatch(full, -1) {
		v, _, _ := strings.Cut(m[2], " ")
		name := map[string]string{"POSTGIS": "PostGIS"}[m[1]]
		if name == "" {
			name = m[1]
		}
		parts = append(parts, name+" "+v)
	}
	if len(parts) == 0 {
		return full
	}
	return strings.Join(parts, ", ")
}

// seconds formats a time in seconds with three significant digits.
func seconds(s float64) string {
	switch {
	case s == 0:
		return "–"
	case s >= 1:
		return sig3(s) + " s"
	case s >= 1e-3:
		return sig3(s*1e3) + " ms"
	}
	return sig3(s*1e6) + " µs"
}

// sig3 formats x, from 1 to 1000, with three significant digits, keeping
// trailing zeros; from 1000 up, with none after the point.
func sig3(x float64) string {
	switch {
	case x >= 99.95:
		return strconv.FormatFloat(x, 'f', 0, 64)
	case x >= 9.995:
		return strconv.FormatFloat(x, 'f', 1, 64)
	}
	return strconv.FormatFloat(x, 'f', 2, 64)
}

// rate formats a count per second with a metric prefix.
func rate(r float64) string {
	switch {
	case r >= 1e6:
		return strconv.FormatFloat(r/1e6, 'f', 1, 64) + " M"
	case r >= 1e3:
		return strconv.FormatFloat(r/1e3, 'f', 0, 64) + " k"
	}
	return strconv.FormatFloat(r, 'f', 0, 64)
}

// count formats n with thousands separators.
func count(n int) string {
	if n < 0 {
		return "-" + count(-n)
	}
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	return b.String()
}
