package control

import (
	"context"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/truce-monitor/truce"
)

// advanceNamespace is the UUID namespace of advance observations' ids.
var advanceNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://truce.invalid/control/advance"))

// AdvanceID returns the id of the observation of the i-th patch (0-based,
// in the order of Change.Gained) that party gained from map from to map
// to: a UUIDv5, so that recording the same advances again logs nothing new.
func AdvanceID(from, to, party string, i int) string {
	return uuid.NewSHA1(advanceNamespace, []byte(from+"\x00"+to+"\x00"+party+"\x00"+strconv.Itoa(i))).String()
}

// Observations returns the advances d shows as observations of kind
// advance, one per patch a party gained: observed from d.From's AsOf until
// d.To's, to the day; located at the patch's centroid with the patch's
// radius as uncertainty; blaming the party that gained it (the map's claim,
// which adjudication weighs like any other); with the area and both maps in
// the text and both maps' SHA-256 as evidence. A patch lost by one party
// and gained by another is reported once, as the gain. Source fields are
// left for the store to set from the maps' source.
func (d *Diff) Observations() []*truce.Observation {
	var out []*truce.Observation
	from, to := d.From, d.To
	until := to.AsOf.UTC()
	for _, c := range d.Changes {
		if !truce.ValidPartyID(c.Party) {
			continue
		}
		for i, p := range c.Gained {
			lon, lat := round(p.Centroid[0], 1e6), round(p.Centroid[1], 1e6)
			o := &truce.Observation{
				ID:            AdvanceID(from.ID, to.ID, c.Party, i),
				Kind:          truce.KindAdvance,
				ObservedAt:    from.AsOf.UTC(),
				ObservedUntil: &until,
				TimePrecision: truce.PrecisionDay,
				Location:      truce.Location{Lon: &lon, Lat: &lat, UncertaintyM: min(math.Ceil(p.RadiusM), 1e6)},
				BlamedParty:   c.Party,
				Text: fmt.Sprintf("%s gained %.3f km² between control maps %s (as of %s) and %s (as of %s): patch %d of %d of at least %.3f km², centred at %.6f, %.6f.",
					c.Party, p.AreaM2/1e6, from.ID, from.AsOf.UTC().Format(time.RFC3339), to.ID, until.Format(time.RFC3339),
					i+1, len(c.Gained), d.MinAreaM2/1e6, lon, lat),
				Lang: "en",
				Evidence: []truce.Evidence{
					{SHA256: hex.EncodeToString(from.SHA256[:]), Ref: "control-map:" + from.ID, MediaType: "application/json"},
					{SHA256: hex.EncodeToString(to.SHA256[:]), Ref: "control-map:" + to.ID, MediaType: "application/json"},
				},
			}
			out = append(out, o)
		}
	}
	return out
}

func round(v, scale float64) float64 { return math.Round(v*scale) / scale }

// Advances compares each map in force during [from, to] with the next one
// and returns the diffs, oldest first, with patches below minAreaM2 square
// metres counted as noise. With fewer than two maps in the interval there
// is nothing to compare and the result is empty.
func (tl *Timeline) Advances(ctx context.Context, from, to time.Time, minAreaM2 float64) ([]*Diff, error) {
	s, err := tl.Schedule(ctx)
	if err != nil {
		return nil, err
	}
	return CompareSeries(ctx, s.Between(from, to), tl.Map, threshold(minAreaM2))
}

// threshold returns a comparison of two maps at minAreaM2.
func threshold(minAreaM2 float64) func(from, to *Map) (*Diff, error) {
	return func(from, to *Map) (*Diff, error) { return Compare(from, to, minAreaM2) }
}

// AdvancesThrough is Advances, and then, if there is a map after to, the
// comparison of the last map in force by to with the first map after it: a
// map is drawn after the fact, so the changes it shows may have happened
// before to. (Their observations say when: between the two maps' dates.)
// An agreement's advances are recorded this way, so that the last day of
// its window is not left out.
func (tl *Timeline) AdvancesThrough(ctx context.Context, from, to time.Time, minAreaM2 float64) ([]*Diff, error) {
	s, err := tl.Schedule(ctx)
	if err != nil {
		return nil, err
	}
	recs := s.Between(from, to)
	if next := s.After(to); next != nil && len(recs) > 0 {
		recs = append(recs, next)
	}
	return CompareSeries(ctx, recs, tl.Map, threshold(minAreaM2))
}

// CompareSeries compares each map of recs with the next, preparing them
// with mapOf (a [Timeline]'s Map method, or a cache of prepared maps) and
// comparing them with compare (Compare at some threshold, or a cache of
// diffs), and returns the diffs in order.
func CompareSeries(ctx context.Context, recs []*truce.ControlMapRecord, mapOf func(ctx context.Context, id string) (*Map, error), compare func(from, to *Map) (*Diff, error)) ([]*Diff, error) {
	var out []*Diff
	var prev *Map
	for _, r := range recs {
		m, err := mapOf(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		if prev != nil {
			d, err := compare(prev, m)
			if err != nil {
				return nil, err
			}
			out = append(out, d)
		}
		prev = m
	}
	return out, nil
}

// ObservationStore is what recording advances needs of a store.
type ObservationStore interface {
	Source(ctx context.Context, name string) (*truce.Source, error)
	AddObservations(ctx context.Context, by *truce.Source, obs []*truce.Observation) ([]truce.AddResult, error)
}

// RecordAdvances writes the observations of every diff through store,
// filed by the source of the later map of each diff (the control map's
// source is the reporter), one batch per source, each all or nothing. It
// returns the results in the order of the observations. Recording the same
// diffs again logs nothing new (Created false).
func RecordAdvances(ctx context.Context, store ObservationStore, diffs []*Diff) ([]*truce.Observation, []truce.AddResult, error) {
	var obs []*truce.Observation
	var order []string
	bySource := map[string][]*truce.Observation{}
	for _, d := range diffs {
		src := d.To.Source
		if src == "" {
			return nil, nil, truce.Errorf(truce.EINVALID, "control map %s has no source to file its advances under", d.To.ID)
		}
		if _, ok := bySource[src]; !ok {
			order = append(order, src)
		}
		os := d.Observations()
		bySource[src] = append(bySource[src], os...)
		obs = append(obs, os...)
	}
	results := make(map[string]truce.AddResult, len(obs))
	for _, name := range order {
		batch := bySource[name]
		if len(batch) == 0 {
			continue
		}
		by, err := store.Source(ctx, name)
		if err != nil {
			return nil, nil, fmt.Errorf("source of control maps %q: %w", name, err)
		}
		rs, err := store.AddObservations(ctx, by, batch)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range rs {
			results[r.ID] = r
		}
	}
	out := make([]truce.AddResult, len(obs))
	for i, o := range obs {
		out[i] = results[o.ID]
	}
	return obs, out, nil
}
