package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// callers are the audiences of the authorization matrix, in its column
// order: no token, a token no source holds, then each role's source.
var callers = []string{"none", "wrong", admin, monitor, partyUA, partyRU, analyst}

// statuses are one matrix row's expected statuses, in the order of callers.
type statuses [7]int

// all returns a row in which every caller gets status, except a wrong
// token, which gets 401.
func all(status int) statuses {
	return statuses{status, 401, status, status, status, status, status}
}

// TestAuthorizationMatrix calls every route of the server's route table as
// every audience — no token, a wrong token, each role, and a party reading
// its own and the other party's data — against the real handler over a
// real SQLite store, and checks the status and, where given, fields that
// the body must or must not hold. A route without a row fails the test, so
// a new route cannot go unchecked.
func TestAuthorizationMatrix(t *testing.T) {
	e := findingsEnv(t)
	// pub holds the public ids of the observations filed, by their ids.
	pub := map[string]string{}
	for _, o := range []struct{ by, id, body string }{
		{partyUA, "ua-1", obs("ua-1", "blamed_party", `"RU"`, "text", `"UA liaison report"`)},
		{partyRU, "ru-1", obs("ru-1", "blamed_party", `"UA"`, "text", `"RU liaison report"`)},
		// The other party files under the id the UA liaison used: ids are
		// scoped by source.
		{partyRU, "ua-1", obs("ua-1", "blamed_party", `"UA"`, "text", `"RU second report"`)},
	} {
		r := e.post("/v1/observations", o.by, []byte(o.body))
		if r.status != 201 {
			t.Fatalf("%s's %s: %d %s", o.by, o.id, r.status, r.body)
		}
		var rec struct {
			PublicID string `json:"public_id"`
		}
		r.decode(t, &rec)
		pub[o.by+"/"+o.id] = rec.PublicID
	}
	var mon struct {
		PublicID string `json:"public_id"`
	}
	e.getAs("/v1/sources/"+monitor+"/observations/o-1", analyst).decode(t, &mon)
	pub[monitor+"/o-1"] = mon.PublicID
	releases := "/v1/observations/" + pub[partyUA+"/ua-1"] + "/releases"
	if r := e.post("/v1/observations", monitor, []byte(obs("brg-1", "location", `{"observer":{"lon":37.9,"lat":48.9},"bearing_deg":45}`))); r.status != 201 {
		t.Fatalf("bearing observation: %d %s", r.status, r.body)
	}
	const unauth, forbidden = 401, 403
	// The team names that only the mission and each team itself may see.
	names := []string{monitor, partyUA, partyRU, analyst, `"name":"admin"`, "OSCE-style"}
	except := func(own ...string) []string {
		return slices.DeleteFunc(slices.Clone(names), func(n string) bool { return slices.Contains(own, n) })
	}
	// A box around the bearing-only observation's observer, the only
	// place the store can index it at.
	box := "/v1/observations?bbox=37.89,48.89,37.91,48.91"
	rows := []struct {
		route, path string
		body        string // POST bodies; "" sends {}
		want        statuses
		has, hasNot map[string][]string // caller → strings the body must (not) hold
	}{
		{route: "POST /v1/observations", path: "/v1/observations",
			want: statuses{unauth, unauth, forbidden, 400, 400, 400, forbidden}},
		{route: "GET /v1/observations", path: "/v1/observations", want: all(200),
			has:    map[string][]string{analyst: {"UA liaison report", "RU liaison report"}, partyUA: {"UA liaison report"}},
			hasNot: map[string][]string{"none": {"liaison report", monitor}, partyUA: {"RU liaison report", monitor}, monitor: {"liaison report"}}},
		// Which source filed what is withheld: only the mission searches by
		// any source, a source by itself.
		{route: "GET /v1/observations", path: "/v1/observations?source=" + partyUA,
			want: statuses{forbidden, unauth, 200, forbidden, 200, forbidden, 200}},
		{route: "GET /v1/observations", path: "/v1/observations?source=" + monitor,
			want: statuses{forbidden, unauth, 200, 200, forbidden, forbidden, 200}},
		// Nor may a box find an observer's position.
		{route: "GET /v1/observations", path: box, want: all(200),
			has:    map[string][]string{analyst: {"brg-1"}, admin: {"brg-1"}, monitor: {"brg-1"}},
			hasNot: map[string][]string{"none": {"brg-1"}, partyUA: {"brg-1"}, partyRU: {"brg-1"}}},
		// Anyone reads an observation by its public id, and is shown
		// what the policy shows it.
		{route: "GET /v1/observations/{id}", path: "/v1/observations/" + pub[monitor+"/o-1"], want: all(200)},
		{route: "GET /v1/observations/{id}", path: "/v1/observations/" + pub[partyUA+"/ua-1"], want: all(200),
			has:    map[string][]string{partyUA: {"UA liaison report"}, analyst: {"UA liaison report"}, admin: {"UA liaison report"}},
			hasNot: map[string][]string{"none": {"UA liaison report", partyUA}, partyRU: {"UA liaison report", partyUA}, monitor: {"UA liaison report", partyUA}}},
		{route: "GET /v1/observations/{id}", path: "/v1/observations/" + pub[partyRU+"/ru-1"], want: all(200),
			has:    map[string][]string{partyRU: {"RU liaison report"}, analyst: {"RU liaison report"}},
			hasNot: map[string][]string{"none": {"RU liaison report"}, partyUA: {"RU liaison report", partyRU}}},
		// By the id its source filed it under, only that source finds
		// it: nobody else learns which ids exist. Each party finds its own
		// ua-1.
		{route: "GET /v1/observations/{id}", path: "/v1/observations/ua-1", want: statuses{404, 401, 404, 404, 200, 200, 404},
			has:    map[string][]string{partyUA: {"UA liaison report"}, partyRU: {"RU second report"}},
			hasNot: map[string][]string{partyUA: {"RU second report"}, partyRU: {"UA liaison report"}}},
		{route: "GET /v1/observations/{id}", path: "/v1/observations/o-1", want: statuses{404, 401, 404, 200, 404, 404, 404}},
		{route: "GET /v1/observations/{id}", path: "/v1/observations/nothing", want: all(404)},
		{route: "GET /v1/observations/{id}", path: "/v1/observations/o-00000000000000000000000000000000", want: all(404)},
		// The mission, and the source itself, look up by source and id.
		{route: "GET /v1/sources/{name}/observations/{id}", path: "/v1/sources/" + partyUA + "/observations/ua-1",
			want: statuses{forbidden, unauth, 200, forbidden, 200, forbidden, 200},
			has:  map[string][]string{analyst: {"UA liaison report"}, partyUA: {"UA liaison report"}}},
		{route: "GET /v1/sources/{name}/observations/{id}", path: "/v1/sources/" + partyUA + "/observations/nothing",
			want: statuses{forbidden, unauth, 404, forbidden, 404, forbidden, 404}},
		// A release is an analyst's or an admin's; once made (by the admin,
		// first: the analyst's same id is another's release), RU reads the
		// text UA filed, and the public still does not.
		{route: "POST /v1/observations/{id}/releases", path: releases,
			want: statuses{unauth, unauth, 400, forbidden, forbidden, forbidden, 400}},
		{route: "POST /v1/observations/{id}/releases", path: releases,
			body: `{"id":"rel-1","groups":["text"],"to":"party","party":"RU","reason":"answers RU's question"}`,
			want: statuses{unauth, unauth, 201, forbidden, forbidden, forbidden, 409}},
		{route: "POST /v1/observations/{id}/releases", path: "/v1/observations/ua-1/releases",
			body: `{"id":"rel-2","groups":["text"],"to":"public","reason":"r"}`,
			want: statuses{unauth, unauth, 400, forbidden, forbidden, forbidden, 400}},
		{route: "GET /v1/observations/{id}", path: "/v1/observations/" + pub[partyUA+"/ua-1"], want: all(200),
			has:    map[string][]string{partyRU: {"UA liaison report", "rel-1"}, analyst: {"UA liaison report", "rel-1"}},
			hasNot: map[string][]string{"none": {"UA liaison report", partyUA}, partyRU: {partyUA}, monitor: {"UA liaison report"}}},
		// Every read path shows the release: the search too.
		{route: "GET /v1/observations", path: "/v1/observations?blamed_party=RU", want: all(200),
			has:    map[string][]string{partyRU: {"UA liaison report"}, partyUA: {"UA liaison report"}},
			hasNot: map[string][]string{"none": {"UA liaison report"}, monitor: {"UA liaison report"}}},
		// The mission lists the releases; nobody else has this route.
		{route: "GET /v1/releases", path: "/v1/releases", want: statuses{unauth, unauth, 200, forbidden, forbidden, forbidden, 200},
			has: map[string][]string{admin: {"rel-1", "answers RU's question"}, analyst: {"rel-1"}}},
		{route: "GET /v1/releases", path: "/v1/releases?observation=" + pub[partyRU+"/ru-1"], want: statuses{unauth, unauth, 200, forbidden, forbidden, forbidden, 200},
			hasNot: map[string][]string{admin: {"rel-1"}, analyst: {"rel-1"}}},
		{route: "GET /v1/releases", path: "/v1/releases?observation=ua-1", want: statuses{unauth, unauth, 400, forbidden, forbidden, forbidden, 400}},
		// The audit trail is the admin's: it names who read what.
		{route: "GET /v1/audit/private-reads", path: "/v1/audit/private-reads?observation=" + pub[partyUA+"/ua-1"],
			want: statuses{unauth, unauth, 200, forbidden, forbidden, forbidden, forbidden},
			has:  map[string][]string{admin: {`"audience":"party:RU"`, `"reader":"` + partyRU + `"`, `"text"`}}},
		{route: "GET /v1/audit/private-reads", path: "/v1/audit/private-reads?limit=1001",
			want: statuses{unauth, unauth, 400, forbidden, forbidden, forbidden, forbidden}},
		{route: "GET /v1/agreements", path: "/v1/agreements", want: all(200)},
		{route: "POST /v1/agreements", path: "/v1/agreements",
			want: statuses{unauth, unauth, 400, forbidden, forbidden, forbidden, forbidden}},
		{route: "GET /v1/agreements/{id}", path: "/v1/agreements/nothing", want: all(404)},
		{route: "GET /v1/sources", path: "/v1/sources", want: all(200),
			has: map[string][]string{"none": {`"role":"monitor"`, `"party":"UA"`}, analyst: names, admin: names,
				monitor: {monitor, "OSCE-style"}, partyUA: {partyUA}},
			hasNot: map[string][]string{"none": names, partyUA: except(partyUA), partyRU: except(partyRU), monitor: except(monitor, "OSCE-style")}},
		{route: "POST /v1/sources", path: "/v1/sources",
			want: statuses{unauth, unauth, 400, forbidden, forbidden, forbidden, forbidden}},
		{route: "POST /v1/sources/{name}/token", path: "/v1/sources/nobody/token",
			want: statuses{unauth, unauth, 404, forbidden, forbidden, forbidden, forbidden}},
		{route: "POST /v1/sources/{name}/key", path: "/v1/sources/nobody/key",
			want: statuses{unauth, unauth, 400, forbidden, forbidden, forbidden, forbidden}},
		{route: "GET /v1/control-maps", path: "/v1/control-maps", want: all(200)},
		{route: "GET /v1/control-maps/{id}", path: "/v1/control-maps/nothing", want: all(404)},
		// The store holds no control map: the routes answer 404 to all.
		{route: "GET /v1/control", path: "/v1/control?date=2025-03-14", want: all(404)},
		{route: "GET /v1/control/diff", path: "/v1/control/diff?from=2025-03-01&to=2025-03-14", want: all(404)},
		// Public writes take no token and so check none: the body's
		// problems are answered line by line in a 200 stream.
		{route: "POST /v1/control/classify", path: "/v1/control/classify?date=2025-03-14",
			want: statuses{200, 200, 200, 200, 200, 200, 200}},
		{route: "GET /v1/findings", path: "/v1/findings", want: all(200)},
		{route: "GET /v1/findings/{id}", path: "/v1/findings/" + series, want: all(200)},
		{route: "POST /v1/findings/{id}/reviews", path: "/v1/findings/" + series + "/reviews",
			want: statuses{unauth, unauth, forbidden, forbidden, 400, 400, 400}},
		{route: "GET /v1/log/size", path: "/v1/log/size", want: all(200)},
		{route: "GET /v1/log/entries", path: "/v1/log/entries?start=0&end=2", want: all(200)},
		{route: "GET /v1/log/root", path: "/v1/log/root", want: all(200)},
		{route: "GET /v1/log/proof/inclusion", path: "/v1/log/proof/inclusion?index=0&size=2", want: all(200)},
		{route: "GET /v1/log/proof/consistency", path: "/v1/log/proof/consistency?old=1&new=2", want: all(200)},
		{route: "GET /checkpoint", path: "/checkpoint", want: all(404)},
		{route: "GET /v1/checkpoints/{size}", path: "/v1/checkpoints/1", want: all(404)},
		{route: "POST /v1/checkpoint/cosignatures", path: "/v1/checkpoint/cosignatures",
			want: statuses{400, 400, 400, 400, 400, 400, 400}},
		{route: "GET /v1/witnesses", path: "/v1/witnesses", want: all(200)},
		{route: "POST /v1/witnesses", path: "/v1/witnesses",
			want: statuses{unauth, unauth, 400, forbidden, forbidden, forbidden, forbidden}},
		{route: "GET /healthz", path: "/healthz", want: all(200)},
		{route: "GET /{$}", path: "/", want: all(200)},
		// Metrics count requests; they hold nothing of any observation.
		{route: "GET /metrics", path: "/metrics", want: statuses{200, 200, 200, 200, 200, 200, 200}},
	}
	covered := map[string]bool{}
	for _, row := range rows {
		covered[row.route] = true
		method, _, _ := strings.Cut(row.route, " ")
		for i, who := range callers {
			token := e.tokens[who]
			if who == "wrong" {
				token = "truce_" + strings.Repeat("0", 43)
			}
			var body []byte
			ct := ""
			if method == http.MethodPost {
				body, ct = []byte("{}"), "application/json"
				if row.body != "" {
					body = []byte(row.body)
				}
			}
			r := e.do(method, row.path, token, ct, body)
			name := fmt.Sprintf("%s as %s", row.path, who)
			if method == http.MethodPost {
				name = "POST " + name
			}
			if r.status != row.want[i] {
				t.Errorf("%s: status %d, want %d: %.200s", name, r.status, row.want[i], r.body)
				continue
			}
			if r.status == 401 {
				r.problem(t)
			}
			for _, s := range row.has[who] {
				if !strings.Contains(string(r.body), s) {
					t.Errorf("%s: body lacks %q: %.300s", name, s, r.body)
				}
			}
			for _, s := range row.hasNot[who] {
				if strings.Contains(string(r.body), s) {
					t.Errorf("%s: body holds %q: %.300s", name, s, r.body)
				}
			}
		}
	}
	routes := e.api.Routes()
	for _, route := range routes {
		if !covered[route] {
			t.Errorf("route %s has no row in the authorization matrix", route)
		}
	}
	for route := range covered {
		if !slices.Contains(routes, route) {
			t.Errorf("matrix row for %s, which the server does not serve", route)
		}
	}
}
