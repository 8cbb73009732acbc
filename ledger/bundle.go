package ledger

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/truce-monitor/truce"
	"golang.org/x/mod/sumdb/tlog"
)

// An export bundle is a directory that holds a log for offline
// verification (docs/log-format.md, "Export bundle and verification"):
//
//	manifest.json           what the bundle holds (a [Manifest])
//	entries/00000000.bin    entries 0..4095, each a 4-byte big-endian length and the entry's encoding
//	entries/00000001.bin    entries 4096..8191, and so on; the last file may hold fewer
//	checkpoints/<size>      each signed checkpoint, with its cosignatures, as a signed note
//	disclosed/<index>.json  optionally, the private groups of the observation at index that the
//	                        bundle's audience may see, with their salts (a [truce.PrivateParts])
//
// Files are named by [EntryFile], [CheckpointFile] and [DisclosedFile].

// BundleFormat names the bundle format and its version, the manifest's
// "format".
const BundleFormat = "truce-bundle/v1"

// EntriesPerFile is how many entries each entry file of a bundle holds; the
// last one holds the rest.
const EntriesPerFile = 4096

// MaxBundleEntry is the largest entry encoding a bundle holds, in bytes.
const MaxBundleEntry = 1<<31 - 1

// ManifestFile is the name of a bundle's manifest.
const ManifestFile = "manifest.json"

// EntryFile returns the name of the bundle file that holds entry file k,
// entries k·EntriesPerFile up to (k+1)·EntriesPerFile: "entries/" and k in
// decimal, zero-padded to 8 digits, then ".bin".
func EntryFile(k int64) string { return fmt.Sprintf("entries/%08d.bin", k) }

// CheckpointFile returns the name of the bundle file that holds the signed
// checkpoint of the given size: "checkpoints/" and the size in decimal.
func CheckpointFile(size int64) string { return "checkpoints/" + strconv.FormatInt(size, 10) }

// DisclosedFile returns the name of the bundle file that holds the private
// groups disclosed of the observation at index: "disclosed/" and the index
// in decimal, then ".json".
func DisclosedFile(index int64) string {
	return "disclosed/" + strconv.FormatInt(index, 10) + ".json"
}

// ParseDisclosed parses the disclosed file named name: a JSON object from
// group name to {"salt": 64 hex digits, "value": the group's canonical
// JSON}, as [MarshalDisclosed] writes it, with at least one group and
// only known ones.
func ParseDisclosed(name string, b []byte) (truce.PrivateParts, error) {
	bad := func(format string, args ...any) error {
		return truce.Errorf(truce.EINVALID, "%s: "+format, append([]any{name}, args...)...)
	}
	var pp truce.PrivateParts
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&pp); err != nil {
		return nil, bad("%v", err)
	}
	if d.More() {
		return nil, bad("data after the object")
	}
	if len(pp) == 0 {
		return nil, bad("no group disclosed")
	}
	for g, s := range pp {
		if !g.Valid() {
			return nil, bad("%.40q is not a field group", g)
		}
		if s == nil || len(s.Value) == 0 {
			return nil, bad("group %s: no value", g)
		}
	}
	return pp, nil
}

// MarshalDisclosed returns the disclosed file of pp: its JSON, groups in
// name order, and a newline.
func MarshalDisclosed(pp truce.PrivateParts) ([]byte, error) {
	b, err := json.Marshal(pp)
	return append(b, '\n'), err
}

// A Manifest describes a bundle. Its JSON is exactly
//
//	{"format":"truce-bundle/v1","origin":"…","log_key":"…","size":N,"root":"<base64>","checkpoints":[N,…]}
//
// and a newline: keys in this order, no whitespace. LogKey is "" when the
// exporter did not know the log's key.
type Manifest struct {
	Format string `json:"format"`
	// Origin names the log, as its checkpoints do; "" if it has none.
	Origin string `json:"origin"`
	// LogKey is the log's verifier key as the exporter states it. It is
	// not evidence: whoever made the bundle chose it. Verifiers pin the
	// key they were given by the log's operator.
	LogKey string `json:"log_key"`
	// Size is the number of entries; Root the root of their tree.
	Size int64     `json:"size"`
	Root tlog.Hash `json:"-"`
	// Checkpoints lists the sizes of the signed checkpoints the bundle
	// holds, in increasing order.
	Checkpoints []int64 `json:"checkpoints"`
}

type manifestJSON struct {
	Format      string  `json:"format"`
	Origin      string  `json:"origin"`
	LogKey      string  `json:"log_key"`
	Size        int64   `json:"size"`
	Root        string  `json:"root"`
	Checkpoints []int64 `json:"checkpoints"`
}

// Marshal returns the manifest's JSON, ending in a newline.
func (m *Manifest) Marshal() []byte {
	cps := m.Checkpoints
	if cps == nil {
		cps = []int64{}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(&manifestJSON{Format: m.Format, Origin: m.Origin, LogKey: m.LogKey, Size: m.Size,
		Root: base64.StdEncoding.EncodeToString(m.Root[:]), Checkpoints: cps})
	return b.Bytes()
}

// ParseManifest parses a manifest strictly: it must be exactly the bytes
// that [Manifest.Marshal] writes for it, of format [BundleFormat], with a
// non-negative size, a 32-byte root and checkpoint sizes that increase.
func ParseManifest(b []byte) (*Manifest, error) {
	bad := func(format string, args ...any) error {
		return truce.Errorf(truce.EINVALID, "%s: "+format, append([]any{ManifestFile}, args...)...)
	}
	var j manifestJSON
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&j); err != nil {
		return nil, bad("%v", err)
	}
	if j.Format != BundleFormat {
		return nil, bad("format %.40q, want %q", j.Format, BundleFormat)
	}
	if j.Size < 0 {
		return nil, bad("negative size %d", j.Size)
	}
	root, err := base64.StdEncoding.DecodeString(j.Root)
	if err != nil || len(root) != tlog.HashSize {
		return nil, bad("root %.60q is not a 32-byte hash in standard base64", j.Root)
	}
	for i, s := range j.Checkpoints {
		if s < 0 || i > 0 && s <= j.Checkpoints[i-1] {
			return nil, bad("checkpoints: sizes must be non-negative and increase; %d at position %d", s, i)
		}
	}
	m := &Manifest{Format: j.Format, Origin: j.Origin, LogKey: j.LogKey, Size: j.Size, Root: tlog.Hash(root), Checkpoints: j.Checkpoints}
	if m.Checkpoints == nil {
		return nil, bad("checkpoints: missing")
	}
	if !bytes.Equal(m.Marshal(), b) {
		return nil, bad("not in the canonical form (keys in order, no spaces, one final newline)")
	}
	return m, nil
}

// AppendEntryRecord appends to b the record of one entry in an entry file:
// the length of enc as 4 bytes big-endian, then enc.
func AppendEntryRecord(b, enc []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(enc)))
	return append(b, enc...)
}

// An EntryReader reads the records of an entry file.
type EntryReader struct {
	r    io.Reader
	name string
	n    int
	hdr  [4]byte
}

// NewEntryReader returns a reader of the entry records in r, the file
// named name (for errors).
func NewEntryReader(r io.Reader, name string) *EntryReader {
	return &EntryReader{r: r, name: name}
}

// Next returns the next entry's encoding, or io.EOF after the last. A
// record cut short is an error naming the file and the record.
func (er *EntryReader) Next() ([]byte, error) {
	if _, err := io.ReadFull(er.r, er.hdr[:]); err != nil {
		if err == io.EOF {
			return nil, io.EOF
		}
		return nil, er.errorf("record %d: the length is cut short", er.n+1)
	}
	n := binary.BigEndian.Uint32(er.hdr[:])
	if n > MaxBundleEntry {
		return nil, er.errorf("record %d: length %d is over the limit of %d", er.n+1, n, MaxBundleEntry)
	}
	var buf bytes.Buffer
	if _, err := io.CopyN(&buf, er.r, int64(n)); err != nil {
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, er.errorf("record %d: %d bytes announced, %d found", er.n+1, n, buf.Len())
		}
		return nil, err
	}
	er.n++
	return buf.Bytes(), nil
}

func (er *EntryReader) errorf(format string, args ...any) error {
	return truce.Errorf(truce.EINVALID, "%s: "+format, append([]any{er.name}, args...)...)
}

// VerifyBundle feeds the bundle in fsys to a: the log key its manifest
// states, its checkpoints, then its entries; the caller then calls
// a.Finish. Problems with the bundle's files (a missing, extra or
// malformed file; entries short of or beyond the manifest's size; a
// manifest root that is not the entries' root) are reported through a.
// The error is for a bundle that cannot be read at all.
func VerifyBundle(fsys fs.FS, a *Auditor) error {
	b, err := fs.ReadFile(fsys, ManifestFile)
	if err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	m, err := ParseManifest(b)
	if err != nil {
		return err
	}
	if m.LogKey != "" {
		a.StatedLogKey(m.LogKey, ManifestFile)
	}
	var listed []int64
	files, err := fs.ReadDir(fsys, "checkpoints")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("bundle: %w", err)
	}
	for _, f := range files {
		size, ok := parseDecimal(f.Name())
		if !ok || !slices.Contains(m.Checkpoints, size) {
			a.Problem(path.Join("checkpoints", f.Name()), "not listed in %s", ManifestFile)
			continue
		}
		listed = append(listed, size)
	}
	for _, size := range m.Checkpoints {
		name := CheckpointFile(size)
		if !slices.Contains(listed, size) {
			a.Problem(name, "listed in %s but missing", ManifestFile)
			continue
		}
		msg, err := fs.ReadFile(fsys, name)
		if err != nil {
			return fmt.Errorf("bundle: %w", err)
		}
		a.Checkpoint(name, msg, false)
	}
	disclosed, err := readDisclosed(fsys, a)
	if err != nil {
		return err
	}
	if err := feedEntries(fsys, m.Size, a, disclosed); err != nil {
		return err
	}
	for _, index := range slices.Sorted(maps.Keys(disclosed)) {
		a.Problem(DisclosedFile(index), "beyond the bundle's entries, %d", a.Size())
	}
	if a.Size() == m.Size && a.Root() != m.Root {
		a.Problem(ManifestFile, "root %s is not the root of the bundle's entries", base64.StdEncoding.EncodeToString(m.Root[:]))
	}
	return nil
}

// readDisclosed reads a bundle's disclosed files, reporting through a those
// that are misnamed or malformed.
func readDisclosed(fsys fs.FS, a *Auditor) (map[int64]truce.PrivateParts, error) {
	files, err := fs.ReadDir(fsys, "disclosed")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	out := map[int64]truce.PrivateParts{}
	for _, f := range files {
		name := path.Join("disclosed", f.Name())
		index, ok := parseDecimal(strings.TrimSuffix(f.Name(), ".json"))
		if !ok || !strings.HasSuffix(f.Name(), ".json") || f.IsDir() {
			a.Problem(name, "not a disclosed file: names are an entry index and \".json\"")
			continue
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("bundle: %w", err)
		}
		pp, err := ParseDisclosed(name, b)
		if err != nil {
			a.Problem(name, "%s", strings.TrimPrefix(truce.ErrorMessage(err), name+": "))
			continue
		}
		out[index] = pp
	}
	return out, nil
}

// checkDisclosed checks the private groups pp disclosed of the entry enc
// at index against the commitments of its public form, reporting through
// a, naming the file, the entry and the group, each that does not match.
func checkDisclosed(a *Auditor, index int64, enc []byte, pp truce.PrivateParts) {
	name := DisclosedFile(index)
	e, err := truce.DecodeEntry(enc)
	if err != nil {
		return // the Auditor reports the entry
	}
	if e.Type == truce.EntrySource {
		checkDisclosedSource(a, name, index, e, pp)
		return
	}
	if e.Type != truce.EntryObservation {
		a.Problem(name, "entry %d is a %s entry, not an observation or a source", index, e.Type)
		return
	}
	pub, err := truce.DecodeSealed(e.Data)
	if err != nil {
		return // the Auditor reports the entry
	}
	if pub.Clear != nil {
		a.Problem(name, "entry %d: observation %s is an open source's, with nothing to disclose", index, pub.ID)
		return
	}
	if err := pp.Check(pub); err != nil {
		msg := truce.ErrorMessage(err)
		if !strings.HasPrefix(msg, "observation ") {
			msg = "observation " + pub.ID + ": " + msg
		}
		a.Problem(name, "entry %d: %s", index, msg)
		return
	}
	a.disclosed += len(pp)
}

// checkDisclosedSource checks the identity disclosed of the sealed source
// whose entry e is: one source group, matching the entry's commitment, in
// canonical form.
func checkDisclosedSource(a *Auditor, name string, index int64, e *truce.Entry, pp truce.PrivateParts) {
	var pub truce.Source
	if err := json.Unmarshal(e.Data, &pub); err != nil {
		return // the Auditor reports the entry
	}
	if pub.Sealed == "" {
		a.Problem(name, "entry %d: source %s is open, with nothing to disclose", index, pub.Name)
		return
	}
	for g := range pp {
		if g != truce.GroupSource {
			a.Problem(name, "entry %d: source %s: a source entry discloses its source group only, not %q", index, pub.Name, g)
			return
		}
	}
	if _, err := truce.UnsealSource(&pub, pp[truce.GroupSource]); err != nil {
		a.Problem(name, "entry %d: %s", index, truce.ErrorMessage(err))
		return
	}
	a.disclosed++
}

// feedEntries reads the entry files of a bundle of size entries into a,
// checking the parts disclosed of each against it (and deleting them from
// disclosed).
func feedEntries(fsys fs.FS, size int64, a *Auditor, disclosed map[int64]truce.PrivateParts) error {
	files := (size + EntriesPerFile - 1) / EntriesPerFile
	for k := int64(0); k < files; k++ {
		name := EntryFile(k)
		f, err := fsys.Open(name)
		if errors.Is(err, fs.ErrNotExist) {
			a.Problem(name, "missing: the bundle's size is %d", size)
			return nil
		}
		if err != nil {
			return fmt.Errorf("bundle: %w", err)
		}
		want := min(size-k*EntriesPerFile, EntriesPerFile)
		er := NewEntryReader(f, name)
		var n int64
		for {
			enc, err := er.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				f.Close()
				if truce.ErrorCode(err) == truce.EINVALID {
					a.Problem(name, "%s", strings.TrimPrefix(truce.ErrorMessage(err), name+": "))
					return nil
				}
				return fmt.Errorf("bundle: %w", err)
			}
			if n == want {
				a.Problem(name, "holds more than %d entries", want)
				break
			}
			index := a.Size()
			a.Entry(index, enc)
			if pp, ok := disclosed[index]; ok {
				checkDisclosed(a, index, enc, pp)
				delete(disclosed, index)
			}
			n++
		}
		f.Close()
		if n < want {
			a.Problem(name, "holds %d entries, want %d", n, want)
			return nil
		}
	}
	extra, err := fs.Stat(fsys, EntryFile(files))
	if err == nil && extra != nil {
		a.Problem(EntryFile(files), "beyond the bundle's size, %d", size)
	}
	return nil
}

// parseDecimal parses a non-negative decimal without sign or leading
// zeros.
func parseDecimal(s string) (int64, bool) {
	n, err := parseSize(s)
	return n, err == nil
}

// A Bundle is an export bundle as read into memory by [ReadBundle].
type Bundle struct {
	Manifest *Manifest
	// Entries are the log's entries, from index 0.
	Entries []*truce.Entry
	// Disclosed holds the private groups the bundle discloses, by the
	// log index of their observation.
	Disclosed map[int64]truce.PrivateParts
}

// ReadBundle reads the bundle in fsys: its manifest, its entries and its
// disclosed parts. It checks only that they can be read and decoded:
// verify the bundle first ([VerifyBundle]) and read it only if it holds.
func ReadBundle(fsys fs.FS) (*Bundle, error) {
	b, err := fs.ReadFile(fsys, ManifestFile)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	m, err := ParseManifest(b)
	if err != nil {
		return nil, err
	}
	problem := func(p truce.Problem) {
		if err == nil {
			err = truce.Errorf(truce.EINVALID, "bundle: %s", p)
		}
	}
	disclosed, rerr := readDisclosed(fsys, NewAuditor(problem))
	if err = cmp.Or(rerr, err); err != nil {
		return nil, err
	}
	bundle := &Bundle{Manifest: m, Entries: make([]*truce.Entry, 0, m.Size), Disclosed: disclosed}
	for k := int64(0); k*EntriesPerFile < m.Size; k++ {
		name := EntryFile(k)
		f, err := fsys.Open(name)
		if err != nil {
			return nil, fmt.Errorf("bundle: %w", err)
		}
		er := NewEntryReader(f, name)
		for {
			enc, err := er.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				f.Close()
				return nil, err
			}
			e, err := truce.DecodeEntry(enc)
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("bundle: %s: entry %d: %w", name, len(bundle.Entries), err)
			}
			e.Index = int64(len(bundle.Entries))
			bundle.Entries = append(bundle.Entries, e)
		}
		f.Close()
	}
	if int64(len(bundle.Entries)) != m.Size {
		return nil, truce.Errorf(truce.EINVALID, "bundle: %d entries, the manifest says %d", len(bundle.Entries), m.Size)
	}
	return bundle, nil
}
