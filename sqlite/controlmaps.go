package sqlite

import (
	"context"
	"encoding/json"
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
	// The map is filed under the name the log knows its source by (an
	// open dataset's own).
	sub, err := db.submitter(ctx, by)
	if err != nil {
		return nil, false, err
	}
	c := *m
	c.Source = sub
	if err := c.Validate(); err != nil {
		return nil, false, err
	}
	data, err := c.Canonical()
	if err != nil {
		return nil, false, err
	}
	s, created, err := db.addOnce(ctx, truce.EntryControlMap, sub, data, projectControlMap,
		func(index int64) error {
			return truce.Errorf(truce.ECONFLICT, "control map %q is already stored (log index %d) with other content", c.ID, index)
		},
		`SELECT e.data, e.idx, e.time FROM control_maps m JOIN entries e ON e.idx = m.log_index WHERE m.id = ?`, c.ID)
	if err != nil {
		return nil, false, err
	}
	at, err := scanTime(s.time)
	if err != nil {
		return nil, false, err
	}
	rec, err := controlMapRecord(s.data, s.index, at)
	return rec, created, err
}

func projectControlMap(tx *txn, e *truce.Entry) error {
	var m truce.ControlMap
	if err := json.Unmarshal(e.Data, &m); err != nil {
		return err
	}
	return tx.exec(`INSERT INTO control_maps (id, log_index, source, as_of) VALUES (?, ?, ?, ?)`, m.ID, e.Index, m.Source, m.AsOf.UnixNano())
}

func controlMapRecord(data []byte, index int64, at time.Time) (*truce.ControlMapRecord, error) {
	var m truce.ControlMap
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	return &truce.ControlMapRecord{ControlMap: &m, LogIndex: index, LoggedAt: at}, nil
}

// controlMapListed decodes a map for a listing: its holdings without their
// geometry, which is scanned past but never copied.
func controlMapListed(data []byte, index int64, at time.Time) (*truce.ControlMapRecord, error) {
	var m struct {
		truce.ControlMap
		Holdings []struct {
			Party string `json:"party"`
		} `json:"holdings"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	for _, h := range m.Holdings {
		m.ControlMap.Holdings = append(m.ControlMap.Holdings, truce.Holding{Party: h.Party})
	}
	return &truce.ControlMapRecord{ControlMap: &m.ControlMap, LogIndex: index, LoggedAt: at}, nil
}

const controlMapSelect = `SELECT e.data, e.idx, e.time FROM control_maps m JOIN entries e ON e.idx = m.log_index`

// ControlMap implements truce.ControlMapService.
func (db *DB) ControlMap(ctx context.Context, id string) (*truce.ControlMapRecord, error) {
	return record(ctx, db.r, truce.Errorf(truce.ENOTFOUND, "no control map %q", id), controlMapRecord, controlMapSelect+` WHERE m.id = ?`, id)
}

// ControlMapAt implements truce.ControlMapService.
func (db *DB) ControlMapAt(ctx context.Context, source string, t time.Time) (*truce.ControlMapRecord, error) {
	nf := truce.Errorf(truce.ENOTFOUND, "no control map as of %s", t.UTC().Format(time.RFC3339))
	if source == "" {
		return record(ctx, db.r, nf, controlMapRecord, controlMapSelect+` WHERE m.as_of <= ? ORDER BY m.as_of DESC, m.id DESC LIMIT 1`, t.UnixNano())
	}
	return record(ctx, db.r, nf, controlMapRecord, controlMapSelect+` WHERE m.source = ? AND m.as_of <= ? ORDER BY m.as_of DESC, m.id DESC LIMIT 1`, source, t.UnixNano())
}

// ControlMaps implements truce.ControlMapService.
func (db *DB) ControlMaps(ctx context.Context) ([]*truce.ControlMapRecord, error) {
	return records(ctx, db.r, controlMapListed, controlMapSelect+` ORDER BY m.as_of, m.id`)
}
