package truce

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
)

// A finding keeps one identity while it is recomputed: its series. The
// engine's [Finding.ID] names one incident, and an incident's id changes
// whenever an observation joins it; a series is named instead by the
// agreement, its version and the incident's anchor — the member
// observation with the lowest log index, which a later observation can
// never displace. Each recomputation that changes what a series says adds
// a [FindingVersion]; versions are never edited.
//
// Finding versions are derivations, not log entries: anyone holding the
// log recomputes each one from the log prefix of its LogSize. A store keeps
// them in a table beside its projections, which rebuilding from the log
// does not touch.

// FindingVersion is one version of a finding series: the engine's finding
// as recomputed from a log prefix, or the mark that the series was
// withdrawn.
type FindingVersion struct {
	// Series is the series' id (package findings makes it: a UUIDv5 of
	// the agreement, its version and the anchor).
	Series string `json:"series"`
	// Version numbers the series' versions from 1.
	Version int `json:"version"`
	// ContentID is [Finding.ContentID] of Finding, or for a withdrawn
	// version [WithdrawnContentID].
	ContentID        string `json:"content_id"`
	Agreement        string `json:"agreement"`
	AgreementVersion int    `json:"agreement_version"`
	// Anchor is the public id of the series' anchor observation and
	// AnchorIndex its log index.
	Anchor      string `json:"anchor"`
	AnchorIndex int64  `json:"anchor_index"`
	// LogSize is the size of the log prefix the version was derived from,
	// and Engine the engine that derived it.
	LogSize int64  `json:"log_size"`
	Engine  string `json:"engine"`
	// Finding is the engine's finding, as it derived it; nil when
	// Withdrawn.
	Finding *Finding `json:"finding,omitempty"`
	// Observations are the public ids of the incident's observations, in
	// log order (the anchor first).
	Observations []string `json:"observations,omitempty"`
	// Withdrawn says that the series no longer appears: its incident was
	// merged into another (MergedInto names the series that now holds its
	// anchor) or its observations were superseded or left the window.
	Withdrawn  bool   `json:"withdrawn,omitempty"`
	MergedInto string `json:"merged_into,omitempty"`
	// Changes lists what differs from the version before, by field
	// ("withdrawn", "violation", "rule", "party", "confidence", "reasons",
	// "observations", "engine", "merged_into"); a store fills it in when it
	// serves a history, and it is empty for version 1.
	Changes []string `json:"changes,omitempty"`
}

// ContentID returns the id of what f says: the hex SHA-256 of its JSON with
// LogSize left out, so that recomputing the same finding from a longer log
// gives the same id.
func (f *Finding) ContentID() string {
	c := *f
	c.LogSize = 0
	b, _ := json.Marshal(&c) // a Finding always encodes
	h := sha256.Sum256(append([]byte("truce-finding/v1\n"), b...))
	return hex.EncodeToString(h[:])
}

// WithdrawnContentID returns the content id of the version that withdraws
// series, merged into mergedInto ("" when not merged).
func WithdrawnContentID(series, mergedInto string) string {
	h := sha256.Sum256([]byte("truce-finding-withdrawn/v1\n" + series + "\n" + mergedInto))
	return hex.EncodeToString(h[:])
}

// changesFrom lists the fields in which v differs from prev, the version before
// it, in a fixed order; nil when prev is nil.
func (v *FindingVersion) changesFrom(prev *FindingVersion) []string {
	if prev == nil {
		return nil
	}
	var out []string
	add := func(name string, changed bool) {
		if changed {
			out = append(out, name)
		}
	}
	add("withdrawn", v.Withdrawn != prev.Withdrawn)
	if v.Finding != nil && prev.Finding != nil {
		a, b := prev.Finding, v.Finding
		add("violation", a.Violation != b.Violation)
		add("rule", a.Rule != b.Rule)
		add("party", a.Party != b.Party)
		add("confidence", a.Confidence != b.Confidence)
		add("reasons", !slices.Equal(a.Reasons, b.Reasons))
		add("observations", !slices.Equal(prev.Observations, v.Observations))
		add("engine", a.Engine != b.Engine)
	}
	add("merged_into", v.MergedInto != prev.MergedInto)
	return out
}

// SetChanges fills in Changes of each of versions, ordered oldest first,
// from the version before it.
func SetChanges(versions []*FindingVersion) {
	for i, v := range versions {
		if i > 0 {
			v.Changes = v.changesFrom(versions[i-1])
		}
	}
}

// SeriesFinding is one finding of a recomputation, with the series it
// belongs to.
type SeriesFinding struct {
	Series      string
	Anchor      string
	AnchorIndex int64
	// Observations are the incident's observations' public ids in log
	// order.
	Observations []string
	Finding      *Finding
}

// FindingRun is the outcome of one recomputation of the findings of one
// agreement version over a log prefix.
type FindingRun struct {
	Agreement        string
	AgreementVersion int
	LogSize          int64
	Engine           string
	// Findings holds one finding per series; the series of the agreement
	// version not among them are withdrawn.
	Findings []*SeriesFinding
}

// Validate reports every problem with r.
func (r *FindingRun) Validate() error {
	var ps problems
	if !ValidID(r.Agreement) {
		ps.add("agreement", "required")
	}
	if r.AgreementVersion < 1 {
		ps.add("agreement_version", "must be 1 or more")
	}
	if r.LogSize < 0 {
		ps.add("log_size", "must not be negative")
	}
	if r.Engine == "" {
		ps.add("engine", "required")
	}
	seen := map[string]bool{}
	for i, f := range r.Findings {
		at := func(field string) string { return "findings[" + strconv.Itoa(i) + "]" + field }
		switch {
		case f == nil || f.Finding == nil:
			ps.add(at(""), "no finding")
			continue
		case !ValidID(f.Series):
			ps.add(at(".series"), "required")
		case seen[f.Series]:
			ps.add(at(".series"), "series %s appears twice", f.Series)
		}
		seen[f.Series] = true
		if !ValidID(f.Anchor) || !slices.Contains(f.Observations, f.Anchor) {
			ps.add(at(".anchor"), "must be one of the incident's observations")
		}
		if err := f.Finding.Validate(); err != nil {
			ps.add(at(".finding"), "%s", ErrorMessage(err))
		} else if f.Finding.Agreement != r.Agreement || f.Finding.Version != r.AgreementVersion {
			ps.add(at(".finding"), "is under agreement %s version %d, not the run's", f.Finding.Agreement, f.Finding.Version)
		}
	}
	return ps.err("finding run")
}

// RecordResult says what a [FindingService.RecordFindings] stored.
type RecordResult struct {
	// Added are the new versions, withdrawals included, ordered by series.
	Added []*FindingVersion `json:"added"`
	// Unchanged counts the series whose current version already said the
	// same.
	Unchanged int `json:"unchanged"`
}

// FindingStatus selects findings by where their series stands.
type FindingStatus string

// Finding statuses.
const (
	StatusActive    FindingStatus = "active"    // the current version is a finding (the default)
	StatusWithdrawn FindingStatus = "withdrawn" // the current version withdraws the series
	StatusDisputed  FindingStatus = "disputed"  // active, with a dispute not yet resolved
	StatusAll       FindingStatus = "all"       // every series
)

// FindingStatuses lists every FindingStatus.
var FindingStatuses = []FindingStatus{StatusActive, StatusWithdrawn, StatusDisputed, StatusAll}

// FindingFilter selects the current versions of finding series. Empty
// fields select everything.
type FindingFilter struct {
	Agreement  string
	Party      string // the attributed party; "-" selects unattributed findings
	Confidence Confidence
	Violation  *bool
	Rule       string
	Status     FindingStatus // "" means StatusActive
	Limit      int           // page size; 0 means DefaultPageSize, capped at MaxPageSize
	Cursor     string        // from the previous page's Next
}

// FindingPage is one page of current finding versions, ordered by series
// id; Next is empty on the last page.
type FindingPage struct {
	Findings []*FindingVersion `json:"findings"`
	Next     string            `json:"next,omitempty"`
}

// FindingHistory is everything on the record about one finding series.
type FindingHistory struct {
	Series string `json:"series"`
	// Current is the current version; Earlier are the versions before it,
	// oldest first.
	Current *FindingVersion   `json:"current"`
	Earlier []*FindingVersion `json:"earlier"`
	// Reviews are the series' reviews in log order.
	Reviews []*ReviewRecord `json:"reviews"`
	// Outcome is where the finding stands now ([FindingHistory.Derive]).
	Outcome *Outcome `json:"outcome"`
}
