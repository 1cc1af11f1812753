package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/web"
)

// TestBuyerJourney buys, waits for the merchant, reads the credentials and renews, over plain
// HTTP (no JavaScript): every step is a page or a form.
func TestBuyerJourney(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.login(f.token)

	status, body, h := f.get(c, "/?q=Product")
	if status != http.StatusOK || !strings.Contains(body, "/products/p-shop") {
		t.Fatalf("search: %d, want the shop's product:\n%s", status, body)
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP = %q", csp)
	}
	status, body, _ = f.get(c, "/products/p-shop", "Accept-Language", "en-US,en;q=0.9")
	if status != http.StatusOK || !strings.Contains(body, "Buy now") {
		t.Fatalf("product page: %d", status)
	}
	key := between(body, `name="key" value="`, `"`)

	// Bad input: no agreement, a bad period count; the errors are at their fields, in the
	// chosen language, and what was typed is kept.
	status, body, _ = f.post(c, "/products/p-shop/buy", url.Values{"plan": {f.shop.Plans["plain"]}, "periods": {"0"}, "key": {key}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-agree"`) || !strings.Contains(body, `id="err-periods"`) {
		t.Fatalf("bad purchase: %d\n%s", status, body)
	}
	if !strings.Contains(body, `href="#agree"`) || !strings.Contains(body, `href="#periods"`) {
		t.Error("the error summary does not link to the fields")
	}
	if !strings.Contains(body, "请先阅读并同意服务协议") || !strings.Contains(body, `value="0"`) {
		t.Errorf("the errors are not in Chinese (Accept-Language was not sent) or the typed value is lost")
	}

	status, _, h = f.post(c, "/products/p-shop/buy", url.Values{"plan": {f.shop.Plans["plain"]}, "periods": {"2"}, "agree": {"yes"}, "key": {key}})
	if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/my/orders/") {
		t.Fatalf("purchase: %d %v", status, h)
	}
	orderPath := h.Get("Location")
	// A double submit is the same order.
	_, _, h2 := f.post(c, "/products/p-shop/buy", url.Values{"plan": {f.shop.Plans["plain"]}, "periods": {"2"}, "agree": {"yes"}, "key": {key}})
	if h2.Get("Location") != orderPath {
		t.Errorf("a resubmitted purchase made another order: %s, then %s", orderPath, h2.Get("Location"))
	}
	f.e.Settle()

	_, body, _ = f.get(c, orderPath)
	insPath := "/my/instances/" + between(body, `href="/my/instances/`, `"`)
	status, body, h = f.get(c, insPath)
	if status != http.StatusOK || !strings.Contains(body, "运行中") || h.Get("Cache-Control") != "no-store" {
		t.Fatalf("instance: %d, want it active and uncached:\n%s", status, body)
	}
	if strings.Contains(body, "instance.password") {
		t.Fatal("the instance page shows credentials before they are asked for")
	}
	in := f.instanceOf(insPath)
	info, err := f.e.Orders.AppInfo(f.e.Ctx, f.buyer, in)
	if err != nil || info == nil || info.Password == "" {
		t.Fatalf("appInfo: %+v %v", info, err)
	}
	if strings.Contains(body, html.EscapeString(info.Password)) {
		t.Error("the password is on the instance page before it is asked for")
	}
	_, body, _ = f.get(c, insPath+"/credentials")
	if !strings.Contains(body, html.EscapeString(info.Password)) {
		t.Errorf("credentials page lacks the decrypted password")
	}
	_, frag, _ := f.get(c, insPath+"/credentials", "HX-Request", "true")
	if strings.Contains(frag, "<html") || !strings.Contains(frag, `id="creds"`) {
		t.Errorf("the htmx answer is not a fragment:\n%s", frag)
	}

	before := in.ExpireAt
	status, body, _ = f.post(c, insPath+"/renew", url.Values{"periods": {"1"}, "key": {"renew-1"}})
	if status != http.StatusSeeOther {
		t.Fatalf("renew: %d %s", status, between(body, `class="alert"`, "</div>"))
	}
	f.e.Settle()
	if after := f.instanceOf(insPath).ExpireAt; !after.After(before) {
		t.Errorf("renewal did not move the expiry: %v → %v", before, after)
	}
	status, body, _ = f.post(c, insPath+"/renew", url.Values{"periods": {"x"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-periods"`) || !strings.Contains(body, `value="x"`) || !strings.Contains(body, `href="#renew-periods"`) {
		t.Errorf("bad renewal: %d", status)
	}

	for _, p := range []string{"/my/", "/my/orders", orderPath, "/my/instances", "/my/bills", "/my/account"} {
		for _, lang := range []string{"en", "zh-CN"} {
			if status, body, _ := f.get(c, p, "Accept-Language", lang); status != http.StatusOK {
				t.Errorf("%s in %s: %d\n%s", p, lang, status, body)
			}
		}
	}
}

// TestNotYours: another buyer's order and instance are the 404 page, as is a page of another
// role; a visitor who is not signed in goes to the login page and comes back.
func TestNotYours(t *testing.T) {
	t.Parallel()
	f := setup(t)
	o := f.e.Buy(f.buyer, f.shop, "saas", 1)
	ins, _, err := f.e.Orders.Instances(f.e.Ctx, f.buyer, store.InstanceFilter{OrderID: o.ID})
	if err != nil || len(ins) != 1 {
		t.Fatal(ins, err)
	}
	_, other, err := f.e.Identity.CreateBuyer(f.e.Ctx, market.AsOperator(), identity.BuyerRequest{Name: "other"})
	if err != nil {
		t.Fatal(err)
	}
	c := f.login(other)
	for _, p := range []string{"/my/orders/" + o.ID, "/my/instances/" + ins[0].Key, "/my/instances/" + ins[0].Key + "/credentials", "/my/instances/nope", "/my/nothing-here", "/products/nope"} {
		status, body, _ := f.get(c, p)
		if status != http.StatusNotFound || !strings.Contains(body, "error-page") {
			t.Errorf("%s: %d, want the 404 page", p, status)
		}
	}
	status, _, _ := f.post(c, "/my/instances/"+ins[0].Key+"/renew", url.Values{"periods": {"1"}})
	if status != http.StatusNotFound {
		t.Errorf("renewing another's instance: %d, want 404", status)
	}
	// The operator has no buyer console, a buyer no seller or operator console: 404.
	op := f.login("op_test_0123456789abcdefghijklmnopqrstuvwxyz")
	if status, _, _ := f.get(op, "/my/orders"); status != http.StatusNotFound {
		t.Errorf("operator on /my/orders: %d", status)
	}
	if status, body, _ := f.get(op, "/operator/"); status != http.StatusOK || !strings.Contains(body, f.shop.M.ID) {
		t.Errorf("operator home: %d", status)
	}
	for _, p := range []string{"/seller/", "/operator/"} {
		if status, _, _ := f.get(c, p); status != http.StatusNotFound {
			t.Errorf("buyer on %s: %d", p, status)
		}
	}
	anon := f.client()
	status, _, h := f.get(anon, "/my/orders?x=1")
	if status != http.StatusSeeOther || h.Get("Location") != "/login?next="+url.QueryEscape("/my/orders?x=1") {
		t.Errorf("anonymous: %d %s", status, h.Get("Location"))
	}
}

// TestExpiredSession: a session past its idle timeout goes to the login page, and signing in
// comes back to the page asked for.
func TestExpiredSession(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.login(f.token)
	if status, _, _ := f.get(c, "/my/bills"); status != http.StatusOK {
		t.Fatal(status)
	}
	f.offset = 2 * time.Hour // past the idle timeout: the store no longer finds the session
	status, _, h := f.get(c, "/my/bills")
	if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login?next=") {
		t.Fatalf("expired session: %d %s", status, h.Get("Location"))
	}
	// An htmx request (a polling instance page) is sent to the login page by a whole-page load.
	_, _, h = f.get(c, "/my/instances/x", "HX-Request", "true", "HX-Current-URL", f.srv.URL+"/my/instances/x")
	if h.Get("HX-Redirect") != "/login?next="+url.QueryEscape("/my/instances/x") {
		t.Errorf("htmx after expiry: HX-Redirect %q", h.Get("HX-Redirect"))
	}
	status, _, h = f.post(c, "/login", url.Values{"mode": {"token"}, "token": {f.token}, "next": {"/my/bills"}})
	if status != http.StatusSeeOther || h.Get("Location") != "/my/bills" {
		t.Errorf("login with next: %d %s", status, h.Get("Location"))
	}
	// next never leaves the site.
	_, _, h = f.post(f.client(), "/login", url.Values{"mode": {"token"}, "token": {f.token}, "next": {"//evil.example/x"}})
	if h.Get("Location") != "/my/" {
		t.Errorf("next to another host: %s", h.Get("Location"))
	}
	status, body, _ := f.post(f.client(), "/login", url.Values{"mode": {"token"}, "token": {"wrong-token-0123456789"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-token"`) {
		t.Errorf("wrong token: %d", status)
	}
}

// TestCrossOriginRefused: a form posted from another site is refused before it acts.
func TestCrossOriginRefused(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.login(f.token)
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/logout", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST: %d, want 403", res.StatusCode)
	}
}

// TestEscaping: a product named like a script is shown as text everywhere.
func TestEscaping(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.product("p-xss", "<script>alert(1)</script>", `"><img src=x onerror=alert(2)>`)
	c := f.login(f.token)
	for _, p := range []string{"/", "/?q=script", "/products/p-xss"} {
		_, body, _ := f.get(c, p)
		if strings.Contains(body, "<script>alert(1)") || strings.Contains(body, "<img src=x") {
			t.Errorf("%s renders user input unescaped", p)
		}
	}
}

func (f *fixture) instanceOf(path string) *market.Instance {
	f.t.Helper()
	in, err := f.e.Orders.Instance(f.e.Ctx, f.buyer, strings.TrimPrefix(path, "/my/instances/"))
	if err != nil {
		f.t.Fatal(err)
	}
	return in
}

func between(s, from, to string) string {
	_, after, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(after, to)
	return v
}

// countingLimiter allows two failures.
type countingLimiter struct{ failed atomic.Int32 }

func (l *countingLimiter) Allow(*http.Request) bool { return l.failed.Load() < 2 }
func (l *countingLimiter) Failed(*http.Request)     { l.failed.Add(1) }

// TestLoginLimited: after too many failures an address is refused even with the right token,
// and seller sign-in checks the password without revealing which part was wrong.
func TestLoginLimited(t *testing.T) {
	t.Parallel()
	lim := &countingLimiter{}
	f := setup(t, func(c *web.Config) { c.Limiter = lim })
	u, _, err := f.e.Identity.CreateSellerUser(f.e.Ctx, market.AsOperator(), f.shop.M.ID, identity.SellerUserRequest{Name: "ops", Role: market.SellerOperations, Password: "correct-horse-42"})
	if err != nil {
		t.Fatal(err)
	}
	status, body, _ := f.post(f.client(), "/login", url.Values{"mode": {"password"}, "merchant": {u.MerchantID}, "user": {"ops"}, "password": {"wrong-password-1"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-password"`) || !strings.Contains(body, `value="ops"`) || strings.Contains(body, "wrong-password-1") {
		t.Errorf("wrong password: %d", status)
	}
	c := f.client()
	if status, _, h := f.post(c, "/login", url.Values{"mode": {"password"}, "merchant": {u.MerchantID}, "user": {"ops"}, "password": {"correct-horse-42"}}); status != http.StatusSeeOther || h.Get("Location") != "/seller/" {
		t.Errorf("seller sign-in: %d %s", status, h.Get("Location"))
	}
	if status, body, _ := f.get(c, "/seller/", "Accept-Language", "en"); status != http.StatusOK || !strings.Contains(body, "Operations") || !strings.Contains(body, f.shop.M.ID) {
		t.Errorf("seller home: %d", status)
	}
	if status, _, _ := f.get(c, "/my/orders"); status != http.StatusNotFound {
		t.Errorf("a seller on the buyer console: %d, want 404", status)
	}
	f.post(f.client(), "/login", url.Values{"mode": {"token"}, "token": {"wrong-token-0123456789"}})
	status, body, _ = f.post(f.client(), "/login", url.Values{"mode": {"token"}, "token": {f.token}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "尝试次数过多") {
		t.Errorf("limited sign-in: %d", status)
	}
}
