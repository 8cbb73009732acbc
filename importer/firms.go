package importer

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
)

var firmsSource = truce.Source{
	Name: "firms",
	Role: truce.RoleSensor,
	Description: "NASA FIRMS (Fire Information for Resource Management System) active-fire detections, VIIRS and MODIS " +
		"near-real-time; we acknowledge the use of data from NASA's FIRMS (https://firms.modaps.eosdis.nasa.gov), part of NASA's ESDIS. " +
		"Rows in the derived layout (with in_ukraine_held_area) come from The Economist's war-fire model " +
		"(The Economist and Sondre Solstad, \"A hail of destruction\", 2023; github.com/TheEconomist/the-economist-war-fire-model), " +
		"data under CC BY 4.0, side flags from ISW/Critical Threats maps.",
}

// Pixel sizes for the uncertainty radius of a detection. With the scan and
// track pixel dimensions (km) the radius is half the pixel's diagonal.
// Without them it is the nominal pixel size at nadir: 375 m for VIIRS
// I-band detections (the default, also for the derived layout, which does
// not name its sensor although MODIS rows may be among them) and 1000 m
// for MODIS.
const (
	viirsNominalM = 375
	modisNominalM = 1000
)

// readFIRMS reads FIRMS fire detections in either layout, columns matched
// regardless of case:
//
//   - NASA's own (latitude, longitude, bright_ti4 or brightness, scan,
//     track, acq_date, acq_time "HH:MM:SS" or "HHMM", satellite,
//     confidence, version, bright_ti5 or bright_t31, frp, daynight,
//     instrument);
//   - the derived layout of The Economist's model (LATITUDE, LONGITUDE,
//     date, ACQ_TIME as an unpadded integer HHMM — "7" is 00:07 —,
//     in_ukraine_held_area, acq_datetime_utc).
//
// Each row becomes a "fire" observation at the pixel centre, time in UTC
// to the minute. The id key is latitude, longitude, date, HHMM and
// satellite.
func readFIRMS(rd *reader) error {
	t, err := newTable(rd, true)
	if err != nil {
		return err
	}
	if err := t.require("latitude", "longitude", "acq_date|date", "acq_time"); err != nil {
		return err
	}
	derived := t.has("in_ukraine_held_area")
	for r := t.next(); r != nil; r = t.next() {
		e := r.errs()
		o := &truce.Observation{Kind: truce.KindFire, TimePrecision: truce.PrecisionMinute, Lang: "en"}
		lon, lat, ok := e.lonLat("longitude", r.get("longitude"), "latitude", r.get("latitude"))
		dateCol := "acq_date"
		if !t.has(dateCol) {
			dateCol = "date"
		}
		ds, ts := r.get(dateCol), r.get("acq_time")
		var hhmm string
		if day, err := time.Parse("2006-01-02", ds); err != nil {
			if ds == "" {
				e.fail(dateCol, "required")
			} else {
				e.fail(dateCol, "%q is not a date YYYY-MM-DD", ds)
			}
		} else if h, m, ok := firmsTime(ts); !ok {
			if ts == "" {
				e.fail(t.header[t.col("acq_time")], "required")
			} else {
				e.fail(t.header[t.col("acq_time")], "%q is not a time HHMM or HH:MM[:SS]", ts)
			}
		} else {
			o.ObservedAt = day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
			hhmm = fmt.Sprintf("%02d%02d", h, m)
		}
		sat := r.get("satellite")
		instrument := strings.ToUpper(r.get("instrument"))
		nominal := float64(viirsNominalM)
		if instrument == "MODIS" || sat == "Terra" || sat == "Aqua" || (t.has("brightness") && !t.has("bright_ti4")) {
			nominal, instrument = modisNominalM, "MODIS"
		}
		u := nominal
		scan, okS := e.float("scan", r.get("scan"), false)
		track, okT := e.float("track", r.get("track"), false)
		if okS && okT {
			if scan <= 0 || track <= 0 || scan > 100 || track > 100 {
				e.fail("scan", "pixel size %v x %v km is out of range", scan, track)
			} else {
				u = math.Round(math.Hypot(scan, track) / 2 * 1000)
			}
		}
		if ok {
			o.Location = truce.Location{Lon: ptr(lon), Lat: ptr(lat), UncertaintyM: u}
		}
		side := ""
		if derived {
			switch v := r.get("in_ukraine_held_area"); v {
			case "0", "1", "0.0", "1.0":
				side = v[:1]
			case "", "NA":
			default:
				e.fail(t.header[t.col("in_ukraine_held_area")], "%q is not 0 or 1", v)
			}
		}
		if !e.ok {
			continue
		}
		o.Text = firmsText(r, instrument, sat, side)
		o.ID = rd.id(strings.Join([]string{fmtFloat(lat), fmtFloat(lon), ds, hhmm, sat}, ","))
		rd.add(r.line, "", o)
	}
	return nil
}

// firmsTime parses an acquisition time: "HH:MM:SS", "HH:MM", or an integer
// HHMM, zero-padded or not ("0905", "947", "7" = 00:07; "947.0" too).
func firmsTime(s string) (h, m int, ok bool) {
	if s == "" {
		return 0, 0, false
	}
	if strings.Contains(s, ":") {
		parts := strings.Split(s, ":")
		if len(parts) < 2 || len(parts) > 3 {
			return 0, 0, false
		}
		var v [3]int
		for i, p := range parts {
			n, err := strconv.Atoi(p)
			if err != nil || n < 0 || len(p) > 2 {
				return 0, 0, false
			}
			v[i] = n
		}
		if v[0] > 23 || v[1] > 59 || v[2] > 59 {
			return 0, 0, false
		}
		return v[0], v[1], true
	}
	s = strings.TrimSuffix(s, ".0")
	if len(s) > 4 {
		return 0, 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || s[0] == '+' || s[0] == '-' {
		return 0, 0, false
	}
	h, m = n/100, n%100
	if h > 23 || m > 59 {
		return 0, 0, false
	}
	return h, m, true
}

var firmsSatellites = map[string]string{
	"N": "Suomi NPP", "N20": "NOAA-20", "N21": "NOAA-21", "1": "NOAA-20", "T": "Terra", "A": "Aqua",
	"Terra": "Terra", "Aqua": "Aqua",
}

// firmsText summarises a detection in English.
func firmsText(r *row, instrument, sat, side string) string {
	var b strings.Builder
	b.WriteString("FIRMS fire detection")
	if instrument != "" || sat != "" {
		b.WriteString(" (")
		b.WriteString(strings.TrimSpace(instrument + " " + sat))
		if name, ok := firmsSatellites[sat]; ok && name != sat {
			fmt.Fprintf(&b, ", %s", name)
		}
		b.WriteString(")")
	}
	var facts []string
	if c := r.get("confidence"); c != "" {
		facts = append(facts, "confidence "+c)
	}
	if f, err := strconv.ParseFloat(r.get("frp"), 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		facts = append(facts, fmt.Sprintf("FRP %s MW", fmtFloat(f)))
	}
	for _, c := range []string{"bright_ti4", "brightness"} {
		if f, err := strconv.ParseFloat(r.get(c), 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			facts = append(facts, fmt.Sprintf("brightness %s K", fmtFloat(f)))
			break
		}
	}
	switch strings.ToUpper(r.get("daynight")) {
	case "D":
		facts = append(facts, "day pass")
	case "N":
		facts = append(facts, "night pass")
	}
	if v := r.get("version"); v != "" {
		facts = append(facts, "version "+v)
	}
	if len(facts) > 0 {
		b.WriteString(": ")
		b.WriteString(strings.Join(facts, ", "))
	}
	b.WriteString(".")
	switch side {
	case "1":
		b.WriteString(" The Economist's war-fire model: in_ukraine_held_area=1, outside every ISW area of Russian control, claimed control or advance that day (Ukrainian-held).")
	case "0":
		b.WriteString(" The Economist's war-fire model: in_ukraine_held_area=0, inside ISW's areas of assessed or claimed Russian control, Russian advances or Ukrainian counter-offensives that day (Russian-held or contested).")
	}
	return clipUTF8(strings.ToValidUTF8(b.String(), "\uFFFD"), truce.MaxTextBytes)
}
