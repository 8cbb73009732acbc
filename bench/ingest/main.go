// Command ingest is truce's HTTP ingest load generator. It posts NDJSON
// batches of observations to a running server from several clients and
// reports the throughput, then posts single observations one at a time and
// reports their latency percentiles. bench/ingest.sh runs it against a
// fresh server; see BENCHMARKS.md.
//
// Observations are seeded and placed along the front line near 48° N, so a
// run is repeatable.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ingest:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	url := fs.String("url", "http://127.0.0.1:8080", "the server")
	token := fs.String("token", os.Getenv("TRUCE_TOKEN"), "a sensor, monitor or dataset token")
	batches := fs.Int("batches", 200, "NDJSON batches to post")
	size := fs.Int("batch-size", 1000, "observations per batch")
	clients := fs.Int("clients", 4, "concurrent clients for the batches")
	singles := fs.Int("singles", 2000, "single-object POSTs, one at a time, for latency")
	seed := fs.Uint64("seed", 1, "the seed for observation positions and times")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *token == "" {
		return fmt.Errorf("no token: give --token or TRUCE_TOKEN")
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *clients + 1}}
	post := func(body []byte, ctype string) (time.Duration, error) {
		req, err := http.NewRequestWithContext(ctx, "POST", *url+"/v1/observations", bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Authorization", "Bearer "+*token)
		req.Header.Set("Content-Type", ctype)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			return 0, fmt.Errorf("status %d: %.300s", resp.StatusCode, msg)
		}
		return time.Since(start), nil
	}

	// Prepare every body first so that the client's own work is not timed.
	rng := rand.New(rand.NewPCG(*seed, 0x7275636))
	bodies := make([][]byte, *batches)
	for b := range bodies {
		var buf bytes.Buffer
		for i := range *size {
			writeObs(&buf, rng, b*(*size)+i)
		}
		bodies[b] = buf.Bytes()
	}
	work := make(chan []byte)
	errc := make(chan error, *clients)
	var wg sync.WaitGroup
	start := time.Now()
	for range *clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for body := range work {
				if _, err := post(body, "application/x-ndjson"); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	for _, b := range bodies {
		work <- b
	}
	close(work)
	wg.Wait()
	elapsed := time.Since(start)
	select {
	case err := <-errc:
		return err
	default:
	}
	n := *batches * *size
	fmt.Fprintf(stdout, "batch ingest: %d observations in %d batches of %d from %d clients in %.2fs: %.0f observations/s\n",
		n, *batches, *size, *clients, elapsed.Seconds(), float64(n)/elapsed.Seconds())

	lat := make([]time.Duration, *singles)
	for i := range lat {
		var buf bytes.Buffer
		writeObs(&buf, rng, (*batches)*(*size)+i)
		d, err := post(bytes.TrimSpace(buf.Bytes()), "application/json")
		if err != nil {
			return err
		}
		lat[i] = d
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
		fmt.Fprintf(stdout, "single POST: %d requests one at a time: p50 %v, p99 %v, max %v\n",
			len(lat), pct(0.50).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond))
	}
	return nil
}

var kinds = []string{"artillery", "mlrs", "mortar", "explosion", "fire", "drone_strike", "small_arms"}

// writeObs writes the nth observation line: a random (seeded) UUID, as
// clients are advised to use, a time that advances with n as a live feed's
// does (with up to ten minutes of jitter), and a place near the Donetsk
// front.
func writeObs(w *bytes.Buffer, rng *rand.Rand, n int) {
	var u [16]byte
	for i := range u {
		u[i] = byte(rng.Uint32())
	}
	u[6], u[8] = u[6]&0x0f|0x40, u[8]&0x3f|0x80
	id := fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
	t := time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC).Add(time.Duration(n)*100*time.Millisecond + time.Duration(rng.IntN(600))*time.Second)
	fmt.Fprintf(w, `{"id":%q,"kind":%q,"observed_at":%q,"time_precision":"minute","location":{"lon":%.5f,"lat":%.5f,"uncertainty_m":%d},"counts":{"rounds":%d},"blamed_party":"RU","text":"seeded benchmark observation"}`+"\n",
		id, kinds[rng.IntN(len(kinds))], t.Format(time.RFC3339), 36.8+rng.Float64()*1.6, 47.6+rng.Float64()*1.2, 100+rng.IntN(900), 1+rng.IntN(20))
}
