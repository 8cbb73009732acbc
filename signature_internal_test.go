package truce

import (
	"crypto/ed25519"
	"slices"
	"testing"
	"time"
)

// FuzzCutSigningBytes checks that cutting the signing bytes out of the
// canonical bytes, when it succeeds, gives exactly what encoding them
// gives, whatever the values; and that it succeeds for what a store logs.
func FuzzCutSigningBytes(f *testing.F) {
	f.Add("obs-1", "mon", "monitor", "", "text", false)
	f.Add("obs-2", "ua-liaison", "party", "UA", "<&> \u2028 \"x\"", true)
	f.Add("a", "", "", "", "", true)
	f.Add("a\"b", "x\\y", "r<", "P", "t", true)
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	f.Fuzz(func(t *testing.T, id, source, role, party, text string, sign bool) {
		lon, lat := 37.5, 48.25
		o := &Observation{ID: id, Source: source, SourceRole: Role(role), SourceParty: party, Kind: KindArtillery,
			ObservedAt: time.Date(2025, 3, 14, 6, 0, 0, 0, time.UTC), TimePrecision: PrecisionMinute,
			Location: Location{Lon: &lon, Lat: &lat}, Text: text}
		if sign {
			if err := SignObservation(priv, o); err != nil {
				t.Skip()
			}
		} else {
			o.Signature = "AAAA"
		}
		canonical, err := o.Canonical()
		if err != nil {
			t.Skip()
		}
		want, err := o.SigningBytes()
		if err != nil {
			t.Fatal(err)
		}
		got, ok := cutSigningBytes(o, canonical)
		if ok && string(got) != string(want) {
			t.Fatalf("cut\n%s\nencoded\n%s", got, want)
		}
		stored := ValidID(id) && (source == "" || ValidName(source)) && (role == "" || slices.Contains(Roles, Role(role))) && (party == "" || ValidPartyID(party))
		if stored && !ok {
			t.Fatalf("no cut from %s", canonical)
		}
	})
}
