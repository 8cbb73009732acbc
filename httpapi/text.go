package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/truce-monitor/truce"
)

// badText finds the first byte of data that is not text: a byte sequence
// that is not UTF-8, or a \u escape of half a UTF-16 surrogate pair
// without its other half, which encoding/json would both silently replace
// with U+FFFD. It returns the offset and what is wrong, or -1.
func badText(data []byte) (int, string) {
	if !utf8.Valid(data) {
		for i := 0; i < len(data); {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n <= 1 {
				return i, fmt.Sprintf("invalid UTF-8 (byte 0x%02x)", data[i])
			}
			i += n
		}
	}
	if !bytes.Contains(data, []byte(`\u`)) {
		return -1, ""
	}
	for i := 0; i+1 < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		if data[i+1] != 'u' {
			i++ // an escape of one character; its second byte is no escape
			continue
		}
		r1, ok := hex4(data, i+2)
		if !ok || !utf16.IsSurrogate(r1) {
			i++
			continue
		}
		if r1 < 0xDC00 && i+7 < len(data) && data[i+6] == '\\' && data[i+7] == 'u' {
			if r2, ok := hex4(data, i+8); ok && r2 >= 0xDC00 && r2 <= 0xDFFF {
				i += 11
				continue
			}
		}
		return i, fmt.Sprintf("\\u%04X is half of a UTF-16 surrogate pair without its other half", r1)
	}
	return -1, ""
}

func hex4(data []byte, i int) (rune, bool) {
	if i+4 > len(data) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(data[i:i+4]), 16, 16)
	return rune(n), err == nil
}

// textProblem returns the problem of a JSON document that is not text, or
// nil: the path of the string where the first bad byte is, as far as the
// document can be read up to there, and where it is.
func textProblem(data []byte, line int) []truce.Problem {
	off, what := badText(data)
	if off < 0 {
		return nil
	}
	return []truce.Problem{{Line: line, Path: pathAt(data, off), Message: fmt.Sprintf("%s %s; send text as UTF-8", what, position(data, int64(off), line))}}
}

// pathAt returns the JSON path of the value or key that byte offset off of
// data is in, reading data as JSON up to there: "$.text",
// "$.evidence[1].ref". A key is named by the path of its member.
func pathAt(data []byte, off int) string {
	type frame struct {
		object bool
		key    string // the member being read, in an object
		index  int    // the element being read, in an array
	}
	var stack []frame
	path := func(extra string) string {
		p := "$"
		for _, f := range stack {
			switch {
			case !f.object:
				p += "[" + strconv.Itoa(f.index) + "]"
			case f.key != "":
				p = childPath(p, f.key)
			}
		}
		if extra != "" {
			p = childPath(p, extra)
		}
		return p
	}
	expectKey := false
	for i := 0; i < len(data) && i <= off; i++ {
		switch data[i] {
		case '{':
			stack = append(stack, frame{object: true})
			expectKey = true
		case '[':
			stack = append(stack, frame{})
			expectKey = false
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			expectKey = false
		case ',':
			if n := len(stack); n > 0 {
				if stack[n-1].object {
					stack[n-1].key = ""
					expectKey = true
				} else {
					stack[n-1].index++
				}
			}
		case '"':
			j := i + 1
			for ; j < len(data) && data[j] != '"'; j++ {
				if data[j] == '\\' {
					j++
				}
			}
			if expectKey {
				var key string
				if j < len(data) {
					json.Unmarshal(data[i:j+1], &key)
				}
				if off <= j {
					return path(key)
				}
				stack[len(stack)-1].key = key
				expectKey = false
			} else if off <= j {
				return path("")
			}
			i = j
		}
	}
	return path("")
}

// checkQuery rejects a query whose names or values are not UTF-8 text,
// naming the parameter: url.Values would pass the bytes on as they are.
func checkQuery(q url.Values) error {
	var ps []truce.Problem
	for name, vs := range q {
		bad := !utf8.ValidString(name)
		for _, v := range vs {
			bad = bad || !utf8.ValidString(v)
		}
		if bad {
			ps = append(ps, truce.Problem{Path: "query." + strings.ToValidUTF8(name, "\uFFFD"), Message: "not UTF-8 text; percent-encode UTF-8"})
		}
	}
	if len(ps) > 0 {
		sortProblems(ps)
		return truce.Invalid("Invalid query parameter(s).", ps...)
	}
	return nil
}
