package control

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/truce-monitor/truce"
)

// DefaultCacheSize is the number of prepared maps a Timeline keeps.
const DefaultCacheSize = 8

// Timeline gives the control map in force at any time: the newest map
// whose AsOf is not after it. It prepares maps on demand and keeps the
// most recently used ones, since preparing a map (overlay, indexes, line)
// costs far more than a query. It is safe for concurrent use; concurrent
// requests for one map prepare it once.
type Timeline struct {
	maps   truce.ControlMapService
	source string
	opts   *Options
	size   int

	mu    sync.Mutex
	cache map[string]*cached
	clock int64
}

// cached is a map being prepared or prepared; done is closed when m or err
// is set.
type cached struct {
	done chan struct{}
	m    *Map
	err  error
	used int64
}

// NewTimeline returns a timeline over the maps of source ("" means every
// source) that maps holds, prepared with opts.
func NewTimeline(maps truce.ControlMapService, source string, opts *Options) *Timeline {
	return &Timeline{maps: maps, source: source, opts: opts, size: DefaultCacheSize, cache: map[string]*cached{}}
}

// Source returns the source whose maps tl gives; "" means any.
func (tl *Timeline) Source() string { return tl.source }

// At returns the map in force at t, or an ENOTFOUND error when no map is
// as old as t.
func (tl *Timeline) At(ctx context.Context, t time.Time) (*Map, error) {
	rec, err := tl.maps.ControlMapAt(ctx, tl.source, t)
	if err != nil {
		return nil, err
	}
	return tl.prepare(rec.ControlMap)
}

// Map returns the map id, prepared.
func (tl *Timeline) Map(ctx context.Context, id string) (*Map, error) {
	tl.mu.Lock()
	c, ok := tl.cache[id]
	tl.mu.Unlock()
	if ok {
		<-c.done
		if c.err == nil {
			return c.m, nil
		}
	}
	rec, err := tl.maps.ControlMap(ctx, id)
	if err != nil {
		return nil, err
	}
	if tl.source != "" && rec.Source != tl.source {
		return nil, truce.Errorf(truce.ENOTFOUND, "control map %q is from source %q, not %q", id, rec.Source, tl.source)
	}
	return tl.prepare(rec.ControlMap)
}

// Between returns the maps in force at some time in [from, to]: the one in
// force at from, if any, and every later one whose AsOf is not after to,
// oldest first. They are listed, not prepared: their Holdings are empty.
func (tl *Timeline) Between(ctx context.Context, from, to time.Time) ([]*truce.ControlMapRecord, error) {
	s, err := tl.Schedule(ctx)
	if err != nil {
		return nil, err
	}
	return s.Between(from, to), nil
}

// prepare returns cm prepared, from the cache when it is there.
func (tl *Timeline) prepare(cm *truce.ControlMap) (*Map, error) {
	tl.mu.Lock()
	tl.clock++
	if c, ok := tl.cache[cm.ID]; ok {
		c.used = tl.clock
		tl.mu.Unlock()
		<-c.done
		return c.m, c.err
	}
	c := &cached{done: make(chan struct{}), used: tl.clock}
	tl.cache[cm.ID] = c
	tl.evict()
	tl.mu.Unlock()

	c.m, c.err = New(cm, tl.opts)
	close(c.done)
	if c.err != nil {
		tl.mu.Lock()
		if tl.cache[cm.ID] == c {
			delete(tl.cache, cm.ID) // a failure is not kept: the next call retries
		}
		tl.mu.Unlock()
	}
	return c.m, c.err
}

// evict drops the least recently used maps beyond the cache size. The
// caller holds tl.mu.
func (tl *Timeline) evict() {
	for len(tl.cache) > tl.size {
		var oldest string
		var at int64 = -1
		for id, c := range tl.cache {
			if at < 0 || c.used < at {
				oldest, at = id, c.used
			}
		}
		delete(tl.cache, oldest)
	}
}

// Schedule is a listing of control maps (without geometry) ordered by AsOf
// and then id, for picking the map in force at many times without asking
// the store each time.
type Schedule []*truce.ControlMapRecord

// Schedule lists the maps of tl's source.
func (tl *Timeline) Schedule(ctx context.Context) (Schedule, error) {
	all, err := tl.maps.ControlMaps(ctx)
	if err != nil {
		return nil, err
	}
	var s Schedule
	for _, r := range all {
		if tl.source == "" || r.Source == tl.source {
			s = append(s, r)
		}
	}
	return s, nil
}

// Between returns the maps of s in force at some time in [from, to]: the
// one in force at from, if any, and every later one whose AsOf is not after
// to, oldest first.
func (s Schedule) Between(from, to time.Time) []*truce.ControlMapRecord {
	var out []*truce.ControlMapRecord
	if first := s.At(from); first != nil {
		out = append(out, first)
	}
	for _, r := range s[sort.Search(len(s), func(i int) bool { return s[i].AsOf.After(from) }):] {
		if r.AsOf.After(to) {
			break
		}
		out = append(out, r)
	}
	return out
}

// After returns the first map of s whose AsOf is after t, or nil.
func (s Schedule) After(t time.Time) *truce.ControlMapRecord {
	if i := sort.Search(len(s), func(i int) bool { return s[i].AsOf.After(t) }); i < len(s) {
		return s[i]
	}
	return nil
}

// At returns the map in force at t, as [truce.ControlMapService.ControlMapAt]
// picks it (the newest AsOf not after t; of two with the same AsOf, the
// greater id), or nil.
func (s Schedule) At(t time.Time) *truce.ControlMapRecord {
	i := sort.Search(len(s), func(i int) bool { return s[i].AsOf.After(t) })
	if i == 0 {
		return nil
	}
	return s[i-1]
}
