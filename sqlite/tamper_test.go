package sqlite

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce/ledger"
)

// tamperSeed seeds TestTamper: trial i draws its edit from a generator
// seeded with (tamperSeed, i), so that each trial makes the same edit on
// every run, whatever the order the workers take the trials in.
const tamperSeed = 20250314

// unverifiable lists the columns that hold nothing the log records, so
// that no verifier can tell a changed value: a token's hash (the log says
// when a token was issued, never what it is) and the time at which a
// checkpoint was signed (the note does not say).
var unverifiable = map[string]bool{"credentials.token_sha256": true, "checkpoints.signed_at": true}

// tamperTables are the tables an edit may touch: the projections, the
// credentials, the log itself, the observations' private parts, its
// checkpoints and their cosignatures.
func tamperTables() []string {
	return append(slices.Clone(projections), "credentials", "entries", "observation_private", "source_private", "checkpoints", "cosignatures")
}

// errNoEdit means the edit drawn cannot be made on this store (no row to
// take, or a constraint refuses it); the trial draws another.
var errNoEdit = errors.New("no such edit here")

// An edit changes the store file through db, with SQL, and returns what it
// did and the words of which at least one must appear in a problem that
// verify reports.
type edit struct {
	kind string
	do   func(r *rand.Rand, db *sql.DB) (what string, want []string, err error)
}

var edits = []edit{
	{"change a field", editField},
	{"delete a row", editDelete},
	{"swap two rows", editSwap},
	{"replace an entry and its hashes", editEntryAndHashes},
	{"insert a row", editInsert},
	{"truncate the log", editTruncate},
}

// TestTamper makes 1,000 seeded random edits (20 under -race, 100 with
// -short), one per trial, directly in a copy of a store's SQLite file, and
// checks that Verify, with the log key pinned and the store's checkpoints held
// outside it (as an earlier export or a witness holds them), finds every
// one and names the table, entry or checkpoint it touched.
func TestTamper(t *testing.T) {
	f := sharedFixture(t)
	pristine, err := os.ReadFile(f.path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(f.path + "-wal"); err == nil {
		t.Fatal("the fixture's WAL was not checkpointed into the file")
	}
	trials := 1000
	switch {
	case raceEnabled:
		trials = 20
	case testing.Short():
		trials = 100
	}
	type result struct {
		kind, what string
		want       []string
		problems   []string
	}
	results := make([]result, trials)
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), 4)
	fails := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := filepath.Join(t.TempDir(), fmt.Sprintf("tampered-%d.db", w))
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= trials {
					return
				}
				r := rand.New(rand.NewPCG(tamperSeed, uint64(i)))
				res, err := func() (result, error) {
					for {
						if err := os.WriteFile(path, pristine, 0o600); err != nil {
							return result{}, err
						}
						os.Remove(path + "-wal")
						os.Remove(path + "-shm")
						db, err := sql.Open("sqlite", "file:"+path+"?_pragma=synchronous(OFF)")
						if err != nil {
							return result{}, err
						}
						// One connection, so that the edit is one
						// transaction without fsyncs.
						db.SetMaxOpenConns(1)
						if _, err := db.Exec(`BEGIN`); err != nil {
							return result{}, err
						}
						e := edits[r.IntN(len(edits))]
						what, want, err := e.do(r, db)
						if err == nil {
							_, err = db.Exec(`COMMIT`)
						}
						if cerr := db.Close(); cerr != nil {
							return result{}, cerr
						}
						if errors.Is(err, errNoEdit) {
							continue
						}
						if err != nil {
							return result{}, fmt.Errorf("%s: %s: %w", e.kind, what, err)
						}
						ps, _, _, err := verifyFile(path, f)
						if err != nil {
							return result{}, fmt.Errorf("%s: %s: %w", e.kind, what, err)
						}
						res := result{kind: e.kind, what: what, want: want}
						for _, p := range ps {
							res.problems = append(res.problems, p.String())
						}
						return res, nil
					}
				}()
				if err != nil {
					fails <- fmt.Errorf("trial %d: %w", i, err)
					return
				}
				results[i] = res
			}
		}()
	}
	wg.Wait()
	close(fails)
	for err := range fails {
		t.Fatal(err)
	}
	caught := map[string]int{}
	count := map[string]int{}
	for i, res := range results {
		count[res.kind]++
		if len(res.problems) == 0 {
			t.Errorf("trial %d: %s (%s): verify found nothing", i, res.kind, res.what)
			continue
		}
		named := false
		for _, p := range res.problems {
			for _, w := range res.want {
				named = named || strings.Contains(p, w)
			}
		}
		if !named {
			t.Errorf("trial %d: %s (%s): no problem names any of %q:\n\t%s", i, res.kind, res.what, res.want, strings.Join(res.problems[:min(len(res.problems), 8)], "\n\t"))
			continue
		}
		caught[res.kind]++
	}
	for _, e := range edits {
		t.Logf("%-32s %4d made, %4d caught and named", e.kind, count[e.kind], caught[e.kind])
	}
	if testing.Verbose() {
		shown := map[string]bool{}
		for i, res := range results {
			if !shown[res.kind] {
				shown[res.kind] = true
				t.Logf("trial %d, %s: %s:\n\t%s", i, res.kind, res.what, strings.Join(res.problems[:min(len(res.problems), 6)], "\n\t"))
			}
		}
	}
}

// want returns the words that name table in a problem.
func want(table string) []string {
	switch table {
	case "entries":
		return []string{"entry ", "entries "}
	case "checkpoints":
		return []string{"checkpoint"}
	case "cosignatures":
		return []string{"cosignature"}
	}
	return []string{table + "["}
}

// pick returns the rowid of a random row of table, or errNoEdit.
func pick(r *rand.Rand, db *sql.DB, table string) (int64, error) {
	var n int64
	if err := db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, errNoEdit
	}
	var id int64
	err := db.QueryRow(`SELECT rowid FROM `+table+` ORDER BY rowid LIMIT 1 OFFSET ?`, r.Int64N(n)).Scan(&id)
	return id, err
}

// columns returns table's columns and which of them are its primary key.
func columns(db *sql.DB, table string) (cols []string, pk []bool, err error) {
	rows, err := db.Query(`SELECT name, pk FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var k int
		if err := rows.Scan(&name, &k); err != nil {
			return nil, nil, err
		}
		cols, pk = append(cols, name), append(pk, k > 0)
	}
	return cols, pk, rows.Err()
}

// row reads the columns of the row with rowid id.
func row(db *sql.DB, table string, cols []string, id int64) ([]any, error) {
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	err := db.QueryRow(`SELECT `+strings.Join(cols, ", ")+` FROM `+table+` WHERE rowid = ?`, id).Scan(ptrs...)
	return vals, err
}

// changed returns a value of the same kind as v that differs from it.
func changed(r *rand.Rand, v any) any {
	switch v := v.(type) {
	case int64:
		return v + 1 + r.Int64N(1000)
	case float64:
		return v + 0.001*float64(1+r.IntN(100))
	case string:
		if v == "" {
			return "x"
		}
		b := []byte(v)
		i := r.IntN(len(b))
		b[i] = byte('!' + (int(b[i]-'!')+1+r.IntN(90))%94)
		return string(b)
	case []byte:
		if len(v) == 0 {
			return []byte{1}
		}
		b := bytes.Clone(v)
		b[r.IntN(len(b))] ^= byte(1 << r.IntN(8))
		return b
	case nil:
		return 1.5
	}
	panic(fmt.Sprintf("changed: %T", v))
}

func editField(r *rand.Rand, db *sql.DB) (string, []string, error) {
	tables := tamperTables()
	table := tables[r.IntN(len(tables))]
	cols, _, err := columns(db, table)
	if err != nil {
		return "", nil, err
	}
	cols = slices.DeleteFunc(cols, func(c string) bool { return unverifiable[table+"."+c] })
	col := cols[r.IntN(len(cols))]
	id, err := pick(r, db, table)
	if err != nil {
		return "", nil, err
	}
	var old any
	if err := db.QueryRow(`SELECT `+col+` FROM `+table+` WHERE rowid = ?`, id).Scan(&old); err != nil {
		return "", nil, err
	}
	v := changed(r, old)
	if _, err := db.Exec(`UPDATE `+table+` SET `+col+` = ? WHERE rowid = ?`, v, id); err != nil {
		return "", nil, errNoEdit // a key taken, most likely
	}
	return fmt.Sprintf("%s.%s of row %d: %.40v → %.40v", table, col, id, old, v), want(table), nil
}

func editDelete(r *rand.Rand, db *sql.DB) (string, []string, error) {
	tables := tamperTables()
	table := tables[r.IntN(len(tables))]
	id, err := pick(r, db, table)
	if err != nil {
		return "", nil, err
	}
	_, err = db.Exec(`DELETE FROM `+table+` WHERE rowid = ?`, id)
	return fmt.Sprintf("%s row %d", table, id), want(table), err
}

func editSwap(r *rand.Rand, db *sql.DB) (string, []string, error) {
	tables := tamperTables()
	table := tables[r.IntN(len(tables))]
	cols, pk, err := columns(db, table)
	if err != nil {
		return "", nil, err
	}
	var swap []string
	for i, c := range cols {
		if !pk[i] && !unverifiable[table+"."+c] {
			swap = append(swap, c)
		}
	}
	a, err := pick(r, db, table)
	if err != nil {
		return "", nil, err
	}
	b, err := pick(r, db, table)
	if err != nil {
		return "", nil, err
	}
	va, err := row(db, table, swap, a)
	if err != nil {
		return "", nil, err
	}
	vb, err := row(db, table, swap, b)
	if err != nil {
		return "", nil, err
	}
	if fmt.Sprint(va) == fmt.Sprint(vb) {
		return "", nil, errNoEdit // the same contents: swapping changes nothing
	}
	set := strings.Join(swap, " = ?, ") + " = ?"
	if _, err := db.Exec(`UPDATE `+table+` SET `+set+` WHERE rowid = ?`, append(vb, a)...); err != nil {
		return "", nil, errNoEdit
	}
	if _, err := db.Exec(`UPDATE `+table+` SET `+set+` WHERE rowid = ?`, append(va, b)...); err != nil {
		return "", nil, errNoEdit
	}
	return fmt.Sprintf("%s rows %d and %d (%s)", table, a, b, strings.Join(swap, ", ")), want(table), nil
}

// rehash rewrites the tree hashes of every entry from index from on so that
// they agree with the entries as they now are.
func rehash(db *sql.DB, from int64) error {
	rows, err := db.Query(`SELECT idx, type, time, submitter, data FROM entries ORDER BY idx`)
	if err != nil {
		return err
	}
	var t ledger.Tree
	type update struct {
		idx  int64
		tree []byte
	}
	var ups []update
	for rows.Next() {
		var idx int64
		var typ, ts, sub string
		var data []byte
		if err := rows.Scan(&idx, &typ, &ts, &sub, &data); err != nil {
			rows.Close()
			return err
		}
		enc := []byte("truce-entry/v1\n" + typ + "\n" + ts + "\n" + sub + "\n" + string(data))
		hs := t.Append(tlog.RecordHash(enc))
		if idx >= from {
			var b []byte
			for _, h := range hs {
				b = append(b, h[:]...)
			}
			ups = append(ups, update{idx, b})
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, u := range ups {
		if _, err := db.Exec(`UPDATE entries SET tree_hashes = ? WHERE idx = ?`, u.tree, u.idx); err != nil {
			return err
		}
	}
	return nil
}

// editEntryAndHashes changes one digit or letter of an entry's data and
// rewrites the tree hashes to agree, as someone would who knows how the
// store keeps its tree; half the time it also deletes the checkpoints (and
// their cosignatures) that cover the entry. Only the signed checkpoints,
// the store's or those held outside, can tell.
func editEntryAndHashes(r *rand.Rand, db *sql.DB) (string, []string, error) {
	id, err := pick(r, db, "entries")
	if err != nil {
		return "", nil, err
	}
	var data []byte
	if err := db.QueryRow(`SELECT data FROM entries WHERE idx = ?`, id).Scan(&data); err != nil {
		return "", nil, err
	}
	var at []int
	for i, c := range data {
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return "", nil, errNoEdit
	}
	i := at[r.IntN(len(at))]
	old := data[i]
	if old <= '9' {
		data[i] = byte('0' + (int(old-'0')+1+r.IntN(9))%10)
	} else {
		data[i] = byte('a' + (int(old-'a')+1+r.IntN(25))%26)
	}
	if _, err := db.Exec(`UPDATE entries SET data = ? WHERE idx = ?`, data, id); err != nil {
		return "", nil, err
	}
	if err := rehash(db, id); err != nil {
		return "", nil, err
	}
	what := fmt.Sprintf("entry %d byte %d %q → %q, hashes rewritten", id, i, old, data[i])
	if r.IntN(2) == 0 {
		if _, err := db.Exec(`DELETE FROM checkpoints WHERE size > ?`, id); err != nil {
			return "", nil, err
		}
		if _, err := db.Exec(`DELETE FROM cosignatures WHERE size > ?`, id); err != nil {
			return "", nil, err
		}
		what += ", checkpoints covering it deleted"
	}
	return what, []string{"checkpoint"}, nil
}

func editInsert(r *rand.Rand, db *sql.DB) (string, []string, error) {
	tables := tamperTables()
	table := tables[r.IntN(len(tables))]
	cols, pk, err := columns(db, table)
	if err != nil {
		return "", nil, err
	}
	id, err := pick(r, db, table)
	if err != nil {
		return "", nil, err
	}
	vals, err := row(db, table, cols, id)
	if err != nil {
		return "", nil, err
	}
	for i, c := range cols {
		switch {
		case table == "entries" && c == "idx":
			// A new entry at the end of the log, a copy of another.
			var n int64
			if err := db.QueryRow(`SELECT max(idx) + 1 FROM entries`).Scan(&n); err != nil {
				return "", nil, err
			}
			vals[i] = n
		case pk[i] || c == "token_sha256":
			vals[i] = changed(r, vals[i])
		}
	}
	ph := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
	if _, err := db.Exec(`INSERT INTO `+table+` (`+strings.Join(cols, ", ")+`) VALUES (`+ph+`)`, vals...); err != nil {
		return "", nil, errNoEdit
	}
	if table == "entries" {
		// With its tree hashes right: only what it holds can tell.
		if err := rehash(db, vals[0].(int64)); err != nil {
			return "", nil, err
		}
	}
	return fmt.Sprintf("%s: a copy of row %d with a new key", table, id), want(table), nil
}

// editTruncate deletes the log's last entries; half the time it also
// deletes everything that names them (their rows, checkpoints and
// cosignatures), which only a checkpoint held outside can tell.
func editTruncate(r *rand.Rand, db *sql.DB) (string, []string, error) {
	var n int64
	if err := db.QueryRow(`SELECT count(*) FROM entries`).Scan(&n); err != nil {
		return "", nil, err
	}
	k := 1 + r.Int64N(n-1)
	if _, err := db.Exec(`DELETE FROM entries WHERE idx >= ?`, k); err != nil {
		return "", nil, err
	}
	if r.IntN(2) == 0 {
		return fmt.Sprintf("entries from %d of %d", k, n), []string{"truncated"}, nil
	}
	for _, table := range append(slices.Clone(projections), "credentials") {
		if _, err := db.Exec(`DELETE FROM `+table+` WHERE log_index >= ?`, k); err != nil {
			return "", nil, err
		}
	}
	for _, table := range []string{"checkpoints", "cosignatures"} {
		if _, err := db.Exec(`DELETE FROM `+table+` WHERE size > ?`, k); err != nil {
			return "", nil, err
		}
	}
	return fmt.Sprintf("entries from %d of %d, with their rows and checkpoints", k, n), []string{"truncated"}, nil
}
