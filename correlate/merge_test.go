package correlate_test

import (
	"slices"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

// TestMergeIndistinguishable: groups that the reports do not tell apart
// (issue 12, class 5: one event, several incidents) are one incident;
// groups that their origins, their parties' allegations or their times
// tell apart stay apart.
func TestMergeIndistinguishable(t *testing.T) {
	const lon, lat = 37.80, 48.00
	wlon, wlat := offset(lon, lat, 270, 8000) // a firing position to the west
	elon, elat := offset(lon, lat, 90, 8000)  // and one to the east
	at := time.Date(2025, 3, 20, 22, 38, 0, 0, time.UTC)
	hour := func(r *truce.ObservationRecord) *truce.ObservationRecord {
		r.TimePrecision = truce.PrecisionHour
		return r
	}
	from := func(r *truce.ObservationRecord, olon, olat float64) *truce.ObservationRecord {
		o := point(olon, olat, 1000)
		r.Origin = &o
		return r
	}
	tests := []struct {
		name string
		recs func(b *builder) []*truce.ObservationRecord
		want [][]string
	}{
		{
			name: "an allegation timed to the hour before, by a clock minutes off",
			recs: func(b *builder) []*truce.ObservationRecord {
				return []*truce.ObservationRecord{
					hour(b.rec("a", "ua-liaison", truce.RoleParty, "UA", truce.KindArtillery, at.Truncate(time.Hour).Add(-time.Hour), point(lon, lat, 3000))),
					b.rec("m1", "smm-1", truce.RoleMonitor, "", truce.KindArtillery, at, point(lon, lat, 300)),
					b.rec("m2", "smm-2", truce.RoleMonitor, "", truce.KindArtillery, at.Add(time.Minute), point(lon, lat, 300)),
				}
			},
			want: [][]string{{"a", "m1", "m2"}},
		},
		{
			name: "an allegation three hours before stays apart",
			recs: func(b *builder) []*truce.ObservationRecord {
				return []*truce.ObservationRecord{
					hour(b.rec("a", "ua-liaison", truce.RoleParty, "UA", truce.KindArtillery, at.Truncate(time.Hour).Add(-3*time.Hour), point(lon, lat, 3000))),
					b.rec("m1", "smm-1", truce.RoleMonitor, "", truce.KindArtillery, at, point(lon, lat, 300)),
				}
			},
			want: [][]string{{"a"}, {"m1"}},
		},
		{
			name: "another party's allegation stays apart",
			recs: func(b *builder) []*truce.ObservationRecord {
				return []*truce.ObservationRecord{
					hour(b.rec("a", "ru-liaison", truce.RoleParty, "RU", truce.KindArtillery, at.Truncate(time.Hour).Add(-time.Hour), point(lon, lat, 3000))),
					b.rec("m1", "smm-1", truce.RoleMonitor, "", truce.KindArtillery, at, point(lon, lat, 300)),
					b.rec("u", "ua-liaison", truce.RoleParty, "UA", truce.KindArtillery, at, point(lon, lat, 3000)),
				}
			},
			want: [][]string{{"a"}, {"m1", "u"}},
		},
		{
			name: "two monitors 18 minutes apart, their clocks minutes off",
			recs: func(b *builder) []*truce.ObservationRecord {
				return []*truce.ObservationRecord{
					from(b.rec("m1", "smm-1", truce.RoleMonitor, "", truce.KindMortar, at, point(lon, lat, 300)), wlon, wlat),
					from(b.rec("m2", "smm-2", truce.RoleMonitor, "", truce.KindMortar, at.Add(18*time.Minute), point(lon, lat, 300)), wlon, wlat),
				}
			},
			want: [][]string{{"m1", "m2"}},
		},
		{
			name: "two monitors 40 minutes apart stay apart",
			recs: func(b *builder) []*truce.ObservationRecord {
				return []*truce.ObservationRecord{
					b.rec("m1", "smm-1", truce.RoleMonitor, "", truce.KindMortar, at, point(lon, lat, 300)),
					b.rec("m2", "smm-2", truce.RoleMonitor, "", truce.KindMortar, at.Add(40*time.Minute), point(lon, lat, 300)),
				}
			},
			want: [][]string{{"m1"}, {"m2"}},
		},
		{
			name: "two lone fire detections stay apart: the clustering kept them so",
			recs: func(b *builder) []*truce.ObservationRecord {
				plon, plat := offset(lon, lat, 90, 500)
				return []*truce.ObservationRecord{b.detection("f1", at, lon, lat), b.detection("f2", at, plon, plat)}
			},
			want: [][]string{{"f1"}, {"f2"}},
		},
		{
			name: "fire and the return fire, from two sides, stay apart",
			recs: func(b *builder) []*truce.ObservationRecord {
				return []*truce.ObservationRecord{
					from(b.rec("m1", "smm-1", truce.RoleMonitor, "", truce.KindMortar, at, point(lon, lat, 300)), wlon, wlat),
					from(b.rec("m2", "smm-2", truce.RoleMonitor, "", truce.KindMortar, at.Add(15*time.Minute), point(lon, lat, 300)), elon, elat),
				}
			},
			want: [][]string{{"m1"}, {"m2"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, tt.recs(&builder{}), nil)
			if got := groups(res); !slices.EqualFunc(got, tt.want, slices.Equal) {
				t.Errorf("groups = %v, want %v", got, tt.want)
			}
		})
	}
}
