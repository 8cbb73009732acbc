package sqlite

import (
	"context"
	"encoding/json"
	"time"

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
	sub, err := db.submitter(ctx, by)
	if err != nil {
		return nil, false, err
	}
	s, created, err := db.addOnce(ctx, truce.EntryAgreement, sub, data, projectAgreement,
		func(int64) error {
			return truce.Errorf(truce.ECONFLICT, "agreement %q version %d is already stored with other terms; give the new terms a new version", a.ID, a.Version)
		},
		`SELECT e.data, e.idx, e.time FROM agreements a JOIN entries e ON e.idx = a.log_index WHERE a.id = ? AND a.version = ?`, a.ID, a.Version)
	if err != nil {
		return nil, false, err
	}
	if created {
		db.agreementsChanged()
	}
	at, err := scanTime(s.time)
	if err != nil {
		return nil, false, err
	}
	rec, err := agreementRecord(s.data, s.index, at)
	return rec, created, err
}

func projectAgreement(tx *txn, e *truce.Entry) error {
	var a truce.Agreement
	if err := json.Unmarshal(e.Data, &a); err != nil {
		return err
	}
	return tx.exec(`INSERT INTO agreements (id, version, log_index) VALUES (?, ?, ?)`, a.ID, a.Version, e.Index)
}

func agreementRecord(data []byte, index int64, at time.Time) (*truce.AgreementRecord, error) {
	var a truce.Agreement
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, err
	}
	return &truce.AgreementRecord{Agreement: &a, LogIndex: index, LoggedAt: at}, nil
}

// latestAgreements selects the newest version of each agreement.
const latestAgreements = `SELECT e.data, e.idx, e.time FROM agreements a JOIN entries e ON e.idx = a.log_index
WHERE a.version = (SELECT max(version) FROM agreements b WHERE b.id = a.id)`

// Agreement implements truce.AgreementService.
func (db *DB) Agreement(ctx context.Context, id string) (*truce.AgreementRecord, error) {
	return record(ctx, db.r, truce.Errorf(truce.ENOTFOUND, "no agreement %q", id), agreementRecord, latestAgreements+` AND a.id = ?`, id)
}

// Agreements implements truce.AgreementService.
func (db *DB) Agreements(ctx context.Context) ([]*truce.AgreementRecord, error) {
	return records(ctx, db.r, agreementRecord, latestAgreements+` ORDER BY a.id`)
}
