package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// chromium is Debian's browser (apt-get install -y chromium, and fonts-noto-cjk for Chinese in
// the screenshots). Without it the browser test skips, unless MERCATO_WEB_REQUIRE_BROWSER is set.
const chromium = "/usr/bin/chromium"

// browser is one headless tab on the fixture's server that records every console error,
// uncaught exception, failed request, error status and JavaScript dialog.
type browser struct {
	t        *testing.T
	f        *fixture
	ctx      context.Context
	mu       sync.Mutex
	problems []string
	expected map[string]bool // paths whose error status the test causes on purpose
	out      string
}

func newBrowser(t *testing.T, f *fixture) *browser {
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("MERCATO_WEB_REQUIRE_BROWSER") != "" {
			t.Fatal("no " + chromium + ": apt-get install -y chromium fonts-noto-cjk")
		}
		t.Skip("no " + chromium + ": apt-get install -y chromium fonts-noto-cjk")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	b := &browser{t: t, f: f, ctx: ctx, expected: map[string]bool{}, out: filepath.Join("testdata", "out")}
	if err := os.MkdirAll(b.out, 0o755); err != nil {
		t.Fatal(err)
	}
	b.watch()
	return b
}

func (b *browser) problem(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.problems = append(b.problems, fmt.Sprintf(format, args...))
}

// watch subscribes to the events that mean a page is broken.
func (b *browser) watch() {
	consoles := chromedp.Events(b.ctx, runtime.ConsoleAPICalled)
	exceptions := chromedp.Events(b.ctx, runtime.ExceptionThrown)
	logs := chromedp.Events(b.ctx, log.EntryAdded)
	failed := chromedp.Events(b.ctx, network.LoadingFailed)
	responses := chromedp.Events(b.ctx, network.ResponseReceived)
	dialogs := chromedp.Events(b.ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range consoles {
			if err != nil {
				return
			}
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				b.problem("console.%s: %s", ev.Type, strings.Join(args, " "))
			}
		}
	}()
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			b.problem("exception: %s %s", ev.ExceptionDetails.Text, ev.ExceptionDetails.Exception.Description)
		}
	}()
	go func() {
		for ev, err := range logs {
			if err != nil {
				return
			}
			if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
				if b.isExpected(ev.Entry.URL) && strings.Contains(ev.Entry.Text, "status of") {
					continue
				}
				b.problem("log %s: %s %s", ev.Entry.Level, ev.Entry.Text, ev.Entry.URL)
			}
		}
	}()
	go func() {
		for ev, err := range failed {
			if err != nil {
				return
			}
			b.problem("request failed: %s %s", ev.ErrorText, ev.BlockedReason)
		}
	}()
	go func() {
		for ev, err := range responses {
			if err != nil {
				return
			}
			if ev.Response.Status >= 400 && !b.isExpected(ev.Response.URL) {
				b.problem("HTTP %d: %s", ev.Response.Status, ev.Response.URL)
			}
		}
	}()
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			b.problem("a script opened a dialog: %q", ev.Message)
			chromedp.Call(b.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
}

func (b *browser) isExpected(u string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for p := range b.expected {
		if strings.HasSuffix(strings.SplitN(u, "?", 2)[0], p) {
			return true
		}
	}
	return false
}

func (b *browser) expect(path string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.expected[path] = true
}

// do runs actions, failing the test with what step it was.
func (b *browser) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v\nproblems so far: %v", step, err, b.problems)
	}
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func (b *browser) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.f.srv.URL+path), chromedp.WaitReady(chromedp.CSS("body")))
}

// lang switches the language with the top bar's switch (a form: no JavaScript needed).
func (b *browser) lang(code string) {
	b.t.Helper()
	b.do("switch to "+code, chromedp.Click(chromedp.CSS(`.lang button[value="`+code+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.lang button[value="`+code+`"][aria-current="true"]`)))
}

// shot saves a screenshot of the page in both languages as NAME-LANG.png.
func (b *browser) shot(name string) {
	b.t.Helper()
	for _, lang := range []string{"zh-CN", "en"} {
		b.lang(lang)
		b.do("settle", chromedp.Sleep(300*time.Millisecond))
		png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100)) // 100 gives a PNG, less a JPEG
		if err != nil {
			b.t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(b.out, name+"-"+lang+".png"), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
}

// axe runs axe-core (vendored for tests) on the page and fails on serious or critical
// violations.
func (b *browser) axe(name string) {
	b.t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "vendor", "axe-4.14.1.min.js"))
	if err != nil {
		b.t.Fatal(err)
	}
	b.do("load axe", chromedp.Evaluate[chromedp.Void](string(src)))
	res, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`axe.run(document, {resultTypes: ["violations"]}).then(r =>
		r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
		 .map(v => v.impact + " " + v.id + ": " + v.help + " — " + v.nodes.map(n => n.target.join(" ")).slice(0, 5).join(", ")))`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("axe on %s: %v", name, err)
	}
	for _, v := range res {
		b.t.Errorf("accessibility (%s): %s", name, v)
	}
}

func (b *browser) check() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		b.t.Errorf("in the page: %s", p)
	}
	b.problems = nil
}

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

	// A script in a product's name is text.
	b.open("/products/p-xss")
	name := b.text("h1")
	if !strings.Contains(name, "<script>alert(1)</script>") {
		t.Errorf("the product's name is not shown as text: %q", name)
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
	b.do("phone", chromedp.EmulateViewport(390, 844))
	for _, p := range []string{"/", "/products/p-shop", "/my/", "/my/orders", "/my/instances/" + ins[0].Key, "/my/instances/" + api.Key + "/usage", "/my/account"} {
		b.open(p)
		wide, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
		if err != nil || wide {
			t.Errorf("%s is wider than a phone (%v)", p, err)
		}
	}
	b.open("/products/p-shop")
	b.shot("product-phone")
	b.open("/my/instances/" + ins[0].Key)
	b.shot("instance-phone")
	b.check()
}
