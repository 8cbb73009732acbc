package httpapi_test

import (
	"context"
	"database/sql"
	"net/http"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
	_ "modernc.org/sqlite"
)

// TestTamperedFindingNotServed is the regression test of a finding edited
// in place in the store being served under its original content id: a
// version whose content does not hash to its id is answered 500, never
// served, on every read of findings.
func TestTamperedFindingNotServed(t *testing.T) {
	e := findingsEnv(t)
	if r := e.get("/v1/findings/" + series); r.status != http.StatusOK || !strings.Contains(string(r.body), `"party":"RU"`) {
		t.Fatalf("before: status %d: %s", r.status, r.body)
	}
	raw, err := sql.Open("sqlite", e.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// The attributed party changed, in the finding and its column alike.
	if _, err := raw.Exec(`UPDATE finding_versions SET party = 'UA', finding = CAST(replace(CAST(finding AS TEXT), '"party":"RU"', '"party":"UA"') AS BLOB) WHERE series = ?`, series); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/v1/findings/" + series, "/v1/findings", "/v1/findings?party=UA"} {
		r := e.get(path)
		if r.status != http.StatusInternalServerError || strings.Contains(string(r.body), `"party":"UA"`) {
			t.Errorf("%s after the edit: status %d: %s", path, r.status, r.body)
		}
	}
	if !strings.Contains(e.logs.String(), "the stored version was changed") {
		t.Errorf("the server did not log why:\n%s", e.logs)
	}
	// Nor does a recomputation take the edited version for the current
	// one and call the series unchanged: it stops on it.
	_, err = e.db.RecordFindings(context.Background(), &truce.FindingRun{Agreement: "ag", AgreementVersion: 1, LogSize: e.logSize(), Engine: "test/1"})
	if err == nil || !strings.Contains(err.Error(), "the stored version was changed") {
		t.Errorf("recording a run over the edited version: %v", err)
	}
}
