package control_test

import (
	"testing"

	"github.com/truce-monitor/truce/control"
)

func FuzzDecodeBoundaries(f *testing.F) {
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"iso_a2":"UA","name":"Square"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"properties":{"iso_a2":"XX"},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[2,2],[3,2],[3,3],[2,2]]]]}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"properties":{"iso_a2":"XX"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,"x"],[0,0]]]}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := control.DecodeBoundaries(data)
		if err != nil {
			if b != nil {
				t.Fatal("boundaries returned with an error")
			}
			return
		}
		// Whatever decodes has a code per country and closed rings of at
		// least four positions in range.
		for i, c := range b.Countries {
			if c.Code == "" {
				t.Fatalf("countries[%d] has no code", i)
			}
			for _, p := range c.Ground {
				for _, r := range p {
					if len(r) < 4 || r[0] != r[len(r)-1] {
						t.Fatalf("countries[%d]: ring %v", i, r)
					}
					for _, pt := range r {
						if !(pt[0] >= -180 && pt[0] <= 180 && pt[1] >= -90 && pt[1] <= 90) {
							t.Fatalf("countries[%d]: position %v out of range", i, pt)
						}
					}
				}
			}
		}
	})
}
