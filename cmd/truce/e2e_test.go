// These end-to-end tests run the real binary, which is not built with the
// race detector; under -race only the tests' own checking would slow down
// (tenfold). .ci/run runs them in a separate step without -race.

//go:build !race

package main_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
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

// startServer runs "truce serve" on db without rate limits, with any
// further flags, and waits until it listens.
func startServer(t *testing.T, db string, flags ...string) *server {
	t.Helper()
	// The tests read and write as fast as they can from one address; they
	// test the log, not the rate limits (httpapi's tests do).
	cmd := exec.Command(truceBinary(t), append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--read-rate", "0", "--write-rate", "0"}, flags...)...)
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

// TestCrash kills the server with SIGKILL at seeded random moments, 50
// times, while four clients file signed observations in NDJSON batches of
// random sizes and the server signs a checkpoint every 50ms; a poller keeps
// every checkpoint the server serves. After each restart it checks, against
// the log as the API serves it and nothing else:
//
//   - the log verifies: the RFC 6962 root recomputed here from the entries
//     (whose content hashes are checked too) is the log's root and the
//     latest checkpoint's;
//   - every acknowledged observation is in the log, once;
//   - every checkpoint ever served opens with the log's key, has the root
//     recomputed here for its size, and is consistent with the new
//     checkpoint by the consistency proof the server gives (no fork, no
//     rollback).
//
// At the end it opens the store and checks that no batch is stored in part
// and that the projection matches the log.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	const (
		rounds   = 50
		clients  = 4
		maxBatch = 100
	)
	start := time.Now()
	dir := t.TempDir()
	db := filepath.Join(dir, "truce.db")
	out, errOut, code := cli(t, "keys", "init", "--db", db, "--json")
	if code != 0 {
		t.Fatalf("keys init: %s", errOut)
	}
	var keys struct {
		VerifierKey string `json:"verifier_key"`
	}
	json.Unmarshal([]byte(out), &keys)
	logKey, err := note.NewVerifier(keys.VerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	// A sensor whose observations must be signed with its key.
	keyFile := filepath.Join(dir, "sensor.pem")
	out, errOut, code = cli(t, "source", "keygen", "--out", keyFile, "--json")
	if code != 0 {
		t.Fatalf("source keygen: %s", errOut)
	}
	var sk struct {
		PublicKey string `json:"public_key"`
	}
	json.Unmarshal([]byte(out), &sk)
	pem, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := truce.ParsePrivateKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, code = cli(t, "source", "add", "firms-feed", "--role", "sensor", "--public-key", sk.PublicKey, "--db", db, "--json")
	var added struct{ Token string }
	if code != 0 || json.Unmarshal([]byte(out), &added) != nil || added.Token == "" {
		t.Fatalf("source add: exit %d: %s%s", code, out, errOut)
	}

	// A witness runs through all the rounds, checking and cosigning the
	// log every 50ms; the server comes back on the same address each time.
	wkey := filepath.Join(dir, "witness.key")
	out, errOut, code = cli(t, "witness", "keygen", "observer.invalid/crash", "--key", wkey, "--json")
	var wk struct {
		VerifierKey string `json:"verifier_key"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &wk) != nil {
		t.Fatalf("witness keygen: exit %d: %s%s", code, out, errOut)
	}
	if _, errOut, code := cli(t, "witness", "add", "--db", db, wk.VerifierKey); code != 0 {
		t.Fatalf("witness add: %s", errOut)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	witness := exec.Command(truceBinary(t), "witness", "--log", "http://"+addr, "--key", wkey, "--state", filepath.Join(dir, "witness"),
		"--log-key", keys.VerifierKey, "--interval", "50ms")
	var witnessErr bytes.Buffer
	witness.Stderr = &witnessErr
	if err := witness.Start(); err != nil {
		t.Fatal(err)
	}
	witnessDone := make(chan error, 1)
	go func() { witnessDone <- witness.Wait() }()
	defer witness.Process.Kill()

	rng := rand.New(rand.NewPCG(2026, 50))
	// The mission reads the records whole; the public is shown views.
	lg := &crashLog{t: t, logKey: logKey, served: map[int64]tlog.Hash{}, logged: map[string]bool{},
		missionToken: sourceToken(t, db, "crash-analyst", "analyst")}
	acked := map[string]bool{}  // observation id → acknowledged
	batches := map[string]int{} // batch key → observations sent
	batchAcked := map[string]bool{}
	var killAfters []time.Duration
	var verifyTime, startTime time.Duration
	for round := range rounds + 1 {
		s := time.Now()
		srv := startServer(t, db, "--checkpoint-interval", "50ms", "--addr", addr)
		startTime += time.Since(s)
		v := time.Now()
		lg.verify(srv.url, acked)
		verifyTime += time.Since(v)
		if round == rounds {
			srv.stop(t)
			break
		}

		stopPoll := make(chan struct{})
		polled := make(chan struct{})
		go func() { defer close(polled); lg.poll(srv, stopPoll) }()
		var mu sync.Mutex
		var wg sync.WaitGroup
		for c := range clients {
			seed := rng.Uint64()
			wg.Add(1)
			go func() {
				defer wg.Done()
				crng := rand.New(rand.NewPCG(seed, uint64(c)))
				for b := 0; ; b++ {
					key := fmt.Sprintf("r%02d-c%d-b%04d", round, c, b)
					n := 1 + crng.IntN(maxBatch)
					body, ids := signedBatch(t, priv, key, n)
					mu.Lock()
					batches[key] = n
					mu.Unlock()
					req, _ := http.NewRequest("POST", srv.url+"/v1/observations", bytes.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+added.Token)
					req.Header.Set("Content-Type", "application/x-ndjson")
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						return // the server died: not acknowledged
					}
					answer, err := io.ReadAll(resp.Body)
					resp.Body.Close()
					if err != nil {
						return // the server died while answering: not acknowledged
					}
					var res struct{ Accepted int }
					switch {
					case resp.StatusCode == http.StatusCreated && json.Unmarshal(answer, &res) == nil && res.Accepted == n:
						mu.Lock()
						batchAcked[key] = true
						for _, id := range ids {
							acked[id] = true
						}
						mu.Unlock()
					case resp.StatusCode == http.StatusServiceUnavailable:
					default:
						t.Errorf("batch %s: %d %.300s", key, resp.StatusCode, answer)
						return
					}
				}
			}()
		}
		killAfter := time.Duration(50+rng.IntN(450)) * time.Millisecond
		killAfters = append(killAfters, killAfter)
		time.Sleep(killAfter)
		srv.cmd.Process.Signal(syscall.SIGKILL)
		<-srv.exited
		wg.Wait()
		close(stopPoll)
		<-polled
		if t.Failed() {
			t.FailNow()
		}
	}
	if len(acked) == 0 {
		t.Fatal("no batch was acknowledged: the test proved nothing")
	}
	// The witness never saw the log contradict itself, and its
	// cosignatures survived the crashes.
	select {
	case err := <-witnessDone:
		t.Fatalf("the witness exited (%v):\n%s", err, witnessErr.String())
	default:
	}
	witness.Process.Signal(os.Interrupt)
	if err := <-witnessDone; err != nil || strings.Contains(witnessErr.String(), "INCONSISTENT") {
		t.Fatalf("the witness exited with %v:\n%s", err, witnessErr.String())
	}
	cosigned := checkCosignatures(t, db, logKey, wk.VerifierKey)
	var attempted []string
	for key := range batches {
		attempted = append(attempted, key)
	}
	checkStore(t, db, attempted, batchAcked, batches)
	t.Logf("%d rounds in %v (starting the server: %v; verifying after restarts: %v); killed after %v…; %d observations acknowledged, %d entries; %d checkpoints served, each checked after every later restart; %d cosigned by the witness",
		rounds, time.Since(start).Round(time.Millisecond), startTime.Round(time.Millisecond), verifyTime.Round(time.Millisecond), killAfters[:5], len(acked), lg.size, len(lg.served), cosigned)
}

// checkCosignatures opens the store at path and checks that every stored
// checkpoint, with its cosignatures, opens with the log's key and the
// witness's, and returns how many the witness cosigned; none is a failure.
func checkCosignatures(t *testing.T, path string, logKey note.Verifier, witnessKey string) int {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	wv, err := ledger.NewCosignatureVerifier(witnessKey)
	if err != nil {
		t.Fatal(err)
	}
	cps, err := store.Checkpoints(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, cp := range cps {
		msg := cp.Cosigned()
		opened, err := note.Open(msg, note.VerifierList(logKey, wv))
		if err != nil {
			t.Fatalf("stored checkpoint %d: %v\n%s", cp.Size, err, msg)
		}
		if len(opened.Sigs) == 2 {
			n++
		}
	}
	if n == 0 {
		t.Fatalf("the witness cosigned none of the %d checkpoints", len(cps))
	}
	return n
}

// signedBatch returns an NDJSON batch of n observations signed with priv,
// with ids "<key>-<i>", and the ids.
func signedBatch(t *testing.T, priv ed25519.PrivateKey, key string, n int) ([]byte, []string) {
	var b bytes.Buffer
	ids := make([]string, n)
	for i := range n {
		lon, lat := 36.5+float64(i)/10000, 48.0+float64(len(key)%7)/1000
		o := &truce.Observation{
			ID: fmt.Sprintf("%s-%03d", key, i), Kind: truce.KindFire, TimePrecision: truce.PrecisionMinute,
			ObservedAt: time.Date(2025, 3, 1+i%28, i%24, i%60, 0, 0, time.UTC),
			Location:   truce.Location{Lon: &lon, Lat: &lat, UncertaintyM: 375},
		}
		if err := truce.SignObservation(priv, o); err != nil {
			t.Error(err)
		}
		line, err := json.Marshal(o)
		if err != nil {
			t.Error(err)
		}
		b.Write(line)
		b.WriteByte('\n')
		ids[i] = o.ID
	}
	return b.Bytes(), ids
}

// crashLog is what TestCrash knows of the log: the tree hashes it computed
// itself from the entries, the observations logged, and every checkpoint
// served.
type crashLog struct {
	t      *testing.T
	logKey note.Verifier
	hashes []tlog.Hash // stored hashes, as tlog numbers them
	size   int64       // entries hashed
	logged map[string]bool
	// missionToken is an analyst's, to read the records whole.
	missionToken string

	mu     sync.Mutex
	served map[int64]tlog.Hash // size → root of every checkpoint served
}

func (l *crashLog) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x >= int64(len(l.hashes)) {
			return nil, fmt.Errorf("no hash %d", x)
		}
		out[i] = l.hashes[x]
	}
	return out, nil
}

// see records a checkpoint served; a second root for a size is a fork.
func (l *crashLog) see(msg []byte) {
	cp, _, err := ledger.Open(msg, note.VerifierList(l.logKey))
	if err != nil {
		l.t.Errorf("served checkpoint does not open with the log's key: %v\n%s", err, msg)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if root, ok := l.served[cp.Size]; ok && root != cp.Root {
		l.t.Errorf("two checkpoints of size %d were served with different roots", cp.Size)
	}
	l.served[cp.Size] = cp.Root
}

// poll fetches GET /checkpoint until stop is closed.
func (l *crashLog) poll(srv *server, stop chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-time.After(10 * time.Millisecond):
		}
		resp, err := http.Get(srv.url + "/checkpoint")
		if err != nil {
			continue
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode == http.StatusOK {
			l.see(b)
		}
	}
}

// verify checks the restarted server's log: see TestCrash.
func (l *crashLog) verify(url string, acked map[string]bool) {
	t := l.t
	t.Helper()
	msg, latest := latestCheckpoint(t, url, l.logKey)
	l.see(msg)
	if latest.Size < l.size {
		t.Fatalf("the log has %d entries after a restart, fewer than the %d seen before", latest.Size, l.size)
	}
	// Hash the entries added since the last restart. The earlier ones are
	// held to their hashes by the checkpoints' consistency below.
	for l.size < latest.Size {
		_, b := httpGet(t, fmt.Sprintf("%s/v1/log/entries?start=%d&end=%d", url, l.size, min(l.size+1000, latest.Size)))
		var page []struct {
			Index         int64
			Type          truce.EntryType
			Time          string
			Submitter     string
			Data          json.RawMessage
			ContentSHA256 string `json:"content_sha256"`
		}
		if err := json.Unmarshal(b, &page); err != nil || len(page) == 0 {
			t.Fatalf("GET /v1/log/entries from %d: %v: %.200s", l.size, err, b)
		}
		for _, pe := range page {
			if pe.Index != l.size {
				t.Fatalf("entry %d where %d was due: the log has a gap", pe.Index, l.size)
			}
			at, err := time.Parse(time.RFC3339Nano, pe.Time)
			if err != nil {
				t.Fatalf("entry %d: %v", pe.Index, err)
			}
			e := &truce.Entry{Index: pe.Index, Type: pe.Type, Time: at, Submitter: pe.Submitter, Data: pe.Data}
			if h := e.ContentHash(); hex.EncodeToString(h[:]) != pe.ContentSHA256 {
				t.Fatalf("entry %d: content hash %s, the served bytes hash to %x", pe.Index, pe.ContentSHA256, h)
			}
			hs, err := tlog.StoredHashes(l.size, e.Encode(), l)
			if err != nil {
				t.Fatal(err)
			}
			l.hashes = append(l.hashes, hs...)
			l.size++
			if e.Type == truce.EntryObservation {
				// The public form: the signature is in the withheld
				// source group, which the entry commits to.
				var o struct {
					ID          string
					Commitments map[string]string
				}
				if err := json.Unmarshal(e.Data, &o); err != nil || o.Commitments["source"] == "" {
					t.Fatalf("entry %d: an observation not sealed (%v): %s", e.Index, err, e.Data)
				}
				if l.logged[o.ID] {
					t.Fatalf("entry %d: observation %s is logged twice", e.Index, o.ID)
				}
				l.logged[o.ID] = true
			}
		}
	}
	root, err := tlog.TreeHash(l.size, l)
	if err != nil {
		t.Fatal(err)
	}
	if root != latest.Root {
		t.Fatalf("the latest checkpoint of size %d has root %v; the entries' root is %v", latest.Size, latest.Root, root)
	}
	var lr struct{ Root string }
	if _, b := httpGet(t, url+"/v1/log/root"); json.Unmarshal(b, &lr) != nil || lr.Root != root.String() {
		t.Fatalf("GET /v1/log/root = %s, the entries' root is %v", b, root)
	}
	// The sources' own ids of what the log holds, with their signatures,
	// from the mission's records.
	public := map[string]string{} // the source's id → public id
	for cursor := ""; ; {
		var page struct {
			Observations []struct {
				ID        string `json:"id"`
				PublicID  string `json:"public_id"`
				Signature string `json:"signature"`
			}
			Next string
		}
		req, _ := http.NewRequest("GET", url+"/v1/observations?limit=1000&cursor="+cursor, nil)
		req.Header.Set("Authorization", "Bearer "+l.missionToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err := json.Unmarshal(b, &page); err != nil {
			t.Fatalf("GET /v1/observations: %v: %.200s", err, b)
		}
		for _, o := range page.Observations {
			if o.Signature == "" {
				t.Fatalf("observation %s is stored without its signature", o.ID)
			}
			public[o.ID] = o.PublicID
		}
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	for id := range acked {
		if p := public[id]; p == "" || !l.logged[p] {
			t.Fatalf("acknowledged observation %s (public id %q) is not in the log after a restart", id, p)
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for size, old := range l.served {
		if size > latest.Size {
			t.Fatalf("a checkpoint of size %d was served; after a restart the latest is of size %d: the log rolled back", size, latest.Size)
		}
		if mine, err := tlog.TreeHash(size, l); err != nil || mine != old {
			t.Fatalf("a checkpoint of size %d was served with root %v; the entries' root is %v (%v)", size, old, mine, err)
		}
		if size == latest.Size {
			continue
		}
		_, b := httpGet(t, fmt.Sprintf("%s/v1/log/proof/consistency?old=%d&new=%d", url, size, latest.Size))
		p, err := ledger.DecodeConsistencyProof(b)
		if err != nil {
			t.Fatalf("consistency proof %d → %d: %v", size, latest.Size, err)
		}
		if err := ledger.CheckConsistency(p.Proof, size, latest.Size, old, latest.Root); err != nil {
			t.Fatalf("the checkpoint of size %d served before is not consistent with the latest, of size %d: %v", size, latest.Size, err)
		}
	}
}

// checkStore opens the store at path and checks that every acknowledged
// batch of the attempted ones is stored whole and no batch in part (sizes
// gives each batch's size; an observation's batch is its id up to the last
// '-'), that the log has no gap, that its projection matches it, and that
// the stored Merkle tree is the RFC 6962 tree of its entries.
func checkStore(t *testing.T, path string, attempted []string, acked map[string]bool, sizes map[string]int) {
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
	projected := map[string]string{} // public id → the source's id
	for cursor := ""; ; {
		page, err := store.FindObservations(ctx, truce.ObservationFilter{Limit: truce.MaxPageSize, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Observations {
			projected[o.PublicID] = o.ID
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
		pub, err := truce.DecodeSealed(e.Data)
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		id, ok := projected[pub.ID]
		if !ok {
			t.Fatalf("entry %d (%s) is not projected", i, pub.ID)
		}
		perBatch[id[:strings.LastIndexByte(id, '-')]]++
		logged++
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
		n, batchSize := perBatch[key], sizes[key]
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
	// Searching by source is the mission's: which source filed what is
	// withheld from the public.
	var page struct{ Observations []truce.ObservationRecord }
	sreq, _ := http.NewRequest("GET", url+"/v1/observations?source=ua-air-force&limit=5", nil)
	sreq.Header.Set("Authorization", "Bearer "+tokens["analyst"])
	if sresp, err := http.DefaultClient.Do(sreq); err != nil {
		t.Fatal(err)
	} else {
		json.NewDecoder(sresp.Body).Decode(&page)
		sresp.Body.Close()
	}
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
