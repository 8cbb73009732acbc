package truce_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

var releaseSeeds = []string{
	`{"id":"rel-1","observation":"o-0123456789abcdef0123456789abcdef","groups":["evidence","text"],"to":"party","party":"UA","reason":"answers UA's allegation","by":"analyst-1","role":"analyst"}`,
	`{"id":"rel-2","observation":"o-0123456789abcdef0123456789abcdef","groups":["position"],"to":"public","reason":"the team has left the area","by":"admin","role":"admin"}`,
	`{"id":"rel-3","observation":"o-0123456789abcdef0123456789abcdef","groups":["text","evidence"],"to":"public","reason":"r","by":"a","role":"analyst"}`,
	`{"id":"rel-4","observation":"o-1","groups":["text"],"to":"public","reason":"r","by":"a","role":"monitor"}`,
	`{"id":"rel-5","observation":"o-0123456789abcdef0123456789abcdef","groups":["text"],"to":"mission","reason":"r","by":"a","role":"analyst","x":1}`,
	`{}`, `[]`, `{`, ``,
}

// TestDecodeRelease checks the strict decoding of a release entry's data:
// canonical bytes of a valid release, groups in name order, made by an
// analyst or an admin; each rejection names the place.
func TestDecodeRelease(t *testing.T) {
	tests := []struct {
		name, data, want string // want: "" accepts, else a fragment of the error
	}{
		{"party release", releaseSeeds[0], ""},
		{"public release by an admin", releaseSeeds[1], ""},
		{"groups out of order", releaseSeeds[2], "$.groups: not in name order"},
		{"made by a monitor", `{"id":"rel-4","observation":"o-0123456789abcdef0123456789abcdef","groups":["text"],"to":"public","reason":"r","by":"m","role":"monitor"}`, `$.role: a release is made by an analyst or an admin, not "monitor"`},
		{"no by", `{"id":"rel-4","observation":"o-0123456789abcdef0123456789abcdef","groups":["text"],"to":"public","reason":"r","role":"analyst"}`, "$.by: required"},
		{"not a public id", `{"id":"rel-4","observation":"smm-1","groups":["text"],"to":"public","reason":"r","by":"a","role":"analyst"}`, "$.observation"},
		{"to the mission", `{"id":"rel-4","observation":"o-0123456789abcdef0123456789abcdef","groups":["text"],"to":"mission","reason":"r","by":"a","role":"analyst"}`, `$.to: unknown audience "mission"`},
		{"party without an id", `{"id":"rel-4","observation":"o-0123456789abcdef0123456789abcdef","groups":["text"],"to":"party","reason":"r","by":"a","role":"analyst"}`, "$.party: required"},
		{"public naming a party", `{"id":"rel-4","observation":"o-0123456789abcdef0123456789abcdef","groups":["text"],"to":"public","party":"UA","reason":"r","by":"a","role":"analyst"}`, "$.party: given only"},
		{"a group twice", `{"id":"rel-4","observation":"o-0123456789abcdef0123456789abcdef","groups":["text","text"],"to":"public","reason":"r","by":"a","role":"analyst"}`, `$.groups[1]: group "text" is given twice`},
		{"unknown group", `{"id":"rel-4","observation":"o-0123456789abcdef0123456789abcdef","groups":["salt"],"to":"public","reason":"r","by":"a","role":"analyst"}`, `$.groups[0]: unknown group "salt"`},
		{"no reason", `{"id":"rel-4","observation":"o-0123456789abcdef0123456789abcdef","groups":["text"],"to":"public","reason":" ","by":"a","role":"analyst"}`, "$.reason: required"},
		{"unknown field", releaseSeeds[4], "unknown field"},
		{"spaced", `{"id": "rel-1","observation":"o-0123456789abcdef0123456789abcdef","groups":["text"],"to":"public","reason":"r","by":"a","role":"analyst"}`, "not in canonical form"},
		{"two objects", releaseSeeds[1] + `{}`, "data after the JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := truce.DecodeRelease([]byte(tt.data))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				if r.ID == "" || r.By == "" {
					t.Fatalf("decoded %+v", r)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted %s", tt.data)
			}
			msg := truce.ErrorMessage(err)
			for _, p := range truce.ErrorProblems(err) {
				msg += "; " + p.String()
			}
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q, want it to say %q", msg, tt.want)
			}
		})
	}
}

// FuzzDecodeRelease checks that the release entry decoder never panics,
// rejects with EINVALID only, and accepts only the canonical bytes of a
// valid release.
func FuzzDecodeRelease(f *testing.F) {
	for _, s := range releaseSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := truce.DecodeRelease(data)
		if err != nil {
			if truce.ErrorCode(err) != truce.EINVALID {
				t.Fatalf("error code %q: %v", truce.ErrorCode(err), err)
			}
			return
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("accepted an invalid release: %v", err)
		}
		if c, err := r.Canonical(); err != nil || !bytes.Equal(c, data) {
			t.Fatalf("accepted %q, which encodes as %q", data, c)
		}
	})
}

func TestReleaseShows(t *testing.T) {
	ua := truce.Audience{Kind: truce.AudienceParty, Party: "UA"}
	ru := truce.Audience{Kind: truce.AudienceParty, Party: "RU"}
	toUA := &truce.Release{Groups: []truce.FieldGroup{truce.GroupText}, To: truce.AudienceParty, Party: "UA"}
	toAll := &truce.Release{Groups: []truce.FieldGroup{truce.GroupEvidence}, To: truce.AudiencePublic}
	tests := []struct {
		r    *truce.Release
		g    truce.FieldGroup
		a    truce.Audience
		want bool
	}{
		{toUA, truce.GroupText, ua, true},
		{toUA, truce.GroupText, ru, false},
		{toUA, truce.GroupText, truce.Public, false},
		{toUA, truce.GroupEvidence, ua, false},
		{toAll, truce.GroupEvidence, truce.Public, true},
		{toAll, truce.GroupEvidence, ru, true},
		{toAll, truce.GroupText, truce.Public, false},
	}
	for i, tt := range tests {
		if got := tt.r.Shows(tt.g, tt.a); got != tt.want {
			t.Errorf("%d: release to %s %s shows %s to %s: %v, want %v", i, tt.r.To, tt.r.Party, tt.g, tt.a, got, tt.want)
		}
	}
}

// docRelease is the release of the worked example in docs/log-format.md §15.
var docRelease = &truce.Release{
	ID: "5d0c9b7e-2a41-4f3e-8c6d-1b9a7e3f5c20", Observation: "o-3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c2e",
	Groups: []truce.FieldGroup{truce.GroupEvidence, truce.GroupText}, To: truce.AudienceParty, Party: "RU",
	Reason: "The team's notes answer RU's dispute of the finding.", By: "s-1b7e4c9a2f5d8e3b6a0c9f4e7d2a5b81", Role: "analyst",
}

func TestReleaseEntryDoc(t *testing.T) {
	data, err := docRelease.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := truce.DecodeRelease(data); err != nil {
		t.Fatalf("the example does not decode: %v", err)
	}
	checkEntryDoc(t, "release", &truce.Entry{Type: truce.EntryRelease, Time: time.Date(2025, 3, 16, 11, 0, 0, 0, time.UTC), Submitter: "s-1b7e4c9a2f5d8e3b6a0c9f4e7d2a5b81", Data: data})
}
