package httpapi

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/truce-monitor/truce"
)

// ProblemTypeBase prefixes the truce error code to form a problem's "type"
// URI, as in "https://truce.invalid/problems/invalid". The .invalid domain
// (RFC 2606) never resolves: the URI identifies the kind of problem and is
// not meant to be fetched. Its last segment is always one of the truce error
// codes, so clients may switch on it.
const ProblemTypeBase = "https://truce.invalid/problems/"

// statuses is the one table from truce error codes to HTTP statuses. A code
// not listed here is answered as 500.
var statuses = map[string]int{
	truce.EINVALID:      http.StatusBadRequest,
	truce.EUNAUTHORIZED: http.StatusUnauthorized,
	truce.EFORBIDDEN:    http.StatusForbidden,
	truce.ENOTFOUND:     http.StatusNotFound,
	truce.ECONFLICT:     http.StatusConflict,
	truce.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	truce.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	truce.EUNAVAILABLE:  http.StatusServiceUnavailable,
	truce.ETOOMANY:      http.StatusTooManyRequests,
	truce.EINTERNAL:     http.StatusInternalServerError,
}

// titles are the problems' short, fixed summaries, one per code.
var titles = map[string]string{
	truce.EINVALID:      "Invalid input",
	truce.EUNAUTHORIZED: "Authentication required",
	truce.EFORBIDDEN:    "Forbidden",
	truce.ENOTFOUND:     "Not found",
	truce.ECONFLICT:     "Conflict",
	truce.ETOOLARGE:     "Too large",
	truce.EUNSUPPORTED:  "Unsupported media type",
	truce.EUNAVAILABLE:  "Unavailable",
	truce.ETOOMANY:      "Too many requests",
	truce.EINTERNAL:     "Internal error",
}

// ErrorStatusCode returns the HTTP status for a truce error code.
func ErrorStatusCode(code string) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Problem is the body of every error response: an RFC 9457 problem
// details object, sent as application/problem+json.
type Problem struct {
	Type     string          `json:"type"`
	Title    string          `json:"title"`
	Status   int             `json:"status"`
	Detail   string          `json:"detail"`
	Instance string          `json:"instance"`
	Errors   []truce.Problem `json:"errors,omitempty"`
	// RequestID is the id of the request answered, as in its X-Request-Id
	// response header and the server's log line for it.
	RequestID string `json:"request_id,omitempty"`
}

// loggerKey is the context key of the logger with which Error logs
// internal errors; the Server sets it on every request.
type loggerKey struct{}

// Error writes err to w as a problem+json response whose status follows the
// truce error code of err. Internal errors (any error that is not a
// *truce.Error, or one with code EINTERNAL) are logged and answered with a
// generic message so that nothing internal leaks.
func Error(w http.ResponseWriter, r *http.Request, err error) {
	code := truce.ErrorCode(err)
	status := ErrorStatusCode(code)
	if _, ok := statuses[code]; !ok {
		code = truce.EINTERNAL
	}
	detail := truce.ErrorMessage(err)
	problems := truce.ErrorProblems(err)
	if code == truce.EINTERNAL {
		logger, _ := r.Context().Value(loggerKey{}).(*slog.Logger)
		if logger == nil {
			logger = slog.Default()
		}
		logger.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "request_id", RequestID(r.Context()), "err", err)
		detail, problems = "Internal error.", nil
	}
	if rec, ok := w.(*recorder); ok {
		rec.code = code
	}
	if code == truce.EUNAUTHORIZED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="truce"`)
	}
	p := Problem{
		Type:     ProblemTypeBase + code,
		Title:    titles[code],
		Status:   status,
		Detail:   detail,
		Instance: r.URL.Path,
		Errors:   problems,

		RequestID: RequestID(r.Context()),
	}
	b := marshalProblem(&p)
	h := w.Header()
	if ra := retryAfter(err); ra != "" {
		h.Set("Retry-After", ra)
	}
	h.Set("Content-Type", "application/problem+json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Length")
	w.WriteHeader(status)
	w.Write(b)
}

// marshalProblem encodes p as one line of JSON, without HTML escaping.
func marshalProblem(p *Problem) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(p) // a Problem always encodes
	return buf.Bytes()
}
