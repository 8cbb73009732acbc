package sqlite

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestQueryPlans checks that no query on the large tables (the log, the
// observations, the credentials) reads the whole table: each must find its
// rows through a key or an index. A full scan passes every functional test
// and only shows as latency once a store holds millions of entries.
func TestQueryPlans(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	obsJoin := `SELECT e.data, e.idx, e.time FROM observations o JOIN entries e ON e.idx = o.log_index`
	byID, byIDArgs := db.whereID("s", "x")
	restored, _, err := Restore(ctx, filepath.Join(t.TempDir(), "restored.db"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	restoredByID, restoredArgs := restored.whereID("s", "x")
	queries := []struct {
		name  string
		query string
		args  []any
	}{
		{"stored observations", selectObservations + "(" + placeholders(4) + ")", []any{1, 2, 3, 4}},
		{"observation by id", obsJoin + ` WHERE ` + byID, byIDArgs},
		{"observation by id, restored", obsJoin + ` WHERE ` + restoredByID, restoredArgs},
		{"corrections", selectCorrections + `(?, ?) ORDER BY log_index`, []any{"a", "b"}},
		{"observations in a time range", obsJoin + ` WHERE o.observed_at >= ? AND o.observed_at < ? AND o.kind IN (?) ORDER BY o.observed_at, o.log_index LIMIT ?`, []any{1, 2, "artillery", 100}},
		{"observations after a cursor", obsJoin + ` WHERE (o.observed_at > ? OR (o.observed_at = ? AND o.log_index > ?)) ORDER BY o.observed_at, o.log_index LIMIT ?`, []any{1, 1, 5, 100}},
		{"observation by public id", obsJoin + ` WHERE o.public_key = ? AND o.public_id = ?`, []any{1, "o-x"}},
		{"public ids counted", `SELECT count(*) FROM observations WHERE public_key IN (?, ?) AND public_id IN (?, ?) AND blamed_party = ?`, []any{1, 2, "o-a", "o-b", "RU"}},
		{"supersedes check", `SELECT count(*) FROM observations o WHERE ` + byID, byIDArgs},
		{"tree hashes", `SELECT idx, tree_hashes FROM entries WHERE idx IN (?, ?)`, []any{1, 2}},
		{"entries", `SELECT idx, type, time, submitter, data FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx`, []any{0, 10}},
		{"head", `SELECT idx, time FROM entries WHERE idx = (SELECT max(idx) FROM entries)`, nil},
		{"log size", `SELECT max(idx) FROM entries`, nil},
		{"authenticate", sourceSelect + ` JOIN credentials c ON c.source = s.name WHERE c.token_sha256 = ?`, []any{"h"}},
	}
	fullScan := regexp.MustCompile(`^SCAN (\w+)$`)
	large := map[string]bool{"o": true, "e": true, "observations": true, "entries": true, "c": true, "credentials": true}
	for _, q := range queries {
		on := db
		if q.name == "observation by id, restored" {
			on = restored
		}
		rows, err := on.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q.query, q.args...)
		if err != nil {
			t.Fatalf("%s: %v", q.name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
			if m := fullScan.FindStringSubmatch(detail); m != nil && large[m[1]] {
				t.Errorf("%s reads the whole table %s:\n\t%s", q.name, m[1], strings.Join(plan, "\n\t"))
			}
		}
		rows.Close()
	}
}
