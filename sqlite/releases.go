package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
)

// projectRelease writes the query row of a release entry.
func projectRelease(tx *txn, e *truce.Entry) error {
	r, err := truce.DecodeRelease(e.Data)
	if err != nil {
		return err
	}
	return tx.exec(`INSERT INTO releases (log_index, id, observation, groups, audience, source) VALUES (?, ?, ?, ?, ?, ?)`,
		e.Index, r.ID, r.Observation, joinGroups(r.Groups), releaseAudience(r), r.By)
}

// releaseAudience is the audience a release shows its groups to, as
// [truce.Audience.String] writes it.
func releaseAudience(r *truce.Release) string {
	if r.To == truce.AudienceParty {
		return "party:" + r.Party
	}
	return string(r.To)
}

func joinGroups(gs []truce.FieldGroup) string {
	s := make([]string, len(gs))
	for i, g := range gs {
		s[i] = string(g)
	}
	return strings.Join(s, ",")
}

func releaseRecord(data []byte, index int64, at time.Time) (*truce.ReleaseRecord, error) {
	r, err := truce.DecodeRelease(data)
	if err != nil {
		return nil, err
	}
	return &truce.ReleaseRecord{Release: r, LogIndex: index, LoggedAt: at}, nil
}

// AddRelease implements truce.ObservationService.
func (db *DB) AddRelease(ctx context.Context, by *truce.Source, r *truce.Release) (*truce.ReleaseRecord, bool, error) {
	if by == nil {
		// The local operator is no source of the log: a release names
		// who made it, so it is made with a registered source's token.
		return nil, false, truce.Errorf(truce.EFORBIDDEN, "a release is made by a registered analyst or admin source, not the local operator")
	}
	if err := by.Authorize(truce.ActionRelease); err != nil {
		return nil, false, truce.Errorf(truce.EFORBIDDEN, "source %q has role %s: only an analyst or an admin may release an observation's private groups", by.Name, by.RoleString())
	}
	if err := r.Validate(); err != nil {
		return nil, false, err
	}
	c := *r
	c.Normalize()
	sub, err := db.submitter(ctx, by)
	if err != nil {
		return nil, false, err
	}
	// The log names the source by its public name (its pseudonym when
	// sealed), as the entry's submitter.
	c.By, c.Role = sub, by.RoleString()
	// The observation is looked up on a reader before the write:
	// observations are never removed, so it is there when the entry is.
	obs, err := db.ObservationByPublicID(ctx, c.Observation)
	if err != nil {
		return nil, false, err
	}
	pub := obs.Sealed
	if pub == nil {
		return nil, false, fmt.Errorf("sqlite: observation %s has no public form", c.Observation)
	}
	var ps []truce.Problem
	for i, g := range r.Groups {
		if pub.Commitments[g] == "" {
			msg := fmt.Sprintf("observation %s has no private %s group", c.Observation, g)
			if pub.Clear != nil {
				msg = fmt.Sprintf("observation %s is an open source's: it has no private groups", c.Observation)
			}
			ps = append(ps, truce.Problem{Path: fmt.Sprintf("$.groups[%d]", i), Message: msg})
		}
	}
	if len(ps) > 0 {
		return nil, false, truce.Invalid("Invalid release.", ps...)
	}
	entry, err := c.Canonical()
	if err != nil {
		return nil, false, err
	}
	s, created, err := db.addOnce(ctx, truce.EntryRelease, sub, entry, projectRelease,
		func(index int64) error {
			return truce.Errorf(truce.ECONFLICT, "release %s is already logged (entry %d) with other content; give a new release a new id", c.ID, index)
		},
		`SELECT e.data, e.idx, e.time FROM releases r JOIN entries e ON e.idx = r.log_index WHERE r.id = ?`, c.ID)
	if err != nil {
		return nil, false, err
	}
	at, err := scanTime(s.time)
	if err != nil {
		return nil, false, err
	}
	rec, err := releaseRecord(s.data, s.index, at)
	return rec, created, err
}

// Releases implements truce.ObservationService.
func (db *DB) Releases(ctx context.Context, publicIDs []string) (map[string][]*truce.ReleaseRecord, error) {
	out := map[string][]*truce.ReleaseRecord{}
	add := func(query string, args ...any) error {
		rs, err := records(ctx, db.r, releaseRecord, query, args...)
		for _, r := range rs {
			out[r.Observation] = append(out[r.Observation], r)
		}
		return err
	}
	const q = `SELECT e.data, e.idx, e.time FROM releases r JOIN entries e ON e.idx = r.log_index`
	if publicIDs == nil {
		return out, add(q + ` ORDER BY r.log_index`)
	}
	ids := slices.Compact(slices.Sorted(slices.Values(publicIDs)))
	for start := 0; start < len(ids); start += chunkRows {
		chunk := ids[start:min(start+chunkRows, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		if err := add(q+` WHERE r.observation IN (`+placeholders(len(chunk))+`) ORDER BY r.log_index`, args...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// attachReleases fills in recs' Releases.
func (db *DB) attachReleases(ctx context.Context, recs []*truce.ObservationRecord) error {
	ids := make([]string, 0, len(recs))
	for _, r := range recs {
		if r.Sealed != nil && r.Sealed.Clear == nil {
			ids = append(ids, r.PublicID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rs, err := db.Releases(ctx, ids)
	if err != nil {
		return err
	}
	for _, r := range recs {
		r.Releases = rs[r.PublicID]
	}
	return nil
}
