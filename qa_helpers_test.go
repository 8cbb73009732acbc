package truce_test

import (
	"os"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
)

// qaF returns a pointer to f, for the optional float fields of Location.
func qaF(f float64) *float64 { return &f }

// qaProblems asserts that err is an EINVALID *truce.Error and returns its
// problems.
func qaProblems(t *testing.T, err error) []truce.Problem {
	t.Helper()
	if err == nil {
		t.Fatalf("got nil error, want EINVALID")
	}
	if code := truce.ErrorCode(err); code != truce.EINVALID {
		t.Fatalf("ErrorCode = %q, want %q (err: %v)", code, truce.EINVALID, err)
	}
	ps := truce.ErrorProblems(err)
	if len(ps) == 0 {
		t.Fatalf("EINVALID error without problems: %v", err)
	}
	return ps
}

// qaHas reports whether ps holds a problem at exactly path whose message
// contains msg.
func qaHas(ps []truce.Problem, path, msg string) bool {
	for _, p := range ps {
		if p.Path == path && strings.Contains(p.Message, msg) {
			return true
		}
	}
	return false
}

// qaWant asserts that err is EINVALID with a problem at exactly path whose
// message contains msg. When n >= 0 it also asserts that there are exactly n
// problems.
func qaWant(t *testing.T, err error, path, msg string, n int) {
	t.Helper()
	ps := qaProblems(t, err)
	if !qaHas(ps, path, msg) {
		t.Errorf("no problem at path %q containing %q; got:\n%s", path, msg, qaList(ps))
	}
	if n >= 0 && len(ps) != n {
		t.Errorf("got %d problems, want %d:\n%s", len(ps), n, qaList(ps))
	}
}

func qaList(ps []truce.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("\t")
		b.WriteString(p.Path)
		b.WriteString(" | ")
		b.WriteString(p.Message)
		b.WriteString("\n")
	}
	return b.String()
}

// qaBug skips a test case that documents a known bug. Set TRUCE_RUN_BUGS=1
// to run such cases anyway (they fail until the bug is fixed).
func qaBug(t *testing.T, bug string) {
	t.Helper()
	if os.Getenv("TRUCE_RUN_BUGS") == "" {
		t.Skip("BUG: " + bug)
	}
}
