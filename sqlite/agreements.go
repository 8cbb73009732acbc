package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/truce-monitor/truce"
)

// AddAgreement implements truce.AgreementService.
func (db *DB) AddAgreement(ctx context.Context, by *truce.Source, a *truce.Agreement) (*truce.AgreementRecord, bool, error) {
	if err := actor(by).Authorize(truce.ActionManageAgreement); err != nil {
		return nil, false, err
	}
	if err := a.Validate(); err != nil {
		return nil, false, err
	}
	data, err := a.Canonical()
	if err != nil {
		return nil, false, err
	}
	s, created, err := db.addOnce(ctx, truce.EntryAgreement, submitter(by), data, projectAgreement,
		func(int64) error {
			return truce.Errorf(truce.ECONFLICT, "agreement %q version %d is already stored with other terms; give the new terms a new version", a.ID, a.Version)
		},
		`SELECT e.data, e.idx, e.time FROM agreements a JOIN entries e ON e.idx = a.log_index WHERE a.id = ? AND a.version = ?`, a.ID, a.Version)
	if err != nil {
		return nil, false, err
	}
	rec, err := agreementRecord(s.data, s.index, s.time)
	return rec, created, err
}

func projectAgreement(tx *txn, e *truce.Entry) error {
	var a truce.Agreement
	if err := json.Unmarshal(e.Data, &a); err != nil {
		return err
	}
	return tx.exec(`INSERT INTO agreements (id, version, log_index) VALUES (?, ?, ?)`, a.ID, a.Version, e.Index)
}

func agreementRecord(data []byte, idx int64, ts string) (*truce.AgreementRecord, error) {
	var a truce.Agreement
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, err
	}
	at, err := scanTime(ts)
	if err != nil {
		return nil, err
	}
	return &truce.AgreementRecord{Agreement: &a, LogIndex: idx, LoggedAt: at}, nil
}

// latestAgreements selects the newest version of each agreement.
const latestAgreements = `SELECT e.data, e.idx, e.time FROM agreements a JOIN entries e ON e.idx = a.log_index
WHERE a.version = (SELECT max(version) FROM agreements b WHERE b.id = a.id)`

// Agreement implements truce.AgreementService.
func (db *DB) Agreement(ctx context.Context, id string) (*truce.AgreementRecord, error) {
	var data []byte
	var idx int64
	var ts string
	err := db.r.QueryRowContext(ctx, latestAgreements+` AND a.id = ?`, id).Scan(&data, &idx, &ts)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, truce.Errorf(truce.ENOTFOUND, "no agreement %q", id)
	} else if err != nil {
		return nil, err
	}
	return agreementRecord(data, idx, ts)
}

// Agreements implements truce.AgreementService.
func (db *DB) Agreements(ctx context.Context) ([]*truce.AgreementRecord, error) {
	rows, err := db.r.QueryContext(ctx, latestAgreements+` ORDER BY a.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*truce.AgreementRecord
	for rows.Next() {
		var data []byte
		var idx int64
		var ts string
		if err := rows.Scan(&data, &idx, &ts); err != nil {
			return nil, err
		}
		rec, err := agreementRecord(data, idx, ts)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, rows.Err()
}
