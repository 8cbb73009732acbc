package httpapi

import (
	"container/list"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/truce-monitor/truce"
	"golang.org/x/time/rate"
)

// Limits bound what one client may ask of the server. A client is an
// address (an IPv4 address, or an IPv6 /64 network, since one host holds a
// whole /64) and, when the request carries a bearer token, also that
// token: every request passes its address's limiter of its class, and a
// request with a token also the token's, so that neither many addresses
// sharing one token nor many tokens from one address get around them.
// Reads (GET and HEAD) and writes (every other method) are limited
// separately. A request over a limit is answered 429 Too Many Requests
// with Retry-After, before any work is done for it.
type Limits struct {
	// ReadRate and ReadBurst are the sustained reads per second and the
	// burst allowed to one client; a ReadRate of zero or less means reads
	// are not limited.
	ReadRate  float64
	ReadBurst int
	// WriteRate and WriteBurst are the same for writes.
	WriteRate  float64
	WriteBurst int
	// AuthFailures and AuthFailureBurst bound the failed authentications
	// (a missing, malformed or unknown token where one is needed) one
	// address may make: past them, the address's requests with a token
	// are answered 429 until the allowance has grown back, and the token
	// is not even looked up. Zero or less means failures are not throttled.
	AuthFailures     float64
	AuthFailureBurst int
	// Cosignatures bounds the cosignatures one address may post per
	// second (burst: CosignatureBurst), on top of the write limit: each
	// one costs a signature verification. Zero or less means no bound
	// beyond the write limit.
	Cosignatures     float64
	CosignatureBurst int
	// Expensive caps the requests that may run at once on the endpoints
	// whose cost grows with the input (POST /v1/control/classify, GET
	// /v1/control/diff); the others are answered 503 with Retry-After.
	// Zero or less means DefaultLimits' value.
	Expensive int
	// Clients caps the limiters kept, one per address or token of each
	// class; past it the one used least recently is forgotten (and its
	// client starts again with a full burst). Zero or less means
	// DefaultLimits' value.
	Clients int
	// TrustedProxies are the addresses of reverse proxies in front of the
	// server. A request from one of them is taken to be from the last
	// address in its X-Forwarded-For header that is not itself a trusted
	// proxy, and its X-Request-Id is kept; from any other address both
	// headers are ignored.
	TrustedProxies []netip.Prefix
}

// DefaultLimits are the limits of a Server whose Options.Limits is nil:
// generous for people and programs that read and file reports, tight for
// a loop that guesses tokens. The zero Limits has no rate limits at all
// (the caps on concurrent expensive requests and on the limiters kept
// still apply).
var DefaultLimits = Limits{
	ReadRate:         50,
	ReadBurst:        200,
	WriteRate:        20,
	WriteBurst:       100,
	AuthFailures:     1,
	AuthFailureBurst: 10,
	Cosignatures:     2,
	CosignatureBurst: 20,
	Expensive:        2,
	Clients:          10000,
}

// limiters keeps one token-bucket limiter per key, at most max of them,
// forgetting the one used least recently.
type limiters struct {
	mu    sync.Mutex
	rate  rate.Limit
	burst int
	max   int
	byKey map[string]*list.Element
	lru   list.List // of *keyed, most recent at the front
}

type keyed struct {
	key string
	lim *rate.Limiter
}

func newLimiters(r float64, burst, most int) *limiters {
	if r <= 0 {
		return nil
	}
	return &limiters{rate: rate.Limit(r), burst: max(burst, 1), max: most, byKey: map[string]*list.Element{}}
}

// get returns the limiter of key, making it if need be.
func (l *limiters) get(key string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.byKey[key]; ok {
		l.lru.MoveToFront(e)
		return e.Value.(*keyed).lim
	}
	for l.lru.Len() >= l.max {
		old := l.lru.Back()
		l.lru.Remove(old)
		delete(l.byKey, old.Value.(*keyed).key)
	}
	k := &keyed{key: key, lim: rate.NewLimiter(l.rate, l.burst)}
	l.byKey[key] = l.lru.PushFront(k)
	return k.lim
}

// allow takes one event from key's limiter now. It returns 0 when the
// event is allowed, else how long until it would be.
func (l *limiters) allow(key string, now time.Time) time.Duration {
	if l == nil {
		return 0
	}
	lim := l.get(key)
	r := lim.ReserveN(now, 1)
	if !r.OK() {
		return time.Hour
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now) // a refused request costs nothing
		return d
	}
	return 0
}

// wait reports how long until key's limiter allows one event, without
// taking it: 0 when it would be allowed now.
func (l *limiters) wait(key string, now time.Time) time.Duration {
	if l == nil {
		return 0
	}
	lim := l.get(key)
	if lim.TokensAt(now) >= 1 {
		return 0
	}
	r := lim.ReserveN(now, 1)
	d := r.DelayFrom(now)
	r.CancelAt(now)
	return d
}

// size returns the number of limiters kept.
func (l *limiters) size() int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lru.Len()
}

// guard holds a Server's limiters.
type guard struct {
	reads, writes, authFailures, cosignatures *limiters
	expensive                                 chan struct{}
	proxies                                   []netip.Prefix
}

func newGuard(l Limits) *guard {
	def := DefaultLimits
	if l.Expensive <= 0 {
		l.Expensive = def.Expensive
	}
	if l.Clients <= 0 {
		l.Clients = def.Clients
	}
	return &guard{
		reads:        newLimiters(l.ReadRate, l.ReadBurst, l.Clients),
		writes:       newLimiters(l.WriteRate, l.WriteBurst, l.Clients),
		authFailures: newLimiters(l.AuthFailures, l.AuthFailureBurst, l.Clients),
		cosignatures: newLimiters(l.Cosignatures, l.CosignatureBurst, l.Clients),
		expensive:    make(chan struct{}, l.Expensive),
		proxies:      l.TrustedProxies,
	}
}

// requestInfo is what the outermost middleware learns of a request: its
// id and the client's address.
type requestInfo struct {
	id     string
	client string // the client's address, without port
	key    string // the client's limiter key: the address, or its /64
}

type requestInfoKey struct{}

// info returns the requestInfo of the request with ctx, or a zero one.
func info(ctx context.Context) *requestInfo {
	if ri, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		return ri
	}
	return &requestInfo{}
}

// RequestID returns the id the Server gave the request with ctx, as sent
// in its X-Request-Id header, its log line and any problem it was
// answered with; "" outside a request.
func RequestID(ctx context.Context) string { return info(ctx).id }

// newRequestInfo identifies r: a fresh request id (or a trusted proxy's)
// and the client address.
func (g *guard) newRequestInfo(r *http.Request) *requestInfo {
	ri := &requestInfo{}
	addr, ok := parseRemote(r.RemoteAddr)
	fromProxy := ok && g.trusted(addr)
	if fromProxy {
		// The last address not a proxy of ours is the client: what comes
		// before it was written by the client itself and proves nothing.
		fwd := strings.Join(r.Header.Values("X-Forwarded-For"), ",")
		parts := strings.Split(fwd, ",")
		for i := len(parts) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(parts[i]))
			if err != nil {
				break
			}
			addr = a.Unmap()
			if !g.trusted(addr) {
				break
			}
		}
		if id := r.Header.Get("X-Request-Id"); validRequestID(id) {
			ri.id = id
		}
	}
	if ri.id == "" {
		var b [12]byte
		rand.Read(b[:])
		ri.id = hex.EncodeToString(b[:])
	}
	if ok {
		ri.client = addr.String()
		ri.key = addr.String()
		if addr.Is6() {
			p, _ := addr.Prefix(64)
			ri.key = p.String()
		}
	} else {
		ri.client, ri.key = r.RemoteAddr, r.RemoteAddr
	}
	return ri
}

func (g *guard) trusted(a netip.Addr) bool {
	for _, p := range g.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseRemote reads the address of an http.Request's RemoteAddr.
func parseRemote(remote string) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// validRequestID reports whether a proxy's request id may be used as
// ours: 1 to 64 letters, digits, '-', '_' or '.'.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// tokenKey is the limiter key of a bearer token: a hash, so that tokens
// are not kept in memory any longer than a request needs them.
func tokenKey(token string) string {
	h := sha256.Sum256([]byte(token))
	return "token:" + hex.EncodeToString(h[:12])
}

// bearer returns the request's bearer token, "" if none.
func bearer(r *http.Request) string {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// limit is the rate-limiting middleware: it answers 429 to a request whose
// address or token is over its class's limit, or whose address has failed
// to authenticate too often (when it sends a token).
func (s *Server) limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g := s.guard
		ri := info(r.Context())
		now := time.Now()
		lims, class := g.writes, "writes"
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			lims, class = g.reads, "reads"
		}
		token := bearer(r)
		if token != "" {
			if d := g.authFailures.wait(ri.key, now); d > 0 {
				tooMany(w, r, d, "Too many failed authentications from %s; try again in %s.", ri.client, d)
				return
			}
		}
		if d := lims.allow("addr:"+ri.key, now); d > 0 {
			tooMany(w, r, d, "Too many %s from %s; try again in %s.", class, ri.client, d)
			return
		}
		if token != "" {
			if d := lims.allow(tokenKey(token), now); d > 0 {
				tooMany(w, r, d, "Too many %s with this token; try again in %s.", class, d)
				return
			}
		}
		if err := checkQuery(r.URL.Query()); err != nil {
			Error(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// authFailed records a failed authentication by the request's address.
func (s *Server) authFailed(r *http.Request) {
	s.guard.authFailures.allow(info(r.Context()).key, time.Now())
}

// limitCosignature takes one cosignature from the request's address's
// allowance, or returns a 429 error.
func (s *Server) limitCosignature(r *http.Request) error {
	ri := info(r.Context())
	if d := s.guard.cosignatures.allow(ri.key, time.Now()); d > 0 {
		return tooManyError(d, "Too many cosignatures from %s; try again in %s.", ri.client, d)
	}
	return nil
}

// expensive runs f if fewer than Limits.Expensive expensive requests are
// running, else returns an EUNAVAILABLE error asking the client to retry.
func (s *Server) expensive(w http.ResponseWriter, f func()) error {
	select {
	case s.guard.expensive <- struct{}{}:
	default:
		w.Header().Set("Retry-After", "1")
		return truce.Errorf(truce.EUNAVAILABLE, "The server is busy with %d requests of this kind; try again in a second.", cap(s.guard.expensive))
	}
	defer func() { <-s.guard.expensive }()
	f()
	return nil
}

// retryAfterError is a truce error that carries how long to wait.
type retryAfterError struct {
	err   *truce.Error
	after time.Duration
}

func (e *retryAfterError) Error() string { return e.err.Error() }
func (e *retryAfterError) Unwrap() error { return e.err }

func tooManyError(d time.Duration, format string, args ...any) error {
	for i, a := range args {
		if x, ok := a.(time.Duration); ok {
			args[i] = roundUp(x)
		}
	}
	return &retryAfterError{err: truce.Errorf(truce.ETOOMANY, format, args...), after: d}
}

// tooMany answers 429 with Retry-After d.
func tooMany(w http.ResponseWriter, r *http.Request, d time.Duration, format string, args ...any) {
	Error(w, r, tooManyError(d, format, args...))
}

// roundUp rounds d up to whole seconds, at least one.
func roundUp(d time.Duration) time.Duration {
	return time.Duration(max(1, math.Ceil(d.Seconds()))) * time.Second
}

// retryAfter returns the Retry-After header value for err, "" if none.
func retryAfter(err error) string {
	var ra *retryAfterError
	if !errors.As(err, &ra) {
		return ""
	}
	return strconv.Itoa(int(roundUp(ra.after) / time.Second))
}
