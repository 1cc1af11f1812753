package server

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Sandbox is what `mercato serve --sandbox` seeds so that a merchant can develop against a local
// KooGallery: its own merchant account with fixed keys, a catalog, a buyer, and one active
// pay-per-use instance to push usage and heartbeats for at once. Seeding is idempotent: a restart
// on the same database finds everything in place.
type Sandbox struct {
	MerchantID    string
	ProductionURL string
	AccessKey     string // MERCATO_SANDBOX_KEY
	KitKey        string // MERCATO_SANDBOX_KIT_KEY
	AK, SK        string // MERCATO_SANDBOX_AK, MERCATO_SANDBOX_SK
	InstanceID    string // MERCATO_SANDBOX_INSTANCE
	BuyerToken    string // MERCATO_SANDBOX_BUYER_TOKEN
}

// Sandbox identifiers: fixed, so that restarts and scripts find them.
const (
	SandboxMerchantID = "sandbox-merchant"
	SandboxProductID  = "p-sandbox"
	// SandboxLicenseProductID is a licensed desktop product: spec sandbox-license, delivered
	// as license codes, monthly (OFFISANDBOXLICMONTH) or yearly (OFFISANDBOXLICYEAR).
	SandboxLicenseProductID = "p-sandbox-license"
	SandboxBuyerID          = "5a0d0b0c0e0f4a1b8c2d3e4f5a6b7c8d"
	sandboxOrderID          = "CSSANDBOXPAYPERUSE"
	// SandboxFunds is the sandbox buyer's starting balance: 1,000,000.000.
	SandboxFunds market.Money = 1_000_000_000
)

func seedSandbox(ctx context.Context, s *Server) (*Sandbox, error) {
	seed := s.Cfg.SandboxSeed
	sb := &Sandbox{MerchantID: SandboxMerchantID, ProductionURL: cmp.Or(seed.URL, "http://127.0.0.1:9090/produce")}
	// Each value comes from the environment, else from an earlier start's database, else it is
	// generated and printed. The buyer's token is stored hashed, so without the environment a
	// new one is issued at every start.
	var stored Sandbox
	if m, err := s.DB.Merchant(ctx, SandboxMerchantID); err == nil {
		stored.AccessKey, stored.KitKey, stored.ProductionURL = m.AccessKey, m.KitKey, m.ProductionURL
		if keys, err := s.DB.APIKeysOf(ctx, m.ID); err == nil && len(keys) > 0 {
			stored.AK, stored.SK = keys[0].AK, keys[0].SK
		}
		if ins, _, err := s.DB.Instances(ctx, store.InstanceFilter{MerchantID: m.ID, Page: store.Page{Limit: store.MaxLimit}}); err == nil {
			for _, in := range ins {
				if strings.HasPrefix(in.OrderID, sandboxOrderID) {
					stored.InstanceID = in.ID
				}
			}
		}
		if seed.URL == "" {
			sb.ProductionURL = m.ProductionURL
		}
	}
	for _, v := range []struct {
		name   string
		dst    *string
		given  string
		stored string
		gen    func() string
	}{
		{"MERCATO_SANDBOX_KEY", &sb.AccessKey, seed.AccessKey, stored.AccessKey, func() string { return market.NewSecret(32) }},
		{"MERCATO_SANDBOX_KIT_KEY", &sb.KitKey, seed.KitKey, stored.KitKey, func() string { return market.NewSecret(32) }},
		{"MERCATO_SANDBOX_AK", &sb.AK, seed.AK, stored.AK, func() string { return market.NewSecret(20) }},
		{"MERCATO_SANDBOX_SK", &sb.SK, seed.SK, stored.SK, func() string { return market.NewSecret(40) }},
		{"MERCATO_SANDBOX_INSTANCE", &sb.InstanceID, seed.InstanceID, stored.InstanceID, market.NewUUID},
		{"MERCATO_SANDBOX_BUYER_TOKEN", &sb.BuyerToken, seed.BuyerToken, "", func() string { return "buyer_" + market.NewSecret(40) }},
	} {
		*v.dst = cmp.Or(v.given, v.stored)
		if *v.dst == "" {
			*v.dst = v.gen()
			fmt.Fprintf(s.Cfg.Out, "sandbox: %s=%s (generated)\n", v.name, *v.dst)
		}
	}
	if err := seedCatalog(ctx, s, sb); err != nil {
		return nil, err
	}
	fmt.Fprintf(s.Cfg.Out, "sandbox: merchant %s calls %s; pay-per-use instance %s is active\n", sb.MerchantID, sb.ProductionURL, sb.InstanceID)
	return sb, nil
}

// seedCatalog stores the sandbox merchant, catalog, buyer and instance unless they exist.
func seedCatalog(ctx context.Context, s *Server, sb *Sandbox) error {
	if _, err := s.DB.Merchant(ctx, sb.MerchantID); market.ErrorCode(err) == market.CodeNotFound {
		if _, err := s.Catalog.CreateMerchant(ctx, market.AsOperator(), catalog.MerchantRequest{ID: sb.MerchantID, Name: "Sandbox merchant",
			ProductionURL: sb.ProductionURL, Generation: 2, AccessKey: sb.AccessKey, KitKey: sb.KitKey, AK: sb.AK, SK: sb.SK}); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	if _, err := s.DB.APIKey(ctx, sb.AK); market.ErrorCode(err) == market.CodeNotFound {
		if err := s.DB.Write(ctx, func(tx *store.Tx) error {
			return tx.InsertAPIKey(ctx, &market.APIKey{AK: sb.AK, SK: sb.SK, MerchantID: sb.MerchantID, CreatedAt: s.Cfg.Clock.Now()})
		}); err != nil {
			return err
		}
	}
	if _, err := s.DB.Product(ctx, SandboxProductID); market.ErrorCode(err) == market.CodeNotFound {
		_, err := s.Catalog.CreateProduct(ctx, market.AsOperator(), catalog.ProductRequest{ID: SandboxProductID, MerchantID: sb.MerchantID, Name: "Sandbox SaaS",
			Specs: []catalog.SpecRequest{
				{SkuCode: "sandbox-standard", Name: "Standard", Charging: market.ChargingPeriod, TrialDays: 7, Plans: []catalog.PlanRequest{
					{ProductID: "OFFISANDBOXSTDMONTH", Period: market.PeriodMonth, Price: 99_000},
					{ProductID: "OFFISANDBOXSTDYEAR", Period: market.PeriodYear, Price: 990_000}}},
				{SkuCode: "sandbox-pro", Name: "Professional", Charging: market.ChargingPeriod, Plans: []catalog.PlanRequest{
					{ProductID: "OFFISANDBOXPROMONTH", Period: market.PeriodMonth, Price: 199_000},
					{ProductID: "OFFISANDBOXPROYEAR", Period: market.PeriodYear, Price: 1_990_000}}},
				{SkuCode: "sandbox-once", Name: "Setup service", Charging: market.ChargingOneTime, Plans: []catalog.PlanRequest{
					{ProductID: "OFFISANDBOXONCE", Price: 500_000}}},
				{SkuCode: "sandbox-api", Name: "API calls", Charging: market.ChargingOnDemand, Plans: []catalog.PlanRequest{
					{ProductID: "OFFISANDBOXAPICALLS", Price: 10}}},
			}})
		if err != nil {
			return err
		}
	}
	if _, err := s.DB.Product(ctx, SandboxLicenseProductID); market.ErrorCode(err) == market.CodeNotFound {
		_, err := s.Catalog.CreateProduct(ctx, market.AsOperator(), catalog.ProductRequest{ID: SandboxLicenseProductID, MerchantID: sb.MerchantID, Name: "Sandbox licensed app",
			Specs: []catalog.SpecRequest{{SkuCode: "sandbox-license", Name: "Seat", Charging: market.ChargingPeriod, Delivery: market.DeliveryLicense,
				Plans: []catalog.PlanRequest{
					{ProductID: "OFFISANDBOXLICMONTH", Period: market.PeriodMonth, Price: 49_000},
					{ProductID: "OFFISANDBOXLICYEAR", Period: market.PeriodYear, Price: 490_000}}}}})
		if err != nil {
			return err
		}
	}
	if _, err := s.DB.Buyer(ctx, SandboxBuyerID); market.ErrorCode(err) == market.CodeNotFound {
		if _, _, err := s.Identity.CreateBuyer(ctx, market.AsOperator(), identity.BuyerRequest{CustomerID: SandboxBuyerID, Name: "sandbox buyer",
			Email: "buyer@sandbox.example", Token: sb.BuyerToken}); err != nil {
			return err
		}
	} else if err := s.DB.Write(ctx, func(tx *store.Tx) error {
		return tx.SetBuyerTokenHash(ctx, SandboxBuyerID, identity.TokenHash(sb.BuyerToken))
	}); err != nil {
		return err
	}
	// The sandbox buyer starts with a balance to buy with (once: the ref makes a restart a no-op).
	if _, err := s.Billing.TopUp(ctx, market.AsOperator(), SandboxBuyerID, SandboxFunds, "sandbox-welcome"); err != nil {
		return err
	}
	if _, err := s.DB.InstanceByID(ctx, sb.InstanceID); market.ErrorCode(err) != market.CodeNotFound {
		return err
	}
	return seedInstance(ctx, s, sb)
}

// seedInstance stores an active pay-per-use instance directly, as if the merchant had created it.
func seedInstance(ctx context.Context, s *Server, sb *Sandbox) error {
	now := s.Cfg.Clock.Now()
	orderID := sandboxOrderID + sb.InstanceID[:8]
	o := &market.Order{ID: orderID, BuyerID: SandboxBuyerID, MerchantID: sb.MerchantID, Type: market.OrderNew, Status: market.OrderCompleted,
		Currency: s.Site.Currency, CreatedAt: now, UpdatedAt: now,
		Lines: []market.OrderLine{{ID: market.LineID(orderID, 1), OrderID: orderID, ProductID: "OFFISANDBOXAPICALLS", SkuCode: "sandbox-api", Charging: market.ChargingOnDemand}}}
	in := &market.Instance{Key: o.Lines[0].ID, ID: sb.InstanceID, OrderID: orderID, MerchantID: sb.MerchantID, BuyerID: SandboxBuyerID,
		ProductID: "OFFISANDBOXAPICALLS", SkuCode: "sandbox-api", Charging: market.ChargingOnDemand, State: market.InstanceActive,
		AppInfoJSON: []byte(`{"frontEndUrl":"https://sandbox.example/app"}`), CreatedAt: now, UpdatedAt: now}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.InsertOrder(ctx, o, ""); err != nil {
			return err
		}
		return tx.InsertInstance(ctx, in)
	})
}
