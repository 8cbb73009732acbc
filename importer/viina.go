package importer

import (
	"strings"
	"time"
	"unicode"

	"github.com/truce-monitor/truce"
)

var viinaSource = truce.Source{
	Name: "viina",
	Role: truce.RoleDataset,
	Description: "Contains information from VIINA 2.0, Violent Incident Information from News Articles on the 2022 Russian " +
		"Invasion of Ukraine (Yuri Zhukov and Natalie Ayers, https://github.com/zhukovyuri/VIINA), made available under the " +
		"Open Database License (ODbL) v1.0; individual contents under the Database Contents License v1.0. News-derived, " +
		"machine-labelled events; GeoNames points can be wrong. Strike-report extracts by wolfgangkrugmo-del/viina-data-extraction (ODbL v1.0).",
}

// VIINA geocodes events to a GeoNames populated place, or coarser. The
// uncertainty radius of the point depends on VIINA's GEO_PRECISION when
// the file has it; without it the point is taken as a settlement point
// (5 km: a town's extent plus the usual distance between a strike site
// and the place the news names).
var viinaUncertaintyM = map[string]float64{
	"STREET": 1000,
	"ADM3":   5000,  // settlement
	"ADM2":   25000, // raion
	"ADM1":   75000, // oblast: a representative place, not the event site
}

const viinaDefaultUncertaintyM = 5000

// viinaTargets maps the extractor's target_classes to target categories.
// When a row has several classes, the first category in
// viinaTargetPriority wins: protected civilian infrastructure (energy)
// first, then ports and transport, then military objects.
var viinaTargets = map[string]truce.TargetCategory{
	"ENERGY_GRID_SUPPORT":      truce.TargetEnergy,
	"REFINING_PETROCHEM_GAS":   truce.TargetEnergy,
	"FUEL_STORAGE_TERMINAL":    truce.TargetEnergy,
	"PIPELINE_PUMPING":         truce.TargetEnergy,
	"PORT_EXPORT_LOGISTICS":    truce.TargetPort,
	"RAIL_STRATEGIC_LOGISTICS": truce.TargetTransport,
	"STRATEGIC_AIRBASE":        truce.TargetMilitary,
	"AMMUNITION_ARSENAL":       truce.TargetMilitary,
	"DEFENSE_INDUSTRY":         truce.TargetMilitary,
	"MILITARY_REPAIR_SHIPYARD": truce.TargetMilitary,
	"MILITARY_COMMS_SPACE":     truce.TargetMilitary,
}

var viinaTargetPriority = []truce.TargetCategory{truce.TargetEnergy, truce.TargetPort, truce.TargetTransport, truce.TargetMilitary}

// viinaKindFlags maps VIINA's binary tactic labels (event_1pd and
// event_labels files) to kinds, in priority order: the first label set to 1
// decides. Rows without these labels are explosions unless attack_terms say
// drone or missile.
var viinaKindFlags = []struct {
	col  string
	kind truce.Kind
}{
	{"t_uav_b", truce.KindDroneStrike},
	{"t_airstrike_b", truce.KindAirStrike},
	{"t_artillery_b", truce.KindArtillery},
	{"t_firefight_b", truce.KindSmallArms},
	{"t_armor_b", truce.KindArmourMovement},
	{"t_ied_b", truce.KindExplosion},
}

// readVIINA reads VIINA rows: the strike-report extract
// (viina_strike_reports_*.csv, VIINA_*_REBUILD.csv) and VIINA 2.0's own
// event_1pd and event_info(+labels) files, columns by name.
//
//   - id: event_id when the file has it (event_info: one row per report ×
//     place), else event_id_1pd;
//   - observed_at: date (YYYYMMDD, the report date) at 00:00 Europe/Kyiv,
//     time_precision day;
//   - location: longitude/latitude with an uncertainty from GEO_PRECISION
//     (see viinaUncertaintyM);
//   - kind: from the t_*_b labels when present, else drone_strike or
//     missile_strike when attack_terms name drones (дрон, безпілот,
//     беспилот) or missiles (ракет) but not both, else air_strike when the
//     text names guided or aerial bombs (КАБ, авіабомба), else explosion;
//   - target: from target_classes (see viinaTargets);
//   - blamed_party: "RU" when a_rus_init(_b) is 1 and a_ukr_init(_b) is 0,
//     "UA" the other way round, else none (VIINA's "initiator" labels are
//     machine output; the extract's 2024 rows have none);
//   - text: representative_text (or text), lang uk or ru by its letters, or
//     VIINA's lang column ("ua" → "uk").
func readVIINA(rd *reader) error {
	t, err := newTable(rd, false)
	if err != nil {
		return err
	}
	if err := t.require("event_id_1pd|event_id", "date", "longitude", "latitude"); err != nil {
		return err
	}
	keyCol := "event_id_1pd"
	if t.has("event_id") {
		keyCol = "event_id"
	}
	for r := t.next(); r != nil; r = t.next() {
		e := r.errs()
		key := r.get(keyCol)
		if key == "" {
			e.fail(keyCol, "required")
		}
		o := &truce.Observation{TimePrecision: truce.PrecisionDay}
		ds := r.get("date")
		if d, ok := viinaDate(ds); ok {
			o.ObservedAt = d
		} else if ds == "" {
			e.fail("date", "required")
		} else {
			e.fail("date", "%q is not a date YYYYMMDD", ds)
		}
		lon, lat, ok := e.lonLat("longitude", r.get("longitude"), "latitude", r.get("latitude"))
		if ok {
			u := float64(viinaDefaultUncertaintyM)
			if p := strings.ToUpper(r.get("GEO_PRECISION")); p != "" {
				if v, ok := viinaUncertaintyM[p]; ok {
					u = v
				}
			}
			o.Location = truce.Location{Lon: ptr(lon), Lat: ptr(lat), UncertaintyM: u}
		}
		ukr, ukrOK := viinaFlag(e, r, "a_ukr_init", "a_ukr_init_b")
		rus, rusOK := viinaFlag(e, r, "a_rus_init", "a_rus_init_b")
		if ukrOK && rusOK && ukr != rus {
			if rus {
				o.BlamedParty = "RU"
			} else {
				o.BlamedParty = "UA"
			}
		}
		o.Kind = viinaKind(e, r)
		o.Target = viinaTarget(r.get("target_classes"))
		text := r.get("representative_text", "text")
		if text != "" {
			o.Text = clipUTF8(text, truce.MaxTextBytes)
			o.Lang = detectLang(text)
			if o.Lang == "" {
				switch strings.ToLower(r.get("lang")) {
				case "ua", "uk":
					o.Lang = "uk"
				case "ru":
					o.Lang = "ru"
				}
			}
		}
		if !e.ok {
			continue
		}
		o.ID = rd.id(key)
		rd.add(r.line, "", o)
	}
	return nil
}

// viinaDate parses YYYYMMDD (also written as a float, "20250301.0") at
// 00:00 Europe/Kyiv.
func viinaDate(s string) (time.Time, bool) {
	s = strings.TrimSuffix(s, ".0")
	if len(s) != 8 {
		return time.Time{}, false
	}
	d, err := time.ParseInLocation("20060102", s, kyiv())
	return d, err == nil
}

// viinaFlag reads a 0/1 label from the first present column; ok is false
// when the column is missing or empty. Other values are bad.
func viinaFlag(e *rowErrs, r *row, cols ...string) (set, ok bool) {
	for _, c := range cols {
		if !r.t.has(c) {
			continue
		}
		switch v := r.get(c); strings.ToUpper(v) {
		case "":
			return false, false
		case "1", "1.0", "TRUE":
			return true, true
		case "0", "0.0", "FALSE":
			return false, true
		default:
			e.fail(c, "%q is not a 0/1 flag", v)
			return false, false
		}
	}
	return false, false
}

func viinaKind(e *rowErrs, r *row) truce.Kind {
	for _, f := range viinaKindFlags {
		if set, ok := viinaFlag(e, r, f.col); ok && set {
			return f.kind
		}
	}
	return viinaTermsKind(r.get("attack_terms"), r.get("representative_text"))
}

// viinaTermsKind tells the kind from VIINA's attack terms and, for bombs,
// which the terms do not list, the report's text: a drone strike or a
// missile strike when the terms name one and not the other; else an air
// strike when the text names a guided or aerial bomb (КАБ, авіабомба,
// авиабомба); else an explosion.
func viinaTermsKind(terms, text string) truce.Kind {
	terms = strings.ToLower(terms)
	drone := strings.Contains(terms, "дрон") || strings.Contains(terms, "безпілот") || strings.Contains(terms, "беспилот")
	missile := strings.Contains(terms, "ракет")
	switch {
	case drone && !missile:
		return truce.KindDroneStrike
	case missile && !drone:
		return truce.KindMissileStrike
	case drone || missile:
		return truce.KindExplosion
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if w == "каб" || w == "кабами" || w == "каби" || strings.HasPrefix(w, "авіабомб") || strings.HasPrefix(w, "авиабомб") {
			return truce.KindAirStrike
		}
	}
	return truce.KindExplosion
}

func viinaTarget(classes string) truce.TargetCategory {
	found := map[truce.TargetCategory]bool{}
	for _, c := range strings.Split(classes, "|") {
		if t, ok := viinaTargets[strings.ToUpper(strings.TrimSpace(c))]; ok {
			found[t] = true
		}
	}
	for _, t := range viinaTargetPriority {
		if found[t] {
			return t
		}
	}
	return ""
}

// detectLang tells Ukrainian from Russian by letters only one of them has:
// і ї є ґ for Ukrainian, ы э ъ ё for Russian. Text with both or neither
// gets no language.
func detectLang(s string) string {
	uk := strings.ContainsAny(s, "іїєґІЇЄҐ")
	ru := strings.ContainsAny(s, "ыэъёЫЭЪЁ")
	switch {
	case uk && !ru:
		return "uk"
	case ru && !uk:
		return "ru"
	}
	return ""
}
