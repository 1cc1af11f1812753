package order

import (
	"context"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// ChangeRequest is a renewal, a trial conversion or an upgrade of an existing instance.
type ChangeRequest struct {
	// ProductID is the plan to renew or convert to (default: the instance's own) or to upgrade to.
	ProductID    string `json:"product_id,omitempty"`
	PeriodNumber int    `json:"period_number,omitempty"`
	// Quantity is the new amount of a quantity SKU (a scale-out or, at renewal, a scale-in);
	// 0 keeps the instance's.
	Quantity int64 `json:"quantity,omitempty"`
	// Vouchers are the buyer's vouchers and cash coupons to pay with, before the balance.
	Vouchers       []string `json:"vouchers,omitempty"`
	IdempotencyKey string   `json:"-"`
}

// change is what every instance-changing order shares: load the buyer's instance, check it,
// price the line, then in one transaction store the order, update the instance, and enqueue the
// merchant call and timers.
type change struct {
	typ    market.OrderType
	states []market.InstanceState
	// build prices the line and updates the instance in memory; call makes the merchant call.
	build func(in *market.Instance, e *market.CatalogEntry, o *market.Order, now time.Time) (*market.OrderLine, error)
	call  func(m *market.Merchant, in *market.Instance, o *market.Order) request
	// applyNow says whether the instance update commits with the order (renewal, conversion)
	// or only when the merchant confirms (upgrade).
	applyNow bool
}

func (s *Service) apply(ctx context.Context, v market.Viewer, key string, req ChangeRequest, c change) (*market.Order, error) {
	if err := v.MustBeBuyer(); err != nil {
		return nil, err
	}
	buyerID := v.BuyerID
	in, err := s.instance(ctx, v, key)
	if err != nil {
		return nil, err
	}
	if !stateIn(in.State, c.states) {
		return nil, market.Errorf(market.CodeConflict, "instance %s is %s", key, in.State)
	}
	if req.ProductID == "" {
		req.ProductID = in.ProductID
	}
	e, err := s.db.CatalogEntry(ctx, req.ProductID)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	o := &market.Order{ID: market.NewOrderID(now), BuyerID: buyerID, MerchantID: in.MerchantID, Type: c.typ, Status: market.OrderProcessing,
		Currency: e.Plan.Currency, InstanceKey: key, CreatedAt: now, UpdatedAt: now}
	before := *in
	l, err := c.build(in, e, o, now)
	if err != nil {
		return nil, err
	}
	l.ID, l.OrderID, l.ProductID, l.SkuCode, l.Charging = market.LineID(o.ID, 1), o.ID, e.Plan.ProductID, e.Spec.SkuCode, e.Spec.Charging
	o.Amount, o.Lines = l.Amount, []market.OrderLine{*l}
	in.UpdatedAt = now
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		created, err := tx.InsertOrder(ctx, o, req.IdempotencyKey)
		if err != nil || !created {
			return err
		}
		if err := s.pay(ctx, tx, o, req.Vouchers); err != nil {
			return err
		}
		if c.applyNow {
			ok, err := tx.UpdateInstance(ctx, in, before.State)
			if err != nil {
				return err
			}
			if !ok { // changed since we read it: let the buyer look again
				return market.Errorf(market.CodeConflict, "instance %s changed meanwhile; retry", key)
			}
			if !in.ExpireAt.Equal(before.ExpireAt) {
				if err := s.scheduleExpiry(ctx, tx, in); err != nil {
					return err
				}
			}
		}
		m, err := tx.Merchant(ctx, in.MerchantID)
		if err != nil {
			return err
		}
		if err := s.notifyPaid(ctx, tx, o); err != nil {
			return err
		}
		return s.call(ctx, tx, in, c.call(m, in, o))
	})
	if err != nil {
		return nil, err
	}
	if req.IdempotencyKey != "" {
		return s.db.OrderByIdempotencyKey(ctx, buyerID, req.IdempotencyKey)
	}
	return o, nil
}

func stateIn(s market.InstanceState, states []market.InstanceState) bool {
	for _, x := range states {
		if s == x {
			return true
		}
	}
	return false
}

// Renew buys more periods. The new period starts at the current expiry, even when the instance
// already expired and sits frozen in retention (rules §9.3); the merchant gets refreshInstance
// RENEWAL, and a frozen instance is unfrozen once that succeeds.
func (s *Service) Renew(ctx context.Context, v market.Viewer, key string, req ChangeRequest) (*market.Order, error) {
	return s.apply(ctx, v, key, req, change{
		typ: market.OrderRenew, states: []market.InstanceState{market.InstanceActive, market.InstanceFrozen}, applyNow: true,
		build: func(in *market.Instance, e *market.CatalogEntry, _ *market.Order, _ time.Time) (*market.OrderLine, error) {
			if in.Trial {
				return nil, market.Errorf(market.CodeConflict, "a trial is converted, not renewed")
			}
			if err := e.Renewable(); err != nil {
				return nil, err
			}
			if in.ExpireAt.IsZero() {
				return nil, market.Errorf(market.CodeConflict, "instance %s has no validity yet: a supervised purchase's validity starts when its delivery is accepted (rules §4.4)", in.Key)
			}
			if err := samePeriodSpec(in, e); err != nil {
				return nil, err
			}
			l, err := periods(e, req.PeriodNumber, in.Quantity, in.ExpireAt)
			if err != nil {
				return nil, err
			}
			in.ExpireAt, in.ProductID, in.Period, in.ReleaseAt = l.ExpireAt, e.Plan.ProductID, e.Plan.Period, time.Time{}
			return l, nil
		},
		call: func(m *market.Merchant, in *market.Instance, o *market.Order) request {
			return refreshCall(m, in, o, &o.Lines[0], kgp.SceneRenewal)
		},
	})
}

// ConvertTrial turns a trial into a paid instance from now (rules §9.4): refreshInstance
// TRIAL_TO_FORMAL with the new expiry.
func (s *Service) ConvertTrial(ctx context.Context, v market.Viewer, key string, req ChangeRequest) (*market.Order, error) {
	return s.apply(ctx, v, key, req, change{
		typ: market.OrderTrialToFormal, states: []market.InstanceState{market.InstanceActive, market.InstanceFrozen}, applyNow: true,
		build: func(in *market.Instance, e *market.CatalogEntry, _ *market.Order, now time.Time) (*market.OrderLine, error) {
			if !in.Trial {
				return nil, market.Errorf(market.CodeConflict, "instance %s is not a trial", in.Key)
			}
			if err := e.Renewable(); err != nil {
				return nil, err
			}
			if err := samePeriodSpec(in, e); err != nil {
				return nil, err
			}
			l, err := periods(e, req.PeriodNumber, in.Quantity, now)
			if err != nil {
				return nil, err
			}
			in.Trial, in.ExpireAt, in.ProductID, in.Period, in.ReleaseAt = false, l.ExpireAt, e.Plan.ProductID, e.Plan.Period, time.Time{}
			return l, nil
		},
		call: func(m *market.Merchant, in *market.Instance, o *market.Order) request {
			return refreshCall(m, in, o, &o.Lines[0], kgp.SceneTrialToFormal)
		},
	})
}

// Upgrade moves an active instance to a dearer spec or SKU of the same product and period type,
// or scales a quantity SKU out, as a valid upgrade rule allows, for the fee of rules §1.7 over
// the rest of the current term (upgradeLine). The instance keeps its instanceId and expiry; it
// takes the new spec when the merchant confirms upgradeInstance.
func (s *Service) Upgrade(ctx context.Context, v market.Viewer, key string, req ChangeRequest) (*market.Order, error) {
	return s.apply(ctx, v, key, req, change{
		typ: market.OrderChange, states: []market.InstanceState{market.InstanceActive},
		build: func(in *market.Instance, e *market.CatalogEntry, _ *market.Order, now time.Time) (*market.OrderLine, error) {
			return s.upgradeLine(ctx, in, e, req.Quantity, now)
		},
		call: func(m *market.Merchant, in *market.Instance, o *market.Order) request {
			return upgradeCall(m, in, o, &o.Lines[0])
		},
	})
}

// samePeriodSpec checks that a renewal or conversion keeps the spec (a spec change at renewal
// is RENEWAL_CHANGE, not offered here) and names a period plan.
func samePeriodSpec(in *market.Instance, e *market.CatalogEntry) error {
	if e.Spec.SkuCode != in.SkuCode {
		return market.Errorf(market.CodeInvalid, "%s is a plan of another spec", e.Plan.ProductID)
	}
	if e.Plan.Period != market.PeriodYear && e.Plan.Period != market.PeriodMonth && e.Plan.Period != market.PeriodDay {
		return market.Errorf(market.CodeInvalid, "%s is not a period plan", e.Plan.ProductID)
	}
	return nil
}

// periods prices n periods of a plan, for quantity units of a quantity SKU, starting at start.
func periods(e *market.CatalogEntry, n int, quantity int64, start time.Time) (*market.OrderLine, error) {
	if n < 1 || n > maxPeriods {
		return nil, market.Errorf(market.CodeInvalid, "period_number must be 1 to %d", maxPeriods)
	}
	price, err := periodPrice(e, quantity)
	if err != nil {
		return nil, err
	}
	amount, err := price.Times(int64(n))
	if err != nil {
		return nil, err
	}
	return &market.OrderLine{Period: e.Plan.Period, PeriodNumber: n, Amount: amount, StartsAt: start,
		ExpireAt: addPeriods(start, e.Plan.Period, n), Quantity: quantity}, nil
}

// CancelRenewal cancels a renewal whose period has not started: the renewal is refunded, the
// expiry goes back, and the merchant gets refreshInstance UNSUBSCRIBE_RENEWAL_PERIOD under a
// new cancellation order (1.0: a negative orderAmount).
func (s *Service) CancelRenewal(ctx context.Context, v market.Viewer, renewalID string) (*market.Order, error) {
	if err := v.MustBeBuyer(); err != nil {
		return nil, err
	}
	buyerID := v.BuyerID
	r, err := s.Order(ctx, v, renewalID)
	if err != nil {
		return nil, err
	}
	if r.Type != market.OrderRenew || (r.Status != market.OrderProcessing && r.Status != market.OrderCompleted) {
		return nil, market.Errorf(market.CodeConflict, "order %s is not an active renewal", renewalID)
	}
	if err := s.cancellable(ctx, r); err != nil {
		return nil, err
	}
	l := r.Lines[0]
	now := s.clock.Now()
	if !now.Before(l.StartsAt) {
		return nil, market.Errorf(market.CodeConflict, "the renewed period started at %s; it can no longer be cancelled", l.StartsAt.Format(time.RFC3339))
	}
	var cancel *market.Order
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		in, err := tx.Instance(ctx, r.InstanceKey)
		if err != nil {
			return err
		}
		if !in.ExpireAt.Equal(l.ExpireAt) || in.State != market.InstanceActive {
			return market.Errorf(market.CodeConflict, "renewal %s is not the instance's latest; cancel the later one first", renewalID)
		}
		refunded, err := s.refundable(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		ok, err := tx.SetOrderStatus(ctx, r.ID, market.OrderCancelled, refunded, "renewal cancelled by the buyer", now, market.OrderProcessing, market.OrderCompleted)
		if err != nil || !ok {
			return market.Errorf(market.CodeConflict, "order %s changed meanwhile", renewalID)
		}
		if _, err := s.refundAll(ctx, tx, r.ID); err != nil {
			return err
		}
		id := market.NewOrderID(now)
		cancel = &market.Order{ID: id, BuyerID: buyerID, MerchantID: r.MerchantID, Type: market.OrderUnsubscribe, Status: market.OrderProcessing,
			Amount: -r.Amount, Currency: r.Currency, InstanceKey: in.Key, CreatedAt: now, UpdatedAt: now,
			Lines: []market.OrderLine{{ID: market.LineID(id, 1), OrderID: id, ProductID: in.ProductID, SkuCode: in.SkuCode, Charging: in.Charging,
				Period: l.Period, Amount: -r.Amount, StartsAt: l.StartsAt, ExpireAt: l.StartsAt}}}
		if _, err := tx.InsertOrder(ctx, cancel, ""); err != nil {
			return err
		}
		in.ExpireAt, in.UpdatedAt = l.StartsAt, now
		if _, err := tx.UpdateInstance(ctx, in, market.InstanceActive); err != nil {
			return err
		}
		if err := s.scheduleExpiry(ctx, tx, in); err != nil {
			return err
		}
		m, err := tx.Merchant(ctx, in.MerchantID)
		if err != nil {
			return err
		}
		return s.call(ctx, tx, in, refreshCall(m, in, cancel, &cancel.Lines[0], kgp.SceneUnsubscribeRenewalPeriod))
	})
	return cancel, err
}
