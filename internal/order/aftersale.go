package order

import (
	"context"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// What the after-sale features do to orders and instances, in their own transactions:
// validity from acceptance, completion with the service flow, the end of an unsubscribed
// instance. The money of an unsubscription is the ledger's; here is the order's side.

// StartValidity starts the paid period of a supervised instance at at, when its buyer accepted
// the delivery (rules §4.4: "a 1-year license paid on 2020-01-01 and accepted on 2020-03-01 is
// valid from 2020-03-01 for one year"). The creating line's term moves to match; a SaaS merchant
// is told the expiry with refreshInstance. An instance whose validity already started is left
// alone (renewals create no new flow).
func (s *Service) StartValidity(ctx context.Context, tx *store.Tx, key string, at time.Time) error {
	in, err := tx.Instance(ctx, key)
	if err != nil || !in.ExpireAt.IsZero() || in.Charging != market.ChargingPeriod || in.Trial {
		return err
	}
	if in.State != market.InstanceActive && in.State != market.InstancePending && in.State != market.InstanceProvisioning {
		return nil
	}
	o, err := tx.Order(ctx, in.OrderID)
	if err != nil {
		return err
	}
	var l *market.OrderLine
	for i := range o.Lines {
		if o.Lines[i].ID == key {
			l = &o.Lines[i]
		}
	}
	if l == nil {
		return market.Errorf(market.CodeInternal, "instance %s has no creating line", key)
	}
	l.StartsAt, l.ExpireAt = at, addPeriods(at, l.Period, l.PeriodNumber)
	if err := tx.SetLineTerm(ctx, l.ID, l.StartsAt, l.ExpireAt); err != nil {
		return err
	}
	from := in.State
	in.ExpireAt, in.UpdatedAt = l.ExpireAt, s.clock.Now()
	if ok, err := tx.UpdateInstance(ctx, in, from); err != nil || !ok {
		if err == nil {
			err = market.Errorf(market.CodeConflict, "instance %s changed meanwhile; retry", key)
		}
		return err
	}
	if err := s.scheduleExpiry(ctx, tx, in); err != nil {
		return err
	}
	s.log.Info("validity started at acceptance", "instance", key, "from", l.StartsAt, "expire_at", l.ExpireAt)
	if in.Delivery != market.DeliverySaaS || in.ID == "" {
		return nil
	}
	m, err := tx.Merchant(ctx, in.MerchantID)
	if err != nil {
		return err
	}
	return s.send(ctx, tx, refreshCall(m, in, o, l, kgp.SceneRenewal), s.clock.Now())
}

// CompleteIfDelivered completes a new order whose instances are all active and whose service
// flows are complete, in tx: supervision calls it when a flow completes.
func (s *Service) CompleteIfDelivered(ctx context.Context, tx *store.Tx, orderID string) error {
	return s.completeIfDelivered(ctx, tx, orderID)
}

// Unsubscribed ends an instance whose unsubscription was refunded, in tx (rules §3.2, §3.4): an
// UNSUBSCRIBE order carrying the refund (as a negative amount), the instance released, and
// releaseInstance naming that order sent to the merchant. The order completes when the merchant
// confirms the release. reason is recorded on the order.
func (s *Service) Unsubscribed(ctx context.Context, tx *store.Tx, key string, refund market.Money, reason string) (*market.Order, error) {
	return s.end(ctx, tx, key, refund, reason)
}

// Release ends an instance at the operator's decision, without a refund (a violation, a
// platform decision; a refund goes through an unsubscription): an UNSUBSCRIBE order and
// releaseInstance, as for an unsubscription.
func (s *Service) Release(ctx context.Context, v market.Viewer, key, reason string) (*market.Order, error) {
	if err := v.MustBeOperator(); err != nil {
		return nil, err
	}
	if reason == "" || len(reason) > 500 {
		return nil, market.Invalid("reason", "a release needs a reason of 1 to 500 characters")
	}
	var o *market.Order
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		o, err = s.end(ctx, tx, key, 0, reason)
		return err
	})
	return o, err
}

func (s *Service) end(ctx context.Context, tx *store.Tx, key string, refund market.Money, reason string) (*market.Order, error) {
	in, err := tx.Instance(ctx, key)
	if err != nil {
		return nil, err
	}
	if in.State != market.InstanceActive && in.State != market.InstanceFrozen {
		return nil, market.Errorf(market.CodeConflict, "instance %s is %s", key, in.State)
	}
	plan, err := tx.Plan(ctx, in.ProductID)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	id := market.NewOrderID(now)
	o := &market.Order{ID: id, BuyerID: in.BuyerID, MerchantID: in.MerchantID, Type: market.OrderUnsubscribe, Status: market.OrderProcessing,
		Amount: -refund, Currency: plan.Currency, InstanceKey: key, Reason: reason, CreatedAt: now, UpdatedAt: now,
		Lines: []market.OrderLine{{ID: market.LineID(id, 1), OrderID: id, ProductID: in.ProductID, SkuCode: in.SkuCode, Charging: in.Charging,
			Period: in.Period, Amount: -refund}}}
	from := in.State
	in.State, in.UpdatedAt = market.InstanceReleased, now
	if ok, err := tx.UpdateInstance(ctx, in, from); err != nil || !ok {
		if err == nil {
			err = market.Errorf(market.CodeConflict, "instance %s changed meanwhile; retry", key)
		}
		return nil, err
	}
	if _, err := tx.InsertOrder(ctx, o, ""); err != nil {
		return nil, err
	}
	m, err := tx.Merchant(ctx, in.MerchantID)
	if err != nil {
		return nil, err
	}
	if err := s.notifyPaid(ctx, tx, o); err != nil {
		return nil, err
	}
	return o, s.call(ctx, tx, in, releaseCall(m, in, o))
}
