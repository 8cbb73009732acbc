package truce_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

var sealKey = []byte("0123456789abcdef0123456789abcdef")

func f64(v float64) *float64 { return &v }

// monitorReport is a monitor's sound report with every private group.
func monitorReport() *truce.Observation {
	return &truce.Observation{
		ID: "team-3-0001", Source: "smm-team-3", SourceRole: truce.RoleMonitor,
		Kind: truce.KindArtillery, ObservedAt: time.Date(2025, 3, 20, 4, 10, 0, 0, time.UTC),
		TimePrecision: truce.PrecisionMinute,
		Location: truce.Location{Observer: &truce.Position{Lon: 37.8, Lat: 48.1}, BearingDeg: f64(90),
			BearingErrorDeg: 5, DistanceM: f64(3000), DistanceErrorM: 500},
		Text: "heard from the ridge", Lang: "en",
		Evidence: []truce.Evidence{{SHA256: strings.Repeat("ab", 32), Ref: "photo-17.jpg"}},
	}
}

func TestSealRoundTrip(t *testing.T) {
	p := truce.DefaultDisclosure()
	o := monitorReport()
	pub, pp, err := truce.Seal(p, sealKey, o)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pub.Canonical()
	for _, secret := range []string{"smm-team-3", "team-3-0001", "ridge", "photo-17", "37.8,", "48.1,"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("public form %s holds %q", b, secret)
		}
	}
	if len(pub.Commitments) != 4 || pub.Location == nil || pub.Location.Lon == nil {
		t.Fatalf("public form: %s", b)
	}
	if err := pp.Check(pub); err != nil {
		t.Fatal(err)
	}
	back, err := truce.Unseal(pub, pp)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := o.Canonical()
	got, _ := back.Canonical()
	if string(got) != string(want) {
		t.Errorf("unsealed\n %s\nwant\n %s", got, want)
	}
	// Sealing is a function of the input and the key.
	pub2, _, _ := truce.Seal(p, sealKey, o)
	if b2, _ := pub2.Canonical(); string(b2) != string(b) {
		t.Error("sealing twice gave different public forms")
	}
	other := []byte("another key, thirty-two bytes...")
	if pub3, _, _ := truce.Seal(p, other, o); pub3.ID == pub.ID {
		t.Error("the public id does not depend on the key")
	}
}

func TestCheckFindsEdits(t *testing.T) {
	p := truce.DefaultDisclosure()
	pub, pp, err := truce.Seal(p, sealKey, monitorReport())
	if err != nil {
		t.Fatal(err)
	}
	edits := []struct {
		name  string
		group truce.FieldGroup
		edit  func(s *truce.SealedGroup)
	}{
		{"text changed", truce.GroupText, func(s *truce.SealedGroup) { s.Value = json.RawMessage(`{"text":"heard nothing","lang":"en"}`) }},
		{"salt changed", truce.GroupPosition, func(s *truce.SealedGroup) { s.Salt = strings.Repeat("00", 32) }},
		{"salt malformed", truce.GroupEvidence, func(s *truce.SealedGroup) { s.Salt = "xyz" }},
		{"salt in upper case", truce.GroupEvidence, func(s *truce.SealedGroup) { s.Salt = strings.ToUpper(s.Salt) }},
		{"source renamed", truce.GroupSource, func(s *truce.SealedGroup) {
			s.Value = json.RawMessage(`{"source":"smm-team-4","id":"team-3-0001"}`)
		}},
	}
	// A group under a name that is no field group (a key edited from
	// "source") is not taken as if it were absent.
	renamed := truce.PrivateParts{"sour%e": pp[truce.GroupSource], truce.GroupText: pp[truce.GroupText]}
	if err := renamed.Check(pub); err == nil || !strings.Contains(err.Error(), "sour%e") {
		t.Errorf("Check with a group renamed = %v, want an error naming it", err)
	}
	for _, e := range edits {
		t.Run(e.name, func(t *testing.T) {
			c := truce.PrivateParts{}
			for g, s := range pp {
				cp := *s
				c[g] = &cp
			}
			e.edit(c[e.group])
			err := c.Check(pub)
			if err == nil || !strings.Contains(err.Error(), string(e.group)) {
				t.Errorf("Check = %v, want an error naming group %s", err, e.group)
			}
		})
	}
}

func TestView(t *testing.T) {
	p := truce.DefaultDisclosure()
	o := monitorReport()
	pub, pp, err := truce.Seal(p, sealKey, o)
	if err != nil {
		t.Fatal(err)
	}
	logged := o.ObservedAt.Add(time.Minute)
	h := time.Hour
	ua := truce.Audience{Kind: truce.AudienceParty, Party: "UA", Source: "ua-liaison"}
	release := &truce.Release{ID: "r1", Observation: pub.ID, Groups: []truce.FieldGroup{truce.GroupText}, To: truce.AudienceParty, Party: "UA", Reason: "answers UA's allegation"}
	all := "evidence,position,source,text"
	tests := []struct {
		name     string
		a        truce.Audience
		after    time.Duration
		releases []*truce.Release
		shown    string
		cell     bool
	}{
		{"mission at once", truce.Audience{Kind: truce.AudienceMission}, 0, nil, all, false},
		{"the source itself", truce.Audience{Kind: truce.AudienceSource, Source: "smm-team-3"}, 0, nil, all, false},
		{"another monitor", truce.Audience{Kind: truce.AudienceSource, Source: "smm-team-4"}, 0, nil, "", false},
		{"public at once", truce.Public, 0, nil, "", false},
		{"party before 72h", ua, 72*h - time.Second, nil, "", false},
		{"party at 72h", ua, 72 * h, nil, "position,source", false},
		{"party with a release", ua, 72 * h, []*truce.Release{release}, "position,source,text", false},
		{"public with a party release", truce.Public, 8 * 24 * h, []*truce.Release{release}, "source", true},
		{"the other party with UA's release", truce.Audience{Kind: truce.AudienceParty, Party: "RU"}, 72 * h, []*truce.Release{release}, "position,source", false},
		{"public with a public release, before the embargo", truce.Public, 0, []*truce.Release{{Groups: []truce.FieldGroup{truce.GroupEvidence, truce.GroupPosition}, To: truce.AudiencePublic}}, "evidence,position", false},
		{"public before 7d", truce.Public, 7*24*h - time.Second, nil, "", false},
		{"public at 7d: a cell, not the position", truce.Public, 7 * 24 * h, nil, "source", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := p.View(tt.a, logged.Add(tt.after), logged, pub, pp, tt.releases)
			var got []string
			for _, g := range v.Shown() {
				got = append(got, string(g))
			}
			if s := strings.Join(got, ","); s != tt.shown {
				t.Errorf("shown %q, want %q", s, tt.shown)
			}
			if (v.Cell != nil) != tt.cell {
				t.Errorf("cell %+v, want one: %v", v.Cell, tt.cell)
			}
			if len(v.Shown())+len(v.Withheld) != 4 {
				t.Errorf("shown %v and withheld %v do not cover the four groups", v.Shown(), v.Withheld)
			}
			b, _ := json.Marshal(v)
			released := false
			for _, r := range tt.releases {
				released = released || r.Shows(truce.GroupPosition, tt.a)
			}
			if tt.a.Kind == truce.AudiencePublic && !released && strings.Contains(string(b), "37.8,") {
				t.Errorf("public view holds the observer's longitude: %s", b)
			}
		})
	}
}

func TestGridCell(t *testing.T) {
	for _, pt := range [][2]float64{{37.8, 48.1}, {37.53, 47.96}, {-0.001, 0.001}, {179.99, 89.99}, {33.1, 44.6}} {
		c := truce.GridCell(pt[0], pt[1], 5)
		dlat := (c.Lat - pt[1]) * 111.195
		dlon := (c.Lon - pt[0]) * 111.195 * math.Cos(c.Lat*math.Pi/180)
		if math.Abs(dlat) > 2.5+1e-3 || math.Abs(dlon) > 2.5+0.1 {
			t.Errorf("%v: cell %+v is %.2f km, %.2f km off", pt, c, dlat, dlon)
		}
		// Every point of a cell gives the same cell.
		if c2 := truce.GridCell(c.Lon, c.Lat, 5); c2 != c {
			t.Errorf("%v: the centre %+v lies in %+v", pt, c, c2)
		}
	}
}

func TestOpenSource(t *testing.T) {
	p := truce.DefaultDisclosure()
	o := &truce.Observation{ID: "viina-1", Source: "viina", SourceRole: truce.RoleDataset, Kind: truce.KindArtillery,
		ObservedAt: time.Date(2025, 3, 20, 0, 0, 0, 0, time.UTC), TimePrecision: truce.PrecisionDay,
		Location: truce.Location{Lon: f64(37.5), Lat: f64(48.0), UncertaintyM: 1000}, Text: "Ukrainska Pravda: shelling"}
	pub, pp, err := truce.Seal(p, sealKey, o)
	if err != nil || pp != nil || pub.Commitments != nil || pub.Clear == nil {
		t.Fatalf("open source sealed as %+v, %v, %v", pub, pp, err)
	}
	if pub.ID != truce.PublicID(nil, "viina", "viina-1") {
		t.Error("an open source's public id is not computable by anyone")
	}
	back, err := truce.Unseal(pub, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := o.Canonical()
	got, _ := back.Canonical()
	if string(got) != string(want) {
		t.Errorf("unsealed %s, want %s", got, want)
	}
}

func TestDelayAndPolicy(t *testing.T) {
	for _, s := range []string{"0", "never", "3d", "7d", "1h30m0s"} {
		d, err := truce.ParseDelay(s)
		if err != nil || d.String() != s {
			t.Errorf("ParseDelay(%q) = %v, %v", s, d, err)
		}
	}
	for _, s := range []string{"", "-1h", "7 days", "1e9d", "forever"} {
		if _, err := truce.ParseDelay(s); err == nil {
			t.Errorf("ParseDelay(%q) accepted", s)
		}
	}
	if d, _ := truce.ParseDelay("72h"); d.String() != "3d" {
		t.Errorf("72h written %s", d)
	}
	strict := truce.DefaultDisclosure()
	strict.Position.Parties = truce.After(10 * 24 * time.Hour)
	strict.Position.Public = truce.Never
	strict.OpenRoles = nil
	got := truce.EffectivePolicy([]*truce.Agreement{{}, {Disclosure: strict}})
	if !got.Position.Public.IsNever() || got.Position.Parties.Duration() != 240*time.Hour || got.Open(truce.RoleDataset) {
		t.Errorf("effective policy %+v is not the stricter", got)
	}
	bad := truce.DefaultDisclosure()
	bad.Source.Public = truce.After(time.Hour)
	bad.OpenRoles = []truce.Role{truce.RoleMonitor}
	err := bad.Validate()
	if err == nil || !strings.Contains(err.Error(), "disclosure.source.public") || !strings.Contains(err.Error(), "open_roles[0]") {
		t.Errorf("Validate = %v", err)
	}
}

func FuzzParseDelay(f *testing.F) {
	for _, s := range []string{"0", "never", "7d", "72h", "1h30m", "-1h", "99999d", "1e9h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := truce.ParseDelay(s)
		if err != nil {
			return
		}
		back, err := truce.ParseDelay(d.String())
		if err != nil || back != d {
			t.Fatalf("%q parsed as %v, which reads back as %v, %v", s, d, back, err)
		}
	})
}

func BenchmarkSeal(b *testing.B) {
	p := truce.DefaultDisclosure()
	o := monitorReport()
	b.ReportAllocs()
	for b.Loop() {
		pub, _, err := truce.Seal(p, sealKey, o)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := pub.Canonical(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestUnsealInputs: a reader who holds an observation's input groups
// derives from it what the mission does, text aside; one who lacks an
// input group learns which, and nothing is derived; a group that does not
// match its commitment is an error whatever else is held.
func TestUnsealInputs(t *testing.T) {
	o := monitorReport()
	pub, pp, err := truce.Seal(truce.DefaultDisclosure(), sealKey, o)
	if err != nil {
		t.Fatal(err)
	}
	without := func(gs ...truce.FieldGroup) truce.PrivateParts {
		c := truce.PrivateParts{}
		for g, s := range pp {
			c[g] = s
		}
		for _, g := range gs {
			delete(c, g)
		}
		return c
	}
	if got := pub.Inputs(); len(got) != 2 || got[0] != truce.GroupPosition || got[1] != truce.GroupSource {
		t.Errorf("inputs of a report %v, want position and source", got)
	}
	tests := []struct {
		name     string
		held     truce.PrivateParts
		withheld []truce.FieldGroup
		err      bool
	}{
		{"all held", pp, nil, false},
		{"text and evidence withheld", without(truce.GroupText, truce.GroupEvidence), nil, false},
		{"position withheld", without(truce.GroupPosition, truce.GroupText), []truce.FieldGroup{truce.GroupPosition}, false},
		{"nothing held", nil, []truce.FieldGroup{truce.GroupPosition, truce.GroupSource}, false},
		{"an edited text", func() truce.PrivateParts {
			c := without()
			c[truce.GroupText] = &truce.SealedGroup{Salt: pp[truce.GroupText].Salt, Value: json.RawMessage(`{"text":"x","lang":"en"}`)}
			return c
		}(), nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, withheld, err := truce.UnsealInputs(pub, tt.held)
			if (err != nil) != tt.err {
				t.Fatalf("error %v, want error %v", err, tt.err)
			}
			if tt.err {
				return
			}
			if strings.Join(groupNames(withheld), ",") != strings.Join(groupNames(tt.withheld), ",") {
				t.Fatalf("withheld %v, want %v", withheld, tt.withheld)
			}
			if tt.withheld != nil {
				if got != nil {
					t.Errorf("an observation derived from without its inputs: %+v", got)
				}
				return
			}
			want := *o
			if tt.held[truce.GroupText] == nil {
				want.Text, want.Lang = "", ""
			}
			if tt.held[truce.GroupEvidence] == nil {
				want.Evidence = nil
			}
			wb, _ := want.Canonical()
			gb, _ := got.Canonical()
			if string(gb) != string(wb) {
				t.Errorf("derived from\n %s\nwant\n %s", gb, wb)
			}
		})
	}
	// An advance's evidence names the control maps it was read off: an
	// input.
	adv := monitorReport()
	adv.Kind = truce.KindAdvance
	apub, _, err := truce.Seal(truce.DefaultDisclosure(), sealKey, adv)
	if err != nil {
		t.Fatal(err)
	}
	if got := apub.Inputs(); len(got) != 3 || got[0] != truce.GroupEvidence {
		t.Errorf("inputs of an advance %v, want evidence, position and source", got)
	}
}

func groupNames(gs []truce.FieldGroup) []string {
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = string(g)
	}
	return out
}

// TestSourceView: a sealed source's identity is the mission's and its
// own at once, a party's after the source group's delay for parties, the
// public's after the public delay; an open source has nothing to show.
func TestSourceView(t *testing.T) {
	p := truce.DefaultDisclosure()
	src := &truce.Source{Name: "smm-team-3", Role: truce.RoleMonitor, Description: "team 3, Kramatorsk"}
	pub, part, err := truce.SealSource(p, sealKey, src)
	if err != nil {
		t.Fatal(err)
	}
	liaison := &truce.Source{Name: "ua-liaison-2", Role: truce.RoleParty, Party: "UA"}
	lpub, lpart, err := truce.SealSource(p, sealKey, liaison)
	if err != nil {
		t.Fatal(err)
	}
	logged := time.Date(2025, 3, 14, 6, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		a     truce.Audience
		after time.Duration
		pub   *truce.Source
		part  *truce.SealedGroup
		shown bool
	}{
		{"the mission at once", truce.Audience{Kind: truce.AudienceMission}, 0, pub, part, true},
		{"the source itself at once", truce.Audience{Kind: truce.AudienceSource, Source: "smm-team-3"}, 0, pub, part, true},
		{"another source at once", truce.Audience{Kind: truce.AudienceSource, Source: "smm-team-4"}, 0, pub, part, false},
		{"a party within 72 hours", truce.Audience{Kind: truce.AudienceParty, Party: "RU"}, 71 * time.Hour, pub, part, false},
		{"a party after 72 hours", truce.Audience{Kind: truce.AudienceParty, Party: "RU"}, 73 * time.Hour, pub, part, true},
		{"the public after 72 hours", truce.Audience{Kind: truce.AudiencePublic}, 73 * time.Hour, pub, part, false},
		{"the public after 7 days", truce.Audience{Kind: truce.AudiencePublic}, 7*24*time.Hour + time.Minute, pub, part, true},
		{"a party's own liaison at once", truce.Audience{Kind: truce.AudienceParty, Party: "UA"}, 0, lpub, lpart, true},
		{"the other party's liaison at once", truce.Audience{Kind: truce.AudienceParty, Party: "RU"}, 0, lpub, lpart, false},
		{"no part held", truce.Audience{Kind: truce.AudienceMission}, 0, pub, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := p.SourceView(tt.a, logged.Add(tt.after), logged, tt.pub, tt.part)
			if (got != nil) != tt.shown || got != nil && got != tt.part {
				t.Errorf("shown %v, want %v", got != nil, tt.shown)
			}
		})
	}
	open := &truce.Source{Name: "viina", Role: truce.RoleDataset}
	if got := p.SourceView(truce.Audience{Kind: truce.AudienceMission}, logged, logged, open, nil); got != nil {
		t.Errorf("an open source's identity shown: %+v", got)
	}
}

// TestSealOrigin: an origin given from where the observer stood (a
// bearing, with or without a distance) is private like the observer's
// own position: the public form holds the point it gives, or nothing for
// a bearing alone, and never the observer; the position group keeps it,
// so that unsealing gives the observation as filed, and the public is
// shown the origin's observer only as a grid cell.
func TestSealOrigin(t *testing.T) {
	for _, tt := range []struct {
		name   string
		dist   *float64
		public bool // the public form holds an origin point
	}{{"bearing and distance", f64(6000), true}, {"bearing alone", nil, false}} {
		t.Run(tt.name, func(t *testing.T) {
			o := monitorReport()
			lon, lat := 37.9, 48.2
			o.Location = truce.Location{Lon: &lon, Lat: &lat, UncertaintyM: 300}
			o.Origin = &truce.Location{Observer: &truce.Position{Lon: 37.81, Lat: 48.12}, BearingDeg: f64(80), BearingErrorDeg: 4, DistanceM: tt.dist, DistanceErrorM: 500}
			p := truce.DefaultDisclosure()
			pub, pp, err := truce.Seal(p, sealKey, o)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := pub.Canonical()
			if strings.Contains(string(b), "37.81") || strings.Contains(string(b), "observer") || strings.Contains(string(b), "bearing") {
				t.Errorf("the public form locates the observer: %s", b)
			}
			if (pub.Origin != nil) != tt.public || tt.public && (pub.Origin.Lon == nil || pub.Origin.UncertaintyM == 0) {
				t.Errorf("public origin %+v, want a point: %v", pub.Origin, tt.public)
			}
			if err := pub.Validate(); err != nil {
				t.Errorf("the public form does not validate: %v", err)
			}
			back, err := truce.Unseal(pub, pp)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := o.Canonical()
			got, _ := back.Canonical()
			if string(got) != string(want) {
				t.Errorf("unsealed\n %s\nwant\n %s", got, want)
			}
			v := p.View(truce.Audience{Kind: truce.AudiencePublic}, o.ObservedAt.Add(30*24*time.Hour), o.ObservedAt, pub, pp, nil)
			if v.Disclosed[truce.GroupPosition] != nil || v.Cell == nil || math.Abs(v.Cell.Lon-37.81) > 0.1 {
				t.Errorf("the public's view %+v: want the origin's observer as a cell only", v)
			}
			pub.Origin = o.Origin
			if err := pub.Validate(); err == nil || !strings.Contains(err.Error(), "$.origin.observer") {
				t.Errorf("a public form with the origin's observer: %v", err)
			}
		})
	}
}
