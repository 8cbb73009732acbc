package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/ledger"
)

// maxRowProblems bounds the problems reported for one table's rows; the
// rest are counted in one more problem.
const maxRowProblems = 100

// Verify checks the store in the file at path against its own log and
// feeds it to a; the caller gives a its keys and any checkpoints held
// outside the log first, and calls a.Finish after. It opens the file
// read-only and never writes to it, so it may run beside a server.
//
// Verify gives a every signed checkpoint the store keeps, with its
// cosignatures, and every entry, built from the stored columns exactly as
// they are. It checks that each entry's stored tree hashes are the ones
// recomputed from the entries; that every checkpoint row agrees with its
// note and every cosignature row with its line; and that every row of the
// query tables is what the log projects, with no row missing and none
// extra. For that it replays the log, through the code that
// [DB.Rebuild] runs, into a scratch database in the temporary directory,
// and compares the two table by table. Credentials are checked as far as
// the log says: each source's row names its latest credential entry; the
// token hash itself is not in the log. So are the times at which
// checkpoints were signed. The versions of finding series are not
// compared here: they are derived from the log, not projected from it, and
// [VerifyFindings] checks them by recomputing them (docs/review.md).
//
// It returns the number of rows compared per table. The error is for a
// store that cannot be read.
func Verify(ctx context.Context, path string, a *ledger.Auditor) (rows map[string]int64, err error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "truce-verify-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	scratch, err := openScratch(ctx, filepath.Join(dir, "scratch.db"))
	if err != nil {
		return nil, err
	}
	defer scratch.w.Close()
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	store := "file:" + (&url.URL{Path: abs}).EscapedPath() + "?mode=ro"
	if _, err := scratch.w.ExecContext(ctx, `ATTACH DATABASE ? AS store`, store); err != nil {
		return nil, fmt.Errorf("sqlite: opening %s to verify: %w", path, err)
	}
	v := &verifier{ctx: ctx, a: a, rows: map[string]int64{}}
	tx, err := scratch.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	v.tx = tx
	if ok, err := v.schema(); err != nil || !ok {
		return nil, err
	}
	// The replay reads the store's entries under their usual name.
	// So do the observations' and sources' private parts, which the
	// replay checks against their entries' commitments as it unseals them.
	for _, table := range []string{"entries", "observation_private", "source_private"} {
		if _, err := tx.ExecContext(ctx, `CREATE TEMP VIEW `+table+` AS SELECT * FROM store.`+table); err != nil {
			return nil, err
		}
	}
	for _, step := range []func() error{v.checkpoints, v.entries, v.credentials, v.private, v.sourcePrivate} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	t := &txn{ctx: ctx, tx: tx, db: scratch, hashes: map[int64]tlog.Hash{}}
	if _, err := replay(t, func(e *truce.Entry, err error) {
		a.Problem(fmt.Sprintf("entry %d", e.Index), "cannot be projected into the query tables: %v", err)
	}); err != nil {
		a.Problem("query tables", "the log cannot be replayed into them, so they were not compared: %v", err)
		return v.rows, nil
	}
	if err := v.cosigners(); err != nil {
		return nil, err
	}
	for _, table := range projections {
		if err := v.compare(table); err != nil {
			return nil, err
		}
	}
	return v.rows, nil
}

// Verify is [Verify] on the file the store lives in.
func (db *DB) Verify(ctx context.Context, a *ledger.Auditor) (map[string]int64, error) {
	return Verify(ctx, db.path, a)
}

// openScratch opens a throw-away database at path with the store's schema,
// on one connection, for Verify to replay the log into. It is never
// committed, so it needs no journal.
func openScratch(ctx context.Context, path string) (*DB, error) {
	q := url.Values{}
	for _, p := range []string{"journal_mode(OFF)", "synchronous(OFF)", "temp_store(MEMORY)", "cache_size(-65536)"} {
		q.Add("_pragma", p)
	}
	pool, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	pool.SetMaxOpenConns(1)
	pool.SetMaxIdleConns(1)
	pool.SetConnMaxLifetime(0)
	pool.SetConnMaxIdleTime(0)
	db := &DB{path: path, w: pool, r: pool}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	if err := db.prepare(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// verifier is one run of Verify.
type verifier struct {
	ctx  context.Context
	tx   *sql.Tx
	a    *ledger.Auditor
	rows map[string]int64
	// issued is the latest credential entry of each source, from the log.
	issued map[string]int64
	// derived says that the scratch tables were recomputed from the log
	// (finding versions), not projected from it: compare words its
	// problems so.
	derived bool
}

func (v *verifier) query(q string, args ...any) (*sql.Rows, error) {
	return v.tx.QueryContext(v.ctx, q, args...)
}

// schema checks that the store has the migrations this build knows, so
// that its tables can be compared with the scratch copy's.
func (v *verifier) schema() (bool, error) {
	names := func(schema string) ([]string, error) {
		rows, err := v.query(`SELECT name FROM ` + schema + `.migrations ORDER BY name`)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				return nil, err
			}
			out = append(out, n)
		}
		return out, rows.Err()
	}
	have, err := names("store")
	if err != nil {
		return false, fmt.Errorf("sqlite: not a truce store: %w", err)
	}
	want, err := names("main")
	if err != nil {
		return false, err
	}
	if !slices.Equal(have, want) {
		v.a.Problem("schema", "the store has migrations %v, this truce has %v: open it with this truce (truce serve) to migrate it, then verify", have, want)
		return false, nil
	}
	return true, nil
}

// checkpoints gives the auditor every stored checkpoint with its
// cosignatures, checking each row against its note.
func (v *verifier) checkpoints() error {
	cosigs := map[int64][]string{}
	rows, err := v.query(`SELECT size, witness, line, signed_at FROM store.cosignatures ORDER BY size, witness`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var size int64
		var witness, line, ts string
		if err := rows.Scan(&size, &witness, &line, &ts); err != nil {
			rows.Close()
			return err
		}
		path := fmt.Sprintf("cosignatures[size=%d witness=%q]", size, witness)
		if name := truce.CosignatureFrom(line); name != witness {
			v.a.Problem(path, "the line is not a signature line by %q", witness)
		} else if at, ok := cosignatureTime(line); !ok || at.Format(timeFormat) != ts {
			v.a.Problem(path, "signed_at %s is not the time the cosignature states", ts)
		}
		cosigs[size] = append(cosigs[size], line)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	rows, err = v.query(`SELECT size, root, note FROM store.checkpoints ORDER BY size`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var size int64
		var root, msg []byte
		if err := rows.Scan(&size, &root, &msg); err != nil {
			return err
		}
		path := fmt.Sprintf("checkpoints[size=%d]", size)
		if i := strings.Index(string(msg), "\n\n"); i >= 0 {
			if cp, err := ledger.ParseCheckpoint(msg[:i+1]); err == nil {
				if cp.Size != size {
					v.a.Problem(path, "the note is of size %d", cp.Size)
				}
				if string(cp.Root[:]) != string(root) {
					v.a.Problem(path, "root %s is not the note's", base64.StdEncoding.EncodeToString(root))
				}
			}
		}
		for _, l := range cosigs[size] {
			msg = append(msg, l...)
		}
		delete(cosigs, size)
		v.a.Checkpoint(path, msg, false)
	}
	for size := range cosigs {
		v.a.Problem(fmt.Sprintf("cosignatures[size=%d]", size), "cosign a checkpoint that is not stored")
	}
	return rows.Err()
}

// cosignatureTime returns the time a cosignature line states.
func cosignatureTime(line string) (time.Time, bool) {
	_, b64, _ := strings.Cut(strings.TrimSuffix(line, "\n"), "— ")
	_, b64, _ = strings.Cut(b64, " ")
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) < 12 {
		return time.Time{}, false
	}
	return time.Unix(int64(binary.BigEndian.Uint64(raw[4:12])), 0).UTC(), true
}

// entries gives the auditor every stored entry, built from its columns as
// they are, and checks the stored tree hashes against the recomputed ones.
func (v *verifier) entries() error {
	rows, err := v.query(`SELECT idx, type, time, submitter, data, tree_hashes,
		typeof(type) = 'text' AND typeof(time) = 'text' AND typeof(submitter) = 'text' AND typeof(data) = 'blob' AND typeof(tree_hashes) = 'blob'
		FROM store.entries ORDER BY idx`)
	if err != nil {
		return err
	}
	defer rows.Close()
	v.issued = map[string]int64{}
	var next int64
	shifted := false // an entry is missing: stored tree hashes above the leaves no longer line up
	for rows.Next() {
		var idx int64
		var typ, ts, sub string
		var data, tree []byte
		var typed bool
		if err := rows.Scan(&idx, &typ, &ts, &sub, &data, &tree, &typed); err != nil {
			return err
		}
		path := fmt.Sprintf("entry %d", idx)
		switch {
		case idx > next:
			where := fmt.Sprintf("entry %d", next)
			if idx > next+1 {
				where = fmt.Sprintf("entries %d to %d", next, idx-1)
			}
			if next == 0 {
				v.a.Problem(where, "missing: the stored entries begin at %d", idx)
			} else {
				v.a.Problem(where, "missing: the stored entries go from %d to %d", next-1, idx)
			}
			shifted = true
		case idx < next:
			v.a.Problem(path, "out of order")
			shifted = true
		}
		next = idx + 1
		if !typed {
			v.a.Problem(path, "a column holds another type than the store writes (text type, time and submitter; blob data and tree hashes)")
		}
		enc := make([]byte, 0, 64+len(data))
		enc = append(enc, "truce-entry/v1\n"...)
		enc = append(append(enc, typ...), '\n')
		enc = append(append(enc, ts...), '\n')
		enc = append(append(enc, sub...), '\n')
		enc = append(enc, data...)
		hs := v.a.Entry(idx, enc)
		switch {
		case len(tree) != len(hs)*tlog.HashSize:
			v.a.Problem(path, "keeps %d bytes of tree hashes, want %d (%d hashes)", len(tree), len(hs)*tlog.HashSize, len(hs))
		case string(tree[:tlog.HashSize]) != string(hs[0][:]):
			v.a.Problem(path, "the stored leaf hash is not the hash of the stored entry: the entry or its hash was changed")
		case !shifted:
			for l := 1; l < len(hs); l++ {
				if string(tree[l*tlog.HashSize:(l+1)*tlog.HashSize]) != string(hs[l][:]) {
					v.a.Problem(path, "the stored tree hash at level %d is not the hash of the entries below it: an earlier entry or hash was changed", l)
					break
				}
			}
		}
		if truce.EntryType(typ) == truce.EntryCredential {
			var c truce.Credential
			if json.Unmarshal(data, &c) == nil {
				v.issued[c.Source] = idx
			}
		}
	}
	return rows.Err()
}

// private checks the observations' private parts against the log: every
// sealed observation's entry has its row, whose groups match the entry's
// commitments; no other entry has one.
func (v *verifier) private() error {
	return v.privateRows("observation_private", "parts", truce.EntryObservation, func(path string, idx int64, held bool, data, parts []byte) {
		pub, err := truce.DecodeSealed(data)
		if err != nil {
			return // the entry's own problem is reported with it
		}
		switch {
		case pub.Clear != nil && held:
			v.a.Problem(path, "private parts for an open source's observation, which has none")
		case pub.Clear == nil && !held:
			v.a.Problem(path, "missing: entry %d is a sealed observation", idx)
		case pub.Clear == nil:
			var pp truce.PrivateParts
			if err := json.Unmarshal(parts, &pp); err != nil {
				v.a.Problem(path, "does not decode: %v", err)
			} else if err := pp.Check(pub); err != nil {
				v.a.Problem(path, "%s", truce.ErrorMessage(err))
			} else if len(pp) != len(pub.Commitments) {
				v.a.Problem(path, "holds %d groups; entry %d commits to %d", len(pp), idx, len(pub.Commitments))
			} else if canon, err := json.Marshal(pp); err != nil || !bytes.Equal(canon, parts) {
				v.a.Problem(path, "is not in the canonical form the store writes")
			}
		}
	})
}

// sourcePrivate checks the sources' private parts against the log: every
// sealed source entry has its row, whose part opens the entry's
// commitment; no other entry has one.
func (v *verifier) sourcePrivate() error {
	return v.privateRows("source_private", "part", truce.EntrySource, func(path string, idx int64, held bool, data, part []byte) {
		var pub truce.Source
		if json.Unmarshal(data, &pub) != nil {
			return // the entry's own problem is reported with it
		}
		switch {
		case pub.Sealed == "" && !held:
		case pub.Sealed == "":
			v.a.Problem(path, "a private part for an open source's entry, which has none")
		case !held:
			v.a.Problem(path, "missing: entry %d is a sealed source", idx)
		default:
			var g truce.SealedGroup
			if err := json.Unmarshal(part, &g); err != nil {
				v.a.Problem(path, "does not decode: %v", err)
			} else if _, err := truce.UnsealSource(&pub, &g); err != nil {
				v.a.Problem(path, "%s", truce.ErrorMessage(err))
			} else if canon, err := json.Marshal(&g); err != nil || !bytes.Equal(canon, part) {
				v.a.Problem(path, "is not in the canonical form the store writes")
			}
		}
	})
}

// privateRows walks a private-part table (keyed by log_index, its part in
// column col) beside the log's entries of type typ, in log order. A row
// whose entry is missing or of another type is reported here; for every
// other row, and for every entry of type typ without one (held false),
// check is called with the row's path, the entry's index and data, and
// the row's part.
func (v *verifier) privateRows(table, col string, typ truce.EntryType, check func(path string, idx int64, held bool, data, part []byte)) error {
	rows, err := v.query(fmt.Sprintf(`SELECT p.log_index, e.idx, coalesce(e.type, ''), e.data, p.%[2]s FROM store.%[1]s p
		LEFT JOIN store.entries e ON e.idx = p.log_index
		UNION ALL
		SELECT NULL, e.idx, e.type, e.data, NULL FROM store.entries e
		WHERE e.type = '%[3]s' AND NOT EXISTS (SELECT 1 FROM store.%[1]s p WHERE p.log_index = e.idx)
		ORDER BY 2`, table, col, typ))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pidx, eidx sql.NullInt64
		var et string
		var data, part []byte
		if err := rows.Scan(&pidx, &eidx, &et, &data, &part); err != nil {
			return err
		}
		idx := pidx.Int64
		if !pidx.Valid {
			idx = eidx.Int64
		}
		path := fmt.Sprintf("%s[log_index=%d]", table, idx)
		switch {
		case !eidx.Valid:
			v.a.Problem(path, "private part for an entry the log does not hold")
		case et != string(typ):
			v.a.Problem(path, "private part for a %s entry", et)
		default:
			check(path, idx, pidx.Valid, data, part)
		}
	}
	return rows.Err()
}

// credentials checks that each source's credentials row names the latest
// credential entry for it, and that every source with one has a row.
func (v *verifier) credentials() error {
	// The log names a sealed source by its public name; the store's
	// sources table (compared with the log below) maps it.
	rows, err := v.query(`SELECT coalesce(s.public_name, c.source), c.log_index FROM store.credentials c LEFT JOIN store.sources s ON s.name = c.source ORDER BY 1`)
	if err != nil {
		return err
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var src string
		var idx int64
		if err := rows.Scan(&src, &idx); err != nil {
			return err
		}
		v.rows["credentials"]++
		seen[src] = true
		path := fmt.Sprintf("credentials[source=%q]", src)
		want, ok := v.issued[src]
		switch {
		case !ok:
			v.a.Problem(path, "no credential entry issues a token to this source")
		case idx != want:
			v.a.Problem(path, "log_index %d, but the latest credential entry for the source is %d", idx, want)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var missing []string
	for src := range v.issued {
		if !seen[src] {
			missing = append(missing, src)
		}
	}
	slices.Sort(missing)
	for _, src := range missing {
		v.a.Problem(fmt.Sprintf("credentials[source=%q]", src), "missing: credential entry %d issues the source a token", v.issued[src])
	}
	return nil
}

// cosigners checks that every stored cosignature is by a witness that the
// log registers (the replayed witnesses).
func (v *verifier) cosigners() error {
	rows, err := v.query(`SELECT size, witness FROM store.cosignatures WHERE witness NOT IN (SELECT name FROM main.witnesses) ORDER BY size, witness`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var size int64
		var w string
		if err := rows.Scan(&size, &w); err != nil {
			return err
		}
		v.a.Problem(fmt.Sprintf("cosignatures[size=%d witness=%q]", size, w), "by a witness that no log entry registers")
	}
	return rows.Err()
}

// compare reports the rows of table that differ between the store and the
// scratch copy that the log was replayed into.
func (v *verifier) compare(table string) error {
	cols, keys, err := v.columns("main", table)
	if err != nil {
		return err
	}
	have, _, err := v.columns("store", table)
	if err != nil {
		return err
	}
	if !slices.Equal(cols, have) {
		v.a.Problem(table, "has columns %v, want %v", have, cols)
		return nil
	}
	var n int64
	if err := v.tx.QueryRowContext(v.ctx, `SELECT count(*) FROM store.`+table).Scan(&n); err != nil {
		return err
	}
	v.rows[table] = n
	list := strings.Join(cols, ", ")
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = "quote(" + c + ")"
	}
	diff := func(a, b string) (map[string][]string, []string, error) {
		rows, err := v.query(`SELECT ` + strings.Join(quoted, ", ") + ` FROM (SELECT ` + list + ` FROM ` + a + `.` + table +
			` EXCEPT SELECT ` + list + ` FROM ` + b + `.` + table + `)`)
		if err != nil {
			return nil, nil, err
		}
		defer rows.Close()
		out := map[string][]string{}
		var order []string
		for rows.Next() {
			vals := make([]string, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return nil, nil, err
			}
			var k []string
			for _, i := range keys {
				k = append(k, cols[i]+"="+vals[i])
			}
			key := table + "[" + strings.Join(k, " ") + "]"
			if _, dup := out[key]; !dup {
				order = append(order, key)
			}
			out[key] = vals
		}
		return out, order, rows.Err()
	}
	stored, storedOrder, err := diff("store", "main")
	if err != nil {
		return err
	}
	logged, loggedOrder, err := diff("main", "store")
	if err != nil {
		return err
	}
	reported := 0
	problem := func(path, format string, args ...any) {
		if reported < maxRowProblems {
			v.a.Problem(path, format, args...)
		}
		reported++
	}
	noRow, differs, says, missing := "no log entry projects this row (%s)", "differs from its log entry: %s", "the log says", "missing: the log projects the row (%s)"
	if v.derived {
		noRow, differs, says, missing = "recomputing from the log gives no such row (%s)", "differs from what recomputing from the log gives: %s", "recomputing gives", "missing: recomputing from the log gives the row (%s)"
	}
	describe := describe
	if v.derived { // rows of derived findings: the finding itself is too long to quote
		describe = func(cols, vals []string) string {
			var cs, vs []string
			for i, c := range cols {
				if c != "finding" && c != "observations" {
					cs, vs = append(cs, c), append(vs, vals[i])
				}
			}
			return describeRow(cs, vs)
		}
	}
	for _, key := range storedOrder {
		s := stored[key]
		l, ok := logged[key]
		if !ok {
			problem(key, noRow, describe(cols, s))
			continue
		}
		var ds []string
		for i := range cols {
			if s[i] != l[i] {
				ds = append(ds, fmt.Sprintf("%s is %s, %s %s", cols[i], s[i], says, l[i]))
			}
		}
		problem(key, differs, strings.Join(ds, "; "))
	}
	for _, key := range loggedOrder {
		if _, ok := stored[key]; !ok {
			problem(key, missing, describe(cols, logged[key]))
		}
	}
	if reported > maxRowProblems {
		v.a.Problem(table, "and %d more rows differ from the log", reported-maxRowProblems)
	}
	return nil
}

// describe lists a row's columns and values.
func describe(cols, vals []string) string { return describeRow(cols, vals) }

func describeRow(cols, vals []string) string {
	parts := make([]string, len(cols))
	for i := range cols {
		parts[i] = cols[i] + "=" + vals[i]
	}
	return strings.Join(parts, " ")
}

// columns returns the columns of table in schema, and the positions of its
// primary key's columns (log_index when it has none).
func (v *verifier) columns(schema, table string) (cols []string, keys []int, err error) {
	rows, err := v.query(`SELECT name, pk FROM pragma_table_info(?, ?) ORDER BY cid`, table, schema)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	type key struct{ pos, pk int }
	var ks []key
	for rows.Next() {
		var name string
		var pk int
		if err := rows.Scan(&name, &pk); err != nil {
			return nil, nil, err
		}
		if pk > 0 {
			ks = append(ks, key{len(cols), pk})
		}
		cols = append(cols, name)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if len(cols) == 0 {
		return nil, nil, errors.New("sqlite: no table " + schema + "." + table)
	}
	slices.SortFunc(ks, func(a, b key) int { return a.pk - b.pk })
	for _, k := range ks {
		keys = append(keys, k.pos)
	}
	if len(keys) == 0 {
		keys = []int{slices.Index(cols, "log_index")}
	}
	return cols, keys, nil
}
