package pgbench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"strings"
	"testing"
)

// Where Debian's packages postgresql-15 and postgresql-15-postgis-3 put
// the server's programs and the postgis extension.
const (
	binDir  = "/usr/lib/postgresql/15/bin"
	postgis = "/usr/share/postgresql/15/extension/postgis.control"
)

// Connect starts a server as Start does and opens a session on it with
// settings, which is closed when tb's test ends. It fails the test where
// the session cannot be opened.
func Connect(tb testing.TB, settings ...Setting) *Session {
	tb.Helper()
	dsn := Start(tb)
	s, err := Open(context.Background(), dsn, settings)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close(context.Background()) })
	return s
}

// Start starts a throwaway PostgreSQL 15 cluster with PostGIS available,
// as bench/lib/postgis.sh does, and returns its DSN. The cluster listens
// on a Unix socket in a temporary directory only, and runs as the postgres
// user where the test runs as root; it is stopped and removed when tb's
// test ends.
//
// Start skips the test where PostgreSQL 15 or PostGIS is not installed,
// unless the environment variable TRUCE_REQUIRE_POSTGIS is set (as .ci/run
// sets it), when their absence fails the test.
func Start(tb testing.TB) string {
	tb.Helper()
	skip := tb.Skip
	if os.Getenv("TRUCE_REQUIRE_POSTGIS") != "" {
		skip = tb.Fatal
	}
	if _, err := os.Stat(binDir + "/initdb"); err != nil {
		skip("PostgreSQL 15 is not installed")
	}
	if _, err := os.Stat(postgis); err != nil {
		skip("PostGIS is not installed")
	}
	dir, err := os.MkdirTemp("", "truce-bench-postgis-test")
	if err != nil {
		tb.Fatal(err)
	}
	var as []string
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			skip("running as root and there is no postgres user to run PostgreSQL")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			tb.Fatal(err)
		}
		as = []string{"runuser", "-u", "postgres", "--"}
	}
	cmd := func(args ...string) {
		tb.Helper()
		args = append(as, args...)
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			tb.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	tb.Cleanup(func() {
		args := append(as, binDir+"/pg_ctl", "-D", dir+"/data", "-m", "immediate", "stop")
		exec.Command(args[0], args[1:]...).Run()
		os.RemoveAll(dir)
	})
	cmd(binDir+"/initdb", "-D", dir+"/data", "--auth=trust", "--username=postgres", "--no-sync")
	cmd(binDir+"/pg_ctl", "-D", dir+"/data", "-l", dir+"/postgres.log", "-w", "-s", "start", "-o",
		"-c listen_addresses='' -k "+dir+" -p 5432 -c fsync=off -c autovacuum=off")
	return fmt.Sprintf("host=%s port=5432 user=postgres dbname=postgres", dir)
}
