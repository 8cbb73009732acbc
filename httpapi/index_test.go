package httpapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/httpapi"
	"github.com/truce-monitor/truce/storetest"
)

func TestIndexPage(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	empty := e.get("/")
	if empty.status != 200 || !strings.Contains(string(empty.body), "No agreement has been logged yet.") {
		t.Fatalf("GET / on an empty store: %d %s", empty.status, empty.body)
	}
	a := storetest.Agreement("cf-test", 1)
	a.Title = `Ceasefire "<b>now</b>"`
	if _, _, err := e.db.AddAgreement(context.Background(), nil, a); err != nil {
		t.Fatal(err)
	}
	r := e.get("/")
	body := string(r.body)
	if r.status != 200 || r.header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /: %d %s", r.status, r.header.Get("Content-Type"))
	}
	for _, want := range []string{
		`<b id="agreement-count">1</b>`,
		`Ceasefire &#34;&lt;b&gt;now&lt;/b&gt;&#34;`, // escaped, never markup
		`<code>cf-test</code> v1`,
		`<td>UA, RU</td>`,
		`2025-03-14 08:00 EET`, // the window shown in the agreement's own time zone
	} {
		if !strings.Contains(body, want) {
			t.Errorf("index page lacks %q", want)
		}
	}
	if r := e.get("/nowhere"); r.status != 404 {
		t.Errorf("GET /nowhere: %d, want 404", r.status)
	}
}
