package httpapi

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"regexp"
)

// indexCSP is the Content-Security-Policy of the HTML pages: nothing may
// load or run but the page's own style sheet, allowed by its hash; no
// script at all, inline or not; no framing, no forms, no base URL.
var indexCSP = contentSecurityPolicy(indexHTML)

// contentSecurityPolicy returns the policy for a page whose only active
// content is its <style> elements.
func contentSecurityPolicy(page string) string {
	csp := "default-src 'none'; script-src 'none'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; style-src"
	for _, m := range styleRe.FindAllStringSubmatch(page, -1) {
		h := sha256.Sum256([]byte(m[1]))
		csp += " 'sha256-" + base64.StdEncoding.EncodeToString(h[:]) + "'"
	}
	return csp
}

var styleRe = regexp.MustCompile(`(?s)<style>(.*?)</style>`)

// setHTMLHeaders sets the security headers of an HTML page.
func setHTMLHeaders(h http.Header) {
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", indexCSP)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
}

// setCommonHeaders sets the headers of every response: no content
// sniffing, and over TLS, HTTPS only from now on.
func setCommonHeaders(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	if r.TLS != nil {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
}
