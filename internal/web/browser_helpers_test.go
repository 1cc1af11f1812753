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
	ctx, cancel := context.WithTimeout(b.ctx, 45*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		// Leave what the page looked like for whoever reads the failure.
		where, _ := chromedp.Run(b.ctx, chromedp.Location())
		if png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100)); err == nil {
			os.WriteFile(filepath.Join(b.out, "failed.png"), png, 0o644)
		}
		html, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector("main") ? document.querySelector("main").outerHTML : ""`))
		b.t.Fatalf("%s: %v\nat %s (testdata/out/failed.png)\nproblems so far: %v\n%s", step, err, where, b.problems, html)
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

// phone switches the tab to a phone's width and fails the test for each page of paths that
// scrolls sideways there.
func (b *browser) phone(paths ...string) {
	b.t.Helper()
	b.do("phone", chromedp.EmulateViewport(390, 844))
	for _, p := range paths {
		b.open(p)
		wide, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
		if err != nil || wide {
			b.t.Errorf("%s is wider than a phone (%v)", p, err)
		}
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
