// Package sqlite is truce's embedded store: the log and its projections in
// one SQLite file (modernc.org/sqlite, pure Go, WAL mode).
//
// # The life of an entry
//
// A write (a batch of observations, an agreement, a source, a control map)
// is validated, then handed to the single writer goroutine. The writer takes
// every write that is waiting and runs them in one transaction. Each write
// first checks its ids against what is stored, and only then appends one
// entry per input to the entries table (index, type, time, submitter,
// canonical JSON, and the Merkle tree hashes it completes, its leaf hash
// first) and projects it into the
// query tables; a write that fails its checks leaves no trace, and one that
// fails part way (an I/O error) fails the whole group. The transaction then
// commits with one fsync (synchronous=FULL), and every write in it is
// acknowledged together: group commit. Nothing is ever updated or deleted;
// the query tables can be rebuilt from the entries ([DB.Rebuild]).
//
// Signed checkpoints, and the witnesses' cosignatures of them, are kept
// beside the log, in their own tables, written through the same writer;
// they are not entries, and Rebuild keeps them. So are the versions of
// finding series, which are derived from the log rather than projected
// from it (docs/review.md).
//
// This package imports the root package truce, the leaf library ledger (to
// check witnesses' keys and cosignatures) and the database driver.
package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/mod/sumdb/tlog"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/truce-monitor/truce"
)

//go:embed migrations/*.sql
var migrations embed.FS

// maxGroup caps how many writes share one transaction.
const maxGroup = 256

// DB is a truce store in one SQLite file. It implements truce.Store.
type DB struct {
	path string
	w    *sql.DB // the one writing connection
	r    *sql.DB // readers

	reqs    chan *writeReq
	closeMu sync.RWMutex
	closed  bool
	done    chan struct{}

	// Statements that write full chunks, prepared once on the writing
	// connection.
	insEntries, insObservations, getObservations, insPrivate *sql.Stmt

	// Now returns the current time; tests may replace it before use.
	Now func() time.Time

	// sealingKey is the store's secret sealing key (sealing.go); policy
	// caches the disclosure policy in force, dropped when an agreement is
	// added.
	sealingKey   []byte
	policy       atomic.Pointer[cachedPolicy]
	agreementGen atomic.Uint64

	writes, commits atomic.Uint64

	// partial says that the store was restored from what one reader
	// holds (Restore): an observation's groups that are no input to
	// derivations may be missing, and a sealed source's name may be.
	partial bool
}

// Stats counts what the writer has done since Open.
type Stats struct {
	Writes  uint64 // writes committed or failed
	Commits uint64 // transactions committed: fewer than Writes when writes shared them
}

// Stats reports what the writer has done since Open.
func (db *DB) Stats() Stats {
	return Stats{Writes: db.writes.Load(), Commits: db.commits.Load()}
}

var _ truce.Store = (*DB)(nil)

// Open opens (creating if need be) the store at path and applies pending
// migrations.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, truce.Errorf(truce.EINVALID, "sqlite: empty database path")
	}
	// SQLite would create the file readable by everyone (0644 less the
	// umask), and its -wal and -shm files with the file's own mode: make it
	// first, for its owner only. A file that exists keeps its mode.
	if f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	} else if !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "cache_size(-65536)", "temp_store(MEMORY)", "wal_autocheckpoint(16384)", "synchronous(FULL)", "busy_timeout(10000)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", dsn)
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	db := &DB{path: path, w: w, r: r, reqs: make(chan *writeReq, maxGroup), done: make(chan struct{}), Now: time.Now}
	if err := db.migrate(ctx); err != nil {
		db.w.Close()
		db.r.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	if err := db.prepare(ctx); err != nil {
		db.w.Close()
		db.r.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	if err := db.loadSealingKey(ctx); err != nil {
		db.w.Close()
		db.r.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	go db.writer()
	return db, nil
}

// Path returns the file the store lives in.
func (db *DB) Path() string { return db.path }

// Close waits for queued writes to commit and closes the file.
func (db *DB) Close() error {
	db.closeMu.Lock()
	if db.closed {
		db.closeMu.Unlock()
		return nil
	}
	db.closed = true
	close(db.reqs)
	db.closeMu.Unlock()
	<-db.done
	return errors.Join(db.r.Close(), db.w.Close())
}

const (
	insertEntries      = `INSERT INTO entries (idx, type, time, submitter, data, tree_hashes) VALUES `
	selectObservations = `SELECT o.id, e.data, e.idx, o.source, e.time, o.public_id FROM observations o JOIN entries e ON e.idx = o.log_index WHERE o.public_key IN `
	insertPrivateParts = `INSERT INTO observation_private (log_index, parts) VALUES `
	insertObservations = `INSERT INTO observations (log_index, id, source, role, kind, observed_at, lon, lat, blamed_party, supersedes, public_id, public_key) VALUES `
)

func (db *DB) prepare(ctx context.Context) error {
	var err error
	if db.insEntries, err = db.w.PrepareContext(ctx, insertEntries+rowPlaceholders(chunkRows, entryColumns)); err != nil {
		return err
	}
	if db.insObservations, err = db.w.PrepareContext(ctx, insertObservations+rowPlaceholders(chunkRows, observationColumns)); err != nil {
		return err
	}
	if db.insPrivate, err = db.w.PrepareContext(ctx, insertPrivateParts+rowPlaceholders(chunkRows, 2)); err != nil {
		return err
	}
	db.getObservations, err = db.w.PrepareContext(ctx, selectObservations+"("+placeholders(2*chunkRows)+")")
	return err
}

// execChunk runs the multi-row insert q for rows rows of args, with the
// prepared statement when the chunk is full.
func (t *txn) execChunk(full *sql.Stmt, q string, rows, cols int, args []any) error {
	t.dirty = true
	var err error
	if rows == chunkRows {
		_, err = t.tx.StmtContext(t.ctx, full).ExecContext(t.ctx, args...)
	} else {
		_, err = t.tx.ExecContext(t.ctx, q+rowPlaceholders(rows, cols), args...)
	}
	return err
}

func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY)`); err != nil {
		return err
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		var n int
		if err := db.w.QueryRowContext(ctx, `SELECT count(*) FROM migrations WHERE name = ?`, name).Scan(&n); err != nil {
			return err
		} else if n > 0 {
			continue
		}
		buf, err := fs.ReadFile(migrations, name)
		if err != nil {
			return err
		}
		tx, err := db.w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(buf)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", name, err)
		}
		if f := afterMigration[path.Base(name)]; f != nil {
			if err := f(ctx, tx); err != nil {
				tx.Rollback()
				return fmt.Errorf("migration %s: %w", name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO migrations (name) VALUES (?)`, name); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// head reads, inside tx, the index of the next entry and the time of the
// last one. It is read in every transaction, never cached: another process
// (the CLI on the same file) may have appended since.
func head(ctx context.Context, tx *sql.Tx) (next int64, last time.Time, err error) {
	var idx int64
	var ts string
	err = tx.QueryRowContext(ctx, `SELECT idx, time FROM entries WHERE idx = (SELECT max(idx) FROM entries)`).Scan(&idx, &ts)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, time.Time{}, nil
	case err != nil:
		return 0, time.Time{}, err
	}
	last, err = scanTime(ts)
	return idx + 1, last, err
}

// writeReq is one write waiting for the writer.
type writeReq struct {
	fn  func(tx *txn) error
	err chan error
}

// txn is the writer's transaction as a write sees it. A write checks
// everything it can before it writes anything: an error returned after a
// write fails the whole group of writes that share the transaction.
type txn struct {
	ctx   context.Context
	tx    *sql.Tx
	db    *DB
	next  int64
	now   time.Time
	dirty bool // the current write has written

	// hashes holds the Merkle tree hashes appended in this transaction,
	// by stored-hash index, so that later entries of the same
	// transaction hash against them without a read.
	hashes map[int64]tlog.Hash
}

// ReadHashes implements tlog.HashReader inside the transaction.
func (t *txn) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var missing []int64
	for i, x := range indexes {
		if h, ok := t.hashes[x]; ok {
			out[i] = h
		} else {
			missing = append(missing, x)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	found, err := readHashes(t.ctx, t.tx, missing)
	if err != nil {
		return nil, err
	}
	for i, x := range indexes {
		if h, ok := found[x]; ok {
			out[i] = h
		} else if _, ok := t.hashes[x]; !ok {
			return nil, fmt.Errorf("sqlite: no stored hash %d", x)
		}
	}
	return out, nil
}

// write runs fn in the writer's next transaction and returns once that
// transaction has committed (nil) or fn or the commit failed.
func (db *DB) write(ctx context.Context, fn func(tx *txn) error) error {
	req := &writeReq{fn: fn, err: make(chan error, 1)}
	db.closeMu.RLock()
	if db.closed {
		db.closeMu.RUnlock()
		return truce.Errorf(truce.EUNAVAILABLE, "the store is closed")
	}
	select {
	case db.reqs <- req:
		db.closeMu.RUnlock()
	case <-ctx.Done():
		db.closeMu.RUnlock()
		return ctx.Err()
	}
	// Once queued, the write runs whatever happens to ctx: waiting for it
	// keeps the answer true.
	return <-req.err
}

// writer is the single goroutine that writes. It groups waiting writes into
// one transaction.
func (db *DB) writer() {
	defer close(db.done)
	for req := range db.reqs {
		group := []*writeReq{req}
	drain:
		for len(group) < maxGroup {
			select {
			case r, ok := <-db.reqs:
				if !ok {
					break drain
				}
				group = append(group, r)
			default:
				break drain
			}
		}
		db.commit(group)
	}
}

func (db *DB) commit(group []*writeReq) {
	ctx := context.Background()
	errs := make([]error, len(group))
	fail := func(err error) {
		for _, r := range group {
			r.err <- err
		}
	}
	// BEGIN IMMEDIATE: the transaction holds the write lock from here on,
	// so the head read next stays the head until the commit.
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		fail(fmt.Errorf("sqlite: begin: %w", err))
		return
	}
	next, last, err := head(ctx, tx)
	if err != nil {
		tx.Rollback()
		fail(fmt.Errorf("sqlite: reading the head of the log: %w", err))
		return
	}
	now := db.Now().UTC()
	if now.Before(last) {
		now = last
	}
	t := &txn{ctx: ctx, tx: tx, db: db, next: next, now: now, hashes: map[int64]tlog.Hash{}}
	for i, r := range group {
		t.dirty = false
		if errs[i] = r.fn(t); errs[i] != nil && t.dirty {
			// A write that fails after it has written cannot be undone
			// alone (there are no savepoints, whose journalling would
			// cost every write): the whole group fails, unacknowledged.
			// The cause is reported, not wrapped, so that its code is
			// not taken for the other writes' own.
			tx.Rollback()
			fail(fmt.Errorf("sqlite: a write failed part way, so its group of %d was not committed: %v", len(group), errs[i]))
			return
		}
	}
	if err := tx.Commit(); err != nil {
		fail(fmt.Errorf("sqlite: commit: %w", err))
		return
	}
	db.writes.Add(uint64(len(group)))
	db.commits.Add(1)
	for i, r := range group {
		r.err <- errs[i]
	}
}

// exec runs a statement that writes.
func (t *txn) exec(query string, args ...any) error {
	t.dirty = true
	_, err := t.tx.ExecContext(t.ctx, query, args...)
	return err
}

// append adds one entry to the log and returns it with its index set.
func (t *txn) append(typ truce.EntryType, submitter string, data []byte) (*truce.Entry, error) {
	e := &truce.Entry{Index: t.next, Type: typ, Time: t.now, Submitter: submitter, Data: data}
	if err := t.appendAll([]*truce.Entry{e}); err != nil {
		return nil, err
	}
	return e, nil
}

// projections are the query tables kept from the log: Rebuild remakes
// them, and Verify checks them against it.
var projections = []string{"sources", "agreements", "observations", "control_maps", "witnesses", "source_keys", "reviews", "releases"}

// Rebuild drops the query tables' rows and projects every entry of the log
// into them again, in one transaction: the tables are projections of the
// log, and this makes them so. Credentials, which are not in the log, are
// kept. It returns the number of entries replayed.
func (db *DB) Rebuild(ctx context.Context) (int64, error) {
	var n int64
	err := db.write(ctx, func(tx *txn) error {
		for _, table := range projections {
			if err := tx.exec(`DELETE FROM ` + table); err != nil {
				return err
			}
		}
		var err error
		n, err = replay(tx, nil)
		return err
	})
	db.agreementsChanged()
	return n, err
}

// replay projects every entry of the log, read through tx, into the query
// tables, and returns the number of entries read. An entry that cannot be
// projected is an error, unless skip is not nil: then skip is told why and
// the entry is left out.
func replay(tx *txn, skip func(e *truce.Entry, err error)) (int64, error) {
	var n int64
	const page = 1000
	for start := int64(0); ; start += page {
		entries, err := readEntries(tx.ctx, tx.tx, start, start+page)
		if err != nil {
			return n, err
		}
		var obs []*truce.Entry
		var rows []*truce.Observation
		var pubIDs []string
		var indexes []int64
		for _, e := range entries {
			if e.Type == truce.EntryObservation {
				indexes = append(indexes, e.Index)
			}
		}
		parts, err := privateParts(tx.ctx, tx.tx, indexes)
		if err != nil {
			return n, err
		}
		for _, e := range entries {
			switch e.Type {
			case truce.EntryObservation:
				var pub *truce.SealedObservation
				var o *truce.Observation
				if pub, _, o, err = unseal(e.Data, parts[e.Index], tx.db.partial); err == nil {
					obs, rows, pubIDs = append(obs, e), append(rows, o), append(pubIDs, pub.ID)
				}
			case truce.EntrySource:
				var part *truce.SealedGroup
				if part, err = sourcePart(tx, e.Index); err == nil {
					err = projectSource(tx, e, part)
				}
			case truce.EntrySourceKey:
				err = projectSourceKey(tx, e)
			case truce.EntryAgreement:
				err = projectAgreement(tx, e)
			case truce.EntryControlMap:
				err = projectControlMap(tx, e)
			case truce.EntryWitness:
				err = projectWitness(tx, e)
			case truce.EntryReview:
				err = projectReview(tx, e)
			case truce.EntryRelease:
				err = projectRelease(tx, e)
			case truce.EntryCredential:
			default:
				err = fmt.Errorf("entry %d has unknown type %q", e.Index, e.Type)
			}
			if err != nil {
				if skip == nil {
					return n, fmt.Errorf("sqlite: rebuilding from entry %d: %w", e.Index, err)
				}
				skip(e, err)
			}
		}
		if err := projectObservations(tx, obs, rows, pubIDs, nil); err != nil {
			return n, fmt.Errorf("sqlite: rebuilding observations: %w", err)
		}
		n += int64(len(entries))
		if len(entries) < page {
			return n, nil
		}
	}
}

// stored is an entry found under a key: its data, index and time.
type stored struct {
	data  []byte
	index int64
	time  string
}

// addOnce appends data as an entry of type typ by submitter and projects it,
// unless an entry is already stored under the key that query (with args)
// looks up. An entry with the same data is returned with created false;
// one with other data is the error conflict(index).
func (db *DB) addOnce(ctx context.Context, typ truce.EntryType, submitter string, data []byte,
	project func(*txn, *truce.Entry) error, conflict func(index int64) error,
	query string, args ...any) (s stored, created bool, err error) {
	err = db.write(ctx, func(tx *txn) error {
		err := tx.tx.QueryRowContext(tx.ctx, query, args...).Scan(&s.data, &s.index, &s.time)
		switch {
		case err == nil && bytes.Equal(s.data, data):
			return nil
		case err == nil:
			return conflict(s.index)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		e, err := tx.append(typ, submitter, data)
		if err != nil {
			return err
		}
		if err := project(tx, e); err != nil {
			return err
		}
		s, created = stored{data, e.Index, e.Time.Format(timeFormat)}, true
		return nil
	})
	return s, created, err
}

// chunkRows is how many rows one multi-row statement writes or reads.
const chunkRows = 100

// entryColumns is the number of columns of an entries row.
const entryColumns = 6

// appendAll adds entries, whose indexes must run on from t.next, to the
// log, each with the Merkle tree hashes it completes.
func (t *txn) appendAll(entries []*truce.Entry) error {
	t.dirty = true
	for start := 0; start < len(entries); start += chunkRows {
		end := min(start+chunkRows, len(entries))
		args := make([]any, 0, (end-start)*entryColumns)
		for _, e := range entries[start:end] {
			if e.Index != t.next {
				return fmt.Errorf("sqlite: entry index %d, want %d", e.Index, t.next)
			}
			enc := e.Encode()
			hs, err := tlog.StoredHashesForRecordHash(e.Index, tlog.RecordHash(enc), t)
			if err != nil {
				return fmt.Errorf("sqlite: hashing entry %d: %w", e.Index, err)
			}
			tree := make([]byte, 0, len(hs)*tlog.HashSize)
			at := tlog.StoredHashIndex(0, e.Index)
			for i, h := range hs {
				t.hashes[at+int64(i)] = h
				tree = append(tree, h[:]...)
			}
			args = append(args, e.Index, string(e.Type), e.Time.Format(timeFormat), e.Submitter, e.Data, tree)
			t.next++
		}
		if err := t.execChunk(t.db.insEntries, insertEntries, end-start, entryColumns, args); err != nil {
			return fmt.Errorf("sqlite: append entries: %w", err)
		}
	}
	return nil
}

// rowPlaceholders returns "(?, ?), (?, ?)" for rows of cols values.
func rowPlaceholders(rows, cols int) string {
	row := "(" + placeholders(cols) + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
}

// actor returns by, or the local operator for nil.
func actor(by *truce.Source) *truce.Source {
	if by == nil {
		return truce.Operator
	}
	return by
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// LogSize implements truce.LogService.
func (db *DB) LogSize(ctx context.Context) (int64, error) {
	var n sql.NullInt64
	if err := db.r.QueryRowContext(ctx, `SELECT max(idx) FROM entries`).Scan(&n); err != nil {
		return 0, err
	}
	if !n.Valid {
		return 0, nil
	}
	return n.Int64 + 1, nil
}

// ReadHashes implements truce.LogService.
func (db *DB) ReadHashes(ctx context.Context, indexes []int64) ([][32]byte, error) {
	found := map[int64]tlog.Hash{}
	for start := 0; start < len(indexes); start += chunkRows {
		m, err := readHashes(ctx, db.r, indexes[start:min(start+chunkRows, len(indexes))])
		if err != nil {
			return nil, err
		}
		maps.Copy(found, m)
	}
	out := make([][32]byte, len(indexes))
	for i, x := range indexes {
		h, ok := found[x]
		if !ok {
			return nil, truce.Errorf(truce.ENOTFOUND, "no stored hash %d: the log is not that large", x)
		}
		out[i] = h
	}
	return out, nil
}

// querier runs queries: the readers (*sql.DB) or the writer's *sql.Tx.
type querier interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

// records runs query, whose rows are the data, index and time of entries,
// and decodes each row with decode.
func records[T any](ctx context.Context, q querier, decode func(data []byte, index int64, at time.Time) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var data []byte
		var index int64
		var ts string
		if err := rows.Scan(&data, &index, &ts); err != nil {
			return nil, err
		}
		at, err := scanTime(ts)
		if err != nil {
			return nil, err
		}
		r, err := decode(data, index, at)
		if err != nil {
			return nil, fmt.Errorf("sqlite: entry %d: %w", index, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// record is records for a query of one row; notFound is the error when
// there is none.
func record[T any](ctx context.Context, q querier, notFound error, decode func([]byte, int64, time.Time) (T, error), query string, args ...any) (T, error) {
	rs, err := records(ctx, q, decode, query, args...)
	if err == nil && len(rs) == 0 {
		err = notFound
	}
	if err != nil {
		var zero T
		return zero, err
	}
	return rs[0], nil
}

// readHashes reads the stored hashes at indexes (tlog.StoredHashIndex
// positions) through q. The hash of the subtree at level L and position n
// is kept by the entry that completes it, (n+1)·2^L − 1, as its L-th.
func readHashes(ctx context.Context, q querier, indexes []int64) (map[int64]tlog.Hash, error) {
	out := make(map[int64]tlog.Hash, len(indexes))
	if len(indexes) == 0 {
		return out, nil
	}
	type slot struct {
		index int64 // the stored-hash index
		level int
	}
	want := map[int64][]slot{} // entry → the hashes wanted from it
	var args []any
	for _, x := range indexes {
		level, n := tlog.SplitStoredHashIndex(x)
		e := (n+1)<<level - 1
		if _, ok := want[e]; !ok {
			args = append(args, e)
		}
		want[e] = append(want[e], slot{x, level})
	}
	rows, err := q.QueryContext(ctx, `SELECT idx, tree_hashes FROM entries WHERE idx IN (`+placeholders(len(args))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e int64
		var b []byte
		if err := rows.Scan(&e, &b); err != nil {
			return nil, err
		}
		for _, s := range want[e] {
			lo := s.level * tlog.HashSize
			if lo+tlog.HashSize > len(b) {
				return nil, fmt.Errorf("sqlite: entry %d keeps %d tree hashes, not the one at level %d", e, len(b)/tlog.HashSize, s.level)
			}
			out[s.index] = tlog.Hash(b[lo : lo+tlog.HashSize])
		}
	}
	return out, rows.Err()
}

// Entries implements truce.LogService.
func (db *DB) Entries(ctx context.Context, start, end int64) ([]*truce.Entry, error) {
	if start < 0 || end < start {
		return nil, truce.Errorf(truce.EINVALID, "bad entry range [%d, %d)", start, end)
	}
	return readEntries(ctx, db.r, start, end)
}

// readEntries reads the entries with start <= index < end through q (the
// readers, or the writer's transaction).
func readEntries(ctx context.Context, q querier, start, end int64) ([]*truce.Entry, error) {
	rows, err := q.QueryContext(ctx, `SELECT idx, type, time, submitter, data FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx`, start, end)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*truce.Entry
	for rows.Next() {
		var e truce.Entry
		var typ, ts string
		if err := rows.Scan(&e.Index, &typ, &ts, &e.Submitter, &e.Data); err != nil {
			return nil, err
		}
		e.Type = truce.EntryType(typ)
		if e.Time, err = scanTime(ts); err != nil {
			return nil, fmt.Errorf("entry %d: %w", e.Index, err)
		}
		out = append(out, &e)
	}
	return out, rows.Err()
}

// timeFormat is how entry times are stored.
const timeFormat = time.RFC3339Nano

// scanTime parses a stored entry time.
func scanTime(s string) (time.Time, error) {
	t, err := time.Parse(timeFormat, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("sqlite: stored entry time %q: %w", s, err)
	}
	return t, nil
}
