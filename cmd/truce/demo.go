package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/agreement"
	"github.com/truce-monitor/truce/examples"
	"github.com/truce-monitor/truce/importer"
	"github.com/truce-monitor/truce/ledger"
	"github.com/truce-monitor/truce/sqlite"
)

// demodata is a small slice of real data for the demo; see demodata/NOTICE
// for sources and licences.
//
//go:embed demodata
var demodata embed.FS

// demoFiles maps each demo data file to its import format.
var demoFiles = []struct{ format, glob string }{
	{"deepstate", "demodata/deepstatemap_data_*.geojson.gz"},
	{"airforce", "demodata/missile_attacks_daily_*.csv.gz"},
	{"viina", "demodata/viina_strike_reports_*.csv.gz"},
	{"firms", "demodata/fires_*.csv.gz"},
}

// demoSources are registered so that a user can try every role.
var demoSources = []struct{ name, role, about string }{
	{"demo-admin", "admin", "manages agreements and sources"},
	{"demo-analyst", "analyst", "reads and (later) reviews findings"},
	{"demo-monitor", "monitor", "files monitor observations"},
	{"ua-liaison", "party:UA", "files Ukraine's allegations"},
	{"ru-liaison", "party:RU", "files Russia's allegations"},
}

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "demo", "demo [--addr HOST:PORT] [--keep]",
		"Start a server on a fresh SQLite store in a temporary directory, loaded with the\n"+
			"example agreements and a slice of real data (DeepState control maps, Ukrainian Air Force\n"+
			"attack reports, VIINA strike reports, FIRMS fire detections; see NOTICE). Prints the URL\n"+
			"and API tokens, and stops cleanly on Ctrl-C.")
	addr := fs.String("addr", "127.0.0.1:8080", "the address to listen on (another free port is used if it is taken)")
	keep := fs.Bool("keep", false, "keep the store's directory after stopping")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "truce-demo-")
	if err != nil {
		return err
	}
	if !*keep {
		defer os.RemoveAll(dir)
	}
	dbPath := filepath.Join(dir, "truce.db")
	store, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := loadDemo(ctx, store); err != nil {
		return fmt.Errorf("loading the demo data: %w", err)
	}
	tokens := make([]string, len(demoSources))
	for i, s := range demoSources {
		role, party, err := truce.ParseRole(s.role)
		if err != nil {
			return err
		}
		if tokens[i], err = store.CreateSource(ctx, nil, &truce.Source{Name: s.name, Role: role, Party: party, Description: "demo: " + s.about}); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		host, _, _ := net.SplitHostPort(*addr)
		ln, err = net.Listen("tcp", net.JoinHostPort(host, "0"))
	}
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	// The demo's log key lives only as long as the demo.
	skey, vkey, err := ledger.GenerateKey(demoOrigin)
	if err != nil {
		return err
	}
	signer, err := ledger.NewSigner(skey)
	if err != nil {
		return err
	}
	if err := printDemo(ctx, e, store, dbPath, url, tokens, vkey); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	defer startCheckpointer(ctx, store, signer, logger, time.Second)()
	defer startFindings(ctx, store, logger, 0)()
	err = serve(ctx, logger, ln, store, serveConfig{})
	fmt.Fprintln(e.stdout, "truce demo stopped.")
	return err
}

// loadDemo logs the example agreements and imports the demo data, through
// the same paths as "truce agreement add" and "truce import".
func loadDemo(ctx context.Context, store truce.Store) error {
	names, err := fs.Glob(examples.FS, "*.yaml")
	if err != nil {
		return err
	}
	for _, name := range names {
		data, err := fs.ReadFile(examples.FS, name)
		if err != nil {
			return err
		}
		a, err := agreement.Parse("examples/"+name, data, agreement.WithFS(examples.FS))
		if err != nil {
			return err
		}
		if _, _, err := store.AddAgreement(ctx, nil, a); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	for _, df := range demoFiles {
		files, err := fs.Glob(demodata, df.glob)
		if err != nil {
			return err
		}
		sort.Strings(files)
		for _, name := range files {
			f, err := demodata.Open(name)
			if err != nil {
				return err
			}
			_, err = importReader(ctx, store, df.format, path.Base(name), f, importer.Options{})
			f.Close()
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	return nil
}

// demoOrigin names the demo's log in its checkpoints.
const demoOrigin = "truce.invalid/log/demo"

func printDemo(ctx context.Context, e *env, store truce.Store, dbPath, url string, tokens []string, vkey string) error {
	size, err := store.LogSize(ctx)
	if err != nil {
		return err
	}
	as, err := store.Agreements(ctx)
	if err != nil {
		return err
	}
	maps, err := store.ControlMaps(ctx)
	if err != nil {
		return err
	}
	var ids []string
	for _, a := range as {
		ids = append(ids, a.ID)
	}
	w := e.stdout
	fmt.Fprintf(w, "truce demo: a store at %s\n", dbPath)
	fmt.Fprintf(w, "  agreements: %s\n", strings.Join(ids, ", "))
	fmt.Fprintf(w, "  %d control maps and the real reports of March-April 2025; log size %d\n\n", len(maps), size)
	fmt.Fprintf(w, "Serving on %s\n\n", url)
	fmt.Fprintln(w, "API tokens (shown only now):")
	for i, s := range demoSources {
		fmt.Fprintf(w, "  %-13s %-9s %s\n", s.name, s.role, tokens[i])
	}
	fmt.Fprintf(w, "\nanalyst token: %s\n", tokens[1])
	fmt.Fprintf(w, "log verifier key (checkpoints at %s/checkpoint are signed with it): %s\n\nTry:\n", url, vkey)
	fmt.Fprintf(w, "  curl '%s/v1/observations?from=2025-03-14T00:00:00%%2B02:00&limit=5'\n", url)
	fmt.Fprintf(w, "  curl %s/v1/agreements/ceasefire-30d-2025\n", url)
	fmt.Fprintf(w, "  curl -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' \\\n", tokens[2])
	fmt.Fprintf(w, "       -d '{\"id\":\"demo-1\",\"kind\":\"artillery\",\"observed_at\":\"2025-03-15T06:10:00+02:00\",\"time_precision\":\"minute\",\"location\":{\"lon\":37.62,\"lat\":48.58,\"uncertainty_m\":500}}' \\\n")
	fmt.Fprintf(w, "       %s/v1/observations\n\nPress Ctrl-C to stop.\n", url)
	return nil
}
