// Package pgbench is a throwaway PostGIS server for the benchmarks that
// compare truce with PostGIS: the flags that name it, connecting to it with
// the session settings a comparison depends on, loading rows by binary
// COPY, the machine and versions a report states, the CPU time of its
// processes, and the harness tests use to start one.
//
// bench/lib/postgis.sh starts the same kind of server for the benchmark
// scripts.
package pgbench

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// A Setting is a PostgreSQL run-time parameter and its value.
type Setting struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Flags are the command-line flags that name the server and say how to set
// up the session on it.
type Flags struct {
	DSN     string // the server, as libpq key=value or URL
	Workers int    // max_parallel_workers_per_gather
	JIT     bool   // leave JIT compilation on
	Keep    bool   // leave the comparison's tables in the database
}

// Register defines the flags -dsn (by default $DATABASE_URL), -pg-workers
// (by default the number of CPUs), -pg-jit and -keep in fs.
func (f *Flags) Register(fs *flag.FlagSet) {
	fs.StringVar(&f.DSN, "dsn", os.Getenv("DATABASE_URL"), "the PostgreSQL server with PostGIS (libpq key=value or URL)")
	fs.IntVar(&f.Workers, "pg-workers", runtime.NumCPU(), "PostgreSQL max_parallel_workers_per_gather")
	fs.BoolVar(&f.JIT, "pg-jit", false, "leave PostgreSQL's JIT compilation on")
	fs.BoolVar(&f.Keep, "keep", false, "leave the tables in the database, for a look with psql")
}

// Parse parses args with fs, in which Register has defined the flags,
// refuses arguments that are not flags and checks the values as Check
// does, for the script bench/NAME.sh where NAME is fs's name.
func (f *Flags) Parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return f.Check("bench/" + fs.Name() + ".sh")
}

// Check reports flag values that cannot be used. script names the script
// that starts a server, for the error when no server is given.
func (f *Flags) Check(script string) error {
	switch {
	case f.DSN == "":
		return fmt.Errorf("no PostgreSQL server: give --dsn or DATABASE_URL (%s starts one)", script)
	case f.Workers < 0:
		return fmt.Errorf("--pg-workers %d: want 0 or more", f.Workers)
	}
	return nil
}

// Settings returns the session settings the flags ask for: parallel
// workers per gather, and JIT compilation on or off.
func (f *Flags) Settings() []Setting {
	return []Setting{
		{"max_parallel_workers_per_gather", strconv.Itoa(f.Workers)},
		{"jit", map[bool]string{true: "on", false: "off"}[f.JIT]},
	}
}

// Open connects to the server the flags name, creates the postgis
// extension if needed and applies to the session the settings the flags
// ask for, then extra. Close on the session keeps the comparison's tables
// where the flags say -keep.
func (f *Flags) Open(ctx context.Context, extra ...Setting) (*Session, error) {
	s, err := Open(ctx, f.DSN, append(f.Settings(), extra...))
	if err != nil {
		return nil, err
	}
	s.keep = f.Keep
	return s, nil
}

// A Session is one connection to the PostGIS server under test.
type Session struct {
	Conn *pgx.Conn // the session's connection
	// CPU reads the CPU time of the server's processes; it is nil, and
	// reads 0, where they cannot be read.
	CPU  *ServerCPU
	keep bool // Close runs no statements
}

// Open connects to dsn, creates the postgis extension if needed, applies
// settings to the session and finds the server's processes for the
// session's CPU, logging a warning where it cannot.
func Open(ctx context.Context, dsn string, settings []Setting) (*Session, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	s := &Session{Conn: conn}
	if _, err := conn.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS postgis"); err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("creating the postgis extension: %w", err)
	}
	for _, st := range settings {
		if _, err := conn.Exec(ctx, "SELECT set_config($1, $2, false)", st.Name, st.Value); err != nil {
			conn.Close(ctx)
			return nil, fmt.Errorf("setting %s = %s: %w", st.Name, st.Value, err)
		}
	}
	if s.CPU, err = s.serverCPU(ctx); err != nil {
		slog.Warn("the server's CPU time cannot be read; reporting wall-clock times only", "err", err)
	}
	return s, nil
}

// Exec runs statements in order, and stops at the first that fails.
func (s *Session) Exec(ctx context.Context, statements ...string) error {
	for _, q := range statements {
		if _, err := s.Conn.Exec(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// Close runs the statements in drop, if any, to remove what the session
// made, unless the session was opened by [Flags.Open] with -keep, and ends
// the session. It returns the first error.
func (s *Session) Close(ctx context.Context, drop ...string) error {
	var err error
	if !s.keep {
		err = s.Exec(ctx, drop...)
	}
	if cerr := s.Conn.Close(ctx); err == nil {
		err = cerr
	}
	return err
}

// Plan returns the planner's plan for query, one line of EXPLAIN's output
// to a line, without costs.
func (s *Session) Plan(ctx context.Context, query string) (string, error) {
	rows, err := s.Conn.Query(ctx, "EXPLAIN (COSTS OFF) "+query)
	if err != nil {
		return "", err
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return strings.Join(lines, "\n"), err
}

// Machine is what a comparison reports of the machine and the server it
// ran on.
type Machine struct {
	Cores      int       `json:"cores"`
	Go         string    `json:"go"`
	PostgreSQL string    `json:"postgresql"`
	PostGIS    string    `json:"postgis"`
	Settings   []Setting `json:"settings"`
	// Load is the system load average (1, 5 and 15 minutes) when the run
	// started, from /proc/loadavg where there is one: other work on the
	// machine slows both sides.
	Load string `json:"load_average,omitempty"`
}

// shown are the settings a Machine reports: those that decide how much of
// the machine PostgreSQL uses, and how.
var shown = []string{"max_parallel_workers_per_gather", "max_parallel_workers", "max_worker_processes",
	"parallel_leader_participation", "jit", "shared_buffers", "work_mem"}

// Machine returns the machine's cores and load average, the Go release,
// the server's PostgreSQL and PostGIS versions (postgis_full_version()) and
// the values in force in the session of the settings that decide how
// PostgreSQL uses the machine.
func (s *Session) Machine(ctx context.Context) (Machine, error) {
	m := Machine{Cores: runtime.NumCPU(), Go: runtime.Version(), Load: loadAverage()}
	err := s.Conn.QueryRow(ctx, "SELECT current_setting('server_version'), postgis_full_version()").Scan(&m.PostgreSQL, &m.PostGIS)
	if err != nil {
		return Machine{}, err
	}
	m.Settings = make([]Setting, 0, len(shown))
	for _, n := range shown {
		var v string
		if err := s.Conn.QueryRow(ctx, "SELECT current_setting($1)", n).Scan(&v); err != nil {
			return Machine{}, err
		}
		m.Settings = append(m.Settings, Setting{n, v})
	}
	return m, nil
}

// loadAverage returns the 1, 5 and 15 minute load averages, or "" where the
// system does not say.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
