package truce_test

import (
	"testing"

	"github.com/truce-monitor/truce"
)

func TestValidators(t *testing.T) {
	tests := []struct {
		name  string
		valid func(string) bool
		yes   []string
		no    []string
	}{
		{"ValidPartyID", truce.ValidPartyID,
			[]string{"UA", "RU", "DPR", "LPR", "A1", "OSCE_SMM", "X-Y", "ABCDEFGHIJKLMNOP"},
			[]string{"", "U", "ua", "1A", "_A", "UA ", "ABCDEFGHIJKLMNOPQ", "UÄ"}},
		{"ValidName", truce.ValidName,
			[]string{"a", "osce-team-3", "ua.liaison", "firms_feed", "9x"},
			[]string{"", "-a", "A", "osce team", "über", string(make([]byte, 65))}},
		{"ValidID", truce.ValidID,
			[]string{"a", "6f1c2a1e-0b7e-4c55-9a51-2d1f0d1b2f10", "obs:2025:1", "A.b_c"},
			[]string{"", ".a", "a b", "a/b", "é", string(make([]byte, 129))}},
		{"ValidLang", truce.ValidLang,
			[]string{"uk", "ru", "en-GB", "zh-Hant-TW", "sr-Latn"},
			[]string{"", "u", "UK", "english", "en-", "en--GB", "en-G", "en-abcdefghi"}},
	}
	for _, tt := range tests {
		for _, s := range tt.yes {
			if !tt.valid(s) {
				t.Errorf("%s(%q) = false, want true", tt.name, s)
			}
		}
		for _, s := range tt.no {
			if tt.valid(s) {
				t.Errorf("%s(%q) = true, want false", tt.name, s)
			}
		}
	}
}
