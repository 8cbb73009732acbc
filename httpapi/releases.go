package httpapi

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"

	"github.com/truce-monitor/truce"
)

// releaseRequest is the body of POST /v1/observations/{public_id}/releases:
// a release without the observation (the path names it) and the fields
// the server sets.
type releaseRequest struct {
	ID     string             `json:"id"`
	Groups []truce.FieldGroup `json:"groups"`
	To     truce.AudienceKind `json:"to"`
	Party  string             `json:"party,omitempty"`
	Reason string             `json:"reason"`
}

// DecodeRelease decodes the body of POST
// /v1/observations/{public_id}/releases strictly (as [DecodeObservation]
// decodes an observation) and validates it as a release of the
// observation whose public id is observation. On success it returns the
// release and no problems; on failure, nil and every problem, with JSON
// paths.
func DecodeRelease(data []byte, observation string) (*truce.Release, []truce.Problem) {
	var req releaseRequest
	if ps := decodeStrict(data, 0, &req); len(ps) > 0 {
		return nil, ps
	}
	rl := &truce.Release{ID: req.ID, Observation: observation, Groups: req.Groups, To: req.To, Party: req.Party, Reason: req.Reason}
	if err := rl.Validate(); err != nil {
		return nil, prefixPaths(truce.ErrorProblems(err))
	}
	return rl, nil
}

// handlePostRelease handles POST /v1/observations/{id}/releases: an
// analyst or admin shows a party or the public private groups of a
// sealed observation, named by its public id, before the policy would.
func (s *Server) handlePostRelease(w http.ResponseWriter, r *http.Request) {
	by, err := s.authenticate(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	if by.Authorize(truce.ActionRelease) != nil {
		Error(w, r, truce.Errorf(truce.EFORBIDDEN, "Source %q has role %s: only an analyst or an admin may release an observation's private groups.", by.Name, by.RoleString()))
		return
	}
	id := r.PathValue("id")
	if !truce.IsPublicID(id) {
		Error(w, r, truce.Errorf(truce.EINVALID, "A release names the observation by its public id (\"o-\" and 32 lower-case hexadecimal digits), not %q.", id))
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
	rl, ps := DecodeRelease(body, id)
	if len(ps) > 0 {
		Error(w, r, truce.Invalid("Invalid release.", ps...))
		return
	}
	rec, created, err := s.store.AddRelease(r.Context(), by, rl)
	if err != nil {
		Error(w, r, withPaths(err))
		return
	}
	s.writeStored(w, r, created, "/v1/observations/"+url.PathEscape(id), rec)
}

// handleListReleases handles GET /v1/releases: the releases logged, in
// log order, for the mission (analysts and admins); with
// ?observation=<public id>, that observation's only.
func (s *Server) handleListReleases(w http.ResponseWriter, r *http.Request) {
	if _, err := s.authorize(r, truce.ActionRelease); err != nil {
		Error(w, r, err)
		return
	}
	var ids []string
	if q := r.URL.Query(); q.Has("observation") {
		id := q.Get("observation")
		if !truce.IsPublicID(id) {
			Error(w, r, truce.Invalid("Invalid query parameter.", truce.Problem{Path: "query.observation",
				Message: "the observation's public id: \"o-\" and 32 lower-case hexadecimal digits"}))
			return
		}
		ids = []string{id}
	}
	byObs, err := s.store.Releases(r.Context(), ids)
	if err != nil {
		Error(w, r, err)
		return
	}
	list := []*truce.ReleaseRecord{}
	for _, rs := range byObs {
		list = append(list, rs...)
	}
	slices.SortFunc(list, func(a, b *truce.ReleaseRecord) int { return cmp.Compare(a.LogIndex, b.LogIndex) })
	s.writeJSON(w, r, http.StatusOK, map[string]any{"releases": list})
}
