package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestSourceKeyPlans checks that finding a source's key in force reads one
// row through the key of source_keys, not the table: every write and
// every authentication does it.
func TestSourceKeyPlans(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for name, q := range map[string]string{
		"key in force": `SELECT public_key FROM source_keys WHERE source = ? ORDER BY log_index DESC LIMIT 1`,
		"authenticate": sourceSelect + ` JOIN credentials c ON c.source = s.name WHERE c.token_sha256 = ?`,
	} {
		rows, err := db.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, "x")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		all := strings.Join(plan, "\n\t")
		if !strings.Contains(all, "USING PRIMARY KEY (source=?)") && !strings.Contains(all, "USING INDEX sqlite_autoindex_source_keys_1 (source=?)") {
			t.Errorf("%s does not find the key through source_keys' key:\n\t%s", name, all)
		}
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN k") || strings.HasPrefix(step, "SCAN source_keys") || strings.Contains(step, "USE TEMP B-TREE") {
				t.Errorf("%s scans or sorts source_keys:\n\t%s", name, all)
			}
		}
	}
}
