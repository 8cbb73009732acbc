package importer_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/importer"
)

// fuzzRead reads data in format, with and without SkipBad, and checks that
// nothing panics, that every value returned validates, and that every
// error is a *truce.Error whose problems say where (a line or a path).
func fuzzRead(t *testing.T, format, name string, data []byte) {
	for _, skip := range []bool{false, true} {
		res, err := importer.Read(format, name, bytes.NewReader(data), importer.Options{SkipBad: skip})
		if err != nil {
			if res != nil {
				t.Fatal("result and error")
			}
			var te *truce.Error
			if !errors.As(err, &te) {
				t.Fatalf("error %T: %v", err, err)
			}
			if len(te.Problems) == 0 {
				t.Fatalf("error without problems: %v", err)
			}
			for _, p := range te.Problems {
				if p.File != name || (p.Line < 1 && p.Path == "") || p.Message == "" {
					t.Fatalf("problem %+v", p)
				}
			}
			continue
		}
		if err := res.Source.Validate(); err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for _, o := range res.Observations {
			if err := o.Validate(); err != nil {
				t.Fatalf("observation does not validate: %v\n%+v", err, o)
			}
			if _, err := o.Canonical(); err != nil {
				t.Fatal(err)
			}
			if ids[o.ID] {
				t.Fatalf("duplicate id %s", o.ID)
			}
			ids[o.ID] = true
		}
		for _, m := range res.ControlMaps {
			if err := m.Validate(); err != nil {
				t.Fatalf("control map does not validate: %v", err)
			}
			if _, err := m.Canonical(); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range res.Skipped {
			if p.File != name || p.Line < 1 {
				t.Fatalf("skipped %+v", p)
			}
		}
		if !skip && len(res.Skipped) > 0 {
			t.Fatal("skipped rows without SkipBad")
		}
	}
}

func seed(f *testing.F, files ...string) {
	for _, name := range files {
		f.Add(testdata(f, name))
	}
}

func FuzzDeepstate(f *testing.F) {
	seed(f, "deepstate_tiny.geojson")
	f.Add([]byte(`{"type":"FeatureCollection","name":"deepstatemap_data_20250301","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[37,48],[37,49],[38,49],[37,48]]]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, "deepstate", "deepstatemap_data_20250301.geojson", data) })
}

func FuzzAirforce(f *testing.F) {
	seed(f, "airforce_small.csv")
	f.Add([]byte(afHeader + afRow))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, "airforce", "a.csv", data) })
}

func FuzzViina(f *testing.F) {
	seed(f, "viina_small.csv", "viina_event1pd_synthetic.csv")
	f.Add([]byte(viinaHeader + viinaRow))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, "viina", "v.csv", data) })
}

func FuzzFirms(f *testing.F) {
	seed(f, "firms_economist_small.csv", "firms_native_small.csv", "firms_modis_synthetic.csv")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, "firms", "f.csv", data) })
}

func FuzzGeoJSON(f *testing.F) {
	seed(f, "obs.geojson")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, "geojson", "g.geojson", data) })
}

func FuzzCSV(f *testing.F) {
	seed(f, "obs.csv")
	f.Add([]byte(csvHeader + csvRow))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, "csv", "c.csv", data) })
}
