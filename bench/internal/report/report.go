// Package report writes the text reports of the benchmarks that compare
// truce with PostGIS: the lines that state the machine and the server, the
// tables of times, and the formats of times, rates, ratios and counts they
// share.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce/bench/internal/pgbench"
)

// Write writes res to w: as indented JSON where asJSON, and otherwise as
// text by writeText.
func Write[T any](w io.Writer, res T, asJSON bool, writeText func(io.Writer, T) error) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	return writeText(w, res)
}

// A Printer writes to an io.Writer until the first error, and keeps it.
type Printer struct {
	w   io.Writer
	err error
}

// NewPrinter returns a Printer that writes to w.
func NewPrinter(w io.Writer) *Printer { return &Printer{w: w} }

// Write writes b, unless an earlier write failed, and returns the first
// error.
func (p *Printer) Write(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	var n int
	n, p.err = p.w.Write(b)
	return n, p.err
}

// Printf formats according to format and writes the result.
func (p *Printer) Printf(format string, args ...any) { fmt.Fprintf(p, format, args...) }

// Row formats one line of a table according to format and writes it,
// without trailing spaces.
func (p *Printer) Row(format string, args ...any) {
	p.Printf("%s\n", strings.TrimRight(fmt.Sprintf(format, args...), " "))
}

// Err returns the first error a write returned, or nil.
func (p *Printer) Err() error { return p.err }

// Machine writes the lines that open a report: the machine, the versions,
// the load average where known and the PostgreSQL settings, then a blank
// line.
func (p *Printer) Machine(m *pgbench.Machine) {
	p.Printf("truce vs PostGIS on one machine: %d cores, %s, PostgreSQL %s, %s\n", m.Cores, m.Go, m.PostgreSQL, shortPostGIS(m.PostGIS))
	if m.Load != "" {
		p.Printf("load average at the start: %s\n", m.Load)
	}
	var set []string
	for _, s := range m.Settings {
		set = append(set, s.Name+"="+s.Value)
	}
	p.Printf("PostgreSQL settings: %s\n\n", strings.Join(set, " "))
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

// Times formats a ratio with one decimal and "×"; 0, unknown, is "–".
func Times(r float64) string {
	if r == 0 {
		return "–"
	}
	return strconv.FormatFloat(r, 'f', 1, 64) + "×"
}

// Plural formats a count of things: "1 one", or n with thousands
// separators and many.
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return Count(n) + " " + many
}

// Seconds formats a time in seconds with three significant digits, in s,
// ms or µs; 0, unknown, is "–".
func Seconds(s float64) string {
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

// Rate formats a count per second with a metric prefix: "24.9 M", "165 k".
func Rate(r float64) string {
	switch {
	case r >= 1e6:
		return strconv.FormatFloat(r/1e6, 'f', 1, 64) + " M"
	case r >= 1e3:
		return strconv.FormatFloat(r/1e3, 'f', 0, 64) + " k"
	}
	return strconv.FormatFloat(r, 'f', 0, 64)
}

// Count formats n with thousands separators.
func Count(n int) string {
	if n < 0 {
		return "-" + Count(-n)
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

// Median returns the median of the times of ds, the lower middle for an
// even count: what a report states of repeated timed runs. ds must not be
// empty.
func Median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}
