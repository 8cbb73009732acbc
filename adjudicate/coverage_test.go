package adjudicate_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/adjudicate"
	"github.com/truce-monitor/truce/geo"
)

// straight is a line along 48° N, about 100 km long, in 11 vertices.
func straight() geo.MultiLineString {
	var l geo.LineString
	for i := range 11 {
		l = append(l, geo.Point{37 + 0.133*float64(i), 48})
	}
	return geo.MultiLineString{l}
}

func TestSectors(t *testing.T) {
	line := straight()
	total := 0.0
	for i := 1; i < len(line[0]); i++ {
		total += geo.Distance(line[0][i-1], line[0][i])
	}
	ss, err := adjudicate.Sectors(line, 25000)
	if err != nil {
		t.Fatal(err)
	}
	if want := int(math.Ceil(total / 25000)); len(ss) != want {
		t.Fatalf("%d sectors of %.0f m, want %d", len(ss), total, want)
	}
	for i, s := range ss {
		if s.Index != i || s.Piece != 0 {
			t.Errorf("sector %d: index %d piece %d", i, s.Index, s.Piece)
		}
		length := 0.0
		for k := 1; k < len(s.Line); k++ {
			length += geo.Distance(s.Line[k-1], s.Line[k])
		}
		if i < len(ss)-1 && math.Abs(length-25000) > 1 {
			t.Errorf("sector %d is %.1f m long, want 25000", i, length)
		}
		if math.Abs((s.ToKM-s.FromKM)*1000-length) > 2 {
			t.Errorf("sector %d: from %.3f to %.3f km but %.1f m long", i, s.FromKM, s.ToKM, length)
		}
		if i > 0 && (s.FromKM != ss[i-1].ToKM || s.Line[0] != ss[i-1].Line[len(ss[i-1].Line)-1]) {
			t.Errorf("sector %d does not start where sector %d ends", i, i-1)
		}
	}
	if last := ss[len(ss)-1]; math.Abs(last.ToKM*1000-total) > 2 || last.Line[len(last.Line)-1] != line[0][len(line[0])-1] {
		t.Errorf("the last sector ends at %.3f km, the line at %.3f", last.ToKM, total/1000)
	}
	for _, bad := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		if _, err := adjudicate.Sectors(line, bad); err == nil {
			t.Errorf("length %v: no error", bad)
		}
	}
}

func TestSectorsOfTheRealLine(t *testing.T) {
	m := deepState(t, "2025-03-14", "RU")
	ss, err := adjudicate.Sectors(m.Line(), adjudicate.DefaultSectorM)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, s := range ss {
		if s.ToKM-s.FromKM > 25.001 {
			t.Errorf("sector %d is %.3f km long", s.Index, s.ToKM-s.FromKM)
		}
		sum += s.ToKM - s.FromKM
	}
	if want := m.LineLength() / 1000; math.Abs(sum-want) > 1 {
		t.Errorf("sectors add up to %.1f km, the line is %.1f km", sum, want)
	}
	t.Logf("%d sectors over %.0f km", len(ss), sum)
}

func TestCover(t *testing.T) {
	ss, err := adjudicate.Sectors(straight(), 25000)
	if err != nil {
		t.Fatal(err)
	}
	kyiv, err := time.LoadLocation("Europe/Kyiv")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time { return date(s) }
	obs := []*truce.Observation{
		// Day 0 (29 March, Kyiv): a monitor's bearing from 5 km north of
		// sector 0, counted where the monitor stood.
		{ID: "a", Source: "smm-team-7", SourceRole: truce.RoleMonitor, ObservedAt: at("2025-03-29T08:00:00Z"),
			Location: truce.Location{Observer: &truce.Position{Lon: 37.1, Lat: 48.045}, BearingDeg: ptr(180.0)}},
		{ID: "b", Source: "smm-team-7", SourceRole: truce.RoleMonitor, ObservedAt: at("2025-03-29T09:00:00Z"),
			Location: truce.Location{Lon: ptr(37.12), Lat: ptr(48.01)}},
		// Another team there: two monitors, three observations.
		{ID: "b2", Source: "smm-team-8", SourceRole: truce.RoleMonitor, ObservedAt: at("2025-03-29T09:30:00Z"),
			Location: truce.Location{Lon: ptr(37.13), Lat: ptr(48.02)}},
		// Day 0: FIRMS near sector 3, and a party's allegation there.
		{ID: "c", Source: "firms", SourceRole: truce.RoleDataset, ObservedAt: at("2025-03-29T20:30:00Z"),
			Location: truce.Location{Lon: ptr(38.2), Lat: ptr(47.95)}},
		{ID: "d", Source: "ua-liaison", SourceRole: truce.RoleParty, SourceParty: "UA", ObservedAt: at("2025-03-29T12:00:00Z"),
			Location: truce.Location{Lon: ptr(38.25), Lat: ptr(48.1)}},
		// Day 2 (31 March, Kyiv, after the clocks went forward on the 30th):
		// 22:30 UTC on the 30th is 01:30 on the 31st in Kyiv.
		{ID: "e", Source: "acoustic-3", SourceRole: truce.RoleSensor, ObservedAt: at("2025-03-30T22:30:00Z"),
			Location: truce.Location{Lon: ptr(37.75), Lat: ptr(48.1)}},
		// Ignored: too far from the line, before the first day, after the
		// last, and without a place.
		{ID: "f", Source: "firms", SourceRole: truce.RoleDataset, ObservedAt: at("2025-03-29T10:00:00Z"),
			Location: truce.Location{Lon: ptr(37.5), Lat: ptr(48.5)}},
		{ID: "g", Source: "smm-team-9", SourceRole: truce.RoleMonitor, ObservedAt: at("2025-03-28T21:59:00Z"),
			Location: truce.Location{Lon: ptr(37.1), Lat: ptr(48.0)}},
		{ID: "h", Source: "smm-team-9", SourceRole: truce.RoleMonitor, ObservedAt: at("2025-03-31T21:00:00Z"),
			Location: truce.Location{Lon: ptr(37.1), Lat: ptr(48.0)}},
		{ID: "i", Source: "smm-team-9", SourceRole: truce.RoleMonitor, ObservedAt: at("2025-03-30T10:00:00Z"),
			Location: truce.Location{Region: "Donetsk oblast", GeoPrecision: truce.GeoOblast}},
	}
	cov, err := adjudicate.Cover(obs, ss, at("2025-03-29T10:00:00Z"), 3, kyiv, adjudicate.DefaultRangeM)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cov {
		got = append(got, c.String())
	}
	want := []string{
		"2025-03-29 sector 0: two sources (two monitors)",
		"2025-03-29 sector 1: no source",
		"2025-03-29 sector 2: no source",
		"2025-03-29 sector 3: two sources (one dataset and one liaison of UA)",
		"2025-03-30 sector 0: no source",
		"2025-03-30 sector 1: no source",
		"2025-03-30 sector 2: no source",
		"2025-03-30 sector 3: no source",
		"2025-03-31 sector 0: no source",
		"2025-03-31 sector 1: no source",
		"2025-03-31 sector 2: one source (one sensor)",
		"2025-03-31 sector 3: no source",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("coverage:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if s := cov[0].Sources; len(s) != 1 || s[0].Sources != 2 || s[0].Observations != 3 || s[0].Role != truce.RoleMonitor {
		t.Errorf("day 0 sector 0: %+v, want two monitors with 3 observations", s)
	}
	// Coverage names no source, for any audience: which team watched
	// which sector each day is where it stood.
	for _, c := range cov {
		if b, _ := json.Marshal(c); strings.Contains(string(b), "smm-team") || strings.Contains(string(b), "acoustic-3") || strings.Contains(string(b), "firms") || strings.Contains(string(b), "ua-liaison") {
			t.Errorf("coverage names a source: %s", b)
		}
	}
	if s := cov[3].Sources; len(s) != 2 || s[1].Party != "UA" {
		t.Errorf("day 0 sector 3: %+v", s)
	}
	if _, err := adjudicate.Cover(obs, ss, at("2025-03-29T10:00:00Z"), -1, kyiv, 1); err == nil {
		t.Error("negative days: no error")
	}
}
