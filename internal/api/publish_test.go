package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/store/storetest"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

// client calls the API as one principal.
type client struct {
	t     *testing.T
	url   string
	token string
}

func (c client) call(method, path string, body any) (int, map[string]any) {
	c.t.Helper()
	var r *bytes.Reader
	switch b := body.(type) {
	case nil:
		r = bytes.NewReader(nil)
	case string:
		r = bytes.NewReader([]byte(b))
	default:
		raw, _ := json.Marshal(b)
		r = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, c.url+path, r)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func (c client) want(status int, method, path string, body any) map[string]any {
	c.t.Helper()
	got, out := c.call(method, path, body)
	if got != status {
		c.t.Fatalf("%s %s: %d %v, want %d", method, path, got, out, status)
	}
	return out
}

// draftJSON is a release draft that passes every listing rule.
const draftJSON = `{"listing": {"name": "Acme CRM", "version": "V1.0", "summary": "CRM for small teams",
	"description": "` + "Acme CRM keeps customers, deals and follow-ups in one place for small sales teams and their managers. " +
	"Acme CRM keeps customers, deals and follow-ups in one place for small sales teams and their managers. " +
	"Acme CRM keeps customers, deals and follow-ups in one place for small sales teams and their managers. " +
	"Acme CRM keeps customers, deals and follow-ups in one place for small sales teams and their managers. " + `",
	"usage_guide": "Log in at the address in your order with the account we send you.",
	"agreement": "The merchant processes personal data only to provide the service.",
	"logo": {"format": "PNG", "width": 120, "height": 120, "bytes": 9000}, "public": true},
	"specs": [{"sku_code": "api-std", "name": "标准版", "name_en": "Standard", "charging": "PERIOD",
		"plans": [{"product_id": "OFFI-API-STD-M", "period": "month", "price": "99.000"}]}]}`

// TestPublishingOverHTTP runs the whole workflow as the consoles would: the operator creates a
// merchant's admin, the admin signs in, drafts, debugs and submits, is rejected with a reason,
// fixes, is approved, and the product appears in the storefront and its search.
func TestPublishingOverHTTP(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := marketplacetest.New(t, d, marketplacetest.Options{Start: t0})
			merchant := sdktest.NewServer(t, sdktest.Options{Key: "http-access-key-0123456789"})
			e.Merchant(marketplacetest.MerchantOpts{ID: "m-acme", ProductionURL: merchant.URL, AccessKey: merchant.Key})
			e.Merchant(marketplacetest.MerchantOpts{ID: "m-other"})
			srv := httptest.NewServer(newHandler(e))
			t.Cleanup(srv.Close)
			url := srv.URL + "/api/v1"
			op := client{t, url, operator}
			op.want(201, "POST", "/merchants/m-acme/users", map[string]string{"name": "alice", "role": "admin", "password": "correct horse 42"})
			other := client{t, url, op.want(201, "POST", "/merchants/m-other/users", map[string]string{"name": "mallory", "role": "admin"})["token"].(string)}
			// The admin signs in with its password.
			anon := client{t: t, url: url}
			if status, out := anon.call("POST", "/seller/login", map[string]string{"merchant_id": "m-acme", "name": "alice", "password": "nope nope 1"}); status != 401 {
				t.Fatalf("wrong password: %d %v", status, out)
			}
			seller := client{t, url, anon.want(200, "POST", "/seller/login", map[string]string{"merchant_id": "m-acme", "name": "alice",
				"password": "correct horse 42"})["token"].(string)}
			// A draft with an unknown field is refused with its path.
			_, out := seller.call("POST", "/seller/applications", `{"type": "RELEASE", "draft": {"listing": {"nmae": "x"}}}`)
			if e := out["error"].(map[string]any); e["field"] != "draft.listing.nmae" {
				t.Fatalf("unknown field: %v", out)
			}
			app := seller.want(201, "POST", "/seller/applications", `{"type": "RELEASE", "product_id": "p-api", "draft": `+
				strings.Replace(draftJSON, `"version": "V1.0"`, `"version": "first"`, 1)+`}`)
			id := app["id"].(string)
			seller.want(202, "POST", "/seller/products/p-api/debug", nil)
			e.Settle()
			runs := seller.want(200, "GET", "/seller/products/p-api/debug?kind=DEBUG", nil)
			if first(runs, "runs")["state"] != "PASSED" {
				t.Fatalf("debug runs %v", runs)
			}
			run := op.want(200, "GET", "/debug-runs/"+first(runs, "runs")["id"].(string), nil)
			if cases, _ := run["cases"].([]any); len(cases) != 4 {
				t.Fatalf("the operator reads the run: %v", run)
			}
			other.want(404, "GET", "/seller/debug-runs/"+run["id"].(string), nil)
			// Every broken rule comes back at once, with field and rule.
			out = seller.want(400, "POST", "/seller/applications/"+id+"/submit", nil)
			details := out["error"].(map[string]any)["details"].([]any)
			if len(details) != 1 || details[0].(map[string]any)["rule"] != "version.format" || details[0].(map[string]any)["field"] != "listing.version" {
				t.Fatalf("details %v", details)
			}
			seller.want(200, "PUT", "/seller/applications/"+id, `{"draft": `+draftJSON+`}`)
			seller.want(200, "POST", "/seller/applications/"+id+"/submit", nil)
			// The operator's queue; a rejection needs a reason.
			queue := op.want(200, "GET", "/applications?state=PENDING_APPROVAL", nil)
			if first(queue, "applications")["id"] != id {
				t.Fatalf("queue %v", queue)
			}
			op.want(400, "POST", "/applications/"+id+"/reject", map[string]string{"reason": ""})
			seller.want(403, "POST", "/applications/"+id+"/approve", nil)
			op.want(200, "POST", "/applications/"+id+"/reject", map[string]string{"reason": "add a usage guide with screenshots"})
			got := seller.want(200, "GET", "/seller/applications/"+id, nil)
			if got["state"] != "REJECTED" || got["comment"] != "add a usage guide with screenshots" || len(got["transitions"].([]any)) != 3 {
				t.Fatalf("rejected application %v", got)
			}
			seller.want(200, "POST", "/seller/applications/"+id+"/submit", nil)
			op.want(200, "POST", "/applications/"+id+"/approve", nil)
			// The storefront lists it, finds it by a word of its name, and not by another.
			buyer := client{t, url, ""}
			_, tok, err := e.Identity.CreateBuyer(e.Ctx, market.AsOperator(), identity.BuyerRequest{Name: "carol"})
			if err != nil {
				t.Fatal(err)
			}
			buyer.token = tok
			if first(buyer.want(200, "GET", "/catalog?q=crm", nil), "plans")["product_id"] != "OFFI-API-STD-M" {
				t.Fatal("search for crm")
			}
			if plans := buyer.want(200, "GET", "/catalog?q=invoicing", nil)["plans"].([]any); len(plans) != 0 {
				t.Fatalf("search for invoicing found %v", plans)
			}
			buyer.want(400, "GET", "/catalog?charging=DAILY", nil)
			// Another merchant's seller is told nothing exists; buyers stay off seller routes.
			other.want(404, "GET", "/seller/applications/"+id, nil)
			other.want(404, "POST", "/seller/products/p-api/removal", map[string]string{"reason": "mine"})
			other.want(404, "GET", "/seller/products/p-api", nil)
			buyer.want(403, "GET", "/seller/applications", nil)
			// The seller hides its product: reviewed, then gone from the storefront, still linked.
			hidden := seller.want(201, "POST", "/seller/products/p-api/visibility", map[string]any{"public": false})
			op.want(200, "POST", "/applications/"+hidden["id"].(string)+"/approve", nil)
			if plans := buyer.want(200, "GET", "/catalog", nil)["plans"].([]any); len(plans) != 0 {
				t.Fatalf("hidden product listed: %v", plans)
			}
			if p := buyer.want(200, "GET", "/products/p-api", nil); p["id"] != "p-api" {
				t.Fatalf("link %v", p)
			}
			detail := seller.want(200, "GET", "/seller/products/p-api", nil)
			if detail["status"] != "ON_SALE_HIDDEN" || detail["listing"].(map[string]any)["version"] != "V1.0" {
				t.Fatalf("seller's product %v", detail)
			}
			msgs := seller.want(200, "GET", "/seller/notifications?unread=true", nil)["notifications"].([]any)
			if len(msgs) < 5 {
				t.Fatalf("%d messages", len(msgs))
			}
			seller.want(204, "POST", "/seller/notifications/"+msgs[0].(map[string]any)["id"].(string)+"/read", nil)
			other.want(404, "POST", "/seller/notifications/"+msgs[1].(map[string]any)["id"].(string)+"/read", nil)
		})
	}
}
