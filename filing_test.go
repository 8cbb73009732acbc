package truce_test

import (
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

func TestFilingProblems(t *testing.T) {
	now := time.Date(2025, 3, 20, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
	for _, tt := range []struct {
		name      string
		at, until *time.Time
		paths     []string
	}{
		{"now", at(0), nil, nil},
		{"within the skew", at(truce.MaxClockSkew), nil, nil},
		{"past the skew", at(truce.MaxClockSkew + time.Second), nil, []string{"$.observed_at"}},
		{"days ahead", at(72 * time.Hour), nil, []string{"$.observed_at"}},
		{"long ago", at(-100 * 24 * time.Hour), nil, nil},
		{"until ahead", at(-time.Hour), at(time.Hour), []string{"$.observed_until"}},
		{"both ahead", at(time.Hour), at(2 * time.Hour), []string{"$.observed_at", "$.observed_until"}},
	} {
		o := &truce.Observation{ObservedAt: *tt.at, ObservedUntil: tt.until}
		ps := o.FilingProblems(now)
		var got []string
		for _, p := range ps {
			got = append(got, p.Path)
		}
		if len(got) != len(tt.paths) || len(got) > 0 && (got[0] != tt.paths[0] || got[len(got)-1] != tt.paths[len(tt.paths)-1]) {
			t.Errorf("%s: problems at %v, want %v", tt.name, got, tt.paths)
		}
	}
}

func TestFiledLate(t *testing.T) {
	obs := time.Date(2025, 3, 14, 6, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		after time.Duration
		late  bool
	}{{0, false}, {time.Hour, false}, {truce.LateFiling, false}, {truce.LateFiling + time.Second, true}, {30 * 24 * time.Hour, true}, {-time.Minute, false}} {
		if got := truce.FiledLate(obs, obs.Add(tt.after)); got != tt.late {
			t.Errorf("logged %v after: late %v, want %v", tt.after, got, tt.late)
		}
	}
}
