package importer_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/importer"
)

const (
	firmsHeader = "LATITUDE,LONGITUDE,date,ACQ_TIME,in_ukraine_held_area,acq_datetime_utc\n"
	firmsRow    = "48.01049,36.96112,2025-03-01,947,1,2025-03-01T09:47:00Z\n"
	afHeader    = "time_start,time_end,model,launch_place,target,target_main,launched,destroyed,not_reach_goal,still_attacking,border_crossing,is_shahed,num_hit_location,num_fall_fragment_location,carrier,turbojet,turbojet_destroyed,affected region,destroyed_details,launched_details,launch_place_details,source\n"
	afRow       = "2025-04-30 19:30,2025-05-01 08:30,Iskander-M,Crimea,Odesa oblast,,5.0,0.0,,,{},,,,,,,,,,,kpszsu/posts/x\n"
	viinaHeader = "event_id_1pd,date,longitude,latitude,a_rus_init,a_ukr_init,representative_text\r\n"
	viinaRow    = "81841,20250301,37.67529,47.95508,0,0,Сили оборони\r\n"
	csvHeader   = "id,kind,observed_at,time_precision,lon,lat,uncertainty_m,count_killed\n"
	csvRow      = "a1,artillery,2025-03-14T06:30:00+02:00,minute,37.5,48.7,500,\n"
)

func gz(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

func feature(i int, lon, lat, extra string) string {
	return fmt.Sprintf(`    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [%s, %s]},
     "properties": {"id": "f%d", "kind": "explosion", "observed_at": "2025-03-14T06:30:00Z", "time_precision": "minute"%s}}`, lon, lat, i, extra)
}

func TestMalformed(t *testing.T) {
	truncated := gz(strings.Repeat(firmsRow, 200))
	truncated = truncated[:len(truncated)/2]
	badRing := `{"type":"FeatureCollection","name":"deepstatemap_data_20250301","features":[
{"type":"Feature","properties":{},"geometry":{"type":"MultiPolygon","coordinates":[[[[37,48],[37,49],[38,49],[38,48.5]]]]}}]}`
	for _, c := range []struct {
		name, format string
		in           []byte
		line         int
		path, msg    string
	}{
		{"firms bad lat", "firms", []byte(firmsHeader + firmsRow + "abc,36.9,2025-03-01,947,1,x\n"), 3, "", `column "latitude": "abc" is not a number`},
		{"firms lat out of range", "firms", []byte(firmsHeader + firmsRow + firmsRow + "95,36.9,2025-03-01,947,1,x\n"), 4, "", `latitude 95 is outside`},
		{"firms missing column", "firms", []byte("LATITUDE,LONGITUDE,date\n48,37,2025-03-01\n"), 1, "", `missing column(s) "acq_time"`},
		{"firms bad date", "firms", []byte(firmsHeader + "48.0,36.9,2025-13-01,947,1,x\n"), 2, "", `column "date": "2025-13-01" is not a date`},
		{"firms bad time", "firms", []byte(firmsHeader + "48.0,36.9,2025-03-01,2460,1,x\n"), 2, "", `column "ACQ_TIME": "2460" is not a time`},
		{"firms bad side flag", "firms", []byte(firmsHeader + "48.0,36.9,2025-03-01,947,2,x\n"), 2, "", `column "in_ukraine_held_area": "2" is not 0 or 1`},
		{"firms field count", "firms", []byte(firmsHeader + firmsRow + "48.0,36.9\n"), 3, "", "record has 2 fields, the header has 6"},
		{"firms bare quote", "firms", []byte(firmsHeader + "48.0,3\"6.9,2025-03-01,947,1,x\n"), 2, "", "bare \" in non-quoted-field"},
		{"truncated gzip", "firms", truncated, 0, "", "truncated gzip"},
		{"bad gzip header", "firms", []byte{0x1f, 0x8b, 0, 0, 0}, 1, "", "gzip"},
		{"empty file", "firms", nil, 1, "", "empty file"},
		{"airforce bad date", "airforce", []byte(afHeader + strings.Replace(afRow, "2025-04-30 19:30", "2025-02-30 19:30", 1)), 2, "", `column "time_start": "2025-02-30 19:30" is not a date`},
		{"airforce bad end", "airforce", []byte(afHeader + afRow + strings.Replace(afRow, "2025-05-01 08:30", "tomorrow", 1)), 3, "", `column "time_end": "tomorrow"`},
		{"airforce end before start", "airforce", []byte(afHeader + strings.Replace(afRow, "2025-05-01 08:30", "2025-04-29 08:30", 1)), 2, "", `column "time_end": "2025-04-29 08:30" is before time_start`},
		{"airforce launched not a number", "airforce", []byte(afHeader + strings.Replace(afRow, "5.0,0.0", "many,0.0", 1)), 2, "", `column "launched": "many" is not a number`},
		{"airforce fractional count", "airforce", []byte(afHeader + strings.Replace(afRow, "5.0,0.0", "5.5,0.0", 1)), 2, "", `column "launched": "5.5" is not a whole number`},
		{"airforce destroyed > launched", "airforce", []byte(afHeader + strings.Replace(afRow, "5.0,0.0", "5.0,7.0", 1)), 2, "", `column "destroyed": 7 destroyed is more than 5 launched`},
		{"airforce missing model", "airforce", []byte(strings.Replace(afHeader, "model,", "weapon,", 1) + afRow), 1, "", `missing column(s) "model"`},
		{"airforce empty model", "airforce", []byte(afHeader + strings.Replace(afRow, "Iskander-M", "", 1)), 2, "", `column "model": required`},
		{"viina bad date", "viina", []byte(viinaHeader + viinaRow + strings.Replace(viinaRow, "20250301", "2025031", 1)), 3, "", `column "date": "2025031" is not a date YYYYMMDD`},
		{"viina bad flag", "viina", []byte(viinaHeader + strings.Replace(viinaRow, ",0,0,", ",yes,0,", 1)), 2, "", `column "a_rus_init": "yes" is not a 0/1 flag`},
		{"viina bad lon", "viina", []byte(viinaHeader + strings.Replace(viinaRow, "37.67529", "", 1)), 2, "", `column "longitude": required`},
		{"viina missing id column", "viina", []byte("date,longitude,latitude\r\n20250301,37,48\r\n"), 1, "", `missing column(s) "event_id_1pd or event_id"`},
		{"csv unknown column", "csv", []byte("id,kind,observed_at,time_precision,lon,lat,colour\n"), 1, "", `unknown column(s) "colour"`},
		{"csv missing column", "csv", []byte("id,kind,observed_at,lon,lat\n"), 1, "", `missing column(s) "time_precision"`},
		{"csv wrong type", "csv", []byte(csvHeader + csvRow + strings.Replace(csvRow, "500,", "500,two", 1)), 3, "", `column "count_killed": "two" is not a number`},
		{"csv unknown kind", "csv", []byte(csvHeader + strings.Replace(csvRow, "artillery", "shelling", 1)), 2, "", `column "kind": unknown kind "shelling"`},
		{"csv bad time", "csv", []byte(csvHeader + strings.Replace(csvRow, "2025-03-14T06:30:00+02:00", "14/03/2025", 1)), 2, "", `column "observed_at": "14/03/2025" is not an RFC 3339 time`},
		{"csv bad uncertainty", "csv", []byte(csvHeader + strings.Replace(csvRow, ",500,", ",-5,", 1)), 2, "", `column "uncertainty_m": must be between 0 and 1000000`},
		{"csv duplicate id", "csv", []byte(csvHeader + csvRow + strings.Replace(csvRow, "500", "600", 1)), 3, "", `id "a1" is already used by the record at line 2`},
		{"geojson duplicate id", "geojson", []byte("{\"type\": \"FeatureCollection\", \"features\": [\n" +
			feature(0, "37", "48", "") + ",\n" + feature(0, "37", "48", "") + "\n]}"), 4, "features[1]", `id "f0" is already used by the record at line 2`},
		{"csv record start line", "csv", []byte("id,kind,observed_at,time_precision,lon,lat,text\n" +
			"a1,artillery,2025-03-14T06:30:00Z,minute,37,48,\"two\nlines\"\n" +
			"a2,artillery,2025-03-14T06:30:00Z,minute,37,91,\"also\ntwo\"\n"), 4, "", `column "lat": latitude 91 is outside`},
		{"geojson bad lat", "geojson", []byte("{\n  \"type\": \"FeatureCollection\",\n  \"features\": [\n" +
			feature(0, "37", "48", "") + ",\n" + feature(1, "37", "95", "") + "\n  ]\n}\n"), 6, "features[1].properties.location.lat", "latitude must be between -90 and 90"},
		{"geojson unknown property", "geojson", []byte("{\"type\": \"FeatureCollection\", \"features\": [\n" +
			feature(0, "37", "48", `, "colour": "red"`) + "\n]}"), 2, "features[0].properties", `unknown field "colour"`},
		{"geojson wrong type", "geojson", []byte("{\"type\": \"FeatureCollection\", \"features\": [\n" +
			feature(0, "37", "48", `, "counts": {"rounds": "many"}`) + "\n]}"), 2, "features[0].properties", `counts.rounds: a JSON string where int was expected`},
		{"geojson syntax error", "geojson", []byte("{\"type\": \"FeatureCollection\", \"features\": [\n" +
			feature(0, "37", "48", "") + ",\n" + feature(1, "37", "48", ",,") + "\n]}"), 5, "", "invalid JSON"},
		{"geojson truncated", "geojson", []byte("{\"type\": \"FeatureCollection\", \"features\": [\n" + feature(0, "37", "48", "")), 3, "", "unexpected end of input"},
		{"geojson not a collection", "geojson", []byte(`{"type": "Feature"}`), 1, "type", `want a GeoJSON "FeatureCollection"`},
		{"geojson line geometry", "geojson", []byte("{\"type\": \"FeatureCollection\", \"features\": [\n" +
			strings.Replace(feature(0, "37", "48", ""), `"Point"`, `"LineString"`, 1) + "\n]}"), 2, "features[0].geometry.type", `want "Point", found "LineString"`},
		{"deepstate open ring", "deepstate", []byte(badRing), 2, "features[0].geometry.coordinates[0][0]", "ring is not closed"},
		{"deepstate second feature bad", "deepstate", []byte(`{"type":"FeatureCollection","name":"deepstatemap_data_20250301","features":[
{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[37,48],[37,49],[38,49],[37,48]]]}},
{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[37,48],[37,91],[38,49],[37,48]]]}}]}`), 3, "features[1].geometry.coordinates[0][1]", "latitude 91 is out of range"},
		{"deepstate no date", "deepstate", []byte(`{"type":"FeatureCollection","features":[]}`), 1, "name", "no map date"},
		{"deepstate no polygons", "deepstate", []byte(`{"type":"FeatureCollection","name":"deepstatemap_data_20250301","features":[]}`), 1, "features", "no Polygon or MultiPolygon"},
		{"deepstate not json", "deepstate", []byte("deepstate\n"), 1, "", "invalid JSON"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := importer.Read(c.format, "in.dat", bytes.NewReader(c.in), importer.Options{})
			if err == nil {
				t.Fatalf("no error; result %+v", res)
			}
			if res != nil {
				t.Error("a result with the error")
			}
			var te *truce.Error
			if !errors.As(err, &te) || te.Code != truce.EINVALID {
				t.Fatalf("error %T %v: want *truce.Error EINVALID", err, err)
			}
			if len(te.Problems) == 0 {
				t.Fatalf("no problems: %v", err)
			}
			p := te.Problems[0]
			if p.File != "in.dat" || (c.line > 0 && p.Line != c.line) || p.Line < 1 || p.Path != c.path || !strings.Contains(p.Message, c.msg) {
				t.Errorf("problem %q\nwant in.dat:%d: %s: ...%s...", p.String(), c.line, c.path, c.msg)
			}
		})
	}
}

func TestProblemString(t *testing.T) {
	_, err := importer.Read("firms", "fires.csv", strings.NewReader(firmsHeader+"abc,36.9,2025-03-01,947,1,x\n"), importer.Options{})
	ps := truce.ErrorProblems(err)
	if len(ps) != 1 || ps[0].String() != `fires.csv:2: column "latitude": "abc" is not a number` {
		t.Errorf("problems %v", ps)
	}
}

func TestEveryBadRowReported(t *testing.T) {
	// A row with two bad columns reports both; every bad row is listed.
	in := firmsHeader + firmsRow + "abc,x,2025-03-01,947,1,x\n" + firmsRow + "48,37,2025-03-40,947,1,x\n"
	_, err := importer.Read("firms", "f.csv", strings.NewReader(in), importer.Options{})
	ps := truce.ErrorProblems(err)
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	want := []string{
		`f.csv:3: column "longitude": "x" is not a number`,
		`f.csv:3: column "latitude": "abc" is not a number`,
		`f.csv:5: column "date": "2025-03-40" is not a date YYYY-MM-DD`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestProblemCap(t *testing.T) {
	in := firmsHeader + strings.Repeat("abc,37,2025-03-01,947,1,x\n", 150)
	_, err := importer.Read("firms", "f.csv", strings.NewReader(in), importer.Options{})
	ps := truce.ErrorProblems(err)
	if len(ps) != 101 {
		t.Fatalf("%d problems, want 101", len(ps))
	}
	last := ps[100]
	if last.Line != 102 || !strings.Contains(last.Message, "and 50 more") {
		t.Errorf("last problem %v", last)
	}
	if !strings.Contains(err.Error(), "150 problem(s)") {
		t.Errorf("message %q", truce.ErrorMessage(err))
	}
}

func TestSkipBad(t *testing.T) {
	in := firmsHeader + firmsRow + "abc,36.9,2025-03-01,947,1,x\n" + "48.5,37.5,2025-03-02,2359,0,x\n"
	res, err := importer.Read("firms", "f.csv", strings.NewReader(in), importer.Options{SkipBad: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Observations) != 2 || len(res.Skipped) != 1 {
		t.Fatalf("%d observations, %d skipped", len(res.Observations), len(res.Skipped))
	}
	if s := res.Skipped[0]; s.File != "f.csv" || s.Line != 3 || !strings.Contains(s.Message, "latitude") {
		t.Errorf("skipped %v", s)
	}
	// Ids of the good rows do not depend on the bad rows around them.
	clean, err := importer.Read("firms", "f.csv", strings.NewReader(firmsHeader+firmsRow+"48.5,37.5,2025-03-02,2359,0,x\n"), importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(canonicalAll(t, clean), canonicalAll(t, res)) {
		t.Error("skipping changed the good rows")
	}
	// File errors still fail with SkipBad.
	if _, err := importer.Read("firms", "f.csv", strings.NewReader("a,b\n1,2\n"), importer.Options{SkipBad: true}); err == nil {
		t.Error("missing columns accepted with SkipBad")
	}
	// A bad GeoJSON feature is skipped, the others kept.
	gj := "{\"type\": \"FeatureCollection\", \"features\": [\n" + feature(0, "37", "48", "") + ",\n" + feature(1, "37", "95", "") + "\n]}"
	res, err = importer.Read("geojson", "g.json", strings.NewReader(gj), importer.Options{SkipBad: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Observations) != 1 || len(res.Skipped) != 1 || res.Skipped[0].Line != 4 || res.Skipped[0].Path != "features[1].properties.location.lat" {
		t.Errorf("observations %d, skipped %v", len(res.Observations), res.Skipped)
	}
}

func TestBadOptions(t *testing.T) {
	if _, err := importer.Read("acled", "x.csv", strings.NewReader(""), importer.Options{}); truce.ErrorCode(err) != truce.EINVALID {
		t.Errorf("unknown format: %v", err)
	}
	if _, err := importer.Read("csv", "x.csv", strings.NewReader(""), importer.Options{Source: "Bad Name"}); truce.ErrorCode(err) != truce.EINVALID {
		t.Errorf("bad source name: %v", err)
	}
}
