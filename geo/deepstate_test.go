package geo_test

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/truce-monitor/truce/geo"
)

// deepstateDir holds the real DeepState snapshots (see its README.md).
var deepstateDir = filepath.Join("..", "..", "shared", "data", "deepstate")

// readDeepState decodes the DeepState snapshot of date (YYYYMMDD).
func readDeepState(tb testing.TB, date string) geo.MultiPolygon {
	tb.Helper()
	return readSnapshot(tb, "deepstatemap_data_"+date+".geojson.gz")
}

// readSnapshot decodes the gzipped DeepState snapshot name in deepstateDir,
// or skips the test if the data is not there.
func readSnapshot(tb testing.TB, name string) geo.MultiPolygon {
	tb.Helper()
	f, err := os.Open(filepath.Join(deepstateDir, name))
	if err != nil {
		tb.Skipf("DeepState snapshot not available: %v", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	mp, err := geo.DecodeMultiPolygon(data)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return mp
}
