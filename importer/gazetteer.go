package importer

import (
	"strings"
	"unicode/utf8"

	"github.com/truce-monitor/truce"
)

// place is a gazetteer entry: a named region and its representative point.
type place struct {
	name      string // canonical English name, as the Air Force data spells it
	precision truce.GeoPrecision
	oblast    string  // key of the oblast (or city of special status) it lies in
	lon, lat  float64 // representative point, WGS84 degrees
}

// gazetteer resolves the target names of the Air Force data to regions with
// a representative point. Keys are lower-case.
//
// Oblasts are represented by their administrative centre (the de jure one:
// Donetsk for Donetsk oblast, Luhansk for Luhansk oblast, Simferopol for
// Crimea); Kyiv oblast by Kyiv. Cities and raions are represented by the
// city (a raion by its administrative centre). Coordinates are the usual
// public coordinates of the city centres, written from general knowledge to
// about 0.01 degrees; they are representative points, not event locations,
// and the observation's geo_precision says so. A few Russian border oblasts
// that appear as targets are included the same way.
var gazetteer = func() map[string]place {
	m := map[string]place{}
	add := func(name string, p truce.GeoPrecision, oblast string, lon, lat float64) {
		m[strings.ToLower(name)] = place{name: name, precision: p, oblast: oblast, lon: lon, lat: lat}
	}
	ob := func(name, key string, lon, lat float64) { add(name, truce.GeoOblast, key, lon, lat) }
	// Oblasts of Ukraine, the Autonomous Republic of Crimea and the cities
	// of special status, by administrative centre.
	ob("Cherkasy oblast", "cherkasy", 32.0598, 49.4444)               // Cherkasy
	ob("Chernihiv oblast", "chernihiv", 31.2893, 51.4982)             // Chernihiv
	ob("Chernivtsi oblast", "chernivtsi", 25.9358, 48.2915)           // Chernivtsi
	ob("Dnipropetrovsk oblast", "dnipropetrovsk", 35.0462, 48.4647)   // Dnipro
	ob("Donetsk oblast", "donetsk", 37.8028, 48.0159)                 // Donetsk
	ob("Ivano-Frankivsk oblast", "ivano-frankivsk", 24.7111, 48.9226) // Ivano-Frankivsk
	ob("Kharkiv oblast", "kharkiv", 36.2304, 49.9935)                 // Kharkiv
	ob("Kherson oblast", "kherson", 32.6169, 46.6354)                 // Kherson
	ob("Khmelnytskyi oblast", "khmelnytskyi", 26.9871, 49.4229)       // Khmelnytskyi
	ob("Kirovohrad oblast", "kirovohrad", 32.2623, 48.5079)           // Kropyvnytskyi
	ob("Kyiv oblast", "kyiv-oblast", 30.5234, 50.4501)                // Kyiv
	ob("Luhansk oblast", "luhansk", 39.3078, 48.5740)                 // Luhansk
	ob("Lviv oblast", "lviv", 24.0297, 49.8397)                       // Lviv
	ob("Mykolaiv oblast", "mykolaiv", 31.9946, 46.9750)               // Mykolaiv
	ob("Odesa oblast", "odesa", 30.7233, 46.4825)                     // Odesa
	ob("Poltava oblast", "poltava", 34.5514, 49.5883)                 // Poltava
	ob("Rivne oblast", "rivne", 26.2516, 50.6199)                     // Rivne
	ob("Sumy oblast", "sumy", 34.7981, 50.9077)                       // Sumy
	ob("Ternopil oblast", "ternopil", 25.5948, 49.5535)               // Ternopil
	ob("Vinnytsia oblast", "vinnytsia", 28.4682, 49.2331)             // Vinnytsia
	ob("Volyn oblast", "volyn", 25.3254, 50.7472)                     // Lutsk
	ob("Zakarpattia oblast", "zakarpattia", 22.2879, 48.6208)         // Uzhhorod
	ob("Zaporizhzhia oblast", "zaporizhzhia", 35.1396, 47.8388)       // Zaporizhzhia
	ob("Zhytomyr oblast", "zhytomyr", 28.6587, 50.2547)               // Zhytomyr
	ob("Crimea", "crimea", 34.1024, 44.9521)                          // Simferopol
	ob("Sevastopol", "sevastopol", 33.5224, 44.6166)                  // Sevastopol (city of special status)
	// Kyiv city is a city of special status, not part of Kyiv oblast.
	add("Kyiv", truce.GeoSettlement, "kyiv-city", 30.5234, 50.4501)
	// Russian border oblasts named as targets, by administrative centre.
	ob("Belgorod oblast", "belgorod", 36.5853, 50.5997) // Belgorod
	ob("Bryansk oblast", "bryansk", 34.3636, 53.2521)   // Bryansk
	ob("Kursk oblast", "kursk", 36.1874, 51.7373)       // Kursk
	// Cities and places named as targets.
	st := func(name, oblast string, lon, lat float64) { add(name, truce.GeoSettlement, oblast, lon, lat) }
	st("Dnipro", "dnipropetrovsk", 35.0462, 48.4647)
	st("Kharkiv", "kharkiv", 36.2304, 49.9935)
	st("Kherson", "kherson", 32.6169, 46.6354)
	st("Kolomyia", "ivano-frankivsk", 25.0377, 48.5310)
	st("Kramatorsk", "donetsk", 37.5557, 48.7389)
	st("Kryvyi Rih", "dnipropetrovsk", 33.3918, 47.9105)
	st("Mykolaiv", "mykolaiv", 31.9946, 46.9750)
	st("Ochakiv", "mykolaiv", 31.5393, 46.6125)
	st("Odesa", "odesa", 30.7233, 46.4825)
	st("Snake Island", "odesa", 30.2047, 45.2551)
	st("Starokostiantyniv", "khmelnytskyi", 27.2168, 49.7568)
	st("Sumy", "sumy", 34.7981, 50.9077)
	st("Zaporizhzhia", "zaporizhzhia", 35.1396, 47.8388)
	// Raions named as "<oblast>, <raion>", by administrative centre.
	rn := func(name, oblast string, lon, lat float64) { add(name, truce.GeoDistrict, oblast, lon, lat) }
	rn("Dnipro Raion", "dnipropetrovsk", 35.0462, 48.4647)       // Dnipro
	rn("Kamianske Raion", "dnipropetrovsk", 34.6137, 48.5167)    // Kamianske
	rn("Kryvyi Rih Raion", "dnipropetrovsk", 33.3918, 47.9105)   // Kryvyi Rih
	rn("Novomoskovsk Raion", "dnipropetrovsk", 35.2217, 48.6332) // Novomoskovsk (Samar)
	rn("Pavlohrad Raion", "dnipropetrovsk", 35.8707, 48.5350)    // Pavlohrad
	rn("Synelnykove Raion", "dnipropetrovsk", 35.5168, 48.3188)  // Synelnykove
	rn("Myrhorod Raion", "poltava", 33.6024, 49.9680)            // Myrhorod
	// Launch places the Air Force names: Russian airfields and towns,
	// places in occupied Crimea and Zaporizhzhia oblast, Russian oblasts
	// by administrative centre, and sea areas by a point at sea.
	st("Primorsko-Akhtarsk", "ru-krasnodar", 38.1700, 46.0500)
	st("Millerovo", "ru-rostov", 40.3950, 48.9230)
	st("Shatalovo", "ru-smolensk", 32.4700, 54.3300)
	st("Taganrog", "ru-rostov", 38.8970, 47.2200)
	st("Chauda, Crimea", "crimea", 35.8500, 45.0100)
	st("Hvardiiske, Crimea", "crimea", 34.0200, 45.1200)
	st("Zaporizhzhia oblast, Prymorsk", "zaporizhzhia", 36.3400, 46.7300)
	st("Black Sea, Anapa", "ru-krasnodar", 37.3200, 44.8900)
	ob("Oryol oblast", "ru-oryol", 36.0640, 52.9700)       // Oryol
	ob("Voronezh oblast", "ru-voronezh", 39.2000, 51.6700) // Voronezh
	ob("Rostov oblast", "ru-rostov", 39.7200, 47.2300)     // Rostov-on-Don
	ob("Saratov oblast", "ru-saratov", 46.0300, 51.5300)   // Saratov
	add("Black Sea", truce.GeoDirection, "black-sea", 33.0000, 43.8000)
	add("Caspian Sea", truce.GeoDirection, "caspian-sea", 50.0000, 42.0000)
	return m
}()

// ukraine is the representative point of a report on the whole country:
// the geographic centre of Ukraine, near Dobrovelychkivka.
var ukraine = [2]float64{31.18, 48.38}

// directionPoints are representative points of the Air Force's target
// directions: a point in the middle of the oblasts each names. "Front
// line" has none: the line runs 1,000 km.
var directionPoints = map[string][2]float64{
	"north":      {32.00, 51.00}, // Chernihiv, Sumy, Kyiv oblasts
	"south":      {32.50, 46.90}, // Odesa, Mykolaiv, Kherson oblasts
	"east":       {36.50, 49.00}, // Kharkiv, Donetsk, Luhansk oblasts
	"west":       {25.50, 49.50},
	"center":     {32.00, 49.00},
	"centre":     {32.00, 49.00},
	"north-east": {34.80, 50.90},
	"north-west": {26.00, 51.00},
	"south-east": {35.50, 47.50},
	"south-west": {29.50, 46.80},
}

// oblastByKey finds the oblast-level entry for an oblast key.
func oblastByKey(key string) (place, bool) {
	for _, p := range gazetteer {
		if p.oblast == key && (p.precision == truce.GeoOblast || key == "kyiv-city") {
			return p, true
		}
	}
	return place{}, false
}

// directions are the Air Force's target directions (mostly Air Command
// rows); "front line" is treated as one.
var directions = map[string]bool{
	"north": true, "south": true, "east": true, "west": true, "center": true, "centre": true,
	"north-east": true, "north-west": true, "south-east": true, "south-west": true, "front line": true,
}

// resolveTarget turns the Air Force "target" text into a region location:
//
//   - empty or "Ukraine": the country, with its geographic centre as
//     representative point;
//   - a direction ("south", "east"): direction, with a point in the middle
//     of the oblasts it names; "front line" or several directions:
//     direction, no point;
//   - an oblast, Crimea or Sevastopol: oblast, with the administrative
//     centre as representative point;
//   - a city or place (Kyiv, Dnipro, Snake Island): settlement, with its
//     point;
//   - "<oblast>, <raion> Raion": district, with the raion centre (or
//     without a point for a raion not in the gazetteer); "<oblast>, <other
//     words>" ("Odesa oblast, Black Sea") and "<oblast> (south)" count as
//     the oblast;
//   - several of these joined with " and ": the same oblast if all parts lie
//     in one oblast, else direction precision without a point (the target
//     spans more than one oblast but not the whole country);
//   - anything else: the text as region with country precision and no
//     point, so that nothing is lost and nothing is claimed.
func resolveTarget(target string) truce.Location {
	target = strings.Join(strings.Fields(target), " ")
	if target == "" || strings.EqualFold(target, "Ukraine") {
		return truce.Location{Region: "Ukraine", GeoPrecision: truce.GeoCountry, Lon: ptr(ukraine[0]), Lat: ptr(ukraine[1])}
	}
	if p, ok := directionPoints[strings.ToLower(target)]; ok {
		return truce.Location{Region: clipRegion(target), GeoPrecision: truce.GeoDirection, Lon: ptr(p[0]), Lat: ptr(p[1])}
	}
	parts := strings.Split(target, " and ")
	resolved := make([]place, 0, len(parts))
	allDirections := true
	for _, part := range parts {
		p, ok := resolvePart(strings.TrimSpace(part))
		if directions[strings.ToLower(strings.TrimSpace(part))] {
			continue
		}
		allDirections = false
		if !ok {
			return truce.Location{Region: clipRegion(target), GeoPrecision: truce.GeoCountry}
		}
		resolved = append(resolved, p)
	}
	if allDirections {
		return truce.Location{Region: clipRegion(target), GeoPrecision: truce.GeoDirection}
	}
	if len(resolved) != len(parts) {
		// directions mixed with places
		return truce.Location{Region: clipRegion(target), GeoPrecision: truce.GeoDirection}
	}
	if len(resolved) == 1 {
		p := resolved[0]
		loc := truce.Location{Region: clipRegion(target), GeoPrecision: p.precision}
		if p.lon != 0 || p.lat != 0 {
			loc.Lon, loc.Lat = ptr(p.lon), ptr(p.lat)
		}
		return loc
	}
	same := true
	for _, p := range resolved[1:] {
		if p.oblast != resolved[0].oblast {
			same = false
		}
	}
	if same {
		if o, ok := oblastByKey(resolved[0].oblast); ok {
			return truce.Location{Region: clipRegion(target), GeoPrecision: o.precision, Lon: ptr(o.lon), Lat: ptr(o.lat)}
		}
	}
	return truce.Location{Region: clipRegion(target), GeoPrecision: truce.GeoDirection}
}

// resolvePart resolves one target name (no " and ").
func resolvePart(s string) (place, bool) {
	k := strings.ToLower(s)
	if p, ok := gazetteer[k]; ok {
		return p, true
	}
	// "Kyiv oblast (south)"
	if i := strings.Index(k, "("); i > 0 && strings.HasSuffix(k, ")") {
		if p, ok := gazetteer[strings.TrimSpace(k[:i])]; ok {
			return p, true
		}
	}
	// "Dnipropetrovsk oblast, Dnipro Raion", "Odesa oblast, Black Sea"
	if before, after, ok := strings.Cut(k, ","); ok {
		o, ok := gazetteer[strings.TrimSpace(before)]
		if !ok {
			return place{}, false
		}
		after = strings.TrimSpace(after)
		if strings.HasSuffix(after, " raion") {
			if r, ok := gazetteer[after]; ok && r.oblast == o.oblast {
				return r, true
			}
			return place{name: s, precision: truce.GeoDistrict, oblast: o.oblast}, true
		}
		return o, true
	}
	return place{}, false
}

// clipRegion keeps a region name within the 256 bytes an observation allows,
// cutting at a rune boundary.
func clipRegion(s string) string { return clipUTF8(s, 256) }

func clipUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := s[:n]
	for len(cut) > 0 && len(cut) > n-utf8.UTFMax && !utf8.ValidString(cut) {
		cut = cut[:len(cut)-1]
	}
	return cut
}

// resolveLaunch turns the Air Force "launch_place" text into an origin: the
// representative point of the place, with the spread of its precision as
// uncertainty (an origin is a point, not a named region); for several
// places joined with " and ", the first's point with the spread of a
// direction. It returns nil for a place not in the gazetteer (the text
// stays in the observation's text).
func resolveLaunch(text string) *truce.Location {
	text = strings.Join(strings.Fields(text), " ")
	if text == "" {
		return nil
	}
	var first place
	for i, part := range strings.Split(text, " and ") {
		p, ok := resolvePart(strings.TrimSpace(part))
		if !ok || p.lon == 0 && p.lat == 0 {
			return nil
		}
		if i == 0 {
			first = p
		} else if p.name != first.name {
			first.precision = truce.GeoDirection
		}
	}
	return &truce.Location{Lon: ptr(first.lon), Lat: ptr(first.lat), UncertaintyM: first.precision.SpreadM()}
}
