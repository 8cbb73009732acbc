package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/truce-monitor/truce"
)

// loadSealingKey reads the store's sealing key, making one from the
// system's random source when the store has none (a new store).
func (db *DB) loadSealingKey(ctx context.Context) error {
	var key []byte
	err := db.w.QueryRowContext(ctx, `SELECT key FROM sealing_key WHERE id = 1`).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		key = make([]byte, truce.SealingKeySize)
		if _, err := rand.Read(key); err != nil {
			return err
		}
		_, err = db.w.ExecContext(ctx, `INSERT INTO sealing_key (id, key) VALUES (1, ?) ON CONFLICT (id) DO NOTHING`, key)
		if err != nil {
			return err
		}
		err = db.w.QueryRowContext(ctx, `SELECT key FROM sealing_key WHERE id = 1`).Scan(&key)
	}
	if err != nil {
		return fmt.Errorf("sealing key: %w", err)
	}
	db.sealingKey = key
	return nil
}

// SetSealingKey replaces the store's sealing key; it is for tests that
// compare two stores filed alike (sealing is a function of the input and
// the key), and must be called before anything is filed.
func (db *DB) SetSealingKey(ctx context.Context, key []byte) error {
	if len(key) != truce.SealingKeySize {
		return truce.Errorf(truce.EINVALID, "a sealing key has %d bytes, not %d", truce.SealingKeySize, len(key))
	}
	return db.write(ctx, func(tx *txn) error {
		var n int
		if err := tx.tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM observation_private`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return truce.Errorf(truce.ECONFLICT, "the store has sealed observations; its sealing key cannot change")
		}
		if err := tx.exec(`UPDATE sealing_key SET key = ? WHERE id = 1`, key); err != nil {
			return err
		}
		db.sealingKey = append([]byte(nil), key...)
		return nil
	})
}

// Policy returns the disclosure policy in force: the strictest of the
// stored agreements' (truce.EffectivePolicy).
func (db *DB) Policy(ctx context.Context) (*truce.DisclosurePolicy, error) {
	gen := db.agreementGen.Load()
	if c := db.policy.Load(); c != nil && c.gen == gen {
		return c.p, nil
	}
	p, err := loadPolicy(ctx, db.r)
	if err != nil {
		return nil, db.closedOr(err)
	}
	// Kept only if no agreement was added while it was read.
	if db.agreementGen.Load() == gen {
		db.policy.Store(&cachedPolicy{gen: gen, p: p})
	}
	return p, nil
}

// cachedPolicy is the policy read when agreementGen was gen.
type cachedPolicy struct {
	gen uint64
	p   *truce.DisclosurePolicy
}

// agreementsChanged drops the cached policy; it is called after a write
// that added an agreement has committed.
func (db *DB) agreementsChanged() { db.agreementGen.Add(1) }

func loadPolicy(ctx context.Context, q querier) (*truce.DisclosurePolicy, error) {
	rows, err := q.QueryContext(ctx, `SELECT e.data FROM agreements a JOIN entries e ON e.idx = a.log_index ORDER BY a.log_index`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var as []*truce.Agreement
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		// Only the policy is needed: decode that field alone.
		var a struct {
			Disclosure *truce.DisclosurePolicy `json:"disclosure"`
		}
		if err := json.Unmarshal(data, &a); err != nil {
			return nil, err
		}
		as = append(as, &truce.Agreement{Disclosure: a.Disclosure})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return truce.EffectivePolicy(as), nil
}

// insertPrivate keeps the private parts of sealed observations: parts[k]
// for entries[k], nil for an open source's.
func insertPrivate(tx *txn, entries []*truce.Entry, parts [][]byte) error {
	args := make([]any, 0, 2*chunkRows)
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		err := tx.execChunk(tx.db.insPrivate, insertPrivateParts, len(args)/2, 2, args)
		args = args[:0]
		return err
	}
	for k, e := range entries {
		if parts[k] == nil {
			continue
		}
		args = append(args, e.Index, parts[k])
		if len(args) == 2*chunkRows {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// unseal rebuilds an observation from its entry's data, the public form,
// and its private parts (nil for an open source's), which must match.
// With partial, the parts may lack the groups that are no input to
// derivations (truce.UnsealInputs); lacking an input group is then a
// *withheldError.
func unseal(data, parts []byte, partial bool) (*truce.SealedObservation, truce.PrivateParts, *truce.Observation, error) {
	pub := new(truce.SealedObservation)
	if err := json.Unmarshal(data, pub); err != nil {
		return nil, nil, nil, fmt.Errorf("public form: %w", err)
	}
	var pp truce.PrivateParts
	if parts != nil && pub.Clear != nil {
		return nil, nil, nil, fmt.Errorf("observation %s: an open source's observation has private parts stored", pub.ID)
	}
	if parts != nil {
		if err := json.Unmarshal(parts, &pp); err != nil {
			return nil, nil, nil, fmt.Errorf("private parts: %w", err)
		}
	}
	if !partial {
		o, err := truce.Unseal(pub, pp)
		if err != nil {
			return nil, nil, nil, err
		}
		return pub, pp, o, nil
	}
	o, withheld, err := truce.UnsealInputs(pub, pp)
	if err != nil {
		return nil, nil, nil, err
	}
	if o == nil {
		return nil, nil, nil, &withheldError{pub: pub, groups: withheld}
	}
	return pub, pp, o, nil
}

// withheldError says that an observation's input groups are withheld
// from the reader a store was restored for.
type withheldError struct {
	pub    *truce.SealedObservation
	groups []truce.FieldGroup
}

func (e *withheldError) Error() string {
	return fmt.Sprintf("observation %s: input groups withheld: %v", e.pub.ID, e.groups)
}

// sealedObservation is an observation as the writer logs it: the public
// form's canonical bytes (the entry's data), the private parts' canonical
// JSON (nil for an open source), the public id and its index key, and the
// index keys of its candidate public ids (sealed, open; see
// [candidateIDs]), under which the writer looks for one stored before,
// all made before the batch queues for the writer.
type sealedObservation struct {
	data, parts []byte
	id          string
	key         int64
	candidates  [2]int64
}

// sealAll seals obs, spreading large batches over every core.
func sealAll(p *truce.DisclosurePolicy, key []byte, obs []truce.Observation) ([]sealedObservation, error) {
	out := make([]sealedObservation, len(obs))
	errs := make([]error, len(obs))
	workers := min(runtime.GOMAXPROCS(0), (len(obs)+63)/64)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := truce.NewSealer(p, key)
			if err != nil {
				errs[w] = err
				return
			}
			for i := w; i < len(obs); i += workers {
				out[i], errs[i] = seal(s, key, &obs[i])
			}
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// seal seals o with s, whose sealing key is key.
func seal(s *truce.Sealer, key []byte, o *truce.Observation) (sealedObservation, error) {
	pub, pp, err := s.Seal(o)
	if err != nil {
		return sealedObservation{}, err
	}
	c := candidateIDs{sealed: pub.ID, open: pub.ID}
	if pp == nil {
		c.sealed = truce.PublicID(truce.Salt(key, truce.GroupSource, o.Source, o.ID), o.Source, o.ID)
	} else {
		c.open = truce.PublicID(nil, o.Source, o.ID)
	}
	so := sealedObservation{id: pub.ID, candidates: c.keys()}
	so.key, _ = publicKey(pub.ID)
	if so.data, err = pub.Canonical(); err != nil {
		return so, err
	}
	if pp != nil {
		so.parts = marshalParts(pp)
	}
	return so, nil
}

// marshalParts returns json.Marshal(pp) for private parts as a Sealer
// makes them, without the reflection: the groups in order of name (the
// order of truce.FieldGroups), each value as it is, for json.Marshal
// made it compact and escaped.
func marshalParts(pp truce.PrivateParts) []byte {
	n := 2
	for _, s := range pp {
		n += 32 + len(s.Salt) + len(s.Value)
	}
	b := make([]byte, 0, n)
	b = append(b, '{')
	for _, g := range truce.FieldGroups {
		s := pp[g]
		if s == nil {
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, g...)
		b = append(b, `":{"salt":"`...)
		b = append(b, s.Salt...)
		b = append(b, `","value":`...)
		b = append(b, s.Value...)
		b = append(b, '}')
	}
	return append(b, '}')
}

// privateParts reads the private parts of the observations at indexes.
func privateParts(ctx context.Context, q querier, indexes []int64) (map[int64][]byte, error) {
	return privateRows(ctx, q, "observation_private", "parts", indexes)
}

// privateRows reads column col of the rows of table, one of the tables of
// private parts kept beside the log, at the log indexes given.
func privateRows(ctx context.Context, q querier, table, col string, indexes []int64) (map[int64][]byte, error) {
	out := make(map[int64][]byte, len(indexes))
	for start := 0; start < len(indexes); start += chunkRows {
		end := min(start+chunkRows, len(indexes))
		args := make([]any, 0, end-start)
		for _, i := range indexes[start:end] {
			args = append(args, i)
		}
		rows, err := q.QueryContext(ctx, `SELECT log_index, `+col+` FROM `+table+` WHERE log_index IN (`+placeholders(len(args))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var i int64
			var b []byte
			if err := rows.Scan(&i, &b); err != nil {
				rows.Close()
				return nil, err
			}
			out[i] = b
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
