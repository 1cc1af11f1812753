package dialtest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Dial rounds: twice a day (Config.Times) every product on sale with saved debug cases is dialled.

// roundGrace is how late a round may still start: a dial test describes the present, so a
// round missed by more than this (the marketplace was down) is skipped, not caught up on.
const roundGrace = 6 * time.Hour

// Tick starts the latest round that is due, has not started and is not stale. The periodic job
// calls it each minute; tests and the demo call it after moving time.
func (s *Service) Tick(ctx context.Context) error {
	now := s.clock.Now()
	due := s.lastRound(now)
	if now.Sub(due) > roundGrace {
		return nil
	}
	last, err := s.db.LastDialRound(ctx)
	if err != nil || !due.After(last) {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		started, err := tx.StartDialRound(ctx, due, s.clock.Now())
		if err != nil || !started {
			return err
		}
		return tx.Enqueue(ctx, roundArgs{At: due}, &river.InsertOpts{Queue: Queue, UniqueOpts: river.UniqueOpts{ByArgs: true}})
	})
}

// lastRound is the latest round time at or before now.
func (s *Service) lastRound(now time.Time) time.Time {
	local := now.In(s.cfg.Location)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, s.cfg.Location)
	var best time.Time
	for _, d := range []time.Time{day.AddDate(0, 0, -1), day} {
		for _, off := range s.times {
			if at := d.Add(off); !at.After(now) && at.After(best) {
				best = at
			}
		}
	}
	return best.UTC()
}

// roundArgs dials every product on sale for one round.
type roundArgs struct {
	At time.Time `json:"at"`
}

// Kind implements river.JobArgs.
func (roundArgs) Kind() string { return "dial_round" }

type roundWorker struct {
	river.WorkerDefaults[roundArgs]
	s *Service
}

// Work starts a dial run per product on sale that has saved debug cases (products without them
// have nothing to replay). A product already dialled in the round is skipped, so a repeated
// round job dials nobody twice.
func (w *roundWorker) Work(ctx context.Context, job *river.Job[roundArgs]) error {
	s := w.s
	page := store.Page{Limit: store.MaxLimit}
	for {
		products, next, err := s.db.ProductsOnSale(ctx, page)
		if err != nil {
			return err
		}
		for _, p := range products {
			if _, err := s.db.SavedDebugRun(ctx, p.ID); market.ErrorCode(err) == market.CodeNotFound {
				continue
			} else if err != nil {
				return err
			}
			err := s.db.Write(ctx, func(tx *store.Tx) error {
				r := &market.DebugRun{ID: "dial-" + strings.ToLower(market.NewSecret(12)), ProductID: p.ID, MerchantID: p.MerchantID,
					Kind: market.DebugDial, RoundAt: job.Args.At, State: market.RunRunning, StartedAt: s.clock.Now()}
				fresh, err := tx.InsertDebugRun(ctx, r)
				if err != nil || !fresh {
					return err
				}
				return tx.Enqueue(ctx, runArgs{RunID: r.ID}, &river.InsertOpts{Queue: Queue})
			})
			if err != nil {
				return err
			}
		}
		if next.IsZero() {
			return nil
		}
		page.After = next
	}
}

// tickArgs is the minute tick (Tick).
type tickArgs struct{}

// Kind implements river.JobArgs.
func (tickArgs) Kind() string { return "dial_tick" }

type tickWorker struct {
	river.WorkerDefaults[tickArgs]
	s *Service
}

func (w *tickWorker) Work(ctx context.Context, _ *river.Job[tickArgs]) error { return w.s.Tick(ctx) }

// judge applies the consequences of a finished dial test, in its transaction: a failure is
// posted to the seller; FailDays days in a row with nothing but failures freeze the product;
// more than FailedOrders interface-caused failed orders this month put it up for removal.
// Both are idempotent: a frozen product stays frozen, a product awaiting removal is not on sale.
func (s *Service) judge(ctx context.Context, tx *store.Tx, r *market.DebugRun) error {
	if r.State == market.RunFailed {
		if err := s.notify.Post(ctx, tx, r.MerchantID, "dialtest.failed", r.ProductID, "the dial test of product %s failed: %s",
			r.ProductID, firstFailure(r)); err != nil {
			return err
		}
		days, err := s.failingDays(ctx, tx.Reader, r.ProductID)
		if err != nil {
			return err
		}
		if days >= s.cfg.FailDays {
			frozen, err := tx.SetFrozen(ctx, r.ProductID, true)
			if err != nil {
				return err
			}
			if frozen {
				if err := s.notify.Post(ctx, tx, r.MerchantID, "product.frozen", r.ProductID,
					"product %s is frozen after %d days of failing dial tests: it is hidden and takes no new orders until the operator lifts the freeze",
					r.ProductID, days); err != nil {
					return err
				}
			}
		}
	}
	local := s.clock.Now().In(s.cfg.Location)
	month := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, s.cfg.Location)
	n, err := tx.FailedOrders(ctx, r.ProductID, month, month.AddDate(0, 1, 0))
	if err != nil || n <= s.cfg.FailedOrders {
		return err
	}
	_, err = s.publish.PlatformRemoval(ctx, tx, r.ProductID,
		fmt.Sprintf("%d orders failed this month because of the product's interface (more than %d)", n, s.cfg.FailedOrders))
	return err
}

// failingDays counts the days, back from today, on which every dial test of the product failed.
func (s *Service) failingDays(ctx context.Context, r store.Reader, productID string) (int, error) {
	local := s.clock.Now().In(s.cfg.Location)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, s.cfg.Location)
	runs, err := r.DialOutcomes(ctx, productID, today.AddDate(0, 0, -s.cfg.FailDays))
	if err != nil {
		return 0, err
	}
	failed := map[string]bool{} // by day: false once a run of the day passed
	for _, run := range runs {
		day := run.RoundAt.In(s.cfg.Location).Format(time.DateOnly)
		ok, seen := failed[day]
		failed[day] = (ok || !seen) && run.State == market.RunFailed
	}
	n := 0
	for d := today; failed[d.Format(time.DateOnly)]; d = d.AddDate(0, 0, -1) {
		n++
	}
	return n, nil
}

func firstFailure(r *market.DebugRun) string {
	for _, c := range r.Cases {
		if !c.Passed {
			return c.Name + ": " + c.Error
		}
	}
	return "no case passed"
}
