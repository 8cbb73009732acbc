package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/truce-monitor/truce"
)

// PrivateParts returns the private parts kept for the observations logged
// at indexes, by index; an index that holds no observation, or an open
// source's, has none. They are the mission's: whoever shows them to
// another audience must pass them through [truce.DisclosurePolicy.View].
func (db *DB) PrivateParts(ctx context.Context, indexes []int64) (map[int64]truce.PrivateParts, error) {
	raw, err := privateParts(ctx, db.r, indexes)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]truce.PrivateParts, len(raw))
	for i, b := range raw {
		var pp truce.PrivateParts
		if err := json.Unmarshal(b, &pp); err != nil {
			return nil, fmt.Errorf("sqlite: private parts of entry %d: %w", i, err)
		}
		out[i] = pp
	}
	return out, nil
}

// SourceParts returns the private parts (the sealed identity groups) kept
// for the sealed source entries at indexes, by index; any other index has
// none. Like [DB.PrivateParts] they are the mission's: whoever shows them
// to another audience must pass them through
// [truce.DisclosurePolicy.SourceView].
func (db *DB) SourceParts(ctx context.Context, indexes []int64) (map[int64]*truce.SealedGroup, error) {
	raw, err := privateRows(ctx, db.r, "source_private", "part", indexes)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]*truce.SealedGroup, len(raw))
	for i, b := range raw {
		g, err := decodeSourcePart(b)
		if err != nil {
			return nil, fmt.Errorf("sqlite: entry %d: %w", i, err)
		}
		out[i] = g
	}
	return out, nil
}
