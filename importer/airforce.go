package importer

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
)

var airForceSource = truce.Source{
	Name:  "ua-air-force",
	Role:  truce.RoleParty,
	Party: "UA",
	Description: "Ukrainian Air Force (Air Force Command and Air Commands South, East, West) reports of Russian missile and drone " +
		"attacks: per weapon model, launched and destroyed, launch areas and target region. One party's claims, not independently verified. " +
		"Compiled as \"Massive Missile Attacks on Ukraine\" by Petro Ivaniuk (Kaggle piterfm, " +
		"https://www.kaggle.com/datasets/piterfm/massive-missile-attacks-on-ukraine), licensed CC BY-NC-SA 4.0 " +
		"(attribution, non-commercial, share-alike).",
}

// weaponInfo is what truce makes of one Air Force weapon model.
type weaponInfo struct {
	kind  truce.Kind
	class truce.WeaponClass
}

// airForceModels classifies every single model name (cells are split on
// " and ") seen in the full upstream file, 2022-09-28..2026-06-07, following
// the category column of the upstream reference table missiles_and_uavs.csv
// where it has the model:
//
//   - "UAV" → drone_strike; strike_drone for loitering munitions and armed
//     drones (Shahed, Lancet, Molniya/Молнія, Kub, Orion, Mohajer-6,
//     Privet-82), no class when the type is unknown ("Unknown UAV",
//     Картограф, Фенікс); reconnaissance drones (Orlan, ZALA, Supercam, ...)
//     are kind other with class recon_drone: a flight, not a strike;
//   - "ballistic missile" → missile_strike, ballistic_missile (Kinzhal
//     included, as upstream);
//   - "cruise missile" → missile_strike, cruise_missile (anti-radiation and
//     anti-ship missiles included, as upstream; "Unknown Missile" too);
//   - "surface-to-air missile" (S-300/S-400, written C-300/C-400, fired at
//     ground targets) → missile_strike, air_defence;
//   - "guided bomb" (GBU) → air_strike, guided_bomb; "Aerial Bomb" →
//     air_strike, other (guidance unknown).
//
// Keys are lower-case.
var airForceModels = func() map[string]weaponInfo {
	m := map[string]weaponInfo{}
	set := func(k truce.Kind, c truce.WeaponClass, names ...string) {
		for _, n := range names {
			m[strings.ToLower(n)] = weaponInfo{k, c}
		}
	}
	set(truce.KindDroneStrike, truce.WeaponStrikeDrone,
		"Shahed-136/131", "Lancet", "Молнія", "Molniya", "Kub", "Orion", "Mohajer-6", "Привет-82")
	set(truce.KindOther, truce.WeaponReconDrone,
		"Eleron", "Forpost", "Granat-4", "Merlin-VR", "Orlan-10", "Orlan-30", "Reconnaissance UAV", "Supercam", "ZALA")
	set(truce.KindDroneStrike, "", "Unknown UAV", "Картограф", "Фенікс")
	set(truce.KindMissileStrike, truce.WeaponBallisticMissile,
		"Iskander-M", "KN-23", "Iskander-M/KN-23", "X-47 Kinzhal", "Ballistic Missile", "Intercontinental Ballistic Missile")
	set(truce.KindMissileStrike, truce.WeaponCruiseMissile,
		"3M22 Zircon", "Banderol", "Iskander-K", "Kalibr", "P-800 Oniks", "Unknown Missile", "X-101/X-555",
		"X-22", "X-31", "X-31P", "X-31PD", "X-32", "X-35", "X-59", "X-59/X-69", "X-59MK2", "X-69")
	set(truce.KindMissileStrike, truce.WeaponAirDefence, "C-300", "C-400", "C-300/C-400")
	set(truce.KindAirStrike, truce.WeaponGuidedBomb, "GBU")
	set(truce.KindAirStrike, truce.WeaponOther, "Aerial Bomb")
	return m
}()

var (
	uavNameRe     = regexp.MustCompile(`(?i)uav|drone|shahed|geran|gerbera|lancet|orlan|zala|molniya|бпла|дрон|безпілот|беспилот|шахед|герань|гербер|ланцет|молни|молні|орлан`)
	strikeUAVRe   = regexp.MustCompile(`(?i)shahed|geran|lancet|molniya|kamikaze|strike|loitering|шахед|герань|ланцет|молни|молні|ударн`)
	bombNameRe    = regexp.MustCompile(`(?i)\bbomb|\bkab\b|\bgbu|умпк|каб\b|авіабомб|авиабомб`)
	ballisticRe   = regexp.MustCompile(`(?i)ballistic|iskander-m|kinzhal|баліст|баллист`)
	cruiseRe      = regexp.MustCompile(`(?i)cruise|kalibr|iskander-k|крилат|крылат`)
	airDefenceRe  = regexp.MustCompile(`(?i)^[cс]-[34]00|s-[34]00`)
	airForceTimes = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$`)
)

// classifyModel classifies one model name. Names not in airForceModels are
// guessed from their spelling: a name that suggests a drone ("UAV",
// "Shahed", "дрон", ...) is a drone strike (strike_drone when it suggests a
// strike drone, else no class); a bomb is an air strike with guided_bomb;
// anything else is a missile strike, with ballistic_missile, cruise_missile
// or air_defence when the name says so and no class otherwise.
func classifyModel(name string) weaponInfo {
	if w, ok := airForceModels[strings.ToLower(strings.Join(strings.Fields(name), " "))]; ok {
		return w
	}
	switch {
	case uavNameRe.MatchString(name):
		if strikeUAVRe.MatchString(name) {
			return weaponInfo{truce.KindDroneStrike, truce.WeaponStrikeDrone}
		}
		return weaponInfo{truce.KindDroneStrike, ""}
	case bombNameRe.MatchString(name):
		return weaponInfo{truce.KindAirStrike, truce.WeaponGuidedBomb}
	case airDefenceRe.MatchString(name):
		return weaponInfo{truce.KindMissileStrike, truce.WeaponAirDefence}
	case ballisticRe.MatchString(name):
		return weaponInfo{truce.KindMissileStrike, truce.WeaponBallisticMissile}
	case cruiseRe.MatchString(name):
		return weaponInfo{truce.KindMissileStrike, truce.WeaponCruiseMissile}
	}
	return weaponInfo{truce.KindMissileStrike, ""}
}

// classifyModels classifies a cell of models joined with " and ": the first
// model decides kind and class (in the data, the models of one cell share
// their category, except "C-300 and Iskander-M" and the like, where the
// first is the one named first by the report).
func classifyModels(cell string) weaponInfo {
	first, _, _ := strings.Cut(cell, " and ")
	return classifyModel(strings.TrimSpace(first))
}

// airForceTime parses "YYYY-MM-DD" or "YYYY-MM-DD H:MM" (also with
// seconds), trailing blanks tolerated, as Europe/Kyiv local time. minute
// reports whether a time of day was given.
func airForceTime(s string) (t time.Time, minute bool, ok bool) {
	m := airForceTimes.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return time.Time{}, false, false
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	var h, mi, sec int
	if m[4] != "" {
		h, _ = strconv.Atoi(m[4])
		mi, _ = strconv.Atoi(m[5])
		if m[6] != "" {
			sec, _ = strconv.Atoi(m[6])
		}
		minute = true
	}
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false, false
	}
	t = time.Date(y, time.Month(mo), d, h, mi, sec, 0, kyiv())
	if t.Day() != d || t.Month() != time.Month(mo) {
		return time.Time{}, false, false // 2025-02-30
	}
	return t, minute, true
}

// readAirForce reads the piterfm "missile_attacks_daily.csv" layout: one
// observation per row, columns by name.
func readAirForce(rd *reader) error {
	t, err := newTable(rd, false)
	if err != nil {
		return err
	}
	if err := t.require("time_start", "time_end", "model", "target", "launched", "destroyed", "source"); err != nil {
		return err
	}
	for r := t.next(); r != nil; r = t.next() {
		e := r.errs()
		start, end := r.get("time_start"), r.get("time_end")
		model := strings.Join(strings.Fields(r.get("model")), " ")
		target := r.get("target")
		post := r.get("source")
		o := &truce.Observation{BlamedParty: "RU", Lang: "en"}

		at, atMin, ok := airForceTime(start)
		switch {
		case start == "":
			e.fail("time_start", "required")
		case !ok:
			e.fail("time_start", "%q is not a date (YYYY-MM-DD) or date and time (YYYY-MM-DD HH:MM)", r.raw("time_start"))
		}
		o.ObservedAt = at
		precision := truce.PrecisionMinute
		if !atMin {
			precision = truce.PrecisionDay
		}
		if end != "" {
			until, untilMin, ok := airForceTime(end)
			if !ok {
				e.fail("time_end", "%q is not a date (YYYY-MM-DD) or date and time (YYYY-MM-DD HH:MM)", r.raw("time_end"))
			} else {
				if !untilMin {
					precision = truce.PrecisionDay
				}
				if !at.IsZero() && until.Before(at) {
					e.fail("time_end", "%q is before time_start %q", end, start)
				}
				o.ObservedUntil = &until
			}
		}
		o.TimePrecision = precision

		if model == "" {
			e.fail("model", "required")
		} else if len(model) > 256 {
			e.fail("model", "longer than 256 bytes")
		}
		w := classifyModels(model)
		o.Kind, o.WeaponClass, o.Weapon = w.kind, w.class, model

		launched := e.count("launched", r.get("launched"))
		destroyed := e.count("destroyed", r.get("destroyed"))
		if launched > 0 && destroyed > launched {
			e.fail("destroyed", "%d destroyed is more than %d launched", destroyed, launched)
		}
		if launched > 0 || destroyed > 0 {
			o.Counts = &truce.Counts{Launched: launched, Destroyed: destroyed}
		}
		o.Location = resolveTarget(target)
		o.Origin = resolveLaunch(r.get("launch_place"))
		if !e.ok {
			continue
		}
		o.Text = airForceText(r, model, target, launched, destroyed)
		o.ID = rd.id(strings.Join([]string{start, end, model, target, post}, "|"))
		rd.add(r.line, "", o)
	}
	return nil
}

// airForceText summarises a row in English.
func airForceText(r *row, model, target string, launched, destroyed int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Ukrainian Air Force report, %s to %s (Kyiv time): %s, %d launched, %d destroyed",
		r.get("time_start"), orDash(r.get("time_end")), model, launched, destroyed)
	if n, ok := optCount(r.get("not_reach_goal")); ok {
		fmt.Fprintf(&b, ", %d did not reach their targets", n)
	}
	if n, ok := optCount(r.get("still_attacking")); ok {
		fmt.Fprintf(&b, ", %d still in the air at the time of the report", n)
	}
	b.WriteString(".")
	if p := r.get("launch_place"); p != "" {
		fmt.Fprintf(&b, " Launched from: %s.", p)
	}
	if c := r.get("carrier"); c != "" {
		fmt.Fprintf(&b, " Carrier: %s.", c)
	}
	if target == "" {
		target = "not given"
	}
	fmt.Fprintf(&b, " Target: %s.", target)
	if regions := pyStringList(r.get("affected region")); len(regions) > 0 {
		fmt.Fprintf(&b, " Regions reporting hits: %s.", strings.Join(regions, ", "))
	}
	if s := r.get("source"); s != "" {
		fmt.Fprintf(&b, " Source post: %s.", s)
	}
	return clipUTF8(strings.ToValidUTF8(b.String(), "\uFFFD"), truce.MaxTextBytes)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// optCount parses an optional informational count ("68.0"); anything else
// is ignored.
func optCount(s string) (int, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 1e9 || f != float64(int(f)) {
		return 0, false
	}
	return int(f), true
}

// pyStringList parses a Python list of strings as repr writes it
// ("['Kharkiv oblast', 'Sumy oblast']"). Anything else gives nil.
func pyStringList(s string) []string {
	s = strings.TrimSpace(s)
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil
	}
	s = strings.TrimSpace(s[1 : len(s)-1])
	var out []string
	for s != "" {
		if s[0] != '\'' && s[0] != '"' {
			return nil
		}
		q := s[0]
		var b strings.Builder
		i := 1
		for ; i < len(s) && s[i] != q; i++ {
			if s[i] == '\\' && i+1 < len(s) {
				i++
			}
			b.WriteByte(s[i])
		}
		if i >= len(s) {
			return nil
		}
		out = append(out, b.String())
		s = strings.TrimSpace(s[i+1:])
		if s == "" {
			break
		}
		if s[0] != ',' {
			return nil
		}
		s = strings.TrimSpace(s[1:])
	}
	return out
}
