package truce_test

import (
	"testing"

	"github.com/truce-monitor/truce"
)

// FuzzParseRole checks that ParseRole never panics and that what it takes
// is what RoleString writes back.
func FuzzParseRole(f *testing.F) {
	for _, s := range []string{"admin", "analyst", "monitor", "sensor", "dataset", "party:UA", "party:", "party:ua", "party", "Party:UA", "party:UA:RU"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		role, party, err := truce.ParseRole(s)
		if err != nil {
			if truce.ErrorCode(err) != truce.EINVALID {
				t.Fatalf("ParseRole(%q): error code %s", s, truce.ErrorCode(err))
			}
			return
		}
		if got := (&truce.Source{Role: role, Party: party}).RoleString(); got != s {
			t.Fatalf("ParseRole(%q) = %s, %s, which writes back as %q", s, role, party, got)
		}
	})
}
