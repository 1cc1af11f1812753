package order

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Lifecycle timers. Each carries the deadline it was set for; when it fires it acts only if the
// instance still has that deadline, so a renewal needs no cancellation: the old timer finds a
// later expiry and does nothing.

// TimerQueue is the River queue of lifecycle timers.
const TimerQueue = "lifecycle"

// ExpiryArgs freezes an instance when its grace period after expiry ends.
type ExpiryArgs struct {
	Key      string    `json:"key"`
	ExpireAt time.Time `json:"expire_at"`
}

// Kind implements river.JobArgs.
func (ExpiryArgs) Kind() string { return "instance_expiry" }

// ReleaseArgs releases a frozen instance when its retention ends.
type ReleaseArgs struct {
	Key       string    `json:"key"`
	ReleaseAt time.Time `json:"release_at"`
}

// Kind implements river.JobArgs.
func (ReleaseArgs) Kind() string { return "instance_release" }

func timerOpts(at time.Time) *river.InsertOpts {
	return &river.InsertOpts{Queue: TimerQueue, ScheduledAt: at, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// terms returns a buyer's grace and retention periods: its customer level's, or the default.
func (s *Service) terms(ctx context.Context, r store.Reader, buyerID string) (Terms, error) {
	level, err := r.CustomerLevel(ctx, buyerID)
	if t, ok := s.cfg.Levels[level]; ok && err == nil {
		return t, nil
	}
	return Terms{GraceDays: s.cfg.GraceDays, RetentionDays: s.cfg.RetentionDays}, err
}

// freezeAt is when an expired instance's grace period ends.
func (s *Service) freezeAt(ctx context.Context, r store.Reader, in *market.Instance) (time.Time, Terms, error) {
	t, err := s.terms(ctx, r, in.BuyerID)
	return in.ExpireAt.AddDate(0, 0, t.GraceDays), t, err
}

// scheduleExpiry sets the timer that freezes in after its expiry and grace, and tells the expiry
// hooks of the new expiry.
func (s *Service) scheduleExpiry(ctx context.Context, tx *store.Tx, in *market.Instance) error {
	at, _, err := s.freezeAt(ctx, tx.Reader, in)
	if err != nil {
		return err
	}
	if err := tx.Enqueue(ctx, ExpiryArgs{Key: in.Key, ExpireAt: in.ExpireAt}, timerOpts(at)); err != nil {
		return err
	}
	for _, h := range s.onExpiry {
		if err := h(ctx, tx, in); err != nil {
			return err
		}
	}
	return nil
}

// ExpiryWorker freezes expired instances.
type ExpiryWorker struct {
	river.WorkerDefaults[ExpiryArgs]
	S *Service
}

// Work freezes the instance if it still expires at the timer's time and was not renewed.
func (w *ExpiryWorker) Work(ctx context.Context, job *river.Job[ExpiryArgs]) error {
	s := w.S
	return s.db.Write(ctx, func(tx *store.Tx) error {
		in, err := tx.Instance(ctx, job.Args.Key)
		if err != nil {
			return err
		}
		if in.State != market.InstanceActive || !in.ExpireAt.Equal(job.Args.ExpireAt) {
			return nil
		}
		now := s.clock.Now()
		freezeAt, terms, err := s.freezeAt(ctx, tx.Reader, in)
		if err != nil {
			return err
		}
		if now.Before(freezeAt) {
			return river.JobSnooze(freezeAt.Sub(now))
		}
		m, err := tx.Merchant(ctx, in.MerchantID)
		if err != nil {
			return err
		}
		in.State, in.UpdatedAt = market.InstanceFrozen, now
		in.ReleaseAt = freezeAt.AddDate(0, 0, terms.RetentionDays)
		if ok, err := tx.UpdateInstance(ctx, in, market.InstanceActive); err != nil || !ok {
			return err
		}
		if err := s.call(ctx, tx, in, statusCall(m, in, true)); err != nil {
			return err
		}
		s.log.Info("instance frozen", "instance", in.ID, "key", in.Key, "release_at", in.ReleaseAt)
		return tx.Enqueue(ctx, ReleaseArgs{Key: in.Key, ReleaseAt: in.ReleaseAt}, timerOpts(in.ReleaseAt))
	})
}

// ReleaseWorker releases instances whose retention ended.
type ReleaseWorker struct {
	river.WorkerDefaults[ReleaseArgs]
	S *Service
}

// Work releases the instance if it is still frozen with the timer's release time.
func (w *ReleaseWorker) Work(ctx context.Context, job *river.Job[ReleaseArgs]) error {
	s := w.S
	return s.db.Write(ctx, func(tx *store.Tx) error {
		in, err := tx.Instance(ctx, job.Args.Key)
		if err != nil {
			return err
		}
		if in.State != market.InstanceFrozen || !in.ReleaseAt.Equal(job.Args.ReleaseAt) {
			return nil
		}
		now := s.clock.Now()
		if now.Before(in.ReleaseAt) {
			return river.JobSnooze(in.ReleaseAt.Sub(now))
		}
		m, err := tx.Merchant(ctx, in.MerchantID)
		if err != nil {
			return err
		}
		in.State, in.UpdatedAt = market.InstanceReleased, now
		if ok, err := tx.UpdateInstance(ctx, in, market.InstanceFrozen); err != nil || !ok {
			return err
		}
		s.log.Info("instance released", "instance", in.ID, "key", in.Key)
		return s.call(ctx, tx, in, releaseCall(m, in, nil))
	})
}
