package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/sqlite"
	"github.com/truce-monitor/truce/storetest"
)

// TestVerifyFindings is the regression test of finding versions edited in
// the store passing truce verify --db: verify now recomputes every
// recorded run from the log and compares the versions row by row, and
// checks each version's content against its content id and the columns
// that listings filter on, so that each edit below is found.
func TestVerifyFindings(t *testing.T) {
	db, _ := simStore(t, "2", "2")
	for _, args := range [][]string{
		{"agreement", "add", "--db", db, replayAgreement},
		{"findings", "recompute", "--db", db},
	} {
		if code, out, errOut := runCLI(t, args...); code != exitOK {
			t.Fatalf("truce %s: exit %d: %s%s", strings.Join(args, " "), code, out, errOut)
		}
	}
	// A second run that records nothing (the log grew by a source), and a
	// third that records a new version (a second team reports what the
	// first did).
	cli := func(args ...string) {
		t.Helper()
		if code, out, errOut := runCLI(t, args...); code != exitOK {
			t.Fatalf("truce %s: exit %d: %s%s", strings.Join(args, " "), code, out, errOut)
		}
	}
	cli("source", "add", "second-team", "--role", "monitor", "--db", db)
	cli("findings", "recompute", "--db", db)
	addTwin(t, db, "second-team")
	cli("findings", "recompute", "--db", db)

	for _, tc := range []struct {
		mode  string
		rerun string
	}{{"", "2 of 3"}, {"all", "3 of 3"}, {"latest", "1 of 3"}} {
		args := []string{"verify", "--db", db}
		if tc.mode != "" {
			args = append(args, "--findings", tc.mode)
		}
		code, out, errOut := runCLI(t, args...)
		m := regexp.MustCompile(`findings +(\d+) versions match their content ids; (\d+) of them, from (\d+ of \d+) recorded runs`).FindStringSubmatch(out)
		if code != exitOK || m == nil || m[1] == "0" || m[2] == "0" || m[3] != tc.rerun {
			t.Fatalf("verify --findings %q an untouched store: exit %d, want runs %s recomputed: %s%s", tc.mode, code, tc.rerun, out, errOut)
		}
	}

	// One violation attributed to a party, to be edited.
	raw := openRaw(t, db)
	var series string
	var data []byte
	if err := raw.QueryRow(`SELECT series, finding FROM finding_versions WHERE violation AND party <> '' ORDER BY series LIMIT 1`).Scan(&series, &data); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	var f truce.Finding
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	other := "UA"
	if f.Party == "UA" {
		other = "RU"
	}
	edited := f
	edited.Party = other
	eb, _ := json.Marshal(&edited)

	for _, tc := range []struct {
		name, sql string
		args      []any
		want      string
	}{
		{"party changed, content id kept", `UPDATE finding_versions SET party = ?, finding = ? WHERE series = ?`, []any{other, eb, series},
			"not to its content id"},
		{"party changed with a matching content id", `UPDATE finding_versions SET party = ?, finding = ?, content_id = ? WHERE series = ?`, []any{other, eb, edited.ContentID(), series},
			"differs from what recomputing from the log gives"},
		{"the party column alone", `UPDATE finding_versions SET party = ? WHERE series = ?`, []any{other, series},
			"listings would select it wrongly"},
		{"a version deleted", `DELETE FROM finding_versions WHERE series = ?`, []any{series},
			"missing: recomputing from the log gives the row"},
		{"a run deleted", `DELETE FROM finding_runs`, nil,
			"recomputing from the log gives no such row"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			copyDB := filepath.Join(t.TempDir(), "edited.db")
			b, err := os.ReadFile(db)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(copyDB, b, 0o600); err != nil {
				t.Fatal(err)
			}
			raw := openRaw(t, copyDB)
			if _, err := raw.Exec(tc.sql, tc.args...); err != nil {
				t.Fatal(err)
			}
			raw.Close()
			code, out, errOut := runCLI(t, "verify", "--db", copyDB)
			if code != exitFail || !strings.Contains(out, tc.want) {
				t.Errorf("exit %d, want %d and a problem with %q:\n%s%s", code, exitFail, tc.want, out, errOut)
			}
		})
	}
}

// addTwin files, as source, a copy of the first monitor's observation
// that a finding rests on: it joins that incident.
func addTwin(t *testing.T, db, source string) {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	page, err := store.Findings(ctx, truce.FindingFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range page.Findings {
		o, err := storetest.Named(ctx, store, v.Anchor)
		if err != nil {
			t.Fatal(err)
		}
		if o.SourceRole != truce.RoleMonitor {
			continue
		}
		twin := *o.Observation
		twin.ID, twin.Source, twin.SourceRole, twin.SourceParty, twin.Signature, twin.Supersedes = "twin-1", "", "", "", "", ""
		src, err := store.Source(ctx, source)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.AddObservations(ctx, src, []*truce.Observation{&twin}); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatal("no finding rests on a monitor's observation")
}

func openRaw(t *testing.T, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestVerifyDeletedCosignatures is the regression test of cosignatures
// deleted from a store going unnoticed: with the witness pinned, a store
// none of whose checkpoints carries its cosignature fails, and with a
// checkpoint the witness keeps (its state), the deleted line is named.
func TestVerifyDeletedCosignatures(t *testing.T) {
	dir := t.TempDir()
	db, vkey := verifyStore(t, dir)
	held := filepath.Join(dir, "held-14")
	store := openRaw(t, db)
	var note []byte
	if err := store.QueryRow(`SELECT note FROM checkpoints WHERE size = 14`).Scan(&note); err != nil {
		t.Fatal(err)
	}
	rows, err := store.Query(`SELECT line FROM cosignatures WHERE size = 14 ORDER BY witness`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var line string
		rows.Scan(&line)
		note = append(note, line...)
	}
	rows.Close()
	os.WriteFile(held, note, 0o644)
	if _, err := store.Exec(`DELETE FROM cosignatures WHERE witness = 'witness.invalid/ua'`); err != nil {
		t.Fatal(err)
	}
	store.Close()
	ua := testCosigner(t, "witness.invalid/ua").VerifierKey()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--witness", ua}, `witness witness.invalid/ua: pinned, but it cosigns none of the log's checkpoints`},
		{[]string{"--checkpoint", held}, `the log's copy lacks the cosignature by witness "witness.invalid/ua": it was removed`},
	} {
		code, out, errOut := runCLI(t, append(append([]string{"verify", "--log-key", vkey}, tc.args...), "--db", db)...)
		if code != exitFail || !strings.Contains(out, tc.want) {
			t.Errorf("%v: exit %d, want a problem with %q:\n%s%s", tc.args, code, tc.want, out, errOut)
		}
	}
}
