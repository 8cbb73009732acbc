package pgbench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The machine is shared, so wall-clock times depend on what else runs. CPU
// time does much less: the comparisons also report the CPU time each side
// spent, all cores added up.

// ProcessCPU returns the user and system CPU time this process has used,
// or 0 where it cannot be read.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// clockTick is Linux's USER_HZ, the unit of /proc/PID/stat's times: 100
// per second on every architecture Linux runs Go on.
const clockTick = 10 * time.Millisecond

// ServerCPU reads the CPU time of a PostgreSQL server running on this
// machine: its postmaster's own and that of the children it has reaped
// (parallel workers that have exited), plus that of its live children (the
// backends, live workers and background processes). It needs the server's
// postmaster.pid and /proc.
type ServerCPU struct {
	postmaster int
}

// serverCPU finds the postmaster of the server s is connected to. It
// returns nil, and the reason, where the server's processes cannot be
// read: on another machine, or without /proc.
func (s *Session) serverCPU(ctx context.Context) (*ServerCPU, error) {
	var dataDir string
	if err := s.Conn.QueryRow(ctx, "SELECT current_setting('data_directory')").Scan(&dataDir); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return nil, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		return nil, fmt.Errorf("postmaster.pid: %v", err)
	}
	c := &ServerCPU{pid}
	if _, err := c.read(); err != nil {
		return nil, err
	}
	return c, nil
}

// Used returns the CPU time the server's processes have used so far, or 0
// for a nil c or where it cannot be read.
func (c *ServerCPU) Used() time.Duration {
	if c == nil {
		return 0
	}
	d, err := c.read()
	if err != nil {
		return 0
	}
	return d
}

func (c *ServerCPU) read() (time.Duration, error) {
	f, err := procStat(c.postmaster)
	if err != nil {
		return 0, err
	}
	total := f.utime + f.stime + f.cutime + f.cstime
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == c.postmaster {
			continue
		}
		f, err := procStat(pid)
		if err != nil || f.ppid != c.postmaster {
			continue // gone, or not the server's
		}
		total += f.utime + f.stime
	}
	return time.Duration(total) * clockTick, nil
}

type stat struct {
	ppid                         int
	utime, stime, cutime, cstime int64
}

// procStat reads the fields it needs of /proc/PID/stat.
func procStat(pid int) (stat, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return stat{}, err
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return stat{}, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(string(b[i+1:])) // f[0] is field 3, the state
	if len(f) < 15 {
		return stat{}, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f)+2)
	}
	var st stat
	var errs [5]error
	st.ppid, errs[0] = strconv.Atoi(f[1])
	st.utime, errs[1] = strconv.ParseInt(f[11], 10, 64)
	st.stime, errs[2] = strconv.ParseInt(f[12], 10, 64)
	st.cutime, errs[3] = strconv.ParseInt(f[13], 10, 64)
	st.cstime, errs[4] = strconv.ParseInt(f[14], 10, 64)
	for _, err := range errs {
		if err != nil {
			return stat{}, fmt.Errorf("/proc/%d/stat: %v", pid, err)
		}
	}
	return st, nil
}
