package truce

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/truce-monitor/truce/geo"
)

// Agreement is the signed terms of a ceasefire: who is bound, when, where
// the line runs, which zones and sites are special, and what is prohibited.
// The agreement package reads it from YAML; the log keeps its canonical
// JSON, so that every party holds the same terms.
type Agreement struct {
	ID          string            `json:"id"`
	Version     int               `json:"version"`
	Title       string            `json:"title"`
	TitleI18n   map[string]string `json:"title_i18n,omitempty"`
	Description string            `json:"description,omitempty"`
	// References cite the text of the agreement (statements, treaties).
	References    []string         `json:"references,omitempty"`
	Parties       []Party          `json:"parties"`
	Window        Window           `json:"window"`
	LineOfContact LineOfContact    `json:"line_of_contact"`
	Zones         []Zone           `json:"zones,omitempty"`
	Protected     []TargetCategory `json:"protected,omitempty"`
	Rules         []Rule           `json:"rules"`
	// Disclosure is who may see what of the observations, and when; nil
	// means [DefaultDisclosure]. docs/disclosure.md explains it.
	Disclosure *DisclosurePolicy `json:"disclosure,omitempty"`
}

// Party is a side bound by an agreement.
type Party struct {
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	NameI18n map[string]string `json:"name_i18n,omitempty"`
}

// Window is when an agreement (or a rule) is in force: Start <= t < End. A
// zero End means open-ended. TimeZone is the IANA zone in which the terms
// were stated; reports use it for day boundaries.
type Window struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end,omitzero"`
	TimeZone string    `json:"time_zone"`
}

// Contains reports whether t lies in w.
func (w Window) Contains(t time.Time) bool {
	return !t.Before(w.Start) && (w.End.IsZero() || t.Before(w.End))
}

// LineOfContact says where the line runs: frozen from the control map in
// force at ControlMapAt ("start" for the window's start), or given as a
// GeoJSON geometry (a LineString or MultiLineString) in Geometry.
type LineOfContact struct {
	ControlMapAt string `json:"control_map_at,omitempty"`
	// ControlMapSource names the control-map source to take ("deepstate");
	// empty means any.
	ControlMapSource string          `json:"control_map_source,omitempty"`
	Geometry         json.RawMessage `json:"geometry,omitempty"`
}

// Zone is an area with its own rules: a band of BandKM on each side of the
// line of contact (Sides "both", or the id of the party on whose side), or
// an explicit Polygon or MultiPolygon in Geometry.
type Zone struct {
	ID       string            `json:"id"`
	Name     string            `json:"name,omitempty"`
	NameI18n map[string]string `json:"name_i18n,omitempty"`
	BandKM   float64           `json:"band_km,omitempty"`
	Sides    string            `json:"sides,omitempty"`
	Geometry json.RawMessage   `json:"geometry,omitempty"`
}

// Rule prohibits acts. An incident breaks a rule when its kind is in
// Prohibits and every other condition given holds: the weapon class, the
// target category, where (Where), when (When, else the agreement's window)
// and by whom (Parties, else every party).
type Rule struct {
	ID            string            `json:"id"`
	Name          string            `json:"name"`
	NameI18n      map[string]string `json:"name_i18n,omitempty"`
	Description   string            `json:"description,omitempty"`
	Prohibits     []Kind            `json:"prohibits"`
	WeaponClasses []WeaponClass     `json:"weapon_classes,omitempty"`
	Targets       []TargetCategory  `json:"targets,omitempty"`
	Where         Where             `json:"where,omitzero"`
	When          *Window           `json:"when,omitempty"`
	Parties       []string          `json:"parties,omitempty"`
	// MinAreaKM2 is the smallest change of control that counts as an
	// advance, so that mapping noise does not.
	MinAreaKM2 float64 `json:"min_area_km2,omitempty"`
}

// Where limits a rule to places. With no field set, a rule applies anywhere.
type Where struct {
	// CrossesLine limits the rule to fire whose origin and impact lie on
	// different sides of the line of contact.
	CrossesLine bool `json:"crosses_line,omitempty"`
	// InZones limits the rule to the zones with these ids.
	InZones []string `json:"in_zones,omitempty"`
	// Protected limits the rule to the agreement's protected categories.
	Protected bool `json:"protected,omitempty"`
}

// AgreementRecord is an agreement as stored.
type AgreementRecord struct {
	*Agreement
	LogIndex int64     `json:"log_index"`
	LoggedAt time.Time `json:"logged_at"`
}

// InForce reports whether the agreement is in force at t.
func (a *Agreement) InForce(t time.Time) bool { return a.Window.Contains(t) }

// Canonical returns the canonical bytes of a: compact JSON, times in UTC.
func (a *Agreement) Canonical() ([]byte, error) {
	c := *a
	c.Window.Start = c.Window.Start.UTC()
	c.Window.End = c.Window.End.UTC()
	c.Rules = slices.Clone(a.Rules)
	for i := range c.Rules {
		if w := c.Rules[i].When; w != nil {
			c.Rules[i].When = &Window{Start: w.Start.UTC(), End: w.End.UTC(), TimeZone: w.TimeZone}
		}
	}
	return json.Marshal(&c)
}

// Validate reports every problem with a. Paths are dotted field paths as in
// the agreement file ("rules[1].prohibits[0]"), so that the agreement
// package can name the line of each.
func (a *Agreement) Validate() error {
	var ps problems
	if a.ID == "" {
		ps.add("id", "required")
	} else if !ValidID(a.ID) {
		ps.add("id", "must be 1-128 letters, digits, '.', '_', ':' or '-'")
	}
	if a.Version < 1 {
		ps.add("version", "must be 1 or more")
	}
	if a.Title == "" {
		ps.add("title", "required")
	}
	checkI18n(&ps, "title_i18n", a.TitleI18n)
	parties := map[string]bool{}
	if len(a.Parties) < 2 {
		ps.add("parties", "an agreement binds at least two parties")
	}
	for i, p := range a.Parties {
		path := fmt.Sprintf("parties[%d]", i)
		p.validate(&ps, path)
		if ValidPartyID(p.ID) && parties[p.ID] {
			ps.add(path+".id", "party %q is listed twice", p.ID)
		}
		parties[p.ID] = true
	}
	a.Window.validate(&ps, "window", true)
	a.LineOfContact.validate(&ps)
	zones := map[string]bool{}
	for i, z := range a.Zones {
		path := fmt.Sprintf("zones[%d]", i)
		z.validate(&ps, path)
		if ValidID(z.ID) && zones[z.ID] {
			ps.add(path+".id", "zone %q is defined twice", z.ID)
		}
		zones[z.ID] = true
		if z.BandKM != 0 && len(z.Geometry) == 0 && ValidPartyID(z.Sides) && !parties[z.Sides] {
			ps.add(path+".sides", "must be \"both\" or the id of a party of this agreement, not %q", z.Sides)
		}
	}
	checkDuplicates(&ps, "protected", a.Protected)
	for i, c := range a.Protected {
		if !c.Valid() {
			ps.add(fmt.Sprintf("protected[%d]", i), "unknown category %q; one of %s", c, quoted(TargetCategories))
		}
	}
	if len(a.Rules) == 0 {
		ps.add("rules", "an agreement needs at least one rule")
	}
	rules := map[string]bool{}
	for i, r := range a.Rules {
		path := fmt.Sprintf("rules[%d]", i)
		r.validate(&ps, path)
		if ValidID(r.ID) && rules[r.ID] {
			ps.add(path+".id", "rule %q is defined twice", r.ID)
		}
		rules[r.ID] = true
		for j, z := range r.Where.InZones {
			if !zones[z] {
				ps.add(fmt.Sprintf("%s.where.in_zones[%d]", path, j), "no zone %q is defined", z)
			}
		}
		if r.Where.Protected && len(a.Protected) == 0 {
			ps.add(path+".where.protected", "the agreement lists no protected categories")
		}
		if r.When != nil {
			if !a.Window.Start.IsZero() && r.When.Start.Before(a.Window.Start) {
				ps.add(path+".when.start", "is before the agreement's window starts")
			}
			if !a.Window.End.IsZero() && !r.When.Start.Before(a.Window.End) {
				ps.add(path+".when.start", "is at or after the agreement's window ends, so the rule could never apply")
			}
			if !a.Window.End.IsZero() && !r.When.End.IsZero() && r.When.End.After(a.Window.End) {
				ps.add(path+".when.end", "is after the agreement's window ends")
			}
		}
		for j, p := range r.Parties {
			if !parties[p] {
				ps.add(fmt.Sprintf("%s.parties[%d]", path, j), "%q is not a party of this agreement", p)
			}
		}
	}
	if a.Disclosure != nil {
		a.Disclosure.validate(&ps, "disclosure")
	}
	return ps.err("agreement")
}

// Validate reports every problem with p.
func (p *Party) Validate() error {
	var ps problems
	p.validate(&ps, "")
	return ps.err("party")
}

func (p *Party) validate(ps *problems, path string) {
	if !ValidPartyID(p.ID) {
		ps.add(join(path, "id"), "%q is not a party id (2-16 upper-case letters, digits, '_' or '-', like \"UA\")", p.ID)
	}
	if p.Name == "" {
		ps.add(join(path, "name"), "required")
	}
	checkI18n(ps, join(path, "name_i18n"), p.NameI18n)
}

// Validate reports every problem with z on its own; that its sides name a
// party of the agreement is checked by [Agreement.Validate].
func (z *Zone) Validate() error {
	var ps problems
	z.validate(&ps, "")
	return ps.err("zone")
}

func (z *Zone) validate(ps *problems, path string) {
	if !ValidID(z.ID) {
		ps.add(join(path, "id"), "required: letters, digits, '.', '_', ':' or '-'")
	}
	checkI18n(ps, join(path, "name_i18n"), z.NameI18n)
	switch {
	case z.BandKM != 0 && len(z.Geometry) > 0:
		ps.add(path, "give either band_km or geometry, not both")
	case z.BandKM != 0:
		if !finite(z.BandKM) || z.BandKM < 0 || z.BandKM > 1000 {
			ps.add(join(path, "band_km"), "must be more than 0 and at most 1000")
		}
		if z.Sides != "both" && !ValidPartyID(z.Sides) {
			ps.add(join(path, "sides"), "must be \"both\" or the id of a party of this agreement, not %q", z.Sides)
		}
	case len(z.Geometry) > 0:
		if z.Sides != "" {
			ps.add(join(path, "sides"), "only a band zone has sides")
		}
		if _, err := geo.DecodeMultiPolygon(z.Geometry); err != nil {
			ps.add(join(path, "geometry"), "%v", err)
		}
	default:
		ps.add(path, "give band_km (a band along the line of contact) or geometry (a Polygon or MultiPolygon)")
	}
}

// Validate reports every problem with r on its own; that its zones and
// parties exist and its window lies in the agreement's is checked by
// [Agreement.Validate].
func (r *Rule) Validate() error {
	var ps problems
	r.validate(&ps, "")
	return ps.err("rule")
}

func (r *Rule) validate(ps *problems, path string) {
	if !ValidID(r.ID) {
		ps.add(join(path, "id"), "required: letters, digits, '.', '_', ':' or '-'")
	}
	if r.Name == "" {
		ps.add(join(path, "name"), "required")
	}
	checkI18n(ps, join(path, "name_i18n"), r.NameI18n)
	if len(r.Prohibits) == 0 {
		ps.add(join(path, "prohibits"), "required: the kinds of act the rule prohibits")
	}
	checkDuplicates(ps, join(path, "prohibits"), r.Prohibits)
	checkDuplicates(ps, join(path, "weapon_classes"), r.WeaponClasses)
	checkDuplicates(ps, join(path, "targets"), r.Targets)
	checkDuplicates(ps, join(path, "where.in_zones"), r.Where.InZones)
	checkDuplicates(ps, join(path, "parties"), r.Parties)
	for j, k := range r.Prohibits {
		if !k.Valid() {
			ps.add(fmt.Sprintf("%s[%d]", join(path, "prohibits"), j), "unknown kind %q; one of %s", k, quoted(Kinds))
		}
	}
	for j, c := range r.WeaponClasses {
		if !c.Valid() {
			ps.add(fmt.Sprintf("%s[%d]", join(path, "weapon_classes"), j), "unknown weapon class %q; one of %s", c, quoted(WeaponClasses))
		}
	}
	for j, c := range r.Targets {
		if !c.Valid() {
			ps.add(fmt.Sprintf("%s[%d]", join(path, "targets"), j), "unknown target category %q; one of %s", c, quoted(TargetCategories))
		}
	}
	if r.When != nil {
		r.When.validate(ps, join(path, "when"), false)
	}
	if !finite(r.MinAreaKM2) || r.MinAreaKM2 < 0 {
		ps.add(join(path, "min_area_km2"), "must not be negative")
	} else if r.MinAreaKM2 > 0 && !slices.Contains(r.Prohibits, KindAdvance) {
		ps.add(join(path, "min_area_km2"), "applies only to a rule that prohibits advance")
	}
}

// join joins a parent path and a field name.
func join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

func (w *Window) validate(ps *problems, path string, needZone bool) {
	if w.Start.IsZero() {
		ps.add(path+".start", "required")
	} else if y := w.Start.UTC().Year(); y < 1900 || y > 9999 {
		ps.add(path+".start", "year %d is out of range", y)
	}
	if y := w.End.UTC().Year(); !w.End.IsZero() && (y < 1900 || y > 9999) {
		ps.add(path+".end", "year %d is out of range", y)
	}
	if !w.End.IsZero() && !w.Start.IsZero() && !w.End.After(w.Start) {
		ps.add(path+".end", "must be after start")
	}
	if w.TimeZone == "" {
		if needZone {
			ps.add(path+".time_zone", "required: the IANA time zone the terms were stated in, like Europe/Kyiv")
		}
	} else if w.TimeZone == "Local" {
		ps.add(path+".time_zone", "\"Local\" differs from machine to machine; name an IANA zone like Europe/Kyiv")
	} else if _, err := time.LoadLocation(w.TimeZone); err != nil {
		ps.add(path+".time_zone", "unknown time zone %q", w.TimeZone)
	}
}

func (l *LineOfContact) validate(ps *problems) {
	switch {
	case l.ControlMapAt != "" && len(l.Geometry) > 0:
		ps.add("line_of_contact", "give either control_map_at or geometry, not both")
	case l.ControlMapAt != "":
		if l.ControlMapAt != "start" {
			if _, err := time.Parse(time.DateOnly, l.ControlMapAt); err != nil {
				ps.add("line_of_contact.control_map_at", "must be \"start\" or a date YYYY-MM-DD, not %q", l.ControlMapAt)
			}
		}
		if l.ControlMapSource != "" && !ValidName(l.ControlMapSource) {
			ps.add("line_of_contact.control_map_source", "not a source name")
		}
	case len(l.Geometry) > 0:
		if l.ControlMapSource != "" {
			ps.add("line_of_contact.control_map_source", "applies only with control_map_at")
		}
		if _, err := geo.DecodeLines(l.Geometry); err != nil {
			ps.add("line_of_contact.geometry", "%v", err)
		}
	default:
		ps.add("line_of_contact", "required: control_map_at (\"start\" or a date) or a geometry")
	}
}

// checkDuplicates reports each value of list that repeats an earlier one.
func checkDuplicates[T ~string](ps *problems, path string, list []T) {
	seen := make(map[T]bool, len(list))
	for i, v := range list {
		if seen[v] {
			ps.add(fmt.Sprintf("%s[%d]", path, i), "%q is listed twice", v)
		}
		seen[v] = true
	}
}

func checkI18n(ps *problems, path string, m map[string]string) {
	for _, lang := range slices.Sorted(maps.Keys(m)) {
		s := m[lang]
		if !ValidLang(lang) {
			ps.add(path+"."+lang, "%q is not a language tag such as \"uk\" or \"ru\"", lang)
		} else if s == "" {
			ps.add(path+"."+lang, "empty translation")
		}
	}
}
