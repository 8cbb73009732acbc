package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/agreement"
	"github.com/truce-monitor/truce/replay"
	"github.com/truce-monitor/truce/sqlite"
)

// replayFlags are the flags replay and score share.
type replayFlags struct {
	db, agreement, from, source *string
	days                        *int
}

func addReplayFlags(fs *flag.FlagSet, days int) replayFlags {
	return replayFlags{
		db:        dbFlag(fs),
		agreement: fs.String("agreement", "", "the agreement: a file, or the id of one in the store"),
		from:      fs.String("from", "", "the first day (YYYY-MM-DD, UTC)"),
		days:      fs.Int("days", days, "the number of days"),
		source:    fs.String("control-source", "", "use the control maps of this source only (default: the agreement's control_map_source, else any)"),
	}
}

// run replays what the store holds. name is the command, for errors;
// from and days, when the flags leave them unset, come from def.
func (f replayFlags) run(ctx context.Context, name string, defFrom time.Time, defDays int) (*replay.Summary, error) {
	s, _, err := f.runAlso(ctx, name, defFrom, defDays, nil)
	return s, err
}

// runAlso is run, and replays again through also(store), when also is not
// nil, with the same options.
func (f replayFlags) runAlso(ctx context.Context, name string, defFrom time.Time, defDays int, also func(replay.Store) replay.Store) (*replay.Summary, *replay.Summary, error) {
	if *f.agreement == "" {
		return nil, nil, usagef("%s: --agreement is required", name)
	}
	from, days := defFrom, defDays
	if *f.from != "" {
		d, err := time.Parse(time.DateOnly, *f.from)
		if err != nil {
			return nil, nil, usagef("%s: --from %q: want YYYY-MM-DD", name, *f.from)
		}
		from = d
	}
	if *f.days > 0 {
		days = *f.days
	}
	if from.IsZero() {
		return nil, nil, usagef("%s: --from is required", name)
	}
	if days < 1 {
		return nil, nil, usagef("%s: --days must be 1 or more", name)
	}
	if _, err := os.Stat(*f.db); err != nil {
		return nil, nil, fmt.Errorf("%s: store %s: %w", name, *f.db, err)
	}
	store, err := sqlite.Open(ctx, *f.db)
	if err != nil {
		return nil, nil, err
	}
	defer store.Close()
	a, err := loadAgreement(ctx, store, *f.agreement)
	if err != nil {
		return nil, nil, err
	}
	opts := replay.Options{Agreement: a, From: from, Days: days, ControlSource: *f.source}
	s, err := replay.Run(ctx, store, opts)
	if err != nil || also == nil {
		return s, nil, err
	}
	s2, err := replay.Run(ctx, also(store), opts)
	return s, s2, err
}

// loadAgreement reads the agreement file arg or, when no such file
// exists, the agreement with id arg from the store.
func loadAgreement(ctx context.Context, store truce.Store, arg string) (*truce.Agreement, error) {
	if fi, err := os.Stat(arg); err == nil && fi.Mode().IsRegular() {
		return agreement.ParseFile(arg)
	}
	rec, err := store.Agreement(ctx, arg)
	if err != nil {
		return nil, fmt.Errorf("agreement %q: no such file, and not in the store: %w", arg, err)
	}
	return rec.Agreement, nil
}

func runReplay(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "replay", "replay --agreement FILE|ID --from DATE --days N [--db DB] [--json] [--out DIR]",
		"Run the whole pipeline over the observations the store holds for the days from --from:\n"+
			"correlate them into incidents, adjudicate the incidents under the agreement with the\n"+
			"control maps in force, and print a per-day and total summary with the SHA-256 of the\n"+
			"findings. --out writes the findings as DIR/findings.geojson and DIR/findings.csv. The\n"+
			"same store and flags give the same bytes.")
	rf := addReplayFlags(fs, 0)
	asJSON := fs.Bool("json", false, "print JSON")
	out := fs.String("out", "", "write findings.geojson and findings.csv to this directory")
	if err := parseNone(fs, "replay", args); err != nil {
		return err
	}
	s, err := rf.run(ctx, "replay", time.Time{}, 0)
	if err != nil {
		return err
	}
	if *out != "" {
		if err := writeFindings(*out, s); err != nil {
			return err
		}
	}
	if *asJSON {
		return writeJSON(e, s)
	}
	printReplay(e.stdout, s)
	return nil
}

// printReplay prints s as text.
func printReplay(w io.Writer, s *replay.Summary) {
	fmt.Fprintf(w, "replay of %s v%d, %d days from %s (UTC), engine %s, log size %d\n",
		s.Agreement, s.Version, s.Days, s.From, s.Engine, s.LogSize)
	fmt.Fprintf(w, "findings sha256 %s\n", s.Digest)
	fmt.Fprintf(w, "coverage: %d sectors along the line of contact; covered = sectors with a monitor or sensor observation\n\n", s.Sectors)
	fmt.Fprintf(w, "%-10s %7s %9s %8s %10s %9s %8s %8s %12s %9s %7s\n",
		"day", "obs", "incidents", "findings", "violations", "confirmed", "probable", "possible", "undetermined", "protected", "covered")
	rows := append(slices.Clone(s.PerDay), s.Total)
	for _, c := range rows {
		var prot int
		for _, n := range c.Protected {
			prot += n
		}
		fmt.Fprintf(w, "%-10s %7d %9d %8d %10d %9d %8d %8d %12d %9d %7d\n", c.Day, c.Observations, c.Incidents, c.Findings, c.Violations,
			c.ByConfidence[string(truce.Confirmed)], c.ByConfidence[string(truce.Probable)], c.ByConfidence[string(truce.Possible)],
			c.ByConfidence[string(truce.Undetermined)], prot, c.Covered)
	}
	fmt.Fprintln(w)
	for _, c := range rows {
		var parts []string
		if len(c.ByRule) > 0 {
			parts = append(parts, "rules "+counts(c.ByRule))
		}
		if len(c.ByParty) > 0 {
			parts = append(parts, "parties "+counts(c.ByParty))
		}
		if len(c.Protected) > 0 {
			parts = append(parts, "protected "+counts(c.Protected))
		}
		for _, g := range c.Control {
			parts = append(parts, fmt.Sprintf("%s +%s/-%s km²", g.Party, strconv.FormatFloat(g.GainedKM2, 'f', 3, 64), strconv.FormatFloat(g.LostKM2, 'f', 3, 64)))
		}
		if len(parts) > 0 {
			fmt.Fprintf(w, "%-10s %s\n", c.Day, strings.Join(parts, "; "))
		}
	}
}

// counts formats m as "k n, k n" ordered by key.
func counts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		keys[i] = k + " " + strconv.Itoa(m[k])
	}
	return strings.Join(keys, ", ")
}

// findingFeature is a finding as a GeoJSON point at its incident.
type findingFeature struct {
	Type       string          `json:"type"`
	Geometry   pointGeometry   `json:"geometry"`
	Properties findingProperty `json:"properties"`
}

type pointGeometry struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"`
}

type findingProperty struct {
	*truce.Finding
	Kind          truce.Kind          `json:"kind"`
	Start         time.Time           `json:"start"`
	End           time.Time           `json:"end"`
	UncertaintyM  float64             `json:"uncertainty_m"`
	Corroboration truce.Corroboration `json:"corroboration"`
	Observations  []string            `json:"observations"`
}

var csvHeader = []string{"id", "incident", "agreement", "agreement_version", "kind", "start", "end", "lon", "lat",
	"uncertainty_m", "corroboration", "observations", "violation", "rule", "party", "confidence", "reason_codes", "engine", "log_size"}

// writeFindings writes s's findings to dir as findings.geojson and
// findings.csv, in the order of s.Findings. Nothing is written unless both
// encode.
func writeFindings(dir string, s *replay.Summary) error {
	incidents := make(map[string]*truce.Incident, len(s.Incidents))
	for _, inc := range s.Incidents {
		incidents[inc.ID] = inc
	}
	feats := make([]findingFeature, 0, len(s.Findings))
	var cb bytes.Buffer
	cw := csv.NewWriter(&cb)
	cw.Write(csvHeader)
	for _, f := range s.Findings {
		inc := incidents[f.Incident]
		feats = append(feats, findingFeature{Type: "Feature",
			Geometry: pointGeometry{Type: "Point", Coordinates: [2]float64{inc.Lon, inc.Lat}},
			Properties: findingProperty{Finding: f, Kind: inc.Kind, Start: inc.Start.UTC(), End: inc.End.UTC(),
				UncertaintyM: inc.UncertaintyM, Corroboration: inc.Corroboration, Observations: inc.Observations}})
		codes := make([]string, len(f.Reasons))
		for i, r := range f.Reasons {
			codes[i] = r.Code
		}
		cw.Write([]string{f.ID, f.Incident, f.Agreement, strconv.Itoa(f.Version), string(inc.Kind),
			inc.Start.UTC().Format(time.RFC3339), inc.End.UTC().Format(time.RFC3339),
			strconv.FormatFloat(inc.Lon, 'f', -1, 64), strconv.FormatFloat(inc.Lat, 'f', -1, 64),
			strconv.FormatFloat(inc.UncertaintyM, 'f', -1, 64), string(inc.Corroboration), strings.Join(inc.Observations, " "),
			strconv.FormatBool(f.Violation), f.Rule, f.Party, string(f.Confidence), strings.Join(codes, " "),
			f.Engine, strconv.FormatInt(f.LogSize, 10)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	gj, err := json.MarshalIndent(struct {
		Type     string           `json:"type"`
		Features []findingFeature `json:"features"`
	}{"FeatureCollection", feats}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "findings.geojson"), append(gj, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "findings.csv"), cb.Bytes(), 0o644)
}
