package httpapi

import (
	"context"
	"log/slog"
	"time"

	"github.com/truce-monitor/truce"
)

// viewedObservation is what a reader who may not see every private group
// of an observation is sent: where and when it was logged, and
// [truce.DisclosurePolicy.View]'s decision — the public form, the groups
// shown with their salts, the observer's grid cell where only that may be
// shown, and the groups withheld.
type viewedObservation struct {
	PublicID  string    `json:"public_id"`
	LogIndex  int64     `json:"log_index"`
	LoggedAt  time.Time `json:"logged_at"`
	FiledLate bool      `json:"filed_late,omitempty"`
	*truce.ObservationView
	// Releases are the releases logged of the observation's groups, as
	// the public log holds them.
	Releases []*truce.ReleaseRecord `json:"releases,omitempty"`
}

// viewedPage is a page of GET /v1/observations as the reader is shown it.
type viewedPage struct {
	Observations []any  `json:"observations"`
	Next         string `json:"next,omitempty"`
}

// viewer shows observation records to one request's reader: every record
// goes through [truce.DisclosurePolicy.View], the one function that decides,
// and every record shown with private groups is written to the audit
// trail.
type viewer struct {
	s      *Server
	rd     Reader
	policy *truce.DisclosurePolicy
	now    time.Time
	// reads are the private reads shown and not yet recorded.
	reads []*truce.PrivateRead
}

// newViewer returns the viewer of the request whose context is ctx.
func (s *Server) newViewer(ctx context.Context) (*viewer, error) {
	p, err := s.policy(ctx)
	if err != nil {
		return nil, err
	}
	return &viewer{s: s, rd: ReaderOf(ctx), policy: p, now: time.Now()}, nil
}

// show returns what the reader is shown of rec: the record whole when the
// view withholds nothing (the mission, the reader's own submissions, open
// sources, groups past their embargo), else the view.
func (v *viewer) show(ctx context.Context, rec *truce.ObservationRecord) any {
	if rec.Sealed == nil {
		// Nothing to decide on: a store that keeps no public form. Only
		// the mission may read such a record whole.
		if v.rd.Audience.Kind == truce.AudienceMission {
			return rec
		}
		return &viewedObservation{PublicID: rec.PublicID, LogIndex: rec.LogIndex, LoggedAt: rec.LoggedAt, FiledLate: rec.FiledLate,
			ObservationView: &truce.ObservationView{Audience: v.rd.Audience, Withheld: truce.FieldGroups}}
	}
	view := v.policy.View(v.rd.Audience, v.now, rec.LoggedAt, rec.Sealed, rec.Private, truce.ReleasesOf(rec.Releases))
	v.audit(ctx, rec, view.Shown())
	if len(view.Withheld) == 0 && view.Cell == nil {
		return rec
	}
	return &viewedObservation{PublicID: rec.PublicID, LogIndex: rec.LogIndex, LoggedAt: rec.LoggedAt, FiledLate: rec.FiledLate, ObservationView: view, Releases: rec.Releases}
}

// audit notes that the reader was shown the private groups of rec: who
// (audience and source), which observation (public id and log index) and
// which groups, with the request id, at level INFO under the message
// "private read", and for the store's audit trail, which record writes.
func (v *viewer) audit(ctx context.Context, rec *truce.ObservationRecord, groups []truce.FieldGroup) {
	if len(groups) == 0 {
		return
	}
	v.reads = append(v.reads, &truce.PrivateRead{At: v.now, Audience: v.rd.Audience.String(), Reader: v.rd.Audience.Source,
		Observation: rec.PublicID, LogIndex: rec.LogIndex, Groups: groups, RequestID: RequestID(ctx)})
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = string(g)
	}
	v.s.log.LogAttrs(ctx, slog.LevelInfo, "private read",
		slog.String("audience", v.rd.Audience.String()),
		slog.String("reader", v.rd.Audience.Source),
		slog.String("observation", rec.PublicID),
		slog.Int64("log_index", rec.LogIndex),
		slog.Any("groups", names),
		slog.String("request_id", RequestID(ctx)))
}

// record writes the private reads shown into the store's audit trail, in
// one write. A handler calls it before it answers and answers with its
// error instead: nothing private is sent that the trail does not hold.
func (v *viewer) record(ctx context.Context) error {
	err := v.s.store.RecordPrivateReads(ctx, v.reads)
	if err == nil {
		v.reads = nil
	}
	return err
}
