package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/internal/api"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/web"
)

// mountConsole serves the web consoles at / beside the JSON API (docs/consoles.md). Sessions
// live in the database, so replicas share them; cookies are Secure when the server or its
// public address speaks HTTPS.
func (s *Server) mountConsole(mux *http.ServeMux) error {
	sessions, err := store.NewSessions(s.DB, nil)
	if err != nil {
		return err
	}
	loc := time.UTC
	if s.Cfg.Site == "cn" {
		loc = time.FixedZone("CST", 8*3600) // China has one zone and no daylight saving
	}
	c, err := web.New(web.Services{Catalog: s.Catalog, Identity: s.Identity, Orders: s.Orders, Metering: s.Metering,
		Billing: s.Billing, Licenses: s.Licenses, Aftersale: s.Aftersale,
		Publish: s.Publish, Calls: s.Calls, Dial: s.Dial, Notify: s.Notify, Supervision: s.Supervision, Resale: s.Resale, Hardware: s.Hardware, Appeals: s.Appeals}, web.Config{Sessions: sessions, Log: s.Cfg.Log, Location: loc,
		Currency: s.Site.Currency, Limiter: api.NewFailureLimiter(time.Second, 20), Secure: s.Cfg.TLSCert != "" || strings.HasPrefix(s.Cfg.PublicURL, "https://")})
	if err != nil {
		return err
	}
	c.Register(mux)
	return nil
}
