package importer_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/importer"
)

// dataDir is the shared real-data folder, relative to this package.
const dataDir = "../../shared/data"

func needData(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(dataDir); err != nil {
		t.Skipf("real data not present: %v", err)
	}
}

// readPath reads a file with importer.Read, naming it by its base name.
func readPath(t testing.TB, format, path string, opts importer.Options) (*importer.Result, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return importer.Read(format, filepath.Base(path), f, opts)
}

// mustRead reads path and fails the test on error; it checks that every
// value validates.
func mustRead(t testing.TB, format, path string) *importer.Result {
	t.Helper()
	res, err := readPath(t, format, path, importer.Options{})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	checkResult(t, res)
	return res
}

func checkResult(t testing.TB, res *importer.Result) {
	t.Helper()
	if res.Source == nil {
		t.Fatal("no source")
	}
	if err := res.Source.Validate(); err != nil {
		t.Errorf("source: %v", err)
	}
	ids := map[string]bool{}
	for _, o := range res.Observations {
		if err := o.Validate(); err != nil {
			t.Errorf("observation %s: %v", o.ID, err)
		}
		if ids[o.ID] {
			t.Errorf("duplicate id %s", o.ID)
		}
		ids[o.ID] = true
	}
	for _, m := range res.ControlMaps {
		if err := m.Validate(); err != nil {
			t.Errorf("control map %s: %v", m.ID, err)
		}
	}
}

func canonicalAll(t testing.TB, res *importer.Result) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, o := range res.Observations {
		c, err := o.Canonical()
		if err != nil {
			t.Fatal(err)
		}
		b.Write(c)
		b.WriteByte('\n')
	}
	for _, m := range res.ControlMaps {
		c, err := m.Canonical()
		if err != nil {
			t.Fatal(err)
		}
		b.Write(c)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func TestRealAirForce(t *testing.T) {
	needData(t)
	dir := filepath.Join(dataDir, "events/missile_attacks_piterfm")
	for _, c := range []struct {
		file string
		rows int
	}{
		{"missile_attacks_daily_2025-03-01_2025-04-30.csv.gz", 216},
		{"missile_attacks_daily_2024-08-06_2024-08-31.csv.gz", 106},
		{"missile_attacks_daily_full.csv.gz", 3770},
	} {
		t.Run(c.file, func(t *testing.T) {
			res := mustRead(t, "airforce", filepath.Join(dir, c.file))
			if got := len(res.Observations); got != c.rows {
				t.Errorf("%d observations, want %d", got, c.rows)
			}
			if res.Source.Name != "ua-air-force" || res.Source.Role != truce.RoleParty || res.Source.Party != "UA" {
				t.Errorf("source = %+v", res.Source)
			}
			var molnia, unclassified int
			for _, o := range res.Observations {
				if o.BlamedParty != "RU" || o.Lang != "en" || o.Text == "" {
					t.Fatalf("observation %+v", o)
				}
				if o.Weapon == "Молнія" {
					molnia++
					if o.Kind != truce.KindDroneStrike || o.WeaponClass != truce.WeaponStrikeDrone {
						t.Errorf("Молнія: kind %s class %s", o.Kind, o.WeaponClass)
					}
				}
				if o.WeaponClass == "" {
					unclassified++
				}
			}
			if c.rows == 216 && molnia != 27 {
				t.Errorf("%d Молнія rows, want 27 (README)", molnia)
			}
			t.Logf("%d rows, %d without a weapon class", len(res.Observations), unclassified)
		})
	}
}

func TestRealAirForceSums(t *testing.T) {
	needData(t)
	// README: the 2025 window sums to 7,290 launched and 4,030 destroyed;
	// the 2024 window to 1,005 and 789.
	for _, c := range []struct {
		file                string
		launched, destroyed int
	}{
		{"missile_attacks_daily_2025-03-01_2025-04-30.csv.gz", 7290, 4030},
		{"missile_attacks_daily_2024-08-06_2024-08-31.csv.gz", 1005, 789},
	} {
		res := mustRead(t, "airforce", filepath.Join(dataDir, "events/missile_attacks_piterfm", c.file))
		var l, d int
		for _, o := range res.Observations {
			if o.Counts != nil {
				l += o.Counts.Launched
				d += o.Counts.Destroyed
			}
		}
		if l != c.launched || d != c.destroyed {
			t.Errorf("%s: launched %d destroyed %d, want %d %d", c.file, l, d, c.launched, c.destroyed)
		}
	}
}

func TestRealVIINA(t *testing.T) {
	needData(t)
	dir := filepath.Join(dataDir, "events/viina_strike_reports")
	for _, c := range []struct {
		file         string
		rows, ru, ua int
	}{
		{"viina_strike_reports_2025-03-01_2025-04-30.csv.gz", 26, 5, 4},
		{"viina_strike_reports_2024-08-06_2024-08-31.csv.gz", 41, 0, 0},
		{"VIINA_2025_REBUILD.csv.gz", 325, 65, 91},
		{"VIINA_2024_REBUILD.csv.gz", 543, 0, 0},
	} {
		t.Run(c.file, func(t *testing.T) {
			res := mustRead(t, "viina", filepath.Join(dir, c.file))
			if got := len(res.Observations); got != c.rows {
				t.Errorf("%d observations, want %d", got, c.rows)
			}
			var ru, ua int
			for _, o := range res.Observations {
				switch o.BlamedParty {
				case "RU":
					ru++
				case "UA":
					ua++
				}
				if o.TimePrecision != truce.PrecisionDay || o.Location.UncertaintyM != 5000 {
					t.Fatalf("observation %+v", o)
				}
			}
			if ru != c.ru || ua != c.ua {
				t.Errorf("blamed RU %d UA %d, want %d %d", ru, ua, c.ru, c.ua)
			}
		})
	}
}

func TestRealFIRMS(t *testing.T) {
	needData(t)
	for _, c := range []struct {
		file string
		rows int
	}{
		{"fires_2025-03_2025-04.csv.gz", 405},
		{"fires_2024-08.csv.gz", 903},
		{"firms_native_sample_J1_VIIRS_NRT_2025-08-11.csv", 307},
	} {
		t.Run(c.file, func(t *testing.T) {
			res := mustRead(t, "firms", filepath.Join(dataDir, "firms", c.file))
			if got := len(res.Observations); got != c.rows {
				t.Errorf("%d observations, want %d", got, c.rows)
			}
			for _, o := range res.Observations {
				if o.Kind != truce.KindFire || o.TimePrecision != truce.PrecisionMinute || o.WeaponClass != "" {
					t.Fatalf("observation %+v", o)
				}
			}
		})
	}
}

func TestRealDeepState(t *testing.T) {
	needData(t)
	files, err := filepath.Glob(filepath.Join(dataDir, "deepstate", "deepstatemap_data_*.geojson.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 113 {
		t.Fatalf("%d files, want 113", len(files))
	}
	for i, f := range files {
		if raceEnabled && i%8 != 0 {
			continue // every file is read without -race
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			res := mustRead(t, "deepstate", f)
			if len(res.ControlMaps) != 1 || len(res.Observations) != 0 {
				t.Fatalf("%d maps, %d observations", len(res.ControlMaps), len(res.Observations))
			}
			m := res.ControlMaps[0]
			day := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "deepstatemap_data_"), ".geojson.gz")
			want := day[:4] + "-" + day[4:6] + "-" + day[6:]
			if m.ID != "deepstate-"+want || m.AsOf.Format("2006-01-02T15:04Z07:00") != want+"T03:00Z" {
				t.Errorf("id %s as of %s", m.ID, m.AsOf)
			}
			if len(m.Holdings) != 1 || m.Holdings[0].Party != "RU" {
				t.Errorf("holdings %v", m.Holdings)
			}
		})
	}
}
