package publish_test

import (
	"context"
	"github.com/mercato-oss/mercato/internal/promo"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/publish"
	"github.com/mercato-oss/mercato/internal/store"
)

// TestHideAndUnhide (rules §1.5): a hidden product leaves the storefront but is bought by its
// link; unhiding makes all its specs public; a hidden spec is bought by the spec's link.
func TestHideAndUnhide(t *testing.T) {
	t.Parallel()
	each(t, nil, func(t *testing.T, h *harness) {
		id := h.released("vis")
		hide, show := false, true
		// Hiding is reviewed: nothing changes until it is approved.
		app := h.apply(publish.ApplicationRequest{Type: market.AppVisibility, ProductID: id, Visibility: &publish.Visibility{Public: &hide}})
		if h.product(id).Status != market.StatusOnSalePublic {
			t.Fatal("hidden before approval")
		}
		h.must(h.Publish.Approve(h.Ctx, h.op, app.ID, ""))
		if h.product(id).Status != market.StatusOnSaleHidden || len(h.storefront()) != 0 {
			t.Fatalf("hidden product %s, storefront %v", h.product(id).Status, h.storefront())
		}
		if _, err := h.Catalog.Product(h.Ctx, h.buyer, id); err != nil {
			t.Fatalf("a hidden product is reached by its link: %v", err)
		}
		if err := h.buy("OFFI-vis-STD-M", 0); err != nil {
			t.Fatalf("a hidden product is bought by its link: %v", err)
		}
		// Hide a spec, then unhide the product: every spec is public again.
		app = h.apply(publish.ApplicationRequest{Type: market.AppVisibility, ProductID: id, Visibility: &publish.Visibility{Specs: map[string]bool{"vis-seats": true}}})
		h.must(h.Publish.Approve(h.Ctx, h.op, app.ID, ""))
		if h.spec("vis-seats").Status != market.StatusOnSaleHidden || h.sku("vis-basic").Status != market.StatusOnSaleHidden {
			t.Fatal("spec not hidden with its SKUs")
		}
		app = h.apply(publish.ApplicationRequest{Type: market.AppVisibility, ProductID: id, Visibility: &publish.Visibility{Public: &show}})
		h.must(h.Publish.Approve(h.Ctx, h.op, app.ID, ""))
		if h.spec("vis-seats").Status != market.StatusOnSalePublic || h.sku("vis-plus").Status != market.StatusOnSalePublic {
			t.Fatal("unhiding the product left a spec hidden")
		}
		// A hidden spec of a public product: out of the storefront, in the product page for its
		// seller only, bought by the spec's link.
		app = h.apply(publish.ApplicationRequest{Type: market.AppVisibility, ProductID: id, Visibility: &publish.Visibility{Specs: map[string]bool{"vis-seats": true}}})
		h.must(h.Publish.Approve(h.Ctx, h.op, app.ID, ""))
		if front := h.storefront(); front["OFFI-vis-PLUS-M"] || !front["OFFI-vis-STD-M"] {
			t.Fatalf("storefront %v", front)
		}
		d, err := h.Catalog.Product(h.Ctx, h.buyer, id)
		if err != nil || len(d.Specs) != 1 {
			t.Fatalf("buyer's product page shows %d specs, %v", len(d.Specs), err)
		}
		if d, err := h.Catalog.Spec(h.Ctx, h.buyer, "vis-seats"); err != nil || len(d.Plans["vis-seats"]) != 2 {
			t.Fatalf("spec link: %v", err)
		}
		if err := h.buy("OFFI-vis-PLUS-M", 0); err != nil {
			t.Fatalf("a hidden spec is bought by its link: %v", err)
		}
		msgs, _, _ := h.Notify.List(h.Ctx, h.seller, "", false, store.Page{Limit: store.MaxLimit})
		changes := 0
		for _, m := range msgs {
			if m.Kind == "product.status" || m.Kind == "spec.status" {
				changes++
			}
		}
		if changes < 4 {
			t.Fatalf("%d sales-status messages", changes)
		}
	})
}

// TestRemovalCascade (rules §1.6): a removal names a reason and waits for review in
// REMOVAL_PENDING; a rejection restores the status; approval discontinues for good, with the
// cascade product → specs → SKUs; existing instances run to expiry but are not renewed.
func TestRemovalCascade(t *testing.T) {
	t.Parallel()
	each(t, nil, func(t *testing.T, h *harness) {
		id := h.released("rm")
		var told []string
		h.Publish.OnDiscontinued(func(_ context.Context, _ *store.Tx, productID, skuCode, skuID string) error {
			told = append(told, skuCode+"/"+skuID)
			return nil
		})
		// Vouchers scoped to what is discontinued become unusable (marketplace wiring, rules §1.6).
		voucher := func(scope market.VoucherScope, id string) string {
			vo, err := h.Vouchers.Issue(h.Ctx, h.seller, promo.IssueRequest{Kind: market.KindVoucher, BuyerID: h.buyer.BuyerID, Amount: 1_000,
				Scope: scope, ScopeID: id, ValidUntil: h.Clock.Now().AddDate(0, 1, 0)})
			if err != nil {
				t.Fatal(err)
			}
			return vo.ID
		}
		skuVoucher, specVoucher, otherVoucher := voucher(market.ScopeSKU, "rm-plus"), voucher(market.ScopeSpec, "rm-seats"), voucher(market.ScopeSpec, "rm-std")
		state := func(id string) market.VoucherState {
			vo, err := h.Vouchers.Voucher(h.Ctx, h.op, id)
			if err != nil {
				t.Fatal(err)
			}
			return vo.State
		}
		bought, err := h.Orders.Purchase(h.Ctx, h.buyer, order.PurchaseRequest{Items: []order.Item{{ProductID: "OFFI-rm-BASIC-M", PeriodNumber: 1, Quantity: 5}}})
		if err != nil {
			t.Fatal(err)
		}
		h.Settle()
		removal := func(r publish.Removal) (*market.Application, error) {
			return h.Publish.Create(h.Ctx, h.seller, publish.ApplicationRequest{Type: market.AppRemoval, ProductID: id, Removal: &r, Submit: true})
		}
		// A reason is required.
		_, err = removal(publish.Removal{SkuCode: "rm-std"})
		if !rulesOf(err)["removal.reason"] {
			t.Fatalf("removal without a reason: %v", err)
		}
		// A SKU: pending, rejected back, then approved.
		app, err := removal(publish.Removal{SkuCode: "rm-seats", SkuID: "rm-plus", Reason: "edition retired"})
		if err != nil || h.sku("rm-plus").Status != market.StatusRemovalPending {
			t.Fatalf("pending SKU removal: %v, %s", err, h.sku("rm-plus").Status)
		}
		if err := h.buy("OFFI-rm-PLUS-M", 0); market.ErrorCode(err) != market.CodeConflict {
			t.Fatalf("buying a SKU awaiting removal: %v", err)
		}
		h.must(h.Publish.Reject(h.Ctx, h.op, app.ID, "customers still buy it"))
		if h.sku("rm-plus").Status != market.StatusOnSalePublic {
			t.Fatal("rejection did not restore the SKU")
		}
		// Withdrawn, too, it gives the SKU back.
		app, _ = removal(publish.Removal{SkuCode: "rm-seats", SkuID: "rm-plus", Reason: "edition retired"})
		h.must(h.Publish.Withdraw(h.Ctx, h.seller, app.ID))
		if h.sku("rm-plus").Status != market.StatusOnSalePublic {
			t.Fatal("withdrawal did not restore the SKU")
		}
		if err := h.Publish.Delete(h.Ctx, h.seller, app.ID); err != nil {
			t.Fatal(err)
		}
		app, _ = removal(publish.Removal{SkuCode: "rm-seats", SkuID: "rm-plus", Reason: "edition retired"})
		h.must(h.Publish.Approve(h.Ctx, h.op, app.ID, ""))
		if h.sku("rm-plus").Status != market.StatusDiscontinued || h.sku("rm-basic").Status != market.StatusOnSalePublic {
			t.Fatal("SKU removal touched the wrong SKUs")
		}
		if state(skuVoucher) != market.VoucherInvalid || state(specVoucher) != market.VoucherActive {
			t.Fatalf("after the SKU's removal: SKU voucher %s, spec voucher %s", state(skuVoucher), state(specVoucher))
		}
		// A spec takes its SKUs with it; the bought instance keeps running but is not renewed.
		app, _ = removal(publish.Removal{SkuCode: "rm-seats", Reason: "spec retired"})
		h.must(h.Publish.Approve(h.Ctx, h.op, app.ID, ""))
		if h.spec("rm-seats").Status != market.StatusDiscontinued || h.sku("rm-basic").Status != market.StatusDiscontinued {
			t.Fatal("spec removal did not cascade to its SKUs")
		}
		if state(specVoucher) != market.VoucherInvalid || state(otherVoucher) != market.VoucherActive {
			t.Fatalf("after the spec's removal: its voucher %s, another spec's %s", state(specVoucher), state(otherVoucher))
		}
		key := bought.Lines[0].ID
		if in, _ := h.DB.Instance(h.Ctx, key); in.State != market.InstanceActive {
			t.Fatalf("instance of a discontinued spec is %s", in.State)
		}
		if _, err := h.Orders.Renew(h.Ctx, h.buyer, key, order.ChangeRequest{PeriodNumber: 1}); market.ErrorCode(err) != market.CodeConflict {
			t.Fatalf("renewing a discontinued spec: %v", err)
		}
		if err := h.buy("OFFI-rm-BASIC-M", 5); market.ErrorCode(err) != market.CodeConflict {
			t.Fatalf("buying a discontinued spec: %v", err)
		}
		// Removing something discontinued is refused.
		if _, err := removal(publish.Removal{SkuCode: "rm-seats", Reason: "again"}); !rulesOf(err)["status.on-sale"] {
			t.Fatalf("removing it twice: %v", err)
		}
		// The product: everything goes, and nothing more can be done with it.
		app, _ = removal(publish.Removal{Reason: "end of life"})
		if h.product(id).Status != market.StatusRemovalPending {
			t.Fatal("product not pending removal")
		}
		h.must(h.Publish.Approve(h.Ctx, h.op, app.ID, ""))
		if h.product(id).Status != market.StatusDiscontinued || h.spec("rm-std").Status != market.StatusDiscontinued {
			t.Fatal("product removal did not cascade")
		}
		hide := false
		_, err = h.Publish.Create(h.Ctx, h.seller, publish.ApplicationRequest{Type: market.AppVisibility, ProductID: id, Visibility: &publish.Visibility{Public: &hide}})
		wantCode(t, err, market.CodeConflict)
		_, err = h.Publish.Create(h.Ctx, h.seller, publish.ApplicationRequest{Type: market.AppModification, ProductID: id, Draft: goodDraft("rm")})
		wantCode(t, err, market.CodeConflict)
		if len(h.storefront()) != 0 {
			t.Fatal("a discontinued product is in the storefront")
		}
		if want := map[string]bool{"rm-seats/rm-plus": true, "rm-seats/": true, "rm-seats/rm-basic": true, "rm-std/": true}; !covers(told, want) {
			t.Fatalf("discontinuation hook told %v", told)
		}
	})
}

func covers(got []string, want map[string]bool) bool {
	seen := map[string]bool{}
	for _, g := range got {
		seen[g] = true
	}
	for w := range want {
		if !seen[w] {
			return false
		}
	}
	return true
}

// TestRemovalWithoutReview: where removals are not reviewed, they take effect as submitted.
func TestRemovalWithoutReview(t *testing.T) {
	t.Parallel()
	each(t, func(c *marketplace.Config) { c.Publish.RemovalReview[market.SalesCommon] = false }, func(t *testing.T, h *harness) {
		id := h.released("now")
		app := h.apply(publish.ApplicationRequest{Type: market.AppRemoval, ProductID: id, Removal: &publish.Removal{SkuCode: "now-std", Reason: "retired"}})
		if app.State != market.AppApproved || h.spec("now-std").Status != market.StatusDiscontinued {
			t.Fatalf("application %s, spec %s", app.State, h.spec("now-std").Status)
		}
	})
}

// TestModificationIsStaged (rules §1.4): the listed version keeps selling until the staged copy
// is approved; listed specs are delisted, never deleted; specs can be added until every spec is
// discontinued.
func TestModificationIsStaged(t *testing.T) {
	t.Parallel()
	each(t, nil, func(t *testing.T, h *harness) {
		id := h.released("mod")
		d := goodDraft("mod")
		d.Listing.Name = "Acme CRM Cloud mod"
		d.Specs[0].Name, d.Specs[0].Plans = "标准版二", nil
		d.Specs[1].Plans, d.Specs[1].SKUs = nil, nil
		d.Specs = append(d.Specs, catalog.SpecRequest{SkuCode: "mod-ent", Name: "企业版", NameEN: "Enterprise", Charging: market.ChargingPeriod,
			Plans: []catalog.PlanRequest{{ProductID: "OFFI-mod-ENT-M", Period: market.PeriodMonth, Price: 500_000}}})
		app := h.apply(publish.ApplicationRequest{Type: market.AppModification, ProductID: id, Draft: d})
		if p := h.product(id); p.Name != "Acme CRM mod" || h.storefront()["OFFI-mod-ENT-M"] {
			t.Fatalf("the staged copy shows before approval: %s", p.Name)
		}
		if err := h.buy("OFFI-mod-STD-M", 0); err != nil {
			t.Fatalf("the listed version stops selling during review: %v", err)
		}
		h.must(h.Publish.Approve(h.Ctx, h.op, app.ID, ""))
		if p := h.product(id); p.Name != "Acme CRM Cloud mod" || h.spec("mod-std").Name != "标准版二" || !h.storefront()["OFFI-mod-ENT-M"] {
			t.Fatalf("modification not applied: %s, %s", p.Name, h.spec("mod-std").Name)
		}
		// Deleting a listed spec, or changing its prices, is refused with the rule.
		bad := goodDraft("mod")
		bad.Specs = bad.Specs[:1]
		bad.Specs[0].Plans = nil
		_, err := h.Publish.Create(h.Ctx, h.seller, publish.ApplicationRequest{Type: market.AppModification, ProductID: id, Draft: bad, Submit: true})
		if rules := rulesOf(err); !rules["spec.delete"] {
			t.Fatalf("deleting listed specs: %v", market.ErrorDetails(err))
		}
		bad = goodDraft("mod")
		_, err = h.Publish.Create(h.Ctx, h.seller, publish.ApplicationRequest{Type: market.AppModification, ProductID: id, Draft: bad, Submit: true})
		if !rulesOf(err)["spec.terms"] {
			t.Fatalf("re-pricing listed specs: %v", market.ErrorDetails(err))
		}
		// Every spec discontinued: no specs can be added.
		for _, sku := range []string{"mod-std", "mod-seats", "mod-ent"} {
			h.must(h.Publish.Approve(h.Ctx, h.op, h.apply(publish.ApplicationRequest{Type: market.AppRemoval, ProductID: id,
				Removal: &publish.Removal{SkuCode: sku, Reason: "retired"}}).ID, ""))
		}
		more := &publish.Draft{Listing: d.Listing, Specs: []catalog.SpecRequest{{SkuCode: "mod-std"}, {SkuCode: "mod-seats"}, {SkuCode: "mod-ent"},
			{SkuCode: "mod-new", Name: "新版", NameEN: "New", Charging: market.ChargingPeriod,
				Plans: []catalog.PlanRequest{{ProductID: "OFFI-mod-NEW-M", Period: market.PeriodMonth, Price: 1}}}}}
		_, err = h.Publish.Create(h.Ctx, h.seller, publish.ApplicationRequest{Type: market.AppModification, ProductID: id, Draft: more, Submit: true})
		if !rulesOf(err)["spec.all-discontinued"] {
			t.Fatalf("adding to a product whose specs are all discontinued: %v", market.ErrorDetails(err))
		}
	})
}

// TestReviewDue: a review is due three business days after submission (rules §0).
func TestReviewDue(t *testing.T) {
	t.Parallel()
	each(t, nil, func(t *testing.T, h *harness) {
		// marketplacetest.T0 is a Saturday: three business days later is Wednesday.
		app := h.draft("due", goodDraft("due"))
		h.debug(app.ProductID)
		app = h.must(h.Publish.Submit(h.Ctx, h.seller, app.ID))
		if want := time.Date(2026, 2, 4, 9, 0, 0, 0, time.UTC); !app.DueAt.Equal(want) {
			t.Fatalf("due %s, want %s", app.DueAt, want)
		}
		queue, _, err := h.Publish.Applications(h.Ctx, h.op, store.ApplicationFilter{State: market.AppPending, Queue: true})
		if err != nil || len(queue) != 1 || queue[0].ID != app.ID {
			t.Fatalf("review queue %v, %v", queue, err)
		}
	})
}
