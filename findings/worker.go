package findings

import (
	"context"
	"log/slog"
	"time"

	"github.com/truce-monitor/truce"
)

// Worker defaults.
const (
	DefaultPoll     = time.Second      // how often the worker reads the log's size
	DefaultDebounce = 2 * time.Second  // quiet after the last input before recomputing
	DefaultMaxDelay = 30 * time.Second // the longest a recomputation waits under steady input
)

// Worker recomputes findings in the background: once when it starts, and
// then whenever inputs that findings rest on (observations, control maps,
// agreements) have been logged and the log has been quiet for Debounce —
// or MaxDelay has passed since the first of them, so that steady ingest
// does not hold findings back for ever. It watches the log itself, so it
// sees what the API takes in and what the command line imports into the
// same store alike.
type Worker struct {
	Store  Store
	Logger *slog.Logger
	// Poll, Debounce and MaxDelay default to DefaultPoll,
	// DefaultDebounce and DefaultMaxDelay.
	Poll, Debounce, MaxDelay time.Duration
	Options                  Options
	// Now returns the time that decides which agreements have begun (and
	// how far an open-ended window runs); nil means time.Now. Debouncing
	// always uses the clock.
	Now func() time.Time
}

// triggers are the entry types after which findings are recomputed.
var triggers = map[truce.EntryType]bool{truce.EntryObservation: true, truce.EntryControlMap: true, truce.EntryAgreement: true}

// Run recomputes until ctx is done. Errors are logged, never fatal: the
// next input tries again.
func (w *Worker) Run(ctx context.Context) {
	log := w.Logger
	if log == nil {
		log = slog.Default()
	}
	poll := durationOr(w.Poll, DefaultPoll)
	debounce := durationOr(w.Debounce, DefaultDebounce)
	maxDelay := durationOr(w.MaxDelay, DefaultMaxDelay)
	now := w.Now
	if now == nil {
		now = time.Now
	}
	var lastErr string
	seen := w.recompute(ctx, log, now(), &lastErr)
	var first, latest time.Time // of the inputs waiting; zero when none
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		size, err := w.Store.LogSize(ctx)
		if err != nil {
			if ctx.Err() == nil {
				log.Error("findings: reading the log's size", "err", err)
			}
			continue
		}
		if size > seen {
			grew, err := w.inputs(ctx, seen, size)
			if err != nil {
				log.Error("findings: reading new log entries", "err", err)
				continue
			}
			seen = size
			if grew {
				latest = time.Now()
				if first.IsZero() {
					first = latest
				}
			}
		}
		if first.IsZero() {
			continue
		}
		if at := time.Now(); at.Sub(latest) >= debounce || at.Sub(first) >= maxDelay {
			first, latest = time.Time{}, time.Time{}
			if n := w.recompute(ctx, log, now(), &lastErr); n > seen {
				seen = n
			}
		}
	}
}

// inputs reports whether the entries start <= index < end include an input
// that findings rest on.
func (w *Worker) inputs(ctx context.Context, start, end int64) (bool, error) {
	const page = 1000
	for ; start < end; start += page {
		es, err := w.Store.Entries(ctx, start, min(start+page, end))
		if err != nil {
			return false, err
		}
		for _, e := range es {
			if triggers[e.Type] {
				return true, nil
			}
		}
	}
	return false, nil
}

// recompute recomputes every agreement's findings, logs what changed, and
// returns the log size it read (0 when it could not). A failure is logged
// when it differs from the last one, *lastErr: an agreement that cannot be
// adjudicated (no control map for its line of contact) is reported once,
// not after every observation.
func (w *Worker) recompute(ctx context.Context, log *slog.Logger, now time.Time, lastErr *string) int64 {
	size, err := w.Store.LogSize(ctx)
	if err != nil {
		if ctx.Err() == nil {
			log.Error("findings: reading the log's size", "err", err)
		}
		return 0
	}
	start := time.Now()
	rs, err := RecomputeAll(ctx, w.Store, now, &w.Options)
	for _, r := range rs {
		log.Info("findings recomputed", "agreement", r.Agreement, "agreement_version", r.AgreementVersion,
			"log_size", r.LogSize, "findings", r.Findings, "new_versions", r.Added, "withdrawn", r.Withdrawn, "unchanged", r.Unchanged)
	}
	if err != nil {
		if msg := err.Error(); ctx.Err() == nil && msg != *lastErr {
			log.Warn("findings: some agreements cannot be recomputed", "err", msg)
			*lastErr = msg
		}
		return size
	}
	*lastErr = ""
	log.Debug("findings: recomputation done", "log_size", size, "agreements", len(rs), "took", time.Since(start))
	return size
}

func durationOr(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
