package httpapi

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
	"time"

	"github.com/truce-monitor/truce"
)

//go:embed assets/index.html
var indexHTML string

var indexTemplate = template.Must(template.New("index").Parse(indexHTML))

// indexPage is what the index page shows.
type indexPage struct {
	LogSize     int64
	Agreements  []*truce.AgreementRecord
	ControlMaps int
	Sources     int
}

// handleIndex serves GET /: a page for people that says what the store
// holds and links to the API.
func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var p indexPage
	var err error
	if p.LogSize, err = s.store.LogSize(ctx); err != nil {
		Error(w, r, err)
		return
	}
	if p.Agreements, err = s.store.Agreements(ctx); err != nil {
		Error(w, r, err)
		return
	}
	for _, a := range p.Agreements {
		if loc, err := time.LoadLocation(a.Window.TimeZone); err == nil {
			a.Window.Start, a.Window.End = a.Window.Start.In(loc), a.Window.End.In(loc)
		}
	}
	maps, err := s.store.ControlMaps(ctx)
	if err != nil {
		Error(w, r, err)
		return
	}
	p.ControlMaps = len(maps)
	sources, err := s.store.Sources(ctx)
	if err != nil {
		Error(w, r, err)
		return
	}
	p.Sources = len(sources)
	var b bytes.Buffer
	if err := indexTemplate.Execute(&b, &p); err != nil {
		Error(w, r, err)
		return
	}
	setHTMLHeaders(w.Header())
	w.Write(b.Bytes())
}
