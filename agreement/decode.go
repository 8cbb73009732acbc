package agreement

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/geo"
)

// decoder turns the YAML node tree into a truce.Agreement, collecting a
// problem for everything that cannot be read. What it can read it passes
// on, so that Validate finds the remaining problems in one run.
type decoder struct {
	file     string
	readFile func(name string) ([]byte, error)
	probs    []problem
	// reported holds the paths the decoder has reported a problem at;
	// Validate's problems at these paths or below them are dropped, since
	// they only repeat that the value could not be read ("required").
	reported map[string]bool
	// suppressed holds further paths, exactly, whose Validate problems
	// would repeat a problem already reported below them.
	suppressed map[string]bool
}

// problem is a truce.Problem with the column it was found at, so that
// problems on one line sort as they appear on it.
type problem struct {
	truce.Problem
	col int
}

func (d *decoder) add(line, col int, path, msg string) {
	d.probs = append(d.probs, problem{truce.Problem{File: d.file, Line: max(line, 1), Path: path, Message: msg}, col})
}

func (d *decoder) addf(n *yaml.Node, path, format string, args ...any) {
	line, col := 1, 0
	if n != nil && n.Line > 0 {
		line, col = n.Line, n.Column
	}
	d.add(line, col, path, fmt.Sprintf(format, args...))
	d.reported[path] = true
}

// isSuppressed reports whether a Validate problem at path repeats one the
// decoder reported.
func (d *decoder) isSuppressed(path string) bool {
	if d.suppressed[path] {
		return true
	}
	for q := path; ; {
		if d.reported[q] {
			return true
		}
		i := strings.LastIndexAny(q, ".[")
		if i < 0 {
			return false
		}
		q = q[:i]
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// rejectAliases reports every YAML alias (*name) and replaces it by null:
// an agreement is written out in full, and expanding aliases would let a
// small file grow without bound.
func (d *decoder) rejectAliases(root *yaml.Node) {
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.AliasNode:
			d.addf(n, path, "YAML aliases (*%s) are not supported: write the value out", n.Value)
			*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line, Column: n.Column}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				if k.Kind == yaml.AliasNode {
					walk(k, path)
					continue
				}
				walk(n.Content[i+1], join(path, k.Value))
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, index(path, i))
			}
		}
	}
	walk(root, "")
}

// fields is a YAML mapping read as the fields of a struct.
type fields struct {
	node *yaml.Node // nil when the mapping is absent or not a mapping
	path string
	keys map[string]*yaml.Node
	vals map[string]*yaml.Node
}

// mapping reads n, at path, as a mapping whose keys must be among known.
// An absent or null n gives empty fields.
func (d *decoder) mapping(n *yaml.Node, path string, known ...string) *fields {
	f := &fields{path: path, keys: map[string]*yaml.Node{}, vals: map[string]*yaml.Node{}}
	if n == nil || isNull(n) {
		return f
	}
	if n.Kind != yaml.MappingNode {
		d.addf(n, path, "must be a mapping with the fields %s; found %s", strings.Join(known, ", "), describe(n))
		return f
	}
	f.node = n
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || isNull(k) {
			d.addf(k, path, "a field name must be plain text; found %s", describe(k))
			continue
		}
		name := k.Value
		p := join(path, name)
		if !slices.Contains(known, name) {
			d.addf(k, p, "unknown field %q%s", name, suggest(name, known))
			continue
		}
		if first, dup := f.keys[name]; dup {
			d.addf(k, p, "field %q is given twice (first on line %d)", name, first.Line)
			continue
		}
		f.keys[name] = k
		f.vals[name] = v
	}
	return f
}

// has reports whether the field name is given with a value other than null.
func (f *fields) has(name string) bool {
	v := f.vals[name]
	return v != nil && !isNull(v)
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// str reads the field name as text; "" when absent or null.
func (d *decoder) str(f *fields, name string) string {
	if !f.has(name) {
		return ""
	}
	return d.text(f.vals[name], join(f.path, name))
}

func (d *decoder) text(n *yaml.Node, path string) string {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		hint := ""
		if n.Kind == yaml.ScalarNode {
			hint = fmt.Sprintf(" (to mean the text, quote it: \"%s\")", n.Value)
		}
		d.addf(n, path, "must be text; found %s%s", describe(n), hint)
		return ""
	}
	return n.Value
}

// timeText reads a field that holds a date or time, which YAML may have
// resolved as a timestamp, as text.
func (d *decoder) timeText(f *fields, name string) string {
	if !f.has(name) {
		return ""
	}
	n := f.vals[name]
	if n.Kind == yaml.ScalarNode && (n.ShortTag() == "!!str" || n.ShortTag() == "!!timestamp") {
		return n.Value
	}
	d.addf(n, join(f.path, name), "must be a date or time; found %s", describe(n))
	return ""
}

// float reads the field name as a finite number.
func (d *decoder) float(f *fields, name string) (float64, bool) {
	if !f.has(name) {
		return 0, false
	}
	n := f.vals[name]
	path := join(f.path, name)
	var v float64
	if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!float") || n.Decode(&v) != nil {
		d.addf(n, path, "must be a number; found %s", describe(n))
		return 0, false
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		d.addf(n, path, "must be a finite number, not %s", n.Value)
		return 0, false
	}
	return v, true
}

// integer reads the field name as a whole number.
func (d *decoder) integer(f *fields, name string) (int, bool) {
	if !f.has(name) {
		return 0, false
	}
	n := f.vals[name]
	var v int
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
		d.addf(n, join(f.path, name), "must be a whole number; found %s", describe(n))
		return 0, false
	}
	return v, true
}

// boolean reads the field name as true or false.
func (d *decoder) boolean(f *fields, name string) bool {
	if !f.has(name) {
		return false
	}
	n := f.vals[name]
	var v bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&v) != nil {
		d.addf(n, join(f.path, name), "must be true or false; found %s", describe(n))
		return false
	}
	return v
}

// list reads the field name as a sequence and returns its items.
func (d *decoder) list(f *fields, name string) []*yaml.Node {
	if !f.has(name) {
		return nil
	}
	n := f.vals[name]
	if n.Kind != yaml.SequenceNode {
		d.addf(n, join(f.path, name), "must be a list, like [a, b] or one \"- item\" a line; found %s", describe(n))
		return nil
	}
	return n.Content
}

// strs reads the field name as a list of text. With unique, an item given
// twice is a problem.
func (d *decoder) strs(f *fields, name string, unique bool) []string {
	items := d.list(f, name)
	if items == nil {
		return nil
	}
	path := join(f.path, name)
	out := make([]string, 0, len(items))
	seen := map[string]int{}
	for i, n := range items {
		p := index(path, i)
		if isNull(n) {
			d.addf(n, p, "empty item")
			continue
		}
		s := d.text(n, p)
		if d.reported[p] {
			continue
		}
		if j, dup := seen[s]; dup && unique {
			d.addf(n, p, "%q is listed twice (also %s)", s, index(path, j))
			continue
		}
		seen[s] = i
		out = append(out, s)
	}
	return out
}

// i18n reads the field name as translations: a mapping from language tag
// to text.
func (d *decoder) i18n(f *fields, name string) map[string]string {
	if !f.has(name) {
		return nil
	}
	n := f.vals[name]
	path := join(f.path, name)
	if n.Kind != yaml.MappingNode {
		d.addf(n, path, "must be a mapping from language to text, like {uk: \"...\", ru: \"...\"}; found %s", describe(n))
		return nil
	}
	m := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || isNull(k) {
			d.addf(k, path, "a language tag must be plain text; found %s", describe(k))
			continue
		}
		p := join(path, k.Value)
		if _, dup := m[k.Value]; dup {
			d.addf(k, p, "language %q is given twice", k.Value)
			continue
		}
		if isNull(v) {
			m[k.Value] = "" // Validate: empty translation
			continue
		}
		m[k.Value] = d.text(v, p)
	}
	return m
}

var topFields = []string{"id", "version", "title", "title_i18n", "description", "references",
	"parties", "window", "line_of_contact", "zones", "protected", "rules", "disclosure"}

func (d *decoder) agreement(root *yaml.Node) *truce.Agreement {
	f := d.mapping(root, "", topFields...)
	a := &truce.Agreement{Version: 1}
	a.ID = d.str(f, "id")
	if v, ok := d.integer(f, "version"); ok {
		a.Version = v
	}
	a.Title = d.str(f, "title")
	a.TitleI18n = d.i18n(f, "title_i18n")
	a.Description = d.str(f, "description")
	for i, s := range d.strs(f, "references", true) {
		if u, err := url.Parse(s); err != nil || u.Scheme == "" || u.Host == "" && u.Opaque == "" {
			d.addf(f.vals["references"].Content[i], index("references", i), "%q is not an absolute URL such as https://...", s)
			continue
		}
		a.References = append(a.References, s)
	}
	a.Parties = d.parties(f)
	var loc *time.Location
	a.Window, loc = d.window(f)
	a.LineOfContact = d.lineOfContact(f)
	a.Zones = d.zones(f)
	for _, s := range d.strs(f, "protected", true) {
		a.Protected = append(a.Protected, truce.TargetCategory(s))
	}
	a.Rules = d.rules(f, a.Window.TimeZone, loc)
	a.Disclosure = d.disclosure(f)
	return a
}

// disclosure reads the disclosure policy: a group not given keeps its
// default, and so does a delay not given within a group.
func (d *decoder) disclosure(f *fields) *truce.DisclosurePolicy {
	if !f.has("disclosure") {
		return nil
	}
	path := "disclosure"
	df := d.mapping(f.vals[path], path, "source", "position", "text", "evidence", "open_roles")
	p := truce.DefaultDisclosure()
	groups := []struct {
		name string
		gp   *truce.GroupPolicy
	}{{"source", &p.Source}, {"position", &p.Position}, {"text", &p.Text}, {"evidence", &p.Evidence}}
	for _, g := range groups {
		if !df.has(g.name) {
			continue
		}
		known := []string{"parties", "public"}
		if g.name == "position" {
			known = append(known, "public_grid_km")
		}
		gf := d.mapping(df.vals[g.name], join(path, g.name), known...)
		for _, k := range []struct {
			name string
			to   *truce.Delay
		}{{"parties", &g.gp.Parties}, {"public", &g.gp.Public}} {
			if !gf.has(k.name) {
				continue
			}
			n := gf.vals[k.name]
			if n.Kind != yaml.ScalarNode {
				d.addf(n, join(gf.path, k.name), "must be a delay such as 0, 72h, 7d or never; found %s", describe(n))
				continue
			}
			v, err := truce.ParseDelay(n.Value)
			if err != nil {
				d.addf(n, join(gf.path, k.name), "%s", truce.ErrorMessage(err))
				continue
			}
			*k.to = v
		}
		if km, ok := d.float(gf, "public_grid_km"); ok {
			g.gp.PublicGridKM = km
		}
	}
	if df.has("open_roles") {
		p.OpenRoles = nil
		for _, r := range d.strs(df, "open_roles", true) {
			p.OpenRoles = append(p.OpenRoles, truce.Role(r))
		}
	}
	return p
}

func (d *decoder) parties(f *fields) []truce.Party {
	var out []truce.Party
	for i, n := range d.list(f, "parties") {
		p := d.mapping(n, index("parties", i), "id", "name", "name_i18n")
		out = append(out, truce.Party{
			ID:       d.str(p, "id"),
			Name:     d.str(p, "name"),
			NameI18n: d.i18n(p, "name_i18n"),
		})
	}
	return out
}

// window reads the agreement's window and returns it with its time zone
// (nil when time_zone is missing or unknown).
func (d *decoder) window(f *fields) (truce.Window, *time.Location) {
	w := d.mapping(f.vals["window"], "window", "start", "end", "duration", "time_zone")
	var win truce.Window
	win.TimeZone = d.str(w, "time_zone")
	var loc *time.Location
	zoneKnown := false
	if win.TimeZone != "" {
		var err error
		if win.TimeZone == "Local" {
			d.addf(w.vals["time_zone"], "window.time_zone", "must name an IANA zone such as Europe/Kyiv; \"Local\" differs from machine to machine")
		} else if loc, err = time.LoadLocation(win.TimeZone); err != nil {
			loc = nil // Validate reports the unknown zone
		}
		zoneKnown = true
	}
	d.span(w, &win, loc, zoneKnown)
	return win, loc
}

// span reads start and end or duration from w into win; times without an
// offset are read in loc. zoneGiven says whether a time zone was named
// (when it was, but loc is nil, the zone is reported elsewhere).
func (d *decoder) span(w *fields, win *truce.Window, loc *time.Location, zoneGiven bool) {
	zoneHint := "window.time_zone"
	read := func(name string) time.Time {
		s := d.timeText(w, name)
		if s == "" {
			if w.has(name) && !d.reported[join(w.path, name)] {
				d.addf(w.vals[name], join(w.path, name), "empty time")
			}
			return time.Time{}
		}
		n, path := w.vals[name], join(w.path, name)
		t, err := parseTime(s, loc)
		switch {
		case err == errNoZone && zoneGiven:
			d.reported[path] = true // the zone is reported as unknown
		case err == errNoZone:
			d.addf(n, path, "%q has no UTC offset: give %s (like Europe/Kyiv) to read it in, or write the offset (like %s+02:00)", s, zoneHint, s)
		case err != nil:
			d.addf(n, path, "%v", err)
		}
		return t
	}
	win.Start = read("start")
	if w.has("end") && w.has("duration") {
		d.addf(w.keys["duration"], join(w.path, "duration"), "give either end or duration, not both")
	}
	switch {
	case w.has("end"):
		win.End = read("end")
	case w.has("duration"):
		n, path := w.vals["duration"], join(w.path, "duration")
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
			if n.Kind == yaml.ScalarNode && (n.ShortTag() == "!!int" || n.ShortTag() == "!!float") {
				d.addf(n, path, "a duration needs a unit: write %sh for hours or %sd for calendar days", n.Value, n.Value)
			} else {
				d.addf(n, path, "must be a duration like 720h or 30d; found %s", describe(n))
			}
			return
		}
		days, dur, err := parseDuration(n.Value)
		if err != nil {
			d.addf(n, path, "%v", err)
			return
		}
		if win.Start.IsZero() {
			return // start is missing or reported
		}
		if days > 0 {
			if loc == nil {
				// Calendar days need the zone; its absence is reported.
				return
			}
			win.End = win.Start.In(loc).AddDate(0, 0, days)
		} else {
			win.End = win.Start.Add(dur)
		}
		if err := checkYear(win.End); err != nil {
			d.addf(n, path, "the end %v", err)
			win.End = time.Time{}
		}
	}
}

func (d *decoder) lineOfContact(f *fields) truce.LineOfContact {
	const path = "line_of_contact"
	l := d.mapping(f.vals[path], path, "control_map_at", "control_map_source", "file", "geometry")
	before := len(d.probs)
	var loc truce.LineOfContact
	loc.ControlMapAt = d.timeText(l, "control_map_at")
	loc.ControlMapSource = d.str(l, "control_map_source")
	if loc.ControlMapSource != "" && !l.has("control_map_at") {
		d.addf(l.keys["control_map_source"], path+".control_map_source", "applies only with control_map_at")
	}
	loc.Geometry = d.geometry(l, path)
	if len(d.probs) > before {
		d.suppressed[path] = true
	}
	return loc
}

var zoneFields = []string{"id", "name", "name_i18n", "band_km", "width_km", "sides", "file", "geometry"}

func (d *decoder) zones(f *fields) []truce.Zone {
	var out []truce.Zone
	for i, n := range d.list(f, "zones") {
		path := index("zones", i)
		z := d.mapping(n, path, zoneFields...)
		zone := truce.Zone{
			ID:       d.str(z, "id"),
			Name:     d.str(z, "name"),
			NameI18n: d.i18n(z, "name_i18n"),
			Sides:    d.str(z, "sides"),
		}
		before := len(d.probs)
		band, hasBand := d.float(z, "band_km")
		width, hasWidth := d.float(z, "width_km")
		switch {
		case z.has("band_km") && z.has("width_km"):
			d.addf(z.keys["width_km"], path+".width_km", "give either band_km (the width on each side of the line) or width_km (the total width), not both")
		case hasBand:
			if band == 0 {
				d.addf(z.vals["band_km"], path+".band_km", "must be more than 0 and at most 1000")
			}
			zone.BandKM = band
		case hasWidth:
			if width <= 0 || width > 2000 {
				d.addf(z.vals["width_km"], path+".width_km", "must be more than 0 and at most 2000 (the total width of the band, half on each side of the line)")
			} else {
				zone.BandKM = width / 2
			}
		}
		if (z.has("band_km") || z.has("width_km")) && !z.has("sides") {
			zone.Sides = "both"
		}
		zone.Geometry = d.geometry(z, path)
		if len(d.probs) > before {
			d.suppressed[path] = true
		}
		out = append(out, zone)
	}
	return out
}

// geometry reads the GeoJSON geometry of f, given inline as "geometry" or
// by name as "file", as compact JSON.
func (d *decoder) geometry(f *fields, path string) json.RawMessage {
	switch {
	case f.has("file") && f.has("geometry"):
		d.addf(f.keys["geometry"], path+".geometry", "give either file or geometry, not both")
		return nil
	case f.has("file"):
		n := f.vals["file"]
		p := path + ".file"
		name := d.text(n, p)
		if d.reported[p] {
			return nil
		}
		if name == "" {
			d.addf(n, p, "empty file name")
			return nil
		}
		if d.readFile == nil {
			d.addf(n, p, "cannot read %q: the agreement was parsed without a directory to read files from (use ParseFile, or Parse with WithFS)", name)
			return nil
		}
		data, err := d.readFile(name)
		if err != nil {
			d.addf(n, p, "cannot read %q: %v", name, err)
			return nil
		}
		g, err := geo.CompactJSON(data)
		if err != nil {
			d.addf(n, p, "%q is not JSON: %v", name, err)
			return nil
		}
		return g
	case f.has("geometry"):
		n := f.vals["geometry"]
		var b strings.Builder
		if bad, err := toJSON(&b, n); err != nil {
			d.addf(bad, path+".geometry", "%v", err)
			return nil
		}
		return json.RawMessage(b.String())
	}
	return nil
}

var ruleFields = []string{"id", "name", "name_i18n", "description", "prohibits", "weapon_classes",
	"targets", "where", "when", "parties", "min_area_km2"}

func (d *decoder) rules(f *fields, zone string, loc *time.Location) []truce.Rule {
	var out []truce.Rule
	for i, n := range d.list(f, "rules") {
		path := index("rules", i)
		r := d.mapping(n, path, ruleFields...)
		rule := truce.Rule{
			ID:          d.str(r, "id"),
			Name:        d.str(r, "name"),
			NameI18n:    d.i18n(r, "name_i18n"),
			Description: d.str(r, "description"),
		}
		for _, s := range d.strs(r, "prohibits", true) {
			rule.Prohibits = append(rule.Prohibits, truce.Kind(s))
		}
		for _, s := range d.strs(r, "weapon_classes", true) {
			rule.WeaponClasses = append(rule.WeaponClasses, truce.WeaponClass(s))
		}
		for _, s := range d.strs(r, "targets", true) {
			rule.Targets = append(rule.Targets, truce.TargetCategory(s))
		}
		if r.has("where") {
			w := d.mapping(r.vals["where"], path+".where", "crosses_line", "in_zones", "protected")
			rule.Where = truce.Where{
				CrossesLine: d.boolean(w, "crosses_line"),
				InZones:     d.strs(w, "in_zones", true),
				Protected:   d.boolean(w, "protected"),
			}
		}
		if r.has("when") {
			w := d.mapping(r.vals["when"], path+".when", "start", "end", "duration")
			win := &truce.Window{}
			if loc != nil {
				win.TimeZone = zone
			}
			d.span(w, win, loc, zone != "")
			rule.When = win
		}
		rule.Parties = d.strs(r, "parties", true)
		rule.MinAreaKM2, _ = d.float(r, "min_area_km2")
		out = append(out, rule)
	}
	return out
}

// describe names what n is, for problems: "the number 15", "a list".
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:37] + "..."
	}
	switch n.ShortTag() {
	case "!!str":
		return fmt.Sprintf("the text %q", v)
	case "!!int", "!!float":
		return "the number " + v
	case "!!bool":
		return v
	case "!!null":
		return "nothing"
	case "!!timestamp":
		return "the time " + v
	}
	return fmt.Sprintf("a value tagged %s", n.Tag)
}

// suggest returns ` (did you mean "x"?)` for the known name closest to
// name, or the list of known names.
func suggest(name string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if dist := editDistance(strings.ToLower(name), k); dist < bestD {
			best, bestD = k, dist
		}
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return "; the fields here are " + strings.Join(known, ", ")
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return 1 << 30
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
