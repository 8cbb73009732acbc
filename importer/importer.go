// Package importer turns real data files into truce domain values: it parses
// DeepState control maps, the Ukrainian Air Force attack reports (piterfm),
// VIINA events, NASA FIRMS fire detections, and truce's own GeoJSON and CSV
// observations.
//
// Parsers do not touch a store: [Read] returns a [Result] that the caller
// (the CLI) writes. Every observation and control map returned passes its
// Validate method. Identifiers are deterministic: re-reading the same file
// yields the same observations, byte for byte (see [Observation.Canonical]).
//
// Errors are *truce.Error values with code EINVALID whose problems name the
// file, the 1-based physical line of the decompressed input where the bad
// record starts, and the column or field at fault.
//
// The package imports the root package truce, the leaf library geo, the
// standard library and github.com/google/uuid; it imports no other truce
// package.
//
// [Observation.Canonical]: https://pkg.go.dev/github.com/truce-monitor/truce#Observation.Canonical
package importer

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Europe/Kyiv must resolve on hosts without a zoneinfo database

	"github.com/google/uuid"
	"github.com/truce-monitor/truce"
)

// Formats lists the formats [Read] understands.
var Formats = []string{"deepstate", "airforce", "viina", "firms", "geojson", "csv"}

// Options tune [Read].
type Options struct {
	// SkipBad reports bad rows in Result.Skipped instead of failing. Errors
	// that concern the whole file (a missing column, broken gzip, invalid
	// JSON) still fail.
	SkipBad bool
	// Source overrides the source name (each format has a default). The
	// role stays the format's.
	Source string
}

// Result is what one file holds.
type Result struct {
	// Source is the source the rows are filed under: name, role (and
	// party), and a description with the credit and licence.
	Source       *truce.Source
	Observations []*truce.Observation
	// Lines holds, for each of Observations, the line of the file where its
	// record starts, so that a problem found later (by the store) can name
	// its place.
	Lines       []int
	ControlMaps []*truce.ControlMap
	// Skipped lists each bad row (with Options.SkipBad), File+Line+Message.
	Skipped []truce.Problem
}

// MaxInputBytes caps the decompressed size of one input file.
const MaxInputBytes = 512 << 20

// maxProblems caps the problems listed in one error; the rest are summed up
// in a final "and N more" problem.
const maxProblems = 100

// idNamespace is the UUID namespace of imported observation ids: an id is
// uuid.NewSHA1(idNamespace, source + "\x00" + row key). It must never change,
// or re-imports would make new ids.
var idNamespace = uuid.MustParse("8c0f3b9e-5d2a-4e71-b6c4-2f9a7d13e605")

// Read parses one file in format. name is the file name used in problems
// (and, for deepstate, the source of the map's date). Input whose first
// bytes are the gzip magic is decompressed transparently, so .csv.gz and
// .geojson.gz files can be passed as they are.
func Read(format, name string, r io.Reader, opts Options) (*Result, error) {
	var parse func(*reader) error
	var src truce.Source
	switch format {
	case "deepstate":
		parse, src = readDeepState, deepStateSource
	case "airforce":
		parse, src = readAirForce, airForceSource
	case "viina":
		parse, src = readVIINA, viinaSource
	case "firms":
		parse, src = readFIRMS, firmsSource
	case "geojson":
		parse, src = readGeoJSON, geoJSONSource
	case "csv":
		parse, src = readCSV, csvSource
	default:
		return nil, truce.Errorf(truce.EINVALID, "unknown import format %q; one of %s", format, strings.Join(Formats, ", "))
	}
	if opts.Source != "" {
		if !truce.ValidName(opts.Source) {
			return nil, truce.Errorf(truce.EINVALID, "source name %q: must be 1-64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit", opts.Source)
		}
		src.Name = opts.Source
	}
	data, perr := readAll(name, r)
	if perr != nil {
		return nil, perr
	}
	rd := &reader{
		name:   name,
		data:   data,
		opts:   opts,
		res:    &Result{Source: &src},
		seen:   map[string]int{},
		ids:    map[string]int{},
		source: src.Name,
	}
	if err := parse(rd); err != nil {
		return nil, err
	}
	if len(rd.bad) > 0 && !opts.SkipBad {
		return nil, rd.badError()
	}
	rd.res.Skipped = rd.bad
	return rd.res, nil
}

// readAll reads r whole, gunzipping it when it starts with the gzip magic.
func readAll(name string, r io.Reader) ([]byte, error) {
	br := bufio.NewReader(r)
	var in io.Reader = br
	gz := false
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fileError(name, 1, "", "gzip: %v", err)
		}
		zr.Multistream(true)
		in, gz = zr, true
	}
	data, err := io.ReadAll(io.LimitReader(in, MaxInputBytes+1))
	if len(data) > MaxInputBytes {
		return nil, &truce.Error{Code: truce.ETOOLARGE, Message: fmt.Sprintf("%s: more than %d bytes (decompressed)", name, MaxInputBytes),
			Problems: []truce.Problem{{File: name, Line: lineAt(data, MaxInputBytes), Message: fmt.Sprintf("input is larger than %d bytes", MaxInputBytes)}}}
	}
	if err != nil {
		line := lineAt(data, len(data))
		if gz && (errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)) {
			return nil, fileError(name, line, "", "truncated gzip stream after %d decompressed bytes: %v", len(data), err)
		}
		if gz {
			return nil, fileError(name, line, "", "gzip: %v (after %d decompressed bytes)", err, len(data))
		}
		return nil, fileError(name, line, "", "read: %v", err)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	return data, nil
}

// lineAt returns the 1-based line of byte offset off in data.
func lineAt(data []byte, off int) int {
	off = min(max(off, 0), len(data))
	return 1 + bytes.Count(data[:off], []byte{'\n'})
}

// fileError is a fatal error about the whole file, with one problem.
func fileError(name string, line int, path, format string, args ...any) *truce.Error {
	msg := fmt.Sprintf(format, args...)
	return &truce.Error{
		Code:     truce.EINVALID,
		Message:  fmt.Sprintf("%s: %s", name, msg),
		Problems: []truce.Problem{{File: name, Line: max(line, 1), Path: path, Message: msg}},
	}
}

// reader is the state shared by the parsers while one file is read.
type reader struct {
	name   string
	data   []byte
	opts   Options
	res    *Result
	bad    []truce.Problem
	seen   map[string]int // row keys seen, for duplicate rows
	ids    map[string]int // ids returned → line
	source string         // effective source name
}

// fail records a bad row.
func (rd *reader) fail(line int, path, format string, args ...any) {
	rd.bad = append(rd.bad, truce.Problem{File: rd.name, Line: max(line, 1), Path: path, Message: fmt.Sprintf(format, args...)})
}

// badError returns the error listing the bad rows, capped at maxProblems.
func (rd *reader) badError() *truce.Error {
	ps := rd.bad
	if len(ps) > maxProblems {
		more := ps[maxProblems]
		ps = append(slices.Clip(ps[:maxProblems]), truce.Problem{File: rd.name, Line: more.Line,
			Message: fmt.Sprintf("and %d more problem(s), the next one here", len(rd.bad)-maxProblems)})
	}
	return &truce.Error{
		Code:     truce.EINVALID,
		Message:  fmt.Sprintf("%s: %d problem(s); nothing was imported", rd.name, len(rd.bad)),
		Problems: ps,
	}
}

// id returns the deterministic id of the row with natural key key. A key
// seen before in the same file (a duplicate row) gets its occurrence number
// appended ("#2", "#3", ...), so duplicates keep distinct, stable ids.
func (rd *reader) id(key string) string {
	rd.seen[key]++
	if n := rd.seen[key]; n > 1 {
		key = fmt.Sprintf("%s#%d", key, n)
	}
	return uuid.NewSHA1(idNamespace, []byte(rd.source+"\x00"+key)).String()
}

// add validates o and appends it, or records the row as bad. pathPrefix is
// put before the validation paths ("features[3].properties"); with an empty
// prefix the JSON path is given as is.
func (rd *reader) add(line int, pathPrefix string, o *truce.Observation) bool {
	o.Normalize()
	if err := o.Validate(); err != nil {
		for _, p := range truce.ErrorProblems(err) {
			path := p.Path
			if pathPrefix != "" {
				path = pathPrefix + strings.TrimPrefix(path, "$")
			}
			rd.fail(line, path, "%s", p.Message)
		}
		return false
	}
	if first, dup := rd.ids[o.ID]; dup {
		rd.fail(line, strings.TrimSuffix(pathPrefix, ".properties"), "id %q is already used by the record at line %d", o.ID, first)
		return false
	}
	rd.ids[o.ID] = max(line, 1)
	rd.res.Observations = append(rd.res.Observations, o)
	rd.res.Lines = append(rd.res.Lines, line)
	return true
}

var (
	kyivOnce sync.Once
	kyivLoc  *time.Location
)

// kyiv returns the Europe/Kyiv time zone (embedded tzdata if the host has
// none; a fixed +02:00 only if even that fails, which it does not).
func kyiv() *time.Location {
	kyivOnce.Do(func() {
		loc, err := time.LoadLocation("Europe/Kyiv")
		if err != nil {
			loc = time.FixedZone("EET", 2*3600)
		}
		kyivLoc = loc
	})
	return kyivLoc
}

func ptr[T any](v T) *T { return &v }
