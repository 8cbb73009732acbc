package httpapi_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/agreement"
	"github.com/truce-monitor/truce/findings"
	"github.com/truce-monitor/truce/geo"
	"github.com/truce-monitor/truce/httpapi"
	"github.com/truce-monitor/truce/internal/canary"
)

// canaryMarker is in every private field of the canary's observations:
// the source's name and description, the client's ids, the texts and the
// evidence references. No response to a reader who may not see them may
// hold it.
const canaryMarker = "zq7"

// canaryObservers are the observer positions of the canary's
// observations, which the public and the parties may not learn before the
// embargo: no coordinate of a response may lie within canaryRadiusM of
// one.
var canaryObservers = [][2]float64{{37.31234, 48.51234}, {37.41234, 48.61234}}

const canaryRadiusM = 2000

// canaryOriginObserver is where the observer stood who gave the origin of
// the canary's shelling by a bearing alone. No response may place it: the
// origin's observer form is sealed in the position group, like the
// impact's.
var canaryOriginObserver = [2]float64{37.35678, 48.45678}

// canaryPaths are the requests by which the canary reads each GET route.
// A route of the server's route table without an entry fails the test:
// the table grows with the routes. The CLI's outputs that leave the
// mission (bundles, published findings, verify --recompute) have their
// canary in cmd/truce (TestLeakCanaryCLI); both search with
// internal/canary.
var canaryPaths = map[string][]string{
	"GET /v1/observations":                     {"/v1/observations", "/v1/observations?bbox=37.3,48.5,37.32,48.52", "/v1/observations?bbox=37.4,48.6,37.42,48.62", "/v1/observations?kind=artillery"},
	"GET /v1/observations/{id}":                {"/v1/observations/{pub:c-zq7-1}", "/v1/observations/{pub:c-zq7-2}", "/v1/observations/{pub:c-zq7-ua}"},
	"GET /v1/sources/{name}/observations/{id}": {"/v1/sources/team-zq7/observations/c-zq7-1", "/v1/sources/ua-liaison/observations/c-zq7-ua"},
	"GET /v1/agreements":                       {"/v1/agreements"},
	"GET /v1/agreements/{id}":                  {"/v1/agreements/none"},
	"GET /v1/sources":                          {"/v1/sources"},
	"GET /v1/control-maps":                     {"/v1/control-maps"},
	"GET /v1/control-maps/{id}":                {"/v1/control-maps/none"},
	"GET /v1/control":                          {"/v1/control?date=2025-03-14"},
	"GET /v1/control/diff":                     {"/v1/control/diff?from=2025-03-01&to=2025-03-14"},
	"GET /v1/findings":                         {"/v1/findings", "/v1/findings?status=all", "/v1/findings?violation=true", "/v1/findings?party=-", "/v1/findings?agreement=findings-test&limit=1"},
	"GET /v1/findings/{id}":                    {"/v1/findings/none", "{findings}"},
	"GET /v1/log/size":                         {"/v1/log/size"},
	"GET /v1/log/entries":                      {"/v1/log/entries?start=0&end=1000"},
	"GET /v1/log/root":                         {"/v1/log/root"},
	"GET /v1/log/proof/inclusion":              {"/v1/log/proof/inclusion?index=7&size=9"},
	"GET /v1/log/proof/consistency":            {"/v1/log/proof/consistency?old=3&new=9"},
	"GET /checkpoint":                          {"/checkpoint"},
	"GET /v1/checkpoints/{size}":               {"/v1/checkpoints/9"},
	"GET /v1/witnesses":                        {"/v1/witnesses"},
	"GET /healthz":                             {"/healthz"},
	"GET /{$}":                                 {"/"},
	"GET /metrics":                             {"/metrics"},
	"GET /v1/releases":                         {"/v1/releases", "/v1/releases?observation={pub:c-zq7-1}"},
	"GET /v1/audit/private-reads":              {"/v1/audit/private-reads", "/v1/audit/private-reads?observation={pub:c-zq7-1}"},
}

// TestLeakCanary seeds a store with observations whose private fields hold
// a marker and whose observers stand at known positions, and with the
// findings recomputed from them (canaryFindings: two marked monitors, an
// origin by a bearing alone), reads every GET route as the public and as
// the other party before the embargo, and searches every response for the
// marker and for any coordinate near an observer, in JSON or in text. The
// findings routes must answer every audience the same bytes. Nothing may be found, though one observation's text and
// evidence are released to the other party. The mission, reading the same, must
// find the marker: the canary can sing.
func TestLeakCanary(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	ctx := context.Background()
	token, err := e.db.CreateSource(ctx, nil, &truce.Source{Name: "team-" + canaryMarker, Role: truce.RoleMonitor, Description: "desc-" + canaryMarker})
	if err != nil {
		t.Fatal(err)
	}
	e.tokens["canary"] = token
	ev := `[{"sha256":"` + strings.Repeat("ab", 32) + `","ref":"s3://evidence-` + canaryMarker + `/a.jpg"}]`
	// A path's {pub:ID} is the public id of the seeded observation ID.
	pubs := map[string]string{}
	for _, tc := range []struct{ as, body string }{
		{"canary", obs("c-"+canaryMarker+"-1", "location", `{"observer":{"lon":37.31234,"lat":48.51234},"bearing_deg":60,"distance_m":5000}`, "text", q("text-"+canaryMarker), "evidence", ev)},
		{"canary", obs("c-"+canaryMarker+"-2", "location", `{"observer":{"lon":37.41234,"lat":48.61234},"bearing_deg":45}`, "text", q("text-"+canaryMarker))},
		{partyUA, obs("c-"+canaryMarker+"-ua", "text", q("ua-text-"+canaryMarker), "evidence", ev)},
	} {
		canarySeed(t, e, pubs, tc.as, tc.body)
	}
	findingPaths := canaryFindings(t, e, pubs)
	pubRef := regexp.MustCompile(`\{pub:([^}]+)\}`)
	// A release to UA of the team's text and evidence shows them to UA
	// only: RU and the public still find nothing.
	rel := `{"id":"rel-canary","groups":["evidence","text"],"to":"party","party":"UA","reason":"answers UA's question"}`
	if r := e.post("/v1/observations/"+pubs["c-"+canaryMarker+"-1"]+"/releases", analyst, []byte(rel)); r.status != http.StatusCreated {
		t.Fatalf("release: %d %s", r.status, r.body)
	}
	routes := e.api.Routes()
	for _, route := range routes {
		if strings.HasPrefix(route, "GET ") && canaryPaths[route] == nil {
			t.Errorf("GET route %s has no request in the leak canary", route)
		}
	}
	coord := regexp.MustCompile(`37\.[34]123|48\.[56]123`)
	findingsSeen := map[string]string{} // GET path of a findings route → body, as the public read it
	for _, who := range []string{"none", partyRU, analyst} {
		found := false
		for _, route := range routes {
			var paths []string
			for _, path := range canaryPaths[route] {
				if path == "{findings}" {
					paths = append(paths, findingPaths...)
				} else {
					paths = append(paths, path)
				}
			}
			for _, path := range paths {
				path = pubRef.ReplaceAllStringFunc(path, func(m string) string { return pubs[pubRef.FindStringSubmatch(m)[1]] })
				r := e.do("GET", path, e.tokens[who], "", nil)
				if strings.HasPrefix(route, "GET /v1/findings") && r.status == http.StatusOK {
					// A finding is the same bytes for every audience.
					if prev, ok := findingsSeen[path]; !ok {
						findingsSeen[path] = string(r.body)
					} else if prev != string(r.body) {
						t.Errorf("GET %s differs as %s from what the public reads:\n%.400s\nwant:\n%.400s", path, who, r.body, prev)
					}
				}
				// What the reader sent is not a leak: a problem's
				// "instance" repeats the path.
				body := strings.ReplaceAll(string(r.body), `"instance":"`+path+`"`, "")
				leak := strings.Contains(body, canaryMarker) || coord.MatchString(body)
				observers := append(slices.Clip(canaryObservers), canaryOriginObserver)
				if !leak {
					f := canary.Finder{Observers: observers, RadiusM: canaryRadiusM}
					leak = f.Find([]byte(body)) != ""
				}
				found = found || leak
				if leak && who != analyst {
					t.Errorf("as %s, GET %s (%d) leaks: %.600s", who, path, r.status, body)
				}
			}
		}
		if who == analyst && !found {
			t.Errorf("the mission finds no marker: the canary is deaf")
		}
	}
}

// canaryFindings has two canary monitors report one shelling, each by a
// bearing and a distance from where it stood, the first also giving the
// fire's origin by a bearing alone from canaryOriginObserver (a ray); it then
// recomputes the findings of the test agreement of package findings (the
// rules of the 30-day ceasefire of 2025) over the DeepState maps, checks that they rest on the canary's reports (two
// monitors corroborate, the origin is a ray), and returns a GET path for
// each finding by its series, its content id and the engine's id.
func canaryFindings(t *testing.T, e *env, pubs map[string]string) []string {
	t.Helper()
	ctx := context.Background()
	withDeepState(t, e)
	a, err := agreement.ParseFile("../findings/testdata/agreement.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.db.AddAgreement(ctx, nil, a); err != nil {
		t.Fatal(err)
	}
	token, err := e.db.CreateSource(ctx, nil, &truce.Source{Name: "team2-" + canaryMarker, Role: truce.RoleMonitor, Description: "desc2-" + canaryMarker})
	if err != nil {
		t.Fatal(err)
	}
	e.tokens["canary2"] = token
	o1, o2, o3 := geo.Point(canaryObservers[0]), geo.Point(canaryObservers[1]), geo.Point(canaryOriginObserver)
	impact, _ := geo.Direct(o1, 60, 5000)
	dist, az, _ := geo.Inverse(o2, impact)
	az = math.Mod(az+360, 360)
	at := func(p geo.Point) string { return fmt.Sprintf(`{"lon":%.5f,"lat":%.5f}`, p[0], p[1]) }
	for _, tc := range []struct{ as, body string }{
		{"canary", obs("c-"+canaryMarker+"-3", "location", `{"observer":`+at(o1)+`,"bearing_deg":60,"distance_m":5000,"distance_error_m":300}`,
			"origin", `{"observer":`+at(o3)+`,"bearing_deg":80,"bearing_error_deg":2}`, "text", q("shelling-"+canaryMarker), "observed_at", `"2025-03-14T10:30:00Z"`)},
		{"canary2", obs("c2-"+canaryMarker+"-4", "location", fmt.Sprintf(`{"observer":%s,"bearing_deg":%.1f,"distance_m":%.0f,"distance_error_m":300}`, at(o2), az, dist),
			"text", q("shelling2-"+canaryMarker), "observed_at", `"2025-03-14T10:31:00Z"`)},
	} {
		canarySeed(t, e, pubs, tc.as, tc.body)
	}
	rs, err := findings.RecomputeAll(ctx, e.db, time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC), nil)
	if err != nil || len(rs) != 1 {
		t.Fatalf("recompute: %v, %v", rs, err)
	}
	var paths []string
	var corroborated, ray bool
	for _, v := range rs[0].Versions {
		if v.Finding == nil {
			continue
		}
		paths = append(paths, "/v1/findings/"+v.Series, "/v1/findings/"+v.ContentID, "/v1/findings/"+v.Finding.ID)
		if !slices.Contains(v.Observations, pubs["c-"+canaryMarker+"-3"]) {
			continue
		}
		if !slices.Contains(v.Observations, pubs["c2-"+canaryMarker+"-4"]) {
			t.Errorf("the two monitors' reports are not one incident: %v", v.Observations)
		}
		for _, r := range v.Finding.Reasons {
			corroborated = corroborated || r.Code == "corroboration.independent_check" && strings.Contains(r.Text, "two monitors")
			ray = ray || r.Code == "origin.ray"
		}
	}
	if !corroborated || !ray {
		t.Fatalf("no finding rests on the two monitors' reports and a ray (corroborated %v, ray %v): %+v", corroborated, ray, rs[0])
	}
	return paths
}

// canarySeed files body as the source as and notes its public id in pubs,
// by the id the source gave it.
func canarySeed(t *testing.T, e *env, pubs map[string]string, as, body string) {
	t.Helper()
	r := e.post("/v1/observations", as, []byte(body))
	if r.status != http.StatusCreated {
		t.Fatalf("seed: %d %s", r.status, r.body)
	}
	var rec struct {
		ID       string `json:"id"`
		PublicID string `json:"public_id"`
	}
	r.decode(t, &rec)
	pubs[rec.ID] = rec.PublicID
}
