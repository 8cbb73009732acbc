package correlate

import (
	"cmp"
	"math"
	"slices"
	"sync"

	"github.com/truce-monitor/truce"
)

// Labels that [Cluster] gives records in no cluster.
const (
	// Noise is a dense detection with no cluster: a lone detection, which
	// Correlate makes an incident by itself.
	Noise = -1
	// InHotspot is a fire detection of a fixed hot spot.
	InHotspot = -2
	// NotDense is a record that is not a dense detection (a report), or a
	// superseded one.
	NotDense = -3
)

// Clustering is the outcome of steps 1 to 3 of [Correlate] alone: which
// records are dense detections, which of them belong to fixed hot spots,
// and how ST-DBSCAN clusters the rest.
type Clustering struct {
	// Labels[i] is the cluster of the i-th record given to Cluster, or
	// Noise, InHotspot or NotDense. Clusters are numbered from 0, kind by
	// kind in the order of truce.Kinds, and within a kind in the log order
	// of their first record.
	Labels []int32
	// Clusters is the number of clusters.
	Clusters int
	// Hotspots are the fixed hot spots found, as Correlate reports them.
	Hotspots []*Hotspot
}

// Cluster runs the space-time clustering of dense detections that
// Correlate runs before fusion, and nothing else: no reports are placed or
// fused and no incidents are built. It is what a spatial database's
// ST_ClusterDBSCAN computes, and is deterministic as Correlate is. It
// returns the errors Correlate returns, except that it does not look for
// repeated ids, which it does not use.
func Cluster(recs []*truce.ObservationRecord, opts *Options) (*Clustering, error) {
	c, err := newCorrelation(recs, opts)
	if err != nil {
		return nil, err
	}
	out := &Clustering{Labels: make([]int32, len(recs))}
	for i := range out.Labels {
		out.Labels[i] = NotDense
	}
	caller := func(k int32) int32 {
		if c.perm == nil {
			return k
		}
		return c.perm[k]
	}
	err = c.clusterDense(func(pts []stPoint, labels []int32, count int) {
		base := int32(out.Clusters)
		parallel(int32(len(pts)), func(lo, hi int32) {
			for i := lo; i < hi; i++ {
				l := labels[i]
				if l >= 0 {
					l += base
				} else {
					l = Noise
				}
				out.Labels[caller(pts[i].rec)] = l
			}
		})
		out.Clusters += count
	})
	if err != nil {
		return nil, err
	}
	out.Hotspots = c.res.Hotspots
	for _, k := range c.hot {
		out.Labels[caller(k)] = InHotspot
	}
	return out, nil
}

// clusterDense clusters the dense detections that are not superseded, kind
// by kind in the order of truce.Kinds, by ST-DBSCAN, after setting aside
// the fire detections of fixed hot spots (into c.res.Hotspots); it calls f
// with each kind's points (in record order; rec indexes c.recs) and their
// labels as stDBSCAN gives them.
func (c *correlation) clusterDense(f func(pts []stPoint, labels []int32, count int)) error {
	// The points kind by kind in record order: each worker gathers those
	// of a run of records, and the runs are joined in order.
	type run struct {
		lo  int32
		pts [][]stPoint // by position in truce.Kinds
	}
	var mu sync.Mutex
	var runs []run
	parallel(int32(len(c.recs)), func(lo, hi int32) {
		pts := make([][]stPoint, len(truce.Kinds))
		for i := lo; i < hi; i++ {
			r := c.recs[i]
			if !dense(r) || len(r.SupersededBy) > 0 {
				continue
			}
			k := slices.Index(truce.Kinds, r.Kind)
			if k < 0 {
				continue
			}
			if pts[k] == nil {
				pts[k] = make([]stPoint, 0, hi-i) // at most the rest of the run
			}
			lat := *r.Location.Lat
			pts[k] = append(pts[k], stPoint{lon: *r.Location.Lon, lat: lat, cos: math.Cos(lat * math.Pi / 180), t: r.ObservedAt.UnixNano(), rec: i})
		}
		mu.Lock()
		runs = append(runs, run{lo, pts})
		mu.Unlock()
	})
	slices.SortFunc(runs, func(a, b run) int { return cmp.Compare(a.lo, b.lo) })
	byKind := make([][]stPoint, len(truce.Kinds))
	var wg sync.WaitGroup
	for k := range byKind {
		n := 0
		for _, r := range runs {
			n += len(r.pts[k])
		}
		if n == 0 {
			continue
		}
		byKind[k] = make([]stPoint, n)
		off := 0
		for _, r := range runs {
			dst, src := byKind[k][off:off+len(r.pts[k])], r.pts[k]
			wg.Go(func() { copy(dst, src) })
			off += len(src)
		}
	}
	wg.Wait()
	for ki, k := range truce.Kinds {
		pts := byKind[ki]
		if len(pts) == 0 {
			continue
		}
		if k == truce.KindFire {
			pts = c.hotspots(pts)
		}
		labels, count, err := stDBSCAN(pts, c.o.EpsM, int64(c.o.EpsT), c.o.MinPts)
		if err != nil {
			return truce.Invalid("correlate: "+err.Error(), truce.Problem{Path: "EpsM", Message: err.Error()})
		}
		f(pts, labels, count)
	}
	return nil
}
