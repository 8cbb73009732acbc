package truce

import (
	"errors"
	"fmt"
	"strings"
)

// Application error codes. Adapters map each code to their own vocabulary
// (an HTTP status, a process exit code) in one table.
const (
	EINVALID      = "invalid"      // the input is malformed or breaks a rule
	ENOTFOUND     = "not_found"    // no such thing
	ECONFLICT     = "conflict"     // the id is taken by different content
	EUNAUTHORIZED = "unauthorized" // no valid credentials
	EFORBIDDEN    = "forbidden"    // the credentials' role may not do this
	ETOOLARGE     = "too_large"    // the input is over a size limit
	EUNSUPPORTED  = "unsupported"  // a media type or format truce does not take
	EINTERNAL     = "internal"     // a fault in truce or its store
	EUNAVAILABLE  = "unavailable"  // the store is shutting down or overloaded
	ETOOMANY      = "too_many"     // the client is over a rate limit; it may retry later
)

// Error is truce's one application error. Message is written for the person
// who sent the input; Problems, when present, name each place that is wrong.
type Error struct {
	Code     string
	Message  string
	Problems []Problem
}

// Problem names one thing wrong with an input and where it is.
type Problem struct {
	// File is the file the input came from, when there is one.
	File string `json:"file,omitempty"`
	// Line is the 1-based line in a file or an NDJSON batch, 0 if none.
	Line int `json:"line,omitempty"`
	// Path is the field, as a JSON path ("$.location.lat") or a dotted
	// field path ("rules[1].prohibits[0]").
	Path string `json:"path,omitempty"`
	// Message says what is wrong, in plain words.
	Message string `json:"message"`
}

// String formats p as FILE:LINE: path: message, leaving out what is unknown.
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		b.WriteString(": ")
	} else if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Error implements the error interface. With problems, it lists them one per
// line after the message.
func (e *Error) Error() string {
	if len(e.Problems) == 0 {
		return e.Message
	}
	var b strings.Builder
	b.WriteString(e.Message)
	for _, p := range e.Problems {
		b.WriteString("\n")
		b.WriteString(p.String())
	}
	return b.String()
}

// Errorf returns an *Error with code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error listing problems under message.
func Invalid(message string, problems ...Problem) *Error {
	return &Error{Code: EINVALID, Message: message, Problems: problems}
}

// ErrorCode returns the code of the *Error in err's chain, EINTERNAL for any
// other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the *Error in err's chain, or a generic
// message for any other error so that internals do not leak to clients.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorProblems returns the problems of the *Error in err's chain.
func ErrorProblems(err error) []Problem {
	var e *Error
	if errors.As(err, &e) {
		return e.Problems
	}
	return nil
}

// Relocate returns err with its problems moved from a batch to the input
// the batch came from. A service numbers each problem's Line by the
// position of the item in the batch (1-based; 0 for a batch of one); lines
// gives the line of the input where each item starts, and file, if not
// empty, names the input. Errors other than an *Error with problems are
// returned as they are.
func Relocate(err error, file string, lines []int) error {
	var e *Error
	if !errors.As(err, &e) || len(e.Problems) == 0 {
		return err
	}
	out := &Error{Code: e.Code, Message: e.Message, Problems: make([]Problem, len(e.Problems))}
	for i, p := range e.Problems {
		pos := p.Line
		if pos == 0 && len(lines) == 1 {
			pos = 1
		}
		if pos >= 1 && pos <= len(lines) {
			p.Line = lines[pos-1]
		}
		if file != "" {
			p.File = file
		}
		out.Problems[i] = p
	}
	return out
}

// problems collects Problems while a value is validated.
type problems []Problem

func (ps *problems) add(path, format string, args ...any) {
	*ps = append(*ps, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// err returns nil when nothing was found, otherwise an EINVALID *Error.
func (ps problems) err(what string) error {
	if len(ps) == 0 {
		return nil
	}
	return Invalid(fmt.Sprintf("invalid %s: %d problem(s)", what, len(ps)), ps...)
}
