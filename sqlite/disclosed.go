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
