package canary_test

import (
	"testing"

	"github.com/truce-monitor/truce/internal/canary"
)

func TestFind(t *testing.T) {
	f := canary.Finder{Markers: []string{"zq7"}, Observers: [][2]float64{{37.31234, 48.51234}}, RadiusM: 2000}
	tests := []struct {
		name, body string
		leaks      bool
	}{
		{"nothing", `{"lon":37.9,"lat":48.9,"text":"shelling"}`, false},
		{"a marker", `{"text":"zq7 ridge"}`, true},
		{"lon and lat near", `{"a":[{"lon":37.32,"lat":48.515}]}`, true},
		{"a GeoJSON pair near", `{"coordinates":[37.313,48.512]}`, true},
		{"a GeoJSON pair far", `{"coordinates":[37.5,48.7]}`, false},
		{"text near, lat first", `stood at 48.5123, 37.3123 that night`, true},
		{"text far", `impact at 37.9000, 48.9000`, false},
	}
	for _, tt := range tests {
		if got := f.Find([]byte(tt.body)); (got != "") != tt.leaks {
			t.Errorf("%s: Find = %q, want a leak: %v", tt.name, got, tt.leaks)
		}
	}
}
