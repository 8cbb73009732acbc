package correlate

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSortByKey(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name string
		n    int
		key  func() uint64
	}{
		{"empty", 0, r.Uint64},
		{"one", 1, r.Uint64},
		{"full width", 5000, r.Uint64},
		{"few bits, many repeats", 5000, func() uint64 { return r.Uint64N(7) }},
		{"one digit only", 3000, func() uint64 { return r.Uint64N(1<<11) << 33 }},
		{"all equal", 100, func() uint64 { return 42 }},
		{"large, split among workers", 200000, func() uint64 { return r.Uint64N(1 << 40) }},
		{"large, few keys", 100000, func() uint64 { return r.Uint64N(3) << 50 }},
	} {
		keys := make([]uint64, tc.n)
		vals := make([]int32, tc.n)
		type kv struct {
			k uint64
			v int32
		}
		want := make([]kv, tc.n)
		for i := range keys {
			keys[i], vals[i] = tc.key(), int32(i)
			want[i] = kv{keys[i], vals[i]}
		}
		slices.SortStableFunc(want, func(a, b kv) int { return cmp.Compare(a.k, b.k) })
		onlyKeys := slices.Clone(keys)
		sortByKey(keys, vals)
		sortByKey(onlyKeys, nil)
		for i := range want {
			if keys[i] != want[i].k || vals[i] != want[i].v || onlyKeys[i] != want[i].k {
				t.Fatalf("%s: at %d got (%d, %d), keys only %d; want (%d, %d)", tc.name, i, keys[i], vals[i], onlyKeys[i], want[i].k, want[i].v)
			}
		}
	}
}
