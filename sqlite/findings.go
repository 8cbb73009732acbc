package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
)

// RecordFindings implements truce.FindingService.
func (db *DB) RecordFindings(ctx context.Context, run *truce.FindingRun) (*truce.RecordResult, error) {
	if err := run.Validate(); err != nil {
		return nil, err
	}
	fs := slices.Clone(run.Findings)
	slices.SortFunc(fs, func(a, b *truce.SeriesFinding) int { return strings.Compare(a.Series, b.Series) })
	res := &truce.RecordResult{Added: []*truce.FindingVersion{}}
	err := db.write(ctx, func(tx *txn) error {
		res.Added, res.Unchanged = res.Added[:0], 0
		var last sql.NullInt64
		if err := tx.tx.QueryRowContext(tx.ctx, `SELECT max(log_size) FROM finding_runs WHERE agreement = ? AND agreement_version = ?`,
			run.Agreement, run.AgreementVersion).Scan(&last); err != nil {
			return err
		}
		if last.Valid && last.Int64 > run.LogSize {
			return truce.Errorf(truce.ECONFLICT, "findings of agreement %s version %d were already recorded from a log of %d entries; this run read only %d",
				run.Agreement, run.AgreementVersion, last.Int64, run.LogSize)
		}
		cur, err := currentVersions(tx.ctx, tx.tx, `v.agreement = ? AND v.agreement_version = ?`, run.Agreement, run.AgreementVersion)
		if err != nil {
			return err
		}
		byAnchor := map[string]string{} // observation → the series of the run that holds it
		inRun := map[string]bool{}
		for _, f := range fs {
			inRun[f.Series] = true
			for _, id := range f.Observations {
				byAnchor[id] = f.Series
			}
		}
		for _, f := range fs {
			v := &truce.FindingVersion{
				Series: f.Series, Version: 1, ContentID: f.Finding.ContentID(),
				Agreement: run.Agreement, AgreementVersion: run.AgreementVersion,
				Anchor: f.Anchor, AnchorIndex: f.AnchorIndex, LogSize: run.LogSize, Engine: run.Engine,
				Finding: f.Finding, Observations: f.Observations,
			}
			if c := cur[f.Series]; c != nil {
				if c.ContentID == v.ContentID {
					res.Unchanged++
					continue
				}
				v.Version = c.Version + 1
			}
			res.Added = append(res.Added, v)
		}
		for _, c := range sortedVersions(cur) {
			if inRun[c.Series] || c.Withdrawn {
				continue
			}
			v := &truce.FindingVersion{
				Series: c.Series, Version: c.Version + 1,
				Agreement: run.Agreement, AgreementVersion: run.AgreementVersion,
				Anchor: c.Anchor, AnchorIndex: c.AnchorIndex, LogSize: run.LogSize, Engine: run.Engine,
				Withdrawn: true, MergedInto: byAnchor[c.Anchor],
			}
			v.ContentID = truce.WithdrawnContentID(v.Series, v.MergedInto)
			res.Added = append(res.Added, v)
		}
		slices.SortFunc(res.Added, func(a, b *truce.FindingVersion) int { return strings.Compare(a.Series, b.Series) })
		for _, v := range res.Added {
			if err := insertVersion(tx, v); err != nil {
				return err
			}
		}
		return tx.exec(`INSERT OR IGNORE INTO finding_runs (agreement, agreement_version, log_size, engine) VALUES (?, ?, ?, ?)`,
			run.Agreement, run.AgreementVersion, run.LogSize, run.Engine)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func sortedVersions(m map[string]*truce.FindingVersion) []*truce.FindingVersion {
	out := make([]*truce.FindingVersion, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b *truce.FindingVersion) int { return strings.Compare(a.Series, b.Series) })
	return out
}

func insertVersion(tx *txn, v *truce.FindingVersion) error {
	var findingID, rule, party, conf string
	var data []byte
	var violation bool
	if f := v.Finding; f != nil {
		var err error
		if data, err = json.Marshal(f); err != nil {
			return err
		}
		findingID, violation, rule, party, conf = f.ID, f.Violation, f.Rule, f.Party, string(f.Confidence)
	}
	if data == nil {
		data = []byte{}
	}
	return tx.exec(`INSERT INTO finding_versions (series, version, content_id, agreement, agreement_version, anchor, anchor_index,
		log_size, engine, finding_id, finding, observations, withdrawn, merged_into, violation, rule, party, confidence)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.Series, v.Version, v.ContentID, v.Agreement, v.AgreementVersion, v.Anchor, v.AnchorIndex,
		v.LogSize, v.Engine, findingID, data, strings.Join(v.Observations, ","), v.Withdrawn, v.MergedInto,
		violation, rule, party, conf)
}

// versionColumns are the columns that scanVersions reads, of
// finding_versions v.
const versionColumns = `v.series, v.version, v.content_id, v.agreement, v.agreement_version, v.anchor, v.anchor_index,
	v.log_size, v.engine, v.finding, v.observations, v.withdrawn, v.merged_into`

// currentOnly restricts finding_versions v to each series' latest version.
const currentOnly = `v.version = (SELECT max(b.version) FROM finding_versions b WHERE b.series = v.series)`

func scanVersions(ctx context.Context, q querier, query string, args ...any) ([]*truce.FindingVersion, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*truce.FindingVersion
	for rows.Next() {
		var v truce.FindingVersion
		var data []byte
		var obs string
		if err := rows.Scan(&v.Series, &v.Version, &v.ContentID, &v.Agreement, &v.AgreementVersion, &v.Anchor, &v.AnchorIndex,
			&v.LogSize, &v.Engine, &data, &obs, &v.Withdrawn, &v.MergedInto); err != nil {
			return nil, err
		}
		if len(data) > 0 {
			v.Finding = new(truce.Finding)
			if err := json.Unmarshal(data, v.Finding); err != nil {
				return nil, fmt.Errorf("sqlite: finding series %s version %d: %w", v.Series, v.Version, err)
			}
		}
		if obs != "" {
			v.Observations = strings.Split(obs, ",")
		}
		if err := v.CheckContent(); err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
		out = append(out, &v)
	}
	return out, rows.Err()
}

// currentVersions returns the current version of each series matching
// where (over finding_versions v), by series.
func currentVersions(ctx context.Context, q querier, where string, args ...any) (map[string]*truce.FindingVersion, error) {
	vs, err := scanVersions(ctx, q, `SELECT `+versionColumns+` FROM finding_versions v WHERE `+currentOnly+` AND `+where, args...)
	if err != nil {
		return nil, err
	}
	m := make(map[string]*truce.FindingVersion, len(vs))
	for _, v := range vs {
		m[v.Series] = v
	}
	return m, nil
}

// Finding implements truce.FindingService.
func (db *DB) Finding(ctx context.Context, id string) (*truce.FindingHistory, error) {
	h, err := history(ctx, db.r, id)
	return h, db.closedOr(err)
}

// history reads the history of the series id names through q.
func history(ctx context.Context, q querier, id string) (*truce.FindingHistory, error) {
	notFound := truce.Errorf(truce.ENOTFOUND, "no finding %q: not a series, a version's content id or an engine finding id", id)
	if !truce.ValidID(id) {
		return nil, notFound
	}
	series, err := resolveSeries(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if series == "" {
		return nil, notFound
	}
	vs, err := scanVersions(ctx, q, `SELECT `+versionColumns+` FROM finding_versions v WHERE v.series = ? ORDER BY v.version`, series)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, notFound
	}
	reviews, err := records(ctx, q, reviewRecord,
		`SELECT e.data, e.idx, e.time FROM reviews r JOIN entries e ON e.idx = r.log_index WHERE r.series = ? ORDER BY r.log_index`, series)
	if err != nil {
		return nil, err
	}
	h := &truce.FindingHistory{Series: series, Current: vs[len(vs)-1], Earlier: vs[:len(vs)-1], Reviews: reviews}
	if h.Reviews == nil {
		h.Reviews = []*truce.ReviewRecord{}
	}
	h.Derive()
	return h, nil
}

// resolveSeries returns the series that id names (a series, a version's
// content id or an engine finding id), "" when none.
func resolveSeries(ctx context.Context, q querier, id string) (string, error) {
	for _, query := range []string{
		`SELECT series FROM finding_versions WHERE series = ? LIMIT 1`,
		`SELECT series FROM finding_versions WHERE content_id = ? ORDER BY series LIMIT 1`,
		`SELECT series FROM finding_versions WHERE finding_id = ? AND finding_id <> '' ORDER BY series LIMIT 1`,
	} {
		rows, err := q.QueryContext(ctx, query, id)
		if err != nil {
			return "", err
		}
		var s string
		if rows.Next() {
			err = rows.Scan(&s)
		}
		rows.Close()
		if err != nil || s != "" {
			return s, err
		}
	}
	return "", nil
}

// openDispute selects the series of finding_versions v with a dispute that
// no resolution names.
const openDispute = `EXISTS (SELECT 1 FROM reviews d WHERE d.series = v.series AND d.action = 'dispute'
	AND NOT EXISTS (SELECT 1 FROM reviews x WHERE x.dispute = d.id AND x.dispute <> ''))`

// Findings implements truce.FindingService.
func (db *DB) Findings(ctx context.Context, f truce.FindingFilter) (*truce.FindingPage, error) {
	var where []string
	var args []any
	add := func(clause string, a ...any) { where, args = append(where, clause), append(args, a...) }
	add(currentOnly)
	if f.Agreement != "" {
		add(`v.agreement = ?`, f.Agreement)
	}
	switch f.Party {
	case "":
	case "-":
		add(`v.party = ''`)
	default:
		add(`v.party = ?`, f.Party)
	}
	if f.Confidence != "" {
		add(`v.confidence = ?`, string(f.Confidence))
	}
	if f.Violation != nil {
		add(`v.violation = ?`, *f.Violation)
	}
	if f.Rule != "" {
		add(`v.rule = ?`, f.Rule)
	}
	switch cmp.Or(f.Status, truce.StatusActive) {
	case truce.StatusActive:
		add(`v.withdrawn = 0`)
	case truce.StatusWithdrawn:
		add(`v.withdrawn = 1`)
	case truce.StatusDisputed:
		add(`v.withdrawn = 0 AND ` + openDispute)
	case truce.StatusAll:
	default:
		return nil, truce.Invalid("Invalid finding filter.", truce.Problem{Path: "status", Message: fmt.Sprintf("unknown status %q", f.Status)})
	}
	if f.Cursor != "" {
		after, err := base64.RawURLEncoding.DecodeString(f.Cursor)
		if err != nil || !truce.ValidID(string(after)) {
			return nil, truce.Errorf(truce.EINVALID, "cursor %q is not one this server issued", f.Cursor)
		}
		add(`v.series > ?`, string(after))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = truce.DefaultPageSize
	}
	limit = min(limit, truce.MaxPageSize)
	vs, err := scanVersions(ctx, db.r, `SELECT `+versionColumns+` FROM finding_versions v WHERE `+strings.Join(where, " AND ")+
		` ORDER BY v.series LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return nil, db.closedOr(err)
	}
	page := &truce.FindingPage{Findings: vs}
	if len(vs) > limit {
		page.Findings = vs[:limit]
		page.Next = base64.RawURLEncoding.EncodeToString([]byte(vs[limit-1].Series))
	}
	if page.Findings == nil {
		page.Findings = []*truce.FindingVersion{}
	}
	return page, nil
}

func reviewRecord(data []byte, index int64, at time.Time) (*truce.ReviewRecord, error) {
	var r truce.Review
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, err
	}
	return &truce.ReviewRecord{Review: &r, LogIndex: index, LoggedAt: at}, nil
}

func projectReview(tx *txn, e *truce.Entry) error {
	r, err := truce.DecodeReview(e.Data)
	if err != nil {
		return err
	}
	return tx.exec(`INSERT INTO reviews (log_index, id, series, version, action, dispute, source) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		e.Index, r.ID, r.Series, r.Version, string(r.Action), r.Dispute, r.By)
}

// AddReview implements truce.FindingService.
func (db *DB) AddReview(ctx context.Context, by *truce.Source, r *truce.Review) (*truce.ReviewRecord, bool, error) {
	by = actor(by)
	action := truce.ActionReviewFinding
	if r.Action == truce.ReviewDispute {
		action = truce.ActionDisputeFinding
	}
	if err := by.Authorize(action); err != nil {
		if r.Action == truce.ReviewDispute {
			return nil, false, truce.Errorf(truce.EFORBIDDEN, "source %q has role %s: only a party disputes a finding, and only one about itself", by.Name, by.RoleString())
		}
		return nil, false, truce.Errorf(truce.EFORBIDDEN, "source %q has role %s: only an analyst may %s a finding", by.Name, by.RoleString(), cmp.Or(string(r.Action), "review"))
	}
	if err := r.Validate(); err != nil {
		return nil, false, err
	}
	c := *r
	// The review names its author as the log knows it (a pseudonym for
	// a sealed source, docs/log-format.md §14).
	sub, err := db.submitter(ctx, by)
	if err != nil {
		return nil, false, err
	}
	c.By, c.Role = sub, by.RoleString()
	var rec *truce.ReviewRecord
	var created bool
	err = db.write(ctx, func(tx *txn) error {
		h, err := history(tx.ctx, tx.tx, c.Series)
		if truce.ErrorCode(err) == truce.ENOTFOUND || (err == nil && h.Series != c.Series) {
			return truce.Errorf(truce.ENOTFOUND, "no finding series %q", c.Series)
		} else if err != nil {
			return err
		}
		all := append(slices.Clone(h.Earlier), h.Current)
		if c.Version > len(all) {
			return truce.Errorf(truce.ENOTFOUND, "finding series %s has no version %d; its current version is %d", c.Series, c.Version, h.Current.Version)
		}
		c.Finding = all[c.Version-1].ContentID
		// Evidence is logged by public id, which the public log names
		// observations by; a reviewer may give its own source's ids.
		if c.Evidence, err = evidenceIDs(tx, by.Name, c.Evidence); err != nil {
			return err
		}
		data, err := c.Canonical()
		if err != nil {
			return err
		}
		// A repeat is answered as it was, whatever has happened since.
		prev, err := record(tx.ctx, tx.tx, sql.ErrNoRows, reviewRecord,
			`SELECT e.data, e.idx, e.time FROM reviews r JOIN entries e ON e.idx = r.log_index WHERE r.id = ?`, c.ID)
		switch {
		case err == nil:
			if got, _ := prev.Canonical(); string(got) != string(data) {
				return truce.Errorf(truce.ECONFLICT, "review %s is already logged (entry %d) with other content; give a new review a new id", c.ID, prev.LogIndex)
			}
			rec = prev
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if err := checkReview(tx, by, &c, h); err != nil {
			return err
		}
		e, err := tx.append(truce.EntryReview, c.By, data)
		if err != nil {
			return err
		}
		if err := projectReview(tx, e); err != nil {
			return err
		}
		rec, created = &truce.ReviewRecord{Review: &c, LogIndex: e.Index, LoggedAt: e.Time}, true
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return rec, created, nil
}

// checkReview checks r, a new review by by, against the series' history h.
func checkReview(tx *txn, by *truce.Source, r *truce.Review, h *truce.FindingHistory) error {
	cur := h.Current
	if r.Version != cur.Version {
		return truce.Errorf(truce.ECONFLICT, "finding series %s: version %d is no longer current; the current version is %d (content %s): review that one",
			r.Series, r.Version, cur.Version, cur.ContentID)
	}
	if cur.Withdrawn {
		return truce.Errorf(truce.ECONFLICT, "finding series %s was withdrawn in version %d; there is no finding to review", r.Series, cur.Version)
	}
	o, f := h.Outcome, cur.Finding
	differs := func() error {
		if (r.Violation != nil && *r.Violation != o.Violation) || (r.Party != nil && *r.Party != o.Party) ||
			(r.Confidence != "" && r.Confidence != o.Confidence) {
			return nil
		}
		return truce.Invalid("Invalid review.", truce.Problem{Path: "$", Message: fmt.Sprintf(
			"changes nothing: the finding stands at violation %t, party %q, confidence %s; set at least one of them differently",
			o.Violation, o.Party, o.Confidence)})
	}
	switch r.Action {
	case truce.ReviewOverride:
		return differs()
	case truce.ReviewDispute:
		about := f.Party == by.Party
		if !about && f.Violation && f.Party == "" {
			n, err := countObservations(tx, cur.Observations, `AND blamed_party = ?`, by.Party)
			if err != nil {
				return err
			}
			about = n > 0
		}
		if !about {
			return truce.Errorf(truce.EFORBIDDEN, "party %s may dispute only a finding about itself: one attributed to %s, or an unattributed violation its observations blame on %s; this one is attributed to %q",
				by.Party, by.Party, by.Party, f.Party)
		}
		if d := h.OpenDispute(r.Role, r.Version); d != nil {
			return truce.Errorf(truce.ECONFLICT, "party %s already has dispute %s open against version %d of finding series %s; an analyst resolves it before the party disputes that version again",
				by.Party, d.ID, r.Version, r.Series)
		}
		var ps []truce.Problem
		for i, id := range r.Evidence {
			ok, err := publicIDLogged(tx, id)
			if err != nil {
				return err
			}
			if !ok {
				ps = append(ps, truce.Problem{Path: fmt.Sprintf("$.evidence[%d]", i), Message: fmt.Sprintf("no observation %q is logged", id)})
			}
		}
		if len(ps) > 0 {
			return truce.Invalid("Invalid review.", ps...)
		}
	case truce.ReviewResolve:
		var d *truce.ReviewRecord
		for _, x := range h.Reviews {
			if x.ID == r.Dispute && x.Action == truce.ReviewDispute {
				d = x
			}
		}
		if d == nil {
			return truce.Errorf(truce.ENOTFOUND, "finding series %s has no dispute %q", r.Series, r.Dispute)
		}
		if d.ResolvedBy != "" {
			return truce.Errorf(truce.ECONFLICT, "dispute %s was already resolved by review %s", d.ID, d.ResolvedBy)
		}
		if r.Outcome == truce.DisputeUpheld {
			return differs()
		}
	}
	return nil
}

// evidenceIDs returns ids with each id that source filed an observation
// under replaced by the observation's public id; public ids, and ids of
// nothing source filed, are kept as they are.
func evidenceIDs(tx *txn, source string, ids []string) ([]string, error) {
	if len(ids) == 0 {
		return ids, nil
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id
		if truce.IsPublicID(id) {
			continue
		}
		var pub string
		where, args := tx.db.whereID(source, id)
		err := tx.tx.QueryRowContext(tx.ctx, `SELECT public_id FROM observations o WHERE `+where, args...).Scan(&pub)
		switch {
		case err == nil:
			out[i] = pub
		case !errors.Is(err, sql.ErrNoRows):
			return nil, err
		}
	}
	return out, nil
}

// publicIDLogged reports whether an observation with public id pid is
// logged.
func publicIDLogged(tx *txn, pid string) (bool, error) {
	pk, ok := publicKey(pid)
	if !ok {
		return false, nil
	}
	var n int
	err := tx.tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM observations WHERE public_key = ? AND public_id = ?`, pk, pid).Scan(&n)
	return n > 0, err
}

// countObservations counts the logged observations among ids that satisfy
// the extra condition (over the observations table). Public ids are found
// through their index; any other id names an observation by its source's
// id, which is not scoped here, so those are found by a scan (findings
// that name observations by public id need none).
func countObservations(tx *txn, ids []string, extra string, args ...any) (int, error) {
	var keys, public, other []any
	for _, id := range ids {
		if pk, ok := publicKey(id); ok {
			keys, public = append(keys, pk), append(public, id)
		} else {
			other = append(other, id)
		}
	}
	total := 0
	for start := 0; start < len(public); start += chunkRows {
		end := min(start+chunkRows, len(public))
		a := append(slices.Clone(keys[start:end]), public[start:end]...)
		var n int
		err := tx.tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM observations WHERE public_key IN (`+placeholders(end-start)+`) AND public_id IN (`+
			placeholders(end-start)+`) `+extra, append(a, args...)...).Scan(&n)
		if err != nil {
			return 0, err
		}
		total += n
	}
	for start := 0; start < len(other); start += chunkRows {
		chunk := other[start:min(start+chunkRows, len(other))]
		var n int
		err := tx.tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM observations WHERE id IN (`+placeholders(len(chunk))+`) `+extra,
			append(slices.Clone(chunk), args...)...).Scan(&n)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}
