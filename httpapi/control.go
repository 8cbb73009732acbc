package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/control"
	"github.com/truce-monitor/truce/geo"
)

// maxClassifyLine caps one line of a classify request.
const maxClassifyLine = 4 << 10

// MaxClassifyPoints caps the points of one POST /v1/control/classify
// request, and maxClassifyBody its body: a public endpoint whose cost
// grows with the input must not take a whole CPU for seconds per request.
const (
	MaxClassifyPoints = 50000
	maxClassifyBody   = 8 << 20
)

// maxTimelines caps the timelines kept: one per source of control maps
// that is asked for, and "" for any source.
const maxTimelines = 16

// controlAPI serves the control endpoints. It keeps the prepared control
// maps it has used, one timeline per source asked for, of sources that
// have maps only, at most maxTimelines of them.
type controlAPI struct {
	*Server
	mu        sync.Mutex
	timelines map[string]*timelineEntry
	clock     int64
}

type timelineEntry struct {
	tl   *control.Timeline
	used int64
}

func newControlAPI(s *Server) *controlAPI {
	c := &controlAPI{Server: s, timelines: map[string]*timelineEntry{}}
	register(s.registry, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "truce_control_timelines",
		Help: "Control-map timelines kept in memory by the control endpoints, one per source asked for.",
	}, func() float64 {
		c.mu.Lock()
		defer c.mu.Unlock()
		return float64(len(c.timelines))
	}))
	return c
}

// timeline returns the timeline of source ("" for any source). A source
// that no control map comes from is an EINVALID error naming
// query.source, so that made-up sources cost neither memory nor a lookup.
func (s *controlAPI) timeline(ctx context.Context, source string) (*control.Timeline, error) {
	s.mu.Lock()
	e, ok := s.timelines[source]
	if ok {
		s.clock++
		e.used = s.clock
	}
	s.mu.Unlock()
	if ok {
		return e.tl, nil
	}
	if source != "" {
		maps, err := s.store.ControlMaps(ctx)
		if err != nil {
			return nil, err
		}
		var known []string
		for _, m := range maps {
			if !slices.Contains(known, m.Source) {
				known = append(known, m.Source)
			}
		}
		if !slices.Contains(known, source) {
			slices.Sort(known)
			msg := "no control map comes from this source"
			if len(known) > 0 {
				msg += "; maps come from " + strings.Join(known, ", ")
			}
			return nil, truce.Invalid("Invalid query parameters.", truce.Problem{Path: "query.source", Message: fmt.Sprintf("%s: %s", quote(source), msg)})
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.timelines[source]; ok {
		return e.tl, nil
	}
	for len(s.timelines) >= maxTimelines {
		var oldest *timelineEntry
		var key string
		for k, e := range s.timelines {
			if oldest == nil || e.used < oldest.used {
				oldest, key = e, k
			}
		}
		delete(s.timelines, key)
	}
	s.clock++
	e = &timelineEntry{tl: control.NewTimeline(s.store, source, nil), used: s.clock}
	s.timelines[source] = e
	return e.tl, nil
}

// controlQuery reads the query parameters of the control endpoints: the
// times named in times (each a day, meaning the end of that day in UTC, or
// an RFC 3339 time), source, and min_area_km2 when allowed. Unknown and
// repeated parameters are problems, each with path "query.<name>".
type controlQuery struct {
	times     map[string]time.Time
	source    string
	minAreaM2 float64
}

func parseControlQuery(q url.Values, required, optional []string, minArea bool) (controlQuery, error) {
	c := controlQuery{times: map[string]time.Time{}, minAreaM2: control.DefaultMinArea}
	var ps []truce.Problem
	bad := func(name, format string, args ...any) {
		ps = append(ps, truce.Problem{Path: "query." + name, Message: fmt.Sprintf(format, args...)})
	}
	known := map[string]bool{"source": true}
	for _, n := range append(append([]string{}, required...), optional...) {
		known[n] = true
	}
	if minArea {
		known["min_area_km2"] = true
	}
	for name, vs := range q {
		switch {
		case !known[name]:
			bad(name, "unknown parameter")
		case len(vs) > 1:
			bad(name, "given %d times; give it once", len(vs))
		}
	}
	for _, name := range append(append([]string{}, required...), optional...) {
		v := q.Get(name)
		if v == "" {
			if isIn(name, required) {
				bad(name, "required: a day (2025-03-14, meaning the end of that day in UTC) or an RFC 3339 time")
			}
			continue
		}
		t, ok := parseDay(v)
		if !ok {
			bad(name, "%s is not a day (2025-03-14) or an RFC 3339 time (2025-03-14T06:30:00Z)", quote(v))
			continue
		}
		c.times[name] = t
	}
	c.source = q.Get("source")
	if v := q.Get("min_area_km2"); minArea && v != "" {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			bad("min_area_km2", "%s is not a non-negative number of km²", quote(v))
		}
		c.minAreaM2 = x * 1e6
	}
	if len(ps) > 0 {
		return c, truce.Invalid("Invalid query parameters.", ps...)
	}
	return c, nil
}

func isIn(s string, list []string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// parseDay reads a day (the end of that day in UTC, so that the day's own
// map is in force) or an RFC 3339 time.
func parseDay(v string) (time.Time, bool) {
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		return d.Add(24*time.Hour - time.Nanosecond), true
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// serveGeoJSON answers r with the GeoJSON document encode returns, or with
// its error.
func serveGeoJSON(w http.ResponseWriter, r *http.Request, encode func() ([]byte, error)) {
	b, err := encode()
	if err != nil {
		Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/geo+json")
	w.WriteHeader(http.StatusOK)
	w.Write(b)
	w.Write([]byte{'\n'})
}

// handleControl handles GET /v1/control.
func (s *controlAPI) handleControl(w http.ResponseWriter, r *http.Request) {
	serveGeoJSON(w, r, func() ([]byte, error) {
		q, err := parseControlQuery(r.URL.Query(), []string{"date"}, nil, false)
		if err != nil {
			return nil, err
		}
		tl, err := s.timeline(r.Context(), q.source)
		if err != nil {
			return nil, err
		}
		m, err := tl.At(r.Context(), q.times["date"])
		if err != nil {
			return nil, err
		}
		return m.GeoJSON()
	})
}

// handleControlDiff handles GET /v1/control/diff.
func (s *controlAPI) handleControlDiff(w http.ResponseWriter, r *http.Request) {
	serveGeoJSON(w, r, func() ([]byte, error) {
		q, err := parseControlQuery(r.URL.Query(), []string{"from", "to"}, nil, true)
		if err != nil {
			return nil, err
		}
		tl, err := s.timeline(r.Context(), q.source)
		if err != nil {
			return nil, err
		}
		var b []byte
		busy := s.expensive(w, func() {
			var from, to *control.Map
			if from, err = tl.At(r.Context(), q.times["from"]); err != nil {
				return
			}
			if to, err = tl.At(r.Context(), q.times["to"]); err != nil {
				return
			}
			var d *control.Diff
			if d, err = control.Compare(from, to, q.minAreaM2); err != nil {
				return
			}
			b, err = d.GeoJSON()
		})
		if busy != nil {
			return nil, busy
		}
		return b, err
	})
}

// classifyIn is one line of a classify request.
type classifyIn struct {
	ID   json.RawMessage `json:"id"`
	Lon  *float64        `json:"lon"`
	Lat  *float64        `json:"lat"`
	Time *time.Time      `json:"time"`
}

// classifyOut is one line of a classify response: a result, or Error.
type classifyOut struct {
	Line      int             `json:"line"`
	ID        json.RawMessage `json:"id,omitempty"`
	Holder    string          `json:"holder,omitempty"`
	DistanceM *float64        `json:"distance_m,omitempty"`
	SignedM   *float64        `json:"signed_distance_m,omitempty"`
	Map       string          `json:"map,omitempty"`
	Error     *classifyError  `json:"error,omitempty"`
}

type classifyError struct {
	Code     string          `json:"code"`
	Message  string          `json:"message"`
	Problems []truce.Problem `json:"errors,omitempty"`
}

// handleClassify handles POST /v1/control/classify: NDJSON in, NDJSON out,
// one output line per non-blank input line, in order, written as the
// input is read.
func (s *controlAPI) handleClassify(w http.ResponseWriter, r *http.Request) {
	mt, err := mediaType(r)
	if err == nil && mt != "" && mt != "application/x-ndjson" && mt != "application/json" {
		err = truce.Errorf(truce.EUNSUPPORTED, "Content-Type %s is not supported here; send application/x-ndjson, one point a line.", mt)
	}
	if err != nil {
		w.Header().Set("Accept-Post", "application/x-ndjson")
		Error(w, r, err)
		return
	}
	q, err := parseControlQuery(r.URL.Query(), nil, []string{"date"}, false)
	if err != nil {
		Error(w, r, err)
		return
	}
	def, ok := q.times["date"]
	if !ok {
		def = time.Now()
	}
	tl, err := s.timeline(r.Context(), q.source)
	if err != nil {
		Error(w, r, err)
		return
	}
	if err := s.expensive(w, func() { s.classify(w, r, tl, def) }); err != nil {
		Error(w, r, err)
	}
}

// classify answers a classify request with tl's maps, def the time of
// points that give none.
func (s *controlAPI) classify(w http.ResponseWriter, r *http.Request, tl *control.Timeline, def time.Time) {
	sched, err := tl.Schedule(r.Context())
	if err != nil {
		Error(w, r, err)
		return
	}
	rc := http.NewResponseController(w)
	rc.EnableFullDuplex() // HTTP/1.1: keep reading the body while answering; not needed on HTTP/2
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)

	br := bufio.NewReaderSize(http.MaxBytesReader(w, r.Body, min(s.maxBody, maxClassifyBody)), 64<<10)
	bw := bufio.NewWriterSize(w, 32<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	var cur *control.Map
	points := 0
	for n := 1; ; n++ {
		b, rerr := br.ReadBytes('\n')
		if rerr != nil && rerr != io.EOF {
			// The body cannot be read on (too large, cut off): say so on
			// the line reached and stop.
			err := bodyError(rerr)
			enc.Encode(classifyOut{Line: n, Error: &classifyError{Code: truce.ErrorCode(err), Message: truce.ErrorMessage(err)}})
			break
		}
		if len(bytes.TrimSpace(b)) > 0 {
			if points++; points > MaxClassifyPoints {
				enc.Encode(classifyOut{Line: n, Error: &classifyError{Code: truce.ETOOLARGE,
					Message: fmt.Sprintf("Line %d is past the limit of %d points per request; the rest is not read. Send the rest in another request.", n, MaxClassifyPoints)}})
				break
			}
			out := s.classifyLine(r, tl, sched, &cur, def, b, n)
			if err := enc.Encode(out); err != nil {
				return // the client has gone
			}
		}
		if rerr == io.EOF {
			break
		}
		if br.Buffered() == 0 { // about to wait for the client: send what is ready
			bw.Flush()
			rc.Flush()
		}
	}
	bw.Flush()
}

// classifyLine answers one input line. cur is the map used last, kept
// across lines so that points of the same time need no lookup.
func (s *controlAPI) classifyLine(r *http.Request, tl *control.Timeline, sched control.Schedule, cur **control.Map, def time.Time, b []byte, n int) classifyOut {
	out := classifyOut{Line: n}
	fail := func(err error) classifyOut {
		out.Error = &classifyError{Code: truce.ErrorCode(err), Message: truce.ErrorMessage(err), Problems: truce.ErrorProblems(err)}
		if out.Error.Code == "" {
			out.Error.Code = truce.EINTERNAL
		}
		return out
	}
	if len(b) > maxClassifyLine {
		return fail(&truce.Error{Code: truce.ETOOLARGE, Message: fmt.Sprintf("Line %d is longer than %d bytes.", n, maxClassifyLine)})
	}
	var in classifyIn
	if ps := decodeStrict(b, n, &in); len(ps) > 0 {
		return fail(truce.Invalid(fmt.Sprintf("Line %d is not a point.", n), ps...))
	}
	out.ID = in.ID
	var ps []truce.Problem
	if len(in.ID) > 0 && in.ID[0] != '"' && (in.ID[0] < '0' || in.ID[0] > '9') && in.ID[0] != '-' {
		ps = append(ps, truce.Problem{Line: n, Path: "$.id", Message: "must be a string or a number"})
		out.ID = nil
	}
	switch {
	case in.Lon == nil:
		ps = append(ps, truce.Problem{Line: n, Path: "$.lon", Message: "required"})
	case !(*in.Lon >= -180 && *in.Lon <= 180):
		ps = append(ps, truce.Problem{Line: n, Path: "$.lon", Message: "longitude must be between -180 and 180"})
	}
	switch {
	case in.Lat == nil:
		ps = append(ps, truce.Problem{Line: n, Path: "$.lat", Message: "required"})
	case !(*in.Lat >= -90 && *in.Lat <= 90):
		ps = append(ps, truce.Problem{Line: n, Path: "$.lat", Message: "latitude must be between -90 and 90"})
	}
	if len(ps) > 0 {
		return fail(truce.Invalid(fmt.Sprintf("Line %d is not a point.", n), ps...))
	}
	t := def
	if in.Time != nil {
		t = *in.Time
	}
	rec := sched.At(t)
	if rec == nil {
		return fail(truce.Errorf(truce.ENOTFOUND, "No control map as of %s.", t.UTC().Format(time.RFC3339)))
	}
	if *cur == nil || (*cur).ID != rec.ID {
		m, err := tl.Map(r.Context(), rec.ID)
		if err != nil {
			return fail(err)
		}
		*cur = m
	}
	l := (*cur).Locate(geo.Point{*in.Lon, *in.Lat})
	out.Holder, out.Map = l.Holder, rec.ID
	if !math.IsInf(l.DistanceM, 0) { // a map without a line of contact has no distances
		d, sd := math.Round(l.DistanceM*10)/10, math.Round(l.SignedM*10)/10
		out.DistanceM, out.SignedM = &d, &sd
	}
	return out
}
