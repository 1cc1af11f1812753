package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/server"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

// TestHostileInputSameOnBothEngines sends NUL bytes, invalid UTF-8, overflowing amounts and
// duplicate keys to every edge, on SQLite and on PostgreSQL: each is refused with the documented
// 4xx (never a 500), the two engines answer alike, and the good record of a usage batch with
// one bad record is kept on both.
func TestHostileInputSameOnBothEngines(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	answers := map[store.Dialect]map[string]string{}
	t.Run("engines", func(t *testing.T) {
		for _, d := range storetest.Dialects {
			t.Run(string(d), func(t *testing.T) {
				t.Parallel()
				got := hostile(t, d)
				mu.Lock()
				answers[d] = got
				mu.Unlock()
			})
		}
	})
	if t.Failed() {
		return
	}
	sqlite, pg := answers[store.SQLite], answers[store.Postgres]
	names := make([]string, 0, len(sqlite))
	for n := range sqlite {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if sqlite[n] != pg[n] {
			t.Errorf("%s: SQLite answered %s, PostgreSQL %s", n, sqlite[n], pg[n])
		}
	}
}

// hostile runs the hostile requests against a fresh marketplace on d and returns each answer as
// "status code".
func hostile(t *testing.T, d store.Dialect) map[string]string {
	ctx := context.Background()
	start := time.Now().UTC().Truncate(time.Hour).Add(-2 * time.Hour)
	clock := market.NewFakeClock(start)
	s, err := server.New(ctx, server.Config{DB: storetest.DSN(t, d), KeyFile: filepath.Join(t.TempDir(), "mercato.key"), Site: "cn", CallWorkers: 2,
		AllowInsecureMerchants: true, OperatorToken: testOperatorToken, Clock: clock, Out: io.Discard, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
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
	fm := sdktest.NewServer(t, sdktest.Options{Key: "hostile-merchant-key-01"})
	code, m := c.do("POST", "/api/v1/merchants", testOperatorToken, map[string]any{"name": "Acme", "production_url": fm.URL, "access_key": fm.Key,
		"ak": "HOSTILEAK0000000001"})
	if code != 201 {
		t.Fatalf("merchant: %d %v", code, m)
	}
	merchantID, ak, sk := str(m["merchant"].(map[string]any)["id"]), str(m["ak"]), str(m["sk"])
	c.do("POST", "/api/v1/products", testOperatorToken, map[string]any{"merchant_id": merchantID, "name": "API",
		"specs": []any{map[string]any{"sku_code": "api", "name": "Calls", "charging": "ON_DEMAND",
			"plans": []any{map[string]any{"product_id": "OFFIAPI", "price": "0.01", "pricing": "FIXED", "cycle": "HOURLY"}}}}})
	_, b := c.do("POST", "/api/v1/buyers", testOperatorToken, map[string]any{"name": "Ada"})
	buyer, buyerID := str(b["token"]), str(b["customer_id"])
	_, o := c.do("POST", "/api/v1/orders", buyer, map[string]any{"items": []any{map[string]any{"product_id": "OFFIAPI"}}})
	settle(t, s, clock)
	key := str(o["lines"].([]any)[0].(map[string]any)["id"])
	_, in := c.do("GET", "/api/v1/instances/"+key, testOperatorToken, nil)
	instanceID := str(in["instance_id"])
	if instanceID == "" {
		t.Fatalf("instance not provisioned: %v", in)
	}
	clock.Set(start.Add(90 * time.Minute))

	got := map[string]string{}
	record := func(name string, status int, code string) {
		got[name] = fmt.Sprintf("%d %s", status, code)
		if status < 400 {
			t.Errorf("%s: accepted (%d)", name, status)
		}
		// The open API answers its documented MKT codes with HTTP 500 too; only an internal
		// error is a failure.
		if status >= 500 && (code == "" || code == string(kgp.MKTInternal) || code == "internal") {
			t.Errorf("%s: %d %s", name, status, code)
		}
	}
	api := func(name, method, path string, body any, hdr ...string) {
		status, out := c.do(method, path, testOperatorToken, body, hdr...)
		e, _ := out["error"].(map[string]any)
		record(name, status, str(e["code"]))
	}
	raw := func(name, method, path, body string) {
		req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+buyer)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		record(name, resp.StatusCode, "")
	}
	raw("order with NUL in product_id", "POST", "/api/v1/orders", `{"items":[{"product_id":"OFFIAPI\u0000"}]}`)
	raw("order with duplicate keys", "POST", "/api/v1/orders", `{"items":[{"product_id":"OFFIAPI","product_id":"OFFIAPI"}]}`)
	status, out := c.do("POST", "/api/v1/orders", buyer, map[string]any{"items": []any{map[string]any{"product_id": "OFFIAPI"}}}, "Idempotency-Key", "\xff\xfe")
	record("idempotency key not UTF-8", status, str(out["error"].(map[string]any)["code"]))
	for _, p := range []string{"/api/v1/merchants/%00", "/api/v1/calls/%FF", "/api/v1/buyers/%00/account", "/api/v1/licenses/%FF/heartbeats",
		"/api/v1/instances/%00/usage", "/api/v1/orders/%00", "/api/v1/buyers/nosuchbuyer000/account"} {
		api("GET "+p, "GET", p, nil)
	}
	api("buyer name with NUL", "POST", "/api/v1/buyers", map[string]any{"name": "x\x00y"})
	api("buyer name with CR/LF", "POST", "/api/v1/buyers", map[string]any{"name": "x\r\ny"})
	api("merchant id with a path", "POST", "/api/v1/merchants", map[string]any{"id": "../../etc/passwd", "name": "x", "production_url": fm.URL})
	api("merchant with a taken ak", "POST", "/api/v1/merchants", map[string]any{"name": "y", "production_url": fm.URL, "ak": "HOSTILEAK0000000001"})
	// The largest balance is 100 of the largest amounts: the 101st top-up would pass it.
	for i := range int(market.MaxBalance/market.MaxAmount) + 1 {
		status, out := c.do("POST", "/api/v1/buyers/"+buyerID+"/topup", testOperatorToken, map[string]any{"amount": market.MaxAmount.String(), "ref": fmt.Sprint("t", i)})
		if status != 200 {
			e, _ := out["error"].(map[string]any)
			record(fmt.Sprintf("top-up %d of the largest amount", i+1), status, str(e["code"]))
			break
		}
	}
	api("top-up with more decimals than money has", "POST", "/api/v1/buyers/"+buyerID+"/topup", map[string]any{"amount": "1.2345", "ref": "c"})

	status, q := c.signedGet("/api/mkp-openapi-public/global/v1/order/query?orderId=%00", ak, sk)
	record("order query with NUL", status, str(q["resultCode"]))
	window := func(sn, id, value string) kgp.UsageRecord {
		b, e := kgp.FormatSdkDate(start), kgp.FormatSdkDate(start.Add(time.Hour))
		return kgp.UsageRecord{InstanceID: id, MeteringSN: sn, RecordTime: e, BeginTime: b, EndTime: e, UsageValue: kgp.Decimal(value)}
	}
	const usage = "/api/mkp-openapi-public/global/v1/isv/usage-data"
	status, r := c.signedPost(usage, ak, sk, fm.Key, usageBody(t, window("good-1", instanceID, "5"), window("bad-1", "x\x00", "1")))
	record("usage batch with a NUL instance_id", status, string(r.ErrorCode))
	status, r = c.signedPost(usage, ak, sk, fm.Key, usageBody(t, window("huge-1", instanceID, "922337203685477.5807")))
	record("usage value past the protocol's limit", status, string(r.ErrorCode))
	// The good record of the batch is kept, alone.
	_, u := c.do("GET", "/api/v1/instances/"+key+"/usage", testOperatorToken, nil)
	hours, _ := u["hours"].([]any)
	var kept []string
	for _, h := range hours {
		h := h.(map[string]any)
		kept = append(kept, fmt.Sprint(h["quantity"], " in ", h["records"]))
	}
	got["usage kept"] = strings.Join(kept, ", ")
	if got["usage kept"] != "5.0000 in 1" {
		t.Errorf("usage kept: %v", u)
	}
	for _, n := range slices.Sorted(maps.Keys(got)) {
		t.Logf("%-45s %s", n, got[n])
	}
	return got
}
