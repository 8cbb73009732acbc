package correlate_test

import (
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/correlate"
	"github.com/truce-monitor/truce/geo"
)

// TestCluster checks that Cluster is the clustering Correlate fuses: every
// hot spot's detections are labelled InHotspot, reports NotDense, every
// cluster lies within one incident (reports may fuse two), and the labels
// do not depend on the order of the records.
func TestCluster(t *testing.T) {
	var line geo.LineString
	for i := range 20 {
		line = append(line, geo.Point{36 + 0.1*float64(i), 47.5 + 0.05*float64(i)})
	}
	inputs := map[string][]*truce.ObservationRecord{
		"mixed":  mixed(),
		"seeded": correlate.SeededDetections(geo.MultiLineString{line}, 20000, 3),
	}
	for name, recs := range inputs {
		t.Run(name, func(t *testing.T) {
			cl, err := correlate.Cluster(recs, nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := correlate.Correlate(recs, nil)
			if err != nil {
				t.Fatal(err)
			}
			label := make(map[string]int32, len(recs))
			for i, r := range recs {
				label[r.ID] = cl.Labels[i]
			}
			hot := map[string]bool{}
			for _, h := range res.Hotspots {
				for _, id := range h.Observations {
					hot[id] = true
				}
			}
			if len(cl.Hotspots) != len(res.Hotspots) {
				t.Errorf("%d hot spots, Correlate found %d", len(cl.Hotspots), len(res.Hotspots))
			}
			seen := map[int32]string{} // cluster -> incident
			clusters, noise := 0, 0
			for _, inc := range res.Incidents {
				for _, id := range inc.Observations {
					switch l := label[id]; {
					case l >= 0:
						if in, ok := seen[l]; ok && in != inc.ID {
							t.Fatalf("cluster %d lies in incidents %s and %s", l, in, inc.ID)
						} else if !ok {
							seen[l] = inc.ID
							clusters++
						}
					case l == correlate.Noise:
						noise++
					case l == correlate.InHotspot:
						t.Fatalf("hot spot detection %s in incident %s", id, inc.ID)
					}
				}
			}
			if clusters != cl.Clusters {
				t.Errorf("incidents hold %d clusters, Cluster found %d", clusters, cl.Clusters)
			}
			var inHot, notDense int
			for _, r := range recs {
				switch label[r.ID] {
				case correlate.InHotspot:
					inHot++
					if !hot[r.ID] {
						t.Errorf("%s labelled InHotspot but in no hot spot", r.ID)
					}
				case correlate.NotDense:
					notDense++
				}
			}
			if inHot != len(hot) {
				t.Errorf("%d labelled InHotspot, hot spots hold %d", inHot, len(hot))
			}
			if cl.Clusters == 0 || noise == 0 {
				t.Errorf("%d clusters and %d lone detections: the input tests too little", cl.Clusters, noise)
			}
			if name == "mixed" && (notDense == 0 || inHot == 0) {
				t.Errorf("%d reports and %d hot spot detections: the input tests too little", notDense, inHot)
			}

			// The caller's order does not matter.
			rev := reversed(recs)
			cl2, err := correlate.Cluster(rev, nil)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range rev {
				if cl2.Labels[i] != label[r.ID] {
					t.Fatalf("record %s: label %d reversed, %d in order", r.ID, cl2.Labels[i], label[r.ID])
				}
			}
		})
	}
}

func TestClusterErrors(t *testing.T) {
	b := &builder{}
	a := b.detection("a", t0, 36, 47)
	for _, tc := range []struct {
		name string
		recs []*truce.ObservationRecord
		opts *correlate.Options
	}{
		{"nil record", []*truce.ObservationRecord{nil}, nil},
		{"time out of range", []*truce.ObservationRecord{b.detection("c", t0.AddDate(300, 0, 0), 36, 47)}, nil},
		{"bad options", []*truce.ObservationRecord{a}, &correlate.Options{EpsM: -1}},
	} {
		if _, err := correlate.Cluster(tc.recs, tc.opts); truce.ErrorCode(err) != truce.EINVALID {
			t.Errorf("%s: error %v, want %s", tc.name, err, truce.EINVALID)
		}
	}
	if cl, err := correlate.Cluster(nil, nil); err != nil || cl.Clusters != 0 || len(cl.Labels) != 0 {
		t.Errorf("no records: %+v, %v", cl, err)
	}
}
