package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/agreement"
	"github.com/truce-monitor/truce/control"
	"github.com/truce-monitor/truce/importer"
	"github.com/truce-monitor/truce/simulate"
	"github.com/truce-monitor/truce/sqlite"
)

func runSimulate(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "simulate", "simulate --out DIR [--scenario FILE] [--seed N] [--days N] [--from DATE] [--map FILE] [--agreement FILE] [--db PATH]",
		"Generate a seeded scenario along the real line of contact: true events, the observations\n"+
			"monitors, acoustic sensors, a satellite and the parties' liaison officers would file, and\n"+
			"the truth. Writes DIR/observations.ndjson, DIR/sources.json, DIR/controlmaps.ndjson (the\n"+
			"map after each advance) and DIR/truth.json; with --db it also registers the sources and\n"+
			"files the observations and control maps (and the --map snapshot) in the store. The line\n"+
			"comes from --map (a DeepState GeoJSON snapshot, gzipped or not) or else from the store's\n"+
			"control map in force at the end of --from. The same flags give the same bytes.")
	seed := fs.Int64("seed", 1, "the random seed")
	days := fs.Int("days", 30, "the number of days")
	from := fs.String("from", "2025-03-14", "the first day (YYYY-MM-DD, UTC)")
	out := fs.String("out", "", "the directory to write to (created if missing)")
	mapFile := fs.String("map", "", "a DeepState GeoJSON snapshot giving the line of contact")
	agreementFile := fs.String("agreement", "", "an agreement file whose window decides what is a violation (default: the simulated days)")
	db := fs.String("db", "", "also file the scenario in this store (a SQLite file)")
	scenarioFile := fs.String("scenario", "", "a scenario file (JSON) choosing error models")
	if err := parseNone(fs, "simulate", args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("simulate: --out is required")
	}
	day, err := time.Parse(time.DateOnly, *from)
	if err != nil {
		return usagef("simulate: --from %q: want YYYY-MM-DD", *from)
	}
	if *mapFile == "" && *db == "" {
		return usagef("simulate: want --map FILE or --db PATH for the line of contact")
	}
	cfg := simulate.DefaultConfig(*seed)
	cfg.From, cfg.Days = day, *days
	if *scenarioFile != "" {
		f, err := os.Open(*scenarioFile)
		if err != nil {
			return err
		}
		err = simulate.ReadScenarioFile(*scenarioFile, f, &cfg)
		f.Close()
		if err != nil {
			return err
		}
		day = cfg.From
	}
	if *agreementFile != "" {
		a, err := agreement.ParseFile(*agreementFile)
		if err != nil {
			return err
		}
		cfg.Window = a.Window
	}
	var store *sqlite.DB
	if *db != "" {
		if store, err = sqlite.Open(ctx, *db); err != nil {
			return err
		}
		defer store.Close()
	}
	var m *control.Map
	var mapRead *importer.Result
	if *mapFile != "" {
		m, mapRead, err = readMap(*mapFile)
	} else {
		m, err = control.NewTimeline(store, "", nil).At(ctx, day.Add(24*time.Hour-time.Nanosecond))
	}
	if err != nil {
		return err
	}
	sc, err := simulate.Generate(cfg, m)
	if err != nil {
		return err
	}
	var obs, srcs, maps, truth bytes.Buffer
	if err := sc.WriteObservations(&obs); err != nil {
		return err
	}
	if err := sc.WriteControlMaps(&maps); err != nil {
		return err
	}
	if err := sc.WriteSources(&srcs); err != nil {
		return err
	}
	if err := sc.Truth.WriteJSON(&truth); err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		b    []byte
	}{{"observations.ndjson", obs.Bytes()}, {"sources.json", srcs.Bytes()}, {"controlmaps.ndjson", maps.Bytes()}, {"truth.json", truth.Bytes()}} {
		if err := os.WriteFile(filepath.Join(*out, f.name), f.b, 0o644); err != nil {
			return err
		}
	}
	printScenario(e, sc, m)
	if store != nil {
		n, nm, err := fileScenario(ctx, store, sc, mapRead)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "filed %d new observations and %d new control maps in %s\n", n, nm, *db)
	}
	return nil
}

// readMap reads a DeepState snapshot and prepares its control map.
func readMap(name string) (*control.Map, *importer.Result, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	res, err := importer.Read("deepstate", name, f, importer.Options{})
	if err != nil {
		return nil, nil, err
	}
	if len(res.ControlMaps) != 1 {
		return nil, nil, fmt.Errorf("%s: want one control map, found %d", name, len(res.ControlMaps))
	}
	m, err := control.New(res.ControlMaps[0], nil)
	return m, res, err
}

// fileScenario registers the scenario's sources (as import does), files
// each source's observations under it, and files the snapshot read (if
// any) and the control maps after the advances under the snapshot's
// source. It returns the numbers of new observations and control maps.
func fileScenario(ctx context.Context, store truce.Store, sc *simulate.Scenario, snapshot *importer.Result) (int, int, error) {
	var newMaps int
	if snapshot != nil {
		by, err := ensureSource(ctx, store, snapshot.Source)
		if err != nil {
			return 0, 0, err
		}
		for _, cm := range append(snapshot.ControlMaps, sc.ControlMaps...) {
			_, created, err := store.AddControlMap(ctx, by, cm)
			if err != nil {
				return 0, newMaps, fmt.Errorf("control map %s: %w", cm.ID, err)
			}
			if created {
				newMaps++
			}
		}
	}
	bySource := map[string][]*truce.Observation{}
	for _, o := range sc.Observations {
		bySource[o.Source] = append(bySource[o.Source], o)
	}
	var n int
	for _, s := range sc.Sources {
		by, err := ensureSource(ctx, store, s.Registration())
		if err != nil {
			return n, newMaps, err
		}
		if len(bySource[s.Name]) == 0 {
			continue
		}
		res, err := store.AddObservations(ctx, by, bySource[s.Name])
		if err != nil {
			return n, newMaps, fmt.Errorf("source %s: %w", s.Name, err)
		}
		for _, r := range res {
			if r.Created {
				n++
			}
		}
	}
	return n, newMaps, nil
}

// printScenario prints what the scenario holds.
func printScenario(e *env, sc *simulate.Scenario, m *control.Map) {
	t := sc.Truth
	fmt.Fprintf(e.stdout, "scenario: seed %d, %d days from %s, on control map %s as of %s (line of contact %s km)\n",
		t.Seed, t.Days, t.From.Format(time.DateOnly), m.ID, m.AsOf.UTC().Format(time.RFC3339), thousands(m.LineLength()/1000, 1))
	kinds := map[string]int{}
	var violations int
	for _, ev := range t.Events {
		kinds[string(ev.Kind)+" by "+ev.Party]++
		if ev.Violation {
			violations++
		}
	}
	fmt.Fprintf(e.stdout, "events: %d, of which violations %d; quiet days %d\n", len(t.Events), violations, len(t.QuietDays))
	printCounts(e, kinds)
	roles := map[string]int{}
	status := map[string]int{}
	for i, o := range sc.Observations {
		role := string(o.SourceRole)
		if o.SourceParty != "" {
			role += ":" + o.SourceParty
		}
		roles[role]++
		lb := t.Labels[i]
		key := lb.Status
		if lb.Note != "" {
			key += " (" + lb.Note + ")"
		}
		status[key]++
	}
	fmt.Fprintf(e.stdout, "observations: %d from %d sources\n", len(sc.Observations), len(sc.Sources))
	printCounts(e, roles)
	fmt.Fprintln(e.stdout, "truth of the observations:")
	printCounts(e, status)
	fmt.Fprintf(e.stdout, "control maps after advances: %d\n", len(sc.ControlMaps))
	fmt.Fprintln(e.stdout, "wrote observations.ndjson, sources.json, controlmaps.ndjson, truth.json")
}

func printCounts(e *env, counts map[string]int) {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	w := 0
	for _, k := range keys {
		w = max(w, len(k))
	}
	for _, k := range keys {
		fmt.Fprintf(e.stdout, "  %s%s %6d\n", k, strings.Repeat(" ", w-len(k)), counts[k])
	}
}
