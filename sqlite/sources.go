package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/truce-monitor/truce"
)

// CreateSource implements truce.SourceService.
func (db *DB) CreateSource(ctx context.Context, by *truce.Source, s *truce.Source) (string, error) {
	if err := actor(by).Authorize(truce.ActionManageSource); err != nil {
		return "", err
	}
	if err := s.Validate(); err != nil {
		return "", err
	}
	if s.Name == truce.Operator.Name {
		return "", truce.Errorf(truce.EINVALID, "source name %q is reserved", s.Name)
	}
	// Who a source is is sealed under the policy in force, unless its
	// role is open (docs/disclosure.md).
	policy, err := db.Policy(ctx)
	if err != nil {
		return "", err
	}
	sub, err := db.submitter(ctx, by)
	if err != nil {
		return "", err
	}
	token := truce.NewToken()
	c := *s
	c.Sealed, c.PublicName = "", ""
	err = db.write(ctx, func(tx *txn) error {
		var n int
		if err := tx.tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM sources WHERE name = ?`, c.Name).Scan(&n); err != nil {
			return err
		} else if n > 0 {
			return truce.Errorf(truce.ECONFLICT, "source %q already exists; truce source token issues it a new token", c.Name)
		}
		c.CreatedAt = tx.now
		pub, part, err := truce.SealSource(policy, tx.db.sealingKey, &c)
		if err != nil {
			return err
		}
		data, err := json.Marshal(pub)
		if err != nil {
			return err
		}
		e, err := tx.append(truce.EntrySource, sub, data)
		if err != nil {
			return err
		}
		if part != nil {
			b, err := json.Marshal(part)
			if err != nil {
				return err
			}
			if err := tx.exec(`INSERT INTO source_private (log_index, part) VALUES (?, ?)`, e.Index, b); err != nil {
				return err
			}
		}
		if err := projectSource(tx, e, part); err != nil {
			return err
		}
		c.Sealed, c.PublicName = pub.Sealed, pub.Name
		return issue(tx, sub, c.Name, token)
	})
	if err != nil {
		return "", err
	}
	*s = c
	return token, nil
}

// submitter returns the name written as the submitter of an entry by by:
// the operator's for nil, else the name the log knows by by (its pseudonym
// when sealed). A name never changes its public name once registered.
func (db *DB) submitter(ctx context.Context, by *truce.Source) (string, error) {
	if by == nil {
		return truce.Operator.Name, nil
	}
	return publicName(ctx, db.r, by.Name)
}

// publicName returns the name by which the log names the source name: its
// pseudonym when sealed; name itself for a source not registered (the
// operator).
func publicName(ctx context.Context, q rowQuerier, name string) (string, error) {
	var pub string
	err := q.QueryRowContext(ctx, `SELECT public_name FROM sources WHERE name = ?`, name).Scan(&pub)
	if errors.Is(err, sql.ErrNoRows) {
		return name, nil
	}
	return pub, err
}

// IssueToken implements truce.SourceService.
func (db *DB) IssueToken(ctx context.Context, by *truce.Source, name string) (string, error) {
	if err := actor(by).Authorize(truce.ActionManageSource); err != nil {
		return "", err
	}
	sub, err := db.submitter(ctx, by)
	if err != nil {
		return "", err
	}
	token := truce.NewToken()
	err = db.write(ctx, func(tx *txn) error {
		var n int
		if err := tx.tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM sources WHERE name = ?`, name).Scan(&n); err != nil {
			return err
		} else if n == 0 {
			return truce.Errorf(truce.ENOTFOUND, "no source named %q", name)
		}
		return issue(tx, sub, name, token)
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// issue logs that a token was issued to source (by its public name) and
// keeps its hash.
func issue(tx *txn, submitter, source, token string) error {
	pub, err := publicName(tx.ctx, tx.tx, source)
	if err != nil {
		return err
	}
	data, err := json.Marshal(&truce.Credential{Source: pub, IssuedAt: tx.now})
	if err != nil {
		return err
	}
	e, err := tx.append(truce.EntryCredential, submitter, data)
	if err != nil {
		return err
	}
	if err := tx.exec(`DELETE FROM credentials WHERE source = ?`, source); err != nil {
		return err
	}
	return tx.exec(`INSERT INTO credentials (source, token_sha256, log_index) VALUES (?, ?, ?)`, source, truce.HashToken(token), e.Index)
}

// projectSource projects the source entry e, with its private part when
// the source is sealed.
func projectSource(tx *txn, e *truce.Entry, part *truce.SealedGroup) error {
	var pub truce.Source
	if err := json.Unmarshal(e.Data, &pub); err != nil {
		return err
	}
	s, err := unsealSource(&pub, part, tx.db.partial)
	if err != nil {
		return err
	}
	if err := tx.exec(`INSERT INTO sources (name, role, party, log_index, public_name) VALUES (?, ?, ?, ?, ?)`,
		s.Name, string(s.Role), s.Party, e.Index, s.PublicName); err != nil {
		return err
	}
	if s.PublicKey == "" {
		return nil
	}
	return tx.exec(`INSERT INTO source_keys (source, log_index, public_key) VALUES (?, ?, ?)`, s.Name, e.Index, s.PublicKey)
}

// SetSourceKey implements truce.SourceService.
func (db *DB) SetSourceKey(ctx context.Context, by *truce.Source, name, publicKey string) (*truce.Source, bool, error) {
	if err := actor(by).Authorize(truce.ActionManageSource); err != nil {
		return nil, false, err
	}
	if !truce.ValidName(name) {
		return nil, false, truce.Errorf(truce.ENOTFOUND, "no source named %q", name)
	}
	sub, err := db.submitter(ctx, by)
	if err != nil {
		return nil, false, err
	}
	// The entry names the source as the log does.
	pub, err := publicName(ctx, db.r, name)
	if err != nil {
		return nil, false, err
	}
	k := &truce.SourceKey{Source: pub, PublicKey: publicKey}
	if err := k.Validate(); err != nil {
		return nil, false, err
	}
	data, err := json.Marshal(k)
	if err != nil {
		return nil, false, err
	}
	var created bool
	err = db.write(ctx, func(tx *txn) error {
		var n int
		if err := tx.tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM sources WHERE name = ?`, name).Scan(&n); err != nil {
			return err
		} else if n == 0 {
			return truce.Errorf(truce.ENOTFOUND, "no source named %q", name)
		}
		cur, err := sourceKey(tx.ctx, tx.tx, name)
		if err != nil || cur == publicKey {
			return err
		}
		e, err := tx.append(truce.EntrySourceKey, sub, data)
		if err != nil {
			return err
		}
		created = true
		return projectSourceKey(tx, e)
	})
	if err != nil {
		return nil, false, err
	}
	s, err := db.Source(ctx, name)
	return s, created, err
}

// projectSourceKey projects the source_key entry e, which names the
// source by its public name, under the source's name.
func projectSourceKey(tx *txn, e *truce.Entry) error {
	var k truce.SourceKey
	if err := json.Unmarshal(e.Data, &k); err != nil {
		return err
	}
	var name string
	if err := tx.tx.QueryRowContext(tx.ctx, `SELECT name FROM sources WHERE public_name = ?`, k.Source).Scan(&name); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("a key for source %q, which no earlier entry registers", k.Source)
		}
		return err
	}
	return tx.exec(`INSERT INTO source_keys (source, log_index, public_key) VALUES (?, ?, ?)`, name, e.Index, k.PublicKey)
}

// rowQuerier runs a query of one row: the readers (*sql.DB) or the
// writer's *sql.Tx.
type rowQuerier interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// sourceKey returns the public key in force for the source named name, ""
// when it has none.
func sourceKey(ctx context.Context, q rowQuerier, name string) (string, error) {
	var key string
	err := q.QueryRowContext(ctx, `SELECT public_key FROM source_keys WHERE source = ? ORDER BY log_index DESC LIMIT 1`, name).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return key, err
}

// closedOr returns an EUNAVAILABLE error if the store is closed, else err:
// a read that fails because the store was closed says so in the store's
// terms.
func (db *DB) closedOr(err error) error {
	db.closeMu.RLock()
	defer db.closeMu.RUnlock()
	if db.closed {
		return truce.Errorf(truce.EUNAVAILABLE, "the store is closed")
	}
	return err
}

// sourceSelect selects sources: their entries' data and the key in force.
const sourceSelect = `SELECT e.data, p.part, coalesce((SELECT k.public_key FROM source_keys k WHERE k.source = s.name ORDER BY k.log_index DESC LIMIT 1), '') FROM sources s JOIN entries e ON e.idx = s.log_index LEFT JOIN source_private p ON p.log_index = s.log_index`

// unsealSource is truce.UnsealSource, except that in a store restored for
// a reader who is not shown a sealed source's name (partial), the source
// is known by its public name.
func unsealSource(pub *truce.Source, part *truce.SealedGroup, partial bool) (*truce.Source, error) {
	if part == nil && pub.Sealed != "" && partial {
		s := *pub
		s.PublicName = pub.Name
		return &s, nil
	}
	return truce.UnsealSource(pub, part)
}

// sources runs query, a sourceSelect, and decodes its rows.
func (db *DB) sources(ctx context.Context, query string, args ...any) ([]*truce.Source, error) {
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*truce.Source
	for rows.Next() {
		var data, partData []byte
		var key string
		if err := rows.Scan(&data, &partData, &key); err != nil {
			return nil, err
		}
		var pub truce.Source
		if err := json.Unmarshal(data, &pub); err != nil {
			return nil, fmt.Errorf("sqlite: source entry: %w", err)
		}
		part, err := decodeSourcePart(partData)
		if err != nil {
			return nil, err
		}
		s, err := unsealSource(&pub, part, db.partial)
		if err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
		s.PublicKey = key
		out = append(out, s)
	}
	return out, rows.Err()
}

// source is sources for a query of one row; notFound is the error when
// there is none.
func (db *DB) source(ctx context.Context, notFound error, query string, args ...any) (*truce.Source, error) {
	ss, err := db.sources(ctx, query, args...)
	if err == nil && len(ss) == 0 {
		err = notFound
	}
	if err != nil {
		return nil, err
	}
	return ss[0], nil
}

// Source implements truce.SourceService.
func (db *DB) Source(ctx context.Context, name string) (*truce.Source, error) {
	return db.source(ctx, truce.Errorf(truce.ENOTFOUND, "no source named %q", name), sourceSelect+` WHERE s.name = ?`, name)
}

// Sources implements truce.SourceService.
func (db *DB) Sources(ctx context.Context) ([]*truce.Source, error) {
	return db.sources(ctx, sourceSelect+` ORDER BY s.name`)
}

// Authenticate implements truce.SourceService.
func (db *DB) Authenticate(ctx context.Context, token string) (*truce.Source, error) {
	if token == "" {
		return nil, truce.Errorf(truce.EUNAUTHORIZED, "no API token given")
	}
	return db.source(ctx, truce.Errorf(truce.EUNAUTHORIZED, "unknown API token"),
		sourceSelect+` JOIN credentials c ON c.source = s.name WHERE c.token_sha256 = ?`, truce.HashToken(token))
}

// decodeSourcePart decodes a source_private row's part; nil for none.
func decodeSourcePart(data []byte) (*truce.SealedGroup, error) {
	if data == nil {
		return nil, nil
	}
	var g truce.SealedGroup
	if err := json.Unmarshal(data, &g); err != nil {
		return nil, fmt.Errorf("sqlite: a source's private part: %w", err)
	}
	return &g, nil
}

// sourcePart reads the private part of the source entry at index, nil if
// it has none.
func sourcePart(tx *txn, index int64) (*truce.SealedGroup, error) {
	var data []byte
	err := tx.tx.QueryRowContext(tx.ctx, `SELECT part FROM source_private WHERE log_index = ?`, index).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return decodeSourcePart(data)
}
