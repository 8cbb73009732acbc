package httpapi_test

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/httpapi"
)

// ogrinfo returns the path of GDAL's ogrinfo. It skips the test where GDAL
// is not installed, unless TRUCE_REQUIRE_OGRINFO is set (as .ci/run sets
// it), when its absence fails the test.
func ogrinfo(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("ogrinfo")
	if err != nil {
		if os.Getenv("TRUCE_REQUIRE_OGRINFO") != "" {
			t.Fatal("ogrinfo (GDAL) is not installed")
		}
		t.Skip("ogrinfo (GDAL) is not installed")
	}
	return path
}

// TestControlOgrinfo reads the GeoJSON endpoints with GDAL, an independent
// GeoJSON reader: each must open as one layer in WGS 84 with the features
// and attributes the API documents.
func TestControlOgrinfo(t *testing.T) {
	bin := ogrinfo(t)
	e := newEnv(t, httpapi.Options{})
	withDeepState(t, e)
	tests := []struct {
		path     string
		features int      // -1: at least one
		geoms    []string // geometry types GDAL must report, in order of first appearance
		fields   []string // attribute fields GDAL must find
	}{
		{"/v1/control?date=2025-03-20", 4, []string{"MULTIPOLYGON", "MULTILINESTRING"}, []string{"party", "area_km2", "kind", "length_km"}},
		{"/v1/control/diff?from=2025-03-14&to=2025-04-13&min_area_km2=1", -1, []string{"POLYGON"}, []string{"party", "area_km2"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			// GDAL reads the body from a file: it must not reach out to
			// the network, and a file is what a user downloads.
			r := e.get(tt.path)
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			file := t.TempDir() + "/answer.geojson"
			if err := os.WriteFile(file, r.body, 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(bin, "-ro", "-al", "-so", "-nocount", file).CombinedOutput()
			if err != nil {
				t.Fatalf("ogrinfo: %v\n%s", err, out)
			}
			full, err := exec.Command(bin, "-ro", "-al", "-geom=SUMMARY", file).CombinedOutput()
			if err != nil {
				t.Fatalf("ogrinfo: %v\n%s", err, full)
			}
			text := string(out) + string(full)
			if strings.Contains(text, "ERROR") || strings.Contains(text, "Warning") {
				t.Errorf("ogrinfo reported problems:\n%s", text)
			}
			if !strings.Contains(text, "WGS 84") {
				t.Errorf("ogrinfo does not see WGS 84:\n%s", out)
			}
			m := regexp.MustCompile(`Feature Count: (\d+)`).FindStringSubmatch(string(full))
			if m == nil {
				t.Fatalf("no feature count:\n%s", full)
			}
			n, _ := strconv.Atoi(m[1])
			if tt.features >= 0 && n != tt.features || n == 0 {
				t.Errorf("ogrinfo counts %d features, want %d", n, tt.features)
			}
			for _, g := range tt.geoms {
				if !strings.Contains(string(full), "  "+g+" : ") {
					t.Errorf("ogrinfo shows no %s geometry:\n%.2000s", g, full)
				}
			}
			for _, f := range tt.fields {
				if !regexp.MustCompile(`(?m)^` + f + `: `).MatchString(string(out)) {
					t.Errorf("ogrinfo finds no field %q:\n%s", f, out)
				}
			}
		})
	}
}
