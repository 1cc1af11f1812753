package server

import (
	"context"
	"fmt"

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
	SandboxBuyerID    = "5a0d0b0c0e0f4a1b8c2d3e4f5a6b7c8d"
	sandboxOrderID    = "CSSANDBOXPAYPERUSE"
)

func seedSandbox(ctx context.Context, s *Server) (*Sandbox, error) {
	sb := &Sandbox{
		MerchantID:    SandboxMerchantID,
		ProductionURL: env("MERCATO_SANDBOX_URL", "http://127.0.0.1:9090/produce"),
		AccessKey:     env("MERCATO_SANDBOX_KEY", ""), KitKey: env("MERCATO_SANDBOX_KIT_KEY", ""),
		AK: env("MERCATO_SANDBOX_AK", ""), SK: env("MERCATO_SANDBOX_SK", ""),
		InstanceID: env("MERCATO_SANDBOX_INSTANCE", ""), BuyerToken: env("MERCATO_SANDBOX_BUYER_TOKEN", ""),
	}
	generated := map[string]*string{"MERCATO_SANDBOX_KEY": &sb.AccessKey, "MERCATO_SANDBOX_KIT_KEY": &sb.KitKey,
		"MERCATO_SANDBOX_AK": &sb.AK, "MERCATO_SANDBOX_SK": &sb.SK, "MERCATO_SANDBOX_INSTANCE": &sb.InstanceID,
		"MERCATO_SANDBOX_BUYER_TOKEN": &sb.BuyerToken}
	if m, err := s.DB.Merchant(ctx, SandboxMerchantID); err == nil {
		// Seeded before: the database's keys win over generated ones.
		sb.AccessKey, sb.KitKey, sb.ProductionURL = orEnv(sb.AccessKey, m.AccessKey), orEnv(sb.KitKey, m.KitKey), m.ProductionURL
	}
	lengths := map[string]int{"MERCATO_SANDBOX_AK": 20, "MERCATO_SANDBOX_SK": 40, "MERCATO_SANDBOX_BUYER_TOKEN": 40}
	for name, v := range generated {
		if *v == "" {
			n := lengths[name]
			if n == 0 {
				n = 32
			}
			*v = market.NewSecret(n)
			if name == "MERCATO_SANDBOX_INSTANCE" {
				*v = market.NewUUID()
			}
			fmt.Fprintf(s.Cfg.Out, "sandbox: %s=%s (generated)\n", name, *v)
		}
	}
	if err := seedCatalog(ctx, s, sb); err != nil {
		return nil, err
	}
	fmt.Fprintf(s.Cfg.Out, "sandbox: merchant %s calls %s; pay-per-use instance %s is active\n", sb.MerchantID, sb.ProductionURL, sb.InstanceID)
	return sb, nil
}

func orEnv(fromEnv, stored string) string {
	if fromEnv != "" {
		return fromEnv
	}
	return stored
}

// seedCatalog stores the sandbox merchant, catalog, buyer and instance unless they exist.
func seedCatalog(ctx context.Context, s *Server, sb *Sandbox) error {
	if _, err := s.DB.Merchant(ctx, sb.MerchantID); market.ErrorCode(err) == market.CodeNotFound {
		if _, err := s.Catalog.CreateMerchant(ctx, catalog.MerchantRequest{ID: sb.MerchantID, Name: "Sandbox merchant",
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
		_, err := s.Catalog.CreateProduct(ctx, catalog.ProductRequest{ID: SandboxProductID, MerchantID: sb.MerchantID, Name: "Sandbox SaaS",
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
	if _, err := s.DB.Buyer(ctx, SandboxBuyerID); market.ErrorCode(err) == market.CodeNotFound {
		if _, _, err := s.Identity.CreateBuyer(ctx, identity.BuyerRequest{CustomerID: SandboxBuyerID, Name: "sandbox buyer",
			Email: "buyer@sandbox.example", Token: sb.BuyerToken}); err != nil {
			return err
		}
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
