package correlate_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/geo"
	"github.com/truce-monitor/truce/importer"
)

// firmsRecords reads a FIRMS file of ../shared/data/firms as the store
// would hold it: source "firms" with role sensor, in file order. It skips
// the test when the data is absent.
func firmsRecords(t *testing.T, name string) []*truce.ObservationRecord {
	t.Helper()
	path := filepath.Join("..", "..", "shared", "data", "firms", name)
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		t.Skipf("%s is absent", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := importer.Read("firms", name, f, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	recs := make([]*truce.ObservationRecord, len(res.Observations))
	for i, o := range res.Observations {
		o.Source, o.SourceRole = res.Source.Name, res.Source.Role
		recs[i] = &truce.ObservationRecord{Observation: o, LogIndex: int64(i + 1)}
	}
	return recs
}

// makiivka is the box of the persistent industrial hot spots that the
// data's README names: 48.05–48.10°N, 37.90–37.97°E.
func makiivka(lon, lat float64) bool {
	return lat >= 48.05 && lat <= 48.10 && lon >= 37.90 && lon <= 37.97
}

func TestFIRMSPersistentSites(t *testing.T) {
	recs := firmsRecords(t, "fires_2025-03_2025-04.csv.gz")
	res := run(t, recs, nil)
	inBox := 0
	for _, r := range recs {
		if makiivka(*r.Location.Lon, *r.Location.Lat) {
			inBox++
		}
	}
	flagged := map[string]bool{}
	for _, h := range res.Hotspots {
		t.Logf("hot spot %.4f, %.4f radius %.0f m: %d detections on %d of %d nights (threshold %d)", h.Lon, h.Lat, h.RadiusM, len(h.Observations), h.Nights, h.SpanNights, h.MinNights)
		if !makiivka(h.Lon, h.Lat) {
			t.Errorf("hot spot at %.4f, %.4f is outside the Makiivka industrial area", h.Lon, h.Lat)
		}
		for _, id := range h.Observations {
			flagged[id] = true
		}
	}
	if len(res.Hotspots) != 2 {
		t.Errorf("%d hot spots, want the 2 sites", len(res.Hotspots))
	}
	// Most of the box's detections belong to fixed sources, and none of
	// them is in an incident.
	n := 0
	for _, r := range recs {
		if flagged[r.ID] {
			n++
		}
	}
	t.Logf("%d of %d detections in the box flagged; %d incidents from %d detections", n, inBox, len(res.Incidents), len(recs))
	if n < inBox*9/10 || n != len(flagged) {
		t.Errorf("%d of the %d detections in the Makiivka box are in hot spots (of %d flagged), want at least 9/10 and none outside", n, inBox, len(flagged))
	}
	for _, inc := range res.Incidents {
		for _, id := range inc.Observations {
			if flagged[id] {
				t.Errorf("incident %s holds hot-spot detection %s", inc.ID, id)
			}
		}
	}
	if got := len(res.Incidents) + len(res.Skipped); got == 0 {
		t.Error("no incidents from the other detections")
	}
}

func TestFIRMSAugust2024(t *testing.T) {
	// 26 nights: both Makiivka sites burn on most of them and are found;
	// the one-day cluster of some 50 daytime detections near Khartsyzk on
	// 2024-08-23 (48.00–48.03°N, 38.19–38.23°E) is an incident, not a
	// fixed source.
	recs := firmsRecords(t, "fires_2024-08.csv.gz")
	res := run(t, recs, nil)
	sites := []geo.Point{{37.954, 48.059}, {37.922, 48.098}}
	found := make([]bool, len(sites))
	for _, h := range res.Hotspots {
		t.Logf("hot spot %.4f, %.4f: %d detections on %d of %d nights", h.Lon, h.Lat, len(h.Observations), h.Nights, h.SpanNights)
		if !makiivka(h.Lon, h.Lat) {
			t.Errorf("hot spot at %.4f, %.4f is outside the Makiivka industrial area", h.Lon, h.Lat)
		}
		for i, p := range sites {
			if geo.Distance(p, geo.Point{h.Lon, h.Lat}) < 1000 {
				found[i] = true
			}
		}
	}
	for i, ok := range found {
		if !ok {
			t.Errorf("no hot spot at the site near %v", sites[i])
		}
	}
	biggest := 0
	for _, inc := range res.Incidents {
		if inc.Lat >= 48.0 && inc.Lat <= 48.03 && inc.Lon >= 38.19 && inc.Lon <= 38.23 {
			biggest = max(biggest, len(inc.Observations))
		}
	}
	if biggest < 20 {
		t.Errorf("largest incident near Khartsyzk has %d detections, want the day's cluster (20 or more)", biggest)
	}
}
