package dialtest_test

import (
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

// harness: a merchant with a working production interface and a product on sale whose debug
// cases were run and saved, on a clock that starts at 08:00 China time (00:00 UTC).
type harness struct {
	*marketplacetest.Env
	t        *testing.T
	merchant *sdktest.Merchant
	seller   market.Viewer
}

var t0 = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) // Monday 08:00 in Shanghai

func setup(t *testing.T, d store.Dialect) *harness {
	e := marketplacetest.New(t, d, marketplacetest.Options{Start: t0})
	h := &harness{Env: e, t: t, merchant: sdktest.NewServer(t, sdktest.Options{Key: "dial-access-key-0123456789"})}
	e.Merchant(marketplacetest.MerchantOpts{ID: "m-acme", ProductionURL: h.merchant.URL, AccessKey: h.merchant.Key})
	e.Merchant(marketplacetest.MerchantOpts{ID: "m-other"})
	h.seller = e.Seller("m-acme", market.SellerOperations)
	e.Product("p-dial", "m-acme", catalog.SpecRequest{SkuCode: "dial", Name: "Std", Charging: market.ChargingPeriod,
		Plans: []catalog.PlanRequest{{ProductID: "OFFI-DIAL-M", Period: market.PeriodMonth, Price: 1000}}})
	e.Product("p-quiet", "m-acme", catalog.SpecRequest{SkuCode: "quiet", Name: "Std", Charging: market.ChargingPeriod,
		Plans: []catalog.PlanRequest{{ProductID: "OFFI-QUIET-M", Period: market.PeriodMonth, Price: 1000}}})
	r, err := e.Dial.RunDebug(e.Ctx, h.seller, "p-dial")
	if err != nil {
		t.Fatal(err)
	}
	e.Settle()
	if r, _ = e.Dial.Run(e.Ctx, h.seller, r.ID); r.State != market.RunPassed {
		t.Fatalf("debug run %s", r.State)
	}
	return h
}

func each(t *testing.T, fn func(t *testing.T, h *harness)) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, setup(t, d))
		})
	}
}

// day moves to the next dial round times: 09:00 and 15:00 China time are 01:00 and 07:00 UTC.
func (h *harness) rounds(days int) {
	h.t.Helper()
	for range days {
		for _, hours := range []time.Duration{1 * time.Hour, 6 * time.Hour, 17 * time.Hour} {
			h.Clock.Advance(hours)
			if err := h.Dial.Tick(h.Ctx); err != nil {
				h.t.Fatal(err)
			}
			h.Settle()
		}
	}
}

func (h *harness) dials(productID string) []*market.DebugRun {
	h.t.Helper()
	runs, _, err := h.Dial.Runs(h.Ctx, h.seller, productID, market.DebugDial, store.Page{Limit: store.MaxLimit})
	if err != nil {
		h.t.Fatal(err)
	}
	return runs
}

// TestDialTwiceADay: every product on sale with saved debug cases is dialled at 09:00 and 15:00,
// once per round however often the tick runs; products without saved cases are not.
func TestDialTwiceADay(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		h.rounds(2)
		// Ticks within a round start nothing more.
		for range 3 {
			if err := h.Dial.Tick(h.Ctx); err != nil {
				t.Fatal(err)
			}
		}
		h.Settle()
		runs := h.dials("p-dial")
		if len(runs) != 4 || len(h.dials("p-quiet")) != 0 {
			t.Fatalf("%d dial runs of p-dial, %d of p-quiet", len(runs), len(h.dials("p-quiet")))
		}
		shanghai := time.FixedZone("CST", 8*3600)
		for _, r := range runs {
			if at := r.RoundAt.In(shanghai).Format("15:04"); (at != "09:00" && at != "15:00") || r.State != market.RunPassed {
				t.Fatalf("round at %s: %s", at, r.State)
			}
		}
		detail, err := h.Dial.Run(h.Ctx, h.seller, runs[0].ID)
		if err != nil || len(detail.Cases) != 4 {
			t.Fatalf("dial run cases %v, %v", detail, err)
		}
	})
}

// TestFiveFailingDaysFreeze: five days of failing dial tests freeze the product (hidden, no new
// orders) and tell the seller; a day with one passing test breaks the streak.
func TestFiveFailingDaysFreeze(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		h.merchant.Set(func(k *sdktest.Knobs) { k.Down = true })
		h.rounds(4)
		if p, _ := h.DB.Product(h.Ctx, "p-dial"); p.Frozen {
			t.Fatal("frozen after four days")
		}
		h.rounds(1)
		if p, _ := h.DB.Product(h.Ctx, "p-dial"); !p.Frozen {
			t.Fatal("not frozen after five days of failures")
		}
		buyer := h.Buyer()
		_, err := h.Orders.Purchase(h.Ctx, buyer, order.PurchaseRequest{Items: []order.Item{{ProductID: "OFFI-DIAL-M", PeriodNumber: 1}}})
		if market.ErrorCode(err) != market.CodeConflict {
			t.Fatalf("ordering a frozen product: %v", err)
		}
		front, _, _ := h.Catalog.Catalog(h.Ctx, store.StorefrontFilter{})
		for _, e := range front {
			if e.Product.ID == "p-dial" {
				t.Fatal("a frozen product is in the storefront")
			}
		}
		msgs, _, _ := h.Notify.List(h.Ctx, h.seller, "", false, store.Page{Limit: store.MaxLimit})
		frozen, failed := 0, 0
		for _, m := range msgs {
			switch m.Kind {
			case "product.frozen":
				frozen++
			case "dialtest.failed":
				failed++
			}
		}
		if frozen != 1 || failed != 10 {
			t.Fatalf("%d freeze and %d failure messages", frozen, failed)
		}
		// Only the operator lifts it.
		if err := h.Publish.Unfreeze(h.Ctx, h.seller, "p-dial"); market.ErrorCode(err) != market.CodeForbidden {
			t.Fatalf("seller unfreezes: %v", err)
		}
		if err := h.Publish.Unfreeze(h.Ctx, market.AsOperator(), "p-dial"); err != nil {
			t.Fatal(err)
		}
	})
	// A passing test in the morning of day 3 keeps the product selling. (A subtest of its own:
	// a second "sqlite" subtest would be "sqlite#01", and '#' ends a SQLite file URI.)
	t.Run("streak", func(t *testing.T) { t.Parallel(); each(t, streakBroken) })
}

// streakBroken: failing dial tests on days 1, 2 and 4 to 7 with a pass on day 3 freeze nothing.
func streakBroken(t *testing.T, h *harness) {
	h.merchant.Set(func(k *sdktest.Knobs) { k.Down = true })
	h.rounds(2)
	h.merchant.Set(func(k *sdktest.Knobs) { k.Down = false })
	h.Clock.Advance(time.Hour)
	h.Dial.Tick(h.Ctx)
	h.Settle()
	h.merchant.Set(func(k *sdktest.Knobs) { k.Down = true })
	h.Clock.Advance(23 * time.Hour)
	h.rounds(4)
	if p, _ := h.DB.Product(h.Ctx, "p-dial"); p.Frozen {
		t.Fatal("frozen although day 3 had a passing test")
	}
}

// TestFailedOrdersPutUpForRemoval: a sixth interface-caused failed order in a calendar month
// puts the product into REMOVAL_PENDING for the operator (rules §1.6).
func TestFailedOrdersPutUpForRemoval(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		buyer := h.Buyer()
		h.merchant.Set(func(k *sdktest.Knobs) { k.Fail = map[kgp.Activity]int{kgp.ActivityNewInstance: 1 << 20} })
		for range 6 {
			if _, err := h.Orders.Purchase(h.Ctx, buyer, order.PurchaseRequest{Items: []order.Item{{ProductID: "OFFI-DIAL-M", PeriodNumber: 1}}}); err != nil {
				t.Fatal(err)
			}
		}
		h.Advance(3*time.Hour+time.Minute, 30*time.Minute) // every create given up on: six refunds
		h.merchant.Set(func(k *sdktest.Knobs) { k.Fail = map[kgp.Activity]int{kgp.ActivityNewInstance: 0} })
		h.rounds(1)
		p, _ := h.DB.Product(h.Ctx, "p-dial")
		if p.Status != market.StatusRemovalPending {
			t.Fatalf("product is %s after six failed orders", p.Status)
		}
		apps, _, err := h.Publish.Applications(h.Ctx, market.AsOperator(), store.ApplicationFilter{ProductID: "p-dial", Type: market.AppRemoval, State: market.AppPending})
		if err != nil || len(apps) != 1 || apps[0].CreatedBy != "platform" {
			t.Fatalf("removal applications %v, %v", apps, err)
		}
		// The operator decides: rejected, the product sells again.
		if _, err := h.Publish.Reject(h.Ctx, market.AsOperator(), apps[0].ID, "the merchant fixed its interface"); err != nil {
			t.Fatal(err)
		}
		if p, _ := h.DB.Product(h.Ctx, "p-dial"); p.Status != market.StatusOnSalePublic {
			t.Fatalf("after rejection: %s", p.Status)
		}
	})
}

// TestDebugRunVisibility: another merchant's seller and buyers cannot run or read a product's
// debug cases.
func TestDebugRunVisibility(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		other := h.Seller("m-other", market.SellerAdmin)
		buyer := h.Buyer()
		saved, err := h.Dial.Saved(h.Ctx, h.seller, "p-dial")
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []market.Viewer{other, buyer} {
			if _, err := h.Dial.RunDebug(h.Ctx, v, "p-dial"); market.ErrorCode(err) != market.CodeNotFound {
				t.Fatalf("%s runs debug cases: %v", v.Role, err)
			}
			if _, err := h.Dial.Run(h.Ctx, v, saved.ID); market.ErrorCode(err) != market.CodeNotFound {
				t.Fatalf("%s reads a run: %v", v.Role, err)
			}
			if _, err := h.Dial.Saved(h.Ctx, v, "p-dial"); market.ErrorCode(err) != market.CodeNotFound {
				t.Fatalf("%s reads saved cases: %v", v.Role, err)
			}
		}
	})
}
