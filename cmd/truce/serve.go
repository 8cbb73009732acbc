package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"os"
	"runtime/debug"
	"strings"
	"sync"
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
	tlsCert := fs.String("tls-cert", "", "serve HTTPS with this certificate chain (PEM); needs --tls-key")
	tlsKey := fs.String("tls-key", "", "the private key (PEM) of --tls-cert")
	lim := httpapi.DefaultLimits
	fs.Float64Var(&lim.ReadRate, "read-rate", lim.ReadRate, "reads (GET, HEAD) per second allowed to one address and to one token, sustained; 0: no limit")
	fs.IntVar(&lim.ReadBurst, "read-burst", lim.ReadBurst, "reads allowed in a burst above --read-rate")
	fs.Float64Var(&lim.WriteRate, "write-rate", lim.WriteRate, "writes per second allowed to one address and to one token, sustained; 0: no limit")
	fs.IntVar(&lim.WriteBurst, "write-burst", lim.WriteBurst, "writes allowed in a burst above --write-rate")
	fs.Float64Var(&lim.AuthFailures, "auth-failure-rate", lim.AuthFailures, "failed authentications per second allowed to one address before its tokens are refused with 429; 0: no limit")
	fs.IntVar(&lim.Expensive, "max-expensive", lim.Expensive, "requests to /v1/control/classify and /v1/control/diff served at once")
	proxies := fs.String("trusted-proxies", "", "comma-separated addresses or CIDR prefixes of reverse proxies whose X-Forwarded-For and X-Request-Id are believed")
	maxConns := fs.Int("max-conns", 1024, "the most client connections open at once; more wait to be accepted")
	readTimeout := fs.Duration("read-timeout", 2*time.Minute, "the longest a client may take to send a whole request (an upload slower than --max-body-mib per this is cut off)")
	writeTimeout := fs.Duration("write-timeout", 5*time.Minute, "the longest the server spends answering one request, from the end of its headers")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return usagef("serve: --tls-cert and --tls-key go together")
	}
	if *maxConns < 1 || *readTimeout <= 0 || *writeTimeout <= 0 {
		return usagef("serve: --max-conns, --read-timeout and --write-timeout must be positive")
	}
	for _, p := range strings.Split(*proxies, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		pfx, err := netip.ParsePrefix(p)
		if err != nil {
			a, aerr := netip.ParseAddr(p)
			if aerr != nil {
				return usagef("serve: --trusted-proxies: %q is neither an address nor a CIDR prefix", p)
			}
			pfx = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		lim.TrustedProxies = append(lim.TrustedProxies, pfx.Masked())
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
	if signer != nil {
		warnReadable(e, *keyFile, "log key")
	}
	if *tlsKey != "" {
		warnReadable(e, *tlsKey, "TLS key")
	}
	warnReadable(e, *db, "store") // a new store is made 0600; an old one may not be
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
	scheme := "http"
	if *tlsCert != "" {
		scheme = "https"
	}
	logger.Info("serving", "url", scheme+"://"+ln.Addr().String(), "db", *db)
	return serve(ctx, logger, newLimitListener(ln, *maxConns), store, serveConfig{
		opts:         httpapi.Options{MaxBatch: *maxBatch, MaxBodyBytes: *maxBodyMiB << 20, Limits: &lim},
		tlsCert:      *tlsCert,
		tlsKey:       *tlsKey,
		readTimeout:  *readTimeout,
		writeTimeout: *writeTimeout,
	})
}

// serveConfig is how serve serves.
type serveConfig struct {
	opts            httpapi.Options
	tlsCert, tlsKey string // HTTPS when set
	readTimeout     time.Duration
	writeTimeout    time.Duration
	// headerTimeout is how long a client has to send its headers; zero
	// means 10 s.
	headerTimeout time.Duration
}

// newServer returns the http.Server of the API, with its timeouts: a
// client has c.headerTimeout to send its headers, c.readTimeout its whole
// request; an answer must be written within c.writeTimeout; an idle
// keep-alive connection is closed after 2 minutes.
func newServer(logger *slog.Logger, store truce.Store, c serveConfig) *http.Server {
	c.opts.Logger = logger
	if c.readTimeout <= 0 {
		c.readTimeout = 2 * time.Minute
	}
	if c.writeTimeout <= 0 {
		c.writeTimeout = 5 * time.Minute
	}
	if c.headerTimeout <= 0 {
		c.headerTimeout = 10 * time.Second
	}
	return &http.Server{
		Handler:           httpapi.NewServer(store, c.opts),
		ReadHeaderTimeout: c.headerTimeout,
		ReadTimeout:       c.readTimeout,
		WriteTimeout:      c.writeTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// serve serves the API on ln until ctx is done, then shuts down gracefully:
// requests in flight finish and their writes commit.
func serve(ctx context.Context, logger *slog.Logger, ln net.Listener, store truce.Store, c serveConfig) error {
	srv := newServer(logger, store, c)
	errc := make(chan error, 1)
	go func() {
		if c.tlsCert != "" {
			errc <- srv.ServeTLS(ln, c.tlsCert, c.tlsKey)
			return
		}
		errc <- srv.Serve(ln)
	}()
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

// limitListener accepts at most n connections at once: past them, Accept
// waits until one closes.
type limitListener struct {
	net.Listener
	sem chan struct{}
}

func newLimitListener(ln net.Listener, n int) net.Listener {
	return &limitListener{Listener: ln, sem: make(chan struct{}, n)}
}

// Accept waits for a free slot, then for a connection.
func (l *limitListener) Accept() (net.Conn, error) {
	l.sem <- struct{}{}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitConn{Conn: c, release: sync.OnceFunc(func() { <-l.sem })}, nil
}

// limitConn frees its listener's slot when it is closed.
type limitConn struct {
	net.Conn
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.release()
	return err
}

// warnReadable warns on stderr when the secret file is readable or
// writable by others than its owner.
func warnReadable(e *env, file, what string) {
	fi, err := os.Stat(file)
	if err != nil {
		return
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		fmt.Fprintf(e.stderr, "truce: warning: the %s %s is open to others than its owner (mode %04o); chmod 600 %s\n", what, file, perm, file)
	}
}
