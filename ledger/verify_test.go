package ledger_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/ledger"
)

// TestTree checks Tree against tlog's stored hashes and tree hashes for
// every size up to 300: the same root, and the same hashes to store.
func TestTree(t *testing.T) {
	s := &memStore{}
	var tree ledger.Tree
	if tree.Root() != ledger.EmptyRoot {
		t.Fatal("the empty tree's root is not EmptyRoot")
	}
	for i := range 300 {
		leaf := ledger.LeafHash(testEntry(i))
		want, err := ledger.HashesToStore(int64(i), leaf, s)
		if err != nil {
			t.Fatal(err)
		}
		s.appendLeaf(t, leaf)
		got := tree.Append(leaf)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("entry %d: Append returned %d hashes %v, want %v", i, len(got), got, want)
		}
		root, err := ledger.Root(int64(i+1), s)
		if err != nil {
			t.Fatal(err)
		}
		if tree.Root() != root || tree.Size() != int64(i+1) {
			t.Fatalf("size %d: root %v, want %v", i+1, tree.Root(), root)
		}
	}
}

func TestVerifierKey(t *testing.T) {
	skey, vkey := seededNoteKey("truce.example/ceasefire-30d-2025", "truce example log key")
	got, err := ledger.VerifierKey(skey + "\n")
	if err != nil || got != vkey {
		t.Errorf("VerifierKey = %q, %v; want %q", got, err, vkey)
	}
	wskey, _ := seededWitnessKey("witness.example/observer", "x")
	for _, bad := range []string{"", vkey, wskey, strings.Replace(skey, "+0fc4e977+", "+0fc4e978+", 1)} {
		if _, err := ledger.VerifierKey(bad); truce.ErrorCode(err) != truce.EINVALID {
			t.Errorf("VerifierKey(%.40q) = %v, want EINVALID", bad, err)
		}
	}
}

// testLog is a small valid log: the entries truce's store would write for
// a source, its token and n observations, signed checkpoints of it, and
// the keys.
type testLog struct {
	entries [][]byte
	vkey    string
	wkey    string
	notes   map[int64][]byte // cosigned notes by size
}

var logT0 = time.Date(2025, 3, 14, 6, 0, 0, 0, time.UTC)

func observationEntry(t testing.TB, id, supersedes string, at time.Time) *truce.Entry {
	t.Helper()
	lon, lat := 37.6, 48.6
	o := &truce.Observation{ID: id, Source: "osce-team-3", SourceRole: truce.RoleMonitor, Kind: truce.KindArtillery,
		ObservedAt: logT0, TimePrecision: truce.PrecisionMinute, Location: truce.Location{Lon: &lon, Lat: &lat, UncertaintyM: 500},
		Supersedes: supersedes}
	pub, _, err := truce.Seal(truce.DefaultDisclosure(), testSealingKey, o)
	if err != nil {
		t.Fatal(err)
	}
	data, err := pub.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	return &truce.Entry{Type: truce.EntryObservation, Time: at, Submitter: "monitor", Data: data}
}

// testSealingKey seals the test logs' observations.
var testSealingKey = make([]byte, truce.SealingKeySize)

// publicID is the public id of the test source's observation id.
func publicID(id string) string {
	return truce.PublicID(truce.Salt(testSealingKey, truce.GroupSource, "osce-team-3", id), "osce-team-3", id)
}

func newTestLog(t testing.TB, n int) *testLog {
	t.Helper()
	skey, vkey := seededNoteKey("truce.example/log", "log")
	wskey, wvkey := seededWitnessKey("witness.example/ua", "ua")
	signer, err := ledger.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	w, err := ledger.NewCosigner(wskey)
	if err != nil {
		t.Fatal(err)
	}
	src, _ := json.Marshal(&truce.Source{Name: "osce-team-3", Role: truce.RoleMonitor, CreatedAt: logT0})
	cred, _ := json.Marshal(&truce.Credential{Source: "osce-team-3", IssuedAt: logT0})
	wit, _ := (&truce.Witness{Name: w.Name(), Key: wvkey}).Canonical()
	es := []*truce.Entry{
		{Type: truce.EntrySource, Time: logT0, Submitter: "operator", Data: src},
		{Type: truce.EntryCredential, Time: logT0, Submitter: "operator", Data: cred},
		{Type: truce.EntryWitness, Time: logT0, Submitter: "operator", Data: wit},
	}
	for i := range n {
		es = append(es, observationEntry(t, fmt.Sprintf("obs-%d", i), "", logT0.Add(time.Duration(i)*time.Second)))
	}
	l := &testLog{vkey: vkey, wkey: wvkey, notes: map[int64][]byte{}}
	var tree ledger.Tree
	for i, e := range es {
		enc := e.Encode()
		l.entries = append(l.entries, enc)
		tree.Append(tlog.RecordHash(enc))
		if size := int64(i + 1); size == 3 || size == int64(len(es)) {
			cp := &ledger.Checkpoint{Origin: "truce.example/log", Size: size, Root: tree.Root()}
			msg, err := ledger.Sign(cp, signer)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := cp.Marshal()
			line, err := w.Cosign(body, logT0.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			l.notes[size] = append(msg, line...)
		}
	}
	return l
}

// audit feeds l's checkpoints and entries to a new Auditor, after setup,
// and returns the problems and the summary.
func (l *testLog) audit(setup func(a *ledger.Auditor)) ([]string, *ledger.Summary) {
	var ps []string
	a := ledger.NewAuditor(func(p truce.Problem) { ps = append(ps, p.String()) })
	if setup != nil {
		setup(a)
	}
	for size, msg := range l.notes {
		a.Checkpoint(fmt.Sprintf("checkpoints/%d", size), msg, false)
	}
	for i, enc := range l.entries {
		a.Entry(int64(i), enc)
	}
	return ps, a.Finish()
}

func TestAuditor(t *testing.T) {
	l := newTestLog(t, 5)
	ps, s := l.audit(func(a *ledger.Auditor) { a.PinLogKey(l.vkey) })
	if len(ps) > 0 || s.Entries != 8 || s.Checkpoints != 2 || s.Cosignatures != 2 || s.PinnedCosignatures != 0 || s.LatestSize != 8 || !s.LogKeyPinned {
		t.Fatalf("a valid log: %q, %+v", ps, s)
	}
	ps, s = l.audit(func(a *ledger.Auditor) { a.PinLogKey(l.vkey); a.PinWitness(l.wkey) })
	if len(ps) > 0 || s.Cosignatures != 2 || s.PinnedCosignatures != 2 {
		t.Fatalf("with the witness pinned: %q, %+v", ps, s)
	}
	_, otherKey := seededNoteKey("truce.example/log", "another")
	ps, _ = l.audit(func(a *ledger.Auditor) { a.StatedLogKey(otherKey, "manifest.json") })
	if len(ps) != 2 || !strings.Contains(ps[0], "log signature") {
		t.Errorf("with a stated key that did not sign: %q", ps)
	}
	ps, _ = l.audit(func(a *ledger.Auditor) { a.PinLogKey(l.vkey); a.StatedLogKey(otherKey, "manifest.json") })
	if len(ps) != 1 || !strings.Contains(ps[0], "manifest.json: states the log key") {
		t.Errorf("with a stated key other than the pinned: %q", ps)
	}
}

// TestAuditorEntries checks that each kind of bad entry is reported, with
// its index.
func TestAuditorEntries(t *testing.T) {
	enc := func(e *truce.Entry) []byte { return e.Encode() }
	obs := func(id, sup string, at time.Time) []byte { return enc(observationEntry(t, id, sup, at)) }
	later := logT0.Add(time.Hour)
	review := func(submitter string, r *truce.Review) []byte {
		r.Series, r.Version, r.Finding, r.By = "s-1", 1, strings.Repeat("ab", 32), "osce-team-3"
		if r.Role == "" {
			r.Role = "analyst"
		}
		data, err := r.Canonical()
		if err != nil {
			t.Fatal(err)
		}
		return enc(&truce.Entry{Type: truce.EntryReview, Time: later, Submitter: submitter, Data: data})
	}
	tests := []struct {
		name  string
		entry []byte
		want  string
	}{
		{"not an entry", []byte("hello"), "entry 8: entry: want 4 header lines"},
		{"time not canonical", bytes.Replace(obs("x", "", later), []byte("07:00:00Z"), []byte("07:00:00.0Z"), 1), "entry 8: entry: line 3"},
		{"time goes backwards", obs("x", "", logT0.Add(-time.Second)), "entry 8: logged at 2025-03-14T05:59:59Z, before the entry before it"},
		{"unknown type", enc(&truce.Entry{Type: "finding", Time: later, Submitter: "operator", Data: []byte("{}")}), `entry 8 data: unknown entry type "finding"`},
		{"not canonical", bytes.Replace(obs("x", "", later), []byte(`{"id"`), []byte(`{ "id"`), 1), "entry 8 data: not in canonical form: differs from byte 2"},
		{"not valid", bytes.Replace(obs("x", "", later), []byte(`"kind":"artillery"`), []byte(`"kind":"shelling!"`), 1), "entry 8 data: does not validate"},
		{"id again", obs("obs-1", "", later), `entry 8 data: observation "` + publicID("obs-1") + `" is already in entry 4`},
		{"supersedes nothing", obs("x", "obs-99", later), `entry 8 data: supersedes "` + publicID("obs-99") + `", which no earlier entry holds`},
		{"review by another", review("operator", &truce.Review{ID: "r-1", Action: truce.ReviewConfirm}), `entry 8 data: filed by "operator", but the review is by "osce-team-3"`},
		{"review not canonical", bytes.Replace(review("osce-team-3", &truce.Review{ID: "r-1", Action: truce.ReviewConfirm}), []byte(`{"id"`), []byte(`{ "id"`), 1), "entry 8 data: does not decode as a review: review: not in canonical form"},
		{"review evidence not logged", review("osce-team-3", &truce.Review{ID: "r-1", Action: truce.ReviewDispute, Role: "party:RU", Reason: "r", Evidence: []string{"obs-99"}}), `entry 8 data: gives observation "obs-99" as evidence, which no earlier entry holds`},
		{"review resolves nothing", review("osce-team-3", &truce.Review{ID: "r-1", Action: truce.ReviewResolve, Reason: "r", Dispute: "d-9", Outcome: truce.DisputeRejected}), `entry 8 data: resolves dispute "d-9", which no earlier entry holds`},
		{"filed by another role", bytes.Replace(obs("x", "", later), []byte("\nmonitor\n"), []byte("\nsensor\n"), 1), `entry 8 data: filed by role "sensor", but the observation's role is "monitor"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newTestLog(t, 5)
			l.entries = append(l.entries, tt.entry)
			ps, _ := l.audit(func(a *ledger.Auditor) { a.PinLogKey(l.vkey) })
			if len(ps) == 0 || !strings.HasPrefix(ps[0], tt.want) {
				t.Errorf("problems %q, want the first to begin %q", ps, tt.want)
			}
		})
	}
}

// TestAuditorReleases checks a release entry: decoded strictly, made by
// a registered source in its registered role, of an earlier sealed
// observation, of groups that observation commits to, with an id no
// earlier release has.
func TestAuditorReleases(t *testing.T) {
	later := logT0.Add(time.Hour)
	analyst, _ := json.Marshal(&truce.Source{Name: "analyst-1", Role: truce.RoleAnalyst, CreatedAt: later})
	source := (&truce.Entry{Type: truce.EntrySource, Time: later, Submitter: "operator", Data: analyst}).Encode()
	release := func(submitter string, edit func(r *truce.Release)) []byte {
		r := &truce.Release{ID: "rel-1", Observation: publicID("obs-2"), Groups: []truce.FieldGroup{truce.GroupSource},
			To: truce.AudienceParty, Party: "UA", Reason: "the team has left", By: "analyst-1", Role: "analyst"}
		if edit != nil {
			edit(r)
		}
		data, err := r.Canonical()
		if err != nil {
			t.Fatal(err)
		}
		return (&truce.Entry{Type: truce.EntryRelease, Time: later, Submitter: submitter, Data: data}).Encode()
	}
	open, err := (&truce.SealedObservation{ID: truce.PublicID(nil, "viina", "v-1"), SourceRole: truce.RoleDataset, Kind: truce.KindArtillery,
		ObservedAt: logT0, Precision: truce.PrecisionDay, Location: &truce.Location{Lon: ptr(37.6), Lat: ptr(48.6)},
		Clear: &truce.ClearGroups{SourceGroup: truce.SourceGroup{Source: "viina", ID: "v-1"}}}).Canonical()
	if err != nil {
		t.Fatal(err)
	}
	openEntry := (&truce.Entry{Type: truce.EntryObservation, Time: later, Submitter: "dataset", Data: open}).Encode()
	tests := []struct {
		name    string
		entries [][]byte
		want    string // "" verifies
	}{
		{"valid", [][]byte{source, release("analyst-1", nil)}, ""},
		{"twice", [][]byte{source, release("analyst-1", nil), release("analyst-1", nil)}, `entry 10 data: release "rel-1" is already in entry 9`},
		{"by another", [][]byte{source, release("osce-team-3", nil)}, `entry 9 data: filed by "osce-team-3", but the release is by "analyst-1"`},
		{"by no source", [][]byte{release("analyst-1", nil)}, `entry 8 data: names the source "analyst-1", which no earlier entry registers`},
		{"in another role", [][]byte{source, release("analyst-1", func(r *truce.Release) { r.Role = "admin" })}, `entry 9 data: release "rel-1" is made in the role "admin", but source "analyst-1" is registered as "analyst"`},
		{"of no observation", [][]byte{source, release("analyst-1", func(r *truce.Release) { r.Observation = publicID("obs-99") })}, `entry 9 data: releases groups of observation "` + publicID("obs-99") + `", which no earlier entry holds`},
		{"of a group not committed to", [][]byte{source, release("analyst-1", func(r *truce.Release) { r.Groups = []truce.FieldGroup{truce.GroupText} })}, `entry 9 data: releases group text of observation "` + publicID("obs-2") + `", which commits to no such group`},
		{"of an open observation", [][]byte{source, openEntry, release("analyst-1", func(r *truce.Release) { r.Observation = truce.PublicID(nil, "viina", "v-1") })}, "entry 10 data: releases group source of observation"},
		{"not canonical", [][]byte{source, bytes.Replace(release("analyst-1", nil), []byte(`{"id"`), []byte(`{ "id"`), 1)}, "entry 9 data: does not decode as a release: release: not in canonical form"},
		{"by a monitor", [][]byte{source, release("analyst-1", func(r *truce.Release) { r.Role = "monitor" })}, `entry 9 data: does not decode as a release: invalid release: 1 problem(s): $.role: a release is made by an analyst or an admin`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newTestLog(t, 5)
			l.entries = append(l.entries, tt.entries...)
			ps, s := l.audit(func(a *ledger.Auditor) { a.PinLogKey(l.vkey) })
			if tt.want == "" {
				if len(ps) > 0 || s.Types[truce.EntryRelease] != 1 {
					t.Errorf("a valid release: %q, %v", ps, s.Types)
				}
				return
			}
			if len(ps) == 0 || !strings.HasPrefix(ps[0], tt.want) {
				t.Errorf("problems %q, want the first to begin %q", ps, tt.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// TestAuditorCheckpoints checks what checkpoints held outside show.
func TestAuditorCheckpoints(t *testing.T) {
	l := newTestLog(t, 5)
	full := l.notes[8]
	tests := []struct {
		name  string
		setup func(l *testLog, a *ledger.Auditor)
		want  []string
	}{
		{"truncated", func(l *testLog, a *ledger.Auditor) {
			a.Checkpoint("held", full, true)
			l.entries = l.entries[:6]
			delete(l.notes, 8)
		}, []string{"checkpoint 8 held outside (held): covers 8 entries, but the log has only 6: the log was truncated"}},
		{"rewritten", func(l *testLog, a *ledger.Auditor) {
			a.Checkpoint("held", full, true)
			l.entries[7] = observationEntry(t, "obs-4", "", logT0.Add(5*time.Second)).Encode()
		}, []string{"checkpoint 8 (checkpoints/8): root", "checkpoint 8 held outside (held): root"}},
		{"checkpoint removed", func(l *testLog, a *ledger.Auditor) {
			a.RequireHeld()
			a.Checkpoint("held", l.notes[3], true)
			delete(l.notes, 3)
		}, []string{"checkpoint 3 held outside (held): the log keeps no checkpoint of this size"}},
		{"cosignature removed", func(l *testLog, a *ledger.Auditor) {
			a.RequireHeld()
			a.Checkpoint("held", full, true)
			l.notes[8] = full[:bytes.LastIndex(full[:len(full)-1], []byte("\n"))+1]
		}, []string{`checkpoint 8 held outside (held): the log's copy lacks the cosignature by witness "witness.example/ua"`}},
		{"cosignature forged", func(l *testLog, a *ledger.Auditor) {
			l.notes[8] = bytes.Replace(full, []byte("— witness.example/ua "), []byte("— witness.example/ua AAAA"), 1)
			l.notes[8] = append(l.notes[8][:len(l.notes[8])-5], '\n')
		}, []string{`checkpoint 8 (checkpoints/8): cosignature by witness "witness.example/ua"`}},
		{"signature forged", func(l *testLog, a *ledger.Auditor) {
			l.notes[8] = bytes.Replace(full, []byte("\n8\n"), []byte("\n9\n"), 1)
		}, []string{"checkpoint 9 (checkpoints/8): log signature"}},
		{"no key", func(l *testLog, a *ledger.Auditor) {}, []string{"log key: none given"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newTestLog(t, 5)
			ps, _ := l.audit(func(a *ledger.Auditor) {
				if tt.name != "no key" {
					a.PinLogKey(l.vkey)
				}
				tt.setup(l, a)
			})
			for _, w := range tt.want {
				found := false
				for _, p := range ps {
					found = found || strings.HasPrefix(p, w)
				}
				if !found {
					t.Errorf("problems %q; want one beginning %q", ps, w)
				}
			}
		})
	}
}

// disclosedFile returns the disclosed file of the test source's
// observation id, as sealed, after edit (if not nil).
func disclosedFile(t testing.TB, id string, edit func(truce.PrivateParts)) *fstest.MapFile {
	t.Helper()
	e := observationEntry(t, id, "", logT0)
	pub, err := truce.DecodeSealed(e.Data)
	if err != nil {
		t.Fatal(err)
	}
	lon, lat := 37.6, 48.6
	_, pp, err := truce.Seal(truce.DefaultDisclosure(), testSealingKey, &truce.Observation{ID: id, Source: "osce-team-3", SourceRole: truce.RoleMonitor,
		Kind: truce.KindArtillery, ObservedAt: logT0, TimePrecision: truce.PrecisionMinute, Location: truce.Location{Lon: &lon, Lat: &lat, UncertaintyM: 500}})
	if err != nil || pp.Check(pub) != nil {
		t.Fatalf("sealing %s again: %v", id, err)
	}
	if edit != nil {
		edit(pp)
	}
	b, err := ledger.MarshalDisclosed(pp)
	if err != nil {
		t.Fatal(err)
	}
	return &fstest.MapFile{Data: b}
}

// bundleFS returns l as a bundle.
func (l *testLog) bundle(t testing.TB) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	var tree ledger.Tree
	var cur []byte
	for i, enc := range l.entries {
		tree.Append(tlog.RecordHash(enc))
		cur = ledger.AppendEntryRecord(cur, enc)
		if (i+1)%ledger.EntriesPerFile == 0 || i == len(l.entries)-1 {
			fsys[ledger.EntryFile(int64(i/ledger.EntriesPerFile))] = &fstest.MapFile{Data: cur}
			cur = nil
		}
	}
	m := &ledger.Manifest{Format: ledger.BundleFormat, Origin: "truce.example/log", LogKey: l.vkey, Size: int64(len(l.entries)), Root: tree.Root(), Checkpoints: []int64{3, 8}}
	fsys[ledger.ManifestFile] = &fstest.MapFile{Data: m.Marshal()}
	for size, msg := range l.notes {
		fsys[ledger.CheckpointFile(size)] = &fstest.MapFile{Data: msg}
	}
	return fsys
}

func TestVerifyBundle(t *testing.T) {
	tests := []struct {
		name   string
		change func(fsys fstest.MapFS)
		want   string // the first problem begins with this; "" for none
	}{
		{"valid", func(fstest.MapFS) {}, ""},
		{"entry file missing", func(f fstest.MapFS) { delete(f, "entries/00000000.bin") }, "entries/00000000.bin: missing"},
		{"extra entry file", func(f fstest.MapFS) { f["entries/00000001.bin"] = &fstest.MapFile{} }, "entries/00000001.bin: beyond the bundle's size"},
		{"entry cut", func(f fstest.MapFS) {
			d := f["entries/00000000.bin"].Data
			f["entries/00000000.bin"].Data = d[:len(d)-1]
		}, "entries/00000000.bin: record 8: "},
		{"extra entry", func(f fstest.MapFS) {
			f["entries/00000000.bin"].Data = ledger.AppendEntryRecord(f["entries/00000000.bin"].Data, []byte("x"))
		}, "entries/00000000.bin: holds more than 8 entries"},
		{"checkpoint missing", func(f fstest.MapFS) { delete(f, "checkpoints/3") }, "checkpoints/3: listed in manifest.json but missing"},
		{"checkpoint unlisted", func(f fstest.MapFS) { f["checkpoints/4"] = f["checkpoints/3"] }, "checkpoints/4: not listed in manifest.json"},
		{"disclosed", func(f fstest.MapFS) { f["disclosed/3.json"] = disclosedFile(t, "obs-0", nil) }, ""},
		{"disclosed edited", func(f fstest.MapFS) {
			f["disclosed/4.json"] = disclosedFile(t, "obs-1", func(pp truce.PrivateParts) {
				s := pp[truce.GroupSource]
				s.Value = bytes.Replace(s.Value, []byte("osce-team-3"), []byte("osce-team-4"), 1)
			})
		}, "disclosed/4.json: entry 4: observation " + publicID("obs-1") + ": group source: does not match its commitment"},
		{"disclosed salt changed", func(f fstest.MapFS) {
			f["disclosed/4.json"] = disclosedFile(t, "obs-1", func(pp truce.PrivateParts) {
				s := pp[truce.GroupSource]
				s.Salt = strings.Repeat("0", 64)
			})
		}, "disclosed/4.json: entry 4: observation " + publicID("obs-1") + ": group source: does not match"},
		{"disclosed for another entry", func(f fstest.MapFS) { f["disclosed/5.json"] = disclosedFile(t, "obs-0", nil) },
			"disclosed/5.json: entry 5: observation " + publicID("obs-2") + ": group source: does not match"},
		{"disclosed group not committed", func(f fstest.MapFS) {
			f["disclosed/3.json"] = disclosedFile(t, "obs-0", func(pp truce.PrivateParts) {
				pp[truce.GroupText] = &truce.SealedGroup{Salt: strings.Repeat("ab", 32), Value: []byte(`{"text":"x"}`)}
			})
		}, "disclosed/3.json: entry 3: observation " + publicID("obs-0") + ": group text: the public form commits to no such group"},
		{"disclosed of an open source", func(f fstest.MapFS) { f["disclosed/0.json"] = disclosedFile(t, "obs-0", nil) },
			"disclosed/0.json: entry 0: source osce-team-3 is open, with nothing to disclose"},
		{"disclosed not an observation", func(f fstest.MapFS) { f["disclosed/1.json"] = disclosedFile(t, "obs-0", nil) },
			"disclosed/1.json: entry 1 is a credential entry, not an observation or a source"},
		{"disclosed beyond", func(f fstest.MapFS) { f["disclosed/99.json"] = disclosedFile(t, "obs-0", nil) },
			"disclosed/99.json: beyond the bundle's entries, 8"},
		{"disclosed misnamed", func(f fstest.MapFS) { f["disclosed/03.json"] = disclosedFile(t, "obs-0", nil) },
			"disclosed/03.json: not a disclosed file"},
		{"disclosed empty", func(f fstest.MapFS) { f["disclosed/3.json"] = &fstest.MapFile{Data: []byte("{}\n")} },
			"disclosed/3.json: no group disclosed"},
		{"disclosed unknown group", func(f fstest.MapFS) {
			f["disclosed/3.json"] = &fstest.MapFile{Data: []byte(`{"team":{"salt":"00","value":{}}}`)}
		}, `disclosed/3.json: "team" is not a field group`},
		{"root wrong", func(f fstest.MapFS) {
			m, _ := ledger.ParseManifest(f[ledger.ManifestFile].Data)
			m.Root[0] ^= 1
			f[ledger.ManifestFile].Data = m.Marshal()
		}, "manifest.json: root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newTestLog(t, 5)
			fsys := l.bundle(t)
			tt.change(fsys)
			var ps []string
			a := ledger.NewAuditor(func(p truce.Problem) { ps = append(ps, p.String()) })
			a.PinLogKey(l.vkey)
			if err := ledger.VerifyBundle(fsys, a); err != nil {
				t.Fatal(err)
			}
			s := a.Finish()
			switch {
			case tt.want == "" && (len(ps) > 0 || s.Checkpoints != 2 || s.Disclosed != len(fsys)-len(l.bundle(t))):
				t.Errorf("problems %q, summary %+v", ps, s)
			case tt.want != "" && (len(ps) == 0 || !strings.HasPrefix(ps[0], tt.want)):
				t.Errorf("problems %q, want the first to begin %q", ps, tt.want)
			}
		})
	}
	if err := ledger.VerifyBundle(fstest.MapFS{}, ledger.NewAuditor(func(truce.Problem) {})); !strings.Contains(fmt.Sprint(err), "manifest.json") || !errorIs(err, fs.ErrNotExist) {
		t.Errorf("an empty directory: %v", err)
	}
}

func errorIs(err, target error) bool {
	for err != nil {
		if err == target {
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

func TestManifest(t *testing.T) {
	m := &ledger.Manifest{Format: ledger.BundleFormat, Origin: "o", LogKey: "k", Size: 3, Checkpoints: []int64{1, 3}}
	m.Root[0] = 7
	b := m.Marshal()
	want := `{"format":"truce-bundle/v1","origin":"o","log_key":"k","size":3,"root":"BwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","checkpoints":[1,3]}` + "\n"
	if string(b) != want {
		t.Fatalf("Marshal = %s, want %s", b, want)
	}
	if got, err := ledger.ParseManifest(b); err != nil || fmt.Sprint(got) != fmt.Sprint(m) {
		t.Fatalf("ParseManifest = %+v, %v", got, err)
	}
	for _, bad := range []string{
		strings.Replace(want, `"size":3`, `"size":-3`, 1),
		strings.Replace(want, `"size":3`, `"size":3.0`, 1),
		strings.Replace(want, `[1,3]`, `[3,1]`, 1),
		strings.Replace(want, `[1,3]`, `null`, 1),
		strings.Replace(want, `truce-bundle/v1`, `truce-bundle/v2`, 1),
		strings.Replace(want, `"origin"`, `"Origin"`, 1),
		strings.Replace(want, `{`, `{"extra":1,`, 1),
		strings.Replace(want, `,"log_key"`, `, "log_key"`, 1),
		strings.Replace(want, `BwAA`, `BwA`, 1),
		strings.TrimSuffix(want, "\n"),
		want + "\n",
		"",
	} {
		if _, err := ledger.ParseManifest([]byte(bad)); truce.ErrorCode(err) != truce.EINVALID || !strings.HasPrefix(truce.ErrorMessage(err), "manifest.json: ") {
			t.Errorf("ParseManifest(%q) = %v, want an EINVALID error naming manifest.json", bad, err)
		}
	}
}

func TestEntryReader(t *testing.T) {
	var b []byte
	for _, e := range []string{"a", "", strings.Repeat("x", 70000)} {
		b = ledger.AppendEntryRecord(b, []byte(e))
	}
	r := ledger.NewEntryReader(bytes.NewReader(b), "f")
	for _, want := range []int{1, 0, 70000} {
		enc, err := r.Next()
		if err != nil || len(enc) != want {
			t.Fatalf("Next = %d bytes, %v; want %d", len(enc), err, want)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("after the last: %v, want io.EOF", err)
	}
	for _, tt := range []struct {
		data []byte
		want string
	}{
		{[]byte{0, 0}, "f: record 1: the length is cut short"},
		{[]byte{0, 0, 0, 5, 'a'}, "f: record 1: 5 bytes announced, 1 found"},
		{[]byte{0xff, 0xff, 0xff, 0xff}, "f: record 1: length 4294967295 is over the limit"},
	} {
		_, err := ledger.NewEntryReader(bytes.NewReader(tt.data), "f").Next()
		if !strings.HasPrefix(fmt.Sprint(err), tt.want) {
			t.Errorf("Next on %x = %v, want %q", tt.data, err, tt.want)
		}
	}
}

// TestReadBundle reads a bundle back: every entry as it was encoded, at
// its index, and the disclosed parts by index; a bundle short of its
// manifest's size is an error.
func TestReadBundle(t *testing.T) {
	l := newTestLog(t, 5)
	fsys := l.bundle(t)
	fsys["disclosed/3.json"] = disclosedFile(t, "obs-0", nil)
	b, err := ledger.ReadBundle(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Entries) != len(l.entries) || len(b.Disclosed) != 1 || b.Disclosed[3][truce.GroupSource] == nil {
		t.Fatalf("read %d entries, disclosed %v; want %d and entry 3's", len(b.Entries), b.Disclosed, len(l.entries))
	}
	for i, e := range b.Entries {
		if e.Index != int64(i) || !bytes.Equal(e.Encode(), l.entries[i]) {
			t.Errorf("entry %d read as %v", i, e)
		}
	}
	d := fsys["entries/00000000.bin"].Data
	fsys["entries/00000000.bin"] = &fstest.MapFile{Data: d[:bytes.LastIndex(d, []byte("truce-entry/v1"))-4]}
	if _, err := ledger.ReadBundle(fsys); err == nil {
		t.Error("a bundle short of an entry read")
	}
}
