package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/ledger"
)

// newCosigner makes a witness key named name.
func newCosigner(t *testing.T, name string) *ledger.Cosigner {
	t.Helper()
	skey, _, err := ledger.GenerateCosignerKey(name)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ledger.NewCosigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// testWitnesses checks the witness registry: admins register cosignature
// verifier keys as "witness" log entries, repeats change nothing, a name
// keeps its key, and bad keys and other roles are refused.
func testWitnesses(t *testing.T, s truce.Store) {
	if ws, err := s.Witnesses(ctx); err != nil || len(ws) != 0 {
		t.Fatalf("Witnesses of a new store = %v, %v", ws, err)
	}
	admin, _ := MustSource(t, s, "admin-1", "admin")
	mon, _ := MustSource(t, s, "mon", "monitor")
	ua, ru := newCosigner(t, "witness.invalid/ua"), newCosigner(t, "witness.invalid/ru")

	size := logSize(t, s)
	rec, created, err := s.AddWitness(ctx, admin, &truce.Witness{Name: ua.Name(), Key: ua.VerifierKey()})
	if err != nil || !created {
		t.Fatalf("AddWitness = %v, %v, %v", rec, created, err)
	}
	if rec.Name != ua.Name() || rec.Key != ua.VerifierKey() || rec.LogIndex != size || rec.LoggedAt.IsZero() {
		t.Fatalf("AddWitness record = %+v %+v, want log index %d", rec, rec.Witness, size)
	}
	es, err := s.Entries(ctx, size, size+1)
	if err != nil || len(es) != 1 {
		t.Fatalf("Entries = %v, %v", es, err)
	}
	wantData := `{"name":"` + ua.Name() + `","key":"` + ua.VerifierKey() + `"}`
	if e := es[0]; e.Type != truce.EntryWitness || e.Submitter != admin.PublicName || string(e.Data) != wantData {
		t.Fatalf("witness entry = %s %q, want type witness by %s with %s", e, e.Data, admin.PublicName, wantData)
	}
	// The local operator registers too; a repeat changes nothing.
	if _, created, err := s.AddWitness(ctx, nil, &truce.Witness{Name: ru.Name(), Key: ru.VerifierKey()}); err != nil || !created {
		t.Fatalf("AddWitness by the operator: created %v, %v", created, err)
	}
	size = logSize(t, s)
	again, created, err := s.AddWitness(ctx, admin, &truce.Witness{Name: ua.Name(), Key: ua.VerifierKey()})
	if err != nil || created || again.LogIndex != rec.LogIndex {
		t.Fatalf("repeated AddWitness = %+v, created %v, %v; want the first record", again, created, err)
	}

	other := newCosigner(t, ua.Name())
	tests := []struct {
		name string
		by   *truce.Source
		w    *truce.Witness
		code string
	}{
		{"another key for a name", admin, &truce.Witness{Name: ua.Name(), Key: other.VerifierKey()}, truce.ECONFLICT},
		{"monitor", mon, &truce.Witness{Name: "w3", Key: newCosigner(t, "w3").VerifierKey()}, truce.EFORBIDDEN},
		{"no name", admin, &truce.Witness{Key: ua.VerifierKey()}, truce.EINVALID},
		{"no key", admin, &truce.Witness{Name: "w4"}, truce.EINVALID},
		{"name is not the key's", admin, &truce.Witness{Name: "w5", Key: ua.VerifierKey()}, truce.EINVALID},
		{"log key, not a witness key", admin, &truce.Witness{Name: "w6", Key: logVerifierKey(t, "w6")}, truce.EINVALID},
		{"bad key ID", admin, &truce.Witness{Name: "w7", Key: badKeyID(newCosigner(t, "w7").VerifierKey())}, truce.EINVALID},
		{"space in name", admin, &truce.Witness{Name: "w 8", Key: "w 8+00000000+AAAA"}, truce.EINVALID},
	}
	for _, tt := range tests {
		_, _, err := s.AddWitness(ctx, tt.by, tt.w)
		if got := truce.ErrorCode(err); got != tt.code {
			t.Errorf("%s: AddWitness error %q (%v), want %q", tt.name, got, err, tt.code)
		}
	}
	if n := logSize(t, s); n != size {
		t.Errorf("refused registrations changed the log size from %d to %d", size, n)
	}
	ws, err := s.Witnesses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range ws {
		got = append(got, w.Name+"="+w.Key)
	}
	if want := []string{ru.Name() + "=" + ru.VerifierKey(), ua.Name() + "=" + ua.VerifierKey()}; !slices.Equal(got, want) {
		t.Errorf("Witnesses = %q, want %q", got, want)
	}
}

// logVerifierKey returns a new signed-note (type 0x01) verifier key.
func logVerifierKey(t *testing.T, name string) string {
	t.Helper()
	_, vkey, err := ledger.GenerateKey(name)
	if err != nil {
		t.Fatal(err)
	}
	return vkey
}

// badKeyID changes the key ID of a verifier key.
func badKeyID(vkey string) string {
	name, rest, _ := strings.Cut(vkey, "+")
	id, key, _ := strings.Cut(rest, "+")
	flip := "0"
	if id[0] == '0' {
		flip = "1"
	}
	return name + "+" + flip + id[1:] + "+" + key
}

// testCosignatures checks that a store keeps exactly the valid cosignatures
// of registered witnesses, serves them with their checkpoint as a signed
// note that opens with the log's key alone and with the witnesses' keys,
// and refuses the rest: unknown witnesses, bad signatures, cosignatures of
// another size or root, sizes never signed.
func testCosignatures(t *testing.T, s truce.Store) {
	skey, vkey, err := ledger.GenerateKey("truce.invalid/log/storetest")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ledger.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	logKey, err := ledger.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	ua, ru, stranger := newCosigner(t, "witness.invalid/ua"), newCosigner(t, "witness.invalid/ru"), newCosigner(t, "witness.invalid/x")
	for _, c := range []*ledger.Cosigner{ua, ru} {
		if _, _, err := s.AddWitness(ctx, nil, &truce.Witness{Name: c.Name(), Key: c.VerifierKey()}); err != nil {
			t.Fatal(err)
		}
	}
	mon, _ := MustSource(t, s, "mon", "monitor")
	reader := ledger.HashReader(ctx, s)
	// sign stores a checkpoint of the whole log and returns its body.
	sign := func() (*truce.SignedCheckpoint, []byte) {
		t.Helper()
		size := logSize(t, s)
		root, err := tlog.TreeHash(size, reader)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := (&ledger.Checkpoint{Origin: signer.Name(), Size: size, Root: root}).Marshal()
		msg, err := ledger.Sign(&ledger.Checkpoint{Origin: signer.Name(), Size: size, Root: root}, signer)
		if err != nil {
			t.Fatal(err)
		}
		cp := &truce.SignedCheckpoint{Size: size, Root: root, Note: msg, SignedAt: t0}
		if err := s.AddCheckpoint(ctx, cp); err != nil {
			t.Fatal(err)
		}
		return cp, body
	}
	cosign := func(c *ledger.Cosigner, body []byte, at time.Time) string {
		t.Helper()
		line, err := c.Cosign(body, at)
		if err != nil {
			t.Fatal(err)
		}
		return line
	}
	observe := func(id string) {
		t.Helper()
		if _, err := s.AddObservations(ctx, mon, []*truce.Observation{Obs(id, 37, 48, t0)}); err != nil {
			t.Fatal(err)
		}
	}

	observe("cs-1")
	cp1, body1 := sign()
	observe("cs-2")
	cp2, body2 := sign()
	at := time.Date(2025, 3, 14, 6, 30, 0, 0, time.UTC)
	uaLine := cosign(ua, body1, at)
	c, created, err := s.AddCosignature(ctx, cp1.Size, cp1.Root, uaLine)
	if err != nil || !created {
		t.Fatalf("AddCosignature: created %v, %v", created, err)
	}
	if c.Size != cp1.Size || c.Witness != ua.Name() || c.Line != uaLine || !c.SignedAt.Equal(at) {
		t.Errorf("AddCosignature = %+v, want size %d by %s at %v", c, cp1.Size, ua.Name(), at)
	}
	// The first cosignature of a size is kept; the final newline is
	// optional.
	if c, created, err := s.AddCosignature(ctx, cp1.Size, cp1.Root, strings.TrimSuffix(cosign(ua, body1, at.Add(time.Hour)), "\n")); err != nil || created || c.Line != uaLine {
		t.Errorf("a second cosignature of a size: %+v, created %v, %v; want the first kept", c, created, err)
	}
	ruLine := strings.TrimSuffix(cosign(ru, body2, at), "\n")
	if _, created, err := s.AddCosignature(ctx, cp2.Size, cp2.Root, ruLine); err != nil || !created {
		t.Fatalf("AddCosignature without the final newline: created %v, %v", created, err)
	}
	uaLine2 := cosign(ua, body2, at.Add(time.Minute))
	if _, _, err := s.AddCosignature(ctx, cp2.Size, cp2.Root, uaLine2); err != nil {
		t.Fatal(err)
	}

	forgedSig := []byte(cosign(ru, body1, at))
	forgedSig[len(forgedSig)-5] ^= 1 // a base64 digit of the signature
	if forgedSig[len(forgedSig)-5] == '=' || forgedSig[len(forgedSig)-5] == '\n' {
		t.Fatal("test flipped the wrong byte")
	}
	wrongRoot := cp1.Root
	wrongRoot[0] ^= 1
	otherKey := newCosigner(t, ua.Name()) // same name, unregistered key
	tests := []struct {
		name string
		size int64
		root [32]byte
		line string
		code string
	}{
		{"unknown witness", cp1.Size, cp1.Root, cosign(stranger, body1, at), truce.EFORBIDDEN},
		{"bad signature", cp1.Size, cp1.Root, string(forgedSig), truce.EINVALID},
		{"another key of the name", cp1.Size, cp1.Root, cosign(otherKey, body1, at), truce.EINVALID},
		{"cosigns another size", cp1.Size, cp1.Root, cosign(ru, body2, at), truce.EINVALID},
		{"another root", cp1.Size, wrongRoot, cosign(ru, body1, at), truce.ECONFLICT},
		{"no checkpoint of the size", cp1.Size - 1, cp1.Root, cosign(ru, body1, at), truce.ENOTFOUND},
		{"not a line", cp1.Size, cp1.Root, "ru " + cosign(ru, body1, at), truce.EINVALID},
		{"two lines", cp1.Size, cp1.Root, cosign(ru, body1, at) + cosign(ru, body1, at), truce.EINVALID},
		{"empty", cp1.Size, cp1.Root, "", truce.EINVALID},
	}
	for _, tt := range tests {
		_, _, err := s.AddCosignature(ctx, tt.size, tt.root, tt.line)
		if got := truce.ErrorCode(err); got != tt.code {
			t.Errorf("%s: AddCosignature error %q (%v), want %q", tt.name, got, err, tt.code)
		}
	}

	// The checkpoints come back with exactly the cosignatures accepted,
	// ordered by witness name, and open as signed notes.
	want := map[int64][]string{cp1.Size: {uaLine}, cp2.Size: {ruLine + "\n", uaLine2}}
	check := func(cp *truce.SignedCheckpoint) {
		t.Helper()
		var lines []string
		for _, c := range cp.Cosignatures {
			if c.Size != cp.Size {
				t.Errorf("checkpoint %d carries a cosignature of size %d", cp.Size, c.Size)
			}
			lines = append(lines, c.Line)
		}
		if !slices.Equal(lines, want[cp.Size]) {
			t.Errorf("checkpoint %d has cosignatures %q, want %q", cp.Size, lines, want[cp.Size])
		}
		msg := cp.Cosigned()
		if n, err := note.Open(msg, note.VerifierList(logKey)); err != nil || len(n.Sigs) != 1 || len(n.UnverifiedSigs) != len(lines) {
			t.Errorf("checkpoint %d with the log's key alone: %v", cp.Size, err)
		}
		n, err := note.Open(msg, note.VerifierList(logKey, ua.Verifier(), ru.Verifier()))
		if err != nil || len(n.Sigs) != 1+len(lines) {
			t.Errorf("checkpoint %d with the witnesses' keys: %v (%d signatures verified, want %d)", cp.Size, err, len(n.Sigs), 1+len(lines))
		}
	}
	latest, err := s.LatestCheckpoint(ctx)
	if err != nil || latest.Size != cp2.Size {
		t.Fatalf("LatestCheckpoint = %v, %v", latest, err)
	}
	check(latest)
	old, err := s.Checkpoint(ctx, cp1.Size)
	if err != nil || string(old.Note) != string(cp1.Note) || old.Root != cp1.Root {
		t.Fatalf("Checkpoint(%d) = %v, %v", cp1.Size, old, err)
	}
	check(old)
	_, err = s.Checkpoint(ctx, cp1.Size+5)
	wantCode(t, err, truce.ENOTFOUND)
	all, err := s.Checkpoints(ctx)
	if err != nil || len(all) != 2 || all[0].Size != cp1.Size || all[1].Size != cp2.Size {
		t.Fatalf("Checkpoints = %v, %v", all, err)
	}
	for _, cp := range all {
		check(cp)
	}
	if logSize(t, s) != cp2.Size {
		t.Errorf("cosignatures changed the log size: they are not entries")
	}
}
