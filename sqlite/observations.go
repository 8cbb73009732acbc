package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/truce-monitor/truce"
)

// AddObservations implements truce.ObservationService.
func (db *DB) AddObservations(ctx context.Context, by *truce.Source, obs []*truce.Observation) ([]truce.AddResult, error) {
	if err := by.Authorize(truce.ActionObserve); err != nil {
		return nil, err
	}
	if len(obs) == 0 {
		return nil, truce.Errorf(truce.EINVALID, "no observations given")
	}
	line := func(i int) int {
		if len(obs) == 1 {
			return 0
		}
		return i + 1
	}
	data := make([][]byte, len(obs))
	var ps []truce.Problem
	for i, o := range obs {
		if o.Source != "" && o.Source != by.Name {
			return nil, truce.Errorf(truce.EFORBIDDEN, "source %q may not file observations as source %q", by.Name, o.Source)
		}
		if o.SourceRole != "" && o.SourceRole != by.Role {
			return nil, truce.Errorf(truce.EFORBIDDEN, "source %q with role %s may not file observations as a %s", by.Name, by.RoleString(), o.SourceRole)
		}
		c := *o
		c.Source, c.SourceRole = by.Name, by.Role
		if err := c.Validate(); err != nil {
			for _, p := range truce.ErrorProblems(err) {
				p.Line = line(i)
				ps = append(ps, p)
			}
			continue
		}
		var err error
		if data[i], err = c.Canonical(); err != nil {
			return nil, err
		}
	}
	if len(ps) > 0 {
		return nil, truce.Invalid(fmt.Sprintf("%d invalid observation(s); nothing was stored", countLines(ps)), ps...)
	}
	results := make([]truce.AddResult, len(obs))
	err := db.write(ctx, func(tx *txn) error {
		get, err := tx.tx.PrepareContext(tx.ctx, `SELECT e.data, e.idx, o.source FROM observations o JOIN entries e ON e.idx = o.log_index WHERE o.id = ?`)
		if err != nil {
			return err
		}
		defer get.Close()
		ins, err := tx.tx.PrepareContext(tx.ctx, `INSERT INTO entries (idx, type, time, submitter, data, content_hash) VALUES (?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		proj, err := tx.tx.PrepareContext(tx.ctx, `INSERT INTO observations (id, log_index, source, role, kind, observed_at, lon, lat, blamed_party, supersedes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer proj.Close()
		batch := make(map[string]int, len(obs)) // id → position in this batch
		var conflicts []truce.Problem
		ts := tx.now.Format(timeFormat)
		for i, o := range obs {
			if j, ok := batch[o.ID]; ok {
				if !bytes.Equal(data[i], data[j]) {
					conflicts = append(conflicts, truce.Problem{Line: line(i), Path: "$.id", Message: fmt.Sprintf("id %q appears earlier in this batch (line %d) with a different body", o.ID, j+1)})
				}
				results[i] = truce.AddResult{ID: o.ID, LogIndex: results[j].LogIndex}
				continue
			}
			batch[o.ID] = i
			var old []byte
			var idx int64
			var src string
			err := get.QueryRowContext(tx.ctx, o.ID).Scan(&old, &idx, &src)
			switch {
			case err == nil && bytes.Equal(old, data[i]):
				results[i] = truce.AddResult{ID: o.ID, LogIndex: idx}
				continue
			case err == nil:
				msg := fmt.Sprintf("id %q is already stored (log index %d) with a different body", o.ID, idx)
				if src != by.Name {
					msg = fmt.Sprintf("id %q is already taken by another source (log index %d)", o.ID, idx)
				}
				conflicts = append(conflicts, truce.Problem{Line: line(i), Path: "$.id", Message: msg})
				continue
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
			if o.Supersedes != "" {
				if err := checkSupersedes(tx, o.Supersedes, by.Name, batch); err != nil {
					conflicts = append(conflicts, truce.Problem{Line: line(i), Path: "$.supersedes", Message: err.Error()})
					continue
				}
			}
			e := truce.Entry{Index: tx.next, Type: truce.EntryObservation, Time: tx.now, Submitter: by.Name, Data: data[i]}
			h := e.ContentHash()
			if _, err := ins.ExecContext(tx.ctx, e.Index, string(e.Type), ts, e.Submitter, e.Data, h[:]); err != nil {
				return err
			}
			tx.next++
			if err := projectObservation(tx, proj, &e, o, by); err != nil {
				return err
			}
			results[i] = truce.AddResult{ID: o.ID, LogIndex: e.Index, Created: true}
		}
		if len(conflicts) > 0 {
			return &truce.Error{Code: truce.ECONFLICT, Message: fmt.Sprintf("%d observation(s) conflict with stored ones; nothing was stored", countLines(conflicts)), Problems: conflicts}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

func countLines(ps []truce.Problem) int {
	seen := map[int]bool{}
	for _, p := range ps {
		seen[p.Line] = true
	}
	return len(seen)
}

func checkSupersedes(tx *txn, id, source string, batch map[string]int) error {
	if _, ok := batch[id]; ok {
		return nil
	}
	var src string
	err := tx.tx.QueryRowContext(tx.ctx, `SELECT source FROM observations WHERE id = ?`, id).Scan(&src)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("no observation %q to supersede", id)
	case err != nil:
		return err
	case src != source:
		return fmt.Errorf("observation %q was filed by another source; only its source may correct it", id)
	}
	return nil
}

// projectObservation writes the query row for the observation in e. o, when
// not nil, is the decoded observation (saves decoding e.Data again).
func projectObservation(tx *txn, proj *sql.Stmt, e *truce.Entry, o *truce.Observation, by *truce.Source) error {
	if o == nil {
		o = new(truce.Observation)
		if err := json.Unmarshal(e.Data, o); err != nil {
			return err
		}
	}
	var lon, lat sql.NullFloat64
	if x, y, ok := o.Location.Point(); ok {
		lon, lat = sql.NullFloat64{Float64: x, Valid: true}, sql.NullFloat64{Float64: y, Valid: true}
	}
	source, role := o.Source, string(o.SourceRole)
	if by != nil {
		source, role = by.Name, string(by.Role)
	}
	_, err := proj.ExecContext(tx.ctx, o.ID, e.Index, source, role, string(o.Kind), o.ObservedAt.UnixNano(), lon, lat, o.BlamedParty, o.Supersedes)
	return err
}

// Observation implements truce.ObservationService.
func (db *DB) Observation(ctx context.Context, id string) (*truce.ObservationRecord, error) {
	var data []byte
	var idx int64
	var ts string
	err := db.r.QueryRowContext(ctx, `SELECT e.data, e.idx, e.time FROM observations o JOIN entries e ON e.idx = o.log_index WHERE o.id = ?`, id).Scan(&data, &idx, &ts)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, truce.Errorf(truce.ENOTFOUND, "no observation %q", id)
	} else if err != nil {
		return nil, err
	}
	return observationRecord(data, idx, ts)
}

func observationRecord(data []byte, idx int64, ts string) (*truce.ObservationRecord, error) {
	var o truce.Observation
	if err := json.Unmarshal(data, &o); err != nil {
		return nil, fmt.Errorf("sqlite: entry %d: %w", idx, err)
	}
	return &truce.ObservationRecord{Observation: &o, LogIndex: idx, LoggedAt: scanTime(ts)}, nil
}

// FindObservations implements truce.ObservationService.
func (db *DB) FindObservations(ctx context.Context, f truce.ObservationFilter) (*truce.ObservationPage, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = truce.DefaultPageSize
	} else if limit > truce.MaxPageSize {
		limit = truce.MaxPageSize
	}
	var where []string
	var args []any
	if !f.From.IsZero() {
		where, args = append(where, "o.observed_at >= ?"), append(args, f.From.UnixNano())
	}
	if !f.To.IsZero() {
		where, args = append(where, "o.observed_at < ?"), append(args, f.To.UnixNano())
	}
	if b := f.BBox; b != nil {
		where, args = append(where, "o.lat >= ? AND o.lat <= ?"), append(args, b.South, b.North)
		if b.West <= b.East {
			where, args = append(where, "o.lon >= ? AND o.lon <= ?"), append(args, b.West, b.East)
		} else { // the box crosses the antimeridian
			where, args = append(where, "(o.lon >= ? OR o.lon <= ?)"), append(args, b.West, b.East)
		}
	}
	in := func(col string, values []string) {
		if len(values) == 0 {
			return
		}
		where = append(where, col+" IN ("+placeholders(len(values))+")")
		for _, v := range values {
			args = append(args, v)
		}
	}
	kinds := make([]string, len(f.Kinds))
	for i, k := range f.Kinds {
		kinds[i] = string(k)
	}
	in("o.kind", kinds)
	in("o.source", f.Sources)
	in("o.blamed_party", f.BlamedParties)
	if f.Cursor != "" {
		t, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, err
		}
		where = append(where, "(o.observed_at > ? OR (o.observed_at = ? AND o.id > ?))")
		args = append(args, t, t, id)
	}
	q := `SELECT e.data, e.idx, e.time, o.observed_at FROM observations o JOIN entries e ON e.idx = o.log_index`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY o.observed_at, o.id LIMIT ?"
	args = append(args, limit+1)
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	page := &truce.ObservationPage{Observations: []*truce.ObservationRecord{}}
	var lastAt int64
	for rows.Next() {
		var data []byte
		var idx int64
		var ts string
		var at int64
		if err := rows.Scan(&data, &idx, &ts, &at); err != nil {
			return nil, err
		}
		if len(page.Observations) == limit {
			last := page.Observations[limit-1]
			page.Next = encodeCursor(lastAt, last.ID)
			break
		}
		rec, err := observationRecord(data, idx, ts)
		if err != nil {
			return nil, err
		}
		page.Observations = append(page.Observations, rec)
		lastAt = at
	}
	return page, rows.Err()
}

// A cursor is the base64url of "<observed_at Unix nanoseconds>/<id>" of the
// last observation of the page before.
func encodeCursor(at int64, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at, 10) + "/" + id))
}

func decodeCursor(c string) (int64, string, error) {
	bad := truce.Errorf(truce.EINVALID, "cursor %q is not one this server issued", c)
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, "", bad
	}
	ts, id, ok := strings.Cut(string(b), "/")
	if !ok || !truce.ValidID(id) {
		return 0, "", bad
	}
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return 0, "", bad
	}
	return t, id, nil
}
