package main

import (
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce/bench/internal/report"
)

// writeReport prints res as a compact text report.
func writeReport(w io.Writer, res *results) error {
	p := report.NewPrinter(w)
	p.Machine(&res.Machine)

	c := &res.Cluster
	epsT := time.Duration(c.EpsT * float64(time.Second))
	p.Printf("Clustering: %s seeded fire detections along the line of contact of %s (%s vertices), seed %d\n",
		report.Count(c.Points), c.Snapshot, report.Count(c.LineVertices), c.Seed)
	p.Printf("ST-DBSCAN: within %s m and %v, at least %d points\n", formatFloat(c.EpsM), epsT, c.MinPts)
	p.Printf("truce: %s incidents, %s of them clusters of two or more; %s (%s, left out of PostGIS's input)\n",
		report.Count(c.Incidents), report.Count(c.TruceClusters), report.Plural(c.Hotspots, "hot spot", "hot spots"),
		report.Plural(c.HotspotDetections, "detection", "detections"))
	p.Printf("PostGIS: %s clusters and %s noise points, in %s time islands (widest %v; %s wider than %v, with %s left out of the comparison)\n",
		report.Count(c.PostGISClusters), report.Count(c.PostGISNoise), report.Count(c.Islands), time.Duration(c.WidestIsland*float64(time.Second)),
		report.Count(c.WideIslands), epsT, report.Plural(c.WideIslandPoints, "detection", "detections"))
	p.Printf("projection: %s\n", c.Projection)
	p.Printf("  scale error at most ±%.2g; planar ÷ correlate's distance measured %.6f to %.6f\n",
		c.MaxScaleError, c.MeasuredScaleMin, c.MeasuredScaleMax)
	p.Printf("median of %d runs for PostGIS and of %d for truce; CPU adds up all cores\n", c.Runs, c.TruceRuns)
	const row = "%-49s %9s %10s %11s %9s %11s"
	p.Row(row, "", "time", "points/s", "PostGIS ÷", "CPU", "PostGIS ÷")
	p.Row(row, "", "", "", "truce", "", "truce, CPU")
	p.Row(row, "truce correlate.Cluster (the clustering alone)", report.Seconds(c.Cluster), report.Rate(c.ClusterPerSec), report.Times(c.ClusterRatio),
		report.Seconds(c.ClusterCPU), report.Times(c.ClusterRatioCPU))
	p.Row(row, "truce correlate.Correlate (and fusion, incidents)", report.Seconds(c.Truce), report.Rate(c.TrucePerSec), report.Times(c.Ratio),
		report.Seconds(c.TruceCPU), report.Times(c.RatioCPU))
	p.Row(row, "PostGIS ST_ClusterDBSCAN query", report.Seconds(c.PostGISQuery), report.Rate(c.PostGISPerSec), "", report.Seconds(c.PostGISQueryCPU), "")
	p.Row(row, "PostGIS COPY (not in the ratio)", report.Seconds(c.PostGISCopy), "", "", "", "")
	p.Row(row, "PostGIS ST_Transform and index (not in the ratio)", report.Seconds(c.PostGISPrepare), "", "", "", "")
	p.Printf("agreement: %s in %s detections compared\n", report.Plural(c.Mismatches, "mismatch", "mismatches"), report.Count(c.Compared))
	if c.Mismatches > 0 {
		p.Printf("  in %s of clusters that differ: %s by pairs at the edge of %s m where the two distances disagree, %s by border points within reach of two clusters, %s unexplained\n",
			report.Plural(c.Groups, "group", "groups"), report.Count(c.ByMetric), formatFloat(c.EpsM), report.Count(c.ByBorder), report.Count(c.Unexplained))
	}
	for _, m := range c.Examples {
		p.Printf("  detection %d (%s, %s): truce's cluster %s, PostGIS's %s; %s in the group: %s\n", m.ID,
			formatFloat(m.Lon), formatFloat(m.Lat), report.Plural(m.TruceSize, "point", "points"), report.Plural(m.PostGISSize, "point", "points"),
			report.Plural(m.GroupPoints, "mismatch", "mismatches"), explain(m))
	}
	p.Printf("PostGIS query:\n")
	for l := range strings.SplitSeq(c.PostGISSQL, "\n") {
		p.Printf("  %s\n", l)
	}
	p.Printf("PostGIS plan:\n")
	for l := range strings.SplitSeq(c.PostGISPlan, "\n") {
		p.Printf("  %s\n", l)
	}
	return p.Err()
}

// explain says why a group of clusters differs.
func explain(m mismatch) string {
	switch m.Reason {
	case "distance":
		return report.Plural(m.MetricPairs, "pair", "pairs") + " at the edge of eps"
	case "border":
		return report.Plural(m.BorderPoints, "border point", "border points") + " within reach of two clusters"
	}
	return "unexplained"
}

// formatFloat formats x with the fewest digits that read back as x.
func formatFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
