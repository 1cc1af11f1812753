package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/mercato-oss/mercato/internal/appeal"
	"github.com/mercato-oss/mercato/internal/enterprise"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/supervision"
	"github.com/mercato-oss/mercato/kgp"
)

// TestBrowserBuyerFlow walks a supervised purchase in a real browser: the buyer's requirement
// (refused empty first, then sent with a file), the seller's confirmation and delivery through
// the service, the buyer's acceptance; then the appeals, messages and enterprise pages. Each
// page is checked by axe-core; screenshots in both languages go to testdata/out.
func TestBrowserBuyerFlow(t *testing.T) {
	f := setup(t)
	fl := f.supervised()
	b := newBrowser(t, f)
	b.open("/login")
	b.do("sign in", chromedp.SendKeys(chromedp.ID("token"), f.token), chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(chromedp.CSS(".side")))

	b.open("/my/flows")
	b.axe("flows")
	b.shot("flows")
	page := "/my/flows/" + fl.ID
	b.do("to the flow", chromedp.Click(chromedp.CSS(`a[href="`+page+`"]`)), chromedp.WaitVisible(chromedp.ID("req-text")))

	// An empty requirement is refused at its field, in each language.
	b.expect(page + "/requirement")
	for _, lang := range []string{"zh-CN", "en"} {
		b.lang(lang)
		b.do("an empty requirement", chromedp.Click(chromedp.ID("req-submit")), chromedp.WaitVisible(chromedp.ID("err-st_text")))
		b.axe("flow, refused requirement")
		b.shotOne("flow-requirement-error")
	}
	file := filepath.Join(t.TempDir(), "需求说明.txt")
	if err := os.WriteFile(file, []byte("20 个用户，单点登录\n20 users, single sign-on\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.do("the requirement", chromedp.SendKeys(chromedp.ID("req-text"), "请为 20 个用户部署并开通单点登录。Deploy for 20 users with single sign-on."),
		chromedp.SetUploadFiles(chromedp.ID("req-files"), []string{file}), chromedp.Click(chromedp.ID("req-submit")),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := b.text("#flow-state"); !strings.Contains(got, "确认需求") && !strings.Contains(got, "confirming") {
		t.Errorf("after the requirement the flow is %q", got)
	}

	// The seller confirms and delivers (its console is another branch's; the service is the same).
	if _, err := f.e.Supervision.ConfirmRequirement(f.e.Ctx, f.shop.Seller, fl.ID, true, supervision.StepRequest{Text: "OK, we deploy it this week."}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Supervision.Deliver(f.e.Ctx, f.shop.Seller, fl.ID, supervision.StepRequest{Text: "部署完成：https://crm.example/acme\nDeployed: https://crm.example/acme",
		Files: []supervision.File{{Name: "delivery-report.pdf", Content: []byte("%PDF-1.4 report")}}}); err != nil {
		t.Fatal(err)
	}
	b.open(page)
	b.do("the acceptance form", chromedp.WaitVisible(chromedp.ID("acc-accept")))
	b.axe("flow, acceptance")
	b.shot("flow-acceptance")
	b.do("accept", chromedp.SendKeys(chromedp.ID("acc-text"), "验收通过 / Accepted"), chromedp.Click(chromedp.ID("acc-accept")),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got, _, err := f.e.Supervision.Flow(f.e.Ctx, f.buyer, fl.ID); err != nil || got.State != market.FlowAccepted {
		t.Fatalf("after acceptance: %+v %v", got, err)
	}
	b.axe("flow, accepted")
	b.shot("flow-accepted")

	// An appeal from the flow's page; the operator decides it; its message.
	b.do("file an appeal", chromedp.Click(chromedp.CSS("details > summary")), chromedp.WaitVisible(chromedp.ID("ap-reason")),
		chromedp.SendKeys(chromedp.ID("ap-reason"), "交付的系统无法登录。The delivered system does not let us sign in."),
		chromedp.SendKeys(chromedp.ID("ap-demand"), "请商家修复登录，或退款。Fix the sign-in, or refund."),
		chromedp.Click(chromedp.ID("ap-submit")), chromedp.WaitVisible(chromedp.ID("appeal-state")))
	b.axe("appeal")
	b.shot("appeal-open")
	aps, _, err := f.e.Appeals.Appeals(f.e.Ctx, f.buyer, store.AppealFilter{})
	if err != nil || len(aps) != 1 {
		t.Fatalf("appeals: %v %v", aps, err)
	}
	if _, err := f.e.Appeals.Decide(f.e.Ctx, market.AsOperator(), aps[0].ID, appeal.Decision{Outcome: market.OutcomeComplete,
		Note: "登录问题已由商家修复。The seller fixed the sign-in."}); err != nil {
		t.Fatal(err)
	}
	b.open("/my/appeals/" + aps[0].ID)
	b.axe("appeal, decided")
	b.shot("appeal-decided")
	b.open("/my/appeals")
	b.axe("appeals")
	b.open("/my/messages")
	b.axe("messages")
	b.shot("messages")
	b.do("open the message", chromedp.Click(chromedp.CSS(`tr.unread a[href^="/my/messages/"]`)), chromedp.WaitVisible(chromedp.ID("msg-body")))
	b.axe("message")

	// Enterprise administration, filled through the service.
	ctx := f.e.Ctx
	e, err := f.e.Enterprises.CreateEnterprise(ctx, f.buyer, enterprise.EnterpriseRequest{Name: "Acme 科技有限公司", TenantCode: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []enterprise.DepartmentRequest{{OrgCode: "rd", Name: "研发部 R&D"}, {OrgCode: "sales", Name: "销售部 Sales"},
		{OrgCode: "east", Name: "华东区 East China", ParentCode: "sales"}, {OrgCode: "web", Name: "Web 平台组", ParentCode: "rd"}} {
		if _, err := f.e.Enterprises.AddDepartment(ctx, f.buyer, e.TenantID, d); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.e.Enterprises.AddUsers(ctx, f.buyer, e.TenantID, []enterprise.UserRequest{
		{UserName: "zhang.wei", Name: "张伟", Email: "zhang.wei@acme.example", OrgCode: "web", Role: "admin"},
		{UserName: "li.na", Name: "李娜", Email: "li.na@acme.example", OrgCode: "east"}}); err != nil {
		t.Fatal(err)
	}
	b.open("/my/enterprise")
	b.axe("enterprise")
	b.shot("enterprise")
	b.open("/my/enterprise/departments")
	b.axe("departments")
	b.shot("enterprise-departments")
	b.open("/my/enterprise/users")
	b.expect("/my/enterprise/users")
	for _, lang := range []string{"zh-CN", "en"} {
		b.lang(lang)
		b.do("a user with a bad address", chromedp.SetValue(chromedp.ID("usr_user_name"), "wang.fang"), chromedp.SetValue(chromedp.ID("usr_name"), "王芳"),
			chromedp.SetValue(chromedp.ID("usr_email"), "wang.fang@"), chromedp.Click(chromedp.ID("usr-add")), chromedp.WaitVisible(chromedp.ID("err-usr_email")))
		if got, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.getElementById("usr_name").value`)); got != "王芳" {
			t.Errorf("the refused user form lost the name: %q", got)
		}
		b.axe("users, refused")
		b.shotOne("enterprise-users-error")
	}

	// Bind a joint-operation instance, create an application, authorize a user; the merchant
	// refuses the first authorization, which the sync log offers to retry.
	m, key := f.jointOp()
	b.open("/my/enterprise/bindings?instance=" + key)
	b.do("bind", chromedp.Click(chromedp.ID("bind")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	b.do("an application", chromedp.SendKeys(chromedp.ID("app-"+key), "CRM 客户管理"), chromedp.Submit(chromedp.ID("app-"+key)),
		chromedp.WaitVisible(chromedp.ID("auth-add")))
	f.e.Settle()
	m.Fail(kgp.KitAuthSync, 1)
	b.do("authorize", chromedp.Click(chromedp.CSS(`input[name="auth_add"][value="zhang.wei"]`)), chromedp.Click(chromedp.ID("auth-add")),
		chromedp.WaitVisible(chromedp.ID("authorized")))
	b.axe("application")
	b.shot("enterprise-app")
	f.e.Settle()
	b.open("/my/enterprise/bindings")
	b.axe("bindings")
	b.shot("enterprise-bindings")
	b.open("/my/enterprise/syncs")
	b.axe("syncs")
	b.shot("enterprise-syncs")
	b.do("retry", chromedp.Click(chromedp.CSS(`form[action$="/retry"] button`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	f.e.Settle()
	b.open("/my/enterprise/syncs")
	if n, _ := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('form[action$="/retry"]').length`)); n != 0 {
		t.Errorf("%d syncs still to retry after the retry", n)
	}

	b.do("phone", chromedp.EmulateViewport(390, 844))
	b.open(page)
	b.shot("flow-phone")
	b.check()
}

// shotOne saves a screenshot of the page as it is, in its language, as NAME-LANG.png: for a
// form's answer, which the language switch would leave.
func (b *browser) shotOne(name string) {
	b.t.Helper()
	lang, err := chromedp.Run(b.ctx, chromedp.Evaluate[string]("document.documentElement.lang"))
	if err != nil {
		b.t.Fatal(err)
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.out, name+"-"+lang+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}
