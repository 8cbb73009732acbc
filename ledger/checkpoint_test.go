package ledger_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/ledger"
	"golang.org/x/mod/sumdb/tlog"
)

const testRoot = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="

func TestCheckpointRoundTrip(t *testing.T) {
	root, _ := tlog.ParseHash(testRoot)
	tests := []struct {
		cp   ledger.Checkpoint
		body string
	}{
		{ledger.Checkpoint{Origin: "example.com/behind-the-sofa", Size: 20852163, Root: root},
			"example.com/behind-the-sofa\n20852163\n" + testRoot + "\n"},
		{ledger.Checkpoint{Origin: "truce.example/log", Size: 0, Root: ledger.EmptyRoot},
			"truce.example/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"},
		{ledger.Checkpoint{Origin: "o", Size: 9223372036854775807, Root: root, Extensions: []string{"ext one", "— two ü"}},
			"o\n9223372036854775807\n" + testRoot + "\next one\n— two ü\n"},
	}
	for _, tt := range tests {
		b, err := tt.cp.Marshal()
		if err != nil {
			t.Fatalf("Marshal(%+v): %v", tt.cp, err)
		}
		if string(b) != tt.body {
			t.Errorf("Marshal =\n%q\nwant\n%q", b, tt.body)
		}
		got, err := ledger.ParseCheckpoint(b)
		if err != nil {
			t.Fatalf("ParseCheckpoint(%q): %v", b, err)
		}
		if got.Origin != tt.cp.Origin || got.Size != tt.cp.Size || got.Root != tt.cp.Root || strings.Join(got.Extensions, "|") != strings.Join(tt.cp.Extensions, "|") {
			t.Errorf("ParseCheckpoint = %+v, want %+v", got, tt.cp)
		}
		// tlog's own parser reads the same three lines.
		if tr, err := tlog.ParseTree([]byte("go.sum database tree\n" + strings.Join(strings.SplitN(tt.body, "\n", 2)[1:], ""))); err == nil && len(tt.cp.Extensions) == 0 {
			if tr.N != tt.cp.Size || tr.Hash != tt.cp.Root {
				t.Errorf("tlog.ParseTree = %+v", tr)
			}
		}
	}
}

func TestParseCheckpointErrors(t *testing.T) {
	tests := []struct{ name, body, msg string }{
		{"empty", "", "checkpoint: empty"},
		{"missing final newline", "log\n5\n" + testRoot, "line 3: missing final newline"},
		{"only origin", "log\n", "line 2 (tree size): missing"},
		{"no root", "log\n5\n", "line 3 (root hash): missing"},
		{"empty origin", "\n5\n" + testRoot + "\n", "line 1 (origin): empty line"},
		{"size not decimal", "log\nfive\n" + testRoot + "\n", `line 2 (tree size): "five" is not a decimal number`},
		{"size with sign", "log\n+5\n" + testRoot + "\n", "line 2 (tree size)"},
		{"negative size", "log\n-5\n" + testRoot + "\n", "line 2 (tree size)"},
		{"size with space", "log\n5 \n" + testRoot + "\n", "line 2 (tree size)"},
		{"leading zeros", "log\n007\n" + testRoot + "\n", `line 2 (tree size): "007" has a leading zero`},
		{"empty size", "log\n\n" + testRoot + "\n", "line 2 (tree size): empty line"},
		{"size overflow", "log\n9223372036854775808\n" + testRoot + "\n", "line 2 (tree size): \"9223372036854775808\" is too large"},
		{"root not base64", "log\n5\nnot base64!\n", "line 3 (root hash)"},
		{"root 31 bytes", "log\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n", "line 3 (root hash)"},
		{"root 33 bytes", "log\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n", "line 3 (root hash)"},
		{"root unpadded", "log\n5\n" + strings.TrimRight(testRoot, "=") + "\n", "line 3 (root hash)"},
		{"root url base64", "log\n5\n_____________________________________________w==\n", "line 3 (root hash)"},
		{"root non-canonical", "log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n", "line 3 (root hash)"},
		{"empty extension", "log\n5\n" + testRoot + "\n\n", "line 4 (extension): empty line"},
		{"blank line then ext", "log\n5\n" + testRoot + "\nx\n\ny\n", "line 5 (extension): empty line"},
		{"CR line end", "log\r\n5\n" + testRoot + "\n", "line 1 (origin): control character"},
		{"tab in origin", "lo\tg\n5\n" + testRoot + "\n", "line 1 (origin): control character"},
		{"invalid UTF-8", "log\xff\n5\n" + testRoot + "\n", "line 1 (origin): not valid UTF-8"},
		{"too large", "log\n5\n" + testRoot + "\n" + strings.Repeat("x", ledger.MaxCheckpointSize) + "\n", "over the limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ledger.ParseCheckpoint([]byte(tt.body))
			if err == nil || !strings.Contains(err.Error(), tt.msg) || truce.ErrorCode(err) != truce.EINVALID {
				t.Errorf("ParseCheckpoint(%.60q) = %v, want EINVALID containing %q", tt.body, err, tt.msg)
			}
		})
	}
}

func TestCheckpointMarshalInvalid(t *testing.T) {
	tests := []struct {
		name string
		cp   ledger.Checkpoint
		msg  string
	}{
		{"empty origin", ledger.Checkpoint{Size: 1}, "line 1 (origin)"},
		{"newline in origin", ledger.Checkpoint{Origin: "a\nb", Size: 1}, "line 1 (origin)"},
		{"negative size", ledger.Checkpoint{Origin: "a", Size: -1}, "line 2 (tree size)"},
		{"empty extension", ledger.Checkpoint{Origin: "a", Extensions: []string{"x", ""}}, "line 5 (extension)"},
		{"newline in extension", ledger.Checkpoint{Origin: "a", Extensions: []string{"x\ny"}}, "line 4 (extension)"},
	}
	for _, tt := range tests {
		if _, err := tt.cp.Marshal(); err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: Marshal = %v, want error containing %q", tt.name, err, tt.msg)
		}
	}
	ok := ledger.Checkpoint{Origin: "a", Size: 3}
	b, err := ok.Marshal()
	if err != nil || !bytes.HasPrefix(b, []byte("a\n3\n")) {
		t.Errorf("Marshal = %q, %v", b, err)
	}
}
