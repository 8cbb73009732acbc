package deepstate_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/bench/internal/deepstate"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	const doc = `{"type":"FeatureCollection","features":[]}`
	day := time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)
	good, err := deepstate.Write(dir, day, []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "deepstatemap_data_20250102.geojson.gz"); good != want {
		t.Errorf("Write named the file %s, want %s", good, want)
	}
	date, data, err := deepstate.Read(good)
	if err != nil || !date.Equal(day) || string(data) != doc {
		t.Errorf("Read = %v, %q, %v; want %v and the document", date, data, err, day)
	}

	// A copy of the good file under another name.
	copyAs := func(name string) string {
		b, err := os.ReadFile(good)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	notGzipped := filepath.Join(dir, "deepstatemap_data_20250101.geojson.gz")
	if err := os.WriteFile(notGzipped, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path, want string
	}{
		{copyAs("deepstatemap_data_2025.geojson.gz"), "want a name deepstatemap_data_YYYYMMDD"},
		{copyAs("deepstate_20250101.geojson.gz"), "want a name deepstatemap_data_YYYYMMDD"},
		{copyAs("deepstatemap_data_20251399.geojson.gz"), "month out of range"},
		{notGzipped, "gzip: invalid header"},
		{filepath.Join(dir, "deepstatemap_data_20250103.geojson.gz"), "no such file"},
	} {
		_, _, err := deepstate.Read(tc.path)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), filepath.Base(tc.path)) {
			t.Errorf("Read(%s): error %v, want one naming the file and saying %q", filepath.Base(tc.path), err, tc.want)
		}
	}
}
