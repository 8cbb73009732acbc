package httpapi

import (
	"net/http"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/ledger"
)

// handleListWitnesses handles GET /v1/witnesses: the witnesses whose
// cosignatures the log takes, ordered by name.
func (s *Server) handleListWitnesses(w http.ResponseWriter, r *http.Request) {
	serveList(s, w, r, "witnesses", s.store.Witnesses)
}

// witnessRequest is the body of POST /v1/witnesses.
type witnessRequest struct {
	Key string `json:"key"` // the cosignature/v1 verifier key; it names the witness
}

// handlePostWitness handles POST /v1/witnesses: an admin registers a
// witness by its verifier key.
func (s *Server) handlePostWitness(w http.ResponseWriter, r *http.Request) {
	by, err := s.authorize(r, truce.ActionManageWitness)
	if err != nil {
		Error(w, r, err)
		return
	}
	var req witnessRequest
	if err := decodeBody(w, r, s.maxObject, &req); err != nil {
		Error(w, r, err)
		return
	}
	v, err := ledger.NewCosignatureVerifier(req.Key)
	if err != nil {
		Error(w, r, truce.Invalid("Invalid witness.", truce.Problem{Path: "$.key", Message: truce.ErrorMessage(err) +
			"; want the witness's verifier key, <name>+<key ID>+<base64(0x04 || Ed25519 public key)>, as truce witness keygen prints it"}))
		return
	}
	rec, created, err := s.store.AddWitness(r.Context(), by, &truce.Witness{Name: v.Name(), Key: req.Key})
	if err != nil {
		Error(w, r, withPaths(err))
		return
	}
	s.writeStored(w, r, created, "", rec)
}
