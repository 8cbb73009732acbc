package truce_test

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

var qaObsTime = time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)

const qaSHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

// qaObs returns a valid point observation.
func qaObs() *truce.Observation {
	return &truce.Observation{
		ID:            "obs-1",
		Kind:          truce.KindArtillery,
		ObservedAt:    qaObsTime,
		TimePrecision: truce.PrecisionMinute,
		Location:      truce.Location{Lon: qaF(37.5), Lat: qaF(48.0), UncertaintyM: 500},
	}
}

func qaObserverLoc() truce.Location {
	return truce.Location{Observer: &truce.Position{Lon: 37.0, Lat: 48.0}, BearingDeg: qaF(90)}
}

func qaRegionLoc() truce.Location {
	return truce.Location{Region: "Kharkiv oblast", GeoPrecision: truce.GeoOblast}
}

func TestObservationValidateInvalid(t *testing.T) {
	tests := []struct {
		name string
		mod  func(o *truce.Observation)
		path string
		msg  string
		bug  string // when set, the case documents a bug and is skipped
	}{
		// id, kind, times
		{"id missing", func(o *truce.Observation) { o.ID = "" }, "$.id", "required", ""},
		{"id bad start", func(o *truce.Observation) { o.ID = ".obs" }, "$.id", "must be 1-128 letters", ""},
		{"id with space", func(o *truce.Observation) { o.ID = "obs 1" }, "$.id", "must be 1-128 letters", ""},
		{"id too long", func(o *truce.Observation) { o.ID = strings.Repeat("a", 129) }, "$.id", "must be 1-128 letters", ""},
		{"kind missing", func(o *truce.Observation) { o.Kind = "" }, "$.kind", "required", ""},
		{"kind unknown", func(o *truce.Observation) { o.Kind = "shelling" }, "$.kind", `unknown kind "shelling"`, ""},
		{"observed_at missing", func(o *truce.Observation) { o.ObservedAt = time.Time{} }, "$.observed_at", "required", ""},
		{"observed_at too early", func(o *truce.Observation) { o.ObservedAt = time.Date(1899, 12, 31, 23, 0, 0, 0, time.UTC) }, "$.observed_at", "year 1899 is out of range", ""},
		{"observed_at too late", func(o *truce.Observation) { o.ObservedAt = time.Date(2201, 1, 1, 0, 0, 0, 0, time.UTC) }, "$.observed_at", "year 2201 is out of range", ""},
		{"observed_until before observed_at", func(o *truce.Observation) {
			u := o.ObservedAt.Add(-time.Second)
			o.ObservedUntil = &u
		}, "$.observed_until", "is before observed_at", ""},
		{"observed_until year 10000", func(o *truce.Observation) {
			u := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
			o.ObservedUntil = &u
		}, "$.observed_until", "out of range", ""},
		{"time_precision missing", func(o *truce.Observation) { o.TimePrecision = "" }, "$.time_precision", `required; one of "second"`, ""},
		{"time_precision unknown", func(o *truce.Observation) { o.TimePrecision = "week" }, "$.time_precision", `unknown precision "week"`, ""},

		// location: required and point form
		{"location empty", func(o *truce.Observation) { o.Location = truce.Location{} }, "$.location", "required: a point", ""},
		{"location uncertainty only", func(o *truce.Observation) { o.Location = truce.Location{UncertaintyM: 10} }, "$.location", "required: a point", ""},
		{"lon without lat", func(o *truce.Observation) { o.Location.Lat = nil }, "$.location.lat", "required with lon", ""},
		{"lat without lon", func(o *truce.Observation) { o.Location.Lon = nil }, "$.location.lon", "required with lat", ""},
		{"lon > 180", func(o *truce.Observation) { o.Location.Lon = qaF(180.0001) }, "$.location.lon", "longitude must be between -180 and 180", ""},
		{"lon < -180", func(o *truce.Observation) { o.Location.Lon = qaF(-181) }, "$.location.lon", "longitude must be between -180 and 180", ""},
		{"lon NaN", func(o *truce.Observation) { o.Location.Lon = qaF(math.NaN()) }, "$.location.lon", "longitude must be between", ""},
		{"lat > 90", func(o *truce.Observation) { o.Location.Lat = qaF(90.5) }, "$.location.lat", "latitude must be between -90 and 90", ""},
		{"lat -Inf", func(o *truce.Observation) { o.Location.Lat = qaF(math.Inf(-1)) }, "$.location.lat", "latitude must be between -90 and 90", ""},
		{"uncertainty negative", func(o *truce.Observation) { o.Location.UncertaintyM = -1 }, "$.location.uncertainty_m", "must be between 0 and 1000000", ""},
		{"uncertainty too large", func(o *truce.Observation) { o.Location.UncertaintyM = 1e6 + 1 }, "$.location.uncertainty_m", "must be between 0 and 1000000", ""},
		{"uncertainty NaN", func(o *truce.Observation) { o.Location.UncertaintyM = math.NaN() }, "$.location.uncertainty_m", "must be between 0 and 1000000", ""},

		// location: mixed forms
		{"point and observer", func(o *truce.Observation) {
			o.Location.Observer = &truce.Position{Lon: 37, Lat: 48}
			o.Location.BearingDeg = qaF(10)
		}, "$.location", "give one form", ""},
		{"point and distance only", func(o *truce.Observation) { o.Location.DistanceM = qaF(100) }, "$.location", "give one form", ""},
		{"observer and region", func(o *truce.Observation) {
			o.Location = qaObserverLoc()
			o.Location.Region = "Kupiansk"
		}, "$.location", "give one form", ""},
		{"observer and geo_precision", func(o *truce.Observation) {
			o.Location = qaObserverLoc()
			o.Location.GeoPrecision = truce.GeoSettlement
		}, "$.location", "give one form", ""},

		// location: observer form
		{"bearing without observer", func(o *truce.Observation) { o.Location = truce.Location{BearingDeg: qaF(90)} }, "$.location.observer", "required with bearing_deg or distance_m", ""},
		{"distance without observer", func(o *truce.Observation) {
			o.Location = truce.Location{BearingDeg: qaF(90), DistanceM: qaF(1000)}
		}, "$.location.observer", "required with bearing_deg or distance_m", ""},
		{"observer without bearing", func(o *truce.Observation) {
			o.Location = truce.Location{Observer: &truce.Position{Lon: 37, Lat: 48}}
		}, "$.location.bearing_deg", "required with an observer", ""},
		{"observer lon out of range", func(o *truce.Observation) {
			o.Location = qaObserverLoc()
			o.Location.Observer.Lon = 200
		}, "$.location.observer.lon", "longitude must be between", ""},
		{"observer lat out of range", func(o *truce.Observation) {
			o.Location = qaObserverLoc()
			o.Location.Observer.Lat = -100
		}, "$.location.observer.lat", "latitude must be between", ""},
		{"bearing 360", func(o *truce.Observation) {
			o.Location = qaObserverLoc()
			o.Location.BearingDeg = qaF(360)
		}, "$.location.bearing_deg", "must be at least 0 and less than 360", ""},
		{"bearing negative", func(o *truce.Observation) {
			o.Location = qaObserverLoc()
			o.Location.BearingDeg = qaF(-0.5)
		}, "$.location.bearing_deg", "must be at least 0 and less than 360", ""},
		{"bearing NaN", func(o *truce.Observation) {
			o.Location = qaObserverLoc()
			o.Location.BearingDeg = qaF(math.NaN())
		}, "$.location.bearing_deg", "must be at least 0 and less than 360", ""},
		{"bearing error > 180", func(o *truce.Observation) {
			o.Location = qaObserverLoc()
			o.Location.BearingErrorDeg = 180.5
		}, "$.location.bearing_error_deg", "must be between 0 and 180", ""},
		{"bearing error negative", func(o *truce.Observation) {
			o.Location = qaObserverLoc()
			o.Location.BearingErrorDeg = -1
		}, "$.location.bearing_error_deg", "must be between 0 and 180", ""},
		{"distance zero", func(o *truce.Observation) {
			o.Location = qaObserverLoc()
			o.Location.DistanceM = qaF(0)
		}, "$.location.distance_m", "must be more than 0 and at most 1000000", ""},
		{"distance too far", func(o *truce.Observation) {
			o.Location = qaObserverLoc()
			o.Location.DistanceM = qaF(1e6 + 1)
		}, "$.location.distance_m", "must be more than 0 and at most 1000000", ""},
		{"distance +Inf", func(o *truce.Observation) {
			o.Location = qaObserverLoc()
			o.Location.DistanceM = qaF(math.Inf(1))
		}, "$.location.distance_m", "must be more than 0 and at most 1000000", ""},
		{"distance error negative", func(o *truce.Observation) {
			o.Location = qaObserverLoc()
			o.Location.DistanceM = qaF(1000)
			o.Location.DistanceErrorM = -5
		}, "$.location.distance_error_m", "must not be negative", ""},
		{"distance error without distance", func(o *truce.Observation) {
			o.Location = qaObserverLoc()
			o.Location.DistanceErrorM = 50
		}, "$.location.distance_error_m", "given without distance_m", ""},
		{"uncertainty with observer", func(o *truce.Observation) {
			o.Location = qaObserverLoc()
			o.Location.UncertaintyM = 100
		}, "$.location.uncertainty_m", "not used with an observer", ""},

		// location: region form
		{"region without geo_precision", func(o *truce.Observation) {
			o.Location = truce.Location{Region: "Kharkiv oblast"}
		}, "$.location.geo_precision", "required with region", ""},
		{"geo_precision without region", func(o *truce.Observation) {
			o.Location = truce.Location{GeoPrecision: truce.GeoOblast}
		}, "$.location.region", "required with geo_precision", ""},
		{"geo_precision unknown", func(o *truce.Observation) {
			o.Location = qaRegionLoc()
			o.Location.GeoPrecision = "street"
		}, "$.location.geo_precision", `unknown precision "street"`, ""},
		{"region too long", func(o *truce.Observation) {
			o.Location = qaRegionLoc()
			o.Location.Region = strings.Repeat("x", 257)
		}, "$.location.region", "at most 256 bytes", ""},
		{"region not UTF-8", func(o *truce.Observation) {
			o.Location = qaRegionLoc()
			o.Location.Region = "Kharkiv \xff"
		}, "$.location.region", "valid UTF-8", ""},
		{"region representative lat out of range", func(o *truce.Observation) {
			o.Location = qaRegionLoc()
			o.Location.Lon, o.Location.Lat = qaF(36.2), qaF(100)
		}, "$.location.lat", "latitude must be between", ""},
		{"region representative lon without lat", func(o *truce.Observation) {
			o.Location = qaRegionLoc()
			o.Location.Lon = qaF(36.2)
		}, "$.location.lat", "required with lon", ""},

		// origin
		{"origin region", func(o *truce.Observation) {
			o.Origin = &truce.Location{Region: "Belgorod", GeoPrecision: truce.GeoOblast}
		}, "$.origin", "must be a point or an observer with bearing", ""},
		{"origin empty", func(o *truce.Observation) { o.Origin = &truce.Location{} }, "$.origin", "required: a point", ""},
		{"origin lon out of range", func(o *truce.Observation) { o.Origin = &truce.Location{Lon: qaF(-200), Lat: qaF(50)} }, "$.origin.lon", "longitude must be between", ""},
		{"origin observer without bearing", func(o *truce.Observation) {
			o.Origin = &truce.Location{Observer: &truce.Position{Lon: 37, Lat: 48}}
		}, "$.origin.bearing_deg", "required with an observer", ""},
		{"origin point and observer", func(o *truce.Observation) {
			o.Origin = &truce.Location{Lon: qaF(37), Lat: qaF(48), Observer: &truce.Position{Lon: 37, Lat: 48}, BearingDeg: qaF(1)}
		}, "$.origin", "give one form", ""},

		// counts
		{"events negative", func(o *truce.Observation) { o.Counts = &truce.Counts{Events: -1} }, "$.counts.events", "must not be negative", ""},
		{"rounds negative", func(o *truce.Observation) { o.Counts = &truce.Counts{Rounds: -3} }, "$.counts.rounds", "must not be negative", ""},
		{"launched negative", func(o *truce.Observation) { o.Counts = &truce.Counts{Launched: -1} }, "$.counts.launched", "must not be negative", ""},
		{"destroyed negative", func(o *truce.Observation) { o.Counts = &truce.Counts{Destroyed: -1} }, "$.counts.destroyed", "must not be negative", ""},
		{"killed negative", func(o *truce.Observation) { o.Counts = &truce.Counts{Killed: -1} }, "$.counts.killed", "must not be negative", ""},
		{"injured negative", func(o *truce.Observation) { o.Counts = &truce.Counts{Injured: -1} }, "$.counts.injured", "must not be negative", ""},
		{"destroyed more than launched", func(o *truce.Observation) { o.Counts = &truce.Counts{Launched: 3, Destroyed: 5} }, "$.counts.destroyed", "is more than launched (5 > 3)", ""},

		// weapon, target, party, text
		{"weapon class unknown", func(o *truce.Observation) { o.WeaponClass = "laser" }, "$.weapon_class", `unknown weapon class "laser"`, ""},
		{"weapon too long", func(o *truce.Observation) { o.Weapon = strings.Repeat("w", 257) }, "$.weapon", "longer than 256 bytes", ""},
		{"weapon not UTF-8", func(o *truce.Observation) { o.Weapon = "Shahed\xfe" }, "$.weapon", "not valid UTF-8",
			""},
		{"target unknown", func(o *truce.Observation) { o.Target = "zoo" }, "$.target", `unknown target category "zoo"`, ""},
		{"blamed party lower case", func(o *truce.Observation) { o.BlamedParty = "ru" }, "$.blamed_party", `"ru" is not a party id`, ""},
		{"blamed party too short", func(o *truce.Observation) { o.BlamedParty = "R" }, "$.blamed_party", `"R" is not a party id`, ""},
		{"text too long", func(o *truce.Observation) { o.Text = strings.Repeat("t", truce.MaxTextBytes+1) }, "$.text", "longer than 65536 bytes", ""},
		{"text not UTF-8", func(o *truce.Observation) { o.Text = "обстріл \xc3\x28" }, "$.text", "not valid UTF-8", ""},
		{"lang bad", func(o *truce.Observation) { o.Text = "x"; o.Lang = "Ukrainian" }, "$.lang", `"Ukrainian" is not a language tag`, ""},

		// evidence
		{"evidence too many", func(o *truce.Observation) {
			for range truce.MaxEvidence + 1 {
				o.Evidence = append(o.Evidence, truce.Evidence{SHA256: qaSHA})
			}
		}, "$.evidence", "more than 64 items", ""},
		{"evidence sha256 missing", func(o *truce.Observation) { o.Evidence = []truce.Evidence{{Ref: "photo.jpg"}} }, "$.evidence[0].sha256", "must be 64 hexadecimal digits", ""},
		{"evidence sha256 short", func(o *truce.Observation) {
			o.Evidence = []truce.Evidence{{SHA256: qaSHA}, {SHA256: qaSHA[:62]}}
		}, "$.evidence[1].sha256", "must be 64 hexadecimal digits", ""},
		{"evidence sha256 not hex", func(o *truce.Observation) {
			o.Evidence = []truce.Evidence{{SHA256: strings.Repeat("zz", 32)}}
		}, "$.evidence[0].sha256", "must be 64 hexadecimal digits", ""},
		{"evidence sha256 too long", func(o *truce.Observation) { o.Evidence = []truce.Evidence{{SHA256: qaSHA + "00"}} }, "$.evidence[0].sha256", "must be 64 hexadecimal digits", ""},
		{"evidence ref too long", func(o *truce.Observation) {
			o.Evidence = []truce.Evidence{{SHA256: qaSHA}, {SHA256: qaSHA, Ref: strings.Repeat("r", truce.MaxRefBytes+1)}}
		}, "$.evidence[1].ref", "longer than 2048 bytes", ""},

		// supersedes
		{"supersedes invalid", func(o *truce.Observation) { o.Supersedes = "-x" }, "$.supersedes", "not a valid observation id", ""},
		{"supersedes itself", func(o *truce.Observation) { o.Supersedes = o.ID }, "$.supersedes", "cannot supersede itself", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.bug != "" {
				qaBug(t, tt.bug)
			}
			o := qaObs()
			tt.mod(o)
			qaWant(t, o.Validate(), tt.path, tt.msg, 1)
		})
	}
}

func TestObservationValidateValid(t *testing.T) {
	tests := []struct {
		name string
		mod  func(o *truce.Observation)
	}{
		{"point", func(o *truce.Observation) {}},
		{"point without uncertainty", func(o *truce.Observation) { o.Location.UncertaintyM = 0 }},
		{"point on the edges", func(o *truce.Observation) {
			o.Location = truce.Location{Lon: qaF(-180), Lat: qaF(90), UncertaintyM: 1e6}
		}},
		{"point on the other edges", func(o *truce.Observation) { o.Location = truce.Location{Lon: qaF(180), Lat: qaF(-90)} }},
		{"observer and bearing", func(o *truce.Observation) { o.Location = qaObserverLoc() }},
		{"observer bearing 0 and error 180", func(o *truce.Observation) {
			o.Location = qaObserverLoc()
			o.Location.BearingDeg = qaF(0)
			o.Location.BearingErrorDeg = 180
		}},
		{"observer bearing just under 360", func(o *truce.Observation) {
			o.Location = qaObserverLoc()
			o.Location.BearingDeg = qaF(359.999)
		}},
		{"observer bearing and distance", func(o *truce.Observation) {
			o.Location = qaObserverLoc()
			o.Location.BearingErrorDeg = 5
			o.Location.DistanceM = qaF(12000)
			o.Location.DistanceErrorM = 2000
		}},
		{"observer max distance", func(o *truce.Observation) {
			o.Location = qaObserverLoc()
			o.Location.DistanceM = qaF(1e6)
		}},
		{"region with geo_precision", func(o *truce.Observation) { o.Location = qaRegionLoc() }},
		{"region at each precision", func(o *truce.Observation) {
			o.Location = truce.Location{Region: "south", GeoPrecision: truce.GeoDirection}
		}},
		{"region of 256 bytes", func(o *truce.Observation) {
			o.Location = truce.Location{Region: strings.Repeat("я", 128), GeoPrecision: truce.GeoCountry}
		}},
		{"region with representative point", func(o *truce.Observation) {
			o.Location = qaRegionLoc()
			o.Location.Lon, o.Location.Lat = qaF(36.23), qaF(49.99)
			o.Location.UncertaintyM = 50000
		}},
		{"origin point", func(o *truce.Observation) {
			o.Origin = &truce.Location{Lon: qaF(36.6), Lat: qaF(50.6), UncertaintyM: 3000}
		}},
		{"origin observer", func(o *truce.Observation) {
			o.Origin = &truce.Location{Observer: &truce.Position{Lon: 37, Lat: 48}, BearingDeg: qaF(45), DistanceM: qaF(20000)}
		}},
		{"counts", func(o *truce.Observation) {
			o.Counts = &truce.Counts{Events: 2, Rounds: 40, Launched: 10, Destroyed: 10, Killed: 1, Injured: 3}
		}},
		{"counts destroyed without launched", func(o *truce.Observation) { o.Counts = &truce.Counts{Destroyed: 4} }},
		{"counts all zero", func(o *truce.Observation) { o.Counts = &truce.Counts{} }},
		{"evidence", func(o *truce.Observation) {
			o.Evidence = []truce.Evidence{
				{SHA256: qaSHA, Ref: "https://example.org/a.jpg", MediaType: "image/jpeg"},
				{SHA256: strings.Repeat("0", 64), Ref: strings.Repeat("r", truce.MaxRefBytes)},
			}
		}},
		{"evidence at the limit", func(o *truce.Observation) {
			for range truce.MaxEvidence {
				o.Evidence = append(o.Evidence, truce.Evidence{SHA256: qaSHA})
			}
		}},
		{"full observation", func(o *truce.Observation) {
			until := o.ObservedAt.Add(3 * time.Hour)
			o.ObservedUntil = &until
			o.Kind = truce.KindDroneStrike
			o.TimePrecision = truce.PrecisionHour
			o.WeaponClass = truce.WeaponStrikeDrone
			o.Weapon = "Shahed-136/131"
			o.Target = truce.TargetEnergy
			o.BlamedParty = "RU"
			o.Text = "Нічна атака на підстанцію"
			o.Lang = "uk"
			o.Supersedes = "obs-0"
		}},
		{"observed_until equal to observed_at", func(o *truce.Observation) {
			u := o.ObservedAt
			o.ObservedUntil = &u
		}},
		{"year 1900", func(o *truce.Observation) { o.ObservedAt = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"year 2200", func(o *truce.Observation) { o.ObservedAt = time.Date(2200, 12, 31, 0, 0, 0, 0, time.UTC) }},
		{"text at the limit", func(o *truce.Observation) { o.Text = strings.Repeat("t", truce.MaxTextBytes) }},
		{"weapon at the limit", func(o *truce.Observation) { o.Weapon = strings.Repeat("w", 256) }},
		{"source fields are not checked", func(o *truce.Observation) {
			o.Source, o.SourceRole, o.SourceParty = "NOT A NAME", "king", "x"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := qaObs()
			tt.mod(o)
			if err := o.Validate(); err != nil {
				t.Errorf("Validate() = %v, want nil", err)
			}
		})
	}
}

func TestObservationValidateReportsEveryProblem(t *testing.T) {
	o := &truce.Observation{
		ID:            "",
		Kind:          "shelling",
		TimePrecision: "week",
		Location:      truce.Location{Lon: qaF(200), Lat: qaF(-95), UncertaintyM: -1},
		Origin:        &truce.Location{Region: "x", GeoPrecision: truce.GeoOblast},
		Counts:        &truce.Counts{Rounds: -1, Launched: 1, Destroyed: 2},
		WeaponClass:   "laser",
		Target:        "zoo",
		BlamedParty:   "ru",
		Lang:          "EN",
		Evidence:      []truce.Evidence{{SHA256: "abc"}, {SHA256: qaSHA}, {SHA256: "", Ref: strings.Repeat("r", 3000)}},
		Supersedes:    "?",
	}
	want := []struct{ path, msg string }{
		{"$.id", "required"},
		{"$.kind", "unknown kind"},
		{"$.observed_at", "required"},
		{"$.time_precision", "unknown precision"},
		{"$.location.lon", "longitude"},
		{"$.location.lat", "latitude"},
		{"$.location.uncertainty_m", "between 0 and 1000000"},
		{"$.origin", "must be a point or an observer"},
		{"$.counts.rounds", "must not be negative"},
		{"$.counts.destroyed", "more than launched"},
		{"$.weapon_class", "unknown weapon class"},
		{"$.target", "unknown target category"},
		{"$.blamed_party", "not a party id"},
		{"$.lang", "not a language tag"},
		{"$.evidence[0].sha256", "64 hexadecimal digits"},
		{"$.evidence[2].sha256", "64 hexadecimal digits"},
		{"$.evidence[2].ref", "longer than 2048 bytes"},
		{"$.supersedes", "not a valid observation id"},
	}
	err := o.Validate()
	ps := qaProblems(t, err)
	for _, w := range want {
		if !qaHas(ps, w.path, w.msg) {
			t.Errorf("missing problem %s: %q", w.path, w.msg)
		}
	}
	if len(ps) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(ps), len(want), qaList(ps))
	}
	if m := truce.ErrorMessage(err); m != "invalid observation: 18 problem(s)" {
		t.Errorf("message = %q", m)
	}
	// Every problem appears in Error(), one per line after the message.
	if lines := strings.Split(err.Error(), "\n"); len(lines) != len(want)+1 {
		t.Errorf("Error() has %d lines, want %d", len(lines), len(want)+1)
	}
}

func TestObservationCanonical(t *testing.T) {
	kyiv := time.FixedZone("EET", 2*3600)
	ny := time.FixedZone("EST", -5*3600)
	at := time.Date(2025, 3, 14, 12, 30, 0, 500, time.UTC)
	until := at.Add(90 * time.Minute)

	mk := func(loc *time.Location) *truce.Observation {
		o := qaObs()
		o.ObservedAt = at.In(loc)
		u := until.In(loc)
		o.ObservedUntil = &u
		return o
	}
	utc, err := mk(time.UTC).Canonical()
	if err != nil {
		t.Fatal(err)
	}
	for _, loc := range []*time.Location{kyiv, ny} {
		o := mk(loc)
		beforeAt, beforeUntilPtr, beforeUntil := o.ObservedAt, o.ObservedUntil, *o.ObservedUntil
		got, err := o.Canonical()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, utc) {
			t.Errorf("zone %s: canonical bytes differ from UTC:\n%s\n%s", loc, got, utc)
		}
		// The input is not mutated.
		if o.ObservedAt.Location() != loc || o.ObservedAt != beforeAt {
			t.Errorf("zone %s: ObservedAt mutated to %v", loc, o.ObservedAt)
		}
		if o.ObservedUntil != beforeUntilPtr || *o.ObservedUntil != beforeUntil || o.ObservedUntil.Location() != loc {
			t.Errorf("zone %s: ObservedUntil mutated to %v", loc, *o.ObservedUntil)
		}
	}
	if !bytes.Contains(utc, []byte(`"observed_at":"2025-03-14T12:30:00.0000005Z"`)) ||
		!bytes.Contains(utc, []byte(`"observed_until":"2025-03-14T14:00:00.0000005Z"`)) {
		t.Errorf("canonical times not in UTC: %s", utc)
	}
	if !bytes.HasPrefix(utc, []byte(`{"id":"obs-1","kind":"artillery","observed_at":`)) {
		t.Errorf("canonical fields not in declaration order or empty fields not omitted: %s", utc)
	}
	if bytes.ContainsAny(utc, " \n\t") {
		t.Errorf("canonical JSON is not compact: %s", utc)
	}
	// Determinism and round trip through JSON.
	again, _ := mk(kyiv).Canonical()
	if !bytes.Equal(again, utc) {
		t.Errorf("Canonical not deterministic")
	}
	var back truce.Observation
	if err := json.Unmarshal(utc, &back); err != nil {
		t.Fatal(err)
	}
	rt, err := back.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(rt, utc) {
		t.Errorf("canonical bytes change after a JSON round trip:\n%s\n%s", rt, utc)
	}
	// A different instant, or other content, gives other bytes.
	o := mk(time.UTC)
	o.ObservedAt = o.ObservedAt.Add(time.Nanosecond)
	if b, _ := o.Canonical(); bytes.Equal(b, utc) {
		t.Errorf("different instant, same bytes")
	}
	o = mk(time.UTC)
	o.Location.UncertaintyM = 501
	if b, _ := o.Canonical(); bytes.Equal(b, utc) {
		t.Errorf("different uncertainty, same bytes")
	}
}

func TestObservationNormalize(t *testing.T) {
	zone := time.FixedZone("X", 3*3600)
	o := qaObs()
	o.ObservedAt = qaObsTime.In(zone)
	u := qaObsTime.Add(time.Hour).In(zone)
	o.ObservedUntil = &u
	o.Normalize()
	if o.ObservedAt.Location() != time.UTC || !o.ObservedAt.Equal(qaObsTime) {
		t.Errorf("ObservedAt = %v", o.ObservedAt)
	}
	if o.ObservedUntil.Location() != time.UTC || !o.ObservedUntil.Equal(qaObsTime.Add(time.Hour)) {
		t.Errorf("ObservedUntil = %v", o.ObservedUntil)
	}
	if u.Location() != zone {
		t.Errorf("Normalize wrote through the caller's ObservedUntil pointer")
	}
}

// qaHaversine returns the great-circle distance in metres and the initial
// bearing in degrees from (lon1, lat1) to (lon2, lat2) on a sphere of the
// WGS84 mean radius. It solves the inverse problem, so it checks Point's
// forward solution independently.
func qaHaversine(lon1, lat1, lon2, lat2 float64) (dist, bearing float64) {
	const r = 6371008.8
	rad := math.Pi / 180
	φ1, φ2 := lat1*rad, lat2*rad
	dφ, dλ := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dφ/2)*math.Sin(dφ/2) + math.Cos(φ1)*math.Cos(φ2)*math.Sin(dλ/2)*math.Sin(dλ/2)
	dist = 2 * r * math.Asin(math.Sqrt(a))
	y := math.Sin(dλ) * math.Cos(φ2)
	x := math.Cos(φ1)*math.Sin(φ2) - math.Sin(φ1)*math.Cos(φ2)*math.Cos(dλ)
	bearing = math.Mod(math.Atan2(y, x)/rad+360, 360)
	return dist, bearing
}

func TestLocationPoint(t *testing.T) {
	tests := []struct {
		name     string
		loc      truce.Location
		ok       bool
		lon, lat float64 // expected; checked to within tolM metres
		tolM     float64
	}{
		{"point", truce.Location{Lon: qaF(37.5), Lat: qaF(48.25), UncertaintyM: 10}, true, 37.5, 48.25, 0},
		{"region with representative point", truce.Location{Region: "Kupiansk", GeoPrecision: truce.GeoSettlement, Lon: qaF(37.61), Lat: qaF(49.71)}, true, 37.61, 49.71, 0},
		{"region without point", truce.Location{Region: "Kupiansk", GeoPrecision: truce.GeoSettlement}, false, 0, 0, 0},
		{"empty", truce.Location{}, false, 0, 0, 0},
		{"lon only", truce.Location{Lon: qaF(37)}, false, 0, 0, 0},
		{"observer and bearing, no distance: the observer", truce.Location{Observer: &truce.Position{Lon: 37, Lat: 48}, BearingDeg: qaF(90)}, true, 37, 48, 0},
		{"observer alone", truce.Location{Observer: &truce.Position{Lon: 36.1, Lat: 49.2}}, true, 36.1, 49.2, 0},
		// Known value: 10 km due east of (37, 48).
		{"10 km east of (37, 48)", truce.Location{Observer: &truce.Position{Lon: 37, Lat: 48}, BearingDeg: qaF(90), DistanceM: qaF(10000)}, true, 37.1343, 47.9999, 50},
		{"10 km north of (37, 48)", truce.Location{Observer: &truce.Position{Lon: 37, Lat: 48}, BearingDeg: qaF(0), DistanceM: qaF(10000)}, true, 37, 48.089932, 5},
		{"10 km south of the equator", truce.Location{Observer: &truce.Position{Lon: 0, Lat: 0}, BearingDeg: qaF(180), DistanceM: qaF(10000)}, true, 0, -0.089932, 5},
		{"111.2 km west on the equator", truce.Location{Observer: &truce.Position{Lon: 10, Lat: 0}, BearingDeg: qaF(270), DistanceM: qaF(111195.08)}, true, 9, 0, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lon, lat, ok := tt.loc.Point()
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if !ok {
				if lon != 0 || lat != 0 {
					t.Errorf("ok false but lon, lat = %v, %v", lon, lat)
				}
				return
			}
			if tt.tolM == 0 {
				if lon != tt.lon || lat != tt.lat {
					t.Errorf("Point() = %v, %v, want %v, %v exactly", lon, lat, tt.lon, tt.lat)
				}
				return
			}
			if d, _ := qaHaversine(tt.lon, tt.lat, lon, lat); d > tt.tolM {
				t.Errorf("Point() = %.6f, %.6f: %.1f m from expected %.6f, %.6f (tolerance %v m)", lon, lat, d, tt.lon, tt.lat, tt.tolM)
			}
		})
	}
}

// TestLocationPointInverse checks destination points against the inverse
// (haversine) solution: the distance from the observer and the initial
// bearing must be the ones given.
func TestLocationPointInverse(t *testing.T) {
	observers := []truce.Position{{Lon: 37, Lat: 48}, {Lon: -73.9, Lat: 40.7}, {Lon: 179.95, Lat: 10}, {Lon: -179.95, Lat: -33}, {Lon: 20, Lat: 85}}
	for _, obs := range observers {
		for _, bearing := range []float64{0.5, 45, 90, 135, 181, 225, 270, 359} {
			for _, dist := range []float64{1, 500, 10000, 250000, 1e6} {
				p := obs
				loc := truce.Location{Observer: &p, BearingDeg: qaF(bearing), DistanceM: qaF(dist)}
				lon, lat, ok := loc.Point()
				if !ok {
					t.Fatalf("%v: ok false", loc)
				}
				if lon < -180 || lon > 180 || lat < -90 || lat > 90 || math.IsNaN(lon) || math.IsNaN(lat) {
					t.Errorf("obs %v bearing %v dist %v: point %v, %v out of range", obs, bearing, dist, lon, lat)
					continue
				}
				d, b := qaHaversine(obs.Lon, obs.Lat, lon, lat)
				if math.Abs(d-dist) > 1e-6*dist+1e-3 {
					t.Errorf("obs %v bearing %v dist %v: point at distance %.4f", obs, bearing, dist, d)
				}
				if diff := math.Abs(math.Mod(b-bearing+540, 360) - 180); dist >= 500 && diff > 1e-6 {
					t.Errorf("obs %v bearing %v dist %v: point at initial bearing %.8f", obs, bearing, dist, b)
				}
			}
		}
	}
}

func TestBBoxContains(t *testing.T) {
	b := truce.BBox{West: 30, South: 45, East: 40, North: 52}
	tests := []struct {
		name     string
		lon, lat float64
		want     bool
	}{
		{"inside", 35, 48, true},
		{"south-west corner", 30, 45, true},
		{"north-east corner", 40, 52, true},
		{"west edge", 30, 50, true},
		{"east edge", 40, 46, true},
		{"south edge", 33, 45, true},
		{"north edge", 33, 52, true},
		{"just west", 29.9999, 48, false},
		{"just east", 40.0001, 48, false},
		{"just south", 35, 44.9999, false},
		{"just north", 35, 52.0001, false},
		{"far away", -70, -30, false},
		{"NaN lon", math.NaN(), 48, false},
		{"NaN lat", 35, math.NaN(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := b.Contains(tt.lon, tt.lat); got != tt.want {
				t.Errorf("%v.Contains(%v, %v) = %v, want %v", b, tt.lon, tt.lat, got, tt.want)
			}
		})
	}
	point := truce.BBox{West: 37, South: 48, East: 37, North: 48}
	if !point.Contains(37, 48) || point.Contains(37, 48.000001) {
		t.Errorf("degenerate box: Contains wrong")
	}
}
