package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/sqlite"
	"github.com/truce-monitor/truce/storetest"
)

// benchEntries is the size of the log the export and verify benchmarks
// work on.
const benchEntries = 100_000

// benchStore builds a store of benchEntries entries (observations filed
// in batches of 1,000, after their source's two entries) with a signed
// checkpoint of the whole log, beside its log key, in a directory removed
// when b ends.
func benchStore(b *testing.B) (db, vkey string) {
	b.Helper()
	ctx := context.Background()
	db = filepath.Join(b.TempDir(), "bench.db")
	skey, vkey, err := note.GenerateKey(seed("bench"), "truce.invalid/log/bench")
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(db+".key", []byte(skey+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	store, err := sqlite.Open(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	mon, _ := storetest.MustSource(b, store, "osce-team-1", "monitor")
	for k := 0; k < (benchEntries-2)/1000+1; k++ {
		batch := make([]*truce.Observation, min(1000, benchEntries-2-k*1000))
		for i := range batch {
			batch[i] = storetest.Obs(fmt.Sprintf("obs-%06d", k*1000+i), 37+float64(i)/1000, 48, storetest.T0.Add(time.Duration(k*1000+i)*time.Second))
		}
		if _, err := store.AddObservations(ctx, mon, batch); err != nil {
			b.Fatal(err)
		}
	}
	signer, err := loadSigner(db + ".key")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := (&checkpointer{store: store, signer: signer, log: slog.New(slog.DiscardHandler)}).sign(ctx); err != nil {
		b.Fatal(err)
	}
	return db, vkey
}

func benchCLI(b *testing.B, args ...string) {
	b.Helper()
	var out, errb discard
	if code := run(context.Background(), args, &out, &errb); code != exitOK {
		b.Fatalf("truce %v: exit %d", args, code)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkLogExport measures truce log export of a 100,000-entry log.
func BenchmarkLogExport(b *testing.B) {
	db, _ := benchStore(b)
	dir := b.TempDir()
	n := 0
	for b.Loop() {
		n++
		benchCLI(b, "log", "export", "--db", db, filepath.Join(dir, fmt.Sprint(n)))
	}
	b.ReportMetric(float64(benchEntries)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkVerifyBundle measures truce verify of a 100,000-entry bundle.
func BenchmarkVerifyBundle(b *testing.B) {
	db, vkey := benchStore(b)
	bundle := filepath.Join(b.TempDir(), "bundle")
	benchCLI(b, "log", "export", "--db", db, bundle)
	for b.Loop() {
		benchCLI(b, "verify", "--log-key", vkey, bundle)
	}
	b.ReportMetric(float64(benchEntries)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkVerifyDB measures truce verify --db of a 100,000-entry store,
// projections included.
func BenchmarkVerifyDB(b *testing.B) {
	db, vkey := benchStore(b)
	for b.Loop() {
		benchCLI(b, "verify", "--log-key", vkey, "--db", db)
	}
	b.ReportMetric(float64(benchEntries)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}
