package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/truce-monitor/truce"
)

// AddControlMap implements truce.ControlMapService.
func (db *DB) AddControlMap(ctx context.Context, by *truce.Source, m *truce.ControlMap) (*truce.ControlMapRecord, bool, error) {
	by = actor(by)
	if err := by.Authorize(truce.ActionAddControlMap); err != nil {
		return nil, false, err
	}
	if m.Source != "" && m.Source != by.Name {
		return nil, false, truce.Errorf(truce.EFORBIDDEN, "source %q may not file control maps as source %q", by.Name, m.Source)
	}
	c := *m
	c.Source = by.Name
	if err := c.Validate(); err != nil {
		return nil, false, err
	}
	data, err := c.Canonical()
	if err != nil {
		return nil, false, err
	}
	s, created, err := db.addOnce(ctx, truce.EntryControlMap, by.Name, data, projectControlMap,
		func(index int64) error {
			return truce.Errorf(truce.ECONFLICT, "control map %q is already stored (log index %d) with other content", c.ID, index)
		},
		`SELECT e.data, e.idx, e.time FROM control_maps m JOIN entries e ON e.idx = m.log_index WHERE m.id = ?`, c.ID)
	if err != nil {
		return nil, false, err
	}
	rec, err := controlMapRecord(s.data, s.index, s.time, true)
	return rec, created, err
}

func projectControlMap(tx *txn, e *truce.Entry) error {
	var m truce.ControlMap
	if err := json.Unmarshal(e.Data, &m); err != nil {
		return err
	}
	return tx.exec(`INSERT INTO control_maps (id, log_index, source, as_of) VALUES (?, ?, ?, ?)`, m.ID, e.Index, m.Source, m.AsOf.UnixNano())
}

func controlMapRecord(data []byte, idx int64, ts string, geometry bool) (*truce.ControlMapRecord, error) {
	var m truce.ControlMap
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	if !geometry {
		for i := range m.Holdings {
			m.Holdings[i].Geometry = nil
		}
	}
	at, err := scanTime(ts)
	if err != nil {
		return nil, err
	}
	return &truce.ControlMapRecord{ControlMap: &m, LogIndex: idx, LoggedAt: at}, nil
}

const controlMapSelect = `SELECT e.data, e.idx, e.time FROM control_maps m JOIN entries e ON e.idx = m.log_index`

func (db *DB) oneControlMap(ctx context.Context, notFound error, q string, args ...any) (*truce.ControlMapRecord, error) {
	var data []byte
	var idx int64
	var ts string
	err := db.r.QueryRowContext(ctx, controlMapSelect+q, args...).Scan(&data, &idx, &ts)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound
	} else if err != nil {
		return nil, err
	}
	return controlMapRecord(data, idx, ts, true)
}

// ControlMap implements truce.ControlMapService.
func (db *DB) ControlMap(ctx context.Context, id string) (*truce.ControlMapRecord, error) {
	return db.oneControlMap(ctx, truce.Errorf(truce.ENOTFOUND, "no control map %q", id), ` WHERE m.id = ?`, id)
}

// ControlMapAt implements truce.ControlMapService.
func (db *DB) ControlMapAt(ctx context.Context, source string, t time.Time) (*truce.ControlMapRecord, error) {
	nf := truce.Errorf(truce.ENOTFOUND, "no control map as of %s", t.UTC().Format(time.RFC3339))
	if source == "" {
		return db.oneControlMap(ctx, nf, ` WHERE m.as_of <= ? ORDER BY m.as_of DESC, m.id DESC LIMIT 1`, t.UnixNano())
	}
	return db.oneControlMap(ctx, nf, ` WHERE m.source = ? AND m.as_of <= ? ORDER BY m.as_of DESC, m.id DESC LIMIT 1`, source, t.UnixNano())
}

// ControlMaps implements truce.ControlMapService.
func (db *DB) ControlMaps(ctx context.Context) ([]*truce.ControlMapRecord, error) {
	rows, err := db.r.QueryContext(ctx, controlMapSelect+` ORDER BY m.as_of, m.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*truce.ControlMapRecord
	for rows.Next() {
		var data []byte
		var idx int64
		var ts string
		if err := rows.Scan(&data, &idx, &ts); err != nil {
			return nil, err
		}
		rec, err := controlMapRecord(data, idx, ts, false)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, rows.Err()
}
