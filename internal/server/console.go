package server

import (
	"net/http"
	"strconv"
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
	c, err := web.New(s.Services, web.Config{Sessions: sessions, Log: s.Cfg.Log, Location: loc, Currency: s.Site.Currency,
		Limiter: api.NewFailureLimiter(time.Second, 20), Secure: s.Cfg.TLSCert != "" || strings.HasPrefix(s.Cfg.PublicURL, "https://"),
		Operator: s.operatorConsole()})
	if err != nil {
		return err
	}
	c.Register(mux)
	return nil
}

// operatorConsole is what the operator console shows of the configuration (read-only), and the
// sandbox's test clock, which only the sandbox has.
func (s *Server) operatorConsole() web.OperatorConfig {
	large := s.Cfg.AfterSale.LargeRefund
	if large == "" {
		large = "default"
	}
	oc := web.OperatorConfig{Sandbox: s.Cfg.Sandbox, Settings: []web.Setting{
		{Name: "site", Value: s.Cfg.Site}, {Name: "currency", Value: s.Site.Currency}, {Name: "public_url", Value: s.Cfg.PublicURL},
		{Name: "sandbox", Value: strconv.FormatBool(s.Cfg.Sandbox)}, {Name: "grace_days", Value: strconv.Itoa(s.Cfg.GraceDays)},
		{Name: "retention_days", Value: strconv.Itoa(s.Cfg.RetentionDays)}, {Name: "bill_day", Value: strconv.Itoa(s.Cfg.BillDay)},
		{Name: "fee_per_mille", Value: strconv.FormatInt(s.Cfg.FeePerMille, 10)}, {Name: "large_refund", Value: large},
		{Name: "call_workers", Value: strconv.Itoa(s.Cfg.CallWorkers)}, {Name: "calls_per_merchant", Value: strconv.Itoa(s.Cfg.CallsPerMerchant)},
		{Name: "allow_insecure_merchants", Value: strconv.FormatBool(s.Cfg.AllowInsecureMerchants)},
	}}
	if s.Cfg.Sandbox {
		oc.Clock, _ = s.Cfg.Clock.(web.TestClock)
	}
	return oc
}
