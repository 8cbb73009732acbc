package main

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
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

	c := &res.Classify
	storage := ""
	if c.Storage != "" {
		storage = " (storage " + c.Storage + ")"
	}
	p.printf("Classification: snapshot %s (%s vertices); PostGIS: ST_Subdivide(%d) into %d pieces%s, GiST index\n",
		c.Snapshot, count(c.Vertices), c.Subdivide, c.Pieces, storage)
	extra := ""
	if c.OnBoundary > 0 {
		extra = fmt.Sprintf(" and %s on vertices", count(c.OnBoundary))
	}
	p.printf("%s points within %g km of the boundary (seed %d)%s, %s in RU-held ground\n",
		count(c.Points), c.OffsetMeters/1000, c.Seed, extra, count(c.Covered))
	p.printf("median of %d runs for PostGIS and of %d for truce; CPU adds up all cores\n", c.Runs, c.TruceRuns)
	const row = "%-31s %9s %10s %11s %9s %11s"
	p.row(row, "", "time", "points/s", "PostGIS ÷", "CPU", "PostGIS ÷")
	p.row(row, "", "", "", "truce", "", "truce, CPU")
	p.row(row, "truce geo.NewIndex", seconds(c.TruceBuild), "", "", "", "")
	p.row(row, "truce CoversAll", seconds(c.TruceClassify), rate(c.TrucePerSec), times(c.Ratio),
		seconds(c.TruceClassifyCPU), times(c.RatioCPU))
	p.row(row, "truce NewIndex + CoversAll", seconds(c.TruceTotal), rate(c.TruceAllPerSec), times(c.RatioWithBuild),
		seconds(c.TruceTotalCPU), times(c.RatioWithBuildCPU))
	p.row(row, "PostGIS ST_Covers query", seconds(c.PostGISQuery), rate(c.PostGISPerSec), "", seconds(c.PostGISQueryCPU), "")
	p.row(row, "PostGIS COPY (not in the ratio)", seconds(c.PostGISCopy), "", "", "", "")
	p.printf("agreement: %s in %s points\n", plural(c.Mismatches, "mismatch", "mismatches"), count(c.Points+c.OnBoundary))
	for _, m := range c.Examples {
		p.printf("  point %d (%s, %s): truce %s, PostGIS %s\n", m.ID,
			strconv.FormatFloat(m.Point[0], 'g', -1, 64), strconv.FormatFloat(m.Point[1], 'g', -1, 64),
			inside(m.Truce), inside(m.PostGIS))
	}
	p.printf("PostGIS plan:\n")
	for l := range strings.SplitSeq(c.PostGISPlan, "\n") {
		p.printf("  %s\n", l)
	}

	if a := res.Areas; a != nil {
		p.printf("\nAreas: %d snapshots (%s … %s), %s vertices, one core each\n",
			a.Snapshots, a.FirstSnapshot, a.LastSnapshot, count(a.Vertices))
		p.printf("median of %d runs for PostGIS and of %d for truce\n", a.Runs, a.TruceRuns)
		const row = "%-34s %9s %11s %9s %11s"
		p.row(row, "", "time", "PostGIS ÷", "CPU", "PostGIS ÷")
		p.row(row, "", "", "truce", "", "truce, CPU")
		p.row(row, "truce MultiPolygon.Area", seconds(a.Truce), times(a.Ratio), seconds(a.TruceCPU), times(a.RatioCPU))
		p.row(row, "PostGIS ST_Area(geography, true)", seconds(a.PostGIS), "", seconds(a.PostGISCPU), "")
		p.printf("largest relative difference: %.2g (%s: truce %.6f km², PostGIS %.6f km²)\n",
			a.MaxRelDiff, a.MaxRelDiffAt, a.TruceKm2At, a.PostGISKm2At)
	}
	return p.err
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

func inside(b bool) string {
	if b {
		return "inside"
	}
	return "outside"
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
