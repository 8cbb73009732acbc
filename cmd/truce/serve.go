package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime/debug"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/findings"
	"github.com/truce-monitor/truce/httpapi"
	"github.com/truce-monitor/truce/sqlite"
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "serve", "serve [--db PATH] [--addr HOST:PORT] [--key FILE] [flags]",
		"Run the truce API server on the store at --db until interrupted (SIGINT or SIGTERM);\n"+
			"requests in flight finish and their writes commit before it exits.\n\n"+
			"With the log's key (made by truce keys init) it signs a checkpoint of the log at\n"+
			"startup and then, every --checkpoint-interval, whenever the log has grown; GET\n"+
			"/checkpoint serves the latest. Without the key file it serves unsigned.\n\n"+
			"In the background it recomputes findings at startup and after new observations\n"+
			"(--findings-debounce after the last), recording new versions (truce findings).")
	db := dbFlag(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "the address to listen on")
	maxBatch := fs.Int("max-batch", httpapi.DefaultMaxBatch, "the most observations one NDJSON batch may hold")
	maxBodyMiB := fs.Int64("max-body-mib", httpapi.DefaultMaxBodyBytes>>20, "the largest request body, in MiB (one JSON object: at most 1 MiB)")
	logJSON := fs.Bool("log-json", false, "log as JSON lines instead of text")
	keyFile := fs.String("key", "", "the log's signing key (default: the --db path + \".key\"); if the file does not exist, no checkpoints are signed")
	interval := fs.Duration("checkpoint-interval", time.Second, "how often to sign a checkpoint when the log has grown")
	debounce := fs.Duration("findings-debounce", findings.DefaultDebounce, "recompute findings once the log has taken no new observations for this long")
	pprofAddr := fs.String("pprof", "", "also serve Go's profiler (net/http/pprof) on this address, e.g. 127.0.0.1:6060")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *maxBatch < 1 || *maxBodyMiB < 1 {
		return usagef("serve: --max-batch and --max-body-mib must be at least 1")
	}
	if *interval <= 0 {
		return usagef("serve: --checkpoint-interval must be positive")
	}
	if *keyFile == "" {
		*keyFile = defaultKeyFile(*db)
	}
	signer, err := loadSigner(*keyFile)
	if err != nil {
		return err
	}
	if os.Getenv("GOGC") == "" {
		// Ingest allocates a few kilobytes per observation and keeps
		// little: collecting at 5× the live heap instead of 2× gives the
		// writer's core back about 7% (BENCHMARKS.md). GOGC overrides.
		debug.SetGCPercent(400)
	}
	store, err := sqlite.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	var handler slog.Handler = slog.NewTextHandler(e.stderr, nil)
	if *logJSON {
		handler = slog.NewJSONHandler(e.stderr, nil)
	}
	logger := slog.New(handler)
	if *pprofAddr != "" {
		pln, err := net.Listen("tcp", *pprofAddr)
		if err != nil {
			return err
		}
		defer pln.Close()
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		go http.Serve(pln, mux)
		logger.Info("profiler", "url", "http://"+pln.Addr().String()+"/debug/pprof/")
	}
	if signer == nil {
		logger.Warn("no log key: no checkpoints are signed (GET /checkpoint serves only those signed before, if any); make the key with truce keys init", "key", *keyFile)
	} else {
		// Stop signing before the store closes.
		defer startCheckpointer(ctx, store, signer, logger, *interval)()
		logger.Info("signing checkpoints", "origin", signer.Name(), "key", *keyFile, "interval", *interval)
	}
	// Stop recomputing before the store closes.
	defer startFindings(ctx, store, logger, *debounce)()
	logger.Info("serving", "url", "http://"+ln.Addr().String(), "db", *db)
	return serve(ctx, logger, ln, store, httpapi.Options{MaxBatch: *maxBatch, MaxBodyBytes: *maxBodyMiB << 20})
}

// serve serves the API on ln until ctx is done, then shuts down gracefully:
// requests in flight finish and their writes commit.
func serve(ctx context.Context, logger *slog.Logger, ln net.Listener, store truce.Store, opts httpapi.Options) error {
	opts.Logger = logger
	srv := &http.Server{
		Handler:           httpapi.NewServer(store, opts),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
