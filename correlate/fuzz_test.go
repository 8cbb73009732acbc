package correlate_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/correlate"
)

// fuzzRecords decodes records from data, 6 bytes each: kind, role and
// location form, two position offsets (about 300 m a step), and minutes.
func fuzzRecords(data []byte) []*truce.ObservationRecord {
	roles := []truce.Role{truce.RoleSensor, truce.RoleMonitor, truce.RoleParty, truce.RoleDataset}
	b := &builder{}
	var recs []*truce.ObservationRecord
	for i := 0; i+6 <= len(data) && i < 6*400; i += 6 {
		d := data[i : i+6]
		kind := truce.Kinds[int(d[0])%len(truce.Kinds)]
		role := roles[int(d[1])%len(roles)]
		lon, lat := 37+float64(d[2])*0.004, 48+float64(d[3])*0.003
		at := t0.Add(time.Duration(int(d[4])<<8|int(d[5])) * time.Minute)
		loc := point(lon, lat, float64(d[1]>>2)*50)
		switch d[1] >> 6 {
		case 1:
			loc = bearing(lon, lat, float64(d[0])*1.4, float64(d[1]&3))
		case 2:
			loc = truce.Location{Lon: ptr(lon), Lat: ptr(lat), Region: "r", GeoPrecision: truce.GeoPrecisions[int(d[0])%len(truce.GeoPrecisions)]}
		}
		r := b.rec(fmt.Sprintf("f%04d", i/6), fmt.Sprintf("s%d", d[1]&7), role, "UA", kind, at, loc)
		if d[0]&0x80 != 0 {
			r.TimePrecision = truce.PrecisionHour
		}
		switch d[5] & 3 { // an origin to either side, or a launch bearing
		case 1:
			r.Origin = ptr(point(lon+0.05, lat, float64(d[4]&7)*200))
		case 2:
			r.Origin = ptr(point(lon-0.05, lat, float64(d[4]&7)*200))
		case 3:
			r.Origin = ptr(bearing(lon, lat-0.05, float64(d[4])*1.4, float64(d[4]&3)))
		}
		recs = append(recs, r)
	}
	return recs
}

// checkPartition fails t unless every record is in exactly one incident,
// hot spot or skip entry, and every incident is valid.
func checkPartition(t *testing.T, recs []*truce.ObservationRecord, res *correlate.Result) {
	t.Helper()
	var ids []string
	for _, inc := range res.Incidents {
		if err := inc.Validate(); err != nil {
			t.Fatalf("incident %s: %v", inc.ID, err)
		}
		ids = append(ids, inc.Observations...)
	}
	for _, h := range res.Hotspots {
		ids = append(ids, h.Observations...)
	}
	for _, s := range res.Skipped {
		ids = append(ids, s.Observation)
	}
	var want []string
	for _, r := range recs {
		want = append(want, r.ID)
	}
	slices.Sort(ids)
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Fatalf("records and results differ: %d accounted for, %d given", len(ids), len(want))
	}
}

// FuzzCorrelate checks, on arbitrary inputs, that Correlate accounts for
// every record exactly once, makes valid incidents, and gives the same
// bytes for the input reversed.
func FuzzCorrelate(f *testing.F) {
	f.Add([]byte{0, 1, 10, 10, 0, 5, 4, 2, 11, 10, 0, 15})
	f.Add([]byte{13, 0, 50, 50, 0, 0, 13, 0, 51, 50, 0, 1, 13, 0, 50, 51, 0, 2, 1, 0x41, 40, 40, 0, 3, 2, 0x41, 60, 40, 0, 3})
	f.Add([]byte{4, 0x80, 1, 1, 1, 1, 4, 0x83, 1, 2, 1, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		recs := fuzzRecords(data)
		res, err := correlate.Correlate(recs, nil)
		if err != nil {
			t.Fatal(err)
		}
		checkPartition(t, recs, res)
		a, _ := json.Marshal(res)
		rev := slices.Clone(recs)
		slices.Reverse(rev)
		res2, err := correlate.Correlate(rev, nil)
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := json.Marshal(res2); !bytes.Equal(a, b) {
			t.Fatal("reversed input gives different bytes")
		}
	})
}
