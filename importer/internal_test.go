package importer

import (
	"slices"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
)

func TestResolveTarget(t *testing.T) {
	for _, c := range []struct {
		in       string
		region   string
		prec     truce.GeoPrecision
		lon, lat float64 // 0, 0: no point
	}{
		{"", "Ukraine", truce.GeoCountry, 31.18, 48.38},
		{"Ukraine", "Ukraine", truce.GeoCountry, 31.18, 48.38},
		{"south", "south", truce.GeoDirection, 32.5, 46.9},
		{"south and east and center", "south and east and center", truce.GeoDirection, 0, 0},
		{"front line", "front line", truce.GeoDirection, 0, 0},
		{"Odesa oblast", "Odesa oblast", truce.GeoOblast, 30.7233, 46.4825},
		{"odesa  oblast", "odesa oblast", truce.GeoOblast, 30.7233, 46.4825},
		{"Kyiv", "Kyiv", truce.GeoSettlement, 30.5234, 50.4501},
		{"Kryvyi Rih", "Kryvyi Rih", truce.GeoSettlement, 33.3918, 47.9105},
		{"Dnipropetrovsk oblast, Pavlohrad Raion", "Dnipropetrovsk oblast, Pavlohrad Raion", truce.GeoDistrict, 35.8707, 48.5350},
		{"Dnipropetrovsk oblast, Nowhere Raion", "Dnipropetrovsk oblast, Nowhere Raion", truce.GeoDistrict, 0, 0},
		{"Odesa oblast, Black Sea", "Odesa oblast, Black Sea", truce.GeoOblast, 30.7233, 46.4825},
		{"Kyiv oblast (south)", "Kyiv oblast (south)", truce.GeoOblast, 30.5234, 50.4501},
		{"Dnipro and Kryvyi Rih", "Dnipro and Kryvyi Rih", truce.GeoOblast, 35.0462, 48.4647},
		{"Dnipropetrovsk oblast, Dnipro Raion and Dnipropetrovsk oblast, Kryvyi Rih Raion", "Dnipropetrovsk oblast, Dnipro Raion and Dnipropetrovsk oblast, Kryvyi Rih Raion", truce.GeoOblast, 35.0462, 48.4647},
		{"Odesa oblast and Mykolaiv oblast", "Odesa oblast and Mykolaiv oblast", truce.GeoDirection, 0, 0},
		{"Kyiv oblast and south", "Kyiv oblast and south", truce.GeoDirection, 0, 0},
		{"Atlantis", "Atlantis", truce.GeoCountry, 0, 0},
		{"Kursk oblast", "Kursk oblast", truce.GeoOblast, 36.1874, 51.7373},
	} {
		l := resolveTarget(c.in)
		var lon, lat float64
		if l.Lon != nil {
			lon, lat = *l.Lon, *l.Lat
		}
		if l.Region != c.region || l.GeoPrecision != c.prec || lon != c.lon || lat != c.lat {
			t.Errorf("resolveTarget(%q) = %q %s %v,%v; want %q %s %v,%v", c.in, l.Region, l.GeoPrecision, lon, lat, c.region, c.prec, c.lon, c.lat)
		}
	}
}

func TestGazetteer(t *testing.T) {
	oblasts := 0
	for k, p := range gazetteer {
		// Ukraine, and launch places as far as the Caspian Sea.
		if p.lon < 22 || p.lon > 51 || p.lat < 41 || p.lat > 55 {
			t.Errorf("%s: %v,%v is outside the region", k, p.lon, p.lat)
		}
		russian := strings.HasPrefix(p.oblast, "ru-") || p.oblast == "belgorod" || p.oblast == "bryansk" || p.oblast == "kursk"
		if p.precision == truce.GeoOblast && !russian {
			oblasts++
		}
	}
	// 24 oblasts, Crimea and Sevastopol.
	if oblasts != 26 {
		t.Errorf("%d Ukrainian first-level regions, want 26", oblasts)
	}
}

func TestResolveLaunch(t *testing.T) {
	for _, c := range []struct {
		in       string
		lon, lat float64 // 0, 0: no origin
		unc      float64
	}{
		{"", 0, 0, 0},
		{"Kursk oblast", 36.1874, 51.7373, 75000},
		{"Millerovo", 40.395, 48.923, 2000},
		{"Chauda, Crimea", 35.85, 45.01, 2000},
		{"Kursk oblast and Oryol oblast", 36.1874, 51.7373, 150000},
		{"Millerovo and Millerovo", 40.395, 48.923, 2000},
		{"Atlantis", 0, 0, 0},
		{"Kursk oblast and Atlantis", 0, 0, 0},
	} {
		got := resolveLaunch(c.in)
		switch {
		case c.lon == 0 && got != nil:
			t.Errorf("resolveLaunch(%q) = %v,%v; want none", c.in, *got.Lon, *got.Lat)
		case c.lon != 0 && (got == nil || *got.Lon != c.lon || *got.Lat != c.lat || got.UncertaintyM != c.unc || got.Region != ""):
			t.Errorf("resolveLaunch(%q) = %+v; want %v,%v ±%v m", c.in, got, c.lon, c.lat, c.unc)
		}
	}
}

func TestClassifyModel(t *testing.T) {
	for _, c := range []struct {
		in    string
		kind  truce.Kind
		class truce.WeaponClass
	}{
		{"Shahed-136/131", truce.KindDroneStrike, truce.WeaponStrikeDrone},
		{"Молнія", truce.KindDroneStrike, truce.WeaponStrikeDrone},
		{"Молнія and Lancet", truce.KindDroneStrike, truce.WeaponStrikeDrone},
		{"Orlan-10 and ZALA", truce.KindOther, truce.WeaponReconDrone},
		{"Картограф", truce.KindDroneStrike, ""},
		{"Unknown UAV", truce.KindDroneStrike, ""},
		{"X-101/X-555 and Kalibr", truce.KindMissileStrike, truce.WeaponCruiseMissile},
		{"Iskander-M/KN-23", truce.KindMissileStrike, truce.WeaponBallisticMissile},
		{"X-47 Kinzhal", truce.KindMissileStrike, truce.WeaponBallisticMissile},
		{"C-300/C-400 and Iskander-M", truce.KindMissileStrike, truce.WeaponAirDefence},
		{"GBU", truce.KindAirStrike, truce.WeaponGuidedBomb},
		{"Intercontinental ballistic missile", truce.KindMissileStrike, truce.WeaponBallisticMissile},
		// Not in the table: guessed from the name.
		{"Gerbera", truce.KindDroneStrike, ""}, // a decoy
		{"Гербера", truce.KindDroneStrike, ""},
		{"Герань-2", truce.KindDroneStrike, truce.WeaponStrikeDrone},
		{"Unknown drone", truce.KindDroneStrike, ""},
		{"KAB-500", truce.KindAirStrike, truce.WeaponGuidedBomb},
		{"Oreshnik ballistic", truce.KindMissileStrike, truce.WeaponBallisticMissile},
		{"Kh-999", truce.KindMissileStrike, ""},
	} {
		w := classifyModels(c.in)
		if w.kind != c.kind || w.class != c.class {
			t.Errorf("classifyModels(%q) = %s %q, want %s %q", c.in, w.kind, w.class, c.kind, c.class)
		}
	}
}

func TestFIRMSTime(t *testing.T) {
	for in, want := range map[string][2]int{
		"7": {0, 7}, "28": {0, 28}, "947": {9, 47}, "0905": {9, 5}, "2359": {23, 59}, "947.0": {9, 47},
		"00:45:00": {0, 45}, "10:32": {10, 32},
	} {
		h, m, ok := firmsTime(in)
		if !ok || h != want[0] || m != want[1] {
			t.Errorf("firmsTime(%q) = %d:%d %v", in, h, m, ok)
		}
	}
	for _, in := range []string{"", "2400", "960", "12345", "-5", "+5", "ab", "1:2:3:4", "25:00", "10:60", "1e3"} {
		if _, _, ok := firmsTime(in); ok {
			t.Errorf("firmsTime(%q) accepted", in)
		}
	}
}

func TestAirForceTime(t *testing.T) {
	for in, want := range map[string]string{
		"2025-03-06 21:00 ": "2025-03-06T19:00:00Z",
		"2023-05-16 3:30":   "2023-05-16T00:30:00Z",
		"2024-05-16 ":       "2024-05-15T21:00:00Z",
		"2025-04-30":        "2025-04-29T21:00:00Z",
	} {
		tm, _, ok := airForceTime(in)
		if !ok || tm.UTC().Format("2006-01-02T15:04:05Z") != want {
			t.Errorf("airForceTime(%q) = %v %v, want %s", in, tm.UTC(), ok, want)
		}
	}
	for _, in := range []string{"2025-02-29", "2025-04-30 24:00", "30.04.2025", "2025-04-30 10"} {
		if _, _, ok := airForceTime(in); ok {
			t.Errorf("airForceTime(%q) accepted", in)
		}
	}
}

func TestPyStringList(t *testing.T) {
	for in, want := range map[string][]string{
		"['Kharkiv oblast', 'Dnipropetrovsk oblast']": {"Kharkiv oblast", "Dnipropetrovsk oblast"},
		`["Kyiv's oblast"]`:                           {"Kyiv's oblast"},
		"[]":                                          nil,
		"":                                            nil,
		"{'south': 1}":                                nil,
		"['a', b]":                                    nil,
		"['unterminated]":                             nil,
	} {
		if got := pyStringList(in); !slices.Equal(got, want) {
			t.Errorf("pyStringList(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDetectLang(t *testing.T) {
	for in, want := range map[string]string{
		"Сили оборони знищили склад боєприпасів": "uk",
		"Сили оборони знищили склад":             "",
		"Вибух у Києві":                          "uk",
		"Взрыв в Киеве":                          "ru",
		"ВС России нанесли удар":                 "",
		"Hello":     "",
		"їжак і ёж": "",
	} {
		if got := detectLang(in); got != want {
			t.Errorf("detectLang(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClipUTF8(t *testing.T) {
	s := "ааааа" // 10 bytes
	if got := clipUTF8(s, 5); got != "аа" {
		t.Errorf("clipUTF8 = %q", got)
	}
	if got := clipUTF8(s, 10); got != s {
		t.Errorf("clipUTF8 = %q", got)
	}
}

func TestViinaTermsKind(t *testing.T) {
	for _, c := range []struct {
		terms, text string
		want        truce.Kind
	}{
		{"безпілот|удар", "", truce.KindDroneStrike},
		{"ракет", "", truce.KindMissileStrike},
		{"дрон|ракет", "КАБ", truce.KindExplosion},
		{"знищ", "РФ уночі спрямувала на Куп'янськ 31 КАБ: є загиблі", truce.KindAirStrike},
		{"удар", "скинули авіабомбу на село", truce.KindAirStrike},
		{"удар", "кабінет міністрів", truce.KindExplosion},
		{"вибух|пожеж", "", truce.KindExplosion},
	} {
		if got := viinaTermsKind(c.terms, c.text); got != c.want {
			t.Errorf("viinaTermsKind(%q, %q) = %s, want %s", c.terms, c.text, got, c.want)
		}
	}
}
