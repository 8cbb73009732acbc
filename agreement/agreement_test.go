package agreement_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/agreement"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestExamples parses every agreement in ../examples and checks what each
// is known to say.
func TestExamples(t *testing.T) {
	want := map[string]struct {
		start, end string // UTC, RFC 3339; end "" for open-ended
		parties    int
		rules      int
		bands      []float64 // band_km of each zone
	}{
		// 30 calendar days from 00:00 EET: the end is 00:00 EEST on 13 April,
		// 719 hours later, since summer time starts on 30 March.
		"ceasefire-30d-2025.yaml":     {"2025-03-13T22:00:00Z", "2025-04-12T21:00:00Z", 2, 3, []float64{15}},
		"energy-moratorium-2025.yaml": {"2025-03-17T21:00:00Z", "2025-04-16T21:00:00Z", 2, 1, nil},
		"easter-truce-2025.yaml":      {"2025-04-19T15:00:00Z", "2025-04-20T21:00:00Z", 2, 3, nil},
		"minsk-2015.yaml":             {"2015-02-14T22:00:00Z", "", 3, 5, []float64{25, 35, 70, 15}},
	}
	files, err := filepath.Glob("../examples/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < len(want) {
		t.Fatalf("found %d examples, want at least %d", len(files), len(want))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			a, err := agreement.ParseFile(file)
			if err != nil {
				t.Fatalf("ParseFile: %v", err)
			}
			if err := a.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if strings.TrimSuffix(filepath.Base(file), ".yaml") != a.ID {
				t.Errorf("id %q does not match the file name", a.ID)
			}
			if len(a.References) == 0 || a.Description == "" {
				t.Errorf("an example needs references and a description")
			}
			for _, lang := range []string{"uk", "ru"} {
				if a.TitleI18n[lang] == "" {
					t.Errorf("title_i18n.%s is missing", lang)
				}
				for _, p := range a.Parties {
					if p.NameI18n[lang] == "" {
						t.Errorf("party %s: name_i18n.%s is missing", p.ID, lang)
					}
				}
				for _, r := range a.Rules {
					if r.NameI18n[lang] == "" {
						t.Errorf("rule %s: name_i18n.%s is missing", r.ID, lang)
					}
				}
			}
			w, ok := want[filepath.Base(file)]
			if !ok {
				return
			}
			if got := a.Window.Start.UTC().Format(time.RFC3339); got != w.start {
				t.Errorf("start = %s, want %s", got, w.start)
			}
			end := ""
			if !a.Window.End.IsZero() {
				end = a.Window.End.UTC().Format(time.RFC3339)
			}
			if end != w.end {
				t.Errorf("end = %q, want %q", end, w.end)
			}
			if len(a.Parties) != w.parties || len(a.Rules) != w.rules {
				t.Errorf("%d parties and %d rules, want %d and %d", len(a.Parties), len(a.Rules), w.parties, w.rules)
			}
			var bands []float64
			for _, z := range a.Zones {
				bands = append(bands, z.BandKM)
			}
			if !slices.Equal(bands, w.bands) {
				t.Errorf("bands = %v, want %v", bands, w.bands)
			}
		})
	}
}

// TestGolden compares the canonical bytes of an example with
// testdata/*.golden. Run with -update to rewrite them.
func TestGolden(t *testing.T) {
	for _, name := range []string{"ceasefire-30d-2025", "minsk-2015"} {
		t.Run(name, func(t *testing.T) {
			a, err := agreement.ParseFile("../examples/" + name + ".yaml")
			if err != nil {
				t.Fatal(err)
			}
			got, err := a.Canonical()
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("canonical bytes differ from %s (run go test -update if the change is meant)\ngot:  %s\nwant: %s", golden, got, want)
			}
		})
	}
}

// TestDeterministic parses each example many times, from bytes with
// different file names, and expects the same canonical bytes each time.
func TestDeterministic(t *testing.T) {
	files, _ := filepath.Glob("../examples/*.yaml")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var first []byte
		for i := range 20 {
			a, err := agreement.Parse("copy"+strconv.Itoa(i)+".yaml", data, agreement.WithFS(os.DirFS("../examples")))
			if err != nil {
				t.Fatal(err)
			}
			b, err := a.Canonical()
			if err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first = b
			} else if !bytes.Equal(b, first) {
				t.Fatalf("%s: parse %d gave other bytes", file, i)
			}
		}
	}
}

// want is one expected problem: its line, path and a part of its message.
type want struct {
	line int
	path string
	msg  string
}

func (w want) String() string { return strconv.Itoa(w.line) + ": " + w.path + ": " + w.msg }

// readWant reads a .want file: one "LINE: path: message-substring" a line,
// in the order the problems are reported.
func readWant(t *testing.T, file string) []want {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var ws []want
	for l := range strings.Lines(string(data)) {
		l = strings.TrimRight(l, "\n")
		if l == "" {
			continue
		}
		parts := strings.SplitN(l, ": ", 3)
		if len(parts) != 3 {
			t.Fatalf("%s: bad line %q", file, l)
		}
		n, err := strconv.Atoi(parts[0])
		if err != nil {
			t.Fatalf("%s: bad line %q", file, l)
		}
		ws = append(ws, want{n, parts[1], parts[2]})
	}
	return ws
}

// TestBad parses each file in testdata/bad and expects exactly the
// problems in its .want file: the same lines and paths, in order, each
// message containing the expected text.
func TestBad(t *testing.T) {
	files, err := filepath.Glob("testdata/bad/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 30 {
		t.Fatalf("only %d bad files", len(files))
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".yaml"), func(t *testing.T) {
			wants := readWant(t, strings.TrimSuffix(file, ".yaml")+".want")
			a, err := agreement.ParseFile(file)
			if err == nil {
				t.Fatalf("parsed without error: %+v", a)
			}
			var e *truce.Error
			if !errors.As(err, &e) || e.Code != truce.EINVALID {
				t.Fatalf("error is not an EINVALID *truce.Error: %#v", err)
			}
			if a != nil {
				t.Errorf("an agreement came back with the error")
			}
			match := len(e.Problems) == len(wants)
			for i := 0; match && i < len(wants); i++ {
				p, w := e.Problems[i], wants[i]
				match = p.Line == w.line && p.Path == w.path && strings.Contains(p.Message, w.msg) && p.File == file
			}
			if !match {
				var got, exp strings.Builder
				for _, p := range e.Problems {
					got.WriteString("\n\t" + p.String())
				}
				for _, w := range wants {
					exp.WriteString("\n\t" + file + ":" + w.String())
				}
				t.Errorf("problems:%s\nwant:%s", got.String(), exp.String())
			}
		})
	}
}

// TestAllProblemsSorted checks that every problem in a file is reported,
// in line order, and printed as FILE:LINE: path: message.
func TestAllProblemsSorted(t *testing.T) {
	const src = `id: "bad id"
titel: Misspelt
version: 0
parties:
  - {id: ua, name: Ukraine}
window:
  start: 2025-03-14
  duration: 30
line_of_contact: {control_map_at: yesterday}
zones:
  - {id: z, width_km: 5000}
protected: [energy, power]
rules:
  - id: R1
    prohibits: [airstrike, artillery, artillery]
    where: {crosses_line: yes, in_zones: [nowhere]}
    min_area_km2: -1
`
	_, err := agreement.Parse("many.yaml", []byte(src))
	ps := truce.ErrorProblems(err)
	wants := []string{
		"many.yaml:1: id: must be 1-128",
		"many.yaml:1: title: required",
		"many.yaml:2: titel: unknown field",
		"many.yaml:3: version: must be 1 or more",
		"many.yaml:4: parties: an agreement binds at least two parties",
		"many.yaml:5: parties[0].id: \"ua\" is not a party id",
		"many.yaml:6: window.time_zone: required",
		"many.yaml:7: window.start: \"2025-03-14\" has no time of day",
		"many.yaml:8: window.duration: a duration needs a unit",
		"many.yaml:9: line_of_contact.control_map_at: must be \"start\" or a date",
		"many.yaml:11: zones[0].width_km: must be more than 0 and at most 2000",
		"many.yaml:12: protected[1]: unknown category \"power\"",
		"many.yaml:14: rules[0].name: required",
		"many.yaml:15: rules[0].prohibits[0]: unknown kind \"airstrike\"",
		"many.yaml:15: rules[0].prohibits[2]: \"artillery\" is listed twice",
		"many.yaml:16: rules[0].where.crosses_line: must be true or false",
		"many.yaml:16: rules[0].where.in_zones[0]: no zone \"nowhere\" is defined",
		"many.yaml:17: rules[0].min_area_km2: must not be negative",
	}
	if len(ps) != len(wants) {
		t.Errorf("%d problems, want %d:\n%v", len(ps), len(wants), err)
	}
	if !slices.IsSortedFunc(ps, func(a, b truce.Problem) int { return a.Line - b.Line }) {
		t.Errorf("problems are not sorted by line:\n%v", err)
	}
	for i := 0; i < min(len(ps), len(wants)); i++ {
		if !strings.HasPrefix(ps[i].String(), wants[i]) {
			t.Errorf("problem %d = %q, want prefix %q", i, ps[i].String(), wants[i])
		}
	}
	if !strings.HasPrefix(err.Error(), "invalid agreement many.yaml: 18 problem(s)\nmany.yaml:1: ") {
		t.Errorf("Error() = %q", err.Error())
	}
}

// TestFiles checks geometry read from files named by the agreement.
func TestFiles(t *testing.T) {
	const src = `id: with-files
title: Agreement with geometry files
parties: [{id: UA, name: Ukraine}, {id: RU, name: Russia}]
window: {start: "2025-03-14T00:00:00+02:00", end: "2025-03-15T00:00:00+02:00", time_zone: Europe/Kyiv}
line_of_contact: {file: geo/line.geojson}
zones:
  - {id: dam, file: geo/dam.geojson}
  - id: inline
    geometry:
      type: Polygon
      coordinates: [[[37, 47], [38, 47], [38, 48], [37, 47]]]
rules: [{id: R1, name: No strikes on the dam, prohibits: [missile_strike], where: {in_zones: [dam]}}]
`
	fsys := fstest.MapFS{
		"geo/line.geojson": {Data: []byte("{\n  \"type\": \"LineString\",\n  \"coordinates\": [[37.5, 47.9], [37.9, 48.1]]\n}\n")},
		"geo/dam.geojson":  {Data: []byte(`{"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[[33.37, 47.48], [33.39, 47.48], [33.39, 47.49], [33.37, 47.48]]]}}`)},
	}
	a, err := agreement.Parse("files.yaml", []byte(src), agreement.WithFS(fsys))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(a.LineOfContact.Geometry), `{"type":"LineString","coordinates":[[37.5,47.9],[37.9,48.1]]}`; got != want {
		t.Errorf("line of contact = %s, want %s", got, want)
	}
	if !strings.HasPrefix(string(a.Zones[0].Geometry), `{"type":"Feature","properties":{},"geometry":`) {
		t.Errorf("zone from file = %s", a.Zones[0].Geometry)
	}
	if got, want := string(a.Zones[1].Geometry), `{"type":"Polygon","coordinates":[[[37,47],[38,47],[38,48],[37,47]]]}`; got != want {
		t.Errorf("inline zone = %s, want %s", got, want)
	}

	// Without a way to read files, each file reference is a problem.
	_, err = agreement.Parse("files.yaml", []byte(src))
	ps := truce.ErrorProblems(err)
	if len(ps) != 2 || ps[0].Line != 5 || ps[0].Path != "line_of_contact.file" || ps[1].Line != 7 || ps[1].Path != "zones[0].file" {
		t.Errorf("without WithFS: %v", err)
	}

	// A path out of the file system is refused.
	bad := strings.Replace(src, "geo/line.geojson", "../line.geojson", 1)
	_, err = agreement.Parse("files.yaml", []byte(bad), agreement.WithFS(fsys))
	if ps := truce.ErrorProblems(err); len(ps) != 1 || !strings.Contains(ps[0].Message, "not a relative slash-separated path") {
		t.Errorf("with ..: %v", err)
	}

	// WithReadFile sees the name as written.
	var names []string
	_, err = agreement.Parse("files.yaml", []byte(src), agreement.WithReadFile(func(name string) ([]byte, error) {
		names = append(names, name)
		return fsys[name].Data, nil
	}))
	if err != nil || !slices.Equal(names, []string{"geo/line.geojson", "geo/dam.geojson"}) {
		t.Errorf("WithReadFile: names %q, err %v", names, err)
	}
}

func TestParseFileMissing(t *testing.T) {
	_, err := agreement.ParseFile("testdata/no-such-file.yaml")
	if truce.ErrorCode(err) != truce.ENOTFOUND {
		t.Errorf("error %v, code %q; want ENOTFOUND", err, truce.ErrorCode(err))
	}
}

// TestTimes checks how times and durations are read.
func TestTimes(t *testing.T) {
	tests := []struct {
		name   string
		window string // the YAML of the window mapping's fields
		start  string // want, UTC; "" when an error is expected
		end    string
		err    string // part of the problem expected
	}{
		{"offset", `{start: "2025-03-14T00:00:00+02:00", time_zone: Europe/Kyiv}`, "2025-03-13T22:00:00Z", "", ""},
		{"utc offset", `{start: "2025-03-13T22:00:00Z", time_zone: UTC}`, "2025-03-13T22:00:00Z", "", ""},
		{"local T", `{start: "2025-03-14T00:00", time_zone: Europe/Kyiv}`, "2025-03-13T22:00:00Z", "", ""},
		{"local space", `{start: "2025-03-14 00:00", time_zone: Europe/Kyiv}`, "2025-03-13T22:00:00Z", "", ""},
		{"local seconds", `{start: "2025-03-14 00:00:30", time_zone: Europe/Kyiv}`, "2025-03-13T22:00:30Z", "", ""},
		{"unquoted timestamp", `{start: 2025-03-14T00:00:00+02:00, time_zone: Europe/Kyiv}`, "2025-03-13T22:00:00Z", "", ""},
		{"old zone name", `{start: "2025-03-14T00:00", time_zone: Europe/Kiev}`, "2025-03-13T22:00:00Z", "", ""},
		{"summer offset", `{start: "2025-04-19T18:00:00+03:00", time_zone: Europe/Kyiv}`, "2025-04-19T15:00:00Z", "", ""},
		{"offset disagrees", `{start: "2025-03-14T00:00:00+03:00", time_zone: Europe/Kyiv}`, "", "", "the offset +03:00 does not agree with time zone Europe/Kyiv, which is at +02:00"},
		{"Z disagrees", `{start: "2025-03-14T00:00:00Z", time_zone: Europe/Kyiv}`, "", "", "the offset +00:00 does not agree"},
		{"720h across DST", `{start: "2025-03-14T00:00", duration: 720h, time_zone: Europe/Kyiv}`, "2025-03-13T22:00:00Z", "2025-04-12T22:00:00Z", ""},
		{"30d across DST", `{start: "2025-03-14T00:00", duration: 30d, time_zone: Europe/Kyiv}`, "2025-03-13T22:00:00Z", "2025-04-12T21:00:00Z", ""},
		{"hours and minutes", `{start: "2025-03-14T00:00", duration: 1h30m, time_zone: UTC}`, "2025-03-14T00:00:00Z", "2025-03-14T01:30:00Z", ""},
		{"end local", `{start: "2025-04-19T18:00", end: "2025-04-21T00:00", time_zone: Europe/Moscow}`, "2025-04-19T15:00:00Z", "2025-04-20T21:00:00Z", ""},
		{"zero days", `{start: "2025-03-14T00:00", duration: 0d, time_zone: UTC}`, "", "", "must be at least 1d"},
		{"date only", `{start: 2025-03-14, time_zone: UTC}`, "", "", "has no time of day"},
		{"no zone", `{start: "2025-03-14T00:00"}`, "", "", "has no UTC offset"},
		{"gap", `{start: "2025-03-30T03:00", time_zone: Europe/Kyiv}`, "", "", "does not exist in Europe/Kyiv"},
		{"fold", `{start: "2025-10-26T03:00", time_zone: Europe/Kyiv}`, "", "", "happens twice"},
		{"fold with offset", `{start: "2025-10-26T03:00:00+02:00", time_zone: Europe/Kyiv}`, "2025-10-26T01:00:00Z", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "id: t\ntitle: T\nparties: [{id: UA, name: U}, {id: RU, name: R}]\nwindow: " + tt.window +
				"\nline_of_contact: {control_map_at: start}\nrules: [{id: R1, name: N, prohibits: [advance]}]\n"
			a, err := agreement.Parse("t.yaml", []byte(src))
			if tt.err != "" {
				found := false
				for _, p := range truce.ErrorProblems(err) {
					found = found || p.Line == 4 && strings.Contains(p.Message, tt.err)
				}
				if !found {
					t.Fatalf("got %v, want a problem on line 4 containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := a.Window.Start.UTC().Format(time.RFC3339); got != tt.start {
				t.Errorf("start = %s, want %s", got, tt.start)
			}
			end := ""
			if !a.Window.End.IsZero() {
				end = a.Window.End.UTC().Format(time.RFC3339)
			}
			if end != tt.end {
				t.Errorf("end = %s, want %s", end, tt.end)
			}
		})
	}
}

// TestRuleWhen checks that a rule's times are read in the agreement's zone.
func TestRuleWhen(t *testing.T) {
	const src = `id: t
title: T
parties: [{id: UA, name: U}, {id: RU, name: R}]
window: {start: "2015-02-15T00:00", time_zone: Europe/Kyiv}
line_of_contact: {control_map_at: start}
rules:
  - {id: H1, name: N, prohibits: [heavy_weapon], when: {start: "2015-03-02T00:00", duration: 10d}}
`
	a, err := agreement.Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	w := a.Rules[0].When
	if w == nil || w.Start.UTC().Format(time.RFC3339) != "2015-03-01T22:00:00Z" ||
		w.End.UTC().Format(time.RFC3339) != "2015-03-11T22:00:00Z" || w.TimeZone != "Europe/Kyiv" {
		t.Errorf("when = %+v", w)
	}
}

// TestWidth checks that width_km is a total width.
func TestWidth(t *testing.T) {
	const src = `id: t
title: T
parties: [{id: UA, name: U}, {id: RU, name: R}]
window: {start: "2015-02-15T00:00", time_zone: Europe/Kyiv}
line_of_contact: {control_map_at: start}
zones: [{id: a, width_km: 50}, {id: b, band_km: 15, sides: UA}]
rules: [{id: R1, name: N, prohibits: [heavy_weapon], where: {in_zones: [a, b]}}]
`
	a, err := agreement.Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if z := a.Zones[0]; z.BandKM != 25 || z.Sides != "both" {
		t.Errorf("width_km 50 gave %+v", z)
	}
	if z := a.Zones[1]; z.BandKM != 15 || z.Sides != "UA" {
		t.Errorf("band_km 15 gave %+v", z)
	}
}

func TestDisclosure(t *testing.T) {
	base, err := os.ReadFile("testdata/bad/bad-duration.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(string(base), "duration: 30 days", "duration: 30d", 1) + `disclosure:
  position: {parties: 5d, public: never}
  text: {parties: 0}
  open_roles: []
`
	a, err := agreement.Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	p := a.Disclosure
	def := truce.DefaultDisclosure()
	if p == nil || p.Position.Parties.String() != "5d" || !p.Position.Public.IsNever() ||
		p.Position.PublicGridKM != 5 || p.Text.Parties.String() != "0" || !p.Text.Public.IsNever() ||
		p.Source != def.Source || p.Open(truce.RoleDataset) {
		t.Fatalf("policy %+v", p)
	}
	// The policy survives the log's canonical JSON.
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var back truce.Agreement
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if b2, _ := json.Marshal(&back); string(b2) != string(b) {
		t.Errorf("canonical JSON changed on a round trip:\n%s\n%s", b, b2)
	}
}
