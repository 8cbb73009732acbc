package sqlite

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

// TestMarshalParts checks that marshalParts writes the bytes json.Marshal
// does for private parts as a Sealer makes them, strings that JSON
// escapes included, in every mix of groups.
func TestMarshalParts(t *testing.T) {
	if !slices.IsSorted(truce.FieldGroups) {
		t.Fatalf("truce.FieldGroups %v are not in order of name, which marshalParts writes them in", truce.FieldGroups)
	}
	s, err := truce.NewSealer(truce.DefaultDisclosure(), make([]byte, truce.SealingKeySize))
	if err != nil {
		t.Fatal(err)
	}
	f := func(v float64) *float64 { return &v }
	base := truce.Observation{
		ID: "a", Source: "mon", SourceRole: truce.RoleMonitor, Kind: truce.KindArtillery,
		ObservedAt: time.Date(2025, 3, 14, 6, 0, 0, 0, time.UTC), TimePrecision: truce.PrecisionMinute,
		Location: truce.Location{Lon: f(37.5), Lat: f(48.5)},
	}
	var obs []truce.Observation
	for _, text := range []string{"", "plain", `<script>&"quote"\` + "\u2028\u2029\x01\xff", "Чотири постріли"} {
		for _, observer := range []bool{false, true} {
			for _, evidence := range []bool{false, true} {
				o := base
				o.ID = "id <&> " + text
				o.Text = text
				if observer {
					o.Location = truce.Location{Observer: &truce.Position{Lon: 37.8, Lat: 48.1}, BearingDeg: f(90), DistanceM: f(3000)}
				}
				if evidence {
					o.Evidence = []truce.Evidence{{SHA256: "AB" + string(make([]byte, 62)), Ref: "photo <1>.jpg"}}
				}
				obs = append(obs, o)
			}
		}
	}
	for _, o := range obs {
		_, pp, err := s.Seal(&o)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(pp)
		if err != nil {
			t.Fatal(err)
		}
		if got := marshalParts(pp); string(got) != string(want) {
			t.Errorf("%q:\n got %s\nwant %s", o.ID, got, want)
		}
	}
}

// BenchmarkSealAll measures what AddObservations does to a batch of 1,000
// observations before it queues for the writer: seal each under the
// default policy (salts, public id, commitments) and encode its public
// form and private parts, on every core.
func BenchmarkSealAll(b *testing.B) {
	key := make([]byte, truce.SealingKeySize)
	p := truce.DefaultDisclosure()
	obs := make([]truce.Observation, 1000)
	for i := range obs {
		lon, lat := 37+float64(i)/1e4, 48.0
		obs[i] = truce.Observation{
			ID: fmt.Sprintf("3f1c9a52-8d4e-4b7a-9c61-%012x", i), Source: "bench-sensor", SourceRole: truce.RoleSensor,
			Kind: truce.KindArtillery, ObservedAt: time.Date(2025, 3, 14, 6, 0, i, 0, time.UTC), TimePrecision: truce.PrecisionMinute,
			Location: truce.Location{Lon: &lon, Lat: &lat, UncertaintyM: 250}, Counts: &truce.Counts{Rounds: 4},
			BlamedParty: "RU", Text: "seeded benchmark observation",
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sealAll(p, key, obs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(obs)), "ns/obs")
}
