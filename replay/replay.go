// Package replay runs the whole truce pipeline over what a store holds for a
// window of days: the observations logged for the window are correlated
// into incidents, the incidents are adjudicated under an agreement with the
// control maps in force, and the result is summed up per day and in total.
//
// [Run] is deterministic: the same store and options give the same
// [Summary], byte for byte once encoded, and the same findings digest.
package replay

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/adjudicate"
	"github.com/truce-monitor/truce/control"
	"github.com/truce-monitor/truce/correlate"
)

// Store is what a replay reads: observations, control maps and the log's
// size.
type Store interface {
	FindObservations(ctx context.Context, f truce.ObservationFilter) (*truce.ObservationPage, error)
	truce.ControlMapService
	LogSize(ctx context.Context) (int64, error)
}

// Options say what to replay.
type Options struct {
	// Agreement is the agreement the incidents are judged under.
	Agreement *truce.Agreement
	// From is the first day (its date in UTC counts) and Days the number
	// of days.
	From time.Time
	Days int
	// ControlSource names the source of the control maps; empty means the
	// agreement's line_of_contact.control_map_source, and if that is empty
	// too, any.
	ControlSource string
	// Correlate are the correlation options; nil means the defaults.
	Correlate *correlate.Options
	// SectorM is the length of a coverage sector; 0 means
	// adjudicate.DefaultSectorM.
	SectorM float64
}

// Summary is the outcome of a replay.
type Summary struct {
	Agreement string `json:"agreement"`
	Version   int    `json:"agreement_version"`
	From      string `json:"from"`
	Days      int    `json:"days"`
	Engine    string `json:"engine"`
	LogSize   int64  `json:"log_size"`
	// Digest is adjudicate.Digest of the findings.
	Digest string `json:"findings_sha256"`
	// Sectors is the number of coverage sectors of the line of contact in
	// force at the end of the first day (none when no map is).
	Sectors int `json:"sectors"`
	// PerDay holds one entry per day, in order; Total sums them.
	PerDay []Counts `json:"per_day"`
	Total  Counts   `json:"total"`

	// Incidents and Findings are the pipeline's output, ordered as
	// adjudicate orders findings; Observations are the observations
	// read, in the form derivations take them ([truce.Observation.Derived]),
	// by public id (an advance derived from the control maps by its own
	// id). Hotspots and Skipped are correlation's fixed heat sources and
	// the observations it left out of every incident.
	Incidents    []*truce.Incident             `json:"-"`
	Findings     []*truce.Finding              `json:"-"`
	Observations map[string]*truce.Observation `json:"-"`
	// Filed maps each public id of Observations to the id its source gave
	// the observation (for the local operator's tools: a simulated
	// scenario's truth names observations so). It is never published.
	Filed    map[string]string    `json:"-"`
	Hotspots []*correlate.Hotspot `json:"-"`
	// Derived are the advances the replay derived from the control maps
	// (not logged as observations): each one's id and the log index of
	// the map that shows it.
	Derived map[string]int64    `json:"-"`
	Skipped []correlate.Skipped `json:"-"`
}

// Counts are the figures of one day or of the whole window. Maps encode
// with sorted keys.
type Counts struct {
	// Day is YYYY-MM-DD, or "total".
	Day          string `json:"day"`
	Observations int    `json:"observations"`
	// Hotspot counts the observations correlation assigned to a fixed
	// heat source (an industrial site that burns every night) and Skipped
	// those it could not place (a report for a whole country, say): both
	// are in no incident.
	Hotspot    int `json:"hotspot_observations"`
	Skipped    int `json:"skipped_observations"`
	Incidents  int `json:"incidents"`
	Findings   int `json:"findings"`
	Violations int `json:"violations"`
	// ByRule, ByParty and ByConfidence count the violation findings;
	// a violation attributed to no party counts under "unattributed".
	ByRule       map[string]int `json:"violations_by_rule"`
	ByParty      map[string]int `json:"violations_by_party"`
	ByConfidence map[string]int `json:"violations_by_confidence"`
	// Protected counts incidents whose observations report a target in
	// one of the agreement's protected categories, by category.
	Protected map[string]int `json:"protected_strikes"`
	// Control is the ground each party gained and lost on the control
	// maps, in km², ordered by party; a party whose ground did not change
	// by more than the noise is left out.
	Control []Ground `json:"control"`
	// Covered counts the sectors with at least one monitor or sensor
	// observation that day; in the total, sector-days.
	Covered int `json:"covered_sectors"`
}

// Ground is what one party gained and lost.
type Ground struct {
	Party     string  `json:"party"`
	GainedKM2 float64 `json:"gained_km2"`
	LostKM2   float64 `json:"lost_km2"`
}

// Unattributed is the party key of violations attributed to nobody.
const Unattributed = "unattributed"

// Run replays opts.Days days from opts.From over store. It returns an error
// when the options are bad, the store cannot be read, or a stage fails.
func Run(ctx context.Context, store Store, opts Options) (*Summary, error) {
	if opts.Agreement == nil {
		return nil, truce.Errorf(truce.EINVALID, "replay: no agreement")
	}
	if opts.Days < 1 {
		return nil, truce.Errorf(truce.EINVALID, "replay: days %d: must be 1 or more", opts.Days)
	}
	sectorM := cmp.Or(opts.SectorM, adjudicate.DefaultSectorM)
	f := opts.From.UTC()
	from := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 0, opts.Days)

	logSize, err := store.LogSize(ctx)
	if err != nil {
		return nil, err
	}
	recs, err := observations(ctx, store, truce.ObservationFilter{From: from, To: to})
	if err != nil {
		return nil, err
	}
	// Fixed hot spots are recognised from the fire detections of the
	// whole record, not of the days replayed alone.
	fires, err := observations(ctx, store, truce.ObservationFilter{Kinds: []truce.Kind{truce.KindFire}})
	if err != nil {
		return nil, err
	}
	tl := control.NewTimeline(store, cmp.Or(opts.ControlSource, opts.Agreement.LineOfContact.ControlMapSource), nil)
	maps, err := prepare(ctx, tl, from, to)
	if err != nil {
		return nil, err
	}
	// Advances are a function of the control maps in the log prefix: the
	// replay derives them itself, whether or not truce control advances
	// recorded them.
	diffs, diffErr := maps.advances(ctx, from, to.Add(-time.Nanosecond), control.DefaultMinArea)
	var derived map[string]int64
	if diffErr == nil {
		recs, derived = withAdvances(recs, diffs, maps.schedule)
	}
	// From here on, every observation is in its derived form, named by
	// its public id, so that incidents and findings are the same bytes for
	// every audience.
	recs, fires, filed := derivedForm(recs, fires)
	copts := correlate.Options{}
	if opts.Correlate != nil {
		copts = *opts.Correlate
	}
	copts.HotspotRecords = fires
	corr, err := correlate.Correlate(recs, &copts)
	if err != nil {
		return nil, fmt.Errorf("correlate: %w", err)
	}
	byID := make(map[string]*truce.Observation, len(recs))
	obs := make([]*truce.Observation, 0, len(recs))
	for _, r := range recs {
		byID[r.ID] = r.Observation
		obs = append(obs, r.Observation)
	}
	findings, err := adjudicate.Adjudicate(ctx, corr.Incidents, opts.Agreement, maps.at,
		&adjudicate.Options{Observations: byID, LogSize: logSize, Diffs: &maps.diffs})
	if err != nil {
		return nil, fmt.Errorf("adjudicate: %w", err)
	}

	s := &Summary{
		Agreement: opts.Agreement.ID, Version: opts.Agreement.Version,
		From: from.Format(time.DateOnly), Days: opts.Days,
		Engine: adjudicate.Engine, LogSize: logSize,
		Digest:    adjudicate.Digest(findings),
		Incidents: corr.Incidents, Findings: findings, Observations: byID,
		Hotspots: corr.Hotspots, Skipped: corr.Skipped, Derived: derived, Filed: filed,
	}
	s.PerDay = make([]Counts, opts.Days)
	for i := range s.PerDay {
		s.PerDay[i] = newCounts(from.AddDate(0, 0, i).Format(time.DateOnly))
	}
	s.Total = newCounts("total")
	day := func(t time.Time) int { return int(t.UTC().Sub(from) / (24 * time.Hour)) }
	add := func(t time.Time, fn func(c *Counts)) {
		if d := day(t); d >= 0 && d < len(s.PerDay) {
			fn(&s.PerDay[d])
		}
		fn(&s.Total)
	}
	for _, o := range obs {
		add(o.ObservedAt, func(c *Counts) { c.Observations++ })
	}
	for _, h := range corr.Hotspots {
		for _, id := range h.Observations {
			add(byID[id].ObservedAt, func(c *Counts) { c.Hotspot++ })
		}
	}
	for _, sk := range corr.Skipped {
		add(byID[sk.Observation].ObservedAt, func(c *Counts) { c.Skipped++ })
	}
	incidents := make(map[string]*truce.Incident, len(corr.Incidents))
	for _, inc := range corr.Incidents {
		incidents[inc.ID] = inc
		cats := protected(inc, byID, opts.Agreement.Protected)
		add(inc.Start, func(c *Counts) {
			c.Incidents++
			for _, cat := range cats {
				c.Protected[string(cat)]++
			}
		})
	}
	for _, fd := range findings {
		inc := incidents[fd.Incident]
		if inc == nil {
			return nil, fmt.Errorf("replay: finding %s names unknown incident %s", fd.ID, fd.Incident)
		}
		add(inc.Start, func(c *Counts) {
			c.Findings++
			if !fd.Violation {
				return
			}
			c.Violations++
			c.ByRule[fd.Rule]++
			c.ByParty[cmp.Or(fd.Party, Unattributed)]++
			c.ByConfidence[string(fd.Confidence)]++
		})
	}
	if err := s.ground(diffs, diffErr, add); err != nil {
		return nil, err
	}
	if err := s.cover(ctx, maps, obs, from, sectorM); err != nil {
		return nil, err
	}
	return s, nil
}

func newCounts(day string) Counts {
	return Counts{Day: day, ByRule: map[string]int{}, ByParty: map[string]int{}, ByConfidence: map[string]int{},
		Protected: map[string]int{}, Control: []Ground{}}
}

// withAdvances adds to recs the advances that diffs show (control.Diff's
// Observations), each filed by the later map's source as a dataset and
// placed in the log where that map was logged; an advance recorded already
// (same id, by truce control advances) is not added again. It returns the
// records and the log index of each advance it added, by id.
func withAdvances(recs []*truce.ObservationRecord, diffs []*control.Diff, sched control.Schedule) ([]*truce.ObservationRecord, map[string]int64) {
	have := make(map[string]bool, len(recs))
	for _, r := range recs {
		have[r.ID] = true
	}
	logged := make(map[string]*truce.ControlMapRecord, len(sched))
	for _, r := range sched {
		logged[r.ID] = r
	}
	added := map[string]int64{}
	for _, d := range diffs {
		at := logged[d.To.ID]
		if at == nil {
			continue
		}
		for _, o := range d.Observations() {
			if have[o.ID] {
				continue
			}
			have[o.ID] = true
			o.Source, o.SourceRole = d.To.Source, truce.RoleDataset
			recs = append(recs, &truce.ObservationRecord{Observation: o, LogIndex: at.LogIndex, LoggedAt: at.LoggedAt})
			added[o.ID] = at.LogIndex
		}
	}
	return recs, added
}

// derivedForm returns recs and fires as derivations take them
// ([truce.Observation.Derived]): each logged observation named by its
// public id, the observation it corrects and those that correct it (when
// read) by theirs, so that incidents and findings list observations by
// public id and are the same bytes for every audience. An observation with
// no public id (an advance derived from the control maps, not logged)
// keeps its id. filed maps each public id to the id the source gave.
func derivedForm(recs, fires []*truce.ObservationRecord) (dr, df []*truce.ObservationRecord, filed map[string]string) {
	type key struct{ source, id string }
	pub := map[key]string{}
	for _, list := range [][]*truce.ObservationRecord{recs, fires} {
		for _, r := range list {
			if id := publicID(r); id != "" {
				pub[key{r.Source, r.ID}] = id
			}
		}
	}
	filed = map[string]string{}
	derive := func(list []*truce.ObservationRecord) []*truce.ObservationRecord {
		out := make([]*truce.ObservationRecord, len(list))
		for i, r := range list {
			id := publicID(r)
			if id == "" {
				out[i] = r
				continue
			}
			c := *r
			if r.Sealed != nil {
				c.Observation = r.Observation.Derived(r.Sealed)
			} else {
				o := *r.Observation
				o.ID = id
				if p, ok := pub[key{o.Source, o.Supersedes}]; ok {
					o.Supersedes = p
				}
				c.Observation = &o
			}
			c.PublicID = id
			if len(r.SupersededBy) > 0 {
				// Ids already public (a log prefix gives them so) and
				// corrections not read are kept as they are.
				c.SupersededBy = make([]string, len(r.SupersededBy))
				for j, by := range r.SupersededBy {
					c.SupersededBy[j] = by
					if p, ok := pub[key{r.Source, by}]; ok {
						c.SupersededBy[j] = p
					}
				}
			}
			filed[id] = r.ID
			out[i] = &c
		}
		return out
	}
	return derive(recs), derive(fires), filed
}

// publicID returns the public id of r: its public form's, else the one it
// carries; "" when it has none.
func publicID(r *truce.ObservationRecord) string {
	if r.Sealed != nil {
		return r.Sealed.ID
	}
	return r.PublicID
}

// observations reads every observation that f selects, in log order.
func observations(ctx context.Context, store Store, f truce.ObservationFilter) ([]*truce.ObservationRecord, error) {
	var recs []*truce.ObservationRecord
	f.Limit = truce.MaxPageSize
	for {
		page, err := store.FindObservations(ctx, f)
		if err != nil {
			return nil, err
		}
		recs = append(recs, page.Observations...)
		if page.Next == "" {
			break
		}
		f.Cursor = page.Next
	}
	slices.SortFunc(recs, func(a, b *truce.ObservationRecord) int {
		return cmp.Or(cmp.Compare(a.LogIndex, b.LogIndex), cmp.Compare(a.ID, b.ID))
	})
	return recs, nil
}

// protected returns the protected categories that inc's observations
// report as targets, in the agreement's order.
func protected(inc *truce.Incident, obs map[string]*truce.Observation, cats []truce.TargetCategory) []truce.TargetCategory {
	var out []truce.TargetCategory
	for _, cat := range cats {
		for _, id := range inc.Observations {
			if o := obs[id]; o != nil && o.Target == cat {
				out = append(out, cat)
				break
			}
		}
	}
	return out
}

// ground adds the km² each party gained and lost between the control maps
// in force during the window, diffs, on the day of the later map. err is
// the error of working out diffs.
func (s *Summary) ground(diffs []*control.Diff, err error, add func(time.Time, func(*Counts))) error {
	if err != nil {
		if truce.ErrorCode(err) == truce.ENOTFOUND {
			return nil
		}
		return fmt.Errorf("control maps: %w", err)
	}
	for _, d := range diffs {
		for _, ch := range d.Changes {
			if ch.GainedM2 == 0 && ch.LostM2 == 0 {
				continue // no change above the noise: nothing to list
			}
			add(d.To.AsOf, func(c *Counts) { c.Control = addGround(c.Control, ch.Party, ch.GainedM2, ch.LostM2) })
		}
	}
	for _, c := range append(s.PerDay, s.Total) {
		slices.SortFunc(c.Control, func(a, b Ground) int { return cmp.Compare(a.Party, b.Party) })
	}
	return nil
}

// addGround adds gained and lost square metres to party's entry in gs, kept
// in km² rounded to 0.001.
func addGround(gs []Ground, party string, gainedM2, lostM2 float64) []Ground {
	i := slices.IndexFunc(gs, func(g Ground) bool { return g.Party == party })
	if i < 0 {
		gs = append(gs, Ground{Party: party})
		i = len(gs) - 1
	}
	gs[i].GainedKM2 = round3(gs[i].GainedKM2 + gainedM2/1e6)
	gs[i].LostKM2 = round3(gs[i].LostKM2 + lostM2/1e6)
	return gs
}

// cover counts, per day, the sectors of the line in force at the end of
// the first day that a monitor or sensor observed near.
func (s *Summary) cover(ctx context.Context, maps *atlas, obs []*truce.Observation, from time.Time, sectorM float64) error {
	m, err := maps.at(ctx, from.Add(24*time.Hour-time.Nanosecond))
	if truce.ErrorCode(err) == truce.ENOTFOUND {
		return nil // no map: no line, no sectors
	}
	if err != nil {
		return fmt.Errorf("control map at %s: %w", from.Format(time.DateOnly), err)
	}
	sectors, err := adjudicate.Sectors(m.Line(), sectorM)
	if err != nil {
		return err
	}
	s.Sectors = len(sectors)
	cov, err := adjudicate.Cover(obs, sectors, from, s.Days, time.UTC, adjudicate.DefaultRangeM)
	if err != nil {
		return err
	}
	for _, c := range cov {
		if !slices.ContainsFunc(c.Sources, func(sc adjudicate.SourceCoverage) bool {
			return sc.Role == truce.RoleMonitor || sc.Role == truce.RoleSensor
		}) {
			continue
		}
		for i := range s.PerDay {
			if s.PerDay[i].Day == c.Day {
				s.PerDay[i].Covered++
				s.Total.Covered++
			}
		}
	}
	return nil
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }
