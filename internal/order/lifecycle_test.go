package order_test

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

func TestPurchaseDelivers(t *testing.T) {
	t.Parallel()
	each(t, 2, func(t *testing.T, h *harness) {
		o := h.buy(order.Item{ProductID: "OFFI-STD-Y", PeriodNumber: 1})
		in := h.wantInstance(o.Lines[0].ID, market.InstanceActive)
		h.wantOrder(o.ID, market.OrderCompleted)
		if in.ID == "" || !in.ExpireAt.Equal(time.Date(2027, 1, 31, 9, 0, 0, 0, time.UTC)) {
			t.Fatalf("instance %+v", in)
		}
		var app kgp.AppInfo
		if err := json.Unmarshal(in.AppInfoJSON, &app); err != nil || in.EncryptType != "1" {
			t.Fatalf("appInfo %s (%s): %v", in.AppInfoJSON, in.EncryptType, err)
		}
		if user, err := kgp.DecryptCredential(h.m.AccessKey, kgp.EncryptAES256, app.UserName); err != nil || user != "admin-"+in.ID {
			t.Fatalf("userName decrypts to %q, %v", user, err)
		}
		// 2.0: newInstance carries IDs only, as sorted compact JSON.
		req := h.merchant.Requests()[0]
		if req.Activity != kgp.ActivityNewInstance || string(req.Body) != `{"activity":"newInstance","businessId":"`+
			fieldOf(req.Body, "businessId")+`","orderId":"`+o.ID+`","orderLineId":"`+o.Lines[0].ID+`","testFlag":"0"}` {
			t.Fatalf("newInstance body %s", req.Body)
		}
		if o.Amount != 1_000_000 {
			t.Fatalf("amount %s", o.Amount)
		}
	})
}

func fieldOf(body []byte, name string) string {
	var m map[string]string
	json.Unmarshal(body, &m)
	return m[name]
}

func TestAsyncProvisioningPolls(t *testing.T) {
	t.Parallel()
	each(t, 2, func(t *testing.T, h *harness) {
		h.merchant.Set(func(k *sdktest.Knobs) { k.Async, k.ReadyAfter = true, 2 })
		o := h.buy(order.Item{ProductID: "OFFI-STD-M", PeriodNumber: 1})
		h.wantInstance(o.Lines[0].ID, market.InstanceProvisioning)
		h.wantOrder(o.ID, market.OrderProcessing)
		h.advance(5*time.Minute, 30*time.Second)
		in := h.wantInstance(o.Lines[0].ID, market.InstanceActive)
		h.wantOrder(o.ID, market.OrderCompleted)
		if n := h.merchant.Count(kgp.ActivityQueryInstance); n != 3 || in.AppInfoJSON == nil {
			t.Fatalf("%d queries, appInfo %s", n, in.AppInfoJSON)
		}
	})
}

func TestCreateFailingThreeHoursRefunds(t *testing.T) {
	t.Parallel()
	each(t, 2, func(t *testing.T, h *harness) {
		h.merchant.Set(func(k *sdktest.Knobs) { k.Fail[kgp.ActivityNewInstance] = 1000 })
		o := h.buy(order.Item{ProductID: "OFFI-STD-M", PeriodNumber: 2})
		h.advance(2*time.Hour+59*time.Minute, 5*time.Minute)
		h.wantOrder(o.ID, market.OrderProcessing)
		h.advance(2*time.Minute, time.Minute)
		got := h.wantOrder(o.ID, market.OrderRefunded)
		h.wantInstance(o.Lines[0].ID, market.InstanceFailed)
		if got.Refunded != got.Amount || got.Amount != 200_000 {
			t.Fatalf("refunded %s of %s", got.Refunded, got.Amount)
		}
		calls, _, _ := h.db.Calls(h.ctx, store.CallFilter{InstanceKey: o.Lines[0].ID})
		if len(calls) != 1 || calls[0].State != market.CallFailed {
			t.Fatalf("calls %+v", calls)
		}
		// Every attempt was a fresh request: 30s, 1m, 2m, 5m, 10m, 20m, 30m, then hourly to 3 h.
		atts, _ := h.db.Attempts(h.ctx, calls[0].ID)
		if len(atts) != 10 || !atts[len(atts)-1].At.Equal(t0.Add(3*time.Hour)) {
			t.Fatalf("%d attempts, last at %v", len(atts), atts[len(atts)-1].At)
		}
		seen := map[string]bool{}
		for _, r := range h.merchant.Requests() {
			if b := fieldOf(r.Body, "businessId"); seen[b] {
				t.Fatal("businessId repeated across attempts")
			} else {
				seen[b] = true
			}
		}
		// The buyer has its money back: the call cannot be restarted.
		if _, err := h.env.Calls.Restart(h.ctx, market.AsOperator(), calls[0].ID); market.ErrorCode(err) != market.CodeConflict {
			t.Fatalf("restart of a refunded create: %v", err)
		}
	})
}

func TestOutageHealsWithinWindow(t *testing.T) {
	t.Parallel()
	each(t, 2, func(t *testing.T, h *harness) {
		h.merchant.Set(func(k *sdktest.Knobs) { k.Down = true })
		o := h.buy(order.Item{ProductID: "OFFI-STD-M", PeriodNumber: 1})
		h.advance(40*time.Minute, 5*time.Minute)
		h.wantInstance(o.Lines[0].ID, market.InstancePending)
		h.merchant.Set(func(k *sdktest.Knobs) { k.Down = false })
		h.advance(40*time.Minute, 5*time.Minute)
		h.wantInstance(o.Lines[0].ID, market.InstanceActive)
		h.wantOrder(o.ID, market.OrderCompleted)
		if n := h.merchant.Instances(); n != 1 {
			t.Fatalf("merchant created %d instances", n)
		}
	})
}

func TestRenewalCountsFromExpiry(t *testing.T) {
	t.Parallel()
	each(t, 2, func(t *testing.T, h *harness) {
		o := h.buy(order.Item{ProductID: "OFFI-STD-M", PeriodNumber: 1})
		key := o.Lines[0].ID
		h.wantInstance(key, market.InstanceActive)
		// Renew while active, switching to the yearly plan: 2026-02-28 + 1 year.
		r, err := h.svc.Renew(h.ctx, h.buyer, key, order.ChangeRequest{ProductID: "OFFI-STD-Y", PeriodNumber: 1})
		if err != nil {
			t.Fatal(err)
		}
		h.settle()
		h.wantOrder(r.ID, market.OrderCompleted)
		in := h.wantInstance(key, market.InstanceActive)
		want := time.Date(2027, 2, 28, 9, 0, 0, 0, time.UTC)
		if !in.ExpireAt.Equal(want) || in.ProductID != "OFFI-STD-Y" || r.Amount != 1_000_000 {
			t.Fatalf("expire %v product %s amount %s", in.ExpireAt, in.ProductID, r.Amount)
		}
		mi, _ := h.merchant.Instance(in.ID)
		if mi.ExpireTime != "20270228090000" || mi.Refreshes != 1 {
			t.Fatalf("merchant saw %+v", mi)
		}
		// The first month's expiry timer finds a later expiry and does nothing.
		h.advance(40*24*time.Hour, 24*time.Hour)
		h.wantInstance(key, market.InstanceActive)
	})
}

func TestExpiryFreezeRenewInRetentionUnfreezes(t *testing.T) {
	t.Parallel()
	each(t, 2, func(t *testing.T, h *harness) {
		o := h.buy(order.Item{ProductID: "OFFI-STD-M", PeriodNumber: 1})
		key := o.Lines[0].ID
		expiry := h.instance(key).ExpireAt
		h.advance(expiry.Sub(h.clock.Now())+time.Minute, 7*24*time.Hour)
		in := h.wantInstance(key, market.InstanceFrozen)
		if !in.ReleaseAt.Equal(expiry.AddDate(0, 0, 15)) {
			t.Fatalf("release at %v", in.ReleaseAt)
		}
		if mi, _ := h.merchant.Instance(in.ID); !mi.Frozen {
			t.Fatal("merchant not told to freeze")
		}
		h.advance(5*24*time.Hour, 24*time.Hour)
		r, err := h.svc.Renew(h.ctx, h.buyer, key, order.ChangeRequest{PeriodNumber: 1})
		if err != nil {
			t.Fatal(err)
		}
		h.settle()
		in = h.wantInstance(key, market.InstanceActive)
		// The renewed month starts at the original expiry: the frozen days are not given back.
		if !in.ExpireAt.Equal(time.Date(2026, 3, 28, 9, 0, 0, 0, time.UTC)) || !in.ReleaseAt.IsZero() {
			t.Fatalf("expire %v release %v", in.ExpireAt, in.ReleaseAt)
		}
		h.wantOrder(r.ID, market.OrderCompleted)
		if mi, _ := h.merchant.Instance(in.ID); mi.Frozen {
			t.Fatal("merchant not told to unfreeze")
		}
		// Past the old release date nothing happens.
		h.advance(12*24*time.Hour, 24*time.Hour)
		h.wantInstance(key, market.InstanceActive)
	})
}

func TestRetentionEndsInRelease(t *testing.T) {
	t.Parallel()
	each(t, 2, func(t *testing.T, h *harness) {
		o := h.buy(order.Item{ProductID: "OFFI-STD-M", PeriodNumber: 1})
		key := o.Lines[0].ID
		h.advance(29*24*time.Hour+15*24*time.Hour, 24*time.Hour)
		in := h.wantInstance(key, market.InstanceReleased)
		if mi, _ := h.merchant.Instance(in.ID); !mi.Released {
			t.Fatal("merchant not told to release")
		}
		if _, err := h.svc.Renew(h.ctx, h.buyer, key, order.ChangeRequest{PeriodNumber: 1}); market.ErrorCode(err) != market.CodeConflict {
			t.Fatalf("renewal after release: %v", err)
		}
	})
}

func TestTrialConvertsToFormal(t *testing.T) {
	t.Parallel()
	each(t, 2, func(t *testing.T, h *harness) {
		o, err := h.svc.Purchase(h.ctx, h.buyer, order.PurchaseRequest{Items: []order.Item{{ProductID: "OFFI-STD-M"}}, Trial: true})
		if err != nil {
			t.Fatal(err)
		}
		h.settle()
		key := o.Lines[0].ID
		in := h.wantInstance(key, market.InstanceActive)
		if !in.Trial || o.Type != market.OrderTrial || o.Amount != 0 || !in.ExpireAt.Equal(t0.AddDate(0, 0, 7)) {
			t.Fatalf("trial %+v, order %+v", in, o)
		}
		if _, err := h.svc.Purchase(h.ctx, h.buyer, order.PurchaseRequest{Items: []order.Item{{ProductID: "OFFI-PRO-M"}}, Trial: true}); market.ErrorCode(err) != market.CodeInvalid {
			t.Fatalf("trial of a spec without trial: %v", err)
		}
		h.advance(3*24*time.Hour, 24*time.Hour)
		c, err := h.svc.ConvertTrial(h.ctx, h.buyer, key, order.ChangeRequest{ProductID: "OFFI-STD-Y", PeriodNumber: 1})
		if err != nil {
			t.Fatal(err)
		}
		h.settle()
		h.wantOrder(c.ID, market.OrderCompleted)
		in = h.wantInstance(key, market.InstanceActive)
		if in.Trial || !in.ExpireAt.Equal(h.clock.Now().AddDate(1, 0, 0)) {
			t.Fatalf("converted %+v", in)
		}
		last := h.merchant.Requests()[len(h.merchant.Requests())-1]
		if fieldOf(last.Body, "scene") != kgp.SceneTrialToFormal || fieldOf(last.Body, "orderId") != c.ID {
			t.Fatalf("refresh %s", last.Body)
		}
		// The trial's own end passes without a freeze.
		h.advance(5*24*time.Hour, 24*time.Hour)
		h.wantInstance(key, market.InstanceActive)
	})
}

func TestCancelRenewal(t *testing.T) {
	t.Parallel()
	each(t, 2, func(t *testing.T, h *harness) {
		o := h.buy(order.Item{ProductID: "OFFI-STD-M", PeriodNumber: 1})
		key := o.Lines[0].ID
		before := h.instance(key).ExpireAt
		r, err := h.svc.Renew(h.ctx, h.buyer, key, order.ChangeRequest{PeriodNumber: 2})
		if err != nil {
			t.Fatal(err)
		}
		h.settle()
		c, err := h.svc.CancelRenewal(h.ctx, h.buyer, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		h.settle()
		got := h.wantOrder(r.ID, market.OrderCancelled)
		if got.Refunded != 200_000 {
			t.Fatalf("refunded %s", got.Refunded)
		}
		h.wantOrder(c.ID, market.OrderCompleted)
		in := h.wantInstance(key, market.InstanceActive)
		if !in.ExpireAt.Equal(before) {
			t.Fatalf("expiry %v, want %v", in.ExpireAt, before)
		}
		last := h.merchant.Requests()[len(h.merchant.Requests())-1]
		if fieldOf(last.Body, "scene") != kgp.SceneUnsubscribeRenewalPeriod || fieldOf(last.Body, "expireTime") != kgp.FormatExpireTime(before) {
			t.Fatalf("refresh %s", last.Body)
		}
		if _, err := h.svc.CancelRenewal(h.ctx, h.buyer, r.ID); market.ErrorCode(err) != market.CodeConflict {
			t.Fatalf("second cancel: %v", err)
		}
		// The instance expires at the original date again.
		h.advance(before.Sub(h.clock.Now())+time.Hour, 7*24*time.Hour)
		h.wantInstance(key, market.InstanceFrozen)
	})
}

func TestUpgradeKeepsInstance(t *testing.T) {
	t.Parallel()
	each(t, 2, func(t *testing.T, h *harness) {
		o := h.buy(order.Item{ProductID: "OFFI-STD-M", PeriodNumber: 1})
		key := o.Lines[0].ID
		h.advance(14*24*time.Hour, 7*24*time.Hour) // halfway through February (28 days)
		before := h.instance(key)
		u, err := h.svc.Upgrade(h.ctx, h.buyer, key, order.ChangeRequest{ProductID: "OFFI-PRO-M"})
		if err != nil {
			t.Fatal(err)
		}
		// 60.000 more a month, 14 of 28 days left.
		if u.Amount != 30_000 {
			t.Fatalf("upgrade costs %s", u.Amount)
		}
		h.settle()
		h.wantOrder(u.ID, market.OrderCompleted)
		in := h.wantInstance(key, market.InstanceActive)
		if in.ID != before.ID || in.SkuCode != "pro" || in.ProductID != "OFFI-PRO-M" || !in.ExpireAt.Equal(before.ExpireAt) {
			t.Fatalf("upgraded %+v", in)
		}
		if _, err := h.svc.Upgrade(h.ctx, h.buyer, key, order.ChangeRequest{ProductID: "OFFI-STD-M"}); market.ErrorCode(err) != market.CodeInvalid {
			t.Fatalf("downgrade: %v", err)
		}
		if _, err := h.svc.Upgrade(h.ctx, h.buyer, key, order.ChangeRequest{ProductID: "OFFI-PRO-Y"}); market.ErrorCode(err) != market.CodeInvalid {
			t.Fatalf("upgrade across period types: %v", err)
		}
	})
}

func TestUpgradeFailureRefunds(t *testing.T) {
	t.Parallel()
	each(t, 2, func(t *testing.T, h *harness) {
		o := h.buy(order.Item{ProductID: "OFFI-STD-M", PeriodNumber: 1})
		key := o.Lines[0].ID
		h.merchant.Set(func(k *sdktest.Knobs) { k.Fail[kgp.ActivityUpgradeInstance] = 1000 })
		u, err := h.svc.Upgrade(h.ctx, h.buyer, key, order.ChangeRequest{ProductID: "OFFI-PRO-M"})
		if err != nil {
			t.Fatal(err)
		}
		h.advance(3*time.Hour+time.Minute, 10*time.Minute)
		h.wantOrder(u.ID, market.OrderRefunded)
		if in := h.wantInstance(key, market.InstanceActive); in.SkuCode != "std" {
			t.Fatalf("sku %s", in.SkuCode)
		}
	})
}

func TestPayPerUseOneInstancePerItem(t *testing.T) {
	t.Parallel()
	each(t, 2, func(t *testing.T, h *harness) {
		o := h.buy(order.Item{ProductID: "OFFI-API-CALLS"}, order.Item{ProductID: "OFFI-API-GB"})
		if len(o.Lines) != 2 || o.Amount != 0 {
			t.Fatalf("order %+v", o)
		}
		ids := map[string]bool{}
		for _, l := range o.Lines {
			in := h.wantInstance(l.ID, market.InstanceActive)
			ids[in.ID] = true
			if !in.ExpireAt.IsZero() {
				t.Fatal("pay-per-use instance expires")
			}
		}
		if len(ids) != 2 || h.merchant.Instances() != 2 {
			t.Fatalf("instances %v", ids)
		}
		h.wantOrder(o.ID, market.OrderCompleted)
	})
}

// TestReleaseByOperator: the operator's release is an UNSUBSCRIBE order and releaseInstance
// naming it; a buyer cannot release.
func TestReleaseByOperator(t *testing.T) {
	t.Parallel()
	each(t, 2, func(t *testing.T, h *harness) {
		o := h.buy(order.Item{ProductID: "OFFI-ONCE"})
		key := o.Lines[0].ID
		in := h.wantInstance(key, market.InstanceActive)
		if _, err := h.svc.Release(h.ctx, h.buyer, key, "mine"); market.ErrorCode(err) != market.CodeForbidden {
			t.Fatalf("a buyer released: %v", err)
		}
		u, err := h.svc.Release(h.ctx, market.AsOperator(), key, "agreement violated")
		if err != nil {
			t.Fatal(err)
		}
		h.settle()
		h.wantInstance(key, market.InstanceReleased)
		h.wantOrder(u.ID, market.OrderCompleted)
		last := h.merchant.Requests()[len(h.merchant.Requests())-1]
		if last.Activity != kgp.ActivityReleaseInstance || fieldOf(last.Body, "orderId") != u.ID {
			t.Fatalf("release %s", last.Body)
		}
		if mi, _ := h.merchant.Instance(in.ID); !mi.Released {
			t.Fatal("not released at the merchant")
		}
	})
}

func TestRestartByHand(t *testing.T) {
	t.Parallel()
	each(t, 2, func(t *testing.T, h *harness) {
		o := h.buy(order.Item{ProductID: "OFFI-STD-M", PeriodNumber: 1})
		key := o.Lines[0].ID
		h.merchant.Set(func(k *sdktest.Knobs) { k.Fail[kgp.ActivityRefreshInstance] = 1000 })
		r, err := h.svc.Renew(h.ctx, h.buyer, key, order.ChangeRequest{PeriodNumber: 1})
		if err != nil {
			t.Fatal(err)
		}
		h.advance(61*time.Minute, 10*time.Minute)
		calls, _, _ := h.db.Calls(h.ctx, store.CallFilter{InstanceKey: key, State: market.CallFailed})
		if len(calls) != 1 || calls[0].Activity != string(kgp.ActivityRefreshInstance) {
			t.Fatalf("failed calls %+v", calls)
		}
		h.wantOrder(r.ID, market.OrderProcessing) // a renewal that failed waits for the seller
		h.merchant.Set(func(k *sdktest.Knobs) { k.Fail[kgp.ActivityRefreshInstance] = 0 })
		if _, err := h.env.Calls.Restart(h.ctx, market.AsOperator(), calls[0].ID); err != nil {
			t.Fatal(err)
		}
		h.settle()
		h.wantOrder(r.ID, market.OrderCompleted)
		if _, err := h.env.Calls.Restart(h.ctx, market.AsOperator(), calls[0].ID); market.ErrorCode(err) != market.CodeConflict {
			t.Fatalf("restart of a succeeded call: %v", err)
		}
	})
}

func TestConcurrentIdenticalPurchases(t *testing.T) {
	t.Parallel()
	each(t, 2, func(t *testing.T, h *harness) {
		var wg sync.WaitGroup
		ids := make(chan string, 50)
		for range 50 {
			wg.Go(func() {
				o, err := h.svc.Purchase(h.ctx, h.buyer, order.PurchaseRequest{Items: []order.Item{{ProductID: "OFFI-STD-M", PeriodNumber: 1}}, IdempotencyKey: "same"})
				if err != nil {
					t.Error(err)
					return
				}
				ids <- o.ID
			})
		}
		wg.Wait()
		close(ids)
		first := ""
		for id := range ids {
			if first == "" {
				first = id
			} else if id != first {
				t.Fatalf("two orders: %s and %s", first, id)
			}
		}
		h.settle()
		if list, _, _ := h.db.Orders(h.ctx, store.OrderFilter{BuyerID: h.buyer.BuyerID}); len(list) != 1 {
			t.Fatalf("%d orders stored", len(list))
		}
		if n := h.merchant.Count(kgp.ActivityNewInstance); n != 1 {
			t.Fatalf("%d newInstance calls", n)
		}
		// The same key for another purchase is a conflict, not a silent reuse.
		if _, err := h.svc.Purchase(h.ctx, h.buyer, order.PurchaseRequest{Items: []order.Item{{ProductID: "OFFI-STD-Y", PeriodNumber: 1}}, IdempotencyKey: "same"}); market.ErrorCode(err) != market.CodeConflict {
			t.Fatalf("reused key: %v", err)
		}
	})
}

func TestGeneration1(t *testing.T) {
	t.Parallel()
	each(t, 1, func(t *testing.T, h *harness) {
		o := h.buy(order.Item{ProductID: "OFFI-STD-M", PeriodNumber: 1})
		key := o.Lines[0].ID
		in := h.wantInstance(key, market.InstanceActive)
		h.wantOrder(o.ID, market.OrderCompleted)
		if in.AppInfoJSON == nil || h.merchant.Count(kgp.ActivityQueryInstance) != 0 {
			t.Fatal("1.0 appInfo comes with newInstance")
		}
		h.advance(in.ExpireAt.Sub(h.clock.Now())+time.Minute, 7*24*time.Hour)
		h.wantInstance(key, market.InstanceFrozen)
		if h.merchant.Count(kgp.ActivityExpireInstance) != 1 {
			t.Fatal("1.0 freeze is expireInstance")
		}
		if _, err := h.svc.Renew(h.ctx, h.buyer, key, order.ChangeRequest{PeriodNumber: 1}); err != nil {
			t.Fatal(err)
		}
		h.settle()
		h.wantInstance(key, market.InstanceActive)
		if mi, _ := h.merchant.Instance(in.ID); mi.Frozen || mi.Refreshes != 1 {
			t.Fatalf("merchant %+v", mi)
		}
	})
}
