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
