// Package truce holds the domain of a ceasefire monitoring and verification
// platform: the parties and the agreement they signed, the sources that report,
// the observations they file, control maps of who holds which ground, and the
// incidents and findings derived from them.
//
// Every input is an [Entry] in one append-only log; query tables are
// projections of that log. The services declared here ([SourceService],
// [AgreementService], [ObservationService], [ControlMapService], [LogService],
// [CheckpointService], [FindingService])
// are implemented by the store packages (sqlite, and later postgres) and
// consumed by the adapters (httpapi, importer, cmd/truce). This package
// imports only the standard library and the leaf library geo.
package truce

import (
	"context"
	"time"
)

// Store is the whole contract of a truce store: the log and the projections
// kept from it. Every write appends one log entry per input and projects it in
// the same transaction; nothing is updated in place.
type Store interface {
	SourceService
	AgreementService
	ObservationService
	ControlMapService
	LogService
	CheckpointService
	FindingService
	AuditService
	Close() error
}

// SourceService registers sources and authenticates their tokens.
type SourceService interface {
	// CreateSource registers s on behalf of by and returns its API token,
	// shown only this once; the store keeps its SHA-256 only, outside the
	// log. A nil by means the local operator (the CLI on the store file),
	// who acts as admin.
	CreateSource(ctx context.Context, by *Source, s *Source) (token string, err error)
	// IssueToken gives the source named name a new API token, returned only
	// this once; its previous token stops working.
	IssueToken(ctx context.Context, by *Source, name string) (token string, err error)
	// SetSourceKey sets the Ed25519 public key (as [ParsePublicKey] reads
	// it) of the source named name on behalf of by, an admin, with a
	// "source_key" log entry: every observation the source files after it
	// must be signed by that key. Setting the key in force again changes
	// nothing and reports changed == false. It returns the source with
	// its key; an unknown name is an ENOTFOUND error.
	SetSourceKey(ctx context.Context, by *Source, name, publicKey string) (s *Source, changed bool, err error)
	// Source returns the source named name, with the public key in force
	// now, or an ENOTFOUND error.
	Source(ctx context.Context, name string) (*Source, error)
	// Sources returns every registered source ordered by name.
	Sources(ctx context.Context) ([]*Source, error)
	// Authenticate returns the source whose token is token, or an
	// EUNAUTHORIZED error.
	Authenticate(ctx context.Context, token string) (*Source, error)
}

// FindingService keeps finding series and their reviews. Versions are
// derived (package findings records them); reviews are log entries.
type FindingService interface {
	// RecordFindings stores what run says: a new version for each series
	// whose current version says something else (or that has none), and
	// a withdrawing version for each series of the agreement version
	// whose current version is a finding but that run leaves out. A run
	// from a log prefix shorter than one already recorded for the
	// agreement version is an ECONFLICT error and stores nothing;
	// recording a run again stores nothing.
	RecordFindings(ctx context.Context, run *FindingRun) (*RecordResult, error)
	// Finding returns the history of the series id names: a series id, a
	// version's content id or an engine finding id. An unknown id is an
	// ENOTFOUND error.
	Finding(ctx context.Context, id string) (*FindingHistory, error)
	// Findings returns one page of current versions matching f.
	Findings(ctx context.Context, f FindingFilter) (*FindingPage, error)
	// AddReview logs r on behalf of by, who must be an analyst (confirm,
	// override, resolve) or the party the finding is about (dispute). The
	// store sets r.By, r.Role and r.Finding. A review whose id is stored
	// with the same content is not logged again (created false); with
	// other content it is an ECONFLICT error. See docs/review.md for
	// every rule.
	AddReview(ctx context.Context, by *Source, r *Review) (rec *ReviewRecord, created bool, err error)
}

// AgreementService keeps agreements. A new version of an agreement is a new
// entry; earlier versions stay in the log.
type AgreementService interface {
	// AddAgreement logs a. Adding a version that is already stored with the
	// same content changes nothing and reports created == false; the same id
	// and version with other content is an ECONFLICT error.
	AddAgreement(ctx context.Context, by *Source, a *Agreement) (rec *AgreementRecord, created bool, err error)
	// Agreement returns the latest version of the agreement id.
	Agreement(ctx context.Context, id string) (*AgreementRecord, error)
	// Agreements returns the latest version of every agreement, ordered by id.
	Agreements(ctx context.Context) ([]*AgreementRecord, error)
}

// ObservationService takes in and serves observations.
type ObservationService interface {
	// AddObservations logs obs on behalf of by, all or nothing. Each
	// observation's Source and SourceRole are set from by. An observation
	// whose id by is already stored with the same canonical bytes is not logged
	// again (Created false in its result); one with other bytes fails the
	// whole call with an ECONFLICT error whose problems name every such line.
	AddObservations(ctx context.Context, by *Source, obs []*Observation) ([]AddResult, error)
	// Observation returns the observation source filed under id, with its
	// log position. Ids are scoped by source: two sources may use one id.
	Observation(ctx context.Context, source, id string) (*ObservationRecord, error)
	// ObservationByPublicID returns the observation whose public id is
	// pid (see PublicID), by which everyone but its source names it.
	ObservationByPublicID(ctx context.Context, pid string) (*ObservationRecord, error)
	// FindObservations returns one page of observations matching f, ordered
	// by observed time and then log index.
	FindObservations(ctx context.Context, f ObservationFilter) (*ObservationPage, error)
	// AddRelease logs r on behalf of by, an analyst or admin source: a
	// "release" entry that shows r.To the groups r names of the sealed
	// observation r.Observation (a public id) from then on. The store
	// sets r.By and r.Role and puts the groups in name order. An unknown
	// observation is an ENOTFOUND error; a group it does not commit to
	// (or an open source's observation, which has none) EINVALID. A
	// release whose id is stored with the same content is not logged
	// again (created false); with other content it is an ECONFLICT
	// error. The records that Observation and FindObservations return
	// carry their releases.
	AddRelease(ctx context.Context, by *Source, r *Release) (rec *ReleaseRecord, created bool, err error)
	// Releases returns the releases logged of the observations whose
	// public ids are given, by public id, each in log order; nil ids
	// means every release.
	Releases(ctx context.Context, publicIDs []string) (map[string][]*ReleaseRecord, error)
}

// ControlMapService keeps control-map snapshots.
type ControlMapService interface {
	// AddControlMap logs m on behalf of by. Re-adding an identical map
	// changes nothing (created false); the same id with other content is an
	// ECONFLICT error.
	AddControlMap(ctx context.Context, by *Source, m *ControlMap) (rec *ControlMapRecord, created bool, err error)
	// ControlMap returns the map id.
	ControlMap(ctx context.Context, id string) (*ControlMapRecord, error)
	// ControlMaps lists maps (without geometry) ordered by AsOf then id.
	ControlMaps(ctx context.Context) ([]*ControlMapRecord, error)
	// ControlMapAt returns the newest map from source whose AsOf is not
	// after t, or ENOTFOUND. An empty source means any source.
	ControlMapAt(ctx context.Context, source string, t time.Time) (*ControlMapRecord, error)
}

// LogService reads the log itself.
type LogService interface {
	// LogSize returns the number of entries in the log.
	LogSize(ctx context.Context) (int64, error)
	// Entries returns the entries with start <= Index < end, in order.
	Entries(ctx context.Context, start, end int64) ([]*Entry, error)
	// ReadHashes returns the stored hashes of the log's Merkle tree (RFC
	// 6962, leaf i hashing entry i's Encode bytes) at the given positions,
	// numbered as golang.org/x/mod/sumdb/tlog's StoredHashIndex numbers
	// them: it serves as a tlog.HashReader. A position beyond the log is an
	// ENOTFOUND error.
	ReadHashes(ctx context.Context, indexes []int64) ([][32]byte, error)
}

// A SignedCheckpoint is the log's signed statement that its tree of Size
// entries has the RFC 6962 root Root: a C2SP tlog-checkpoint body signed as
// a C2SP signed note by the log's key (package ledger makes and opens them).
// Checkpoints are statements about the log, kept beside it: they are not
// log entries and do not change its tree.
type SignedCheckpoint struct {
	// Size is the number of log entries the checkpoint covers.
	Size int64
	// Root is the RFC 6962 root hash of the tree of the first Size entries.
	Root [32]byte
	// Note is the signed note as the log signed it, byte for byte: the
	// checkpoint body, a blank line and the log's signature line. The
	// store keeps it as given; it reads only the body, to check
	// cosignatures against it.
	Note []byte
	// SignedAt is when the note was signed.
	SignedAt time.Time
	// Cosignatures are the witnesses' cosignatures of the checkpoint
	// collected so far, ordered by witness name. A store fills them in
	// when it returns a checkpoint and ignores them in AddCheckpoint;
	// [SignedCheckpoint.Cosigned] is the note with their lines appended,
	// as GET /checkpoint serves it.
	Cosignatures []*Cosignature
}

// Validate reports whether c can be stored: a non-negative size, a note
// and a signing time.
func (c *SignedCheckpoint) Validate() error {
	var ps []Problem
	if c.Size < 0 {
		ps = append(ps, Problem{Path: "size", Message: "must not be negative"})
	}
	if len(c.Note) == 0 {
		ps = append(ps, Problem{Path: "note", Message: "required: the signed note"})
	}
	if c.SignedAt.IsZero() {
		ps = append(ps, Problem{Path: "signed_at", Message: "required"})
	}
	if len(ps) > 0 {
		return Invalid("Invalid checkpoint.", ps...)
	}
	return nil
}

// CheckpointService keeps the log's signed checkpoints, the witnesses
// registered to cosign them, and their cosignatures.
type CheckpointService interface {
	// AddCheckpoint stores cp. Checkpoints only move forward: cp.Size must
	// not exceed the log's size (else EINVALID), nor be less than the size
	// of a checkpoint already stored (else ECONFLICT). Adding a checkpoint
	// for a size already stored with the same root changes nothing; with
	// another root it is an ECONFLICT error, since the log cannot have two
	// trees of one size.
	AddCheckpoint(ctx context.Context, cp *SignedCheckpoint) error
	// LatestCheckpoint returns the checkpoint of the largest size with its
	// cosignatures, or an ENOTFOUND error when none has been stored.
	LatestCheckpoint(ctx context.Context) (*SignedCheckpoint, error)
	// Checkpoint returns the checkpoint of the given size with its
	// cosignatures, or an ENOTFOUND error.
	Checkpoint(ctx context.Context, size int64) (*SignedCheckpoint, error)
	// Checkpoints returns every stored checkpoint with its cosignatures,
	// in increasing order of size.
	Checkpoints(ctx context.Context) ([]*SignedCheckpoint, error)

	// AddWitness registers w on behalf of by (nil: the local operator), an
	// admin, as a "witness" log entry. The key must be a cosignature/v1
	// verifier key named w.Name (EINVALID otherwise). Registering a
	// witness again with the same key changes nothing and reports
	// created == false; the same name with another key is an ECONFLICT
	// error.
	AddWitness(ctx context.Context, by *Source, w *Witness) (rec *WitnessRecord, created bool, err error)
	// Witnesses returns every registered witness ordered by name.
	Witnesses(ctx context.Context) ([]*WitnessRecord, error)
	// AddCosignature stores a witness's cosignature line of the checkpoint
	// of the given size, which the witness says has root root. The line
	// authenticates itself: it must name a registered witness (else
	// EFORBIDDEN), a checkpoint of that size must be stored (else
	// ENOTFOUND) with that root (else ECONFLICT: the witness cosigned a
	// checkpoint this log did not sign), and the line must be the
	// witness's valid cosignature of that checkpoint's body (else
	// EINVALID). A witness's first cosignature of a size is kept; another
	// one for the same size changes nothing and reports created == false.
	AddCosignature(ctx context.Context, size int64, root [32]byte, line string) (c *Cosignature, created bool, err error)
}
