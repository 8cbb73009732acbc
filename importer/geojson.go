package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/truce-monitor/truce"
)

var geoJSONSource = truce.Source{
	Name:        "geojson-import",
	Role:        truce.RoleDataset,
	Description: "Observations imported from a GeoJSON FeatureCollection in truce's observation schema.",
}

// geoProps are a feature's properties: the observation's own fields (as
// in its JSON form), with the location's non-coordinate fields also
// accepted flat (uncertainty_m, region, geo_precision). log_index and
// logged_at, which exports of stored records carry, are ignored, and so are
// source and source_role, which the store sets.
type geoProps struct {
	truce.Observation
	UncertaintyM *float64            `json:"uncertainty_m"`
	Region       *string             `json:"region"`
	GeoPrecision *truce.GeoPrecision `json:"geo_precision"`
	LogIndex     json.RawMessage     `json:"log_index"`
	LoggedAt     json.RawMessage     `json:"logged_at"`
}

// readGeoJSON reads truce's own observations as a GeoJSON FeatureCollection
// of Point features (or features with a null geometry and a region). Bad
// features are reported with the line where they start and the path
// features[i]. A feature without an id gets one derived from its content.
func readGeoJSON(rd *reader) error {
	fc, err := readFeatureCollection(rd)
	if err != nil {
		return err
	}
	for _, f := range fc.features {
		fpath := fmt.Sprintf("features[%d]", f.index)
		var feat struct {
			Type       string          `json:"type"`
			ID         json.RawMessage `json:"id"`
			Geometry   json.RawMessage `json:"geometry"`
			Properties json.RawMessage `json:"properties"`
		}
		if err := json.Unmarshal(f.raw, &feat); err != nil {
			rd.fail(f.line, fpath, "not a GeoJSON Feature object: %v", jsonMessage(err))
			continue
		}
		if feat.Type != "Feature" {
			rd.fail(f.line, fpath+".type", "want \"Feature\", found %q", feat.Type)
			continue
		}
		var p geoProps
		if len(feat.Properties) == 0 || string(feat.Properties) == "null" {
			rd.fail(f.line, fpath+".properties", "required: the observation's fields")
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(feat.Properties))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			rd.fail(f.line, fpath+".properties", "%s", jsonMessage(err))
			continue
		}
		o := p.Observation
		o.Source, o.SourceRole = "", ""
		if o.ID == "" && len(feat.ID) > 0 {
			_ = json.Unmarshal(feat.ID, &o.ID) // a string feature id; a number is ignored
		}
		if p.UncertaintyM != nil {
			o.Location.UncertaintyM = *p.UncertaintyM
		}
		if p.Region != nil {
			o.Location.Region = *p.Region
		}
		if p.GeoPrecision != nil {
			o.Location.GeoPrecision = *p.GeoPrecision
		}
		if len(feat.Geometry) > 0 && string(feat.Geometry) != "null" {
			var g struct {
				Type        string    `json:"type"`
				Coordinates []float64 `json:"coordinates"`
			}
			if err := json.Unmarshal(feat.Geometry, &g); err != nil {
				rd.fail(f.line, fpath+".geometry", "want a Point geometry: %s", jsonMessage(err))
				continue
			}
			if g.Type != "Point" {
				rd.fail(f.line, fpath+".geometry.type", "want \"Point\", found %q", g.Type)
				continue
			}
			if len(g.Coordinates) < 2 || len(g.Coordinates) > 3 {
				rd.fail(f.line, fpath+".geometry.coordinates", "a position has 2 or 3 numbers, found %d", len(g.Coordinates))
				continue
			}
			o.Location.Lon, o.Location.Lat = ptr(g.Coordinates[0]), ptr(g.Coordinates[1])
		}
		if o.ID == "" {
			o.Normalize()
			c, err := o.Canonical()
			if err != nil {
				rd.fail(f.line, fpath, "%v", err)
				continue
			}
			o.ID = rd.id("content:" + string(c))
		}
		rd.add(f.line, fpath+".properties", &o)
	}
	return nil
}

// jsonMessage makes encoding/json's errors read better.
func jsonMessage(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			return fmt.Sprintf("a JSON %s where %s was expected", te.Value, te.Type)
		}
		return fmt.Sprintf("%s: a JSON %s where %s was expected", field, te.Value, te.Type)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}
