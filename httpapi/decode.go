package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/truce-monitor/truce"
)

// maxDecodeProblems bounds the problems reported for one JSON value, so that
// a hostile body cannot make the error response larger than itself.
const maxDecodeProblems = 100

// DecodeObservation decodes one observation from data, strictly, and
// validates it. On success it returns the observation and no problems; on
// failure, nil and every problem found, each with Line set to line (pass 0
// for a request body holding one object, the 1-based line number for a line
// of an NDJSON batch).
//
// Strict means: data holds exactly one JSON object and nothing after it but
// white space; every key is a field of [truce.Observation] spelt exactly
// (encoding/json would also take "ID" for "id"); no key appears twice in one
// object; and every value has the field's JSON type. Problems name the JSON
// path ("$.location.lat", "$.evidence[2].sha256"). Only when decoding
// succeeds is [truce.Observation.Validate] run, so that a value that failed
// to decode is not also reported as missing.
func DecodeObservation(data []byte, line int) (*truce.Observation, []truce.Problem) {
	o, ps := decodeObservation(data, line)
	if len(ps) > 0 {
		return nil, ps
	}
	return o, nil
}

// decodeStrict decodes the one JSON value in data into v (a pointer) and
// reports every problem with it. line is set on each problem; when it is 0,
// positions in messages are given as line and column within data, else as a
// column within the line. Bytes that are not UTF-8, and escapes of half a
// surrogate pair, are a problem at the path of their string: they are
// never replaced.
func decodeStrict(data []byte, line int, v any) []truce.Problem {
	if ps := textProblem(data, line); ps != nil {
		return ps
	}
	if decodeFast(data, v) {
		return nil
	}
	return decodeChecked(data, line, v)
}

// decodeChecked is decodeStrict without its fast path: it walks the input
// token by token so that every problem is named precisely.
func decodeChecked(data []byte, line int, v any) []truce.Problem {
	// 1. Syntax, and exactly one value.
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		var syn *json.SyntaxError
		switch {
		case errors.As(err, &syn):
			return []truce.Problem{{Line: line, Path: "$", Message: fmt.Sprintf("invalid JSON %s: %s", position(data, syn.Offset-1, line), strings.TrimPrefix(syn.Error(), "json: "))}}
		case err == io.EOF:
			return []truce.Problem{{Line: line, Path: "$", Message: "no JSON value; expected an object"}}
		case err == io.ErrUnexpectedEOF:
			return []truce.Problem{{Line: line, Path: "$", Message: fmt.Sprintf("invalid JSON %s: unexpected end of input", position(data, int64(len(data)), line))}}
		default:
			return []truce.Problem{{Line: line, Path: "$", Message: "invalid JSON: " + strings.TrimPrefix(err.Error(), "json: ")}}
		}
	}
	if off := dec.InputOffset(); len(bytes.TrimLeft(data[off:], " \t\r\n")) > 0 {
		rest := off + int64(len(data[off:])-len(bytes.TrimLeft(data[off:], " \t\r\n")))
		return []truce.Problem{{Line: line, Path: "$", Message: fmt.Sprintf("unexpected data after the JSON value %s; give one value", position(data, rest, line))}}
	}

	// 2. Shape: every key known, spelt exactly, once; every value of its
	// field's type.
	t := reflect.TypeOf(v).Elem()
	w := walker{dec: json.NewDecoder(bytes.NewReader(raw)), line: line}
	w.dec.UseNumber()
	if err := w.value("$", t); err != nil && len(w.ps) == 0 {
		w.add("$", "invalid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if len(w.ps) > 0 {
		return w.ps
	}

	// 3. The value itself. The walker has checked everything that
	// encoding/json checks, so this fails only if the two disagree; the
	// error is then reported as precisely as encoding/json allows.
	dec = json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return []truce.Problem{decodeErrorProblem(err, line)}
	}
	return nil
}

// decodeErrorProblem turns an encoding/json error into a Problem.
func decodeErrorProblem(err error, line int) truce.Problem {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		path := "$"
		if typ.Field != "" {
			path += "." + typ.Field
		}
		return truce.Problem{Line: line, Path: path, Message: fmt.Sprintf("expected %s, got %s", expected(typ.Type), typ.Value)}
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		if n, err := strconv.Unquote(name); err == nil {
			name = n
		}
		return truce.Problem{Line: line, Path: childPath("$", name), Message: "unknown field"}
	}
	return truce.Problem{Line: line, Path: "$", Message: strings.TrimPrefix(msg, "json: ")}
}

// position describes byte offset off of data for a message: "at column 7"
// within an NDJSON line, "at line 2, column 7 (byte offset 30)" within a
// whole body.
func position(data []byte, off int64, line int) string {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	l := bytes.Count(before, []byte{'\n'}) + 1
	col := int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	if line > 0 {
		return fmt.Sprintf("at column %d", col)
	}
	return fmt.Sprintf("at line %d, column %d (byte offset %d)", l, col, off)
}

var (
	rawMessageType = reflect.TypeFor[json.RawMessage]()
	timeType       = reflect.TypeFor[time.Time]()
)

// walker checks a stream of JSON tokens against a Go type, the way
// encoding/json would decode it but stricter and reporting every problem
// with its path.
type walker struct {
	dec  *json.Decoder
	line int
	ps   []truce.Problem
}

func (w *walker) add(path, format string, args ...any) {
	switch n := len(w.ps); {
	case n < maxDecodeProblems:
		w.ps = append(w.ps, truce.Problem{Line: w.line, Path: path, Message: fmt.Sprintf(format, args...)})
	case n == maxDecodeProblems:
		w.ps = append(w.ps, truce.Problem{Line: w.line, Path: "$", Message: fmt.Sprintf("more than %d problems; the rest are not listed", maxDecodeProblems)})
	}
}

// value reads the next value and checks it against t.
func (w *walker) value(path string, t reflect.Type) error {
	tok, err := w.dec.Token()
	if err != nil {
		return err
	}
	return w.check(path, t, tok)
}

// check checks the value that starts with tok against t and consumes the
// rest of it.
func (w *walker) check(path string, t reflect.Type, tok json.Token) error {
	if t == rawMessageType || t.Kind() == reflect.Interface {
		return w.skip(tok)
	}
	if tok == nil {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map:
		default:
			w.add(path, "expected %s, got null", expected(t))
		}
		return nil
	}
	if t == timeType {
		s, ok := tok.(string)
		if !ok {
			w.mismatch(path, t, tok)
			return w.skip(tok)
		}
		var tm time.Time
		b, _ := json.Marshal(s)
		if err := tm.UnmarshalJSON(b); err != nil {
			w.add(path, "%s is not an RFC 3339 time such as \"2025-03-14T06:30:00+02:00\"", quote(s))
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		return w.check(path, t.Elem(), tok)
	case reflect.Struct:
		if tok != json.Delim('{') {
			w.mismatch(path, t, tok)
			return w.skip(tok)
		}
		return w.object(path, t)
	case reflect.Map:
		if tok != json.Delim('{') {
			w.mismatch(path, t, tok)
			return w.skip(tok)
		}
		return w.mapping(path, t)
	case reflect.Slice, reflect.Array:
		if tok != json.Delim('[') {
			w.mismatch(path, t, tok)
			return w.skip(tok)
		}
		for i := 0; w.dec.More(); i++ {
			if err := w.value(fmt.Sprintf("%s[%d]", path, i), t.Elem()); err != nil {
				return err
			}
		}
		_, err := w.dec.Token() // ]
		return err
	case reflect.String:
		if _, ok := tok.(string); !ok {
			w.mismatch(path, t, tok)
			return w.skip(tok)
		}
	case reflect.Bool:
		if _, ok := tok.(bool); !ok {
			w.mismatch(path, t, tok)
			return w.skip(tok)
		}
	case reflect.Float32, reflect.Float64:
		n, ok := tok.(json.Number)
		if !ok {
			w.mismatch(path, t, tok)
			return w.skip(tok)
		}
		if _, err := strconv.ParseFloat(string(n), t.Bits()); err != nil {
			w.add(path, "number %s is out of range", n)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := tok.(json.Number)
		if !ok {
			w.mismatch(path, t, tok)
			return w.skip(tok)
		}
		if _, err := strconv.ParseInt(string(n), 10, t.Bits()); err != nil {
			if strings.ContainsAny(string(n), ".eE") {
				w.add(path, "expected an integer, got %s", n)
			} else {
				w.add(path, "integer %s is out of range", n)
			}
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := tok.(json.Number)
		if !ok {
			w.mismatch(path, t, tok)
			return w.skip(tok)
		}
		if _, err := strconv.ParseUint(string(n), 10, t.Bits()); err != nil {
			w.add(path, "expected a non-negative integer, got %s", n)
		}
	default:
		return w.skip(tok)
	}
	return nil
}

// object checks the members of an object (its '{' already read) against
// the fields of struct type t.
func (w *walker) object(path string, t reflect.Type) error {
	fields := fieldsOf(t)
	return w.members(path, "duplicate field", func(p, key string) (reflect.Type, bool) {
		if ft, ok := fields[key]; ok {
			return ft, true
		}
		msg := "unknown field"
		for name := range fields {
			if strings.EqualFold(name, key) {
				msg += fmt.Sprintf("; did you mean %q?", name)
				break
			}
		}
		w.add(p, "%s", msg)
		return nil, false
	})
}

// mapping checks the members of an object (its '{' already read) against
// map type t.
func (w *walker) mapping(path string, t reflect.Type) error {
	return w.members(path, "duplicate key", func(string, string) (reflect.Type, bool) { return t.Elem(), true })
}

// members reads the members of an object (its '{' already read) and its
// '}', reporting repeated keys with dup. typeOf gives each member's type,
// or false (having reported why) to skip its value.
func (w *walker) members(path, dup string, typeOf func(p, key string) (reflect.Type, bool)) error {
	seen := map[string]bool{}
	for w.dec.More() {
		tok, err := w.dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		p := childPath(path, key)
		if seen[key] {
			w.add(p, "%s", dup)
		}
		seen[key] = true
		if ft, ok := typeOf(p, key); ok {
			err = w.value(p, ft)
		} else if tok, err = w.dec.Token(); err == nil {
			err = w.skip(tok)
		}
		if err != nil {
			return err
		}
	}
	_, err := w.dec.Token() // }
	return err
}

// skip consumes the rest of the value that starts with tok.
func (w *walker) skip(tok json.Token) error {
	if tok != json.Delim('{') && tok != json.Delim('[') {
		return nil
	}
	for depth := 1; depth > 0; {
		tok, err := w.dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

func (w *walker) mismatch(path string, t reflect.Type, tok json.Token) {
	w.add(path, "expected %s, got %s", expected(t), describe(tok))
}

// expected names the JSON form that decodes into t.
func expected(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	if t == timeType {
		return "an RFC 3339 time string"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return expected(t.Elem())
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	}
	return "a value"
}

// describe names the JSON value that starts with tok, for messages.
func describe(tok json.Token) string {
	switch v := tok.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		return "the number " + string(v)
	case string:
		return "the string " + quote(v)
	case json.Delim:
		if v == '{' {
			return "an object"
		}
		return "an array"
	}
	return "a value"
}

// quote quotes s for a message, shortening long strings.
func quote(s string) string {
	const max = 64
	if len(s) > max {
		cut := max
		for cut > 0 && !isRuneStart(s[cut]) {
			cut--
		}
		return strconv.Quote(s[:cut]) + "…"
	}
	return strconv.Quote(s)
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// childPath returns the JSON path of member key of the object at path:
// "$.location.lat", or "$.title_i18n[\"pt BR\"]" for a key that is not a
// plain name.
func childPath(path, key string) string {
	plain := key != ""
	for _, c := range key {
		if !(c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			plain = false
			break
		}
	}
	if plain {
		return path + "." + key
	}
	return path + "[" + strconv.Quote(key) + "]"
}

var fieldCache sync.Map // reflect.Type → map[string]reflect.Type

// fieldsOf returns the JSON member names of struct type t with their types,
// following encoding/json's rules for tags and embedded structs (without
// its resolution of name conflicts, which truce's types do not have).
func fieldsOf(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			et := ft
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				for k, v := range fieldsOf(et) {
					if _, ok := m[k]; !ok {
						m[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = ft
	}
	fieldCache.Store(t, m)
	return m
}
