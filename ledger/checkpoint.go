package ledger

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/truce-monitor/truce"
	"golang.org/x/mod/sumdb/tlog"
)

// MaxCheckpointSize is the largest checkpoint body ParseCheckpoint accepts.
const MaxCheckpointSize = 16 << 10

// A Checkpoint is the body of a C2SP tlog-checkpoint: the log's origin, the
// number of entries in the tree, and the tree's root hash, with optional
// opaque extension lines. Its text form is
//
//	<origin>\n
//	<size in decimal, no leading zeros>\n
//	<root hash in standard base64>\n
//	<extension line>\n ...
type Checkpoint struct {
	// Origin names the log. It is non-empty and, since the note that
	// carries a checkpoint is signed by a key of the same name, it should
	// contain neither spaces nor '+'.
	Origin string
	// Size is the number of entries in the tree.
	Size int64
	// Root is the RFC 6962 root hash of the tree of Size entries.
	Root tlog.Hash
	// Extensions are optional non-empty lines after the root hash. truce
	// writes none; C2SP does not recommend them, as monitors cannot audit
	// them.
	Extensions []string
}

// Validate reports whether c can be written as a checkpoint that
// ParseCheckpoint reads back unchanged.
func (c *Checkpoint) Validate() error {
	if err := checkLine(c.Origin); err != nil {
		return truce.Errorf(truce.EINVALID, "checkpoint: line 1 (origin): %s", err.Message)
	}
	if c.Size < 0 {
		return truce.Errorf(truce.EINVALID, "checkpoint: line 2 (tree size): negative size %d", c.Size)
	}
	for i, ext := range c.Extensions {
		if err := checkLine(ext); err != nil {
			return truce.Errorf(truce.EINVALID, "checkpoint: line %d (extension): %s", i+4, err.Message)
		}
	}
	if n := len(c.marshal()); n > MaxCheckpointSize {
		return truce.Errorf(truce.EINVALID, "checkpoint: %d bytes is over the limit of %d", n, MaxCheckpointSize)
	}
	return nil
}

// Marshal returns the checkpoint body, every line ending in a newline. It
// fails if c is not valid (see [Checkpoint.Validate]).
func (c *Checkpoint) Marshal() ([]byte, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c.marshal(), nil
}

func (c *Checkpoint) marshal() []byte {
	var b bytes.Buffer
	b.WriteString(c.Origin)
	b.WriteByte('\n')
	b.WriteString(strconv.FormatInt(c.Size, 10))
	b.WriteByte('\n')
	b.WriteString(base64.StdEncoding.EncodeToString(c.Root[:]))
	b.WriteByte('\n')
	for _, ext := range c.Extensions {
		b.WriteString(ext)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// ParseCheckpoint parses a checkpoint body strictly, per C2SP
// tlog-checkpoint: at least three lines, each ending in a newline; a
// non-empty origin; the size in ASCII decimal without sign or leading zeros
// ("0" for the empty tree) that fits an int64; the root hash as exactly 32
// bytes in canonical standard padded base64; and non-empty extension lines.
// Every line must be valid UTF-8 without control characters, as signed notes
// require. Errors name the line that is wrong.
func ParseCheckpoint(body []byte) (*Checkpoint, error) {
	if len(body) > MaxCheckpointSize {
		return nil, truce.Errorf(truce.EINVALID, "checkpoint: %d bytes is over the limit of %d", len(body), MaxCheckpointSize)
	}
	if len(body) == 0 {
		return nil, truce.Errorf(truce.EINVALID, "checkpoint: empty")
	}
	if body[len(body)-1] != '\n' {
		n := bytes.Count(body, []byte{'\n'}) + 1
		return nil, truce.Errorf(truce.EINVALID, "checkpoint: line %d: missing final newline", n)
	}
	lines := strings.Split(string(body[:len(body)-1]), "\n")
	names := []string{"origin", "tree size", "root hash"}
	for i, l := range lines {
		name := "extension"
		if i < len(names) {
			name = names[i]
		}
		if err := checkLine(l); err != nil {
			return nil, truce.Errorf(truce.EINVALID, "checkpoint: line %d (%s): %s", i+1, name, err.Message)
		}
	}
	if len(lines) < 3 {
		return nil, truce.Errorf(truce.EINVALID, "checkpoint: line %d (%s): missing", len(lines)+1, names[len(lines)])
	}
	c := &Checkpoint{Origin: lines[0]}
	size, err := parseSize(lines[1])
	if err != nil {
		return nil, truce.Errorf(truce.EINVALID, "checkpoint: line 2 (tree size): %s", err.Message)
	}
	c.Size = size
	root, herr := parseHash(lines[2], "root hash")
	if herr != nil {
		return nil, truce.Errorf(truce.EINVALID, "checkpoint: line 3 (root hash): %.60q is not a 32-byte hash in standard base64", lines[2])
	}
	c.Root = root
	if len(lines) > 3 {
		c.Extensions = lines[3:]
	}
	return c, nil
}

// checkLine reports why s cannot be one line of a checkpoint.
func checkLine(s string) *truce.Error {
	if s == "" {
		return truce.Errorf(truce.EINVALID, "empty line")
	}
	if !utf8.ValidString(s) {
		return truce.Errorf(truce.EINVALID, "not valid UTF-8")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 {
			return truce.Errorf(truce.EINVALID, "control character %q at byte %d", s[i], i+1)
		}
	}
	return nil
}

func parseSize(s string) (int64, *truce.Error) {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, truce.Errorf(truce.EINVALID, "%.30q is not a decimal number", s)
		}
	}
	if len(s) > 1 && s[0] == '0' {
		return 0, truce.Errorf(truce.EINVALID, "%.30q has a leading zero", s)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, truce.Errorf(truce.EINVALID, "%.30q is too large", s)
	}
	return n, nil
}
