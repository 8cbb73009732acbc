package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/truce-monitor/truce"
)

// Restored is what [Restore] rebuilt.
type Restored struct {
	// Entries is the number of log entries restored.
	Entries int64
	// Withheld lists, in log order, the observations that derivations
	// cannot take because the reader does not hold one of their input
	// groups (truce.SealedObservation.Inputs); they are left out of the
	// projection.
	Withheld []WithheldInputs
	// Skipped says, in log order, which other entries could not be
	// projected from what the reader holds, and why; they are left out.
	Skipped []string
}

// WithheldInputs names an observation left out of a restored store and
// the input groups withheld from the reader, each by the commitment its
// entry makes to it.
type WithheldInputs struct {
	LogIndex    int64                       `json:"log_index"`
	PublicID    string                      `json:"public_id"`
	Commitments map[truce.FieldGroup]string `json:"commitments"`
}

// Restore makes a new store in the file at path from a log as one reader
// holds it: entries, the log's entries in order from index 0 (a bundle's,
// already verified), and parts, by log index, the private groups of
// observations and the identities of sealed sources (their source group)
// the reader is shown (a bundle's disclosed files). It is a
// store to derive from, as the reader can: every observation whose input
// groups the reader holds is projected (its text left empty unless
// shown); an observation with an input group withheld is left out and
// listed; a sealed source whose name is not shown is known by its public
// name. Derivations name observations by public id and sources by
// nothing, so a reader who holds every input derives the same bytes as
// the mission. The store must not be served: it is for reading.
func Restore(ctx context.Context, path string, entries []*truce.Entry, parts map[int64]truce.PrivateParts) (*DB, *Restored, error) {
	db, err := Open(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	db.partial = true
	res := &Restored{Entries: int64(len(entries))}
	err = db.write(ctx, func(tx *txn) error {
		if tx.next != 0 {
			return fmt.Errorf("sqlite: restore into %s: the store is not empty", path)
		}
		if err := tx.appendAll(entries); err != nil {
			return err
		}
		var args []any
		for _, i := range slices.Sorted(maps.Keys(parts)) {
			if i < 0 || i >= int64(len(entries)) {
				return fmt.Errorf("sqlite: restore: private parts of entry %d, beyond the log's %d entries", i, len(entries))
			}
			switch entries[i].Type {
			case truce.EntrySource:
				b, err := json.Marshal(parts[i][truce.GroupSource])
				if err != nil {
					return err
				}
				if err := tx.exec(`INSERT INTO source_private (log_index, part) VALUES (?, ?)`, i, b); err != nil {
					return err
				}
				continue
			case truce.EntryObservation:
			default:
				return fmt.Errorf("sqlite: restore: private parts of entry %d, a %s entry", i, entries[i].Type)
			}
			b, err := json.Marshal(parts[i])
			if err != nil {
				return err
			}
			args = append(args, i, b)
		}
		for start := 0; start < len(args); start += 2 * chunkRows {
			chunk := args[start:min(start+2*chunkRows, len(args))]
			if err := tx.execChunk(tx.db.insPrivate, insertPrivateParts, len(chunk)/2, 2, chunk); err != nil {
				return err
			}
		}
		_, err := replay(tx, func(e *truce.Entry, err error) {
			if w, ok := errors.AsType[*withheldError](err); ok {
				cs := make(map[truce.FieldGroup]string, len(w.groups))
				for _, g := range w.groups {
					cs[g] = w.pub.Commitments[g]
				}
				res.Withheld = append(res.Withheld, WithheldInputs{LogIndex: e.Index, PublicID: w.pub.ID, Commitments: cs})
				return
			}
			res.Skipped = append(res.Skipped, fmt.Sprintf("entry %d (%s): %v", e.Index, e.Type, err))
		})
		if err != nil {
			return err
		}
		// The store's sealing key is its own, not the one the log was
		// sealed under, so a sealed observation's public id cannot be
		// computed from its source and id: they get an index here
		// (DB.whereID).
		return tx.exec(`CREATE INDEX observations_restored_id ON observations (source, id)`)
	})
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	db.agreementsChanged()
	return db, res, nil
}
