package sqlite

import (
	"context"
	"encoding/json"
	"time"

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
	return tx.exec(`INSERT INTO sources (name, role, party, log_index) VALUES (?, ?, ?, ?)`,
		s.Name, string(s.Role), s.Party, e.Index)
}

const sourceSelect = `SELECT e.data, e.idx, e.time FROM sources s JOIN entries e ON e.idx = s.log_index`

func sourceRecord(data []byte, _ int64, _ time.Time) (*truce.Source, error) {
	var s truce.Source
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Source implements truce.SourceService.
func (db *DB) Source(ctx context.Context, name string) (*truce.Source, error) {
	return record(ctx, db.r, truce.Errorf(truce.ENOTFOUND, "no source named %q", name), sourceRecord, sourceSelect+` WHERE s.name = ?`, name)
}

// Sources implements truce.SourceService.
func (db *DB) Sources(ctx context.Context) ([]*truce.Source, error) {
	return records(ctx, db.r, sourceRecord, sourceSelect+` ORDER BY s.name`)
}

// Authenticate implements truce.SourceService.
func (db *DB) Authenticate(ctx context.Context, token string) (*truce.Source, error) {
	if token == "" {
		return nil, truce.Errorf(truce.EUNAUTHORIZED, "no API token given")
	}
	return record(ctx, db.r, truce.Errorf(truce.EUNAUTHORIZED, "unknown API token"), sourceRecord,
		sourceSelect+` JOIN credentials c ON c.source = s.name WHERE c.token_sha256 = ?`, truce.HashToken(token))
}
