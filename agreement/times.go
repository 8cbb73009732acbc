package agreement

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// errNoZone means a time has no UTC offset and no time zone to read it in.
var errNoZone = errors.New("no time zone")

// Layouts of a time with a UTC offset, and of a local time. time.Parse
// also accepts a fraction of a second after the seconds.
var (
	offsetLayouts = []string{
		"2006-01-02T15:04:05Z07:00",
		"2006-01-02T15:04Z07:00",
		"2006-01-02 15:04:05Z07:00",
		"2006-01-02 15:04Z07:00",
	}
	localLayouts = []string{
		"2006-01-02T15:04:05",
		"2006-01-02T15:04",
		"2006-01-02 15:04:05",
		"2006-01-02 15:04",
	}
)

// parseTime reads s, a time with a UTC offset ("2025-03-14T00:00:00+02:00",
// "...Z") or a local time ("2025-03-14T00:00", "2025-03-14 00:00:00") read
// in loc. With both an offset and loc, the offset must be loc's at that
// instant. A local time that does not exist in loc (the clocks went
// forward) or that happens twice (they went back) is an error. A nil loc
// with a local time gives errNoZone. The result is in loc when loc is
// known.
func parseTime(s string, loc *time.Location) (time.Time, error) {
	for _, layout := range offsetLayouts {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		if err := checkYear(t); err != nil {
			return time.Time{}, fmt.Errorf("%q: %v", s, err)
		}
		if loc == nil {
			return t, nil
		}
		_, off := t.Zone()
		_, want := t.In(loc).Zone()
		if off != want {
			return time.Time{}, fmt.Errorf("%q: the offset %s does not agree with time zone %s, which is at %s at that moment",
				s, formatOffset(off), loc, formatOffset(want))
		}
		return t.In(loc), nil
	}
	for _, layout := range localLayouts {
		wall, err := time.Parse(layout, s) // as if in UTC
		if err != nil {
			continue
		}
		if loc == nil {
			return time.Time{}, errNoZone
		}
		t, err := resolveLocal(wall, loc)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q %v", s, err)
		}
		if err := checkYear(t); err != nil {
			return time.Time{}, fmt.Errorf("%q: %v", s, err)
		}
		return t, nil
	}
	if _, err := time.Parse(time.DateOnly, s); err == nil {
		return time.Time{}, fmt.Errorf("%q has no time of day: write %sT00:00 for the midnight that starts that day", s, s)
	}
	return time.Time{}, fmt.Errorf("%q is not a time: write it like 2025-03-14T00:00 (read in the time zone) or 2025-03-14T00:00:00+02:00", s)
}

// resolveLocal finds the one instant at which the clocks in loc show wall
// (a wall-clock time held as if in UTC).
func resolveLocal(wall time.Time, loc *time.Location) (time.Time, error) {
	// Try every offset in force within two days of wall (offsets are
	// within ±14 hours, so this covers any change of offset near it);
	// only an offset under which the clocks really show wall counts.
	var found []time.Time
	var offs []int
	for h := -48; h <= 48; h += 6 {
		_, off := wall.Add(time.Duration(h) * time.Hour).In(loc).Zone()
		if contains(offs, off) {
			continue
		}
		offs = append(offs, off)
		t := wall.Add(-time.Duration(off) * time.Second).In(loc)
		if sameWall(t, wall) && !containsTime(found, t) {
			found = append(found, t)
		}
	}
	switch len(found) {
	case 0:
		return time.Time{}, fmt.Errorf("does not exist in %s: the clocks jumped forward past it", loc)
	case 1:
		return found[0], nil
	}
	if found[1].Before(found[0]) {
		found[0], found[1] = found[1], found[0]
	}
	return time.Time{}, fmt.Errorf("happens twice in %s, as the clocks were put back: write the offset, %s for the first or %s for the second",
		loc, found[0].Format("Z07:00"), found[1].Format("Z07:00"))
}

func sameWall(t, wall time.Time) bool {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	wy, wmo, wd := wall.Date()
	wh, wmi, ws := wall.Clock()
	return y == wy && mo == wmo && d == wd && h == wh && mi == wmi && s == ws && t.Nanosecond() == wall.Nanosecond()
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func containsTime(ts []time.Time, t time.Time) bool {
	for _, v := range ts {
		if v.Equal(t) {
			return true
		}
	}
	return false
}

func formatOffset(sec int) string {
	return time.Unix(0, 0).In(time.FixedZone("", sec)).Format("-07:00")
}

// checkYear makes sure t can be written as canonical JSON (RFC 3339 with a
// four-digit year, in UTC).
func checkYear(t time.Time) error {
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		return fmt.Errorf("is out of range: the year in UTC must be 1 to 9999")
	}
	return nil
}

var daysRe = regexp.MustCompile(`^([0-9]{1,6})d$`)

// parseDuration reads a Go duration ("720h", "36h30m") or a number of
// calendar days ("30d"). Exactly one of days and dur is set.
func parseDuration(s string) (days int, dur time.Duration, err error) {
	if m := daysRe.FindStringSubmatch(s); m != nil {
		days, _ = strconv.Atoi(m[1])
		if days < 1 {
			return 0, 0, fmt.Errorf("duration %q: must be at least 1d", s)
		}
		return days, 0, nil
	}
	dur, err = time.ParseDuration(s)
	if err != nil {
		return 0, 0, fmt.Errorf("%q is not a duration: write hours like 720h (a Go duration) or calendar days like 30d", s)
	}
	if dur <= 0 {
		return 0, 0, fmt.Errorf("duration %q: must be more than 0", s)
	}
	return 0, dur, nil
}
