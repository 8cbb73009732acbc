package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/importer"
	"github.com/truce-monitor/truce/sqlite"
)

// importSummary reports what one file's import did.
type importSummary struct {
	File               string          `json:"file"`
	Format             string          `json:"format"`
	Source             string          `json:"source"`
	Observations       int             `json:"observations"`
	NewObservations    int             `json:"new_observations"`
	ControlMaps        int             `json:"control_maps"`
	NewControlMaps     int             `json:"new_control_maps"`
	Skipped            []truce.Problem `json:"skipped,omitempty"`
	FirstLogIndex      int64           `json:"first_log_index"`
	LogSizeAfterImport int64           `json:"log_size"`
}

func runImport(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "import", "import FORMAT FILE... [--db PATH] [--skip-bad] [--source NAME] [--json]",
		"Import data files into the store. Formats: "+strings.Join(importer.Formats, ", ")+".\n"+
			"Each file imports atomically: one bad row rejects the file (reported as FILE:LINE: reason)\n"+
			"unless --skip-bad, which imports the rest and lists what it skipped. Re-importing a file\n"+
			"changes nothing: ids derive from the source and each row's key. Gzipped files are read as is.")
	db := dbFlag(fs)
	skipBad := fs.Bool("skip-bad", false, "import the good rows and list the bad ones")
	source := fs.String("source", "", "file the rows under this source name instead of the format's own")
	asJSON := fs.Bool("json", false, "print a JSON summary")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) < 2 {
		return usagef("import: want FORMAT and at least one FILE")
	}
	format, files := pos[0], pos[1:]
	if !isFormat(format) {
		return usagef("import: unknown format %q; one of %s", format, strings.Join(importer.Formats, ", "))
	}
	store, err := sqlite.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	sums := []*importSummary{}
	failed := false
	for _, f := range files {
		sum, err := importFile(ctx, e, store, format, f, importer.Options{SkipBad: *skipBad, Source: *source})
		if err != nil {
			failed = true
			printProblems(e, f, err)
			continue
		}
		sums = append(sums, sum)
		if !*asJSON {
			printSummary(e, sum)
		}
	}
	if *asJSON {
		if err := writeJSON(e, sums); err != nil {
			return err
		}
	}
	if failed {
		return errProblems
	}
	return nil
}

func isFormat(f string) bool {
	for _, x := range importer.Formats {
		if x == f {
			return true
		}
	}
	return false
}

func printSummary(e *env, s *importSummary) {
	fmt.Fprintf(e.stdout, "%s: %s as source %s: ", s.File, s.Format, s.Source)
	var parts []string
	if s.ControlMaps > 0 || s.Observations == 0 {
		parts = append(parts, fmt.Sprintf("%d control map(s), %d new", s.ControlMaps, s.NewControlMaps))
	}
	if s.Observations > 0 {
		parts = append(parts, fmt.Sprintf("%d observation(s), %d new", s.Observations, s.NewObservations))
	}
	if len(s.Skipped) > 0 {
		parts = append(parts, fmt.Sprintf("%d row(s) skipped", len(s.Skipped)))
	}
	fmt.Fprintf(e.stdout, "%s; log size %d\n", strings.Join(parts, ", "), s.LogSizeAfterImport)
	for _, p := range s.Skipped {
		fmt.Fprintf(e.stdout, "  skipped %s\n", p)
	}
}

func printProblems(e *env, file string, err error) {
	ps := truce.ErrorProblems(err)
	if len(ps) == 0 {
		fmt.Fprintf(e.stderr, "%s: %v\n", file, err)
		return
	}
	fmt.Fprintf(e.stderr, "%s: %s\n", file, truce.ErrorMessage(err))
	for _, p := range ps {
		if p.File == "" {
			p.File = file
		}
		fmt.Fprintln(e.stderr, p.String())
	}
}

// importFile reads one file and writes it to the store atomically.
func importFile(ctx context.Context, e *env, store truce.Store, format, file string, opts importer.Options) (*importSummary, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if bar := progress(e, f, "importing "+filepath.Base(file)); bar != nil {
		pr := progressbar.NewReader(f, bar)
		r = &pr
		defer bar.Finish()
	}
	return importReader(ctx, store, format, file, r, opts)
}

// importReader parses r and writes what it holds under its source.
func importReader(ctx context.Context, store truce.Store, format, name string, r io.Reader, opts importer.Options) (*importSummary, error) {
	res, err := importer.Read(format, name, r, opts)
	if err != nil {
		return nil, err
	}
	by, err := ensureSource(ctx, store, res.Source)
	if err != nil {
		return nil, err
	}
	sum := &importSummary{File: name, Format: format, Source: by.Name, Skipped: res.Skipped, FirstLogIndex: -1}
	if len(res.Observations) > 0 {
		results, err := store.AddObservations(ctx, by, res.Observations)
		if err != nil {
			return nil, truce.Relocate(err, name, res.Lines)
		}
		sum.Observations = len(results)
		for _, x := range results {
			if x.Created {
				sum.NewObservations++
				if sum.FirstLogIndex < 0 {
					sum.FirstLogIndex = x.LogIndex
				}
			}
		}
	}
	for _, m := range res.ControlMaps {
		rec, created, err := store.AddControlMap(ctx, by, m)
		if err != nil {
			return nil, err
		}
		sum.ControlMaps++
		if created {
			sum.NewControlMaps++
			if sum.FirstLogIndex < 0 {
				sum.FirstLogIndex = rec.LogIndex
			}
		}
	}
	if sum.LogSizeAfterImport, err = store.LogSize(ctx); err != nil {
		return nil, err
	}
	return sum, nil
}

// ensureSource returns the stored source named like want, registering it
// when missing. An import source's token is not printed: imports write
// through the CLI, which acts for the store's operator.
func ensureSource(ctx context.Context, store truce.Store, want *truce.Source) (*truce.Source, error) {
	s, err := store.Source(ctx, want.Name)
	switch truce.ErrorCode(err) {
	case "":
		if s.Role != want.Role || s.Party != want.Party {
			return nil, truce.Errorf(truce.ECONFLICT, "source %q is registered with role %s, but this import files as %s; pick another name with --source",
				s.Name, s.RoleString(), want.RoleString())
		}
		return s, nil
	case truce.ENOTFOUND:
		c := *want
		if _, err := store.CreateSource(ctx, nil, &c); err != nil {
			return nil, err
		}
		return &c, nil
	}
	return nil, err
}

// progress returns a progress bar over f's size on stderr when stderr is a
// terminal, and nil otherwise (pipes and logs stay quiet).
func progress(e *env, f *os.File, what string) *progressbar.ProgressBar {
	out, ok := e.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(out.Fd())) {
		return nil
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return nil
	}
	return progressbar.NewOptions64(st.Size(),
		progressbar.OptionSetWriter(out),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowBytes(true),
		progressbar.OptionThrottle(100_000_000),
		progressbar.OptionClearOnFinish(),
	)
}
