package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/sqlite"
)

// selfSigned writes a certificate for 127.0.0.1 and its key to dir and
// returns the files and a pool trusting the certificate.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "truce test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestServeTLS serves over TLS from certificate files: HTTPS answers, and
// plain HTTP, which would carry tokens in the clear, is refused.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	store, err := sqlite.Open(ctx, filepath.Join(dir, "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, slog.New(slog.DiscardHandler), newLimitListener(ln, 8), store, serveConfig{tlsCert: certFile, tlsKey: keyFile})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	base := "://" + ln.Addr().String() + "/healthz"
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	res, err := c.Get("https" + base)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.TLS == nil || !bytes.Contains(b, []byte(`"status":"ok"`)) {
		t.Errorf("HTTPS: status %d, TLS %v, body %s", res.StatusCode, res.TLS != nil, b)
	}
	res, err = http.Get("http" + base)
	if err == nil {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest || bytes.Contains(b, []byte(`"status":"ok"`)) {
			t.Errorf("plain HTTP to the TLS server: status %d, body %s", res.StatusCode, b)
		}
	}
}

// TestServerTimeouts checks that the API's http.Server bounds every phase
// of a request, so that a slow client cannot hold a connection forever.
func TestServerTimeouts(t *testing.T) {
	srv := newServer(slog.New(slog.DiscardHandler), nil, serveConfig{})
	for name, d := range map[string]time.Duration{
		"ReadHeaderTimeout": srv.ReadHeaderTimeout,
		"ReadTimeout":       srv.ReadTimeout,
		"WriteTimeout":      srv.WriteTimeout,
		"IdleTimeout":       srv.IdleTimeout,
	} {
		if d <= 0 {
			t.Errorf("%s is %v: unbounded", name, d)
		}
	}
	if srv.ReadHeaderTimeout > srv.ReadTimeout {
		t.Errorf("ReadHeaderTimeout %v is longer than ReadTimeout %v", srv.ReadHeaderTimeout, srv.ReadTimeout)
	}
	if srv.MaxHeaderBytes <= 0 || srv.MaxHeaderBytes > 1<<20 {
		t.Errorf("MaxHeaderBytes = %d", srv.MaxHeaderBytes)
	}
}

// TestLimitListener checks the connection cap: with n connections open, no
// slot is free until one closes.
func TestLimitListener(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer inner.Close()
	ln := newLimitListener(inner, 2).(*limitListener)
	var conns []net.Conn
	for range 2 {
		d, err := net.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		c, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	if len(ln.sem) != cap(ln.sem) {
		t.Fatalf("%d of %d slots taken after two accepts", len(ln.sem), cap(ln.sem))
	}
	conns[0].Close()
	conns[0].Close() // a second close frees nothing more
	if len(ln.sem) != 1 {
		t.Fatalf("%d slots taken after one close, want 1", len(ln.sem))
	}
	conns[1].Close()
	if len(ln.sem) != 0 {
		t.Fatalf("%d slots taken after all closed", len(ln.sem))
	}
}

// TestWarnReadable checks the warning for secret files others can read.
func TestWarnReadable(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		mode os.FileMode
		warn bool
	}{{0o600, false}, {0o400, false}, {0o640, true}, {0o644, true}, {0o606, true}} {
		f := filepath.Join(dir, "k")
		os.WriteFile(f, []byte("secret"), 0o600)
		if err := os.Chmod(f, tc.mode); err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		warnReadable(&env{stdout: io.Discard, stderr: &stderr}, f, "log key")
		if got := strings.Contains(stderr.String(), "warning: the log key "+f); got != tc.warn {
			t.Errorf("mode %04o: warned %v (%q), want %v", tc.mode, got, stderr.String(), tc.warn)
		}
	}
}

// TestSlowHeaders checks that a client that sends its headers a byte at a
// time, or stops half way (slowloris), is cut off when its time for them
// is up rather than holding the connection, and that the server goes on
// serving others.
func TestSlowHeaders(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	store, err := sqlite.Open(ctx, filepath.Join(dir, "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, slog.New(slog.DiscardHandler), newLimitListener(ln, 8), store, serveConfig{headerTimeout: 200 * time.Millisecond})
	}()
	defer func() { cancel(); <-done }()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "); err != nil {
		t.Fatal(err)
	}
	// Generous: the server must close long before this; it is not a
	// measure of how soon.
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	b, err := io.ReadAll(c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the server kept the half-sent request's connection open")
	}
	if bytes.Contains(b, []byte(`"status":"ok"`)) {
		t.Errorf("a request whose headers never ended was served: %s", b)
	}
	res, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("/healthz after: %d", res.StatusCode)
	}
}

// TestServeFlags checks the flags of the hardening that must be given
// right or not at all.
func TestServeFlags(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--trusted-proxies", "10.0.0.0/8,not-an-address"}, `"not-an-address" is neither an address nor a CIDR prefix`},
		{[]string{"--tls-cert", "cert.pem"}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-key", "key.pem"}, "--tls-cert and --tls-key go together"},
		{[]string{"--max-conns", "0"}, "must be positive"},
		{[]string{"--read-timeout", "0s"}, "must be positive"},
	} {
		code, _, errOut := runCLI(t, append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, tc.args...)...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %q; want usage error with %q", tc.args, code, errOut, tc.want)
		}
	}
}
