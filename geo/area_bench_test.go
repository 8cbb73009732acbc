package geo_test

import (
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/truce-monitor/truce/geo"
)

// BenchmarkAreaDeepStateParallel measures the areas of all DeepState
// snapshots, as BenchmarkAreaDeepState does, with the snapshots shared out
// among GOMAXPROCS goroutines: what a caller that parallelises over
// snapshots gets. Run it with -cpu 1,2 to compare.
func BenchmarkAreaDeepStateParallel(b *testing.B) {
	names, _ := filepath.Glob(filepath.Join(deepstateDir, "deepstatemap_data_*.geojson.gz"))
	if len(names) == 0 {
		b.Skip("no DeepState snapshots")
	}
	snaps := make([]geo.MultiPolygon, len(names))
	vertices := 0
	for i, n := range names {
		snaps[i] = readSnapshot(b, filepath.Base(n))
		for _, p := range snaps[i] {
			for _, r := range p {
				vertices += len(r)
			}
		}
	}
	areas := make([]float64, len(snaps))
	workers := runtime.GOMAXPROCS(0)
	b.ResetTimer()
	for b.Loop() {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for {
					i := int(next.Add(1)) - 1
					if i >= len(snaps) {
						return
					}
					areas[i] = snaps[i].Area()
				}
			})
		}
		wg.Wait()
	}
	perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(perOp/1e6, "ms/all")
	b.ReportMetric(perOp/float64(vertices), "ns/vertex")
}
