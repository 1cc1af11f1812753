package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// TestBrowserBuyer is the buyer's story in a real browser: sign in, search, buy (a refused form
// first), watch the instance become active, read its credentials, renew, buy pay-per-use and
// see its usage chart; a product named like a script runs no script; a page that is not the
// buyer's is the 404 page. Screenshots in both languages go to testdata/out.
func TestBrowserBuyer(t *testing.T) {
	f := setup(t)
	f.product("p-xss", "<script>alert(1)</script>", "Security")
	f.product("p-crm", "云客户关系管理 CRM Cloud — Enterprise Edition with a long English name", "CRM")
	b := newBrowser(t, f)

	b.open("/login")
	b.axe("login")
	b.shot("login")
	b.do("sign in", chromedp.SendKeys(chromedp.ID("token"), f.token), chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(chromedp.CSS(".side")))

	b.open("/")
	b.do("search", chromedp.SendKeys(chromedp.ID("home-q"), "Product"), chromedp.Submit(chromedp.ID("home-q")),
		chromedp.WaitVisible(chromedp.CSS(`#home-q[value="Product"]`)), chromedp.WaitVisible(chromedp.CSS(`a[href="/products/p-shop"]`)))
	b.open("/")
	b.axe("home")
	b.shot("home")
	b.do("to the product", chromedp.Click(chromedp.CSS(`a[href="/products/p-shop"]`)), chromedp.WaitVisible(chromedp.CSS("form.buy")))
	b.axe("product")
	b.shot("product")

	// A refused form: the agreement is not accepted. The error is at its field, the plan stays.
	b.expect("/products/p-shop/buy")
	plain := f.shop.Plans["plain"]
	b.do("buy without agreeing", chromedp.Click(chromedp.CSS(`input[name="plan"][value="`+plain+`"]`)),
		chromedp.SetValue(chromedp.ID("periods"), "2"),
		chromedp.Click(chromedp.CSS("form.buy button[type=submit]")), chromedp.WaitVisible(chromedp.ID("err-agree")))
	checked, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.querySelector('input[name="plan"][value="`+plain+`"]').checked && document.getElementById("periods").value === "2"`))
	if err != nil || !checked {
		t.Errorf("the refused form lost what was typed: %v %v", checked, err)
	}
	b.axe("product with errors")
	b.do("screenshot of the errors", chromedp.Evaluate[chromedp.Void](`document.querySelector(".alert").scrollIntoView()`))
	if png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot()); err == nil {
		os.WriteFile(filepath.Join(b.out, "product-errors-en.png"), png, 0o644)
	}
	b.do("agree and buy", chromedp.Click(chromedp.CSS(`input[name="agree"]`)),
		chromedp.Click(chromedp.CSS("form.buy button[type=submit]")), chromedp.WaitVisible(chromedp.CSS(".flash")))

	// The instance is pending until the merchant answers; the page polls (htmx) and shows it
	// active once it is.
	ins, _, err := f.e.Orders.Instances(f.e.Ctx, f.buyer, store.InstanceFilter{})
	if err != nil || len(ins) != 1 {
		t.Fatalf("instances: %v %v", ins, err)
	}
	b.open("/my/instances/" + ins[0].Key)
	f.e.Settle()
	b.do("the instance becomes active", chromedp.WaitVisible(chromedp.CSS("#instance-state.ok, #instance-state.badge.ok")))
	// A fresh load, so the click below cannot land on content htmx is still swapping in.
	b.open("/my/instances/" + ins[0].Key)
	b.do("show credentials", chromedp.Click(chromedp.ID("show-creds")), chromedp.WaitVisible(chromedp.CSS("#creds code")))
	in := f.instanceOf("/my/instances/" + ins[0].Key)
	info, err := f.e.Orders.AppInfo(f.e.Ctx, f.buyer, in)
	if err != nil || info == nil {
		t.Fatal(info, err)
	}
	if got := b.text("#creds"); !strings.Contains(got, info.Password) {
		t.Errorf("credentials show %q, want the password %q", got, info.Password)
	}
	b.axe("instance")
	b.shot("instance")
	b.do("renew", chromedp.SetValue(chromedp.ID("renew-periods"), "3"), chromedp.Submit(chromedp.ID("renew-periods")),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	f.e.Settle()
	if after := f.instanceOf("/my/instances/" + ins[0].Key).ExpireAt; !after.After(in.ExpireAt) {
		t.Errorf("the renewal did not move the expiry")
	}

	// Pay per use: buy, push usage, read the chart.
	b.open("/products/p-shop")
	b.do("buy pay-per-use", chromedp.Click(chromedp.CSS(`input[name="plan"][value="`+f.shop.Plans["api"]+`"]`)),
		chromedp.Click(chromedp.CSS(`input[name="agree"]`)), chromedp.Click(chromedp.CSS("form.buy button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	f.e.Settle()
	var api *market.Instance
	all, _, _ := f.e.Orders.Instances(f.e.Ctx, f.buyer, store.InstanceFilter{})
	for _, in := range all {
		if in.Charging == market.ChargingOnDemand {
			api = in
		}
	}
	if api == nil {
		t.Fatal("no pay-per-use instance")
	}
	f.usage(api, 30)
	b.open("/my/instances/" + api.Key + "/usage")
	b.do("the hourly chart", chromedp.WaitVisible(chromedp.CSS("#usage-chart canvas")))
	b.axe("usage")
	b.shot("usage")
	b.open("/my/instances/" + api.Key + "/usage?by=day")
	b.do("the daily chart", chromedp.WaitVisible(chromedp.CSS("#usage-chart canvas")))
	for _, p := range []string{"/my/", "/my/orders", "/my/instances", "/my/unsubscriptions", "/my/bills", "/my/account"} {
		b.open(p)
		b.axe(p)
	}
	b.shot("account")

	// A script in a product's name is text, on its page and on the instance bought of it; the
	// dialog watcher fails the test if it ever runs.
	b.open("/products/p-xss")
	if name := b.text("h1"); !strings.Contains(name, "<script>alert(1)</script>") {
		t.Errorf("the product's name is not shown as text: %q", name)
	}
	b.do("buy the script", chromedp.Click(chromedp.CSS(`input[name="plan"]`)), chromedp.Click(chromedp.CSS(`input[name="agree"]`)),
		chromedp.Click(chromedp.CSS("form.buy button[type=submit]")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	f.e.Settle()
	b.do("its instance", chromedp.Click(chromedp.CSS(`a[href^="/my/instances/"]`)), chromedp.WaitVisible(chromedp.ID("instance-state")))
	if name := b.text("h1"); !strings.Contains(name, "<script>alert(1)</script>") {
		t.Errorf("the instance's product name is not shown as text: %q", name)
	}
	if ok, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`[...document.scripts].every(s => s.src.startsWith(location.origin + "/static/"))`)); !ok {
		t.Error("the page has a script that is not one of the console's files")
	}
	// A page that is not the buyer's is the 404 page.
	b.expect("/my/instances/nope")
	b.open("/my/instances/nope")
	if got := b.text(".big-status"); got != "404" {
		t.Errorf("someone else's page: %q", got)
	}
	// The keyboard: the first Tab reaches the skip link, which moves the focus to the content.
	b.open("/my/")
	b.do("tab", chromedp.KeyEvent("\t"))
	if id, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.activeElement.className`)); id != "skip" {
		t.Errorf("the first Tab focuses %q, want the skip link", id)
	}
	b.do("skip", chromedp.KeyEvent("\r"))
	if id, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.activeElement.id`)); id != "main" {
		t.Errorf("the skip link moves the focus to %q, want main", id)
	}

	// Phone width: no page scrolls sideways.
	b.phone("/", "/products/p-shop", "/my/", "/my/orders", "/my/instances/"+ins[0].Key, "/my/instances/"+api.Key+"/usage", "/my/account")
	b.open("/products/p-shop")
	b.shot("product-phone")
	b.open("/my/instances/" + ins[0].Key)
	b.shot("instance-phone")
	b.check()
}
