package correlate_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/correlate"
	"github.com/truce-monitor/truce/geo"
)

var t0 = time.Date(2025, 3, 20, 14, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

// rec builds a record; log indexes follow the order of creation within a
// test through next.
type builder struct{ next int64 }

func (b *builder) rec(id, source string, role truce.Role, party string, kind truce.Kind, at time.Time, loc truce.Location) *truce.ObservationRecord {
	b.next++
	return &truce.ObservationRecord{
		Observation: &truce.Observation{
			ID: id, Source: source, SourceRole: role, SourceParty: party,
			Kind: kind, ObservedAt: at, TimePrecision: truce.PrecisionMinute, Location: loc,
		},
		LogIndex: b.next,
		LoggedAt: at.Add(time.Hour),
	}
}

func point(lon, lat, u float64) truce.Location {
	return truce.Location{Lon: ptr(lon), Lat: ptr(lat), UncertaintyM: u}
}

func bearing(lon, lat, deg, errDeg float64) truce.Location {
	return truce.Location{Observer: &truce.Position{Lon: lon, Lat: lat}, BearingDeg: ptr(deg), BearingErrorDeg: errDeg}
}

// offset returns the point metres away from lon, lat along azimuth.
func offset(lon, lat, azimuth, metres float64) (float64, float64) {
	q, _ := geo.Direct(geo.Point{lon, lat}, azimuth, metres)
	return q[0], q[1]
}

func run(t *testing.T, recs []*truce.ObservationRecord, opts *correlate.Options) *correlate.Result {
	t.Helper()
	res, err := correlate.Correlate(recs, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, inc := range res.Incidents {
		if err := inc.Validate(); err != nil {
			t.Fatalf("incident %s: %v", inc.ID, err)
		}
	}
	return res
}

// groups returns the incidents' member ids, as sorted lists, sorted.
func groups(res *correlate.Result) [][]string {
	var out [][]string
	for _, inc := range res.Incidents {
		out = append(out, inc.Observations)
	}
	slices.SortFunc(out, func(a, b []string) int { return slices.Compare(a, b) })
	return out
}

func TestFusion(t *testing.T) {
	const lon, lat = 37.80, 48.00 // near Pokrovsk
	mlon, mlat := offset(lon, lat, 90, 2000)
	far1lon, far1lat := offset(lon, lat, 0, 30000)
	type want struct {
		groups [][]string
		corr   []truce.Corroboration // per incident, in incident order
		kind   []truce.Kind
	}
	tests := []struct {
		name string
		recs func(b *builder) []*truce.ObservationRecord
		want want
	}{
		{
			name: "party allegation and monitor 2 km and 10 min apart fuse, independently checked",
			recs: func(b *builder) []*truce.ObservationRecord {
				return []*truce.ObservationRecord{
					b.rec("a-ua", "ua-liaison", truce.RoleParty, "UA", truce.KindArtillery, t0, point(lon, lat, 1000)),
					b.rec("b-mon", "smm-team-3", truce.RoleMonitor, "", truce.KindExplosion, t0.Add(10*time.Minute), point(mlon, mlat, 1000)),
				}
			},
			want: want{[][]string{{"a-ua", "b-mon"}}, []truce.Corroboration{truce.IndependentCheck}, []truce.Kind{truce.KindArtillery}},
		},
		{
			name: "same place a day apart stays two",
			recs: func(b *builder) []*truce.ObservationRecord {
				return []*truce.ObservationRecord{
					b.rec("a", "smm-team-3", truce.RoleMonitor, "", truce.KindArtillery, t0, point(lon, lat, 500)),
					b.rec("b", "smm-team-4", truce.RoleMonitor, "", truce.KindArtillery, t0.Add(24*time.Hour), point(lon, lat, 500)),
				}
			},
			want: want{[][]string{{"a"}, {"b"}}, []truce.Corroboration{truce.SingleSource, truce.SingleSource}, []truce.Kind{truce.KindArtillery, truce.KindArtillery}},
		},
		{
			name: "incompatible kinds at one place and time stay two",
			recs: func(b *builder) []*truce.ObservationRecord {
				return []*truce.ObservationRecord{
					b.rec("a", "smm-team-3", truce.RoleMonitor, "", truce.KindArtillery, t0, point(lon, lat, 500)),
					b.rec("b", "smm-team-3", truce.RoleMonitor, "", truce.KindMovementRestriction, t0, point(lon, lat, 500)),
				}
			},
			want: want{[][]string{{"a"}, {"b"}}, []truce.Corroboration{truce.SingleSource, truce.SingleSource}, []truce.Kind{truce.KindArtillery, truce.KindMovementRestriction}},
		},
		{
			name: "30 km apart stays two",
			recs: func(b *builder) []*truce.ObservationRecord {
				return []*truce.ObservationRecord{
					b.rec("a", "ua-liaison", truce.RoleParty, "UA", truce.KindArtillery, t0, point(lon, lat, 1000)),
					b.rec("b", "smm-team-3", truce.RoleMonitor, "", truce.KindArtillery, t0, point(far1lon, far1lat, 1000)),
				}
			},
			want: want{[][]string{{"a"}, {"b"}}, []truce.Corroboration{truce.SingleSource, truce.SingleSource}, []truce.Kind{truce.KindArtillery, truce.KindArtillery}},
		},
		{
			name: "two liaisons of one party: same_party",
			recs: func(b *builder) []*truce.ObservationRecord {
				return []*truce.ObservationRecord{
					b.rec("a", "ua-liaison-1", truce.RoleParty, "UA", truce.KindMLRS, t0, point(lon, lat, 1000)),
					b.rec("b", "ua-liaison-2", truce.RoleParty, "UA", truce.KindMLRS, t0.Add(5*time.Minute), point(mlon, mlat, 1000)),
				}
			},
			want: want{[][]string{{"a", "b"}}, []truce.Corroboration{truce.SameParty}, []truce.Kind{truce.KindMLRS}},
		},
		{
			// Each party alleges an act against itself: two acts.
			name: "both parties' allegations stay apart",
			recs: func(b *builder) []*truce.ObservationRecord {
				return []*truce.ObservationRecord{
					b.rec("a", "ua-liaison", truce.RoleParty, "UA", truce.KindMLRS, t0, point(lon, lat, 1000)),
					b.rec("b", "ru-liaison", truce.RoleParty, "RU", truce.KindMLRS, t0.Add(5*time.Minute), point(mlon, mlat, 1000)),
				}
			},
			want: want{[][]string{{"a"}, {"b"}}, []truce.Corroboration{truce.SingleSource, truce.SingleSource}, []truce.Kind{truce.KindMLRS, truce.KindMLRS}},
		},
		{
			// A monitor between them joins one, not both.
			name: "a monitor does not bridge two parties' allegations",
			recs: func(b *builder) []*truce.ObservationRecord {
				return []*truce.ObservationRecord{
					b.rec("a", "ua-liaison", truce.RoleParty, "UA", truce.KindMLRS, t0, point(lon, lat, 1000)),
					b.rec("b", "ru-liaison", truce.RoleParty, "RU", truce.KindMLRS, t0.Add(5*time.Minute), point(mlon, mlat, 1000)),
					b.rec("c", "smm", truce.RoleMonitor, "", truce.KindMLRS, t0.Add(2*time.Minute), point(lon, lat, 300)),
				}
			},
			want: want{[][]string{{"a", "c"}, {"b"}}, []truce.Corroboration{truce.IndependentCheck, truce.SingleSource}, []truce.Kind{truce.KindMLRS, truce.KindMLRS}},
		},
		{
			name: "a party and a dataset: several_sources",
			recs: func(b *builder) []*truce.ObservationRecord {
				return []*truce.ObservationRecord{
					b.rec("a", "ua-liaison", truce.RoleParty, "UA", truce.KindDroneStrike, t0, point(lon, lat, 1000)),
					b.rec("b", "viina", truce.RoleDataset, "", truce.KindExplosion, t0.Add(40*time.Minute), point(mlon, mlat, 1000)),
				}
			},
			want: want{[][]string{{"a", "b"}}, []truce.Corroboration{truce.SeveralSources}, []truce.Kind{truce.KindDroneStrike}},
		},
		{
			name: "one source twice: single_source",
			recs: func(b *builder) []*truce.ObservationRecord {
				return []*truce.ObservationRecord{
					b.rec("a", "ua-liaison", truce.RoleParty, "UA", truce.KindArtillery, t0, point(lon, lat, 1000)),
					b.rec("b", "ua-liaison", truce.RoleParty, "UA", truce.KindArtillery, t0.Add(time.Minute), point(lon, lat, 1000)),
				}
			},
			want: want{[][]string{{"a", "b"}}, []truce.Corroboration{truce.SingleSource}, []truce.Kind{truce.KindArtillery}},
		},
		{
			name: "a chain of reports longer than MaxSpan is cut",
			recs: func(b *builder) []*truce.ObservationRecord {
				var rs []*truce.ObservationRecord
				for i := range 82 { // every 9 min for 12 h 9 min
					rs = append(rs, b.rec(fmt.Sprintf("r%02d", i), "smm-team-3", truce.RoleMonitor, "", truce.KindArtillery, t0.Add(time.Duration(i)*9*time.Minute), point(lon, lat, 500)))
				}
				return rs
			},
			want: want{
				groups: func() [][]string {
					var first []string
					for i := range 81 {
						first = append(first, fmt.Sprintf("r%02d", i))
					}
					return [][]string{first, {"r81"}}
				}(),
				corr: []truce.Corroboration{truce.SingleSource, truce.SingleSource},
				kind: []truce.Kind{truce.KindArtillery, truce.KindArtillery},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, tt.recs(&builder{}), nil)
			if got := groups(res); !slices.EqualFunc(got, tt.want.groups, slices.Equal) {
				t.Fatalf("groups = %v, want %v", got, tt.want.groups)
			}
			for _, inc := range res.Incidents {
				i := slices.IndexFunc(tt.want.groups, func(g []string) bool { return slices.Equal(g, inc.Observations) })
				if inc.Corroboration != tt.want.corr[i] {
					t.Errorf("incident %d %v: corroboration %s, want %s", i, inc.Observations, inc.Corroboration, tt.want.corr[i])
				}
				if inc.Kind != tt.want.kind[i] {
					t.Errorf("incident %d %v: kind %s, want %s", i, inc.Observations, inc.Kind, tt.want.kind[i])
				}
			}
		})
	}
}

func TestBearings(t *testing.T) {
	// The event, two monitors 8 km to its south-west and south-east.
	const lon, lat = 37.60, 48.30
	olon1, olat1 := offset(lon, lat, 225, 8000)
	olon2, olat2 := offset(lon, lat, 135, 8000)
	_, az1, _ := geo.Inverse(geo.Point{olon1, olat1}, geo.Point{lon, lat})
	_, az2, _ := geo.Inverse(geo.Point{olon2, olat2}, geo.Point{lon, lat})
	norm := func(a float64) float64 {
		for a < 0 {
			a += 360
		}
		return a
	}
	b := &builder{}
	recs := []*truce.ObservationRecord{
		b.rec("m1", "osce-team-1", truce.RoleMonitor, "", truce.KindExplosion, t0, bearing(olon1, olat1, norm(az1)+1, 2)),
		b.rec("m2", "osce-team-2", truce.RoleMonitor, "", truce.KindArtillery, t0.Add(3*time.Minute), bearing(olon2, olat2, norm(az2)-1, 2)),
		// A third bearing pointing elsewhere (north from a far observer).
		b.rec("m3", "osce-team-3", truce.RoleMonitor, "", truce.KindArtillery, t0, bearing(38.5, 48.0, 0, 2)),
	}
	res := run(t, recs, nil)
	if got, want := groups(res), [][]string{{"m1", "m2"}, {"m3"}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("groups = %v, want %v", got, want)
	}
	var inc *truce.Incident
	for _, i := range res.Incidents {
		if len(i.Observations) == 2 {
			inc = i
		}
	}
	want, err := geo.Triangulate([]geo.Sighting{
		{From: geo.Point{olon1, olat1}, Azimuth: norm(az1) + 1, AzimuthSigma: 2},
		{From: geo.Point{olon2, olat2}, Azimuth: norm(az2) - 1, AzimuthSigma: 2},
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := geo.Distance(geo.Point{inc.Lon, inc.Lat}, want.Point); d > 1 {
		t.Errorf("incident at %v, %v: %.1f m from the crossing %v", inc.Lon, inc.Lat, d, want.Point)
	}
	if d := geo.Distance(geo.Point{inc.Lon, inc.Lat}, geo.Point{lon, lat}); d > 500 {
		t.Errorf("incident %.0f m from the event", d)
	}
	if inc.UncertaintyM <= 0 || inc.UncertaintyM > 1000 {
		t.Errorf("uncertainty %v m, want a few hundred", inc.UncertaintyM)
	}
	if inc.Corroboration != truce.IndependentCheck || inc.Kind != truce.KindArtillery {
		t.Errorf("corroboration %s kind %s", inc.Corroboration, inc.Kind)
	}
}

func TestBearingAndPoint(t *testing.T) {
	const lon, lat = 36.20, 47.60
	olon, olat := offset(lon, lat, 200, 6000)
	b := &builder{}
	withDist := bearing(olon, olat, 20, 1)
	withDist.DistanceM = ptr(6000.0)
	withDist.DistanceErrorM = 200
	recs := []*truce.ObservationRecord{
		// A bearing without a distance, crossing a party's point report.
		b.rec("bear", "osce-team-1", truce.RoleMonitor, "", truce.KindMortar, t0, bearing(olon, olat, 20, 3)),
		b.rec("pt", "ru-liaison", truce.RoleParty, "RU", truce.KindMortar, t0.Add(5*time.Minute), point(lon, lat, 800)),
		// A bearing with a distance, two days later: a point by itself.
		b.rec("dist", "osce-team-1", truce.RoleMonitor, "", truce.KindMortar, t0.Add(48*time.Hour), withDist),
		// A bearing that points away from the report does not fuse.
		b.rec("away", "osce-team-2", truce.RoleMonitor, "", truce.KindMortar, t0, bearing(olon, olat, 200, 3)),
	}
	distPoint, _ := geo.Direct(geo.Point{olon, olat}, 20, 6000)
	res := run(t, recs, nil)
	if got, want := groups(res), [][]string{{"away"}, {"bear", "pt"}, {"dist"}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("groups = %v, want %v", got, want)
	}
	for _, inc := range res.Incidents {
		switch inc.Observations[0] {
		case "dist":
			if d := geo.Distance(geo.Point{inc.Lon, inc.Lat}, distPoint); d > 0.5 {
				t.Errorf("bearing and distance placed %.1f m from the point they give", d)
			}
		case "bear":
			// A lone bearing does not move the point report.
			if d := geo.Distance(geo.Point{inc.Lon, inc.Lat}, geo.Point{lon, lat}); d > 1 {
				t.Errorf("bearing and point placed %.1f m from the point", d)
			}
			if inc.Corroboration != truce.IndependentCheck {
				t.Errorf("corroboration %s", inc.Corroboration)
			}
		}
	}
}

func TestOrigin(t *testing.T) {
	// Two acoustic sensors' bearings to a firing position; the impact is
	// reported as a point.
	const ilon, ilat = 37.00, 48.00
	flon, flat := offset(ilon, ilat, 90, 12000) // the gun, 12 km east
	s1lon, s1lat := offset(flon, flat, 300, 9000)
	s2lon, s2lat := offset(flon, flat, 230, 9000)
	_, az1, _ := geo.Inverse(geo.Point{s1lon, s1lat}, geo.Point{flon, flat})
	_, az2, _ := geo.Inverse(geo.Point{s2lon, s2lat}, geo.Point{flon, flat})
	b := &builder{}
	r1 := b.rec("imp1", "smm-team-1", truce.RoleMonitor, "", truce.KindArtillery, t0, point(ilon, ilat, 300))
	r1.Origin = &truce.Location{Observer: &truce.Position{Lon: s1lon, Lat: s1lat}, BearingDeg: ptr(az1), BearingErrorDeg: 1}
	r2 := b.rec("imp2", "acoustic-7", truce.RoleSensor, "", truce.KindArtillery, t0.Add(time.Minute), point(ilon+0.005, ilat, 300))
	r2.Origin = &truce.Location{Observer: &truce.Position{Lon: s2lon, Lat: s2lat}, BearingDeg: ptr(az2), BearingErrorDeg: 1}
	res := run(t, []*truce.ObservationRecord{r1, r2}, nil)
	if len(res.Incidents) != 1 {
		t.Fatalf("%d incidents, want 1", len(res.Incidents))
	}
	inc := res.Incidents[0]
	if inc.Origin == nil {
		t.Fatal("no origin")
	}
	if d := geo.Distance(geo.Point{inc.Origin.Lon, inc.Origin.Lat}, geo.Point{flon, flat}); d > 10 {
		t.Errorf("origin %.1f m from the gun", d)
	}
}

func TestSkipped(t *testing.T) {
	b := &builder{}
	old := b.rec("old", "ua-liaison", truce.RoleParty, "UA", truce.KindArtillery, t0, point(37, 48, 100))
	old.SupersededBy = []string{"new"}
	recs := []*truce.ObservationRecord{
		old,
		b.rec("new", "ua-liaison", truce.RoleParty, "UA", truce.KindArtillery, t0, point(37, 48, 100)),
		b.rec("region", "airforce", truce.RoleDataset, "", truce.KindDroneStrike, t0, truce.Location{Region: "Kharkiv oblast", GeoPrecision: truce.GeoOblast}),
		b.rec("country", "airforce", truce.RoleDataset, "", truce.KindMissileStrike, t0, truce.Location{Lon: ptr(31.0), Lat: ptr(49.0), Region: "Ukraine", GeoPrecision: truce.GeoCountry}),
		b.rec("vague", "airforce", truce.RoleDataset, "", truce.KindDroneStrike, t0, truce.Location{Lon: ptr(36.2), Lat: ptr(49.9), Region: "Kharkiv oblast", GeoPrecision: truce.GeoOblast}),
		b.rec("near-vague", "ua-liaison", truce.RoleParty, "UA", truce.KindDroneStrike, t0, point(36.2, 49.9, 100)),
	}
	res := run(t, recs, nil)
	var skipped []string
	for _, s := range res.Skipped {
		if s.Reason == "" {
			t.Errorf("%s skipped without a reason", s.Observation)
		}
		skipped = append(skipped, s.Observation)
	}
	if want := []string{"old", "region"}; !slices.Equal(skipped, want) {
		t.Errorf("skipped %v, want %v", skipped, want)
	}
	// An oblast-wide report is too vague to fuse with a point in it; a
	// country-wide one with a representative point is an incident by
	// itself.
	if got, want := groups(res), [][]string{{"country"}, {"near-vague"}, {"new"}, {"vague"}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("groups = %v, want %v", got, want)
	}
}

func TestErrors(t *testing.T) {
	b := &builder{}
	a := b.rec("a", "s", truce.RoleMonitor, "", truce.KindArtillery, t0, point(37, 48, 100))
	a2 := b.rec("a", "s", truce.RoleMonitor, "", truce.KindArtillery, t0, point(37, 48, 100))
	zero := b.rec("z", "s", truce.RoleMonitor, "", truce.KindArtillery, time.Time{}, point(37, 48, 100))
	tests := []struct {
		name string
		recs []*truce.ObservationRecord
		opts *correlate.Options
		path string
	}{
		{"nil record", []*truce.ObservationRecord{a, nil}, nil, "[1]"},
		{"zero time", []*truce.ObservationRecord{a, zero}, nil, "[1].observed_at"},
		{"duplicate id", []*truce.ObservationRecord{a, a2}, nil, "log_index 2"},
		{"negative eps", []*truce.ObservationRecord{a}, &correlate.Options{EpsM: -1}, "EpsM"},
		{"eps_t under a second", []*truce.ObservationRecord{a}, &correlate.Options{EpsT: time.Millisecond}, "EpsT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := correlate.Correlate(tt.recs, tt.opts)
			if truce.ErrorCode(err) != truce.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			ps := truce.ErrorProblems(err)
			if len(ps) != 1 || ps[0].Path != tt.path {
				t.Errorf("problems %v, want one at %q", ps, tt.path)
			}
		})
	}
}

func TestCompatible(t *testing.T) {
	for _, a := range truce.Kinds {
		if !correlate.Compatible(a, a) {
			t.Errorf("%s not compatible with itself", a)
		}
		for _, b := range truce.Kinds {
			if correlate.Compatible(a, b) != correlate.Compatible(b, a) {
				t.Errorf("Compatible(%s, %s) is not symmetric", a, b)
			}
		}
	}
	for _, p := range [][2]truce.Kind{{truce.KindArtillery, truce.KindExplosion}, {truce.KindFire, truce.KindMissileStrike}, {truce.KindMLRS, truce.KindArtillery}} {
		if !correlate.Compatible(p[0], p[1]) {
			t.Errorf("%s and %s should be compatible", p[0], p[1])
		}
	}
	for _, p := range [][2]truce.Kind{{truce.KindArtillery, truce.KindAdvance}, {truce.KindFire, truce.KindSmallArms}, {truce.KindOther, truce.KindExplosion}} {
		if correlate.Compatible(p[0], p[1]) {
			t.Errorf("%s and %s should not be compatible", p[0], p[1])
		}
	}
}

func TestReturnFire(t *testing.T) {
	// The line of contact runs north-south along 37.80°E, one party west of
	// it, the other east. West fires from 8 km behind the line to 3 km
	// beyond it; 10 minutes later, east fires back the same way.
	const llon, llat = 37.80, 48.00
	o1lon, o1lat := offset(llon, llat, 270, 8000) // west's guns
	i1lon, i1lat := offset(llon, llat, 90, 3000)  // their impact, east of the line
	o2lon, o2lat := offset(llon, llat, 90, 8000)  // east's guns
	i2lon, i2lat := offset(llon, llat, 270, 3000) // the return fire's impact
	slon, slat := offset(llon, llat, 180, 6000)   // an acoustic sensor south of both
	az := func(lon, lat float64) float64 {
		_, a, _ := geo.Inverse(geo.Point{slon, slat}, geo.Point{lon, lat})
		return a
	}
	withOrigin := func(r *truce.ObservationRecord, o truce.Location) *truce.ObservationRecord {
		r.Origin = &o
		return r
	}
	t10 := t0.Add(10 * time.Minute)
	alon, alat := offset(llon, llat, 90, 1000) // an allegation between the impacts, nearer the first
	tests := []struct {
		name string
		recs func(b *builder) []*truce.ObservationRecord
		opts *correlate.Options
		want [][]string
	}{
		{
			name: "fire and return fire 10 min apart with origins on either side stay two",
			recs: func(b *builder) []*truce.ObservationRecord {
				return []*truce.ObservationRecord{
					withOrigin(b.rec("m1", "smm-team-3", truce.RoleMonitor, "", truce.KindArtillery, t0, point(i1lon, i1lat, 3000)), point(o1lon, o1lat, 1000)),
					withOrigin(b.rec("m2", "smm-team-3", truce.RoleMonitor, "", truce.KindArtillery, t10, point(i2lon, i2lat, 3000)), point(o2lon, o2lat, 1000)),
				}
			},
			want: [][]string{{"m1"}, {"m2"}},
		},
		{
			name: "the same with origins so lax that they always agree: one",
			recs: func(b *builder) []*truce.ObservationRecord {
				return []*truce.ObservationRecord{
					withOrigin(b.rec("m1", "smm-team-3", truce.RoleMonitor, "", truce.KindArtillery, t0, point(i1lon, i1lat, 3000)), point(o1lon, o1lat, 1000)),
					withOrigin(b.rec("m2", "smm-team-3", truce.RoleMonitor, "", truce.KindArtillery, t10, point(i2lon, i2lat, 3000)), point(o2lon, o2lat, 1000)),
				}
			},
			opts: &correlate.Options{OriginK: 1e6},
			want: [][]string{{"m1", "m2"}},
		},
		{
			name: "an acoustic sensor's launch bearings to either side stay two",
			recs: func(b *builder) []*truce.ObservationRecord {
				return []*truce.ObservationRecord{
					withOrigin(b.rec("s1", "acoustic-1", truce.RoleSensor, "", truce.KindArtillery, t0, point(i1lon, i1lat, 3000)), bearing(slon, slat, az(o1lon, o1lat), 3)),
					withOrigin(b.rec("s2", "acoustic-1", truce.RoleSensor, "", truce.KindArtillery, t10, point(i2lon, i2lat, 3000)), bearing(slon, slat, az(o2lon, o2lat), 3)),
				}
			},
			want: [][]string{{"s1"}, {"s2"}},
		},
		{
			name: "a launch bearing and a point origin on the other side stay two",
			recs: func(b *builder) []*truce.ObservationRecord {
				return []*truce.ObservationRecord{
					withOrigin(b.rec("s1", "acoustic-1", truce.RoleSensor, "", truce.KindArtillery, t0, point(i1lon, i1lat, 3000)), bearing(slon, slat, az(o1lon, o1lat), 3)),
					withOrigin(b.rec("m2", "smm-team-3", truce.RoleMonitor, "", truce.KindArtillery, t10, point(i2lon, i2lat, 3000)), point(o2lon, o2lat, 1000)),
				}
			},
			want: [][]string{{"m2"}, {"s1"}},
		},
		{
			name: "same-direction reports 10 min apart fuse",
			recs: func(b *builder) []*truce.ObservationRecord {
				o := func(m float64) truce.Location { lon, lat := offset(o1lon, o1lat, 0, m); return point(lon, lat, 1000) }
				return []*truce.ObservationRecord{
					withOrigin(b.rec("m1", "smm-team-3", truce.RoleMonitor, "", truce.KindArtillery, t0, point(i1lon, i1lat, 3000)), o(0)),
					withOrigin(b.rec("m2", "smm-team-4", truce.RoleMonitor, "", truce.KindArtillery, t10, point(i1lon, i1lat+0.01, 3000)), o(1500)),
					withOrigin(b.rec("s1", "acoustic-1", truce.RoleSensor, "", truce.KindArtillery, t10, point(i1lon, i1lat, 3000)), bearing(slon, slat, az(o1lon, o1lat)+2, 3)),
				}
			},
			want: [][]string{{"m1", "m2", "s1"}},
		},
		{
			name: "a report without origin between them joins the nearer, not both",
			recs: func(b *builder) []*truce.ObservationRecord {
				return []*truce.ObservationRecord{
					withOrigin(b.rec("m1", "smm-team-3", truce.RoleMonitor, "", truce.KindArtillery, t0, point(i1lon, i1lat, 3000)), point(o1lon, o1lat, 1000)),
					b.rec("p", "ua-liaison", truce.RoleParty, "UA", truce.KindArtillery, t0.Add(5*time.Minute), point(alon, alat, 3000)),
					withOrigin(b.rec("m2", "smm-team-3", truce.RoleMonitor, "", truce.KindArtillery, t10, point(i2lon, i2lat, 3000)), point(o2lon, o2lat, 1000)),
				}
			},
			want: [][]string{{"m1", "p"}, {"m2"}},
		},
		{
			name: "reports without origin chained to both sides do not bridge them",
			recs: func(b *builder) []*truce.ObservationRecord {
				// p1 fits the first group only, p2 the second only; p1 and
				// p2 agree with each other.
				p1lon, p1lat := offset(i1lon, i1lat, 90, 2000)
				p2lon, p2lat := offset(i2lon, i2lat, 270, 2000)
				return []*truce.ObservationRecord{
					withOrigin(b.rec("m1", "smm-team-3", truce.RoleMonitor, "", truce.KindArtillery, t0, point(i1lon, i1lat, 1000)), point(o1lon, o1lat, 1000)),
					b.rec("p1", "ru-liaison", truce.RoleParty, "RU", truce.KindArtillery, t0, point(p1lon, p1lat, 1000)),
					b.rec("p2", "ua-liaison", truce.RoleParty, "UA", truce.KindArtillery, t10, point(p2lon, p2lat, 6000)),
					withOrigin(b.rec("m2", "smm-team-3", truce.RoleMonitor, "", truce.KindArtillery, t10, point(i2lon, i2lat, 1000)), point(o2lon, o2lat, 1000)),
				}
			},
			want: [][]string{{"m1", "p1"}, {"m2", "p2"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := tt.recs(&builder{})
			for _, order := range [][]*truce.ObservationRecord{recs, reversed(recs)} {
				if got := groups(run(t, order, tt.opts)); !slices.EqualFunc(got, tt.want, slices.Equal) {
					t.Fatalf("groups = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func reversed[T any](s []T) []T {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}
