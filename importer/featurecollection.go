package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// feature is one element of a FeatureCollection's "features" array, with
// the line where it starts.
type feature struct {
	index int
	raw   json.RawMessage
	line  int
}

// featureCollection is a GeoJSON FeatureCollection read token by token, so
// that each feature keeps its position in the file.
type featureCollection struct {
	typ      string
	name     string // the non-standard top-level "name" member (DeepState)
	features []feature
}

// lineCounter turns increasing byte offsets into line numbers in O(n) total.
type lineCounter struct {
	data []byte
	off  int
	line int
}

func (lc *lineCounter) at(off int) int {
	off = min(max(off, 0), len(lc.data))
	if off < lc.off {
		lc.off, lc.line = 0, 1
	}
	lc.line += bytes.Count(lc.data[lc.off:off], []byte{'\n'})
	lc.off = off
	return lc.line
}

// readFeatureCollection reads rd.data as a GeoJSON FeatureCollection. A
// syntax error or a document of the wrong shape is a file error naming the
// line.
func readFeatureCollection(rd *reader) (*featureCollection, error) {
	data := rd.data
	lc := &lineCounter{data: data, line: 1}
	dec := json.NewDecoder(bytes.NewReader(data))
	jsonErr := func(err error, what string) error {
		off := int(dec.InputOffset())
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			off = int(se.Offset)
		case errors.As(err, &te):
			off = int(te.Offset)
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			off = len(data)
			err = errors.New("unexpected end of input (truncated file?)")
		}
		return fileError(rd.name, lineAt(data, off), "", "%s: invalid JSON: %v", what, err)
	}
	tok, err := dec.Token()
	if err == io.EOF {
		return nil, fileError(rd.name, 1, "", "empty file: a GeoJSON FeatureCollection is required")
	}
	if err != nil {
		return nil, jsonErr(err, "document")
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fileError(rd.name, lineAt(data, int(dec.InputOffset())), "", "not a GeoJSON object: it starts with %v", tok)
	}
	fc := &featureCollection{}
	sawFeatures := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonErr(err, "document")
		}
		key, _ := tok.(string)
		switch key {
		case "features":
			if sawFeatures {
				return nil, fileError(rd.name, lineAt(data, int(dec.InputOffset())), "features", "\"features\" appears twice")
			}
			sawFeatures = true
			tok, err := dec.Token()
			if err != nil {
				return nil, jsonErr(err, "features")
			}
			if d, ok := tok.(json.Delim); !ok || d != '[' {
				return nil, fileError(rd.name, lineAt(data, int(dec.InputOffset())), "features", "must be an array")
			}
			for i := 0; dec.More(); i++ {
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return nil, jsonErr(err, fmt.Sprintf("features[%d]", i))
				}
				start := int(dec.InputOffset()) - len(raw)
				fc.features = append(fc.features, feature{index: i, raw: raw, line: lc.at(start)})
			}
			if _, err := dec.Token(); err != nil { // ']'
				return nil, jsonErr(err, "features")
			}
		default:
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, jsonErr(err, fmt.Sprintf("%q", key))
			}
			switch key {
			case "type":
				if err := json.Unmarshal(raw, &fc.typ); err != nil {
					return nil, fileError(rd.name, lineAt(data, int(dec.InputOffset())), "type", "must be a string")
				}
			case "name":
				_ = json.Unmarshal(raw, &fc.name) // informative only
			}
		}
	}
	if _, err := dec.Token(); err != nil { // '}'
		return nil, jsonErr(err, "document")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fileError(rd.name, lineAt(data, int(dec.InputOffset())), "", "unexpected data after the end of the GeoJSON object")
	}
	if fc.typ != "FeatureCollection" {
		return nil, fileError(rd.name, 1, "type", "want a GeoJSON \"FeatureCollection\", found type %q", fc.typ)
	}
	if !sawFeatures {
		return nil, fileError(rd.name, 1, "features", "a FeatureCollection needs a \"features\" array")
	}
	return fc, nil
}
