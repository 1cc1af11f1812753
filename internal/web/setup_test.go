package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/web"
	"github.com/mercato-oss/mercato/kgp"
)

// fixture is a marketplace on a fake clock (SQLite) with the consoles served over HTTP, a shop
// whose merchant is the SDK's test merchant, and a buyer with money and a token.
type fixture struct {
	t      testing.TB
	e      *marketplacetest.Env
	shop   *marketplacetest.Shop
	srv    *httptest.Server
	buyer  market.Viewer
	token  string
	now    func() time.Time // the sessions' wall clock, which tests move to expire a session
	offset time.Duration
}

func setup(t testing.TB, opts ...func(*web.Config)) *fixture {
	t.Helper()
	return setupWith(t, marketplacetest.Options{}, opts...)
}

// setupWith is setup with the marketplace's options changed.
func setupWith(t testing.TB, mopts marketplacetest.Options, opts ...func(*web.Config)) *fixture {
	t.Helper()
	e := marketplacetest.New(t, store.SQLite, mopts)
	f := &fixture{t: t, e: e}
	f.now = func() time.Time { return time.Now().Add(f.offset) }
	f.shop = e.Shop("shop")
	b, token, err := e.Identity.CreateBuyer(e.Ctx, market.AsOperator(), identity.BuyerRequest{Name: "Li Lei", Email: "lilei@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Billing.TopUp(e.Ctx, market.AsOperator(), b.CustomerID, 5_000_000, "fixture"); err != nil {
		t.Fatal(err)
	}
	f.buyer, f.token = market.AsBuyer(b.CustomerID), token
	sessions, err := store.NewSessions(e.DB, func() time.Time { return f.now() })
	if err != nil {
		t.Fatal(err)
	}
	cfg := web.Config{Sessions: sessions, Currency: "CNY", StrictText: true,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), IdleTimeout: time.Hour, Operator: web.OperatorConfig{Clock: e.Clock}}
	for _, o := range opts {
		o(&cfg)
	}
	c, err := web.New(e.Services, cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	c.Register(mux)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// product adds a product of the shop's merchant, on sale, with one monthly plan.
func (f *fixture) product(id, name, category string) string {
	f.t.Helper()
	plan := "OFFI-" + strings.ToUpper(strings.ReplaceAll(id, "-", ""))
	_, err := f.e.Catalog.CreateProduct(f.e.Ctx, market.AsOperator(), catalog.ProductRequest{ID: id, MerchantID: f.shop.M.ID, Name: name, Category: category,
		Specs: []catalog.SpecRequest{{SkuCode: id + "-std", Name: "Standard", Charging: market.ChargingPeriod, Delivery: market.DeliverySaaS, TrialDays: 7,
			Plans: []catalog.PlanRequest{{ProductID: plan, Period: market.PeriodMonth, Price: 99_000}}}}})
	if err != nil {
		f.t.Fatal(err)
	}
	return plan
}

// usage moves time on by hours, pushes hourly usage for an instance over them and runs the
// collections.
func (f *fixture) usage(in *market.Instance, hours int) {
	f.t.Helper()
	f.e.Advance(time.Duration(hours+1)*time.Hour, time.Hour) // the usage comes after the instance started
	now := f.e.Clock.Now().Truncate(time.Hour)
	var recs []kgp.UsageRecord
	for i := hours; i >= 1; i-- {
		b := now.Add(-time.Duration(i) * time.Hour)
		recs = append(recs, kgp.UsageRecord{InstanceID: in.ID, MeteringSN: "sn-" + b.Format("150405"), RecordTime: kgp.FormatSdkDate(b.Add(time.Hour)),
			BeginTime: kgp.FormatSdkDate(b), EndTime: kgp.FormatSdkDate(b.Add(time.Hour)), UsageValue: kgp.Decimal([]string{"3", "12.5", "7", "20", "4.25"}[i%5])})
	}
	r, err := f.e.Metering.Push(f.e.Ctx, f.shop.Seller, &kgp.UsagePush{UsageRecords: recs}, false)
	if err != nil || (r != nil && len(r.AbnormalUsageData) > 0) {
		f.t.Fatalf("push usage: %v %+v", err, r)
	}
	f.e.Advance(2*time.Hour, 15*time.Minute)
	if err := f.e.Metering.Tick(f.e.Ctx); err != nil {
		f.t.Fatal(err)
	}
	f.e.Settle()
}

// client is an HTTP client with its own cookies that does not follow redirects.
func (f *fixture) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// login signs a client in with a token and returns it.
func (f *fixture) login(token string) *http.Client {
	f.t.Helper()
	c := f.client()
	res, err := c.PostForm(f.srv.URL+"/login", url.Values{"mode": {"token"}, "token": {token}})
	if err != nil {
		f.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		f.t.Fatalf("login: %d", res.StatusCode)
	}
	if sc := res.Header.Get("Set-Cookie"); !strings.Contains(sc, "HttpOnly") || !strings.Contains(sc, "SameSite=Lax") || strings.Contains(sc, "Secure") {
		f.t.Errorf("session cookie %q: want HttpOnly, SameSite=Lax, not Secure over plain HTTP", sc)
	}
	return c
}

// get fetches a page and returns its status and body.
func (f *fixture) get(c *http.Client, path string, header ...string) (int, string, http.Header) {
	f.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

func (f *fixture) post(c *http.Client, path string, form url.Values) (int, string, http.Header) {
	f.t.Helper()
	res, err := c.PostForm(f.srv.URL+path, form)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}
