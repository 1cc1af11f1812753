package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/api"
	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/license"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
	"github.com/mercato-oss/mercato/kgp"
)

var t0 = time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)

const operator = marketplacetest.OperatorToken

// licenseAPI is the JSON API over a real database with a license product, two buyers, and an
// instance bought by the first.
type licenseAPI struct {
	t              *testing.T
	url            string
	lic            *license.Service
	alice, bob     string // buyer tokens
	key, saasKey   string // alice's license instance, and a SaaS instance of hers
	code           string
	aliceID, bobID string
}

func newLicenseAPI(t *testing.T, d store.Dialect) *licenseAPI {
	t.Helper()
	e := marketplacetest.New(t, d, marketplacetest.Options{Start: t0})
	ctx := e.Ctx
	a := &licenseAPI{t: t, lic: e.Licenses}
	alice, aliceToken, err1 := e.Identity.CreateBuyer(ctx, market.AsOperator(), identity.BuyerRequest{Name: "alice"})
	bob, bobToken, err2 := e.Identity.CreateBuyer(ctx, market.AsOperator(), identity.BuyerRequest{Name: "bob"})
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	a.alice, a.bob, a.aliceID, a.bobID = aliceToken, bobToken, alice.CustomerID, bob.CustomerID
	if _, err := e.Billing.TopUp(ctx, market.AsOperator(), alice.CustomerID, marketplacetest.Funds, "fixture"); err != nil {
		t.Fatal(err)
	}
	e.Merchant(marketplacetest.MerchantOpts{ID: "m-acme", ProductionURL: "https://m.example/p"})
	e.Product("p-app", "m-acme", catalog.SpecRequest{SkuCode: "seat", Name: "Seat", Charging: market.ChargingPeriod, Delivery: market.DeliveryLicense,
		Plans: []catalog.PlanRequest{{ProductID: "OFFI-SEAT-M", Period: market.PeriodMonth, Price: 1000}}})
	// A SaaS instance of alice's, stored as if delivered.
	saas := &market.Order{ID: "CSSAAS", BuyerID: alice.CustomerID, MerchantID: "m-acme", Type: market.OrderNew, Status: market.OrderCompleted,
		Currency: "CNY", CreatedAt: t0, UpdatedAt: t0, Lines: []market.OrderLine{{ID: "CSSAAS-000001", OrderID: "CSSAAS", ProductID: "OFFI-X", SkuCode: "x", Charging: market.ChargingOneTime}}}
	err := e.DB.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.InsertOrder(ctx, saas, ""); err != nil {
			return err
		}
		return tx.InsertInstance(ctx, &market.Instance{Key: "CSSAAS-000001", ID: "saas-1", OrderID: "CSSAAS", MerchantID: "m-acme", BuyerID: alice.CustomerID,
			ProductID: "OFFI-X", SkuCode: "x", Charging: market.ChargingOneTime, State: market.InstanceActive, CreatedAt: t0, UpdatedAt: t0})
	})
	if err != nil {
		t.Fatal(err)
	}
	a.saasKey = "CSSAAS-000001"
	o, err := e.Orders.Purchase(ctx, market.AsBuyer(alice.CustomerID), order.PurchaseRequest{Items: []order.Item{{ProductID: "OFFI-SEAT-M", PeriodNumber: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	a.key = o.Lines[0].ID
	srv := httptest.NewServer(newHandler(e))
	t.Cleanup(srv.Close)
	a.url = srv.URL + "/api/v1"
	return a
}

// newHandler serves the JSON API over an environment's services.
func newHandler(e *marketplacetest.Env) http.Handler {
	mux := http.NewServeMux()
	(&api.API{Catalog: e.Catalog, Identity: e.Identity, Orders: e.Orders, Calls: e.Calls, Metering: e.Metering, Billing: e.Billing,
		Licenses: e.Licenses, Publish: e.Publish, Dial: e.Dial, Notify: e.Notify, Resale: e.Resale, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Register(mux)
	return mux
}

func (a *licenseAPI) do(method, path, token string) (int, map[string]any) {
	a.t.Helper()
	req, _ := http.NewRequest(method, a.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func first(out map[string]any, list string) map[string]any {
	l, _ := out[list].([]any)
	if len(l) == 0 {
		return nil
	}
	m, _ := l[0].(map[string]any)
	return m
}

func TestLicenseEndpoints(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			a := newLicenseAPI(t, d)
			status, out := a.do("GET", "/instances/"+a.key+"/licenses", a.alice)
			l := first(out, "licenses")
			if status != 200 || l == nil || l["status"] != "ALIVE" || l["received_at"] != nil || l["expire_at"] != t0.AddDate(0, 1, 0).Format(time.RFC3339) {
				t.Fatalf("licenses: %d %v", status, out)
			}
			a.code = l["code"].(string)
			// Before receipt the merchant's software cannot activate.
			if _, err := a.lic.Activate(context.Background(), market.AsSeller("m-acme"), a.code, nil); market.ErrorCode(err) != market.CodeConflict {
				t.Fatalf("activation before receipt: %v", err)
			}
			for _, tc := range []struct {
				name, method, path, token string
				status                    int
			}{
				{"another buyer's licenses", "GET", "/instances/" + a.key + "/licenses", a.bob, 404},
				{"another buyer receives", "POST", "/instances/" + a.key + "/licenses/receive", a.bob, 404},
				{"unknown instance", "GET", "/instances/CSNOPE-000001/licenses", a.alice, 404},
				{"a SaaS instance has no codes", "GET", "/instances/" + a.saasKey + "/licenses", a.alice, 200},
				{"a SaaS instance cannot be received", "POST", "/instances/" + a.saasKey + "/licenses/receive", a.alice, 409},
				{"no token", "GET", "/instances/" + a.key + "/licenses", "", 401},
				{"receive", "POST", "/instances/" + a.key + "/licenses/receive", a.alice, 200},
				{"receive again", "POST", "/instances/" + a.key + "/licenses/receive", a.alice, 200},
				{"operator reads", "GET", "/instances/" + a.key + "/licenses", operator, 200},
				{"another buyer's heartbeats", "GET", "/licenses/" + a.code + "/heartbeats", a.bob, 404},
				{"unknown code's heartbeats", "GET", "/licenses/PLNOPE/heartbeats", operator, 404},
			} {
				if status, out := a.do(tc.method, tc.path, tc.token); status != tc.status {
					t.Errorf("%s: %d %v, want %d", tc.name, status, out, tc.status)
				}
			}
			_, out = a.do("GET", "/instances/"+a.key+"/licenses", a.alice)
			if l := first(out, "licenses"); l["received_at"] != t0.Format(time.RFC3339) {
				t.Fatalf("after receipt: %v", out)
			}
			if _, err := a.lic.Activate(context.Background(), market.AsSeller("m-acme"), a.code, &kgp.HeartbeatInfo{ThirdPartyAccount: "pc-1"}); err != nil {
				t.Fatal(err)
			}
			if _, err := a.lic.Heartbeat(context.Background(), market.AsSeller("m-acme"), "", []kgp.LicenseRequest{{License: a.code, HeartbeatInfo: &kgp.HeartbeatInfo{ThirdPartyAccount: "pc-2", IP: "10.0.0.2"}}}); err != nil {
				t.Fatal(err)
			}
			for _, token := range []string{a.alice, operator} {
				status, out := a.do("GET", "/licenses/"+a.code+"/heartbeats?limit=5", token)
				hbs, _ := out["heartbeats"].([]any)
				if status != 200 || len(hbs) != 2 {
					t.Fatalf("heartbeats: %d %v", status, out)
				}
			}
			_, out = a.do("GET", "/licenses/"+a.code+"/heartbeats?limit=1", a.alice)
			if hbs, _ := out["heartbeats"].([]any); len(hbs) != 1 {
				t.Fatalf("limit 1: %v", out)
			}
			_, out = a.do("GET", "/instances/"+a.key+"/licenses", a.alice)
			if l := first(out, "licenses"); l["activated_at"] != t0.Format(time.RFC3339) {
				t.Fatalf("after activation: %v", out)
			}
		})
	}
}
