package truce_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

func TestWitnessValidate(t *testing.T) {
	const key = "witness.example/observer+141de0a8+BGdxDRSu/2Zhnk8EykqbWZ5NwfH9ShmKWC7uS4ho6utK"
	tests := []struct {
		name  string
		w     truce.Witness
		paths []string
	}{
		{"valid", truce.Witness{Name: "witness.example/observer", Key: key}, nil},
		{"no name", truce.Witness{Key: key}, []string{"name", "key"}},
		{"no key", truce.Witness{Name: "w"}, []string{"key"}},
		{"space", truce.Witness{Name: "w x", Key: "w x+00"}, []string{"name"}},
		{"plus", truce.Witness{Name: "w+x", Key: "w+x+00"}, []string{"name"}},
		{"control", truce.Witness{Name: "w\x7f", Key: "w\x7f+00"}, []string{"name"}},
		{"not UTF-8", truce.Witness{Name: "w\xff", Key: "w\xff+00"}, []string{"name"}},
		{"long name", truce.Witness{Name: strings.Repeat("w", 257), Key: strings.Repeat("w", 257) + "+00"}, []string{"name"}},
		{"key of another name", truce.Witness{Name: "witness.example/obs", Key: key}, []string{"key"}},
		{"long key", truce.Witness{Name: "w", Key: "w+" + strings.Repeat("A", truce.MaxWitnessKeyLen)}, []string{"key"}},
	}
	for _, tt := range tests {
		err := tt.w.Validate()
		var paths []string
		for _, p := range truce.ErrorProblems(err) {
			paths = append(paths, p.Path)
		}
		if strings.Join(paths, " ") != strings.Join(tt.paths, " ") || (err == nil) != (tt.paths == nil) {
			t.Errorf("%s: Validate() = %v (problems at %q), want problems at %q", tt.name, err, paths, tt.paths)
		}
		if err != nil && truce.ErrorCode(err) != truce.EINVALID {
			t.Errorf("%s: error code %q", tt.name, truce.ErrorCode(err))
		}
	}
}

func TestCosignatureFrom(t *testing.T) {
	tests := []struct{ line, name string }{
		{"— witness.example/observer FB3gqAAAAABn08zo==\n", "witness.example/observer"},
		{"— w sig", "w"},
		{"— w sig\n\n", ""},
		{"— w \n", ""},
		{"— w\n", ""},
		{"- w sig\n", ""},
		{"—  w sig\n", ""},
		{"— w+x sig\n", ""},
		{"— w sig\n— v sig\n", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := truce.CosignatureFrom(tt.line); got != tt.name {
			t.Errorf("CosignatureFrom(%q) = %q, want %q", tt.line, got, tt.name)
		}
	}
}

func TestCosigned(t *testing.T) {
	cp := &truce.SignedCheckpoint{Note: []byte("o\n1\nroot\n\n— o sig\n"), Cosignatures: []*truce.Cosignature{{Line: "— a x\n"}, {Line: "— b y\n"}}}
	if got, want := string(cp.Cosigned()), "o\n1\nroot\n\n— o sig\n— a x\n— b y\n"; got != want {
		t.Errorf("Cosigned() = %q, want %q", got, want)
	}
	cp.Cosignatures = nil
	if got := string(cp.Cosigned()); got != string(cp.Note) {
		t.Errorf("Cosigned() without cosignatures = %q", got)
	}
}

// TestWitnessEntryDoc checks the example witness entry of
// docs/log-format.md §10: its bytes are what Witness.Canonical and
// Entry.Encode write, and its length and leaf hash are right.
func TestWitnessEntryDoc(t *testing.T) {
	doc, err := os.ReadFile("docs/log-format.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)<!-- BEGIN witness entry example[^\n]*-->\n```\n(.*?)\n```\n\n(\\d+) bytes; leaf hash[^\n]*\n\n```\n([0-9a-f]{64})\n```\n<!-- END witness entry example -->").FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/log-format.md has no witness entry example")
	}
	w := &truce.Witness{Name: "witness.example/observer", Key: "witness.example/observer+141de0a8+BGdxDRSu/2Zhnk8EykqbWZ5NwfH9ShmKWC7uS4ho6utK"}
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	data, err := w.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	e := &truce.Entry{Type: truce.EntryWitness, Time: time.Date(2025, 3, 14, 6, 0, 0, 0, time.UTC), Submitter: "operator", Data: data}
	enc := e.Encode()
	if got := strconv.Quote(string(enc)); got != string(m[1]) {
		t.Errorf("the doc's entry is\n%s\nEncode writes\n%s", m[1], got)
	}
	if n, _ := strconv.Atoi(string(m[2])); n != len(enc) {
		t.Errorf("the doc says %s bytes; the entry has %d", m[2], len(enc))
	}
	leaf := sha256.Sum256(append([]byte{0}, enc...))
	if got := hex.EncodeToString(leaf[:]); got != string(m[3]) {
		t.Errorf("the doc's leaf hash is %s; the entry's is %s", m[3], got)
	}
}

func FuzzCosignatureFrom(f *testing.F) {
	f.Add("— witness.example/observer FB3gqAAAAABn08zolM5X/HBWzoZ1jgnuPcDKDAKu6kEzw/VzedV6wPma2mE3GAsRDE+LQVnbGNCOO+9k5dGNJBUMC6+lkjHQz5IgCQ==\n")
	f.Add("— w sig")
	f.Add("— w sig\n— v sig\n")
	f.Fuzz(func(t *testing.T, line string) {
		name := truce.CosignatureFrom(line)
		if name == "" {
			return
		}
		if !truce.ValidKeyName(name) || !strings.HasPrefix(line, "— "+name+" ") {
			t.Fatalf("CosignatureFrom(%q) = %q", line, name)
		}
		if rest := strings.TrimSuffix(line, "\n"); strings.Contains(rest, "\n") || len(rest) <= len("— "+name+" ") {
			t.Fatalf("CosignatureFrom(%q) = %q for more or less than one line with a signature", line, name)
		}
	})
}
