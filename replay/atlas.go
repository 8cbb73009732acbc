package replay

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/control"
)

// atlas holds the control maps in force during a replay's window, each
// prepared once, so that adjudication and the ground gained and lost share
// them. A time outside the window falls back on the timeline.
type atlas struct {
	tl       *control.Timeline
	schedule control.Schedule
	// window are the maps in force at some time in the window, oldest
	// first; prepared holds them prepared, by id. Both are read-only once
	// prepare returns.
	window   []*truce.ControlMapRecord
	prepared map[string]*control.Map
}

// prepare lists tl's maps and prepares those in force at some time in
// [from, to), with their lines of contact, on as many goroutines as there
// are processors.
func prepare(ctx context.Context, tl *control.Timeline, from, to time.Time) (*atlas, error) {
	sched, err := tl.Schedule(ctx)
	if err != nil {
		return nil, err
	}
	a := &atlas{tl: tl, schedule: sched, prepared: map[string]*control.Map{}}
	a.window = a.between(from, to.Add(-time.Nanosecond))
	maps := make([]*control.Map, len(a.window))
	errs := make([]error, len(a.window))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(a.window)) {
		wg.Go(func() {
			for i := range next {
				if maps[i], errs[i] = tl.Map(ctx, a.window[i].ID); errs[i] == nil {
					maps[i].Line() // traced once, here, rather than on first use
				}
			}
		})
	}
	for i := range a.window {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, r := range a.window {
		if errs[i] != nil {
			return nil, fmt.Errorf("control map %s: %w", r.ID, errs[i])
		}
		a.prepared[r.ID] = maps[i]
	}
	return a, nil
}

// between returns the maps in force at some time in [from, to], oldest
// first, as [control.Timeline.Between] does.
func (a *atlas) between(from, to time.Time) []*truce.ControlMapRecord {
	var out []*truce.ControlMapRecord
	for i, r := range a.schedule {
		if r.AsOf.After(to) {
			break
		}
		if r.AsOf.After(from) || (i+1 == len(a.schedule) || a.schedule[i+1].AsOf.After(from)) {
			out = append(out, r)
		}
	}
	return out
}

// at returns the map in force at t, as [control.Timeline.At] does.
func (a *atlas) at(ctx context.Context, t time.Time) (*control.Map, error) {
	if r := a.schedule.At(t); r != nil {
		if m := a.prepared[r.ID]; m != nil {
			return m, nil
		}
	}
	return a.tl.At(ctx, t)
}

// advances compares each map in force during [from, to] with the next one,
// as [control.Timeline.Advances] does.
func (a *atlas) advances(ctx context.Context, from, to time.Time, minAreaM2 float64) ([]*control.Diff, error) {
	var out []*control.Diff
	var prev *control.Map
	for _, r := range a.between(from, to) {
		m := a.prepared[r.ID]
		if m == nil {
			var err error
			if m, err = a.tl.Map(ctx, r.ID); err != nil {
				return nil, err
			}
		}
		if prev != nil {
			d, err := control.Compare(prev, m, minAreaM2)
			if err != nil {
				return nil, err
			}
			out = append(out, d)
		}
		prev = m
	}
	return out, nil
}
