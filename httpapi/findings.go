package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/truce-monitor/truce"
)

// findingParams are the query parameters of GET /v1/findings.
var findingParams = []string{"agreement", "confidence", "cursor", "limit", "party", "rule", "status", "violation"}

// parseFindingFilter reads a FindingFilter from query parameters, reporting
// every bad parameter as a problem with path "query.<name>".
func parseFindingFilter(q url.Values) (truce.FindingFilter, error) {
	var f truce.FindingFilter
	var ps []truce.Problem
	bad := func(name, format string, args ...any) {
		ps = append(ps, truce.Problem{Path: "query." + name, Message: fmt.Sprintf(format, args...)})
	}
	for name, vs := range q {
		switch {
		case !slices.Contains(findingParams, name):
			bad(name, "unknown parameter; known are %s", strings.Join(findingParams, ", "))
		case len(vs) > 1:
			bad(name, "given %d times; give it once", len(vs))
		}
	}
	f.Agreement, f.Rule, f.Cursor = q.Get("agreement"), q.Get("rule"), q.Get("cursor")
	if v := q.Get("party"); v != "" && v != "-" && !truce.ValidPartyID(v) {
		bad("party", "%q is not a party id (like \"UA\"); \"-\" selects unattributed findings", v)
	} else {
		f.Party = v
	}
	if v := truce.Confidence(q.Get("confidence")); v != "" && !slices.Contains(truce.Confidences, v) {
		bad("confidence", "unknown confidence %q", v)
	} else {
		f.Confidence = v
	}
	if v := q.Get("violation"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad("violation", "must be true or false")
		}
		f.Violation = &b
	}
	if v := truce.FindingStatus(q.Get("status")); v != "" && !slices.Contains(truce.FindingStatuses, v) {
		bad("status", "unknown status %q; one of active, withdrawn, disputed, all", v)
	} else {
		f.Status = v
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > truce.MaxPageSize {
			bad("limit", "must be an integer from 1 to %d", truce.MaxPageSize)
		}
		f.Limit = n
	}
	if len(ps) > 0 {
		sortProblems(ps)
		return f, truce.Invalid("Invalid query parameter(s).", ps...)
	}
	return f, nil
}

// handleListFindings handles GET /v1/findings: the current version of each
// finding series, one page at a time; the next page's URL is in the Link
// header.
func (s *Server) handleListFindings(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := parseFindingFilter(q)
	if err != nil {
		Error(w, r, err)
		return
	}
	serveList(s, w, r, "findings", func(ctx context.Context) ([]*truce.FindingVersion, error) {
		page, err := s.store.Findings(ctx, f)
		if err != nil {
			if f.Cursor != "" && truce.ErrorCode(err) == truce.EINVALID && len(truce.ErrorProblems(err)) == 0 {
				err = truce.Invalid("Invalid query parameter.", truce.Problem{Path: "query.cursor", Message: truce.ErrorMessage(err)})
			}
			return nil, err
		}
		if page.Next != "" {
			q.Set("cursor", page.Next)
			w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, q.Encode()))
		}
		return page.Findings, nil
	})
}

// handleGetFinding handles GET /v1/findings/{id}: the history of a series,
// named by its id, a version's content id or the engine's finding id.
func (s *Server) handleGetFinding(w http.ResponseWriter, r *http.Request) {
	h, err := s.store.Finding(r.Context(), r.PathValue("id"))
	if err != nil {
		Error(w, r, err)
		return
	}
	w.Header().Set("Content-Location", "/v1/findings/"+url.PathEscape(h.Series))
	s.writeJSON(w, r, http.StatusOK, h)
}

// reviewRequest is the body of POST /v1/findings/{id}/reviews: a review
// without the fields the server sets.
type reviewRequest struct {
	ID         string             `json:"id"`
	Version    int                `json:"version"`
	Action     truce.ReviewAction `json:"action"`
	Violation  *bool              `json:"violation,omitempty"`
	Party      *string            `json:"party,omitempty"`
	Confidence truce.Confidence   `json:"confidence,omitempty"`
	Reason     string             `json:"reason,omitempty"`
	Evidence   []string           `json:"evidence,omitempty"`
	Text       string             `json:"text,omitempty"`
	Dispute    string             `json:"dispute,omitempty"`
	Outcome    string             `json:"outcome,omitempty"`
}

// DecodeReview decodes the body of POST /v1/findings/{series}/reviews
// strictly (as [DecodeObservation] decodes an observation) and validates
// it as a review of series. On success it returns the review and no
// problems; on failure, nil and every problem, with JSON paths.
func DecodeReview(data []byte, series string) (*truce.Review, []truce.Problem) {
	var req reviewRequest
	if ps := decodeStrict(data, 0, &req); len(ps) > 0 {
		return nil, ps
	}
	rv := &truce.Review{
		ID: req.ID, Series: series, Version: req.Version, Action: req.Action,
		Violation: req.Violation, Party: req.Party, Confidence: req.Confidence, Reason: req.Reason,
		Evidence: req.Evidence, Text: req.Text, Dispute: req.Dispute, Outcome: req.Outcome,
	}
	if err := rv.Validate(); err != nil {
		return nil, prefixPaths(truce.ErrorProblems(err))
	}
	return rv, nil
}

// handlePostReview handles POST /v1/findings/{id}/reviews: an analyst
// confirms, overrides or resolves a dispute; a party disputes.
func (s *Server) handlePostReview(w http.ResponseWriter, r *http.Request) {
	by, err := s.authenticate(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	if by.Authorize(truce.ActionReviewFinding) != nil && by.Authorize(truce.ActionDisputeFinding) != nil {
		Error(w, r, truce.Errorf(truce.EFORBIDDEN, "Source %q has role %s: analysts review findings and parties dispute them; no other role may.", by.Name, by.RoleString()))
		return
	}
	if err := requireJSON(w, r); err != nil {
		Error(w, r, err)
		return
	}
	body, err := readBody(w, r, s.maxObject)
	if err != nil {
		Error(w, r, err)
		return
	}
	h, err := s.store.Finding(r.Context(), r.PathValue("id"))
	if err != nil {
		Error(w, r, err)
		return
	}
	rv, ps := DecodeReview(body, h.Series)
	if len(ps) > 0 {
		Error(w, r, truce.Invalid("Invalid review.", ps...))
		return
	}
	rec, created, err := s.store.AddReview(r.Context(), by, rv)
	if err != nil {
		Error(w, r, withPaths(err))
		return
	}
	s.writeStored(w, r, created, "/v1/findings/"+url.PathEscape(h.Series), rec)
}
