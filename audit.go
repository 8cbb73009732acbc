package truce

import (
	"context"
	"time"
)

// ActionReadAudit is reading the audit trail of private reads: admins.
const ActionReadAudit Action = "read the audit trail"

// MaxPrivateReads caps the reads that one call of
// [AuditService.PrivateReads] returns.
const MaxPrivateReads = 1000

// PrivateRead records that a reader was shown private groups of one
// observation (docs/disclosure.md, "Audit trail"): who, what and when. It
// is kept beside the log, never in it: who read what is the mission's to
// know, and only admins read it.
type PrivateRead struct {
	// ID numbers the reads in the order they were recorded, from 1.
	ID int64 `json:"id"`
	// At is when the groups were shown.
	At time.Time `json:"at"`
	// Audience is the reader's audience as [Audience.String] writes it
	// ("mission", "party:UA", "source:NAME", "public").
	Audience string `json:"audience"`
	// Reader names the reader's source; empty for the public.
	Reader string `json:"reader,omitempty"`
	// Observation and LogIndex name the observation: its public id and
	// its entry.
	Observation string `json:"observation"`
	LogIndex    int64  `json:"log_index"`
	// Groups are the private groups shown, in name order.
	Groups []FieldGroup `json:"groups"`
	// RequestID is the API request's id, to find it in the server's log.
	RequestID string `json:"request_id,omitempty"`
}

// AuditService keeps the audit trail of private reads.
type AuditService interface {
	// RecordPrivateReads stores rs in one write, all or none; the store
	// numbers them (their IDs are ignored). A read path records what it shows before it
	// answers, and answers with an error if it cannot.
	RecordPrivateReads(ctx context.Context, rs []*PrivateRead) error
	// PrivateReads returns, on behalf of by (an admin), the reads recorded
	// after the one numbered after, in the order recorded, at most limit
	// of them (0 or more than MaxPrivateReads: MaxPrivateReads); of the
	// observation whose public id is observation, or every one for "".
	PrivateReads(ctx context.Context, by *Source, observation string, after int64, limit int) ([]*PrivateRead, error)
}
