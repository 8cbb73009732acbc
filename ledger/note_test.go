package ledger_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/ledger"
	"golang.org/x/mod/sumdb/note"
)

const testOrigin = "truce.example/ceasefire-30d-2025"

func signedTestCheckpoint(t *testing.T) (cp *ledger.Checkpoint, msg []byte, vkey string) {
	t.Helper()
	skey, vkey, err := ledger.GenerateKey(testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ledger.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	s := buildStore(t, 10)
	root, _ := ledger.Root(10, s)
	cp = &ledger.Checkpoint{Origin: testOrigin, Size: 10, Root: root}
	msg, err = ledger.Sign(cp, signer)
	if err != nil {
		t.Fatal(err)
	}
	return cp, msg, vkey
}

func TestSignOpen(t *testing.T) {
	cp, msg, vkey := signedTestCheckpoint(t)
	body, _ := cp.Marshal()
	if !strings.HasPrefix(string(msg), string(body)+"\n— "+testOrigin+" ") || !strings.HasSuffix(string(msg), "\n") {
		t.Errorf("signed note =\n%s", msg)
	}
	if !strings.HasPrefix(vkey, testOrigin+"+") {
		t.Errorf("verifier key %q does not start with the origin", vkey)
	}

	// Independent: note.Open with the printed verifier key string.
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		t.Fatalf("note.Open: %v", err)
	}
	if n.Text != string(body) || len(n.Sigs) != 1 || n.Sigs[0].Name != testOrigin {
		t.Errorf("note.Open = %+v", n)
	}

	// ledger.Open.
	lv, err := ledger.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	got, n2, err := ledger.Open(msg, note.VerifierList(lv))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if got.Origin != cp.Origin || got.Size != cp.Size || got.Root != cp.Root || n2.Text != string(body) {
		t.Errorf("Open = %+v", got)
	}
}

func TestOpenRejects(t *testing.T) {
	cp, msg, vkey := signedTestCheckpoint(t)
	v, _ := ledger.NewVerifier(vkey)
	known := note.VerifierList(v)

	// Another key with the same name.
	_, otherVkey, _ := ledger.GenerateKey(testOrigin)
	ov, _ := ledger.NewVerifier(otherVkey)
	_, _, err := ledger.Open(msg, note.VerifierList(ov))
	var unverified *note.UnverifiedNoteError
	if truce.ErrorCode(err) != truce.EINVALID || !errors.As(err, &unverified) {
		t.Errorf("Open with an unknown key = %v, want EINVALID wrapping UnverifiedNoteError", err)
	}

	// A changed body.
	tampered := strings.Replace(string(msg), "\n10\n", "\n11\n", 1)
	_, _, err = ledger.Open([]byte(tampered), known)
	var invalid *note.InvalidSignatureError
	if truce.ErrorCode(err) != truce.EINVALID || !errors.As(err, &invalid) {
		t.Errorf("Open of a changed body = %v, want EINVALID wrapping InvalidSignatureError", err)
	}

	// A valid note whose only known signature is not the log's: a witness
	// signs with an ordinary note key named otherwise.
	wskey, wvkey, _ := ledger.GenerateKey("witness.example/ua")
	ws, _ := ledger.NewSigner(wskey)
	wv, _ := ledger.NewVerifier(wvkey)
	body, _ := cp.Marshal()
	wmsg, _ := note.Sign(&note.Note{Text: string(body)}, ws)
	if _, _, err := ledger.Open(wmsg, note.VerifierList(wv)); err == nil || !strings.Contains(err.Error(), "no valid signature by the log's key") {
		t.Errorf("Open without the log's signature = %v", err)
	}

	// A signed note whose text is not a checkpoint.
	ls, _ := ledger.NewSigner(mustSkey(t))
	lmsg, _ := note.Sign(&note.Note{Text: testOrigin + "\nnot a size\nx\n"}, ls)
	if _, _, err := ledger.Open(lmsg, note.VerifierList(verifierFor(t, ls))); err == nil || !strings.Contains(err.Error(), "line 2 (tree size)") {
		t.Errorf("Open of a non-checkpoint = %v", err)
	}

	// Sign refuses a signer of another name and invalid checkpoints.
	if _, err := ledger.Sign(cp, ws); err == nil {
		t.Error("Sign by a key not named after the origin succeeded")
	}
	if _, err := ledger.Sign(&ledger.Checkpoint{Origin: testOrigin, Size: -1}, ls); err == nil {
		t.Error("Sign of an invalid checkpoint succeeded")
	}

	if _, _, err := ledger.GenerateKey("bad name"); truce.ErrorCode(err) != truce.EINVALID {
		t.Errorf("GenerateKey(bad name) = %v", err)
	}
	if _, err := ledger.NewSigner("PRIVATE+KEY+x"); truce.ErrorCode(err) != truce.EINVALID {
		t.Errorf("NewSigner(bad) = %v", err)
	}
	if _, err := ledger.NewVerifier("x+00000000+AAAA"); truce.ErrorCode(err) != truce.EINVALID {
		t.Errorf("NewVerifier(bad) = %v", err)
	}
}

var fixedSkey, fixedVkey = seededNoteKey(testOrigin, "ledger test log key")

func mustSkey(t *testing.T) string { return fixedSkey }

func verifierFor(t *testing.T, s note.Signer) note.Verifier {
	t.Helper()
	if s.Name() != testOrigin {
		t.Fatal("verifierFor: unknown signer")
	}
	v, err := note.NewVerifier(fixedVkey)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCosignature(t *testing.T) {
	cp, msg, vkey := signedTestCheckpoint(t)
	body, _ := cp.Marshal()
	wskey, wvkey, err := ledger.GenerateCosignerKey("witness.example/ua")
	if err != nil {
		t.Fatal(err)
	}
	w, err := ledger.NewCosigner(wskey)
	if err != nil {
		t.Fatal(err)
	}
	if w.VerifierKey() != wvkey {
		t.Errorf("VerifierKey = %q, want %q", w.VerifierKey(), wvkey)
	}
	wv, err := ledger.NewCosignatureVerifier(wvkey)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 3, 14, 12, 0, 0, 999, time.UTC)
	line, err := w.Cosign(body, at)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(line, "— witness.example/ua ") || !strings.HasSuffix(line, "\n") {
		t.Errorf("line = %q", line)
	}
	got, err := ledger.VerifyCosignature(body, line, wv)
	if err != nil {
		t.Fatalf("VerifyCosignature: %v", err)
	}
	if !got.Equal(at.Truncate(time.Second)) {
		t.Errorf("cosignature time = %v, want %v", got, at.Truncate(time.Second))
	}
	if _, err := ledger.VerifyCosignature(body, strings.TrimSuffix(line, "\n"), wv); err != nil {
		t.Errorf("without final newline: %v", err)
	}

	// Appended to the signed checkpoint, both signatures verify through
	// note.Open (and ledger.Open) when both keys are known.
	cosigned := append(append([]byte{}, msg...), line...)
	lv, _ := note.NewVerifier(vkey)
	n, err := note.Open(cosigned, note.VerifierList(lv, wv))
	if err != nil || len(n.Sigs) != 2 {
		t.Fatalf("note.Open(cosigned) = %+v, %v", n, err)
	}
	if _, n, err := ledger.Open(cosigned, note.VerifierList(lv, wv)); err != nil || len(n.Sigs) != 2 {
		t.Errorf("Open(cosigned) = %v", err)
	}
	// A client that does not know the witness sees it as unverified.
	if _, n, err := ledger.Open(cosigned, note.VerifierList(lv)); err != nil || len(n.UnverifiedSigs) != 1 {
		t.Errorf("Open(cosigned, log only) = %v", err)
	}
	// note.Sign with the Cosigner as a note.Signer adds a cosignature too.
	lnote, _ := note.Open(msg, note.VerifierList(lv))
	resigned, err := note.Sign(lnote, w)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := note.Open(resigned, note.VerifierList(lv, wv)); err != nil || len(n.Sigs) != 2 {
		t.Errorf("note.Sign with Cosigner: %v", err)
	}

	// Rejections.
	raw, _ := base64.StdEncoding.DecodeString(strings.Fields(line)[2])
	flip := func(i int) string {
		b := append([]byte{}, raw...)
		b[i] ^= 1
		return "— witness.example/ua " + base64.StdEncoding.EncodeToString(b) + "\n"
	}
	otherBody := strings.Replace(string(body), "\n10\n", "\n11\n", 1)
	_, otherVkey, _ := ledger.GenerateCosignerKey("witness.example/ua")
	other, _ := ledger.NewCosignatureVerifier(otherVkey)
	bad := []struct {
		name, body, line string
		v                *ledger.CosignatureVerifier
		msg              string
	}{
		{"other body", otherBody, line, wv, "does not verify"},
		{"changed key ID", string(body), flip(0), wv, "key ID"},
		{"changed timestamp", string(body), flip(11), wv, "does not verify"},
		{"changed signature", string(body), flip(40), wv, "does not verify"},
		{"other key", string(body), line, other, ""},
		{"other name", string(body), strings.Replace(line, "/ua ", "/ru ", 1), wv, "want"},
		{"hyphen not em dash", string(body), "-" + strings.TrimPrefix(line, "—"), wv, "not a signature line"},
		{"short", string(body), "— witness.example/ua AAAA\n", wv, "not 76 bytes"},
		{"not a checkpoint", "hello\n", line, wv, "does not verify"},
	}
	for _, tt := range bad {
		if _, err := ledger.VerifyCosignature([]byte(tt.body), tt.line, tt.v); err == nil || !strings.Contains(err.Error(), tt.msg) || truce.ErrorCode(err) != truce.EINVALID {
			t.Errorf("%s: VerifyCosignature = %v, want EINVALID containing %q", tt.name, err, tt.msg)
		}
	}
	// A tampered cosignature fails note.Open as a whole.
	if _, err := note.Open(append(append([]byte{}, msg...), flip(40)...), note.VerifierList(lv, wv)); err == nil {
		t.Error("note.Open accepted a tampered cosignature")
	}
	if _, err := w.Cosign([]byte("not a checkpoint"), at); err == nil {
		t.Error("Cosign of a non-checkpoint succeeded")
	}
	if _, err := w.Cosign(body, time.Unix(-1, 0)); err == nil {
		t.Error("Cosign before 1970 succeeded")
	}
}

// TestCosignatureBytes rebuilds a cosignature from the C2SP
// tlog-cosignature text with crypto/ed25519 alone.
func TestCosignatureBytes(t *testing.T) {
	const name = "witness.example/observer"
	wskey, wvkey := seededWitnessKey(name, "ledger test witness key")
	w, err := ledger.NewCosigner(wskey)
	if err != nil {
		t.Fatal(err)
	}
	if w.VerifierKey() != wvkey {
		t.Errorf("VerifierKey = %q, want %q", w.VerifierKey(), wvkey)
	}
	body := []byte("example.com/behind-the-sofa\n20852163\n" + testRoot + "\n")
	const ts = 1679315147
	line, err := w.Cosign(body, time.Unix(ts, 0))
	if err != nil {
		t.Fatal(err)
	}
	seed := sha256.Sum256([]byte("ledger test witness key"))
	priv := ed25519.NewKeyFromSeed(seed[:])
	pub := priv.Public().(ed25519.PublicKey)
	msg := fmt.Sprintf("cosignature/v1\ntime %d\n%s", ts, body)
	want := binary.BigEndian.AppendUint32(nil, keyID(name, 0x04, pub))
	want = binary.BigEndian.AppendUint64(want, ts)
	want = append(want, ed25519.Sign(priv, []byte(msg))...)
	if wantLine := "— " + name + " " + base64.StdEncoding.EncodeToString(want) + "\n"; line != wantLine {
		t.Errorf("Cosign =\n%q\nwant\n%q", line, wantLine)
	}
	if w.KeyHash() != keyID(name, 0x04, pub) {
		t.Errorf("KeyHash = %08x", w.KeyHash())
	}
}

func TestCosignerKeys(t *testing.T) {
	if _, _, err := ledger.GenerateCosignerKey("has space"); err == nil {
		t.Error("GenerateCosignerKey(has space) succeeded")
	}
	if _, _, err := ledger.GenerateCosignerKey("a+b"); err == nil {
		t.Error("GenerateCosignerKey(a+b) succeeded")
	}
	skey, vkey := seededWitnessKey("w", "k")
	logSkey, logVkey := seededNoteKey("w", "k")
	for _, bad := range []string{"", "PRIVATE+KEY+w", logSkey, strings.Replace(skey, "+w+", "+v+", 1), skey + "A"} {
		if _, err := ledger.NewCosigner(bad); err == nil {
			t.Errorf("NewCosigner(%q) succeeded", bad)
		}
	}
	for _, bad := range []string{"", "w+00000000+", logVkey, strings.Replace(vkey, "w+", "v+", 1), "w+zzzzzzzz+" + strings.SplitN(vkey, "+", 3)[2]} {
		if _, err := ledger.NewCosignatureVerifier(bad); err == nil {
			t.Errorf("NewCosignatureVerifier(%q) succeeded", bad)
		}
	}
	// An ordinary note key cannot verify cosignatures and vice versa: the
	// key IDs differ by the signature type byte.
	if _, err := note.NewVerifier(vkey); err == nil {
		t.Error("note.NewVerifier accepted a cosignature/v1 key")
	}
}
