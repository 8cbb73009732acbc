package httpapi_test

import (
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/httpapi"
)

// TestHTMLSecurityHeaders checks the headers of the HTML page: a
// Content-Security-Policy that allows no script at all and the page's own
// style only by its hash, no framing, no referrer; and that the page has
// no inline script or event handler the policy would have to allow.
func TestHTMLSecurityHeaders(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	r := e.get("/")
	if r.status != 200 {
		t.Fatalf("GET /: %d", r.status)
	}
	csp := r.header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-") {
		t.Errorf("CSP %q allows something unsafe", csp)
	}
	body := string(r.body)
	if regexp.MustCompile(`(?i)<script|\son[a-z]+\s*=|javascript:`).MatchString(body) {
		t.Error("the page has script, an event handler or a javascript: URL")
	}
	for _, m := range regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindAllStringSubmatch(body, -1) {
		h := sha256.Sum256([]byte(m[1]))
		if want := "'sha256-" + base64.StdEncoding.EncodeToString(h[:]) + "'"; !strings.Contains(csp, want) {
			t.Errorf("CSP %q does not allow the page's style (%s)", csp, want)
		}
	}
	for h, want := range map[string]string{
		"X-Frame-Options":        "DENY",
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
	} {
		if got := r.header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	// Every response says nosniff, JSON included.
	if got := e.get("/v1/log/size").header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("JSON response: X-Content-Type-Options = %q", got)
	}
}
