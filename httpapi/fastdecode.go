package httpapi

import (
	"bytes"
	"encoding/json"
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
	dec := json.NewDecoder(bytes.NewReader(data))
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
	type frame struct {
		object bool
		keys   []string
	}
	var stack []frame
	expectKey := false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '{':
			stack = append(stack, frame{object: true})
			expectKey = true
		case '[':
			stack = append(stack, frame{})
			expectKey = false
		case '}', ']':
			if len(stack) == 0 {
				return false
			}
			stack = stack[:len(stack)-1]
			expectKey = false
		case 'n':
			return false // null: the full check decides per field whether it may be
		case ',':
			expectKey = len(stack) > 0 && stack[len(stack)-1].object
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
				if escaped {
					return false // let the full check read escaped keys
				}
				key := string(data[i+1 : j])
				top := &stack[len(stack)-1]
				if !names[key] {
					return false
				}
				for _, k := range top.keys {
					if k == key {
						return false
					}
				}
				top.keys = append(top.keys, key)
				expectKey = false
			}
			i = j
		}
	}
	return len(stack) == 0
}
