package correlate

import (
	"time"

	"github.com/truce-monitor/truce"
)

// Window returns how far apart in time two reports of one event of kind k
// may lie: the largest gap between their time intervals (see the package
// documentation) that still lets them fuse. Two reports fuse only when the
// gap is at most the larger of their kinds' windows.
//
//	kind                                            window
//	artillery, mlrs, mortar, small_arms, explosion  10 min
//	air_strike, drone_strike, missile_strike        1 h
//	armour_movement, heavy_weapon                   2 h
//	civilian_harm                                   3 h
//	fire                                            12 h (a fire burns on after a strike; polar-orbiting fire detection passes twice a day)
//	advance                                         24 h
//	movement_restriction, other                     0 (overlapping intervals only)
func Window(k truce.Kind) time.Duration {
	switch k {
	case truce.KindArtillery, truce.KindMLRS, truce.KindMortar, truce.KindSmallArms, truce.KindExplosion:
		return 10 * time.Minute
	case truce.KindAirStrike, truce.KindDroneStrike, truce.KindMissileStrike:
		return time.Hour
	case truce.KindArmourMovement, truce.KindHeavyWeapon:
		return 2 * time.Hour
	case truce.KindCivilianHarm:
		return 3 * time.Hour
	case truce.KindFire:
		return 12 * time.Hour
	case truce.KindAdvance:
		return 24 * time.Hour
	}
	return 0
}

// AllegationSlack widens the window of a party's allegation: victims and
// liaisons time what they report from memory or by another clock (Kyiv or
// Moscow time misread, a watch minutes off), so an allegation 10 to 20
// minutes from the monitors' times of the same shelling is of it. Fire and
// the return fire stay apart by their origins and by who alleges.
const AllegationSlack = 15 * time.Minute

// maxWindow is the largest value Window returns, and AllegationSlack.
const maxWindow = 24*time.Hour + AllegationSlack

// Grain returns the length of time that a report's time stands for at
// precision p: a time given to the hour means some moment within that hour.
// It is 1 s, 1 min, 1 h and 24 h for second, minute, hour and day.
func Grain(p truce.TimePrecision) time.Duration {
	switch p {
	case truce.PrecisionMinute:
		return time.Minute
	case truce.PrecisionHour:
		return time.Hour
	case truce.PrecisionDay:
		return 24 * time.Hour
	}
	return time.Second
}

// compatible lists, for each kind, the other kinds whose reports may
// describe the same event. The relation is symmetric (see Compatible).
var compatible = map[truce.Kind][]truce.Kind{
	truce.KindExplosion: {truce.KindArtillery, truce.KindMLRS, truce.KindMortar,
		truce.KindAirStrike, truce.KindDroneStrike, truce.KindMissileStrike, truce.KindFire, truce.KindCivilianHarm},
	truce.KindFire: {truce.KindArtillery, truce.KindMLRS, truce.KindAirStrike,
		truce.KindDroneStrike, truce.KindMissileStrike},
	truce.KindArtillery:      {truce.KindMLRS, truce.KindMortar},
	truce.KindAirStrike:      {truce.KindMissileStrike, truce.KindDroneStrike},
	truce.KindDroneStrike:    {truce.KindMissileStrike},
	truce.KindCivilianHarm:   {truce.KindArtillery, truce.KindMLRS, truce.KindMortar, truce.KindSmallArms, truce.KindAirStrike, truce.KindDroneStrike, truce.KindMissileStrike},
	truce.KindArmourMovement: {truce.KindHeavyWeapon, truce.KindAdvance},
}

// Compatible reports whether reports of kinds a and b may describe one
// event. A kind is compatible with itself, and:
//
//	explosion       ~ artillery, mlrs, mortar, air_strike, drone_strike, missile_strike, fire, civilian_harm
//	fire            ~ artillery, mlrs, air_strike, drone_strike, missile_strike (and explosion)
//	artillery       ~ mlrs, mortar
//	air_strike      ~ missile_strike, drone_strike
//	drone_strike    ~ missile_strike
//	civilian_harm   ~ artillery, mlrs, mortar, small_arms, air_strike, drone_strike, missile_strike (and explosion)
//	armour_movement ~ heavy_weapon, advance
//
// The relation is symmetric; movement_restriction and other fuse only
// with themselves.
func Compatible(a, b truce.Kind) bool {
	if a == b {
		return true
	}
	for _, k := range compatible[a] {
		if k == b {
			return true
		}
	}
	for _, k := range compatible[b] {
		if k == a {
			return true
		}
	}
	return false
}

// generic kinds name an event less exactly than the others; an incident
// takes a generic kind only when no member names a specific one.
func generic(k truce.Kind) bool {
	switch k {
	case truce.KindExplosion, truce.KindFire, truce.KindCivilianHarm, truce.KindOther:
		return true
	}
	return false
}
