package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/findings"
	"github.com/truce-monitor/truce/ledger"
	"github.com/truce-monitor/truce/replay"
	"github.com/truce-monitor/truce/sqlite"
)

// recomputeFlags are truce verify's flags for --recompute.
type recomputeFlags struct {
	on                      *bool
	agreement, from, source *string
	days                    *int
	published, expect       *string
}

func addRecomputeFlags(fs *flag.FlagSet) recomputeFlags {
	return recomputeFlags{
		on:        fs.Bool("recompute", false, "with a bundle: recompute the findings from what the bundle holds (its public entries and the private groups it discloses)"),
		agreement: fs.String("agreement", "", "with --recompute: the agreement, a file or the id of one in the log (default: the log's only agreement)"),
		from:      fs.String("from", "", "with --recompute: the first day (YYYY-MM-DD, UTC; default: the agreement's start)"),
		days:      fs.Int("days", 0, "with --recompute: the number of days (default: to the agreement's end, or the log's last entry)"),
		source:    fs.String("control-source", "", "with --recompute: use the control maps of this source only"),
		published: fs.String("published", "", "with --recompute: the published findings to check, a findings.geojson written by truce replay --out"),
		expect:    fs.String("expect", "", "with --recompute: the published findings' SHA-256 (truce replay's \"findings sha256\")"),
	}
}

// recomputation is what truce verify --recompute derived and compared;
// its JSON is part of --json's output.
type recomputation struct {
	Agreement        string `json:"agreement"`
	AgreementVersion int    `json:"agreement_version"`
	From             string `json:"from"`
	Days             int    `json:"days"`
	Engine           string `json:"engine"`
	LogSize          int64  `json:"log_size"`
	// Digest is the SHA-256 of the recomputed findings; Expected the
	// one --expect gave.
	Digest   string `json:"findings_sha256"`
	Expected string `json:"expected_sha256,omitempty"`
	Findings int    `json:"findings"`
	// Observations were derived from; Withheld could not be, an input
	// group being withheld from the bundle's reader.
	Observations int                     `json:"observations"`
	Withheld     []sqlite.WithheldInputs `json:"withheld"`
	Skipped      []string                `json:"skipped,omitempty"`
	// Published compares the findings of --published.
	Published *publishedCheck `json:"published,omitempty"`
}

// publishedCheck is how the published findings compare with the
// recomputed ones.
type publishedCheck struct {
	File string `json:"file"`
	// Findings were published; Matched of them were recomputed byte for
	// byte; Differ were not, though every input they rest on is held.
	Findings int `json:"findings"`
	Matched  int `json:"matched"`
	Differ   int `json:"differ"`
	// RestOnWithheld lists the findings that rest on an observation
	// whose input groups are withheld, with those observations.
	RestOnWithheld []restsOn `json:"rest_on_withheld"`
}

// restsOn names a published finding and the observations with withheld
// inputs that it rests on.
type restsOn struct {
	Finding      string   `json:"finding"`
	Observations []string `json:"observations"`
}

// recomputeBundle derives the findings from the bundle in dir as its
// reader holds it and compares them with what rf says was published,
// reporting each difference through a.
func recomputeBundle(ctx context.Context, dir string, rf recomputeFlags, a *ledger.Auditor) (*recomputation, error) {
	b, err := ledger.ReadBundle(os.DirFS(dir))
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "truce-recompute-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	store, restored, err := sqlite.Restore(ctx, filepath.Join(tmp, "restored.db"), b.Entries, b.Disclosed)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	ag, err := recomputeAgreement(ctx, store, *rf.agreement)
	if err != nil {
		return nil, err
	}
	// The agreement's window, as the findings worker replays it, an
	// open-ended one to the log's last entry.
	var last time.Time
	if len(b.Entries) > 0 {
		last = b.Entries[len(b.Entries)-1].Time
	}
	from, days := findings.Window(ag, last)
	if *rf.from != "" {
		if from, err = time.Parse(time.DateOnly, *rf.from); err != nil {
			return nil, usagef("verify: --from %q: want YYYY-MM-DD", *rf.from)
		}
	}
	if *rf.days > 0 {
		days = *rf.days
	}
	s, err := replay.Run(ctx, store, replay.Options{Agreement: ag, From: from, Days: days, ControlSource: *rf.source})
	if err != nil {
		return nil, err
	}
	rc := &recomputation{Agreement: s.Agreement, AgreementVersion: s.Version, From: s.From, Days: s.Days,
		Engine: s.Engine, LogSize: s.LogSize, Digest: s.Digest, Expected: *rf.expect, Findings: len(s.Findings),
		Observations: len(s.Observations), Withheld: restored.Withheld, Skipped: restored.Skipped}
	if rc.Withheld == nil {
		rc.Withheld = []sqlite.WithheldInputs{}
	}
	if *rf.expect != "" && *rf.expect != s.Digest && len(rc.Withheld) == 0 {
		a.Problem("recompute", "the findings recomputed from the bundle have SHA-256 %s, not %s; the bundle holds every input", s.Digest, *rf.expect)
	}
	if *rf.published != "" {
		if rc.Published, err = comparePublished(*rf.published, s, restored, a); err != nil {
			return nil, err
		}
	}
	return rc, nil
}

// recomputeAgreement returns the agreement arg names (a file, or the id of
// one the log holds); with arg empty, the log's only agreement.
func recomputeAgreement(ctx context.Context, store *sqlite.DB, arg string) (*truce.Agreement, error) {
	if arg != "" {
		return loadAgreement(ctx, store, arg)
	}
	recs, err := store.Agreements(ctx)
	if err != nil {
		return nil, err
	}
	latest := map[string]*truce.Agreement{}
	for _, r := range recs {
		if cur := latest[r.Agreement.ID]; cur == nil || r.Agreement.Version > cur.Version {
			latest[r.Agreement.ID] = r.Agreement
		}
	}
	ids := slices.Sorted(maps.Keys(latest))
	if len(ids) != 1 {
		return nil, usagef("verify: the log holds %d agreements (%s): name one with --agreement", len(ids), strings.Join(ids, ", "))
	}
	return latest[ids[0]], nil
}

// publishedFindings is the part of a findings.geojson that the check
// reads.
type publishedFindings struct {
	Features []struct {
		Properties struct {
			truce.Finding
			Observations []string `json:"observations"`
		} `json:"properties"`
	} `json:"features"`
}

// comparePublished compares the findings in the file at path with s's:
// each published finding that rests only on observations the reader
// holds must be recomputed byte for byte, and every recomputed finding
// must have been published unless some input was withheld.
func comparePublished(path string, s *replay.Summary, r *sqlite.Restored, a *ledger.Auditor) (*publishedCheck, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var pf publishedFindings
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&pf); err != nil {
		return nil, truce.Errorf(truce.EINVALID, "%s: not a findings GeoJSON: %v", path, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, truce.Errorf(truce.EINVALID, "%s: data after the feature collection", path)
	}
	withheld := make(map[string]bool, len(r.Withheld))
	for _, w := range r.Withheld {
		withheld[w.PublicID] = true
	}
	recomputed := make(map[string][]byte, len(s.Findings))
	for _, f := range s.Findings {
		b, err := json.Marshal(f)
		if err != nil {
			return nil, err
		}
		recomputed[f.ID] = b
	}
	pc := &publishedCheck{File: path, RestOnWithheld: []restsOn{}}
	published := map[string]bool{}
	for i, feat := range pf.Features {
		f := &feat.Properties.Finding
		pc.Findings++
		published[f.ID] = true
		var missing []string
		for _, id := range feat.Properties.Observations {
			if withheld[id] {
				missing = append(missing, id)
			}
		}
		if len(missing) > 0 {
			pc.RestOnWithheld = append(pc.RestOnWithheld, restsOn{Finding: f.ID, Observations: missing})
			continue
		}
		want, err := json.Marshal(f)
		if err != nil {
			return nil, err
		}
		got, ok := recomputed[f.ID]
		switch {
		case !ok:
			pc.Differ++
			a.Problem(fmt.Sprintf("%s: features[%d]", path, i), "finding %s rests only on inputs the bundle holds, and recomputing does not derive it", f.ID)
		case !bytes.Equal(got, want):
			pc.Differ++
			a.Problem(fmt.Sprintf("%s: features[%d]", path, i), "finding %s differs from what recomputing derives: published %s, recomputed %s", f.ID, want, got)
		default:
			pc.Matched++
		}
	}
	if len(r.Withheld) == 0 {
		for _, f := range s.Findings {
			if !published[f.ID] {
				a.Problem(path, "finding %s is derived from the bundle, which holds every input, but was not published", f.ID)
			}
		}
	}
	return pc, nil
}

// printRecompute writes what --recompute derived and compared, for
// people.
func printRecompute(w io.Writer, rc *recomputation) {
	fmt.Fprintf(w, "  recomputed    %s v%d, %d days from %s (UTC), engine %s, from the bundle's %d entries\n",
		rc.Agreement, rc.AgreementVersion, rc.Days, rc.From, rc.Engine, rc.LogSize)
	fmt.Fprintf(w, "                findings sha256 %s (%d findings)", rc.Digest, rc.Findings)
	switch {
	case rc.Expected == "":
	case rc.Expected == rc.Digest:
		fmt.Fprintf(w, ", as published")
	case len(rc.Withheld) > 0:
		fmt.Fprintf(w, ", not the published %s: some inputs are withheld from this bundle's reader", rc.Expected)
	default:
		fmt.Fprintf(w, ", NOT the published %s", rc.Expected)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "                %d observations derived from; %d withheld (an input group not disclosed)\n", rc.Observations, len(rc.Withheld))
	for _, s := range rc.Skipped {
		fmt.Fprintf(w, "                not projected: %s\n", s)
	}
	p := rc.Published
	if p == nil {
		return
	}
	fmt.Fprintf(w, "  published     %d findings in %s: %d recomputed byte for byte, %d differ, %d rest on withheld inputs\n",
		p.Findings, p.File, p.Matched, p.Differ, len(p.RestOnWithheld))
	commitments := map[string]map[truce.FieldGroup]string{}
	for _, wi := range rc.Withheld {
		commitments[wi.PublicID] = wi.Commitments
	}
	for _, r := range p.RestOnWithheld {
		var on []string
		for _, id := range r.Observations {
			var gs []string
			for _, g := range slices.Sorted(maps.Keys(commitments[id])) {
				gs = append(gs, fmt.Sprintf("%s %s", g, commitments[id][g]))
			}
			on = append(on, fmt.Sprintf("%s (%s)", id, strings.Join(gs, ", ")))
		}
		fmt.Fprintf(w, "                finding %s rests on %s\n", r.Finding, strings.Join(on, "; "))
	}
}
