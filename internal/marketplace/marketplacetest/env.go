// Package marketplacetest runs the whole marketplace for tests: a real database of either
// engine, every service wired as the server wires them, and the job queue on a fake clock, with
// fixtures that fill in defaults (merchants, buyers, products).
package marketplacetest

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
)

// OperatorToken is the operator's bearer token in every environment.
const OperatorToken = "op_test_0123456789abcdefghijklmnopqrstuvwxyz"

// T0 is when every environment's clock starts.
var T0 = time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC)

// Env is a running marketplace for one test.
type Env struct {
	T     testing.TB
	Ctx   context.Context
	Clock *market.FakeClock
	*marketplace.Services
}

// Options change the environment's configuration before it is built.
type Options struct {
	// Start is the clock's start; T0 when zero.
	Start time.Time
	// Config changes the services' configuration (its defaults: CNY, insecure merchant URLs
	// allowed, 4 call workers).
	Config func(*marketplace.Config)
}

// New builds and starts a marketplace on a fresh database of dialect d.
func New(t testing.TB, d store.Dialect, opts Options) *Env {
	t.Helper()
	start := opts.Start
	if start.IsZero() {
		start = T0
	}
	e := &Env{T: t, Ctx: context.Background(), Clock: market.NewFakeClock(start)}
	cfg := marketplace.DefaultConfig("CNY")
	cfg.Calls.Workers, cfg.Calls.AllowInsecure, cfg.Catalog.AllowInsecure = 4, true, true
	cfg.Identity.OperatorToken = OperatorToken
	cfg.Identity.PasswordIterations = 1000  // the default's 600,000 cost a third of a second a hash
	cfg.Publish.AllowIPProductionURL = true // fake merchants listen on 127.0.0.1
	if opts.Config != nil {
		opts.Config(&cfg)
	}
	db := storetest.Open(t, d)
	svc, err := marketplace.New(db, e.Clock, slog.New(slog.NewTextHandler(io.Discard, nil)), cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.Services = svc
	storetest.StartQueue(t, db, svc.Jobs(), e.Clock)
	svc.Licenses.Start()
	t.Cleanup(func() { svc.Licenses.Stop(context.Background()) })
	return e
}

// Each runs fn as a parallel subtest on a fresh environment of each engine.
func Each(t *testing.T, opts Options, fn func(t *testing.T, e *Env)) {
	t.Helper()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, New(t, d, opts))
		})
	}
}

// Settle works every job that is due at the current business time, then returns.
func (e *Env) Settle() {
	e.T.Helper()
	if err := e.DB.Settle(e.Ctx, e.Clock.Now, 2*time.Minute); err != nil { // a hang detector, generous for loaded machines
		e.T.Fatal(err)
	}
}

// Advance moves business time by d in steps, settling after each, so that retries and timers
// fire at their own times.
func (e *Env) Advance(d, step time.Duration) {
	e.T.Helper()
	end := e.Clock.Now().Add(d)
	for e.Clock.Now().Before(end) {
		next := e.Clock.Now().Add(step)
		if next.After(end) {
			next = end
		}
		e.Clock.Set(next)
		e.Settle()
	}
}

// MerchantOpts describe a merchant; zero fields get defaults.
type MerchantOpts struct {
	ID            string // default: generated
	Name          string // default "Acme"
	ProductionURL string // default https://merchant.example/produce (nothing listens there)
	Generation    int    // default 2
	AccessKey     string // default: generated
	KitKey        string // default: generated
}

// Merchant creates a merchant through the catalog service, as the operator would.
func (e *Env) Merchant(o MerchantOpts) *catalog.NewMerchant {
	e.T.Helper()
	if o.Name == "" {
		o.Name = "Acme"
	}
	if o.ProductionURL == "" {
		o.ProductionURL = "https://merchant.example/produce"
	}
	nm, err := e.Catalog.CreateMerchant(e.Ctx, market.AsOperator(), catalog.MerchantRequest{ID: o.ID, Name: o.Name,
		ProductionURL: o.ProductionURL, Generation: o.Generation, AccessKey: o.AccessKey, KitKey: o.KitKey})
	if err != nil {
		e.T.Fatal(err)
	}
	return nm
}

// Funds is what Buyer puts on a new buyer's balance: enough for any test's orders.
const Funds market.Money = 10_000_000_000 // 10,000,000.000

// Buyer creates a buyer with Funds on its balance and returns it as a viewer.
func (e *Env) Buyer() market.Viewer { return e.BuyerWith(Funds) }

// BuyerWith creates a buyer with balance on its account (none when zero).
func (e *Env) BuyerWith(balance market.Money) market.Viewer {
	e.T.Helper()
	b, _, err := e.Identity.CreateBuyer(e.Ctx, market.AsOperator(), identity.BuyerRequest{Name: "buyer", Email: "buyer@example.com"})
	if err != nil {
		e.T.Fatal(err)
	}
	if balance > 0 {
		if _, err := e.Billing.TopUp(e.Ctx, market.AsOperator(), b.CustomerID, balance, "fixture"); err != nil {
			e.T.Fatal(err)
		}
	}
	return market.AsBuyer(b.CustomerID)
}

// Product creates a product of merchantID with specs through the catalog service.
func (e *Env) Product(id, merchantID string, specs ...catalog.SpecRequest) *catalog.Product {
	e.T.Helper()
	p, err := e.Catalog.CreateProduct(e.Ctx, market.AsOperator(), catalog.ProductRequest{ID: id, MerchantID: merchantID, Name: "Product " + id, Specs: specs})
	if err != nil {
		e.T.Fatal(err)
	}
	return p
}

// Seller creates a user of merchant merchantID with role and returns it as the viewer its
// token stands for.
func (e *Env) Seller(merchantID string, role market.SellerRole) market.Viewer {
	e.T.Helper()
	u, _, err := e.Identity.CreateSellerUser(e.Ctx, market.AsOperator(), merchantID, identity.SellerUserRequest{
		Name: "user-" + string(role) + "-" + strings.ToLower(market.NewSecret(6)), Role: role})
	if err != nil {
		e.T.Fatal(err)
	}
	return u.Viewer()
}

// Rule sets upgrade rules of a product as the operator, from source to target specs (each
// "skuCode" or "skuCode/skuId"), replacing any it had.
func (e *Env) Rule(productID string, pairs ...[2]string) {
	e.T.Helper()
	ref := func(s string) market.SKURef {
		code, id, _ := strings.Cut(s, "/")
		return market.SKURef{SkuCode: code, SkuID: id}
	}
	var rules []order.RuleRequest
	for _, p := range pairs {
		rules = append(rules, order.RuleRequest{Source: ref(p[0]), Target: ref(p[1])})
	}
	if _, err := e.Orders.SetUpgradeRules(e.Ctx, market.AsOperator(), productID, rules); err != nil {
		e.T.Fatal(err)
	}
}
