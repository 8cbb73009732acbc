package httpapi

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"time"

	"github.com/truce-monitor/truce"
)

// maxCosignatureBody caps the body of POST /v1/checkpoint/cosignatures: a
// size, a root and one signature line with a witness name of at most 256
// bytes fit in well under 1 KiB.
const maxCosignatureBody = 4 << 10

// handleCheckpoint handles GET /checkpoint: the latest signed checkpoint, a
// C2SP signed note, byte for byte as the log signed it, with the lines of
// the witnesses' cosignatures collected so far appended.
func (s *Server) handleCheckpoint(w http.ResponseWriter, r *http.Request) {
	cp, err := s.store.LatestCheckpoint(r.Context())
	if err != nil {
		if truce.ErrorCode(err) == truce.ENOTFOUND {
			err = truce.Errorf(truce.ENOTFOUND, "No checkpoint has been signed yet; the server needs a log key: truce keys init.")
		}
		Error(w, r, err)
		return
	}
	writeNote(w, cp.Cosigned())
}

// handleGetCheckpoint handles GET /v1/checkpoints/{size}: the checkpoint of
// that size, as GET /checkpoint serves the latest.
func (s *Server) handleGetCheckpoint(w http.ResponseWriter, r *http.Request) {
	size, ok := parseCount(r.PathValue("size"))
	if !ok {
		Error(w, r, truce.Invalid("Invalid checkpoint size.", truce.Problem{Path: "size", Message: "must be a non-negative decimal integer without sign or leading zeros"}))
		return
	}
	cp, err := s.store.Checkpoint(r.Context(), size)
	if err != nil {
		Error(w, r, err)
		return
	}
	writeNote(w, cp.Cosigned())
}

// writeNote answers with a signed note as text.
func writeNote(w http.ResponseWriter, msg []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(msg)))
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	w.Write(msg)
}

// cosignatureRequest is the body of POST /v1/checkpoint/cosignatures.
type cosignatureRequest struct {
	Size        *int64 `json:"size"`
	Root        string `json:"root"`        // standard padded base64 of the 32-byte root
	Cosignature string `json:"cosignature"` // "— <witness> <base64>\n"
}

// cosignatureResponse answers POST /v1/checkpoint/cosignatures.
type cosignatureResponse struct {
	Size     int64     `json:"size"`
	Witness  string    `json:"witness"`
	SignedAt time.Time `json:"signed_at"`
}

// handlePostCosignature handles POST /v1/checkpoint/cosignatures: a
// registered witness posts its cosignature of a checkpoint. It needs no
// token: the cosignature authenticates itself, since the store takes it only
// if it verifies with a registered witness's key over the checkpoint of that
// size that the log signed.
func (s *Server) handlePostCosignature(w http.ResponseWriter, r *http.Request) {
	if err := s.limitCosignature(r); err != nil {
		Error(w, r, err)
		return
	}
	var req cosignatureRequest
	if err := decodeBody(w, r, maxCosignatureBody, &req); err != nil {
		Error(w, r, err)
		return
	}
	var ps []truce.Problem
	if req.Size == nil {
		ps = append(ps, truce.Problem{Path: "$.size", Message: "required: the size of the checkpoint cosigned"})
	} else if *req.Size < 0 {
		ps = append(ps, truce.Problem{Path: "$.size", Message: "must not be negative"})
	}
	var root [32]byte
	if b, err := base64.StdEncoding.DecodeString(req.Root); err != nil || len(b) != len(root) || base64.StdEncoding.EncodeToString(b) != req.Root {
		ps = append(ps, truce.Problem{Path: "$.root", Message: "required: the checkpoint's 32-byte root hash in standard padded base64"})
	} else {
		copy(root[:], b)
	}
	if req.Cosignature == "" {
		ps = append(ps, truce.Problem{Path: "$.cosignature", Message: "required: the signature line, \"— <witness name> <base64 signature>\""})
	}
	if len(ps) > 0 {
		Error(w, r, truce.Invalid("Invalid cosignature.", ps...))
		return
	}
	c, created, err := s.store.AddCosignature(r.Context(), *req.Size, root, req.Cosignature)
	if err != nil {
		Error(w, r, err)
		return
	}
	s.writeStored(w, r, created, "", &cosignatureResponse{Size: c.Size, Witness: c.Witness, SignedAt: c.SignedAt})
}
