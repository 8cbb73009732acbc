package truce_test

import (
	"encoding/hex"
	"testing"

	"github.com/truce-monitor/truce"
)

// TestSealerDerivations checks that a Sealer, reused from one observation
// to the next, derives what the functions that define the format do: each
// salt is Salt's, the public ids PublicID's (the superseded one's too) and
// each commitment Commit's.
func TestSealerDerivations(t *testing.T) {
	p := truce.DefaultDisclosure()
	s, err := truce.NewSealer(p, sealKey)
	if err != nil {
		t.Fatal(err)
	}
	a := monitorReport()
	b := monitorReport()
	b.ID, b.Supersedes, b.Text, b.Evidence = "team-3-0002", "team-3-0001", "<b>&\u2028</b>", nil
	c := monitorReport()
	c.Source, c.ID, c.Location = "a-much-longer-source-name-than-the-others-"+string(make([]byte, 80)), "x", truce.Location{Lon: f64(37), Lat: f64(48)}
	for _, o := range []*truce.Observation{a, b, c, a} {
		pub, pp, err := s.Seal(o)
		if err != nil {
			t.Fatal(err)
		}
		if id := truce.PublicID(truce.Salt(sealKey, truce.GroupSource, o.Source, o.ID), o.Source, o.ID); pub.ID != id {
			t.Errorf("%s: public id %s, want %s", o.ID, pub.ID, id)
		}
		if o.Supersedes != "" {
			if id := truce.PublicID(truce.Salt(sealKey, truce.GroupSource, o.Source, o.Supersedes), o.Source, o.Supersedes); pub.Supersedes != id {
				t.Errorf("%s: supersedes %s, want %s", o.ID, pub.Supersedes, id)
			}
		}
		if len(pp) != len(pub.Commitments) {
			t.Errorf("%s: %d private groups, %d commitments", o.ID, len(pp), len(pub.Commitments))
		}
		for g, sg := range pp {
			salt := truce.Salt(sealKey, g, o.Source, o.ID)
			if sg.Salt != hex.EncodeToString(salt) {
				t.Errorf("%s: group %s: salt %s, want %x", o.ID, g, sg.Salt, salt)
			}
			if want := truce.Commit(g, salt, sg.Value); pub.Commitments[g] != want {
				t.Errorf("%s: group %s: commitment %s, want %s", o.ID, g, pub.Commitments[g], want)
			}
		}
		// Seal, with a Sealer of its own, seals alike.
		pub2, pp2, err := truce.Seal(p, sealKey, o)
		if err != nil {
			t.Fatal(err)
		}
		b1, _ := pub.Canonical()
		b2, _ := pub2.Canonical()
		if string(b1) != string(b2) || len(pp) != len(pp2) {
			t.Errorf("%s: a reused Sealer and Seal differ:\n%s\n%s", o.ID, b1, b2)
		}
	}
}

func BenchmarkSealer(b *testing.B) {
	s, err := truce.NewSealer(truce.DefaultDisclosure(), sealKey)
	if err != nil {
		b.Fatal(err)
	}
	o := monitorReport()
	b.ReportAllocs()
	for b.Loop() {
		pub, _, err := s.Seal(o)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := pub.Canonical(); err != nil {
			b.Fatal(err)
		}
	}
}
