// Package cloudtest runs a marketplace with an industrial-software product over HTTP, for the
// tests of the client SDK (isdk) and its C ABI: a real database, the JSON API on an httptest
// server, a buyer with a token and an instance of a package that keeps data in the cloud.
package cloudtest

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/api"
	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/cloud"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
)

// OperatorToken is the site's operator token.
const OperatorToken = marketplacetest.OperatorToken

// Site is a running marketplace with one industrial-software product.
type Site struct {
	*marketplacetest.Env
	URL      string // the server's base URL (the API is under /api/v1)
	Token    string // the buyer's bearer token
	Buyer    market.Viewer
	Instance string // the buyer's instance of spec "cad" (data in cloud, version 2.0)
	// Viewer is an instance of spec "viewer", whose package keeps no data in the cloud.
	Viewer string
}

// Options change the site.
type Options struct {
	// Config changes the marketplace's configuration.
	Config func(*marketplace.Config)
	// Package is the "cad" spec's package; Version "2.0" with data in cloud when zero.
	Package cloud.PackageRequest
}

// Start runs a site on a fresh database of dialect d until t ends.
func Start(t testing.TB, d store.Dialect, o Options) *Site {
	t.Helper()
	// Business time starts at the wall clock's: the SDK checks license expiry against it.
	e := marketplacetest.New(t, d, marketplacetest.Options{Config: o.Config, Start: time.Now().UTC().Truncate(time.Millisecond)})
	s := &Site{Env: e}
	e.Merchant(marketplacetest.MerchantOpts{ID: "m-cad", Name: "CAD Works"})
	spec := func(sku, offer string) catalog.SpecRequest {
		return catalog.SpecRequest{SkuCode: sku, Name: sku, Charging: market.ChargingPeriod, Delivery: market.DeliveryLicense,
			Plans: []catalog.PlanRequest{{ProductID: offer, Period: market.PeriodMonth, Price: 100_000}}}
	}
	e.Product("p-cad", "m-cad", spec("cad", "OFFI-CAD-M"), spec("viewer", "OFFI-VIEW-M"))
	pkg := o.Package
	if pkg.Version == "" {
		pkg = cloud.PackageRequest{DataInCloud: true, Version: "2.0"}
	}
	pkg.SkuCode = "cad"
	for _, p := range []cloud.PackageRequest{pkg, {SkuCode: "viewer", Version: "1.0"}} {
		if _, err := e.Cloud.SetPackage(e.Ctx, market.AsOperator(), p); err != nil {
			t.Fatal(err)
		}
	}
	b, token, err := e.Identity.CreateBuyer(e.Ctx, market.AsOperator(), identity.BuyerRequest{Name: "Design Ltd", Email: "cad@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Billing.TopUp(e.Ctx, market.AsOperator(), b.CustomerID, marketplacetest.Funds, "fixture"); err != nil {
		t.Fatal(err)
	}
	s.Token, s.Buyer = token, market.AsBuyer(b.CustomerID)
	s.Instance, s.Viewer = s.buy("OFFI-CAD-M"), s.buy("OFFI-VIEW-M")
	srv := httptest.NewServer(Handler(e.Services))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

func (s *Site) buy(offer string) string {
	s.T.Helper()
	o, err := s.Orders.Purchase(s.Ctx, s.Buyer, order.PurchaseRequest{Items: []order.Item{{ProductID: offer, PeriodNumber: 1}}})
	if err != nil {
		s.T.Fatal(err)
	}
	return o.Lines[0].ID
}

// Handler serves the JSON API over the services, as the server does.
func Handler(svc *marketplace.Services) http.Handler {
	mux := http.NewServeMux()
	(&api.API{Catalog: svc.Catalog, Identity: svc.Identity, Orders: svc.Orders, Calls: svc.Calls, Metering: svc.Metering, Billing: svc.Billing,
		Licenses: svc.Licenses, Cloud: svc.Cloud, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Register(mux)
	return mux
}
