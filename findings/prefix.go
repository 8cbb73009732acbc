package findings

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/truce-monitor/truce"
)

// prefix is a read-only view of a store as it stood when its log had size
// entries: observations and control maps logged later are left out, and
// so are corrections logged later. Reading through it makes a
// recomputation a function of the log prefix, even while writes go on.
type prefix struct {
	s    Store
	size int64

	mu sync.Mutex
	// index maps the public id of each observation read (by which the
	// pipeline names it: replay takes observations in their derived
	// form) to its log index.
	index map[string]int64
}

func newPrefix(s Store, size int64) *prefix {
	return &prefix{s: s, size: size, index: map[string]int64{}}
}

// LogSize returns the size of the prefix.
func (p *prefix) LogSize(context.Context) (int64, error) { return p.size, nil }

// FindObservations returns the page of the store without the observations
// logged at or after the prefix's end, and with their corrections left
// out of SupersededBy; those kept are named by their public ids, as
// derivations name observations.
func (p *prefix) FindObservations(ctx context.Context, f truce.ObservationFilter) (*truce.ObservationPage, error) {
	page, err := p.s.FindObservations(ctx, f)
	if err != nil {
		return nil, err
	}
	out := &truce.ObservationPage{Next: page.Next, Observations: make([]*truce.ObservationRecord, 0, len(page.Observations))}
	for _, r := range page.Observations {
		if r.LogIndex >= p.size {
			continue
		}
		if len(r.SupersededBy) > 0 {
			c := *r
			c.SupersededBy = nil
			for _, id := range r.SupersededBy {
				by, err := p.s.Observation(ctx, r.Source, id)
				if err != nil {
					return nil, err
				}
				if by.LogIndex < p.size {
					c.SupersededBy = append(c.SupersededBy, cmp.Or(by.PublicID, id))
				}
			}
			r = &c
		}
		p.mu.Lock()
		// A source's own id is no key: another source may use it too.
		p.index[cmp.Or(r.PublicID, r.ID)] = r.LogIndex
		p.mu.Unlock()
		out.Observations = append(out.Observations, r)
	}
	return out, nil
}

// logIndex returns the log index of the observation with public id id, as
// read.
func (p *prefix) logIndex(id string) (int64, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	i, ok := p.index[id]
	return i, ok
}

// AddControlMap refuses: the view is read-only.
func (p *prefix) AddControlMap(context.Context, *truce.Source, *truce.ControlMap) (*truce.ControlMapRecord, bool, error) {
	return nil, false, truce.Errorf(truce.EFORBIDDEN, "findings: a log prefix is read-only")
}

// ControlMap returns the map id if the prefix holds it.
func (p *prefix) ControlMap(ctx context.Context, id string) (*truce.ControlMapRecord, error) {
	m, err := p.s.ControlMap(ctx, id)
	if err == nil && m.LogIndex >= p.size {
		return nil, truce.Errorf(truce.ENOTFOUND, "no control map %q in the first %d log entries", id, p.size)
	}
	return m, err
}

// ControlMaps lists the maps the prefix holds.
func (p *prefix) ControlMaps(ctx context.Context) ([]*truce.ControlMapRecord, error) {
	ms, err := p.s.ControlMaps(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ms, func(m *truce.ControlMapRecord) bool { return m.LogIndex >= p.size }), nil
}

// ControlMapAt returns the newest map of the prefix from source whose AsOf
// is not after t, choosing among ties as the store does (the greatest id).
func (p *prefix) ControlMapAt(ctx context.Context, source string, t time.Time) (*truce.ControlMapRecord, error) {
	m, err := p.s.ControlMapAt(ctx, source, t)
	if err != nil || m.LogIndex < p.size {
		return m, err
	}
	ms, err := p.ControlMaps(ctx)
	if err != nil {
		return nil, err
	}
	var best *truce.ControlMapRecord
	for _, c := range ms {
		if (source != "" && c.Source != source) || c.AsOf.After(t) {
			continue
		}
		if best == nil || cmp.Or(c.AsOf.Compare(best.AsOf), cmp.Compare(c.ID, best.ID)) > 0 {
			best = c
		}
	}
	if best == nil {
		return nil, truce.Errorf(truce.ENOTFOUND, "no control map as old as %s in the first %d log entries", t.Format(time.RFC3339), p.size)
	}
	return p.s.ControlMap(ctx, best.ID)
}
