package correlate

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/geo"
)

// Options tune [Correlate]. A zero field means its default, given beside
// it; nil Options mean all the defaults.
type Options struct {
	// Fusion of reports.

	// DistanceK scales the distance within which two located reports
	// fuse: K·sqrt(σ1² + σ2²), and at least MinDistanceM. Default 2.
	DistanceK    float64
	MinDistanceM float64 // default 1500
	// MaxFusionSigmaM is the largest spread (σ, metres) of a report that
	// may fuse with others; vaguer reports stand alone. Default 25000.
	MaxFusionSigmaM float64
	// BearingRangeM is how far an observer is taken to see or hear along
	// a bearing given without a distance. Default 25000.
	BearingRangeM float64
	// BearingErrorDeg is the bearing error (1σ, degrees) assumed when a
	// report gives none. Default 5.
	BearingErrorDeg float64
	// MaxCrossingM is the largest semi-major axis of the 95% ellipse of
	// two crossing bearings that still fuse them. Default 10000.
	MaxCrossingM float64
	// OriginK is the bound of the chi-square test by which two reports'
	// origins (the firing positions they give) are taken to disagree, so
	// that the reports describe fire from different places (fire and the
	// return fire) and are not fused: two points disagree when the
	// Mahalanobis distance of their difference under the sum of their
	// error covariances exceeds OriginK (and they lie more than
	// MinDistanceM apart), OriginK² being a quantile of χ² with two
	// degrees of freedom; the one-dimensional tests (a point off a
	// bearing, two bearings) use the quantile of the same significance
	// with one degree of freedom, k₁ = √2·erfc⁻¹(exp(−OriginK²/2)). The
	// default, √χ²₂(0.99) ≈ 3.035, takes two honest estimates of one
	// position for two once in a hundred (k₁ ≈ 2.576).
	OriginK float64
	// MaxSpan is the longest an incident may last from its first report
	// to the start of its last; a longer chain is cut. Default 12 h.
	MaxSpan time.Duration

	// Clustering of dense sensor detections (ST-DBSCAN).

	EpsM   float64       // space radius; default 1500 m
	EpsT   time.Duration // time radius; default 3 h
	MinPts int           // neighbours of a core point, itself included; default 3

	// Fixed hot spots among fire detections.

	HotspotCellM     float64 // cell size; default 750 m
	HotspotMinNights int     // distinct nights that make a cell hot; default 10

	// HotspotRecords are fire detections of the whole record (the log
	// prefix), beyond the records correlated, from which fixed hot spots
	// are recognised: a site is a fixed source by how often it burned
	// over everything known, not within the window asked for. They form
	// no incidents; records that are not dense fire detections, that are
	// superseded or that are among the records correlated are ignored.
	HotspotRecords []*truce.ObservationRecord
}

// Defaults.
const (
	DefaultDistanceK        = 2.0
	DefaultMinDistanceM     = 1500.0
	DefaultMaxFusionSigmaM  = 25000.0
	DefaultBearingRangeM    = 25000.0
	DefaultBearingErrorDeg  = 5.0
	DefaultMaxCrossingM     = 10000.0
	DefaultOriginK          = 3.0348542587702925 // sqrt(-2 ln 0.01): χ²₂ at 0.99
	DefaultMaxSpan          = 12 * time.Hour
	DefaultEpsM             = 1500.0
	DefaultEpsT             = 3 * time.Hour
	DefaultMinPts           = 3
	DefaultHotspotCellM     = 750.0
	DefaultHotspotMinNights = 10
)

func (o *Options) withDefaults() (Options, error) {
	var c Options
	if o != nil {
		c = *o
	}
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.DistanceK, DefaultDistanceK)
	def(&c.MinDistanceM, DefaultMinDistanceM)
	def(&c.MaxFusionSigmaM, DefaultMaxFusionSigmaM)
	def(&c.BearingRangeM, DefaultBearingRangeM)
	def(&c.BearingErrorDeg, DefaultBearingErrorDeg)
	def(&c.MaxCrossingM, DefaultMaxCrossingM)
	def(&c.OriginK, DefaultOriginK)
	def(&c.EpsM, DefaultEpsM)
	def(&c.HotspotCellM, DefaultHotspotCellM)
	if c.MaxSpan == 0 {
		c.MaxSpan = DefaultMaxSpan
	}
	if c.EpsT == 0 {
		c.EpsT = DefaultEpsT
	}
	if c.MinPts == 0 {
		c.MinPts = DefaultMinPts
	}
	if c.HotspotMinNights == 0 {
		c.HotspotMinNights = DefaultHotspotMinNights
	}
	var ps []truce.Problem
	bad := func(path, msg string) { ps = append(ps, truce.Problem{Path: path, Message: msg}) }
	pos := func(path string, v float64) {
		if !(v > 0) || math.IsInf(v, 0) {
			bad(path, fmt.Sprintf("must be a positive number, found %v", v))
		}
	}
	pos("DistanceK", c.DistanceK)
	pos("MinDistanceM", c.MinDistanceM)
	pos("MaxFusionSigmaM", c.MaxFusionSigmaM)
	pos("BearingRangeM", c.BearingRangeM)
	pos("MaxCrossingM", c.MaxCrossingM)
	pos("OriginK", c.OriginK)
	pos("EpsM", c.EpsM)
	if !(c.HotspotCellM >= 100 && c.HotspotCellM <= 100000) {
		bad("HotspotCellM", fmt.Sprintf("must be between 100 and 100000 m, found %v", c.HotspotCellM))
	}
	if !(c.BearingErrorDeg > 0 && c.BearingErrorDeg < 90) {
		bad("BearingErrorDeg", fmt.Sprintf("must be more than 0 and less than 90, found %v", c.BearingErrorDeg))
	}
	if c.MaxSpan < 0 {
		bad("MaxSpan", "must not be negative")
	}
	if c.EpsT < time.Second {
		bad("EpsT", fmt.Sprintf("must be at least 1s, found %v", c.EpsT))
	}
	if c.MinPts < 1 {
		bad("MinPts", fmt.Sprintf("must be at least 1, found %d", c.MinPts))
	}
	if c.HotspotMinNights < 1 {
		bad("HotspotMinNights", fmt.Sprintf("must be at least 1, found %d", c.HotspotMinNights))
	}
	if len(ps) > 0 {
		return c, truce.Invalid("correlate: bad options", ps...)
	}
	return c, nil
}

// Result is what [Correlate] derives.
type Result struct {
	// Incidents are ordered by start, then id.
	Incidents []*truce.Incident `json:"incidents"`
	// Hotspots are the fixed heat sources whose detections were kept out
	// of the incidents, ordered by their first detection in log order.
	Hotspots []*Hotspot `json:"hotspots"`
	// Skipped are the observations that are in no incident and no hot
	// spot, with the reason, in log order.
	Skipped []Skipped `json:"skipped"`
}

// Skipped is an observation left out, and why.
type Skipped struct {
	Observation string `json:"observation"`
	Reason      string `json:"reason"`
}

// incidentNamespace is the UUID namespace of incident and hot spot ids: an
// id is uuid.NewSHA1(incidentNamespace, the sorted member ids joined by
// "\n"). It must never change, or the same incidents would get new ids.
var incidentNamespace = uuid.MustParse("4e1f6a0c-93b2-5d7e-8c41-0f6b2a9d7e35")

// groupID returns the id of a group of observations with the sorted ids.
func groupID(ids []string) string {
	return uuid.NewSHA1(incidentNamespace, []byte(strings.Join(ids, "\n"))).String()
}

// item is a unit of fusion: one report, or one cluster of detections.
type item struct {
	recs    []int32 // member records, sorted
	kind    truce.Kind
	lo, hi  int64 // time interval, Unix nanoseconds, hi including the grain
	cluster bool  // a cluster (or lone point) of dense detections

	// Where: a point estimate with its spread, or a bearing without a
	// distance (sight), or neither (placed but too vague to fuse).
	point         bool
	lon, lat, sig float64
	sight         *geo.Sighting
	fusible       bool

	// origin is where the report says the fire came from, if it says.
	origin *origin
}

// origin is a report's estimate of the firing position: a point with its
// spread, or a bearing from an observer without a distance.
type origin struct {
	lon, lat, sig float64
	// cov is the point's error covariance in square metres, east-east,
	// east-north, north-north: σ² on the diagonal for a point, and for
	// a bearing with a distance σ_distance² along the bearing and
	// (d·σ_bearing)² across it.
	cov   [3]float64
	sight *geo.Sighting
}

// Correlate derives incidents from observation records. It is a pure
// function of the set of records and the options: the order of recs does
// not matter (they are put in log order, by LogIndex then ID), nothing
// depends on map order or scheduling, and the same records give the same
// Result, byte for byte once encoded. The package documentation gives the
// algorithm and every threshold.
//
// The records are taken to be valid, as the store returns them; Correlate
// checks only what would break it, and returns a *truce.Error with code
// EINVALID for bad options, a nil record, a time outside the years
// 1900–2200, or two records with one id.
func Correlate(recs []*truce.ObservationRecord, opts *Options) (*Result, error) {
	c, err := newCorrelation(recs, opts)
	if err != nil {
		return nil, err
	}
	// Look for repeated ids while correlating; a repeat voids the result.
	dups := make(chan []truce.Problem, 1)
	go func() { dups <- duplicates(c.recs) }()
	err = c.run()
	if ps := <-dups; len(ps) > 0 {
		return nil, truce.Invalid("correlate: bad records", ps...)
	}
	if err != nil {
		return nil, err
	}
	return c.res, nil
}

// newCorrelation checks the options and records and puts the records in
// log order.
func newCorrelation(recs []*truce.ObservationRecord, opts *Options) (*correlation, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	logOrder := func(a, b *truce.ObservationRecord) int {
		if c := cmp.Compare(a.LogIndex, b.LogIndex); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	}
	// One pass on every core: is any record bad, are they in log order?
	var bad, unsorted atomic.Bool
	missing := func(r *truce.ObservationRecord) bool { return r == nil || r.Observation == nil }
	parallel(int32(len(recs)), func(lo, hi int32) {
		for i := lo; i < hi; i++ {
			r := recs[i]
			switch {
			case missing(r):
				bad.Store(true)
				return
			case outOfRange(r.ObservedAt) || (r.ObservedUntil != nil && outOfRange(*r.ObservedUntil)):
				bad.Store(true)
			}
			if i > 0 && !missing(recs[i-1]) && logOrder(recs[i-1], r) > 0 {
				unsorted.Store(true)
			}
		}
	})
	if bad.Load() {
		var ps []truce.Problem
		for i, r := range recs {
			switch {
			case missing(r):
				ps = append(ps, truce.Problem{Path: fmt.Sprintf("[%d]", i), Message: "no observation"})
			case outOfRange(r.ObservedAt) || (r.ObservedUntil != nil && outOfRange(*r.ObservedUntil)):
				ps = append(ps, truce.Problem{Path: fmt.Sprintf("[%d].observed_at", i), Message: fmt.Sprintf("observation %q: time out of the years 1900-2200", r.ID)})
			}
		}
		return nil, truce.Invalid("correlate: bad records", ps...)
	}
	sorted := !unsorted.Load()
	c := &correlation{o: o, recs: recs, res: &Result{Incidents: []*truce.Incident{}, Hotspots: []*Hotspot{}, Skipped: []Skipped{}}}
	if !sorted {
		c.perm = make([]int32, len(recs))
		for i := range c.perm {
			c.perm[i] = int32(i)
		}
		slices.SortFunc(c.perm, func(a, b int32) int { return logOrder(recs[a], recs[b]) })
		c.recs = make([]*truce.ObservationRecord, len(recs))
		for k, i := range c.perm {
			c.recs[k] = recs[i]
		}
	}
	return c, nil
}

type correlation struct {
	o    Options
	recs []*truce.ObservationRecord // in log order
	perm []int32                    // perm[k] is the caller's index of recs[k]; nil when the caller's order was log order
	res  *Result
	hot  []int32 // the records of the hot spots' detections
}

// outOfRange reports whether t lies outside the years that observations
// may have (see truce.Observation.Validate).
func outOfRange(t time.Time) bool {
	u := t.Unix()
	return u < firstSecond || u >= afterLastSecond
}

// The years observations may have, as Unix seconds: from the start of 1900
// to the end of 2200.
var (
	firstSecond     = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	afterLastSecond = time.Date(2201, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
)

// duplicates returns a problem for each record, in log order, whose id an
// earlier record has. Ids are hashed (FNV-1a) and the hashes sorted, so
// that only records whose hashes collide are compared as strings.
func duplicates(recs []*truce.ObservationRecord) []truce.Problem {
	type hi struct {
		h uint64
		i int32
	}
	hs := make([]hi, len(recs))
	for i, r := range recs {
		h := uint64(14695981039346656037)
		for j := 0; j < len(r.ID); j++ {
			h ^= uint64(r.ID[j])
			h *= 1099511628211
		}
		hs[i] = hi{h, int32(i)}
	}
	slices.SortFunc(hs, func(a, b hi) int {
		if a.h != b.h {
			return cmp.Compare(a.h, b.h)
		}
		return cmp.Compare(a.i, b.i)
	})
	var dup []int32
	first := map[int32]int32{} // a repeated record and the first with its id
	for a := 0; a < len(hs); {
		b := a + 1
		for b < len(hs) && hs[b].h == hs[a].h {
			b++
		}
		for x := a + 1; x < b; x++ {
			for y := a; y < x; y++ {
				if recs[hs[x].i].ID == recs[hs[y].i].ID {
					dup = append(dup, hs[x].i)
					first[hs[x].i] = hs[y].i
					break
				}
			}
		}
		a = b
	}
	slices.Sort(dup)
	var ps []truce.Problem
	for _, i := range dup {
		ps = append(ps, truce.Problem{
			Path:    fmt.Sprintf("log_index %d", recs[i].LogIndex),
			Message: fmt.Sprintf("observation id %q appears twice (also at log_index %d)", recs[i].ID, recs[first[i]].LogIndex),
		})
	}
	return ps
}

// dense reports whether r is a dense sensor detection: filed by a sensor,
// located by a bare point, giving no origin. A sensor's detection that
// gives where the fire came from is a report, so that its direction keeps
// it apart from fire the other way (see [correlation.join]).
func dense(r *truce.ObservationRecord) bool {
	l := &r.Location
	return r.SourceRole == truce.RoleSensor && l.Lon != nil && l.Lat != nil && l.Observer == nil && l.Region == "" && r.Origin == nil
}

func (c *correlation) run() error {
	var items []*item
	var skipped []int32
	reasons := map[int32]string{}
	for i, r := range c.recs {
		switch {
		case len(r.SupersededBy) > 0:
			skipped = append(skipped, int32(i))
			reasons[int32(i)] = "superseded by " + strings.Join(r.SupersededBy, ", ")
		case !dense(r):
			it, reason := c.report(int32(i))
			if it == nil {
				skipped = append(skipped, int32(i))
				reasons[int32(i)] = reason
				continue
			}
			items = append(items, it)
		}
	}
	err := c.clusterDense(func(pts []stPoint, labels []int32, count int) {
		clusters, noise := layout(pts, labels, count)
		for k := range noise {
			clusters = append(clusters, noise[k:k+1:k+1])
		}
		slab := make([]item, len(clusters))
		parallel(int32(len(clusters)), func(lo, hi int32) {
			for i := lo; i < hi; i++ {
				c.clusterItem(&slab[i], clusters[i])
			}
		})
		for i := range slab {
			items = append(items, &slab[i])
		}
	})
	if err != nil {
		return err
	}
	gs := c.fuse(items)
	c.res.Incidents = make([]*truce.Incident, len(gs))
	parallel(int32(len(gs)), func(lo, hi int32) {
		for i := lo; i < hi; i++ {
			c.res.Incidents[i] = c.incident(gs[i])
		}
	})
	slices.SortFunc(c.res.Incidents, func(a, b *truce.Incident) int {
		if x := a.Start.Compare(b.Start); x != 0 {
			return x
		}
		return strings.Compare(a.ID, b.ID)
	})
	slices.Sort(skipped)
	for _, i := range skipped {
		c.res.Skipped = append(c.res.Skipped, Skipped{Observation: c.recs[i].ID, Reason: reasons[i]})
	}
	return nil
}

// history returns the fire detections of Options.HotspotRecords that are
// not among the records correlated, as points (rec -1), for recognising
// hot spots over the whole record.
func (c *correlation) history() []stPoint {
	if len(c.o.HotspotRecords) == 0 {
		return nil
	}
	own := make(map[string]bool, len(c.recs))
	for _, r := range c.recs {
		own[r.ID] = true
	}
	var out []stPoint
	seen := map[string]bool{}
	for _, r := range c.o.HotspotRecords {
		if r == nil || r.Observation == nil || own[r.ID] || seen[r.ID] || len(r.SupersededBy) > 0 || r.Kind != truce.KindFire || !dense(r) {
			continue
		}
		seen[r.ID] = true
		lat := *r.Location.Lat
		out = append(out, stPoint{lon: *r.Location.Lon, lat: lat, cos: math.Cos(lat * math.Pi / 180), t: r.ObservedAt.UnixNano(), rec: -1})
	}
	return out
}

// hotspots records the fixed sources among fire detections pts and
// returns the rest.
func (c *correlation) hotspots(pts []stPoint) []stPoint {
	groups, span, minNights, in := findHotspots(pts, c.history(), &c.o)
	for _, g := range groups {
		h := &Hotspot{SpanNights: span, MinNights: minNights}
		ns := map[int64]bool{}
		var sumLon, sumLat float64
		lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
		for _, i := range g {
			p := &pts[i]
			sumLon += p.lon
			sumLat += p.lat
			lo, hi = min(lo, p.t), max(hi, p.t)
			ns[night(p.t)] = true
			h.Observations = append(h.Observations, c.recs[p.rec].ID)
		}
		h.Nights = len(ns)
		h.Lon, h.Lat = sumLon/float64(len(g)), sumLat/float64(len(g))
		for _, i := range g {
			h.RadiusM = max(h.RadiusM, geo.Distance(geo.Point{h.Lon, h.Lat}, geo.Point{pts[i].lon, pts[i].lat}))
		}
		h.RadiusM = math.Round(h.RadiusM)
		h.First, h.Last = time.Unix(0, lo).UTC(), time.Unix(0, hi).UTC()
		slices.Sort(h.Observations)
		h.ID = groupID(h.Observations)
		c.res.Hotspots = append(c.res.Hotspots, h)
	}
	if len(groups) == 0 {
		return pts
	}
	rest := make([]stPoint, 0, len(pts))
	for i := range pts {
		if in[i] {
			c.hot = append(c.hot, pts[i].rec)
		} else {
			rest = append(rest, pts[i])
		}
	}
	return rest
}

// clusterItem sets it to the fusion item of a cluster of dense detections: the
// mean position, with a spread of the farthest member's distance from it
// (equirectangular) combined with the members' mean uncertainty.
func (c *correlation) clusterItem(it *item, m []int32) {
	*it = item{recs: m, cluster: true, point: true, lo: math.MaxInt64, hi: math.MinInt64}
	var sumLon, sumLat, sumU float64
	for _, i := range m {
		r := c.recs[i]
		it.kind = r.Kind
		sumLon += *r.Location.Lon
		sumLat += *r.Location.Lat
		sumU += r.Location.UncertaintyM
		lo, hi := interval(r.Observation)
		it.lo, it.hi = min(it.lo, lo), max(it.hi, hi)
	}
	n := float64(len(m))
	it.lon, it.lat = sumLon/n, sumLat/n
	var reach2 float64
	cos := math.Cos(it.lat * math.Pi / 180)
	for _, i := range m {
		r := c.recs[i]
		dx := (*r.Location.Lon - it.lon) * metresPerDegree * cos
		dy := (*r.Location.Lat - it.lat) * metresPerDegree
		reach2 = max(reach2, dx*dx+dy*dy)
	}
	reach := math.Sqrt(reach2)
	it.sig = math.Hypot(reach, sumU/n)
	it.fusible = it.sig <= c.o.MaxFusionSigmaM
}

// interval returns the time interval of o in Unix nanoseconds: from
// ObservedAt to ObservedUntil (or ObservedAt), the end extended by the
// grain of its precision.
func interval(o *truce.Observation) (lo, hi int64) {
	lo = o.ObservedAt.UnixNano()
	hi = lo
	if o.ObservedUntil != nil {
		hi = o.ObservedUntil.UnixNano()
	}
	return lo, hi + int64(Grain(o.TimePrecision))
}

// report makes the fusion item of one report, or says why it has none.
func (c *correlation) report(i int32) (*item, string) {
	r := c.recs[i]
	it := &item{recs: []int32{i}, kind: r.Kind}
	it.lo, it.hi = interval(r.Observation)
	l := &r.Location
	switch {
	case l.Observer != nil && l.BearingDeg != nil:
		s := c.sighting(l)
		if s.Distance > 0 {
			q, _ := geo.Direct(s.From, s.Azimuth, s.Distance)
			it.point, it.lon, it.lat = true, q[0], q[1]
			it.sig = math.Hypot(s.DistanceSigma, s.Distance*s.AzimuthSigma*math.Pi/180)
		} else {
			it.sight = &s
		}
	case l.Lon != nil && l.Lat != nil:
		it.point, it.lon, it.lat, it.sig = true, *l.Lon, *l.Lat, l.UncertaintyM
		if l.Region != "" {
			it.sig = max(it.sig, l.GeoPrecision.SpreadM())
		}
	case l.Region != "":
		return nil, fmt.Sprintf("no position: region %q (%s) has no representative point", l.Region, l.GeoPrecision)
	default:
		return nil, "no position"
	}
	it.fusible = it.sight != nil || it.sig <= c.o.MaxFusionSigmaM
	it.origin = c.origin(r.Origin)
	return it, ""
}

// origin converts a report's origin field to an origin, or nil when it
// gives none that can be placed (no origin, or a region without a point).
func (c *correlation) origin(l *truce.Location) *origin {
	switch {
	case l == nil:
		return nil
	case l.Observer != nil && l.BearingDeg != nil:
		s := c.sighting(l)
		if s.Distance > 0 {
			q, _ := geo.Direct(s.From, s.Azimuth, s.Distance)
			along, across := s.DistanceSigma, s.Distance*s.AzimuthSigma*math.Pi/180
			sin, cos := math.Sincos(s.Azimuth * math.Pi / 180) // along the bearing: (sin, cos) east, north
			a2, c2 := along*along, across*across
			return &origin{lon: q[0], lat: q[1], sig: math.Hypot(along, across),
				cov: [3]float64{a2*sin*sin + c2*cos*cos, (a2 - c2) * sin * cos, a2*cos*cos + c2*sin*sin}}
		}
		return &origin{sight: &s}
	case l.Lon != nil && l.Lat != nil:
		o := &origin{lon: *l.Lon, lat: *l.Lat, sig: l.UncertaintyM}
		if l.Region != "" {
			o.sig = max(o.sig, l.GeoPrecision.SpreadM())
		}
		o.cov = [3]float64{o.sig * o.sig, 0, o.sig * o.sig}
		return o
	}
	return nil
}

// sighting converts an observer-form location to a geo.Sighting, filling in
// the default bearing error, and a distance error of 10% (at least 50 m)
// when a distance comes without one.
func (c *correlation) sighting(l *truce.Location) geo.Sighting {
	s := geo.Sighting{From: geo.Point{l.Observer.Lon, l.Observer.Lat}, Azimuth: *l.BearingDeg, AzimuthSigma: l.BearingErrorDeg}
	if s.AzimuthSigma <= 0 {
		s.AzimuthSigma = c.o.BearingErrorDeg
	}
	s.AzimuthSigma = min(s.AzimuthSigma, 89)
	if l.DistanceM != nil {
		s.Distance = *l.DistanceM
		s.DistanceSigma = l.DistanceErrorM
		if s.DistanceSigma <= 0 {
			s.DistanceSigma = max(0.1*s.Distance, 50)
		}
	}
	return s
}
