package httpapi

import (
	"net/http"
	"strconv"

	"github.com/truce-monitor/truce"
)

// handleCheckpoint handles GET /checkpoint: the latest signed checkpoint, a
// C2SP signed note, byte for byte as it was signed.
func (s *Server) handleCheckpoint(w http.ResponseWriter, r *http.Request) {
	cp, err := s.store.LatestCheckpoint(r.Context())
	if err != nil {
		if truce.ErrorCode(err) == truce.ENOTFOUND {
			err = truce.Errorf(truce.ENOTFOUND, "No checkpoint has been signed yet; the server needs a log key: truce keys init.")
		}
		Error(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(cp.Note)))
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	w.Write(cp.Note)
}
