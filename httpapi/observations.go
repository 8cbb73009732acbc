package httpapi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
)

// maxBatchProblems is the number of problems past which a batch's later bad
// lines report their first problem only: every bad line is listed, but the
// response stays bounded.
const maxBatchProblems = 1000

// batchResponse is the body answering an NDJSON batch.
type batchResponse struct {
	Accepted int               `json:"accepted"`
	Created  int               `json:"created"`
	Results  []truce.AddResult `json:"results"`
}

// handlePostObservations handles POST /v1/observations.
func (s *Server) handlePostObservations(w http.ResponseWriter, r *http.Request) {
	if err := s.postObservations(w, r); err != nil {
		s.metrics.rejected.WithLabelValues(rejectCode(err)).Inc()
		Error(w, r, err)
	}
}

func (s *Server) postObservations(w http.ResponseWriter, r *http.Request) error {
	src, err := s.authorize(r, truce.ActionObserve)
	if err != nil {
		return err
	}
	mt, err := mediaType(r)
	var batch bool
	switch {
	case err != nil:
	case mt == "" || mt == "application/json":
	case mt == "application/x-ndjson":
		batch = true
	default:
		err = truce.Errorf(truce.EUNSUPPORTED, "Content-Type %s is not supported; send application/json (one observation) or application/x-ndjson (a batch).", mt)
	}
	if err != nil {
		w.Header().Set("Accept-Post", "application/json, application/x-ndjson")
		return err
	}

	var obs []*truce.Observation
	var lines []int // the line of each of obs, for NDJSON
	if batch {
		obs, lines, err = s.readBatch(w, r, src)
	} else {
		var o *truce.Observation
		if o, err = s.readOne(w, r, src); err == nil {
			obs = []*truce.Observation{o}
		}
	}
	if err != nil {
		return err
	}

	results, err := s.store.AddObservations(r.Context(), src, obs)
	if err != nil {
		return truce.Relocate(err, "", lines)
	}
	created := 0
	for _, res := range results {
		if res.Created {
			created++
		}
	}
	role := string(src.Role)
	s.metrics.accepted.WithLabelValues(role).Add(float64(len(obs)))
	s.metrics.created.WithLabelValues(role).Add(float64(created))
	status := http.StatusOK
	if created > 0 {
		status = http.StatusCreated
	}
	if batch {
		s.writeJSON(w, r, status, &batchResponse{Accepted: len(obs), Created: created, Results: results})
		return nil
	}
	var rec *truce.ObservationRecord
	if res := results[0]; res.Created {
		// Just logged: the record is the observation as the store keeps
		// it (normalized, filed under the source), and nothing corrects it
		// yet, so it needs no read.
		o := *obs[0]
		o.Source, o.SourceRole, o.SourceParty = src.Name, src.Role, src.Party
		o.Normalize()
		rec = &truce.ObservationRecord{Observation: &o, LogIndex: res.LogIndex, LoggedAt: res.LoggedAt, FiledLate: truce.FiledLate(o.ObservedAt, res.LoggedAt), PublicID: res.PublicID}
		w.Header().Set("Location", "/v1/observations/"+url.PathEscape(rec.PublicID))
	} else if rec, err = s.store.Observation(r.Context(), src.Name, obs[0].ID); err != nil {
		return err
	}
	s.writeJSON(w, r, status, rec)
	return nil
}

// readOne reads a body holding one observation.
func (s *Server) readOne(w http.ResponseWriter, r *http.Request, src *truce.Source) (*truce.Observation, error) {
	body, err := readBody(w, r, s.maxObject)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, truce.Errorf(truce.EINVALID, "Request body is empty; send one observation as a JSON object.")
	}
	o, ps := decodeObservation(body, 0)
	if fs := impersonation(o, body, src, 0); len(fs) > 0 {
		return nil, &truce.Error{Code: truce.EFORBIDDEN, Message: fmt.Sprintf("Source %q may file observations only as itself.", src.Name), Problems: fs}
	}
	if len(ps) > 0 {
		return nil, truce.Invalid("Invalid observation; nothing was stored.", ps...)
	}
	return o, nil
}

// readBatch reads an NDJSON body: one observation a line, blank lines
// ignored. It reads the whole batch and reports every bad line.
func (s *Server) readBatch(w http.ResponseWriter, r *http.Request, src *truce.Source) ([]*truce.Observation, []int, error) {
	br := bufio.NewReaderSize(http.MaxBytesReader(w, r.Body, s.maxBody), 64<<10)
	var (
		obs       []*truce.Observation
		lines     []int
		bad       []truce.Problem
		forbidden []truce.Problem
		badLines  int
	)
	for n := 1; ; n++ {
		b, rerr := br.ReadBytes('\n')
		if rerr != nil && rerr != io.EOF {
			return nil, nil, bodyError(rerr)
		}
		if len(b) > int(s.maxObject) {
			return nil, nil, &truce.Error{Code: truce.ETOOLARGE, Message: fmt.Sprintf("Line %d is longer than %d bytes, the limit for one observation.", n, s.maxObject),
				Problems: []truce.Problem{{Line: n, Path: "$", Message: fmt.Sprintf("longer than %d bytes", s.maxObject)}}}
		}
		if len(bytes.TrimSpace(b)) > 0 {
			if len(obs) == s.maxBatch {
				return nil, nil, truce.Errorf(truce.ETOOLARGE, "Batch has more than %d observations (the limit); split it.", s.maxBatch)
			}
			o, ps := decodeObservation(b, n)
			forbidden = append(forbidden, impersonation(o, b, src, n)...)
			if len(ps) > 0 {
				badLines++
				if len(bad)+len(ps) > maxBatchProblems {
					ps = ps[:1]
				}
				bad = append(bad, ps...)
			}
			obs = append(obs, o)
			lines = append(lines, n)
		}
		if rerr == io.EOF {
			break
		}
	}
	switch {
	case len(forbidden) > 0:
		return nil, nil, &truce.Error{Code: truce.EFORBIDDEN, Message: fmt.Sprintf("Source %q may file observations only as itself; nothing was stored.", src.Name), Problems: forbidden}
	case len(bad) > 0:
		return nil, nil, truce.Invalid(fmt.Sprintf("%d of %d line(s) are invalid; nothing was stored.", badLines, len(obs)), bad...)
	case len(obs) == 0:
		return nil, nil, truce.Errorf(truce.EINVALID, "Batch is empty; send one observation a line.")
	}
	return obs, lines, nil
}

// decodeObservation is DecodeObservation, but it also returns the
// observation when it decoded and only validation failed, so that the
// caller can check who it claims to be from.
func decodeObservation(data []byte, line int) (*truce.Observation, []truce.Problem) {
	var o truce.Observation
	if ps := decodeStrict(data, line, &o); len(ps) > 0 {
		return nil, ps
	}
	if err := o.Validate(); err != nil {
		ps := truce.ErrorProblems(err)
		if len(ps) == 0 {
			ps = []truce.Problem{{Path: "$", Message: truce.ErrorMessage(err)}}
		}
		for i := range ps {
			ps[i].Line = line
		}
		return &o, ps
	}
	return &o, nil
}

// impersonation reports a body that names a source or role other than the
// authenticated source's: a party may not post as a monitor. o is the
// decoded observation, or nil when it did not decode, in which case the
// fields are looked for in data as loosely as possible.
func impersonation(o *truce.Observation, data []byte, src *truce.Source, line int) []truce.Problem {
	var source, role, party string
	if o != nil {
		source, role, party = o.Source, string(o.SourceRole), o.SourceParty
	} else {
		var loose map[string]json.RawMessage
		if json.Unmarshal(data, &loose) != nil {
			return nil
		}
		json.Unmarshal(loose["source"], &source)
		json.Unmarshal(loose["source_role"], &role)
		json.Unmarshal(loose["source_party"], &party)
	}
	ps := src.ClaimProblems(source, truce.Role(role), party)
	for i := range ps {
		ps[i].Line = line
	}
	return ps
}

// handleGetObservation handles GET /v1/observations/{id}: id is the
// observation's public id, for anyone, or the id the reader's own source
// filed it under. Another source's id is not found, whoever reads: which
// ids a source uses is its own (docs/disclosure.md).
func (s *Server) handleGetObservation(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var rec *truce.ObservationRecord
	var err error
	switch rd := ReaderOf(r.Context()); {
	case truce.IsPublicID(id):
		rec, err = s.store.ObservationByPublicID(r.Context(), id)
	case rd.Source != nil:
		if rec, err = s.store.Observation(r.Context(), rd.Source.Name, id); truce.ErrorCode(err) == truce.ENOTFOUND {
			err = truce.Errorf(truce.ENOTFOUND, "no observation %q: name an observation by its public id, or by the id your source filed it under (the mission: GET /v1/sources/{name}/observations/{id})", id)
		}
	default:
		err = truce.Errorf(truce.ENOTFOUND, "no observation %q: observations are named by public id (\"o-\" and 32 hexadecimal digits)", id)
	}
	s.showObservation(w, r, rec, err)
}

// handleGetSourceObservation handles GET /v1/sources/{name}/observations/{id}:
// the observation source name filed under id, for the mission and that
// source only (403 for anyone else, whether or not it exists).
func (s *Server) handleGetSourceObservation(w http.ResponseWriter, r *http.Request) {
	name, id := r.PathValue("name"), r.PathValue("id")
	rd := ReaderOf(r.Context())
	if rd.Audience.Kind != truce.AudienceMission && (rd.Source == nil || rd.Source.Name != name) {
		Error(w, r, truce.Errorf(truce.EFORBIDDEN, "which ids a source files under is the mission's and that source's to know; name the observation by its public id"))
		return
	}
	rec, err := s.store.Observation(r.Context(), name, id)
	s.showObservation(w, r, rec, err)
}

// showObservation answers with what the reader is shown of rec, or err.
func (s *Server) showObservation(w http.ResponseWriter, r *http.Request, rec *truce.ObservationRecord, err error) {
	if err != nil {
		Error(w, r, err)
		return
	}
	v, err := s.newViewer(r.Context())
	if err != nil {
		Error(w, r, err)
		return
	}
	shown := v.show(r.Context(), rec)
	if err := v.record(r.Context()); err != nil {
		Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, shown)
}

// handleFindObservations handles GET /v1/observations.
func (s *Server) handleFindObservations(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := parseFilter(q)
	if err == nil {
		err = checkFilter(ReaderOf(r.Context()), f)
	}
	if err != nil {
		Error(w, r, err)
		return
	}
	page, err := s.store.FindObservations(r.Context(), f)
	if err != nil {
		if f.Cursor != "" && truce.ErrorCode(err) == truce.EINVALID && len(truce.ErrorProblems(err)) == 0 {
			err = truce.Invalid("Invalid query parameter.", truce.Problem{Path: "query.cursor", Message: truce.ErrorMessage(err)})
		}
		Error(w, r, err)
		return
	}
	if f.BBox != nil {
		rd := ReaderOf(r.Context())
		page.Observations = slices.DeleteFunc(page.Observations, func(rec *truce.ObservationRecord) bool { return !bboxMatches(rd, rec) })
	}
	v, err := s.newViewer(r.Context())
	if err != nil {
		Error(w, r, err)
		return
	}
	out := viewedPage{Observations: make([]any, len(page.Observations)), Next: page.Next}
	for i, rec := range page.Observations {
		out.Observations[i] = v.show(r.Context(), rec)
	}
	if err := v.record(r.Context()); err != nil {
		Error(w, r, err)
		return
	}
	if page.Next != "" {
		q.Set("cursor", page.Next)
		w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, q.Encode()))
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

// filterParams are the query parameters of GET /v1/observations; list
// parameters take comma-separated values and may be repeated.
var filterParams = map[string]bool{
	"from": false, "to": false, "bbox": false, "limit": false, "cursor": false,
	"kind": true, "source": true, "blamed_party": true,
}

// parseFilter reads an ObservationFilter from query parameters, reporting
// every bad parameter as a problem with path "query.<name>".
func parseFilter(q url.Values) (truce.ObservationFilter, error) {
	var f truce.ObservationFilter
	var ps []truce.Problem
	bad := func(name, format string, args ...any) {
		ps = append(ps, truce.Problem{Path: "query." + name, Message: fmt.Sprintf(format, args...)})
	}
	for name, vs := range q {
		list, known := filterParams[name]
		switch {
		case !known:
			bad(name, "unknown parameter; known are bbox, blamed_party, cursor, from, kind, limit, source, to")
		case !list && len(vs) > 1:
			bad(name, "given %d times; give it once", len(vs))
		}
	}
	values := func(name string) []string {
		var out []string
		for _, v := range q[name] {
			for _, s := range strings.Split(v, ",") {
				if s = strings.TrimSpace(s); s != "" {
					out = append(out, s)
				}
			}
		}
		return out
	}
	parseTime := func(name string) time.Time {
		v := q.Get(name)
		if v == "" {
			return time.Time{}
		}
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t
		}
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			return t
		}
		bad(name, "%s is not an RFC 3339 time (2025-03-14T06:30:00Z) or a date (2025-03-14)", quote(v))
		return time.Time{}
	}
	f.From, f.To = parseTime("from"), parseTime("to")
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		bad("to", "must be after from")
	}
	if v := q.Get("bbox"); v != "" {
		parts := strings.Split(v, ",")
		var n [4]float64
		ok := len(parts) == 4
		for i := 0; ok && i < 4; i++ {
			x, err := strconv.ParseFloat(strings.TrimSpace(parts[i]), 64)
			ok = err == nil && !math.IsNaN(x) && !math.IsInf(x, 0)
			n[i] = x
		}
		b := truce.BBox{West: n[0], South: n[1], East: n[2], North: n[3]}
		switch {
		case !ok:
			bad("bbox", "%s is not four numbers west,south,east,north", quote(v))
		case b.West < -180 || b.West > 180 || b.East < -180 || b.East > 180:
			bad("bbox", "longitudes must be between -180 and 180")
		case b.South < -90 || b.North > 90 || b.South > b.North:
			bad("bbox", "latitudes must be between -90 and 90, south not above north")
		default:
			f.BBox = &b
		}
	}
	for _, k := range values("kind") {
		if kind := truce.Kind(k); !kind.Valid() {
			bad("kind", "unknown kind %s", quote(k))
		} else {
			f.Kinds = append(f.Kinds, kind)
		}
	}
	for _, v := range values("source") {
		if !truce.ValidName(v) {
			bad("source", "%s is not a source name", quote(v))
		} else {
			f.Sources = append(f.Sources, v)
		}
	}
	for _, v := range values("blamed_party") {
		if !truce.ValidPartyID(v) {
			bad("blamed_party", "%s is not a party id (upper-case, like \"UA\")", quote(v))
		} else {
			f.BlamedParties = append(f.BlamedParties, v)
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > truce.MaxPageSize {
			bad("limit", "must be an integer from 1 to %d", truce.MaxPageSize)
		}
		f.Limit = n
	}
	f.Cursor = q.Get("cursor")
	if len(ps) > 0 {
		sortProblems(ps)
		return f, truce.Invalid("Invalid query parameter(s).", ps...)
	}
	return f, nil
}

// sortProblems orders problems by path, so that responses do not depend on
// map order.
func sortProblems(ps []truce.Problem) {
	slices.SortStableFunc(ps, func(a, b truce.Problem) int { return strings.Compare(a.Path, b.Path) })
}
