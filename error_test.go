package truce_test

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"testing"

	"github.com/truce-monitor/truce"
)

func TestProblemString(t *testing.T) {
	tests := []struct {
		name string
		p    truce.Problem
		want string
	}{
		{"file line path", truce.Problem{File: "energy.yaml", Line: 12, Path: "rules[1].prohibits[0]", Message: "unknown kind"}, "energy.yaml:12: rules[1].prohibits[0]: unknown kind"},
		{"file path no line", truce.Problem{File: "energy.yaml", Path: "id", Message: "required"}, "energy.yaml: id: required"},
		{"file only", truce.Problem{File: "energy.yaml", Message: "empty file"}, "energy.yaml: empty file"},
		{"file and line no path", truce.Problem{File: "a.ndjson", Line: 3, Message: "bad json"}, "a.ndjson:3: bad json"},
		{"line and path", truce.Problem{Line: 7, Path: "$.location.lat", Message: "required with lon"}, "line 7: $.location.lat: required with lon"},
		{"line only", truce.Problem{Line: 7, Message: "not JSON"}, "line 7: not JSON"},
		{"path only", truce.Problem{Path: "$.id", Message: "required"}, "$.id: required"},
		{"message only", truce.Problem{Message: "something"}, "something"},
		{"negative line ignored", truce.Problem{Line: -1, Path: "x", Message: "m"}, "x: m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestErrorError(t *testing.T) {
	tests := []struct {
		name string
		err  *truce.Error
		want string
	}{
		{"no problems", &truce.Error{Code: truce.ENOTFOUND, Message: "No such source."}, "No such source."},
		{"one problem", truce.Invalid("invalid observation: 1 problem(s)", truce.Problem{Path: "$.id", Message: "required"}),
			"invalid observation: 1 problem(s)\n$.id: required"},
		{"several problems", truce.Invalid("bad batch",
			truce.Problem{Line: 1, Path: "$.id", Message: "required"},
			truce.Problem{File: "f.ndjson", Line: 2, Path: "$.kind", Message: "unknown kind"},
			truce.Problem{Message: "too many"}),
			"bad batch\nline 1: $.id: required\nf.ndjson:2: $.kind: unknown kind\ntoo many"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestErrorfAndInvalid(t *testing.T) {
	e := truce.Errorf(truce.ECONFLICT, "id %q is taken (%d)", "obs-1", 2)
	if e.Code != truce.ECONFLICT || e.Message != `id "obs-1" is taken (2)` || e.Problems != nil {
		t.Errorf("Errorf = %+v", e)
	}
	p := truce.Problem{Path: "$.id", Message: "required"}
	inv := truce.Invalid("bad", p)
	if inv.Code != truce.EINVALID || inv.Message != "bad" || !reflect.DeepEqual(inv.Problems, []truce.Problem{p}) {
		t.Errorf("Invalid = %+v", inv)
	}
}

func TestErrorAccessors(t *testing.T) {
	probs := []truce.Problem{{Path: "$.id", Message: "required"}, {Path: "$.kind", Message: "required"}}
	appErr := truce.Invalid("invalid observation: 2 problem(s)", probs...)
	notFound := truce.Errorf(truce.ENOTFOUND, "no source %q", "x")
	tests := []struct {
		name     string
		err      error
		code     string
		message  string
		problems []truce.Problem
	}{
		{"nil", nil, "", "", nil},
		{"app error", appErr, truce.EINVALID, "invalid observation: 2 problem(s)", probs},
		{"app error no problems", notFound, truce.ENOTFOUND, `no source "x"`, nil},
		{"wrapped once", fmt.Errorf("adding: %w", appErr), truce.EINVALID, "invalid observation: 2 problem(s)", probs},
		{"wrapped twice", fmt.Errorf("outer: %w", fmt.Errorf("inner: %w", notFound)), truce.ENOTFOUND, `no source "x"`, nil},
		{"joined", errors.Join(io.EOF, notFound), truce.ENOTFOUND, `no source "x"`, nil},
		{"plain error", errors.New("disk on fire at /var/lib/truce"), truce.EINTERNAL, "Internal error.", nil},
		{"wrapped plain error", fmt.Errorf("query: %w", io.ErrUnexpectedEOF), truce.EINTERNAL, "Internal error.", nil},
		{"formatted not wrapped", fmt.Errorf("query: %v", notFound), truce.EINTERNAL, "Internal error.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := truce.ErrorCode(tt.err); got != tt.code {
				t.Errorf("ErrorCode = %q, want %q", got, tt.code)
			}
			if got := truce.ErrorMessage(tt.err); got != tt.message {
				t.Errorf("ErrorMessage = %q, want %q", got, tt.message)
			}
			if got := truce.ErrorProblems(tt.err); !reflect.DeepEqual(got, tt.problems) {
				t.Errorf("ErrorProblems = %v, want %v", got, tt.problems)
			}
		})
	}
}

func TestErrorImplementsError(t *testing.T) {
	var err error = truce.Errorf(truce.EFORBIDDEN, "no")
	var e *truce.Error
	if !errors.As(err, &e) || e.Code != truce.EFORBIDDEN {
		t.Fatalf("errors.As failed for %v", err)
	}
}

func TestRelocate(t *testing.T) {
	err := &truce.Error{Code: truce.ECONFLICT, Message: "m", Problems: []truce.Problem{
		{Line: 1, Path: "$.id", Message: "a"}, {Line: 3, Path: "$.id", Message: "b"}, {Line: 9, Message: "out of range"}}}
	got := truce.ErrorProblems(truce.Relocate(fmt.Errorf("wrapped: %w", err), "f.csv", []int{2, 5, 7}))
	want := []truce.Problem{{File: "f.csv", Line: 2, Path: "$.id", Message: "a"}, {File: "f.csv", Line: 7, Path: "$.id", Message: "b"}, {File: "f.csv", Line: 9, Message: "out of range"}}
	if !slices.Equal(got, want) {
		t.Errorf("Relocate = %v, want %v", got, want)
	}
	if err.Problems[0].Line != 1 {
		t.Error("Relocate changed its input")
	}
	// A batch of one numbers its problem 0.
	one := truce.ErrorProblems(truce.Relocate(&truce.Error{Code: truce.EINVALID, Problems: []truce.Problem{{Path: "$.kind"}}}, "", []int{4}))
	if one[0].Line != 4 || one[0].File != "" {
		t.Errorf("batch of one: %v", one)
	}
	if plain := errors.New("x"); truce.Relocate(plain, "f", []int{1}) != plain {
		t.Error("Relocate changed a plain error")
	}
	if code := truce.ErrorCode(truce.Relocate(err, "", nil)); code != truce.ECONFLICT {
		t.Errorf("code %q", code)
	}
}
