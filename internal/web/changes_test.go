package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// TestTrialUpgradeUnsubscribe converts a trial, upgrades an instance as a rule allows,
// unsubscribes one and withdraws the request, each through the instance page's forms.
func TestTrialUpgradeUnsubscribe(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, err := f.e.Catalog.CreateProduct(f.e.Ctx, market.AsOperator(), catalog.ProductRequest{ID: "p-tiers", MerchantID: f.shop.M.ID, Name: "Tiers", Specs: []catalog.SpecRequest{
		{SkuCode: "tiers-basic", Name: "Basic", Charging: market.ChargingPeriod, Delivery: market.DeliverySaaS, Plans: []catalog.PlanRequest{{ProductID: "OFFI-TIERS-BASIC", Period: market.PeriodMonth, Price: 99_000}}},
		{SkuCode: "tiers-pro", Name: "Pro", Charging: market.ChargingPeriod, Delivery: market.DeliverySaaS, Plans: []catalog.PlanRequest{{ProductID: "OFFI-TIERS-PRO", Period: market.PeriodMonth, Price: 199_000}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	f.e.Rule("p-tiers", [2]string{"tiers-basic", "tiers-pro"})
	c := f.login(f.token)
	buy := func(product, plan string, trial bool) string {
		t.Helper()
		form := url.Values{"plan": {plan}, "periods": {"1"}, "agree": {"yes"}, "key": {market.NewSecret(10)}}
		if trial {
			form.Set("trial", "yes")
		}
		status, body, h := f.post(c, "/products/"+product+"/buy", form)
		if status != http.StatusSeeOther {
			t.Fatalf("buy %s: %d %s", plan, status, between(body, `class="alert"`, "</div>"))
		}
		f.e.Settle()
		ins, _, err := f.e.Orders.Instances(f.e.Ctx, f.buyer, store.InstanceFilter{OrderID: strings.TrimPrefix(h.Get("Location"), "/my/orders/")})
		if err != nil || len(ins) != 1 {
			t.Fatal(ins, err)
		}
		return "/my/instances/" + ins[0].Key
	}

	trial := buy("p-shop", f.shop.Plans["plain"], true)
	if !f.instanceOf(trial).Trial {
		t.Fatal("not a trial")
	}
	_, body, _ := f.get(c, trial)
	if !strings.Contains(body, trial+"/convert") {
		t.Fatal("a trial's page offers no conversion")
	}
	if status, _, _ := f.post(c, trial+"/convert", url.Values{"periods": {"1"}, "key": {"c1"}}); status != http.StatusSeeOther {
		t.Fatalf("convert: %d", status)
	}
	f.e.Settle()
	if f.instanceOf(trial).Trial {
		t.Error("the trial was not converted")
	}

	basic := buy("p-tiers", "OFFI-TIERS-BASIC", false)
	_, body, _ = f.get(c, basic)
	if !strings.Contains(body, `value="OFFI-TIERS-PRO"`) {
		t.Fatal("the instance page does not offer the rule's upgrade")
	}
	status, body, _ := f.post(c, basic+"/upgrade", url.Values{})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-plan"`) {
		t.Errorf("upgrade without a plan: %d", status)
	}
	if status, body, _ := f.post(c, basic+"/upgrade", url.Values{"plan": {"OFFI-TIERS-PRO"}, "key": {"u1"}}); status != http.StatusSeeOther {
		t.Fatalf("upgrade: %d %s", status, between(body, `class="alert"`, "</div>"))
	}
	f.e.Settle()
	if got := f.instanceOf(basic).SkuCode; got != "tiers-pro" {
		t.Errorf("after the upgrade the instance is %s", got)
	}

	// The instance list filters by state.
	if _, body, _ := f.get(c, "/my/instances?state=ACTIVE"); !strings.Contains(body, basic) {
		t.Error("the active filter hides an active instance")
	}
	if _, body, _ := f.get(c, "/my/instances?state=FROZEN"); strings.Contains(body, basic) {
		t.Error("the frozen filter shows an active instance")
	}

	// Unsubscribe (a supervised SaaS; unsupervised SaaS cannot be): a reason is required, and
	// what was typed is kept with the error; then submitted and withdrawn.
	saas := buy("p-shop", f.shop.Plans["saas"], false)
	_, body, _ = f.get(c, saas, "Accept-Language", "en")
	if !strings.Contains(body, saas+"/unsubscribe") {
		t.Fatalf("no unsubscription form:\n%s", between(body, `id="unsub-h"`, "</section>"))
	}
	status, body, _ = f.post(c, saas+"/unsubscribe", url.Values{"amount": {"1.5"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-reason"`) || !strings.Contains(body, `value="1.5"`) {
		t.Errorf("unsubscribe without a reason: %d", status)
	}
	status, body, _ = f.post(c, saas+"/unsubscribe", url.Values{"reason": {"不需要了"}, "amount": {"1.5"}})
	if status != http.StatusSeeOther {
		t.Fatalf("unsubscribe: %d %s", status, between(body, `class="alert"`, "</div>"))
	}
	_, body, _ = f.get(c, "/my/unsubscriptions")
	id := between(body, `action="/my/unsubscriptions/`, `/withdraw"`)
	if id == "" || !strings.Contains(body, "待卖家审核") {
		t.Fatalf("the request is not listed awaiting the seller:\n%s", body)
	}
	if status, _, _ := f.post(c, "/my/unsubscriptions/"+id+"/withdraw", nil); status != http.StatusSeeOther {
		t.Fatalf("withdraw: %d", status)
	}
	if _, body, _ = f.get(c, "/my/unsubscriptions", "Accept-Language", "en"); !strings.Contains(body, "Withdrawn") {
		t.Error("the request is not withdrawn")
	}
}

// TestLicensesAndRenewalCancel: a license instance's codes are listed, received and their
// heartbeats read; a renewal whose period has not started is cancelled from its order page.
func TestLicensesAndRenewalCancel(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.login(f.token)
	o := f.e.Buy(f.buyer, f.shop, "lic", 1)
	ins, _, err := f.e.Orders.Instances(f.e.Ctx, f.buyer, store.InstanceFilter{OrderID: o.ID})
	if err != nil || len(ins) != 1 {
		t.Fatal(ins, err)
	}
	path := "/my/instances/" + ins[0].Key
	lics, err := f.e.Licenses.Licenses(f.e.Ctx, f.buyer, ins[0].Key)
	if err != nil || len(lics) == 0 {
		t.Fatalf("licenses: %v %v", lics, err)
	}
	_, body, _ := f.get(c, path)
	if !strings.Contains(body, lics[0].Code) || !strings.Contains(body, path+"/licenses/receive") {
		t.Fatalf("the instance page lacks its codes or the receipt button")
	}
	if status, _, _ := f.post(c, path+"/licenses/receive", nil); status != http.StatusSeeOther {
		t.Fatalf("receive: %d", status)
	}
	if _, err := f.e.Licenses.Activate(f.e.Ctx, f.shop.Seller, lics[0].Code, &kgp.HeartbeatInfo{ThirdPartyAccount: "device-7", IP: "10.0.0.7"}); err != nil {
		t.Fatal(err)
	}
	status, body, _ := f.get(c, "/my/licenses/"+lics[0].Code, "Accept-Language", "en")
	if status != http.StatusOK || !strings.Contains(body, "device-7") || !strings.Contains(body, "Activation") {
		t.Errorf("heartbeats: %d", status)
	}

	plain := f.e.Buy(f.buyer, f.shop, "plain", 1)
	pins, _, _ := f.e.Orders.Instances(f.e.Ctx, f.buyer, store.InstanceFilter{OrderID: plain.ID})
	status, _, h := f.post(c, "/my/instances/"+pins[0].Key+"/renew", url.Values{"periods": {"1"}, "key": {"r"}})
	if status != http.StatusSeeOther {
		t.Fatalf("renew: %d", status)
	}
	f.e.Settle()
	renewal := h.Get("Location")
	_, body, _ = f.get(c, renewal)
	if !strings.Contains(body, renewal+"/cancel") {
		t.Fatalf("the renewal's page offers no cancellation")
	}
	if status, _, _ := f.post(c, renewal+"/cancel", nil); status != http.StatusSeeOther {
		t.Fatalf("cancel: %d", status)
	}
	f.e.Settle()
	r, err := f.e.Orders.Order(f.e.Ctx, f.buyer, strings.TrimPrefix(renewal, "/my/orders/"))
	if err != nil || r.Status != market.OrderCancelled {
		t.Errorf("the renewal is %v (%v), want cancelled", r.Status, err)
	}
	_, body, _ = f.get(c, renewal, "Accept-Language", "en")
	if !strings.Contains(body, "The renewal is cancelled and refunded.") {
		t.Error("no confirmation shown")
	}
}
