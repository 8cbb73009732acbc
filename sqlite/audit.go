package sqlite

import (
	"context"
	"strings"

	"github.com/truce-monitor/truce"
)

// privateReadColumns is the number of columns a private_reads row is
// inserted with.
const privateReadColumns = 7

// RecordPrivateReads implements truce.AuditService.
func (db *DB) RecordPrivateReads(ctx context.Context, rs []*truce.PrivateRead) error {
	if len(rs) == 0 {
		return nil
	}
	const q = `INSERT INTO private_reads (at, audience, reader, observation, log_index, groups, request_id) VALUES `
	return db.write(ctx, func(tx *txn) error {
		for start := 0; start < len(rs); start += chunkRows {
			chunk := rs[start:min(start+chunkRows, len(rs))]
			args := make([]any, 0, len(chunk)*privateReadColumns)
			for _, r := range chunk {
				args = append(args, r.At.UTC().Format(timeFormat), r.Audience, r.Reader, r.Observation, r.LogIndex, joinGroups(r.Groups), r.RequestID)
			}
			if err := tx.exec(q+rowPlaceholders(len(chunk), privateReadColumns), args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// PrivateReads implements truce.AuditService.
func (db *DB) PrivateReads(ctx context.Context, by *truce.Source, observation string, after int64, limit int) ([]*truce.PrivateRead, error) {
	if err := actor(by).Authorize(truce.ActionReadAudit); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > truce.MaxPrivateReads {
		limit = truce.MaxPrivateReads
	}
	q := `SELECT id, at, audience, reader, observation, log_index, groups, request_id FROM private_reads WHERE id > ?`
	args := []any{after}
	if observation != "" {
		q += ` AND observation = ?`
		args = append(args, observation)
	}
	rows, err := db.r.QueryContext(ctx, q+` ORDER BY id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*truce.PrivateRead{}
	for rows.Next() {
		var r truce.PrivateRead
		var at, groups string
		if err := rows.Scan(&r.ID, &at, &r.Audience, &r.Reader, &r.Observation, &r.LogIndex, &groups, &r.RequestID); err != nil {
			return nil, err
		}
		if r.At, err = scanTime(at); err != nil {
			return nil, err
		}
		for g := range strings.SplitSeq(groups, ",") {
			r.Groups = append(r.Groups, truce.FieldGroup(g))
		}
		out = append(out, &r)
	}
	return out, rows.Err()
}
