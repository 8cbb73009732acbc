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
	// diffs compares pairs of maps once, for adjudication (which looks for
	// the patch an advance took) and for the ground gained and lost.
	diffs control.Diffs
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
	a.window = sched.Between(from, to.Add(-time.Nanosecond))
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
// as [control.Timeline.Advances] does, with the maps prepared here.
func (a *atlas) advances(ctx context.Context, from, to time.Time, minAreaM2 float64) ([]*control.Diff, error) {
	return control.CompareSeries(ctx, a.schedule.Between(from, to), a.mapOf, func(from, to *control.Map) (*control.Diff, error) {
		d, err := a.diffs.Compare(from, to)
		if err != nil {
			return nil, err
		}
		return d.Above(minAreaM2)
	})
}

// mapOf returns the map id, prepared here if it is in force in the window.
func (a *atlas) mapOf(ctx context.Context, id string) (*control.Map, error) {
	if m := a.prepared[id]; m != nil {
		return m, nil
	}
	return a.tl.Map(ctx, id)
}
