// Package reporttest checks the text reports of the benchmarks that
// compare truce with PostGIS against golden files. It is meant for tests
// alone: it defines the test flag -update, which rewrites the golden
// files instead.
package reporttest

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// Golden calls write with a buffer and compares what it wrote with the
// file path, failing t where they differ or write fails. With -update it
// first writes the buffer to path.
func Golden(t testing.TB, path string, write func(io.Writer) error) {
	t.Helper()
	var b bytes.Buffer
	if err := write(&b); err != nil {
		t.Fatal(err)
	}
	got := b.Bytes()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update to rewrite):\n got:\n%s\nwant:\n%s", path, got, want)
	}
}
