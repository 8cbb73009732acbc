package ledger

import (
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce"
)

// A Witness checks one log's signed checkpoints and cosigns each one that
// is consistent with the last checkpoint it verified: the same tree, or a
// larger one that a consistency proof shows to extend it. It keeps no
// state; the caller keeps the last verified checkpoint and hands it back.
type Witness struct {
	log      note.Verifier
	cosigner *Cosigner
}

// NewWitness returns a witness of the log whose verifier key is logKey
// (the signed-note key that the log's checkpoints are signed with),
// cosigning with cosigner.
func NewWitness(logKey string, cosigner *Cosigner) (*Witness, error) {
	v, err := NewVerifier(logKey)
	if err != nil {
		return nil, err
	}
	return &Witness{log: v, cosigner: cosigner}, nil
}

// Origin returns the name of the log the witness checks.
func (w *Witness) Origin() string { return w.log.Name() }

// A ProofFunc returns the log's consistency proof from its tree of old
// entries to its tree of new entries (old < new), as the log serves it.
type ProofFunc func(old, new int64) (tlog.TreeProof, error)

// Cosign verifies the signed checkpoint msg with the log's key and checks
// that it is consistent with prev, the signed checkpoint the witness
// verified last (nil for none): its size must not be smaller; of the same
// size, it must have the same root; of a larger size, proof must give a
// consistency proof from prev's tree to msg's that verifies. It then
// returns the checkpoint and the witness's cosignature line of it at time
// t.
//
// When the log has contradicted itself — two checkpoints signed by its key
// that no consistency proof joins — the error is an
// [*InconsistencyError] holding both, and nothing is cosigned. Any other
// error (a note that does not verify, a proof that cannot be fetched) means
// only that there is nothing to cosign.
func (w *Witness) Cosign(prev, msg []byte, proof ProofFunc, t time.Time) (*Checkpoint, string, error) {
	verifiers := note.VerifierList(w.log)
	cp, _, err := Open(msg, verifiers)
	if err != nil {
		return nil, "", err
	}
	if prev != nil {
		old, _, err := Open(prev, verifiers)
		if err != nil {
			return nil, "", fmt.Errorf("ledger: the last checkpoint the witness verified: %w", err)
		}
		if err := consistent(old, cp, proof); err != nil {
			if reason, ok := err.(inconsistency); ok {
				return nil, "", &InconsistencyError{Old: prev, New: msg, OldCheckpoint: old, NewCheckpoint: cp, Reason: string(reason)}
			}
			return nil, "", err
		}
	}
	body, err := cp.Marshal()
	if err != nil {
		return nil, "", err
	}
	line, err := w.cosigner.Cosign(body, t)
	if err != nil {
		return nil, "", err
	}
	return cp, line, nil
}

// inconsistency is why two checkpoints of one log contradict each other.
type inconsistency string

func (e inconsistency) Error() string { return string(e) }

// consistent reports whether cp extends old, fetching a proof if need be.
func consistent(old, cp *Checkpoint, proof ProofFunc) error {
	switch {
	case cp.Size < old.Size:
		return inconsistency(fmt.Sprintf("the log has rolled back: it signed a checkpoint of size %d after one of size %d", cp.Size, old.Size))
	case cp.Size == old.Size && cp.Root != old.Root:
		return inconsistency(fmt.Sprintf("the log has forked: it signed two checkpoints of size %d with different roots", cp.Size))
	case cp.Size == old.Size:
		return nil
	}
	p, err := proof(old.Size, cp.Size)
	if err != nil {
		return fmt.Errorf("ledger: fetching the consistency proof from %d to %d entries: %w", old.Size, cp.Size, err)
	}
	if err := CheckConsistency(p, old.Size, cp.Size, old.Root, cp.Root); err != nil {
		return inconsistency(fmt.Sprintf("the log has forked: its checkpoint of size %d does not extend its checkpoint of size %d (%s)", cp.Size, old.Size, truce.ErrorMessage(err)))
	}
	return nil
}

// An InconsistencyError is a log caught contradicting itself: two
// checkpoints, both signed by its key, that cannot both be true of one
// append-only log. The two signed notes are the evidence, and anyone who
// has the log's verifier key can check them.
type InconsistencyError struct {
	// Old and New are the signed checkpoints as they were served, the one
	// verified before and the one that contradicts it.
	Old, New []byte
	// OldCheckpoint and NewCheckpoint are their bodies.
	OldCheckpoint, NewCheckpoint *Checkpoint
	// Reason says what is wrong, in plain words.
	Reason string
}

func (e *InconsistencyError) Error() string {
	return fmt.Sprintf("ledger: log %s is inconsistent: %s", e.NewCheckpoint.Origin, e.Reason)
}
