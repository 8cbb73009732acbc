package sqlite_test

import (
	"context"
	"math/rand"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/storetest"
)

// BenchmarkAddObservations measures durable appends in batches of 1,000
// (one transaction and one fsync per batch).
func BenchmarkAddObservations(b *testing.B) {
	ctx := context.Background()
	db := open(b)
	defer db.Close()
	src, _ := storetest.MustSource(b, db, "sensor", "sensor")
	const batch = 1000
	// Ids are random UUIDs, as clients are advised to use: they land all
	// over the id index, which is what a real store pays for.
	rng := rand.New(rand.NewSource(1))
	b.ResetTimer()
	for range b.N {
		obs := make([]*truce.Observation, batch)
		for i := range obs {
			obs[i] = storetest.Obs(uuid.Must(uuid.NewRandomFromReader(rng)).String(), 37+float64(i)/1e4, 48, storetest.T0.Add(time.Duration(i)*time.Second))
		}
		if _, err := db.AddObservations(ctx, src, obs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "obs/s")
}
