// Package agreement reads agreement files: the YAML in which a mediator
// writes the terms of a ceasefire. It turns a file into a [truce.Agreement],
// checks it with [truce.Agreement.Validate], and reports every problem it
// finds with the file, the line and the field path, as
//
//	examples/ceasefire-30d-2025.yaml:41: rules[1].prohibits[0]: unknown kind "airstrike"; one of ...
//
// The format is documented in docs/agreements.md. In short: unknown fields
// are errors (a typo in a treaty must not pass silently); times without a
// UTC offset are read in the agreement's IANA time zone; a duration is a Go
// duration ("720h") or a number of calendar days ("30d"); geometry given by
// file is read and embedded, so that the logged agreement holds its full
// terms.
//
// The package imports the root package truce, its leaf library geo, and
// gopkg.in/yaml.v3. It embeds the IANA time zone database (time/tzdata) so
// that an agreement reads the same on every machine, including ones without
// /usr/share/zoneinfo.
package agreement

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	_ "time/tzdata" // the same zones on every machine

	"gopkg.in/yaml.v3"

	"github.com/truce-monitor/truce"
)

// Option configures [Parse].
type Option func(*config)

type config struct {
	readFile func(name string) ([]byte, error)
}

// WithFS makes Parse read the files that an agreement names in "file:"
// fields from fsys. Names are slash-separated paths valid in fsys
// ([fs.ValidPath]): relative, with no "..".
func WithFS(fsys fs.FS) Option {
	return func(c *config) {
		c.readFile = func(name string) ([]byte, error) {
			name = path.Clean(name)
			if !fs.ValidPath(name) {
				return nil, fmt.Errorf("%q is not a relative slash-separated path without \"..\"", name)
			}
			return fs.ReadFile(fsys, name)
		}
	}
}

// WithReadFile makes Parse read the files that an agreement names in
// "file:" fields with read, which gets the name as written.
func WithReadFile(read func(name string) ([]byte, error)) Option {
	return func(c *config) { c.readFile = read }
}

// ParseFile reads and parses the agreement file at path. Files named in
// "file:" fields are read relative to the agreement file's directory (or as
// given, when absolute). Problems name the file as path.
//
// If the agreement file itself cannot be read, the error is an ENOTFOUND
// *truce.Error when it does not exist and an EINVALID one otherwise.
func ParseFile(name string) (*truce.Agreement, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		code := truce.EINVALID
		if errors.Is(err, fs.ErrNotExist) {
			code = truce.ENOTFOUND
		}
		return nil, truce.Errorf(code, "cannot read agreement file: %v", err)
	}
	dir := filepath.Dir(name)
	return Parse(name, data, WithReadFile(func(ref string) ([]byte, error) {
		p := filepath.FromSlash(ref)
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		return os.ReadFile(p)
	}))
}

// Parse parses data, the contents of the agreement file filename, and
// validates the result. filename is used only in problems, and the files
// named in "file:" fields are read with the [WithFS] or [WithReadFile]
// option (without one, a "file:" field is a problem).
//
// On any problem, Parse returns a nil agreement and an EINVALID
// *truce.Error whose Problems list every problem found, each with File,
// Line (1-based), Path (the field, as "rules[1].prohibits[0]") and
// Message, sorted by line. The same data always gives the same agreement
// and the same canonical bytes.
func Parse(filename string, data []byte, opts ...Option) (*truce.Agreement, error) {
	var c config
	for _, o := range opts {
		o(&c)
	}
	d := &decoder{
		file:       filename,
		readFile:   c.readFile,
		reported:   map[string]bool{},
		suppressed: map[string]bool{},
	}
	root := d.parseYAML(data)
	if root == nil {
		return nil, d.err()
	}
	d.rejectAliases(root)
	a := d.agreement(root)
	if err := a.Validate(); err != nil {
		for _, p := range truce.ErrorProblems(err) {
			if d.isSuppressed(p.Path) {
				continue
			}
			line, col, shown := locate(root, p.Path)
			if m := coordPath.FindStringSubmatch(p.Message); m != nil && strings.HasSuffix(p.Path, ".geometry") {
				// Point at the bad position of an inline geometry.
				line, col, _ = locate(root, p.Path+"."+m[1])
			}
			d.add(line, col, shown, p.Message)
		}
	}
	if len(d.probs) > 0 {
		return nil, d.err()
	}
	return a, nil
}

// err returns the problems found as an EINVALID *truce.Error, sorted by
// line, without duplicates.
func (d *decoder) err() error {
	slices.SortStableFunc(d.probs, func(a, b problem) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.col, b.col))
	})
	var ps []truce.Problem
	for _, p := range d.probs {
		if len(ps) == 0 || ps[len(ps)-1] != p.Problem {
			ps = append(ps, p.Problem)
		}
	}
	msg := fmt.Sprintf("invalid agreement %s: %d problem(s)", d.file, len(ps))
	if d.file == "" {
		msg = fmt.Sprintf("invalid agreement: %d problem(s)", len(ps))
	}
	return truce.Invalid(msg, ps...)
}

// coordPath matches the start of a geo.CoordError message.
var coordPath = regexp.MustCompile(`^(coordinates(?:\[\d+\])*): `)

var yamlErrLine = regexp.MustCompile(`(?s)^yaml: line (\d+): (.*)$`)

// parseYAML decodes data into its one document's root node. It reports
// syntax errors, an empty file, several documents and a root that is not a
// mapping, and returns nil when there is nothing more to check.
func (d *decoder) parseYAML(data []byte) (root *yaml.Node) {
	defer func() {
		// yaml.v3 is a port of libyaml and has panicked on hostile
		// input before; a panic must not take down the caller.
		if r := recover(); r != nil {
			d.add(1, 0, "", fmt.Sprintf("cannot parse YAML: %v", r))
			root = nil
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.add(1, 0, "", "the file is empty: an agreement is a YAML mapping with id, title, parties, window, line_of_contact and rules")
		} else {
			d.syntaxError(data, err)
		}
		return nil
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		d.syntaxError(data, err)
		return nil
	default:
		d.add(next.Line, 0, "", "a second YAML document: an agreement file holds one document")
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		d.add(doc.Line, 0, "", "not a YAML document")
		return nil
	}
	root = doc.Content[0]
	if root.Kind != yaml.MappingNode {
		d.add(root.Line, 0, "", fmt.Sprintf("an agreement is a YAML mapping of fields (id, title, parties, ...), not %s", describe(root)))
		return nil
	}
	return root
}

// syntaxError reports a YAML syntax error with its line: the one yaml.v3
// names, else the line of the first byte that is not valid text, else 1.
func (d *decoder) syntaxError(data []byte, err error) {
	msg := err.Error()
	line := 0
	if m := yamlErrLine.FindStringSubmatch(msg); m != nil {
		// yaml.v3 names the line where the enclosing construct starts
		// (and, for some errors, one less); find the line at which the
		// text first fails in the same way.
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		line = failLine(data, max(line, 1), msg)
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
		if m := unknownAnchor.FindStringSubmatch(msg); m != nil {
			line = lineOf(data, "*"+m[1])
		} else if line = badByteLine(data); line == 0 {
			line = failLine(data, 1, msg)
		}
	}
	d.add(line, 0, "", "YAML syntax: "+msg)
}

var unknownAnchor = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)

// failLine returns the first line n, from line from on, such that the
// first n lines of data fail to parse with the message msg; from if there
// is none within 200 lines (or a few megabytes of parsing).
func failLine(data []byte, from int, msg string) int {
	lines := bytes.SplitAfter(data, []byte("\n"))
	size, budget := 0, 4<<20
	for _, l := range lines[:min(from-1, len(lines))] {
		size += len(l)
	}
	for n := from; n <= len(lines) && n < from+200; n++ {
		size += len(lines[n-1])
		if budget -= size; budget < 0 {
			break
		}
		dec := yaml.NewDecoder(bytes.NewReader(data[:size]))
		for {
			var node yaml.Node
			err := dec.Decode(&node)
			if err == nil {
				continue
			}
			if errors.Is(err, io.EOF) {
				break
			}
			got := err.Error()
			if m := yamlErrLine.FindStringSubmatch(got); m != nil {
				got = m[2]
			} else {
				got = strings.TrimPrefix(got, "yaml: ")
			}
			if got == msg {
				return n
			}
			break
		}
	}
	return from
}

// lineOf returns the line of the first s in data, or 1.
func lineOf(data []byte, s string) int {
	i := bytes.Index(data, []byte(s))
	if i < 0 {
		return 1
	}
	return 1 + bytes.Count(data[:i], []byte("\n"))
}

// badByteLine returns the line of the first byte of data that is not
// valid UTF-8 or is a control character other than tab, CR and LF, or 0.
func badByteLine(data []byte) int {
	line := 1
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 || r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f {
			return line
		}
		if r == '\n' {
			line++
		}
		i += n
	}
	return 0
}
