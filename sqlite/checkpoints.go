package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/ledger"
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

const selectCheckpoints = `SELECT size, root, note, signed_at FROM checkpoints`

// LatestCheckpoint implements truce.CheckpointService.
func (db *DB) LatestCheckpoint(ctx context.Context) (*truce.SignedCheckpoint, error) {
	return db.checkpoint(ctx, truce.Errorf(truce.ENOTFOUND, "no checkpoint has been signed yet"),
		selectCheckpoints+` ORDER BY size DESC LIMIT 1`)
}

// Checkpoint implements truce.CheckpointService.
func (db *DB) Checkpoint(ctx context.Context, size int64) (*truce.SignedCheckpoint, error) {
	return db.checkpoint(ctx, truce.Errorf(truce.ENOTFOUND, "no checkpoint of size %d has been signed", size),
		selectCheckpoints+` WHERE size = ?`, size)
}

// checkpoint returns the one checkpoint that query selects, with its
// cosignatures, or notFound.
func (db *DB) checkpoint(ctx context.Context, notFound error, query string, args ...any) (*truce.SignedCheckpoint, error) {
	cps, err := db.checkpoints(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	if len(cps) == 0 {
		return nil, notFound
	}
	cs, err := db.cosignatures(ctx, `WHERE size = ?`, cps[0].Size)
	if err != nil {
		return nil, err
	}
	cps[0].Cosignatures = cs[cps[0].Size]
	return cps[0], nil
}

// Checkpoints implements truce.CheckpointService.
func (db *DB) Checkpoints(ctx context.Context) ([]*truce.SignedCheckpoint, error) {
	cps, err := db.checkpoints(ctx, selectCheckpoints+` ORDER BY size`)
	if err != nil {
		return nil, err
	}
	cs, err := db.cosignatures(ctx, ``)
	if err != nil {
		return nil, err
	}
	for _, cp := range cps {
		cp.Cosignatures = cs[cp.Size]
	}
	return cps, nil
}

// checkpoints runs query, which selects checkpoints' size, root, note and
// signing time, and returns them without their cosignatures.
func (db *DB) checkpoints(ctx context.Context, query string, args ...any) ([]*truce.SignedCheckpoint, error) {
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*truce.SignedCheckpoint
	for rows.Next() {
		var cp truce.SignedCheckpoint
		var root []byte
		var ts string
		if err := rows.Scan(&cp.Size, &root, &cp.Note, &ts); err != nil {
			return nil, err
		}
		if len(root) != len(cp.Root) {
			return nil, fmt.Errorf("sqlite: checkpoint of size %d has a root of %d bytes", cp.Size, len(root))
		}
		copy(cp.Root[:], root)
		if cp.SignedAt, err = scanTime(ts); err != nil {
			return nil, fmt.Errorf("checkpoint of size %d: %w", cp.Size, err)
		}
		out = append(out, &cp)
	}
	return out, rows.Err()
}

// cosignatures returns the cosignatures that where (a WHERE clause, or
// empty for all) selects, by checkpoint size, each size's ordered by
// witness name.
func (db *DB) cosignatures(ctx context.Context, where string, args ...any) (map[int64][]*truce.Cosignature, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT size, witness, line, signed_at FROM cosignatures `+where+` ORDER BY size, witness`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]*truce.Cosignature{}
	for rows.Next() {
		var c truce.Cosignature
		var ts string
		if err := rows.Scan(&c.Size, &c.Witness, &c.Line, &ts); err != nil {
			return nil, err
		}
		if c.SignedAt, err = scanTime(ts); err != nil {
			return nil, fmt.Errorf("cosignature of checkpoint %d by %s: %w", c.Size, c.Witness, err)
		}
		out[c.Size] = append(out[c.Size], &c)
	}
	return out, rows.Err()
}

// AddWitness implements truce.CheckpointService.
func (db *DB) AddWitness(ctx context.Context, by *truce.Source, w *truce.Witness) (*truce.WitnessRecord, bool, error) {
	if err := actor(by).Authorize(truce.ActionManageWitness); err != nil {
		return nil, false, err
	}
	if err := w.Validate(); err != nil {
		return nil, false, err
	}
	if _, err := ledger.NewCosignatureVerifier(w.Key); err != nil {
		return nil, false, truce.Invalid("Invalid witness.", truce.Problem{Path: "key", Message: truce.ErrorMessage(err)})
	}
	data, err := w.Canonical()
	if err != nil {
		return nil, false, err
	}
	sub, err := db.submitter(ctx, by)
	if err != nil {
		return nil, false, err
	}
	s, created, err := db.addOnce(ctx, truce.EntryWitness, sub, data, projectWitness,
		func(index int64) error {
			return truce.Errorf(truce.ECONFLICT, "witness %q is already registered (log entry %d) with another key; register the new key under another name", w.Name, index)
		},
		`SELECT e.data, e.idx, e.time FROM witnesses w JOIN entries e ON e.idx = w.log_index WHERE w.name = ?`, w.Name)
	if err != nil {
		return nil, false, err
	}
	at, err := scanTime(s.time)
	if err != nil {
		return nil, false, err
	}
	rec, err := witnessRecord(s.data, s.index, at)
	return rec, created, err
}

func projectWitness(tx *txn, e *truce.Entry) error {
	var w truce.Witness
	if err := json.Unmarshal(e.Data, &w); err != nil {
		return err
	}
	return tx.exec(`INSERT INTO witnesses (name, key, log_index) VALUES (?, ?, ?)`, w.Name, w.Key, e.Index)
}

func witnessRecord(data []byte, index int64, at time.Time) (*truce.WitnessRecord, error) {
	var w truce.Witness
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, err
	}
	return &truce.WitnessRecord{Witness: &w, LogIndex: index, LoggedAt: at}, nil
}

// Witnesses implements truce.CheckpointService.
func (db *DB) Witnesses(ctx context.Context) ([]*truce.WitnessRecord, error) {
	return records(ctx, db.r, witnessRecord, `SELECT e.data, e.idx, e.time FROM witnesses w JOIN entries e ON e.idx = w.log_index ORDER BY w.name`)
}

// AddCosignature implements truce.CheckpointService. The cosignature is
// checked on the readers, outside the writer: witnesses and checkpoints are
// never changed once stored, so what it is checked against stays true.
func (db *DB) AddCosignature(ctx context.Context, size int64, root [32]byte, line string) (*truce.Cosignature, bool, error) {
	if !strings.HasSuffix(line, "\n") {
		line += "\n"
	}
	name := truce.CosignatureFrom(line)
	if name == "" {
		return nil, false, truce.Errorf(truce.EINVALID, "a cosignature is one signature line, \"— <witness name> <base64 signature>\"; got %.80q", line)
	}
	var key string
	err := db.r.QueryRowContext(ctx, `SELECT key FROM witnesses WHERE name = ?`, name).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, truce.Errorf(truce.EFORBIDDEN, "witness %q is not registered with this log; an admin registers it with its verifier key (truce witness add)", name)
	}
	if err != nil {
		return nil, false, err
	}
	v, err := ledger.NewCosignatureVerifier(key)
	if err != nil {
		return nil, false, fmt.Errorf("sqlite: witness %q has a bad stored key: %w", name, err)
	}
	cps, err := db.checkpoints(ctx, selectCheckpoints+` WHERE size = ?`, size)
	if err != nil {
		return nil, false, err
	}
	if len(cps) == 0 {
		return nil, false, truce.Errorf(truce.ENOTFOUND, "no checkpoint of size %d has been signed by this log", size)
	}
	cp := cps[0]
	if cp.Root != root {
		return nil, false, truce.Errorf(truce.ECONFLICT, "the checkpoint of size %d that this log signed has another root than the one cosigned by witness %q", size, name)
	}
	body, ok := noteBody(cp.Note)
	if !ok {
		return nil, false, fmt.Errorf("sqlite: the stored checkpoint of size %d is not a signed note", size)
	}
	at, err := ledger.VerifyCosignature(body, line, v)
	if err != nil {
		return nil, false, truce.Errorf(truce.EINVALID, "witness %q: the line is not its valid cosignature of the checkpoint of size %d: %s", name, size, truce.ErrorMessage(err))
	}
	c := &truce.Cosignature{Size: size, Witness: name, Line: line, SignedAt: at}
	var created bool
	err = db.write(ctx, func(tx *txn) error {
		var stored, ts string
		err := tx.tx.QueryRowContext(tx.ctx, `SELECT line, signed_at FROM cosignatures WHERE size = ? AND witness = ?`, size, name).Scan(&stored, &ts)
		switch {
		case err == nil:
			t, err := scanTime(ts)
			if err != nil {
				return err
			}
			c.Line, c.SignedAt = stored, t
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		created = true
		return tx.exec(`INSERT INTO cosignatures (size, witness, line, signed_at) VALUES (?, ?, ?, ?)`,
			size, name, line, at.UTC().Format(timeFormat))
	})
	if err != nil {
		return nil, false, err
	}
	return c, created, nil
}

// noteBody returns the text of a signed note: its bytes up to and including
// the newline before the blank line that ends it.
func noteBody(msg []byte) ([]byte, bool) {
	i := bytes.Index(msg, []byte("\n\n"))
	if i < 0 {
		return nil, false
	}
	return msg[:i+1], true
}
