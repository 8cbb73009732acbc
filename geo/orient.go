package geo

import (
	"math"
	"math/big"
)

// orientErrBound is Shewchuk's bound on the relative error of the
// floating-point determinant in orient: (3 + 16ε)ε with ε = 2⁻⁵³.
const orientErrBound = (3 + 16*0x1p-53) * 0x1p-53

// orientTiny is the magnitude below which orient does not trust its error
// bound (products may have lost bits to underflow) and computes exactly.
const orientTiny = 0x1p-900

// orient returns the sign of the determinant
//
//	| ax-cx  ay-cy |
//	| bx-cx  by-cy |
//
// exactly: +1 if a, b, c turn counter-clockwise (c lies left of the
// directed line a→b), −1 if clockwise, 0 if the three points are collinear.
// A floating-point filter decides almost every call; the rare call it cannot
// decide is computed in exact rational arithmetic.
func orient(ax, ay, bx, by, cx, cy float64) int {
	acx, bcy := ax-cx, by-cy
	acy, bcx := ay-cy, bx-cx
	l := acx * bcy
	r := acy * bcx
	switch {
	case l > 0:
		if r < 0 {
			return 1
		}
	case l < 0:
		if r > 0 {
			return -1
		}
	default:
		// l is zero. If a factor of each product is an exact zero
		// (coordinate differences are exact zeros only for equal
		// coordinates), the determinant is exactly zero.
		if (acx == 0 || bcy == 0) && (acy == 0 || bcx == 0) {
			return 0
		}
	}
	det := l - r
	sum := math.Abs(l) + math.Abs(r)
	if sum > orientTiny {
		if det > orientErrBound*sum {
			return 1
		}
		if -det > orientErrBound*sum {
			return -1
		}
	}
	return orientExact(ax, ay, bx, by, cx, cy)
}

// orientExact is orient in exact rational arithmetic.
func orientExact(ax, ay, bx, by, cx, cy float64) int {
	var v [6]big.Rat
	v[0].SetFloat64(ax)
	v[1].SetFloat64(ay)
	v[2].SetFloat64(bx)
	v[3].SetFloat64(by)
	v[4].SetFloat64(cx)
	v[5].SetFloat64(cy)
	v[0].Sub(&v[0], &v[4]) // ax-cx
	v[1].Sub(&v[1], &v[5]) // ay-cy
	v[2].Sub(&v[2], &v[4]) // bx-cx
	v[3].Sub(&v[3], &v[5]) // by-cy
	v[0].Mul(&v[0], &v[3])
	v[1].Mul(&v[1], &v[2])
	return v[0].Cmp(&v[1])
}
