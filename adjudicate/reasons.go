package adjudicate

// Reason codes. Each finding's reasons carry one of these codes and an
// English sentence; docs/adjudication.md gives the table. The codes are
// stable: a translation keys on them, and a new meaning gets a new code.
const (
	// The agreement's window and a rule's own period.
	CodeWindowInForce = "window.in_force" // the incident lies wholly inside the window
	CodeWindowEdge    = "window.edge"     // its time, at its precision, straddles an edge
	CodeWindowOutside = "window.outside"  // it lies wholly outside
	CodeRuleWhenEdge  = "rule.when_edge"  // it straddles an edge of a rule's period
	CodeRuleWhenOut   = "rule.when_outside"

	// Which rules apply.
	CodeRuleNone         = "rule.none_applies"   // no rule prohibits the incident's kind here
	CodeRuleProhibits    = "rule.prohibits_kind" // the rule applies and is broken
	CodeRuleAlso         = "rule.also_broken"    // a further rule is broken too
	CodeWeaponMatch      = "rule.weapon_class"   // the weapon class is one the rule names
	CodeWeaponOther      = "rule.weapon_class_other"
	CodeWeaponUnknown    = "rule.weapon_class_unknown"
	CodeTargetMatch      = "rule.target" // the target is one the rule names
	CodeTargetOther      = "rule.target_other"
	CodeTargetUnknown    = "rule.target_unknown"
	CodeZoneIn           = "zone.in"   // the incident lies in a zone the rule names
	CodeZoneEdge         = "zone.edge" // it may lie on either side of the zone's edge
	CodeZoneOutside      = "zone.outside"
	CodeLineCrossed      = "line.crossed"     // origin and impact lie on different sides
	CodeLineNotCrossed   = "line.not_crossed" // both on one side
	CodeLinePresumed     = "line.crossing_presumed"
	CodeLineOutOfRange   = "line.beyond_ground_fire" // no origin, and too far from the line for ground fire
	CodePartyNotBound    = "rule.party_not_bound"    // the rule binds other parties only
	CodeAdvanceArea      = "advance.area"            // the ground gained, from the control maps
	CodeAdvanceBelowMin  = "advance.below_min_area"
	CodeAdvanceNotOnMaps = "advance.not_on_maps"

	// Where the impact and the origin lie.
	CodeImpactHeld     = "impact.in_party_ground"
	CodeImpactNoHolder = "impact.no_party_ground"
	CodeImpactNearLine = "impact.near_line" // its uncertainty reaches the line
	CodeOriginHeld     = "origin.in_party_ground"
	CodeOriginLikely   = "origin.likely_in_party_ground" // across the line with a chance of 1% to 10%
	CodeOriginStraddle = "origin.straddles_line"         // across the line with a chance over 10%
	CodeOriginUnknown  = "origin.unknown"
	CodeOriginNoHolder = "origin.no_party_ground"
	CodeOriginRay      = "origin.ray" // a bearing without a distance: whose ground the ray runs through

	// Attribution.
	CodeAttrOrigin    = "attribution.origin"    // from where the fire came from
	CodeAttrDirection = "attribution.direction" // from the side of the line the impact lies on
	// An uncertain origin and a clear impact point to the same party.
	CodeAttrOriginDirection = "attribution.origin_and_direction"
	CodeAttrAdvance         = "attribution.advance"  // the party that gained the ground
	CodeAttrLocation        = "attribution.location" // the party holding the ground where weapons were seen
	CodeAttrNone            = "attribution.none"
	CodeAttrCrossing        = "attribution.crossing" // the party a crossing the rule needs would point to
	CodeClaimNotUsed        = "claim.not_used"       // what a source blamed is recorded, not relied on

	// Corroboration.
	CodeCorrIndependent    = "corroboration.independent_check"
	CodeCorrNonParty       = "corroboration.non_party"
	CodeCorrSingleNonParty = "corroboration.single_non_party" // one dataset or analyst only
	CodeCorrMaps           = "corroboration.control_maps"     // an advance the control maps show
	CodeCorrPartyOnly      = "corroboration.party_only"
	CodeCorrUnknown        = "corroboration.sources_unknown"
	CodeCorrHeatOnly       = "corroboration.heat_only" // satellite fire detections only: heat, no act
	// The act a rule prohibits is named by parties' reports only; the
	// other sources report an act the rule does not prohibit.
	CodeCorrActPartyOnly = "corroboration.act_party_only"

	// The confidence reached and why.
	CodeConfidence = "confidence"
)
