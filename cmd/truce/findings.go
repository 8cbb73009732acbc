package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/findings"
	"github.com/truce-monitor/truce/sqlite"
)

func runFindings(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "findings", args, []command{
		{"recompute", "re-derive the findings of every agreement in force and record new versions", runFindingsRecompute},
		{"list", "list the current version of each finding series", runFindingsList},
		{"show", "show a finding's history: versions, reviews and where it stands", runFindingsShow},
		{"review", "confirm, override, dispute or resolve a finding, as a registered source", runFindingsReview},
	})
}

// openStore opens the store at path, which must exist.
func openStore(ctx context.Context, name, path string) (*sqlite.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%s: store %s: %w", name, path, err)
	}
	return sqlite.Open(ctx, path)
}

// startFindings runs a findings worker on store until the returned stop is
// called.
func startFindings(ctx context.Context, store truce.Store, logger *slog.Logger, debounce time.Duration) (stop func()) {
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	w := &findings.Worker{Store: store, Logger: logger, Debounce: debounce}
	go func() { defer close(done); w.Run(cctx) }()
	return func() { cancel(); <-done }
}

func runFindingsRecompute(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "findings recompute", "findings recompute [--db PATH] [--agreement ID] [--json]",
		"Re-derive findings from the log as it stands — correlation, then adjudication over each\n"+
			"agreement's window — and record a new version of every finding series that changed,\n"+
			"withdrawing the series that no longer appear. Without --agreement, every agreement whose\n"+
			"window has begun. The same log gives the same versions: running it again records nothing.")
	db := dbFlag(fs)
	id := fs.String("agreement", "", "recompute only this agreement (its latest version)")
	source := fs.String("control-source", "", "use the control maps of this source only (default: any)")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseN(fs, args, "findings recompute", "no arguments", 0); err != nil {
		return err
	}
	store, err := openStore(ctx, "findings recompute", *db)
	if err != nil {
		return err
	}
	defer store.Close()
	opts := &findings.Options{ControlSource: *source}
	now := time.Now()
	var rs []*findings.Result
	if *id != "" {
		rec, err := store.Agreement(ctx, *id)
		if err != nil {
			return err
		}
		size, err := store.LogSize(ctx)
		if err != nil {
			return err
		}
		r, err := findings.Recompute(ctx, store, rec.Agreement, size, now, opts)
		if err != nil {
			return err
		}
		rs = append(rs, r)
	} else {
		// The agreements that could be recomputed are reported before
		// the failures of the others.
		rs, err = findings.RecomputeAll(ctx, store, now, opts)
	}
	if *asJSON {
		if rs == nil {
			rs = []*findings.Result{}
		}
		if werr := writeJSON(e, rs); werr != nil {
			return werr
		}
		return err
	}
	if len(rs) == 0 && err == nil {
		fmt.Fprintln(e.stdout, "no agreement is in force yet")
	}
	for _, r := range rs {
		fmt.Fprintf(e.stdout, "%s v%d: log size %d: %d findings; %d new versions, %d withdrawn, %d unchanged\n",
			r.Agreement, r.AgreementVersion, r.LogSize, r.Findings, r.Added, r.Withdrawn, r.Unchanged)
	}
	return err
}

func runFindingsList(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "findings list", "findings list [--db PATH] [filters] [--json]",
		"List the current version of each finding series, ordered by series id.")
	db := dbFlag(fs)
	var f truce.FindingFilter
	fs.StringVar(&f.Agreement, "agreement", "", "only this agreement")
	fs.StringVar(&f.Party, "party", "", `only findings attributed to this party ("-": unattributed)`)
	conf := fs.String("confidence", "", "only this confidence")
	violation := fs.String("violation", "", "only violations (true) or non-violations (false)")
	fs.StringVar(&f.Rule, "rule", "", "only this rule")
	status := fs.String("status", "active", "active, withdrawn, disputed or all")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseN(fs, args, "findings list", "no arguments", 0); err != nil {
		return err
	}
	f.Confidence, f.Status = truce.Confidence(*conf), truce.FindingStatus(*status)
	if *violation != "" {
		b, err := strconv.ParseBool(*violation)
		if err != nil {
			return usagef("findings list: --violation %q: want true or false", *violation)
		}
		f.Violation = &b
	}
	store, err := openStore(ctx, "findings list", *db)
	if err != nil {
		return err
	}
	defer store.Close()
	all := []*truce.FindingVersion{}
	f.Limit = truce.MaxPageSize
	for {
		page, err := store.Findings(ctx, f)
		if err != nil {
			return err
		}
		all = append(all, page.Findings...)
		if page.Next == "" {
			break
		}
		f.Cursor = page.Next
	}
	if *asJSON {
		return writeJSON(e, all)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERIES\tVERSION\tAGREEMENT\tVIOLATION\tRULE\tPARTY\tCONFIDENCE\tLOG SIZE")
	for _, v := range all {
		if v.Finding == nil {
			fmt.Fprintf(tw, "%s\t%d\t%s\twithdrawn\t-\t-\t-\t%d\n", v.Series, v.Version, v.Agreement, v.LogSize)
			continue
		}
		fd := v.Finding
		fmt.Fprintf(tw, "%s\t%d\t%s\t%t\t%s\t%s\t%s\t%d\n", v.Series, v.Version, v.Agreement, fd.Violation, dash(fd.Rule), dash(fd.Party), fd.Confidence, v.LogSize)
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func runFindingsShow(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "findings show", "findings show ID [--db PATH] [--json]",
		"Show a finding series' history — its current version, every earlier one with what\n"+
			"changed, every review in log order — and where it stands. ID is the series id, a\n"+
			"version's content id or the engine's finding id.")
	db := dbFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON, as GET /v1/findings/{id} answers")
	pos, err := parseN(fs, args, "findings show", "one ID", 1)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, "findings show", *db)
	if err != nil {
		return err
	}
	defer store.Close()
	h, err := store.Finding(ctx, pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e, h)
	}
	w := e.stdout
	fmt.Fprintf(w, "series %s (agreement %s v%d, anchor %s)\n", h.Series, h.Current.Agreement, h.Current.AgreementVersion, h.Current.Anchor)
	for _, v := range append(append([]*truce.FindingVersion{}, h.Earlier...), h.Current) {
		what := "withdrawn"
		if v.MergedInto != "" {
			what += ", merged into " + v.MergedInto
		}
		if fd := v.Finding; fd != nil {
			what = fmt.Sprintf("violation %t, rule %s, party %s, %s; %d observations", fd.Violation, dash(fd.Rule), dash(fd.Party), fd.Confidence, len(v.Observations))
		}
		changed := ""
		if len(v.Changes) > 0 {
			changed = " (changed: " + strings.Join(v.Changes, ", ") + ")"
		}
		fmt.Fprintf(w, "  version %d, log size %d, %s: %s%s\n", v.Version, v.LogSize, v.Engine, what, changed)
	}
	for _, r := range h.Reviews {
		note := ""
		if r.Earlier {
			note = " [against an earlier version]"
		}
		if r.ResolvedBy != "" {
			note += " [resolved by " + r.ResolvedBy + "]"
		}
		fmt.Fprintf(w, "  review %s at log index %d: %s by %s (%s) of version %d%s: %s\n", r.ID, r.LogIndex, r.Action, r.By, r.Role, r.Version, note, r.Reason)
	}
	o := h.Outcome
	fmt.Fprintf(w, "stands: violation %t, rule %s, party %s, %s", o.Violation, dash(o.Rule), dash(o.Party), o.Confidence)
	if o.AdjustedBy != "" {
		fmt.Fprintf(w, " (as adjusted by %s", o.AdjustedBy)
		if o.AdjustedEarlier {
			fmt.Fprintf(w, ", made against version %d", o.AdjustedVersion)
		}
		fmt.Fprint(w, ")")
	}
	if o.Withdrawn {
		fmt.Fprint(w, "; withdrawn")
	}
	fmt.Fprintf(w, "; %d open disputes, %d confirmations of this version, %d of earlier ones\n", len(o.OpenDisputes), len(o.Confirmed), len(o.ConfirmedEarlier))
	return nil
}

func runFindingsReview(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "findings review", "findings review ID --as SOURCE --action ACTION [flags] [--db PATH] [--json]",
		"Log a review of a finding series as the registered source --as (the operator holding\n"+
			"the store acts for it; the log records the source): confirm, override, resolve (an\n"+
			"analyst) or dispute (the party the finding is about). The review is made against\n"+
			"--version, by default the current one. See docs/review.md.")
	db := dbFlag(fs)
	as := fs.String("as", "", "the registered source making the review (required)")
	action := fs.String("action", "", "confirm, override, dispute or resolve (required)")
	id := fs.String("id", "", "the review's id, to send it again safely (default: a new UUID)")
	version := fs.Int("version", 0, "the version reviewed (default: the current one)")
	reason := fs.String("reason", "", "why")
	violation := fs.String("violation", "", "override: is it a violation (true or false)")
	party := fs.String("party", "", `override: the party responsible ("" for none)`)
	confidence := fs.String("confidence", "", "override: confirmed, probable, possible or undetermined")
	evidence := fs.String("evidence", "", "dispute: comma-separated ids of logged observations")
	text := fs.String("text", "", "dispute: evidence in words")
	dispute := fs.String("dispute", "", "resolve: the id of the dispute resolved")
	outcome := fs.String("outcome", "", "resolve: upheld or rejected")
	asJSON := fs.Bool("json", false, "print the logged review as JSON")
	pos, err := parseN(fs, args, "findings review", "one ID", 1)
	if err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *as == "" || *action == "" {
		return usagef("findings review: --as and --action are required")
	}
	r := &truce.Review{ID: *id, Version: *version, Action: truce.ReviewAction(*action), Reason: *reason,
		Confidence: truce.Confidence(*confidence), Text: *text, Dispute: *dispute, Outcome: *outcome}
	if r.ID == "" {
		r.ID = uuid.NewString()
	}
	if set["violation"] {
		b, err := strconv.ParseBool(*violation)
		if err != nil {
			return usagef("findings review: --violation %q: want true or false", *violation)
		}
		r.Violation = &b
	}
	if set["party"] {
		r.Party = party
	}
	for _, s := range strings.Split(*evidence, ",") {
		if s = strings.TrimSpace(s); s != "" {
			r.Evidence = append(r.Evidence, s)
		}
	}
	store, err := openStore(ctx, "findings review", *db)
	if err != nil {
		return err
	}
	defer store.Close()
	by, err := store.Source(ctx, *as)
	if err != nil {
		return err
	}
	h, err := store.Finding(ctx, pos[0])
	if err != nil {
		return err
	}
	r.Series = h.Series
	if r.Version == 0 {
		r.Version = h.Current.Version
	}
	rec, created, err := store.AddReview(ctx, by, r)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e, rec)
	}
	state := "logged"
	if !created {
		state = "already logged"
	}
	fmt.Fprintf(e.stdout, "review %s (%s of series %s version %d by %s) %s at log index %d\n", rec.ID, rec.Action, rec.Series, rec.Version, rec.By, state, rec.LogIndex)
	return nil
}
