package billing_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

func TestPushRules(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		in := h.buy("OFFI-CALLS")["OFFI-CALLS"]
		other, err := h.orders.Purchase(h.ctx, market.AsBuyer(h.buyer), order.PurchaseRequest{Items: []order.Item{{ProductID: "OFFI-OTHER"}}})
		if err != nil {
			t.Fatal(err)
		}
		h.settle()
		otherIn := h.instance(other.Lines[0].ID)
		if otherIn.ID == "" {
			calls, _, _ := h.db.Calls(h.ctx, store.CallFilter{InstanceKey: otherIn.Key})
			for _, c := range calls {
				t.Logf("%s %s %s %s", c.Activity, c.State, c.ResultCode, c.LastError)
			}
			t.Fatalf("other merchant's instance not delivered: %s", otherIn.State)
		}
		if _, err := h.billing.TopUp(h.ctx, market.AsOperator(), h.buyer, 3000, "pack"); err != nil {
			t.Fatal(err)
		}
		pack := h.buy("OFFI-PACK")["OFFI-PACK"]
		h.clock.Set(t0.Add(3 * time.Hour)) // 13:00
		old := rec(in, "sn-old", "10:00", "11:00", "1")
		old.BeginTime, old.EndTime = "20261101T000000Z", "20261101T010000Z"
		future := rec(in, "sn-future", "10:00", "11:00", "1")
		future.EndTime = "20261129T140000Z"
		cases := []struct {
			rec  kgp.UsageRecord
			code kgp.ErrorCode
			why  string
		}{
			{rec(in, "sn-ok", "10:00", "11:00", "12.5"), kgp.MKTSuccess, ""},
			{rec(in, "sn-zero", "11:00", "12:00", "0"), kgp.MKTBadInput, "greater than 0"},
			{rec(in, "sn-decimals", "11:00", "12:00", "1.23456"), kgp.MKTBadInput, "4 decimals"},
			{kgp.UsageRecord{InstanceID: in.ID, MeteringSN: "sn-format", RecordTime: "2026-11-29 11:00", BeginTime: "x", EndTime: "y", UsageValue: "1"}, kgp.MKTBadInput, "record_time"},
			{rec(&market.Instance{ID: "nope"}, "sn-unknown", "10:00", "11:00", "1"), kgp.MKTNoInstance, "does not exist"},
			{rec(otherIn, "sn-other", "10:00", "11:00", "1"), kgp.MKTIllegalOp, "another merchant"},
			{rec(pack, "sn-pack", "10:00", "11:00", "1"), kgp.MKTInvalidUsage, "not a pay-per-use"},
			{old, kgp.MKTBeginTooOld, "21 days"},
			{future, kgp.MKTInvalidUsage, "future"},
			{rec(in, "sn-early", "09:00", "10:00", "1"), kgp.MKTInvalidUsage, "before the instance started"},
		}
		var recs []kgp.UsageRecord
		for _, c := range cases {
			recs = append(recs, c.rec)
		}
		first := h.push("m-acme", recs...)
		if first.ErrorCode != kgp.MKTBadInput || len(first.AbnormalUsageData) != len(cases)-1 ||
			!strings.HasPrefix(first.ExtraInfo, "1 of 10 records accepted") {
			t.Fatalf("answer %+v", first)
		}
		for i, a := range first.AbnormalUsageData {
			c := cases[i+1]
			if a.Index != i+1 || a.ErrorCode != c.code || !strings.Contains(a.ErrorMsg, c.why) {
				t.Errorf("record %d: %+v, want %s %q", i+1, a, c.code, c.why)
			}
		}
		// The same push again: the same answer, nothing counted twice.
		again := h.push("m-acme", recs...)
		if again.ErrorCode != first.ErrorCode || len(again.AbnormalUsageData) != len(first.AbnormalUsageData) {
			t.Fatalf("repeat answered %+v", again)
		}
		hours, _ := h.db.UsageHours(h.ctx, in.Key, 10)
		if len(hours) != 1 || hours[0].Quantity != 125_000 || hours[0].Records != 1 {
			t.Fatalf("stored usage %+v", hours)
		}
		if ok := h.push("m-acme", rec(in, "sn-ok2", "11:00", "12:00", "2")); ok.ErrorCode != kgp.MKTSuccess || ok.ErrorMsg != "Success." || ok.AbnormalUsageData != nil {
			t.Fatalf("clean push answered %+v", ok)
		}
	})
}

func TestDuplicatesFirstWins(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		in := h.buy("OFFI-CALLS")["OFFI-CALLS"]
		h.clock.Set(t0.Add(2 * time.Hour))
		h.push("m-acme", rec(in, "sn-1", "10:00", "11:00", "5"))
		// Same metering_sn, another window; same window, another metering_sn; and both inside one push.
		answer := h.push("m-acme", rec(in, "sn-1", "10:30", "11:00", "7"), rec(in, "sn-2", "10:00", "11:00", "9"),
			rec(in, "sn-3", "10:10", "10:20", "1"), rec(in, "sn-3", "10:10", "10:20", "100"), rec(in, "sn-4", "10:10", "10:20", "100"))
		if answer.ErrorCode != kgp.MKTSuccess {
			t.Fatalf("duplicates answered %+v", answer)
		}
		hours, _ := h.db.UsageHours(h.ctx, in.Key, 10)
		if len(hours) != 1 || hours[0].Quantity != 60_000 || hours[0].Records != 2 {
			t.Fatalf("stored %+v, want 5 + 1 in two records", hours)
		}
	})
}

func TestHourlyCollectionAndLateRecords(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		in := h.buy("OFFI-CALLS")["OFFI-CALLS"]
		if _, err := h.billing.TopUp(h.ctx, market.AsOperator(), h.buyer, 1_000_000, "pay-1"); err != nil {
			t.Fatal(err)
		}
		h.clock.Set(t0.Add(65 * time.Minute)) // 11:05, inside minutes 0-15
		h.push("m-acme", rec(in, "a", "10:00", "10:30", "100"), rec(in, "b", "10:30", "11:00", "200"))
		h.at(t0.Add(75 * time.Minute)) // 11:15: not yet (the job runs a minute after)
		if len(h.bills()) != 0 {
			t.Fatal("billed before the collection's margin")
		}
		h.at(t0.Add(77 * time.Minute)) // 11:17: the 11:15 collection ran
		bills := h.bills()
		if len(bills) != 1 || bills[0].Amount != 3_000 || !bills[0].From.Equal(t0) || !bills[0].To.Equal(t0.Add(time.Hour)) {
			t.Fatalf("bills %+v", bills)
		}
		// A record for 10:xx arriving at 11:20 missed its collection: it goes to 12:15, late.
		h.clock.Set(t0.Add(80 * time.Minute))
		h.push("m-acme", rec(in, "c", "10:45", "11:00", "50"))
		h.at(t0.Add(137 * time.Minute)) // 12:17
		bills = h.bills()
		if len(bills) != 2 || bills[0].Amount != 500 || bills[0].Lines[0].Late != 500_000 || !bills[0].From.Equal(t0.Add(time.Hour)) {
			t.Fatalf("late bill %+v", bills[0])
		}
		balance, entries, _ := h.db.Account(h.ctx, h.buyer, 10)
		if balance != 1_000_000-3_000-500 || len(entries) != 3 {
			t.Fatalf("balance %s, %d entries", balance, len(entries))
		}
		// Ticking again changes nothing: each collection runs once.
		h.at(t0.Add(138 * time.Minute))
		if n := len(h.bills()); n != 2 {
			t.Fatalf("%d bills after a repeated tick", n)
		}
	})
}

func TestDailyCollectionAndPricing(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		ins := h.buy("OFFI-GB", "OFFI-SMS")
		h.billing.TopUp(h.ctx, market.AsOperator(), h.buyer, 10_000_000, "pay-1")
		h.clock.Set(t0.Add(3 * time.Hour))
		// GB is daily STEP: 150 units reach the second band, so all of them cost 0.400.
		// SMS is hourly TIER: 1100 units = 100 × 0.050 + 900 × 0.040 + 100 × 0.030.
		h.push("m-acme", rec(ins["OFFI-GB"], "g1", "10:00", "12:00", "150"), rec(ins["OFFI-SMS"], "s1", "11:00", "12:00", "1100"))
		h.at(t0.Add(3*time.Hour + 20*time.Minute)) // 13:20: the hourly 12:15 collection ran
		bills := h.bills()
		if len(bills) != 1 || len(bills[0].Lines) != 1 || bills[0].Amount != 5_000+36_000+3_000 {
			t.Fatalf("hourly bills %+v", bills)
		}
		h.at(time.Date(2026, 11, 30, 1, 2, 0, 0, time.UTC)) // the daily collection at 01:00
		bills = h.bills()
		if len(bills) != 2 || bills[0].Amount != 60_000 || !bills[0].From.Equal(time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("daily bill %+v", bills[0])
		}
	})
}

func TestPackageDrawnFirst(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		h.billing.TopUp(h.ctx, market.AsOperator(), h.buyer, 10_000_000, "pay-1")
		ins := h.buy("OFFI-SMS", "OFFI-PACK") // the package's 3.000 is paid from the balance
		sms, pack := ins["OFFI-SMS"], ins["OFFI-PACK"]
		h.clock.Set(t0.Add(90 * time.Minute))
		r := rec(sms, "p1", "10:00", "11:00", "150")
		r.RelatePkgInstance = pack.ID
		if a := h.push("m-acme", r); a.ErrorCode != kgp.MKTSuccess {
			t.Fatalf("push %+v", a)
		}
		bad := rec(sms, "p2", "10:00", "10:30", "1")
		bad.RelatePkgInstance = sms.ID
		if a := h.push("m-acme", bad); a.ErrorCode != kgp.MKTInvalidUsage {
			t.Fatalf("a pay-per-use instance as a package: %+v", a)
		}
		h.at(t0.Add(137 * time.Minute))
		bills := h.bills()
		if len(bills) != 1 || bills[0].Lines[0].FromPackage != 1_000_000 || bills[0].Amount != 2_500 {
			t.Fatalf("bill %+v: want 100 units from the package and 50 at 0.050", bills)
		}
		quota, used, err := h.db.Package(h.ctx, pack.Key)
		if err != nil || used != quota {
			t.Fatalf("package %d of %d used, %v", used, quota, err)
		}
	})
}

// TestArrearsFreezeReleaseAndTopUp: a bill that leaves the balance below zero freezes the
// instance it billed (no grace without a customer level) and only that one: the buyer's other
// pay-per-use instance follows at its own collection (rules §8.4).
func TestArrearsFreezeReleaseAndTopUp(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		ins := h.buy("OFFI-CALLS", "OFFI-SMS")
		calls, sms := ins["OFFI-CALLS"], ins["OFFI-SMS"]
		h.clock.Set(t0.Add(70 * time.Minute))
		h.push("m-acme", rec(calls, "a", "10:00", "11:00", "100"))
		h.at(t0.Add(77 * time.Minute)) // billed 1.000 on a zero balance: arrears
		if got := h.instance(calls.Key); got.State != market.InstanceFrozen || !got.ReleaseAt.Equal(h.clock.Now().AddDate(0, 0, 15)) {
			t.Fatalf("billed instance %s until %v", got.State, got.ReleaseAt)
		}
		if got := h.instance(sms.Key); got.State != market.InstanceActive {
			t.Fatalf("an instance not billed was frozen with the other: %s", got.State)
		}
		if mi, _ := h.merchant.Instance(calls.ID); !mi.Frozen {
			t.Fatal("merchant not told to freeze")
		}
		// A top-up that does not clear the debt changes nothing; one that does unfreezes.
		if b, err := h.billing.TopUp(h.ctx, market.AsOperator(), h.buyer, 500, "pay-1"); err != nil || b != -500 {
			t.Fatalf("partial top-up: %s, %v", b, err)
		}
		if h.instance(calls.Key).State != market.InstanceFrozen {
			t.Fatal("unfrozen while still in arrears")
		}
		if b, err := h.billing.TopUp(h.ctx, market.AsOperator(), h.buyer, 500, "pay-1"); err != nil || b != -500 {
			t.Fatalf("a repeated top-up counted twice: %s, %v", b, err)
		}
		if _, err := h.billing.TopUp(h.ctx, market.AsOperator(), h.buyer, 600, "pay-2"); err != nil {
			t.Fatal(err)
		}
		h.settle()
		if got := h.instance(calls.Key); got.State != market.InstanceActive || !got.ReleaseAt.IsZero() {
			t.Fatalf("after top-up: %s, release %v", got.State, got.ReleaseAt)
		}
		if mi, _ := h.merchant.Instance(calls.ID); mi.Frozen {
			t.Fatal("merchant not told to unfreeze")
		}
		// The old release timer finds the instance active and does nothing.
		h.at(h.clock.Now().AddDate(0, 0, 16))
		if h.instance(calls.Key).State != market.InstanceActive {
			t.Fatal("released after the arrears were cleared")
		}
		// New arrears of the other instance, never cleared: it alone is released after 15
		// days of retention.
		h.push("m-acme", rec(sms, "s", "10:00", "11:00", "1000")) // late: collected at the next minute 15
		h.at(h.clock.Now().Add(time.Hour + 17*time.Minute))
		if h.instance(sms.Key).State != market.InstanceFrozen {
			t.Fatalf("sms instance %s", h.instance(sms.Key).State)
		}
		h.at(h.clock.Now().AddDate(0, 0, 15).Add(time.Hour))
		if h.instance(sms.Key).State != market.InstanceReleased || h.instance(calls.Key).State != market.InstanceActive {
			t.Fatalf("sms instance %s, calls instance %s after retention", h.instance(sms.Key).State, h.instance(calls.Key).State)
		}
		if mi, _ := h.merchant.Instance(sms.ID); !mi.Released {
			t.Fatal("merchant not told to release")
		}
	})
}

func TestMonthlyStatement(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		in := h.buy("OFFI-CALLS")["OFFI-CALLS"]
		h.billing.TopUp(h.ctx, market.AsOperator(), h.buyer, 10_000_000, "pay-1")
		h.clock.Set(t0.Add(70 * time.Minute))
		h.push("m-acme", rec(in, "a", "10:00", "11:00", "12345.6789"))
		h.at(t0.Add(77 * time.Minute)) // a bill of 123.457
		h.at(time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC))
		if list, _ := h.db.Statements(h.ctx, "m-acme", 10); len(list) != 1 || list[0].Month != "2026-10" {
			t.Fatalf("before the bill day only October's statement exists (its bill day passed): %+v", list)
		}
		h.at(time.Date(2026, 12, 7, 0, 1, 0, 0, time.UTC))
		list, _ := h.db.Statements(h.ctx, "m-acme", 10)
		// Below the CNY 1,000 minimum of its product type: held for a later run (rules §8.4).
		if len(list) != 2 || list[0].Month != "2026-11" || list[0].Sales != 0 || list[0].Held != 123_457 || list[0].Settlement != 0 {
			t.Fatalf("statements %+v", *list[0])
		}
		if err := h.billing.Settle(h.ctx, "2026-11"); err != nil {
			t.Fatal(err)
		}
		if list, _ := h.db.Statements(h.ctx, "", 10); len(list) != 4 { // m-acme and m-other, October and November, once each
			t.Fatalf("%d statements after a repeat", len(list))
		}
	})
}
