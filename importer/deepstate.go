package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/geo"
)

var deepStateSource = truce.Source{
	Name: "deepstate",
	Role: truce.RoleDataset,
	Description: "DeepStateMap (deepstatemap.live): ground held by Russia inside Ukraine, Crimea included, " +
		"one map a day as compiled by cyterat/deepstate-map-data (GitHub; repository licence GNU GPL v3). " +
		"Credit DeepStateMap as the original source and cyterat/deepstate-map-data as the compiler; " +
		"check DeepStateMap's terms before redistribution. Leaves out the grey zone and Ukrainian-held ground in Russia (Kursk).",
}

// deepStateFetchHour is the hour (UTC) at which the upstream job fetched the
// map each day (cron "0 3 * * *", commits at 03:06-03:22 UTC), so a file
// named YYYYMMDD is the map as of that date at 03:00 UTC.
const deepStateFetchHour = 3

var (
	deepStateNameRe = regexp.MustCompile(`deepstatemap_data_(\d{8})`)
	anyDateRe       = regexp.MustCompile(`(?:^|[^0-9])((?:19|20)\d{6})(?:[^0-9]|$)`)
)

// deepStateDate finds the map date in s: deepstatemap_data_YYYYMMDD, or any
// other YYYYMMDD standing alone.
func deepStateDate(s string) (time.Time, bool) {
	for _, re := range []*regexp.Regexp{deepStateNameRe, anyDateRe} {
		if m := re.FindStringSubmatch(s); m != nil {
			if t, err := time.Parse("20060102", m[1]); err == nil {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// readDeepState reads one DeepState GeoJSON file: a FeatureCollection whose
// Polygon and MultiPolygon features are, together, the ground DeepState
// shows as held by Russia inside Ukraine. It yields one control map with
// one holding for "RU". Coordinates are kept exactly as written (the JSON
// is only compacted); the clockwise exterior rings DeepState writes are
// accepted as they are.
func readDeepState(rd *reader) error {
	fc, err := readFeatureCollection(rd)
	if err != nil {
		return err
	}
	date, ok := deepStateDate(path.Base(strings.ReplaceAll(rd.name, `\`, "/")))
	if !ok {
		date, ok = deepStateDate(fc.name)
	}
	if !ok {
		return fileError(rd.name, 1, "name", "no map date: name the file deepstatemap_data_YYYYMMDD.geojson or give a top-level \"name\": \"deepstatemap_data_YYYYMMDD\"")
	}
	var polygons []json.RawMessage
	skippedTypes := map[string]int{}
	for _, f := range fc.features {
		fpath := fmt.Sprintf("features[%d]", f.index)
		var feat struct {
			Type     string          `json:"type"`
			Geometry json.RawMessage `json:"geometry"`
		}
		if err := json.Unmarshal(f.raw, &feat); err != nil {
			rd.fail(f.line, fpath, "not a GeoJSON Feature object: %v", err)
			continue
		}
		if feat.Type != "Feature" {
			rd.fail(f.line, fpath+".type", "want \"Feature\", found %q", feat.Type)
			continue
		}
		if len(feat.Geometry) == 0 || string(feat.Geometry) == "null" {
			skippedTypes["null"]++
			continue
		}
		var g struct {
			Type        string            `json:"type"`
			Coordinates []json.RawMessage `json:"coordinates"`
		}
		if err := json.Unmarshal(feat.Geometry, &g); err != nil {
			rd.fail(f.line, fpath+".geometry", "not a GeoJSON geometry: %v", err)
			continue
		}
		if g.Type != "Polygon" && g.Type != "MultiPolygon" {
			skippedTypes[g.Type]++ // points and lines carry no ground
			continue
		}
		if len(fc.features) > 1 && !checkFeatureGeometry(rd, f, fpath, feat.Geometry) {
			continue
		}
		if g.Type == "Polygon" {
			polygons = append(polygons, compactRaw(mustMarshalRaw(g.Coordinates)))
		} else {
			for _, p := range g.Coordinates {
				polygons = append(polygons, compactRaw(p))
			}
		}
	}
	if len(polygons) == 0 {
		if len(rd.bad) > 0 {
			return nil // every feature was bad; reported as such
		}
		return fileError(rd.name, 1, "features", "no Polygon or MultiPolygon feature: nothing to map")
	}
	var geom bytes.Buffer
	geom.WriteString(`{"type":"MultiPolygon","coordinates":[`)
	for i, p := range polygons {
		if i > 0 {
			geom.WriteByte(',')
		}
		geom.Write(p)
	}
	geom.WriteString(`]}`)
	day := date.Format("2006-01-02")
	note := fmt.Sprintf("DeepStateMap, ground shown as held by Russia inside Ukraine (categories \"Occupied\", "+
		"\"CADR and CALR\", \"Occupied Crimea\"), as fetched at about %02d:00 UTC on %s by cyterat/deepstate-map-data; "+
		"so it normally shows DeepState's map of the evening before. Left out: DeepState's grey zone (unknown status), "+
		"so ground outside the RU holding is not necessarily held by Ukraine; Ukrainian-held ground in Russia (Kursk oblast, from August 2024); "+
		"other categories (Transnistria, Tuzla Island). Only RU-held ground is mapped.", deepStateFetchHour, day)
	if len(skippedTypes) > 0 {
		var parts []string
		for _, t := range []string{"Point", "MultiPoint", "LineString", "MultiLineString", "GeometryCollection", "null"} {
			if n := skippedTypes[t]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, t))
			}
		}
		if len(parts) > 0 {
			note += " Features without ground ignored: " + strings.Join(parts, ", ") + "."
		}
	}
	m := &truce.ControlMap{
		ID:       "deepstate-" + day,
		AsOf:     date.Add(deepStateFetchHour * time.Hour).UTC(),
		Holdings: []truce.Holding{{Party: "RU", Geometry: json.RawMessage(geom.Bytes())}},
		Note:     note,
	}
	if err := m.Validate(); err != nil {
		// With one feature (DeepState's files) its geometry is checked
		// only here, once; name the feature.
		if len(fc.features) == 1 {
			f := fc.features[0]
			var feat struct {
				Geometry json.RawMessage `json:"geometry"`
			}
			if json.Unmarshal(f.raw, &feat) == nil && !checkFeatureGeometry(rd, f, "features[0]", feat.Geometry) {
				return nil
			}
		}
		for _, p := range truce.ErrorProblems(err) {
			rd.fail(1, p.Path, "%s", p.Message)
		}
		return nil
	}
	rd.res.ControlMaps = append(rd.res.ControlMaps, m)
	return nil
}

// compactRaw removes insignificant white space; numbers keep their text.
// Its input has been parsed already, so Compact cannot fail.
func compactRaw(raw []byte) json.RawMessage {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return raw
	}
	return b.Bytes()
}

// mustMarshalRaw re-joins raw array elements into one JSON array.
func mustMarshalRaw(elems []json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, e := range elems {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(e)
	}
	b.WriteByte(']')
	return b.Bytes()
}

// checkFeatureGeometry checks one feature's polygon geometry and reports
// the coordinate at fault.
func checkFeatureGeometry(rd *reader, f feature, fpath string, geometry json.RawMessage) bool {
	if _, err := geo.DecodeMultiPolygon(geometry); err != nil {
		var ce *geo.CoordError
		if errors.As(err, &ce) {
			rd.fail(f.line, fpath+".geometry."+ce.Path, "%s", ce.Message)
		} else {
			rd.fail(f.line, fpath+".geometry", "%v", err)
		}
		return false
	}
	return true
}
