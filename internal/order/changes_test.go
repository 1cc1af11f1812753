package order_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/publish"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

// seats adds a product whose spec has a SKU with a quantity attribute (users, step 5, up to
// 100, 10.000 a user a month) and a scale-out rule from that SKU to itself by 5 users.
func (h *harness) seats() {
	h.t.Helper()
	h.env.Product("p-seats", h.m.ID, catalog.SpecRequest{SkuCode: "seats", Name: "Seats", Charging: market.ChargingPeriod,
		SKUs: []catalog.SKURequest{{ID: "seat", Name: "Seat", Unit: "users", Step: 5, Max: 100}},
		Plans: []catalog.PlanRequest{{ProductID: "OFFI-SEAT-M", Period: market.PeriodMonth, Price: 10_000, SKU: "seat"},
			{ProductID: "OFFI-SEAT-Y", Period: market.PeriodYear, Price: 100_000, SKU: "seat"}}})
	if _, err := h.svc.SetUpgradeRules(h.ctx, market.AsOperator(), "p-seats", []order.RuleRequest{
		{Source: market.SKURef{SkuCode: "seats", SkuID: "seat"}, Target: market.SKURef{SkuCode: "seats", SkuID: "seat"}, Step: 5}}); err != nil {
		h.t.Fatal(err)
	}
}

// TestUpgradeNeedsAValidRule: an upgrade within validity follows a rule that still holds, on an
// instance whose purchase completed (rules §1.7).
func TestUpgradeNeedsAValidRule(t *testing.T) {
	t.Parallel()
	each(t, 2, func(t *testing.T, h *harness) {
		key := h.buy(order.Item{ProductID: "OFFI-STD-M", PeriodNumber: 1}).Lines[0].ID
		// Rules are read live: without one, no upgrade.
		h.env.Rule("p-crm")
		if _, err := h.svc.Upgrade(h.ctx, h.buyer, key, order.ChangeRequest{ProductID: "OFFI-PRO-M"}); market.ErrorCode(err) != market.CodeInvalid {
			t.Fatalf("upgrade without a rule: %v", err)
		}
		// A rule whose target is priced below its source is in conflict, hence invalid.
		h.env.Rule("p-crm", [2]string{"std", "pro"}, [2]string{"pro", "std"})
		rules, err := h.svc.UpgradeRules(h.ctx, h.buyer, "p-crm")
		if err != nil || len(rules) != 2 || rules[0].Invalid == "" || rules[1].Invalid != "" {
			t.Fatalf("rules %+v, %v", rules, err)
		}
		// Rules are only between period specs.
		_, err = h.svc.SetUpgradeRules(h.ctx, market.AsOperator(), "p-api", []order.RuleRequest{{Source: market.SKURef{SkuCode: "api"},
			Target: market.SKURef{SkuCode: "once"}}})
		if market.ErrorCode(err) != market.CodeInvalid {
			t.Fatalf("a rule between pay-per-use and one-time specs: %v", err)
		}
		// A discontinued target voids the rule at once.
		if _, err := h.env.Publish.Create(h.ctx, market.AsOperator(), publish.ApplicationRequest{Type: market.AppRemoval, ProductID: "p-crm",
			Removal: &publish.Removal{SkuCode: "pro", Reason: "retired"}, Submit: true}); err != nil {
			t.Fatal(err)
		}
		if rules, _ := h.svc.UpgradeRules(h.ctx, h.buyer, "p-crm"); rules[1].Invalid == "" {
			t.Fatalf("the rule to a discontinued spec still holds: %+v", rules[1])
		}
		if _, err := h.svc.Upgrade(h.ctx, h.buyer, key, order.ChangeRequest{ProductID: "OFFI-PRO-M"}); market.ErrorCode(err) != market.CodeConflict {
			t.Fatalf("upgrade to a discontinued spec: %v", err)
		}
	})
}

// TestUpgradeOnlyCompletedOrders: an active instance whose order is not complete (another line
// of it still provisioning) is not upgraded.
func TestUpgradeOnlyCompletedOrders(t *testing.T) {
	t.Parallel()
	each(t, 2, func(t *testing.T, h *harness) {
		o := h.buy(order.Item{ProductID: "OFFI-STD-M", PeriodNumber: 1})
		err := h.db.Write(h.ctx, func(tx *store.Tx) error {
			_, err := tx.SetOrderStatus(h.ctx, o.ID, market.OrderProcessing, 0, "", h.clock.Now(), market.OrderCompleted)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = h.svc.Upgrade(h.ctx, h.buyer, o.Lines[0].ID, order.ChangeRequest{ProductID: "OFFI-PRO-M"})
		if market.ErrorCode(err) != market.CodeConflict {
			t.Fatalf("upgrading an instance whose order is processing: %v", err)
		}
	})
}

// TestScaleOut: a quantity SKU scales out within validity by multiples of the rule's step,
// for ScaleOutFee; scaling in waits for the renewal.
func TestScaleOut(t *testing.T) {
	t.Parallel()
	each(t, 2, func(t *testing.T, h *harness) {
		h.seats()
		o := h.buy(order.Item{ProductID: "OFFI-SEAT-M", PeriodNumber: 1, Quantity: 10})
		key := o.Lines[0].ID
		if o.Amount != 100_000 || h.instance(key).Quantity != 10 {
			t.Fatalf("10 seats cost %s, instance has %d", o.Amount, h.instance(key).Quantity)
		}
		h.advance(14*24*time.Hour, 7*24*time.Hour) // 14 of February's 28 days left
		for _, bad := range []int64{12, 5} {
			if _, err := h.svc.Upgrade(h.ctx, h.buyer, key, order.ChangeRequest{ProductID: "OFFI-SEAT-M", Quantity: bad}); market.ErrorCode(err) != market.CodeInvalid {
				t.Fatalf("scale to %d within validity: %v", bad, err)
			}
		}
		u, err := h.svc.Upgrade(h.ctx, h.buyer, key, order.ChangeRequest{ProductID: "OFFI-SEAT-M", Quantity: 20})
		if err != nil {
			t.Fatal(err)
		}
		// linear: 10 × 20 × 14/28 − 100 × 14/28 = 100 − 50 = 50
		if u.Amount != 50_000 {
			t.Fatalf("scale-out fee %s", u.Amount)
		}
		h.settle()
		h.wantOrder(u.ID, market.OrderCompleted)
		if in := h.instance(key); in.Quantity != 20 || h.merchant.Count(kgp.ActivityUpgradeInstance) != 1 {
			t.Fatalf("after scale-out: %d users, %d upgrade calls", in.Quantity, h.merchant.Count(kgp.ActivityUpgradeInstance))
		}
	})
}

// TestRenewalChange: from 30 days before expiry a renewal may downgrade; the merchant is asked
// with changeInstanceCheck, then told with refreshInstance RENEWAL_CHANGE (protocol §4.3, §4.8).
func TestRenewalChange(t *testing.T) {
	t.Parallel()
	each(t, 2, func(t *testing.T, h *harness) {
		yearly := h.buy(order.Item{ProductID: "OFFI-PRO-Y", PeriodNumber: 1}).Lines[0].ID
		if _, err := h.svc.RenewChange(h.ctx, h.buyer, yearly, order.ChangeRequest{ProductID: "OFFI-STD-Y", PeriodNumber: 1}); market.ErrorCode(err) != market.CodeConflict {
			t.Fatalf("a renewal change eleven months early: %v", err)
		}
		// A month ends within 30 days: the window is open.
		key := h.buy(order.Item{ProductID: "OFFI-PRO-M", PeriodNumber: 1}).Lines[0].ID
		before := h.instance(key)
		r, err := h.svc.RenewChange(h.ctx, h.buyer, key, order.ChangeRequest{ProductID: "OFFI-STD-M", PeriodNumber: 2})
		if err != nil {
			t.Fatal(err)
		}
		if r.Amount != 200_000 || !r.Lines[0].StartsAt.Equal(before.ExpireAt) {
			t.Fatalf("renewal change %s from %s", r.Amount, r.Lines[0].StartsAt)
		}
		h.settle()
		h.wantOrder(r.ID, market.OrderCompleted)
		in := h.wantInstance(key, market.InstanceActive)
		if in.SkuCode != "std" || in.ProductID != "OFFI-STD-M" || !in.ExpireAt.Equal(r.Lines[0].ExpireAt) || in.ID != before.ID {
			t.Fatalf("instance after the change %+v", in)
		}
		var check, refresh *sdktest.Request
		for _, req := range h.merchant.Requests() {
			switch req.Activity {
			case kgp.ActivityChangeInstanceCheck:
				check = &req
			case kgp.ActivityRefreshInstance:
				refresh = &req
			}
		}
		if check == nil || refresh == nil {
			t.Fatal("changeInstanceCheck or refreshInstance not sent")
		}
		pi := decodeBody(t, check.Body)["productInfo"].(map[string]any)
		if pi["productId"] != "OFFI-STD-M" || pi["skuCode"] != "std" || pi["productName"] == "" {
			t.Fatalf("productInfo %v", pi)
		}
		body := decodeBody(t, refresh.Body)
		if body["scene"] != kgp.SceneRenewalChange || body["productId"] != "OFFI-STD-M" || body["orderId"] != r.ID ||
			body["expireTime"] != kgp.FormatExpireTime(in.ExpireAt) {
			t.Fatalf("refreshInstance %v", body)
		}
		if _, err := h.svc.CancelRenewal(h.ctx, h.buyer, r.ID); market.ErrorCode(err) != market.CodeConflict {
			t.Fatalf("cancelling a renewal change: %v", err)
		}
	})
}

// TestRenewalChangeRefused: a merchant that refuses the check keeps the instance as it was, and
// the renewal is cancelled and refunded without a refreshInstance.
func TestRenewalChangeRefused(t *testing.T) {
	t.Parallel()
	each(t, 2, func(t *testing.T, h *harness) {
		h.seats()
		key := h.buy(order.Item{ProductID: "OFFI-SEAT-M", PeriodNumber: 1, Quantity: 20}).Lines[0].ID
		h.merchant.Set(func(k *sdktest.Knobs) { k.Fail = map[kgp.Activity]int{kgp.ActivityChangeInstanceCheck: 1} }) // "20 users are active: cannot shrink to 10"
		r, err := h.svc.RenewChange(h.ctx, h.buyer, key, order.ChangeRequest{ProductID: "OFFI-SEAT-M", PeriodNumber: 1, Quantity: 10})
		if err != nil {
			t.Fatal(err)
		}
		h.settle()
		got := h.wantOrder(r.ID, market.OrderCancelled)
		if got.Refunded != got.Amount || got.Amount != 100_000 {
			t.Fatalf("refused change refunded %s of %s", got.Refunded, got.Amount)
		}
		if in := h.instance(key); in.Quantity != 20 || h.merchant.Count(kgp.ActivityRefreshInstance) != 0 {
			t.Fatalf("instance %d users, %d refreshes", in.Quantity, h.merchant.Count(kgp.ActivityRefreshInstance))
		}
		// Agreed, the same scale-in renews with 10 users.
		r, err = h.svc.RenewChange(h.ctx, h.buyer, key, order.ChangeRequest{ProductID: "OFFI-SEAT-M", PeriodNumber: 1, Quantity: 10})
		if err != nil {
			t.Fatal(err)
		}
		h.settle()
		h.wantOrder(r.ID, market.OrderCompleted)
		if in := h.instance(key); in.Quantity != 10 {
			t.Fatalf("instance has %d users", in.Quantity)
		}
	})
}

// TestRenewalChangeNeeds2: 1.0 merchants have no changeInstanceCheck.
func TestRenewalChangeNeeds2(t *testing.T) {
	t.Parallel()
	each(t, 1, func(t *testing.T, h *harness) {
		key := h.buy(order.Item{ProductID: "OFFI-PRO-M", PeriodNumber: 1}).Lines[0].ID
		if _, err := h.svc.RenewChange(h.ctx, h.buyer, key, order.ChangeRequest{ProductID: "OFFI-STD-M", PeriodNumber: 1}); market.ErrorCode(err) != market.CodeConflict {
			t.Fatalf("renewal change on 1.0: %v", err)
		}
	})
}

// TestRulesVisibility: another merchant's seller cannot set a product's rules (not found), a
// buyer cannot either (not found: it may not act for the merchant), and a buyer cannot change
// another buyer's instance.
func TestRulesVisibility(t *testing.T) {
	t.Parallel()
	each(t, 2, func(t *testing.T, h *harness) {
		h.env.Merchant(marketplacetest.MerchantOpts{ID: "m-rival", Name: "Rival"})
		rival := h.env.Seller("m-rival", market.SellerAdmin)
		for _, v := range []market.Viewer{rival, h.buyer} {
			if _, err := h.svc.SetUpgradeRules(h.ctx, v, "p-crm", nil); market.ErrorCode(err) != market.CodeNotFound {
				t.Fatalf("%s sets acme's rules: %v", v.Role, err)
			}
		}
		key := h.buy(order.Item{ProductID: "OFFI-PRO-M", PeriodNumber: 1}).Lines[0].ID
		other := h.env.Buyer()
		if _, err := h.svc.RenewChange(h.ctx, other, key, order.ChangeRequest{ProductID: "OFFI-STD-M", PeriodNumber: 1}); market.ErrorCode(err) != market.CodeNotFound {
			t.Fatalf("another buyer changes the instance: %v", err)
		}
	})
}

// decodeBody decodes the JSON body of a request the merchant received.
func decodeBody(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return m
}
