package order

import (
	"context"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Arrears (rules §8.4): when a buyer's balance goes below zero, the buyer's pay-per-use
// instances are frozen (updateInstanceStatus FREEZE; 1.0 instanceStatus FREEZE) and released
// after the retention period unless the buyer tops up first, which unfreezes them. Period
// instances are paid in advance and are not touched.

// FreezeForArrears freezes the buyer's active pay-per-use instances, in tx.
func (s *Service) FreezeForArrears(ctx context.Context, tx *store.Tx, buyerID string) (int, error) {
	return s.setArrears(ctx, tx, buyerID, true)
}

// UnfreezeAfterTopUp unfreezes the buyer's pay-per-use instances frozen for arrears, in tx.
func (s *Service) UnfreezeAfterTopUp(ctx context.Context, tx *store.Tx, buyerID string) (int, error) {
	return s.setArrears(ctx, tx, buyerID, false)
}

func (s *Service) setArrears(ctx context.Context, tx *store.Tx, buyerID string, freeze bool) (int, error) {
	from, to := market.InstanceActive, market.InstanceFrozen
	if !freeze {
		from, to = to, from
	}
	var ins []*market.Instance
	for page := (store.Page{Limit: store.MaxLimit}); ; {
		list, next, err := tx.Instances(ctx, store.InstanceFilter{BuyerID: buyerID, State: from, Page: page})
		if err != nil {
			return 0, err
		}
		ins = append(ins, list...)
		if next.IsZero() {
			break
		}
		page.After = next
	}
	now, n := s.clock.Now(), 0
	for _, in := range ins {
		if in.Charging != market.ChargingOnDemand {
			continue
		}
		m, err := tx.Merchant(ctx, in.MerchantID)
		if err != nil {
			return n, err
		}
		in.State, in.UpdatedAt, in.ReleaseAt = to, now, time.Time{}
		if freeze {
			in.ReleaseAt = now.AddDate(0, 0, s.cfg.RetentionDays)
		}
		if ok, err := tx.UpdateInstance(ctx, in, from); err != nil || !ok {
			if err != nil {
				return n, err
			}
			continue
		}
		if err := s.call(ctx, tx, in, statusCall(m, in, freeze)); err != nil {
			return n, err
		}
		if freeze {
			if err := tx.Enqueue(ctx, ReleaseArgs{Key: in.Key, ReleaseAt: in.ReleaseAt}, timerOpts(in.ReleaseAt)); err != nil {
				return n, err
			}
		}
		s.log.Info("pay-per-use instance", "instance", in.ID, "buyer", buyerID, "arrears", freeze, "state", to)
		n++
	}
	return n, nil
}
