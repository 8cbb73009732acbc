package truce

// HeatDetection reports whether o is a satellite fire detection (a FIRMS
// pixel): an observation of kind fire filed by a sensor. Such a detection
// is evidence of heat at a place and a time only. It shows no weapon, no
// origin and no party, so it corroborates no allegation of an attack:
// anyone can light a fire where an allegation points, and fields, flares
// and fires after a strike burn alike.
func (o *Observation) HeatDetection() bool {
	return o != nil && o.SourceRole == RoleSensor && o.Kind == KindFire
}
