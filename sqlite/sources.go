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
	token := truce.NewToken()
	c := *s
	err := db.write(ctx, func(tx *txn) error {
		var n int
		if err := tx.tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM sources WHERE name = ?`, c.Name).Scan(&n); err != nil {
			return err
		} else if n > 0 {
			return truce.Errorf(truce.ECONFLICT, "source %q already exists; truce source token issues it a new token", c.Name)
		}
		c.CreatedAt = tx.now
		data, err := json.Marshal(&c)
		if err != nil {
			return err
		}
		e, err := tx.append(truce.EntrySource, submitter(by), data)
		if err != nil {
			return err
		}
		if err := projectSource(tx, e); err != nil {
			return err
		}
		return issue(tx, submitter(by), c.Name, token)
	})
	if err != nil {
		return "", err
	}
	*s = c
	return token, nil
}

// IssueToken implements truce.SourceService.
func (db *DB) IssueToken(ctx context.Context, by *truce.Source, name string) (string, error) {
	if err := actor(by).Authorize(truce.ActionManageSource); err != nil {
		return "", err
	}
	token := truce.NewToken()
	err := db.write(ctx, func(tx *txn) error {
		var n int
		if err := tx.tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM sources WHERE name = ?`, name).Scan(&n); err != nil {
			return err
		} else if n == 0 {
			return truce.Errorf(truce.ENOTFOUND, "no source named %q", name)
		}
		return issue(tx, submitter(by), name, token)
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// issue logs that a token was issued to source and keeps its hash.
func issue(tx *txn, submitter, source, token string) error {
	data, err := json.Marshal(&truce.Credential{Source: source, IssuedAt: tx.now})
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

func projectSource(tx *txn, e *truce.Entry) error {
	var s truce.Source
	if err := json.Unmarshal(e.Data, &s); err != nil {
		return err
	}
	if err := tx.exec(`INSERT INTO sources (name, role, party, log_index) VALUES (?, ?, ?, ?)`,
		s.Name, string(s.Role), s.Party, e.Index); err != nil {
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
	k := &truce.SourceKey{Source: name, PublicKey: publicKey}
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
		e, err := tx.append(truce.EntrySourceKey, submitter(by), data)
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

func projectSourceKey(tx *txn, e *truce.Entry) error {
	var k truce.SourceKey
	if err := json.Unmarshal(e.Data, &k); err != nil {
		return err
	}
	return tx.exec(`INSERT INTO source_keys (source, log_index, public_key) VALUES (?, ?, ?)`, k.Source, e.Index, k.PublicKey)
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
const sourceSelect = `SELECT e.data, coalesce((SELECT k.public_key FROM source_keys k WHERE k.source = s.name ORDER BY k.log_index DESC LIMIT 1), '') FROM sources s JOIN entries e ON e.idx = s.log_index`

// sources runs query, a sourceSelect, and decodes its rows.
func sources(ctx context.Context, q querier, query string, args ...any) ([]*truce.Source, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*truce.Source
	for rows.Next() {
		var data []byte
		var key string
		if err := rows.Scan(&data, &key); err != nil {
			return nil, err
		}
		var s truce.Source
		if err := json.Unmarshal(data, &s); err != nil {
			return nil, fmt.Errorf("sqlite: source entry: %w", err)
		}
		s.PublicKey = key
		out = append(out, &s)
	}
	return out, rows.Err()
}

// source is sources for a query of one row; notFound is the error when
// there is none.
func source(ctx context.Context, q querier, notFound error, query string, args ...any) (*truce.Source, error) {
	ss, err := sources(ctx, q, query, args...)
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
	return source(ctx, db.r, truce.Errorf(truce.ENOTFOUND, "no source named %q", name), sourceSelect+` WHERE s.name = ?`, name)
}

// Sources implements truce.SourceService.
func (db *DB) Sources(ctx context.Context) ([]*truce.Source, error) {
	return sources(ctx, db.r, sourceSelect+` ORDER BY s.name`)
}

// Authenticate implements truce.SourceService.
func (db *DB) Authenticate(ctx context.Context, token string) (*truce.Source, error) {
	if token == "" {
		return nil, truce.Errorf(truce.EUNAUTHORIZED, "no API token given")
	}
	return source(ctx, db.r, truce.Errorf(truce.EUNAUTHORIZED, "unknown API token"),
		sourceSelect+` JOIN credentials c ON c.source = s.name WHERE c.token_sha256 = ?`, truce.HashToken(token))
}
