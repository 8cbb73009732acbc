package truce

import (
	"slices"
	"strings"
)

// Kind is what an observation reports and what a rule may prohibit.
type Kind string

// The kinds of act truce knows. An agreement's rules prohibit kinds; an
// observation reports exactly one.
const (
	KindArtillery           Kind = "artillery"            // tube artillery fire
	KindMLRS                Kind = "mlrs"                 // multiple-launch rocket fire
	KindMortar              Kind = "mortar"               // mortar fire
	KindSmallArms           Kind = "small_arms"           // small-arms and heavy machine-gun fire
	KindExplosion           Kind = "explosion"            // an explosion of unknown cause
	KindAirStrike           Kind = "air_strike"           // bombs or missiles from aircraft
	KindDroneStrike         Kind = "drone_strike"         // armed or loitering drones
	KindMissileStrike       Kind = "missile_strike"       // cruise or ballistic missiles
	KindArmourMovement      Kind = "armour_movement"      // tanks or armoured vehicles moving
	KindHeavyWeapon         Kind = "heavy_weapon"         // a heavy weapon seen where it may not be
	KindAdvance             Kind = "advance"              // a change of control of ground
	KindMovementRestriction Kind = "movement_restriction" // monitors stopped or denied access
	KindCivilianHarm        Kind = "civilian_harm"        // civilians killed or injured
	KindFire                Kind = "fire"                 // a thermal anomaly seen by a satellite
	KindOther               Kind = "other"                // anything else, described in text
)

// Kinds lists every Kind in a stable order.
var Kinds = []Kind{
	KindArtillery, KindMLRS, KindMortar, KindSmallArms, KindExplosion,
	KindAirStrike, KindDroneStrike, KindMissileStrike, KindArmourMovement,
	KindHeavyWeapon, KindAdvance, KindMovementRestriction, KindCivilianHarm,
	KindFire, KindOther,
}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// TimePrecision says how exactly an observation's time is known.
type TimePrecision string

// Time precisions, finest first.
const (
	PrecisionSecond TimePrecision = "second"
	PrecisionMinute TimePrecision = "minute"
	PrecisionHour   TimePrecision = "hour"
	PrecisionDay    TimePrecision = "day"
)

// TimePrecisions lists every TimePrecision, finest first.
var TimePrecisions = []TimePrecision{PrecisionSecond, PrecisionMinute, PrecisionHour, PrecisionDay}

// Valid reports whether p is one of TimePrecisions.
func (p TimePrecision) Valid() bool { return slices.Contains(TimePrecisions, p) }

// GeoPrecision says how exactly a named-region location is known.
type GeoPrecision string

// Geographic precisions of a named region, finest first.
const (
	GeoSettlement GeoPrecision = "settlement" // a town or village
	GeoDistrict   GeoPrecision = "district"   // a raion or hromada
	GeoOblast     GeoPrecision = "oblast"     // a first-level region
	GeoDirection  GeoPrecision = "direction"  // a direction such as "south"
	GeoCountry    GeoPrecision = "country"    // a whole country
)

// GeoPrecisions lists every GeoPrecision, finest first.
var GeoPrecisions = []GeoPrecision{GeoSettlement, GeoDistrict, GeoOblast, GeoDirection, GeoCountry}

// Valid reports whether p is one of GeoPrecisions.
func (p GeoPrecision) Valid() bool { return slices.Contains(GeoPrecisions, p) }

// SpreadM returns the spread, in metres, that a region of precision p
// stands for about its representative point, taken as a standard error:
// settlement 2 km, district 15 km, oblast 75 km, direction 150 km,
// country 400 km; 0 for a precision that is not valid.
func (p GeoPrecision) SpreadM() float64 {
	switch p {
	case GeoSettlement:
		return 2000
	case GeoDistrict:
		return 15000
	case GeoOblast:
		return 75000
	case GeoDirection:
		return 150000
	case GeoCountry:
		return 400000
	}
	return 0
}

// WeaponClass is a class of weapon as ceasefire agreements name them, so that
// withdrawal rules can be written per class.
type WeaponClass string

// Weapon classes. The calibre bands follow the Minsk Package of Measures.
const (
	WeaponSmallArms        WeaponClass = "small_arms"
	WeaponMortar           WeaponClass = "mortar"            // mortars up to 120 mm
	WeaponArtilleryLT100   WeaponClass = "artillery_lt100mm" // guns and howitzers under 100 mm
	WeaponArtilleryGE100   WeaponClass = "artillery_ge100mm" // guns and howitzers of 100 mm and more
	WeaponTank             WeaponClass = "tank"
	WeaponArmouredVehicle  WeaponClass = "armoured_vehicle"
	WeaponMLRS             WeaponClass = "mlrs"              // e.g. BM-21 Grad
	WeaponHeavyMLRS        WeaponClass = "mlrs_heavy"        // Tornado-S, Uragan, Smerch
	WeaponTacticalMissile  WeaponClass = "tactical_missile"  // e.g. Tochka, Tochka-U
	WeaponBallisticMissile WeaponClass = "ballistic_missile" // e.g. Iskander-M, KN-23
	WeaponCruiseMissile    WeaponClass = "cruise_missile"    // e.g. Kh-101, Kalibr
	WeaponGuidedBomb       WeaponClass = "guided_bomb"
	WeaponStrikeDrone      WeaponClass = "strike_drone" // one-way attack and loitering drones
	WeaponReconDrone       WeaponClass = "recon_drone"
	WeaponAircraft         WeaponClass = "aircraft"
	WeaponAirDefence       WeaponClass = "air_defence"
	WeaponOther            WeaponClass = "other"
)

// WeaponClasses lists every WeaponClass in a stable order.
var WeaponClasses = []WeaponClass{
	WeaponSmallArms, WeaponMortar, WeaponArtilleryLT100, WeaponArtilleryGE100,
	WeaponTank, WeaponArmouredVehicle, WeaponMLRS, WeaponHeavyMLRS,
	WeaponTacticalMissile, WeaponBallisticMissile, WeaponCruiseMissile,
	WeaponGuidedBomb, WeaponStrikeDrone, WeaponReconDrone, WeaponAircraft,
	WeaponAirDefence, WeaponOther,
}

// Valid reports whether c is one of WeaponClasses.
func (c WeaponClass) Valid() bool { return slices.Contains(WeaponClasses, c) }

// TargetCategory is a category of target or protected site.
type TargetCategory string

// Target categories.
const (
	TargetEnergy      TargetCategory = "energy"      // generation, grid, substations, fuel and gas
	TargetCivilian    TargetCategory = "civilian"    // homes and civilian buildings
	TargetMedical     TargetCategory = "medical"     // hospitals, ambulances
	TargetEducation   TargetCategory = "education"   // schools, universities
	TargetWater       TargetCategory = "water"       // water supply and treatment
	TargetTransport   TargetCategory = "transport"   // rail, roads, bridges
	TargetPort        TargetCategory = "port"        // sea and river ports
	TargetIndustrial  TargetCategory = "industrial"  // factories
	TargetAgriculture TargetCategory = "agriculture" // farms, grain stores
	TargetMilitary    TargetCategory = "military"    // military objects
	TargetMonitors    TargetCategory = "monitors"    // monitors, their vehicles and bases
	TargetOther       TargetCategory = "other"
)

// TargetCategories lists every TargetCategory in a stable order.
var TargetCategories = []TargetCategory{
	TargetEnergy, TargetCivilian, TargetMedical, TargetEducation, TargetWater,
	TargetTransport, TargetPort, TargetIndustrial, TargetAgriculture,
	TargetMilitary, TargetMonitors, TargetOther,
}

// Valid reports whether c is one of TargetCategories.
func (c TargetCategory) Valid() bool { return slices.Contains(TargetCategories, c) }

// ValidPartyID reports whether id can name a party: 2 to 16 characters,
// upper-case letters, digits, '_' and '-', starting with a letter ("UA", "RU").
func ValidPartyID(id string) bool {
	return len(id) >= 2 && len(id) <= 16 && isUpper(id[0]) && allBytes(id[1:], func(c byte) bool {
		return isUpper(c) || isDigit(c) || c == '_' || c == '-'
	})
}

// ValidName reports whether name can name a source: 1 to 64 characters of
// lower-case letters, digits, '.', '_' and '-', starting with a letter or digit.
func ValidName(name string) bool {
	return len(name) >= 1 && len(name) <= 64 && (isLower(name[0]) || isDigit(name[0])) && allBytes(name[1:], func(c byte) bool {
		return isLower(c) || isDigit(c) || c == '.' || c == '_' || c == '-'
	})
}

// ValidID reports whether id can identify an observation, agreement or
// control map: 1 to 128 characters of letters, digits, '.', '_', ':' and
// '-', starting with a letter or digit. UUIDs qualify.
func ValidID(id string) bool {
	return len(id) >= 1 && len(id) <= 128 && isAlnum(id[0]) && allBytes(id[1:], func(c byte) bool {
		return isAlnum(c) || c == '.' || c == '_' || c == ':' || c == '-'
	})
}

// ValidLang reports whether tag looks like a BCP 47 language tag ("uk", "ru",
// "en-GB"): a primary subtag of 2 or 3 lower-case letters, then subtags of 2
// to 8 letters or digits, each after a '-'.
func ValidLang(tag string) bool {
	primary, rest, _ := strings.Cut(tag, "-")
	if len(primary) < 2 || len(primary) > 3 || !allBytes(primary, isLower) {
		return false
	}
	for rest != "" {
		var sub string
		sub, rest, _ = strings.Cut(rest, "-")
		if len(sub) < 2 || len(sub) > 8 || !allBytes(sub, isAlnum) {
			return false
		}
	}
	return !strings.HasSuffix(tag, "-")
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool { return isUpper(c) || isLower(c) || isDigit(c) }

func allBytes(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

// quoted lists values for an error message: "a", "b", "c".
func quoted[T ~string](values []T) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = `"` + string(v) + `"`
	}
	return strings.Join(s, ", ")
}
