package truce_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

// reviewSeeds are canonical review entries, one per action.
var reviewSeeds = []string{
	`{"id":"r1","series":"s","version":1,"action":"confirm","finding":"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","by":"ana","role":"analyst"}`,
	`{"id":"r2","series":"s","version":2,"action":"override","violation":false,"party":"","confidence":"possible","reason":"No origin.","finding":"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","by":"ana","role":"analyst"}`,
	`{"id":"r3","series":"s","version":1,"action":"dispute","reason":"Not us.","evidence":["o1","o2"],"text":"See the logs.","finding":"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","by":"ru","role":"party:RU"}`,
	`{"id":"r4","series":"s","version":1,"action":"resolve","reason":"Checked.","dispute":"r3","outcome":"rejected","finding":"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","by":"ana","role":"analyst"}`,
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
		{"not canonical", `{"series":"s","id":"r1","version":1,"action":"confirm","finding":"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","by":"ana","role":"analyst"}`, ""},
		{"unknown field", `{"id":"r1","series":"s","version":1,"action":"confirm","finding":"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","by":"ana","role":"analyst","x":1}`, ""},
		{"trailing data", reviewSeeds[0] + `{}`, ""},
		{"dispute by an analyst", `{"id":"r3","series":"s","version":1,"action":"dispute","reason":"r","text":"t","finding":"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","by":"ana","role":"analyst"}`, "$.role"},
		{"confirm by a party", `{"id":"r1","series":"s","version":1,"action":"confirm","finding":"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","by":"ru","role":"party:RU"}`, "$.role"},
		{"no finding", `{"id":"r1","series":"s","version":1,"action":"confirm","finding":"","by":"ana","role":"analyst"}`, "$.finding"},
		{"finding not a content id", `{"id":"r1","series":"s","version":1,"action":"confirm","finding":"c","by":"ana","role":"analyst"}`, "$.finding"},
		{"override sets nothing", `{"id":"r2","series":"s","version":1,"action":"override","reason":"r","finding":"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","by":"ana","role":"analyst"}`, "$"},
		{"confirm with evidence", `{"id":"r1","series":"s","version":1,"action":"confirm","evidence":["o1"],"finding":"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","by":"ana","role":"analyst"}`, "$.evidence"},
		{"dispute without evidence", `{"id":"r3","series":"s","version":1,"action":"dispute","reason":"r","finding":"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","by":"ru","role":"party:RU"}`, "$.evidence"},
		{"evidence twice", `{"id":"r3","series":"s","version":1,"action":"dispute","reason":"r","evidence":["o1","o1"],"finding":"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","by":"ru","role":"party:RU"}`, "$.evidence[1]"},
		{"upheld without fields", `{"id":"r4","series":"s","version":1,"action":"resolve","reason":"r","dispute":"r3","outcome":"upheld","finding":"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","by":"ana","role":"analyst"}`, "$"},
		{"rejected with fields", `{"id":"r4","series":"s","version":1,"action":"resolve","confidence":"possible","reason":"r","dispute":"r3","outcome":"rejected","finding":"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","by":"ana","role":"analyst"}`, "$.confidence"},
		{"version 0", `{"id":"r1","series":"s","version":0,"action":"confirm","finding":"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","by":"ana","role":"analyst"}`, "$.version"},
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

// docReview is the review of the worked example in docs/log-format.md §12.
var docReview = &truce.Review{
	ID: "6f1c2a9e-3b7d-4e55-9a10-2c4b8d7e0f31", Series: "0b0e9d2c-5a7f-5c3e-9d41-7e2f1a6b3c58", Version: 2,
	Action: truce.ReviewDispute, Reason: "Our battery was withdrawn on 12 March.",
	Evidence: []string{"ru-2025-03-14-0117"}, Text: "Withdrawal order no. 41 <attached>.",
	Finding: "9c2f7a1d0e4b6c8f3a5d7e9b1c3f5a7d9e1b3c5f7a9d1e3b5c7f9a1d3e5b7c9f",
	By:      "ru-liaison", Role: "party:RU",
}

func TestReviewEntryDoc(t *testing.T) {
	data, err := docReview.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := truce.DecodeReview(data); err != nil {
		t.Fatalf("the example does not decode: %v", err)
	}
	checkEntryDoc(t, "review", &truce.Entry{Type: truce.EntryReview, Time: time.Date(2025, 3, 15, 9, 30, 0, 0, time.UTC), Submitter: "ru-liaison", Data: data})
}

// checkEntryDoc checks that docs/log-format.md's worked example of an
// entry of the given name (between "<!-- BEGIN name entry example" and
// "<!-- END name entry example -->") is e's encoding, quoted as Go quotes
// it, with its length and leaf hash.
func checkEntryDoc(t *testing.T, name string, e *truce.Entry) {
	t.Helper()
	doc, err := os.ReadFile("docs/log-format.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)<!-- BEGIN " + name + " entry example[^\n]*-->\n```\n(.*?)\n```\n\n(\\d+) bytes; leaf hash[^\n]*\n\n```\n([0-9a-f]{64})\n```\n<!-- END " + name + " entry example -->").FindSubmatch(doc)
	if m == nil {
		t.Fatalf("docs/log-format.md has no %s entry example", name)
	}
	enc := e.Encode()
	if got := strconv.Quote(string(enc)); got != string(m[1]) {
		t.Errorf("the doc's entry is\n%s\nEncode writes\n%s", m[1], got)
	}
	if n, _ := strconv.Atoi(string(m[2])); n != len(enc) {
		t.Errorf("the doc says %s bytes; the entry has %d", m[2], len(enc))
	}
	leaf := sha256.Sum256(append([]byte{0}, enc...))
	if got := hex.EncodeToString(leaf[:]); got != string(m[3]) {
		t.Errorf("the doc's leaf hash is %s; the entry's is %s", m[3], got)
	}
}
