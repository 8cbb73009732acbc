// These end-to-end tests run the real binary, which is not built with the
// race detector; under -race only the tests' own checking would slow down
// (tenfold). .ci/run runs them in a separate step without -race.

//go:build !race

package main_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/ledger"
	"github.com/truce-monitor/truce/sqlite"
)

// binary is the truce binary built once for the end-to-end tests.
var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

func truceBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "truce-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "truce")
		out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary != "" {
		os.RemoveAll(filepath.Dir(binary))
	}
	os.Exit(code)
}

// server is a truce serve process.
type server struct {
	cmd    *exec.Cmd
	url    string
	exited chan struct{} // closed when the process has exited
}

var urlRe = regexp.MustCompile(`url=(http://[0-9.:]+)`)

// startServer runs "truce serve" on db, with any further flags, and waits
// until it listens.
func startServer(t *testing.T, db string, flags ...string) *server {
	t.Helper()
	cmd := exec.Command(truceBinary(t), append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, flags...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := urlRe.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case u := <-found:
		srv := &server{cmd: cmd, url: u, exited: make(chan struct{})}
		go func() { cmd.Wait(); close(srv.exited) }()
		return srv
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("server did not start within 30s")
	}
	return nil
}

// sourceToken registers a source with the CLI and returns its token.
func sourceToken(t *testing.T, db, name, role string) string {
	t.Helper()
	out, err := exec.Command(truceBinary(t), "source", "add", name, "--role", role, "--db", db, "--json").Output()
	if err != nil {
		t.Fatalf("source add: %v", err)
	}
	var res struct{ Token string }
	if err := json.Unmarshal(out, &res); err != nil || res.Token == "" {
		t.Fatalf("source add printed %q", out)
	}
	return res.Token
}

func batchBody(round, batch, n int) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, `{"id":"r%d-b%03d-%04d","kind":"fire","observed_at":"2025-03-%02dT%02d:%02d:00Z","time_precision":"minute","location":{"lon":%.5f,"lat":%.5f,"uncertainty_m":375}}`+"\n",
			round, batch, i, 1+batch%28, i%24, i%60, 36.5+float64(i)/10000, 48.0+float64(batch)/1000)
	}
	return b.Bytes()
}

// TestKill9DuringIngest kills the server with SIGKILL in the middle of a
// 100,000-line NDJSON ingest, several times, and checks after each restart
// that every acknowledged batch is stored whole, that no batch is stored in
// part, and that the log is contiguous and its projection matches it.
func TestKill9DuringIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	const (
		rounds    = 3
		batches   = 100
		batchSize = 1000
		clients   = 4
	)
	db := filepath.Join(t.TempDir(), "truce.db")
	token := sourceToken(t, db, "firms-feed", "sensor")
	rng := rand.New(rand.NewPCG(1, 2))
	acked := map[string]bool{} // batch key → acknowledged
	var attempted []string
	for round := range rounds {
		srv := startServer(t, db)
		ctx, cancel := context.WithCancel(context.Background())
		next := make(chan int)
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for b := range next {
					key := fmt.Sprintf("r%d-b%03d", round, b)
					mu.Lock()
					attempted = append(attempted, key)
					mu.Unlock()
					req, _ := http.NewRequestWithContext(ctx, "POST", srv.url+"/v1/observations", bytes.NewReader(batchBody(round, b, batchSize)))
					req.Header.Set("Authorization", "Bearer "+token)
					req.Header.Set("Content-Type", "application/x-ndjson")
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						continue // the server died: not acknowledged
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusOK {
						var res struct{ Accepted int }
						if json.Unmarshal(body, &res) == nil && res.Accepted == batchSize {
							mu.Lock()
							acked[key] = true
							mu.Unlock()
						}
					} else if len(body) > 0 && !strings.Contains(string(body), "unavailable") {
						t.Errorf("batch %s: status %d: %s", key, resp.StatusCode, body)
					}
				}
			}()
		}
		// Kill somewhere between a tenth and nine tenths of the way in.
		killAfter := time.Duration(300+rng.IntN(2500)) * time.Millisecond
		killed := time.AfterFunc(killAfter, func() { srv.cmd.Process.Signal(syscall.SIGKILL) })
	feed:
		for b := range batches {
			select {
			case next <- b:
			case <-srv.exited:
				break feed
			}
		}
		close(next)
		wg.Wait()
		killed.Stop()
		srv.cmd.Process.Signal(syscall.SIGKILL)
		<-srv.exited
		cancel()
		t.Logf("round %d: killed after %v; %d batches acknowledged so far", round, killAfter, len(acked))
	}
	if len(acked) == 0 {
		t.Fatal("no batch was acknowledged: the test proved nothing")
	}
	checkStore(t, db, attempted, acked, batchSize)
}

func checkStore(t *testing.T, path string, attempted []string, acked map[string]bool, batchSize int) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	size, err := store.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := store.Entries(ctx, 0, size)
	if err != nil {
		t.Fatal(err)
	}
	// Every logged observation is projected, and nothing else is.
	projected := map[string]bool{}
	for cursor := ""; ; {
		page, err := store.FindObservations(ctx, truce.ObservationFilter{Limit: truce.MaxPageSize, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Observations {
			projected[o.ID] = true
		}
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	perBatch := map[string]int{}
	logged := 0
	for i, e := range entries {
		if e.Index != int64(i) {
			t.Fatalf("entry %d has index %d: the log has a gap", i, e.Index)
		}
		if e.Type != truce.EntryObservation {
			continue
		}
		var o truce.Observation
		if err := json.Unmarshal(e.Data, &o); err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		perBatch[o.ID[:strings.LastIndexByte(o.ID, '-')]]++
		logged++
		if !projected[o.ID] {
			t.Fatalf("entry %d (%s) is not projected", i, o.ID)
		}
	}
	if len(projected) != logged {
		t.Errorf("%d observations projected, %d logged", len(projected), logged)
	}
	// The Merkle tree stored beside the log survived too: its root is the
	// RFC 6962 root of the entries.
	root, err := tlog.TreeHash(size, ledger.HashReader(ctx, store))
	if err != nil {
		t.Fatalf("tree hash: %v", err)
	}
	records := make([]tlog.Hash, len(entries))
	for i, e := range entries {
		records[i] = tlog.RecordHash(e.Encode())
	}
	if want := merkleRoot(records); root != want {
		t.Errorf("stored tree root %x, the entries' RFC 6962 root %x", root, want)
	}
	lost := 0
	for _, key := range attempted {
		n := perBatch[key]
		if acked[key] && n != batchSize {
			lost++
			t.Errorf("acknowledged batch %s has %d of %d observations", key, n, batchSize)
		}
		if n != 0 && n != batchSize {
			t.Errorf("batch %s is stored in part: %d of %d", key, n, batchSize)
		}
	}
	t.Logf("%d entries; %d batches attempted, %d acknowledged, %d stored, %d acknowledged batches lost",
		size, len(attempted), len(acked), len(perBatch), lost)
}

// TestDemo runs "truce demo" as a user would: it must serve the example
// agreements and the real data within seconds, accept an observation with a
// printed token, and stop cleanly on an interrupt, removing its store.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	cmd := exec.Command(truceBinary(t), "demo", "--addr", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var url, store, vkey string
	tokens := map[string]string{}
	deadline := time.After(60 * time.Second)
	for url == "" || len(tokens) < 5 || vkey == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("demo exited early; stderr:\n%s", stderr.String())
			}
			f := strings.Fields(line)
			switch {
			case strings.HasPrefix(line, "Serving on "):
				url = strings.TrimPrefix(line, "Serving on ")
			case strings.HasPrefix(line, "truce demo: a store at "):
				store = strings.TrimPrefix(line, "truce demo: a store at ")
			case len(f) == 3 && strings.HasPrefix(f[2], "truce_"):
				tokens[f[0]] = f[2]
			case strings.HasPrefix(line, "log verifier key "):
				vkey = f[len(f)-1]
			}
		case <-deadline:
			t.Fatalf("demo printed no URL and tokens within 60s; stderr:\n%s", stderr.String())
		}
	}
	t.Logf("demo serving at %s after %v", url, time.Since(start).Round(time.Millisecond))

	get := func(path string) string {
		t.Helper()
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
		}
		return string(b)
	}
	var agreements struct{ Agreements []struct{ ID string } }
	json.Unmarshal([]byte(get("/v1/agreements")), &agreements)
	if len(agreements.Agreements) != 4 {
		t.Errorf("demo serves %d agreements, want the 4 examples", len(agreements.Agreements))
	}
	if page := get("/"); !strings.Contains(page, "ceasefire-30d-2025") {
		t.Errorf("index page does not list the 30-day ceasefire")
	}
	var page struct{ Observations []truce.ObservationRecord }
	json.Unmarshal([]byte(get("/v1/observations?source=ua-air-force&limit=5")), &page)
	if len(page.Observations) != 5 {
		t.Errorf("demo has %d Air Force observations on its first page, want 5", len(page.Observations))
	}
	body := `{"id":"demo-e2e-1","kind":"artillery","observed_at":"2025-03-15T06:10:00+02:00","time_precision":"minute","location":{"lon":37.62,"lat":48.58,"uncertainty_m":500}}`
	req, _ := http.NewRequest("POST", url+"/v1/observations", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tokens["demo-monitor"])
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("POST with the printed monitor token: %d, want 201", resp.StatusCode)
	}

	// The demo signs checkpoints with the key it printed.
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatalf("demo printed verifier key %q: %v", vkey, err)
	}
	var signed *note.Note
	for deadline := time.Now().Add(10 * time.Second); signed == nil && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(url + "/checkpoint")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 {
			if signed, err = note.Open(b, note.VerifierList(verifier)); err != nil {
				t.Fatalf("demo checkpoint does not open with its printed key: %v\n%s", err, b)
			}
		}
	}
	if signed == nil || !strings.HasPrefix(signed.Text, "truce.invalid/log/demo\n") {
		t.Errorf("demo served no signed checkpoint of its log within 10s: %+v", signed)
	}

	cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("demo exited with %v after an interrupt; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("demo did not stop within 30s of an interrupt")
	}
	if store == "" {
		t.Error("demo did not print its store")
	} else if _, err := os.Stat(filepath.Dir(store)); !os.IsNotExist(err) {
		t.Errorf("demo left its store directory %s behind (%v)", filepath.Dir(store), err)
	}
}

// merkleRoot is RFC 6962's Merkle tree hash over record hashes.
func merkleRoot(h []tlog.Hash) tlog.Hash {
	if len(h) == 1 {
		return h[0]
	}
	k := 1
	for k*2 < len(h) {
		k *= 2
	}
	return tlog.NodeHash(merkleRoot(h[:k]), merkleRoot(h[k:]))
}

// TestCheckpoints makes a log key with "truce keys init", serves with it,
// and checks what GET /checkpoint serves with independent code: the note
// opens with golang.org/x/mod/sumdb/note and the printed verifier key, its
// body is parsed here by hand, its root is the log's root at its size, and
// the checkpoints signed as the log grows are consistent with each other.
func TestCheckpoints(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "ceasefire.db")
	out, err := exec.Command(truceBinary(t), "keys", "init", "--db", db, "--json").Output()
	if err != nil {
		t.Fatalf("keys init: %v", err)
	}
	var keys struct {
		Origin      string `json:"origin"`
		KeyFile     string `json:"key_file"`
		VerifierKey string `json:"verifier_key"`
	}
	if err := json.Unmarshal(out, &keys); err != nil {
		t.Fatalf("keys init printed %q: %v", out, err)
	}
	if keys.Origin != "truce.invalid/log/ceasefire" || keys.KeyFile != db+".key" || !strings.HasPrefix(keys.VerifierKey, keys.Origin+"+") {
		t.Fatalf("keys init printed %+v", keys)
	}
	if fi, err := os.Stat(keys.KeyFile); err != nil {
		t.Fatal(err)
	} else if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file has mode %v, want 0600", fi.Mode().Perm())
	}
	if err := exec.Command(truceBinary(t), "keys", "init", "--db", db).Run(); err == nil {
		t.Fatal("a second keys init overwrote the key")
	}
	verifier, err := note.NewVerifier(keys.VerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	token := sourceToken(t, db, "osce-team-1", "monitor")

	srv := startServer(t, db, "--checkpoint-interval", "100ms")
	t.Cleanup(func() {
		srv.cmd.Process.Signal(os.Interrupt)
		select {
		case <-srv.exited:
		case <-time.After(30 * time.Second):
			srv.cmd.Process.Kill()
			t.Error("server did not stop within 30s of an interrupt")
		}
	})
	get := func(path string) (int, []byte) {
		t.Helper()
		resp, err := http.Get(srv.url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, b
	}
	// checkpoint waits until GET /checkpoint covers size entries, checks
	// it, and returns its root.
	checkpoint := func(size int64) tlog.Hash {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			status, msg := get("/checkpoint")
			if status == 200 {
				n, err := note.Open(msg, note.VerifierList(verifier))
				if err != nil {
					t.Fatalf("note.Open of\n%s: %v", msg, err)
				}
				if len(n.Sigs) != 1 || n.Sigs[0].Name != keys.Origin {
					t.Fatalf("checkpoint signatures %+v, want one by %s", n.Sigs, keys.Origin)
				}
				lines := strings.Split(n.Text, "\n")
				if len(lines) != 4 || lines[0] != keys.Origin || lines[3] != "" {
					t.Fatalf("checkpoint body %q is not origin, size, root", n.Text)
				}
				got, err := strconv.ParseInt(lines[1], 10, 64)
				if err != nil {
					t.Fatalf("checkpoint size %q: %v", lines[1], err)
				}
				if got == size {
					root, err := tlog.ParseHash(lines[2])
					if err != nil {
						t.Fatalf("checkpoint root %q: %v", lines[2], err)
					}
					var r struct {
						Size int64
						Root string
					}
					if _, b := get(fmt.Sprintf("/v1/log/root?size=%d", size)); json.Unmarshal(b, &r) != nil || r.Root != lines[2] {
						t.Fatalf("checkpoint of size %d has root %s; GET /v1/log/root says %s", size, lines[2], b)
					}
					return root
				}
				if got > size {
					t.Fatalf("checkpoint of size %d, want %d", got, size)
				}
			} else if status != 404 {
				t.Fatalf("GET /checkpoint: %d %s", status, msg)
			}
			if time.Now().After(deadline) {
				t.Fatalf("no checkpoint of size %d within 15s; last: %d %s", size, status, msg)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	logSize := func() int64 {
		t.Helper()
		var r struct{ Size int64 }
		if _, b := get("/v1/log/size"); json.Unmarshal(b, &r) != nil {
			t.Fatalf("GET /v1/log/size: %s", b)
		}
		return r.Size
	}

	// Signed at startup: the source and its credential.
	size := logSize()
	if size != 2 {
		t.Fatalf("log size %d before any observation, want 2", size)
	}
	root := checkpoint(size)
	for round := range 3 {
		req, _ := http.NewRequest("POST", srv.url+"/v1/observations", bytes.NewReader(batchBody(round, 0, 3+round*5)))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/x-ndjson")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("POST batch %d: %d", round, resp.StatusCode)
		}
		newSize := logSize()
		newRoot := checkpoint(newSize)
		var p struct{ Proof []string }
		if _, b := get(fmt.Sprintf("/v1/log/proof/consistency?old=%d&new=%d", size, newSize)); json.Unmarshal(b, &p) != nil {
			t.Fatalf("consistency proof: %s", b)
		}
		proof := make(tlog.TreeProof, len(p.Proof))
		for i, h := range p.Proof {
			if proof[i], err = tlog.ParseHash(h); err != nil {
				t.Fatalf("proof hash %q: %v", h, err)
			}
		}
		if err := ledger.CheckConsistency(proof, size, newSize, root, newRoot); err != nil {
			t.Fatalf("checkpoints of sizes %d and %d: %v", size, newSize, err)
		}
		// A proof against another root must fail, or the check proves nothing.
		forged := root
		forged[0] ^= 1
		if ledger.CheckConsistency(proof, size, newSize, forged, newRoot) == nil {
			t.Fatal("a consistency proof verified against a forged old root")
		}
		t.Logf("checkpoint %d → %d consistent", size, newSize)
		size, root = newSize, newRoot
	}
}
