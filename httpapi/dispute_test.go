package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestOneOpenDisputePerParty is the regression test of a party opening any
// number of disputes on one finding version: while its dispute is open, a
// second one is refused (409, naming the open one); once an analyst has
// resolved it, the party may dispute again.
func TestOneOpenDisputePerParty(t *testing.T) {
	e := findingsEnv(t)
	path := "/v1/findings/" + series + "/reviews"
	o2 := e.publicID(monitor, "o-2")
	dispute := func(id string) []byte {
		return []byte(fmt.Sprintf(`{"id":%q,"version":1,"action":"dispute","reason":"Our battery was 40 km away.","evidence":[%q]}`, id, o2))
	}
	for _, tc := range []struct {
		name, as string
		body     []byte
		status   int
		detail   string
	}{
		{"first dispute", partyRU, dispute("d-1"), 201, ""},
		{"the same again", partyRU, dispute("d-1"), 200, ""},
		{"a second while the first is open", partyRU, dispute("d-2"), 409, "already has dispute d-1 open"},
		{"a third", partyRU, dispute("d-3"), 409, "already has dispute d-1 open"},
		{"resolved", analyst, []byte(`{"id":"res-1","version":1,"action":"resolve","dispute":"d-1","outcome":"rejected","reason":"Two bearings cross inside RU-held ground."}`), 201, ""},
		{"a new dispute after the resolution", partyRU, dispute("d-4"), 201, ""},
		{"and again one at a time", partyRU, dispute("d-5"), 409, "already has dispute d-4 open"},
	} {
		r := e.post(path, tc.as, tc.body)
		if r.status != tc.status {
			t.Fatalf("%s: status %d, want %d: %s", tc.name, r.status, tc.status, r.body)
		}
		if tc.detail != "" && !strings.Contains(r.problem(t).Detail, tc.detail) {
			t.Errorf("%s: detail %q, want %q", tc.name, r.problem(t).Detail, tc.detail)
		}
	}
	// The open disputes listed are one.
	if r := e.get("/v1/findings/" + series); !strings.Contains(string(r.body), `"open_disputes":["d-4"]`) {
		t.Errorf("history: %s", r.body)
	}
}
