package correlate

// sortByKey sorts keys in ascending order and vals (if not nil, of the
// same length) along with them, stably: equal keys keep their order. It is
// an LSD radix sort, 11 bits a pass, that skips the passes in which every
// key has the same digit, so that keys using few bits cost few passes.
func sortByKey(keys []uint64, vals []int32) {
	const bits = 11
	const size = 1 << bits
	n := len(keys)
	if n < 2 {
		return
	}
	const passes = (64 + bits - 1) / bits
	var counts [passes][size]int
	for _, k := range keys {
		for p := range passes {
			counts[p][k>>(p*bits)&(size-1)]++
		}
	}
	bufK := make([]uint64, n)
	var bufV []int32
	if vals != nil {
		bufV = make([]int32, n)
	}
	src, dst := keys, bufK
	srcV, dstV := vals, bufV
	for p := range passes {
		c := &counts[p]
		if c[keys[0]>>(p*bits)&(size-1)] == n {
			continue // every key has this digit
		}
		sum := 0
		for d := range c {
			c[d], sum = sum, sum+c[d]
		}
		shift := uint(p * bits)
		for i, k := range src {
			d := k >> shift & (size - 1)
			dst[c[d]] = k
			if srcV != nil {
				dstV[c[d]] = srcV[i]
			}
			c[d]++
		}
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
