// Command ingest is truce's HTTP ingest load generator. It posts NDJSON
// batches of observations to a running server from several clients and
// reports the throughput, then posts single observations one at a time and
// reports their latency percentiles. bench/ingest.sh runs it against a
// fresh server; see BENCHMARKS.md.
//
// With --signed --key FILE, the observations are signed beforehand with
// the source's private key (the server verifies every signature), and the
// program measures the raw Ed25519 verification rate of the machine on all
// its cores — ed25519.Verify of the same observations' signing bytes —
// before posting and again after, so that the signed ingest rate can be
// set beside the ceiling that verification alone puts on it, in the same
// run. On a machine that others share, wall-clock rates move with their
// load; so the program also reports CPU time: its own per verification,
// and, given --server-pid, the server's per ingested observation (from
// /proc, Linux only). Their ratio is what the ingest rate would be, as a
// share of the verification ceiling, if the server had the cores to
// itself.
//
// Observations are seeded and placed along the front line near 48° N, so a
// run is repeatable.
package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/truce-monitor/truce"
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
	signed := fs.Bool("signed", false, "sign every observation with --key beforehand, and first measure the Ed25519 verification rate")
	keyFile := fs.String("key", "", "with --signed: the source's private key file (truce source keygen)")
	verifyFor := fs.Duration("verify-time", 3*time.Second, "with --signed: how long to measure the verification rate, before and after the ingest")
	serverPID := fs.Int("server-pid", 0, "the server's process id, to report its CPU time per observation (Linux)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *token == "" {
		return fmt.Errorf("no token: give --token or TRUCE_TOKEN")
	}
	var priv ed25519.PrivateKey
	if *signed {
		b, err := os.ReadFile(*keyFile)
		if err != nil {
			return fmt.Errorf("--signed needs --key: %w", err)
		}
		if priv, err = truce.ParsePrivateKey(b); err != nil {
			return fmt.Errorf("%s: %w", *keyFile, err)
		}
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
	var samples []sample
	var before verification
	if *signed {
		var err error
		if bodies, samples, err = signBodies(priv, bodies); err != nil {
			return err
		}
		before = measureVerify(priv.Public().(ed25519.PublicKey), samples, *verifyFor)
		before.print(stdout, "before")
	}
	serverCPU := func() time.Duration {
		if *serverPID == 0 {
			return 0
		}
		d, err := processCPU(*serverPID)
		if err != nil {
			fmt.Fprintf(stdout, "(server CPU time unavailable: %v)\n", err)
		}
		return d
	}
	cpu0 := serverCPU()
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
	cpu := serverCPU() - cpu0
	select {
	case err := <-errc:
		return err
	default:
	}
	n := *batches * *size
	what := "batch ingest"
	if *signed {
		what = "signed batch ingest"
	}
	rate := float64(n) / elapsed.Seconds()
	fmt.Fprintf(stdout, "%s: %d observations in %d batches of %d from %d clients in %.2fs: %.0f observations/s\n",
		what, n, *batches, *size, *clients, elapsed.Seconds(), rate)
	if cpu > 0 {
		fmt.Fprintf(stdout, "server CPU: %.2fs, %.1f µs per observation\n", cpu.Seconds(), float64(cpu.Microseconds())/float64(n))
	}
	if *signed {
		after := measureVerify(priv.Public().(ed25519.PublicKey), samples, *verifyFor)
		after.print(stdout, "after")
		ceiling := (before.rate() + after.rate()) / 2
		fmt.Fprintf(stdout, "signed ingest / verification ceiling (wall clock): %.0f / %.0f = %.0f%% (%.0f%% to %.0f%% against the before and after rates)\n",
			rate, ceiling, 100*rate/ceiling, 100*rate/max(before.rate(), after.rate()), 100*rate/min(before.rate(), after.rate()))
		if cpu > 0 {
			perVerify := (before.cpuPer() + after.cpuPer()) / 2
			perObs := cpu.Seconds() / float64(n)
			fmt.Fprintf(stdout, "signed ingest / verification ceiling (CPU time): %.1f µs per verification / %.1f µs of server CPU per observation = %.0f%%\n",
				perVerify*1e6, perObs*1e6, 100*perVerify/perObs)
		}
	}

	lat := make([]time.Duration, *singles)
	for i := range lat {
		var buf bytes.Buffer
		writeObs(&buf, rng, (*batches)*(*size)+i)
		body := bytes.TrimSpace(buf.Bytes())
		if *signed {
			signedBody, _, err := signBodies(priv, [][]byte{body})
			if err != nil {
				return err
			}
			body = bytes.TrimSpace(signedBody[0])
		}
		d, err := post(body, "application/json")
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

// sample is one signed observation's signing bytes and signature.
type sample struct{ msg, sig []byte }

// signBodies signs every observation of the NDJSON bodies with priv, on all
// cores, and returns the signed bodies and, for each observation, its
// signing bytes and signature.
func signBodies(priv ed25519.PrivateKey, bodies [][]byte) ([][]byte, []sample, error) {
	out := make([][]byte, len(bodies))
	samples := make([][]sample, len(bodies))
	errs := make([]error, len(bodies))
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Go(func() {
			for b := w; b < len(bodies); b += workers {
				var buf bytes.Buffer
				for line := range bytes.Lines(bodies[b]) {
					var o truce.Observation
					if err := json.Unmarshal(line, &o); err != nil {
						errs[b] = err
						return
					}
					if err := truce.SignObservation(priv, &o); err != nil {
						errs[b] = err
						return
					}
					msg, _ := o.SigningBytes()
					sig, _ := base64.StdEncoding.DecodeString(o.Signature)
					samples[b] = append(samples[b], sample{msg, sig})
					j, err := json.Marshal(&o)
					if err != nil {
						errs[b] = err
						return
					}
					buf.Write(j)
					buf.WriteByte('\n')
				}
				out[b] = buf.Bytes()
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	return out, slices.Concat(samples...), nil
}

// verification is what measureVerify measured.
type verification struct {
	n         int64         // signatures verified
	wall, cpu time.Duration // elapsed, and this process's CPU time
}

func (v verification) rate() float64   { return float64(v.n) / v.wall.Seconds() }
func (v verification) cpuPer() float64 { return v.cpu.Seconds() / float64(v.n) }

func (v verification) print(w io.Writer, when string) {
	fmt.Fprintf(w, "ed25519.Verify on %d cores (GOMAXPROCS %d), %s: %d signatures in %.2fs: %.0f verifications/s, %.1f µs of CPU each\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), when, v.n, v.wall.Seconds(), v.rate(), v.cpuPer()*1e6)
}

// measureVerify verifies the samples' signatures with pub on GOMAXPROCS
// goroutines for about d.
func measureVerify(pub ed25519.PublicKey, samples []sample, d time.Duration) verification {
	cpu0, _ := processCPU(os.Getpid())
	var n atomic.Int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	start := time.Now()
	for w := range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			var k int64
			for i := w; !stop.Load(); i++ {
				s := samples[i%len(samples)]
				if !ed25519.Verify(pub, s.msg, s.sig) {
					panic("a signature made here does not verify")
				}
				k++
			}
			n.Add(k)
		})
	}
	time.Sleep(d)
	stop.Store(true)
	wg.Wait()
	wall := time.Since(start)
	cpu1, _ := processCPU(os.Getpid())
	return verification{n: n.Load(), wall: wall, cpu: cpu1 - cpu0}
}

// processCPU returns the user and system CPU time of process pid so far,
// from /proc/PID/stat (Linux; clock ticks of 1/100 s, as on every Linux
// system truce runs on).
func processCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The fields after the command name, which is in parentheses and may
	// hold spaces: state is field 3, utime field 14, stime field 15.
	i := bytes.LastIndexByte(b, ')')
	f := strings.Fields(string(b[i+1:]))
	if i < 0 || len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}
