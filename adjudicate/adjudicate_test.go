package adjudicate_test

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/adjudicate"
	"github.com/truce-monitor/truce/agreement"
	"github.com/truce-monitor/truce/control"
	"github.com/truce-monitor/truce/control/controltest"
	"github.com/truce-monitor/truce/examples"
	"github.com/truce-monitor/truce/geo"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Real DeepState maps, prepared once. The party drawn may be relabelled
// (DPR, for the Minsk agreement, whose parties the 2025 maps do not name).
var (
	mapsMu sync.Mutex
	mapsBy = map[string]*control.Map{}
)

func deepState(t testing.TB, day, party string) *control.Map {
	t.Helper()
	mapsMu.Lock()
	defer mapsMu.Unlock()
	if m := mapsBy[day+party]; m != nil {
		return m
	}
	cm := controltest.DeepState(t, day)
	cm.Holdings[0].Party = party
	cm.ID = "deepstate-" + day
	m, err := control.New(cm, nil)
	if err != nil {
		t.Fatal(err)
	}
	mapsBy[day+party] = m
	return m
}

// schedule is the tests' map in force: the 2025-03-14 snapshot before
// 2025-04-01 (at any earlier time, 2015 included) and the 2025-04-13 one
// from then on, with the drawn party named party.
func schedule(t testing.TB, party string) adjudicate.MapAt {
	march, april := deepState(t, "2025-03-14", party), deepState(t, "2025-04-13", party)
	return func(_ context.Context, at time.Time) (*control.Map, error) {
		if at.Before(date("2025-04-01T00:00:00Z")) {
			return march, nil
		}
		return april, nil
	}
}

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func example(t testing.TB, name string) *truce.Agreement {
	t.Helper()
	data, err := examples.FS.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	a, err := agreement.Parse(name, data, agreement.WithFS(examples.FS))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func ptr[T any](v T) *T { return &v }

// Reporters.
type reporter struct {
	source string
	role   truce.Role
	party  string
}

var (
	monitor  = reporter{"smm-team-7", truce.RoleMonitor, ""}
	monitor2 = reporter{"smm-team-9", truce.RoleMonitor, ""}
	acoustic = reporter{"acoustic-3", truce.RoleSensor, ""}
	viina    = reporter{"viina", truce.RoleDataset, ""}
	uaParty  = reporter{"ua-liaison", truce.RoleParty, "UA"}
	ruParty  = reporter{"ru-liaison", truce.RoleParty, "RU"}
	dprParty = reporter{"dpr-liaison", truce.RoleParty, "DPR"}
	deep     = reporter{"deepstate", truce.RoleDataset, ""}
	firms    = reporter{"firms", truce.RoleSensor, ""} // files fire detections: kind fire
)

// report is one observation of a case: who, and what beyond the incident.
type report struct {
	by      reporter
	kind    truce.Kind // the act it reports, when not the incident's
	weapon  truce.WeaponClass
	target  truce.TargetCategory
	blames  string
	prec    truce.TimePrecision
	bearing *truce.Location // an origin as an observer's bearing
	origin  *truce.Location // an origin as a point
}

// bearing is the origin to seen from an observer at lon, lat: the exact
// bearing, ±2°, and no distance.
func bearing(lon, lat float64, to *truce.Position) *truce.Location {
	_, azi, _ := geo.Inverse(geo.Point{lon, lat}, geo.Point{to.Lon, to.Lat})
	if azi < 0 {
		azi += 360
	}
	return &truce.Location{Observer: &truce.Position{Lon: lon, Lat: lat}, BearingDeg: ptr(azi), BearingErrorDeg: 2}
}

// rayPoint is the point d metres from from towards to, as correlation
// places an origin given by a bearing alone.
func rayPoint(from, to *truce.Position, d float64) *truce.Position {
	_, azi, _ := geo.Inverse(geo.Point{from.Lon, from.Lat}, geo.Point{to.Lon, to.Lat})
	p, _ := geo.Direct(geo.Point{from.Lon, from.Lat}, azi, d)
	return &truce.Position{Lon: p[0], Lat: p[1]}
}

func point(lon, lat, unc float64) *truce.Location {
	return &truce.Location{Lon: ptr(lon), Lat: ptr(lat), UncertaintyM: unc}
}

type tcase struct {
	name      string
	agreement string
	party     string // the drawn party of the maps
	kind      truce.Kind
	start     string
	end       string // "" for start
	lon, lat  float64
	unc       float64
	origin    *truce.Position
	reports   []report

	violation  bool
	rule       string
	attributed string
	confidence truce.Confidence
	codes      []string // reason codes the finding must carry
}

// Places on the 2025-03-14 map (distances to its line of contact).
var (
	uaPokrovsk   = [2]float64{37.18, 48.28}                      // UA-held, 6.0 km from the line
	ruEast       = &truce.Position{Lon: 37.5, Lat: 48.2}         // RU-held, 9.9 km
	ruDeep       = [2]float64{37.9, 48.0}                        // RU-held, 27.6 km (20 km from the hole in RU ground near 37.53, 47.96)
	ruHorlivka   = [2]float64{38.5, 48.9}                        // RU-held, 16.9 km
	uaWest       = &truce.Position{Lon: 37.3, Lat: 48.5}         // UA-held, 22.9 km
	uaSameSide   = &truce.Position{Lon: 37.0, Lat: 48.35}        // UA-held, 10.5 km
	ruNearLine   = &truce.Position{Lon: 37.19139, Lat: 48.20311} // RU-held, 1.6 km
	kyiv         = [2]float64{30.52, 50.45}                      // UA-held, 418 km
	kharkiv      = [2]float64{36.25, 49.99}                      // UA-held, 30.8 km
	belgorod     = &truce.Position{Lon: 36.59, Lat: 50.6}        // in Russia, outside the map's territory
	advanceRU    = [2]float64{37.919326, 49.157224}              // centroid of 51.2 km² RU gained by 2025-04-13
	advanceSmall = [2]float64{37.108741, 48.234630}              // centroid of 0.443 km² RU gained
	ruSouthEast  = &truce.Position{Lon: 39.0, Lat: 48.1}         // RU-held (Luhansk oblast, then Russia)
)

func cases() []tcase {
	two := []report{
		{by: monitor, weapon: truce.WeaponArtilleryGE100, prec: truce.PrecisionMinute, bearing: bearing(37.7, 48.1, ruEast)},
		{by: monitor2, weapon: truce.WeaponArtilleryGE100, prec: truce.PrecisionMinute, bearing: bearing(37.4, 48.0, ruEast)},
	}
	return []tcase{
		// The 30-day ceasefire, 2025-03-13T22:00Z to 2025-04-12T21:00Z.
		{name: "R1 fire from RU ground, two bearings", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindArtillery,
			start: "2025-03-20T10:15:00Z", lon: uaPokrovsk[0], lat: uaPokrovsk[1], unc: 200, origin: ruEast, reports: two,
			violation: true, rule: "R1", attributed: "RU", confidence: truce.Confirmed,
			codes: []string{adjudicate.CodeWindowInForce, adjudicate.CodeImpactHeld, adjudicate.CodeOriginHeld, adjudicate.CodeAttrOrigin, adjudicate.CodeLineCrossed, adjudicate.CodeRuleProhibits, adjudicate.CodeCorrIndependent}},
		{name: "R1 fire from UA ground into RU ground", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindMLRS,
			start: "2025-03-21T03:00:00Z", lon: ruHorlivka[0], lat: ruHorlivka[1], unc: 500, origin: uaWest,
			reports:   []report{{by: acoustic, prec: truce.PrecisionSecond, origin: point(37.3, 48.5, 2000)}, {by: ruParty, blames: "UA", prec: truce.PrecisionHour}},
			violation: true, rule: "R1", attributed: "UA", confidence: truce.Confirmed,
			codes: []string{adjudicate.CodeOriginHeld, adjudicate.CodeLineCrossed, adjudicate.CodeClaimNotUsed}},
		{name: "R1 UA allegation alone", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindArtillery,
			start: "2025-03-20T10:15:00Z", lon: uaPokrovsk[0], lat: uaPokrovsk[1], unc: 200, origin: ruEast,
			reports:   []report{{by: uaParty, blames: "RU", prec: truce.PrecisionMinute, origin: point(37.5, 48.2, 1000)}},
			violation: true, rule: "R1", attributed: "RU", confidence: truce.Possible,
			codes: []string{adjudicate.CodeCorrPartyOnly, adjudicate.CodeClaimNotUsed}},
		{name: "R1 RU allegation blaming UA for fire from RU ground", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindArtillery,
			start: "2025-03-20T10:15:00Z", lon: uaPokrovsk[0], lat: uaPokrovsk[1], unc: 200, origin: ruEast,
			reports:   []report{{by: ruParty, blames: "UA", prec: truce.PrecisionMinute, origin: point(37.5, 48.2, 1000)}},
			violation: true, rule: "R1", attributed: "RU", confidence: truce.Possible,
			codes: []string{adjudicate.CodeCorrPartyOnly, adjudicate.CodeClaimNotUsed}},
		{name: "R1 origin straddles the line", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindArtillery,
			start: "2025-03-22T12:00:00Z", lon: uaPokrovsk[0], lat: uaPokrovsk[1], unc: 200, origin: ruNearLine,
			reports:   []report{{by: monitor, prec: truce.PrecisionMinute, origin: point(ruNearLine.Lon, ruNearLine.Lat, 3000)}},
			violation: true, rule: "R1", attributed: "RU", confidence: truce.Probable,
			codes: []string{adjudicate.CodeOriginStraddle, adjudicate.CodeAttrOriginDirection}},
		{name: "R1 origin likely across the line", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindArtillery,
			start: "2025-03-22T12:00:00Z", lon: uaPokrovsk[0], lat: uaPokrovsk[1], unc: 200, origin: ruNearLine,
			reports:   []report{{by: monitor, prec: truce.PrecisionMinute, origin: point(ruNearLine.Lon, ruNearLine.Lat, 1200)}},
			violation: true, rule: "R1", attributed: "RU", confidence: truce.Probable,
			codes: []string{adjudicate.CodeOriginLikely}},
		{name: "R1 two bearings fix an origin near the line", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindArtillery,
			start: "2025-03-22T12:00:00Z", lon: uaPokrovsk[0], lat: uaPokrovsk[1], unc: 200, origin: ruNearLine,
			reports:   []report{{by: monitor, prec: truce.PrecisionMinute, bearing: bearing(37.7, 48.1, ruNearLine)}, {by: acoustic, prec: truce.PrecisionSecond, bearing: bearing(37.4, 48.0, ruNearLine)}},
			violation: true, rule: "R1", attributed: "RU", confidence: truce.Probable,
			codes: []string{adjudicate.CodeOriginStraddle, adjudicate.CodeAttrOriginDirection, adjudicate.CodeCorrIndependent}},
		{name: "R1 origin straddles and only an allegation", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindArtillery,
			start: "2025-03-22T12:00:00Z", lon: uaPokrovsk[0], lat: uaPokrovsk[1], unc: 200, origin: ruNearLine,
			reports:   []report{{by: uaParty, blames: "RU", prec: truce.PrecisionMinute, origin: point(ruNearLine.Lon, ruNearLine.Lat, 3000)}},
			violation: true, rule: "R1", attributed: "RU", confidence: truce.Possible,
			codes: []string{adjudicate.CodeOriginStraddle, adjudicate.CodeCorrPartyOnly}},
		{name: "R1 fire within UA ground", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindArtillery,
			start: "2025-03-20T10:15:00Z", lon: uaPokrovsk[0], lat: uaPokrovsk[1], unc: 200, origin: uaSameSide,
			reports:   []report{{by: monitor, prec: truce.PrecisionMinute, origin: point(uaSameSide.Lon, uaSameSide.Lat, 1000)}},
			violation: false, confidence: truce.Confirmed,
			codes: []string{adjudicate.CodeLineNotCrossed}},
		// The origin estimate lies on the impact's side, its error reaching
		// across: R1 needs a crossing, so the party is the one a crossing
		// points to (RU), never the holder of the impact's side (UA).
		{name: "R1 origin on the impact's side, uncertain: attribution follows the crossing", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindArtillery,
			start: "2025-03-20T10:15:00Z", lon: uaWest.Lon, lat: uaWest.Lat, unc: 200, origin: &truce.Position{Lon: uaPokrovsk[0], Lat: uaPokrovsk[1]},
			reports:   []report{{by: monitor, prec: truce.PrecisionMinute, origin: point(uaPokrovsk[0], uaPokrovsk[1], 8000)}},
			violation: true, rule: "R1", attributed: "RU", confidence: truce.Possible,
			codes: []string{adjudicate.CodeOriginStraddle, adjudicate.CodeLinePresumed, adjudicate.CodeAttrCrossing}},
		// The same with the impact's uncertainty reaching the line too:
		// which way fire crossed cannot be told.
		{name: "R1 origin and impact both near the line on one side: cannot attribute", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindArtillery,
			start: "2025-03-20T10:15:00Z", lon: uaPokrovsk[0], lat: uaPokrovsk[1], unc: 7000, origin: &truce.Position{Lon: uaPokrovsk[0], Lat: uaPokrovsk[1]},
			reports:   []report{{by: monitor, prec: truce.PrecisionMinute, origin: point(uaPokrovsk[0], uaPokrovsk[1], 8000)}},
			violation: true, rule: "R1", attributed: "", confidence: truce.Undetermined,
			codes: []string{adjudicate.CodeAttrCrossing}},
		// A monitor's bearing without a distance, from UA ground toward
		// RU's: correlation put the origin at an assumed range, still in
		// UA ground. A ray that crosses the line leaves the origin's side
		// open: never "not crossed, confirmed"; the ray pointing into RU
		// ground from a clear impact is an inference from direction.
		{name: "R1 bearing without distance crosses the line: a ray, not an assumed point", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindArtillery,
			start: "2025-03-20T10:15:00Z", lon: uaWest.Lon, lat: uaWest.Lat, unc: 300, origin: rayPoint(uaWest, ruEast, 5000),
			reports:   []report{{by: monitor, prec: truce.PrecisionMinute, bearing: bearing(uaWest.Lon, uaWest.Lat, ruEast)}},
			violation: true, rule: "R1", attributed: "RU", confidence: truce.Probable,
			codes: []string{adjudicate.CodeOriginRay, adjudicate.CodeLinePresumed, adjudicate.CodeAttrDirection}},
		// A bearing without a distance that runs in RU ground all along
		// the reach of ground fire: fire within RU ground.
		{name: "R1 bearing without distance within one party's ground all along: not crossed", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindArtillery,
			start: "2025-03-20T10:15:00Z", lon: ruDeep[0], lat: ruDeep[1], unc: 300, origin: rayPoint(&truce.Position{Lon: ruDeep[0], Lat: ruDeep[1]}, ruSouthEast, 5000),
			reports:   []report{{by: monitor, prec: truce.PrecisionMinute, bearing: bearing(ruDeep[0], ruDeep[1], ruSouthEast)}},
			violation: false, confidence: truce.Confirmed,
			codes: []string{adjudicate.CodeOriginRay, adjudicate.CodeLineNotCrossed}},
		// Monitors time the fire to the minute, half an hour before the
		// window opens; an allegation timed to the hour must not stretch
		// it into the window (pre-window fire is no possible violation).
		{name: "R1 before the window: an hour-precision allegation does not widen minute-precision monitors", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindArtillery,
			start: "2025-03-13T21:30:00Z", lon: uaPokrovsk[0], lat: uaPokrovsk[1], unc: 200, origin: ruEast,
			reports: []report{{by: monitor, prec: truce.PrecisionMinute, bearing: bearing(37.7, 48.1, ruEast)}, {by: monitor2, prec: truce.PrecisionMinute, bearing: bearing(37.4, 48.0, ruEast)},
				{by: uaParty, prec: truce.PrecisionHour, blames: "RU"}},
			violation: false, confidence: truce.Confirmed,
			codes: []string{adjudicate.CodeWindowOutside}},
		{name: "R1 no origin: crossing presumed", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindMortar,
			start: "2025-03-25T18:00:00Z", lon: uaPokrovsk[0], lat: uaPokrovsk[1], unc: 300,
			reports:   []report{{by: monitor, prec: truce.PrecisionMinute}},
			violation: true, rule: "R1", attributed: "RU", confidence: truce.Probable,
			codes: []string{adjudicate.CodeOriginUnknown, adjudicate.CodeAttrDirection, adjudicate.CodeLinePresumed}},
		{name: "R1 explosion far behind the line, no origin", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindExplosion,
			start: "2025-03-25T18:00:00Z", lon: 30.5234, lat: 50.4501, unc: 2000,
			reports:   []report{{by: monitor, prec: truce.PrecisionMinute}},
			violation: false, confidence: truce.Confirmed,
			codes: []string{adjudicate.CodeLineOutOfRange}},
		{name: "R1 no origin: an explosion is not presumed to cross", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindExplosion,
			start: "2025-03-25T18:00:00Z", lon: uaPokrovsk[0], lat: uaPokrovsk[1], unc: 300,
			reports:   []report{{by: monitor, prec: truce.PrecisionMinute}},
			violation: true, rule: "R1", attributed: "RU", confidence: truce.Possible,
			codes: []string{adjudicate.CodeOriginUnknown, adjudicate.CodeAttrDirection, adjudicate.CodeLinePresumed}},
		{name: "R1 after the window", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindArtillery,
			start: "2025-04-20T10:00:00Z", lon: uaPokrovsk[0], lat: uaPokrovsk[1], unc: 200, origin: ruEast, reports: two,
			violation: false, confidence: truce.Confirmed,
			codes: []string{adjudicate.CodeWindowOutside}},
		{name: "R1 on the day the window opens, to the day", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindArtillery,
			start: "2025-03-13T00:00:00Z", lon: uaPokrovsk[0], lat: uaPokrovsk[1], unc: 200, origin: ruEast,
			reports:   []report{{by: monitor, prec: truce.PrecisionDay, bearing: bearing(37.7, 48.1, ruEast)}, {by: monitor2, prec: truce.PrecisionDay, bearing: bearing(37.4, 48.0, ruEast)}},
			violation: true, rule: "R1", attributed: "RU", confidence: truce.Possible,
			codes: []string{adjudicate.CodeWindowEdge}},
		{name: "R2 drone strike on Kyiv", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindDroneStrike,
			start: "2025-03-24T01:30:00Z", lon: kyiv[0], lat: kyiv[1], unc: 1000,
			reports:   []report{{by: viina, prec: truce.PrecisionDay, target: truce.TargetCivilian}, {by: uaParty, prec: truce.PrecisionHour, blames: "RU", weapon: truce.WeaponStrikeDrone}},
			violation: true, rule: "R2", attributed: "RU", confidence: truce.Possible,
			codes: []string{adjudicate.CodeAttrDirection, adjudicate.CodeCorrSingleNonParty}},
		// One VIINA row alone never reaches probable; two datasets do.
		{name: "R2 a single VIINA row alone", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindDroneStrike,
			start: "2025-03-24T01:30:00Z", lon: kyiv[0], lat: kyiv[1], unc: 1000,
			reports:   []report{{by: viina, prec: truce.PrecisionDay, target: truce.TargetCivilian, weapon: truce.WeaponStrikeDrone}},
			violation: true, rule: "R2", attributed: "RU", confidence: truce.Possible,
			codes: []string{adjudicate.CodeCorrSingleNonParty}},
		{name: "R2 VIINA and DeepState", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindDroneStrike,
			start: "2025-03-24T01:30:00Z", lon: kyiv[0], lat: kyiv[1], unc: 1000,
			reports:   []report{{by: viina, prec: truce.PrecisionDay, target: truce.TargetCivilian, weapon: truce.WeaponStrikeDrone}, {by: deep, prec: truce.PrecisionDay}},
			violation: true, rule: "R2", attributed: "RU", confidence: truce.Probable,
			codes: []string{adjudicate.CodeCorrNonParty}},
		// Acoustic sensors hear explosions in RU-held ground; only the
		// parties' reports call it a drone strike (a fabricated UA
		// allegation fused with a real event): the act R2 prohibits
		// rests on a party's word.
		{name: "R2 drone strike named by the parties only, explosions heard", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindDroneStrike,
			start: "2025-03-24T01:30:00Z", lon: ruEast.Lon, lat: ruEast.Lat, unc: 1500,
			reports: []report{{by: acoustic, kind: truce.KindExplosion, prec: truce.PrecisionSecond}, {by: monitor, kind: truce.KindExplosion, prec: truce.PrecisionMinute},
				{by: uaParty, prec: truce.PrecisionHour, blames: "RU", weapon: truce.WeaponStrikeDrone}},
			violation: true, rule: "R2", attributed: "UA", confidence: truce.Possible,
			codes: []string{adjudicate.CodeCorrActPartyOnly, adjudicate.CodeCorrIndependent}},
		// R1 prohibits explosions too, but presumes no crossing from one
		// (it may have other causes): the mortar fire that would point
		// across the line is the party's word.
		{name: "R1 mortar fire named by a party only, explosions heard", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindMortar,
			start: "2025-03-20T10:15:00Z", lon: uaPokrovsk[0], lat: uaPokrovsk[1], unc: 800,
			reports: []report{{by: acoustic, kind: truce.KindExplosion, prec: truce.PrecisionSecond}, {by: monitor, kind: truce.KindExplosion, prec: truce.PrecisionMinute},
				{by: uaParty, prec: truce.PrecisionHour, blames: "RU"}},
			violation: true, rule: "R1", attributed: "RU", confidence: truce.Possible,
			codes: []string{adjudicate.CodeCorrActPartyOnly}},
		// A monitor who names the act checks it.
		{name: "R2 drone strike a monitor names too", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindDroneStrike,
			start: "2025-03-24T01:30:00Z", lon: ruEast.Lon, lat: ruEast.Lat, unc: 1500,
			reports: []report{{by: acoustic, kind: truce.KindExplosion, prec: truce.PrecisionSecond}, {by: monitor, prec: truce.PrecisionMinute},
				{by: uaParty, prec: truce.PrecisionHour, blames: "RU", weapon: truce.WeaponStrikeDrone}},
			violation: true, rule: "R2", attributed: "UA", confidence: truce.Probable,
			codes: []string{adjudicate.CodeCorrIndependent}},
		{name: "R2 missile from Russia on Kharkiv", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindMissileStrike,
			start: "2025-03-26T04:00:00Z", lon: kharkiv[0], lat: kharkiv[1], unc: 500, origin: belgorod,
			reports:   []report{{by: acoustic, prec: truce.PrecisionSecond, origin: point(belgorod.Lon, belgorod.Lat, 3000), weapon: truce.WeaponBallisticMissile}},
			violation: true, rule: "R2", attributed: "RU", confidence: truce.Confirmed,
			codes: []string{adjudicate.CodeOriginHeld, adjudicate.CodeAttrOrigin}},
		{name: "R3 advance of 51 km²", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindAdvance,
			start: "2025-03-20T03:00:00Z", end: "2025-04-05T03:00:00Z", lon: advanceRU[0], lat: advanceRU[1], unc: 5985,
			reports:   []report{{by: deep, prec: truce.PrecisionDay, blames: "RU"}},
			violation: true, rule: "R3", attributed: "RU", confidence: truce.Probable,
			codes: []string{adjudicate.CodeAdvanceArea, adjudicate.CodeAttrAdvance}},
		{name: "R3 advance seen by a monitor, drawn on a later map", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindAdvance,
			start: "2025-03-30T00:00:00Z", end: "2025-03-30T00:00:00Z", lon: advanceRU[0], lat: advanceRU[1], unc: 1500,
			reports:   []report{{by: monitor, prec: truce.PrecisionDay}},
			violation: true, rule: "R3", attributed: "RU", confidence: truce.Confirmed,
			codes: []string{adjudicate.CodeAdvanceArea, adjudicate.CodeAttrAdvance, adjudicate.CodeCorrIndependent}},
		{name: "R3 change below the minimum area", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindAdvance,
			start: "2025-03-20T03:00:00Z", end: "2025-04-05T03:00:00Z", lon: advanceSmall[0], lat: advanceSmall[1], unc: 1488,
			reports:   []report{{by: deep, prec: truce.PrecisionDay, blames: "RU"}},
			violation: false, confidence: truce.Probable,
			codes: []string{adjudicate.CodeAdvanceBelowMin}},
		{name: "R3 advance alleged, not on the maps", agreement: "ceasefire-30d-2025.yaml", kind: truce.KindAdvance,
			start: "2025-03-20T03:00:00Z", end: "2025-03-25T03:00:00Z", lon: uaPokrovsk[0], lat: uaPokrovsk[1], unc: 2000,
			reports:   []report{{by: ruParty, prec: truce.PrecisionDay, blames: "UA"}},
			violation: true, rule: "R3", confidence: truce.Undetermined,
			codes: []string{adjudicate.CodeAdvanceNotOnMaps, adjudicate.CodeCorrPartyOnly}},

		// The energy moratorium, 2025-03-17T21:00Z to 2025-04-16T21:00Z.
		{name: "E1 drone strike on a substation", agreement: "energy-moratorium-2025.yaml", kind: truce.KindDroneStrike,
			start: "2025-03-28T23:00:00Z", lon: kharkiv[0], lat: kharkiv[1], unc: 300,
			reports:   []report{{by: monitor, prec: truce.PrecisionMinute, target: truce.TargetEnergy, weapon: truce.WeaponStrikeDrone}},
			violation: true, rule: "E1", attributed: "RU", confidence: truce.Probable,
			codes: []string{adjudicate.CodeTargetMatch, adjudicate.CodeAttrDirection}},
		{name: "E1 strike on a refinery in Russia, origin in UA ground", agreement: "energy-moratorium-2025.yaml", kind: truce.KindDroneStrike,
			start: "2025-03-29T02:00:00Z", lon: ruHorlivka[0], lat: ruHorlivka[1], unc: 300, origin: uaWest,
			reports:   []report{{by: acoustic, prec: truce.PrecisionSecond, target: truce.TargetEnergy, origin: point(uaWest.Lon, uaWest.Lat, 4000)}},
			violation: true, rule: "E1", attributed: "UA", confidence: truce.Confirmed,
			codes: []string{adjudicate.CodeTargetMatch, adjudicate.CodeAttrOrigin}},
		{name: "E1 strike on homes", agreement: "energy-moratorium-2025.yaml", kind: truce.KindDroneStrike,
			start: "2025-03-28T23:00:00Z", lon: kharkiv[0], lat: kharkiv[1], unc: 300,
			reports:   []report{{by: monitor, prec: truce.PrecisionMinute, target: truce.TargetCivilian}},
			violation: false, confidence: truce.Confirmed,
			codes: []string{adjudicate.CodeTargetOther}},
		{name: "E1 strike, target not reported", agreement: "energy-moratorium-2025.yaml", kind: truce.KindMissileStrike,
			start: "2025-03-28T23:00:00Z", lon: kharkiv[0], lat: kharkiv[1], unc: 300,
			reports:   []report{{by: monitor, prec: truce.PrecisionMinute}},
			violation: true, rule: "E1", attributed: "RU", confidence: truce.Possible,
			codes: []string{adjudicate.CodeTargetUnknown}},
		{name: "E1 before the moratorium", agreement: "energy-moratorium-2025.yaml", kind: truce.KindDroneStrike,
			start: "2025-03-17T20:00:00Z", lon: kharkiv[0], lat: kharkiv[1], unc: 300,
			reports:   []report{{by: monitor, prec: truce.PrecisionMinute, target: truce.TargetEnergy}},
			violation: false, confidence: truce.Confirmed,
			codes: []string{adjudicate.CodeWindowOutside}},
		{name: "E1 does not cover advances", agreement: "energy-moratorium-2025.yaml", kind: truce.KindAdvance,
			start: "2025-03-20T03:00:00Z", end: "2025-04-05T03:00:00Z", lon: advanceRU[0], lat: advanceRU[1], unc: 5985,
			reports:   []report{{by: deep, prec: truce.PrecisionDay, blames: "RU"}},
			violation: false, confidence: truce.Probable,
			codes: []string{adjudicate.CodeRuleNone}},

		// The Easter truce, 2025-04-19T15:00Z to 2025-04-20T21:00Z.
		{name: "Easter R1 shelling on Easter night", agreement: "easter-truce-2025.yaml", kind: truce.KindArtillery,
			start: "2025-04-19T20:40:00Z", lon: ruHorlivka[0], lat: ruHorlivka[1], unc: 400, origin: uaWest,
			reports:   []report{{by: monitor, prec: truce.PrecisionMinute, origin: point(uaWest.Lon, uaWest.Lat, 1500)}, {by: monitor2, prec: truce.PrecisionMinute}},
			violation: true, rule: "R1", attributed: "UA", confidence: truce.Confirmed,
			codes: []string{adjudicate.CodeLineCrossed}},
		{name: "Easter R1 shelling half an hour before the truce", agreement: "easter-truce-2025.yaml", kind: truce.KindArtillery,
			start: "2025-04-19T14:30:00Z", lon: ruHorlivka[0], lat: ruHorlivka[1], unc: 400, origin: uaWest,
			reports:   []report{{by: monitor, prec: truce.PrecisionMinute, origin: point(uaWest.Lon, uaWest.Lat, 1500)}},
			violation: false, confidence: truce.Confirmed,
			codes: []string{adjudicate.CodeWindowOutside}},
		{name: "Easter R1 reported to the hour at the truce's start", agreement: "easter-truce-2025.yaml", kind: truce.KindArtillery,
			start: "2025-04-19T14:30:00Z", lon: ruHorlivka[0], lat: ruHorlivka[1], unc: 400, origin: uaWest,
			reports:   []report{{by: monitor, prec: truce.PrecisionHour, origin: point(uaWest.Lon, uaWest.Lat, 1500)}},
			violation: true, rule: "R1", attributed: "UA", confidence: truce.Possible,
			codes: []string{adjudicate.CodeWindowEdge}},

		// Minsk II, from 2015-02-14T22:00Z, on the 2025 maps with RU's
		// ground labelled DPR.
		{name: "Minsk H1 howitzer 10 km from the line", agreement: "minsk-2015.yaml", party: "DPR", kind: truce.KindHeavyWeapon,
			start: "2015-04-01T09:00:00Z", lon: ruEast.Lon, lat: ruEast.Lat, unc: 100,
			reports:   []report{{by: monitor, prec: truce.PrecisionMinute, weapon: truce.WeaponArtilleryGE100}},
			violation: true, rule: "H1", attributed: "DPR", confidence: truce.Confirmed,
			codes: []string{adjudicate.CodeWeaponMatch, adjudicate.CodeZoneIn, adjudicate.CodeAttrLocation}},
		{name: "Minsk H1 howitzer 28 km from the line", agreement: "minsk-2015.yaml", party: "DPR", kind: truce.KindHeavyWeapon,
			start: "2015-04-01T09:00:00Z", lon: ruDeep[0], lat: ruDeep[1], unc: 100,
			reports:   []report{{by: monitor, prec: truce.PrecisionMinute, weapon: truce.WeaponArtilleryGE100}},
			violation: false, confidence: truce.Confirmed,
			codes: []string{adjudicate.CodeZoneOutside}},
		{name: "Minsk H1 howitzer at the zone's edge", agreement: "minsk-2015.yaml", party: "DPR", kind: truce.KindHeavyWeapon,
			start: "2015-04-01T09:00:00Z", lon: ruDeep[0], lat: ruDeep[1], unc: 4000,
			reports:   []report{{by: monitor, prec: truce.PrecisionMinute, weapon: truce.WeaponArtilleryGE100}},
			violation: true, rule: "H1", attributed: "DPR", confidence: truce.Possible,
			codes: []string{adjudicate.CodeZoneEdge}},
		{name: "Minsk H3 Smerch 28 km from the line", agreement: "minsk-2015.yaml", party: "DPR", kind: truce.KindHeavyWeapon,
			start: "2015-04-01T09:00:00Z", lon: ruDeep[0], lat: ruDeep[1], unc: 100,
			reports:   []report{{by: monitor, prec: truce.PrecisionMinute, weapon: truce.WeaponHeavyMLRS}},
			violation: true, rule: "H3", attributed: "DPR", confidence: truce.Confirmed,
			codes: []string{adjudicate.CodeWeaponMatch, adjudicate.CodeZoneIn}},
		{name: "Minsk H4 tank before the addendum's deadline", agreement: "minsk-2015.yaml", party: "DPR", kind: truce.KindHeavyWeapon,
			start: "2015-06-01T09:00:00Z", lon: uaWest.Lon, lat: uaWest.Lat, unc: 100,
			reports:   []report{{by: monitor, prec: truce.PrecisionMinute, weapon: truce.WeaponTank}},
			violation: false, confidence: truce.Confirmed,
			codes: []string{adjudicate.CodeRuleWhenOut}},
		{name: "Minsk H4 tank 6 km from the line", agreement: "minsk-2015.yaml", party: "DPR", kind: truce.KindHeavyWeapon,
			start: "2016-01-10T09:00:00Z", lon: uaPokrovsk[0], lat: uaPokrovsk[1], unc: 100,
			reports:   []report{{by: monitor, prec: truce.PrecisionMinute, weapon: truce.WeaponTank}, {by: dprParty, prec: truce.PrecisionDay, blames: "UA"}},
			violation: true, rule: "H4", attributed: "UA", confidence: truce.Confirmed,
			codes: []string{adjudicate.CodeWeaponMatch, adjudicate.CodeZoneIn, adjudicate.CodeClaimNotUsed}},
		{name: "Minsk H heavy weapon of unknown class", agreement: "minsk-2015.yaml", party: "DPR", kind: truce.KindHeavyWeapon,
			start: "2016-01-10T09:00:00Z", lon: uaPokrovsk[0], lat: uaPokrovsk[1], unc: 100,
			reports:   []report{{by: monitor, prec: truce.PrecisionMinute}},
			violation: true, rule: "H1", attributed: "UA", confidence: truce.Possible,
			codes: []string{adjudicate.CodeWeaponUnknown, adjudicate.CodeRuleAlso}},
		{name: "Minsk C1 fire from DPR ground", agreement: "minsk-2015.yaml", party: "DPR", kind: truce.KindArtillery,
			start: "2015-02-20T09:00:00Z", lon: uaPokrovsk[0], lat: uaPokrovsk[1], unc: 200, origin: ruEast, reports: two,
			violation: true, rule: "C1", attributed: "DPR", confidence: truce.Confirmed,
			codes: []string{adjudicate.CodeLineCrossed, adjudicate.CodeAttrOrigin}},
	}
}

// build turns a case into its incident and observations, with id prefix.
func (c *tcase) build(t testing.TB, id string) (*truce.Incident, []*truce.Observation) {
	t.Helper()
	start := date(c.start)
	end := start
	if c.end != "" {
		end = date(c.end)
	}
	inc := &truce.Incident{ID: id, Kind: c.kind, Start: start, End: end, Lon: c.lon, Lat: c.lat, UncertaintyM: c.unc, Origin: c.origin}
	var obs []*truce.Observation
	corr := truce.SingleSource
	sources := map[string]bool{}
	parties := map[string]bool{}
	independent := false
	for i, r := range c.reports {
		o := &truce.Observation{
			ID: id + "-o" + string(rune('0'+i)), Source: r.by.source, SourceRole: r.by.role, SourceParty: r.by.party,
			Kind: cmp.Or(r.kind, c.kind), ObservedAt: start, TimePrecision: r.prec,
			Location:    truce.Location{Lon: ptr(c.lon), Lat: ptr(c.lat), UncertaintyM: c.unc},
			WeaponClass: r.weapon, Target: r.target, BlamedParty: r.blames,
		}
		if c.end != "" {
			o.ObservedUntil = ptr(end)
		}
		if r.by == firms {
			o.Kind = truce.KindFire
		}
		if r.bearing != nil {
			o.Origin = r.bearing
		}
		if r.origin != nil {
			o.Origin = r.origin
		}
		if err := o.Validate(); err != nil {
			t.Fatalf("%s: observation %d: %v", c.name, i, err)
		}
		obs = append(obs, o)
		inc.Observations = append(inc.Observations, o.ID)
		sources[r.by.source] = true
		if r.by.role == truce.RoleParty {
			parties[r.by.party] = true
		}
		independent = independent || r.by.role == truce.RoleMonitor || r.by.role == truce.RoleSensor
	}
	switch {
	case independent:
		corr = truce.IndependentCheck
	case len(sources) > 1 && len(parties) == len(sources) && len(parties) == 1:
		corr = truce.SameParty
	case len(sources) > 1:
		corr = truce.SeveralSources
	}
	inc.Corroboration = corr
	return inc, obs
}

func adjudicateOne(t *testing.T, c tcase, inc *truce.Incident, obs []*truce.Observation) *truce.Finding {
	t.Helper()
	party := c.party
	if party == "" {
		party = "RU"
	}
	byID := map[string]*truce.Observation{}
	for _, o := range obs {
		byID[o.ID] = o
	}
	fs, err := adjudicate.Adjudicate(context.Background(), []*truce.Incident{inc}, example(t, c.agreement), schedule(t, party),
		&adjudicate.Options{Observations: byID, LogSize: 42})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 {
		t.Fatalf("got %d findings, want 1", len(fs))
	}
	if err := fs[0].Validate(); err != nil {
		t.Fatalf("finding does not validate: %v", err)
	}
	return fs[0]
}

func codes(f *truce.Finding) []string {
	var out []string
	for _, r := range f.Reasons {
		out = append(out, r.Code)
	}
	return out
}

func TestAdjudicate(t *testing.T) {
	for _, c := range cases() {
		t.Run(c.name, func(t *testing.T) {
			inc, obs := c.build(t, "inc-1")
			f := adjudicateOne(t, c, inc, obs)
			if f.Violation != c.violation || f.Rule != c.rule || f.Party != c.attributed || f.Confidence != c.confidence {
				t.Errorf("got violation %v rule %q party %q confidence %s; want %v %q %q %s\n%s",
					f.Violation, f.Rule, f.Party, f.Confidence, c.violation, c.rule, c.attributed, c.confidence, reasonsText(f))
			}
			for _, code := range c.codes {
				if !slices.Contains(codes(f), code) {
					t.Errorf("no reason %s among %v\n%s", code, codes(f), reasonsText(f))
				}
			}
			if f.Engine != adjudicate.Engine || f.LogSize != 42 || f.Agreement != example(t, c.agreement).ID || f.Version != 1 {
				t.Errorf("finding header %+v", f)
			}
			if want := adjudicate.FindingID("inc-1", f.Agreement, 1, adjudicate.Engine); f.ID != want {
				t.Errorf("id %s, want %s", f.ID, want)
			}
			if leak := namesSource(f, obs); leak != "" {
				t.Errorf("a reason names %s:\n%s", leak, reasonsText(f))
			}
		})
	}
}

var mapID = regexp.MustCompile(`[a-z]+-\d{4}-\d{2}-\d{2}`)

// namesSource returns what of obs's sources and observers a reason of f
// names: a source's name, or an observer's position to 3 decimals (about
// 100 m); "" when none. Reasons are the same for every audience, so they
// name sources by role and count only, and observers not at all.
func namesSource(f *truce.Finding, obs []*truce.Observation) string {
	for _, r := range f.Reasons {
		// Control maps are public, and named by their ids
		// ("deepstate-2025-03-14"), not by the source that filed them.
		text := mapID.ReplaceAllString(r.Text, "")
		for _, o := range obs {
			if o.Source != "" && strings.Contains(text, o.Source) {
				return "source " + o.Source
			}
			for _, l := range []*truce.Location{&o.Location, o.Origin} {
				if l == nil || l.Observer == nil {
					continue
				}
				for _, v := range []float64{l.Observer.Lon, l.Observer.Lat} {
					if s := strconv.FormatFloat(v, 'f', 3, 64); strings.Contains(text, s) {
						return "the observer's coordinate " + s
					}
				}
			}
		}
	}
	return ""
}

// TestAllegationAloneAtMostPossible turns every case's reports into
// allegations by the parties (and, separately, drops the observations so
// that their sources are unknown): no finding may exceed possible.
func TestAllegationAloneAtMostPossible(t *testing.T) {
	allegers := []reporter{uaParty, ruParty, {"ua-liaison-2", truce.RoleParty, "UA"}}
	for _, c := range cases() {
		t.Run(c.name, func(t *testing.T) {
			for i := range c.reports {
				c.reports[i].by = allegers[i%len(allegers)]
			}
			if len(c.reports) == 0 {
				t.Fatal("a case without reports")
			}
			inc, obs := c.build(t, "inc-1")
			if f := adjudicateOne(t, c, inc, obs); f.Confidence == truce.Confirmed || f.Confidence == truce.Probable {
				t.Errorf("allegations alone reached %s\n%s", f.Confidence, reasonsText(f))
			}
			// The incident claims independent corroboration, but none of
			// its observations is known.
			inc.Corroboration = truce.IndependentCheck
			if f := adjudicateOne(t, c, inc, nil); f.Confidence == truce.Confirmed || f.Confidence == truce.Probable {
				t.Errorf("unknown sources reached %s\n%s", f.Confidence, reasonsText(f))
			}
		})
	}
}

// TestHeatDetectionCorroboratesNothing adds a satellite fire detection
// (as a party would stage one: a fire lit where its allegation points) to
// every case with its reports turned into allegations, and a detection
// alone in place of the reports: no finding may exceed possible, whatever
// the weapon, origin or party the allegations give.
func TestHeatDetectionCorroboratesNothing(t *testing.T) {
	allegers := []reporter{uaParty, ruParty}
	for _, c := range cases() {
		t.Run(c.name, func(t *testing.T) {
			for i := range c.reports {
				c.reports[i].by = allegers[i%len(allegers)]
			}
			c.reports = append(c.reports, report{by: firms, prec: truce.PrecisionSecond}, report{by: firms, prec: truce.PrecisionSecond})
			inc, obs := c.build(t, "inc-1")
			if f := adjudicateOne(t, c, inc, obs); f.Confidence == truce.Confirmed || f.Confidence == truce.Probable {
				t.Errorf("allegations and fire detections reached %s\n%s", f.Confidence, reasonsText(f))
			}
			c.reports = []report{{by: firms, prec: truce.PrecisionSecond}}
			inc, obs = c.build(t, "inc-1")
			if f := adjudicateOne(t, c, inc, obs); f.Confidence == truce.Confirmed || f.Confidence == truce.Probable {
				t.Errorf("a fire detection alone reached %s\n%s", f.Confidence, reasonsText(f))
			}
		})
	}
}

func reasonsText(f *truce.Finding) string {
	var b strings.Builder
	for _, r := range f.Reasons {
		b.WriteString("  [" + r.Code + "] " + r.Text + "\n")
	}
	return b.String()
}

// all adjudicates every case of agreement name as one batch.
func all(t *testing.T, name string, shuffle *rand.Rand) ([]*truce.Finding, []*truce.Incident) {
	t.Helper()
	var incs []*truce.Incident
	byID := map[string]*truce.Observation{}
	party := "RU"
	for i, c := range cases() {
		if c.agreement != name {
			continue
		}
		if c.party != "" {
			party = c.party
		}
		inc, obs := c.build(t, fmt.Sprintf("inc-%c%02d", 'z'-i%5, i))
		incs = append(incs, inc)
		for _, o := range obs {
			byID[o.ID] = o
		}
	}
	if shuffle != nil {
		shuffle.Shuffle(len(incs), func(i, j int) { incs[i], incs[j] = incs[j], incs[i] })
	}
	fs, err := adjudicate.Adjudicate(context.Background(), incs, example(t, name), schedule(t, party), &adjudicate.Options{Observations: byID, LogSize: 7})
	if err != nil {
		t.Fatal(err)
	}
	return fs, incs
}

var agreements = []string{"ceasefire-30d-2025.yaml", "easter-truce-2025.yaml", "energy-moratorium-2025.yaml", "minsk-2015.yaml"}

func TestDeterminism(t *testing.T) {
	for _, name := range agreements {
		t.Run(name, func(t *testing.T) {
			base, incs := all(t, name, nil)
			want := adjudicate.Digest(base)
			wantJSON, _ := json.Marshal(base)
			for seed := range uint64(5) {
				fs, _ := all(t, name, rand.New(rand.NewPCG(seed, 1)))
				if got := adjudicate.Digest(fs); got != want {
					t.Errorf("seed %d: digest %s, want %s", seed, got, want)
				}
				if got, _ := json.Marshal(fs); string(got) != string(wantJSON) {
					t.Errorf("seed %d: findings differ in order or content", seed)
				}
			}
			for i := 1; i < len(base); i++ {
				p, q := base[i-1], base[i]
				if pi, qi := find(incs, p.Incident), find(incs, q.Incident); pi.Start.After(qi.Start) || pi.Start.Equal(qi.Start) && p.Incident > q.Incident {
					t.Errorf("findings %d and %d out of order", i-1, i)
				}
			}
			// A digest that cannot tell findings apart would pass the above.
			changed := slices.Clone(base)
			c := *changed[0]
			c.Confidence = truce.Undetermined
			if c.Confidence == base[0].Confidence {
				c.Confidence = truce.Confirmed
			}
			changed[0] = &c
			if adjudicate.Digest(changed) == want {
				t.Error("digest does not change with a finding's confidence")
			}
		})
	}
}

func find(incs []*truce.Incident, id string) *truce.Incident {
	for _, i := range incs {
		if i.ID == id {
			return i
		}
	}
	return nil
}

// TestGoldenReasons pins the sentences of every case's finding.
func TestGoldenReasons(t *testing.T) {
	var b strings.Builder
	for _, c := range cases() {
		inc, obs := c.build(t, "inc-1")
		f := adjudicateOne(t, c, inc, obs)
		b.WriteString("## " + c.name + "\n")
		b.WriteString("violation: " + map[bool]string{true: "yes", false: "no"}[f.Violation] + "; rule: " + f.Rule + "; party: " + f.Party + "; confidence: " + string(f.Confidence) + "\n")
		b.WriteString(reasonsText(f) + "\n")
	}
	golden := filepath.Join("testdata", "reasons.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("reasons differ from %s (go test -update rewrites it):\n%s", golden, got)
	}
}

func TestAdjudicateErrors(t *testing.T) {
	a := example(t, "ceasefire-30d-2025.yaml")
	maps := schedule(t, "RU")
	good, _ := (&tcase{kind: truce.KindArtillery, start: "2025-03-20T10:15:00Z", lon: 37.18, lat: 48.28, reports: []report{{by: monitor, prec: truce.PrecisionMinute}}}).build(t, "inc-1")
	bad := *good
	bad.Lat = 123
	for _, tc := range []struct {
		name string
		incs []*truce.Incident
		a    *truce.Agreement
		want string
	}{
		{"invalid incident", []*truce.Incident{good, &bad}, a, "latitude"},
		{"incident twice", []*truce.Incident{good, good}, a, "twice"},
		{"invalid agreement", []*truce.Incident{good}, &truce.Agreement{ID: "x"}, "version"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs, err := adjudicate.Adjudicate(context.Background(), tc.incs, tc.a, maps, nil)
			if err == nil || fs != nil {
				t.Fatalf("got %d findings and error %v", len(fs), err)
			}
			if !strings.Contains(err.Error(), tc.want) && !strings.Contains(truce.ErrorMessage(err), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
	if fs, err := adjudicate.Adjudicate(context.Background(), nil, a, maps, nil); err != nil || len(fs) != 0 {
		t.Errorf("no incidents: %v, %v", fs, err)
	}
}

// TestZonesAndGeometry covers what the example agreements do not: an area
// zone, a band on one party's side, and a line of contact given as
// geometry (here the 14 March line itself, so distances must agree).
func TestZonesAndGeometry(t *testing.T) {
	a := example(t, "ceasefire-30d-2025.yaml")
	line, err := geo.MarshalMultiLineString(deepState(t, "2025-03-14", "RU").Line())
	if err != nil {
		t.Fatal(err)
	}
	a.LineOfContact = truce.LineOfContact{Geometry: line}
	kharkivArea := json.RawMessage(`{"type":"Polygon","coordinates":[[[36.0,49.8],[36.5,49.8],[36.5,50.2],[36.0,50.2],[36.0,49.8]]]}`)
	a.Zones = append(a.Zones,
		truce.Zone{ID: "kharkiv", Geometry: kharkivArea},
		truce.Zone{ID: "ua-band", BandKM: 15, Sides: "UA"})
	a.Rules = []truce.Rule{
		{ID: "K1", Name: "No strikes on Kharkiv", Prohibits: []truce.Kind{truce.KindDroneStrike}, Where: truce.Where{InZones: []string{"kharkiv"}}},
		{ID: "B1", Name: "No mortar fire in the UA band", Prohibits: []truce.Kind{truce.KindMortar}, Where: truce.Where{InZones: []string{"ua-band"}}},
	}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	mon := []report{{by: monitor, prec: truce.PrecisionMinute}}
	for _, c := range []tcase{
		{name: "in the area", kind: truce.KindDroneStrike, lon: kharkiv[0], lat: kharkiv[1], unc: 300,
			violation: true, rule: "K1", attributed: "RU", confidence: truce.Probable, codes: []string{adjudicate.CodeZoneIn}},
		{name: "outside the area", kind: truce.KindDroneStrike, lon: kyiv[0], lat: kyiv[1], unc: 300,
			confidence: truce.Confirmed, codes: []string{adjudicate.CodeZoneOutside}},
		{name: "at the area's edge", kind: truce.KindDroneStrike, lon: 36.49, lat: 50.0, unc: 2000,
			violation: true, rule: "K1", attributed: "RU", confidence: truce.Possible, codes: []string{adjudicate.CodeZoneEdge}},
		{name: "in the band on UA's side", kind: truce.KindMortar, lon: uaPokrovsk[0], lat: uaPokrovsk[1], unc: 200,
			violation: true, rule: "B1", attributed: "RU", confidence: truce.Probable, codes: []string{adjudicate.CodeZoneIn}},
		{name: "within 15 km on RU's side", kind: truce.KindMortar, lon: ruEast.Lon, lat: ruEast.Lat, unc: 200,
			confidence: truce.Confirmed, codes: []string{adjudicate.CodeZoneOutside}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.start, c.reports = "2025-03-25T10:00:00Z", mon
			inc, obs := c.build(t, "inc-1")
			fs, err := adjudicate.Adjudicate(context.Background(), []*truce.Incident{inc}, a, schedule(t, "RU"),
				&adjudicate.Options{Observations: map[string]*truce.Observation{obs[0].ID: obs[0]}})
			if err != nil {
				t.Fatal(err)
			}
			f := fs[0]
			if f.Violation != c.violation || f.Rule != c.rule || f.Party != c.attributed || f.Confidence != c.confidence {
				t.Errorf("got violation %v rule %q party %q confidence %s; want %v %q %q %s\n%s",
					f.Violation, f.Rule, f.Party, f.Confidence, c.violation, c.rule, c.attributed, c.confidence, reasonsText(f))
			}
			for _, code := range c.codes {
				if !slices.Contains(codes(f), code) {
					t.Errorf("no reason %s\n%s", code, reasonsText(f))
				}
			}
			// The line given as geometry is the map's: the same distance.
			if c.rule == "B1" && !strings.Contains(reasonsText(f), "zone ua-band (6.0 km from the line of contact, band 15.0 km)") {
				t.Errorf("band distance not from the given line:\n%s", reasonsText(f))
			}
		})
	}
}
