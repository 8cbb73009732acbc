package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/ledger"
	"github.com/truce-monitor/truce/sqlite"
)

// TestExportAudience checks truce log export --audience: the mission's
// bundle holds every observation's private groups, the public's and a
// party's past the embargo the source group only (the embargo's edges
// are truce.TestView's), and truce
// verify checks what a bundle discloses against the commitments in its
// entries, naming the file, entry and group that does not match.
func TestExportAudience(t *testing.T) {
	dir := t.TempDir()
	db, vkey := verifyStore(t, dir)
	export := func(audience string) (string, *exportSummary) {
		t.Helper()
		bundle := filepath.Join(dir, strings.ReplaceAll(audience, ":", "-"))
		code, out, errOut := runCLI(t, "log", "export", "--db", db, "--audience", audience, "--json", bundle)
		if code != exitOK {
			t.Fatalf("log export --audience %s: exit %d: %s", audience, code, errOut)
		}
		var sum exportSummary
		if err := json.Unmarshal([]byte(out), &sum); err != nil {
			t.Fatal(err)
		}
		return bundle, &sum
	}
	verify := func(bundle string) (int, *verifyResult, string) {
		t.Helper()
		code, out, errOut := runCLI(t, "verify", "--json", "--log-key", vkey, bundle)
		var res verifyResult
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("verify %s: %v: %s%s", bundle, err, out, errOut)
		}
		return code, &res, out
	}
	tests := []struct {
		audience  string
		disclosed int // entries with a disclosed file
		groups    int // groups checked
	}{
		// The store's entries are from 2025: past every embargo, the
		// public and the parties see the source group of each
		// observation, never the text, which only a release would
		// show, and the sealed team's identity.
		{"public", 7, 7},
		{"party:UA", 7, 7},
		{"source:osce-team-1", 7, 13},
		{"mission", 7, 13},
	}
	var mission string
	for _, tt := range tests {
		bundle, sum := export(tt.audience)
		files, _ := filepath.Glob(filepath.Join(bundle, "disclosed", "*.json"))
		if sum.Audience != tt.audience || sum.Disclosed != tt.disclosed || len(files) != tt.disclosed {
			t.Errorf("%s: summary %+v, %d disclosed files; want %d", tt.audience, sum, len(files), tt.disclosed)
		}
		if code, res, out := verify(bundle); code != exitOK || res.Summary.Disclosed != tt.groups {
			t.Errorf("%s: verify exit %d, %d groups checked, want %d: %s", tt.audience, code, res.Summary.Disclosed, tt.groups, out)
		}
		if tt.audience == "mission" {
			mission = bundle
		}
	}
	if code, _, errOut := runCLI(t, "log", "export", "--db", db, "--audience", "party:", filepath.Join(dir, "x")); code != exitUsage || !strings.Contains(errOut, "--audience") {
		t.Errorf("a bad audience: exit %d, %s", code, errOut)
	}

	// Each observation's parts are its own: moved to another entry, or
	// edited, they fail, and verify names the file, entry and group.
	files, _ := filepath.Glob(filepath.Join(mission, "disclosed", "*.json"))
	// The sealed team's identity, edited, fails too.
	var ident string
	for _, f := range files {
		if pp, err := ledger.ParseDisclosed(f, mustRead(t, f)); err == nil && len(pp) == 1 && bytes.Contains(pp[truce.GroupSource].Value, []byte(`"name":"osce-team-1"`)) {
			ident = f
		}
	}
	if ident == "" {
		t.Fatalf("the mission's bundle does not disclose the team's identity: %q", files)
	}
	b := mustRead(t, ident)
	os.WriteFile(ident, bytes.Replace(b, []byte("osce-team-1"), []byte("osce-team-2"), 1), 0o644)
	if code, res, out := verify(mission); code != exitFail || len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Message, "does not match") {
		t.Errorf("an edited identity: exit %d, problems %q: %s", code, res.Problems, out)
	}
	os.WriteFile(ident, b, 0o644)
	files = slices.DeleteFunc(files, func(f string) bool { return f == ident })
	first, second := files[0], files[1]
	b0, b1 := mustRead(t, first), mustRead(t, second)
	pp, err := ledger.ParseDisclosed(first, b0)
	if err != nil {
		t.Fatal(err)
	}
	var src truce.SourceGroup
	json.Unmarshal(pp[truce.GroupSource].Value, &src)
	edited := strings.Replace(string(b0), src.ID, src.ID+"x", 1)
	for _, c := range []struct{ name, file, data, want string }{
		{"swapped", first, string(b1), "group source: does not match its commitment"},
		{"edited", first, edited, "group source: does not match its commitment"},
	} {
		os.WriteFile(c.file, []byte(c.data), 0o644)
		code, res, out := verify(mission)
		os.WriteFile(first, b0, 0o644)
		idx := strings.TrimSuffix(filepath.Base(c.file), ".json")
		want := "disclosed/" + idx + ".json: entry " + idx + ": observation o-"
		found := false
		for _, p := range res.Problems {
			found = found || strings.HasPrefix(p.String(), want) && strings.Contains(p.String(), c.want)
		}
		if code != exitFail || res.OK || !found {
			t.Errorf("%s: exit %d, problems %q; want one beginning %q and saying %q: %s", c.name, code, res.Problems, want, c.want, out)
		}
	}
}

// TestExportReleased checks that a release entry reaches the bundles: the
// party released to gets the released group in its disclosed files, and
// truce verify checks it; the other party and the public do not get it.
func TestExportReleased(t *testing.T) {
	dir := t.TempDir()
	db, vkey := verifyStore(t, dir)
	ctx := context.Background()
	store, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	analyst := &truce.Source{Name: "analyst-1", Role: truce.RoleAnalyst}
	if _, err := store.CreateSource(ctx, nil, analyst); err != nil {
		t.Fatal(err)
	}
	page, err := store.FindObservations(ctx, truce.ObservationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var pid string
	for _, rec := range page.Observations {
		if rec.Private[truce.GroupText] != nil {
			pid = rec.PublicID
			break
		}
	}
	if pid == "" {
		t.Fatal("no observation with text in the store")
	}
	if _, _, err := store.AddRelease(ctx, analyst, &truce.Release{ID: "rel-1", Observation: pid, Groups: []truce.FieldGroup{truce.GroupText},
		To: truce.AudienceParty, Party: "UA", Reason: "answers UA's question"}); err != nil {
		t.Fatal(err)
	}
	store.Close()
	for _, tt := range []struct {
		audience string
		groups   int
	}{{"party:UA", 8}, {"party:RU", 7}, {"public", 7}} {
		bundle := filepath.Join(dir, strings.ReplaceAll(tt.audience, ":", "-"))
		if code, _, errOut := runCLI(t, "log", "export", "--db", db, "--audience", tt.audience, bundle); code != exitOK {
			t.Fatalf("log export --audience %s: exit %d: %s", tt.audience, code, errOut)
		}
		code, out, _ := runCLI(t, "verify", "--json", "--log-key", vkey, bundle)
		var res verifyResult
		if err := json.Unmarshal([]byte(out), &res); err != nil || code != exitOK || res.Summary.Disclosed != tt.groups || res.Summary.Types[truce.EntryRelease] != 1 {
			t.Errorf("%s: verify exit %d, %d groups checked, want %d: %s", tt.audience, code, res.Summary.Disclosed, tt.groups, out)
		}
	}
}
