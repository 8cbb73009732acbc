package truce_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

var update = flag.Bool("update", false, "rewrite the generated examples in docs/")

// exampleKey is the source key of the worked example in docs/log-format.md.
func exampleKey() ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("truce example source key"))
	return ed25519.NewKeyFromSeed(seed[:])
}

// exampleLine is the observation of the worked example as a client writes
// it: a time with an offset and an upper-case evidence hash, which
// normalization changes, and text that needs escaping.
const exampleLine = `{"id":"osce-2025-03-14-0042","kind":"artillery","observed_at":"2025-03-14T06:30:00+02:00","time_precision":"minute","location":{"lon":37.62,"lat":48.59,"uncertainty_m":500},"counts":{"rounds":12},"weapon_class":"artillery_ge100mm","blamed_party":"RU","text":"12 rounds of 152 mm, <3 km north-east of Часів Яр","lang":"en","evidence":[{"sha256":"0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F","media_type":"audio/wav"}]}`

// cutMembers returns entry data with the source members and the signature
// cut out, as docs/log-format.md §9 tells a verifier to: an oracle for
// SigningBytes that does not use it.
func cutMembers(data string) string {
	for _, m := range []string{"source", "source_role", "source_party", "signature"} {
		data = regexp.MustCompile(`,"`+m+`":"[^"\\]*"`).ReplaceAllString(data, "")
	}
	return data
}

// signatureExample computes the worked example of docs/log-format.md §9,
// checking each value as it goes.
func signatureExample(t *testing.T) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	priv := exampleKey()
	pub := priv.Public().(ed25519.PublicKey)

	var o truce.Observation
	if err := json.Unmarshal([]byte(exampleLine), &o); err != nil {
		t.Fatal(err)
	}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	msg, err := o.SigningBytes()
	if err != nil {
		t.Fatal(err)
	}
	if err := truce.SignObservation(priv, &o); err != nil {
		t.Fatal(err)
	}
	sig, _ := base64.StdEncoding.DecodeString(o.Signature)
	if !ed25519.Verify(pub, msg, sig) {
		t.Fatal("the example signature does not verify")
	}
	posted := o
	posted.Normalize()
	line, _ := json.Marshal(&posted)
	filed := o
	filed.Source, filed.SourceRole = "osce-team-1", truce.RoleMonitor
	data, err := filed.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	if got := cutMembers(string(data)); got != string(msg) {
		t.Fatalf("cutting the members out of the entry data gives\n%s\nnot the signing bytes\n%s", got, msg)
	}
	sealKey := sha256.Sum256([]byte("truce example sealing key"))
	sealed, parts, err := truce.Seal(truce.DefaultDisclosure(), sealKey[:], &filed)
	if err != nil {
		t.Fatal(err)
	}
	entryData, err := sealed.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	partsJSON, err := json.MarshalIndent(parts, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	var keys truce.SourceKeys
	src := &truce.Entry{Index: 0, Type: truce.EntrySource, Time: time.Date(2025, 3, 13, 12, 0, 0, 0, time.UTC), Submitter: "operator",
		Data: []byte(`{"name":"osce-team-1","role":"monitor","public_key":"` + truce.FormatPublicKey(pub) + `","created_at":"2025-03-13T12:00:00Z"}`)}
	ent := &truce.Entry{Index: 1, Type: truce.EntryObservation, Time: time.Date(2025, 3, 14, 4, 31, 2, 0, time.UTC), Submitter: "monitor", Data: entryData}
	if err := keys.Apply(src); err != nil {
		t.Fatal(err)
	}
	if err := keys.CheckObservation(ent, parts); err != nil {
		t.Fatal(err)
	}
	// The signature is in the source group: without it, nothing to check.
	if err := keys.CheckObservation(ent, nil); err != nil {
		t.Fatal(err)
	}
	forged := truce.PrivateParts{}
	for g, v := range parts {
		forged[g] = v
	}
	forged[truce.GroupText] = &truce.SealedGroup{Salt: parts[truce.GroupText].Salt, Value: json.RawMessage(`{"text":"forged"}`)}
	if err := keys.CheckObservation(ent, forged); err == nil {
		t.Fatal("a forged private part passed")
	}

	seed := sha256.Sum256([]byte("truce example source key"))
	p("Seed `%x`; public key, as registered (`truce source add osce-team-1 --role monitor --public-key …`):\n\n```\n%s\n```\n\n", seed[:], truce.FormatPublicKey(pub))
	p("The observation as the client writes it (an offset time, an upper-case evidence hash):\n\n```json\n%s\n```\n\n", exampleLine)
	p("Its signing bytes (%d bytes of UTF-8, SHA-256 `%x`). The time is now UTC, the hash lower case, `<` escaped:\n\n```json\n%s\n```\n\n", len(msg), sha256.Sum256(msg), msg)
	p("The Ed25519 signature of those bytes, in base64 (deterministic, so it reproduces):\n\n```\n%s\n```\n\n", o.Signature)
	p("The line that `truce sign` writes and the client posts:\n\n```json\n%s\n```\n\n", line)
	p("The observation as filed by source `osce-team-1` (a monitor) — the signing bytes with `source` and `source_role` after `id` and the signature last; this is what a reader shown every group rebuilds (`truce.Unseal`) and checks the signature on:\n\n```json\n%s\n```\n\n", data)
	p("The data of the `observation` entry the log keeps: the public form (§ Observations: the public form), sealed under the example sealing key SHA-256(\"truce example sealing key\"). The header's submitter line is `monitor`, the role:\n\n```json\n%s\n```\n\n", entryData)
	p("Its private parts, kept beside the log and disclosed group by group (the signature travels in `source`):\n\n```json\n%s\n```\n", partsJSON)
	return b.String()
}

const (
	sigDocPath  = "docs/log-format.md"
	sigDocBegin = "<!-- BEGIN signature example: generated by `go test . -run TestSignatureDoc -update`; do not edit -->\n"
	sigDocEnd   = "<!-- END signature example -->\n"
)

// TestSignatureDoc checks the worked example of signed observations in
// docs/log-format.md; -update rewrites it.
func TestSignatureDoc(t *testing.T) {
	doc, err := os.ReadFile(sigDocPath)
	if err != nil {
		t.Fatal(err)
	}
	i, j := bytes.Index(doc, []byte(sigDocBegin)), bytes.Index(doc, []byte(sigDocEnd))
	if i < 0 || j < i {
		t.Fatalf("%s has no signature example markers", sigDocPath)
	}
	want := signatureExample(t)
	got := string(doc[i+len(sigDocBegin) : j])
	if *update {
		out := append(append(append([]byte{}, doc[:i+len(sigDocBegin)]...), want...), doc[j:]...)
		if err := os.WriteFile(sigDocPath, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got != want {
		t.Errorf("%s's signature example is out of date; run go test . -run TestSignatureDoc -update\n--- doc\n%s\n--- code\n%s", sigDocPath, got, want)
	}
}

// opensslKey is a private key made by "openssl genpkey -algorithm ed25519",
// and opensslPub its public key as "openssl pkey -pubout" gives it, in the
// form ParsePublicKey reads.
const (
	opensslKey = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIBngp0K/oHIKOF+/wuque43B+AtWCXdNKEdwcxSSX9DY\n-----END PRIVATE KEY-----\n"
	opensslPub = "0cyh0Wbk2Jv1mP1aTVR5d5t+1XUV5mDcH2YFZNXYvCo="
)

func signedObs(t *testing.T, priv ed25519.PrivateKey, id string) *truce.Observation {
	t.Helper()
	o := qaObs()
	o.ID, o.Counts, o.Text = id, &truce.Counts{Rounds: 3}, "three rounds"
	o.Evidence = []truce.Evidence{{SHA256: qaSHA, MediaType: "image/jpeg"}}
	if err := truce.SignObservation(priv, o); err != nil {
		t.Fatal(err)
	}
	return o
}

// TestSigningBytes checks the signing bytes of a small observation against
// bytes written out by hand, and that they leave out exactly the fields the
// store sets and the signature.
func TestSigningBytes(t *testing.T) {
	lon, lat := 37.5, -0.000001
	o := &truce.Observation{ID: "a", Kind: truce.KindMortar, ObservedAt: time.Date(2025, 3, 14, 8, 0, 0, 500000000, time.FixedZone("", 2*3600)),
		TimePrecision: truce.PrecisionSecond, Location: truce.Location{Lon: &lon, Lat: &lat}, Counts: &truce.Counts{},
		Text: "a \"b\" & c\n", Evidence: []truce.Evidence{{SHA256: strings.Repeat("AB", 32)}}}
	want := `{"id":"a","kind":"mortar","observed_at":"2025-03-14T06:00:00.5Z","time_precision":"second","location":{"lon":37.5,"lat":-0.000001},"counts":{},"text":"a \"b\" \u0026 c\n","evidence":[{"sha256":"` + strings.Repeat("ab", 32) + `"}]}`
	got, err := o.SigningBytes()
	if err != nil || string(got) != want {
		t.Fatalf("SigningBytes =\n%s, %v\nwant\n%s", got, err, want)
	}
	filed := *o
	filed.Source, filed.SourceRole, filed.SourceParty, filed.Signature = "ua-liaison", truce.RoleParty, "UA", "x"
	if again, _ := filed.SigningBytes(); string(again) != want {
		t.Errorf("the source fields and the signature change the signing bytes: %s", again)
	}
	if data, _ := filed.Canonical(); cutMembers(string(data)) != want {
		t.Errorf("cutting the members out of %s does not give the signing bytes", data)
	}
}

// TestVerifyObservation checks that every change to what an observation
// says breaks its signature, and that what the store sets, and what
// normalization undoes, does not.
func TestVerifyObservation(t *testing.T) {
	priv := exampleKey()
	pub := priv.Public().(ed25519.PublicKey)
	other := ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey)
	tests := []struct {
		name   string
		change func(o *truce.Observation)
		key    ed25519.PublicKey
		ok     bool
	}{
		{"unchanged", func(*truce.Observation) {}, pub, true},
		{"filed by the store", func(o *truce.Observation) { o.Source, o.SourceRole = "mon", truce.RoleMonitor }, pub, true},
		{"time zone", func(o *truce.Observation) { o.ObservedAt = o.ObservedAt.In(time.FixedZone("", -5*3600)) }, pub, true},
		{"evidence case", func(o *truce.Observation) {
			o.Evidence = []truce.Evidence{{SHA256: strings.ToUpper(o.Evidence[0].SHA256), MediaType: o.Evidence[0].MediaType}}
		}, pub, true},
		{"another key", func(*truce.Observation) {}, other, false},
		{"id", func(o *truce.Observation) { o.ID += "x" }, pub, false},
		{"kind", func(o *truce.Observation) { o.Kind = truce.KindMLRS }, pub, false},
		{"time", func(o *truce.Observation) { o.ObservedAt = o.ObservedAt.Add(time.Nanosecond) }, pub, false},
		{"longitude", func(o *truce.Observation) { x := *o.Location.Lon + 1e-9; o.Location.Lon = &x }, pub, false},
		{"counts", func(o *truce.Observation) { o.Counts = nil }, pub, false},
		{"blamed party", func(o *truce.Observation) { o.BlamedParty = "UA" }, pub, false},
		{"text", func(o *truce.Observation) { o.Text += " " }, pub, false},
		{"evidence", func(o *truce.Observation) { o.Evidence = nil }, pub, false},
		{"supersedes", func(o *truce.Observation) { o.Supersedes = "older" }, pub, false},
		{"no signature", func(o *truce.Observation) { o.Signature = "" }, pub, false},
		{"malformed signature", func(o *truce.Observation) { o.Signature = o.Signature[4:] }, pub, false},
		{"newline in signature", func(o *truce.Observation) { o.Signature = o.Signature[:40] + "\n" + o.Signature[41:] }, pub, false},
		{"signature with padding bits", func(o *truce.Observation) {
			b := []byte(o.Signature)
			b[85] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", b[85])^1]
			o.Signature = string(b)
		}, pub, false},
		{"flipped signature bit", func(o *truce.Observation) {
			b, _ := base64.StdEncoding.DecodeString(o.Signature)
			b[10] ^= 1
			o.Signature = base64.StdEncoding.EncodeToString(b)
		}, pub, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := signedObs(t, priv, "v1")
			tt.change(o)
			err := truce.VerifyObservation(tt.key, o)
			switch {
			case tt.ok && err != nil:
				t.Errorf("VerifyObservation = %v, want nil", err)
			case !tt.ok && truce.ErrorCode(err) != truce.EFORBIDDEN:
				t.Errorf("VerifyObservation = %v, want a forbidden error", err)
			}
		})
	}
}

// TestCheckSignatures checks the lines and codes that CheckSignatures
// reports, over batches large enough to be verified in parallel.
func TestCheckSignatures(t *testing.T) {
	priv := exampleKey()
	pub := priv.Public().(ed25519.PublicKey)
	batch := func(n int, bad ...int) []*truce.Observation {
		obs := make([]*truce.Observation, n)
		for i := range obs {
			obs[i] = signedObs(t, priv, fmt.Sprintf("c-%d", i))
		}
		for _, i := range bad {
			obs[i].Text = "changed after signing"
		}
		return obs
	}
	tests := []struct {
		name  string
		key   ed25519.PublicKey
		obs   []*truce.Observation
		code  string
		lines []int
	}{
		{"all good", pub, batch(300), "", nil},
		{"one", pub, batch(1, 0), truce.EFORBIDDEN, []int{0}},
		{"some bad", pub, batch(300, 0, 17, 255, 299), truce.EFORBIDDEN, []int{1, 18, 256, 300}},
		{"no key, none signed", nil, []*truce.Observation{qaObs(), qaObs()}, "", nil},
		{"no key, signed", nil, append([]*truce.Observation{qaObs()}, batch(2)...), truce.EINVALID, []int{2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := truce.CheckSignatures("src", tt.key, tt.obs, nil)
			if code := truce.ErrorCode(err); code != tt.code {
				t.Fatalf("code %q (%v), want %q", code, err, tt.code)
			}
			var lines []int
			for _, p := range truce.ErrorProblems(err) {
				lines = append(lines, p.Line)
				if p.Path != "$.signature" {
					t.Errorf("problem at %q, want $.signature", p.Path)
				}
			}
			if fmt.Sprint(lines) != fmt.Sprint(tt.lines) && len(tt.lines)+len(lines) > 0 {
				t.Errorf("lines %v, want %v", lines, tt.lines)
			}
		})
	}
}

func TestParsePublicKey(t *testing.T) {
	good := truce.FormatPublicKey(exampleKey().Public().(ed25519.PublicKey))
	if k, err := truce.ParsePublicKey(good); err != nil || truce.FormatPublicKey(k) != good {
		t.Errorf("ParsePublicKey(%q) = %x, %v", good, k, err)
	}
	if _, err := truce.ParsePublicKey(opensslPub); err != nil {
		t.Errorf("openssl's public key: %v", err)
	}
	for _, bad := range []string{
		"", good[:43], good + "=", " " + good, good[:43] + "\n",
		strings.NewReplacer("+", "-", "/", "_").Replace("+/" + good[2:]), // URL alphabet
		good[:42] + "N=", // non-zero padding bits
		base64.StdEncoding.EncodeToString(make([]byte, 31)),                   // too short
		base64.StdEncoding.EncodeToString(make([]byte, 64)),                   // a signature's length
		"truce.example+0fc4e977+AVeqJVfMMfmOqxwR5oBlenguWAUDly/CeAGVmVwWlShK", // a note verifier key
	} {
		if _, err := truce.ParsePublicKey(bad); truce.ErrorCode(err) != truce.EINVALID {
			t.Errorf("ParsePublicKey(%q) = %v, want invalid", bad, err)
		}
	}
}

func TestParsePrivateKey(t *testing.T) {
	priv := exampleKey()
	pemBytes, err := truce.MarshalPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := truce.ParsePrivateKey(pemBytes); err != nil || !got.Equal(priv) {
		t.Errorf("round trip: %v", err)
	}
	o, err := truce.ParsePrivateKey([]byte(opensslKey))
	if err != nil {
		t.Fatalf("openssl's key: %v", err)
	}
	if pub := truce.FormatPublicKey(o.Public().(ed25519.PublicKey)); pub != opensslPub {
		t.Errorf("openssl's key has public key %s, want %s", pub, opensslPub)
	}
	for name, bad := range map[string]string{
		"empty":          "",
		"not PEM":        "PRIVATE+KEY+x+00000000+AQ==",
		"public key PEM": "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA0cyh0Wbk2Jv1mP1aTVR5d5t+1XUV5mDcH2YFZNXYvCo=\n-----END PUBLIC KEY-----\n",
		"bad DER":        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
		"trailing data":  opensslKey + "x",
	} {
		if _, err := truce.ParsePrivateKey([]byte(bad)); truce.ErrorCode(err) != truce.EINVALID {
			t.Errorf("%s: ParsePrivateKey = %v, want invalid", name, err)
		}
	}
}

// TestSourceKeys follows a log through a key's registration and rotation.
func TestSourceKeys(t *testing.T) {
	k1, k2 := exampleKey(), ed25519.NewKeyFromSeed(make([]byte, 32))
	pub := func(k ed25519.PrivateKey) string { return truce.FormatPublicKey(k.Public().(ed25519.PublicKey)) }
	at := time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)
	entry := func(typ truce.EntryType, data string) *truce.Entry {
		return &truce.Entry{Type: typ, Time: at, Submitter: "operator", Data: []byte(data)}
	}
	sealed := map[string]truce.PrivateParts{} // an entry's data → its private parts
	obsEntry := func(source string, priv ed25519.PrivateKey) *truce.Entry {
		o := qaObs()
		if priv != nil {
			if err := truce.SignObservation(priv, o); err != nil {
				t.Fatal(err)
			}
		}
		o.Source, o.SourceRole = source, truce.RoleMonitor
		pub, pp, err := truce.Seal(truce.DefaultDisclosure(), make([]byte, truce.SealingKeySize), o)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := pub.Canonical()
		sealed[string(data)] = pp
		return &truce.Entry{Type: truce.EntryObservation, Time: at, Submitter: "monitor", Data: data}
	}
	steps := []struct {
		e    *truce.Entry
		code string // of CheckObservation
	}{
		{entry(truce.EntrySource, `{"name":"mon","role":"monitor","created_at":"2025-03-14T00:00:00Z"}`), ""},
		{obsEntry("mon", nil), ""},
		{obsEntry("mon", k1), truce.EINVALID},
		{entry(truce.EntrySourceKey, `{"source":"mon","public_key":"`+pub(k1)+`"}`), ""},
		{obsEntry("mon", k1), ""},
		{obsEntry("mon", nil), truce.EFORBIDDEN},
		{obsEntry("mon", k2), truce.EFORBIDDEN},
		{entry(truce.EntrySourceKey, `{"source":"mon","public_key":"`+pub(k2)+`"}`), ""},
		{obsEntry("mon", k2), ""},
		{obsEntry("mon", k1), truce.EFORBIDDEN},
		{entry(truce.EntrySource, `{"name":"sensor","role":"sensor","public_key":"`+pub(k1)+`","created_at":"2025-03-14T00:00:00Z"}`), ""},
		{obsEntry("sensor", k1), ""},
		{obsEntry("mon", k2), ""},
	}
	var keys truce.SourceKeys
	for i, s := range steps {
		if code := truce.ErrorCode(keys.CheckObservation(s.e, sealed[string(s.e.Data)])); code != s.code {
			t.Errorf("step %d (%s): CheckObservation code %q, want %q", i, s.e.Type, code, s.code)
		}
		if err := keys.Apply(s.e); err != nil {
			t.Errorf("step %d: Apply: %v", i, err)
		}
	}
	if got := truce.FormatPublicKey(keys.Key("mon")); got != pub(k2) {
		t.Errorf("key of mon = %s, want %s", got, pub(k2))
	}
	if keys.Key("nobody") != nil {
		t.Error("a key for an unknown source")
	}
	for _, bad := range []*truce.Entry{
		entry(truce.EntrySourceKey, `{"source":"mon"}`),
		entry(truce.EntrySourceKey, `{"source":"mon","public_key":"abc"}`),
		entry(truce.EntrySource, `{"name":"x","public_key":7}`),
	} {
		if err := keys.Apply(bad); truce.ErrorCode(err) != truce.EINVALID {
			t.Errorf("Apply(%s) = %v, want invalid", bad.Data, err)
		}
	}
}

func FuzzParsePublicKey(f *testing.F) {
	f.Add(truce.FormatPublicKey(exampleKey().Public().(ed25519.PublicKey)))
	f.Add(opensslPub)
	f.Add("AAAA")
	f.Add("0cyh0Wbk2Jv1mP1aTVR5d5t+1XUV5mDcH2YFZNXYvCp=")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := truce.ParsePublicKey(s)
		if err != nil {
			if truce.ErrorCode(err) != truce.EINVALID {
				t.Fatalf("error %v is not invalid", err)
			}
			return
		}
		if truce.FormatPublicKey(k) != s {
			t.Fatalf("%q parses to a key formatted %q", s, truce.FormatPublicKey(k))
		}
	})
}

func FuzzParsePrivateKey(f *testing.F) {
	b, _ := truce.MarshalPrivateKey(exampleKey())
	f.Add(b)
	f.Add([]byte(opensslKey))
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := truce.ParsePrivateKey(b)
		if err != nil {
			if truce.ErrorCode(err) != truce.EINVALID {
				t.Fatalf("error %v is not invalid", err)
			}
			return
		}
		// A key that parses signs what its public key verifies.
		msg := []byte("truce")
		if !ed25519.Verify(k.Public().(ed25519.PublicKey), msg, ed25519.Sign(k, msg)) {
			t.Fatal("a parsed key does not sign")
		}
	})
}

// BenchmarkCheckSignatures measures verifying a batch of 1,000 signed
// observations as the store does (signing bytes, base64, Ed25519, on all
// cores), beside ed25519.Verify alone on the same bytes and cores: the
// difference is what truce adds to the raw verification.
func BenchmarkCheckSignatures(b *testing.B) {
	priv := exampleKey()
	pub := priv.Public().(ed25519.PublicKey)
	obs := make([]*truce.Observation, 1000)
	msgs, sigs := make([][]byte, len(obs)), make([][]byte, len(obs))
	for i := range obs {
		var o truce.Observation
		if err := json.Unmarshal([]byte(exampleLine), &o); err != nil {
			b.Fatal(err)
		}
		o.ID = fmt.Sprintf("obs-%d", i)
		if err := truce.SignObservation(priv, &o); err != nil {
			b.Fatal(err)
		}
		obs[i] = &o
		msgs[i], _ = o.SigningBytes()
		sigs[i], _ = base64.StdEncoding.DecodeString(o.Signature)
	}
	b.Run("CheckSignatures", func(b *testing.B) {
		for b.Loop() {
			if err := truce.CheckSignatures("s", pub, obs, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*len(obs))/b.Elapsed().Seconds(), "obs/s")
	})
	b.Run("ed25519.Verify", func(b *testing.B) {
		for b.Loop() {
			var next atomic.Int64
			var wg sync.WaitGroup
			for range runtime.GOMAXPROCS(0) {
				wg.Go(func() {
					for i := int(next.Add(1)) - 1; i < len(msgs); i = int(next.Add(1)) - 1 {
						if !ed25519.Verify(pub, msgs[i], sigs[i]) {
							panic("bad signature")
						}
					}
				})
			}
			wg.Wait()
		}
		b.ReportMetric(float64(b.N*len(obs))/b.Elapsed().Seconds(), "obs/s")
	})
}
