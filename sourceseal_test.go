package truce_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

// TestSealSource checks that a sealed source's entry form names it by its
// pseudonym and holds neither its name nor its description, that its
// private part opens it again, that any edit of the part is found, and
// that an open role's source is left as it is.
func TestSealSource(t *testing.T) {
	p := truce.DefaultDisclosure()
	at := time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)
	s := &truce.Source{Name: "team-pryshyb", Role: truce.RoleMonitor, Description: "patrol base near Pryshyb", CreatedAt: at}
	pub, part, err := truce.SealSource(p, sealKey, s)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(pub)
	if strings.Contains(string(data), "pryshyb") || !truce.IsSourcePseudonym(pub.Name) || pub.Sealed == "" || part == nil {
		t.Fatalf("entry form %s, part %v", data, part)
	}
	if again, _, _ := truce.SealSource(p, sealKey, s); again.Name != pub.Name || again.Sealed != pub.Sealed {
		t.Errorf("sealing again gave %s/%s, want %s/%s: sealing is a function of the source and the key", again.Name, again.Sealed, pub.Name, pub.Sealed)
	}
	got, err := truce.UnsealSource(pub, part)
	if err != nil || got.Name != s.Name || got.Description != s.Description || got.PublicName != pub.Name {
		t.Fatalf("UnsealSource = %+v, %v", got, err)
	}
	for name, edit := range map[string]func(g *truce.SealedGroup){
		"name changed": func(g *truce.SealedGroup) {
			g.Value = json.RawMessage(`{"name":"team-other","description":"patrol base near Pryshyb"}`)
		},
		"salt changed": func(g *truce.SealedGroup) { g.Salt = strings.Repeat("00", 32) },
		"not canonical": func(g *truce.SealedGroup) {
			g.Value = json.RawMessage(strings.Replace(string(g.Value), `":"`, `": "`, 1))
		},
	} {
		g := *part
		edit(&g)
		if _, err := truce.UnsealSource(pub, &g); truce.ErrorCode(err) != truce.EINVALID {
			t.Errorf("%s: UnsealSource = %v, want EINVALID", name, err)
		}
	}
	if _, err := truce.UnsealSource(pub, nil); truce.ErrorCode(err) != truce.EINVALID {
		t.Errorf("without its part: %v, want EINVALID", err)
	}
	open := &truce.Source{Name: "firms", Role: truce.RoleDataset, Description: "NASA FIRMS", CreatedAt: at}
	opub, opart, err := truce.SealSource(p, sealKey, open)
	if err != nil || opart != nil || opub.Name != "firms" || opub.Description != "NASA FIRMS" || opub.Sealed != "" {
		t.Errorf("open source sealed as %+v, %v, %v", opub, opart, err)
	}
}
