package order

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Arrears (rules §8.4): a pay-per-use bill that leaves the buyer's balance below zero puts the
// instance it billed into arrears — that instance only: the buyer's other pay-per-use services
// follow at their own settlement point, when their own bill finds the balance still below zero.
// An instance in arrears stays usable through the buyer's grace period (by customer level), is
// then frozen (updateInstanceStatus FREEZE; 1.0 instanceStatus FREEZE) and released after the
// retention period, unless a top-up clears the arrears first, which takes every instance of the
// buyer out of arrears and unfreezes the frozen ones. Period instances are paid in advance and
// are not touched.

// InArrears puts a pay-per-use instance into arrears from its bill, in tx. An instance already
// in arrears keeps its first date.
func (s *Service) InArrears(ctx context.Context, tx *store.Tx, key string) error {
	in, err := tx.Instance(ctx, key)
	if err != nil || in.Charging != market.ChargingOnDemand || in.State != market.InstanceActive {
		return err
	}
	t, err := s.terms(ctx, tx.Reader, in.BuyerID)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	freezeAt := now.AddDate(0, 0, t.GraceDays)
	if fresh, err := tx.InsertArrears(ctx, key, in.BuyerID, now, freezeAt); err != nil || !fresh {
		return err
	}
	s.log.Info("pay-per-use instance in arrears", "instance", in.ID, "buyer", in.BuyerID, "freeze_at", freezeAt)
	if t.GraceDays == 0 {
		return s.freezeForArrears(ctx, tx, in, t)
	}
	return tx.Enqueue(ctx, ArrearsArgs{Key: key, Since: now}, timerOpts(freezeAt))
}

// freezeForArrears freezes an instance in arrears at the end of its grace period.
func (s *Service) freezeForArrears(ctx context.Context, tx *store.Tx, in *market.Instance, t Terms) error {
	m, err := tx.Merchant(ctx, in.MerchantID)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	in.State, in.UpdatedAt, in.ReleaseAt = market.InstanceFrozen, now, now.AddDate(0, 0, t.RetentionDays)
	if ok, err := tx.UpdateInstance(ctx, in, market.InstanceActive); err != nil || !ok {
		return err
	}
	if err := s.call(ctx, tx, in, statusCall(m, in, true)); err != nil {
		return err
	}
	s.log.Info("pay-per-use instance frozen for arrears", "instance", in.ID, "buyer", in.BuyerID, "release_at", in.ReleaseAt)
	return tx.Enqueue(ctx, ReleaseArgs{Key: in.Key, ReleaseAt: in.ReleaseAt}, timerOpts(in.ReleaseAt))
}

// ArrearsCleared takes the buyer's instances out of arrears after a top-up brought the balance
// back to zero or above, in tx, unfreezing those frozen for it. It returns how many it unfroze.
func (s *Service) ArrearsCleared(ctx context.Context, tx *store.Tx, buyerID string) (int, error) {
	keys, err := tx.ClearArrears(ctx, buyerID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, key := range keys {
		in, err := tx.Instance(ctx, key)
		if err != nil {
			return n, err
		}
		if in.State != market.InstanceFrozen {
			continue // still in its grace period: it never stopped
		}
		m, err := tx.Merchant(ctx, in.MerchantID)
		if err != nil {
			return n, err
		}
		in.State, in.UpdatedAt, in.ReleaseAt = market.InstanceActive, s.clock.Now(), time.Time{}
		if ok, err := tx.UpdateInstance(ctx, in, market.InstanceFrozen); err != nil || !ok {
			if err != nil {
				return n, err
			}
			continue
		}
		if err := s.call(ctx, tx, in, statusCall(m, in, false)); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// ArrearsArgs freezes an instance in arrears when its grace period ends, if it is still in
// arrears since Since.
type ArrearsArgs struct {
	Key   string    `json:"key"`
	Since time.Time `json:"since"`
}

// Kind implements river.JobArgs.
func (ArrearsArgs) Kind() string { return "instance_arrears" }

// ArrearsWorker ends grace periods.
type ArrearsWorker struct {
	river.WorkerDefaults[ArrearsArgs]
	S *Service
}

// Work freezes the instance unless a top-up took it out of arrears meanwhile.
func (w *ArrearsWorker) Work(ctx context.Context, job *river.Job[ArrearsArgs]) error {
	s := w.S
	return s.db.Write(ctx, func(tx *store.Tx) error {
		since, ok, err := tx.ArrearsSince(ctx, job.Args.Key)
		if err != nil || !ok || !since.Equal(job.Args.Since) {
			return err
		}
		in, err := tx.Instance(ctx, job.Args.Key)
		if err != nil || in.State != market.InstanceActive {
			return err
		}
		t, err := s.terms(ctx, tx.Reader, in.BuyerID)
		if err != nil {
			return err
		}
		return s.freezeForArrears(ctx, tx, in, t)
	})
}
