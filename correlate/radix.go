package correlate

import (
	"runtime"
	"sync"
)

// sortByKey sorts keys in ascending order and vals (if not nil, of the
// same length) along with them, stably: equal keys keep their order. It is
// an LSD radix sort, 11 bits a pass, that makes only the passes of the
// digits in which keys differ, so that keys using few bits cost few. Each
// pass runs on every processor: each worker counts and then moves its own
// contiguous part of the input, to places set apart for it, so the result
// does not depend on the schedule.
func sortByKey(keys []uint64, vals []int32) {
	const bits = 11
	const size = 1 << bits
	const passes = (64 + bits - 1) / bits
	n := len(keys)
	if n < 2 {
		return
	}
	w := runtime.GOMAXPROCS(0)
	if n < 1<<16 {
		w = 1
	}
	part := (n + w - 1) / w
	each := func(f func(k, lo, hi int)) {
		var wg sync.WaitGroup
		for k := range w {
			lo, hi := min(k*part, n), min((k+1)*part, n)
			wg.Go(func() { f(k, lo, hi) })
		}
		wg.Wait()
	}
	// The digits in which keys differ: only they need a pass.
	ors, ands := make([]uint64, w), make([]uint64, w)
	each(func(k, lo, hi int) {
		or, and := uint64(0), ^uint64(0)
		for _, x := range keys[lo:hi] {
			or, and = or|x, and&x
		}
		ors[k], ands[k] = or, and
	})
	or, and := uint64(0), ^uint64(0)
	for k := range w {
		if k*part < n {
			or, and = or|ors[k], and&ands[k]
		}
	}
	var need []uint
	for p := range passes {
		if (or^and)>>(p*bits)&(size-1) != 0 {
			need = append(need, uint(p*bits))
		}
	}
	if len(need) == 0 {
		return
	}
	bufK := make([]uint64, n)
	var bufV []int32
	if vals != nil {
		bufV = make([]int32, n)
	}
	src, dst := keys, bufK
	srcV, dstV := vals, bufV
	counts := make([][size]int, w)
	for _, shift := range need {
		each(func(k, lo, hi int) {
			c := &counts[k]
			clear(c[:])
			for _, x := range src[lo:hi] {
				c[x>>shift&(size-1)]++
			}
		})
		// Worker k's first place for digit d: all smaller digits, then
		// digit d of the workers before k.
		sum := 0
		for d := range size {
			for k := range w {
				counts[k][d], sum = sum, sum+counts[k][d]
			}
		}
		each(func(k, lo, hi int) {
			c := &counts[k]
			for i := lo; i < hi; i++ {
				x := src[i]
				d := x >> shift & (size - 1)
				dst[c[d]] = x
				if srcV != nil {
					dstV[c[d]] = srcV[i]
				}
				c[d]++
			}
		})
		src, dst = dst, src
		srcV, dstV = dstV, srcV
	}
	if &src[0] != &keys[0] {
		copy(keys, src)
		if vals != nil {
			copy(vals, srcV)
		}
	}
}
