// Package correlate derives incidents from observations: it fuses the
// reports that several sources file about one real event, clusters dense
// sensor detections in space and time, and keeps fixed heat sources (a
// coke plant that burns every night) apart from fighting.
//
// [Correlate] is a deterministic function of a set of observation records
// and [Options]: the records are put in log order (LogIndex, then ID)
// before anything else, no result depends on map order or goroutine
// scheduling, and incident ids are UUIDv5 (SHA-1) of the sorted member
// observation ids, so anyone holding the same log prefix derives the same
// incidents, byte for byte. docs/correlation.md walks through the
// algorithm with examples; what follows is the reference.
//
// # Steps
//
//  1. Superseded records (SupersededBy not empty) are skipped; the
//     correction that supersedes them takes part instead.
//  2. Dense detections are the records filed by a sensor (SourceRole
//     "sensor") located by a bare point and giving no origin: FIRMS fire
//     pixels, located acoustic detections. All other records are reports.
//  3. Fixed hot spots (fire detections only). The ground is cut into
//     cells of HotspotCellM (750 m) square. Nights run from 12:00 to
//     12:00 UTC, so that a night overpass between 22:00 and 01:00 UTC
//     counts once. A cell is hot when it has detections on at least
//     HotspotMinNights (10) distinct nights, counted over the input's fire
//     detections and those of the whole record (HotspotRecords), however
//     long it is. A detection whose cell or one of the eight around it is
//     hot belongs to a fixed source; touching hot cells form one source.
//     These detections are reported in Result.Hotspots and are in no
//     incident.
//  4. The other detections are clustered per kind by ST-DBSCAN: two
//     detections are neighbours when they lie within EpsM (1.5 km) and
//     EpsT (3 h) of each other; a core detection has at least MinPts (3)
//     neighbours, itself included; core detections that are neighbours
//     share a cluster; any other detection joins the cluster of its core
//     neighbour with the lowest log position, or stays alone. A grid of
//     cells EpsM square, each cell's points sorted by time, makes each
//     neighbour search look at 9 cells and, in each, at the run of points
//     within EpsT. Neighbour counts and the linking of core points (a
//     shared union-find whose links always point at the lower index, so
//     each cluster's root is its lowest member) run on every processor;
//     the result does not depend on the schedule. Distances are
//     equirectangular about the pair's mean latitude (within 0.1% of the
//     geodesic at these scales). A cluster (or lone detection) enters
//     fusion as one item at its members' mean position with spread
//     hypot(farthest member's distance, mean uncertainty_m).
//  5. Reports become items with a time interval and a place. The interval
//     runs from observed_at to observed_until (or observed_at), its end
//     extended by the grain of time_precision ([Grain]: 1 s, 1 min, 1 h,
//     24 h). A point is its position with spread uncertainty_m. A region
//     with a representative point is that point, with a spread of at least
//     its precision's (settlement 2 km, district 15 km, oblast 75 km,
//     direction 150 km); country-wide regions and regions without a point
//     are skipped. An observer with bearing and distance is the point that
//     geo.Direct gives, spread hypot(σ_distance, d·σ_bearing), where a
//     bearing error of 0 means BearingErrorDeg (5°) and a distance error of
//     0 means 10% of the distance (at least 50 m). An observer with a
//     bearing only is a sighting without a point. Items with a spread above
//     MaxFusionSigmaM (25 km) are too vague to fuse and stand alone.
//  6. Two items fuse when their kinds are compatible ([Compatible]), the
//     gap between their intervals is at most the larger of their kinds'
//     windows ([Window]; a party's allegation's widened by
//     [AllegationSlack]), and their places agree. Two points agree within
//     max(DistanceK·sqrt(σ1²+σ2²), MinDistanceM) (K = 2, floor 1.5 km). A
//     point agrees with a bearing when it lies within BearingRangeM (25 km)
//     + K·σ of the observer and off the bearing by at most
//     K·sqrt(σ_bearing² + (σ_point/d)²). Two bearings agree when
//     geo.Triangulate crosses them in front of both observers, within
//     BearingRangeM of each, with a 95% ellipse whose semi-major axis is at
//     most MaxCrossingM (10 km). Reports are compared with reports and with
//     detection clusters, never clusters with clusters; a report joins only
//     the one cluster it fits best (the least distance over
//     sqrt(σ1²+σ2²), plus the gap in hours), so that it cannot bridge
//     clusters that the clustering kept apart. A cluster whose spread is
//     above MaxFusionSigmaM fuses with nothing. Items that fuse,
//     directly or through others, form one group (union-find), except
//     that fire and the return fire are kept apart: reports giving an
//     origin (directional) unite only when every directional member of
//     one group agrees in origin with every one of the other (origins
//     agree by a chi-square test at 1%: two points when the Mahalanobis
//     distance of their difference under the sum of their error
//     covariances is at most OriginK (√χ²₂(0.99) ≈ 3.035) or they lie
//     within MinDistanceM; a point and a bearing, and two bearings from
//     one observer, by the one-dimensional bound k₁ ≈ 2.576 of the same
//     significance; two bearings from two observers when, turned by 0 or
//     ±k₁·σ each, some pair crosses in
//     front of both within BearingRangeM); an item without an origin that
//     fuses with directional reports joins only the group of the one it
//     fits best; and no other pair unites two groups that both hold
//     directional reports. A group is then cut, in order of start, wherever an item starts more than
//     MaxSpan (12 h) after the first item of its part, unless that first
//     item is an advance (between two control maps, days long) whose
//     interval the item starts in.
//     The groups are then merged once more where nothing tells them
//     apart, one of two groups holding a report (clusters with clusters
//     never): compatible kinds; no allegations by two parties; times
//     within the larger window plus [ClockSlack] (10 min) when both are
//     precisely timed, plus an hour when either is timed to the hour or
//     coarser; places agreeing as two points do (a group placed by one
//     bearing alone is tested as a bearing); and, where both give one,
//     origins agreeing by the test above applied to one combined estimate
//     per group; the merged group lasting no longer than MaxSpan. A group
//     with no precisely timed item joins only the group it fits best.
//  7. Each group is an incident. Place: the group's sightings (bearings,
//     with or without distance) are triangulated together with
//     geo.Triangulate when there are two or more (or one with a
//     distance), giving a point with spread sqrt(a·b)/2.448 from the 95%
//     ellipse's semi-axes; that and the point items are combined by
//     inverse-variance weighting, with spread sqrt(1/Σw + Σw·d²/Σw)
//     (each estimate's distance d from the mean), so that disagreeing
//     reports widen it. A lone bearing without a distance places an event
//     halfway along BearingRangeM, spread half the range. Origin: the
//     same from the members' origin fields (bearings to the firing
//     position, or points). Kind: the specific kind most members report
//     (ties by the order of truce.Kinds); a generic one (explosion, fire,
//     civilian_harm, other) only when no member names a specific one.
//     Start and End: the earliest observed_at and the latest
//     observed_until (or observed_at). Coordinates are rounded to 7
//     decimals and the spread to the metre.
//
// # Corroboration
//
// An incident's corroboration counts distinct sources by name (records
// without a source name count as one unknown source):
//
//   - single_source: one source, however many reports or detections;
//   - independent_check: two or more sources, at least one with role
//     monitor or sensor, not counting satellite fire detections
//     (truce.Observation.HeatDetection), which show heat, not an act;
//   - same_party: two or more sources, all parties' liaisons of one
//     party (SourceParty);
//   - several_sources: two or more sources otherwise (both parties, or
//     datasets).
//
// A dataset (VIINA, the Air Force's reports) is not independent: it
// relays what others said.
package correlate
