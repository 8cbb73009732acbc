package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/truce-monitor/truce"
)

// AddCheckpoint implements truce.CheckpointService.
func (db *DB) AddCheckpoint(ctx context.Context, cp *truce.SignedCheckpoint) error {
	if err := cp.Validate(); err != nil {
		return err
	}
	return db.write(ctx, func(tx *txn) error {
		if cp.Size > tx.next {
			return truce.Errorf(truce.EINVALID, "checkpoint of size %d is beyond the log, which has %d entries", cp.Size, tx.next)
		}
		var root []byte
		err := tx.tx.QueryRowContext(tx.ctx, `SELECT root FROM checkpoints WHERE size = ?`, cp.Size).Scan(&root)
		switch {
		case err == nil && string(root) == string(cp.Root[:]):
			return nil
		case err == nil:
			return truce.Errorf(truce.ECONFLICT, "a checkpoint of size %d with another root is already stored", cp.Size)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		var latest sql.NullInt64
		if err := tx.tx.QueryRowContext(tx.ctx, `SELECT max(size) FROM checkpoints`).Scan(&latest); err != nil {
			return err
		}
		if latest.Valid && cp.Size < latest.Int64 {
			return truce.Errorf(truce.ECONFLICT, "checkpoint of size %d is older than the latest, of size %d: checkpoints only move forward", cp.Size, latest.Int64)
		}
		return tx.exec(`INSERT INTO checkpoints (size, root, note, signed_at) VALUES (?, ?, ?, ?)`,
			cp.Size, cp.Root[:], cp.Note, cp.SignedAt.UTC().Format(timeFormat))
	})
}

// LatestCheckpoint implements truce.CheckpointService.
func (db *DB) LatestCheckpoint(ctx context.Context) (*truce.SignedCheckpoint, error) {
	var cp truce.SignedCheckpoint
	var root []byte
	var ts string
	err := db.r.QueryRowContext(ctx, `SELECT size, root, note, signed_at FROM checkpoints ORDER BY size DESC LIMIT 1`).
		Scan(&cp.Size, &root, &cp.Note, &ts)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, truce.Errorf(truce.ENOTFOUND, "no checkpoint has been signed yet")
	}
	if err != nil {
		return nil, err
	}
	if len(root) != len(cp.Root) {
		return nil, fmt.Errorf("sqlite: checkpoint of size %d has a root of %d bytes", cp.Size, len(root))
	}
	copy(cp.Root[:], root)
	if cp.SignedAt, err = scanTime(ts); err != nil {
		return nil, fmt.Errorf("checkpoint of size %d: %w", cp.Size, err)
	}
	return &cp, nil
}
