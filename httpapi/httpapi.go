// Package httpapi serves truce's JSON HTTP API over a [truce.Store].
//
// It owns the wire: routing, authentication by bearer token, request
// decoding and its limits, the problem+json error format and its one table
// from truce error codes to HTTP statuses, request logging and Prometheus
// metrics. It decides nothing about the domain: validation is the root
// package's ([truce.Observation.Validate] and friends), authorization is
// [truce.Source.Authorize], storage is the store's, tree hashing and proofs
// are package ledger's, territorial questions (who holds a point, the line
// of contact, advances) package control's. It imports the root package,
// ledger, control, geo, golang.org/x/mod/sumdb/tlog, the standard library
// and Prometheus' client only; cmd/truce wires it to a concrete store.
//
// # Routes
//
// Writes need "Authorization: Bearer <token>". Reads need no token: a
// read without one is the public's; a read with one is its source's
// audience (see [Reader]), and a token that does not authenticate is
// answered 401 on reads as on writes, never served as the public.
//
//	POST /v1/observations              file one observation (application/json) or a
//	                                   batch (application/x-ndjson); monitor, sensor,
//	                                   dataset or party sources
//	GET  /v1/observations              search: from, to, bbox, kind, source,
//	                                   blamed_party, limit, cursor
//	GET  /v1/observations/{id}         one observation, by public id (or by the reader's
//	                                   own source's id)
//	POST /v1/observations/{id}/releases show a party or the public private groups of
//	                                   the observation (public id) early (analyst, admin)
//	GET  /v1/releases                  the releases logged, in log order; observation=<public
//	                                   id> for one observation's (analyst, admin)
//	GET  /v1/audit/private-reads       who was shown which private groups of which
//	                                   observation, when: observation, after, limit (admin)
//	GET  /v1/agreements                the latest version of every agreement
//	POST /v1/agreements                add an agreement version (admin)
//	GET  /v1/agreements/{id}           the latest version of one agreement
//	GET  /v1/sources                   registered sources
//	POST /v1/sources                   register a source and get its token once (admin)
//	GET  /v1/sources/{name}/observations/{id}
//	                                   the observation name filed under id (the mission
//	                                   and that source)
//	POST /v1/sources/{name}/token      issue a source a new token; the old one stops working (admin)
//	POST /v1/sources/{name}/key        set or replace the source's Ed25519 public key, which
//	                                   its observations must then be signed by (admin)
//	GET  /v1/control-maps              control maps, without geometry
//	GET  /v1/control-maps/{id}         one control map with its geometry
//	GET  /v1/control                   who holds which ground on a date, and the line
//	                                   of contact (GeoJSON): date, source
//	GET  /v1/control/diff              ground gained and lost between two dates
//	                                   (GeoJSON with totals): from, to, min_area_km2,
//	                                   source
//	POST /v1/control/classify          points in (NDJSON), holder and distance to the
//	                                   line of contact out (NDJSON, streamed): date,
//	                                   source
//	GET  /v1/findings                  the current version of each finding series:
//	                                   agreement, party, confidence, violation, rule,
//	                                   status, limit, cursor
//	GET  /v1/findings/{id}             a series' history: every version, every review,
//	                                   the standing outcome (id: series, content or
//	                                   engine finding id)
//	POST /v1/findings/{id}/reviews     review a finding: confirm, override, resolve
//	                                   (analyst) or dispute (the party it is about)
//	GET  /v1/log/size                  the number of log entries
//	GET  /v1/log/entries               entries start <= index < end, at most 1000
//	GET  /v1/log/root                  the RFC 6962 root of the first size entries
//	                                   (size defaults to the log's)
//	GET  /v1/log/proof/inclusion       the audit path of entry index in the tree of
//	                                   size entries (index, size)
//	GET  /v1/log/proof/consistency     the proof that the tree of new entries extends
//	                                   the tree of old entries (old, new)
//	GET  /checkpoint                   the latest signed checkpoint: a C2SP
//	                                   tlog-checkpoint signed as a C2SP signed note
//	                                   by the log's key (text/plain), with the
//	                                   witnesses' cosignatures collected so far; 404
//	                                   until one is signed
//	GET  /v1/checkpoints/{size}        the checkpoint of that size, as /checkpoint
//	POST /v1/checkpoint/cosignatures   a registered witness's cosignature of a
//	                                   checkpoint; no token: the cosignature must
//	                                   verify with the witness's registered key
//	GET  /v1/witnesses                 the witnesses registered to cosign
//	POST /v1/witnesses                 register a witness by its verifier key (admin)
//	GET  /                             a page for people: what the store holds, links
//	GET  /healthz                      liveness and the store's log size
//	GET  /metrics                      Prometheus metrics
//
// docs/api.md documents every endpoint with its request and response
// bodies, limits and examples.
//
// # Errors
//
// Every error is answered by [Error] as an RFC 9457 problem
// (application/problem+json) whose "type" is [ProblemTypeBase] followed by
// the truce error code, and whose "errors" list names each problem's JSON
// path and, for NDJSON batches, its line.
package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/truce-monitor/truce"
)

// Default limits.
const (
	DefaultMaxBodyBytes   = 64 << 20 // an NDJSON batch, an agreement
	DefaultMaxObjectBytes = 1 << 20  // one JSON object: an observation, a source
	DefaultMaxBatch       = 10000    // lines of an NDJSON batch
	MaxLogEntries         = 1000     // entries per GET /v1/log/entries
)

// Options configure a Server. The zero value is usable.
type Options struct {
	// Logger receives request logs and internal errors; nil means
	// slog.Default().
	Logger *slog.Logger
	// MaxBodyBytes caps request bodies: NDJSON batches and agreements may
	// be this large, one JSON observation or source at most 1 MiB (or
	// MaxBodyBytes, if smaller). Zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxBatch caps the observations in one NDJSON batch. Zero means
	// DefaultMaxBatch.
	MaxBatch int
	// Registry receives the server's metrics and is what /metrics serves.
	// Nil means a new registry.
	Registry *prometheus.Registry
	// Limits bound the requests of each client; nil means DefaultLimits.
	Limits *Limits
}

// Server is truce's HTTP API. It is an http.Handler; it neither listens
// nor owns the store.
type Server struct {
	store          truce.Store
	log            *slog.Logger
	maxBody        int64
	maxObject      int64
	maxBatch       int
	registry       *prometheus.Registry
	metrics        *metrics
	guard          *guard
	mux            *http.ServeMux
	handler        http.Handler
	allowedMethods map[string][]string // path → methods, in order of registration
	patterns       []string            // every route, in order of registration
}

// NewServer returns a Server over store.
func NewServer(store truce.Store, opts Options) *Server {
	s := &Server{
		store:    store,
		log:      opts.Logger,
		maxBody:  opts.MaxBodyBytes,
		maxBatch: opts.MaxBatch,
		registry: opts.Registry,
		mux:      http.NewServeMux(),
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	s.maxObject = min(s.maxBody, DefaultMaxObjectBytes)
	if s.maxBatch <= 0 {
		s.maxBatch = DefaultMaxBatch
	}
	if s.registry == nil {
		s.registry = prometheus.NewRegistry()
	}
	s.metrics = newMetrics(s.registry)
	lim := DefaultLimits
	if opts.Limits != nil {
		lim = *opts.Limits
	}
	s.guard = newGuard(lim)

	s.route("POST /v1/observations", s.handlePostObservations)
	s.route("GET /v1/observations", s.handleFindObservations)
	s.route("GET /v1/observations/{id}", s.handleGetObservation)
	s.route("GET /v1/sources/{name}/observations/{id}", s.handleGetSourceObservation)
	s.route("POST /v1/observations/{id}/releases", s.handlePostRelease)
	s.route("GET /v1/releases", s.handleListReleases)
	s.route("GET /v1/audit/private-reads", s.handlePrivateReads)
	s.route("GET /v1/agreements", s.handleListAgreements)
	s.route("POST /v1/agreements", s.handlePostAgreement)
	s.route("GET /v1/agreements/{id}", s.handleGetAgreement)
	s.route("GET /v1/sources", s.handleListSources)
	s.route("POST /v1/sources", s.handlePostSource)
	s.route("POST /v1/sources/{name}/token", s.handleIssueToken)
	s.route("POST /v1/sources/{name}/key", s.handleSetSourceKey)
	s.route("GET /v1/control-maps", s.handleListControlMaps)
	s.route("GET /v1/control-maps/{id}", s.handleGetControlMap)
	c := newControlAPI(s)
	s.route("GET /v1/control", c.handleControl)
	s.route("GET /v1/control/diff", c.handleControlDiff)
	s.route("POST /v1/control/classify", c.handleClassify)
	s.route("GET /v1/findings", s.handleListFindings)
	s.route("GET /v1/findings/{id}", s.handleGetFinding)
	s.route("POST /v1/findings/{id}/reviews", s.handlePostReview)
	s.route("GET /v1/log/size", s.handleLogSize)
	s.route("GET /v1/log/entries", s.handleLogEntries)
	s.route("GET /v1/log/root", s.handleLogRoot)
	s.route("GET /v1/log/proof/inclusion", s.handleInclusionProof)
	s.route("GET /v1/log/proof/consistency", s.handleConsistencyProof)
	s.route("GET /checkpoint", s.handleCheckpoint)
	s.route("GET /v1/checkpoints/{size}", s.handleGetCheckpoint)
	s.route("POST /v1/checkpoint/cosignatures", s.handlePostCosignature)
	s.route("GET /v1/witnesses", s.handleListWitnesses)
	s.route("POST /v1/witnesses", s.handlePostWitness)
	s.route("GET /healthz", s.handleHealthz)
	s.route("GET /{$}", s.handleIndex)
	s.mux.Handle("GET /metrics", s.metricsHandler())
	s.allow("/metrics", "GET")
	s.patterns = append(s.patterns, "GET /metrics")
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		Error(w, r, truce.Errorf(truce.ENOTFOUND, "No route for %s %s.", r.Method, r.URL.Path))
	})
	for path, list := range s.allowedMethods {
		if slices.Contains(list, "GET") {
			list = append(list, "HEAD")
		}
		slices.Sort(list)
		methods := strings.Join(list, ", ")
		s.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", methods)
			err := truce.Errorf(truce.EUNSUPPORTED, "Method %s is not allowed on %s; allowed: %s.", r.Method, path, methods)
			writeProblem(w, r, err, http.StatusMethodNotAllowed, "Method not allowed")
		})
	}

	s.handler = s.observe(s.limit(s.mux))
	return s
}

// route registers h under pattern ("METHOD /path") and notes the method so
// that other methods on the path are answered 405.
func (s *Server) route(pattern string, h http.HandlerFunc) {
	method, path, _ := strings.Cut(pattern, " ")
	if method == http.MethodGet {
		h = s.withReader(h)
	}
	s.mux.HandleFunc(pattern, h)
	s.patterns = append(s.patterns, pattern)
	s.allow(path, method)
}

func (s *Server) allow(path, method string) {
	if s.allowedMethods == nil {
		s.allowedMethods = map[string][]string{}
	}
	s.allowedMethods[path] = append(s.allowedMethods[path], method)
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// authenticate returns the source that the request's bearer token belongs
// to, or an EUNAUTHORIZED error.
func (s *Server) authenticate(r *http.Request) (*truce.Source, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, truce.Errorf(truce.EUNAUTHORIZED, "Authentication required: send Authorization: Bearer <token>.")
	}
	scheme, token, _ := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		s.authFailed(r)
		return nil, truce.Errorf(truce.EUNAUTHORIZED, "Authorization must be Bearer <token>.")
	}
	src, err := s.store.Authenticate(r.Context(), token)
	if err != nil {
		if c := truce.ErrorCode(err); c == truce.ENOTFOUND || c == truce.EUNAUTHORIZED {
			s.authFailed(r)
			err = truce.Errorf(truce.EUNAUTHORIZED, "Invalid API token.")
		}
		return nil, err
	}
	return src, nil
}

// authorize authenticates the request and checks that its source may do a.
func (s *Server) authorize(r *http.Request, a truce.Action) (*truce.Source, error) {
	src, err := s.authenticate(r)
	if err != nil {
		return nil, err
	}
	if err := src.Authorize(a); err != nil {
		return nil, err
	}
	return src, nil
}

// mediaType returns the request's media type, lower case, "" when the
// request has no Content-Type.
func mediaType(r *http.Request) (string, error) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return "", nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return "", truce.Errorf(truce.EUNSUPPORTED, "Content-Type %q cannot be parsed.", ct)
	}
	return mt, nil
}

// requireJSON checks that the request body is JSON (or untyped).
func requireJSON(w http.ResponseWriter, r *http.Request) error {
	mt, err := mediaType(r)
	if err == nil && mt != "" && mt != "application/json" {
		err = truce.Errorf(truce.EUNSUPPORTED, "Content-Type %s is not supported here; send application/json.", mt)
	}
	if err != nil {
		w.Header().Set("Accept-Post", "application/json")
	}
	return err
}

// readBody reads the whole body, up to limit bytes.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit)); err != nil {
		return nil, bodyError(err)
	}
	return buf.Bytes(), nil
}

// bodyError turns an error reading a request body into a truce error.
func bodyError(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return truce.Errorf(truce.ETOOLARGE, "Request body is larger than the limit of %d bytes.", mb.Limit)
	}
	return truce.Errorf(truce.EINVALID, "Cannot read request body: %v.", err)
}

// decodeBody decodes the one JSON object of a request body strictly into v.
func decodeBody(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	if err := requireJSON(w, r); err != nil {
		return err
	}
	body, err := readBody(w, r, limit)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return truce.Errorf(truce.EINVALID, "Request body is empty; send one JSON object.")
	}
	if ps := decodeStrict(body, 0, v); len(ps) > 0 {
		return truce.Invalid("Invalid JSON body.", ps...)
	}
	return nil
}

// writeStored answers a write: 201 Created when it stored something new,
// with a Location header when location is not empty, or 200 OK when it was
// a repeat of what the store already held; v is the body.
func (s *Server) writeStored(w http.ResponseWriter, r *http.Request, created bool, location string, v any) {
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		if location != "" {
			w.Header().Set("Location", location)
		}
	}
	s.writeJSON(w, r, status, v)
}

// writeJSON writes v as JSON with status.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// writeProblem writes err as a problem with an explicit status, for the one
// status that no truce code maps to: 405, whose type ends in
// "method_not_allowed".
func writeProblem(w http.ResponseWriter, r *http.Request, err error, status int, title string) {
	p := Problem{
		Type:     ProblemTypeBase + "method_not_allowed",
		Title:    title,
		Status:   status,
		Detail:   truce.ErrorMessage(err),
		Instance: r.URL.Path,

		RequestID: RequestID(r.Context()),
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	w.Write(marshalProblem(&p))
}

// prefixPaths returns ps with "$." put before every path that is not
// already a JSON path, so that the dotted paths of root-package validation
// ("rules[1].name") read like the paths of decoding ("$.rules[1].name").
func prefixPaths(ps []truce.Problem) []truce.Problem {
	out := make([]truce.Problem, len(ps))
	for i, p := range ps {
		switch {
		case p.Path == "":
			p.Path = "$"
		case !strings.HasPrefix(p.Path, "$"):
			p.Path = "$." + p.Path
		}
		out[i] = p
	}
	return out
}

// withPaths returns err with its problems' paths made JSON paths.
func withPaths(err error) error {
	var e *truce.Error
	if !errors.As(err, &e) || len(e.Problems) == 0 {
		return err
	}
	return &truce.Error{Code: e.Code, Message: e.Message, Problems: prefixPaths(e.Problems)}
}
