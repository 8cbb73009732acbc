package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/ledger"
)

// FindingRun is one recomputation that a store recorded: the findings of
// one agreement version derived from the first LogSize entries of the log
// by Engine.
type FindingRun struct {
	Agreement        string
	AgreementVersion int
	LogSize          int64
	Engine           string
}

// Recomputer derives again, into scratch, the finding runs it is given
// (in the order given: by log size), recording each through scratch's
// RecordFindings exactly as the store recorded it. It returns the runs it
// could not recompute, such as those of another engine than its own, and
// why; their versions are left out of the comparison.
type Recomputer func(ctx context.Context, scratch *DB, runs []FindingRun) (skipped map[FindingRun]string, err error)

// VerifyFindings checks the finding versions that the store in the file at
// path keeps against the log, reporting each problem to a: every version's
// content against its content id and the columns copied from it, and, with
// recompute, every version against what recomputation derives from the
// log. For that it copies the store's log into a scratch store in the
// temporary directory, projects it, has recompute derive the store's
// recorded runs again in log order, and compares the two stores'
// finding_versions and finding_runs row by row. It opens the file
// read-only. It returns the number of versions checked, and of those left
// out.
func VerifyFindings(ctx context.Context, path string, a *ledger.Auditor, recompute Recomputer) (checked, skipped int64, err error) {
	if _, err := os.Stat(path); err != nil {
		return 0, 0, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return 0, 0, err
	}
	dir, err := os.MkdirTemp("", "truce-verify-findings-")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(dir)
	scratch, err := Open(ctx, filepath.Join(dir, "scratch.db"))
	if err != nil {
		return 0, 0, err
	}
	defer scratch.Close()
	// The writer's one connection attaches the store, read-only.
	store := "file:" + (&url.URL{Path: abs}).EscapedPath() + "?mode=ro"
	if _, err := scratch.w.ExecContext(ctx, `ATTACH DATABASE ? AS store`, store); err != nil {
		return 0, 0, fmt.Errorf("sqlite: opening %s to verify: %w", path, err)
	}
	if err := contentIDs(ctx, scratch, a); err != nil {
		return 0, 0, err
	}
	if err := scratch.w.QueryRowContext(ctx, `SELECT count(*) FROM store.finding_versions`).Scan(&checked); err != nil {
		return 0, 0, err
	}
	if recompute == nil {
		return checked, 0, nil
	}
	if _, err := scratch.w.ExecContext(ctx, `INSERT INTO main.entries SELECT * FROM store.entries`); err != nil {
		return 0, 0, err
	}
	if _, err := scratch.Rebuild(ctx); err != nil {
		a.Problem("finding_versions", "the log cannot be replayed to recompute them: %v", err)
		return checked, 0, nil
	}
	var runs []FindingRun
	rows, err := scratch.w.QueryContext(ctx, `SELECT agreement, agreement_version, log_size, engine FROM store.finding_runs ORDER BY log_size, agreement, agreement_version`)
	if err != nil {
		return 0, 0, err
	}
	for rows.Next() {
		var r FindingRun
		if err := rows.Scan(&r.Agreement, &r.AgreementVersion, &r.LogSize, &r.Engine); err != nil {
			rows.Close()
			return 0, 0, err
		}
		runs = append(runs, r)
	}
	if err := rows.Close(); err != nil {
		return 0, 0, err
	}
	left, err := recompute(ctx, scratch, runs)
	if err != nil {
		a.Problem("finding_versions", "cannot be recomputed from the log: %v", err)
		return checked, 0, nil
	}
	// What could not be recomputed is taken as stored, so that the
	// comparison is of the rest.
	for r := range left {
		for _, q := range []string{
			`INSERT OR REPLACE INTO main.finding_versions SELECT * FROM store.finding_versions WHERE agreement = ? AND agreement_version = ? AND log_size = ?`,
			`INSERT OR IGNORE INTO main.finding_runs SELECT * FROM store.finding_runs WHERE agreement = ? AND agreement_version = ? AND log_size = ?`,
		} {
			res, err := scratch.w.ExecContext(ctx, q, r.Agreement, r.AgreementVersion, r.LogSize)
			if err != nil {
				return 0, 0, err
			}
			if strings.Contains(q, "finding_versions") {
				n, _ := res.RowsAffected()
				skipped += n
			}
		}
	}
	tx, err := scratch.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback()
	v := &verifier{ctx: ctx, tx: tx, a: a, rows: map[string]int64{}, derived: true}
	for _, table := range []string{"finding_runs", "finding_versions"} {
		if err := v.compare(table); err != nil {
			return 0, 0, err
		}
	}
	return checked - skipped, skipped, nil
}

// contentIDs checks every stored finding version's content against its
// content id, and the columns that listings filter on against its finding.
func contentIDs(ctx context.Context, db *DB, a *ledger.Auditor) error {
	rows, err := db.w.QueryContext(ctx, `SELECT `+versionColumns+`, v.finding_id, v.violation, v.rule, v.party, v.confidence FROM store.finding_versions v ORDER BY v.series, v.version`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var v truce.FindingVersion
		var data []byte
		var obs, findingID, rule, party, conf string
		var violation bool
		if err := rows.Scan(&v.Series, &v.Version, &v.ContentID, &v.Agreement, &v.AgreementVersion, &v.Anchor, &v.AnchorIndex,
			&v.LogSize, &v.Engine, &data, &obs, &v.Withdrawn, &v.MergedInto, &findingID, &violation, &rule, &party, &conf); err != nil {
			return err
		}
		path := fmt.Sprintf("finding_versions[series=%s version=%d]", v.Series, v.Version)
		var f truce.Finding
		if len(data) > 0 {
			if err := json.Unmarshal(data, &f); err != nil {
				a.Problem(path, "the finding is not JSON: %v", err)
				continue
			}
			v.Finding = &f
		}
		if err := v.CheckContent(); err != nil {
			a.Problem(path, "%s", strings.TrimPrefix(truce.ErrorMessage(err), fmt.Sprintf("finding series %s version %d: ", v.Series, v.Version)))
			continue
		}
		if v.Finding == nil {
			f = truce.Finding{}
		}
		if findingID != f.ID || violation != f.Violation || rule != f.Rule || party != f.Party || conf != string(f.Confidence) {
			a.Problem(path, "the columns finding_id, violation, rule, party, confidence (%q, %v, %q, %q, %q) are not the finding's (%q, %v, %q, %q, %q): listings would select it wrongly",
				findingID, violation, rule, party, conf, f.ID, f.Violation, f.Rule, f.Party, f.Confidence)
		}
	}
	return rows.Err()
}

// AgreementVersion returns version version of agreement id, or ENOTFOUND.
func (db *DB) AgreementVersion(ctx context.Context, id string, version int) (*truce.AgreementRecord, error) {
	return record(ctx, db.r, truce.Errorf(truce.ENOTFOUND, "no agreement %q version %d", id, version), agreementRecord,
		`SELECT e.data, e.idx, e.time FROM agreements a JOIN entries e ON e.idx = a.log_index WHERE a.id = ? AND a.version = ?`, id, version)
}
