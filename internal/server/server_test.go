package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/server"
	"github.com/mercato-oss/mercato/internal/store/storetest"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

// client is a tiny JSON client for the marketplace under test.
type client struct {
	t    *testing.T
	base string
}

func (c *client) do(method, path, token string, body any, hdr ...string) (int, map[string]any) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
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

// signedGet calls the open API with APIG AK/SK signing, as a merchant SDK does.
func (c *client) signedGet(path, ak, sk string) (int, map[string]any) {
	c.t.Helper()
	u, _ := url.Parse(c.base + path)
	req, _ := http.NewRequest(http.MethodGet, u.String(), nil)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(kgp.HeaderSdkDate, kgp.FormatSdkDate(time.Now()))
	authz, err := kgp.SignAPIG(ak, sk, &kgp.APIGRequest{Method: "GET", URL: u, Host: u.Host, Header: req.Header}, "content-type", "host")
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", authz)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func str(v any) string { s, _ := v.(string); return s }

func TestAPIAndOpenAPI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			clock := market.NewFakeClock(time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC))
			s, err := server.New(ctx, server.Config{DB: storetest.DSN(t, d), KeyFile: filepath.Join(t.TempDir(), "mercato.key"), Site: "cn", RetentionDays: 15, CallWorkers: 4,
				AllowInsecureMerchants: true, OperatorToken: testOperatorToken, Clock: clock, Out: io.Discard,
				Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			if err := s.Start(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Queue.Stop(context.Background()) })
			srv := httptest.NewServer(s.Handler)
			t.Cleanup(srv.Close)
			c := &client{t: t, base: srv.URL}
			fm := sdktest.NewServer(t, sdktest.Options{Key: "merchant-key-0001"})

			// Operator: merchant, product, buyer.
			code, m := c.do("POST", "/api/v1/merchants", testOperatorToken, map[string]any{"name": "Acme", "production_url": fm.URL, "access_key": fm.Key})
			if code != 201 {
				t.Fatalf("create merchant: %d %v", code, m)
			}
			merchantID, ak, sk := str(m["merchant"].(map[string]any)["id"]), str(m["ak"]), str(m["sk"])
			code, p := c.do("POST", "/api/v1/products", testOperatorToken, map[string]any{"merchant_id": merchantID, "name": "CRM",
				"specs": []any{map[string]any{"sku_code": "crm-std", "name": "Standard", "charging": "PERIOD", "trial_days": 7,
					"plans": []any{map[string]any{"product_id": "OFFICRMSTDM", "period": "month", "price": "99.9"}}}}})
			if code != 201 {
				t.Fatalf("create product: %d %v", code, p)
			}
			code, b := c.do("POST", "/api/v1/buyers", testOperatorToken, map[string]any{"name": "Ada", "email": "ada@example.com"})
			if code != 201 {
				t.Fatalf("create buyer: %d %v", code, b)
			}
			buyer := str(b["token"])
			if code, _ := c.do("POST", "/api/v1/buyers/"+str(b["customer_id"])+"/topup", testOperatorToken, map[string]any{"amount": "100000", "ref": "t"}); code != 200 {
				t.Fatalf("top up: %d", code)
			}
			_, other := c.do("POST", "/api/v1/buyers", testOperatorToken, map[string]any{"name": "Bob"})

			// Validation errors say what is wrong and store nothing.
			for _, bad := range []map[string]any{
				{"name": "x", "production_url": "http://[::1"},
				{"name": "", "production_url": fm.URL},
				{"name": "x", "production_url": fm.URL, "generation": 3},
				{"name": "x", "production_url": fm.URL, "surprise": true},
			} {
				if code, e := c.do("POST", "/api/v1/merchants", testOperatorToken, bad); code != 400 || e["error"] == nil {
					t.Errorf("%v: %d %v", bad, code, e)
				}
			}
			if code, _ := c.do("POST", "/api/v1/merchants", buyer, map[string]any{"name": "x"}); code != 403 {
				t.Errorf("buyer created a merchant: %d", code)
			}
			if code, _ := c.do("GET", "/api/v1/sandbox/clock", testOperatorToken, nil); code != 404 {
				t.Errorf("a test clock outside the sandbox: %d", code)
			}
			if code, _ := c.do("GET", "/api/v1/catalog", "nope", nil); code != 401 {
				t.Errorf("unknown token: %d", code)
			}

			// Buyer: an order, retried with the same idempotency key.
			var orderID string
			for range 3 {
				code, o := c.do("POST", "/api/v1/orders", buyer, map[string]any{"items": []any{map[string]any{"product_id": "OFFICRMSTDM", "period_number": 2}}},
					"Idempotency-Key", "k-1")
				if code != 201 || (orderID != "" && str(o["id"]) != orderID) || str(o["amount"]) != "199.800" {
					t.Fatalf("order: %d %v", code, o)
				}
				orderID = str(o["id"])
			}
			settle(t, s, clock)
			code, o := c.do("GET", "/api/v1/orders/"+orderID, buyer, nil)
			if code != 200 || str(o["status"]) != "COMPLETED" {
				t.Fatalf("order: %d %v", code, o)
			}
			if code, _ := c.do("GET", "/api/v1/orders/"+orderID, str(other["token"]), nil); code != 404 {
				t.Fatalf("another buyer sees the order: %d", code)
			}
			key := str(o["lines"].([]any)[0].(map[string]any)["id"])
			_, in := c.do("GET", "/api/v1/instances/"+key, buyer, nil)
			app, _ := in["app_info"].(map[string]any)
			if str(in["state"]) != "ACTIVE" || str(app["user_name"]) != "admin-"+str(in["instance_id"]) {
				t.Fatalf("instance %v", in)
			}

			// Open API: the merchant's AK reads its order in KooGallery's format.
			code, q := c.signedGet("/api/mkp-openapi-public/global/v1/order/query?orderId="+orderID+"&orderLineId="+key, ak, sk)
			info, _ := q["orderInfo"].(map[string]any)
			if code != 200 || str(q["resultCode"]) != "MKT.0000" || str(info["orderType"]) != "NEW" {
				t.Fatalf("order query: %d %v", code, q)
			}
			line := info["orderLine"].([]any)[0].(map[string]any)
			if str(line["chargingMode"]) != "PERIOD" || str(line["expireTime"]) != "20270129080000" || info["buyerInfo"].(map[string]any)["email"] != "ada@example.com" {
				t.Fatalf("order line %v", line)
			}
			// Mock orders answer for any merchant.
			if code, q := c.signedGet("/api/mkp-openapi-public/global/v1/order/query?orderId=MOCKPERIODYEARNEW", ak, sk); code != 200 || str(q["resultCode"]) != "MKT.0000" {
				t.Fatalf("mock order: %d %v", code, q)
			}
			// Another merchant's AK does not see it; a bad signature is refused.
			_, m2 := c.do("POST", "/api/v1/merchants", testOperatorToken, map[string]any{"name": "Other", "production_url": fm.URL})
			if code, q := c.signedGet("/api/mkp-openapi-public/global/v1/order/query?orderId="+orderID, str(m2["ak"]), str(m2["sk"])); code != 401 || str(q["resultCode"]) != "MKT.0150" {
				t.Fatalf("other merchant: %d %v", code, q)
			}
			if code, q := c.signedGet("/api/mkp-openapi-public/global/v1/order/query?orderId="+orderID, ak, sk+"x"); code != 401 || str(q["resultCode"]) != "MKT.0154" {
				t.Fatalf("bad signature: %d %v", code, q)
			}
			if code, q := c.signedGet("/api/mkp-openapi-public/global/v1/order/query", ak, sk); code != 400 || str(q["resultCode"]) != "MKT.0101" {
				t.Fatalf("missing orderId: %d %v", code, q)
			}

			// Interface messages: listed per merchant with their attempts.
			code, calls := c.do("GET", "/api/v1/calls?merchant_id="+merchantID, testOperatorToken, nil)
			list, _ := calls["calls"].([]any)
			if code != 200 || len(list) != 2 {
				t.Fatalf("calls: %d %v", code, calls)
			}
			id := str(list[len(list)-1].(map[string]any)["id"])
			_, call := c.do("GET", "/api/v1/calls/"+id, testOperatorToken, nil)
			hist, _ := call["history"].([]any)
			if len(hist) != 1 || !strings.Contains(str(hist[0].(map[string]any)["url"]), "signature=") {
				t.Fatalf("call %v", call)
			}
			if code, _ := c.do("POST", "/api/v1/calls/"+id+"/restart", testOperatorToken, nil); code != 409 {
				t.Fatalf("restart of a succeeded call: %d", code)
			}

			// Renew and upgrade through the API.
			if code, r := c.do("POST", "/api/v1/instances/"+key+"/renew", buyer, map[string]any{"period_number": 1}); code != 201 || str(r["type"]) != "RENEW" {
				t.Fatalf("renew: %d %v", code, r)
			}
			settle(t, s, clock)
			_, in = c.do("GET", "/api/v1/instances/"+key, buyer, nil)
			if str(in["expire_at"]) != "2027-02-28T08:00:00Z" {
				t.Fatalf("renewed instance %v", in)
			}
		})
	}
}

// settle waits until every due job has run.
func settle(t *testing.T, s *server.Server, clock *market.FakeClock) {
	t.Helper()
	if err := s.DB.Settle(context.Background(), clock.Now, 20*time.Second); err != nil {
		t.Fatal(err)
	}
}
