package ledger_test

import (
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/truce-monitor/truce/ledger"
)

// FuzzOpen checks the opening of a signed checkpoint: it never panics, and
// what it accepts is a checkpoint signed by the log's key whose body parses
// again to the same checkpoint.
func FuzzOpen(f *testing.F) {
	skey, vkey, err := ledger.GenerateKey("truce.invalid/log/fuzz")
	if err != nil {
		f.Fatal(err)
	}
	signer, _ := ledger.NewSigner(skey)
	verifier, _ := ledger.NewVerifier(vkey)
	cskey, _, _ := ledger.GenerateCosignerKey("witness.invalid/fuzz")
	cosigner, _ := ledger.NewCosigner(cskey)
	cp := &ledger.Checkpoint{Origin: "truce.invalid/log/fuzz", Size: 3}
	msg, err := ledger.Sign(cp, signer)
	if err != nil {
		f.Fatal(err)
	}
	body, _ := cp.Marshal()
	line, _ := cosigner.Cosign(body, time.Unix(1700000000, 0))
	f.Add(msg)
	f.Add(append(append([]byte{}, msg...), line...))
	f.Add([]byte("truce.invalid/log/fuzz\n3\n" + testRoot + "\n\n— truce.invalid/log/fuzz AAAA\n"))
	f.Add([]byte("\n\n"))
	vs := note.VerifierList(verifier, cosigner.Verifier())
	f.Fuzz(func(t *testing.T, msg []byte) {
		cp, n, err := ledger.Open(msg, vs)
		if err != nil {
			return
		}
		again, err := ledger.ParseCheckpoint([]byte(n.Text))
		if err != nil || again.Origin != cp.Origin || again.Size != cp.Size || again.Root != cp.Root {
			t.Fatalf("opened %q, but its text parses to %+v, %v", msg, again, err)
		}
		if cp.Origin != "truce.invalid/log/fuzz" {
			t.Fatalf("opened a checkpoint of %q with the key of another log", cp.Origin)
		}
	})
}

// FuzzVerifierKeys checks the parsing of verifier keys, the log's and
// the witnesses': never a panic, and a key taken names itself.
func FuzzVerifierKeys(f *testing.F) {
	_, vkey, _ := ledger.GenerateKey("truce.invalid/log/fuzz")
	_, cvkey, _ := ledger.GenerateCosignerKey("witness.invalid/fuzz")
	for _, s := range []string{vkey, cvkey, "a+00000000+AAAA", "+", "name+zzzzzzzz+", vkey + " ", "x+ffffffff+AQ=="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if v, err := ledger.NewVerifier(s); err == nil && v.Name() == "" {
			t.Fatalf("NewVerifier(%q) took a key without a name", s)
		}
		if v, err := ledger.NewCosignatureVerifier(s); err == nil && v.Name() == "" {
			t.Fatalf("NewCosignatureVerifier(%q) took a key without a name", s)
		}
	})
}
