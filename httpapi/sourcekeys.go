package httpapi

import (
	"net/http"

	"github.com/truce-monitor/truce"
)

// sourceKeyRequest is the body of POST /v1/sources/{name}/key.
type sourceKeyRequest struct {
	PublicKey string `json:"public_key"`
}

// handleSetSourceKey handles POST /v1/sources/{name}/key: an admin sets or
// replaces the Ed25519 public key of a source, after which every
// observation the source files must be signed by it. The answer is the
// source with its key: 201 when a "source_key" entry was logged, 200 when
// the key was already in force.
func (s *Server) handleSetSourceKey(w http.ResponseWriter, r *http.Request) {
	by, err := s.authorize(r, truce.ActionManageSource)
	if err != nil {
		Error(w, r, err)
		return
	}
	var req sourceKeyRequest
	if err := decodeBody(w, r, s.maxObject, &req); err != nil {
		Error(w, r, err)
		return
	}
	if req.PublicKey == "" {
		Error(w, r, truce.Invalid("Invalid source key.", truce.Problem{Path: "$.public_key", Message: "required: the source's Ed25519 public key, base64 of its 32 bytes"}))
		return
	}
	src, changed, err := s.store.SetSourceKey(r.Context(), by, r.PathValue("name"), req.PublicKey)
	if err != nil {
		Error(w, r, withPaths(err))
		return
	}
	s.writeStored(w, r, changed, "", src)
}
