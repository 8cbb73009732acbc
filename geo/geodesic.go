package geo

// This file is a Go port of the geodesic routines of GeographicLib's C
// library (geodesic.c), which implement
//
//	C. F. F. Karney, Algorithms for geodesics, J. Geodesy 87, 43–55 (2013),
//	https://doi.org/10.1007/s00190-012-0578-z
//
// GeographicLib is Copyright (c) Charles Karney (2012-2022)
// <charles@karney.com> and licensed under the MIT/X11 License; see
// https://geographiclib.sourceforge.io/. The port keeps the structure and
// the names of the original so that the two can be read side by side; it
// is specialised to the WGS84 ellipsoid and drops the outputs truce does
// not use (reduced length, geodesic scale, arc mode, unrolled longitudes).

import "math"

// WGS84 ellipsoid parameters.
const (
	// EquatorialRadius is the WGS84 semi-major axis a, in metres.
	EquatorialRadius = 6378137.0
	// Flattening is the WGS84 flattening f.
	Flattening = 1 / 298.257223563
)

const (
	geodOrder = 6
	nA1       = geodOrder
	nC1       = geodOrder
	nC1p      = geodOrder
	nA2       = geodOrder
	nC2       = geodOrder
	nA3       = geodOrder
	nC3       = geodOrder
	nC3x      = (nC3 * (nC3 - 1)) / 2
	nC4       = geodOrder
	nC4x      = (nC4 * (nC4 + 1)) / 2
	nC        = geodOrder + 1

	qd = 90.0
	hd = 180.0
	td = 360.0

	degree = math.Pi / hd
	maxit1 = 20
	maxit2 = maxit1 + 53 + 10
	tol0   = 0x1p-52 // DBL_EPSILON
	tol1   = 200 * tol0
	tolb   = tol0
)

var (
	tiny    = math.Sqrt(0x1p-1022) // sqrt(DBL_MIN)
	tol2    = math.Sqrt(tol0)
	xthresh = 1000 * tol2
)

// geodesic holds an ellipsoid and its series coefficients.
type geodesic struct {
	a, f, f1, e2, ep2, n, b, c2, etol2 float64
	A3x                                [nA3]float64
	C3x                                [nC3x]float64
	C4x                                [nC4x]float64
}

// wgs84 is the ellipsoid every function of this package works on.
var wgs84 = newGeodesic(EquatorialRadius, Flattening)

func newGeodesic(a, f float64) *geodesic {
	g := &geodesic{a: a, f: f}
	g.f1 = 1 - f
	g.e2 = f * (2 - f)
	g.ep2 = g.e2 / sq(g.f1)
	g.n = f / (2 - f)
	g.b = a * g.f1
	// The authalic radius squared (f > 0 here).
	g.c2 = (sq(a) + sq(g.b)*math.Atanh(math.Sqrt(g.e2))/math.Sqrt(g.e2)) / 2
	g.etol2 = 0.1 * tol2 / math.Sqrt(math.Max(0.001, math.Abs(f))*math.Min(1, 1-f/2)/2)
	g.a3coeff()
	g.c3coeff()
	g.c4coeff()
	return g
}

func sq(x float64) float64 { return x * x }

// sumx returns the rounded sum s of u and v and the error t, so that
// u + v = s + t exactly.
func sumx(u, v float64) (s, t float64) {
	s = u + v
	up := s - v
	vpp := s - up
	up -= u
	vpp -= v
	if s != 0 {
		t = 0 - (up + vpp)
	} else {
		t = s
	}
	return s, t
}

func polyval(n int, p []float64, x float64) float64 {
	var y float64
	if n >= 0 {
		y = p[0]
		for i := 1; i <= n; i++ {
			y = y*x + p[i]
		}
	}
	return y
}

// norm2 scales (sinx, cosx) to unit length. The vectors here are never
// large or small enough for the plain square root to overflow.
func norm2(sinx, cosx float64) (float64, float64) {
	r := math.Sqrt(sinx*sinx + cosx*cosx)
	return sinx / r, cosx / r
}

func hypot(x, y float64) float64 { return math.Sqrt(x*x + y*y) }

func angNormalize(x float64) float64 {
	y := math.Remainder(x, td)
	if math.Abs(y) == hd {
		return math.Copysign(hd, x)
	}
	return y
}

func latFix(x float64) float64 {
	if math.Abs(x) > qd {
		return math.NaN()
	}
	return x
}

// angDiff returns y - x reduced to [-180, 180] and its rounding error.
func angDiff(x, y float64) (d, e float64) {
	d, t := sumx(math.Remainder(-x, td), math.Remainder(y, td))
	d, t = sumx(math.Remainder(d, td), t)
	if d == 0 || math.Abs(d) == hd {
		if t == 0 {
			d = math.Copysign(d, y-x)
		} else {
			d = math.Copysign(d, -t)
		}
	}
	return d, t
}

// angRound rounds tiny values so that 1/16 - (1/16 - x) == x.
func angRound(x float64) float64 {
	const z = 1.0 / 16
	y := math.Abs(x)
	w := z - y
	if w > 0 {
		y = z - w
	}
	return math.Copysign(y, x)
}

// remquo90 returns x reduced to [-45, 45] and the quadrant.
func remquo90(x float64) (float64, int) {
	r := math.Mod(x, td)
	q := math.Round(r / qd)
	r -= qd * q
	return r, int(q)
}

func sincosQuadrant(x, r float64, q int) (sinx, cosx float64) {
	s, c := math.Sincos(r)
	switch uint(q) & 3 {
	case 0:
		sinx, cosx = s, c
	case 1:
		sinx, cosx = c, -s
	case 2:
		sinx, cosx = -s, -c
	default:
		sinx, cosx = -c, s
	}
	cosx += 0
	if sinx == 0 {
		sinx = math.Copysign(sinx, x)
	}
	return sinx, cosx
}

// sincosd returns the sine and cosine of x degrees, reducing the argument
// exactly.
func sincosd(x float64) (float64, float64) {
	r, q := remquo90(x)
	return sincosQuadrant(x, r*degree, q)
}

// sincosde returns the sine and cosine of x + t degrees, where t is small.
func sincosde(x, t float64) (float64, float64) {
	r, q := remquo90(x)
	return sincosQuadrant(x, angRound(r+t)*degree, q)
}

// atan2d returns atan2(y, x) in degrees.
func atan2d(y, x float64) float64 {
	q := 0
	if math.Abs(y) > math.Abs(x) {
		x, y = y, x
		q = 2
	}
	if math.Signbit(x) {
		x = -x
		q++
	}
	ang := math.Atan2(y, x) / degree
	switch q {
	case 1:
		ang = math.Copysign(hd, y) - ang
	case 2:
		ang = qd - ang
	case 3:
		ang = -qd + ang
	}
	return ang
}

// sinCosSeries evaluates by Clenshaw summation
//
//	sinp: sum(c[i] * sin(2*i*x), i, 1, n)
//	else: sum(c[i] * cos((2*i+1)*x), i, 0, n-1)
func sinCosSeries(sinp bool, sinx, cosx float64, c []float64, n int) float64 {
	k := n
	if sinp {
		k++
	}
	ar := 2 * (cosx - sinx) * (cosx + sinx)
	var y0, y1 float64
	if n&1 != 0 {
		k--
		y0 = c[k]
	}
	for n /= 2; n > 0; n-- {
		k--
		y1 = ar*y0 - y1 + c[k]
		k--
		y0 = ar*y1 - y0 + c[k]
	}
	if sinp {
		return 2 * sinx * cosx * y0
	}
	return cosx * (y0 - y1)
}

// line is a geodesic started from a point at an azimuth, set up for the
// direct problem.
type line struct {
	lat1, lon1, azi1                      float64
	salp1, calp1, salp0, calp0            float64
	ssig1, csig1, somg1, comg1, dn1       float64
	k2, A1m1, A3c, B11, B31, stau1, ctau1 float64
	C1a                                   [nC1 + 1]float64
	C1pa                                  [nC1p + 1]float64
	C3a                                   [nC3]float64
}

func (g *geodesic) newLine(lat1, lon1, azi1 float64) line {
	var l line
	azi1 = angNormalize(azi1)
	salp1, calp1 := sincosd(angRound(azi1))
	l.lat1 = latFix(lat1)
	l.lon1 = lon1
	l.azi1 = azi1
	l.salp1, l.calp1 = salp1, calp1

	sbet1, cbet1 := sincosd(angRound(l.lat1))
	sbet1 *= g.f1
	sbet1, cbet1 = norm2(sbet1, cbet1)
	cbet1 = math.Max(tiny, cbet1)
	l.dn1 = math.Sqrt(1 + g.ep2*sq(sbet1))

	l.salp0 = l.salp1 * cbet1
	l.calp0 = math.Hypot(l.calp1, l.salp1*sbet1)
	l.ssig1 = sbet1
	l.somg1 = l.salp0 * sbet1
	if sbet1 != 0 || l.calp1 != 0 {
		l.csig1 = cbet1 * l.calp1
	} else {
		l.csig1 = 1
	}
	l.comg1 = l.csig1
	l.ssig1, l.csig1 = norm2(l.ssig1, l.csig1)

	l.k2 = sq(l.calp0) * g.ep2
	eps := l.k2 / (2*(1+math.Sqrt(1+l.k2)) + l.k2)

	l.A1m1 = a1m1f(eps)
	c1f(eps, l.C1a[:])
	l.B11 = sinCosSeries(true, l.ssig1, l.csig1, l.C1a[:], nC1)
	s, c := math.Sincos(l.B11)
	l.stau1 = l.ssig1*c + l.csig1*s
	l.ctau1 = l.csig1*c - l.ssig1*s
	c1pf(eps, l.C1pa[:])

	g.c3f(eps, l.C3a[:])
	l.A3c = -g.f * l.salp0 * g.a3f(eps)
	l.B31 = sinCosSeries(true, l.ssig1, l.csig1, l.C3a[:], nC3-1)
	return l
}

// position returns the point at distance s12 along the line and the
// azimuth there.
func (l *line) position(g *geodesic, s12 float64) (lat2, lon2, azi2 float64) {
	tau12 := s12 / (g.b * (1 + l.A1m1))
	s, c := math.Sincos(tau12)
	B12 := -sinCosSeries(true, l.stau1*c+l.ctau1*s, l.ctau1*c-l.stau1*s, l.C1pa[:], nC1p)
	sig12 := tau12 - (B12 - l.B11)
	ssig12, csig12 := math.Sincos(sig12)

	ssig2 := l.ssig1*csig12 + l.csig1*ssig12
	csig2 := l.csig1*csig12 - l.ssig1*ssig12
	sbet2 := l.calp0 * ssig2
	cbet2 := math.Hypot(l.salp0, l.calp0*csig2)
	if cbet2 == 0 {
		cbet2 = tiny
		csig2 = tiny
	}
	salp2, calp2 := l.salp0, l.calp0*csig2

	somg2, comg2 := l.salp0*ssig2, csig2
	omg12 := math.Atan2(somg2*l.comg1-comg2*l.somg1, comg2*l.comg1+somg2*l.somg1)
	lam12 := omg12 + l.A3c*(sig12+(sinCosSeries(true, ssig2, csig2, l.C3a[:], nC3-1)-l.B31))
	lon12 := lam12 / degree
	lon2 = angNormalize(angNormalize(l.lon1) + angNormalize(lon12))
	lat2 = atan2d(sbet2, g.f1*cbet2)
	azi2 = atan2d(salp2, calp2)
	return lat2, lon2, azi2
}

// Direct solves the direct geodesic problem on the WGS84 ellipsoid: it
// returns the point q reached by travelling meters along the geodesic that
// leaves p at azimuth degrees clockwise from north, and the forward
// azimuth at q. The longitude of q is in [-180, 180]. A negative distance
// travels backwards. The result is accurate to about 15 nanometres for
// distances up to half the Earth's circumference. A latitude of p outside
// [-90, 90] gives NaN.
func Direct(p Point, azimuth, meters float64) (q Point, azi2 float64) {
	l := wgs84.newLine(p.Lat(), p.Lon(), azimuth)
	lat2, lon2, azi2 := l.position(wgs84, meters)
	return Point{lon2, lat2}, azi2
}

// Inverse solves the inverse geodesic problem on the WGS84 ellipsoid: it
// returns the length in metres of the shortest geodesic from a to b and its
// forward azimuths at a and at b, in degrees clockwise from north in
// [-180, 180]. It is accurate to about 15 nanometres and is robust for
// coincident, nearly antipodal and polar points; where the shortest path is
// not unique (exactly antipodal points) one of them is returned. On lines
// shorter than a kilometre the azimuths are as good as 15 nm sideways
// allows. A latitude outside [-90, 90] gives NaN.
func Inverse(a, b Point) (meters, azi1, azi2 float64) {
	r := wgs84.inverse(a.Lat(), a.Lon(), b.Lat(), b.Lon(), outDistance)
	return r.s12, atan2d(r.salp1, r.calp1), atan2d(r.salp2, r.calp2)
}

// Distance returns the length in metres of the shortest geodesic between a
// and b on the WGS84 ellipsoid; see Inverse.
func Distance(a, b Point) float64 {
	return wgs84.inverse(a.Lat(), a.Lon(), b.Lat(), b.Lon(), outDistance).s12
}

// Outputs of inverse.
const (
	outDistance = 1 << iota
	outArea
)

type inverseResult struct {
	s12, S12                   float64
	salp1, calp1, salp2, calp2 float64
}

// inverse is geod_geninverse_int. It computes the distance only when
// outmask asks for it: the area of a polygon needs none.
func (g *geodesic) inverse(lat1, lon1, lat2, lon2 float64, outmask int) inverseResult {
	var (
		s12x, m12x                        float64
		sig12, calp1, salp1, calp2, salp2 float64
		Ca                                [nC]float64
		omg12, comg12                     float64
		somg12                            = 2.0 // 2 marks "to be computed"
	)
	lon12, lon12s := angDiff(lon1, lon2)
	lonsign := 1.0
	if math.Signbit(lon12) {
		lonsign = -1
	}
	lon12 *= lonsign
	lon12s *= lonsign
	lam12 := lon12 * degree
	slam12, clam12 := sincosde(lon12, lon12s)
	lon12s = (hd - lon12) - lon12s

	lat1 = angRound(latFix(lat1))
	lat2 = angRound(latFix(lat2))
	swapp := 1.0
	if math.Abs(lat1) < math.Abs(lat2) || lat2 != lat2 {
		swapp = -1
		lonsign = -lonsign
		lat1, lat2 = lat2, lat1
	}
	latsign := -1.0
	if math.Signbit(lat1) {
		latsign = 1
	}
	lat1 *= latsign
	lat2 *= latsign

	sbet1, cbet1 := sincosd(lat1)
	sbet1 *= g.f1
	sbet1, cbet1 = norm2(sbet1, cbet1)
	cbet1 = math.Max(tiny, cbet1)

	sbet2, cbet2 := sincosd(lat2)
	sbet2 *= g.f1
	sbet2, cbet2 = norm2(sbet2, cbet2)
	cbet2 = math.Max(tiny, cbet2)

	if cbet1 < -sbet1 {
		if cbet2 == cbet1 {
			sbet2 = math.Copysign(sbet1, sbet2)
		}
	} else if math.Abs(sbet2) == -sbet1 {
		cbet2 = cbet1
	}

	dn1 := math.Sqrt(1 + g.ep2*sq(sbet1))
	dn2 := math.Sqrt(1 + g.ep2*sq(sbet2))

	meridian := lat1 == -qd || slam12 == 0
	if meridian {
		calp1, salp1 = clam12, slam12
		calp2, salp2 = 1, 0
		ssig1, csig1 := sbet1, calp1*cbet1
		ssig2, csig2 := sbet2, calp2*cbet2
		sig12 = math.Atan2(math.Max(0, csig1*ssig2-ssig1*csig2)+0, csig1*csig2+ssig1*ssig2)
		s12x, m12x = g.lengths(g.n, sig12, ssig1, csig1, dn1, ssig2, csig2, dn2, true, true, Ca[:])
		if sig12 < 1 || m12x >= 0 {
			if sig12 < 3*tiny || (sig12 < tol0 && (s12x < 0 || m12x < 0)) {
				sig12, m12x, s12x = 0, 0, 0
			}
			m12x *= g.b
			s12x *= g.b
		} else {
			meridian = false
		}
	}

	if !meridian && sbet1 == 0 && (g.f <= 0 || lon12s >= g.f*hd) {
		// The geodesic runs along the equator.
		calp1, calp2 = 0, 0
		salp1, salp2 = 1, 1
		s12x = g.a * lam12
		sig12 = lam12 / g.f1
		omg12 = sig12
	} else if !meridian {
		var dnm float64
		sig12, salp1, calp1, salp2, calp2, dnm = g.inverseStart(sbet1, cbet1, dn1, sbet2, cbet2, dn2,
			lam12, slam12, clam12, salp2, calp2, Ca[:])
		if sig12 >= 0 {
			// Short lines: inverseStart set salp2, calp2 and dnm.
			s12x = sig12 * g.b * dnm
			omg12 = lam12 / (g.f1 * dnm)
		} else {
			// Newton's method on lambda12(alp1) - lam12 = 0, keeping a
			// bracket of the root and bisecting when a step leaves it.
			var ssig1, csig1, ssig2, csig2, eps, domg12 float64
			salp1a, calp1a := tiny, 1.0
			salp1b, calp1b := tiny, -1.0
			tripn, tripb := false, false
			for numit := 0; ; numit++ {
				var v, dv float64
				v, salp2, calp2, sig12, ssig1, csig1, ssig2, csig2, eps, domg12, dv = g.lambda12(
					sbet1, cbet1, dn1, sbet2, cbet2, dn2, salp1, calp1, slam12, clam12, numit < maxit1, Ca[:])
				tol := 1.0
				if tripn {
					tol = 8
				}
				if tripb || !(math.Abs(v) >= tol*tol0) || numit == maxit2 {
					break
				}
				if v > 0 && (numit > maxit1 || calp1/salp1 > calp1b/salp1b) {
					salp1b, calp1b = salp1, calp1
				} else if v < 0 && (numit > maxit1 || calp1/salp1 < calp1a/salp1a) {
					salp1a, calp1a = salp1, calp1
				}
				if numit < maxit1 && dv > 0 {
					dalp1 := -v / dv
					if math.Abs(dalp1) < math.Pi {
						sdalp1, cdalp1 := math.Sincos(dalp1)
						nsalp1 := salp1*cdalp1 + calp1*sdalp1
						if nsalp1 > 0 {
							calp1 = calp1*cdalp1 - salp1*sdalp1
							salp1 = nsalp1
							salp1, calp1 = norm2(salp1, calp1)
							tripn = math.Abs(v) <= 16*tol0
							continue
						}
					}
				}
				salp1 = (salp1a + salp1b) / 2
				calp1 = (calp1a + calp1b) / 2
				salp1, calp1 = norm2(salp1, calp1)
				tripn = false
				tripb = math.Abs(salp1a-salp1)+(calp1a-calp1) < tolb ||
					math.Abs(salp1-salp1b)+(calp1-calp1b) < tolb
			}
			if outmask&outDistance != 0 {
				s12x, _ = g.lengths(eps, sig12, ssig1, csig1, dn1, ssig2, csig2, dn2, true, false, Ca[:])
				s12x *= g.b
			}
			if outmask&outArea != 0 {
				sdomg12, cdomg12 := math.Sincos(domg12)
				somg12 = slam12*cdomg12 - clam12*sdomg12
				comg12 = clam12*cdomg12 + slam12*sdomg12
			}
		}
	}

	var r inverseResult
	if outmask&outDistance != 0 {
		r.s12 = 0 + s12x
	}

	if outmask&outArea != 0 {
		salp0 := salp1 * cbet1
		calp0 := math.Hypot(calp1, salp1*sbet1)
		var S12 float64
		if calp0 != 0 && salp0 != 0 {
			ssig1, csig1 := norm2(sbet1, calp1*cbet1)
			ssig2, csig2 := norm2(sbet2, calp2*cbet2)
			k2 := sq(calp0) * g.ep2
			eps := k2 / (2*(1+math.Sqrt(1+k2)) + k2)
			A4 := sq(g.a) * calp0 * salp0 * g.e2
			g.c4f(eps, Ca[:])
			B41 := sinCosSeries(false, ssig1, csig1, Ca[:], nC4)
			B42 := sinCosSeries(false, ssig2, csig2, Ca[:], nC4)
			S12 = A4 * (B42 - B41)
		}
		if !meridian && somg12 == 2 {
			somg12, comg12 = math.Sincos(omg12)
		}
		var alp12 float64
		if !meridian && comg12 > -0.7071 && sbet2-sbet1 < 1.75 {
			domg12 := 1 + comg12
			dbet1 := 1 + cbet1
			dbet2 := 1 + cbet2
			alp12 = 2 * math.Atan2(somg12*(sbet1*dbet2+sbet2*dbet1), domg12*(sbet1*sbet2+dbet1*dbet2))
		} else {
			salp12 := salp2*calp1 - calp2*salp1
			calp12 := calp2*calp1 + salp2*salp1
			if salp12 == 0 && calp12 < 0 {
				salp12 = tiny * calp1
				calp12 = -1
			}
			alp12 = math.Atan2(salp12, calp12)
		}
		S12 += g.c2 * alp12
		S12 *= swapp * lonsign * latsign
		r.S12 = S12 + 0
	}

	if swapp < 0 {
		salp1, salp2 = salp2, salp1
		calp1, calp2 = calp2, calp1
	}
	r.salp1 = salp1 * swapp * lonsign
	r.calp1 = calp1 * swapp * latsign
	r.salp2 = salp2 * swapp * lonsign
	r.calp2 = calp2 * swapp * latsign
	return r
}

// lengths returns the distance s12b and the reduced length m12b, both
// divided by b; it computes each only if asked.
func (g *geodesic) lengths(eps, sig12, ssig1, csig1, dn1, ssig2, csig2, dn2 float64,
	wantS, wantM bool, Ca []float64) (s12b, m12b float64) {
	var Cb [nC]float64
	var m0, J12, A1, A2 float64
	A1 = a1m1f(eps)
	c1f(eps, Ca)
	if wantM {
		A2 = a2m1f(eps)
		c2f(eps, Cb[:])
		m0 = A1 - A2
		A2 = 1 + A2
	}
	A1 = 1 + A1
	if wantS {
		B1 := sinCosSeries(true, ssig2, csig2, Ca, nC1) - sinCosSeries(true, ssig1, csig1, Ca, nC1)
		s12b = A1 * (sig12 + B1)
		if wantM {
			B2 := sinCosSeries(true, ssig2, csig2, Cb[:], nC2) - sinCosSeries(true, ssig1, csig1, Cb[:], nC2)
			J12 = m0*sig12 + (A1*B1 - A2*B2)
		}
	} else if wantM {
		for l := 1; l <= nC2; l++ {
			Cb[l] = A1*Ca[l] - A2*Cb[l]
		}
		J12 = m0*sig12 + (sinCosSeries(true, ssig2, csig2, Cb[:], nC2) - sinCosSeries(true, ssig1, csig1, Cb[:], nC2))
	}
	if wantM {
		m12b = dn2*(csig1*ssig2) - dn1*(ssig1*csig2) - csig1*csig2*J12
	}
	return s12b, m12b
}

// astroid solves k^4+2*k^3-(x^2+y^2-1)*k^2-2*y^2*k-y^2 = 0 for the
// positive root k.
func astroid(x, y float64) float64 {
	p := sq(x)
	q := sq(y)
	r := (p + q - 1) / 6
	if q == 0 && r <= 0 {
		return 0
	}
	S := p * q / 4
	r2 := sq(r)
	r3 := r * r2
	disc := S * (S + 2*r3)
	u := r
	if disc >= 0 {
		T3 := S + r3
		if T3 < 0 {
			T3 -= math.Sqrt(disc)
		} else {
			T3 += math.Sqrt(disc)
		}
		T := math.Cbrt(T3)
		if T != 0 {
			u += T + r2/T
		} else {
			u += T
		}
	} else {
		ang := math.Atan2(math.Sqrt(-disc), -(S + r3))
		u += 2 * r * math.Cos(ang/3)
	}
	v := math.Sqrt(sq(u) + q)
	var uv float64
	if u < 0 {
		uv = q / (v - u)
	} else {
		uv = u + v
	}
	w := (uv - q) / (2 * v)
	return uv / (math.Sqrt(uv+sq(w)) + w)
}

// inverseStart returns a starting point for Newton's method in salp1,
// calp1 (and sig12 = -1), or, for really short lines, the solution
// (sig12 >= 0 with salp2, calp2). dnm is set for short lines.
func (g *geodesic) inverseStart(sbet1, cbet1, dn1, sbet2, cbet2, dn2, lam12, slam12, clam12,
	salp2in, calp2in float64, Ca []float64) (sig12, salp1, calp1, salp2, calp2, dnm float64) {
	sig12 = -1
	salp2, calp2 = salp2in, calp2in
	sbet12 := sbet2*cbet1 - cbet2*sbet1
	cbet12 := cbet2*cbet1 + sbet2*sbet1
	sbet12a := sbet2*cbet1 + cbet2*sbet1
	shortline := cbet12 >= 0 && sbet12 < 0.5 && cbet2*lam12 < 0.5
	var somg12, comg12 float64
	if shortline {
		sbetm2 := sq(sbet1 + sbet2)
		sbetm2 /= sbetm2 + sq(cbet1+cbet2)
		dnm = math.Sqrt(1 + g.ep2*sbetm2)
		omg12 := lam12 / (g.f1 * dnm)
		somg12, comg12 = math.Sincos(omg12)
	} else {
		somg12, comg12 = slam12, clam12
	}

	salp1 = cbet2 * somg12
	if comg12 >= 0 {
		calp1 = sbet12 + cbet2*sbet1*sq(somg12)/(1+comg12)
	} else {
		calp1 = sbet12a - cbet2*sbet1*sq(somg12)/(1-comg12)
	}

	ssig12 := hypot(salp1, calp1)
	csig12 := sbet1*sbet2 + cbet1*cbet2*comg12

	if shortline && ssig12 < g.etol2 {
		salp2 = cbet1 * somg12
		if comg12 >= 0 {
			calp2 = sbet12 - cbet1*sbet2*(sq(somg12)/(1+comg12))
		} else {
			calp2 = sbet12 - cbet1*sbet2*(1-comg12)
		}
		salp2, calp2 = norm2(salp2, calp2)
		sig12 = math.Atan2(ssig12, csig12)
	} else if math.Abs(g.n) > 0.1 || csig12 >= 0 || ssig12 >= 6*math.Abs(g.n)*math.Pi*sq(cbet1) {
		// The zeroth-order spherical approximation is good enough.
	} else {
		// Scale lam12 and bet2 to x, y coordinates where the antipodal
		// point is at the origin and the singular point at (-1, 0); f > 0.
		lam12x := math.Atan2(-slam12, -clam12)
		k2 := sq(sbet1) * g.ep2
		eps := k2 / (2*(1+math.Sqrt(1+k2)) + k2)
		lamscale := g.f * cbet1 * g.a3f(eps) * math.Pi
		betscale := lamscale * cbet1
		x := lam12x / lamscale
		y := sbet12a / betscale
		if y > -tol1 && x > -1-xthresh {
			salp1 = math.Min(1, -x)
			calp1 = -math.Sqrt(1 - sq(salp1))
		} else {
			k := astroid(x, y)
			omg12a := lamscale * (-x * k / (1 + k))
			somg12, comg12 = math.Sincos(omg12a)
			comg12 = -comg12
			salp1 = cbet2 * somg12
			calp1 = sbet12a - cbet2*sbet1*sq(somg12)/(1-comg12)
		}
	}
	if !(salp1 <= 0) {
		salp1, calp1 = norm2(salp1, calp1)
	} else {
		salp1, calp1 = 1, 0
	}
	return sig12, salp1, calp1, salp2, calp2, dnm
}

// lambda12 returns lam12(alp1) - lam120 and, if diffp, its derivative
// with respect to alp1, with the quantities the solution needs.
func (g *geodesic) lambda12(sbet1, cbet1, dn1, sbet2, cbet2, dn2, salp1, calp1, slam120, clam120 float64,
	diffp bool, Ca []float64) (lam12, salp2, calp2, sig12, ssig1, csig1, ssig2, csig2, eps, domg12, dlam12 float64) {
	if sbet1 == 0 && calp1 == 0 {
		calp1 = -tiny
	}
	salp0 := salp1 * cbet1
	calp0 := math.Hypot(calp1, salp1*sbet1)

	ssig1 = sbet1
	somg1 := salp0 * sbet1
	csig1 = calp1 * cbet1
	comg1 := csig1
	ssig1, csig1 = norm2(ssig1, csig1)

	if cbet2 != cbet1 {
		salp2 = salp0 / cbet2
	} else {
		salp2 = salp1
	}
	if cbet2 != cbet1 || math.Abs(sbet2) != -sbet1 {
		var t float64
		if cbet1 < -sbet1 {
			t = (cbet2 - cbet1) * (cbet1 + cbet2)
		} else {
			t = (sbet1 - sbet2) * (sbet1 + sbet2)
		}
		calp2 = math.Sqrt(sq(calp1*cbet1)+t) / cbet2
	} else {
		calp2 = math.Abs(calp1)
	}
	ssig2 = sbet2
	somg2 := salp0 * sbet2
	csig2 = calp2 * cbet2
	comg2 := csig2
	ssig2, csig2 = norm2(ssig2, csig2)

	sig12 = math.Atan2(math.Max(0, csig1*ssig2-ssig1*csig2)+0, csig1*csig2+ssig1*ssig2)
	somg12 := math.Max(0, comg1*somg2-somg1*comg2) + 0
	comg12 := comg1*comg2 + somg1*somg2
	eta := math.Atan2(somg12*clam120-comg12*slam120, comg12*clam120+somg12*slam120)
	k2 := sq(calp0) * g.ep2
	eps = k2 / (2*(1+math.Sqrt(1+k2)) + k2)
	g.c3f(eps, Ca)
	B312 := sinCosSeries(true, ssig2, csig2, Ca, nC3-1) - sinCosSeries(true, ssig1, csig1, Ca, nC3-1)
	domg12 = -g.f * g.a3f(eps) * salp0 * (sig12 + B312)
	lam12 = eta + domg12

	if diffp {
		if calp2 == 0 {
			dlam12 = -2 * g.f1 * dn1 / sbet1
		} else {
			_, dlam12 = g.lengths(eps, sig12, ssig1, csig1, dn1, ssig2, csig2, dn2, false, true, Ca)
			dlam12 *= g.f1 / (calp2 * cbet2)
		}
	}
	return lam12, salp2, calp2, sig12, ssig1, csig1, ssig2, csig2, eps, domg12, dlam12
}

func (g *geodesic) a3f(eps float64) float64 { return polyval(nA3-1, g.A3x[:], eps) }

func (g *geodesic) c3f(eps float64, c []float64) {
	mult := 1.0
	o := 0
	for l := 1; l < nC3; l++ {
		m := nC3 - l - 1
		mult *= eps
		c[l] = mult * polyval(m, g.C3x[o:], eps)
		o += m + 1
	}
}

func (g *geodesic) c4f(eps float64, c []float64) {
	mult := 1.0
	o := 0
	for l := 0; l < nC4; l++ {
		m := nC4 - l - 1
		c[l] = mult * polyval(m, g.C4x[o:], eps)
		o += m + 1
		mult *= eps
	}
}

// a1m1f is the scale factor A1-1, the mean value of (d/dsigma)I1 - 1.
func a1m1f(eps float64) float64 {
	coeff := [...]float64{1, 4, 64, 0, 256}
	m := nA1 / 2
	t := polyval(m, coeff[:], sq(eps)) / coeff[m+1]
	return (t + eps) / (1 - eps)
}

var c1Coeff = [...]float64{
	-1, 6, -16, 32,
	-9, 64, -128, 2048,
	9, -16, 768,
	3, -5, 512,
	-7, 1280,
	-7, 2048,
}

// c1f sets the coefficients C1[l] of the Fourier expansion of B1.
func c1f(eps float64, c []float64) { fourierCoeffs(eps, c1Coeff[:], nC1, c) }

// fourierCoeffs sets c[1..n] to the coefficients of a Fourier series whose
// coefficients are polynomials in eps, packed in coeff as GeographicLib
// packs them: for each l, the numerator's coefficients of eps², highest
// first, then the denominator; c[l] carries the factor eps^l.
func fourierCoeffs(eps float64, coeff []float64, n int, c []float64) {
	eps2 := sq(eps)
	d := eps
	o := 0
	for l := 1; l <= n; l++ {
		m := (n - l) / 2
		c[l] = d * polyval(m, coeff[o:], eps2) / coeff[o+m+1]
		o += m + 2
		d *= eps
	}
}

var c1pCoeff = [...]float64{
	205, -432, 768, 1536,
	4005, -4736, 3840, 12288,
	-225, 116, 384,
	-7173, 2695, 7680,
	3467, 7680,
	38081, 61440,
}

// c1pf sets the coefficients C1p[l] of the Fourier expansion of B1p.
func c1pf(eps float64, c []float64) { fourierCoeffs(eps, c1pCoeff[:], nC1p, c) }

// a2m1f is the scale factor A2-1, the mean value of (d/dsigma)I2 - 1.
func a2m1f(eps float64) float64 {
	coeff := [...]float64{-11, -28, -192, 0, 256}
	m := nA2 / 2
	t := polyval(m, coeff[:], sq(eps)) / coeff[m+1]
	return (t - eps) / (1 + eps)
}

var c2Coeff = [...]float64{
	1, 2, 16, 32,
	35, 64, 384, 2048,
	15, 80, 768,
	7, 35, 512,
	63, 1280,
	77, 2048,
}

// c2f sets the coefficients C2[l] of the Fourier expansion of B2.
func c2f(eps float64, c []float64) { fourierCoeffs(eps, c2Coeff[:], nC2, c) }

func (g *geodesic) a3coeff() {
	coeff := [...]float64{
		-3, 128,
		-2, -3, 64,
		-1, -3, -1, 16,
		3, -1, -2, 8,
		1, -1, 2,
		1, 1,
	}
	o, k := 0, 0
	for j := nA3 - 1; j >= 0; j-- {
		m := min(nA3-j-1, j)
		g.A3x[k] = polyval(m, coeff[o:], g.n) / coeff[o+m+1]
		k++
		o += m + 2
	}
}

func (g *geodesic) c3coeff() {
	coeff := [...]float64{
		3, 128,
		2, 5, 128,
		-1, 3, 3, 64,
		-1, 0, 1, 8,
		-1, 1, 4,
		5, 256,
		1, 3, 128,
		-3, -2, 3, 64,
		1, -3, 2, 32,
		7, 512,
		-10, 9, 384,
		5, -9, 5, 192,
		7, 512,
		-14, 7, 512,
		21, 2560,
	}
	o, k := 0, 0
	for l := 1; l < nC3; l++ {
		for j := nC3 - 1; j >= l; j-- {
			m := min(nC3-j-1, j)
			g.C3x[k] = polyval(m, coeff[o:], g.n) / coeff[o+m+1]
			k++
			o += m + 2
		}
	}
}

func (g *geodesic) c4coeff() {
	coeff := [...]float64{
		97, 15015,
		1088, 156, 45045,
		-224, -4784, 1573, 45045,
		-10656, 14144, -4576, -858, 45045,
		64, 624, -4576, 6864, -3003, 15015,
		100, 208, 572, 3432, -12012, 30030, 45045,
		1, 9009,
		-2944, 468, 135135,
		5792, 1040, -1287, 135135,
		5952, -11648, 9152, -2574, 135135,
		-64, -624, 4576, -6864, 3003, 135135,
		8, 10725,
		1856, -936, 225225,
		-8448, 4992, -1144, 225225,
		-1440, 4160, -4576, 1716, 225225,
		-136, 63063,
		1024, -208, 105105,
		3584, -3328, 1144, 315315,
		-128, 135135,
		-2560, 832, 405405,
		128, 99099,
	}
	o, k := 0, 0
	for l := 0; l < nC4; l++ {
		for j := nC4 - 1; j >= l; j-- {
			m := nC4 - j - 1
			g.C4x[k] = polyval(m, coeff[o:], g.n) / coeff[o+m+1]
			k++
			o += m + 2
		}
	}
}
