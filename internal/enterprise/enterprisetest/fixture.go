package enterprisetest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/enterprise"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/order"
)

// TestKeyPEM returns the repository's 3072-bit RSA test key (conformance/testdata): generating
// one takes seconds.
func TestKeyPEM(t testing.TB) []byte {
	_, file, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "..", "conformance", "testdata", "merchant-rsa.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Fixture is a joint-operation merchant of generation gen with its kit key uploaded, a buyer
// with an active instance of its product, and the buyer's enterprise (not yet bound).
type Fixture struct {
	Env         *marketplacetest.Env
	Merchant    *Merchant
	MerchantID  string
	Buyer       market.Viewer
	InstanceKey string
	Enterprise  *market.Enterprise
}

// New builds a fixture on env.
func New(t testing.TB, env *marketplacetest.Env, gen int) *Fixture {
	t.Helper()
	m := Start(t, TestKeyPEM(t))
	f := &Fixture{Env: env, Merchant: m}
	f.MerchantID = env.Merchant(marketplacetest.MerchantOpts{ProductionURL: m.URL, Generation: gen, AccessKey: m.Key, KitKey: m.KitKey}).Merchant.ID
	if _, err := env.Enterprises.PutKitKey(env.Ctx, market.AsSeller(f.MerchantID), f.MerchantID, enterprise.KitKeyRequest{PublicKey: m.PublicKey,
		RedirectURIs: []string{"https://app.example/sso/callback"}}); err != nil {
		t.Fatal(err)
	}
	product := "p-" + f.MerchantID
	env.Product(product, f.MerchantID, catalog.SpecRequest{Name: "Team", Charging: market.ChargingPeriod, Plans: []catalog.PlanRequest{
		{ProductID: "JOINT-" + f.MerchantID, Period: market.PeriodYear, Price: 1_000_000}}})
	f.Buyer = env.Buyer()
	o, err := env.Orders.Purchase(env.Ctx, f.Buyer, order.PurchaseRequest{Items: []order.Item{{ProductID: "JOINT-" + f.MerchantID, PeriodNumber: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	f.InstanceKey = o.Lines[0].ID
	deadline := time.Now().Add(30 * time.Second)
	for {
		env.Settle()
		in, err := env.Orders.Instance(env.Ctx, f.Buyer, f.InstanceKey)
		if err != nil {
			t.Fatal(err)
		}
		if in.State == market.InstanceActive {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance %s is %s, not ACTIVE", f.InstanceKey, in.State)
		}
	}
	f.Enterprise, err = env.Enterprises.CreateEnterprise(env.Ctx, f.Buyer, enterprise.EnterpriseRequest{Name: "Acme Corp", TenantCode: "acme-" + f.MerchantID[:6]})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// Syncs settles the marketplace and returns what the merchant accepted.
func (f *Fixture) Syncs(t testing.TB) []Sync {
	t.Helper()
	f.Env.Settle()
	s, err := f.Merchant.Syncs()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
