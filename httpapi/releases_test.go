package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/httpapi"
)

// TestRelease checks that a release shows the groups it names to the
// audience it names, and to no other, on every read path, from its entry
// on: before it, neither party reads a monitor's text; after a release of
// the text to UA, UA reads it (with its salt) by public id and in a
// search, while RU and the public still do not; the audit trail records
// UA's reads of it.
func TestRelease(t *testing.T) {
	e := newEnv(t, httpapi.Options{})
	const text = "notes-release-7f3"
	if r := e.post("/v1/observations", monitor, []byte(obs("m-rel", "text", q(text)))); r.status != http.StatusCreated {
		t.Fatalf("filing: %d %s", r.status, r.body)
	}
	pid := e.publicID(monitor, "m-rel")
	byID := "/v1/observations/" + pid
	search := "/v1/observations?kind=artillery"
	type view struct {
		Disclosed map[truce.FieldGroup]any `json:"disclosed"`
		Withheld  []truce.FieldGroup       `json:"withheld"`
		Releases  []struct {
			ID string `json:"id"`
		} `json:"releases"`
	}
	// reads reports whether who is shown the text by id and by search,
	// and checks that the view says so consistently.
	reads := func(who string) (byIDShown, searchShown bool) {
		t.Helper()
		r := e.getAs(byID, who)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s as %s: %d %s", byID, who, r.status, r.body)
		}
		var v view
		r.decode(t, &v)
		byIDShown = strings.Contains(string(r.body), text)
		if byIDShown == slices.Contains(v.Withheld, truce.GroupText) {
			t.Errorf("as %s: text shown %v, but withheld lists %v", who, byIDShown, v.Withheld)
		}
		s := e.getAs(search, who)
		if s.status != http.StatusOK {
			t.Fatalf("GET %s as %s: %d %s", search, who, s.status, s.body)
		}
		return byIDShown, strings.Contains(string(s.body), text)
	}
	for _, who := range []string{"none", partyUA, partyRU} {
		if a, b := reads(who); a || b {
			t.Errorf("before the release, %s reads the text (by id %v, search %v)", who, a, b)
		}
	}
	rel := []byte(`{"id":"rel-ua-1","groups":["text"],"to":"party","party":"UA","reason":"answers UA's question"}`)
	r := e.post(byID+"/releases", analyst, rel)
	if r.status != http.StatusCreated {
		t.Fatalf("release: %d %s", r.status, r.body)
	}
	if again := e.post(byID+"/releases", analyst, rel); again.status != http.StatusOK {
		t.Errorf("the same release again: %d %s, want 200", again.status, again.body)
	}
	if a, b := reads(partyUA); !a || !b {
		t.Errorf("after the release, UA does not read the text (by id %v, search %v)", a, b)
	}
	var v view
	e.getAs(byID, partyUA).decode(t, &v)
	if v.Disclosed[truce.GroupText] == nil || len(v.Releases) != 1 || v.Releases[0].ID != "rel-ua-1" {
		t.Errorf("UA's view: disclosed %v, releases %+v; want the text group and release rel-ua-1", v.Disclosed, v.Releases)
	}
	for _, who := range []string{"none", partyRU} {
		if a, b := reads(who); a || b {
			t.Errorf("after a release to UA, %s reads the text (by id %v, search %v)", who, a, b)
		}
	}
	var list struct {
		Releases []struct {
			ID, Observation, By string
			LogIndex            int64 `json:"log_index"`
		} `json:"releases"`
	}
	e.getAs("/v1/releases?observation="+pid, admin).decode(t, &list)
	if len(list.Releases) != 1 || list.Releases[0].ID != "rel-ua-1" || list.Releases[0].Observation != pid || list.Releases[0].By == "" {
		t.Errorf("GET /v1/releases: %+v", list.Releases)
	}
	// The audit trail holds UA's reads of the text, each with its request
	// id, and no read of the text by RU or the public.
	var trail struct {
		Reads []truce.PrivateRead `json:"private_reads"`
	}
	e.getAs("/v1/audit/private-reads?observation="+pid, admin).decode(t, &trail)
	uaText := 0
	for _, rd := range trail.Reads {
		if rd.Observation != pid || rd.RequestID == "" {
			t.Errorf("audit row %+v: want observation %s and a request id", rd, pid)
		}
		if !slices.Contains(rd.Groups, truce.GroupText) {
			continue
		}
		switch rd.Audience {
		case "party:UA":
			if rd.Reader != partyUA {
				t.Errorf("audit row %+v: want reader %s", rd, partyUA)
			}
			uaText++
		case "mission", "source:" + monitor:
		default:
			t.Errorf("audit row %+v: the text was shown to %s", rd, rd.Audience)
		}
	}
	// UA read by id and by search, then by id again for the view.
	if uaText != 3 {
		t.Errorf("the audit trail holds %d reads of the text by UA, want 3: %+v", uaText, trail.Reads)
	}
}
