package main

import (
	"context"
	"fmt"

	"github.com/truce-monitor/truce/adjudicate"
	"github.com/truce-monitor/truce/findings"
	"github.com/truce-monitor/truce/sqlite"
)

// recomputeRun derives a recorded finding run again in scratch, as the
// server's worker and truce findings recompute did: over its log prefix,
// with the control maps of any source, at the time of the prefix's last
// entry (for an open-ended window, which ends on the day of that time). A
// run of another engine cannot be recomputed by this truce.
func recomputeRun(ctx context.Context, scratch *sqlite.DB, run sqlite.FindingRun) (string, error) {
	if run.Engine != adjudicate.Engine {
		return fmt.Sprintf("%s v%d at log size %d: derived by engine %s; this truce runs %s", run.Agreement, run.AgreementVersion, run.LogSize, run.Engine, adjudicate.Engine), nil
	}
	a, err := scratch.AgreementVersion(ctx, run.Agreement, run.AgreementVersion)
	if err != nil {
		return "", fmt.Errorf("%s v%d at log size %d: %w", run.Agreement, run.AgreementVersion, run.LogSize, err)
	}
	last, err := scratch.Entries(ctx, run.LogSize-1, run.LogSize)
	if err != nil || len(last) != 1 {
		return "", fmt.Errorf("%s v%d at log size %d: the log has no entry %d", run.Agreement, run.AgreementVersion, run.LogSize, run.LogSize-1)
	}
	_, err = findings.Recompute(ctx, scratch, a.Agreement, run.LogSize, last[0].Time, nil)
	return "", err
}
