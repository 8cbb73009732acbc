package httpapi

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/truce-monitor/truce"
)

// FuzzDecodeFastAgrees checks that the fast path and the full check accept
// exactly the same bodies and decode them to the same value.
func FuzzDecodeFastAgrees(f *testing.F) {
	for _, s := range []string{
		`{"id":"a","kind":"artillery","observed_at":"2025-03-14T06:00:00Z","time_precision":"minute","location":{"lon":37.5,"lat":48.1,"uncertainty_m":100}}`,
		`{"id":"a","ID":"b"}`, `{"id":"a","id":"b"}`, `{"kind":null}`, `{"location":{"lat":"48"}}`,
		`{"evidence":[{"sha256":"00","ref":"x"}],"counts":{"rounds":3}}`, `{"id":"a"} {}`, `[1,2]`, `{"te\u0078t":"x"}`,
		`{"location":{"observer":{"lon":1,"lat":2},"bearing_deg":90}}`, `{"observed_until":"2025-03-14T06:00:00+02:00"}`,
		"{\"text\":\"\xff\xfe\"}", `{"text":"\ud800"}`, `{"counts":{"rounds":1e3}}`, `{"counts":{"rounds":1.0}}`,
		`{"counts":{"rounds":99999999999999999999}}`, `{"location":{"lon":1e400}}`, `{"location":{"lon":-0}}`,
		`{"observed_at":"2025-03-14T06:00:00.123456789123Z"}`, `{"observed_at":"2025-03-14 06:00:00Z"}`, `{"kind":"artillery"}x`,
		`{"evidence":[{"sha256":"a"},{"sha256":"b","sha256":"c"}]}`, ` {"id":"a"} `, `{"id":"a\u0000"}`, `{"id":"\"quoted\""}`,
		`{"id":"a","signature":"BGlL6FueaT0ufFBZ6hZKThb25HQVZTgbk+ILqE/zw1HplyeNd9YOVQiLiPqUbqUdyBiCeE0d4wdX4M1/so4fBg=="}`,
		`{"signature":null}`, `{"signature":7}`, `{"Signature":"x"}`,
	} {
		f.Add([]byte(s))
	}
	seeds, _ := filepath.Glob("testdata/fuzz/FuzzDecodeObservation/*")
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var fast, slow truce.Observation
		fastOK := decodeFast(data, &fast)
		slowOK := len(decodeChecked(data, 0, &slow)) == 0
		if fastOK && !slowOK {
			t.Fatalf("fast path accepts what the full check rejects: %q", data)
		}
		if fastOK && !reflect.DeepEqual(fast, slow) {
			t.Fatalf("paths decode %q differently:\nfast %+v\nslow %+v", data, fast, slow)
		}
		if !fastOK && !reflect.DeepEqual(fast, truce.Observation{}) {
			t.Fatalf("fast path left a partial value after rejecting %q", data)
		}
	})
}

// BenchmarkDecodeObservation measures decoding and validating one
// well-formed NDJSON line, the per-observation cost of ingest before the
// store.
func BenchmarkDecodeObservation(b *testing.B) {
	line := []byte(`{"id":"bench-1-0-0","kind":"artillery","observed_at":"2025-03-20T10:11:12Z","time_precision":"minute","location":{"lon":37.12345,"lat":48.12345,"uncertainty_m":500},"counts":{"rounds":5},"blamed_party":"RU","text":"seeded benchmark observation"}`)
	for b.Loop() {
		if _, ps := DecodeObservation(line, 1); len(ps) > 0 {
			b.Fatal(ps)
		}
	}
}
