package sqlite

import (
	"context"
	"fmt"
	"math/rand"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/storetest"
)

// BenchmarkAppendEntries measures the log alone: durable appends of
// batches of 1,000 entries (one transaction and one fsync per batch), each
// entry with the Merkle tree hashes it completes, and no projection, no id
// lookups, no validation. Its data is either a minimal JSON object or an
// observation's canonical JSON as the store logs it; set beside
// BenchmarkAddObservations it shows what the log costs and what the
// observations' checks and projection add.
func BenchmarkAppendEntries(b *testing.B) {
	lon, lat := 37.62345, 48.12345
	o := &truce.Observation{ID: "6f1c1a52-1d6b-4f0e-9a53-7e0c5b0f9a11", Source: "bench-sensor", SourceRole: truce.RoleSensor,
		Kind: truce.KindArtillery, ObservedAt: time.Date(2025, 3, 14, 6, 30, 0, 0, time.UTC), TimePrecision: truce.PrecisionMinute,
		Location: truce.Location{Lon: &lon, Lat: &lat, UncertaintyM: 500}, Counts: &truce.Counts{Rounds: 5}, BlamedParty: "RU",
		Text: "seeded benchmark observation"}
	obsData, err := o.Canonical()
	if err != nil {
		b.Fatal(err)
	}
	for _, data := range [][]byte{[]byte(`{"n":1}`), obsData} {
		for _, writers := range []int{1, 4} {
			b.Run(fmt.Sprintf("data-%dB/writers-%d", len(data), writers), func(b *testing.B) {
				ctx := context.Background()
				db, err := Open(ctx, filepath.Join(b.TempDir(), "truce.db"))
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				const batch = 1000
				work := make(chan struct{})
				var wg sync.WaitGroup
				b.ResetTimer()
				for range writers {
					wg.Go(func() {
						for range work {
							err := db.write(ctx, func(tx *txn) error {
								entries := make([]*truce.Entry, batch)
								for i := range entries {
									entries[i] = &truce.Entry{Index: tx.next + int64(i), Type: truce.EntryObservation, Time: tx.now, Submitter: "bench-sensor", Data: data}
								}
								return tx.appendAll(entries)
							})
							if err != nil {
								b.Error(err)
							}
						}
					})
				}
				for range b.N {
					work <- struct{}{}
				}
				close(work)
				wg.Wait()
				b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "entries/s")
			})
		}
	}
}

// BenchmarkAddSignedObservations is BenchmarkAddObservations for a source
// with a public key: batches of 1,000 signed observations, each signature
// verified (on all cores) before the durable append.
func BenchmarkAddSignedObservations(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(b.TempDir(), "truce.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	src, _, priv := storetest.MustSignedSource(b, db, "sensor", "sensor")
	const batch = 1000
	rng := rand.New(rand.NewSource(1))
	batches := make([][]*truce.Observation, b.N)
	for n := range batches {
		obs := make([]*truce.Observation, batch)
		for i := range obs {
			obs[i] = storetest.Obs(uuid.Must(uuid.NewRandomFromReader(rng)).String(), 37+float64(i)/1e4, 48, storetest.T0.Add(time.Duration(i)*time.Second))
			if err := truce.SignObservation(priv, obs[i]); err != nil {
				b.Fatal(err)
			}
		}
		batches[n] = obs
	}
	b.ResetTimer()
	for _, obs := range batches {
		if _, err := db.AddObservations(ctx, src, obs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "obs/s")
}
