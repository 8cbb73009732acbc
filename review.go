package truce

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// EntryReview is the type of the log entry that holds a [Review]: its data
// is the review's canonical JSON.
const EntryReview EntryType = "review"

// Review actions.
const (
	ActionReviewFinding  Action = "review findings"  // confirm, override, resolve: analysts
	ActionDisputeFinding Action = "dispute findings" // parties, about themselves
)

// ReviewAction is what a review does.
type ReviewAction string

// Review actions.
const (
	// ReviewConfirm: an analyst agrees with the version they saw.
	ReviewConfirm ReviewAction = "confirm"
	// ReviewOverride: an analyst sets the violation, party or confidence
	// differently, with a reason.
	ReviewOverride ReviewAction = "override"
	// ReviewDispute: a party disputes a finding about itself, with a
	// reason and evidence.
	ReviewDispute ReviewAction = "dispute"
	// ReviewResolve: an analyst resolves an open dispute, upheld (with
	// the corrected fields) or rejected.
	ReviewResolve ReviewAction = "resolve"
)

// ReviewActions lists every ReviewAction.
var ReviewActions = []ReviewAction{ReviewConfirm, ReviewOverride, ReviewDispute, ReviewResolve}

// Outcomes of resolving a dispute.
const (
	DisputeUpheld   = "upheld"
	DisputeRejected = "rejected"
)

// Limits on a review's text.
const (
	MaxReviewReason   = 4096  // bytes of reason
	MaxReviewText     = 16384 // bytes of evidence text
	MaxReviewEvidence = 100   // evidence observation ids
)

// Review is one step of the review of a finding series, kept in the log as
// a "review" entry. It names the series and the version it was made
// against; the store stamps who made it and the content id of that
// version, so that anyone can check the review against a recomputation.
type Review struct {
	// ID is chosen by the reviewer (a UUID): a review sent again with the
	// same id and content is not logged twice.
	ID      string       `json:"id"`
	Series  string       `json:"series"`
	Version int          `json:"version"`
	Action  ReviewAction `json:"action"`
	// Violation, Party and Confidence are an override's, or an upheld
	// resolution's, corrected fields; nil or empty leaves a field as the
	// engine found it. A Party of "" says the finding is attributed to no
	// party.
	Violation  *bool      `json:"violation,omitempty"`
	Party      *string    `json:"party,omitempty"`
	Confidence Confidence `json:"confidence,omitempty"`
	// Reason says why, in the reviewer's words.
	Reason string `json:"reason,omitempty"`
	// Evidence are ids of logged observations that a dispute rests on,
	// and Text its evidence in words.
	Evidence []string `json:"evidence,omitempty"`
	Text     string   `json:"text,omitempty"`
	// Dispute is the id of the dispute a resolution resolves, and Outcome
	// DisputeUpheld or DisputeRejected.
	Dispute string `json:"dispute,omitempty"`
	Outcome string `json:"outcome,omitempty"`
	// Finding is the content id of the version reviewed; By and Role name
	// the source that made the review, with its role as ParseRole reads
	// it. The store sets all three.
	Finding string `json:"finding"`
	By      string `json:"by"`
	Role    string `json:"role"`
}

// ReviewRecord is a logged review.
type ReviewRecord struct {
	*Review
	LogIndex int64     `json:"log_index"`
	LoggedAt time.Time `json:"logged_at"`
	// Earlier says that the review was made against a version before the
	// series' current one; ResolvedBy names the resolution of a dispute.
	// A store fills both in when it serves a history.
	Earlier    bool   `json:"against_earlier_version,omitempty"`
	ResolvedBy string `json:"resolved_by,omitempty"`
}

// corrects reports whether r sets any of the corrected fields.
func (r *Review) corrects() bool {
	return r.Violation != nil || r.Party != nil || r.Confidence != ""
}

// Validate reports every problem with r that can be seen without the
// store, with JSON paths. It does not check the fields the store sets.
func (r *Review) Validate() error {
	var ps problems
	if !ValidID(r.ID) {
		ps.add("$.id", "required: an id for the review (a UUID), so that sending it again does not log it twice")
	}
	if !ValidID(r.Series) {
		ps.add("$.series", "required: the finding series reviewed")
	}
	if r.Version < 1 {
		ps.add("$.version", "required: the version of the finding reviewed, 1 or more")
	}
	text := func(path, s string, max int) {
		if !utf8.ValidString(s) {
			ps.add(path, "not valid UTF-8")
		} else if len(s) > max {
			ps.add(path, "longer than %d bytes", max)
		}
	}
	text("$.reason", r.Reason, MaxReviewReason)
	text("$.text", r.Text, MaxReviewText)
	if r.Party != nil && *r.Party != "" && !ValidPartyID(*r.Party) {
		ps.add("$.party", "%q is not a party id (upper-case, like \"UA\"); \"\" attributes the finding to no party", *r.Party)
	}
	if r.Confidence != "" && !slices.Contains(Confidences, r.Confidence) {
		ps.add("$.confidence", "unknown confidence %q; one of %s", r.Confidence, quoted(Confidences))
	}
	none := func(path string, set bool) {
		if set {
			ps.add(path, "not taken by a %s review", r.Action)
		}
	}
	noCorrection := func() {
		none("$.violation", r.Violation != nil)
		none("$.party", r.Party != nil)
		none("$.confidence", r.Confidence != "")
	}
	needReason := func() {
		if r.Reason == "" {
			ps.add("$.reason", "required: say why")
		}
	}
	switch r.Action {
	case ReviewConfirm:
		noCorrection()
	case ReviewOverride:
		needReason()
		if !r.corrects() {
			ps.add("$", "an override sets at least one of violation, party and confidence")
		}
	case ReviewDispute:
		noCorrection()
		needReason()
		if len(r.Evidence) == 0 && r.Text == "" {
			ps.add("$.evidence", "a dispute gives its evidence: observation ids, text, or both")
		}
	case ReviewResolve:
		needReason()
		if !ValidID(r.Dispute) {
			ps.add("$.dispute", "required: the id of the dispute resolved")
		}
		switch r.Outcome {
		case DisputeUpheld:
			if !r.corrects() {
				ps.add("$", "an upheld dispute sets the corrected fields: at least one of violation, party and confidence")
			}
		case DisputeRejected:
			noCorrection()
		case "":
			ps.add("$.outcome", "required: upheld or rejected")
		default:
			ps.add("$.outcome", "unknown outcome %q; upheld or rejected", r.Outcome)
		}
	case "":
		ps.add("$.action", "required: one of %s", quoted(ReviewActions))
	default:
		ps.add("$.action", "unknown action %q; one of %s", r.Action, quoted(ReviewActions))
	}
	if r.Action != ReviewDispute {
		none("$.evidence", len(r.Evidence) > 0)
		none("$.text", r.Text != "")
	}
	if r.Action != ReviewResolve {
		none("$.dispute", r.Dispute != "")
		none("$.outcome", r.Outcome != "")
	}
	if len(r.Evidence) > MaxReviewEvidence {
		ps.add("$.evidence", "more than %d observations", MaxReviewEvidence)
	}
	for i, id := range r.Evidence {
		p := fmt.Sprintf("$.evidence[%d]", i)
		if !ValidID(id) {
			ps.add(p, "%q is not an observation id", id)
		} else if slices.Index(r.Evidence, id) < i {
			ps.add(p, "observation %q is given twice", id)
		}
	}
	return ps.err("review")
}

// Canonical returns the JSON that the log keeps for r: compact, fields in
// declaration order, empty optional fields left out.
func (r *Review) Canonical() ([]byte, error) { return canonicalJSON(r) }

// canonicalJSON returns v's JSON as the log keeps a reviewer's entry:
// compact, fields in declaration order, no HTML escaping.
func canonicalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// decodeCanonical decodes data, the data of an entry of what, into v
// strictly: one JSON object of v's fields, spelt exactly, that is what
// v's Canonical returns, byte for byte.
func decodeCanonical(what string, data []byte, v interface{ Canonical() ([]byte, error) }) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return Errorf(EINVALID, "%s: %v", what, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Errorf(EINVALID, "%s: data after the JSON object", what)
	}
	if c, err := v.Canonical(); err != nil || !bytes.Equal(c, data) {
		return Errorf(EINVALID, "%s: not in canonical form", what)
	}
	return nil
}

// DecodeReview decodes the data of a review entry strictly: one JSON object
// of Review's fields, spelt exactly, in canonical form (what Canonical
// returns, byte for byte), that validates, with the fields the store sets
// present.
func DecodeReview(data []byte) (*Review, error) {
	var r Review
	if err := decodeCanonical("review", data, &r); err != nil {
		return nil, err
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	var ps problems
	if len(r.Finding) != 64 || strings.Trim(r.Finding, "0123456789abcdef") != "" {
		ps.add("$.finding", "required: the content id of the version reviewed, 64 lower-case hex digits")
	}
	if !ValidName(r.By) {
		ps.add("$.by", "required: the source that made the review")
	}
	if role, _, err := ParseRole(r.Role); err != nil {
		ps.add("$.role", "%s", ErrorMessage(err))
	} else if r.Action == ReviewDispute && role != RoleParty {
		ps.add("$.role", "a dispute is made by a party, not %q", r.Role)
	} else if r.Action != ReviewDispute && role == RoleParty {
		ps.add("$.role", "a %s is made by an analyst, not %q", r.Action, r.Role)
	}
	if err := ps.err("review"); err != nil {
		return nil, err
	}
	return &r, nil
}

// Outcome is where a finding series stands: the engine's current finding
// as adjusted by the latest override or upheld resolution, with the
// disputes still open and the confirmations made.
type Outcome struct {
	// Withdrawn says that the series no longer appears; the fields below
	// then stand as the last finding said.
	Withdrawn  bool       `json:"withdrawn,omitempty"`
	Violation  bool       `json:"violation"`
	Rule       string     `json:"rule,omitempty"`
	Party      string     `json:"party,omitempty"`
	Confidence Confidence `json:"confidence"`
	// AdjustedBy names the review (an override, or the resolution that
	// upheld a dispute) whose fields stand over the engine's, and
	// AdjustedVersion the version it was made against; both are empty
	// when the engine's finding stands. An adjustment made against an
	// earlier version still stands, flagged by AdjustedEarlier, until an
	// analyst reviews the current one.
	AdjustedBy      string `json:"adjusted_by,omitempty"`
	AdjustedVersion int    `json:"adjusted_version,omitempty"`
	AdjustedEarlier bool   `json:"adjusted_against_earlier_version,omitempty"`
	// Confirmed lists the confirmations made against the current version,
	// ConfirmedEarlier those made against an earlier one.
	Confirmed        []string `json:"confirmed"`
	ConfirmedEarlier []string `json:"confirmed_earlier"`
	// OpenDisputes lists the disputes not yet resolved.
	OpenDisputes []string `json:"open_disputes"`
}

// Derive fills in what follows from h's versions and reviews: each
// version's Changes, each review's Earlier and ResolvedBy, and the
// Outcome. Current must be set; Reviews are in log order.
func (h *FindingHistory) Derive() {
	all := append(slices.Clone(h.Earlier), h.Current)
	SetChanges(all)
	cur := h.Current
	last := cur.Finding
	for i := len(all) - 1; last == nil && i >= 0; i-- {
		last = all[i].Finding
	}
	o := &Outcome{Withdrawn: cur.Withdrawn, Confirmed: []string{}, ConfirmedEarlier: []string{}, OpenDisputes: []string{}}
	if last != nil {
		o.Violation, o.Rule, o.Party, o.Confidence = last.Violation, last.Rule, last.Party, last.Confidence
	}
	resolved := map[string]string{}
	var adjust *ReviewRecord
	for _, r := range h.Reviews {
		r.Earlier = r.Version < cur.Version
		switch r.Action {
		case ReviewConfirm:
			if r.Earlier {
				o.ConfirmedEarlier = append(o.ConfirmedEarlier, r.ID)
			} else {
				o.Confirmed = append(o.Confirmed, r.ID)
			}
		case ReviewOverride:
			adjust = r
		case ReviewResolve:
			resolved[r.Dispute] = r.ID
			if r.Outcome == DisputeUpheld {
				adjust = r
			}
		}
	}
	for _, r := range h.Reviews {
		if r.Action == ReviewDispute {
			r.ResolvedBy = resolved[r.ID]
			if r.ResolvedBy == "" {
				o.OpenDisputes = append(o.OpenDisputes, r.ID)
			}
		}
	}
	if adjust != nil {
		if adjust.Violation != nil {
			o.Violation = *adjust.Violation
		}
		if adjust.Party != nil {
			o.Party = *adjust.Party
		}
		if adjust.Confidence != "" {
			o.Confidence = adjust.Confidence
		}
		o.AdjustedBy, o.AdjustedVersion, o.AdjustedEarlier = adjust.ID, adjust.Version, adjust.Earlier
	}
	h.Outcome = o
}
