package importer_test

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/importer"
)

func testdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func read(t testing.TB, format, name string, data []byte, opts importer.Options) *importer.Result {
	t.Helper()
	res, err := importer.Read(format, name, bytes.NewReader(data), opts)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	checkResult(t, res)
	return res
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestAirForce(t *testing.T) {
	res := read(t, "airforce", "airforce_small.csv", testdata(t, "airforce_small.csv"), importer.Options{})
	if len(res.Observations) != 14 {
		t.Fatalf("%d observations, want 14", len(res.Observations))
	}
	o := res.Observations[0]
	// 2025-04-30 19:30 Kyiv (EEST, +03:00) is 16:30 UTC.
	if !o.ObservedAt.Equal(utc("2025-04-30T16:30:00Z")) || o.ObservedUntil == nil || !o.ObservedUntil.Equal(utc("2025-05-01T05:30:00Z")) {
		t.Errorf("times %v %v", o.ObservedAt, o.ObservedUntil)
	}
	if o.Kind != truce.KindDroneStrike || o.WeaponClass != truce.WeaponStrikeDrone || o.Weapon != "Shahed-136/131" ||
		o.TimePrecision != truce.PrecisionMinute || o.Counts == nil || o.Counts.Launched != 170 || o.Counts.Destroyed != 74 ||
		o.Location.Region != "Ukraine" || o.Location.GeoPrecision != truce.GeoCountry || o.Location.Lon == nil {
		t.Errorf("row 2: %+v", o)
	}
	// Five launch places: the first's point, with a direction's spread.
	if l := o.Origin; l == nil || l.Lon == nil || *l.Lon != 38.17 || l.UncertaintyM != 150000 {
		t.Errorf("row 2: origin %+v, want Primorsko-Akhtarsk ±150 km", l)
	}
	for _, want := range []string{"Primorsko-Akhtarsk", "kpszsu/posts/pfbid026AMQ", "68 did not reach", "Regions reporting hits: Odesa oblast, Kharkiv oblast"} {
		if !strings.Contains(o.Text, want) {
			t.Errorf("text %q lacks %q", o.Text, want)
		}
	}
	// Iskander-M on Odesa oblast: ballistic, oblast with the centre's point.
	o = res.Observations[1]
	if o.Kind != truce.KindMissileStrike || o.WeaponClass != truce.WeaponBallisticMissile ||
		o.Location.GeoPrecision != truce.GeoOblast || o.Location.Lon == nil || *o.Location.Lon != 30.7233 {
		t.Errorf("row 3: %+v %+v", o, o.Location)
	}
	// Cyrillic model, bare date: a daily summary, day precision, direction.
	o = res.Observations[3]
	if o.Weapon != "Молнія" || o.Kind != truce.KindDroneStrike || o.TimePrecision != truce.PrecisionDay ||
		!o.ObservedAt.Equal(utc("2025-04-29T21:00:00Z")) || o.Location.GeoPrecision != truce.GeoDirection || o.Location.Region != "south" {
		t.Errorf("Молнія row: %+v", o)
	}
	// The time with a trailing space: "2025-03-06 21:00 " (EET, +02:00).
	var found bool
	for _, o := range res.Observations {
		if o.ObservedAt.Equal(utc("2025-03-06T19:00:00Z")) {
			found = true
			if o.TimePrecision != truce.PrecisionMinute || o.Counts.Launched != 194 {
				t.Errorf("trailing-space row: %+v", o)
			}
		}
	}
	if !found {
		t.Error("the row with time_start \"2025-03-06 21:00 \" is missing")
	}
	// Two rows share time_start|time_end|model|target|source (the post
	// lists two launch places): both are kept, with different ids.
	a, b := res.Observations[12], res.Observations[13]
	if a.Weapon != "Iskander-M/KN-23" || b.Weapon != a.Weapon || a.ID == b.ID {
		t.Errorf("duplicate-key rows: %s %s / %s %s", a.Weapon, a.ID, b.Weapon, b.ID)
	}
	if res.Source.Name != "ua-air-force" || !strings.Contains(res.Source.Description, "CC BY-NC-SA 4.0") || !strings.Contains(res.Source.Description, "piterfm") {
		t.Errorf("source %+v", res.Source)
	}
}

func TestVIINA(t *testing.T) {
	res := read(t, "viina", "viina_small.csv", testdata(t, "viina_small.csv"), importer.Options{})
	if len(res.Observations) != 5 {
		t.Fatalf("%d observations, want 5", len(res.Observations))
	}
	o := res.Observations[0]
	if !o.ObservedAt.Equal(utc("2025-02-28T22:00:00Z")) || o.TimePrecision != truce.PrecisionDay ||
		*o.Location.Lon != 37.67529 || *o.Location.Lat != 47.95508 || o.Location.UncertaintyM != 5000 ||
		o.Kind != truce.KindExplosion || o.Target != truce.TargetMilitary || o.Lang != "uk" || o.BlamedParty != "" ||
		!strings.HasPrefix(o.Text, "Сили оборони") {
		t.Errorf("row 2: %+v", o)
	}
	// REFINING_PETROCHEM_GAS|STRATEGIC_AIRBASE: energy wins.
	if o := res.Observations[2]; o.Target != truce.TargetEnergy {
		t.Errorf("row 4 target %q", o.Target)
	}
	var ru, ua int
	for _, o := range res.Observations {
		switch o.BlamedParty {
		case "RU":
			ru++
		case "UA":
			ua++
		}
	}
	if ru != 1 || ua != 1 {
		t.Errorf("blamed RU %d UA %d, want 1 and 1", ru, ua)
	}
	if !strings.Contains(res.Source.Description, "ODbL") || !strings.Contains(res.Source.Description, "Zhukov") {
		t.Errorf("source %+v", res.Source)
	}
}

func TestVIINAEvent1pd(t *testing.T) {
	res := read(t, "viina", "viina_event1pd_synthetic.csv", testdata(t, "viina_event1pd_synthetic.csv"), importer.Options{})
	if len(res.Observations) != 3 {
		t.Fatalf("%d observations", len(res.Observations))
	}
	want := []struct {
		kind  truce.Kind
		blame string
		u     float64
	}{
		{truce.KindDroneStrike, "RU", 5000},
		{truce.KindArtillery, "UA", 75000},
		{truce.KindExplosion, "", 1000},
	}
	for i, w := range want {
		o := res.Observations[i]
		if o.Kind != w.kind || o.BlamedParty != w.blame || o.Location.UncertaintyM != w.u || o.Text != "" || o.Lang != "" {
			t.Errorf("row %d: %+v", i+2, o)
		}
	}
}

func TestVIINAEventInfo(t *testing.T) {
	// event_info joined with event_labels: one row per report; the key is
	// event_id, the text is "text" with VIINA's lang "ua".
	in := "event_id,event_id_1pd,date,time,geonameid,asciiname,longitude,latitude,GEO_PRECISION,text,lang,a_rus_init_b,a_ukr_init_b,t_airstrike_b\n" +
		"5000001,900001,20250314,07:30,703448,Kyiv,30.52914,50.44426,ADM3,Вибух у Києві,ua,1,0,1\n" +
		"5000002,900001,20250314,07:31,703448,Kyiv,30.52914,50.44426,ADM3,\"Взрыв в Киеве, сообщают\",ru,0,0,0\n"
	res := read(t, "viina", "event_info.csv", []byte(in), importer.Options{})
	if len(res.Observations) != 2 || res.Observations[0].ID == res.Observations[1].ID {
		t.Fatalf("observations %v", res.Observations)
	}
	if o := res.Observations[0]; o.Kind != truce.KindAirStrike || o.Lang != "uk" || o.BlamedParty != "RU" {
		t.Errorf("row 2: %+v", o)
	}
	if o := res.Observations[1]; o.Lang != "ru" || o.Kind != truce.KindExplosion {
		t.Errorf("row 3: %+v", o)
	}
}

func TestFIRMSEconomist(t *testing.T) {
	res := read(t, "firms", "firms_economist_small.csv", testdata(t, "firms_economist_small.csv"), importer.Options{})
	if len(res.Observations) != 6 {
		t.Fatalf("%d observations", len(res.Observations))
	}
	o := res.Observations[0]
	if !o.ObservedAt.Equal(utc("2025-03-01T09:47:00Z")) || o.Location.UncertaintyM != 375 || *o.Location.Lat != 48.01049 ||
		!strings.Contains(o.Text, "in_ukraine_held_area=1") {
		t.Errorf("row 2: %+v", o)
	}
	// Unpadded ACQ_TIME: "28" is 00:28 and "9" is 00:09.
	if o := res.Observations[4]; !o.ObservedAt.Equal(utc("2025-03-09T00:28:00Z")) || !strings.Contains(o.Text, "=0") {
		t.Errorf("ACQ_TIME 28: %v %q", o.ObservedAt, o.Text)
	}
	if o := res.Observations[5]; !o.ObservedAt.Equal(utc("2025-03-26T00:09:00Z")) {
		t.Errorf("ACQ_TIME 9: %v", o.ObservedAt)
	}
	// Rows 4 and 5 share date and time but not the place: distinct ids.
	if res.Observations[2].ID == res.Observations[3].ID {
		t.Error("same id for different detections")
	}
	if res.Source.Role != truce.RoleSensor || !strings.Contains(res.Source.Description, "CC BY 4.0") {
		t.Errorf("source %+v", res.Source)
	}
}

func TestFIRMSNative(t *testing.T) {
	res := read(t, "firms", "firms_native_small.csv", testdata(t, "firms_native_small.csv"), importer.Options{})
	if len(res.Observations) != 5 {
		t.Fatalf("%d observations", len(res.Observations))
	}
	o := res.Observations[0]
	// scan 0.53 km, track 0.67 km: half the diagonal is 427 m.
	if !o.ObservedAt.Equal(utc("2025-08-11T00:45:00Z")) || o.Location.UncertaintyM != 427 {
		t.Errorf("row 2: %v %v", o.ObservedAt, o.Location.UncertaintyM)
	}
	for _, want := range []string{"N20", "NOAA-20", "confidence nominal", "FRP 0.36 MW", "night"} {
		if !strings.Contains(o.Text, want) {
			t.Errorf("text %q lacks %q", o.Text, want)
		}
	}
	res = read(t, "firms", "firms_modis_synthetic.csv", testdata(t, "firms_modis_synthetic.csv"), importer.Options{})
	if u := res.Observations[0].Location.UncertaintyM; u != 1000 {
		t.Errorf("MODIS without scan/track: %v m, want 1000", u)
	}
	if o := res.Observations[0]; !o.ObservedAt.Equal(utc("2025-03-14T09:05:00Z")) || !strings.Contains(o.Text, "confidence 78") {
		t.Errorf("MODIS row: %+v", o)
	}
}

func TestDeepState(t *testing.T) {
	res := read(t, "deepstate", "deepstatemap_data_20250430.geojson.gz", testdata(t, "deepstatemap_data_20250430.geojson.gz"), importer.Options{})
	if len(res.ControlMaps) != 1 {
		t.Fatalf("%d maps", len(res.ControlMaps))
	}
	m := res.ControlMaps[0]
	if m.ID != "deepstate-2025-04-30" || !m.AsOf.Equal(utc("2025-04-30T03:00:00Z")) || len(m.Holdings) != 1 || m.Holdings[0].Party != "RU" {
		t.Errorf("map %s %v %v", m.ID, m.AsOf, len(m.Holdings))
	}
	for _, want := range []string{"grey zone", "Kursk"} {
		if !strings.Contains(m.Note, want) {
			t.Errorf("note lacks %q: %s", want, m.Note)
		}
	}
	g := string(m.Holdings[0].Geometry)
	if !strings.HasPrefix(g, `{"type":"MultiPolygon","coordinates":[[[[35.201458,45.523343],`) || strings.ContainsAny(g, " \n") {
		t.Errorf("geometry starts %.80s", g)
	}
	if res.Source.Name != "deepstate" || res.Source.Role != truce.RoleDataset {
		t.Errorf("source %+v", res.Source)
	}

	// The tiny file: the date comes from the "name" member when the file
	// name has none; number text is kept as written.
	res = read(t, "deepstate", "tiny.geojson", testdata(t, "deepstate_tiny.geojson"), importer.Options{})
	m = res.ControlMaps[0]
	if m.ID != "deepstate-2025-03-14" {
		t.Errorf("id %s", m.ID)
	}
	if g := string(m.Holdings[0].Geometry); !strings.Contains(g, "[38.000000000000007,48.5]") || !strings.HasPrefix(g, `{"type":"MultiPolygon","coordinates":[[[[37.0,48.0],`) {
		t.Errorf("geometry %s", g)
	}
	// The file name wins over "name".
	res = read(t, "deepstate", "deepstatemap_data_20250101.geojson", testdata(t, "deepstate_tiny.geojson"), importer.Options{})
	if id := res.ControlMaps[0].ID; id != "deepstate-2025-01-01" {
		t.Errorf("id %s", id)
	}
}

func TestGeoJSON(t *testing.T) {
	res := read(t, "geojson", "obs.geojson", testdata(t, "obs.geojson"), importer.Options{})
	if len(res.Observations) != 3 {
		t.Fatalf("%d observations", len(res.Observations))
	}
	o := res.Observations[0]
	if o.ID != "mon-2025-03-14-001" || o.Kind != truce.KindArtillery || !o.ObservedAt.Equal(utc("2025-03-14T04:30:00Z")) ||
		*o.Location.Lon != 37.55 || o.Location.UncertaintyM != 500 || o.Counts.Rounds != 12 || o.BlamedParty != "RU" {
		t.Errorf("feature 0: %+v", o)
	}
	o = res.Observations[1]
	if o.ID == "" || o.Location.Region != "Kharkiv oblast" || o.Location.Lon != nil || o.Target != truce.TargetEnergy {
		t.Errorf("feature 1: %+v", o)
	}
	o = res.Observations[2]
	if o.ID != "mon-2025-03-16-007" || o.Location.UncertaintyM != 2000 || len(o.Evidence) != 1 || o.ObservedUntil == nil {
		t.Errorf("feature 2: %+v", o)
	}
	if res.Source.Name != "geojson-import" {
		t.Errorf("source %s", res.Source.Name)
	}
	res = read(t, "geojson", "obs.geojson", testdata(t, "obs.geojson"), importer.Options{Source: "mission-7"})
	if res.Source.Name != "mission-7" || res.Source.Role != truce.RoleDataset {
		t.Errorf("source %+v", res.Source)
	}
}

func TestCSV(t *testing.T) {
	res := read(t, "csv", "obs.csv", testdata(t, "obs.csv"), importer.Options{})
	if len(res.Observations) != 3 {
		t.Fatalf("%d observations", len(res.Observations))
	}
	o := res.Observations[0]
	if o.ID != "mon-1" || o.Text != `Shelling, 12 rounds "heard"` || o.Counts.Rounds != 12 || *o.Location.Lat != 48.74 {
		t.Errorf("row 2: %+v", o)
	}
	o = res.Observations[1]
	if o.ID == "" || o.Location.Region != "Kharkiv oblast" || o.Counts.Launched != 20 || o.Counts.Injured != 2 ||
		len(o.Evidence) != 2 || o.Evidence[1].Ref != "b.jpg" || o.Lang != "uk" {
		t.Errorf("row 3: %+v", o)
	}
	o = res.Observations[2]
	if o.Text != "multi-line\ntext" || o.Location.GeoPrecision != truce.GeoSettlement || o.Location.Lon == nil {
		t.Errorf("row 4: %+v", o)
	}
}

func TestCSVColumns(t *testing.T) {
	if len(importer.CSVColumns) != 23 || importer.CSVColumns[0] != "id" {
		t.Errorf("columns %v", importer.CSVColumns)
	}
}

func TestGzip(t *testing.T) {
	for _, name := range []string{"firms_economist_small.csv", "obs.geojson"} {
		plain := testdata(t, name)
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(plain)
		zw.Close()
		format := map[string]string{"firms_economist_small.csv": "firms", "obs.geojson": "geojson"}[name]
		a := read(t, format, name, plain, importer.Options{})
		b := read(t, format, name+".gz", z.Bytes(), importer.Options{})
		if !bytes.Equal(canonicalAll(t, a), canonicalAll(t, b)) {
			t.Errorf("%s: gzipped input reads differently", name)
		}
	}
}

func TestDeterminism(t *testing.T) {
	for _, c := range []struct{ format, file string }{
		{"airforce", "airforce_small.csv"},
		{"viina", "viina_small.csv"},
		{"viina", "viina_event1pd_synthetic.csv"},
		{"firms", "firms_economist_small.csv"},
		{"firms", "firms_native_small.csv"},
		{"deepstate", "deepstatemap_data_20250430.geojson.gz"},
		{"geojson", "obs.geojson"},
		{"csv", "obs.csv"},
	} {
		data := testdata(t, c.file)
		a := canonicalAll(t, read(t, c.format, c.file, data, importer.Options{}))
		b := canonicalAll(t, read(t, c.format, c.file, data, importer.Options{}))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s: two reads differ", c.file)
		}
	}
	// Ids depend on the source name: another name, other ids.
	data := testdata(t, "firms_native_small.csv")
	a := read(t, "firms", "f.csv", data, importer.Options{})
	b := read(t, "firms", "f.csv", data, importer.Options{Source: "firms-nrt"})
	if a.Observations[0].ID == b.Observations[0].ID {
		t.Error("ids do not depend on the source name")
	}
}

// TestStableIDs pins a few ids: they must never change, or re-imports of
// the same rows would create new observations.
func TestStableIDs(t *testing.T) {
	res := read(t, "firms", "f.csv", testdata(t, "firms_economist_small.csv"), importer.Options{})
	res2 := read(t, "airforce", "a.csv", testdata(t, "airforce_small.csv"), importer.Options{})
	got := []string{res.Observations[0].ID, res2.Observations[0].ID}
	want := []string{"774a5f29-b168-502c-ba0e-89e5856f495f", "305d8c29-3e46-56da-991a-fc3bfdd95854"}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("id %d = %s, want %s", i, got[i], want[i])
		}
	}
}
