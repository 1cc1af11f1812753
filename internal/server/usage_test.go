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

// signedPost sends a usage push as a merchant SDK does: APIG over the canonical body, plus the
// body signature (new push) with the access key.
func (c *client) signedPost(path, ak, sk, accessKey string, body []byte) (int, kgp.ErrorResponse) {
	c.t.Helper()
	u, _ := url.Parse(c.base + path)
	req, _ := http.NewRequest(http.MethodPost, u.String(), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(kgp.HeaderSdkDate, kgp.FormatSdkDate(time.Now()))
	if accessKey != "" {
		ts, nonce := kgp.FormatEpochMillis(time.Now()), market.NewUUID()
		sig, err := kgp.SignUsage(accessKey, ts, nonce, body)
		if err != nil {
			c.t.Fatal(err)
		}
		req.Header.Set("signature", sig)
		req.Header.Set("ts", ts)
		req.Header.Set("nonce", nonce)
	}
	authz, err := kgp.SignAPIG(ak, sk, &kgp.APIGRequest{Method: "POST", URL: u, Host: u.Host, Header: req.Header, Body: body}, "content-type", "host")
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", authz)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out kgp.ErrorResponse
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func usageBody(t *testing.T, recs ...kgp.UsageRecord) []byte {
	b, err := json.Marshal(kgp.UsagePush{UsageRecords: recs})
	if err != nil {
		t.Fatal(err)
	}
	canon, err := kgp.CanonicalJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	return canon
}

func TestUsagePushOverHTTP(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			start := time.Now().UTC().Truncate(time.Hour).Add(-2 * time.Hour)
			clock := market.NewFakeClock(start)
			s, err := server.New(ctx, server.Config{DB: storetest.DSN(t, d), KeyFile: filepath.Join(t.TempDir(), "mercato.key"), Site: "cn", CallWorkers: 2, AllowInsecureMerchants: true,
				OperatorToken: testOperatorToken, Clock: clock, Out: io.Discard, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			s.Start(ctx)
			t.Cleanup(func() { s.Queue.Stop(context.Background()) })
			srv := httptest.NewServer(s.Handler)
			t.Cleanup(srv.Close)
			c := &client{t: t, base: srv.URL}
			fm := sdktest.NewServer(t, sdktest.Options{Key: "usage-merchant-key-01"})
			_, m := c.do("POST", "/api/v1/merchants", testOperatorToken, map[string]any{"name": "Acme", "production_url": fm.URL, "access_key": fm.Key})
			merchantID, ak, sk := str(m["merchant"].(map[string]any)["id"]), str(m["ak"]), str(m["sk"])
			c.do("POST", "/api/v1/products", testOperatorToken, map[string]any{"merchant_id": merchantID, "name": "API",
				"specs": []any{map[string]any{"sku_code": "api", "name": "Calls", "charging": "ON_DEMAND",
					"plans": []any{map[string]any{"product_id": "OFFIAPI", "price": "0.01", "pricing": "FIXED", "cycle": "HOURLY"}}}}})
			_, b := c.do("POST", "/api/v1/buyers", testOperatorToken, map[string]any{"name": "Ada"})
			_, o := c.do("POST", "/api/v1/orders", str(b["token"]), map[string]any{"items": []any{map[string]any{"product_id": "OFFIAPI"}}})
			settle(t, s, clock)
			key := str(o["lines"].([]any)[0].(map[string]any)["id"])
			_, in := c.do("GET", "/api/v1/instances/"+key, testOperatorToken, nil)
			id := str(in["instance_id"])
			clock.Set(start.Add(90 * time.Minute))
			window := func(sn, value string) kgp.UsageRecord {
				b, e := kgp.FormatSdkDate(start), kgp.FormatSdkDate(start.Add(time.Hour))
				return kgp.UsageRecord{InstanceID: id, MeteringSN: sn, RecordTime: e, BeginTime: b, EndTime: e, UsageValue: kgp.Decimal(value)}
			}
			const path = "/api/mkp-openapi-public/global/v1/isv/usage-data"
			body := usageBody(t, window("sn-1", "99"))
			if code, r := c.signedPost(path, ak, sk, fm.Key, body); code != 200 || r.ErrorCode != kgp.MKTSuccess {
				t.Fatalf("push: %d %+v", code, r)
			}
			if code, r := c.signedPost(path, ak, sk, fm.Key, body); code != 200 || r.ErrorCode != kgp.MKTSuccess {
				t.Fatalf("repeat: %d %+v", code, r)
			}
			if code, r := c.signedPost(path, ak, sk, "wrong-key", usageBody(t, window("sn-2", "1"))); code != 400 || r.ErrorCode != kgp.MKTInvalidBodySign {
				t.Fatalf("bad body signature: %d %+v", code, r)
			}
			if code, r := c.signedPost(path, ak, sk, "", usageBody(t, window("sn-3", "1"))); code != 400 || r.ErrorCode != kgp.MKTInvalidBodySign {
				t.Fatalf("no body signature: %d %+v", code, r)
			}
			if code, r := c.signedPost(path, ak, sk+"x", fm.Key, usageBody(t, window("sn-4", "1"))); code != 401 || r.ErrorCode != kgp.MKTIllegalToken {
				t.Fatalf("bad AK/SK: %d %+v", code, r)
			}
			many := make([]kgp.UsageRecord, 1001)
			for i := range many {
				many[i] = window("m", "1")
			}
			if code, r := c.signedPost(path, ak, sk, fm.Key, usageBody(t, many...)); code != 500 || r.ErrorCode != kgp.MKTTooManyRecords {
				t.Fatalf("1001 records: %d %+v", code, r)
			}
			unknown := window("sn-5", "1")
			unknown.InstanceID = "nope"
			if code, r := c.signedPost(path, ak, sk, fm.Key, usageBody(t, unknown)); code != 500 || r.ErrorCode != kgp.MKTNoInstance || len(r.AbnormalUsageData) != 1 {
				t.Fatalf("unknown instance: %d %+v", code, r)
			}
			// The old push: APIG only, product_id instead of metering_sn.
			old := window("", "1")
			old.ProductID = "OFFIAPI"
			old.BeginTime = kgp.FormatSdkDate(start.Add(10 * time.Minute))
			if code, r := c.signedPost("/rest/marketplace/v1/isv/usage-data", ak, sk, "", usageBody(t, old)); code != 200 || r.ErrorCode != kgp.MKTSuccess {
				t.Fatalf("old push: %d %+v", code, r)
			}
			clock.Set(start.Add(2*time.Hour + 17*time.Minute))
			if err := s.Tick(ctx); err != nil {
				t.Fatal(err)
			}
			settle(t, s, clock)
			_, usage := c.do("GET", "/api/v1/instances/"+key+"/usage", testOperatorToken, nil)
			hours := usage["hours"].([]any)
			if len(hours) != 1 || str(hours[0].(map[string]any)["quantity"]) != "100.0000" {
				t.Fatalf("usage %v", usage)
			}
			_, bills := c.do("GET", "/api/v1/bills", str(b["token"]), nil)
			list := bills["bills"].([]any)
			if len(list) != 1 || str(list[0].(map[string]any)["amount"]) != "1.000" {
				t.Fatalf("bills %v", bills)
			}
			if _, acct := c.do("GET", "/api/v1/account", str(b["token"]), nil); str(acct["balance"]) != "-1.000" {
				t.Fatalf("account %v", acct)
			}
			if code, acct := c.do("POST", "/api/v1/buyers/"+str(b["customer_id"])+"/topup", testOperatorToken, map[string]any{"amount": "5", "ref": "p1"}); code != 200 || str(acct["balance"]) != "4.000" {
				t.Fatalf("top-up: %d %v", code, acct)
			}
			if !strings.HasPrefix(str(list[0].(map[string]any)["id"]), "BL") {
				t.Fatal("bill id")
			}
		})
	}
}
