package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// table reads a CSV file with a header row and gives access to columns by
// name. Line numbers are physical lines of the input where a record starts.
type table struct {
	rd     *reader
	cr     *csv.Reader
	header []string
	cols   map[string]int // column name (as matched) → index
	fold   bool           // match names case-insensitively
}

// newTable reads the header. With fold, column names match regardless of
// case (FIRMS writes "latitude" or "LATITUDE"). An empty file or a broken
// header is a file error.
func newTable(rd *reader, fold bool) (*table, error) {
	cr := csv.NewReader(bytes.NewReader(rd.data))
	cr.FieldsPerRecord = -1 // field counts are checked per row, to report them as bad rows
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fileError(rd.name, 1, "", "empty file: a header row is required")
	}
	if err != nil {
		return nil, fileError(rd.name, csvErrLine(err, 1), "", "header: %v", csvErrMessage(err))
	}
	t := &table{rd: rd, cr: cr, cols: map[string]int{}, fold: fold}
	for i, h := range header {
		h = strings.TrimSpace(h)
		header[i] = h
		k := h
		if fold {
			k = strings.ToLower(h)
		}
		if h == "" {
			continue
		}
		if _, dup := t.cols[k]; dup {
			return nil, fileError(rd.name, 1, "", "header: column %q appears twice", h)
		}
		t.cols[k] = i
	}
	t.header = header
	return t, nil
}

// col returns the index of the first of names present, or -1.
func (t *table) col(names ...string) int {
	for _, n := range names {
		if t.fold {
			n = strings.ToLower(n)
		}
		if i, ok := t.cols[n]; ok {
			return i
		}
	}
	return -1
}

// has reports whether a column is present.
func (t *table) has(name string) bool { return t.col(name) >= 0 }

// require returns a file error naming the first missing column.
func (t *table) require(names ...string) error {
	var missing []string
	for _, n := range names {
		if alts := strings.Split(n, "|"); t.col(alts...) < 0 {
			missing = append(missing, strings.Join(alts, " or "))
		}
	}
	if len(missing) > 0 {
		return fileError(t.rd.name, 1, "", "header: missing column(s) %s (found: %s)", quoteAll(missing), strings.Join(t.header, ","))
	}
	return nil
}

func quoteAll(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}

// row is one CSV record.
type row struct {
	t    *table
	rec  []string
	line int
}

// next returns the next record, nil at the end. A record that the CSV
// reader cannot parse, or with the wrong number of fields, is recorded as a
// bad row and skipped.
func (t *table) next() *row {
	for {
		off := t.cr.InputOffset()
		rec, err := t.cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			line := csvErrLine(err, 0)
			if line == 0 {
				line = lineAt(t.rd.data, int(off))
			}
			t.rd.fail(line, "", "%s", csvErrMessage(err))
			if t.cr.InputOffset() == off {
				return nil // no progress; give up rather than loop
			}
			continue
		}
		line, _ := t.cr.FieldPos(0)
		if len(rec) != len(t.header) {
			t.rd.fail(line, "", "record has %d fields, the header has %d", len(rec), len(t.header))
			continue
		}
		return &row{t: t, rec: rec, line: line}
	}
}

func csvErrLine(err error, def int) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if pe.StartLine > 0 {
			return pe.StartLine
		}
		return pe.Line
	}
	return def
}

func csvErrMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if pe.Line != pe.StartLine && pe.Line > 0 {
			return fmt.Sprintf("CSV: %v (at line %d, column %d)", pe.Err, pe.Line, pe.Column)
		}
		return fmt.Sprintf("CSV: %v (column %d)", pe.Err, pe.Column)
	}
	return "CSV: " + err.Error()
}

// get returns the trimmed value of the first present column of names, "" if
// none is present.
func (r *row) get(names ...string) string {
	if i := r.t.col(names...); i >= 0 {
		return strings.TrimSpace(r.rec[i])
	}
	return ""
}

// raw returns the untrimmed value.
func (r *row) raw(name string) string {
	if i := r.t.col(name); i >= 0 {
		return r.rec[i]
	}
	return ""
}

// errs collects the problems of one row, so that a row reports every bad
// column at once.
type rowErrs struct {
	r  *row
	ok bool
}

func (r *row) errs() *rowErrs { return &rowErrs{r: r, ok: true} }

func (e *rowErrs) fail(col, format string, args ...any) {
	e.ok = false
	e.r.t.rd.fail(e.r.line, "", "column %q: %s", col, fmt.Sprintf(format, args...))
}

// float parses column col; empty gives ok=false without a problem when
// optional.
func (e *rowErrs) float(col, s string, required bool) (float64, bool) {
	if s == "" {
		if required {
			e.fail(col, "required")
		}
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		e.fail(col, "%q is not a number", s)
		return 0, false
	}
	return f, true
}

// count parses a non-negative whole number, also written as a float
// ("236.0"); empty is 0.
func (e *rowErrs) count(col, s string) int {
	if s == "" || strings.EqualFold(s, "nan") {
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil || math.IsNaN(f) || math.IsInf(f, 0):
		e.fail(col, "%q is not a number", s)
	case f < 0:
		e.fail(col, "%q is negative", s)
	case f != math.Trunc(f):
		e.fail(col, "%q is not a whole number", s)
	case f > 1e9:
		e.fail(col, "%q is too large", s)
	default:
		return int(f)
	}
	return 0
}

// lonLat parses a coordinate pair and checks its range.
func (e *rowErrs) lonLat(lonCol, lonS, latCol, latS string) (lon, lat float64, ok bool) {
	lon, ok1 := e.float(lonCol, lonS, true)
	lat, ok2 := e.float(latCol, latS, true)
	if ok1 && (lon < -180 || lon > 180) {
		e.fail(lonCol, "longitude %s is outside [-180, 180]", lonS)
		ok1 = false
	}
	if ok2 && (lat < -90 || lat > 90) {
		e.fail(latCol, "latitude %s is outside [-90, 90]", latS)
		ok2 = false
	}
	return lon, lat, ok1 && ok2
}

// fmtFloat formats f as a row key part: the shortest exact decimal.
func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
