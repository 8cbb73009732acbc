// Package canary finds, in an output of truce, what its reader may not
// see: marker strings planted in the private fields of test observations,
// and positions near the observers who filed them. The leak canary tests
// of every read path (the API, the CLI's bundles and files) search their
// outputs with it.
package canary

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"

	"github.com/truce-monitor/truce/geo"
)

// A Finder looks for Markers, and for any position within RadiusM metres
// of one of Observers (longitude, latitude).
type Finder struct {
	Markers   []string
	Observers [][2]float64
	RadiusM   float64
}

// lonLatText is a pair of decimal degrees as a text would print it:
// "37.3123, 48.5123" or "37.3123 48.5123".
var lonLatText = regexp.MustCompile(`(-?\d{1,3}\.\d{2,})°?,? +(-?\d{1,3}\.\d{2,})`)

// Find returns what in b leaks — a marker, a JSON position (an object's
// "lon" and "lat", or a GeoJSON pair of coordinates) or a pair of decimal
// degrees in text near an observer — or "" when nothing does.
func (f *Finder) Find(b []byte) string {
	for _, m := range f.Markers {
		if bytes.Contains(b, []byte(m)) {
			return "marker " + strconv.Quote(m)
		}
	}
	var v any
	if json.Unmarshal(b, &v) == nil {
		if p, ok := f.walk(v); ok {
			return "position " + pair(p)
		}
	}
	for _, m := range lonLatText.FindAllSubmatch(b, -1) {
		x, err1 := strconv.ParseFloat(string(m[1]), 64)
		y, err2 := strconv.ParseFloat(string(m[2]), 64)
		if err1 != nil || err2 != nil {
			continue
		}
		for _, p := range []geo.Point{{x, y}, {y, x}} {
			if p[1] >= -90 && p[1] <= 90 && f.near(p) {
				return "text " + string(m[0])
			}
		}
	}
	return ""
}

// near reports whether p lies within RadiusM of an observer.
func (f *Finder) near(p geo.Point) bool {
	for _, o := range f.Observers {
		if geo.Distance(p, geo.Point(o)) < f.RadiusM {
			return true
		}
	}
	return false
}

// walk looks through a decoded JSON value for a position near an
// observer.
func (f *Finder) walk(v any) (geo.Point, bool) {
	switch v := v.(type) {
	case map[string]any:
		lon, ok1 := v["lon"].(float64)
		lat, ok2 := v["lat"].(float64)
		if ok1 && ok2 && f.near(geo.Point{lon, lat}) {
			return geo.Point{lon, lat}, true
		}
		for _, x := range v {
			if p, ok := f.walk(x); ok {
				return p, true
			}
		}
	case []any:
		if len(v) == 2 {
			lon, ok1 := v[0].(float64)
			lat, ok2 := v[1].(float64)
			if ok1 && ok2 && f.near(geo.Point{lon, lat}) {
				return geo.Point{lon, lat}, true
			}
		}
		for _, x := range v {
			if p, ok := f.walk(x); ok {
				return p, true
			}
		}
	}
	return geo.Point{}, false
}

func pair(p geo.Point) string {
	return strconv.FormatFloat(p[0], 'f', -1, 64) + ", " + strconv.FormatFloat(p[1], 'f', -1, 64)
}
