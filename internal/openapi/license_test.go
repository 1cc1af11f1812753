package openapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/license"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/openapi"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
	"github.com/mercato-oss/mercato/kgp"
)

var t0 = time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)

// licenseSite is the open API over a real database, with two merchants' license products and
// a buyer who bought licenses of both.
type licenseSite struct {
	t        *testing.T
	ctx      context.Context
	db       *store.DB
	lic      *license.Service
	orders   *order.Service
	url      string
	buyer    string
	key      *market.APIKey // merchant m-acme's AK/SK
	received string         // m-acme's code, received by the buyer
	fresh    string         // m-acme's code, not received
	released string         // m-acme's code of an unsubscribed instance
	others   string         // m-other's code, received
}

func newLicenseSite(t *testing.T, d store.Dialect) *licenseSite {
	t.Helper()
	e := marketplacetest.New(t, d, marketplacetest.Options{Start: t0})
	s := &licenseSite{t: t, ctx: e.Ctx, db: e.DB, lic: e.Licenses, orders: e.Orders, buyer: e.Buyer().BuyerID}
	for _, m := range []string{"m-acme", "m-other"} {
		nm := e.Merchant(marketplacetest.MerchantOpts{ID: m, Name: m, ProductionURL: "https://" + m + ".example/p", AccessKey: "access-key-of-" + m})
		if m == "m-acme" {
			s.key = nm.Key
		}
		e.Product("p-"+m, m, catalog.SpecRequest{SkuCode: "seat-" + m, Name: "Seat", Charging: market.ChargingPeriod, Delivery: market.DeliveryLicense,
			Plans: []catalog.PlanRequest{{ProductID: "OFFI-" + m, Period: market.PeriodMonth, Price: 1000}}})
	}
	s.received, s.fresh, s.released = s.buy("OFFI-m-acme", true), s.buy("OFFI-m-acme", false), s.buy("OFFI-m-acme", true)
	s.others = s.buy("OFFI-m-other", true)
	l, _ := s.db.License(s.ctx, s.released)
	if _, err := s.orders.Release(s.ctx, market.AsOperator(), l.InstanceKey, "released by the operator"); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	(&openapi.Handler{Clock: e.Clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Catalog: e.Catalog, Orders: e.Orders,
		Usage: e.Metering, Licenses: e.Licenses}).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

func (s *licenseSite) buy(productID string, receive bool) string {
	s.t.Helper()
	o, err := s.orders.Purchase(s.ctx, market.AsBuyer(s.buyer), order.PurchaseRequest{Items: []order.Item{{ProductID: productID, PeriodNumber: 1}}})
	if err != nil {
		s.t.Fatal(err)
	}
	ls, err := s.lic.Licenses(s.ctx, market.AsOperator(), o.Lines[0].ID)
	if err != nil {
		s.t.Fatal(err)
	}
	if receive {
		if _, err := s.lic.Receive(s.ctx, market.AsBuyer(s.buyer), o.Lines[0].ID); err != nil {
			s.t.Fatal(err)
		}
	}
	return ls[0].Code
}

// call sends a request signed with sk ("" for none) and decodes the JSON answer.
func (s *licenseSite) call(method, path, body, sk string) (int, map[string]any) {
	s.t.Helper()
	return s.signed(method, path, body, sk)()
}

// signed signs a request once and returns a function that sends it, byte for byte, as often as
// it is called: a replay.
func (s *licenseSite) signed(method, path, body, sk string) func() (int, map[string]any) {
	s.t.Helper()
	u, _ := url.Parse(s.url + path)
	req, _ := http.NewRequest(method, u.String(), strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(kgp.HeaderSdkDate, kgp.FormatSdkDate(time.Now()))
	if sk != "" {
		authz, err := kgp.SignAPIG(s.key.AK, sk, &kgp.APIGRequest{Method: method, URL: u, Host: u.Host, Header: req.Header, Body: []byte(body)}, "content-type", "host")
		if err != nil {
			s.t.Fatal(err)
		}
		req.Header.Set("Authorization", authz)
	}
	return func() (int, map[string]any) {
		again := req.Clone(context.Background())
		again.Body = io.NopCloser(strings.NewReader(body))
		resp, err := http.DefaultClient.Do(again)
		if err != nil {
			s.t.Error(err)
			return 0, nil
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			s.t.Errorf("%s %s: answer is not JSON: %v", method, path, err)
		}
		return resp.StatusCode, out
	}
}

func lic(code string) string { return `{"license":"` + code + `"}` }

func TestLicenseErrorCodes(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newLicenseSite(t, d)
			big := `{"license":"` + s.received + `","heartbeatInfo":{"thirdPartyAccount":"` + strings.Repeat("x", openapi.MaxLicenseBody) + `"}}`
			many := `{"licenses":[` + strings.Repeat(lic(s.received)+",", kgp.MaxLicenseBatch) + lic(s.received) + `]}`
			for _, tc := range []struct {
				name, method, path, body string
				sk                       string // "" unsigned; "bad" a wrong secret
				status                   int
				code                     kgp.ErrorCode
			}{
				{"activate", "POST", kgp.PathLicenseActivate, lic(s.received), "ok", 200, kgp.LicenseSuccess},
				{"activate again", "POST", kgp.PathLicenseActivate, lic(s.received), "ok", 200, kgp.LicenseSuccess},
				{"activate not received", "POST", kgp.PathLicenseActivate, lic(s.fresh), "ok", 200, kgp.LicenseNotReceived},
				{"activate unknown", "POST", kgp.PathLicenseActivate, lic("PLNOSUCHCODE"), "ok", 200, kgp.LicenseNotFound},
				{"activate another merchant's", "POST", kgp.PathLicenseActivate, lic(s.others), "ok", 200, kgp.LicenseNotFound},
				{"activate released", "POST", kgp.PathLicenseActivate, lic(s.released), "ok", 200, kgp.LicenseNotFound},
				{"activate without license", "POST", kgp.PathLicenseActivate, `{}`, "ok", 400, kgp.LicenseInvalidParam},
				{"activate license too long", "POST", kgp.PathLicenseActivate, lic(strings.Repeat("P", 65)), "ok", 400, kgp.LicenseInvalidParam},
				{"activate heartbeatInfo without account", "POST", kgp.PathLicenseActivate, `{"license":"` + s.received + `","heartbeatInfo":{"ip":"1.2.3.4"}}`, "ok", 400, kgp.LicenseInvalidParam},
				{"activate not JSON", "POST", kgp.PathLicenseActivate, `license=x`, "ok", 400, kgp.LicenseInvalidParam},
				{"activate body too large", "POST", kgp.PathLicenseActivate, big, "ok", 400, kgp.LicenseInvalidParam},
				{"activate unsigned", "POST", kgp.PathLicenseActivate, lic(s.received), "", 403, kgp.LicenseUnauthorized},
				{"activate wrong secret", "POST", kgp.PathLicenseActivate, lic(s.received), "bad", 403, kgp.LicenseUnauthorized},
				{"heartbeat", "POST", kgp.PathLicenseHeartbeat, `{"license":"` + s.received + `","heartbeatInfo":{"thirdPartyAccount":"myaccount1","ip":"192.168.1.51"}}`, "ok", 200, kgp.LicenseSuccess},
				{"heartbeat not received", "POST", kgp.PathLicenseHeartbeat, lic(s.fresh), "ok", 200, kgp.LicenseSuccess},
				{"heartbeat released", "POST", kgp.PathLicenseHeartbeat, lic(s.released), "ok", 200, kgp.LicenseSuccess},
				{"heartbeat unknown", "POST", kgp.PathLicenseHeartbeat, lic("PLNOSUCHCODE"), "ok", 200, kgp.LicenseNotFound},
				{"heartbeat another merchant's", "POST", kgp.PathLicenseHeartbeat, lic(s.others), "ok", 200, kgp.LicenseNotFound},
				{"heartbeat bad input", "POST", kgp.PathLicenseHeartbeat, `{"license":7}`, "ok", 400, kgp.LicenseInvalidParam},
				{"heartbeat wrong secret", "POST", kgp.PathLicenseHeartbeat, lic(s.received), "bad", 403, kgp.LicenseUnauthorized},
				{"batch", "POST", kgp.PathLicenseBatch, `{"licenses":[` + lic(s.received) + `,` + lic("PLNOSUCHCODE") + `]}`, "ok", 200, kgp.LicenseSuccess},
				{"batch empty", "POST", kgp.PathLicenseBatch, `{"licenses":[]}`, "ok", 400, kgp.LicenseInvalidParam},
				{"batch too many", "POST", kgp.PathLicenseBatch, many, "ok", 400, kgp.LicenseInvalidParam},
				{"batch bad entry", "POST", kgp.PathLicenseBatch, `{"licenses":[{"license":""}]}`, "ok", 400, kgp.LicenseInvalidParam},
				{"batch unsigned", "POST", kgp.PathLicenseBatch, `{"licenses":[` + lic(s.received) + `]}`, "", 403, kgp.LicenseUnauthorized},
				{"list", "GET", openapi.PathLicenseHeartbeats + "?license=" + s.received + "&limit=10", "", "ok", 200, kgp.LicenseSuccess},
				{"list another merchant's", "GET", openapi.PathLicenseHeartbeats + "?license=" + s.others, "", "ok", 200, kgp.LicenseNotFound},
				{"list unknown", "GET", openapi.PathLicenseHeartbeats + "?license=PLNOSUCHCODE", "", "ok", 200, kgp.LicenseNotFound},
				{"list without license", "GET", openapi.PathLicenseHeartbeats, "", "ok", 400, kgp.LicenseInvalidParam},
				{"list bad limit", "GET", openapi.PathLicenseHeartbeats + "?license=" + s.received + "&limit=501", "", "ok", 400, kgp.LicenseInvalidParam},
				{"list unsigned", "GET", openapi.PathLicenseHeartbeats + "?license=" + s.received, "", "", 403, kgp.LicenseUnauthorized},
			} {
				sk := map[string]string{"ok": s.key.SK, "bad": "not-the-secret", "": ""}[tc.sk]
				status, out := s.call(tc.method, tc.path, tc.body, sk)
				if status != tc.status || out["error_code"] != string(tc.code) || out["error_msg"] == "" {
					t.Errorf("%s: %d %v, want %d %s", tc.name, status, out, tc.status, tc.code)
				}
			}
		})
	}
}

func TestLicenseAnswers(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newLicenseSite(t, d)
			expire := kgp.FormatExpireTime(t0.AddDate(0, 1, 0))
			// Activation: license_code_info is a JSON string.
			_, out := s.call("POST", kgp.PathLicenseActivate, `{"license":"`+s.received+`","heartbeatInfo":{"thirdPartyAccount":"dev-1","ip":"10.0.0.9"}}`, s.key.SK)
			b, _ := json.Marshal(out)
			var act kgp.LicenseActivateResponse
			json.Unmarshal(b, &act)
			info, err := act.CodeInfo()
			if err != nil || *info != (kgp.LicenseCodeInfo{Status: kgp.LicenseAlive, ExpireTime: expire, ProductID: "OFFI-m-acme", Amount: 1, OrderID: info.OrderID}) || info.OrderID == "" {
				t.Fatalf("activate: %s (%v)", b, err)
			}
			// Heartbeat v1: LicenseInfo.
			_, out = s.call("POST", kgp.PathLicenseHeartbeat, `{"license":"`+s.received+`","heartbeatInfo":{"thirdPartyAccount":"dev-2"}}`, s.key.SK)
			data, _ := out["data"].(map[string]any)
			want := map[string]any{"license_code": s.received, "status": "ALIVE", "activate_time": kgp.FormatExpireTime(t0), "expire_time": expire,
				"product_id": "OFFI-m-acme", "order_id": info.OrderID, "amount": 1.0}
			for k, v := range want {
				if data[k] != v {
					t.Fatalf("heartbeat data %s = %v, want %v (%v)", k, data[k], v, data)
				}
			}
			_, out = s.call("POST", kgp.PathLicenseHeartbeat, lic(s.released), s.key.SK)
			if data, _ := out["data"].(map[string]any); data["status"] != "RELEASED" {
				t.Fatalf("released heartbeat: %v", out)
			}
			// v2: one entry per license, in order.
			_, out = s.call("POST", kgp.PathLicenseBatch, `{"licenses":[`+lic(s.fresh)+`,`+lic(s.others)+`,{"license":"`+s.received+`","heartbeatInfo":{"thirdPartyAccount":"dev-3"}}]}`, s.key.SK)
			entries, _ := out["data"].([]any)
			if len(entries) != 3 {
				t.Fatalf("batch: %v", out)
			}
			for i, w := range []struct {
				license string
				code    kgp.ErrorCode
				status  string
			}{{s.fresh, kgp.LicenseSuccess, "ALIVE"}, {s.others, kgp.LicenseNotFound, ""}, {s.received, kgp.LicenseSuccess, "ALIVE"}} {
				e := entries[i].(map[string]any)
				d, _ := e["data"].(map[string]any)
				if e["license"] != w.license || e["error_code"] != string(w.code) || w.status != "" && d["status"] != w.status || w.status == "" && d != nil {
					t.Fatalf("batch entry %d: %v", i, e)
				}
			}
			// The merchant sees what was recorded, newest first.
			_, out = s.call("GET", openapi.PathLicenseHeartbeats+"?license="+s.received, "", s.key.SK)
			b, _ = json.Marshal(out)
			var list openapi.HeartbeatListResponse
			json.Unmarshal(b, &list)
			if list.Data == nil || len(list.Data.Heartbeats) != 3 {
				t.Fatalf("heartbeats: %s", b)
			}
			accounts := []string{}
			for _, h := range list.Data.Heartbeats {
				accounts = append(accounts, h.Type+":"+h.HeartbeatInfo.ThirdPartyAccount)
			}
			// All three share one business instant; the activation is the only ACTIVATE.
			if got := strings.Join(accounts, ","); !strings.Contains(got, "ACTIVATE:dev-1") || !strings.Contains(got, "HEARTBEAT:dev-2") || !strings.Contains(got, "HEARTBEAT:dev-3") {
				t.Fatalf("heartbeats listed: %s", got)
			}
		})
	}
}

func TestLicenseInternalError(t *testing.T) {
	t.Parallel()
	s := newLicenseSite(t, store.SQLite)
	s.lic.Stop(context.Background()) // heartbeats can no longer be made durable
	status, out := s.call("POST", kgp.PathLicenseHeartbeat, lic(s.received), s.key.SK)
	if status != http.StatusInternalServerError || out["error_code"] != string(kgp.LicenseUnauthorized) {
		t.Fatalf("%d %v", status, out)
	}
	if n, _ := s.db.CountHeartbeats(s.ctx, ""); n != 0 {
		t.Fatalf("%d heartbeats stored", n)
	}
}

// TestKeyCache: a key is remembered once used, and an unknown AK is not, so a pair issued after
// a refused call works at once.
func TestKeyCache(t *testing.T) {
	t.Parallel()
	s := newLicenseSite(t, store.SQLite)
	fresh := &market.APIKey{AK: "AK-NEW-" + market.NewSecret(8), SK: market.NewSecret(40), MerchantID: "m-acme", CreatedAt: t0}
	own := s.key
	s.key = fresh
	if status, out := s.call("POST", kgp.PathLicenseHeartbeat, lic(s.received), fresh.SK); status != 403 {
		t.Fatalf("unknown AK: %d %v", status, out)
	}
	if err := s.db.Write(s.ctx, func(tx *store.Tx) error { return tx.InsertAPIKey(s.ctx, fresh) }); err != nil {
		t.Fatal(err)
	}
	for range 3 { // the first reads the database, the others the cache
		if status, out := s.call("POST", kgp.PathLicenseHeartbeat, lic(s.received), fresh.SK); status != 200 {
			t.Fatalf("new AK: %d %v", status, out)
		}
	}
	if status, _ := s.call("POST", kgp.PathLicenseHeartbeat, lic(s.received), own.SK); status != 403 {
		t.Fatalf("a cached AK with another key's SK: %d", status)
	}
}

// TestHeartbeatReplay: a signed heartbeat replayed within its X-Sdk-Date window, one after the
// other or at once, is answered each time but stored once; another request is stored.
func TestHeartbeatReplay(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newLicenseSite(t, d)
			count := func() int64 {
				n, err := s.db.CountHeartbeats(s.ctx, s.received)
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			before := count()
			replay := s.signed("POST", kgp.PathLicenseHeartbeat, `{"license":"`+s.received+`","heartbeatInfo":{"thirdPartyAccount":"replayed"}}`, s.key.SK)
			var wg sync.WaitGroup
			for range 6 {
				wg.Go(func() {
					if st, out := replay(); st != 200 || out["error_code"] != string(kgp.LicenseSuccess) {
						t.Errorf("replay answered %d %v", st, out)
					}
				})
			}
			wg.Wait()
			replay()
			if n := count() - before; n != 1 {
				t.Fatalf("7 sends of one request stored %d heartbeats", n)
			}
			batch := s.signed("POST", kgp.PathLicenseBatch, `{"licenses":[`+lic(s.received)+`,`+lic(s.fresh)+`]}`, s.key.SK)
			batch()
			batch()
			if n := count() - before; n != 2 {
				t.Fatalf("a batch sent twice: %d heartbeats of the code in all, want 2", n)
			}
			s.call("POST", kgp.PathLicenseHeartbeat, `{"license":"`+s.received+`","heartbeatInfo":{"thirdPartyAccount":"another"}}`, s.key.SK)
			if n := count() - before; n != 3 {
				t.Fatalf("another request: %d heartbeats, want 3", n)
			}
		})
	}
}
