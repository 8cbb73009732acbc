package ledger_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/ledger"
)

// forkedStore appends the first n test entries, of which those from at on
// differ from the test log's.
func forkedStore(t *testing.T, n, at int) *memStore {
	t.Helper()
	s := &memStore{}
	for i := range n {
		e := testEntry(i)
		if i >= at {
			e.Data = fmt.Appendf(nil, `{"id":"forged-%d","kind":"artillery"}`, i)
		}
		s.appendLeaf(t, ledger.LeafHash(e))
	}
	return s
}

// TestWitnessCosign runs a witness over checkpoints of a log and of a fork
// of it, both signed with the log's key: it cosigns what extends what it
// saw, and for a rollback, a second root for a size or a proof that does
// not verify it refuses with both checkpoints as evidence.
func TestWitnessCosign(t *testing.T) {
	skey, vkey := seededNoteKey("truce.invalid/log/w", "witness test log")
	signer, err := ledger.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	wskey, wvkey := seededWitnessKey("witness.invalid/ua", "witness test witness")
	cosigner, err := ledger.NewCosigner(wskey)
	if err != nil {
		t.Fatal(err)
	}
	w, err := ledger.NewWitness(vkey, cosigner)
	if err != nil {
		t.Fatal(err)
	}
	if w.Origin() != signer.Name() {
		t.Fatalf("Origin = %q", w.Origin())
	}
	main, fork := buildStore(t, 12), forkedStore(t, 12, 6)
	signed := func(s *memStore, size int64) []byte {
		t.Helper()
		root, err := ledger.Root(size, s)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := ledger.Sign(&ledger.Checkpoint{Origin: signer.Name(), Size: size, Root: root}, signer)
		if err != nil {
			t.Fatal(err)
		}
		return msg
	}
	proofFrom := func(s *memStore) ledger.ProofFunc {
		return func(old, new int64) (tlog.TreeProof, error) { return ledger.ProveConsistency(old, new, s) }
	}
	otherSkey, _ := seededNoteKey("truce.invalid/log/w", "another key of the same name")
	otherSigner, _ := ledger.NewSigner(otherSkey)
	root7, _ := ledger.Root(7, main)
	impostor, _ := ledger.Sign(&ledger.Checkpoint{Origin: signer.Name(), Size: 7, Root: root7}, otherSigner)
	noProof := func(old, new int64) (tlog.TreeProof, error) { return nil, errors.New("connection refused") }

	tests := []struct {
		name      string
		prev, msg []byte
		proof     ledger.ProofFunc
		// fork is the start of the reason of an inconsistency; "" means
		// the checkpoint is cosigned, unless err says what else fails.
		fork, err string
	}{
		{name: "first checkpoint", msg: signed(main, 5), proof: noProof},
		{name: "same checkpoint", prev: signed(main, 5), msg: signed(main, 5), proof: noProof},
		{name: "grown", prev: signed(main, 5), msg: signed(main, 12), proof: proofFrom(main)},
		{name: "grown from empty", prev: signed(main, 0), msg: signed(main, 3), proof: proofFrom(main)},
		{name: "shared prefix of the fork", prev: signed(main, 4), msg: signed(fork, 12), proof: proofFrom(fork)},
		{name: "rolled back", prev: signed(main, 9), msg: signed(main, 7), proof: proofFrom(main), fork: "the log has rolled back"},
		{name: "forked, same size", prev: signed(main, 7), msg: signed(fork, 7), proof: proofFrom(fork), fork: "the log has forked: it signed two checkpoints of size 7 with different roots"},
		{name: "forked, larger", prev: signed(main, 7), msg: signed(fork, 12), proof: proofFrom(fork), fork: "the log has forked: its checkpoint of size 12 does not extend"},
		{name: "lying proof", prev: signed(main, 7), msg: signed(main, 12), proof: proofFrom(fork), fork: "the log has forked"},
		{name: "short proof", prev: signed(main, 7), msg: signed(main, 12), proof: func(old, new int64) (tlog.TreeProof, error) {
			p, err := ledger.ProveConsistency(old, new, main)
			return p[1:], err
		}, fork: "the log has forked"},
		{name: "proof unavailable", prev: signed(main, 7), msg: signed(main, 12), proof: noProof, err: "connection refused"},
		{name: "another key", msg: impostor, proof: noProof, err: "not signed by a known key"},
		{name: "unsigned", msg: []byte("truce.invalid/log/w\n7\n" + strings.Repeat("A", 43) + "=\n"), proof: noProof, err: "open signed checkpoint"},
		{name: "bad last checkpoint", prev: impostor, msg: signed(main, 9), proof: proofFrom(main), err: "the last checkpoint the witness verified"},
	}
	at := time.Date(2025, 3, 14, 6, 30, 0, 0, time.UTC)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cp, line, err := w.Cosign(tt.prev, tt.msg, tt.proof, at)
			var ie *ledger.InconsistencyError
			switch {
			case tt.fork != "":
				if !errors.As(err, &ie) {
					t.Fatalf("Cosign = %v, %q, %v; want an inconsistency", cp, line, err)
				}
				if !strings.HasPrefix(ie.Reason, tt.fork) || string(ie.Old) != string(tt.prev) || string(ie.New) != string(tt.msg) {
					t.Errorf("inconsistency %q with\n%s\nand\n%s", ie.Reason, ie.Old, ie.New)
				}
				if !strings.Contains(err.Error(), "log truce.invalid/log/w is inconsistent") {
					t.Errorf("error %q does not name the log", err)
				}
				if line != "" {
					t.Errorf("cosigned %q despite the inconsistency", line)
				}
			case tt.err != "":
				if err == nil || errors.As(err, &ie) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Cosign error %v, want one containing %q and no inconsistency", err, tt.err)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				body, _ := cp.Marshal()
				if !strings.HasPrefix(string(tt.msg), string(body)+"\n") {
					t.Errorf("checkpoint %q is not the note's body", body)
				}
				v, _ := ledger.NewCosignatureVerifier(wvkey)
				if got, err := ledger.VerifyCosignature(body, line, v); err != nil || !got.Equal(at) {
					t.Errorf("VerifyCosignature = %v, %v", got, err)
				}
				lv, _ := ledger.NewVerifier(vkey)
				n, err := note.Open(append(append([]byte{}, tt.msg...), line...), note.VerifierList(lv, v))
				if err != nil || len(n.Sigs) != 2 {
					t.Errorf("note.Open of the cosigned checkpoint: %v", err)
				}
			}
		})
	}
	if _, err := ledger.NewWitness(wvkey, cosigner); truce.ErrorCode(err) != truce.EINVALID {
		t.Errorf("NewWitness with a witness key as the log's key: %v", err)
	}
}

// FuzzWitnessCosign feeds a witness checkpoints that the log might serve
// and that its state might hold. Whatever the bytes, it must not panic, and
// it may cosign only a note that carries the log's valid signature and is
// consistent with the last checkpoint.
func FuzzWitnessCosign(f *testing.F) {
	skey, vkey := seededNoteKey("truce.invalid/log/w", "witness fuzz log")
	signer, _ := ledger.NewSigner(skey)
	wskey, _ := seededWitnessKey("witness.invalid/ua", "witness fuzz witness")
	cosigner, _ := ledger.NewCosigner(wskey)
	w, err := ledger.NewWitness(vkey, cosigner)
	if err != nil {
		f.Fatal(err)
	}
	main := buildStore(f, 9)
	signed := func(size int64) []byte {
		root, _ := ledger.Root(size, main)
		msg, _ := ledger.Sign(&ledger.Checkpoint{Origin: signer.Name(), Size: size, Root: root}, signer)
		return msg
	}
	f.Add([]byte{}, signed(3))
	f.Add(signed(3), signed(9))
	f.Add(signed(9), signed(3))
	f.Add(signed(5), append(signed(5), "— witness.invalid/ua AAAA\n"...))
	f.Add(signed(5), []byte("truce.invalid/log/w\n5\nAAAA\n\n— truce.invalid/log/w AAAA\n"))
	logKey, _ := ledger.NewVerifier(vkey)
	proof := func(old, new int64) (tlog.TreeProof, error) { return ledger.ProveConsistency(old, new, main) }
	f.Fuzz(func(t *testing.T, prev, msg []byte) {
		if len(prev) == 0 {
			prev = nil
		}
		cp, line, err := w.Cosign(prev, msg, proof, time.Unix(1741933800, 0))
		if err != nil {
			return
		}
		opened, _, oerr := ledger.Open(msg, note.VerifierList(logKey))
		if oerr != nil || opened.Size != cp.Size || opened.Root != cp.Root || line == "" {
			t.Fatalf("cosigned %q (%v)", msg, oerr)
		}
		if root, err := ledger.Root(cp.Size, main); err != nil || root != cp.Root {
			t.Fatalf("cosigned a checkpoint of size %d that the log never signed", cp.Size)
		}
	})
}

// FuzzVerifyCosignature checks that no line but the witness's own
// cosignature verifies.
func FuzzVerifyCosignature(f *testing.F) {
	wskey, wvkey := seededWitnessKey("witness.invalid/ua", "witness fuzz witness")
	c, _ := ledger.NewCosigner(wskey)
	v, _ := ledger.NewCosignatureVerifier(wvkey)
	body := []byte("truce.invalid/log/w\n3\nwITe+XQ0ICrnfI4c5t/mOdYWQDcA+HPQgnB2nRnocF8=\n")
	good, _ := c.Cosign(body, time.Unix(1741933800, 0))
	f.Add(good)
	f.Add(strings.TrimSuffix(good, "\n"))
	f.Add("— witness.invalid/ua AAAA\n")
	f.Add("— witness.invalid/x " + strings.SplitN(good, " ", 3)[2])
	f.Fuzz(func(t *testing.T, line string) {
		if _, err := ledger.VerifyCosignature(body, line, v); err == nil && line != good && line != strings.TrimSuffix(good, "\n") {
			t.Fatalf("line %q verifies as the witness's cosignature", line)
		}
	})
}
