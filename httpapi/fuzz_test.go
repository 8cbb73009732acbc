package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/httpapi"
	"github.com/truce-monitor/truce/sqlite"
)

// FuzzDecodeObservation checks that the decoder never panics, that what it
// accepts is valid, that every problem says where and what, and that the
// handler answers every body with a success or a 4xx problem, never a 5xx.
func FuzzDecodeObservation(f *testing.F) {
	for _, tc := range malformed {
		if len(tc.body) < 4096 {
			f.Add([]byte(tc.body))
		}
	}
	f.Add([]byte(obs("fuzz-1")))
	f.Add([]byte(obs("fuzz-2", "location", `{"observer":{"lon":37.5,"lat":48.5},"bearing_deg":45,"distance_m":3000}`, "origin", `{"lon":38,"lat":48}`)))
	f.Add([]byte(obs("fuzz-3", "location", `{"region":"Kharkiv oblast","geo_precision":"oblast"}`, "counts", `{"launched":10,"destroyed":7}`)))
	f.Add([]byte(`{"id":"x","title_i18n":{"a b":1}}`))

	db, err := sqlite.Open(context.Background(), filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	token, err := db.CreateSource(context.Background(), nil, &truce.Source{Name: "fuzzer", Role: truce.RoleMonitor})
	if err != nil {
		f.Fatal(err)
	}
	api := httpapi.NewServer(db, httpapi.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), MaxBatch: 100, Limits: &httpapi.Limits{}})

	f.Fuzz(func(t *testing.T, data []byte) {
		o, ps := httpapi.DecodeObservation(data, 0)
		if o != nil {
			if len(ps) > 0 {
				t.Fatalf("both an observation and problems: %v", ps)
			}
			if err := o.Validate(); err != nil {
				t.Fatalf("accepted an invalid observation: %v", err)
			}
			if _, err := o.Canonical(); err != nil {
				t.Fatalf("accepted observation has no canonical form: %v", err)
			}
		} else if len(ps) == 0 {
			t.Fatal("rejected without a problem")
		}
		for _, p := range ps {
			if !strings.HasPrefix(p.Path, "$") || p.Message == "" || p.Line != 0 {
				t.Fatalf("incomplete problem %+v", p)
			}
		}

		for _, ct := range []string{"application/json", "application/x-ndjson"} {
			req := httptest.NewRequest("POST", "/v1/observations", bytes.NewReader(data))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", ct)
			rec := httptest.NewRecorder()
			api.ServeHTTP(rec, req)
			switch {
			case rec.Code == http.StatusOK || rec.Code == http.StatusCreated:
				if ct == "application/json" && o == nil {
					t.Fatalf("%s: handler accepted what DecodeObservation rejected: %s", ct, rec.Body)
				}
			case rec.Code >= 400 && rec.Code < 500:
				if ct == "application/json" && o != nil && rec.Code == http.StatusBadRequest {
					t.Fatalf("%s: handler rejected what DecodeObservation accepted: %s", ct, rec.Body)
				}
				var p httpapi.Problem
				if rec.Header().Get("Content-Type") != "application/problem+json" || json.Unmarshal(rec.Body.Bytes(), &p) != nil || p.Status != rec.Code || p.Detail == "" {
					t.Fatalf("%s: %d is not a problem: %s", ct, rec.Code, rec.Body)
				}
			default:
				t.Fatalf("%s: status %d: %s", ct, rec.Code, rec.Body)
			}
		}
	})
}

// BenchmarkIngestNDJSON posts batches of 1000 new observations over
// loopback HTTP.
func BenchmarkIngestNDJSON(b *testing.B) {
	e := newEnv(b, httpapi.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	const batch = 1000
	var body bytes.Buffer
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		body.Reset()
		for range batch {
			lon, lat := 36.0+float64(n%1000)*0.002, 47.5+float64(n%700)*0.002
			fmt.Fprintf(&body, `{"id":"%s","kind":"artillery","observed_at":"2025-03-14T06:%02d:00+02:00","time_precision":"minute","location":{"lon":%.4f,"lat":%.4f,"uncertainty_m":250},"blamed_party":"RU","counts":{"rounds":%d}}`+"\n",
				uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "bench-%d", n)), n%60, lon, lat, n%40+1)
			n++
		}
		b.SetBytes(int64(body.Len()))
		b.StartTimer()
		r := e.do("POST", "/v1/observations", e.tokens[monitor], "application/x-ndjson", body.Bytes())
		if r.status != http.StatusCreated {
			b.Fatalf("status %d: %.500s", r.status, r.body)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "obs/s")
}
