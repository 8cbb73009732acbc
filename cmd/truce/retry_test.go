package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestDoPolitely checks that truce's clients wait out a server's 429 and
// 503 answers for as long as Retry-After says, send the same request
// again (body included), and give up after maxRetries.
func TestDoPolitely(t *testing.T) {
	var waited []time.Duration
	old := sleep
	sleep = func(_ context.Context, d time.Duration) error { waited = append(waited, d); return nil }
	defer func() { sleep = old }()
	var calls atomic.Int32
	var limited atomic.Int32
	limited.Store(2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		b, _ := io.ReadAll(r.Body)
		if n <= limited.Load() {
			w.Header().Set("Retry-After", []string{"3", "120"}[n%2])
			w.WriteHeader([]int{http.StatusServiceUnavailable, http.StatusTooManyRequests}[n%2])
			return
		}
		w.Write(b)
	}))
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL, bytes.NewReader([]byte("the body")))
	res, err := doPolitely(context.Background(), srv.Client(), req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(b) != "the body" || calls.Load() != 3 {
		t.Fatalf("status %d, body %q after %d calls", res.StatusCode, b, calls.Load())
	}
	if len(waited) != 2 || waited[0] != maxRetryWait || waited[1] != 3*time.Second {
		t.Errorf("waited %v, want [%v 3s]", waited, maxRetryWait)
	}
	// A server that never lets up is given up on.
	calls.Store(0)
	limited.Store(1 << 30)
	req, _ = http.NewRequest("GET", srv.URL, nil)
	res, err = doPolitely(context.Background(), srv.Client(), req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode == 200 || calls.Load() != maxRetries+1 {
		t.Errorf("status %d after %d calls, want a refusal after %d", res.StatusCode, calls.Load(), maxRetries+1)
	}
}
