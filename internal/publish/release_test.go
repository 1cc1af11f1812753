package publish_test

import (
	"encoding/json"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk/sdktest"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace"
	"github.com/mercato-oss/mercato/internal/publish"
	"github.com/mercato-oss/mercato/internal/store"
)

// TestReleaseOnlyThroughApproval: a drafted product is seen by nobody but its merchant and the
// operator, cannot be bought, and goes on sale only when its release application is approved.
func TestReleaseOnlyThroughApproval(t *testing.T) {
	t.Parallel()
	each(t, nil, func(t *testing.T, h *harness) {
		app := h.draft("crm", goodDraft("crm"))
		if app.State != market.AppDraft || h.product(app.ProductID).Status != market.StatusDraft {
			t.Fatalf("draft %+v, product %s", app, h.product(app.ProductID).Status)
		}
		// Buyers see nothing of it.
		if _, err := h.Catalog.Product(h.Ctx, h.buyer, app.ProductID); market.ErrorCode(err) != market.CodeNotFound {
			t.Fatalf("buyer reads a draft: %v", err)
		}
		if _, err := h.Catalog.Product(h.Ctx, h.seller, app.ProductID); err != nil {
			t.Fatalf("seller reads its draft: %v", err)
		}
		// Submitting without debug cases breaks that rule, and only that one.
		_, err := h.Publish.Submit(h.Ctx, h.seller, app.ID)
		if rules := rulesOf(err); len(rules) != 1 || !rules["debug.passed"] {
			t.Fatalf("submit without debug cases: %v %v", err, market.ErrorDetails(err))
		}
		run := h.debug(app.ProductID)
		if run.State != market.RunPassed || len(run.Cases) != 4 {
			t.Fatalf("debug run %s with %d cases", run.State, len(run.Cases))
		}
		for i, name := range []string{market.CaseNew, market.CaseRenew, market.CaseExpire, market.CaseRelease} {
			if c := run.Cases[i]; c.Name != name || !c.Passed || c.Status != 200 {
				t.Fatalf("case %d: %+v", i, c)
			}
		}
		h.must(h.Publish.Submit(h.Ctx, h.seller, app.ID))
		if h.storefront()["OFFI-crm-STD-M"] || h.buy("OFFI-crm-STD-M", 0) == nil {
			t.Fatal("a product under review is on sale")
		}
		if len(h.storefront()) != 0 {
			t.Fatal("storefront is not empty")
		}
		got := h.must(h.Publish.Approve(h.Ctx, h.op, app.ID, ""))
		if got.State != market.AppApproved || h.product(app.ProductID).Status != market.StatusOnSalePublic {
			t.Fatalf("approved %s, product %s", got.State, h.product(app.ProductID).Status)
		}
		front := h.storefront()
		for _, id := range []string{"OFFI-crm-STD-M", "OFFI-crm-STD-Y", "OFFI-crm-BASIC-M", "OFFI-crm-PLUS-M"} {
			if !front[id] {
				t.Fatalf("%s not in the storefront %v", id, front)
			}
		}
		if err := h.buy("OFFI-crm-STD-M", 0); err != nil {
			t.Fatal(err)
		}
		// A quantity SKU is bought in multiples of its step.
		if err := h.buy("OFFI-crm-BASIC-M", 7); market.ErrorCode(err) != market.CodeInvalid {
			t.Fatalf("7 users of a 5-user step: %v", err)
		}
		if err := h.buy("OFFI-crm-BASIC-M", 10); err != nil {
			t.Fatal(err)
		}
		// The approved listing is the product's, with the attribute copy.
		l, err := h.Publish.Listing(h.Ctx, h.seller, app.ProductID)
		if err != nil || l.Version != "V1.0" || !l.Public {
			t.Fatalf("listing %+v, %v", l, err)
		}
		// The transitions are on record, and the seller was told of each.
		d, err := h.Publish.Application(h.Ctx, h.seller, app.ID)
		if err != nil {
			t.Fatal(err)
		}
		var path []market.ApplicationState
		for _, tr := range d.Transitions {
			path = append(path, tr.To)
		}
		if len(path) != 3 || path[0] != market.AppDraft || path[1] != market.AppPending || path[2] != market.AppApproved || d.Transitions[2].By != "operator" {
			t.Fatalf("transitions %v", path)
		}
		msgs, _, err := h.Notify.List(h.Ctx, h.seller, "", false, store.Page{})
		kinds := map[string]bool{}
		for _, m := range msgs {
			kinds[m.Kind] = m.Subject == app.ID
		}
		if err != nil || !kinds["application.draft"] || !kinds["application.pending_approval"] || !kinds["application.approved"] {
			t.Fatalf("messages %v, %v", kinds, err)
		}
	})
}

// TestListingRules: each rule of the release table fails on its own, with its field and name,
// and a listing breaking many gets them all in one answer.
func TestListingRules(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule, field string
		spoil       func(d *publish.Draft)
	}{
		{"name.huawei-cloud", "listing.name", func(d *publish.Draft) { d.Listing.Name = "Huawei Cloud CRM" }},
		{"name.price", "listing.name", func(d *publish.Draft) { d.Listing.Name = "CRM only ¥99" }},
		{"name.version", "listing.name", func(d *publish.Draft) { d.Listing.Name = "CRM V2.0" }},
		{"name.phone", "listing.name", func(d *publish.Draft) { d.Listing.Name = "CRM call 13800138000" }},
		{"length", "listing.name", func(d *publish.Draft) { d.Listing.Name = "" }},
		{"version.format", "listing.version", func(d *publish.Draft) { d.Listing.Version = "v0.1" }},
		{"version.format", "listing.version", func(d *publish.Draft) { d.Listing.Version = "First Version" }},
		{"description.length", "listing.description", func(d *publish.Draft) { d.Listing.Description = "Too short." }},
		{"description.superlative", "listing.description", func(d *publish.Draft) { d.Listing.Description += " 国家级 quality." }},
		{"description.image", "listing.description_images[0]", func(d *publish.Draft) {
			d.Listing.DescriptionImages = []market.Image{{Format: "GIF", Width: 800, Height: 600}}
		}},
		{"usage-guide.required", "listing.usage_guide", func(d *publish.Draft) { d.Listing.UsageGuide = "" }},
		{"usage-guide.pricing", "listing.usage_guide", func(d *publish.Draft) { d.Listing.UsageGuide += " Contact us for pricing." }},
		{"agreement.personal-data", "listing.agreement", func(d *publish.Draft) { d.Listing.Agreement = "We provide the service." }},
		{"agreement.signature", "listing.agreement", func(d *publish.Draft) { d.Listing.Agreement += " 双方签字盖章后生效。" }},
		{"logo.required", "listing.logo", func(d *publish.Draft) { d.Listing.Logo = nil }},
		{"logo.size", "listing.logo", func(d *publish.Draft) { d.Listing.Logo.Width = 200 }},
		{"logo.format", "listing.logo.format", func(d *publish.Draft) { d.Listing.Logo.Format = "GIF" }},
		{"logo.bytes", "listing.logo.bytes", func(d *publish.Draft) { d.Listing.Logo.Bytes = 6 << 20 }},
		{"label.certificate", "listing.labels[0]", func(d *publish.Draft) {
			d.Listing.Labels = []string{"KUNPENG"}
			d.Listing.Summary += " 鲲鹏"
			d.Listing.Description += " 鲲鹏"
		}},
		{"label.wording", "listing.summary", func(d *publish.Draft) {
			d.Listing.Labels, d.Listing.Certificates = []string{"KUNPENG"}, []string{"HUAWEI_COMPATIBLE"}
		}},
		{"label.wording", "listing.labels", func(d *publish.Draft) { d.Listing.Summary += " for hybrid cloud" }},
		{"spec.name-en", "specs[0].name_en", func(d *publish.Draft) { d.Specs[0].NameEN = "" }},
		{"spec.name-filler", "specs[0].name", func(d *publish.Draft) { d.Specs[0].Name = "详情请咨询" }},
		{"length", "specs[0].name", func(d *publish.Draft) { d.Specs[0].Name = strings.Repeat("名", 51) }},
		{"trial", "specs[0].trial_days", func(d *publish.Draft) { d.Specs[0].TrialDays = 2 }},
		{"region.code", "listing.regions", func(d *publish.Draft) { d.Listing.Regions = []string{"china"} }},
	}
	each(t, nil, func(t *testing.T, h *harness) {
		base := h.draft("rules", goodDraft("rules"))
		h.debug(base.ProductID)
		for _, tc := range cases {
			t.Run(tc.rule+"/"+tc.field, func(t *testing.T) {
				d := goodDraft("rules")
				tc.spoil(d)
				h.must(h.Publish.Update(h.Ctx, h.seller, base.ID, publish.ApplicationRequest{Draft: d}))
				_, err := h.Publish.Submit(h.Ctx, h.seller, base.ID)
				details := market.ErrorDetails(err)
				if len(details) != 1 || details[0].Rule != tc.rule || details[0].Field != tc.field {
					t.Fatalf("got %v, want only %s on %s", details, tc.rule, tc.field)
				}
			})
		}
		// Everything wrong at once: every rule reported in one answer, nothing changed.
		d := goodDraft("rules")
		d.Listing.Name, d.Listing.Version, d.Listing.Agreement, d.Listing.Logo = "Huawei Cloud CRM V2 13800138000", "1.0", "x", nil
		d.Specs[0].NameEN = ""
		h.must(h.Publish.Update(h.Ctx, h.seller, base.ID, publish.ApplicationRequest{Draft: d}))
		_, err := h.Publish.Submit(h.Ctx, h.seller, base.ID)
		rules := rulesOf(err)
		for _, want := range []string{"name.huawei-cloud", "name.version", "name.phone", "version.format", "agreement.personal-data", "logo.required", "spec.name-en"} {
			if !rules[want] {
				t.Fatalf("rule %s missing from %v", want, market.ErrorDetails(err))
			}
		}
		if app, _ := h.Publish.Application(h.Ctx, h.seller, base.ID); app.State != market.AppDraft {
			t.Fatalf("a refused submit left the application %s", app.State)
		}
	})
}

// TestDebugCasesAndProductionURL: a failing debug case keeps a release out of review; an
// upgradable product needs the upgrade case; the production URL must be a domain.
func TestDebugCasesAndProductionURL(t *testing.T) {
	t.Parallel()
	each(t, nil, func(t *testing.T, h *harness) {
		app := h.draft("dbg", goodDraft("dbg"))
		h.merchant.Set(func(k *sdktest.Knobs) { k.Fail = map[kgp.Activity]int{kgp.ActivityRefreshInstance: 1} })
		if run := h.debug(app.ProductID); run.State != market.RunFailed || run.Cases[1].Passed || !run.Cases[2].Passed {
			t.Fatalf("run with a failing renewal: %s %+v", run.State, run.Cases)
		}
		if _, err := h.Publish.Submit(h.Ctx, h.seller, app.ID); !rulesOf(err)["debug.passed"] {
			t.Fatalf("submit after a failed run: %v", err)
		}
		h.debug(app.ProductID) // passes now: the saved cases are the latest passed run
		d := goodDraft("dbg")
		d.Listing.Upgradable = true
		h.must(h.Publish.Update(h.Ctx, h.seller, app.ID, publish.ApplicationRequest{Draft: d}))
		if _, err := h.Publish.Submit(h.Ctx, h.seller, app.ID); !rulesOf(err)["debug.upgrade"] {
			t.Fatalf("upgradable without an upgrade case: %v", err)
		}
		if run := h.debug(app.ProductID); len(run.Cases) != 5 || run.Cases[2].Name != market.CaseUpgrade || run.State != market.RunPassed {
			t.Fatalf("upgradable run %s %+v", run.State, run.Cases)
		}
		h.must(h.Publish.Submit(h.Ctx, h.seller, app.ID))
		if n := h.merchant.Count("upgradeInstance"); n != 1 {
			t.Fatalf("%d upgrade cases sent", n)
		}
		for _, r := range h.merchant.Requests() {
			if got := fieldOf(r.Body, "testFlag"); got != "1" {
				t.Fatalf("%s sent with testFlag %q", r.Activity, got)
			}
		}
	})
	// The same merchant on an IP address, where the marketplace wants domains. (A subtest of
	// its own: a second "sqlite" subtest would be "sqlite#01", and '#' ends a SQLite file URI.)
	t.Run("ip", func(t *testing.T) {
		t.Parallel()
		each(t, func(c *marketplace.Config) { c.Publish.AllowIPProductionURL = false }, func(t *testing.T, h *harness) {
			app := h.draft("ip", goodDraft("ip"))
			h.debug(app.ProductID)
			if _, err := h.Publish.Submit(h.Ctx, h.seller, app.ID); !rulesOf(err)["production-url.domain"] {
				t.Fatalf("production URL on 127.0.0.1: %v", err)
			}
		})
	})
}

func fieldOf(body []byte, name string) string {
	var m map[string]any
	json.Unmarshal(body, &m)
	s, _ := m[name].(string)
	return s
}

// TestOperatorCreatesThroughApplication: the operator's direct creation is an application too,
// created and approved at once and on record.
func TestOperatorCreatesThroughApplication(t *testing.T) {
	t.Parallel()
	each(t, nil, func(t *testing.T, h *harness) {
		h.Product("p-op", "m-acme", catalog.SpecRequest{SkuCode: "op-std", Name: "Std", Charging: market.ChargingPeriod,
			Plans: []catalog.PlanRequest{{ProductID: "OFFI-OP-M", Period: market.PeriodMonth, Price: 1000}}})
		apps, _, err := h.Publish.Applications(h.Ctx, h.seller, store.ApplicationFilter{ProductID: "p-op"})
		if err != nil || len(apps) != 1 || apps[0].State != market.AppApproved || apps[0].Type != market.AppRelease || apps[0].CreatedBy != "operator" {
			t.Fatalf("applications %v, %v", apps, err)
		}
	})
}
