package publish_test

import (
	"encoding/json"
	"testing"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace"
	"github.com/mercato-oss/mercato/internal/publish"
	"github.com/mercato-oss/mercato/internal/store"
)

// TestBusinessPlan (rules §2): a joint-operation product's plan for this year and the next two
// is submitted, rejected with a comment, resubmitted and approved, and shown on the product.
func TestBusinessPlan(t *testing.T) {
	t.Parallel()
	each(t, nil, func(t *testing.T, h *harness) {
		common := h.released("bp-common")
		d := goodDraft("bp")
		d.Listing.SalesType = market.SalesJoint
		app := h.draft("bp", d)
		h.debug(app.ProductID)
		h.must(h.Publish.Submit(h.Ctx, h.seller, app.ID))
		h.must(h.Publish.Approve(h.Ctx, h.op, app.ID, ""))
		plan := &publish.BusinessPlan{Years: []publish.PlanYear{{Year: 2026, GMV: 1_000_000_000, Projects: 10},
			{Year: 2027, GMV: 2_000_000_000, Projects: 20}, {Year: 2028, GMV: 3_000_000_000, Projects: 30}}}
		// Only joint-operation products have one; it covers three years from this one.
		_, err := h.Publish.Create(h.Ctx, h.seller, publish.ApplicationRequest{Type: market.AppBusinessPlan, ProductID: common, BusinessPlan: plan, Submit: true})
		if !rulesOf(err)["plan.joint"] {
			t.Fatalf("a plan for a common product: %v", err)
		}
		short := &publish.BusinessPlan{Years: plan.Years[1:]}
		_, err = h.Publish.Create(h.Ctx, h.seller, publish.ApplicationRequest{Type: market.AppBusinessPlan, ProductID: app.ProductID, BusinessPlan: short, Submit: true})
		if !rulesOf(err)["plan.years"] {
			t.Fatalf("a two-year plan from next year: %v", err)
		}
		bp := h.apply(publish.ApplicationRequest{Type: market.AppBusinessPlan, ProductID: app.ProductID, BusinessPlan: plan})
		h.must(h.Publish.Reject(h.Ctx, h.op, bp.ID, "GMV for 2028 is not credible"))
		plan.Years[2].GMV = 2_500_000_000
		h.must(h.Publish.Update(h.Ctx, h.seller, bp.ID, publish.ApplicationRequest{BusinessPlan: plan}))
		h.must(h.Publish.Submit(h.Ctx, h.seller, bp.ID))
		h.must(h.Publish.Approve(h.Ctx, h.op, bp.ID, ""))
		shown, err := h.Publish.PlanOf(h.Ctx, h.seller, app.ProductID)
		if err != nil {
			t.Fatal(err)
		}
		var got publish.BusinessPlan
		if err := json.Unmarshal(shown.Payload, &got); err != nil || got.Years[2].GMV != 2_500_000_000 {
			t.Fatalf("approved plan %s, %v", shown.Payload, err)
		}
		mine, _, _ := h.Publish.Applications(h.Ctx, h.seller, store.ApplicationFilter{Type: market.AppBusinessPlan})
		if len(mine) != 1 {
			t.Fatalf("%d business plans in my applications", len(mine))
		}
	})
}

// TestSalesRegions (rules §1.8): a product's regions lie within its signing entity's, and a buyer
// outside them cannot order.
func TestSalesRegions(t *testing.T) {
	t.Parallel()
	each(t, nil, func(t *testing.T, h *harness) {
		id := h.released("reg")
		if err := h.Publish.SetSigningRegions(h.Ctx, h.op, "m-acme", []string{"CN", "SG", "TH"}); err != nil {
			t.Fatal(err)
		}
		if err := h.Publish.SetSigningRegions(h.Ctx, h.seller, "m-acme", []string{"US"}); market.ErrorCode(err) != market.CodeForbidden {
			t.Fatalf("a seller sets its signing regions: %v", err)
		}
		// The buyer's country is not known yet: a limited product refuses it, clearly.
		err := h.buy("OFFI-reg-STD-M", 0)
		if market.ErrorCode(err) != market.CodeConflict {
			t.Fatalf("unknown country: %v", err)
		}
		if err := h.Publish.SetRegions(h.Ctx, h.seller, id, []string{"SG", "US"}); !rulesOf(err)["region.signing"] {
			t.Fatalf("a region outside the signing entity's: %v", err)
		}
		if err := h.Publish.SetRegions(h.Ctx, h.seller, id, []string{"SG"}); err != nil {
			t.Fatal(err)
		}
		if err := h.Publish.SetBuyerCountry(h.Ctx, h.op, h.buyer.BuyerID, "CN"); err != nil {
			t.Fatal(err)
		}
		if err := h.buy("OFFI-reg-STD-M", 0); market.ErrorCode(err) != market.CodeConflict {
			t.Fatalf("a buyer in CN orders a product sold in SG: %v", err)
		}
		if err := h.Publish.SetBuyerCountry(h.Ctx, h.op, h.buyer.BuyerID, "SG"); err != nil {
			t.Fatal(err)
		}
		if err := h.buy("OFFI-reg-STD-M", 0); err != nil {
			t.Fatalf("a buyer in SG: %v", err)
		}
	})
}

// TestAttributeTemplates (rules §1.11): presets are the operator's; custom attributes may not
// take preset names; a product keeps the copy made at its release.
func TestAttributeTemplates(t *testing.T) {
	t.Parallel()
	each(t, nil, func(t *testing.T, h *harness) {
		preset, err := h.Publish.CreateTemplate(h.Ctx, h.op, publish.TemplateRequest{Category: "crm", Type: "ENUMERATION", Code: "region", Name: "Region",
			Values: []string{"north", "south"}})
		if err != nil || preset.Origin != "PRESET" {
			t.Fatalf("preset %+v, %v", preset, err)
		}
		if _, err := h.Publish.UpdateTemplate(h.Ctx, h.seller, preset.ID, publish.TemplateRequest{Name: "Mine", Values: []string{"x"}}); market.ErrorCode(err) != market.CodeForbidden {
			t.Fatalf("a seller edits a preset: %v", err)
		}
		for _, name := range []string{"version", "Region"} {
			_, err := h.Publish.CreateTemplate(h.Ctx, h.seller, publish.TemplateRequest{Category: "crm", Type: "QUANTITY", Code: "c" + name, Name: name})
			if !rulesOf(err)["attribute.preset-name"] {
				t.Fatalf("custom attribute named %s: %v", name, err)
			}
		}
		custom, err := h.Publish.CreateTemplate(h.Ctx, h.seller, publish.TemplateRequest{Category: "crm", Type: "ENUMERATION", Code: "edition",
			Name: "Edition", Values: []string{"basic", "plus"}})
		if err != nil || custom.Origin != "CUSTOM" || custom.MerchantID != "m-acme" {
			t.Fatalf("custom %+v, %v", custom, err)
		}
		if err := h.Publish.DeleteTemplate(h.Ctx, h.other, custom.ID); market.ErrorCode(err) != market.CodeNotFound {
			t.Fatalf("another merchant deletes it: %v", err)
		}
		id := h.released("attr")
		if err := h.Publish.DeleteTemplate(h.Ctx, h.seller, custom.ID); err != nil {
			t.Fatal(err)
		}
		l, err := h.Publish.Listing(h.Ctx, h.seller, id)
		if err != nil || len(l.Attributes) != 1 || l.Attributes[0].Code != "edition" || len(l.Attributes[0].Values) != 2 {
			t.Fatalf("the product's copy %+v, %v", l.Attributes, err)
		}
		found, err := h.Publish.Templates(h.Ctx, h.seller, store.TemplateFilter{Name: "egio"})
		if err != nil || len(found) != 1 || found[0].ID != preset.ID {
			t.Fatalf("fuzzy search: %v, %v", found, err)
		}
	})
}

// TestInternationalSite (rules §1.12): English names, an English profile without links, and
// English support.
func TestInternationalSite(t *testing.T) {
	t.Parallel()
	each(t, func(c *marketplace.Config) { c.Publish.Site = "intl" }, func(t *testing.T, h *harness) {
		app := h.draft("intl", goodDraft("intl"))
		h.debug(app.ProductID)
		_, err := h.Publish.Submit(h.Ctx, h.seller, app.ID)
		rules := rulesOf(err)
		if !rules["intl.english"] || !rules["intl.support"] {
			t.Fatalf("international rules: %v", market.ErrorDetails(err))
		}
		d := goodDraft("intl")
		d.Listing.NameEN, d.Listing.CompanyProfile, d.Listing.SupportEnglish = "Acme CRM", "Acme builds CRM software, see https://acme.example", true
		h.must(h.Publish.Update(h.Ctx, h.seller, app.ID, publish.ApplicationRequest{Draft: d}))
		if _, err := h.Publish.Submit(h.Ctx, h.seller, app.ID); !rulesOf(err)["intl.links"] || len(market.ErrorDetails(err)) != 1 {
			t.Fatalf("a link in the profile: %v", market.ErrorDetails(err))
		}
		d.Listing.CompanyProfile = "Acme builds CRM software for small teams."
		h.must(h.Publish.Update(h.Ctx, h.seller, app.ID, publish.ApplicationRequest{Draft: d}))
		h.must(h.Publish.Submit(h.Ctx, h.seller, app.ID))
	})
}
