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

// Recomputer derives run again into scratch, recording it through
// scratch's RecordFindings exactly as the store recorded it. It returns
// why it cannot, if it cannot (a run of another engine than its own, for
// one): that run is then taken as stored.
type Recomputer func(ctx context.Context, scratch *DB, run FindingRun) (skip string, err error)

// Which runs VerifyFindings recomputes.
const (
	// RecomputeChanged recomputes every run that recorded a version, and
	// the latest run of each agreement version: every stored version is
	// checked, and a version deleted shows in a later run or the latest.
	// The runs that recorded nothing are taken as stored (they recorded
	// nothing to check).
	RecomputeChanged = "changed"
	// RecomputeAll recomputes every recorded run.
	RecomputeAll = "all"
	// RecomputeLatest recomputes only the latest run of each agreement
	// version, over the versions before it taken as stored: the current
	// versions are checked; earlier ones against their content ids only.
	RecomputeLatest = "latest"
)

// FindingsChecked is what VerifyFindings checked.
type FindingsChecked struct {
	// Versions is the number of stored versions; Recomputed of them
	// were compared with a recomputation, the others with their content
	// ids only.
	Versions   int64 `json:"versions"`
	Recomputed int64 `json:"recomputed"`
	// Runs is the number of recorded runs, and Rerun those recomputed.
	Runs  int `json:"runs"`
	Rerun int `json:"rerun"`
	// Skipped says why runs that should have been recomputed were not.
	Skipped []string `json:"skipped,omitempty"`
}

// VerifyFindings checks the finding versions that the store in the file at
// path keeps against the log, reporting each problem to a: every version's
// content against its content id and the columns copied from it, and, with
// recompute, versions against what recomputation derives from the log. For
// that it copies the store's log into a scratch store in the temporary
// directory, projects it, goes through the store's recorded runs in log
// order — recomputing those that mode says (RecomputeChanged when empty)
// with recompute, copying the others as stored — and compares the two
// stores' finding_versions and finding_runs row by row. It opens the file
// read-only.
func VerifyFindings(ctx context.Context, path string, a *ledger.Auditor, recompute Recomputer, mode string) (*FindingsChecked, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "truce-verify-findings-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	scratch, err := Open(ctx, filepath.Join(dir, "scratch.db"))
	if err != nil {
		return nil, err
	}
	defer scratch.Close()
	// The writer's one connection attaches the store, read-only.
	store := "file:" + (&url.URL{Path: abs}).EscapedPath() + "?mode=ro"
	if _, err := scratch.w.ExecContext(ctx, `ATTACH DATABASE ? AS store`, store); err != nil {
		return nil, fmt.Errorf("sqlite: opening %s to verify: %w", path, err)
	}
	if err := contentIDs(ctx, scratch, a); err != nil {
		return nil, err
	}
	res := &FindingsChecked{}
	if err := scratch.w.QueryRowContext(ctx, `SELECT count(*) FROM store.finding_versions`).Scan(&res.Versions); err != nil {
		return nil, err
	}
	if recompute == nil {
		return res, nil
	}
	for _, table := range []string{"observation_private", "source_private"} {
		if _, err := scratch.w.ExecContext(ctx, `INSERT INTO main.`+table+` SELECT * FROM store.`+table); err != nil {
			return nil, err
		}
	}
	if _, err := scratch.w.ExecContext(ctx, `INSERT INTO main.entries SELECT * FROM store.entries`); err != nil {
		return nil, err
	}
	if _, err := scratch.Rebuild(ctx); err != nil {
		a.Problem("finding_versions", "the log cannot be replayed to recompute them: %v", err)
		return res, nil
	}
	type runInfo struct {
		FindingRun
		versions bool // the run recorded a version
		latest   bool // the latest run of its agreement version
	}
	var runs []runInfo
	rows, err := scratch.w.QueryContext(ctx, `SELECT r.agreement, r.agreement_version, r.log_size, r.engine,
		EXISTS (SELECT 1 FROM store.finding_versions v WHERE v.agreement = r.agreement AND v.agreement_version = r.agreement_version AND v.log_size = r.log_size),
		r.log_size = (SELECT max(b.log_size) FROM store.finding_runs b WHERE b.agreement = r.agreement AND b.agreement_version = r.agreement_version)
		FROM store.finding_runs r ORDER BY r.log_size, r.agreement, r.agreement_version`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var r runInfo
		if err := rows.Scan(&r.Agreement, &r.AgreementVersion, &r.LogSize, &r.Engine, &r.versions, &r.latest); err != nil {
			rows.Close()
			return nil, err
		}
		runs = append(runs, r)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	res.Runs = len(runs)
	// asStored copies a run and its versions into the scratch store, so
	// that the runs after it are recomputed over what the store holds.
	asStored := func(r FindingRun) error {
		for _, q := range []string{
			`INSERT OR REPLACE INTO main.finding_versions SELECT * FROM store.finding_versions WHERE agreement = ? AND agreement_version = ? AND log_size = ?`,
			`INSERT OR IGNORE INTO main.finding_runs SELECT * FROM store.finding_runs WHERE agreement = ? AND agreement_version = ? AND log_size = ?`,
		} {
			if _, err := scratch.w.ExecContext(ctx, q, r.Agreement, r.AgreementVersion, r.LogSize); err != nil {
				return err
			}
		}
		return nil
	}
	recomputed := map[FindingRun]bool{}
	for _, r := range runs {
		var need bool
		switch mode {
		case RecomputeAll:
			need = true
		case RecomputeLatest:
			need = r.latest
		default:
			need = r.versions || r.latest
		}
		if need {
			skip, err := recompute(ctx, scratch, r.FindingRun)
			if err != nil {
				a.Problem("finding_versions", "cannot be recomputed from the log: %v", err)
				return res, nil
			}
			if skip == "" {
				res.Rerun++
				recomputed[r.FindingRun] = true
				continue
			}
			res.Skipped = append(res.Skipped, skip)
		}
		if err := asStored(r.FindingRun); err != nil {
			return nil, err
		}
	}
	for r := range recomputed {
		var n int64
		if err := scratch.w.QueryRowContext(ctx, `SELECT count(*) FROM store.finding_versions WHERE agreement = ? AND agreement_version = ? AND log_size = ?`,
			r.Agreement, r.AgreementVersion, r.LogSize).Scan(&n); err != nil {
			return nil, err
		}
		res.Recomputed += n
	}
	tx, err := scratch.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	v := &verifier{ctx: ctx, tx: tx, a: a, rows: map[string]int64{}, derived: true}
	for _, table := range []string{"finding_runs", "finding_versions"} {
		if err := v.compare(table); err != nil {
			return nil, err
		}
	}
	return res, nil
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
