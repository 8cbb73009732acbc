package truce_test

import (
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
)

func TestParseRole(t *testing.T) {
	tests := []struct {
		in    string
		role  truce.Role
		party string
		ok    bool
	}{
		{"admin", truce.RoleAdmin, "", true},
		{"analyst", truce.RoleAnalyst, "", true},
		{"monitor", truce.RoleMonitor, "", true},
		{"sensor", truce.RoleSensor, "", true},
		{"dataset", truce.RoleDataset, "", true},
		{"party:UA", truce.RoleParty, "UA", true},
		{"party:RU", truce.RoleParty, "RU", true},
		{"party:OSCE_SMM", truce.RoleParty, "OSCE_SMM", true},
		{"party:ua", "", "", false},
		{"party:", "", "", false},
		{"party:U", "", "", false},
		{"party:UA ", "", "", false},
		{"party", "", "", false},
		{"king", "", "", false},
		{"", "", "", false},
		{"Admin", "", "", false},
		{"admin ", "", "", false},
		{"PARTY:UA", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			role, party, err := truce.ParseRole(tt.in)
			if !tt.ok {
				if err == nil {
					t.Fatalf("ParseRole(%q) = %q, %q, nil; want an error", tt.in, role, party)
				}
				if truce.ErrorCode(err) != truce.EINVALID {
					t.Errorf("code = %q, want %q", truce.ErrorCode(err), truce.EINVALID)
				}
				if role != "" || party != "" {
					t.Errorf("error with role %q party %q", role, party)
				}
				if !strings.Contains(err.Error(), tt.in) && tt.in != "" {
					t.Errorf("error %q does not quote the input", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseRole(%q): %v", tt.in, err)
			}
			if role != tt.role || party != tt.party {
				t.Errorf("ParseRole(%q) = %q, %q, want %q, %q", tt.in, role, party, tt.role, tt.party)
			}
		})
	}
}

func TestRoleStringRoundTrip(t *testing.T) {
	sources := []truce.Source{
		{Name: "a", Role: truce.RoleAdmin},
		{Name: "a", Role: truce.RoleAnalyst},
		{Name: "a", Role: truce.RoleMonitor},
		{Name: "a", Role: truce.RoleSensor},
		{Name: "a", Role: truce.RoleDataset},
		{Name: "a", Role: truce.RoleParty, Party: "UA"},
		{Name: "a", Role: truce.RoleParty, Party: "DPR-2"},
	}
	for _, s := range sources {
		str := s.RoleString()
		role, party, err := truce.ParseRole(str)
		if err != nil || role != s.Role || party != s.Party {
			t.Errorf("ParseRole(%q) = %q, %q, %v; want %q, %q", str, role, party, err, s.Role, s.Party)
		}
	}
	if got := (&truce.Source{Role: truce.RoleParty, Party: "UA"}).RoleString(); got != "party:UA" {
		t.Errorf("RoleString = %q, want party:UA", got)
	}
	if got := (&truce.Source{Role: truce.RoleMonitor}).RoleString(); got != "monitor" {
		t.Errorf("RoleString = %q, want monitor", got)
	}
}

func TestSourceValidate(t *testing.T) {
	tests := []struct {
		name string
		s    truce.Source
		path string // "" means valid
		msg  string
	}{
		{"monitor", truce.Source{Name: "osce-team-3", Role: truce.RoleMonitor}, "", ""},
		{"admin", truce.Source{Name: "operator", Role: truce.RoleAdmin, Description: "the operator"}, "", ""},
		{"analyst", truce.Source{Name: "analyst.1", Role: truce.RoleAnalyst}, "", ""},
		{"sensor", truce.Source{Name: "acoustic_7", Role: truce.RoleSensor}, "", ""},
		{"dataset", truce.Source{Name: "deepstate", Role: truce.RoleDataset}, "", ""},
		{"party", truce.Source{Name: "ua-liaison", Role: truce.RoleParty, Party: "UA"}, "", ""},
		{"description at the limit", truce.Source{Name: "a", Role: truce.RoleSensor, Description: strings.Repeat("d", 1024)}, "", ""},
		{"name empty", truce.Source{Role: truce.RoleMonitor}, "name", "must be 1-64 lower-case letters"},
		{"name upper case", truce.Source{Name: "OSCE", Role: truce.RoleMonitor}, "name", "must be 1-64 lower-case letters"},
		{"name too long", truce.Source{Name: strings.Repeat("a", 65), Role: truce.RoleMonitor}, "name", "must be 1-64"},
		{"role empty", truce.Source{Name: "a"}, "role", `unknown role ""`},
		{"role unknown", truce.Source{Name: "a", Role: "king"}, "role", `unknown role "king"`},
		{"party without id", truce.Source{Name: "a", Role: truce.RoleParty}, "party", `"" is not a party id`},
		{"party lower-case id", truce.Source{Name: "a", Role: truce.RoleParty, Party: "ua"}, "party", `"ua" is not a party id`},
		{"monitor with party", truce.Source{Name: "a", Role: truce.RoleMonitor, Party: "UA"}, "party", "only a party source names a party"},
		{"admin with party", truce.Source{Name: "a", Role: truce.RoleAdmin, Party: "UA"}, "party", "only a party source names a party"},
		{"description too long", truce.Source{Name: "a", Role: truce.RoleSensor, Description: strings.Repeat("d", 1025)}, "description", "longer than 1024 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.Validate()
			if tt.path == "" {
				if err != nil {
					t.Errorf("Validate() = %v, want nil", err)
				}
				return
			}
			qaWant(t, err, tt.path, tt.msg, 1)
		})
	}
	// Several problems at once.
	err := (&truce.Source{Name: "", Role: "king", Description: strings.Repeat("d", 2000)}).Validate()
	ps := qaProblems(t, err)
	if len(ps) != 3 || !qaHas(ps, "name", "") || !qaHas(ps, "role", "king") || !qaHas(ps, "description", "1024") {
		t.Errorf("got:\n%s", qaList(ps))
	}
}

func TestSourceAuthorize(t *testing.T) {
	type allow struct{ observe, agreement, source, controlMap bool }
	roles := []struct {
		src  *truce.Source
		want allow
	}{
		{&truce.Source{Name: "root", Role: truce.RoleAdmin}, allow{false, true, true, true}},
		{&truce.Source{Name: "ana", Role: truce.RoleAnalyst}, allow{false, false, false, false}},
		{&truce.Source{Name: "osce", Role: truce.RoleMonitor}, allow{true, false, false, false}},
		{&truce.Source{Name: "mic", Role: truce.RoleSensor}, allow{true, false, false, false}},
		{&truce.Source{Name: "deepstate", Role: truce.RoleDataset}, allow{true, false, false, true}},
		{&truce.Source{Name: "ua", Role: truce.RoleParty, Party: "UA"}, allow{true, false, false, false}},
		{&truce.Source{Name: "odd", Role: "king"}, allow{false, false, false, false}},
		{&truce.Source{Name: "blank"}, allow{false, false, false, false}},
		{truce.Operator, allow{false, true, true, true}},
	}
	for _, r := range roles {
		actions := []struct {
			a  truce.Action
			ok bool
		}{
			{truce.ActionObserve, r.want.observe},
			{truce.ActionManageAgreement, r.want.agreement},
			{truce.ActionManageSource, r.want.source},
			{truce.ActionAddControlMap, r.want.controlMap},
			{"launch missiles", false},
		}
		for _, a := range actions {
			err := r.src.Authorize(a.a)
			if a.ok {
				if err != nil {
					t.Errorf("%s may %s: got %v", r.src.RoleString(), a.a, err)
				}
				continue
			}
			if truce.ErrorCode(err) != truce.EFORBIDDEN {
				t.Errorf("%s may not %s: got %v (code %q), want EFORBIDDEN", r.src.RoleString(), a.a, err, truce.ErrorCode(err))
				continue
			}
			if msg := err.Error(); !strings.Contains(msg, r.src.Name) || !strings.Contains(msg, string(a.a)) {
				t.Errorf("message %q does not name the source and the action", msg)
			}
		}
	}
	if truce.Operator.Role != truce.RoleAdmin || truce.Operator.Name != "operator" {
		t.Errorf("Operator = %+v", truce.Operator)
	}
	var nilSource *truce.Source
	for _, a := range []truce.Action{truce.ActionObserve, truce.ActionManageAgreement, truce.ActionManageSource, truce.ActionAddControlMap} {
		err := nilSource.Authorize(a)
		if truce.ErrorCode(err) != truce.EUNAUTHORIZED {
			t.Errorf("nil source, %s: got %v, want EUNAUTHORIZED", a, err)
		}
	}
}

func TestNewToken(t *testing.T) {
	seen := make(map[string]bool, 1000)
	for range 1000 {
		tok := truce.NewToken()
		if !strings.HasPrefix(tok, "truce_") {
			t.Fatalf("token %q lacks the prefix truce_", tok)
		}
		body := strings.TrimPrefix(tok, "truce_")
		if len(body) < 43 { // 32 random bytes, base64
			t.Fatalf("token %q is too short", tok)
		}
		for _, c := range body {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				t.Fatalf("token %q has a character %q that is not URL-safe", tok, c)
			}
		}
		if seen[tok] {
			t.Fatalf("token %q issued twice", tok)
		}
		seen[tok] = true
	}
}

func TestHashToken(t *testing.T) {
	tok := truce.NewToken()
	h := truce.HashToken(tok)
	if len(h) != 64 || strings.ToLower(h) != h {
		t.Fatalf("HashToken = %q, want 64 lower-case hex digits", h)
	}
	if _, err := hex.DecodeString(h); err != nil {
		t.Fatalf("HashToken = %q: %v", h, err)
	}
	if h2 := truce.HashToken(tok); h2 != h {
		t.Errorf("HashToken not deterministic: %q then %q", h, h2)
	}
	if truce.HashToken(tok+"x") == h {
		t.Errorf("different tokens, same hash")
	}
	// Known value: SHA-256 of "abc".
	if got := truce.HashToken("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("HashToken(abc) = %s", got)
	}
}

func TestClaimProblems(t *testing.T) {
	ua := &truce.Source{Name: "ua-liaison", Role: truce.RoleParty, Party: "UA"}
	tests := []struct {
		source, party string
		role          truce.Role
		paths         []string
	}{
		{"", "", "", nil},
		{"ua-liaison", "UA", truce.RoleParty, nil},
		{"osce-team-3", "", "", []string{"$.source"}},
		{"", "", truce.RoleMonitor, []string{"$.source_role"}},
		{"", "RU", truce.RoleParty, []string{"$.source_party"}},
		{"other", "RU", truce.RoleSensor, []string{"$.source", "$.source_role", "$.source_party"}},
	}
	for _, tt := range tests {
		var paths []string
		for _, p := range ua.ClaimProblems(tt.source, tt.role, tt.party) {
			paths = append(paths, p.Path)
		}
		if !slices.Equal(paths, tt.paths) {
			t.Errorf("ClaimProblems(%q, %q, %q) at %v, want %v", tt.source, tt.role, tt.party, paths, tt.paths)
		}
	}
}
