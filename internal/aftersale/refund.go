package aftersale

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/ledger"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Queue is the unsubscriptions' River queue.
const Queue = "aftersale"

// Register adds the requests' timer worker and its queue.
func (s *Service) Register(j *store.Jobs) {
	store.AddWorker(j, &TimerWorker{S: s})
	j.Queue(Queue, 2)
}

// after runs what a request's new state starts, in the transaction that moved it: its timer
// (return, inspection, approval, refund) and the buyer's message.
func (s *Service) after(ctx context.Context, tx *store.Tx, u *market.Unsubscription) error {
	if !u.Deadline.IsZero() {
		if err := tx.Enqueue(ctx, TimerArgs{ID: u.ID, State: u.State, Deadline: u.Deadline},
			&river.InsertOpts{Queue: Queue, ScheduledAt: u.Deadline, UniqueOpts: river.UniqueOpts{ByArgs: true}}); err != nil {
			return err
		}
	}
	switch u.State {
	case market.UnsubRejected:
		return s.tell(ctx, tx, u, "Your unsubscription was rejected", fmt.Sprintf("Unsubscription %s of %s was rejected: %s\n"+
			"You may appeal through the order's service flow.", u.ID, u.InstanceKey, u.SellerNote))
	case market.UnsubAwaitingReturn:
		addr, err := s.hardware.ReturnAddress(ctx, tx.Reader, s.skuOf(ctx, tx, u))
		if err != nil {
			return err
		}
		return s.tell(ctx, tx, u, "Send the goods back", fmt.Sprintf("Unsubscription %s was approved. Send the goods to %s and enter the "+
			"return waybill by %s, or the unsubscription is withdrawn.", u.ID, addr, u.Deadline.Format(time.RFC3339)))
	case market.UnsubWithdrawn:
		return s.tell(ctx, tx, u, "Your unsubscription was withdrawn", fmt.Sprintf("Unsubscription %s of %s was withdrawn.", u.ID, u.InstanceKey))
	}
	return nil
}

// skuOf returns the spec of a request's instance ("" when it cannot be read).
func (s *Service) skuOf(ctx context.Context, tx *store.Tx, u *market.Unsubscription) string {
	in, err := tx.Instance(ctx, u.InstanceKey)
	if err != nil {
		return ""
	}
	return in.SkuCode
}

// refund pays a REFUNDING request, in tx: the amount back to the buyer's balance from the
// instance's sales, newest first (renewals before the purchase); the vouchers back by the 5-day
// rule (within 5 days and quota left: all of them, and a use of the quota; otherwise cash coupons
// in proportion and vouchers not at all); then the instance is unsubscribed (releaseInstance),
// its service flow closed and hardware restocked.
func (s *Service) refund(ctx context.Context, tx *store.Tx, u *market.Unsubscription) error {
	now := s.clock.Now()
	sales, err := tx.Sales(ctx, store.SaleFilter{InstanceKey: u.InstanceKey})
	if err != nil {
		return err
	}
	slices.Reverse(sales)
	full := false
	if u.NoReason {
		year := now.In(s.cfg.Zone).Year()
		used, err := tx.NoReasonUses(ctx, u.BuyerID, year)
		if err != nil {
			return err
		}
		if full = used < s.cfg.NoReasonQuota; full {
			if err := tx.UseNoReason(ctx, u.BuyerID, year, u.ID, now); err != nil {
				return err
			}
		}
	}
	u.NoReason = full
	left := u.Amount
	byOrder := map[string]market.Money{}
	var orders []string
	for _, sale := range sales {
		if sale.OrderID == "" {
			continue // pay-per-use bills are not refunded
		}
		part := min(left, sale.Cash-sale.Refunded)
		left -= part
		returned, err := s.vouchers.Return(ctx, tx, sale.Ref, full, part, sale.Cash)
		if err != nil {
			return err
		}
		if err := ledger.Refund(ctx, tx, sale, "unsub:"+u.ID, part, returned, now); err != nil {
			return err
		}
		if _, ok := byOrder[sale.OrderID]; !ok {
			orders = append(orders, sale.OrderID)
		}
		byOrder[sale.OrderID] += part
	}
	if left > 0 {
		return market.Errorf(market.CodeConflict, "unsubscription %s asks %s more than was paid", u.ID, left)
	}
	// Each paying order shows what it had back, and is done: a supervised one no longer waits
	// for its closed flow.
	for _, id := range orders {
		if _, err := tx.SetOrderStatus(ctx, id, market.OrderCompleted, byOrder[id], "unsubscribed by "+u.ID, now,
			market.OrderProcessing, market.OrderCompleted); err != nil {
			return err
		}
	}
	in, err := tx.Instance(ctx, u.InstanceKey)
	if err != nil {
		return err
	}
	if in.State == market.InstanceActive || in.State == market.InstanceFrozen {
		o, err := s.orders.Unsubscribed(ctx, tx, u.InstanceKey, u.Amount, "unsubscription "+u.ID+": "+u.Reason)
		if err != nil {
			return err
		}
		u.UnsubscribeOrderID = o.ID
	}
	if err := s.flows.Close(ctx, tx, u.InstanceKey, "unsubscription "+u.ID+" refunded"); err != nil {
		return err
	}
	switch u.Kind {
	case market.UnsubNotReceived:
		err = s.hardware.Cancel(ctx, tx, u.InstanceKey)
	case market.UnsubReceived:
		err = s.hardware.Restock(ctx, tx, u.InstanceKey)
	}
	if err != nil {
		return err
	}
	from := u.State
	u.State, u.RefundedAt, u.UpdatedAt, u.Deadline = market.UnsubRefunded, now, now, time.Time{}
	if ok, err := tx.UpdateUnsubscription(ctx, u, from); err != nil || !ok {
		if err == nil {
			err = market.Errorf(market.CodeConflict, "unsubscription %s changed meanwhile", u.ID)
		}
		return err
	}
	if err := s.record(ctx, tx, u, market.RoleOperator, "", "refund", from, fmt.Sprintf("refunded %s to the balance", u.Amount)); err != nil {
		return err
	}
	s.log.Info("unsubscription refunded", "id", u.ID, "instance", u.InstanceKey, "amount", u.Amount, "no_reason", full)
	return s.tell(ctx, tx, u, "Your unsubscription was refunded", fmt.Sprintf("Unsubscription %s of %s is complete: %s went back to your balance.",
		u.ID, u.InstanceKey, u.Amount))
}

// Decide refunds an instance by the operator's decision on an appeal, in tx: its open request,
// if it has one, takes the decided amount; otherwise a DECISION request is made. Either is
// approved and refunded like any other.
func (s *Service) Decide(ctx context.Context, tx *store.Tx, key string, amount market.Money, note string) (*market.Unsubscription, error) {
	in, err := tx.Instance(ctx, key)
	if err != nil {
		return nil, err
	}
	paid, err := s.paid(ctx, tx.Reader, key)
	if err != nil {
		return nil, err
	}
	if amount <= 0 || amount > paid {
		return nil, market.Invalid("refund", "the refund must be more than 0 and at most %s, what was actually paid", paid)
	}
	now := s.clock.Now()
	u, err := tx.OpenUnsubscription(ctx, key)
	switch {
	case err == nil:
		from := u.State
		u.Amount, u.UpdatedAt = amount, now
		s.approve(u, market.ApprovalByOperator)
		if ok, err := tx.UpdateUnsubscription(ctx, u, from); err != nil || !ok {
			if err == nil {
				err = market.Errorf(market.CodeConflict, "unsubscription %s changed meanwhile", u.ID)
			}
			return nil, err
		}
		if err := s.record(ctx, tx, u, market.RoleOperator, "", "appeal decided", from, note); err != nil {
			return nil, err
		}
	case market.ErrorCode(err) == market.CodeNotFound:
		u = &market.Unsubscription{ID: "US" + market.NewUUID(), InstanceKey: key, OrderID: in.OrderID, BuyerID: in.BuyerID, MerchantID: in.MerchantID,
			Kind: market.UnsubDecision, Amount: amount, Paid: paid, Reason: note, CreatedAt: now, UpdatedAt: now}
		s.approve(u, market.ApprovalByOperator)
		if err := tx.InsertUnsubscription(ctx, u); err != nil {
			return nil, err
		}
		if err := s.record(ctx, tx, u, market.RoleOperator, "", "appeal decided", "", note); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	return u, s.after(ctx, tx, u)
}

// TimerArgs acts on a request whose state's deadline came: the buyer did not send the goods
// back (withdrawn), the seller did not inspect them (accepted), nobody approved a large refund
// (approved), a refund is due (paid). It acts only if the request is still in State with that
// Deadline.
type TimerArgs struct {
	ID       string            `json:"id"`
	State    market.UnsubState `json:"state"`
	Deadline time.Time         `json:"deadline"`
}

// Kind implements river.JobArgs.
func (TimerArgs) Kind() string { return "unsubscription_timer" }

// TimerWorker runs the requests' timers.
type TimerWorker struct {
	river.WorkerDefaults[TimerArgs]
	S *Service
}

// Work applies the timer.
func (w *TimerWorker) Work(ctx context.Context, job *river.Job[TimerArgs]) error {
	s := w.S
	return s.db.Write(ctx, func(tx *store.Tx) error {
		u, err := tx.Unsubscription(ctx, job.Args.ID)
		if err != nil || u.State != job.Args.State || !u.Deadline.Equal(job.Args.Deadline) {
			return err
		}
		now := s.clock.Now()
		if now.Before(u.Deadline) {
			return river.JobSnooze(u.Deadline.Sub(now))
		}
		from, why := u.State, ""
		switch {
		case u.State == market.UnsubRefunding && u.Approval != market.ApprovalPending:
			return s.refund(ctx, tx, u)
		case u.State == market.UnsubRefunding:
			u.Approval, u.Deadline, why = market.ApprovalAutomatically, now.Add(s.cfg.RefundDelay), "not reviewed within 24 hours: approved (rules §3.1)"
		case u.State == market.UnsubAwaitingReturn:
			u.State, u.Deadline, why = market.UnsubWithdrawn, time.Time{}, "no return waybill within 10 days of the approval: withdrawn (rules §3.3)"
		case u.State == market.UnsubAwaitingInspect:
			s.approve(u, "")
			why = "not inspected within 15 days: accepted (rules §3.3)"
		default:
			return nil
		}
		u.UpdatedAt = now
		if ok, err := tx.UpdateUnsubscription(ctx, u, from); err != nil || !ok {
			return err
		}
		if err := s.record(ctx, tx, u, market.RoleOperator, "", "timer", from, why); err != nil {
			return err
		}
		return s.after(ctx, tx, u)
	})
}
