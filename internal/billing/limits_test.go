package billing_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// TestUsageNearTheLimits pushes random usage at and near the protocol's largest value for an
// instance whose charge overflows any bill and for ordinary ones, over several hours: every
// collection runs, no bill is negative, the ordinary instances are always billed, and the
// overflowing one is listed as left out instead of stopping billing for everyone.
func TestUsageNearTheLimits(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		seed := uint64(time.Now().UnixNano())
		rng := rand.New(rand.NewPCG(seed, 7))
		t.Logf("seed %d", seed)
		h.billing.TopUp(h.ctx, market.AsOperator(), h.buyer, market.MaxAmount, "pay-1")
		ins := h.buy("OFFI-CALLS", "OFFI-SMS", "OFFI-GOLD")
		values := []string{"99999999.9999", "99999999.9998", "50000000", "0.0001", "1", "12345678.1234"}
		sn := 0
		for hour := range 4 {
			h.at(t0.Add(time.Duration(hour)*time.Hour + 17*time.Minute)) // the collections tick every minute in a server
			h.clock.Set(t0.Add(time.Duration(hour+1)*time.Hour + 10*time.Minute))
			var recs []kgp.UsageRecord
			for _, id := range []string{"OFFI-CALLS", "OFFI-SMS", "OFFI-GOLD"} {
				for range 1 + rng.IntN(40) {
					sn++
					begin := t0.Add(time.Duration(hour)*time.Hour + time.Duration(sn)*time.Second)
					recs = append(recs, kgp.UsageRecord{InstanceID: ins[id].ID, MeteringSN: fmt.Sprintf("sn-%d", sn),
						RecordTime: kgp.FormatSdkDate(begin.Add(time.Second)), BeginTime: kgp.FormatSdkDate(begin),
						EndTime: kgp.FormatSdkDate(begin.Add(time.Second)), UsageValue: kgp.Decimal(values[rng.IntN(len(values))])})
				}
			}
			// The golden instance always gets the largest value once an hour: its charge overflows.
			top := recs[len(recs)-1]
			top.MeteringSN, top.UsageValue = fmt.Sprintf("top-%d", hour), "99999999.9999"
			top.BeginTime, top.EndTime = kgp.FormatSdkDate(t0.Add(time.Duration(hour)*time.Hour+50*time.Minute)), kgp.FormatSdkDate(t0.Add(time.Duration(hour)*time.Hour+51*time.Minute))
			recs = append(recs, top)
			// One value past the limit is refused with MKT.9002, naming the record; the rest stay.
			bad := recs[0]
			bad.MeteringSN, bad.UsageValue = "too-big", "100000000"
			answer := h.push("m-acme", append(recs, bad)...)
			if answer.ErrorCode != kgp.MKTInvalidUsage || len(answer.AbnormalUsageData) != 1 || answer.AbnormalUsageData[0].MeteringSN != "too-big" {
				t.Fatalf("push: %+v", answer)
			}
		}
		h.at(t0.Add(4*time.Hour + 17*time.Minute))
		for hour := range 4 {
			at := t0.Add(time.Duration(hour+1)*time.Hour + 15*time.Minute)
			if done, err := h.db.CollectionDone(h.ctx, at); err != nil || !done {
				t.Fatalf("collection %s did not run: %v", at, err)
			}
		}
		bills, _, err := h.db.Bills(h.ctx, h.buyer, store.Page{})
		if err != nil || len(bills) == 0 {
			t.Fatalf("%d bills, %v", len(bills), err)
		}
		for _, b := range bills {
			if b.Amount < 0 {
				t.Fatalf("negative bill %s: %s", b.ID, b.Amount)
			}
			billed := map[string]bool{}
			for _, l := range b.Lines {
				if l.Amount < 0 {
					t.Fatalf("negative line %+v", l)
				}
				billed[l.ProductID] = true
			}
			if billed["OFFI-GOLD"] || !billed["OFFI-CALLS"] || !billed["OFFI-SMS"] {
				t.Fatalf("bill %s billed %v", b.ID, billed)
			}
		}
		failures, err := h.db.CollectionFailures(h.ctx, 100)
		if err != nil || len(failures) != len(bills) || failures[0].InstanceKey != ins["OFFI-GOLD"].Key {
			t.Fatalf("failures %+v, %v", failures, err)
		}
	})
}
