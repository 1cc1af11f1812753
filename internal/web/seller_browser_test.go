package web_test

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

// sellerField selects a form control by its name (the publishing form's names have dots and
// brackets, which ID selectors do not take).
func sellerField(name string) string { return `[name="` + name + `"]` }

// sellerLogo writes a 120×120 PNG, the logo the listing rules want.
func sellerLogo(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 120, 120))
	for x := 0; x < 120; x++ {
		for y := 0; y < 120; y++ {
			img.Set(x, y, color.RGBA{R: 199, G: uint8(x), B: uint8(y), A: 255})
		}
	}
	p := filepath.Join(t.TempDir(), "logo.png")
	w, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := png.Encode(w, img); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBrowserSeller is the seller's story in a real browser: sign in with a password, publish a
// product (a submit that breaks rules first: each failure at its field, what was typed kept),
// run the debug cases, submit; the operator rejects with comments at fields, which the seller
// reads at those fields, corrects and resubmits; then restart a failed interface call. Every
// seller page is checked with axe; screenshots in both languages go to testdata/out.
func TestBrowserSeller(t *testing.T) {
	f := setup(t)
	call := f.failedCall()
	// The merchant is fixed (the debug cases renew too); the failed call stays failed.
	f.shop.Merchant.Set(func(k *sdktest.Knobs) { k.Fail[kgp.ActivityRefreshInstance] = 0 })
	if _, _, err := f.e.Identity.CreateSellerUser(f.e.Ctx, market.AsOperator(), f.shop.M.ID,
		identity.SellerUserRequest{Name: "alice", Role: market.SellerAdmin, Password: sellerPassword}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, f)
	b.open("/login")
	b.do("seller sign-in", chromedp.SendKeys(chromedp.ID("merchant"), f.shop.M.ID), chromedp.SendKeys(chromedp.ID("user"), "alice"),
		chromedp.SendKeys(chromedp.ID("password"), sellerPassword), chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS(`.side a[href="/seller/calls"]`)))
	b.axe("seller overview")
	b.shot("seller-overview")

	// Publish: the form refuses a submit that breaks rules, at the fields, keeping the input.
	d := sellerDraft()
	logo := sellerLogo(t)
	b.expect("/seller/applications/new")
	refused := func() {
		b.open("/seller/applications/new")
		for _, name := range []string{"listing.name_en", "listing.category", "listing.summary", "listing.description",
			"listing.usage_guide", "listing.agreement", "specs[0].name", "specs[0].name_en", "specs[0].price.month", "specs[0].price.year"} {
			b.do("fill "+name, chromedp.SetValue(chromedp.CSS(sellerField(name)), d.Get(name)))
		}
		b.do("bad name and version, a logo", chromedp.SetValue(chromedp.CSS(sellerField("listing.version")), "1.0"),
			chromedp.SetValue(chromedp.CSS(sellerField("listing.name")), "华为云 Ledger"),
			chromedp.SetUploadFiles(chromedp.CSS(sellerField("logo_file")), []string{logo}))
		b.do("submit with problems", chromedp.Click(chromedp.ID("publish-submit")), chromedp.WaitVisible(chromedp.CSS(`[id="err-listing.version"]`)))
	}
	sellerShot(b, "seller-publish-problems", refused)
	if v := sellerValue(b, sellerField("listing.summary")); v != d.Get("listing.summary") {
		t.Errorf("the refused form lost the summary: %q", v)
	}
	if got := b.text(`[id="err-listing.name"]`); !strings.Contains(got, "Huawei Cloud") {
		t.Errorf("the name's problem: %q", got)
	}
	b.axe("publish form with problems")

	// Corrected, saved as a draft (the logo uploaded with the refused form is kept).
	b.do("correct", chromedp.SetValue(chromedp.CSS(sellerField("listing.version")), "V1.0"),
		chromedp.SetValue(chromedp.CSS(sellerField("listing.name")), "Ledger Cloud"),
		chromedp.Click(chromedp.CSS(`button[value="save"]`)), chromedp.WaitVisible(chromedp.ID("app-state")))
	apps, _, err := f.e.Publish.Applications(f.e.Ctx, f.shop.Seller, store.ApplicationFilter{State: market.AppDraft})
	if err != nil || len(apps) != 1 {
		t.Fatalf("drafts: %v %v", apps, err)
	}
	app := apps[0]
	if !strings.Contains(string(app.Payload), `"logo":{"format":"PNG","width":120,"height":120`) {
		t.Errorf("the logo is not in the draft: %s", app.Payload)
	}
	// Debug cases on the product's page, then submit from the application's page.
	b.open("/seller/products/" + app.ProductID)
	b.do("run the debug cases", chromedp.Click(chromedp.CSS(`form[action$="/debug"] button`)), chromedp.WaitVisible(chromedp.CSS("#run-main")))
	f.e.Settle()
	runs, _, err := f.e.Dial.Runs(f.e.Ctx, f.shop.Seller, app.ProductID, "", store.Page{Limit: 1})
	if err != nil || len(runs) != 1 {
		t.Fatalf("debug runs: %v %v", runs, err)
	}
	runID := runs[0].ID
	b.do("the run passes", chromedp.WaitVisible(chromedp.CSS("#run-main h1 .badge.ok")))
	b.axe("debug run")
	b.shot("seller-debug-run")
	b.open("/seller/applications/" + app.ID)
	b.do("submit", chromedp.Click(chromedp.ID("app-submit")), chromedp.WaitVisible(chromedp.CSS("#app-state.busy")))

	// The operator rejects with comments at two fields; the seller reads them there.
	if _, err := f.e.Publish.Reject(f.e.Ctx, market.AsOperator(), app.ID,
		"listing.name: 名称过于宽泛，请写明产品用途 / The name is too generic: say what it does\nspecs[0].name_en: Use the edition's English name\nPlease add screenshots to the description."); err != nil {
		t.Fatal(err)
	}
	b.open("/seller/applications/" + app.ID)
	b.do("the comments", chromedp.WaitVisible(chromedp.CSS(`#review`)), chromedp.WaitVisible(chromedp.CSS(`[id="err-listing.name"]`)))
	b.axe("rejected application")
	b.shot("seller-rejected")
	b.do("to the form", chromedp.Click(chromedp.ID("app-edit")), chromedp.WaitVisible(chromedp.CSS(`[id="err-specs[0].name_en"]`)))
	if got := b.text(`[id="err-listing.name"]`); !strings.Contains(got, "too generic") {
		t.Errorf("the comment at the name: %q", got)
	}
	b.axe("edit rejected")
	b.shot("seller-resubmit")
	b.open("/seller/applications/" + app.ID + "/edit")
	b.do("resubmit", chromedp.SetValue(chromedp.CSS(sellerField("listing.name")), "Ledger Cloud Bookkeeping"),
		chromedp.Click(chromedp.ID("publish-submit")), chromedp.WaitVisible(chromedp.CSS("#app-state.busy")))
	if d, _ := f.e.Publish.Application(f.e.Ctx, f.shop.Seller, app.ID); d.State != market.AppPending {
		t.Errorf("resubmitted application is %s", d.State)
	}

	// Interface messages: the failed call, restarted once the merchant is fixed.
	b.open("/seller/calls?state=FAILED")
	b.do("to the call", chromedp.Click(chromedp.CSS(`a[href="/seller/calls/`+call.ID+`"]`)), chromedp.WaitVisible(chromedp.ID("call-restart")))
	b.axe("failed call")
	b.shot("seller-call-failed")
	b.do("restart", chromedp.Click(chromedp.ID("call-restart")), chromedp.WaitVisible(chromedp.CSS("main .flash")))
	f.e.Settle()
	b.open("/seller/calls/" + call.ID)
	if got := b.text("#call-state"); got != "成功" && got != "Succeeded" {
		t.Errorf("the restarted call is %q", got)
	}
	b.shot("seller-call")

	for _, p := range []string{"/seller/products", "/seller/applications", "/seller/calls", "/seller/orders", "/seller/instances",
		"/seller/instances/" + call.InstanceKey, "/seller/orders/" + call.OrderID, "/seller/statements", "/seller/messages",
		"/seller/keys", "/seller/users", "/seller/unsubscriptions", "/seller/flows", "/seller/products/p-shop/rules", "/seller/products/p-shop/plan", "/seller/discounts", "/seller/shipments", "/seller/attributes",
		"/seller/products/" + app.ProductID, "/seller/flows"} {
		b.open(p)
		b.axe(p)
	}
	b.open("/seller/products/" + app.ProductID)
	b.shot("seller-product")
	b.open("/seller/applications")
	b.shot("seller-applications")
	b.open("/seller/products/p-shop")
	b.shot("seller-product-listed")
	b.open("/seller/users")
	b.shot("seller-users")
	// A pay-per-use instance's usage, drawn from its table.
	api := f.e.Instance(f.e.Buy(f.e.Buyer(), f.shop, "api", 0).Lines[0].ID)
	f.usage(api, 30)
	b.open("/seller/instances/" + api.Key + "/usage")
	b.do("the usage chart", chromedp.WaitVisible(chromedp.CSS("#usage-chart canvas")))
	b.axe("seller usage")
	b.shot("seller-usage")
	// A supervised service's task, with its step and appeal forms.
	f.e.Buy(f.e.Buyer(), f.shop, "svc", 0)
	flows, _, err := f.e.Supervision.Flows(f.e.Ctx, f.shop.Seller, store.FlowFilter{})
	if err != nil || len(flows) == 0 {
		t.Fatalf("flows: %v %v", flows, err)
	}
	b.open("/seller/flows/" + flows[0].ID)
	b.axe("service task")
	b.shot("seller-flow")
	b.open("/seller/instances/" + call.InstanceKey)
	b.shot("seller-instance")
	// Phone width: no page scrolls sideways.
	b.do("phone", chromedp.EmulateViewport(390, 844))
	for _, p := range []string{"/seller/", "/seller/products/" + app.ProductID, "/seller/applications/new", "/seller/applications/" + app.ID,
		"/seller/calls", "/seller/calls/" + call.ID, "/seller/unsubscriptions", "/seller/flows", "/seller/users", "/seller/debug-runs/" + runID} {
		b.open(p)
		wide, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
		if err != nil || wide {
			culprit, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("main *")].filter(e => !e.closest(".table-wrap") && e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 3).map(e => e.tagName + "." + e.className + "#" + e.id).join(" ")`))
			t.Errorf("%s is wider than a phone (%v): %s", p, err, culprit)
		}
	}
	b.open("/seller/calls/" + call.ID)
	b.shot("seller-call-phone")
	b.check()
}

// value is a form control's current value.
func sellerValue(b *browser, sel string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector('`+sel+`').value`))
	if err != nil {
		b.t.Fatalf("value of %s: %v", sel, err)
	}
	return v
}

// sellerShot saves screenshots of a page that is the answer to a form (which the language
// switch, a redirect to the page's address, would not show again): redo brings the page back
// in each language.
func sellerShot(b *browser, name string, redo func()) {
	b.t.Helper()
	for _, lang := range []string{"zh-CN", "en"} {
		b.lang(lang)
		redo()
		b.do("settle", chromedp.Sleep(300*time.Millisecond))
		png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			b.t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(b.out, name+"-"+lang+".png"), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
}
