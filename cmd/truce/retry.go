package main

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"time"
)

// maxRetries and maxRetryWait bound how a client of a truce server waits
// out the server's rate limits.
const (
	maxRetries   = 10
	maxRetryWait = time.Minute
)

// sleep waits for d or until ctx is done; tests replace it.
var sleep = func(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// doPolitely sends req with client and, while the server answers 429 Too
// Many Requests or 503 Service Unavailable with a Retry-After in seconds,
// waits that long (at most maxRetryWait) and sends it again, up to
// maxRetries times: truce's own clients (truce verify URL, truce witness
// run) keep to the server's rate limits rather than fail on them. A request
// with a body is sent again only if it can be rewound (req.GetBody).
func doPolitely(ctx context.Context, client *http.Client, req *http.Request) (*http.Response, error) {
	for try := 0; ; try++ {
		res, err := client.Do(req)
		if err != nil || try == maxRetries || (res.StatusCode != http.StatusTooManyRequests && res.StatusCode != http.StatusServiceUnavailable) {
			return res, err
		}
		secs, perr := strconv.Atoi(res.Header.Get("Retry-After"))
		if perr != nil || secs < 0 || (req.Body != nil && req.GetBody == nil) {
			return res, nil
		}
		io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
		res.Body.Close()
		if err := sleep(ctx, min(time.Duration(secs)*time.Second, maxRetryWait)); err != nil {
			return nil, err
		}
		if req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req.Body = body
		}
	}
}
