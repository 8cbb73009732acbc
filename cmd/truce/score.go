package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/replay"
	"github.com/truce-monitor/truce/simulate"
)

func runScore(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "score", "score --truth FILE --agreement FILE|ID [--db DB] [--from DATE] [--days N] [--json]",
		"Replay the store (as truce replay does) and score the findings against a simulated\n"+
			"scenario's truth file (truce simulate): precision and recall of violation detection for\n"+
			"findings at or above each confidence, attribution accuracy, and how many invented\n"+
			"allegations reached probable or higher, and how many of those raised their finding: the\n"+
			"store is replayed a second time without the invented and staged reports, and a report\n"+
			"raised its finding unless the event still has a violation at probable or higher naming\n"+
			"the same party. --from and --days default to the scenario's.")
	rf := addReplayFlags(fs, 0)
	truthFile := fs.String("truth", "", "the scenario's truth.json")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseNone(fs, "score", args); err != nil {
		return err
	}
	if *truthFile == "" {
		return usagef("score: --truth is required")
	}
	f, err := os.Open(*truthFile)
	if err != nil {
		return err
	}
	truth, err := simulate.ReadTruth(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", *truthFile, err)
	}
	// The ablation replays the store again without the invented and
	// staged observations, to tell those that raised a finding from
	// those that rode along with one the real reports make.
	drop := map[[2]string]bool{}
	for _, lb := range truth.Labels {
		if lb.Status == simulate.StatusInvented || lb.Status == simulate.StatusStaged {
			drop[[2]string{lb.Source, lb.Observation}] = true
		}
	}
	s, ablated, err := rf.runAlso(ctx, "score", truth.From, truth.Days, func(st replay.Store) replay.Store {
		return withoutObservations{st, drop}
	})
	if err != nil {
		return err
	}
	sc, err := scoreSummary(truth, s)
	if err != nil {
		return err
	}
	without, err := scoreSummary(truth, ablated)
	if err != nil {
		return err
	}
	sc.Ablate(without)
	r := scoreReport{Agreement: s.Agreement, Version: s.Version, From: s.From, Days: s.Days, Seed: truth.Seed,
		Digest: s.Digest, Score: sc}
	for _, l := range sc.Levels {
		r.Levels = append(r.Levels, levelReport{Level: l,
			Precision: ratioOf(l.Precision()), Recall: ratioOf(l.Recall(sc)),
			RecallObserved: ratioOf(l.RecallObserved(sc)), Attribution: ratioOf(l.Attribution())})
	}
	if *asJSON {
		return writeJSON(e, r)
	}
	printScore(e.stdout, &r)
	return nil
}

// scoreSummary scores s's findings against truth. The truth labels
// observations by the ids their sources gave them; incidents list them by
// public id.
func scoreSummary(truth *simulate.Truth, s *replay.Summary) (*simulate.Score, error) {
	incs := make([]*truce.Incident, len(s.Incidents))
	for i, in := range s.Incidents {
		c := *in
		c.Observations = make([]string, len(in.Observations))
		for j, id := range in.Observations {
			c.Observations[j] = cmp.Or(s.Filed[id], id)
		}
		incs[i] = &c
	}
	return simulate.ScoreFindings(truth, incs, s.Findings)
}

// withoutObservations is a store that hides the observations drop names
// by source and id.
type withoutObservations struct {
	replay.Store
	drop map[[2]string]bool
}

// FindObservations implements replay.Store.
func (w withoutObservations) FindObservations(ctx context.Context, f truce.ObservationFilter) (*truce.ObservationPage, error) {
	p, err := w.Store.FindObservations(ctx, f)
	if err != nil {
		return nil, err
	}
	c := *p
	c.Observations = slices.DeleteFunc(slices.Clone(p.Observations), func(r *truce.ObservationRecord) bool {
		return w.drop[[2]string{r.Source, r.ID}]
	})
	return &c, nil
}

// scoreReport is what score prints.
type scoreReport struct {
	Agreement string          `json:"agreement"`
	Version   int             `json:"agreement_version"`
	From      string          `json:"from"`
	Days      int             `json:"days"`
	Seed      int64           `json:"seed"`
	Digest    string          `json:"findings_sha256"`
	Score     *simulate.Score `json:"score"`
	Levels    []levelReport   `json:"levels"`
}

// levelReport is one level's ratios, null when undefined.
type levelReport struct {
	simulate.Level
	Precision      *float64 `json:"precision"`
	Recall         *float64 `json:"recall"`
	RecallObserved *float64 `json:"recall_observed"`
	Attribution    *float64 `json:"attribution"`
}

// ratioOf rounds v to 4 decimals, or returns nil when it is undefined.
func ratioOf(v float64, ok bool) *float64 {
	if !ok {
		return nil
	}
	v = math.Round(v*1e4) / 1e4
	return &v
}

func ratioText(v *float64) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatFloat(*v, 'f', 3, 64)
}

// printScore prints r as text.
func printScore(w io.Writer, r *scoreReport) {
	sc := r.Score
	fmt.Fprintf(w, "score of %s v%d, %d days from %s, against the truth of seed %d\n", r.Agreement, r.Version, r.Days, r.From, r.Seed)
	fmt.Fprintf(w, "findings sha256 %s\n", r.Digest)
	fmt.Fprintf(w, "true violations %d, of which a monitor or sensor reported %d\n\n", sc.ViolationEvents, sc.Observed)
	fmt.Fprintf(w, "%-14s %8s %8s %9s %8s %9s %8s %11s %11s\n",
		"level", "findings", "true pos", "precision", "detected", "recall", "observed", "recall obs.", "attribution")
	for _, l := range r.Levels {
		fmt.Fprintf(w, "%-14s %8d %8d %9s %8d %9s %8d %11s %11s\n", string(l.Confidence)+"+",
			l.Findings, l.TruePositives, ratioText(l.Precision), l.Detected, ratioText(l.Recall),
			l.DetectedObserved, ratioText(l.RecallObserved), ratioText(l.Attribution))
	}
	fmt.Fprintf(w, "\ninvented allegations %d; found violations at probable or above %d, of them without a monitor or sensor report %d\n",
		sc.Invented, sc.InventedReached, sc.InventedUncorroborated)
	fmt.Fprintf(w, "staged fires and the allegations they were lit for %d; in violations at probable or above %d\n", sc.Staged, sc.StagedReached)
	fmt.Fprintf(w, "of those, raised the finding (without every invented and staged report, no violation at probable or above naming the same party): invented %d, staged %d\n", sc.InventedRaised, sc.StagedRaised)
	split, ok := sc.SplitShare()
	splitText := "-"
	if ok {
		splitText = strconv.FormatFloat(split, 'f', 3, 64)
	}
	fmt.Fprintf(w, "events with findings %d; split into several findings %d (%s), several at probable or above %d; with contradictory verdicts at probable or above %d\n",
		sc.EventsWithFindings, sc.Split, splitText, sc.SplitProbable, sc.Contradictory)
	fmt.Fprintf(w, "calibration (violation findings rated exactly the level: true violation, right party):\n")
	for _, b := range sc.Calibration {
		fmt.Fprintf(w, "  %-10s %6d findings, %6d right, share %s, promise %.2f\n", b.Confidence, b.Findings, b.Right, ratioText(ratioOf(b.Share())), b.Promise)
	}
	if sc.Unlabelled > 0 {
		fmt.Fprintf(w, "observations the truth does not know: %d\n", sc.Unlabelled)
	}
}
