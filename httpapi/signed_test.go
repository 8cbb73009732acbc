package httpapi_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/httpapi"
	"github.com/truce-monitor/truce/storetest"
)

// signedLine decodes line as the server does, signs it with priv and
// returns its JSON.
func signedLine(t *testing.T, priv ed25519.PrivateKey, line string) string {
	t.Helper()
	o, ps := httpapi.DecodeObservation([]byte(line), 0)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if err := truce.SignObservation(priv, o); err != nil {
		t.Fatal(err)
	}
	return jsonOf(t, o)
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSignedIngest registers a source with a key over the API, files
// signed observations, and checks what is refused and what is served.
func TestSignedIngest(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	priv := storetest.Key("sensor-7")
	pub := truce.FormatPublicKey(priv.Public().(ed25519.PublicKey))
	res := e.post("/v1/sources", admin, []byte(`{"name":"sensor-7","role":"sensor","public_key":"`+pub+`"}`))
	if res.status != http.StatusCreated {
		t.Fatalf("register: %d %s", res.status, res.body)
	}
	var reg struct {
		Source *truce.Source `json:"source"`
		Token  string        `json:"token"`
	}
	res.decode(t, &reg)
	if reg.Source.PublicKey != pub {
		t.Fatalf("registered source = %+v, want key %s", reg.Source, pub)
	}
	e.tokens["sensor-7"] = reg.Token

	lines := []string{signedLine(t, priv, obs("sig-1")), signedLine(t, priv, obs("sig-2")), signedLine(t, priv, obs("sig-3"))}
	if res := e.postNDJSON("sensor-7", lines...); res.status != http.StatusCreated {
		t.Fatalf("signed batch: %d %s", res.status, res.body)
	}
	var rec truce.ObservationRecord
	e.getAs(filed("sensor-7", "sig-2"), analyst).decode(t, &rec)
	if err := truce.VerifyObservation(priv.Public().(ed25519.PublicKey), rec.Observation); err != nil || rec.Signature == "" {
		t.Errorf("served record %+v does not verify: %v", rec.Observation, err)
	}
	// The answer to a single signed POST is the record as GET serves it.
	one := signedLine(t, priv, obs("sig-4"))
	res = e.post("/v1/observations", "sensor-7", []byte(one))
	if got := e.getAs(filed("sensor-7", "sig-4"), analyst); res.status != http.StatusCreated || string(res.body) != string(got.body) {
		t.Errorf("POST answered %d %s, GET serves %s", res.status, res.body, got.body)
	}

	tampered := strings.Replace(signedLine(t, priv, obs("sig-5")), `"lat":48.59`, `"lat":48.6`, 1)
	wrongKey := signedLine(t, storetest.Key("not sensor-7"), obs("sig-6"))
	tests := []struct {
		name   string
		lines  []string
		status int
		want   []int // the lines named, at $.signature
	}{
		{"tampered", []string{lines[0], "", tampered}, 403, []int{3}},
		{"wrong key", []string{wrongKey, lines[1]}, 403, []int{1}},
		{"unsigned", []string{obs("sig-7"), lines[2]}, 403, []int{1}},
		{"malformed", []string{obs("sig-8", "signature", `"AAAA"`)}, 400, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.logSize()
			res := e.postNDJSON("sensor-7", tt.lines...)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d: %s", res.status, tt.status, res.body)
			}
			p := res.problem(t)
			if len(p.Errors) != len(tt.want) {
				t.Fatalf("problems %+v, want lines %v", p.Errors, tt.want)
			}
			for i, pr := range p.Errors {
				if pr.Line != tt.want[i] || pr.Path != "$.signature" {
					t.Errorf("problem %+v, want line %d at $.signature", pr, tt.want[i])
				}
			}
			if e.logSize() != before {
				t.Error("a rejected batch was logged")
			}
		})
	}

	// A signature from a source without a key cannot be checked.
	res = e.post("/v1/observations", monitor, []byte(signedLine(t, priv, obs("sig-9"))))
	if p := res.problem(t); res.status != 400 || len(p.Errors) != 1 || p.Errors[0].Path != "$.signature" {
		t.Errorf("signed by a source without a key: %d %s", res.status, res.body)
	}
}

// TestSetSourceKey checks POST /v1/sources/{name}/key.
func TestSetSourceKey(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	pub := truce.FormatPublicKey(storetest.Key("k").Public().(ed25519.PublicKey))
	body := []byte(`{"public_key":"` + pub + `"}`)
	tests := []struct {
		name, as, path string
		body           []byte
		status         int
		problemPath    string
	}{
		{"not admin", monitor, "/v1/sources/" + monitor + "/key", body, 403, ""},
		{"no token", "", "/v1/sources/" + monitor + "/key", body, 401, ""},
		{"unknown source", admin, "/v1/sources/nobody/key", body, 404, ""},
		{"missing key", admin, "/v1/sources/" + monitor + "/key", []byte(`{}`), 400, "$.public_key"},
		{"bad key", admin, "/v1/sources/" + monitor + "/key", []byte(`{"public_key":"abc"}`), 400, "$.public_key"},
		{"unknown field", admin, "/v1/sources/" + monitor + "/key", []byte(`{"public_key":"` + pub + `","key":1}`), 400, "$.key"},
		{"set", admin, "/v1/sources/" + monitor + "/key", body, 201, ""},
		{"set again", admin, "/v1/sources/" + monitor + "/key", body, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.post(tt.path, tt.as, tt.body)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d: %s", res.status, tt.status, res.body)
			}
			if tt.status >= 400 {
				p := res.problem(t)
				if tt.problemPath != "" && (len(p.Errors) == 0 || p.Errors[0].Path != tt.problemPath) {
					t.Errorf("problems %+v, want one at %s", p.Errors, tt.problemPath)
				}
				return
			}
			var s truce.Source
			res.decode(t, &s)
			if s.Name != monitor || s.PublicKey != pub {
				t.Errorf("answer %+v", s)
			}
		})
	}
	src, err := e.db.Source(context.Background(), monitor)
	if err != nil || src.PublicKey != pub {
		t.Errorf("stored source %+v, %v", src, err)
	}
	// Its unsigned observations are now refused.
	if res := e.post("/v1/observations", monitor, []byte(obs("after-key"))); res.status != http.StatusForbidden {
		t.Errorf("unsigned after the key was set: %d %s", res.status, res.body)
	}
}
