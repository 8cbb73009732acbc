// Package findings keeps finding series current. It reruns the pipeline
// (package replay: correlation, then adjudication) over a log prefix for
// each agreement whose window has begun, names each finding's series, and
// has the store record a new version of every series whose finding
// changed ([Recompute]); a [Worker] does so in the background after
// observations arrive.
//
// A series is named by the agreement, its version and the incident's
// anchor — the member observation with the lowest log index — so that it
// keeps its identity when a new observation joins the incident and the
// engine's finding id changes ([SeriesID]). Everything recorded is a
// function of the log prefix read: the same prefix gives the same
// versions.
//
// It imports the root package, replay, github.com/google/uuid and the
// standard library.
package findings

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/replay"
)

// Store is what recomputation reads and writes.
type Store interface {
	replay.Store
	Agreements(ctx context.Context) ([]*truce.AgreementRecord, error)
	Observation(ctx context.Context, source, id string) (*truce.ObservationRecord, error)
	Entries(ctx context.Context, start, end int64) ([]*truce.Entry, error)
	RecordFindings(ctx context.Context, run *truce.FindingRun) (*truce.RecordResult, error)
}

// seriesNamespace is the UUID namespace of series ids.
var seriesNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://truce.invalid/findings/series"))

// SeriesID returns the id of the finding series of the incident anchored at
// the observation anchor under version version of agreement agreementID: a
// UUIDv5, so that the same inputs always give the same id.
func SeriesID(agreementID string, version int, anchor string) string {
	return uuid.NewSHA1(seriesNamespace, []byte(agreementID+"\x00"+strconv.Itoa(version)+"\x00"+anchor)).String()
}

// Options say how to recompute.
type Options struct {
	// ControlSource names the source of the control maps; empty means any.
	ControlSource string
}

// Window returns the days to replay for a: from the UTC day of its start
// to the end of its window, or, for an open-ended one, to the UTC day of
// now (at least one day).
func Window(a *truce.Agreement, now time.Time) (from time.Time, days int) {
	s := a.Window.Start.UTC()
	from = time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, time.UTC)
	end := a.Window.End
	if end.IsZero() {
		end = now
	}
	days = int((end.Sub(from) + 24*time.Hour - 1) / (24 * time.Hour))
	return from, max(days, 1)
}

// Result is what one recomputation did.
type Result struct {
	Agreement        string `json:"agreement"`
	AgreementVersion int    `json:"agreement_version"`
	LogSize          int64  `json:"log_size"`
	Engine           string `json:"engine"`
	Findings         int    `json:"findings"`
	Added            int    `json:"added"`
	Withdrawn        int    `json:"withdrawn"`
	Unchanged        int    `json:"unchanged"`
	// Versions are the versions added, ordered by series.
	Versions []*truce.FindingVersion `json:"versions"`
}

// Recompute derives the findings of a over the first size entries of
// store's log and records them. It is a function of that log prefix (and,
// for an open-ended window, of the day of now).
func Recompute(ctx context.Context, store Store, a *truce.Agreement, size int64, now time.Time, opts *Options) (*Result, error) {
	if opts == nil {
		opts = &Options{}
	}
	view := newPrefix(store, size)
	from, days := Window(a, now)
	sum, err := replay.Run(ctx, view, replay.Options{Agreement: a, From: from, Days: days, ControlSource: opts.ControlSource})
	if err != nil {
		return nil, fmt.Errorf("findings: agreement %s version %d: %w", a.ID, a.Version, err)
	}
	run, err := seriesRun(a, sum, view)
	if err != nil {
		return nil, err
	}
	rec, err := store.RecordFindings(ctx, run)
	if err != nil {
		return nil, fmt.Errorf("findings: agreement %s version %d: %w", a.ID, a.Version, err)
	}
	res := &Result{Agreement: a.ID, AgreementVersion: a.Version, LogSize: size, Engine: sum.Engine,
		Findings: len(run.Findings), Unchanged: rec.Unchanged, Versions: rec.Added}
	for _, v := range rec.Added {
		if v.Withdrawn {
			res.Withdrawn++
		} else {
			res.Added++
		}
	}
	return res, nil
}

// seriesRun names the series of each finding of sum.
func seriesRun(a *truce.Agreement, sum *replay.Summary, view *prefix) (*truce.FindingRun, error) {
	incidents := make(map[string]*truce.Incident, len(sum.Incidents))
	for _, inc := range sum.Incidents {
		incidents[inc.ID] = inc
	}
	run := &truce.FindingRun{Agreement: a.ID, AgreementVersion: a.Version, LogSize: view.size, Engine: sum.Engine,
		Findings: make([]*truce.SeriesFinding, 0, len(sum.Findings))}
	for _, f := range sum.Findings {
		inc := incidents[f.Incident]
		if inc == nil {
			return nil, fmt.Errorf("findings: finding %s names unknown incident %s", f.ID, f.Incident)
		}
		type member struct {
			id  string
			idx int64
		}
		ms := make([]member, 0, len(inc.Observations))
		for _, id := range inc.Observations {
			idx, ok := view.logIndex(id)
			if !ok {
				idx, ok = sum.Derived[id] // an advance the control maps show
			}
			if !ok {
				return nil, fmt.Errorf("findings: incident %s names observation %s, which was not read", inc.ID, id)
			}
			ms = append(ms, member{id, idx})
		}
		slices.SortFunc(ms, func(x, y member) int { return cmp.Or(cmp.Compare(x.idx, y.idx), cmp.Compare(x.id, y.id)) })
		ids := make([]string, len(ms))
		for i, m := range ms {
			ids[i] = m.id
		}
		run.Findings = append(run.Findings, &truce.SeriesFinding{
			Series: SeriesID(a.ID, a.Version, ms[0].id), Anchor: ms[0].id, AnchorIndex: ms[0].idx,
			Observations: ids, Finding: f,
		})
	}
	return run, nil
}

// RecomputeAll recomputes, over the log as it stands, the findings of the
// latest version of every agreement whose window has begun by now, in
// order of agreement id. An agreement that fails does not hold the others
// back: their results are returned with the failures joined in the error.
func RecomputeAll(ctx context.Context, store Store, now time.Time, opts *Options) ([]*Result, error) {
	size, err := store.LogSize(ctx)
	if err != nil {
		return nil, err
	}
	as, err := store.Agreements(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Result
	var errs []error
	for _, rec := range as {
		if rec.LogIndex >= size || rec.Window.Start.After(now) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return out, err
		}
		r, err := Recompute(ctx, store, rec.Agreement, size, now, opts)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, r)
	}
	return out, errors.Join(errs...)
}
