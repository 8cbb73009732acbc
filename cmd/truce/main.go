// Command truce runs the truce ceasefire monitoring server and its tools:
// checking agreement files, registering sources, importing data, and a demo
// on real data.
//
// Usage:
//
//	truce <command> [flags] [arguments]
//
// Run "truce help" for the commands and "truce <command> --help" for one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK    = 0 // success
	exitFail  = 1 // the command ran and failed, or found problems
	exitUsage = 2 // the command line is wrong
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

// env is what a command runs with.
type env struct {
	stdout, stderr io.Writer
}

// commands lists the subcommands; groups ("agreement", "source") dispatch
// on their own.
func commands() []command {
	return []command{
		{"serve", "run the API server on a store", runServe},
		{"demo", "run a server on a fresh store with real agreements and data", runDemo},
		{"agreement", "check, add and list agreements (check, add, list)", runAgreement},
		{"source", "register and list sources, set their keys (add, list, token, key, keygen)", runSource},
		{"keys", "make the log's signing key (init)", runKeys},
		{"witness", "witness a log: cosign its consistent checkpoints (run, keygen, add, list)", runWitness},
		{"import", "import data files (deepstate, airforce, viina, firms, geojson, csv)", runImport},
		{"sign", "sign NDJSON observations with a source's key, for posting", runSign},
		{"log", "export the log for offline verification (export)", runLog},
		{"verify", "verify a log: a bundle, a server or a store", runVerify},
		{"control", "who holds which ground: area, diff, at, line, advances", runControl},
		{"simulate", "generate a seeded scenario with its ground truth along the real line of contact", runSimulate},
		{"findings", "finding series, their versions and reviews (recompute, list, show, review)", runFindings},
		{"replay", "run correlation and adjudication over a window of the store and summarise the findings", runReplay},
		{"score", "score a replay of a simulated scenario against its truth", runScore},
		{"version", "print the version", runVersion},
	}
}

// run runs the command line args and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		if len(args) > 1 {
			args = []string{args[1], "--help"}
		} else {
			usage(stdout)
			if len(args) == 0 {
				return exitUsage
			}
			return exitOK
		}
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return exitCode(e, c.run(ctx, e, args[1:]))
		}
	}
	fmt.Fprintf(stderr, "truce: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "truce monitors and verifies ceasefires: it takes in reports, keeps them in an append-only log,")
	fmt.Fprintln(w, "and serves them to every party.")
	fmt.Fprintln(w, "\nUsage:\n\n\ttruce <command> [flags] [arguments]\n\nCommands:")
	cs := commands()
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	for _, c := range cs {
		fmt.Fprintf(w, "\t%-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun \"truce <command> --help\" for a command's flags.")
}

// dispatch runs the subcommand of group named by args[0].
func dispatch(ctx context.Context, e *env, group string, args []string, subs []command) error {
	var names []string
	for _, c := range subs {
		names = append(names, c.name)
	}
	list := strings.Join(names, ", ")
	if len(args) == 0 {
		return usagef("%s: want a subcommand: %s", group, list)
	}
	for _, c := range subs {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		fmt.Fprintf(e.stderr, "Usage: truce %s <subcommand> [flags]\n\nSubcommands:\n", group)
		for _, c := range subs {
			fmt.Fprintf(e.stderr, "\t%-8s %s\n", c.name, c.summary)
		}
		fmt.Fprintf(e.stderr, "\nRun \"truce %s <subcommand> --help\" for its flags.\n", group)
		return nil
	}
	return usagef("%s: unknown subcommand %q; want %s", group, args[0], list)
}

// usageError is a command-line mistake; it exits with exitUsage.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// errProblems means the command has printed the problems it found and
// should exit with exitFail without another message.
var errProblems = errors.New("problems found")

// exitCode prints err and maps it to an exit code.
func exitCode(e *env, err error) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errProblems):
		return exitFail
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "truce: %s\n", ue.msg)
		return exitUsage
	case errors.Is(err, context.Canceled):
		return exitOK
	}
	fmt.Fprintf(e.stderr, "truce: %s\n", strings.TrimSpace(err.Error()))
	return exitFail
}

// flags returns a flag set for a command whose usage line is use.
func flags(e *env, name, use, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: truce %s\n\n%s\n", use, about)
		var n int
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(e.stderr, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseN parses args as parse does and wants exactly n positional
// arguments, described by want ("one NAME") in the usage error of the
// command name.
func parseN(fs *flag.FlagSet, args []string, name, want string, n int) ([]string, error) {
	pos, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) != n {
		return nil, usagef("%s: want %s, got %d arguments", name, want, len(pos))
	}
	return pos, nil
}

// parse parses args, letting flags follow positional arguments, and
// returns the positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// dbFlag adds the --db flag every store command takes.
func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", "truce.db", "the store: a SQLite file, created if missing")
}

// version is set at link time (-ldflags "-X main.version=...").
var version = "devel"

func runVersion(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "version", "version", "Print truce's version.")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "truce %s\n", version)
	return nil
}
