package order

import (
	"context"
	"fmt"
	"time"

	"github.com/mercato-oss/mercato/internal/fulfil"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// Renewal with a change (rules §1.7, protocol §4.3, §4.8): from RenewalChangeDays before expiry
// a buyer may renew into another spec or SKU, or another quantity — a downgrade or scale-in as
// well as an upgrade or scale-out. The merchant is asked first with changeInstanceCheck (2.0
// only: a downgrade must fit the instance's current usage); if it agrees, the instance takes the
// new spec and term and the merchant gets refreshInstance with scene RENEWAL_CHANGE. A merchant
// that refuses, or does not answer within the window, leaves the instance as it was and the
// renewal is cancelled and refunded.

// RenewalChangeDays is how long before expiry a renewal may change the spec (rules §1.7, §10 #8).
const RenewalChangeDays = 30

// RenewChange renews an instance into the plan req.ProductID (and req.Quantity) for
// req.PeriodNumber periods, starting at the current expiry.
func (s *Service) RenewChange(ctx context.Context, v market.Viewer, key string, req ChangeRequest) (*market.Order, error) {
	return s.apply(ctx, v, key, req, change{
		typ: market.OrderRenew, states: []market.InstanceState{market.InstanceActive, market.InstanceFrozen},
		build: func(in *market.Instance, e *market.CatalogEntry, _ *market.Order, now time.Time) (*market.OrderLine, error) {
			return s.renewChangeLine(ctx, in, e, req, now)
		},
		call: func(m *market.Merchant, in *market.Instance, o *market.Order) request {
			l := &o.Lines[0]
			return newCall(m, in, o.ID, kgp.ChangeInstanceCheck{InstanceID: in.ID, TestFlag: kgp.TestFlagNormal,
				ProductInfo: &kgp.ProductInfo{ProductID: l.ProductID, SkuCode: l.SkuCode, LinearValue: int(l.Quantity), ProductName: s.productName(ctx, l.ProductID)}})
		},
	})
}

// renewChangeLine checks a renewal change and prices its new term.
func (s *Service) renewChangeLine(ctx context.Context, in *market.Instance, e *market.CatalogEntry, req ChangeRequest, now time.Time) (*market.OrderLine, error) {
	cur, err := s.changeTarget(ctx, in, e)
	if err != nil {
		return nil, err
	}
	if e.Plan.Period != market.PeriodYear && e.Plan.Period != market.PeriodMonth {
		return nil, market.Invalid("product_id", "a renewal change goes to a yearly or monthly plan")
	}
	m, err := s.db.Merchant(ctx, in.MerchantID)
	if err != nil {
		return nil, err
	}
	if m.Generation != 2 && in.Delivery != market.DeliveryLicense {
		return nil, market.Errorf(market.CodeConflict, "a renewal with a spec change needs the merchant's 2.0 interfaces (changeInstanceCheck)")
	}
	if opens := in.ExpireAt.AddDate(0, 0, -RenewalChangeDays); now.Before(opens) {
		return nil, market.Errorf(market.CodeConflict, "a renewal may change the spec from %s, %d days before expiry", opens.Format(time.DateOnly), RenewalChangeDays)
	}
	quantity := req.Quantity
	if quantity == 0 {
		quantity = in.Quantity
	}
	src, dst := refOf(cur), refOf(e)
	switch {
	case src == dst && quantity == in.Quantity:
		return nil, market.Invalid("product_id", "nothing changes: renew without a change instead")
	case src == dst:
		rule, err := s.rule(ctx, s.db.Reader, &cur.Product, src, dst)
		if err != nil {
			return nil, err
		}
		if d := quantity - in.Quantity; d%rule.Step != 0 {
			return nil, market.Invalid("quantity", "the quantity changes by multiples of %d", rule.Step)
		}
	default:
		// An upgrade follows a rule forwards; a downgrade the same rule backwards.
		if _, err := s.rule(ctx, s.db.Reader, &cur.Product, src, dst); err != nil {
			if _, backErr := s.rule(ctx, s.db.Reader, &cur.Product, dst, src); backErr != nil {
				return nil, err
			}
		}
	}
	return periods(e, req.PeriodNumber, quantity, in.ExpireAt)
}

// productName is the name a merchant sees in productInfo: product and spec.
func (s *Service) productName(ctx context.Context, productID string) string {
	e, err := s.db.CatalogEntry(ctx, productID)
	if err != nil {
		return productID
	}
	n := []rune(e.Product.Name + " " + e.Spec.Name)
	return string(n[:min(len(n), 64)])
}

// changeCheckActivity is changeInstanceCheck as the lifecycle registers it.
func (s *Service) changeCheckActivity() fulfil.Activity {
	return fulfil.Activity{Name: string(kgp.ActivityChangeInstanceCheck), Window: fulfil.ShortWindow, Answered: s.changeChecked,
		GaveUp: s.changeUnchecked, Restartable: s.restartable}
}

// changeChecked handles the merchant's answer to changeInstanceCheck: 000000 applies the
// renewal change and sends refreshInstance RENEWAL_CHANGE; any other answer is a refusal.
func (s *Service) changeChecked(ctx context.Context, tx *store.Tx, call *market.Call, r *kgp.Response) (bool, error) {
	o, err := tx.Order(ctx, call.OrderID)
	if err != nil {
		return false, err
	}
	if o.Status != market.OrderProcessing {
		return true, nil // answered twice, or refunded meanwhile
	}
	in, err := tx.Instance(ctx, call.InstanceKey)
	if err != nil {
		return false, err
	}
	l := o.Lines[0]
	if r.ResultCode != kgp.ResultSuccess {
		return true, s.cancelChange(ctx, tx, o, fmt.Sprintf("the merchant refused the change (%s %s)", r.ResultCode, r.ResultMsg))
	}
	from := in.State
	if (from != market.InstanceActive && from != market.InstanceFrozen) || !in.ExpireAt.Equal(l.StartsAt) {
		return true, s.cancelChange(ctx, tx, o, "the instance changed before the merchant agreed")
	}
	now := s.clock.Now()
	in.ProductID, in.SkuCode, in.Period, in.Quantity = l.ProductID, l.SkuCode, l.Period, l.Quantity
	in.ExpireAt, in.ReleaseAt, in.UpdatedAt = l.ExpireAt, time.Time{}, now
	if ok, err := tx.UpdateInstance(ctx, in, from); err != nil || !ok {
		return false, err
	}
	if err := s.scheduleExpiry(ctx, tx, in); err != nil {
		return false, err
	}
	m, err := tx.Merchant(ctx, in.MerchantID)
	if err != nil {
		return false, err
	}
	return true, s.call(ctx, tx, in, refreshCall(m, in, o, &o.Lines[0], kgp.SceneRenewalChange))
}

// changeUnchecked cancels a renewal change whose check the merchant never answered.
func (s *Service) changeUnchecked(ctx context.Context, tx *store.Tx, call *market.Call) error {
	o, err := tx.Order(ctx, call.OrderID)
	if err != nil || o.Status != market.OrderProcessing {
		return err
	}
	return s.cancelChange(ctx, tx, o, "the merchant did not answer changeInstanceCheck within an hour")
}

// cancelChange cancels a renewal change and refunds it; the instance stays as it was.
func (s *Service) cancelChange(ctx context.Context, tx *store.Tx, o *market.Order, reason string) error {
	_, err := tx.SetOrderStatus(ctx, o.ID, market.OrderCancelled, o.Amount-o.Refunded, reason, s.clock.Now(), market.OrderProcessing)
	return err
}

// cancellable refuses to cancel a renewal that changed the spec: the merchant applied the
// change, which a cancellation (refreshInstance UNSUBSCRIBE_RENEWAL_PERIOD) would not undo.
func (s *Service) cancellable(ctx context.Context, r *market.Order) error {
	changed, err := s.db.OrderHasCall(ctx, r.ID, string(kgp.ActivityChangeInstanceCheck))
	if err == nil && changed {
		err = market.Errorf(market.CodeConflict, "order %s renewed with a change of spec; it cannot be cancelled", r.ID)
	}
	return err
}
