package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/ledger"
	"github.com/truce-monitor/truce/sqlite"
)

// stringList is a flag that may be given more than once.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ", ") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

// verifyResult is what truce verify found; its JSON is --json's output.
type verifyResult struct {
	OK       bool                    `json:"ok"`
	What     string                  `json:"verified"`
	Summary  *ledger.Summary         `json:"summary"`
	Tables   map[string]int64        `json:"tables,omitempty"`
	Findings *sqlite.FindingsChecked `json:"findings,omitempty"`
	// Recomputed is what --recompute derived from a bundle.
	Recomputed *recomputation  `json:"recomputed,omitempty"`
	Problems   []truce.Problem `json:"problems"`
}

func runVerify(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "verify", "verify [--log-key VKEY] [--witness VKEY]... [--checkpoint FILE]... [--json] DIR | URL | --db PATH\n"+
		"       truce verify --recompute [--agreement FILE|ID] [--from DATE] [--days N] [--published findings.geojson] [--expect SHA256] DIR",
		"Verify a log: recompute its Merkle tree from the entries, decode every entry strictly,\n"+
			"check every signed checkpoint's log signature and cosignatures, and check that each\n"+
			"checkpoint's root is the root of the tree of its size (so that all are consistent).\n\n"+
			"The log is an export bundle (truce log export DIR), a server (URL: GET /checkpoint and\n"+
			"GET /v1/log/entries), or a store file (--db PATH), which is opened read-only; with\n"+
			"--db every row of the store's query tables is also checked against the entry it\n"+
			"projects, and the stored tree hashes against the recomputed ones.\n\n"+
			"Pin the log's verifier key with --log-key: a key that comes with the log (a bundle's\n"+
			"manifest, the key file beside a store) proves only that the log agrees with itself;\n"+
			"a log none of whose checkpoints the pinned key signed fails, and so does one that a\n"+
			"pinned --witness cosigned none of (its cosignatures were removed).\n"+
			"A --checkpoint FILE is a signed checkpoint held outside the log, by a witness or from\n"+
			"an earlier export: a log shorter than it, or with another root at its size, was\n"+
			"truncated or rewritten.\n\n"+
			"--recompute derives the findings again from what the bundle holds: its public entries\n"+
			"and the private groups it discloses (a bundle of truce log export --audience). An\n"+
			"observation one of whose input groups (source, position, evidence) is withheld is left\n"+
			"out and named by its commitments. --expect compares the findings' SHA-256 with the\n"+
			"published one; --published compares each published finding (truce replay --out's\n"+
			"findings.geojson): one that rests only on inputs the bundle holds must be recomputed\n"+
			"byte for byte; one that rests on withheld inputs is listed with them.\n\n"+
			"Exit status 0 and a summary when everything holds; otherwise each problem on its own\n"+
			"line (where: entry index, table and key, or checkpoint size; then what), exit status 1.")
	db := fs.String("db", "", "verify the store in this SQLite file")
	keyFile := fs.String("key", "", "with --db: the log's key file, whose verifier key the store states (default: the --db path + \".key\")")
	logKey := fs.String("log-key", "", "the log's verifier key (name+hash+key), pinned")
	var witnesses, held stringList
	fs.Var(&witnesses, "witness", "a witness's verifier key, pinned (repeatable)")
	fs.Var(&held, "checkpoint", "a signed checkpoint held outside the log (repeatable)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	findingsMode := fs.String("findings", sqlite.RecomputeChanged, "with --db: which recorded finding runs to recompute from the log and compare: changed (every run that recorded a version, and the latest), all, latest, or none (content ids only)")
	rf := addRecomputeFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if !*rf.on && (*rf.agreement != "" || *rf.from != "" || *rf.days != 0 || *rf.source != "" || *rf.published != "" || *rf.expect != "") {
		return usagef("verify: --agreement, --from, --days, --control-source, --published and --expect go with --recompute")
	}
	if *rf.on && (*db != "" || len(pos) == 1 && (strings.HasPrefix(pos[0], "http://") || strings.HasPrefix(pos[0], "https://"))) {
		return usagef("verify: --recompute recomputes from a bundle (DIR); --db recomputes the store's findings already")
	}
	switch *findingsMode {
	case sqlite.RecomputeChanged, sqlite.RecomputeAll, sqlite.RecomputeLatest, "none":
	default:
		return usagef("verify: --findings %q: one of changed, all, latest, none", *findingsMode)
	}
	switch {
	case *db != "" && len(pos) > 0:
		return usagef("verify: give either --db PATH or one DIR or URL, not both")
	case *db == "" && len(pos) != 1:
		return usagef("verify: want one DIR or URL, or --db PATH")
	}
	res := &verifyResult{Problems: []truce.Problem{}}
	a := ledger.NewAuditor(func(p truce.Problem) {
		res.Problems = append(res.Problems, p)
		if !*asJSON {
			fmt.Fprintln(e.stdout, p.String())
		}
	})
	if *logKey != "" {
		if err := a.PinLogKey(*logKey); err != nil {
			return usagef("verify: --log-key: %s", truce.ErrorMessage(err))
		}
	}
	for _, w := range witnesses {
		if err := a.PinWitness(w); err != nil {
			return usagef("verify: --witness: %s", truce.ErrorMessage(err))
		}
	}
	for _, file := range held {
		b, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		a.Checkpoint(file, b, true)
	}
	switch {
	case *db != "":
		res.What = *db
		if *keyFile == "" {
			*keyFile = defaultKeyFile(*db)
		}
		vkey, err := verifierKeyFromFile(*keyFile)
		if err != nil {
			return err
		}
		if vkey != "" {
			a.StatedLogKey(vkey, *keyFile)
		}
		a.RequireHeld()
		if res.Tables, err = sqlite.Verify(ctx, *db, a); err != nil {
			return err
		}
		var re sqlite.Recomputer
		if *findingsMode != "none" {
			re = recomputeRun
		}
		if res.Findings, err = sqlite.VerifyFindings(ctx, *db, a, re, *findingsMode); err != nil {
			return err
		}
	case strings.HasPrefix(pos[0], "http://") || strings.HasPrefix(pos[0], "https://"):
		res.What = pos[0]
		if err := verifyServer(ctx, pos[0], a); err != nil {
			return err
		}
	default:
		res.What = pos[0]
		if st, err := os.Stat(pos[0]); err != nil {
			return err
		} else if !st.IsDir() {
			return usagef("verify: %s is not a directory (a bundle made by truce log export) nor a URL", pos[0])
		}
		a.RequireHeld()
		if err := ledger.VerifyBundle(os.DirFS(pos[0]), a); err != nil {
			return err
		}
		if *rf.on && len(res.Problems) > 0 {
			a.Problem("recompute", "not done: the bundle does not verify")
		} else if *rf.on {
			if res.Recomputed, err = recomputeBundle(ctx, pos[0], rf, a); err != nil {
				return err
			}
		}
	}
	res.Summary = a.Finish()
	res.OK = res.Summary.Problems == 0
	if *asJSON {
		if err := writeJSON(e, res); err != nil {
			return err
		}
	} else {
		printVerifySummary(e.stdout, res)
	}
	if !res.OK {
		return errProblems
	}
	return nil
}

// printVerifySummary writes what was verified, or how many problems were
// found, for people.
func printVerifySummary(w io.Writer, res *verifyResult) {
	s := res.Summary
	if !res.OK {
		fmt.Fprintf(w, "FAILED: %d problem(s) in %s\n", s.Problems, res.What)
		if res.Recomputed != nil {
			printRecompute(w, res.Recomputed)
		}
		return
	}
	fmt.Fprintf(w, "OK: %s verifies.\n", res.What)
	if s.Origin != "" {
		fmt.Fprintf(w, "  log           %s\n", s.Origin)
	}
	var types []string
	for _, t := range slices.Sorted(maps.Keys(s.Types)) {
		types = append(types, fmt.Sprintf("%s %d", t, s.Types[t]))
	}
	fmt.Fprintf(w, "  entries       %d (%s), every one decoded strictly\n", s.Entries, strings.Join(types, ", "))
	fmt.Fprintf(w, "  root          %s (recomputed from the entries)\n", s.Root)
	switch {
	case s.LogKey == "":
		fmt.Fprintf(w, "  log key       none: no checkpoint signature was checked\n")
	case s.LogKeyPinned:
		fmt.Fprintf(w, "  log key       %s (pinned)\n", s.LogKey)
	default:
		fmt.Fprintf(w, "  log key       %s\n", s.LogKey)
		fmt.Fprintf(w, "                NOT pinned: stated by the log itself, so this shows only that the log agrees\n")
		fmt.Fprintf(w, "                with itself; pin the key its operator published with --log-key\n")
	}
	if s.Checkpoints == 0 {
		fmt.Fprintf(w, "  checkpoints   none: no signature vouches for the entries\n")
	} else {
		fmt.Fprintf(w, "  checkpoints   %d signed by the log key, consistent with the entries (largest: size %d)\n", s.Checkpoints, s.LatestSize)
	}
	fmt.Fprintf(w, "  cosignatures  %d verified (%d by pinned witnesses, %d by witnesses the log registers)", s.Cosignatures, s.PinnedCosignatures, s.Cosignatures-s.PinnedCosignatures)
	if s.Unverified > 0 {
		fmt.Fprintf(w, "; %d by unknown keys, not checked", s.Unverified)
	}
	fmt.Fprintln(w)
	if s.Disclosed > 0 {
		fmt.Fprintf(w, "  disclosed     %d private group(s) match their entries' commitments\n", s.Disclosed)
	}
	if s.Held > 0 {
		fmt.Fprintf(w, "  held outside  %d checkpoint(s), consistent with the log\n", s.Held)
	}
	if len(res.Tables) > 0 {
		var parts []string
		var n int64
		for _, t := range slices.Sorted(maps.Keys(res.Tables)) {
			parts = append(parts, fmt.Sprintf("%s %d", t, res.Tables[t]))
			n += res.Tables[t]
		}
		fmt.Fprintf(w, "  tables        %d rows match the log (%s)\n", n, strings.Join(parts, ", "))
	}
	if res.Recomputed != nil {
		printRecompute(w, res.Recomputed)
	}
	if f := res.Findings; f != nil {
		fmt.Fprintf(w, "  findings      %d versions match their content ids; %d of them, from %d of %d recorded runs, also what recomputing from the log gives\n",
			f.Versions, f.Recomputed, f.Rerun, f.Runs)
		for _, why := range f.Skipped {
			fmt.Fprintf(w, "                not recomputed: %s\n", why)
		}
	}
}

// verifyServer feeds a the log served at base: the latest checkpoint
// (GET /checkpoint), then every entry (GET /v1/log/entries, a page at a
// time), each rebuilt from its JSON fields into the entry encoding and
// checked against its content_sha256.
func verifyServer(ctx context.Context, base string, a *ledger.Auditor) error {
	base = strings.TrimSuffix(base, "/")
	client := &http.Client{Timeout: time.Minute}
	get := func(path string) ([]byte, int, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err != nil {
			return nil, 0, err
		}
		resp, err := doPolitely(ctx, client, req)
		if err != nil {
			return nil, 0, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
		return b, resp.StatusCode, err
	}
	cp, status, err := get("/checkpoint")
	switch {
	case err != nil:
		return err
	case status == http.StatusNotFound:
		a.Problem(base+"/checkpoint", "the server has no signed checkpoint")
	case status != http.StatusOK:
		return fmt.Errorf("GET %s/checkpoint: %d %s", base, status, strings.TrimSpace(string(cp)))
	default:
		a.Checkpoint(base+"/checkpoint", cp, false)
	}
	const page = 1000
	for start := int64(0); ; start += page {
		u := base + "/v1/log/entries?" + url.Values{"start": {strconv.FormatInt(start, 10)}, "end": {strconv.FormatInt(start+page, 10)}}.Encode()
		b, status, err := get(strings.TrimPrefix(u, base))
		if err != nil {
			return err
		}
		if status != http.StatusOK {
			return fmt.Errorf("GET %s: %d %s", u, status, strings.TrimSpace(string(b)))
		}
		var entries []struct {
			Index         int64           `json:"index"`
			Type          string          `json:"type"`
			Time          string          `json:"time"`
			Submitter     string          `json:"submitter"`
			Data          json.RawMessage `json:"data"`
			ContentSHA256 string          `json:"content_sha256"`
		}
		if err := json.Unmarshal(b, &entries); err != nil {
			return fmt.Errorf("GET %s: %w", u, err)
		}
		for i, en := range entries {
			if want := start + int64(i); en.Index != want {
				a.Problem(fmt.Sprintf("entry %d", want), "the server sent entry %d in its place", en.Index)
				return nil
			}
			enc := []byte("truce-entry/v1\n" + en.Type + "\n" + en.Time + "\n" + en.Submitter + "\n" + string(en.Data))
			if h := sha256.Sum256(enc); hex.EncodeToString(h[:]) != en.ContentSHA256 {
				a.Problem(fmt.Sprintf("entry %d", en.Index), "content_sha256 %.64s is not the SHA-256 of the entry rebuilt from its fields", en.ContentSHA256)
			}
			a.Entry(en.Index, enc)
		}
		if len(entries) < page {
			return nil
		}
	}
}
