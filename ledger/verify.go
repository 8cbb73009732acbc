package ledger

import (
	"bytes"
	"cmp"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/truce-monitor/truce"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// A Tree computes the RFC 6962 tree of leaves appended in order. It keeps
// only the hashes of the complete subtrees along the tree's right edge, one
// per 1 bit of the size, so it holds at most 63 hashes whatever the size.
// The zero Tree is empty.
type Tree struct {
	size int64
	edge []tlog.Hash // complete subtrees, largest first
}

// Size returns the number of leaves appended.
func (t *Tree) Size() int64 { return t.size }

// Append adds the leaf hash of the next entry and returns the hashes that a
// store keeps for it: the leaf hash itself, then the hash of every subtree
// that the leaf completes, exactly as [HashesToStore] returns them.
func (t *Tree) Append(leaf tlog.Hash) []tlog.Hash {
	out := []tlog.Hash{leaf}
	h := leaf
	for n := t.size; n&1 == 1; n >>= 1 {
		last := len(t.edge) - 1
		h = tlog.NodeHash(t.edge[last], h)
		t.edge = t.edge[:last]
		out = append(out, h)
	}
	t.edge = append(t.edge, h)
	t.size++
	return out
}

// Root returns the RFC 6962 root hash of the leaves appended so far;
// [EmptyRoot] for none.
func (t *Tree) Root() tlog.Hash {
	if len(t.edge) == 0 {
		return EmptyRoot
	}
	r := t.edge[len(t.edge)-1]
	for i := len(t.edge) - 2; i >= 0; i-- {
		r = tlog.NodeHash(t.edge[i], r)
	}
	return r
}

// VerifierKey returns the verifier key of the log's signer key skey, as
// made by [GenerateKey]: "<name>+<key ID>+<base64(0x01 || public key)>".
func VerifierKey(skey string) (string, error) {
	bad := truce.Errorf(truce.EINVALID, "ledger: bad signer key")
	rest, ok := strings.CutPrefix(strings.TrimSpace(skey), "PRIVATE+KEY+")
	if !ok {
		return "", bad
	}
	name, id, key, ok := splitKey(rest)
	if !ok || len(key) != 1+ed25519.SeedSize || key[0] != 0x01 {
		return "", bad
	}
	pub := ed25519.NewKeyFromSeed(key[1:]).Public().(ed25519.PublicKey)
	vkey := fmt.Sprintf("%s+%08x+%s", name, id, base64.StdEncoding.EncodeToString(append([]byte{0x01}, pub...)))
	if _, err := note.NewVerifier(vkey); err != nil {
		return "", bad // the key ID does not match the name and key
	}
	return vkey, nil
}

// An Auditor checks a log from its parts: the entries, fed in log order,
// and signed checkpoints, the log's own and any held outside it. It
// recomputes the tree, decodes every entry strictly, and checks every
// checkpoint's signature, its cosignatures and its root against the tree of
// its size; checkpoints that agree with one tree are consistent with each
// other. It reports problems as it finds them (an entry's once the batch
// it is in has been checked, at the latest by [Auditor.Finish]), and Finish
// sums up. An Auditor does no I/O: the caller reads a bundle, a store or a
// server and feeds it. It is used from one goroutine; it checks entries on
// all CPUs itself, and calls report from the goroutine that feeds it.
type Auditor struct {
	report   func(truce.Problem)
	problems int

	logKey     note.Verifier
	logKeyText string
	pinned     bool

	witnesses map[string][]*witnessKey // by name
	// cosignedOwn are the witness keys that verify a cosignature on one of
	// the log's own checkpoints.
	cosignedOwn map[*witnessKey]bool

	tree  Tree
	last  time.Time // the time of the last entry decoded
	types map[truce.EntryType]int64
	names map[string]map[string]int64 // per kind of id: id → entry index
	roots map[int64]tlog.Hash         // root of the tree at each checkpoint size
	held  []*heldCheckpoint
	keys  truce.SourceKeys // sources' public keys, to check signed observations
	// committed holds, per sealed observation's public id, the groups it
	// commits to (a bit per truce.FieldGroups entry); roles, each
	// registered source's role, as ParseRole reads it.
	committed map[string]uint8
	roles     map[string]string
	batch     []*checked // entries given, not yet checked

	requireHeld bool
	disclosed   int // private groups disclosed in a bundle and checked
}

// witnessKey is a witness's cosignature verifier and where it came from.
type witnessKey struct {
	v      *CosignatureVerifier
	pinned bool
	where  string
}

// heldCheckpoint is a signed checkpoint given to the Auditor.
type heldCheckpoint struct {
	where   string
	outside bool // held outside the log: by a witness or an earlier export
	msg     []byte
	cp      *Checkpoint
}

// NewAuditor returns an Auditor that calls report with each problem found.
func NewAuditor(report func(truce.Problem)) *Auditor {
	return &Auditor{
		report:      report,
		witnesses:   map[string][]*witnessKey{},
		cosignedOwn: map[*witnessKey]bool{},
		types:       map[truce.EntryType]int64{},
		names:       map[string]map[string]int64{},
		committed:   map[string]uint8{},
		roles:       map[string]string{},
		roots:       map[int64]tlog.Hash{0: EmptyRoot},
	}
}

// Problem reports a problem found by the caller (in a store's tables, or
// reading a bundle), counting it with the Auditor's own.
func (a *Auditor) Problem(path, format string, args ...any) {
	a.problems++
	a.report(truce.Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// PinLogKey sets the log's verifier key, given by whoever verifies: the
// key that checkpoints must be signed by.
func (a *Auditor) PinLogKey(vkey string) error {
	v, err := NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return err
	}
	a.logKey, a.logKeyText, a.pinned = v, strings.TrimSpace(vkey), true
	return nil
}

// StatedLogKey gives the verifier key that the log states for itself (a
// bundle's manifest, the key file beside a store), where names the place.
// With no key pinned it is the key checkpoints are checked with, which
// proves only that the bundle is what its own key says: anyone can make a
// bundle with a key of their own. With a key pinned, a stated key that
// differs is a problem.
func (a *Auditor) StatedLogKey(vkey, where string) {
	vkey = strings.TrimSpace(vkey)
	if a.pinned {
		if vkey != a.logKeyText {
			a.Problem(where, "states the log key %s, not the pinned %s", vkey, a.logKeyText)
		}
		return
	}
	v, err := NewVerifier(vkey)
	if err != nil {
		a.Problem(where, "log key %.100q: %s", vkey, truce.ErrorMessage(err))
		return
	}
	if a.logKey != nil && vkey != a.logKeyText {
		a.Problem(where, "states the log key %s, but %s was stated before", vkey, a.logKeyText)
		return
	}
	a.logKey, a.logKeyText = v, vkey
}

// PinWitness adds a witness's cosignature verifier key, given by whoever
// verifies. A checkpoint's cosignature by a pinned witness must verify.
func (a *Auditor) PinWitness(vkey string) error {
	v, err := NewCosignatureVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return err
	}
	a.witnesses[v.Name()] = append(a.witnesses[v.Name()], &witnessKey{v: v, pinned: true, where: "--witness"})
	return nil
}

// RequireHeld says that the log's checkpoints given are every checkpoint
// the log keeps (a store's, or a bundle's): then each checkpoint held
// outside that the log signed, within the log's size, must be among them,
// with each of its cosignatures. A log that lost one was changed. A server,
// which serves only its latest checkpoint, cannot be held to this.
func (a *Auditor) RequireHeld() { a.requireHeld = true }

// Checkpoint gives a signed checkpoint, the whole note with any
// cosignatures, found at where: the log's own (outside false), or one held
// outside the log by a witness or an earlier export (outside true). Give
// every checkpoint before the first entry: the Auditor notes the root of
// the tree at each checkpoint's size as the entries go by.
func (a *Auditor) Checkpoint(where string, msg []byte, outside bool) {
	i := bytes.Index(msg, []byte("\n\n"))
	if i < 0 {
		a.Problem(where, "not a signed note: no blank line after the checkpoint")
		return
	}
	cp, err := ParseCheckpoint(msg[:i+1])
	if err != nil {
		a.Problem(where, "%s", truce.ErrorMessage(err))
		return
	}
	if _, ok := a.roots[cp.Size]; !ok {
		if cp.Size <= a.tree.size {
			panic("ledger: Auditor.Checkpoint called after the entries it covers")
		}
		a.roots[cp.Size] = tlog.Hash{}
	}
	a.held = append(a.held, &heldCheckpoint{where: where, outside: outside, msg: msg, cp: cp})
}

// Entry gives the encoding of the next entry of the log, which the log
// numbers index (the position in the tree, unless the caller found entries
// missing). It appends the entry's leaf to the tree and returns the hashes
// a store keeps for it ([Tree.Append]). The entry is decoded and checked
// strictly, in batches across all CPUs: its problems are reported by a
// later call, or by Finish.
func (a *Auditor) Entry(index int64, enc []byte) []tlog.Hash {
	hs := a.tree.Append(tlog.RecordHash(enc))
	if _, ok := a.roots[a.tree.size]; ok {
		a.roots[a.tree.size] = a.tree.Root()
	}
	a.batch = append(a.batch, &checked{index: index, enc: enc})
	if len(a.batch) == checkBatch {
		a.flush()
	}
	return hs
}

// checkBatch is how many entries the Auditor checks at once.
const checkBatch = 1024

// checked is one entry as the Auditor checks it.
type checked struct {
	index int64
	enc   []byte
	e     *truce.Entry
	probs []truce.Problem // found, in the order found
	bad   bool            // the data is wrong: nothing to check across entries

	// What the data holds, for the checks across entries.
	kind, id   string               // the id that must be unique, of a kind
	source     string               // the source a credential or source key names
	supersedes string               // the observation an observation corrects
	obs        *truce.Observation   // an observation, to check its signature
	witness    *CosignatureVerifier // a witness's key
	key        ed25519.PublicKey    // the key obs must be signed with
	evidence   []string             // the observations a review's dispute rests on
	dispute    string               // the dispute a review resolves
	role       string               // a source's role; the role a release was made in
	groups     uint8                // the groups an observation commits to
	release    *truce.Release       // a release
}

func (c *checked) problem(suffix, format string, args ...any) {
	c.probs = append(c.probs, truce.Problem{Path: fmt.Sprintf("entry %d", c.index) + suffix, Message: fmt.Sprintf(format, args...)})
}

// flush checks the entries waiting: each on its own in parallel, then
// across entries in log order, then signatures in parallel; then reports
// their problems in log order.
func (a *Auditor) flush() {
	batch := a.batch
	a.batch = a.batch[:0:0]
	parallel(batch, func(c *checked) {
		e, err := truce.DecodeEntry(c.enc)
		if err != nil {
			c.problem("", "%s", truce.ErrorMessage(err))
			return
		}
		e.Index = c.index
		c.e = e
		if err := c.decode(); err != nil {
			c.problem(" data", "%s", err)
			c.bad = true
		}
	})
	var sigs []*checked
	for _, c := range batch {
		if c.e == nil {
			continue
		}
		e := c.e
		if e.Time.Before(a.last) {
			c.problem("", "logged at %s, before the entry before it (%s): entry times never go backwards",
				e.Time.Format(time.RFC3339Nano), a.last.Format(time.RFC3339Nano))
		} else {
			a.last = e.Time
		}
		a.types[e.Type]++
		if c.bad {
			continue
		}
		if err := a.across(c); err != nil {
			c.problem(" data", "%s", err)
			continue
		}
		switch {
		case e.Type == truce.EntrySource || e.Type == truce.EntrySourceKey:
			if err := a.keys.Apply(e); err != nil {
				c.problem(" data", "%s", truce.ErrorMessage(err))
			}
		case c.obs != nil && (c.obs.Signature != "" || a.keys.Key(c.obs.Source) != nil):
			c.key = a.keys.Key(c.obs.Source)
			if c.key == nil {
				c.problem(" data", "signature: observation %q is signed, but source %q had no public key", c.obs.ID, c.obs.Source)
				continue
			}
			sigs = append(sigs, c)
		}
	}
	parallel(sigs, func(c *checked) {
		if err := truce.VerifyObservation(c.key, c.obs); err != nil {
			c.problem(" data", "signature: observation %q: %s", c.obs.ID, truce.ErrorMessage(err))
		}
	})
	for _, c := range batch {
		for _, p := range c.probs {
			a.problems++
			a.report(p)
		}
	}
}

// parallel runs fn on every item of items, on as many goroutines as there
// are CPUs.
func parallel(items []*checked, fn func(*checked)) {
	workers := min(runtime.GOMAXPROCS(0), len(items))
	if workers <= 1 {
		for _, c := range items {
			fn(c)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(len(items)); i = next.Add(1) - 1 {
				fn(items[i])
			}
		}()
	}
	wg.Wait()
}

// Size returns the number of entries given so far.
func (a *Auditor) Size() int64 { return a.tree.size }

// Root returns the root of the tree of the entries given so far.
func (a *Auditor) Root() tlog.Hash { return a.tree.Root() }

// decode checks that c's data is the canonical JSON of a valid input of
// its type, as the store writes it, and that it agrees with the entry; it
// notes what the checks across entries need.
func (c *checked) decode() error {
	e := c.e
	switch e.Type {
	case truce.EntrySource:
		var s truce.Source
		if err := canonical(e.Data, &s, s.Validate, func() ([]byte, error) { return json.Marshal(&s) }); err != nil {
			return err
		}
		if !s.CreatedAt.Equal(e.Time) {
			return fmt.Errorf("created_at %s is not the entry's time", s.CreatedAt.Format(time.RFC3339Nano))
		}
		// A sealed source is named by its pseudonym and commits to who
		// it is (docs/log-format.md §14).
		switch {
		case s.PublicName != "":
			return fmt.Errorf("public_name is a store's, never in an entry")
		case s.Sealed == "":
		case len(s.Sealed) != 64 || strings.Trim(s.Sealed, "0123456789abcdef") != "":
			return fmt.Errorf("sealed: must be 64 lower-case hexadecimal digits")
		case !truce.IsSourcePseudonym(s.Name):
			return fmt.Errorf("name %q: a sealed source is named by its pseudonym (\"s-\" and 32 lower-case hexadecimal digits)", s.Name)
		case s.Description != "":
			return fmt.Errorf("description: a sealed source's is in its private part, not its entry")
		}
		c.kind, c.id, c.role = "source", s.Name, s.RoleString()
	case truce.EntrySourceKey:
		var k truce.SourceKey
		if err := canonical(e.Data, &k, k.Validate, func() ([]byte, error) { return json.Marshal(&k) }); err != nil {
			return err
		}
		c.source = k.Source
	case truce.EntryCredential:
		var cr truce.Credential
		if err := canonical(e.Data, &cr, nil, func() ([]byte, error) { return json.Marshal(&cr) }); err != nil {
			return err
		}
		if !cr.IssuedAt.Equal(e.Time) {
			return fmt.Errorf("issued_at %s is not the entry's time", cr.IssuedAt.Format(time.RFC3339Nano))
		}
		c.source = cr.Source
	case truce.EntryAgreement:
		var g truce.Agreement
		if err := canonical(e.Data, &g, g.Validate, g.Canonical); err != nil {
			return err
		}
		c.kind, c.id = "agreement", fmt.Sprintf("%s version %d", g.ID, g.Version)
	case truce.EntryObservation:
		// The public form: who filed is withheld unless the source is
		// open, so the header names the filer's role (docs/log-format.md).
		pub := new(truce.SealedObservation)
		if err := canonical(e.Data, pub, pub.Validate, pub.Canonical); err != nil {
			return err
		}
		if string(pub.SourceRole) != e.Submitter {
			return fmt.Errorf("filed by role %q, but the observation's role is %q", e.Submitter, pub.SourceRole)
		}
		c.kind, c.id, c.supersedes = "observation", pub.ID, pub.Supersedes
		for g := range pub.Commitments {
			c.groups |= groupBit(g)
		}
		if pub.Clear != nil {
			// An open source's signature can be checked from the log alone.
			o, err := truce.Unseal(pub, nil)
			if err != nil {
				return err
			}
			c.obs = o
		}
	case truce.EntryControlMap:
		var m truce.ControlMap
		if err := canonical(e.Data, &m, m.Validate, m.Canonical); err != nil {
			return err
		}
		if m.Source != e.Submitter {
			return fmt.Errorf("filed by %q, but its source is %q", e.Submitter, m.Source)
		}
		c.kind, c.id = "control map", m.ID
	case truce.EntryWitness:
		var w truce.Witness
		if err := canonical(e.Data, &w, w.Validate, w.Canonical); err != nil {
			return err
		}
		v, err := NewCosignatureVerifier(w.Key)
		if err != nil {
			return fmt.Errorf("witness %q: %s", w.Name, truce.ErrorMessage(err))
		}
		c.kind, c.id, c.witness = "witness", w.Name, v
	case truce.EntryReview:
		r, err := truce.DecodeReview(e.Data)
		if err != nil {
			return fmt.Errorf("does not decode as a review: %s", explain(err))
		}
		if r.By != e.Submitter {
			return fmt.Errorf("filed by %q, but the review is by %q", e.Submitter, r.By)
		}
		c.kind, c.id, c.source, c.evidence, c.dispute = "review", r.ID, r.By, r.Evidence, r.Dispute
	case truce.EntryRelease:
		r, err := truce.DecodeRelease(e.Data)
		if err != nil {
			return fmt.Errorf("does not decode as a release: %s", explain(err))
		}
		if r.By != e.Submitter {
			return fmt.Errorf("filed by %q, but the release is by %q", e.Submitter, r.By)
		}
		c.kind, c.id, c.source, c.role, c.release = "release", r.ID, r.By, r.Role, r
	default:
		return fmt.Errorf("unknown entry type %q", e.Type)
	}
	return nil
}

// across checks c against the entries before it, and records what it
// holds for the entries after.
func (a *Auditor) across(c *checked) error {
	if c.source != "" {
		if _, ok := a.names["source"][c.source]; !ok {
			return fmt.Errorf("names the source %q, which no earlier entry registers", c.source)
		}
	}
	if c.supersedes != "" {
		if _, ok := a.names["observation"][c.supersedes]; !ok {
			return fmt.Errorf("supersedes %q, which no earlier entry holds", c.supersedes)
		}
	}
	for _, id := range c.evidence {
		if _, ok := a.names["observation"][id]; !ok {
			return fmt.Errorf("gives observation %q as evidence, which no earlier entry holds", id)
		}
	}
	if c.dispute != "" {
		if _, ok := a.names["review"][c.dispute]; !ok {
			return fmt.Errorf("resolves dispute %q, which no earlier entry holds", c.dispute)
		}
	}
	if r := c.release; r != nil {
		if role := a.roles[r.By]; role != r.Role {
			return fmt.Errorf("release %q is made in the role %q, but source %q is registered as %q", r.ID, r.Role, r.By, role)
		}
		if _, ok := a.names["observation"][r.Observation]; !ok {
			return fmt.Errorf("releases groups of observation %q, which no earlier entry holds", r.Observation)
		}
		for _, g := range r.Groups {
			if a.committed[r.Observation]&groupBit(g) == 0 {
				return fmt.Errorf("releases group %s of observation %q, which commits to no such group", g, r.Observation)
			}
		}
	}
	if c.kind != "" {
		if err := a.unique(c.kind, c.id, c.index); err != nil {
			return err
		}
	}
	switch {
	case c.kind == "observation" && c.groups != 0:
		a.committed[c.id] = c.groups
	case c.kind == "source":
		a.roles[c.id] = c.role
	}
	if c.witness != nil {
		a.witnesses[c.witness.Name()] = append(a.witnesses[c.witness.Name()], &witnessKey{v: c.witness, where: fmt.Sprintf("entry %d", c.index)})
	}
	return nil
}

// groupBit is g's bit in a set of groups.
func groupBit(g truce.FieldGroup) uint8 {
	if i := slices.Index(truce.FieldGroups, g); i >= 0 {
		return 1 << i
	}
	return 0
}

// unique records that the entry at index holds the id of a kind, and
// fails if an earlier entry holds it.
func (a *Auditor) unique(kind, id string, index int64) error {
	m := a.names[kind]
	if m == nil {
		m = map[string]int64{}
		a.names[kind] = m
	}
	if at, ok := m[id]; ok {
		return fmt.Errorf("%s %q is already in entry %d", kind, id, at)
	}
	m[id] = index
	return nil
}

// explain is err's message with its first problem, if it has any.
func explain(err error) string {
	msg := truce.ErrorMessage(err)
	if ps := truce.ErrorProblems(err); len(ps) > 0 {
		msg += ": " + ps[0].String()
	}
	return msg
}

// canonical decodes data into v, validates it, and checks that data is
// exactly what marshal makes of it: the canonical bytes the store logs.
func canonical(data []byte, v any, validate func() error, marshal func() ([]byte, error)) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("not valid JSON for its type: %v", err)
	}
	if validate != nil {
		if err := validate(); err != nil {
			return fmt.Errorf("does not validate: %s", explain(err))
		}
	}
	b, err := marshal()
	if err != nil {
		return err
	}
	if !bytes.Equal(b, data) {
		i := 0
		for i < len(b) && i < len(data) && b[i] == data[i] {
			i++
		}
		return fmt.Errorf("not in canonical form: differs from byte %d on (%.40q, canonical %.40q)", i+1, data[i:], b[i:])
	}
	return nil
}

// A Summary is what an Auditor checked.
type Summary struct {
	// Origin is the log's name, from its checkpoints.
	Origin string `json:"origin,omitempty"`
	// Entries is the number of entries checked, and Root the root of
	// their tree, in standard base64.
	Entries int64  `json:"entries"`
	Root    string `json:"root"`
	// Types counts the entries of each type.
	Types map[truce.EntryType]int64 `json:"types"`
	// LogKey is the verifier key the checkpoints were checked with, and
	// LogKeyPinned whether the verifier gave it (rather than the log).
	LogKey       string `json:"log_key,omitempty"`
	LogKeyPinned bool   `json:"log_key_pinned"`
	// Checkpoints counts the log's checkpoints whose signature and root
	// were checked; Held those held outside the log.
	Checkpoints int `json:"checkpoints"`
	Held        int `json:"held_checkpoints"`
	// Cosignatures counts the cosignatures verified, PinnedCosignatures
	// those by witnesses whose keys the verifier pinned, and Unverified
	// the signature lines by keys the Auditor did not know.
	Cosignatures       int `json:"cosignatures"`
	PinnedCosignatures int `json:"pinned_cosignatures"`
	Unverified         int `json:"unverified_signatures"`
	// Disclosed counts the private groups disclosed in a bundle that were
	// checked against their entries' commitments.
	Disclosed int `json:"disclosed_groups,omitempty"`
	// LatestSize is the size of the largest checkpoint.
	LatestSize int64 `json:"latest_checkpoint_size"`
	// Problems is the number of problems reported.
	Problems int `json:"problems"`
}

// Finish checks every checkpoint against the tree of the entries given,
// now that the witnesses registered in the log are known, and returns what
// was checked.
func (a *Auditor) Finish() *Summary {
	a.flush()
	root := a.tree.Root()
	s := &Summary{Entries: a.tree.size, Root: base64.StdEncoding.EncodeToString(root[:]), Types: a.types, Disclosed: a.disclosed,
		LogKey: a.logKeyText, LogKeyPinned: a.pinned, LatestSize: -1}
	if a.logKey == nil && len(a.held) > 0 {
		a.Problem("log key", "none given and none stated by the log: the checkpoints' signatures cannot be checked (give --log-key)")
	}
	held := slices.Clone(a.held)
	slices.SortStableFunc(held, func(x, y *heldCheckpoint) int {
		if c := cmp.Compare(x.cp.Size, y.cp.Size); c != 0 {
			return c
		}
		return cmp.Compare(boolInt(x.outside), boolInt(y.outside))
	})
	own := map[int64][]*heldCheckpoint{}
	for _, h := range held {
		if !h.outside {
			own[h.cp.Size] = append(own[h.cp.Size], h)
		}
	}
	for _, h := range held {
		if a.checkCheckpoint(h, s) && h.outside && a.requireHeld {
			a.checkKept(h, own[h.cp.Size])
		}
	}
	// A pinned key is a demand that the log's own checkpoints be signed
	// by it: a log that no checkpoint of that key vouches for is anyone's.
	if a.pinned && s.Checkpoints == 0 {
		a.Problem("log key", "no checkpoint of the log is signed by the pinned key %s: nothing vouches for the entries", a.logKeyText)
	}
	// A pinned witness is one the verifier counts on: a log none of whose
	// checkpoints it cosigned has lost its cosignatures, or was never
	// witnessed by it.
	for _, name := range slices.Sorted(maps.Keys(a.witnesses)) {
		for _, k := range a.witnesses[name] {
			if k.pinned && !a.cosignedOwn[k] {
				a.Problem("witness "+name, "pinned, but it cosigns none of the log's checkpoints: its cosignatures were removed, or it never witnessed this log")
			}
		}
	}
	s.Problems = a.problems
	return s
}

// checkKept checks that the log keeps the checkpoint h held outside, with
// all its cosignatures, among its own checkpoints of that size.
func (a *Auditor) checkKept(h *heldCheckpoint, own []*heldCheckpoint) {
	path := fmt.Sprintf("checkpoint %d held outside (%s)", h.cp.Size, h.where)
	if len(own) == 0 {
		a.Problem(path, "the log keeps no checkpoint of this size, though it signed this one: it was removed")
		return
	}
	for _, line := range strings.SplitAfter(string(h.msg[bytes.Index(h.msg, []byte("\n\n"))+2:]), "\n") {
		name := truce.CosignatureFrom(line)
		if name == "" || name == h.cp.Origin {
			continue
		}
		if !bytes.Contains(own[0].msg, []byte(line)) {
			a.Problem(path, "the log's copy lacks the cosignature by witness %q: it was removed", name)
		}
	}
}

// checkCheckpoint checks one checkpoint and reports whether it is the
// log's and agrees with the entries.
func (a *Auditor) checkCheckpoint(h *heldCheckpoint, s *Summary) bool {
	cp := h.cp
	path := fmt.Sprintf("checkpoint %d", cp.Size)
	if h.outside {
		path = fmt.Sprintf("checkpoint %d held outside", cp.Size)
	}
	path += " (" + h.where + ")"
	if s.Origin == "" {
		s.Origin = cp.Origin
	} else if cp.Origin != s.Origin {
		a.Problem(path, "names the log %q, not %q", cp.Origin, s.Origin)
	}
	signed := false
	if a.logKey != nil {
		if _, _, err := Open(h.msg, note.VerifierList(a.logKey)); err != nil {
			a.Problem(path, "log signature: %s", errorText(err))
		} else if signed = true; h.outside {
			s.Held++
		} else {
			s.Checkpoints++
		}
	}
	body := h.msg[:bytes.Index(h.msg, []byte("\n\n"))+1]
	for _, line := range strings.SplitAfter(string(h.msg[len(body)+1:]), "\n") {
		name := truce.CosignatureFrom(line)
		if line == "" || name == cp.Origin {
			continue
		}
		ks := a.witnesses[name]
		if name == "" {
			a.Problem(path, "%.80q is not a signature line", line)
			continue
		}
		if len(ks) == 0 {
			s.Unverified++
			continue
		}
		var verr error
		ok := false
		for _, k := range ks {
			if _, verr = VerifyCosignature(body, line, k.v); verr == nil {
				ok = true
				s.Cosignatures++
				if k.pinned {
					s.PinnedCosignatures++
				}
				if !h.outside {
					a.cosignedOwn[k] = true
				}
				break
			}
		}
		if !ok {
			a.Problem(path, "cosignature by witness %q: %s", name, truce.ErrorMessage(verr))
		}
	}
	switch {
	case cp.Size > a.tree.size:
		if h.outside {
			a.Problem(path, "covers %d entries, but the log has only %d: the log was truncated (or this copy of it is older than the checkpoint)", cp.Size, a.tree.size)
		} else {
			a.Problem(path, "covers %d entries, but only %d were found", cp.Size, a.tree.size)
		}
		return false
	case a.roots[cp.Size] != cp.Root:
		r := a.roots[cp.Size]
		a.Problem(path, "root %s differs from the root of the first %d entries, %s: the log was changed",
			base64.StdEncoding.EncodeToString(cp.Root[:]), cp.Size, base64.StdEncoding.EncodeToString(r[:]))
		return false
	}
	if cp.Size > s.LatestSize {
		s.LatestSize = cp.Size
	}
	return signed
}

// errorText is err's message, with the cause when it wraps a note error.
func errorText(err error) string {
	msg := truce.ErrorMessage(err)
	if s := err.Error(); s != msg && strings.HasPrefix(s, msg) {
		return s
	}
	return msg
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
