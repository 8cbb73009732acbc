package correlate_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

// TestHonestOriginsAgree files, for 300 separate shellings, two monitors'
// honest estimates of the one firing position, each drawn with the error it
// states (a point with its uncertainty, or a bearing with a distance and
// their errors): the origin-agreement test may split at most 3% of the
// events (its significance is 1%). Before it was a chi-square test on the
// combined covariance, about a third were split.
func TestHonestOriginsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 5))
	b := &builder{}
	const ilon, ilat = 37.20, 48.30 // the impact
	const olon, olat = 37.50, 48.20 // the firing position
	var recs []*truce.ObservationRecord
	n := 300
	for i := range n {
		at := t0.Add(time.Duration(i) * 3 * time.Hour)
		for k, sigma := range []float64{800, 1500} {
			var origin truce.Location
			if k == 0 || i%2 == 0 {
				// A point origin with its stated uncertainty (σ per axis).
				lon, lat := offset(olon, olat, 90, sigma*r.NormFloat64())
				lon, lat = offset(lon, lat, 0, sigma*r.NormFloat64())
				origin = point(lon, lat, sigma)
			} else {
				// A bearing with a distance from an observer 8 km from the
				// firing position, errors 2° and 600 m.
				slon, slat := offset(olon, olat, 250, 8000)
				d, az := 8000.0, 70.0
				az += 2 * r.NormFloat64()
				d += 600 * r.NormFloat64()
				origin = bearing(slon, slat, az, 2)
				origin.DistanceM, origin.DistanceErrorM = ptr(d), 600
			}
			rec := b.rec(fmt.Sprintf("e%03d-%d", i, k), fmt.Sprintf("smm-team-%d", k), truce.RoleMonitor, "", truce.KindArtillery, at.Add(time.Duration(k)*time.Minute), point(ilon, ilat, 500))
			rec.Origin = &origin
			recs = append(recs, rec)
		}
	}
	res := run(t, recs, nil)
	split := len(res.Incidents) - n
	if split > n*3/100 {
		t.Errorf("%d of %d events split into two incidents (%.1f%%), want at most 3%%", split, n, 100*float64(split)/float64(n))
	}
	if split < 0 {
		t.Errorf("%d incidents for %d events", len(res.Incidents), n)
	}
	t.Logf("%d of %d events split", split, n)
}

// TestAllegationMinutesOff checks that a victim's allegation 10 to 13
// minutes from the monitors' time of the same shelling fuses with it, for
// each minute.
func TestAllegationMinutesOff(t *testing.T) {
	const lon, lat = 37.20, 48.30
	for _, off := range []int{-13, -11, 10, 12, 13} {
		b := &builder{}
		recs := []*truce.ObservationRecord{
			b.rec("m", "smm-team-1", truce.RoleMonitor, "", truce.KindArtillery, t0, point(lon, lat, 500)),
			b.rec("v", "ua-liaison", truce.RoleParty, "UA", truce.KindArtillery, t0.Add(time.Duration(off)*time.Minute), point(lon+0.005, lat, 1000)),
		}
		if res := run(t, recs, nil); len(res.Incidents) != 1 {
			t.Errorf("allegation %+d min from the monitor: %d incidents, want 1", off, len(res.Incidents))
		}
	}
}
