package importer

import (
	"slices"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
)

var csvSource = truce.Source{
	Name:        "csv-import",
	Role:        truce.RoleDataset,
	Description: "Observations imported from a CSV file in truce's observation columns.",
}

// CSVColumns are the columns of truce's own CSV layout, in the order truce
// writes them. A file may hold them in any order and may leave out all but
// csvRequired; a column not listed here is an error.
var CSVColumns = []string{
	"id", "kind", "observed_at", "observed_until", "time_precision",
	"lon", "lat", "uncertainty_m", "region", "geo_precision",
	"weapon_class", "weapon", "target", "blamed_party",
	"count_rounds", "count_launched", "count_destroyed", "count_killed", "count_injured",
	"text", "lang", "evidence_sha256", "evidence_ref",
}

var csvRequired = []string{"kind", "observed_at", "time_precision"}

// readCSV reads truce's own CSV layout: one observation per row. Times are
// RFC 3339; lon and lat (with uncertainty_m) give a point, region and
// geo_precision a region (both: a region with a representative point);
// evidence_sha256 and evidence_ref may each list several items separated
// by ";" (pairwise). A row with an empty id gets one derived from its
// content.
func readCSV(rd *reader) error {
	t, err := newTable(rd, false)
	if err != nil {
		return err
	}
	var unknown []string
	for _, h := range t.header {
		if !slices.Contains(CSVColumns, h) {
			unknown = append(unknown, h)
		}
	}
	if len(unknown) > 0 {
		return fileError(rd.name, 1, "", "header: unknown column(s) %s; the columns are %s", quoteAll(unknown), strings.Join(CSVColumns, ","))
	}
	if err := t.require(csvRequired...); err != nil {
		return err
	}
	if t.has("lon") != t.has("lat") {
		return fileError(rd.name, 1, "", "header: columns \"lon\" and \"lat\" go together")
	}
	if !t.has("lon") && !t.has("region") {
		return fileError(rd.name, 1, "", "header: a location is required: columns \"lon\" and \"lat\", or \"region\" and \"geo_precision\"")
	}
	for r := t.next(); r != nil; r = t.next() {
		e := r.errs()
		o := &truce.Observation{
			ID:            r.get("id"),
			Kind:          truce.Kind(r.get("kind")),
			TimePrecision: truce.TimePrecision(r.get("time_precision")),
			WeaponClass:   truce.WeaponClass(r.get("weapon_class")),
			Weapon:        r.get("weapon"),
			Target:        truce.TargetCategory(r.get("target")),
			BlamedParty:   r.get("blamed_party"),
			Text:          r.raw("text"),
			Lang:          r.get("lang"),
		}
		if s := r.get("observed_at"); s == "" {
			e.fail("observed_at", "required (RFC 3339 time)")
		} else if at, err := time.Parse(time.RFC3339Nano, s); err != nil {
			e.fail("observed_at", "%q is not an RFC 3339 time like 2025-03-14T06:30:00+02:00", s)
		} else {
			o.ObservedAt = at
		}
		if s := r.get("observed_until"); s != "" {
			if u, err := time.Parse(time.RFC3339Nano, s); err != nil {
				e.fail("observed_until", "%q is not an RFC 3339 time like 2025-03-14T06:30:00+02:00", s)
			} else {
				o.ObservedUntil = &u
			}
		}
		lonS, latS := r.get("lon"), r.get("lat")
		if lonS != "" || latS != "" {
			lon, lat, ok := e.lonLat("lon", lonS, "lat", latS)
			if ok {
				o.Location.Lon, o.Location.Lat = ptr(lon), ptr(lat)
			}
		}
		if u, ok := e.float("uncertainty_m", r.get("uncertainty_m"), false); ok {
			o.Location.UncertaintyM = u
		}
		o.Location.Region = r.get("region")
		o.Location.GeoPrecision = truce.GeoPrecision(r.get("geo_precision"))
		c := truce.Counts{
			Rounds:    e.count("count_rounds", r.get("count_rounds")),
			Launched:  e.count("count_launched", r.get("count_launched")),
			Destroyed: e.count("count_destroyed", r.get("count_destroyed")),
			Killed:    e.count("count_killed", r.get("count_killed")),
			Injured:   e.count("count_injured", r.get("count_injured")),
		}
		if c != (truce.Counts{}) {
			o.Counts = &c
		}
		hashes, refs := splitList(r.get("evidence_sha256")), splitList(r.get("evidence_ref"))
		if len(refs) > len(hashes) {
			e.fail("evidence_ref", "%d reference(s) for %d evidence_sha256 value(s)", len(refs), len(hashes))
		}
		for i, h := range hashes {
			ev := truce.Evidence{SHA256: strings.ToLower(h)}
			if i < len(refs) {
				ev.Ref = refs[i]
			}
			o.Evidence = append(o.Evidence, ev)
		}
		if !e.ok {
			continue
		}
		if o.ID == "" {
			o.Normalize()
			c, err := o.Canonical()
			if err != nil {
				e.fail("id", "%v", err)
				continue
			}
			o.ID = rd.id("content:" + string(c))
		}
		if err := o.Validate(); err != nil {
			for _, p := range truce.ErrorProblems(err) {
				rd.fail(r.line, "", "column %q: %s", csvColumnOf(p.Path), p.Message)
			}
			continue
		}
		rd.add(r.line, "", o)
	}
	return nil
}

// csvColumnOf names the CSV column behind an observation's JSON path.
func csvColumnOf(path string) string {
	p := strings.TrimPrefix(path, "$.")
	switch {
	case p == "location" || p == "location.region":
		return "region"
	case strings.HasPrefix(p, "location."):
		return strings.TrimPrefix(p, "location.")
	case strings.HasPrefix(p, "counts."):
		return "count_" + strings.TrimPrefix(p, "counts.")
	case strings.HasPrefix(p, "evidence["):
		if strings.HasSuffix(p, ".ref") {
			return "evidence_ref"
		}
		return "evidence_sha256"
	case p == "evidence":
		return "evidence_sha256"
	}
	return p
}

// splitList splits "a; b;c" into its non-empty, trimmed items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
