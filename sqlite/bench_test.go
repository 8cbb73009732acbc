package sqlite_test

import (
	"context"
	"fmt"
	"testing"
	"time"

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
	b.ResetTimer()
	for n := range b.N {
		obs := make([]*truce.Observation, batch)
		for i := range obs {
			obs[i] = storetest.Obs(fmt.Sprintf("b%d-%d", n, i), 37+float64(i)/1e4, 48, storetest.T0.Add(time.Duration(i)*time.Second))
		}
		if _, err := db.AddObservations(ctx, src, obs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "obs/s")
}
