package agreement

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// segment is one step of a field path: a field name or a list index.
type segment struct {
	name  string
	index int // -1 for a name
}

// splitPath splits "rules[1].prohibits[0]" into rules, 1, prohibits, 0.
func splitPath(p string) []segment {
	var segs []segment
	for _, part := range strings.Split(p, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if name != "" || rest == "" {
			segs = append(segs, segment{name: name, index: -1})
		}
		for rest != "" {
			num, after, ok := strings.Cut(rest, "]")
			i, err := strconv.Atoi(num)
			if !ok || err != nil || i < 0 {
				segs = append(segs, segment{name: "[" + rest, index: -1})
				break
			}
			segs = append(segs, segment{index: i})
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return segs
}

// fieldAliases name the fields a file may give in place of a field of
// truce.Agreement: a zone's total width_km for band_km, a file for an
// inline geometry, a duration for an end.
var fieldAliases = map[string]string{
	"band_km":  "width_km",
	"geometry": "file",
	"end":      "duration",
}

// locate finds the line of the field at path (a path as Validate reports
// it) in the tree under root, and the path as the file writes it (with
// width_km, file or duration for their aliases). A field that is missing
// is placed on the line of the nearest enclosing field that is present. A
// field reached through a mapping key is on its key's line; a list item on
// its own line.
func locate(root *yaml.Node, path string) (line, col int, shown string) {
	cur, line, col := root, root.Line, root.Column
	var b strings.Builder
	segs := splitPath(path)
	for i, s := range segs {
		var next *yaml.Node
		if s.index >= 0 {
			if cur.Kind == yaml.SequenceNode && s.index < len(cur.Content) {
				next = cur.Content[s.index]
				line, col = next.Line, next.Column
				fmt.Fprintf(&b, "[%d]", s.index)
			}
		} else if cur.Kind == yaml.MappingNode {
			k, v := lookup(cur, s.name)
			if k == nil && fieldAliases[s.name] != "" {
				k, v = lookup(cur, fieldAliases[s.name])
			}
			if k != nil {
				next = v
				line, col = k.Line, k.Column
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(k.Value)
			}
		}
		if next == nil {
			return max(line, 1), col, b.String() + rest(segs[i:], b.Len() > 0)
		}
		cur = next
	}
	return max(line, 1), col, b.String()
}

// rest formats segs as the tail of a path.
func rest(segs []segment, dot bool) string {
	var b strings.Builder
	for _, s := range segs {
		if s.index >= 0 {
			fmt.Fprintf(&b, "[%d]", s.index)
			continue
		}
		if dot {
			b.WriteByte('.')
		}
		b.WriteString(s.name)
		dot = true
	}
	return b.String()
}

// lookup returns the first key named name in the mapping n, and its value.
func lookup(n *yaml.Node, name string) (k, v *yaml.Node) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Value == name {
			return k, n.Content[i+1]
		}
	}
	return nil, nil
}

// toJSON writes the YAML value n as compact JSON, keys in the order
// written. On failure it returns the node at fault.
func toJSON(b *strings.Builder, n *yaml.Node) (*yaml.Node, error) {
	switch n.Kind {
	case yaml.MappingNode:
		b.WriteByte('{')
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || isNull(k) {
				return k, fmt.Errorf("a GeoJSON member name must be text; found %s", describe(k))
			}
			if seen[k.Value] {
				return k, fmt.Errorf("member %q is given twice", k.Value)
			}
			seen[k.Value] = true
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, k.Value)
			b.WriteByte(':')
			if bad, err := toJSON(b, n.Content[i+1]); err != nil {
				return bad, err
			}
		}
		b.WriteByte('}')
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if bad, err := toJSON(b, c); err != nil {
				return bad, err
			}
		}
		b.WriteByte(']')
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			b.WriteString("null")
		case "!!bool":
			var v bool
			if err := n.Decode(&v); err != nil {
				return n, err
			}
			b.WriteString(strconv.FormatBool(v))
		case "!!int", "!!float":
			var v float64
			if err := n.Decode(&v); err != nil {
				return n, fmt.Errorf("not a number: %s", n.Value)
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return n, fmt.Errorf("%s is not a finite number", n.Value)
			}
			out, _ := json.Marshal(v)
			b.Write(out)
		case "!!str", "!!timestamp":
			writeJSONString(b, n.Value)
		default:
			return n, fmt.Errorf("%s has no JSON form", describe(n))
		}
	default:
		return n, fmt.Errorf("%s has no JSON form", describe(n))
	}
	return nil, nil
}

func writeJSONString(b *strings.Builder, s string) {
	out, _ := json.Marshal(s)
	b.Write(out)
}
