package report_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/truce-monitor/truce/bench/internal/pgbench"
	"github.com/truce-monitor/truce/bench/internal/report"
)

func TestFormats(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{report.Count(0), "0"}, {report.Count(999), "999"}, {report.Count(1000), "1,000"}, {report.Count(-1234567), "-1,234,567"},
		{report.Seconds(2.345), "2.35 s"}, {report.Seconds(0.0401), "40.1 ms"}, {report.Seconds(0.000412), "412 µs"},
		{report.Seconds(0.035), "35.0 ms"}, {report.Seconds(0.0999999), "100 ms"}, {report.Seconds(12.34), "12.3 s"},
		{report.Seconds(1234.6), "1235 s"}, {report.Seconds(0), "–"},
		{report.Rate(24.94e6), "24.9 M"}, {report.Rate(165289), "165 k"}, {report.Rate(12), "12"},
		{report.Times(0), "–"}, {report.Times(12.345), "12.3×"},
		{report.Plural(1, "pair", "pairs"), "1 pair"}, {report.Plural(0, "pair", "pairs"), "0 pairs"},
		{report.Plural(1000, "pair", "pairs"), "1,000 pairs"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestWrite(t *testing.T) {
	type result struct {
		N int `json:"n"`
	}
	text := func(w io.Writer, r result) error {
		_, err := fmt.Fprintf(w, "n is %d\n", r.N)
		return err
	}
	for _, tc := range []struct {
		asJSON bool
		want   string
	}{
		{false, "n is 3\n"},
		{true, "{\n  \"n\": 3\n}\n"},
	} {
		var b bytes.Buffer
		if err := report.Write(&b, result{3}, tc.asJSON, text); err != nil {
			t.Fatal(err)
		}
		if b.String() != tc.want {
			t.Errorf("Write(asJSON %v) wrote %q, want %q", tc.asJSON, b.String(), tc.want)
		}
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		ds   []time.Duration
		want time.Duration
	}{
		{[]time.Duration{5}, 5},
		{[]time.Duration{3, 1, 2}, 2},
		{[]time.Duration{4, 1, 3, 2}, 2}, // the lower middle
	} {
		in := append([]time.Duration(nil), tc.ds...)
		if got := report.Median(tc.ds); got != tc.want {
			t.Errorf("Median(%v) = %v, want %v", in, got, tc.want)
		}
		for i := range in {
			if tc.ds[i] != in[i] {
				t.Errorf("Median reordered its argument: %v, was %v", tc.ds, in)
				break
			}
		}
	}
}

func TestMachine(t *testing.T) {
	m := &pgbench.Machine{
		Cores: 2, Go: "go1.26.0", PostgreSQL: "15.18",
		PostGIS:  `POSTGIS="3.3.2 4975da8" [EXTENSION] PGSQL="150" GEOS="3.11.1-CAPI-1.17.1" PROJ="9.1.1" LIBXML="2.9.14"`,
		Settings: []pgbench.Setting{{Name: "jit", Value: "off"}, {Name: "work_mem", Value: "4MB"}},
		Load:     "0.10 0.20 0.30",
	}
	var b bytes.Buffer
	p := report.NewPrinter(&b)
	p.Machine(m)
	want := "truce vs PostGIS on one machine: 2 cores, go1.26.0, PostgreSQL 15.18, PostGIS 3.3.2, GEOS 3.11.1-CAPI-1.17.1, PROJ 9.1.1\n" +
		"load average at the start: 0.10 0.20 0.30\n" +
		"PostgreSQL settings: jit=off work_mem=4MB\n\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}

	// Without a load average, and with a version string it cannot read.
	m.Load, m.PostGIS = "", "3.5"
	b.Reset()
	p.Machine(m)
	want = "truce vs PostGIS on one machine: 2 cores, go1.26.0, PostgreSQL 15.18, 3.5\n" +
		"PostgreSQL settings: jit=off work_mem=4MB\n\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}

// failAfter accepts n writes and fails the rest, counting the calls.
type failAfter struct{ n, calls int }

var errFull = errors.New("disk full")

func (w *failAfter) Write(b []byte) (int, error) {
	w.calls++
	if w.calls > w.n {
		return 0, errFull
	}
	return len(b), nil
}

func TestPrinterKeepsFirstError(t *testing.T) {
	w := &failAfter{n: 1}
	p := report.NewPrinter(w)
	p.Printf("%d\n", 1)
	if p.Err() != nil {
		t.Fatalf("error after one good write: %v", p.Err())
	}
	p.Row("%-5s|%5s", "a", "b")
	p.Printf("more\n")
	if !errors.Is(p.Err(), errFull) {
		t.Errorf("Err() = %v, want %v", p.Err(), errFull)
	}
	if w.calls != 2 {
		t.Errorf("%d writes, want 2: none after the first failure", w.calls)
	}
}

func TestRowTrimsTrailingSpaces(t *testing.T) {
	var b bytes.Buffer
	p := report.NewPrinter(&b)
	p.Row("%-6s %6s %-6s", "a", "b", "")
	if got, want := b.String(), "a           b\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
