package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/geo"
	"github.com/truce-monitor/truce/httpapi"
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

// canaryPaths are the requests by which the canary reads each GET route.
// A route of the server's route table without an entry fails the test:
// the table grows with the routes (and exports, reports and pages join
// canaryOutputs as they are built).
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
	"GET /v1/findings":                         {"/v1/findings"},
	"GET /v1/findings/{id}":                    {"/v1/findings/none"},
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
// a marker and whose observers stand at known positions, reads every GET
// route as the public and as the other party before the embargo, and
// searches every response for the marker and for any coordinate near an
// observer. Nothing may be found, though one observation's text and
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
		r := e.post("/v1/observations", tc.as, []byte(tc.body))
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
	for _, who := range []string{"none", partyRU, analyst} {
		found := false
		for _, route := range routes {
			for _, path := range canaryPaths[route] {
				path = pubRef.ReplaceAllStringFunc(path, func(m string) string { return pubs[pubRef.FindStringSubmatch(m)[1]] })
				r := e.do("GET", path, e.tokens[who], "", nil)
				// What the reader sent is not a leak: a problem's
				// "instance" repeats the path.
				body := strings.ReplaceAll(string(r.body), `"instance":"`+path+`"`, "")
				leak := strings.Contains(body, canaryMarker) || coord.MatchString(body)
				if !leak {
					leak = nearObserver([]byte(body))
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

// nearObserver reports whether a JSON body holds a lon/lat pair within
// canaryRadiusM of a canary observer.
func nearObserver(body []byte) bool {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return false
	}
	var walk func(v any) bool
	walk = func(v any) bool {
		switch v := v.(type) {
		case map[string]any:
			lon, ok1 := v["lon"].(float64)
			lat, ok2 := v["lat"].(float64)
			if ok1 && ok2 {
				for _, o := range canaryObservers {
					if geo.Distance(geo.Point{lon, lat}, geo.Point(o)) < canaryRadiusM {
						return true
					}
				}
			}
			for _, x := range v {
				if walk(x) {
					return true
				}
			}
		case []any:
			for _, x := range v {
				if walk(x) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}
