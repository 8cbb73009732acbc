package reporttest_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/truce-monitor/truce/bench/internal/reporttest"
)

// recorder is a testing.TB that records the failures Golden reports;
// Fatal stops Golden by a panic that golden recovers. Golden calls no
// other method.
type recorder struct {
	testing.TB
	errors, fatals int
}

type fatal struct{}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.errors++ }
func (r *recorder) Fatal(...any)          { r.fatals++; panic(fatal{}) }

// golden runs reporttest.Golden with r and returns r's errors and fatals.
func golden(path string, write func(io.Writer) error) (errs, fatals int) {
	r := &recorder{}
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(fatal); !ok {
				panic(p)
			}
		}
		errs, fatals = r.errors, r.fatals
	}()
	reporttest.Golden(r, path, write)
	return r.errors, r.fatals
}

func TestGolden(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.golden")
	if err := os.WriteFile(path, []byte("a report\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	text := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := fmt.Fprint(w, s); return err }
	}
	for _, tc := range []struct {
		name           string
		path           string
		write          func(io.Writer) error
		errors, fatals int
	}{
		{"same", path, text("a report\n"), 0, 0},
		{"different", path, text("another report\n"), 1, 0},
		{"write fails", path, func(io.Writer) error { return errors.New("no") }, 0, 1},
		{"no golden file", path + ".missing", text("a report\n"), 0, 1},
	} {
		if e, f := golden(tc.path, tc.write); e != tc.errors || f != tc.fatals {
			t.Errorf("%s: %d errors and %d fatal, want %d and %d", tc.name, e, f, tc.errors, tc.fatals)
		}
	}
}
