package control_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/control"
	"github.com/truce-monitor/truce/control/controltest"
	"github.com/truce-monitor/truce/geo"
	"github.com/truce-monitor/truce/sqlite"
)

// Places used across the tests.
var (
	kyiv        = geo.Point{30.5234, 50.4501}
	kramatorsk  = geo.Point{37.5847, 48.7389}
	donetsk     = geo.Point{37.8028, 48.0159}
	simferopol  = geo.Point{34.1024, 44.9521}
	sevastopol  = geo.Point{33.55, 44.58} // inland: the city centre is on the bay, water at 1:10m
	melitopol   = geo.Point{35.3653, 46.8489}
	belgorod    = geo.Point{36.5853, 50.5997}
	chisinau    = geo.Point{28.8638, 47.0105}
	blackSea    = geo.Point{32.0, 43.5}
	zaporizhzhi = geo.Point{35.1396, 47.8388}
)

func TestNaturalEarth(t *testing.T) {
	b, err := control.NaturalEarth()
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, c := range b.Countries {
		codes = append(codes, c.Code)
	}
	if got := strings.Join(codes, ","); got != "UA,RU,BY,MD,RO,PL,SK,HU" {
		t.Errorf("countries %s", got)
	}
	ua, ru := geo.NewIndex(b.Country("UA").Ground), geo.NewIndex(b.Country("RU").Ground)
	tests := []struct {
		name   string
		p      geo.Point
		ua, ru bool
	}{
		{"Kyiv", kyiv, true, false},
		{"Simferopol", simferopol, true, false},
		{"Sevastopol", sevastopol, true, false},
		{"Donetsk", donetsk, true, false},
		{"Belgorod", belgorod, false, true},
		{"Chisinau", chisinau, false, false},
		{"Black Sea", blackSea, false, false},
	}
	for _, tt := range tests {
		if got := ua.Covers(tt.p); got != tt.ua {
			t.Errorf("Ukraine covers %s: %v, want %v", tt.name, got, tt.ua)
		}
		if got := ru.Covers(tt.p); got != tt.ru {
			t.Errorf("Russia covers %s: %v, want %v", tt.name, got, tt.ru)
		}
	}
	// Ukraine's area is 603,628 km² by its own statistics (which count
	// inland water and the Sea of Azov's shallows differently); Natural
	// Earth's land polygon at 1:10m comes within 1%.
	if a := b.Country("UA").Ground.Area() / 1e6; math.Abs(a-603628)/603628 > 0.01 {
		t.Errorf("area of Ukraine %.0f km², want within 1%% of 603,628", a)
	}
	if control.Unknown == "" || truce.ValidPartyID(control.Unknown) {
		t.Errorf("Unknown %q must not be a party id", control.Unknown)
	}
}

func TestDecodeBoundariesErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{`[]`, "boundaries: json"},
		{`{"type":"Feature"}`, `type "Feature": want FeatureCollection`},
		{`{"type":"FeatureCollection","features":[{"properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}`, "features[0].properties.iso_a2: required"},
		{`{"type":"FeatureCollection","features":[{"properties":{"iso_a2":"XX"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}}]}`, "features[0].geometry: coordinates[0]: ring is not closed"},
		{`{"type":"FeatureCollection","features":[{"properties":{"iso_a2":"XX"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,91],[0,0]]]}}]}`, "features[0].geometry: coordinates[0][2]: latitude 91"},
	}
	for _, tt := range tests {
		_, err := control.DecodeBoundaries([]byte(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("DecodeBoundaries(%s): %v, want an error containing %q", tt.in, err, tt.want)
		}
	}
}

// square is the boundaries of a made-up country "UA" covering
// 0–1° E × 0–1° N, with "RU" east of it.
const square = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"iso_a2":"UA","name":"Square"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}},
{"type":"Feature","properties":{"iso_a2":"RU","name":"East"},"geometry":{"type":"Polygon","coordinates":[[[1,0],[2,0],[2,1],[1,1],[1,0]]]}}]}`

// rect returns a control map whose RU holding is the rectangle w..e × s..n.
func rect(id string, day int, w, s, e, n float64) *truce.ControlMap {
	g := fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%v,%v],[%v,%v],[%v,%v],[%v,%v],[%v,%v]]]}`, w, s, e, s, e, n, w, n, w, s)
	return &truce.ControlMap{ID: id, Source: "test", AsOf: time.Date(2025, 3, day, 3, 0, 0, 0, time.UTC),
		Holdings: []truce.Holding{{Party: "RU", Geometry: json.RawMessage(g)}}}
}

func squareOptions(t *testing.T) *control.Options {
	b, err := control.DecodeBoundaries([]byte(square))
	if err != nil {
		t.Fatal(err)
	}
	return &control.Options{Boundaries: b}
}

// rectArea is the geodesic area of a longitude/latitude rectangle on the
// WGS84 ellipsoid, from the closed form for the area between two
// parallels: an independent check of geo's polygon area.
func rectArea(w, s, e, n float64) float64 {
	const a, f = 6378137.0, 1 / 298.257223563
	e2 := f * (2 - f)
	ecc := math.Sqrt(e2)
	q := func(lat float64) float64 { // authalic q(φ)
		sp := math.Sin(lat * math.Pi / 180)
		return (1-e2)*(sp/(1-e2*sp*sp)) - (1-e2)/(2*ecc)*math.Log((1-ecc*sp)/(1+ecc*sp))
	}
	return a * a / 2 * (q(n) - q(s)) * (e - w) * math.Pi / 180
}

func TestMapSquare(t *testing.T) {
	opts := squareOptions(t)
	// RU holds the east half, all but a strip 0.005° (about 550 m) wide
	// along the eastern border: that strip is a sliver, not UA ground.
	m, err := control.New(rect("a", 14, 0.5, 0, 0.995, 1), opts)
	if err != nil {
		t.Fatal(err)
	}
	if m.Reference != "RU" || len(m.Holdings) != 2 || m.Holdings[1].Party != "UA" || !m.Holdings[1].Derived {
		t.Fatalf("holdings %+v, reference %s", m.Holdings, m.Reference)
	}
	holders := []struct {
		p    geo.Point
		want string
	}{
		{geo.Point{0.25, 0.5}, "UA"},
		{geo.Point{0.75, 0.5}, "RU"},
		{geo.Point{0.998, 0.5}, control.Unknown}, // the sliver
		{geo.Point{1.5, 0.5}, control.Unknown},   // outside the territory
		{geo.Point{0.5, 0.5}, "RU"},              // on the line: the first holding
	}
	for _, h := range holders {
		if got := m.Holder(h.p); got != h.want {
			t.Errorf("Holder(%v) = %s, want %s", h.p, got, h.want)
		}
	}
	areas, err := m.Areas()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		"RU":            rectArea(0.5, 0, 0.995, 1),
		"UA":            rectArea(0, 0, 0.5, 1),
		control.Unknown: rectArea(0.995, 0, 1, 1),
	}
	// The closed form bounds the rectangle by parallels; geo's area takes
	// its edges as geodesics, which bulge poleward: 1e-5 at 1°.
	for _, a := range areas {
		if w := want[a.Party]; math.Abs(a.M2-w) > 1e-5*w {
			t.Errorf("area of %s %.1f m², want %.1f", a.Party, a.M2, w)
		}
	}
	// The line is the meridian 0.5° E less 3 km (the tolerance) at each
	// end, where it meets the border; within one sampling step.
	ml := geo.Distance(geo.Point{0.5, 0}, geo.Point{0.5, 1})
	if got, want := m.LineLength(), ml-2*control.DefaultLineTolerance; math.Abs(got-want) > 2*200 {
		t.Errorf("line length %.0f m, want %.0f ± 400", got, want)
	}
	for _, l := range m.Line() {
		for _, p := range l {
			if p[0] != 0.5 {
				t.Errorf("line vertex %v off the meridian 0.5° E", p)
			}
		}
	}
	for _, tt := range []struct {
		p    geo.Point
		sign float64
	}{{geo.Point{0.25, 0.5}, -1}, {geo.Point{0.75, 0.5}, 1}} {
		l := m.Locate(tt.p)
		want := geo.Distance(tt.p, geo.Point{0.5, 0.5})
		if math.Abs(l.DistanceM-want) > 1 || l.SignedM != tt.sign*l.DistanceM {
			t.Errorf("Locate(%v) = %+v, want distance %.1f with sign %v", tt.p, l, want, tt.sign)
		}
	}
}

func TestMapTwoHoldings(t *testing.T) {
	// A map that gives both parties' ground is taken as it is: here RU
	// holds the east third, UA the west third, and the middle is unknown.
	cm := rect("two", 14, 2.0/3, 0, 1, 1)
	cm.Holdings = append(cm.Holdings, truce.Holding{Party: "UA",
		Geometry: json.RawMessage(`{"type":"Polygon","coordinates":[[[0,0],[0.3333,0],[0.3333,1],[0,1],[0,0]]]}`)})
	m, err := control.New(cm, squareOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		p    geo.Point
		want string
	}{{geo.Point{0.1, 0.5}, "UA"}, {geo.Point{0.5, 0.5}, control.Unknown}, {geo.Point{0.9, 0.5}, "RU"}} {
		if got := m.Holder(tt.p); got != tt.want {
			t.Errorf("Holder(%v) = %s, want %s", tt.p, got, tt.want)
		}
	}
	if m.Holding("UA").Derived || len(m.Unknown) != 1 {
		t.Errorf("UA derived %v, unknown %v", m.Holding("UA").Derived, m.Unknown)
	}
	if u, want := m.Unknown.Area(), rectArea(0.3333, 0, 2.0/3, 1); math.Abs(u-want) > 1e-5*want {
		t.Errorf("unknown %.0f m², want %.0f", u, want)
	}
}

func TestMapWithoutLine(t *testing.T) {
	// RU holds the whole territory: no line of contact, no distances.
	m, err := control.New(rect("all", 14, 0, 0, 1, 1), squareOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Line()) != 0 || m.LineLength() != 0 {
		t.Errorf("line %v", m.Line())
	}
	if l := m.Locate(geo.Point{0.5, 0.5}); l.Holder != "RU" || !math.IsInf(l.DistanceM, 1) {
		t.Errorf("Locate = %+v, want RU at infinite distance", l)
	}
	if h := m.Holding("UA"); h == nil || len(h.Ground) != 0 {
		t.Errorf("UA holding %+v, want empty", h)
	}
}

func TestCompareSquare(t *testing.T) {
	opts := squareOptions(t)
	a, err := control.New(rect("a", 14, 0.5, 0, 1, 1), opts)
	if err != nil {
		t.Fatal(err)
	}
	// RU advances 0.1° west along the whole front.
	b, err := control.New(rect("b", 15, 0.4, 0, 1, 1), opts)
	if err != nil {
		t.Fatal(err)
	}
	d, err := control.Compare(a, b, control.DefaultMinArea)
	if err != nil {
		t.Fatal(err)
	}
	ru, ua := d.Change("RU"), d.Change("UA")
	if ru == nil || ua == nil {
		t.Fatalf("changes %+v", d.Changes)
	}
	want := rectArea(0.4, 0, 0.5, 1)
	if len(ru.Gained) != 1 || math.Abs(ru.GainedM2-want) > 1e-5*want || ru.LostM2 != 0 || len(ru.Lost) != 0 {
		t.Errorf("RU: %+v, want one gain of %.0f m²", ru, want)
	}
	if len(ua.Lost) != 1 || math.Abs(ua.LostM2-want) > 1e-5*want || ua.GainedM2 != 0 {
		t.Errorf("UA: %+v, want one loss of %.0f m²", ua, want)
	}
	p := ru.Gained[0]
	if math.Abs(p.Centroid[0]-0.45) > 1e-9 || math.Abs(p.Centroid[1]-0.5) > 1e-9 {
		t.Errorf("centroid %v, want 0.45, 0.5", p.Centroid)
	}
	if r := geo.Distance(p.Centroid, geo.Point{0.4, 0}); math.Abs(p.RadiusM-r) > 1 {
		t.Errorf("radius %.0f m, want %.0f (centroid to a corner)", p.RadiusM, r)
	}

	// A nick of 0.001° × 0.001° (about 0.012 km²) is below the threshold:
	// noise.
	nick := rect("c", 16, 0, 0, 0, 0)
	nick.Holdings[0].Geometry = json.RawMessage(`{"type":"Polygon","coordinates":[[[0.5,0],[1,0],[1,1],[0.5,1],[0.5,0.501],[0.499,0.501],[0.499,0.5],[0.5,0.5],[0.5,0]]]}`)
	c, err := control.New(nick, opts)
	if err != nil {
		t.Fatal(err)
	}
	d, err = control.Compare(a, c, control.DefaultMinArea)
	if err != nil {
		t.Fatal(err)
	}
	if ru := d.Change("RU"); len(ru.Gained) != 0 || ru.NoiseGained != 1 || ru.NoiseGainedM2 <= 0 {
		t.Errorf("nick: %+v, want one gain counted as noise", ru)
	}
	// The same map: nothing.
	d, err = control.Compare(a, a, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range d.Changes {
		if c.GainedM2 != 0 || c.LostM2 != 0 || c.NoiseGained+c.NoiseLost != 0 {
			t.Errorf("a map against itself: %+v", c)
		}
	}
}

func TestAdvanceObservations(t *testing.T) {
	opts := squareOptions(t)
	a, _ := control.New(rect("a", 14, 0.5, 0, 1, 1), opts)
	b, _ := control.New(rect("b", 15, 0.4, 0, 1, 1), opts)
	d, err := control.Compare(a, b, control.DefaultMinArea)
	if err != nil {
		t.Fatal(err)
	}
	obs := d.Observations()
	if len(obs) != 1 {
		t.Fatalf("%d observations, want 1 (RU's gain; UA's loss is the same ground)", len(obs))
	}
	o := obs[0]
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if o.ID != control.AdvanceID("a", "b", "RU", 0) || o.Kind != truce.KindAdvance || o.BlamedParty != "RU" ||
		!o.ObservedAt.Equal(a.AsOf) || !o.ObservedUntil.Equal(b.AsOf) || *o.Location.Lon != 0.45 || *o.Location.Lat != 0.5 ||
		len(o.Evidence) != 2 || o.Evidence[0].Ref != "control-map:a" {
		t.Errorf("observation %+v", o)
	}
	if !strings.Contains(o.Text, "RU gained 1") || !strings.Contains(o.Text, "km²") {
		t.Errorf("text %q", o.Text)
	}
	if again := d.Observations(); again[0].ID != o.ID || again[0].Text != o.Text {
		t.Error("observations are not deterministic")
	}
}

var (
	realOnce sync.Once
	realMaps map[string]*control.Map
	realErr  error
)

func realMap(t testing.TB, day string) *control.Map {
	t.Helper()
	realOnce.Do(func() {
		realMaps = map[string]*control.Map{}
		for _, d := range []string{"2025-03-14", "2025-04-13"} {
			m, err := control.New(controltest.DeepState(t, d), nil)
			if err != nil {
				realErr = err
				return
			}
			realMaps[d] = m
		}
	})
	if realErr != nil {
		t.Fatal(realErr)
	}
	return realMaps[day]
}

func TestDeepState(t *testing.T) {
	m := realMap(t, "2025-03-14")
	holders := []struct {
		name string
		p    geo.Point
		want string
	}{
		{"Kyiv", kyiv, "UA"},
		{"Kramatorsk", kramatorsk, "UA"},
		{"Zaporizhzhia", zaporizhzhi, "UA"},
		{"Donetsk", donetsk, "RU"},
		{"Melitopol", melitopol, "RU"},
		{"Simferopol", simferopol, "RU"},
		{"Sevastopol", sevastopol, "RU"},
		{"Belgorod", belgorod, control.Unknown},
		{"Chisinau", chisinau, control.Unknown},
		{"Black Sea", blackSea, control.Unknown},
	}
	for _, h := range holders {
		if got := m.Holder(h.p); got != h.want {
			t.Errorf("%s: holder %s, want %s", h.name, got, h.want)
		}
	}
	areas, err := m.Areas()
	if err != nil {
		t.Fatal(err)
	}
	byParty := map[string]control.Area{}
	var sum float64
	for _, a := range areas {
		byParty[a.Party] = a
		sum += a.M2
	}
	// RU + UA + unknown tile Ukraine.
	if ua := m.Territory.Ground.Area(); math.Abs(sum-ua) > 1e-6*ua {
		t.Errorf("areas sum to %.0f m², Ukraine is %.0f", sum, ua)
	}
	// DeepState's own polygon is 112,421.3 km² (MANIFEST.csv); clipped
	// to Natural Earth's Ukraine it loses what lies beyond the coast and
	// the 1:10m border: about 1.5%.
	ru := byParty["RU"]
	if got := ru.M2 / 1e6; got > 112421.3 || got < 112421.3*0.98 {
		t.Errorf("RU-held inside Ukraine %.1f km², want 98-100%% of 112,421.3", got)
	}
	if len(ru.Countries) == 0 || ru.Countries[0].Code != "UA" || math.Abs(ru.Countries[0].M2-ru.M2) > 1e-6*ru.M2 {
		t.Errorf("RU by country %+v: Ukraine first, equal to the clipped holding", ru.Countries)
	}
	var mapped float64
	for _, c := range ru.Countries {
		mapped += c.M2
	}
	if want := byParty["RU"].M2; mapped < want {
		t.Errorf("RU as mapped %.0f m² < clipped %.0f", mapped, want)
	}
	if u := byParty[control.Unknown].M2 / 1e6; u <= 0 || u > 1000 {
		t.Errorf("unknown ground %.1f km², want slivers: more than 0, less than 1,000", u)
	}

	// The line of contact: the front, not the border.
	if l := m.LineLength() / 1e3; l < 1000 || l > 1300 {
		t.Errorf("line of contact %.0f km, want 1,000-1,300", l)
	}
	outline := geo.NewLineIndex(m.Territory.Ground.Boundary())
	edge := geo.NewLineIndex(m.Holding("RU").Ground.Boundary())
	for i, l := range m.Line() {
		for j, p := range l {
			if d, _ := outline.Distance(p); d <= control.DefaultLineTolerance {
				t.Errorf("line[%d][%d] %v is %.0f m from the border or coast", i, j, p, d)
			}
			if d, _ := edge.Distance(p); d > 0.5 {
				t.Errorf("line[%d][%d] %v is %.1f m off the edge of RU-held ground", i, j, p, d)
			}
		}
	}
	// Kramatorsk lies some 20 km behind the front on the UA side.
	l := m.Locate(kramatorsk)
	if l.Holder != "UA" || l.SignedM >= 0 || l.DistanceM < 10e3 || l.DistanceM > 40e3 {
		t.Errorf("Kramatorsk: %+v", l)
	}
	if l := m.Locate(donetsk); l.Holder != "RU" || l.SignedM <= 0 {
		t.Errorf("Donetsk: %+v", l)
	}
}

func TestDeepStateDiff(t *testing.T) {
	a, b := realMap(t, "2025-03-14"), realMap(t, "2025-04-13")
	d, err := control.Compare(a, b, control.DefaultMinArea)
	if err != nil {
		t.Fatal(err)
	}
	ru, ua := d.Change("RU"), d.Change("UA")
	// MANIFEST.csv: 112,421.3 → 112,613.0 km², a net gain of 191.7 km².
	net := (ru.GainedM2 + ru.NoiseGainedM2 - ru.LostM2 - ru.NoiseLostM2) / 1e6
	if math.Abs(net-191.7) > 5 {
		t.Errorf("RU net change %.1f km², want about 191.7", net)
	}
	if len(ru.Gained) == 0 || ru.GainedM2 < 150e6 {
		t.Errorf("RU gained %.1f km² in %d patches", ru.GainedM2/1e6, len(ru.Gained))
	}
	for i, p := range ru.Gained {
		if p.AreaM2 < control.DefaultMinArea || i > 0 && p.AreaM2 > ru.Gained[i-1].AreaM2 {
			t.Errorf("gained[%d] %.0f m²: below the threshold or out of order", i, p.AreaM2)
		}
		if b.Holder(p.Centroid) != "RU" && a.Holder(p.Centroid) == "RU" {
			t.Errorf("gained[%d] centroid %v was RU-held before", i, p.Centroid)
		}
	}
	// What RU gained, UA lost (slivers aside).
	if math.Abs(ru.GainedM2-ua.LostM2) > 0.02*ru.GainedM2 {
		t.Errorf("RU gained %.1f km², UA lost %.1f", ru.GainedM2/1e6, ua.LostM2/1e6)
	}
}

func TestTimeline(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	src := &truce.Source{Name: "test", Role: truce.RoleDataset}
	if _, err := db.CreateSource(ctx, nil, src); err != nil {
		t.Fatal(err)
	}
	for _, m := range []*truce.ControlMap{rect("a", 14, 0.5, 0, 1, 1), rect("b", 15, 0.4, 0, 1, 1), rect("c", 17, 0.4, 0, 1, 1)} {
		if _, _, err := db.AddControlMap(ctx, src, m); err != nil {
			t.Fatal(err)
		}
	}
	tl := control.NewTimeline(db, "", squareOptions(t))
	at := func(day, hour int) time.Time { return time.Date(2025, 3, day, hour, 0, 0, 0, time.UTC) }
	for _, tt := range []struct {
		t    time.Time
		want string
	}{{at(14, 3), "a"}, {at(15, 2), "a"}, {at(15, 3), "b"}, {at(16, 23), "b"}, {at(30, 0), "c"}} {
		m, err := tl.At(ctx, tt.t)
		if err != nil || m.ID != tt.want {
			t.Errorf("At(%v) = %v, %v; want %s", tt.t, m, err, tt.want)
		}
	}
	if _, err := tl.At(ctx, at(13, 0)); truce.ErrorCode(err) != truce.ENOTFOUND {
		t.Errorf("before the first map: %v, want ENOTFOUND", err)
	}
	m1, _ := tl.At(ctx, at(14, 12))
	m2, _ := tl.Map(ctx, "a")
	if m1 != m2 {
		t.Error("the prepared map is not cached")
	}
	sched, err := tl.Schedule(ctx)
	if err != nil || len(sched) != 3 {
		t.Fatalf("schedule %v, %v", sched, err)
	}
	if r := sched.At(at(16, 0)); r == nil || r.ID != "b" {
		t.Errorf("Schedule.At = %v, want b", r)
	}
	if r := sched.At(at(1, 0)); r != nil {
		t.Errorf("Schedule.At before any map = %v", r)
	}
	ids := func(rs []*truce.ControlMapRecord) string {
		var s []string
		for _, r := range rs {
			s = append(s, r.ID)
		}
		return strings.Join(s, ",")
	}
	for _, tt := range []struct {
		from, to time.Time
		between  string
		after    string
	}{
		{at(14, 12), at(16, 0), "a,b", "c"}, // in force at from, then one in (from, to]
		{at(15, 3), at(17, 3), "b,c", ""},   // a map dated from is in force at from; one dated to is in
		{at(13, 0), at(14, 3), "a", "b"},    // none in force at from
		{at(18, 0), at(20, 0), "c", ""},     // only the one in force
		{at(1, 0), at(2, 0), "", "a"},       // before every map
	} {
		if got := ids(sched.Between(tt.from, tt.to)); got != tt.between {
			t.Errorf("Between(%v, %v) = %s, want %s", tt.from, tt.to, got, tt.between)
		}
		got := ""
		if r := sched.After(tt.to); r != nil {
			got = r.ID
		}
		if got != tt.after {
			t.Errorf("After(%v) = %q, want %q", tt.to, got, tt.after)
		}
	}
	// Concurrent users get one map.
	var wg sync.WaitGroup
	got := make([]*control.Map, 8)
	for i := range got {
		wg.Go(func() { got[i], _ = tl.Map(ctx, "c") })
	}
	wg.Wait()
	for _, m := range got {
		if m == nil || m != got[0] {
			t.Fatal("concurrent Map calls prepared the map more than once")
		}
	}

	diffs, err := tl.Advances(ctx, at(14, 12), at(31, 0), control.DefaultMinArea)
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) != 2 || diffs[0].From.ID != "a" || diffs[0].To.ID != "b" || diffs[1].To.ID != "c" {
		t.Fatalf("diffs %v", diffs)
	}
	obs, res, err := control.RecordAdvances(ctx, db, diffs)
	if err != nil {
		t.Fatal(err)
	}
	if len(obs) != 1 || len(res) != 1 || !res[0].Created {
		t.Fatalf("recorded %d observations, results %+v; want 1 new", len(obs), res)
	}
	rec, err := db.Observation(ctx, "test", obs[0].ID)
	if err != nil || rec.Source != "test" || rec.Kind != truce.KindAdvance {
		t.Fatalf("stored %+v, %v", rec, err)
	}
	if _, res, err = control.RecordAdvances(ctx, db, diffs); err != nil || res[0].Created {
		t.Errorf("recording again: %+v, %v; want nothing new", res, err)
	}
}

// TestDiffAbove checks that a diff at threshold 0, re-thresholded with
// Above, is the diff Compare gives at that threshold, sums to the bit, on
// the real maps; and that Diffs compares a pair once, whatever the
// goroutines asking.
func TestDiffAbove(t *testing.T) {
	from, to := realMap(t, "2025-03-14"), realMap(t, "2025-04-13")
	var ds control.Diffs
	zero, err := ds.Compare(from, to)
	if err != nil {
		t.Fatal(err)
	}
	for _, min := range []float64{0, 1, control.DefaultMinArea, 5e6, 1e12} {
		want, err := control.Compare(from, to, min)
		if err != nil {
			t.Fatal(err)
		}
		got, err := zero.Above(min)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			for i := range want.Changes {
				w, g := want.Changes[i], got.Changes[i]
				t.Errorf("threshold %g, %s: Above gives %d patches %v m², %d noise %v m²; Compare %d, %v, %d, %v",
					min, w.Party, len(g.Gained), g.GainedM2, g.NoiseGained, g.NoiseGainedM2, len(w.Gained), w.GainedM2, w.NoiseGained, w.NoiseGainedM2)
			}
		}
	}
	if _, err := (&control.Diff{MinAreaM2: 1}).Above(2); err == nil {
		t.Error("Above of a diff at a threshold other than 0: no error")
	}
	var wg sync.WaitGroup
	got := make([]*control.Diff, 8)
	for i := range got {
		wg.Go(func() { got[i], _ = ds.Compare(from, to) })
	}
	wg.Wait()
	for _, d := range got {
		if d != zero {
			t.Fatal("Diffs compared one pair twice")
		}
	}
}

// TestLineUsesEveryRing checks, on the DeepState map of 2025-03-14, that
// the distance to the line of contact near 37.53°E 47.96°N, where RU-held
// ground has an interior ring (a hole) well away from the border, is the
// distance to the nearest edge of that ground, computed independently over
// every ring. Before, a closed ring shorter than the minimum line length was
// dropped, and the distance came out 33 km instead of 0.4 km.
func TestLineUsesEveryRing(t *testing.T) {
	m, err := control.New(controltest.DeepState(t, "2025-03-14"), nil)
	if err != nil {
		t.Fatal(err)
	}
	ru := m.Holding("RU")
	holes := 0
	for _, poly := range ru.Ground {
		holes += len(poly) - 1
	}
	if holes == 0 {
		t.Fatal("RU-held ground has no interior ring")
	}
	for dy := -0.03; dy <= 0.03; dy += 0.015 {
		for dx := -0.05; dx <= 0.05; dx += 0.025 {
			p := geo.Point{37.53 + dx, 47.96 + dy}
			want := math.Inf(1)
			for _, poly := range ru.Ground {
				for _, ring := range poly {
					d, _ := geo.DistanceToLine(p, geo.LineString(ring))
					want = min(want, d)
				}
			}
			if got := m.Locate(p).DistanceM; math.Abs(got-want) > 50 {
				t.Errorf("%.3f, %.3f: %.0f m from the line, %.0f m from the nearest edge of RU-held ground", p[0], p[1], got, want)
			}
		}
	}
}
