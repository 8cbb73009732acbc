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
	out := make(map[int64]*truce.SealedGroup)
	for start := 0; start < len(indexes); start += chunkRows {
		chunk := indexes[start:min(start+chunkRows, len(indexes))]
		args := make([]any, len(chunk))
		for i, x := range chunk {
			args[i] = x
		}
		rows, err := db.r.QueryContext(ctx, `SELECT log_index, part FROM source_private WHERE log_index IN (`+placeholders(len(args))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var i int64
			var b []byte
			if err := rows.Scan(&i, &b); err != nil {
				rows.Close()
				return nil, err
			}
			g, err := decodeSourcePart(b)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("sqlite: entry %d: %w", i, err)
			}
			out[i] = g
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
