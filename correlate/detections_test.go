package correlate_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/correlate"
	"github.com/truce-monitor/truce/geo"
)

// detection is a FIRMS-like fire detection.
func (b *builder) detection(id string, at time.Time, lon, lat float64) *truce.ObservationRecord {
	return b.rec(id, "firms", truce.RoleSensor, "", truce.KindFire, at, point(lon, lat, 375))
}

// plantAndFight returns 60 nights of detections: an industrial site that
// burns on 40 of them (nights 0, 1, 3, 4, 6, ... at 22:30 UTC), a real
// cluster of fire 4 km from it on night 20, a few scattered fires that set
// the data span, and a party's allegation of shelling at the plant on
// night 20.
func plantAndFight(b *builder, r *rand.Rand) (recs []*truce.ObservationRecord, plant, fight []string) {
	const plon, plat = 37.95, 48.058
	flon, flat := offset(plon, plat, 250, 4000)
	day0 := time.Date(2025, 3, 1, 22, 30, 0, 0, time.UTC)
	jitter := func(lon, lat, m float64) (float64, float64) {
		return offset(lon, lat, r.Float64()*360, r.Float64()*m)
	}
	nights := 0
	for n := 0; n < 60 && nights < 40; n++ {
		if n%3 == 2 {
			continue
		}
		nights++
		for k := range 2 + r.IntN(3) {
			id := fmt.Sprintf("plant-%02d-%d", n, k)
			lon, lat := jitter(plon, plat, 250)
			recs = append(recs, b.detection(id, day0.Add(time.Duration(n)*24*time.Hour+time.Duration(k)*time.Minute), lon, lat))
			plant = append(plant, id)
		}
	}
	for k := range 6 {
		id := fmt.Sprintf("fight-%d", k)
		lon, lat := jitter(flon, flat, 600)
		recs = append(recs, b.detection(id, day0.Add(20*24*time.Hour+time.Duration(k)*time.Minute), lon, lat))
		fight = append(fight, id)
	}
	// Scattered fires far away on the first and the last day.
	recs = append(recs,
		b.detection("stray-first", day0.Add(-10*time.Hour), 35.0, 47.5),
		b.detection("stray-last", day0.Add(59*24*time.Hour), 36.0, 48.5))
	allege := b.rec("allegation", "ru-liaison", truce.RoleParty, "RU", truce.KindArtillery, day0.Add(20*24*time.Hour), point(plon, plat, 500))
	recs = append(recs, allege)
	return recs, plant, fight
}

func TestHotspotKeptApart(t *testing.T) {
	recs, plant, fight := plantAndFight(&builder{}, rand.New(rand.NewPCG(1, 2)))
	res := run(t, recs, nil)
	if len(res.Hotspots) != 1 {
		t.Fatalf("%d hot spots, want 1", len(res.Hotspots))
	}
	h := res.Hotspots[0]
	slices.Sort(plant)
	if !slices.Equal(h.Observations, plant) {
		t.Errorf("hot spot holds %v, want the plant's %d detections", h.Observations, len(plant))
	}
	if h.Nights != 40 || h.SpanNights != 60 || h.MinNights != 10 {
		t.Errorf("nights %d of %d (threshold %d), want 40 of 60 (10)", h.Nights, h.SpanNights, h.MinNights)
	}
	if d := geo.Distance(geo.Point{h.Lon, h.Lat}, geo.Point{37.95, 48.058}); d > 150 {
		t.Errorf("hot spot centre %.0f m from the plant", d)
	}
	slices.Sort(fight)
	got := groups(res)
	want := [][]string{{"allegation"}, fight, {"stray-first"}, {"stray-last"}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("incidents %v, want %v", got, want)
	}
	for _, inc := range res.Incidents {
		switch inc.Observations[0] {
		case "allegation":
			// The plant's fire does not corroborate the allegation.
			if inc.Corroboration != truce.SingleSource {
				t.Errorf("allegation at the plant: %s", inc.Corroboration)
			}
		case fight[0]:
			if inc.Kind != truce.KindFire || inc.Corroboration != truce.SingleSource {
				t.Errorf("fight: kind %s corroboration %s", inc.Kind, inc.Corroboration)
			}
		}
	}

	// Without the long span (the plant's first 9 nights alone) nothing
	// is a fixed source.
	var short []*truce.ObservationRecord
	for _, r := range recs {
		if r.ObservedAt.Before(time.Date(2025, 3, 13, 12, 0, 0, 0, time.UTC)) {
			short = append(short, r)
		}
	}
	if res := run(t, short, nil); len(res.Hotspots) != 0 {
		t.Errorf("9 nights of data: %d hot spots, want 0", len(res.Hotspots))
	}
}

func TestDetectionClusters(t *testing.T) {
	const lon, lat = 37.5, 47.9
	b := &builder{}
	var recs []*truce.ObservationRecord
	// Four detections within 600 m on one pass; one 1 h later 1 km away
	// (a border point joins); one lone detection 10 km away.
	for k := range 4 {
		l, a := offset(lon, lat, float64(k)*90, 300)
		recs = append(recs, b.detection(fmt.Sprintf("c%d", k), t0.Add(time.Duration(k)*time.Minute), l, a))
	}
	l, a := offset(lon, lat, 45, 1000)
	recs = append(recs, b.detection("late", t0.Add(time.Hour), l, a))
	l, a = offset(lon, lat, 0, 10000)
	recs = append(recs, b.detection("lone", t0, l, a))
	// Next day, the same place: another incident.
	for k := range 3 {
		l, a := offset(lon, lat, float64(k)*120, 200)
		recs = append(recs, b.detection(fmt.Sprintf("d%d", k), t0.Add(24*time.Hour+time.Duration(k)*time.Minute), l, a))
	}
	// A monitor's report of an air strike 1.5 km away, 2 h before the
	// first detection: the fire it set.
	l, a = offset(lon, lat, 180, 1500)
	recs = append(recs, b.rec("strike", "osce-team-2", truce.RoleMonitor, "", truce.KindAirStrike, t0.Add(-2*time.Hour), point(l, a, 500)))
	// A party's allegation at the lone detection: two sources, but a fire
	// detection checks no allegation.
	l, a = offset(lon, lat, 0, 10300)
	recs = append(recs, b.rec("claim", "ua-liaison", truce.RoleParty, "UA", truce.KindMissileStrike, t0.Add(-30*time.Minute), point(l, a, 1000)))
	res := run(t, recs, nil)
	want := [][]string{{"c0", "c1", "c2", "c3", "late", "strike"}, {"claim", "lone"}, {"d0", "d1", "d2"}}
	if got := groups(res); !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("groups = %v, want %v", got, want)
	}
	for _, inc := range res.Incidents {
		switch inc.Observations[0] {
		case "c0":
			if inc.Kind != truce.KindAirStrike || inc.Corroboration != truce.IndependentCheck {
				t.Errorf("strike and fire: kind %s, %s", inc.Kind, inc.Corroboration)
			}
			if !inc.Start.Equal(t0.Add(-2*time.Hour)) || !inc.End.Equal(t0.Add(time.Hour)) {
				t.Errorf("strike and fire: %v to %v", inc.Start, inc.End)
			}
		case "claim":
			if inc.Kind != truce.KindMissileStrike || inc.Corroboration != truce.SeveralSources {
				t.Errorf("claim and fire: kind %s, %s", inc.Kind, inc.Corroboration)
			}
		case "d0":
			if inc.Corroboration != truce.SingleSource {
				t.Errorf("fire alone: %s", inc.Corroboration)
			}
		}
	}
}

// mixed returns a seeded mix of every kind of input: bearings, points,
// regions, dense detections with a hot spot.
func mixed() []*truce.ObservationRecord {
	r := rand.New(rand.NewPCG(7, 11))
	b := &builder{}
	recs, _, _ := plantAndFight(b, r)
	for i := range 3000 {
		lon, lat := 36+r.Float64()*2, 47.5+r.Float64()
		at := t0.Add(time.Duration(r.IntN(10*24*60)) * time.Minute)
		recs = append(recs, b.detection(fmt.Sprintf("det-%04d", i), at, lon, lat))
		if i%10 == 0 {
			kind := truce.Kinds[r.IntN(len(truce.Kinds))]
			role := []truce.Role{truce.RoleMonitor, truce.RoleParty, truce.RoleDataset}[r.IntN(3)]
			loc := point(lon+0.01, lat, 1000)
			if i%30 == 0 {
				loc = bearing(lon-0.1, lat-0.05, 55+r.Float64()*10, 3)
			}
			rep := b.rec(fmt.Sprintf("rep-%04d", i), fmt.Sprintf("src-%d", r.IntN(5)), role, "UA", kind, at.Add(10*time.Minute), loc)
			switch i % 40 { // origins on either side, and a launch bearing
			case 0:
				rep.Origin = ptr(point(lon+0.1, lat, 1000))
			case 10:
				rep.Origin = ptr(point(lon-0.1, lat, 1000))
			case 20:
				rep.Origin = ptr(bearing(lon, lat-0.1, 10, 3))
			}
			recs = append(recs, rep)
		}
	}
	return recs
}

func TestDeterministic(t *testing.T) {
	recs := mixed()
	encode := func(recs []*truce.ObservationRecord) []byte {
		res, err := correlate.Correlate(recs, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	want := encode(recs)
	first, err := correlate.Correlate(recs, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkPartition(t, recs, first)
	var res correlate.Result
	if err := json.Unmarshal(want, &res); err != nil {
		t.Fatal(err)
	}
	fused := 0
	for _, inc := range res.Incidents {
		if len(inc.Observations) > 1 && inc.Corroboration != truce.SingleSource {
			fused++
		}
	}
	if len(res.Hotspots) == 0 || fused == 0 {
		t.Fatalf("the mix exercises too little: %d hot spots, %d fused incidents", len(res.Hotspots), fused)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 20 {
		shuffled := slices.Clone(recs)
		r.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		if got := encode(shuffled); !bytes.Equal(got, want) {
			t.Fatalf("shuffle %d: different bytes (%d vs %d)", i, len(got), len(want))
		}
	}
}

func TestReportDoesNotBridgeClusters(t *testing.T) {
	// Two fires 3 km apart on one pass, each of three detections; a
	// party's report between them, a little nearer the eastern one, fits
	// both but joins only that one.
	const lon, lat = 37.2, 48.4
	b := &builder{}
	var recs []*truce.ObservationRecord
	for k := range 3 {
		l, a := offset(lon, lat, 270, 1500+float64(k)*100)
		recs = append(recs, b.detection(fmt.Sprintf("w%d", k), t0.Add(time.Duration(k)*time.Minute), l, a))
		l, a = offset(lon, lat, 90, 1500+float64(k)*100)
		recs = append(recs, b.detection(fmt.Sprintf("e%d", k), t0.Add(time.Duration(k)*time.Minute), l, a))
	}
	l, a := offset(lon, lat, 90, 300)
	recs = append(recs, b.rec("between", "ua-liaison", truce.RoleParty, "UA", truce.KindArtillery, t0.Add(-20*time.Minute), point(l, a, 1500)))
	res := run(t, recs, nil)
	want := [][]string{{"between", "e0", "e1", "e2"}, {"w0", "w1", "w2"}}
	if got := groups(res); !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("groups = %v, want %v", got, want)
	}
}

// TestHotspotAcrossRecord is a site that burned on 13 nights of a
// 120-night record, one pass a night, three of them inside the window
// correlated: it is a fixed source, recognised from the whole record
// (Options.HotspotRecords), and its detections in the window form no
// incident; a fire that burned on three nights only (all in the window)
// is not one.
func TestHotspotAcrossRecord(t *testing.T) {
	b := &builder{}
	day0 := time.Date(2025, 1, 1, 22, 30, 0, 0, time.UTC)
	var window, history []*truce.ObservationRecord
	for k, n := range []int{3, 11, 19, 27, 35, 43, 52, 60, 69, 77, 100, 101, 102} {
		r := b.detection(fmt.Sprintf("flare-%02d", k), day0.Add(time.Duration(n)*24*time.Hour), 37.95+float64(k%3)*0.001, 48.058)
		history = append(history, r)
		if n >= 100 {
			window = append(window, r)
		}
	}
	for n := 100; n < 103; n++ {
		window = append(window, b.detection(fmt.Sprintf("front-%d", n), day0.Add(time.Duration(n)*24*time.Hour), 37.6, 48.3))
	}
	res := run(t, window, &correlate.Options{HotspotRecords: history, MinPts: 1})
	if len(res.Hotspots) != 1 {
		t.Fatalf("%d hot spots, want 1 (the flare)", len(res.Hotspots))
	}
	if got := res.Hotspots[0].Observations; !slices.Equal(got, []string{"flare-10", "flare-11", "flare-12"}) {
		t.Errorf("hot spot holds %v, want the flare's three detections in the window", got)
	}
	for _, inc := range res.Incidents {
		for _, id := range inc.Observations {
			if strings.HasPrefix(id, "flare") {
				t.Errorf("incident %s holds the flare's detection %s", inc.ID, id)
			}
		}
	}
	if len(res.Incidents) == 0 {
		t.Error("the fire at the front formed no incident")
	}
}

// TestHeatDoesNotPlace: a fire detection fused with an event that an
// acoustic sensor and a monitor locate does not move the incident's
// impact (a staged or unrelated fire 5 km off, across the line, would
// carry it there); a group of fire detections alone is placed by them.
func TestHeatDoesNotPlace(t *testing.T) {
	const lon, lat = 37.2, 48.4
	b := &builder{}
	fl, fa := offset(lon, lat, 270, 900)
	recs := []*truce.ObservationRecord{
		b.rec("sensor", "acoustic-3", truce.RoleSensor, "", truce.KindArtillery, t0, point(lon, lat, 300)),
		b.rec("monitor", "smm-team-7", truce.RoleMonitor, "", truce.KindArtillery, t0.Add(2*time.Minute), point(lon, lat, 300)),
		b.detection("fire", t0.Add(20*time.Minute), fl, fa),
	}
	allege := b.rec("allegation", "ua-liaison", truce.RoleParty, "UA", truce.KindArtillery, t0.Truncate(time.Hour), point(fl, fa, 2000))
	allege.TimePrecision = truce.PrecisionHour
	recs = append(recs, allege)
	res := run(t, recs, nil)
	var with *truce.Incident
	for _, in := range res.Incidents {
		if slices.Contains(in.Observations, "sensor") {
			with = in
		}
	}
	if with == nil || !slices.Contains(with.Observations, "fire") {
		t.Fatalf("incidents %v: want the fire fused with the reports (the test needs it)", groups(res))
	}
	if d := geo.Distance(geo.Point{with.Lon, with.Lat}, geo.Point{lon, lat}); d > 50 || with.UncertaintyM > 400 {
		t.Errorf("the incident is placed %.0f m from the reports' impact, uncertainty %.0f m: the fire moved it", d, with.UncertaintyM)
	}
	alone := run(t, []*truce.ObservationRecord{b.detection("fire-alone", t0, fl, fa)}, nil)
	if len(alone.Incidents) != 1 || geo.Distance(geo.Point{alone.Incidents[0].Lon, alone.Incidents[0].Lat}, geo.Point{fl, fa}) > 50 {
		t.Errorf("a fire alone: %+v, want it placed at the fire", alone.Incidents)
	}
}
