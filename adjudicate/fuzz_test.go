package adjudicate_test

import (
	"context"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/adjudicate"
)

// FuzzAdjudicate adjudicates arbitrary incidents under the ceasefire and
// checks what must hold of every finding: it validates, it is the same
// when computed again, and a finding resting on parties' allegations alone
// is never more than possible.
func FuzzAdjudicate(f *testing.F) {
	f.Add(37.18, 48.28, 200.0, true, 37.5, 48.2, 1000.0, int64(9000), uint8(0), uint8(1), uint8(2))
	f.Add(30.52, 50.45, 1000.0, false, 0.0, 0.0, 0.0, int64(15000), uint8(7), uint8(0), uint8(3))
	f.Add(37.919326, 49.157224, 5985.0, false, 0.0, 0.0, 0.0, int64(8000), uint8(10), uint8(2), uint8(3))
	f.Add(37.19, 48.21, 50000.0, true, 37.19139, 48.20311, 3000.0, int64(-10), uint8(9), uint8(3), uint8(1))
	a := example(f, "ceasefire-30d-2025.yaml")
	maps := schedule(f, "RU")
	roles := []reporter{uaParty, ruParty, monitor, viina}
	f.Fuzz(func(t *testing.T, lon, lat, unc float64, hasOrigin bool, olon, olat, ounc float64, minutes int64, kind, role1, role2 uint8) {
		start := date("2025-03-13T00:00:00Z").Add(time.Duration(minutes%(60*24*60)) * time.Minute)
		inc := &truce.Incident{ID: "fuzz", Kind: truce.Kinds[int(kind)%len(truce.Kinds)], Start: start, End: start.Add(time.Hour),
			Lon: lon, Lat: lat, UncertaintyM: unc, Corroboration: truce.SingleSource}
		if hasOrigin {
			inc.Origin = &truce.Position{Lon: olon, Lat: olat}
		}
		byID := map[string]*truce.Observation{}
		allegation := true
		for i, r := range []uint8{role1, role2} {
			by := roles[int(r)%len(roles)]
			o := &truce.Observation{ID: "o" + string(rune('0'+i)), Source: by.source, SourceRole: by.role, SourceParty: by.party,
				Kind: inc.Kind, ObservedAt: start, TimePrecision: truce.PrecisionHour,
				Location: truce.Location{Lon: ptr(lon), Lat: ptr(lat), UncertaintyM: unc}}
			if hasOrigin {
				o.Origin = &truce.Location{Lon: ptr(olon), Lat: ptr(olat), UncertaintyM: ounc}
			}
			if o.Validate() != nil {
				return
			}
			byID[o.ID] = o
			inc.Observations = append(inc.Observations, o.ID)
			allegation = allegation && by.role == truce.RoleParty
		}
		if inc.Validate() != nil {
			return
		}
		opts := &adjudicate.Options{Observations: byID}
		fs, err := adjudicate.Adjudicate(context.Background(), []*truce.Incident{inc}, a, maps, opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := fs[0].Validate(); err != nil {
			t.Fatal(err)
		}
		if allegation && (fs[0].Confidence == truce.Confirmed || fs[0].Confidence == truce.Probable) {
			t.Fatalf("allegations alone reached %s: %+v", fs[0].Confidence, fs[0].Reasons)
		}
		again, err := adjudicate.Adjudicate(context.Background(), []*truce.Incident{inc}, a, maps, opts)
		if err != nil || adjudicate.Digest(again) != adjudicate.Digest(fs) {
			t.Fatalf("not deterministic: %v", err)
		}
	})
}
