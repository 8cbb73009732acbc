package sqlite

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"fmt"
	"slices"
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
	// canon holds each observation as it is logged: filed under by and
	// normalized.
	canon := make([]truce.Observation, len(obs))
	var ps []truce.Problem
	for i, o := range obs {
		if cps := by.ClaimProblems(o.Source, o.SourceRole, o.SourceParty); len(cps) > 0 {
			for k := range cps {
				cps[k].Line = line(i)
			}
			return nil, &truce.Error{Code: truce.EFORBIDDEN, Message: fmt.Sprintf("source %q may file observations only as itself; nothing was stored", by.Name), Problems: cps}
		}
		c := &canon[i]
		*c = *o
		c.Source, c.SourceRole, c.SourceParty = by.Name, by.Role, by.Party
		c.Normalize()
		if err := c.Validate(); err != nil {
			for _, p := range truce.ErrorProblems(err) {
				p.Line = line(i)
				ps = append(ps, p)
			}
		}
	}
	if len(ps) > 0 {
		return nil, truce.Invalid(fmt.Sprintf("%d invalid observation(s); nothing was stored", countLines(ps)), ps...)
	}
	// A source with a public key signs every observation it files, one
	// without signs none. The signatures are verified here, on every core,
	// before the batch queues for the single writer; the writer then
	// checks that the key is still the one in force, so that no
	// observation is logged after a key entry that it does not verify
	// against.
	key, err := sourceKey(ctx, db.r, by.Name)
	if err != nil {
		return nil, db.closedOr(err)
	}
	var pub ed25519.PublicKey
	var data [][]byte // the canonical bytes that the signatures sign
	if key != "" {
		if pub, err = truce.ParsePublicKey(key); err != nil {
			return nil, fmt.Errorf("sqlite: the stored key of source %q: %w", by.Name, err)
		}
		data = make([][]byte, len(canon))
		for i := range canon {
			if data[i], err = canon[i].Canonical(); err != nil {
				return nil, err
			}
		}
	}
	filed := make([]*truce.Observation, len(canon))
	for i := range canon {
		filed[i] = &canon[i]
	}
	if err := truce.CheckSignatures(by.Name, pub, filed, data); err != nil {
		return nil, err
	}
	// Sealing, like the signatures, is done before the batch queues for
	// the single writer, on every core, under the policy in force.
	policy, err := db.Policy(ctx)
	if err != nil {
		return nil, err
	}
	sealed, err := sealAll(policy, db.sealingKey, canon)
	if err != nil {
		return nil, err
	}
	results := make([]truce.AddResult, len(obs))
	err = db.write(ctx, func(tx *txn) error {
		if cur, err := sourceKey(tx.ctx, tx.tx, by.Name); err != nil {
			return err
		} else if cur != key {
			return truce.Errorf(truce.EFORBIDDEN, "source %q's public key changed while its observations were being checked: sign them with the key now in force and send them again; nothing was stored", by.Name)
		}
		// Times are checked against the log's own time for the batch.
		var future []truce.Problem
		for i := range canon {
			for _, p := range canon[i].FilingProblems(tx.now) {
				p.Line = line(i)
				future = append(future, p)
			}
		}
		if len(future) > 0 {
			return truce.Invalid(fmt.Sprintf("%d observation(s) dated in the future; nothing was stored", countLines(future)), future...)
		}
		keys := make([][2]int64, len(obs))
		for i := range obs {
			keys[i] = sealed[i].candidates
		}
		stored, err := storedObservations(tx, keys, by.Name, obs)
		if err != nil {
			return err
		}
		batch := make(map[string]int, len(obs)) // id → position in this batch
		var conflicts, invalid []truce.Problem
		var fresh []int // positions to append, in order
		for i, o := range obs {
			if j, ok := batch[o.ID]; ok {
				if !bytes.Equal(sealed[i].data, sealed[j].data) {
					conflicts = append(conflicts, truce.Problem{Line: line(i), Path: "$.id", Message: fmt.Sprintf("id %q appears earlier in this batch with a different body", o.ID)})
				}
				continue
			}
			batch[o.ID] = i
			if old, ok := stored[o.ID]; ok {
				switch {
				case bytes.Equal(old.data, sealed[i].data):
					at, err := scanTime(old.time)
					if err != nil {
						return err
					}
					results[i] = truce.AddResult{ID: o.ID, LogIndex: old.index, LoggedAt: at, PublicID: old.publicID}
				default:
					conflicts = append(conflicts, truce.Problem{Line: line(i), Path: "$.id", Message: fmt.Sprintf("id %q is already stored (log index %d) with a different body", o.ID, old.index)})
				}
				continue
			}
			if o.Supersedes != "" {
				err := checkSupersedes(tx, o.Supersedes, by.Name, batch)
				p := truce.Problem{Line: line(i), Path: "$.supersedes", Message: truce.ErrorMessage(err)}
				switch truce.ErrorCode(err) {
				case "":
				case truce.EINVALID:
					invalid = append(invalid, p)
					continue
				case truce.ECONFLICT:
					conflicts = append(conflicts, p)
					continue
				default:
					return err
				}
			}
			results[i] = truce.AddResult{ID: o.ID, LogIndex: tx.next + int64(len(fresh)), Created: true, LoggedAt: tx.now, PublicID: sealed[i].id}
			fresh = append(fresh, i)
		}
		switch {
		case len(invalid) > 0:
			ps := append(invalid, conflicts...)
			slices.SortStableFunc(ps, func(a, b truce.Problem) int { return a.Line - b.Line })
			return truce.Invalid(fmt.Sprintf("%d invalid observation(s); nothing was stored", countLines(ps)), ps...)
		case len(conflicts) > 0:
			return &truce.Error{Code: truce.ECONFLICT, Message: fmt.Sprintf("%d observation(s) conflict with stored ones; nothing was stored", countLines(conflicts)), Problems: conflicts}
		}
		for i, o := range obs {
			if j := batch[o.ID]; j != i {
				results[i] = truce.AddResult{ID: o.ID, LogIndex: results[j].LogIndex, LoggedAt: results[j].LoggedAt, PublicID: results[j].PublicID}
			}
		}
		entries := make([]*truce.Entry, len(fresh))
		rows := make([]*truce.Observation, len(fresh))
		parts := make([][]byte, len(fresh))
		pubIDs := make([]string, len(fresh))
		rowKeys := make([]int64, len(fresh))
		for k, i := range fresh {
			rows[k], parts[k], pubIDs[k], rowKeys[k] = &canon[i], sealed[i].parts, sealed[i].id, sealed[i].key
			// The header names the filer's role, not the filer: who filed
			// is the source group's, withheld (docs/disclosure.md).
			entries[k] = &truce.Entry{Index: tx.next + int64(k), Type: truce.EntryObservation, Time: tx.now, Submitter: string(by.Role), Data: sealed[i].data}
		}
		if err := tx.appendAll(entries); err != nil {
			return err
		}
		if err := insertPrivate(tx, entries, parts); err != nil {
			return err
		}
		return projectObservations(tx, entries, rows, pubIDs, rowKeys)
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

// observationColumns is the number of columns of an observations row.
const observationColumns = 12

// publicKey returns the index key of a public id: the first 8 bytes its
// hex digits encode, big-endian, as a signed integer; false if pid is not
// a public id.
func publicKey(pid string) (int64, bool) {
	if !truce.IsPublicID(pid) {
		return 0, false
	}
	u, err := strconv.ParseUint(pid[2:18], 16, 64)
	return int64(u), err == nil
}

// candidateIDs are the public ids that an observation a source filed under
// an id may have: sealed, with the source group's salt under the store's
// key, and open, with none. Which one it has depends on whether its role
// was open under the policy in force when it was filed, so a lookup by
// source and id tries both.
type candidateIDs struct{ sealed, open string }

// candidates returns the candidate public ids of the observation source
// filed under id, under the store's sealing key.
func (db *DB) candidates(source, id string) candidateIDs {
	return candidateIDs{truce.PublicID(truce.Salt(db.sealingKey, truce.GroupSource, source, id), source, id), truce.PublicID(nil, source, id)}
}

// keys returns the index keys of c.
func (c candidateIDs) keys() [2]int64 {
	s, _ := publicKey(c.sealed)
	o, _ := publicKey(c.open)
	return [2]int64{s, o}
}

// whereID returns the condition on observations o, and its arguments,
// that selects the observation source filed under id: through the
// public_key index by its candidate public ids, or, in a store restored
// from a reader's bundle, which has no sealing key to compute them with,
// through the (source, id) index Restore makes.
func (db *DB) whereID(source, id string) (string, []any) {
	if db.partial {
		return `o.source = ? AND o.id = ?`, []any{source, id}
	}
	c := db.candidates(source, id)
	k := c.keys()
	return `o.public_key IN (?, ?) AND o.public_id IN (?, ?) AND o.source = ? AND o.id = ?`, []any{k[0], k[1], c.sealed, c.open, source, id}
}

type storedObservation struct {
	data     []byte
	index    int64
	time     string
	publicID string
}

// storedObservations returns what source has stored under the ids of obs,
// whose candidate public ids have the index keys keys.
func storedObservations(tx *txn, keys [][2]int64, source string, obs []*truce.Observation) (map[string]storedObservation, error) {
	out := map[string]storedObservation{}
	for start := 0; start < len(obs); start += chunkRows {
		end := min(start+chunkRows, len(obs))
		// Every chunk is padded to 2 × chunkRows keys (repeating the
		// first) so that one prepared statement serves them all.
		args := make([]any, 0, 2*chunkRows)
		for _, k := range keys[start:end] {
			args = append(args, k[0], k[1])
		}
		for len(args) < 2*chunkRows {
			args = append(args, args[0])
		}
		rows, err := tx.tx.StmtContext(tx.ctx, tx.db.getObservations).QueryContext(tx.ctx, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, src string
			var s storedObservation
			if err := rows.Scan(&id, &s.data, &s.index, &src, &s.time, &s.publicID); err != nil {
				rows.Close()
				return nil, err
			}
			// Another source's observation may share an index key.
			if src == source {
				out[id] = s
			}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func countLines(ps []truce.Problem) int {
	seen := map[int]bool{}
	for _, p := range ps {
		seen[p.Line] = true
	}
	return len(seen)
}

// checkSupersedes checks that id names an observation filed by source,
// stored or earlier in the batch: a source corrects only its own, and ids
// are scoped by source, so another source's id is simply not found. It
// returns an EINVALID error for a missing one and any other error as it is.
func checkSupersedes(tx *txn, id, source string, batch map[string]int) error {
	if _, ok := batch[id]; ok {
		return nil
	}
	var n int
	where, args := tx.db.whereID(source, id)
	err := tx.tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM observations o WHERE `+where, args...).Scan(&n)
	switch {
	case err != nil:
		return err
	case n == 0:
		return truce.Errorf(truce.EINVALID, "source %q filed no observation %q to supersede", source, id)
	}
	return nil
}

// projectObservations writes the query rows for the observations in
// entries: rows holds them unsealed, pubIDs their public ids and keys,
// if not nil, their public ids' index keys (computed here if nil).
func projectObservations(tx *txn, entries []*truce.Entry, rows []*truce.Observation, pubIDs []string, keys []int64) error {
	const cols = observationColumns
	for start := 0; start < len(entries); start += chunkRows {
		end := min(start+chunkRows, len(entries))
		args := make([]any, 0, (end-start)*cols)
		for k := start; k < end; k++ {
			e, o := entries[k], rows[k]
			var lon, lat sql.NullFloat64
			if x, y, ok := o.Location.Point(); ok {
				lon, lat = sql.NullFloat64{Float64: x, Valid: true}, sql.NullFloat64{Float64: y, Valid: true}
			}
			var pk int64
			if keys != nil {
				pk = keys[k]
			} else {
				pk, _ = publicKey(pubIDs[k])
			}
			args = append(args, e.Index, o.ID, o.Source, string(o.SourceRole), string(o.Kind), o.ObservedAt.UnixNano(), lon, lat, o.BlamedParty, o.Supersedes, pubIDs[k], pk)
		}
		if err := tx.execChunk(tx.db.insObservations, insertObservations, end-start, cols, args); err != nil {
			return err
		}
	}
	return nil
}

// Observation implements truce.ObservationService.
func (db *DB) Observation(ctx context.Context, source, id string) (*truce.ObservationRecord, error) {
	where, args := db.whereID(source, id)
	recs, err := db.observationRecords(ctx, observationSelect+` WHERE `+where, args...)
	if err == nil && len(recs) == 0 {
		err = truce.Errorf(truce.ENOTFOUND, "source %q filed no observation %q", source, id)
	}
	if err != nil {
		return nil, err
	}
	rec := recs[0]
	return rec, db.corrections(ctx, []*truce.ObservationRecord{rec})
}

// ObservationByPublicID implements truce.ObservationService.
func (db *DB) ObservationByPublicID(ctx context.Context, pid string) (*truce.ObservationRecord, error) {
	var recs []*truce.ObservationRecord
	pk, ok := publicKey(pid)
	var err error
	if ok {
		recs, err = db.observationRecords(ctx, observationSelect+` WHERE o.public_key = ? AND o.public_id = ?`, pk, pid)
	}
	if err == nil && len(recs) == 0 {
		err = truce.Errorf(truce.ENOTFOUND, "no observation %q", pid)
	}
	if err != nil {
		return nil, err
	}
	rec := recs[0]
	return rec, db.corrections(ctx, []*truce.ObservationRecord{rec})
}

// observationSelect selects observations' entries and private parts:
// data, index, time, parts (NULL for an open source's).
const observationSelect = `SELECT e.data, e.idx, e.time, p.parts FROM observations o JOIN entries e ON e.idx = o.log_index LEFT JOIN observation_private p ON p.log_index = o.log_index`

// selectCorrections, followed by a parenthesised list of ids, selects the
// observations that supersede them. The "<> ”" lets the planner use the
// partial index on supersedes.
const selectCorrections = `SELECT source, supersedes, id FROM observations WHERE supersedes <> '' AND supersedes IN `

// corrections fills in what later entries say of recs: SupersededBy, the
// observations that supersede each, and Releases, the releases of its
// groups, each in log order.
func (db *DB) corrections(ctx context.Context, recs []*truce.ObservationRecord) error {
	if len(recs) == 0 {
		return nil
	}
	if err := db.attachReleases(ctx, recs); err != nil {
		return err
	}
	type key struct{ source, id string }
	byID := make(map[key]*truce.ObservationRecord, len(recs))
	args := make([]any, 0, len(recs))
	for _, r := range recs {
		byID[key{r.Source, r.ID}] = r
		args = append(args, r.ID)
	}
	rows, err := db.r.QueryContext(ctx, selectCorrections+`(`+placeholders(len(args))+`) ORDER BY log_index`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var src, old, id string
		if err := rows.Scan(&src, &old, &id); err != nil {
			return err
		}
		if r := byID[key{src, old}]; r != nil {
			r.SupersededBy = append(r.SupersededBy, id)
		}
	}
	return rows.Err()
}

// observationRecords runs query, whose rows are observationSelect's, and
// returns the records unsealed.
func (db *DB) observationRecords(ctx context.Context, query string, args ...any) ([]*truce.ObservationRecord, error) {
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*truce.ObservationRecord
	for rows.Next() {
		var data, parts []byte
		var index int64
		var ts string
		if err := rows.Scan(&data, &index, &ts, &parts); err != nil {
			return nil, err
		}
		at, err := scanTime(ts)
		if err != nil {
			return nil, err
		}
		pub, pp, o, err := unseal(data, parts, db.partial)
		if err != nil {
			return nil, fmt.Errorf("sqlite: entry %d: %w", index, err)
		}
		out = append(out, &truce.ObservationRecord{Observation: o, LogIndex: index, LoggedAt: at,
			FiledLate: truce.FiledLate(o.ObservedAt, at), PublicID: pub.ID, Sealed: pub, Private: pp})
	}
	return out, rows.Err()
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
		t, idx, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, err
		}
		where = append(where, "(o.observed_at > ? OR (o.observed_at = ? AND o.log_index > ?))")
		args = append(args, t, t, idx)
	}
	q := observationSelect
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY o.observed_at, o.log_index LIMIT ?"
	args = append(args, limit+1)
	recs, err := db.observationRecords(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	page := &truce.ObservationPage{Observations: recs}
	if len(recs) > limit {
		// The projection's observed_at is the observation's time in Unix
		// nanoseconds, so the cursor can be made from the record.
		last := recs[limit-1]
		page.Observations, page.Next = recs[:limit], encodeCursor(last.ObservedAt.UnixNano(), last.LogIndex)
	}
	if page.Observations == nil {
		page.Observations = []*truce.ObservationRecord{}
	}
	return page, db.corrections(ctx, page.Observations)
}

// A cursor is the base64url of "<observed_at Unix nanoseconds>/<log index>"
// of the last observation of the page before.
func encodeCursor(at, idx int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at, 10) + "/" + strconv.FormatInt(idx, 10)))
}

func decodeCursor(c string) (int64, int64, error) {
	bad := truce.Errorf(truce.EINVALID, "cursor %q is not one this server issued", c)
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, 0, bad
	}
	ts, is, ok := strings.Cut(string(b), "/")
	if !ok {
		return 0, 0, bad
	}
	t, err1 := strconv.ParseInt(ts, 10, 64)
	idx, err2 := strconv.ParseInt(is, 10, 64)
	if err1 != nil || err2 != nil || idx < 0 {
		return 0, 0, bad
	}
	return t, idx, nil
}

// afterMigration holds the steps a migration needs beyond its SQL script,
// run in its transaction, by the script's file name.
var afterMigration = map[string]func(context.Context, *sql.Tx) error{
	"0008_scoped_ids.sql": rekeyObservations,
}

// rekeyObservations sets every observation row's public_key to the key of
// its public id. (It set id_key too, which migration 0012 drops with its
// index: nothing reads it between the two.)
func rekeyObservations(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT log_index, public_id FROM observations`)
	if err != nil {
		return err
	}
	type row struct {
		index  int64
		pubKey int64
	}
	var rs []row
	for rows.Next() {
		var r row
		var pid string
		if err := rows.Scan(&r.index, &pid); err != nil {
			rows.Close()
			return err
		}
		r.pubKey, _ = publicKey(pid)
		rs = append(rs, r)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, r := range rs {
		if _, err := tx.ExecContext(ctx, `UPDATE observations SET public_key = ? WHERE log_index = ?`, r.pubKey, r.index); err != nil {
			return err
		}
	}
	return nil
}
