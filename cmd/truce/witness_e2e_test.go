//go:build !race

package main_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/truce-monitor/truce/ledger"
)

// cli runs the truce binary and returns its stdout, stderr and exit code.
func cli(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(truceBinary(t), args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("truce %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errb.String(), code
}

// stop interrupts the server and waits for it to exit.
func (s *server) stop(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		t.Fatal("server did not stop within 30s of an interrupt")
	}
}

// httpGet fetches url and returns the status and body.
func httpGet(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
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

// postBatch posts an NDJSON batch and fails the test unless it is stored.
func postBatch(t *testing.T, url, token string, body []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/v1/observations", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST batch: %d %s", resp.StatusCode, b)
	}
}

// latestCheckpoint waits until the server's checkpoint covers its whole
// log and returns it, opened with the log's key.
func latestCheckpoint(t *testing.T, url string, logKey note.Verifier) ([]byte, *ledger.Checkpoint) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var size struct{ Size int64 }
		if _, b := httpGet(t, url+"/v1/log/size"); json.Unmarshal(b, &size) != nil {
			t.Fatalf("GET /v1/log/size: %s", b)
		}
		status, msg := httpGet(t, url+"/checkpoint")
		if status == 200 {
			cp, _, err := ledger.Open(msg, note.VerifierList(logKey))
			if err != nil {
				t.Fatalf("served checkpoint does not open with the log's key: %v\n%s", err, msg)
			}
			if cp.Size == size.Size {
				return msg, cp
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint of the whole log (%d entries) within 15s; last %d %s", size.Size, status, msg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// copyStore copies a stopped server's store file to a new path.
func copyStore(t *testing.T, from, to string) {
	t.Helper()
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(from + suffix)
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWitness runs "truce witness" as a party would, against real servers:
// it pins the log's key, cosigns the log's checkpoints as the log grows and
// the log serves its cosignature; then, shown a fork of the log (a copy of
// the store fed other entries, signed with the same key) and a rolled-back
// log (an older copy), it refuses to cosign, exits 1, prints both
// checkpoints and keeps them as evidence, and goes on cosigning the true
// log.
func TestWitness(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "log.db")
	keyFile := db + ".key"
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
	token := sourceToken(t, db, "osce-team-1", "monitor")

	wkey := filepath.Join(dir, "observer.key")
	out, errOut, code = cli(t, "witness", "keygen", "observer.invalid/ua", "--key", wkey, "--json")
	if code != 0 {
		t.Fatalf("witness keygen: %s", errOut)
	}
	var wk struct {
		VerifierKey string `json:"verifier_key"`
	}
	json.Unmarshal([]byte(out), &wk)
	if fi, err := os.Stat(wkey); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("witness key file: %v, %v", fi, err)
	}
	witnessKey, err := ledger.NewCosignatureVerifier(wk.VerifierKey)
	if err != nil {
		t.Fatalf("witness keygen printed %q: %v", out, err)
	}
	if _, errOut, code := cli(t, "witness", "add", "--db", db, wk.VerifierKey); code != 0 {
		t.Fatalf("witness add: %s", errOut)
	}
	if out, _, _ := cli(t, "witness", "list", "--db", db); !strings.Contains(out, wk.VerifierKey) {
		t.Fatalf("witness list does not show the witness:\n%s", out)
	}

	state := filepath.Join(dir, "state")
	witness := func(url string, extra ...string) (string, int) {
		t.Helper()
		_, errOut, code := cli(t, append([]string{"witness", "--log", url, "--key", wkey, "--state", state, "--once"}, extra...)...)
		return errOut, code
	}
	// cosigned checks that the log serves checkpoint cp cosigned by the
	// witness.
	cosigned := func(url string, cp *ledger.Checkpoint) {
		t.Helper()
		_, msg := httpGet(t, fmt.Sprintf("%s/v1/checkpoints/%d", url, cp.Size))
		n, err := note.Open(msg, note.VerifierList(logKey, witnessKey))
		if err != nil || len(n.Sigs) != 2 {
			t.Fatalf("checkpoint %d is not served cosigned by the witness (%v):\n%s", cp.Size, err, msg)
		}
		if _, err := note.Open(msg, note.VerifierList(logKey)); err != nil {
			t.Fatalf("the cosigned checkpoint does not open with the log's key alone: %v", err)
		}
	}

	srv := startServer(t, db, "--checkpoint-interval", "50ms")
	postBatch(t, srv.url, token, batchBody(0, 0, 10))
	_, cpA1 := latestCheckpoint(t, srv.url, logKey)
	if errOut, code := witness(srv.url); code != 2 || !strings.Contains(errOut, "--log-key") {
		t.Fatalf("first witness run without --log-key: exit %d, %s", code, errOut)
	}
	if errOut, code := witness(srv.url, "--log-key", keys.VerifierKey); code != 0 {
		t.Fatalf("witness: exit %d:\n%s", code, errOut)
	}
	cosigned(srv.url, cpA1)
	srv.stop(t)
	older := filepath.Join(dir, "older.db")
	copyStore(t, db, older)
	srv = startServer(t, db, "--checkpoint-interval", "50ms")
	postBatch(t, srv.url, token, batchBody(1, 0, 10))
	_, cpA2 := latestCheckpoint(t, srv.url, logKey)
	if errOut, code := witness(srv.url); code != 0 {
		t.Fatalf("witness of the grown log: exit %d:\n%s", code, errOut)
	}
	cosigned(srv.url, cpA2)
	if _, _, code := cli(t, "witness", "--log", srv.url, "--key", wkey, "--state", state, "--once", "--log-key", strings.Replace(keys.VerifierKey, "+", "x+", 1)); code == 0 {
		t.Fatal("the witness took another log key than the pinned one")
	}
	srv.stop(t)

	// The fork: a copy of the log fed other entries, under the same key.
	fork := filepath.Join(dir, "fork.db")
	copyStore(t, db, fork)
	srv = startServer(t, db, "--checkpoint-interval", "50ms")
	defer srv.stop(t)
	forked := startServer(t, fork, "--key", keyFile, "--checkpoint-interval", "50ms")
	defer forked.stop(t)
	postBatch(t, srv.url, token, batchBody(2, 0, 7))
	postBatch(t, forked.url, token, batchBody(2, 1, 9))
	msgA3, cpA3 := latestCheckpoint(t, srv.url, logKey)
	msgB, cpB := latestCheckpoint(t, forked.url, logKey)
	// The witness sees the true log first; the fork then contradicts it.
	if errOut, code := witness(srv.url); code != 0 {
		t.Fatalf("witness: exit %d:\n%s", code, errOut)
	}
	cosigned(srv.url, cpA3)

	rolledBack := startServer(t, older, "--key", keyFile, "--checkpoint-interval", "50ms")
	defer rolledBack.stop(t)
	msgC, cpC := latestCheckpoint(t, rolledBack.url, logKey)
	if cpC.Size >= cpA2.Size {
		t.Fatalf("the older copy has %d entries, not fewer than %d", cpC.Size, cpA2.Size)
	}
	for _, bad := range []struct {
		name, url string
		msg       []byte
		cp        *ledger.Checkpoint
		reason    string
	}{
		{"fork", forked.url, msgB, cpB, "the log has forked"},
		{"rollback", rolledBack.url, msgC, cpC, "the log has rolled back"},
	} {
		before, _ := os.ReadDir(state)
		_, servedBefore := httpGet(t, fmt.Sprintf("%s/v1/checkpoints/%d", bad.url, bad.cp.Size))
		errOut, code := witness(bad.url)
		if code != 1 {
			t.Fatalf("%s: witness exit %d, want 1:\n%s", bad.name, code, errOut)
		}
		for _, want := range []string{"INCONSISTENT", bad.reason, string(msgA3), string(bad.msg)} {
			if !strings.Contains(errOut, want) {
				t.Errorf("%s: witness stderr lacks %q:\n%s", bad.name, want, errOut)
			}
		}
		// The evidence is kept: both signed checkpoints, which open with
		// the log's key.
		after, _ := os.ReadDir(state)
		if len(after) != len(before)+1 {
			t.Fatalf("%s: state dir has %d entries, had %d: no evidence saved", bad.name, len(after), len(before))
		}
		var evidence string
		for _, e := range after {
			if strings.HasPrefix(e.Name(), "inconsistency-") && !strings.Contains(fmt.Sprint(before), e.Name()) {
				evidence = filepath.Join(state, e.Name())
			}
		}
		oldMsg, err1 := os.ReadFile(filepath.Join(evidence, "old.checkpoint"))
		newMsg, err2 := os.ReadFile(filepath.Join(evidence, "new.checkpoint"))
		if err1 != nil || err2 != nil || string(oldMsg) != string(msgA3) || string(newMsg) != string(bad.msg) {
			t.Fatalf("%s: evidence in %s: %v %v\n%s\n%s", bad.name, evidence, err1, err2, oldMsg, newMsg)
		}
		for _, m := range [][]byte{oldMsg, newMsg} {
			if _, _, err := ledger.Open(m, note.VerifierList(logKey)); err != nil {
				t.Errorf("%s: evidence does not open with the log's key: %v", bad.name, err)
			}
		}
		// Nothing was cosigned.
		if _, msg := httpGet(t, fmt.Sprintf("%s/v1/checkpoints/%d", bad.url, bad.cp.Size)); string(msg) != string(servedBefore) {
			t.Errorf("%s: the log's checkpoint changed from\n%s\nto\n%s", bad.name, servedBefore, msg)
		}
	}
	// The witness still vouches for the true log as it grows.
	postBatch(t, srv.url, token, batchBody(3, 0, 5))
	_, cpA4 := latestCheckpoint(t, srv.url, logKey)
	if errOut, code := witness(srv.url); code != 0 {
		t.Fatalf("witness of the true log after the fork: exit %d:\n%s", code, errOut)
	}
	cosigned(srv.url, cpA4)
}
