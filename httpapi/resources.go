package httpapi

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/truce-monitor/truce"
)

// serveList answers a listing: {"<key>": [...]}, an empty array rather
// than null when there is nothing to list.
func serveList[T any](s *Server, w http.ResponseWriter, r *http.Request, key string, list func(context.Context) ([]T, error)) {
	items, err := list(r.Context())
	if err != nil {
		Error(w, r, err)
		return
	}
	if items == nil {
		items = []T{}
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{key: items})
}

// handleListAgreements handles GET /v1/agreements.
func (s *Server) handleListAgreements(w http.ResponseWriter, r *http.Request) {
	serveList(s, w, r, "agreements", s.store.Agreements)
}

// handleGetAgreement handles GET /v1/agreements/{id}.
func (s *Server) handleGetAgreement(w http.ResponseWriter, r *http.Request) {
	rec, err := s.store.Agreement(r.Context(), r.PathValue("id"))
	if err != nil {
		Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, rec)
}

// handlePostAgreement handles POST /v1/agreements: an admin adds a version
// of an agreement, given as its canonical JSON.
func (s *Server) handlePostAgreement(w http.ResponseWriter, r *http.Request) {
	by, err := s.authorize(r, truce.ActionManageAgreement)
	if err != nil {
		Error(w, r, err)
		return
	}
	var a truce.Agreement
	if err := decodeBody(w, r, s.maxBody, &a); err != nil {
		Error(w, r, err)
		return
	}
	if err := a.Validate(); err != nil {
		Error(w, r, withPaths(err))
		return
	}
	rec, created, err := s.store.AddAgreement(r.Context(), by, &a)
	if err != nil {
		Error(w, r, withPaths(err))
		return
	}
	s.writeStored(w, r, created, "/v1/agreements/"+url.PathEscape(rec.ID), rec)
}

// handleListSources handles GET /v1/sources.
func (s *Server) handleListSources(w http.ResponseWriter, r *http.Request) {
	serveList(s, w, r, "sources", func(ctx context.Context) ([]any, error) {
		p, err := s.policy(ctx)
		if err != nil {
			return nil, err
		}
		sources, err := s.store.Sources(ctx)
		if err != nil {
			return nil, err
		}
		return sourcesFor(ReaderOf(ctx), p, sources), nil
	})
}

// sourceRequest is the body of POST /v1/sources.
type sourceRequest struct {
	Name        string `json:"name"`
	Role        string `json:"role"`
	Description string `json:"description,omitempty"`
	PublicKey   string `json:"public_key,omitempty"`
}

// sourceResponse answers POST /v1/sources. Token is shown this once.
type sourceResponse struct {
	Source *truce.Source `json:"source"`
	Token  string        `json:"token"`
}

// handlePostSource handles POST /v1/sources: an admin registers a source.
func (s *Server) handlePostSource(w http.ResponseWriter, r *http.Request) {
	by, err := s.authorize(r, truce.ActionManageSource)
	if err != nil {
		Error(w, r, err)
		return
	}
	var req sourceRequest
	if err := decodeBody(w, r, s.maxObject, &req); err != nil {
		Error(w, r, err)
		return
	}
	src := &truce.Source{Name: req.Name, Description: req.Description, PublicKey: req.PublicKey}
	var ps []truce.Problem
	if req.Role == "" {
		ps = append(ps, truce.Problem{Path: "$.role", Message: "required: admin, analyst, monitor, sensor, dataset or party:<ID>"})
	} else if role, party, err := truce.ParseRole(req.Role); err != nil {
		ps = append(ps, truce.Problem{Path: "$.role", Message: truce.ErrorMessage(err)})
	} else {
		src.Role, src.Party = role, party
	}
	if err := src.Validate(); err != nil {
		for _, p := range prefixPaths(truce.ErrorProblems(err)) {
			if p.Path == "$.role" && len(ps) > 0 {
				continue // already reported
			}
			ps = append(ps, p)
		}
	}
	if len(ps) > 0 {
		Error(w, r, truce.Invalid("Invalid source.", ps...))
		return
	}
	token, err := s.store.CreateSource(r.Context(), by, src)
	if err != nil {
		Error(w, r, withPaths(err))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.writeJSON(w, r, http.StatusCreated, &sourceResponse{Source: src, Token: token})
}

// handleIssueToken handles POST /v1/sources/{name}/token: an admin issues
// a source a new token (after a lost one, or a retried registration whose
// answer never arrived). The old token stops working.
func (s *Server) handleIssueToken(w http.ResponseWriter, r *http.Request) {
	by, err := s.authorize(r, truce.ActionManageSource)
	if err != nil {
		Error(w, r, err)
		return
	}
	name := r.PathValue("name")
	token, err := s.store.IssueToken(r.Context(), by, name)
	if err != nil {
		Error(w, r, err)
		return
	}
	src, err := s.store.Source(r.Context(), name)
	if err != nil {
		Error(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.writeJSON(w, r, http.StatusCreated, &sourceResponse{Source: src, Token: token})
}

// handleListControlMaps handles GET /v1/control-maps.
func (s *Server) handleListControlMaps(w http.ResponseWriter, r *http.Request) {
	serveList(s, w, r, "control_maps", s.store.ControlMaps)
}

// handleGetControlMap handles GET /v1/control-maps/{id}.
func (s *Server) handleGetControlMap(w http.ResponseWriter, r *http.Request) {
	rec, err := s.store.ControlMap(r.Context(), r.PathValue("id"))
	if err != nil {
		Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, rec)
}

// handleLogSize handles GET /v1/log/size.
func (s *Server) handleLogSize(w http.ResponseWriter, r *http.Request) {
	n, err := s.store.LogSize(r.Context())
	if err != nil {
		Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, map[string]int64{"size": n})
}

// logEntry is the wire form of a log entry. Time is formatted exactly as
// in the entry's encoding (RFC 3339 in UTC with nanoseconds) and Data is
// the canonical JSON as logged, so that a client can rebuild the encoding
// and check ContentSHA256.
type logEntry struct {
	Index         int64           `json:"index"`
	Type          truce.EntryType `json:"type"`
	Time          string          `json:"time"`
	Submitter     string          `json:"submitter"`
	Data          json.RawMessage `json:"data"`
	ContentSHA256 string          `json:"content_sha256"`
}

// handleLogEntries handles GET /v1/log/entries?start=&end=.
func (s *Server) handleLogEntries(w http.ResponseWriter, r *http.Request) {
	p := newQueryParams(r, "start", "end")
	start, _, _ := p.int("start")
	end, hasEnd, endOK := p.int("end")
	if len(p.ps) == 0 && hasEnd && endOK {
		switch {
		case end < start:
			p.add("end", "must not be less than start")
		case end-start > MaxLogEntries:
			p.add("end", "at most "+strconv.Itoa(MaxLogEntries)+" entries per call")
		}
	}
	if err := p.err(); err != nil {
		Error(w, r, err)
		return
	}
	size, err := s.store.LogSize(r.Context())
	if err != nil {
		Error(w, r, err)
		return
	}
	if !hasEnd {
		end = start + min(MaxLogEntries, math.MaxInt64-start) // start may be near the top of int64
	}
	end = min(end, size)
	start = min(start, end)
	entries, err := s.store.Entries(r.Context(), start, end)
	if err != nil {
		Error(w, r, err)
		return
	}
	out := make([]logEntry, len(entries))
	for i, e := range entries {
		h := e.ContentHash()
		out[i] = logEntry{
			Index:         e.Index,
			Type:          e.Type,
			Time:          e.Time.UTC().Format(time.RFC3339Nano),
			Submitter:     e.Submitter,
			Data:          json.RawMessage(e.Data),
			ContentSHA256: hex.EncodeToString(h[:]),
		}
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

// handleHealthz handles GET /healthz: the store must answer.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	n, err := s.store.LogSize(r.Context())
	if err != nil {
		s.log.ErrorContext(r.Context(), "health check failed", "err", err)
		Error(w, r, truce.Errorf(truce.EUNAVAILABLE, "The store does not answer."))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.writeJSON(w, r, http.StatusOK, map[string]any{"status": "ok", "log_size": n})
}
