package pgbench

import (
	"context"
	"flag"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestProcStat(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	st, err := procStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if st.ppid != os.Getppid() {
		t.Errorf("parent %d, want %d", st.ppid, os.Getppid())
	}
	if _, err := procStat(-1); err == nil {
		t.Error("read the stat of process -1")
	}
}

func TestProcessCPU(t *testing.T) {
	before := ProcessCPU()
	if before <= 0 {
		t.Fatalf("CPU time %v, want some: the test itself has run", before)
	}
	// Spin until the clock has moved on by 20 ms of CPU time; the test
	// fails by timing out if the process's CPU time never grows.
	x := 0
	for ProcessCPU() < before+20*time.Millisecond {
		for i := range 100_000 {
			x ^= i
		}
	}
	_ = x
}

func TestNilServerCPU(t *testing.T) {
	var c *ServerCPU
	if got := c.Used(); got != 0 {
		t.Errorf("nil ServerCPU used %v, want 0", got)
	}
}

func TestFlags(t *testing.T) {
	for _, tc := range []struct {
		args         []string
		env          string
		wantErr      string
		wantSettings []Setting
		wantKeep     bool
	}{
		{args: nil, wantErr: "no PostgreSQL server: give --dsn or DATABASE_URL (bench/x.sh starts one)"},
		{args: []string{"--dsn", "x", "extra"}, wantErr: `unexpected arguments ["extra"]`},
		{args: []string{"--no-such-flag"}, wantErr: "flag provided but not defined: -no-such-flag"},
		{args: []string{"--dsn", "x", "--pg-workers", "-1"}, wantErr: "--pg-workers -1: want 0 or more"},
		{args: []string{"--dsn", "x", "--pg-workers", "3"},
			wantSettings: []Setting{{"max_parallel_workers_per_gather", "3"}, {"jit", "off"}}},
		{args: []string{"--pg-workers", "0", "--pg-jit", "--keep"}, env: "host=/tmp",
			wantSettings: []Setting{{"max_parallel_workers_per_gather", "0"}, {"jit", "on"}}, wantKeep: true},
	} {
		t.Setenv("DATABASE_URL", tc.env)
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var f Flags
		f.Register(fs)
		err := f.Parse(fs, tc.args)
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("%q: error %v, want %q", tc.args, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if got := f.Settings(); !slices.Equal(got, tc.wantSettings) || f.Keep != tc.wantKeep {
			t.Errorf("%q: settings %v, keep %v; want %v, %v", tc.args, got, f.Keep, tc.wantSettings, tc.wantKeep)
		}
		if tc.env != "" && f.DSN != tc.env {
			t.Errorf("%q: DSN %q, want $DATABASE_URL %q", tc.args, f.DSN, tc.env)
		}
	}
}

// TestSession starts a server, opens a session with settings and checks
// what the session reports, its plans, the server's CPU time and that
// Close runs the statements it is given.
func TestSession(t *testing.T) {
	dsn := Start(t)
	ctx := context.Background()
	if _, err := Open(ctx, dsn, []Setting{{"no_such_setting", "1"}}); err == nil || !strings.Contains(err.Error(), "setting no_such_setting = 1") {
		t.Errorf("Open with an unknown setting: %v, want an error naming it", err)
	}
	s, err := Open(ctx, dsn, []Setting{{"jit", "off"}, {"work_mem", "7MB"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Machine(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.PostgreSQL, "15.") || !strings.Contains(m.PostGIS, `POSTGIS="3.`) || m.Cores < 1 || m.Go == "" {
		t.Errorf("machine %+v: want PostgreSQL 15, PostGIS 3, cores and Go", m)
	}
	var names []string
	for _, st := range m.Settings {
		names = append(names, st.Name)
		if st.Name == "work_mem" && st.Value != "7MB" || st.Name == "jit" && st.Value != "off" {
			t.Errorf("setting %s = %s, not as the session set it", st.Name, st.Value)
		}
	}
	if !slices.Equal(names, shown) {
		t.Errorf("settings %v, want %v", names, shown)
	}
	if _, err := os.Stat("/proc/loadavg"); err == nil && len(strings.Fields(m.Load)) != 3 {
		t.Errorf("load average %q, want three figures", m.Load)
	}

	plan, err := s.Plan(ctx, "SELECT ST_Area(ST_MakeEnvelope(0, 0, 1, 1)) FROM generate_series(1, 10)")
	if err != nil || !strings.Contains(plan, "Function Scan on generate_series") {
		t.Errorf("plan %q, %v: want a function scan", plan, err)
	}

	cpu := s.CPU
	if cpu == nil {
		t.Fatal("the server's CPU time cannot be read")
	}
	before := cpu.Used()
	deadline := time.Now().Add(time.Minute)
	for cpu.Used() == before && time.Now().Before(deadline) {
		if _, err := s.Conn.Exec(ctx, "SELECT count(*) FROM generate_series(1, 3000000)"); err != nil {
			t.Fatal(err)
		}
	}
	if after := cpu.Used(); after <= before {
		t.Errorf("the server's CPU time went from %v to %v over its queries", before, after)
	}

	// A binary COPY of every kind of field, read back.
	if err := s.Exec(ctx, "CREATE TABLE copied (i int4, n int8, s text, b bool, g geometry(Point, 4326))"); err != nil {
		t.Fatal(err)
	}
	d := NewCopyData(0)
	for i, r := range []struct {
		n    int64
		s    string
		b    bool
		x, y float64
	}{{-1 << 40, "fire", true, 30.5, -50.25}, {7, "", false, 0, 90}} {
		d.Row(5)
		d.Int4(int32(i))
		d.Int8(r.n)
		d.Text(r.s)
		d.Bool(r.b)
		d.Point(r.x, r.y)
	}
	if _, err := s.CopyFrom(ctx, "copied", "i, n, s, b, g", d); err != nil {
		t.Fatal(err)
	}
	var rows []string
	r, err := s.Conn.Query(ctx, "SELECT concat_ws(' ', i, n, quote_literal(s), b, ST_AsEWKT(g)) FROM copied ORDER BY i")
	if err == nil {
		rows, err = pgx.CollectRows(r, pgx.RowTo[string])
	}
	if want := []string{"0 -1099511627776 'fire' t SRID=4326;POINT(30.5 -50.25)", "1 7 '' f SRID=4326;POINT(0 90)"}; err != nil || !slices.Equal(rows, want) {
		t.Errorf("copied rows %q, %v; want %q", rows, err, want)
	}
	if _, err := s.CopyFrom(ctx, "no_such_table", "i", NewCopyData(0)); err == nil {
		t.Error("copied into a table that does not exist")
	}

	if err := s.Close(ctx, "DROP TABLE no_such_table"); err == nil || !strings.Contains(err.Error(), "no_such_table") {
		t.Errorf("Close with a failing statement: %v, want its error", err)
	}

	// Close runs its statements, unless the session was opened with -keep.
	for _, keep := range []bool{true, false} {
		f := Flags{DSN: dsn, Workers: 1, Keep: keep}
		s, err := f.Open(ctx, Setting{"work_mem", "5MB"})
		if err != nil {
			t.Fatal(err)
		}
		var workers, workMem string
		if err := s.Conn.QueryRow(ctx, "SELECT current_setting('max_parallel_workers_per_gather'), current_setting('work_mem')").Scan(&workers, &workMem); err != nil {
			t.Fatal(err)
		}
		if workers != "1" || workMem != "5MB" {
			t.Errorf("Flags.Open: workers %s, work_mem %s; want 1 and 5MB", workers, workMem)
		}
		if _, err := s.Conn.Exec(ctx, "CREATE TABLE IF NOT EXISTS pgbench_kept (i int)"); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(ctx, "DROP TABLE pgbench_kept"); err != nil {
			t.Fatal(err)
		}
		s, err = Open(ctx, dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := s.Conn.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE tablename = 'pgbench_kept'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{true: 1, false: 0}[keep]; n != want {
			t.Errorf("keep %v: %d tables left after Close, want %d", keep, n, want)
		}
		s.Close(ctx)
	}
}
