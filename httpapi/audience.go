package httpapi

import (
	"context"
	"net/http"

	"github.com/truce-monitor/truce"
)

// readerKey is the context key of the request's [Reader].
type readerKey struct{}

// Reader is who reads: the audience that [truce.DisclosurePolicy.View]
// decides for, and the source the request authenticated as (nil for the
// public).
type Reader struct {
	Audience truce.Audience
	Source   *truce.Source
}

// resolveReader returns the reader of a request: with no Authorization
// header the public; with a valid bearer token the audience of the source
// it belongs to ([truce.AudienceOf]: party:<ID> tokens their party,
// analyst and admin tokens the mission, any other source its own
// submissions and the public view of the rest). A token that does not
// authenticate is an EUNAUTHORIZED error, never the public: a reader who
// meant to be someone must not be shown less without knowing it, nor be
// able to probe tokens for free (failed authentications are throttled as
// on writes).
func (s *Server) resolveReader(r *http.Request) (Reader, error) {
	if _, sent := r.Header["Authorization"]; !sent {
		return Reader{Audience: truce.Public}, nil
	}
	src, err := s.authenticate(r)
	if err != nil {
		return Reader{}, err
	}
	return Reader{Audience: truce.AudienceOf(src), Source: src}, nil
}

// withReader resolves the reader of every request to h and puts it in the
// request's context, answering 401 when its token does not authenticate.
func (s *Server) withReader(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rd, err := s.resolveReader(r)
		if err != nil {
			Error(w, r, err)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), readerKey{}, rd)))
	}
}

// ReaderOf returns the reader that the server resolved for a request's
// context; the public when none was.
func ReaderOf(ctx context.Context) Reader {
	if rd, ok := ctx.Value(readerKey{}).(Reader); ok {
		return rd
	}
	return Reader{Audience: truce.Public}
}

// Routes returns the patterns ("METHOD /path") of every route the server
// serves, in the order of registration, for tests and documentation that
// must cover each.
func (s *Server) Routes() []string {
	return append([]string(nil), s.patterns...)
}

// policy returns the disclosure policy in force: the strictest of the
// registered agreements' ([truce.EffectivePolicy]).
func (s *Server) policy(ctx context.Context) (*truce.DisclosurePolicy, error) {
	recs, err := s.store.Agreements(ctx)
	if err != nil {
		return nil, err
	}
	as := make([]*truce.Agreement, len(recs))
	for i, rec := range recs {
		as[i] = rec.Agreement
	}
	return truce.EffectivePolicy(as), nil
}

// unnamedSource is how GET /v1/sources lists a source whose identity the
// reader may not see: its role and, for a party's source, its party — a
// party's allegations are the party's publicly — but no name, description
// or key, each of which would name the team.
type unnamedSource struct {
	Role  truce.Role `json:"role"`
	Party string     `json:"party,omitempty"`
}

// sourcesFor returns what rd is shown of the registered sources. The
// mission sees each whole; everyone sees open sources (the policy's
// OpenRoles, such as datasets, whose submissions are public whole) and a
// source its own whole; every other source is listed unnamed. The list
// stays in the store's order, so the public learns how many sources of
// each role there are, and nothing that ties one to an observation: the
// source group of an observation is withheld by the same policy.
func sourcesFor(rd Reader, p *truce.DisclosurePolicy, sources []*truce.Source) []any {
	out := make([]any, 0, len(sources))
	for _, src := range sources {
		switch {
		case rd.Audience.Kind == truce.AudienceMission, p.Open(src.Role), src.Name == rd.Audience.Source:
			out = append(out, src)
		default:
			out = append(out, unnamedSource{Role: src.Role, Party: src.Party})
		}
	}
	return out
}

// checkFilter refuses the filters by which a reader who is not the
// mission could probe a withheld group: a source filter names the source
// group, so only the mission may filter by any source and a source by
// itself.
func checkFilter(rd Reader, f truce.ObservationFilter) error {
	if rd.Audience.Kind == truce.AudienceMission {
		return nil
	}
	for _, name := range f.Sources {
		if name != rd.Audience.Source {
			return truce.Errorf(truce.EFORBIDDEN, "Only the mission may search by source (query.source): which source filed an observation is withheld from %s.", rd.Audience)
		}
	}
	return nil
}

// bboxMatches reports whether rec may be in the answer to a bbox search by
// rd. The store indexes an observation that locates only its observer (a
// bearing without a distance) at the observer's position, which the
// public form withholds: a reader who may not see the position would
// learn it by narrowing boxes. Such observations match a box only for the
// mission and their own source.
func bboxMatches(rd Reader, rec *truce.ObservationRecord) bool {
	l := rec.Location
	observerOnly := l.Lon == nil && l.Observer != nil && l.DistanceM == nil
	return !observerOnly || rd.Audience.Kind == truce.AudienceMission || rec.Source == rd.Audience.Source
}
