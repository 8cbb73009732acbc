package httpapi

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/ledger"
	"golang.org/x/mod/sumdb/tlog"
)

// hashReader returns a tlog.HashReader over the store's stored Merkle tree
// hashes, reading with ctx. The handlers check every size against the log
// size first, so a hash the store does not have is a fault of the store,
// not of the request: its ENOTFOUND is turned into an internal error rather
// than answered 404.
func (s *Server) hashReader(ctx context.Context) tlog.HashReader {
	r := ledger.HashReader(ctx, s.store)
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		hs, err := r.ReadHashes(indexes)
		if truce.ErrorCode(err) == truce.ENOTFOUND {
			return nil, fmt.Errorf("httpapi: stored hashes missing below the log size: %v", err)
		}
		return hs, err
	})
}

// queryParams parses a log query's parameters, all of them non-negative
// decimal integers, collecting a problem for each one that is wrong.
type queryParams struct {
	q  url.Values
	ps []truce.Problem
}

// newQueryParams starts parsing r's query, whose parameters may only be
// those named in known.
func newQueryParams(r *http.Request, known ...string) *queryParams {
	p := &queryParams{q: r.URL.Query()}
	for name := range p.q {
		if slices.Contains(known, name) {
			continue
		}
		if len(known) == 1 {
			p.add(name, "unknown parameter; the only one known is "+known[0])
		} else {
			p.add(name, "unknown parameter; known are "+strings.Join(known, " and "))
		}
	}
	return p
}

func (p *queryParams) add(name, msg string) {
	p.ps = append(p.ps, truce.Problem{Path: "query." + name, Message: msg})
}

// int returns the parameter name: a plain decimal integer in 0..2⁶³-1 with
// no sign and no leading zero (other than "0" itself), given once. given is
// false when it is absent or empty, as for GET /v1/log/entries; ok is false
// when it is not given or wrong, and a wrong value is recorded as a problem.
func (p *queryParams) int(name string) (n int64, given, ok bool) {
	vs := p.q[name]
	if len(vs) == 0 || len(vs) == 1 && vs[0] == "" {
		return 0, false, false
	}
	if len(vs) > 1 {
		p.add(name, "given more than once")
		return 0, true, false
	}
	n, ok = parseCount(vs[0])
	if !ok {
		p.add(name, "must be a non-negative decimal integer without sign or leading zeros")
	}
	return n, true, ok
}

// required is int for a parameter that must be given.
func (p *queryParams) required(name string) (int64, bool) {
	n, given, ok := p.int(name)
	if !given {
		p.add(name, "required: a non-negative decimal integer")
	}
	return n, ok
}

// err returns the problems found, sorted by path, as one EINVALID error, or
// nil.
func (p *queryParams) err() error {
	if len(p.ps) == 0 {
		return nil
	}
	sortProblems(p.ps)
	return truce.Invalid("Invalid query parameter(s).", p.ps...)
}

// parseCount parses s as a non-negative decimal integer: digits only, no
// leading zeros except for "0", at most 2⁶³-1.
func parseCount(s string) (int64, bool) {
	if s == "" || len(s) > 1 && s[0] == '0' {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// withinLog returns the log's size, or an error: the problems in p and one
// naming param if size exceeds the log, or the store's.
func (s *Server) withinLog(ctx context.Context, p *queryParams, param string, size int64) (int64, error) {
	n, err := s.store.LogSize(ctx)
	if err != nil {
		return 0, err
	}
	if size > n {
		p.add(param, "must not exceed the log size, "+strconv.FormatInt(n, 10))
		return 0, p.err()
	}
	return n, nil
}

// rootResponse answers GET /v1/log/root.
type rootResponse struct {
	Size int64  `json:"size"`
	Root string `json:"root"` // standard padded base64 of the 32-byte root hash
}

// handleLogRoot handles GET /v1/log/root?size=: the RFC 6962 root hash of
// the tree of the first size entries, by default of the whole log.
func (s *Server) handleLogRoot(w http.ResponseWriter, r *http.Request) {
	p := newQueryParams(r, "size")
	size, given, _ := p.int("size")
	if err := p.err(); err != nil {
		Error(w, r, err)
		return
	}
	ctx := r.Context()
	n, err := s.withinLog(ctx, p, "size", size)
	if err != nil {
		Error(w, r, err)
		return
	}
	if !given {
		size = n
	}
	root, err := ledger.Root(size, s.hashReader(ctx))
	if err != nil {
		Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, &rootResponse{Size: size, Root: base64.StdEncoding.EncodeToString(root[:])})
}

// handleInclusionProof handles GET /v1/log/proof/inclusion?index=&size=:
// the audit path proving that the tree of the first size entries holds
// entry index, as a [ledger.InclusionProof].
func (s *Server) handleInclusionProof(w http.ResponseWriter, r *http.Request) {
	p := newQueryParams(r, "index", "size")
	index, okIndex := p.required("index")
	size, okSize := p.required("size")
	if okIndex && okSize && index >= size {
		p.add("index", "must be less than size")
	}
	if err := p.err(); err != nil {
		Error(w, r, err)
		return
	}
	ctx := r.Context()
	if _, err := s.withinLog(ctx, p, "size", size); err != nil {
		Error(w, r, err)
		return
	}
	hr := s.hashReader(ctx)
	leaf, err := hr.ReadHashes([]int64{tlog.StoredHashIndex(0, index)})
	if err != nil {
		Error(w, r, err)
		return
	}
	proof, err := ledger.ProveInclusion(index, size, hr)
	if err != nil {
		Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, &ledger.InclusionProof{Index: index, Size: size, LeafHash: leaf[0], Proof: proof})
}

// handleConsistencyProof handles GET /v1/log/proof/consistency?old=&new=:
// the proof that the tree of the first new entries holds the tree of the
// first old entries as a prefix, as a [ledger.ConsistencyProof].
func (s *Server) handleConsistencyProof(w http.ResponseWriter, r *http.Request) {
	p := newQueryParams(r, "old", "new")
	old, okOld := p.required("old")
	nw, okNew := p.required("new")
	if okOld && okNew && old > nw {
		p.add("old", "must not be greater than new")
	}
	if err := p.err(); err != nil {
		Error(w, r, err)
		return
	}
	ctx := r.Context()
	if _, err := s.withinLog(ctx, p, "new", nw); err != nil {
		Error(w, r, err)
		return
	}
	proof, err := ledger.ProveConsistency(old, nw, s.hashReader(ctx))
	if err != nil {
		Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, &ledger.ConsistencyProof{Old: old, New: nw, Proof: proof})
}
