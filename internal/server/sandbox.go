package server

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
)

// Sandbox is what `mercato serve --sandbox` seeds so that a merchant can develop against a local
// KooGallery: its own merchant account, a catalog, a buyer with money, and one pay-per-use
// instance bought from the merchant like any other (so the merchant knows it), backdated a day
// so that the last hours' usage can be pushed at once. Every start applies the current settings
// (MERCATO_SANDBOX_* and flags): a changed URL or key takes effect, keys rotate as an operator's
// would. What is not set comes from the previous start, or is generated; every value is printed
// at every start, since the sandbox exists to be developed against.
type Sandbox struct {
	MerchantID    string
	ProductionURL string
	AccessKey     string // MERCATO_SANDBOX_KEY
	KitKey        string // MERCATO_SANDBOX_KIT_KEY
	AK, SK        string // MERCATO_SANDBOX_AK, MERCATO_SANDBOX_SK
	BuyerToken    string // MERCATO_SANDBOX_BUYER_TOKEN
	// InstanceKey is the pay-per-use instance's key; its instanceId is the one the merchant
	// answers newInstance with (empty until it has).
	InstanceKey string
	InstanceID  string
}

// Sandbox identifiers: fixed, so that restarts and scripts find them.
const (
	SandboxMerchantID = "sandbox-merchant"
	SandboxProductID  = "p-sandbox"
	// SandboxLicenseProductID is a licensed desktop product: spec sandbox-license, delivered
	// as license codes, monthly (OFFISANDBOXLICMONTH) or yearly (OFFISANDBOXLICYEAR).
	SandboxLicenseProductID = "p-sandbox-license"
	SandboxBuyerID          = "5a0d0b0c0e0f4a1b8c2d3e4f5a6b7c8d"
	// SandboxFunds is the sandbox buyer's starting balance: 1,000,000.000.
	SandboxFunds market.Money = 1_000_000_000
	// sandboxOrderKey makes the pay-per-use purchase once, whatever the number of starts.
	sandboxOrderKey = "sandbox-pay-per-use"
	// SandboxBackdate is how far back the pay-per-use instance starts.
	SandboxBackdate = 24 * time.Hour
)

func seedSandbox(ctx context.Context, s *Server) (*Sandbox, error) {
	seed, op := s.Cfg.SandboxSeed, market.AsOperator()
	sb := &Sandbox{MerchantID: SandboxMerchantID}
	stored, err := s.DB.Merchant(ctx, SandboxMerchantID)
	if err != nil && market.ErrorCode(err) != market.CodeNotFound {
		return nil, err
	}
	var storedAK, storedSK string
	if stored != nil {
		if keys, err := s.DB.APIKeysOf(ctx, stored.ID); err == nil && len(keys) > 0 {
			storedAK, storedSK = keys[0].AK, keys[0].SK
		}
	} else {
		stored = &market.Merchant{}
	}
	sb.ProductionURL = cmp.Or(seed.URL, stored.ProductionURL, "http://127.0.0.1:9090/produce")
	sb.AccessKey = cmp.Or(seed.AccessKey, stored.AccessKey, market.NewSecret(32))
	sb.KitKey = cmp.Or(seed.KitKey, stored.KitKey, market.NewSecret(32))
	sb.AK = cmp.Or(seed.AK, storedAK, market.NewSecret(20))
	sb.SK = cmp.Or(seed.SK, storedSK, market.NewSecret(40))
	sb.BuyerToken = cmp.Or(seed.BuyerToken, "buyer_"+market.NewSecret(40)) // stored hashed: a new one each start unless set
	if err := applyMerchant(ctx, s, sb, stored); err != nil {
		return nil, err
	}
	if err := seedCatalog(ctx, s, sb); err != nil {
		return nil, err
	}
	if _, err := s.DB.Buyer(ctx, SandboxBuyerID); market.ErrorCode(err) == market.CodeNotFound {
		if _, _, err := s.Identity.CreateBuyer(ctx, op, identity.BuyerRequest{CustomerID: SandboxBuyerID, Name: "sandbox buyer",
			Email: "buyer@sandbox.example", Token: sb.BuyerToken}); err != nil {
			return nil, err
		}
	} else if err := s.DB.Write(ctx, func(tx *store.Tx) error {
		return tx.SetBuyerTokenHash(ctx, SandboxBuyerID, identity.TokenHash(sb.BuyerToken))
	}); err != nil {
		return nil, err
	}
	if _, err := s.Billing.TopUp(ctx, op, SandboxBuyerID, SandboxFunds, "sandbox-welcome"); err != nil {
		return nil, err
	}
	if err := seedInstance(ctx, s, sb); err != nil {
		return nil, err
	}
	printSandbox(s, sb)
	return sb, nil
}

// applyMerchant creates the sandbox merchant, or brings the stored one to the current settings
// (a changed key is a rotation: answers signed with the old one still verify for a while).
func applyMerchant(ctx context.Context, s *Server, sb *Sandbox, stored *market.Merchant) error {
	op := market.AsOperator()
	if stored.ID == "" {
		_, err := s.Catalog.CreateMerchant(ctx, op, catalog.MerchantRequest{ID: sb.MerchantID, Name: "Sandbox merchant",
			ProductionURL: sb.ProductionURL, Generation: 2, AccessKey: sb.AccessKey, KitKey: sb.KitKey, AK: sb.AK, SK: sb.SK})
		return err
	}
	var u catalog.MerchantUpdate
	if sb.ProductionURL != stored.ProductionURL {
		u.ProductionURL = &sb.ProductionURL
	}
	if sb.AccessKey != stored.AccessKey {
		u.AccessKey = &sb.AccessKey
	}
	if sb.KitKey != stored.KitKey {
		u.KitKey = &sb.KitKey
	}
	if u != (catalog.MerchantUpdate{}) {
		if _, err := s.Catalog.UpdateMerchant(ctx, op, sb.MerchantID, u); err != nil {
			return err
		}
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		k, err := tx.APIKey(ctx, sb.AK)
		switch {
		case market.ErrorCode(err) == market.CodeNotFound:
			return tx.InsertAPIKey(ctx, &market.APIKey{AK: sb.AK, SK: sb.SK, MerchantID: sb.MerchantID, CreatedAt: s.Cfg.Clock.Now()})
		case err != nil:
			return err
		case k.MerchantID != sb.MerchantID:
			return fmt.Errorf("MERCATO_SANDBOX_AK %s belongs to merchant %s", sb.AK, k.MerchantID)
		case k.SK != sb.SK:
			return tx.SetAPIKeySecret(ctx, sb.AK, sb.SK)
		}
		return nil
	})
}

// seedCatalog stores the sandbox's products unless they exist.
func seedCatalog(ctx context.Context, s *Server, sb *Sandbox) error {
	op := market.AsOperator()
	if _, err := s.DB.Product(ctx, SandboxProductID); market.ErrorCode(err) == market.CodeNotFound {
		_, err := s.Catalog.CreateProduct(ctx, op, catalog.ProductRequest{ID: SandboxProductID, MerchantID: sb.MerchantID, Name: "Sandbox SaaS",
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
		_, err := s.Catalog.CreateProduct(ctx, op, catalog.ProductRequest{ID: SandboxLicenseProductID, MerchantID: sb.MerchantID, Name: "Sandbox licensed app",
			Specs: []catalog.SpecRequest{{SkuCode: "sandbox-license", Name: "Seat", Charging: market.ChargingPeriod, Delivery: market.DeliveryLicense,
				Plans: []catalog.PlanRequest{
					{ProductID: "OFFISANDBOXLICMONTH", Period: market.PeriodMonth, Price: 49_000},
					{ProductID: "OFFISANDBOXLICYEAR", Period: market.PeriodYear, Price: 490_000}}}}})
		if err != nil {
			return err
		}
	}
	return nil
}

// seedInstance buys the pay-per-use instance from the merchant, once: the marketplace sends it
// newInstance like any purchase (retried until the merchant is up), and the instance is
// backdated so that usage of the last SandboxBackdate can be pushed.
func seedInstance(ctx context.Context, s *Server, sb *Sandbox) error {
	o, err := s.Orders.Purchase(ctx, market.AsBuyer(SandboxBuyerID), order.PurchaseRequest{
		Items: []order.Item{{ProductID: "OFFISANDBOXAPICALLS"}}, IdempotencyKey: sandboxOrderKey})
	if err != nil {
		return err
	}
	sb.InstanceKey = o.Lines[0].ID
	var in *market.Instance
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		if in, err = tx.Instance(ctx, sb.InstanceKey); err != nil {
			return err
		}
		if since := in.CreatedAt.Add(-SandboxBackdate); s.Cfg.Clock.Now().Sub(in.CreatedAt) < time.Minute {
			return tx.BackdateInstance(ctx, in.Key, since)
		}
		return nil
	})
	sb.InstanceID = in.ID
	return err
}

func printSandbox(s *Server, sb *Sandbox) {
	out := s.Cfg.Out
	fmt.Fprintf(out, "sandbox: merchant %s calls %s\n", sb.MerchantID, sb.ProductionURL)
	for _, v := range []struct{ name, value string }{
		{"MERCATO_SANDBOX_KEY", sb.AccessKey}, {"MERCATO_SANDBOX_KIT_KEY", sb.KitKey},
		{"MERCATO_SANDBOX_AK", sb.AK}, {"MERCATO_SANDBOX_SK", sb.SK}, {"MERCATO_SANDBOX_BUYER_TOKEN", sb.BuyerToken},
	} {
		fmt.Fprintf(out, "sandbox: %s=%s\n", v.name, v.value)
	}
	if sb.InstanceID == "" {
		fmt.Fprintf(out, "sandbox: pay-per-use instance %s is waiting for your merchant's newInstance answer (GET /api/v1/instances/%s shows its instanceId)\n",
			sb.InstanceKey, sb.InstanceKey)
		return
	}
	fmt.Fprintf(out, "sandbox: pay-per-use instance %s (key %s) takes usage from %s on\n", sb.InstanceID, sb.InstanceKey,
		s.Cfg.Clock.Now().Add(-SandboxBackdate).UTC().Format(time.RFC3339))
}
