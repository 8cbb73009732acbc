package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/truce-monitor/truce/bench/internal/report"
)

// writeReport prints res as a compact text report.
func writeReport(w io.Writer, res *results) error {
	p := report.NewPrinter(w)
	p.Machine(&res.Machine)

	c := &res.Classify
	storage := ""
	if c.Storage != "" {
		storage = " (storage " + c.Storage + ")"
	}
	p.Printf("Classification: snapshot %s (%s vertices); PostGIS: ST_Subdivide(%d) into %d pieces%s, GiST index\n",
		c.Snapshot, report.Count(c.Vertices), c.Subdivide, c.Pieces, storage)
	extra := ""
	if c.OnBoundary > 0 {
		extra = fmt.Sprintf(" and %s on vertices", report.Count(c.OnBoundary))
	}
	p.Printf("%s points within %g km of the boundary (seed %d)%s, %s in RU-held ground\n",
		report.Count(c.Points), c.OffsetMeters/1000, c.Seed, extra, report.Count(c.Covered))
	p.Printf("median of %d runs for PostGIS and of %d for truce; CPU adds up all cores\n", c.Runs, c.TruceRuns)
	const row = "%-31s %9s %10s %11s %9s %11s"
	p.Row(row, "", "time", "points/s", "PostGIS ÷", "CPU", "PostGIS ÷")
	p.Row(row, "", "", "", "truce", "", "truce, CPU")
	p.Row(row, "truce geo.NewIndex", report.Seconds(c.TruceBuild), "", "", "", "")
	p.Row(row, "truce CoversAll", report.Seconds(c.TruceClassify), report.Rate(c.TrucePerSec), report.Times(c.Ratio),
		report.Seconds(c.TruceClassifyCPU), report.Times(c.RatioCPU))
	p.Row(row, "truce NewIndex + CoversAll", report.Seconds(c.TruceTotal), report.Rate(c.TruceAllPerSec), report.Times(c.RatioWithBuild),
		report.Seconds(c.TruceTotalCPU), report.Times(c.RatioWithBuildCPU))
	p.Row(row, "PostGIS ST_Covers query", report.Seconds(c.PostGISQuery), report.Rate(c.PostGISPerSec), "", report.Seconds(c.PostGISQueryCPU), "")
	p.Row(row, "PostGIS COPY (not in the ratio)", report.Seconds(c.PostGISCopy), "", "", "", "")
	p.Printf("agreement: %s in %s points\n", report.Plural(c.Mismatches, "mismatch", "mismatches"), report.Count(c.Points+c.OnBoundary))
	for _, m := range c.Examples {
		p.Printf("  point %d (%s, %s): truce %s, PostGIS %s\n", m.ID,
			strconv.FormatFloat(m.Point[0], 'g', -1, 64), strconv.FormatFloat(m.Point[1], 'g', -1, 64),
			inside(m.Truce), inside(m.PostGIS))
	}
	p.Printf("PostGIS plan:\n")
	for l := range strings.SplitSeq(c.PostGISPlan, "\n") {
		p.Printf("  %s\n", l)
	}

	if a := res.Areas; a != nil {
		p.Printf("\nAreas: %d snapshots (%s … %s), %s vertices, one core each\n",
			a.Snapshots, a.FirstSnapshot, a.LastSnapshot, report.Count(a.Vertices))
		p.Printf("median of %d runs for PostGIS and of %d for truce\n", a.Runs, a.TruceRuns)
		const row = "%-34s %9s %11s %9s %11s"
		p.Row(row, "", "time", "PostGIS ÷", "CPU", "PostGIS ÷")
		p.Row(row, "", "", "truce", "", "truce, CPU")
		p.Row(row, "truce MultiPolygon.Area", report.Seconds(a.Truce), report.Times(a.Ratio), report.Seconds(a.TruceCPU), report.Times(a.RatioCPU))
		p.Row(row, "PostGIS ST_Area(geography, true)", report.Seconds(a.PostGIS), "", report.Seconds(a.PostGISCPU), "")
		p.Printf("largest relative difference: %.2g (%s: truce %.6f km², PostGIS %.6f km²)\n",
			a.MaxRelDiff, a.MaxRelDiffAt, a.TruceKm2At, a.PostGISKm2At)
	}
	return p.Err()
}

// inside says whether a point is covered.
func inside(b bool) string {
	if b {
		return "inside"
	}
	return "outside"
}
