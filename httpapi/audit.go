package httpapi

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/truce-monitor/truce"
)

// handlePrivateReads handles GET /v1/audit/private-reads: the audit trail
// of private reads, for admins, in the order recorded — observation=<public
// id> for one observation's, after=<id> and limit=<n> to page.
func (s *Server) handlePrivateReads(w http.ResponseWriter, r *http.Request) {
	by, err := s.authorize(r, truce.ActionReadAudit)
	if err != nil {
		Error(w, r, err)
		return
	}
	q := r.URL.Query()
	var ps []truce.Problem
	for k := range q {
		if k != "observation" && k != "after" && k != "limit" {
			ps = append(ps, truce.Problem{Path: "query." + k, Message: "unknown parameter; observation, after or limit"})
		}
	}
	obs := q.Get("observation")
	if q.Has("observation") && !truce.IsPublicID(obs) {
		ps = append(ps, truce.Problem{Path: "query.observation", Message: "the observation's public id: \"o-\" and 32 lower-case hexadecimal digits"})
	}
	num := func(name string, max int64) int64 {
		if !q.Has(name) {
			return 0
		}
		n, err := strconv.ParseInt(q.Get(name), 10, 64)
		if err != nil || n < 0 || n > max || strconv.FormatInt(n, 10) != q.Get(name) {
			ps = append(ps, truce.Problem{Path: "query." + name, Message: fmt.Sprintf("a decimal integer from 0 to %d, without sign or leading zeros", max)})
		}
		return n
	}
	after := num("after", 1<<62)
	limit := num("limit", truce.MaxPrivateReads)
	if len(ps) > 0 {
		Error(w, r, truce.Invalid("Invalid query parameter(s).", ps...))
		return
	}
	reads, err := s.store.PrivateReads(r.Context(), by, obs, after, int(limit))
	if err != nil {
		Error(w, r, err)
		return
	}
	out := map[string]any{"private_reads": reads}
	if limit == 0 {
		limit = truce.MaxPrivateReads
	}
	if len(reads) == int(limit) {
		q.Set("after", strconv.FormatInt(reads[len(reads)-1].ID, 10))
		w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, q.Encode()))
	}
	s.writeJSON(w, r, http.StatusOK, out)
}
