package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/agreement"
	"github.com/truce-monitor/truce/sqlite"
)

func runAgreement(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "agreement", args, []command{
		{"check", "check agreement files and summarise them", runAgreementCheck},
		{"add", "check agreement files and log them in the store", runAgreementAdd},
		{"list", "list the agreements in the store", runAgreementList},
	})
}

// checked is the result of checking one agreement file.
type checked struct {
	File      string           `json:"file"`
	Valid     bool             `json:"valid"`
	Summary   string           `json:"summary,omitempty"`
	Agreement *truce.Agreement `json:"agreement,omitempty"`
	Problems  []truce.Problem  `json:"problems,omitempty"`
}

// checkAgreements parses every file and reports each one.
func checkAgreements(files []string) []checked {
	out := make([]checked, len(files))
	for i, f := range files {
		a, err := agreement.ParseFile(f)
		out[i] = checked{File: f, Valid: err == nil, Agreement: a}
		switch ps := truce.ErrorProblems(err); {
		case err == nil:
			out[i].Summary = summary(a)
		case len(ps) > 0:
			for _, p := range ps {
				if p.File == "" {
					p.File = f
				}
				out[i].Problems = append(out[i].Problems, p)
			}
		default:
			out[i].Problems = []truce.Problem{{File: f, Message: err.Error()}}
		}
	}
	return out
}

// loadAgreements parses every file, printing every problem of every file
// to stderr. It returns errProblems if any file had one.
func loadAgreements(e *env, files []string) ([]*truce.Agreement, error) {
	var out []*truce.Agreement
	bad := false
	for _, c := range checkAgreements(files) {
		for _, p := range c.Problems {
			fmt.Fprintln(e.stderr, p.String())
		}
		bad = bad || !c.Valid
		out = append(out, c.Agreement)
	}
	if bad {
		return nil, errProblems
	}
	return out, nil
}

// summary describes a valid agreement in one line.
func summary(a *truce.Agreement) string {
	var parties []string
	for _, p := range a.Parties {
		parties = append(parties, p.ID)
	}
	loc, err := time.LoadLocation(a.Window.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	const layout = "2006-01-02 15:04 MST"
	window := a.Window.Start.In(loc).Format(layout) + " until "
	if a.Window.End.IsZero() {
		window += "further notice"
	} else {
		window += a.Window.End.In(loc).Format(layout)
	}
	return fmt.Sprintf("%s v%d %q: parties %s; %s (%s); %d zone(s), %d rule(s)",
		a.ID, a.Version, a.Title, strings.Join(parties, ", "), window, a.Window.TimeZone, len(a.Zones), len(a.Rules))
}

func runAgreementCheck(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "agreement check", "agreement check FILE... [--json]",
		"Check agreement files. A valid file prints a one-line summary; otherwise every\n"+
			"problem is printed as FILE:LINE: field: message and the exit code is 1.")
	asJSON := fs.Bool("json", false, "print a JSON report per file: valid, summary, the parsed agreement, problems")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("agreement check: want at least one FILE")
	}
	if *asJSON {
		results := checkAgreements(files)
		if err := writeJSON(e, results); err != nil {
			return err
		}
		for _, c := range results {
			if !c.Valid {
				return errProblems
			}
		}
		return nil
	}
	as, err := loadAgreements(e, files)
	if err != nil {
		return err
	}
	for i, a := range as {
		fmt.Fprintf(e.stdout, "%s: ok: %s\n", files[i], summary(a))
	}
	return nil
}

func runAgreementAdd(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "agreement add", "agreement add FILE... [--db PATH]",
		"Check agreement files and log them in the store. Nothing is logged unless every\n"+
			"file is valid. Re-adding an unchanged version changes nothing.")
	db := dbFlag(fs)
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("agreement add: want at least one FILE")
	}
	as, err := loadAgreements(e, files)
	if err != nil {
		return err
	}
	store, err := sqlite.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	return addAgreements(ctx, e, store, as)
}

func addAgreements(ctx context.Context, e *env, store truce.Store, as []*truce.Agreement) error {
	for _, a := range as {
		rec, created, err := store.AddAgreement(ctx, nil, a)
		if err != nil {
			return fmt.Errorf("%s: %w", a.ID, err)
		}
		state := "unchanged"
		if created {
			state = "logged"
		}
		fmt.Fprintf(e.stdout, "%s v%d %s at log index %d\n", a.ID, a.Version, state, rec.LogIndex)
	}
	return nil
}

func runAgreementList(ctx context.Context, e *env, args []string) error {
	return runList(ctx, e, args, "agreement list", "List the agreements in the store (latest versions).",
		func(ctx context.Context, store truce.Store) ([]*truce.AgreementRecord, error) {
			return store.Agreements(ctx)
		},
		"ID\tVERSION\tLOG INDEX\tSUMMARY", func(a *truce.AgreementRecord) string {
			return fmt.Sprintf("%s\t%d\t%d\t%s", a.ID, a.Version, a.LogIndex, summary(a.Agreement))
		})
}
