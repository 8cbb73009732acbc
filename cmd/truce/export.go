package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/mod/sumdb/tlog"
	"golang.org/x/term"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/ledger"
	"github.com/truce-monitor/truce/sqlite"
)

func runLog(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "log", args, []command{
		{"export", "write the log to a bundle for offline verification", runLogExport},
	})
}

// exportSummary reports what truce log export wrote.
type exportSummary struct {
	Dir          string `json:"dir"`
	Origin       string `json:"origin,omitempty"`
	Entries      int64  `json:"entries"`
	Root         string `json:"root"`
	Checkpoints  int    `json:"checkpoints"`
	Cosignatures int    `json:"cosignatures"`
	LogKey       string `json:"log_key"`
	// Audience is the audience the bundle is for, and Disclosed the
	// number of entries whose private groups (some or all) it holds:
	// observations, and sealed sources whose identity it may see.
	Audience  string `json:"audience"`
	Disclosed int    `json:"disclosed"`
}

// A discloser decides, through the one view function, which private
// groups of each observation a bundle's audience is given.
type discloser struct {
	audience truce.Audience
	policy   *truce.DisclosurePolicy
	now      time.Time
	parts    func(ctx context.Context, indexes []int64) (map[int64]truce.PrivateParts, error)
	// sources reads sealed source entries' identity groups.
	sources func(ctx context.Context, indexes []int64) (map[int64]*truce.SealedGroup, error)
	// releases are the releases logged, by the observation's public id:
	// read before the log's size, so every one is among the entries
	// exported.
	releases map[string][]*truce.ReleaseRecord
}

// disclose writes, into the bundle directory dir, the disclosed file of
// each observation among es that d's audience may see private groups of,
// and of each sealed source entry whose identity it may see, and returns
// how many it wrote.
func (d *discloser) disclose(ctx context.Context, dir string, es []*truce.Entry) (int, error) {
	if d == nil {
		return 0, nil
	}
	var obs, srcs []int64
	for _, en := range es {
		switch en.Type {
		case truce.EntryObservation:
			obs = append(obs, en.Index)
		case truce.EntrySource:
			srcs = append(srcs, en.Index)
		}
	}
	parts, err := d.parts(ctx, obs)
	if err != nil {
		return 0, err
	}
	idents, err := d.sources(ctx, srcs)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, en := range es {
		var shown truce.PrivateParts
		switch {
		case en.Type == truce.EntryObservation && parts[en.Index] != nil:
			pub, err := truce.DecodeSealed(en.Data)
			if err != nil {
				return n, fmt.Errorf("log export: entry %d: %s", en.Index, truce.ErrorMessage(err))
			}
			v := d.policy.View(d.audience, d.now, en.Time, pub, parts[en.Index], truce.ReleasesOf(d.releases[pub.ID]))
			shown = v.Disclosed
		case en.Type == truce.EntrySource && idents[en.Index] != nil:
			var pub truce.Source
			if err := json.Unmarshal(en.Data, &pub); err != nil {
				return n, fmt.Errorf("log export: entry %d: %v", en.Index, err)
			}
			if g := d.policy.SourceView(d.audience, d.now, en.Time, &pub, idents[en.Index]); g != nil {
				shown = truce.PrivateParts{truce.GroupSource: g}
			}
		}
		if len(shown) == 0 {
			continue
		}
		b, err := ledger.MarshalDisclosed(shown)
		if err != nil {
			return n, err
		}
		if err := writeSynced(filepath.Join(dir, ledger.DisclosedFile(en.Index)), b); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func runLogExport(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "log export", "log export [--db PATH] [--key FILE | --log-key VKEY] [--audience A] [--json] DIR",
		"Write the log to the directory DIR, which must not exist, as a bundle that anyone can\n"+
			"verify offline with truce verify DIR (or with their own code: docs/log-format.md,\n"+
			"\"Export bundle and verification\"): every entry, every signed checkpoint with its\n"+
			"cosignatures, the log's verifier key and a manifest. The bundle is written to a\n"+
			"temporary directory beside DIR and renamed into place when complete.\n\n"+
			"The verifier key is derived from the log's key file (default: the --db path +\n"+
			"\".key\"), or given with --log-key. It is written for convenience only: a bundle's\n"+
			"own key proves nothing, so verifiers should pin the key the log's operator published.\n\n"+
			"The entries hold observations' public forms only. Beside them, as\n"+
			"disclosed/<index>.json, the bundle holds the private groups of each observation that\n"+
			"its --audience (public, mission, party:<ID> or source:<NAME>; default public) may see\n"+
			"now under the disclosure policy (docs/disclosure.md): for the public, only what is\n"+
			"past its embargo or released to it (a release entry). Each comes with its salt, so\n"+
			"the reader can check it against the commitment in the entry (truce verify does).\n"+
			"Likewise the identity (name and description) of each sealed source that the audience\n"+
			"may see: from the same delay on, its observations name it.")
	db := dbFlag(fs)
	keyFile := fs.String("key", "", "the log's signing key file, to state its verifier key (default: the --db path + \".key\")")
	logKey := fs.String("log-key", "", "the log's verifier key to state in the bundle, instead of deriving it from the key file")
	audience := fs.String("audience", "public", "the audience the bundle is for: public, mission, party:<ID> or source:<NAME>")
	at := fs.String("at", "", "decide what the audience may see as of this time (RFC 3339; default now): to make again a bundle sent earlier, or one for when an embargo ends, which must not be sent before then")
	asJSON := fs.Bool("json", false, "print a JSON summary")
	pos, err := parseN(fs, args, "log export", "one DIR", 1)
	if err != nil {
		return err
	}
	now := time.Now()
	if *at != "" {
		if now, err = time.Parse(time.RFC3339, *at); err != nil {
			return usagef("log export: --at %q: want an RFC 3339 time, e.g. 2025-03-21T00:00:00Z", *at)
		}
	}
	aud, err := truce.ParseAudience(*audience)
	if err != nil {
		return usagef("log export: --audience: %s", truce.ErrorMessage(err))
	}
	dir := filepath.Clean(pos[0])
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("log export: %s already exists; it is not overwritten", dir)
	}
	if _, err := os.Stat(*db); err != nil {
		return fmt.Errorf("log export: %w", err)
	}
	vkey := strings.TrimSpace(*logKey)
	if vkey != "" {
		if _, err := ledger.NewVerifier(vkey); err != nil {
			return usagef("log export: --log-key: %s", truce.ErrorMessage(err))
		}
	} else {
		if *keyFile == "" {
			*keyFile = defaultKeyFile(*db)
		}
		if vkey, err = verifierKeyFromFile(*keyFile); err != nil {
			return err
		}
	}
	store, err := sqlite.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	policy, err := store.Policy(ctx)
	if err != nil {
		return err
	}
	releases, err := store.Releases(ctx, nil)
	if err != nil {
		return err
	}
	disc := &discloser{audience: aud, policy: policy, now: now, parts: store.PrivateParts, sources: store.SourceParts, releases: releases}
	sum, err := exportBundle(ctx, e, store, dir, vkey, disc)
	if err != nil {
		return err
	}
	sum.Audience = aud.String()
	if *asJSON {
		return writeJSON(e, sum)
	}
	fmt.Fprintf(e.stdout, "exported %d entries (root %s), %d checkpoint(s) with %d cosignature(s) to %s\n",
		sum.Entries, sum.Root, sum.Checkpoints, sum.Cosignatures, sum.Dir)
	if sum.Disclosed > 0 || aud.Kind != truce.AudiencePublic {
		fmt.Fprintf(e.stdout, "for the audience %s: the private groups it may see now of %d entries, in disclosed/\n", sum.Audience, sum.Disclosed)
	}
	if sum.LogKey == "" {
		fmt.Fprintf(e.stdout, "no log key found (%s): the bundle states none; verifiers need --log-key\n", *keyFile)
	} else {
		fmt.Fprintf(e.stdout, "log key stated in the bundle: %s\n", sum.LogKey)
	}
	return nil
}

// verifierKeyFromFile returns the verifier key of the log's signing key in
// file, or "" if the file does not exist.
func verifierKeyFromFile(file string) (string, error) {
	b, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("log key: %w", err)
	}
	vkey, err := ledger.VerifierKey(string(b))
	if err != nil {
		return "", fmt.Errorf("log key %s: %s", file, truce.ErrorMessage(err))
	}
	return vkey, nil
}

// exportBundle writes the store's log, as it is now, to the bundle
// directory dir: into a temporary directory beside it, renamed to dir once
// every file is written and synced.
//
// With disc, it adds the private groups disc discloses of each observation.
func exportBundle(ctx context.Context, e *env, store truce.Store, dir, vkey string, disc *discloser) (*exportSummary, error) {
	size, err := store.LogSize(ctx)
	if err != nil {
		return nil, err
	}
	cps, err := store.Checkpoints(ctx)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return nil, fmt.Errorf("log export: %w", err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	subs := []string{"entries", "checkpoints"}
	if disc != nil {
		subs = append(subs, "disclosed")
	}
	for _, sub := range subs {
		if err := os.Mkdir(filepath.Join(tmp, sub), 0o755); err != nil {
			return nil, fmt.Errorf("log export: %w", err)
		}
	}
	m := &ledger.Manifest{Format: ledger.BundleFormat, LogKey: vkey, Size: size, Checkpoints: []int64{}}
	sum := &exportSummary{Dir: dir, Entries: size, LogKey: vkey}
	for _, cp := range cps {
		if cp.Size > size {
			continue // signed while exporting: beyond the entries exported
		}
		if err := writeSynced(filepath.Join(tmp, ledger.CheckpointFile(cp.Size)), cp.Cosigned()); err != nil {
			return nil, err
		}
		m.Checkpoints = append(m.Checkpoints, cp.Size)
		sum.Checkpoints++
		sum.Cosignatures += len(cp.Cosignatures)
		if body, _, ok := strings.Cut(string(cp.Note), "\n\n"); ok {
			if c, err := ledger.ParseCheckpoint([]byte(body + "\n")); err == nil {
				m.Origin = c.Origin
			}
		}
	}
	if m.Origin == "" && vkey != "" {
		m.Origin, _, _ = strings.Cut(vkey, "+")
	}
	sum.Origin = m.Origin
	bar := entriesProgress(e, size, "exporting "+filepath.Base(dir))
	var tree ledger.Tree
	for k := int64(0); k*ledger.EntriesPerFile < size; k++ {
		start := k * ledger.EntriesPerFile
		end := min(start+ledger.EntriesPerFile, size)
		n, err := writeEntryFile(ctx, store, tmp, k, start, end, &tree, bar, disc)
		if err != nil {
			return nil, err
		}
		sum.Disclosed += n
	}
	if bar != nil {
		bar.Finish()
	}
	m.Root = tree.Root()
	sum.Root = base64.StdEncoding.EncodeToString(m.Root[:])
	if err := writeSynced(filepath.Join(tmp, ledger.ManifestFile), m.Marshal()); err != nil {
		return nil, err
	}
	for _, sub := range append(subs, ".") {
		if err := syncDir(filepath.Join(tmp, sub)); err != nil {
			return nil, err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		return nil, fmt.Errorf("log export: %w", err)
	}
	done = true
	if err := syncDir(filepath.Dir(dir)); err != nil {
		return nil, err
	}
	return sum, nil
}

// writeEntryFile writes the entries start <= index < end to entry file k
// of the bundle directory dir, adding their leaves to tree, and the
// disclosed files disc gives for them; it returns how many of those.
func writeEntryFile(ctx context.Context, store truce.Store, dir string, k, start, end int64, tree *ledger.Tree, bar *progressbar.ProgressBar, disc *discloser) (int, error) {
	disclosed := 0
	f, err := os.Create(filepath.Join(dir, ledger.EntryFile(k)))
	if err != nil {
		return 0, fmt.Errorf("log export: %w", err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	var rec []byte
	const page = 1000
	for at := start; at < end; at += page {
		es, err := store.Entries(ctx, at, min(at+page, end))
		if err != nil {
			return 0, err
		}
		if want := min(at+page, end) - at; int64(len(es)) != want {
			return 0, fmt.Errorf("log export: the store returned %d entries from %d, want %d", len(es), at, want)
		}
		for _, en := range es {
			enc := en.Encode()
			tree.Append(tlog.RecordHash(enc))
			rec = ledger.AppendEntryRecord(rec[:0], enc)
			if _, err := w.Write(rec); err != nil {
				return 0, fmt.Errorf("log export: %w", err)
			}
		}
		n, err := disc.disclose(ctx, dir, es)
		if err != nil {
			return 0, err
		}
		disclosed += n
		if bar != nil {
			bar.Add(len(es))
		}
	}
	if err := w.Flush(); err != nil {
		return 0, fmt.Errorf("log export: %w", err)
	}
	if err := f.Sync(); err != nil {
		return 0, fmt.Errorf("log export: %w", err)
	}
	return disclosed, f.Close()
}

// writeSynced writes b to the new file name and syncs it.
func writeSynced(name string, b []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("log export: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("log export: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("log export: %w", err)
	}
	return f.Close()
}

// syncDir syncs the directory dir, so that the names in it are durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("log export: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("log export: %w", err)
	}
	return nil
}

// entriesProgress returns a progress bar over n entries on stderr when
// stderr is a terminal, and nil otherwise (pipes and logs stay quiet).
func entriesProgress(e *env, n int64, what string) *progressbar.ProgressBar {
	out, ok := e.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(out.Fd())) || n == 0 {
		return nil
	}
	return progressbar.NewOptions64(n,
		progressbar.OptionSetWriter(io.Writer(out)),
		progressbar.OptionSetDescription(what),
		progressbar.OptionSetItsString("entries"),
		progressbar.OptionShowIts(),
		progressbar.OptionShowCount(),
		progressbar.OptionThrottle(100_000_000),
		progressbar.OptionClearOnFinish(),
	)
}
