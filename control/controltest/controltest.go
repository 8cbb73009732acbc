// Package controltest gives tests of the packages that use control maps
// the real DeepState snapshots kept in control/testdata, as the importer
// would store them. It imports only the root package truce and the standard
// library, and is meant for tests alone.
package controltest

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

// Days lists the days (YYYY-MM-DD) of the snapshots in control/testdata.
var Days = []string{"2025-03-14", "2025-04-13"}

// DeepState returns the DeepState snapshot of day (YYYY-MM-DD, one of Days)
// as the control map the importer would make of it: id "deepstate-" + day,
// source "deepstate", as of 03:00 UTC that day, and one holding of party RU.
// It fails tb if the snapshot cannot be read.
func DeepState(tb testing.TB, day string) *truce.ControlMap {
	tb.Helper()
	m, err := deepState(day)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func deepState(day string) (*truce.ControlMap, error) {
	asOf, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return nil, fmt.Errorf("controltest: day %q: %v", day, err)
	}
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		return nil, fmt.Errorf("controltest: cannot locate control/testdata")
	}
	name := filepath.Join(filepath.Dir(self), "..", "testdata", "deepstatemap_data_"+strings.ReplaceAll(day, "-", "")+".geojson.gz")
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	var fc struct {
		Features []struct {
			Geometry json.RawMessage `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(data, &fc); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(fc.Features) == 0 {
		return nil, fmt.Errorf("%s: no features", name)
	}
	return &truce.ControlMap{ID: "deepstate-" + day, Source: "deepstate", AsOf: asOf.Add(3 * time.Hour),
		Holdings: []truce.Holding{{Party: "RU", Geometry: fc.Features[0].Geometry}}}, nil
}
