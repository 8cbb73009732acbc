package httpapi

import (
	"bytes"
	gojson "github.com/goccy/go-json"
	"io"
	"reflect"
	"sync"
)

// decodeFast is the fast path of decodeStrict. It decodes data into v (a
// pointer to a zero value) and reports true only when data is one JSON value
// with nothing after it, every object key is spelt exactly as a member of
// v's type and appears once in its object, and encoding/json decodes it
// without error. Otherwise it leaves v zero and reports false, and the
// caller runs the full check, which says what is wrong and where. Both
// paths accept and reject exactly the same inputs; this one skips the
// token-by-token walk that precise messages need.
func decodeFast(data []byte, v any) bool {
	keys, ok := memberNames(reflect.TypeOf(v).Elem())
	if !ok || !exactKeys(data, keys) {
		return false
	}
	dec := gojson.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		_, err = dec.Token()
		if err == io.EOF {
			return true
		}
	}
	reflect.ValueOf(v).Elem().SetZero()
	return false
}

var memberCache sync.Map // reflect.Type → memberSet

type memberSet struct {
	names map[string]bool
	ok    bool
}

// memberNames returns every JSON member name that can occur in a value of
// type t, at any depth. ok is false when some object in t has keys that are
// not member names (a map, an interface, raw JSON): the fast path does not
// apply to such types.
func memberNames(t reflect.Type) (map[string]bool, bool) {
	if m, ok := memberCache.Load(t); ok {
		ms := m.(memberSet)
		return ms.names, ms.ok
	}
	names := map[string]bool{}
	ok := collectMembers(t, names, map[reflect.Type]bool{})
	memberCache.Store(t, memberSet{names, ok})
	return names, ok
}

func collectMembers(t reflect.Type, names map[string]bool, seen map[reflect.Type]bool) bool {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		if t == rawMessageType {
			return false
		}
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return true
	case t.Kind() == reflect.Map || t.Kind() == reflect.Interface:
		return false
	case t.Kind() != reflect.Struct || seen[t]:
		return true
	}
	seen[t] = true
	for name, ft := range fieldsOf(t) {
		names[name] = true
		if !collectMembers(ft, names, seen) {
			return false
		}
	}
	return true
}

// exactKeys reports whether every object key in data is in names, no
// object repeats a key, and no value is null. It scans bytes without decoding values; on input
// that is not well-formed it may answer either way, and the decode that
// follows decides.
func exactKeys(data []byte, names map[string]bool) bool {
	// keys holds the keys seen in each open object, as offsets into data;
	// open[i] is where the keys of the i-th open container start, or -1
	// for an array.
	var keysBuf [64][2]int
	var openBuf [16]int
	keys, open := keysBuf[:0], openBuf[:0]
	expectKey := false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '{':
			open = append(open, len(keys))
			expectKey = true
		case '[':
			open = append(open, -1)
			expectKey = false
		case '}', ']':
			if len(open) == 0 {
				return false
			}
			if start := open[len(open)-1]; start >= 0 {
				keys = keys[:start]
			}
			open = open[:len(open)-1]
			expectKey = false
		case 'n':
			return false // null: the full check decides per field whether it may be
		case ',':
			expectKey = len(open) > 0 && open[len(open)-1] >= 0
		case '"':
			j := i + 1
			escaped := false
			for ; j < len(data); j++ {
				if data[j] == '\\' {
					escaped = true
					j++
					continue
				}
				if data[j] == '"' {
					break
				}
			}
			if j >= len(data) {
				return false
			}
			if expectKey {
				key := data[i+1 : j]
				if escaped || !names[string(key)] {
					return false // the full check reads escaped and unknown keys
				}
				for _, k := range keys[open[len(open)-1]:] {
					if bytes.Equal(data[k[0]:k[1]], key) {
						return false
					}
				}
				keys = append(keys, [2]int{i + 1, j})
				expectKey = false
			}
			i = j
		}
	}
	return len(open) == 0
}
