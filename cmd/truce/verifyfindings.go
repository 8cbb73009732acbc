package main

import (
	"context"
	"fmt"

	"github.com/truce-monitor/truce/adjudicate"
	"github.com/truce-monitor/truce/findings"
	"github.com/truce-monitor/truce/sqlite"
)

// findingsCheck is what truce verify --db says of the finding versions.
type findingsCheck struct {
	// Recomputed is the number of stored versions that recomputing the
	// store's runs from the log gave again; Skipped those left out, for
	// Why.
	Recomputed int64    `json:"recomputed"`
	Skipped    int64    `json:"skipped,omitempty"`
	Why        []string `json:"why,omitempty"`
}

// recomputeRuns derives the store's recorded finding runs again in
// scratch, one by one in log order, as the server's worker and truce
// findings recompute did: each over its log prefix, with the control maps
// of any source, at the time of the prefix's last entry (for an open-ended
// window, which ends on the day of that time). A run of another engine
// cannot be recomputed by this truce and is left out.
func recomputeRuns(why *[]string) sqlite.Recomputer {
	return func(ctx context.Context, scratch *sqlite.DB, runs []sqlite.FindingRun) (map[sqlite.FindingRun]string, error) {
		skipped := map[sqlite.FindingRun]string{}
		for _, run := range runs {
			if run.Engine != adjudicate.Engine {
				msg := fmt.Sprintf("%s v%d at log size %d: derived by engine %s; this truce runs %s", run.Agreement, run.AgreementVersion, run.LogSize, run.Engine, adjudicate.Engine)
				skipped[run] = msg
				*why = append(*why, msg)
				continue
			}
			a, err := scratch.AgreementVersion(ctx, run.Agreement, run.AgreementVersion)
			if err != nil {
				return nil, fmt.Errorf("%s v%d at log size %d: %w", run.Agreement, run.AgreementVersion, run.LogSize, err)
			}
			last, err := scratch.Entries(ctx, run.LogSize-1, run.LogSize)
			if err != nil || len(last) != 1 {
				return nil, fmt.Errorf("%s v%d at log size %d: the log has no entry %d", run.Agreement, run.AgreementVersion, run.LogSize, run.LogSize-1)
			}
			if _, err := findings.Recompute(ctx, scratch, a.Agreement, run.LogSize, last[0].Time, nil); err != nil {
				return nil, err
			}
		}
		return skipped, nil
	}
}
