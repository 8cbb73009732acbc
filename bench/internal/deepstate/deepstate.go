// Package deepstate reads the DeepState snapshot files the benchmarks
// compare truce and PostGIS on: gzipped GeoJSON named
// deepstatemap_data_YYYYMMDD.geojson.gz, as kept in the shared data folder
// and in control/testdata.
package deepstate

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Write writes geojson, gzipped, into dir as the snapshot file of day
// (deepstatemap_data_YYYYMMDD.geojson.gz) and returns its name: a snapshot
// for tests to read.
func Write(dir string, day time.Time, geojson []byte) (string, error) {
	name := filepath.Join(dir, "deepstatemap_data_"+day.Format("20060102")+".geojson.gz")
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(geojson) // a bytes.Buffer does not fail
	if err := zw.Close(); err != nil {
		return "", err
	}
	return name, os.WriteFile(name, b.Bytes(), 0o644)
}

// Read reads the snapshot file name and returns the day its name gives
// (midnight UTC) and its GeoJSON, unzipped. Its errors name the file.
func Read(name string) (time.Time, []byte, error) {
	base := filepath.Base(name)
	day, ok := strings.CutPrefix(strings.TrimSuffix(base, ".geojson.gz"), "deepstatemap_data_")
	if !ok || len(day) != 8 {
		return time.Time{}, nil, fmt.Errorf("%s: want a name deepstatemap_data_YYYYMMDD.geojson.gz", name)
	}
	date, err := time.Parse("20060102", day)
	if err != nil {
		return time.Time{}, nil, fmt.Errorf("%s: %v", name, err)
	}
	f, err := os.Open(name)
	if err != nil {
		return time.Time{}, nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return time.Time{}, nil, fmt.Errorf("%s: %v", name, err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return time.Time{}, nil, fmt.Errorf("%s: %v", name, err)
	}
	return date, data, nil
}
