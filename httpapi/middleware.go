package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/truce-monitor/truce"
)

// recorder remembers what a handler wrote, for logs and metrics.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	code   string // the truce error code, when Error answered
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// observe is the outermost middleware: it recovers panics as 500s, logs
// every request and counts it in the metrics by route pattern.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		ri := s.guard.newRequestInfo(r)
		w.Header().Set("X-Request-Id", ri.id)
		setCommonHeaders(w, r)
		ctx := context.WithValue(r.Context(), loggerKey{}, s.log)
		r = r.WithContext(context.WithValue(ctx, requestInfoKey{}, ri))
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				err := fmt.Errorf("panic: %v\n%s", v, debug.Stack())
				if rec.status == 0 {
					Error(rec, r, err)
				} else {
					s.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "request_id", ri.id, "err", err)
				}
			}
			if rec.status == 0 {
				rec.status = http.StatusOK
			}
			d := time.Since(start)
			route := r.Pattern
			if route == "" || route == "/" {
				route = "unmatched"
			}
			s.metrics.requests.WithLabelValues(route, strconv.Itoa(rec.status)).Inc()
			s.metrics.duration.WithLabelValues(route).Observe(d.Seconds())
			level := slog.LevelInfo
			if r.URL.Path == "/healthz" || r.URL.Path == "/metrics" {
				level = slog.LevelDebug
			}
			attrs := []slog.Attr{
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", rec.status),
				slog.Duration("duration", d),
				slog.Int64("bytes", rec.bytes),
				slog.String("client", ri.client),
				slog.String("request_id", ri.id),
			}
			if rec.code != "" {
				attrs = append(attrs, slog.String("code", rec.code))
			}
			s.log.LogAttrs(r.Context(), level, "http request", attrs...)
		}()
		next.ServeHTTP(rec, r)
	})
}

// metrics are the server's Prometheus collectors.
type metrics struct {
	requests *prometheus.CounterVec   // by route pattern and status
	duration *prometheus.HistogramVec // by route pattern
	accepted *prometheus.CounterVec   // observations accepted, by source role
	created  *prometheus.CounterVec   // observations newly logged, by source role
	rejected *prometheus.CounterVec   // observation posts rejected whole, by error code
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "truce_http_requests_total",
			Help: "HTTP requests served, by route pattern and status code.",
		}, []string{"route", "status"})),
		duration: register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "truce_http_request_duration_seconds",
			Help:    "Time to serve HTTP requests, by route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"})),
		accepted: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "truce_observations_accepted_total",
			Help: "Observations accepted through the API (new or identical repeats), by source role.",
		}, []string{"source_role"})),
		created: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "truce_observations_created_total",
			Help: "Observations newly appended to the log through the API, by source role.",
		}, []string{"source_role"})),
		rejected: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "truce_observation_batches_rejected_total",
			Help: "POST /v1/observations requests rejected whole (nothing stored), by truce error code.",
		}, []string{"code"})),
	}
	register(reg, collectors.NewGoCollector())
	return m
}

// register registers c with reg, or returns the collector already
// registered in its place, so that several servers may share a registry.
func register[C prometheus.Collector](reg *prometheus.Registry, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
	}
	return c
}

// metricsHandler serves the registry in the Prometheus text format.
func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(s.log.Handler(), slog.LevelError),
		ErrorHandling: promhttp.ContinueOnError,
	})
}

// rejectCode returns the code under which a rejected post is counted.
func rejectCode(err error) string {
	if c := truce.ErrorCode(err); c != "" {
		return c
	}
	return truce.EINTERNAL
}
