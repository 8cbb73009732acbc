package adjudicate_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/adjudicate"
)

// BenchmarkAdjudicate adjudicates 1,000 incidents (the ceasefire's cases
// other than advances, repeated) under the ceasefire on the real maps.
func BenchmarkAdjudicate(b *testing.B) {
	a := example(b, "ceasefire-30d-2025.yaml")
	maps := schedule(b, "RU")
	var incs []*truce.Incident
	byID := map[string]*truce.Observation{}
	cs := cases()
	for i := 0; len(incs) < 1000; i++ {
		c := cs[i%len(cs)]
		if c.agreement != "ceasefire-30d-2025.yaml" || c.kind == truce.KindAdvance {
			continue
		}
		inc, obs := c.build(b, fmt.Sprintf("inc-%04d", i))
		incs = append(incs, inc)
		for _, o := range obs {
			byID[o.ID] = o
		}
	}
	opts := &adjudicate.Options{Observations: byID}
	b.ResetTimer()
	for b.Loop() {
		if _, err := adjudicate.Adjudicate(context.Background(), incs, a, maps, opts); err != nil {
			b.Fatal(err)
		}
	}
}
