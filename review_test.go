package truce_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/truce-monitor/truce"
)

// reviewSeeds are canonical review entries, one per action.
var reviewSeeds = []string{
	`{"id":"r1","series":"s","version":1,"action":"confirm","finding":"c","by":"ana","role":"analyst"}`,
	`{"id":"r2","series":"s","version":2,"action":"override","violation":false,"party":"","confidence":"possible","reason":"No origin.","finding":"c","by":"ana","role":"analyst"}`,
	`{"id":"r3","series":"s","version":1,"action":"dispute","reason":"Not us.","evidence":["o1","o2"],"text":"See the logs.","finding":"c","by":"ru","role":"party:RU"}`,
	`{"id":"r4","series":"s","version":1,"action":"resolve","reason":"Checked.","dispute":"r3","outcome":"rejected","finding":"c","by":"ana","role":"analyst"}`,
}

func TestDecodeReview(t *testing.T) {
	for _, s := range reviewSeeds {
		r, err := truce.DecodeReview([]byte(s))
		if err != nil {
			t.Errorf("DecodeReview(%s): %v", s, err)
			continue
		}
		if c, _ := r.Canonical(); string(c) != s {
			t.Errorf("Canonical = %s, want %s", c, s)
		}
	}
	for _, tc := range []struct{ name, data, path string }{
		{"not canonical", `{"series":"s","id":"r1","version":1,"action":"confirm","finding":"c","by":"ana","role":"analyst"}`, ""},
		{"unknown field", `{"id":"r1","series":"s","version":1,"action":"confirm","finding":"c","by":"ana","role":"analyst","x":1}`, ""},
		{"trailing data", reviewSeeds[0] + `{}`, ""},
		{"dispute by an analyst", `{"id":"r3","series":"s","version":1,"action":"dispute","reason":"r","text":"t","finding":"c","by":"ana","role":"analyst"}`, "$.role"},
		{"confirm by a party", `{"id":"r1","series":"s","version":1,"action":"confirm","finding":"c","by":"ru","role":"party:RU"}`, "$.role"},
		{"no finding", `{"id":"r1","series":"s","version":1,"action":"confirm","finding":"","by":"ana","role":"analyst"}`, "$.finding"},
		{"override sets nothing", `{"id":"r2","series":"s","version":1,"action":"override","reason":"r","finding":"c","by":"ana","role":"analyst"}`, "$"},
		{"confirm with evidence", `{"id":"r1","series":"s","version":1,"action":"confirm","evidence":["o1"],"finding":"c","by":"ana","role":"analyst"}`, "$.evidence"},
		{"dispute without evidence", `{"id":"r3","series":"s","version":1,"action":"dispute","reason":"r","finding":"c","by":"ru","role":"party:RU"}`, "$.evidence"},
		{"evidence twice", `{"id":"r3","series":"s","version":1,"action":"dispute","reason":"r","evidence":["o1","o1"],"finding":"c","by":"ru","role":"party:RU"}`, "$.evidence[1]"},
		{"upheld without fields", `{"id":"r4","series":"s","version":1,"action":"resolve","reason":"r","dispute":"r3","outcome":"upheld","finding":"c","by":"ana","role":"analyst"}`, "$"},
		{"rejected with fields", `{"id":"r4","series":"s","version":1,"action":"resolve","confidence":"possible","reason":"r","dispute":"r3","outcome":"rejected","finding":"c","by":"ana","role":"analyst"}`, "$.confidence"},
		{"version 0", `{"id":"r1","series":"s","version":0,"action":"confirm","finding":"c","by":"ana","role":"analyst"}`, "$.version"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := truce.DecodeReview([]byte(tc.data))
			if truce.ErrorCode(err) != truce.EINVALID {
				t.Fatalf("err = %v, want invalid", err)
			}
			if tc.path != "" && !slices.ContainsFunc(truce.ErrorProblems(err), func(p truce.Problem) bool { return p.Path == tc.path }) {
				t.Errorf("problems %v name no %s", truce.ErrorProblems(err), tc.path)
			}
		})
	}
}

// FuzzDecodeReview checks that whatever DecodeReview accepts is valid and
// canonical: encoding it again gives the same bytes.
func FuzzDecodeReview(f *testing.F) {
	for _, s := range reviewSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := truce.DecodeReview(data)
		if err != nil {
			if truce.ErrorCode(err) != truce.EINVALID {
				t.Fatalf("error code %q: %v", truce.ErrorCode(err), err)
			}
			return
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("accepted an invalid review: %v", err)
		}
		if c, err := r.Canonical(); err != nil || !bytes.Equal(c, data) {
			t.Fatalf("accepted %q, which encodes as %q", data, c)
		}
	})
}
