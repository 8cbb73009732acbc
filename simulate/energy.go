package simulate

import "github.com/truce-monitor/truce/geo"

// EnergySite is a power station that a scenario's strike on energy may
// hit.
type EnergySite struct {
	Name string
	At   geo.Point
}

// EnergySites are well-known Ukrainian power stations in ground Ukraine
// held in 2025, at approximate positions (to about 0.01°, so within a
// kilometre or two) read from the public articles about each plant. They
// give a scenario real-ish targets; they are not survey positions. A site
// the control map does not show in Ukrainian hands is skipped.
var EnergySites = []EnergySite{
	{"Trypilska thermal power station", geo.Point{30.745, 50.136}},
	{"Zmiivska thermal power station", geo.Point{36.530, 49.590}},
	{"Ladyzhynska thermal power station", geo.Point{29.236, 48.679}},
	{"Burshtynska thermal power station", geo.Point{24.667, 49.215}},
	{"Dnipro hydroelectric station", geo.Point{35.086, 47.871}},
	{"Kremenchuk hydroelectric station", geo.Point{33.254, 49.077}},
	{"Kaniv hydroelectric station", geo.Point{31.469, 49.766}},
}
