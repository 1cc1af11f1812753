package billing_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/kgp"
)

// TestConcurrentPushes: four merchants' pushers sending overlapping records in different orders
// at once all get answers (no deadlock, no internal error), and each record is stored once.
func TestConcurrentPushes(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		ins := h.buy("OFFI-CALLS", "OFFI-SMS")
		h.clock.Set(t0.Add(2 * time.Hour))
		var recs []kgp.UsageRecord
		for i := range 300 {
			in := ins["OFFI-CALLS"]
			if i%2 == 1 {
				in = ins["OFFI-SMS"]
			}
			begin := t0.Add(time.Duration(i) * 10 * time.Second)
			recs = append(recs, kgp.UsageRecord{InstanceID: in.ID, MeteringSN: fmt.Sprintf("c-%03d", i), RecordTime: kgp.FormatSdkDate(begin.Add(time.Second)),
				BeginTime: kgp.FormatSdkDate(begin), EndTime: kgp.FormatSdkDate(begin.Add(time.Second)), UsageValue: "1"})
		}
		var wg sync.WaitGroup
		errs := make(chan error, 4*10)
		for p := range 4 {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(p), 1))
				for range 10 {
					batch := append([]kgp.UsageRecord(nil), recs...)
					rng.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
					r, err := h.metering.Push(h.ctx, market.AsSeller("m-acme"), &kgp.UsagePush{UsageRecords: batch[:200]}, false)
					if err == nil && r.ErrorCode != kgp.MKTSuccess {
						err = fmt.Errorf("answer %s %s", r.ErrorCode, r.ExtraInfo)
					}
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		n, _, err := h.db.CountUsage(h.ctx)
		if err != nil || n > 300 || n < 200 {
			t.Fatalf("%d records stored, %v", n, err)
		}
		totals, _ := h.db.UsageTotals(h.ctx, t0.Add(75*time.Minute))
		var sum int64
		for _, tt := range totals {
			sum += tt.Records
		}
		hours, _ := h.db.UsageTotals(h.ctx, t0.Add(135*time.Minute))
		for _, tt := range hours {
			sum += tt.Records
		}
		if sum != n {
			t.Fatalf("sums count %d records, %d stored", sum, n)
		}
	})
}
