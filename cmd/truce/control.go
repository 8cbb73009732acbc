package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/control"
	"github.com/truce-monitor/truce/geo"
	"github.com/truce-monitor/truce/sqlite"
)

func runControl(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "control", args, []command{
		{"area", "ground held per party on a date, in km²", runControlArea},
		{"diff", "ground gained and lost per party between two dates", runControlDiff},
		{"at", "who holds a point on a date, and its distance to the line of contact", runControlAt},
		{"line", "the line of contact on a date, as GeoJSON", runControlLine},
		{"advances", "record the advances during an agreement's window as observations", runControlAdvances},
	})
}

// controlFlags are the flags every control subcommand takes.
type controlFlags struct {
	db, source *string
	asJSON     *bool
}

func addControlFlags(fs *flag.FlagSet) controlFlags {
	return controlFlags{
		db:     dbFlag(fs),
		source: fs.String("source", "", "use the control maps of this source only (default: any)"),
		asJSON: fs.Bool("json", false, "print JSON"),
	}
}

// when is the value of a --date, --from or --to flag; see parseWhen.
type when struct{ flag, value string }

// mapsAt returns the control maps in force at each of the times whens give,
// read from the store. A time that does not parse is a usage error naming
// its flag.
func (c controlFlags) mapsAt(ctx context.Context, whens ...when) ([]*control.Map, error) {
	ts := make([]time.Time, len(whens))
	for i, w := range whens {
		t, err := parseWhen(w.flag, w.value)
		if err != nil {
			return nil, err
		}
		ts[i] = t
	}
	store, err := sqlite.Open(ctx, *c.db)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	tl := control.NewTimeline(store, *c.source, nil)
	maps := make([]*control.Map, len(ts))
	for i, t := range ts {
		if maps[i], err = tl.At(ctx, t); err != nil {
			return nil, err
		}
	}
	return maps, nil
}

// mapAt returns the control map in force at the --date value date.
func (c controlFlags) mapAt(ctx context.Context, date string) (*control.Map, error) {
	maps, err := c.mapsAt(ctx, when{"date", date})
	if err != nil {
		return nil, err
	}
	return maps[0], nil
}

// parseNone parses args with fs for the subcommand name and refuses
// positional arguments.
func parseNone(fs *flag.FlagSet, name string, args []string) error {
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("%s: unexpected argument %q", name, pos[0])
	}
	return nil
}

const controlDateHelp = "a day (YYYY-MM-DD: the map in force at the end of that day, UTC) or an RFC 3339 time"

// parseWhen reads a --date, --from or --to value: a day means the end of
// that day in UTC, so that the day's own map is in force; an RFC 3339 time
// means that instant.
func parseWhen(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, usagef("--%s is required: %s", name, controlDateHelp)
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d.Add(24*time.Hour - time.Nanosecond), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Time{}, usagef("--%s %q: want %s", name, s, controlDateHelp)
}

// mapInfo describes the control map an answer used.
type mapInfo struct {
	ID     string    `json:"id"`
	Source string    `json:"source"`
	AsOf   time.Time `json:"as_of"`
	// StaleDays is set when the map is more than control.MaxMapAge older
	// than the time asked: by how many whole days.
	StaleDays int `json:"stale_days,omitempty"`
}

func infoOf(m *control.Map) mapInfo { return mapInfo{ID: m.ID, Source: m.Source, AsOf: m.AsOf.UTC()} }

// infoAt is infoOf for the map in force at the --date value date, saying
// whether it is stale.
func infoAt(m *control.Map, date string) mapInfo {
	i := infoOf(m)
	if at, err := parseWhen("date", date); err == nil && at.Sub(m.AsOf) > control.MaxMapAge {
		i.StaleDays = int(at.Sub(m.AsOf) / (24 * time.Hour))
	}
	return i
}

func (i mapInfo) String() string {
	s := fmt.Sprintf("control map %s (source %s, as of %s)", i.ID, i.Source, i.AsOf.Format(time.RFC3339))
	if i.StaleDays > 0 {
		s += fmt.Sprintf("; stale: %d days older than the time asked, so ground may have changed hands since", i.StaleDays)
	}
	return s
}

// km2 converts square metres to square kilometres, rounded to 0.001 km²
// (1,000 m²) so that printed figures are stable.
func km2(m2 float64) float64 { return roundTo(m2/1e6, 1e3) }

func roundTo(v, scale float64) float64 {
	r := math.Round(v*scale) / scale
	if r == 0 {
		return 0 // not -0
	}
	return r
}

type countryKM2 struct {
	Code string  `json:"code,omitempty"`
	Name string  `json:"name"`
	KM2  float64 `json:"km2"`
}

type partyKM2 struct {
	Party     string       `json:"party"`
	KM2       float64      `json:"km2"`
	Countries []countryKM2 `json:"countries"`
}

type areaReport struct {
	Map   mapInfo    `json:"map"`
	Areas []partyKM2 `json:"areas"`
}

func runControlArea(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "control area", "control area --date D [--db PATH] [--source NAME] [--json]",
		"Print the ground each party holds on the map in force at D, in km² (geodesic, WGS84),\n"+
			"split by country as mapped, and the unknown ground inside Ukraine. On maps that give\n"+
			"RU-held ground only (DeepState), RU is clipped to Ukraine and UA holds the rest.")
	cf := addControlFlags(fs)
	date := fs.String("date", "", controlDateHelp)
	if err := parseNone(fs, "control area", args); err != nil {
		return err
	}
	m, err := cf.mapAt(ctx, *date)
	if err != nil {
		return err
	}
	areas, err := m.Areas()
	if err != nil {
		return err
	}
	r := areaReport{Map: infoAt(m, *date)}
	for _, a := range areas {
		p := partyKM2{Party: a.Party, KM2: km2(a.M2), Countries: []countryKM2{}}
		for _, c := range a.Countries {
			name := c.Name
			if c.Code == "" {
				name = "none (sea or beyond the boundaries)"
			}
			p.Countries = append(p.Countries, countryKM2{Code: c.Code, Name: name, KM2: km2(c.M2)})
		}
		r.Areas = append(r.Areas, p)
	}
	if *cf.asJSON {
		return writeJSON(e, r)
	}
	fmt.Fprintln(e.stdout, r.Map)
	fmt.Fprintf(e.stdout, "%-8s %14s  %s\n", "party", "km²", "as mapped, by country (km²)")
	for _, p := range r.Areas {
		var parts []string
		for _, c := range p.Countries {
			code := c.Code
			if code == "" {
				code = "none"
			}
			parts = append(parts, fmt.Sprintf("%s %s", code, thousands(c.KM2, 3)))
		}
		fmt.Fprintf(e.stdout, "%-8s %14s  %s\n", p.Party, thousands(p.KM2, 3), strings.Join(parts, ", "))
	}
	return nil
}

// thousands formats v with dec decimals and commas between thousands.
func thousands(v float64, dec int) string {
	s := strconv.FormatFloat(v, 'f', dec, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

type patchOut struct {
	KM2      float64    `json:"km2"`
	Centroid [2]float64 `json:"centroid"`
	RadiusM  float64    `json:"radius_m"`
}

type changeOut struct {
	Party          string     `json:"party"`
	GainedKM2      float64    `json:"gained_km2"`
	LostKM2        float64    `json:"lost_km2"`
	Gained         []patchOut `json:"gained"`
	Lost           []patchOut `json:"lost"`
	NoiseGained    int        `json:"noise_gained"`
	NoiseLost      int        `json:"noise_lost"`
	NoiseGainedKM2 float64    `json:"noise_gained_km2"`
	NoiseLostKM2   float64    `json:"noise_lost_km2"`
}

type diffReport struct {
	From       mapInfo     `json:"from"`
	To         mapInfo     `json:"to"`
	MinAreaKM2 float64     `json:"min_area_km2"`
	Changes    []changeOut `json:"changes"`
}

func diffOut(d *control.Diff) diffReport {
	r := diffReport{From: infoOf(d.From), To: infoOf(d.To), MinAreaKM2: d.MinAreaM2 / 1e6, Changes: []changeOut{}}
	for _, c := range d.Changes {
		co := changeOut{Party: c.Party, GainedKM2: km2(c.GainedM2), LostKM2: km2(c.LostM2),
			NoiseGained: c.NoiseGained, NoiseLost: c.NoiseLost, NoiseGainedKM2: km2(c.NoiseGainedM2), NoiseLostKM2: km2(c.NoiseLostM2)}
		co.Gained, co.Lost = patchesOut(c.Gained), patchesOut(c.Lost)
		r.Changes = append(r.Changes, co)
	}
	return r
}

// patchesOut rounds ps for printing: areas to 0.001 km², centroids to
// 1e-6 degrees, radii to a metre. It never returns nil, so that JSON shows
// an empty list.
func patchesOut(ps []control.Patch) []patchOut {
	out := make([]patchOut, 0, len(ps))
	for _, p := range ps {
		out = append(out, patchOut{km2(p.AreaM2), [2]float64{roundTo(p.Centroid[0], 1e6), roundTo(p.Centroid[1], 1e6)}, roundTo(p.RadiusM, 1)})
	}
	return out
}

func runControlDiff(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "control diff", "control diff --from D --to D [--min-area KM2] [--geojson FILE] [--db PATH] [--source NAME] [--json]",
		"Compare the map in force at --from with the map in force at --to: for each party, the\n"+
			"ground gained and lost in km², as polygons of at least --min-area km² (smaller ones are\n"+
			"counted as mapping noise). --geojson writes the polygons as a FeatureCollection.")
	cf := addControlFlags(fs)
	fromS := fs.String("from", "", controlDateHelp)
	toS := fs.String("to", "", controlDateHelp)
	minArea := fs.Float64("min-area", control.DefaultMinArea/1e6, "the smallest gain or loss reported, in km²")
	gj := fs.String("geojson", "", "write the gained and lost polygons to this GeoJSON file")
	if err := parseNone(fs, "control diff", args); err != nil {
		return err
	}
	if *minArea < 0 {
		return usagef("control diff: --min-area must not be negative")
	}
	maps, err := cf.mapsAt(ctx, when{"from", *fromS}, when{"to", *toS})
	if err != nil {
		return err
	}
	d, err := control.Compare(maps[0], maps[1], *minArea*1e6)
	if err != nil {
		return err
	}
	if *gj != "" {
		if err := writeGeoJSONFile(*gj, d.GeoJSON); err != nil {
			return err
		}
	}
	r := diffOut(d)
	if *cf.asJSON {
		return writeJSON(e, r)
	}
	fmt.Fprintf(e.stdout, "from %s\nto   %s\npatches under %s km² counted as noise\n", r.From, r.To, strconv.FormatFloat(r.MinAreaKM2, 'f', -1, 64))
	fmt.Fprintf(e.stdout, "%-8s %12s %8s %12s %8s %14s\n", "party", "gained km²", "patches", "lost km²", "patches", "noise +/- km²")
	for _, c := range r.Changes {
		fmt.Fprintf(e.stdout, "%-8s %12s %8d %12s %8d %14s\n", c.Party, thousands(c.GainedKM2, 3), len(c.Gained), thousands(c.LostKM2, 3), len(c.Lost),
			thousands(c.NoiseGainedKM2, 3)+"/"+thousands(c.NoiseLostKM2, 3))
	}
	if *gj != "" {
		fmt.Fprintf(e.stdout, "polygons written to %s\n", *gj)
	}
	return nil
}

// writeGeoJSONFile writes what encode returns to path, replacing the file
// only once all of it is written.
func writeGeoJSONFile(path string, encode func() ([]byte, error)) error {
	b, err := encode()
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// atReport answers control at; the distances and nearest point are null
// when the map has no line of contact.
type atReport struct {
	Map       mapInfo     `json:"map"`
	Point     [2]float64  `json:"point"`
	Holder    string      `json:"holder,omitempty"`
	DistanceM *float64    `json:"distance_m"`
	SignedM   *float64    `json:"signed_distance_m"`
	Nearest   *[2]float64 `json:"nearest"`
	Reference string      `json:"positive_side"`
	// Outside is true when the point lies outside what the map covers;
	// holder and distances are then not given.
	Outside bool `json:"outside_coverage,omitempty"`
}

func runControlAt(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "control at", "control at LON LAT --date D [--db PATH] [--source NAME] [--json]",
		"Print who holds the point LON LAT (WGS84 degrees) on the map in force at D, and its\n"+
			"geodesic distance in metres to the line of contact. The signed distance is positive in\n"+
			"the ground of the party the map draws (RU on DeepState maps) and negative elsewhere.\n"+
			"Put \"--\" before a negative longitude.")
	cf := addControlFlags(fs)
	date := fs.String("date", "", controlDateHelp)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("control at: want LON LAT")
	}
	lon, err1 := strconv.ParseFloat(pos[0], 64)
	lat, err2 := strconv.ParseFloat(pos[1], 64)
	if err1 != nil || err2 != nil || !(lon >= -180 && lon <= 180) || !(lat >= -90 && lat <= 90) {
		return usagef("control at: %q %q is not a longitude in [-180, 180] and a latitude in [-90, 90]", pos[0], pos[1])
	}
	m, err := cf.mapAt(ctx, *date)
	if err != nil {
		return err
	}
	l := m.Locate(geo.Point{lon, lat})
	r := atReport{Map: infoAt(m, *date), Point: [2]float64{lon, lat}, Holder: l.Holder, Reference: m.Reference}
	if !m.Covers(geo.Point{lon, lat}) {
		r.Outside, r.Holder = true, ""
		if *cf.asJSON {
			return writeJSON(e, r)
		}
		fmt.Fprintln(e.stdout, r.Map)
		fmt.Fprintf(e.stdout, "%s %s: outside what the map covers (%s's ground and the ground it maps): the record does not say who holds it or how far it lies from the line of contact\n", pos[0], pos[1], m.Territory.Name)
		return nil
	}
	if !math.IsInf(l.DistanceM, 0) {
		d, sd := roundTo(l.DistanceM, 10), roundTo(l.SignedM, 10)
		r.DistanceM, r.SignedM = &d, &sd
		r.Nearest = &[2]float64{roundTo(l.Nearest[0], 1e6), roundTo(l.Nearest[1], 1e6)}
	}
	if *cf.asJSON {
		return writeJSON(e, r)
	}
	fmt.Fprintln(e.stdout, r.Map)
	if r.DistanceM == nil {
		fmt.Fprintf(e.stdout, "%s %s: held by %s; the map has no line of contact\n", pos[0], pos[1], r.Holder)
		return nil
	}
	fmt.Fprintf(e.stdout, "%s %s: held by %s; %s m from the line of contact (nearest point %s %s); signed %s m (positive on the %s side)\n",
		pos[0], pos[1], r.Holder, thousands(*r.DistanceM, 1), strconv.FormatFloat(r.Nearest[0], 'f', 6, 64), strconv.FormatFloat(r.Nearest[1], 'f', 6, 64),
		thousands(*r.SignedM, 1), r.Reference)
	return nil
}

type lineReport struct {
	Map        mapInfo `json:"map"`
	LengthKM   float64 `json:"length_km"`
	Pieces     int     `json:"pieces"`
	ToleranceM float64 `json:"tolerance_m"`
	MinLengthM float64 `json:"min_length_m"`
	File       string  `json:"file,omitempty"`
}

func runControlLine(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "control line", "control line --date D --geojson FILE [--db PATH] [--source NAME] [--json]",
		"Write the line of contact of the map in force at D to FILE as a GeoJSON FeatureCollection\n"+
			"(one MultiLineString feature) and print its length. The line is the boundary of the\n"+
			"mapped party's ground where it lies more than 3 km from Ukraine's state border and coast.")
	cf := addControlFlags(fs)
	date := fs.String("date", "", controlDateHelp)
	gj := fs.String("geojson", "", "the GeoJSON file to write (required)")
	if err := parseNone(fs, "control line", args); err != nil {
		return err
	}
	if *gj == "" {
		return usagef("control line: --geojson FILE is required")
	}
	m, err := cf.mapAt(ctx, *date)
	if err != nil {
		return err
	}
	if err := writeGeoJSONFile(*gj, m.LineGeoJSON); err != nil {
		return err
	}
	r := lineReport{Map: infoAt(m, *date), LengthKM: roundTo(m.LineLength()/1e3, 1e3), Pieces: len(m.Line()),
		ToleranceM: control.DefaultLineTolerance, MinLengthM: control.DefaultMinLineLength, File: *gj}
	if *cf.asJSON {
		return writeJSON(e, r)
	}
	fmt.Fprintln(e.stdout, r.Map)
	fmt.Fprintf(e.stdout, "line of contact: %s km in %d piece(s); written to %s\n", thousands(r.LengthKM, 3), r.Pieces, *gj)
	return nil
}

type advancesReport struct {
	Agreement  string      `json:"agreement"`
	From       time.Time   `json:"from"`
	To         time.Time   `json:"to"`
	MinAreaKM2 float64     `json:"min_area_km2"`
	DryRun     bool        `json:"dry_run"`
	Steps      []stepOut   `json:"steps"`
	Totals     []changeSum `json:"totals"`
	Recorded   int         `json:"observations"`
	New        int         `json:"new_observations"`
}

type stepOut struct {
	From    string      `json:"from"`
	To      string      `json:"to"`
	Changes []changeSum `json:"changes"`
	IDs     []string    `json:"observation_ids"`
}

type changeSum struct {
	Party     string  `json:"party"`
	GainedKM2 float64 `json:"gained_km2"`
	Gained    int     `json:"gained_patches"`
	LostKM2   float64 `json:"lost_km2"`
	Lost      int     `json:"lost_patches"`
}

func runControlAdvances(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "control advances", "control advances --agreement ID [--from D] [--to D] [--min-area KM2] [--dry-run] [--db PATH] [--source NAME] [--json]",
		"Compare each control map in force during the agreement's window (or the part of it\n"+
			"between --from and --to) with the next, and log every polygon of at least --min-area km²\n"+
			"that a party gained as an observation of kind advance, filed by the maps' source.\n"+
			"The maps are the agreement's line_of_contact.control_map_source's, unless --source.\n"+
			"Ids derive from the maps and the polygon, so running it again logs nothing new.\n"+
			"--dry-run prints what would be logged.")
	cf := addControlFlags(fs)
	agreementID := fs.String("agreement", "", "the agreement whose window to scan (required)")
	fromS := fs.String("from", "", "start no earlier than this: "+controlDateHelp)
	toS := fs.String("to", "", "end no later than this: "+controlDateHelp)
	minArea := fs.Float64("min-area", control.DefaultMinArea/1e6, "the smallest gain reported, in km²")
	dryRun := fs.Bool("dry-run", false, "print what would be logged, log nothing")
	if err := parseNone(fs, "control advances", args); err != nil {
		return err
	}
	if *agreementID == "" {
		return usagef("control advances: --agreement ID is required")
	}
	if *minArea < 0 {
		return usagef("control advances: --min-area must not be negative")
	}
	store, err := sqlite.Open(ctx, *cf.db)
	if err != nil {
		return err
	}
	defer store.Close()
	a, err := store.Agreement(ctx, *agreementID)
	if err != nil {
		return err
	}
	// The agreement names the source of its control maps; --source overrides.
	source := a.LineOfContact.ControlMapSource
	if *cf.source != "" {
		source = *cf.source
	}
	tl := control.NewTimeline(store, source, nil)
	from, to := a.Window.Start, a.Window.End
	if to.IsZero() {
		to = time.Now()
	}
	if *fromS != "" {
		t, err := parseWhen("from", *fromS)
		if err != nil {
			return err
		}
		from = maxTime(from, t)
	}
	if *toS != "" {
		t, err := parseWhen("to", *toS)
		if err != nil {
			return err
		}
		to = minTime(to, t)
	}
	if to.Before(from) {
		return usagef("control advances: the interval %s to %s is empty", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	diffs, err := tl.AdvancesThrough(ctx, from, to, *minArea*1e6)
	if err != nil {
		return err
	}
	r := advancesReport{Agreement: a.ID, From: from.UTC(), To: to.UTC(), MinAreaKM2: *minArea, DryRun: *dryRun, Steps: []stepOut{}, Totals: []changeSum{}}
	var obs []*truce.Observation
	var results []truce.AddResult
	if *dryRun {
		for _, d := range diffs {
			obs = append(obs, d.Observations()...)
		}
	} else if obs, results, err = control.RecordAdvances(ctx, store, diffs); err != nil {
		return err
	}
	r.Recorded = len(obs)
	for _, x := range results {
		if x.Created {
			r.New++
		}
	}
	totals := map[string]*changeSum{}
	for _, d := range diffs {
		s := stepOut{From: d.From.ID, To: d.To.ID, Changes: []changeSum{}, IDs: []string{}}
		for _, o := range d.Observations() {
			s.IDs = append(s.IDs, o.ID)
		}
		for _, c := range d.Changes {
			cs := changeSum{Party: c.Party, GainedKM2: km2(c.GainedM2), Gained: len(c.Gained), LostKM2: km2(c.LostM2), Lost: len(c.Lost)}
			s.Changes = append(s.Changes, cs)
			t, ok := totals[c.Party]
			if !ok {
				t = &changeSum{Party: c.Party}
				totals[c.Party] = t
				r.Totals = append(r.Totals, changeSum{Party: c.Party})
			}
			t.GainedKM2 += c.GainedM2
			t.LostKM2 += c.LostM2
			t.Gained += len(c.Gained)
			t.Lost += len(c.Lost)
		}
		r.Steps = append(r.Steps, s)
	}
	for i, t := range r.Totals {
		x := totals[t.Party]
		r.Totals[i] = changeSum{Party: x.Party, GainedKM2: km2(x.GainedKM2), Gained: x.Gained, LostKM2: km2(x.LostKM2), Lost: x.Lost}
	}
	if *cf.asJSON {
		return writeJSON(e, r)
	}
	fmt.Fprintf(e.stdout, "agreement %s: %s to %s, %d comparison(s) of consecutive maps, patches under %s km² counted as noise\n", r.Agreement,
		r.From.Format(time.RFC3339), r.To.Format(time.RFC3339), len(r.Steps), strconv.FormatFloat(r.MinAreaKM2, 'f', -1, 64))
	for _, s := range r.Steps {
		var parts []string
		for _, c := range s.Changes {
			parts = append(parts, fmt.Sprintf("%s +%s/-%s km²", c.Party, thousands(c.GainedKM2, 3), thousands(c.LostKM2, 3)))
		}
		fmt.Fprintf(e.stdout, "  %s → %s: %s\n", s.From, s.To, strings.Join(parts, ", "))
	}
	for _, t := range r.Totals {
		fmt.Fprintf(e.stdout, "total %s: gained %s km² in %d patch(es), lost %s km² in %d\n", t.Party, thousands(t.GainedKM2, 3), t.Gained, thousands(t.LostKM2, 3), t.Lost)
	}
	if *dryRun {
		fmt.Fprintf(e.stdout, "dry run: %d advance observation(s) would be logged\n", r.Recorded)
	} else {
		fmt.Fprintf(e.stdout, "%d advance observation(s), %d new\n", r.Recorded, r.New)
	}
	return nil
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
