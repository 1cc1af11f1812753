// Package order runs buyer orders and the SaaS instance lifecycle (rules §9.3): purchase,
// asynchronous provisioning, trial and conversion, renewal and its cancellation, upgrade,
// expiry, freeze, retention, release and unsubscription. Every state change and the merchant
// call it causes commit in one transaction; timers are River jobs on the injected clock.
package order

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/mercato-oss/mercato/internal/fulfil"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/promo"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// Config holds the lifecycle's tunables.
type Config struct {
	// GraceDays an expired instance (or a pay-per-use instance in arrears) stays usable before
	// it is frozen; RetentionDays it stays frozen (its data kept) before it is released.
	// KooGallery does not publish them for SaaS (rules §9.3); Huawei Cloud's general table ranges
	// from 0/1 to 7/15 days by customer level. These are the terms of buyers without a level.
	GraceDays     int
	RetentionDays int
	// Levels are the terms of customer levels (rules §8.4: "a V3 customer has 7 days grace + 7
	// days retention"), by level name.
	Levels map[string]Terms
}

// Terms are a customer level's grace and retention periods.
type Terms struct {
	GraceDays     int `json:"grace_days"`
	RetentionDays int `json:"retention_days"`
}

// DefaultConfig freezes at expiry, as KooGallery calls expireInstance on the expiry date, and
// keeps the data 15 days, the longest freeze period the documentation gives; level V3 has the
// documented example's 7 + 7 days.
func DefaultConfig() Config {
	return Config{GraceDays: 0, RetentionDays: 15, Levels: map[string]Terms{"V3": {GraceDays: 7, RetentionDays: 7}}}
}

// Service is the order and lifecycle engine.
type Service struct {
	db    *store.DB
	clock market.Clock
	cfg   Config
	log   *slog.Logger
	calls *fulfil.Dispatcher
	// activities are the lifecycle's merchant interfaces, as registered with calls.
	activities map[string]fulfil.Activity
	// licenses delivers license specs (issues their codes) in the purchase's transaction.
	licenses Deliverer
	// promo redeems the vouchers that pay part of an order.
	promo *promo.Service
	// onPurchase and onExpiry are what other features do in the transactions of purchases and
	// of expiry changes (hooks.go).
	onPurchase []PurchaseHook
	onExpiry   []ExpiryHook
}

// Deliverer hands out what the marketplace delivers itself, without a merchant call, in the
// purchase's transaction: license codes for the instance of a LICENSE spec.
type Deliverer interface {
	Deliver(ctx context.Context, tx *store.Tx, o *market.Order, l *market.OrderLine, in *market.Instance) error
}

// New returns the order service, and registers with calls the merchant interfaces the lifecycle
// sends and what their answers do.
func New(db *store.DB, clock market.Clock, log *slog.Logger, calls *fulfil.Dispatcher, licenses Deliverer, vouchers *promo.Service, cfg Config) (*Service, error) {
	if db == nil || clock == nil || log == nil || calls == nil || licenses == nil || vouchers == nil {
		return nil, errors.New("order: New needs a database, a clock, a logger, a call dispatcher, a license deliverer and the voucher service")
	}
	for level, t := range cfg.Levels {
		if level == "" || t.GraceDays < 0 || t.RetentionDays < 0 {
			return nil, fmt.Errorf("order: level %q: grace %d and retention %d days must not be negative", level, t.GraceDays, t.RetentionDays)
		}
	}
	if cfg.GraceDays < 0 || cfg.RetentionDays < 0 {
		return nil, fmt.Errorf("order: grace %d and retention %d days must not be negative", cfg.GraceDays, cfg.RetentionDays)
	}
	s := &Service{db: db, clock: clock, cfg: cfg, log: log, calls: calls, licenses: licenses, promo: vouchers}
	s.handleCalls()
	s.handleNotify()
	return s, nil
}

// Register adds the lifecycle timers' workers and their queue.
func (s *Service) Register(j *store.Jobs) {
	store.AddWorker(j, &ExpiryWorker{S: s})
	store.AddWorker(j, &ReleaseWorker{S: s})
	store.AddWorker(j, &ArrearsWorker{S: s})
	j.Queue(TimerQueue, 4)
}

// Item is one plan bought: its KooGallery productId and, for period plans, how many periods.
type Item struct {
	ProductID    string `json:"product_id"`
	PeriodNumber int    `json:"period_number,omitempty"`
	// Quantity is the amount of the SKU's quantity attribute (users, seats), for a plan of a
	// SKU that has one: a multiple of its step, at most its max.
	Quantity int64 `json:"quantity,omitempty"`
}

// PurchaseRequest is a new purchase. Items must all belong to one merchant; a trial takes one
// period item of a spec that allows trials. Several pay-per-use billing items in one order give
// one instance each (protocol §4.1).
type PurchaseRequest struct {
	Items []Item `json:"items"`
	Trial bool   `json:"trial,omitempty"`
	// Vouchers are the buyer's vouchers and cash coupons to pay with, before the balance.
	Vouchers       []string `json:"vouchers,omitempty"`
	IdempotencyKey string   `json:"-"`
}

// maxPeriods bounds one purchase or renewal: ten years of months.
const maxPeriods = 120

// Purchase places and pays a new order, creates its instances and asks the merchant to deliver
// them. A repeat with the same idempotency key returns the first order.
func (s *Service) Purchase(ctx context.Context, v market.Viewer, req PurchaseRequest) (*market.Order, error) {
	if err := v.MustBeBuyer(); err != nil {
		return nil, err
	}
	buyerID := v.BuyerID
	if len(req.Items) == 0 {
		return nil, market.Errorf(market.CodeInvalid, "an order needs at least one item")
	}
	if len(req.Items) > 20 {
		return nil, market.Errorf(market.CodeInvalid, "an order has at most 20 items")
	}
	buyer, err := s.db.Buyer(ctx, buyerID)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	o := &market.Order{ID: market.NewOrderID(now), BuyerID: buyerID, Type: market.OrderNew, Status: market.OrderProcessing, CreatedAt: now, UpdatedAt: now}
	if req.Trial {
		o.Type = market.OrderTrial
	}
	var instances []*market.Instance
	for i, it := range req.Items {
		e, err := s.db.CatalogEntry(ctx, it.ProductID)
		if err != nil {
			return nil, err
		}
		if err := s.sellable(ctx, s.db.Reader, e, buyerID); err != nil {
			return nil, err
		}
		if o.MerchantID == "" {
			o.MerchantID, o.Currency = e.Product.MerchantID, e.Plan.Currency
		} else if o.MerchantID != e.Product.MerchantID || o.Currency != e.Plan.Currency {
			return nil, market.Errorf(market.CodeInvalid, "all items of an order must come from one merchant, in one currency")
		}
		l, err := line(o, i+1, e, it, req.Trial, now)
		if err != nil {
			return nil, err
		}
		if o.Amount, err = o.Amount.Plus(l.Amount); err != nil || o.Amount > market.MaxAmount {
			return nil, market.Errorf(market.CodeInvalid, "the order's amount is beyond %s", market.MaxAmount)
		}
		o.Lines = append(o.Lines, *l)
		in := &market.Instance{Key: l.ID, OrderID: o.ID, MerchantID: o.MerchantID, BuyerID: buyerID,
			ProductID: l.ProductID, SkuCode: l.SkuCode, Charging: l.Charging, Period: l.Period, Quantity: l.Quantity, State: market.InstancePending,
			Delivery: e.Spec.Delivery, Trial: req.Trial, ExpireAt: l.ExpireAt, CreatedAt: now, UpdatedAt: now}
		if in.Delivery.Offline() { // delivered by the marketplace, in the purchase itself
			in.ID, in.State = market.NewUUID(), market.InstanceActive
		}
		instances = append(instances, in)
	}
	if req.Trial && len(o.Lines) != 1 {
		return nil, market.Errorf(market.CodeInvalid, "a trial order has exactly one item")
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := s.checkRules(ctx, tx, o, req.Trial); err != nil {
			return err
		}
		created, err := tx.InsertOrder(ctx, o, req.IdempotencyKey)
		if err != nil || !created {
			return err
		}
		if err := s.pay(ctx, tx, o, req.Vouchers); err != nil {
			return err
		}
		for _, h := range s.onPurchase {
			if err := h(ctx, tx, o, instances); err != nil {
				return err
			}
		}
		m, err := tx.Merchant(ctx, o.MerchantID)
		if err != nil {
			return err
		}
		for i, in := range instances {
			if err := tx.InsertInstance(ctx, in); err != nil {
				return err
			}
			switch in.Delivery {
			case market.DeliverySaaS:
				err = s.send(ctx, tx, createCall(m, o, &o.Lines[i], in, buyer), now)
			case market.DeliveryLicense:
				err = s.licenses.Deliver(ctx, tx, o, &o.Lines[i], in)
			}
			if err != nil {
				return err
			}
			if !in.ExpireAt.IsZero() {
				if err := s.scheduleExpiry(ctx, tx, in); err != nil {
					return err
				}
			}
		}
		if err := s.notifyPaid(ctx, tx, o); err != nil {
			return err
		}
		return s.completeIfDelivered(ctx, tx, o.ID)
	})
	if err != nil {
		return nil, err
	}
	if req.IdempotencyKey == "" {
		// As stored: an order delivered in the purchase itself (licenses) is already complete.
		return s.db.Order(ctx, o.ID)
	}
	first, err := s.db.OrderByIdempotencyKey(ctx, buyerID, req.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	if !sameItems(first, o) {
		return nil, market.Errorf(market.CodeConflict, "idempotency key %q was used for a different order (%s)", req.IdempotencyKey, first.ID)
	}
	return first, nil
}

// line prices one item of a new order.
func line(o *market.Order, n int, e *market.CatalogEntry, it Item, trial bool, now time.Time) (*market.OrderLine, error) {
	l := &market.OrderLine{ID: market.LineID(o.ID, n), OrderID: o.ID, ProductID: e.Plan.ProductID, SkuCode: e.Spec.SkuCode,
		Charging: e.Spec.Charging, Period: e.Plan.Period}
	switch {
	case trial:
		if e.Spec.Charging != market.ChargingPeriod || e.Spec.TrialDays <= 0 {
			return nil, market.Errorf(market.CodeInvalid, "spec %s offers no trial", e.Spec.SkuCode)
		}
		if _, err := periodPrice(e, it.Quantity); err != nil {
			return nil, err
		}
		l.Quantity = it.Quantity
		// A trial instance is a free daily-period instance (rules §9.4).
		l.Period, l.PeriodNumber, l.StartsAt = market.PeriodDay, e.Spec.TrialDays, now
		l.ExpireAt = now.AddDate(0, 0, e.Spec.TrialDays)
	case e.Spec.Charging == market.ChargingPeriod:
		if it.PeriodNumber < 1 || it.PeriodNumber > maxPeriods {
			return nil, market.Errorf(market.CodeInvalid, "period_number must be 1 to %d", maxPeriods)
		}
		price, err := periodPrice(e, it.Quantity)
		if err != nil {
			return nil, err
		}
		amount, err := price.Times(int64(it.PeriodNumber))
		if err != nil {
			return nil, err
		}
		l.Quantity = it.Quantity
		l.PeriodNumber, l.Amount, l.StartsAt = it.PeriodNumber, amount, now
		l.ExpireAt = addPeriods(now, e.Plan.Period, it.PeriodNumber)
	case e.Spec.Charging == market.ChargingOneTime, e.Spec.Charging == market.ChargingOnDemandPkg:
		l.Amount = e.Plan.Price // paid once; pay-per-use items are billed by usage instead
	}
	if it.Quantity != 0 && l.Quantity == 0 {
		return nil, market.Invalid("quantity", "plan %s has no quantity attribute", e.Plan.ProductID)
	}
	return l, nil
}

func sameItems(a, b *market.Order) bool {
	key := func(o *market.Order) []string {
		var k []string
		for _, l := range o.Lines {
			k = append(k, l.ProductID+"/"+strconv.Itoa(l.PeriodNumber))
		}
		return k
	}
	return a.Type == b.Type && slices.Equal(key(a), key(b))
}

// call sends a lifecycle call to the instance's merchant. An instance the marketplace delivers
// itself (licenses, hardware, services, images) has nobody to call: the call takes effect at
// once, exactly as the merchant's success would (its activity's Answered), so every kind of
// instance shares one lifecycle.
func (s *Service) call(ctx context.Context, tx *store.Tx, in *market.Instance, r request) error {
	if !in.Delivery.Offline() {
		return s.send(ctx, tx, r, s.clock.Now())
	}
	c, err := r.encode()
	if err != nil {
		return err
	}
	_, err = s.activities[c.Activity].Answered(ctx, tx, c, &kgp.Response{ResultCode: kgp.ResultSuccess})
	return err
}

// send enqueues a merchant call, first sent at at.
func (s *Service) send(ctx context.Context, tx *store.Tx, r request, at time.Time) error {
	c, err := r.encode()
	if err != nil {
		return err
	}
	return s.calls.Enqueue(ctx, tx, c, at)
}

// completeIfDelivered marks a NEW or TRIAL order COMPLETED once all its instances are active and
// its service flows, if it is supervised, are complete (rules §4.1: the order is processing
// until then).
func (s *Service) completeIfDelivered(ctx context.Context, tx *store.Tx, orderID string) error {
	if open, err := tx.OpenFlows(ctx, orderID); err != nil || open > 0 {
		return err
	}
	ins, _, err := tx.Instances(ctx, store.InstanceFilter{OrderID: orderID, Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		return err
	}
	for _, in := range ins {
		if in.State != market.InstanceActive {
			return nil
		}
	}
	_, err = tx.SetOrderStatus(ctx, orderID, market.OrderCompleted, 0, "", s.clock.Now())
	return err
}
