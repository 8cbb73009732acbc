package truce

import "fmt"

// CheckContent reports whether v's content matches its content id: its
// finding's [Finding.ContentID], or for a withdrawn version
// [WithdrawnContentID] of its series. A store calls it on every version it
// reads, so that a version edited in place (its finding changed, its id
// kept) is never served under the id of what was derived; the error is
// EINTERNAL, since the store, not the request, is at fault.
func (v *FindingVersion) CheckContent() error {
	var want string
	switch {
	case v.Withdrawn && v.Finding != nil:
		return Errorf(EINTERNAL, "finding series %s version %d is withdrawn but holds a finding: the stored version was changed", v.Series, v.Version)
	case v.Withdrawn:
		want = WithdrawnContentID(v.Series, v.MergedInto)
	case v.Finding == nil:
		return Errorf(EINTERNAL, "finding series %s version %d holds no finding: the stored version was changed", v.Series, v.Version)
	default:
		want = v.Finding.ContentID()
	}
	if v.ContentID != want {
		return &Error{Code: EINTERNAL, Message: fmt.Sprintf("finding series %s version %d: the stored content hashes to %s, not to its content id %s: the stored version was changed",
			v.Series, v.Version, want, v.ContentID)}
	}
	return nil
}

// OpenDispute returns the dispute that the party whose sources review as
// role (a Review's Role, "party:UA") has open against version version of
// h's series, or nil. A party has at most one open dispute per version:
// what more it has to say waits for the analyst's resolution, so that a
// party cannot bury a finding under disputes.
func (h *FindingHistory) OpenDispute(role string, version int) *ReviewRecord {
	for _, r := range h.Reviews {
		if r.Action == ReviewDispute && r.Role == role && r.Version == version && r.ResolvedBy == "" {
			return r
		}
	}
	return nil
}
