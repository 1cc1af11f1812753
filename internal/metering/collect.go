package metering

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Fee is what one instance owes for one collection.
type Fee struct {
	InstanceKey string
	BuyerID     string
	MerchantID  string
	ProductID   string
	Quantity    market.Quantity // all usage collected
	FromPackage market.Quantity // the part a package covered
	Late        market.Quantity // the part that arrived after its own cycle's collection
	Amount      market.Money    // the price of Quantity − FromPackage
	Currency    string
}

// add counts one usage sum into the fee, and says why the instance cannot be rated when the sum
// reached the ceiling or the fee's quantities overflow.
func (f *Fee) add(t market.UsageTotal) string {
	if t.Quantity >= market.MaxTotal || t.Late >= market.MaxTotal {
		return "the usage sum reached its ceiling " + market.MaxTotal.String()
	}
	q, err := f.Quantity.Plus(t.Quantity)
	if err != nil {
		return err.Error()
	}
	late, err := f.Late.Plus(t.Late)
	if err != nil {
		return err.Error()
	}
	f.Quantity, f.Late = q, late
	return ""
}

// Collection is one collection's result: the cycle it bills and every instance's fee.
type Collection struct {
	At       time.Time
	From, To time.Time
	Fees     []Fee
}

// Biller turns a collection's fees into bills, in the transaction that records the collection.
type Biller interface {
	Bill(ctx context.Context, tx *store.Tx, c *Collection) error
}

// Collect rates the usage collected at at and bills it, once: a collection that ran before is
// not run again. Usage drawn from a package uses up the package first; the rest is priced by the
// billing item's plan (fixed, step or tier) on the cycle's quantity.
func (s *Service) Collect(ctx context.Context, at time.Time) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if done, err := tx.CollectionDone(ctx, at); err != nil || done {
			return err
		}
		totals, err := tx.UsageTotals(ctx, at)
		if err != nil {
			return err
		}
		c := &Collection{At: at}
		var records int64
		fees := map[string]*Fee{}
		failed := map[string]string{} // instance → why it is left out
		var order []string
		for _, t := range totals {
			records += t.Records
			if failed[t.InstanceKey] != "" {
				continue
			}
			f := fees[t.InstanceKey]
			if f == nil {
				in, err := tx.Instance(ctx, t.InstanceKey)
				if err != nil {
					return err
				}
				f = &Fee{InstanceKey: in.Key, BuyerID: in.BuyerID, MerchantID: in.MerchantID, ProductID: in.ProductID}
				fees[t.InstanceKey] = f
				order = append(order, t.InstanceKey)
			}
			if why := f.add(t); why != "" {
				failed[t.InstanceKey] = why
				continue
			}
			if t.PkgKey != "" {
				used, err := s.drawPackage(ctx, tx, t.PkgKey, t.Quantity)
				if err != nil {
					return err
				}
				f.FromPackage += used // at most t.Quantity, which add checked
			}
		}
		var sum market.Money
		for _, key := range order {
			f := fees[key]
			plan, err := s.plan(ctx, f.ProductID)
			if err != nil {
				return err
			}
			if c.From.IsZero() {
				c.From, c.To = CycleOf(plan.Cycle, at)
			}
			if failed[key] == "" {
				if f.Amount, err = Charge(plan, f.Quantity-f.FromPackage); err != nil {
					failed[key] = err.Error()
				} else if total, err := sum.Plus(f.Amount); err != nil {
					failed[key] = "the collection's total overflows"
				} else {
					sum = total
				}
			}
			if why := failed[key]; why != "" {
				s.log.Warn("usage left out of a collection", "instance", key, "collection", at, "why", why)
				s.collections.WithLabelValues("left_out").Inc()
				if err := tx.InsertCollectionFailure(ctx, &market.CollectionFailure{CycleAt: at, InstanceKey: key, Reason: why, At: s.clock.Now()}); err != nil {
					return err
				}
				continue
			}
			f.Currency = plan.Currency
			c.Fees = append(c.Fees, *f)
		}
		if err := tx.InsertCollection(ctx, at, s.clock.Now(), records, sum); err != nil {
			return err
		}
		s.collections.WithLabelValues("collection").Inc()
		if len(c.Fees) == 0 {
			return nil
		}
		return s.biller.Bill(ctx, tx, c)
	})
}

// drawPackage takes up to q from a package's remaining quota and returns what it took.
func (s *Service) drawPackage(ctx context.Context, tx *store.Tx, pkgKey string, q market.Quantity) (market.Quantity, error) {
	in, err := tx.Instance(ctx, pkgKey)
	if err != nil {
		return 0, err
	}
	if in.State != market.InstanceActive {
		return 0, nil // an expired or released package covers nothing more
	}
	plan, err := s.plan(ctx, in.ProductID)
	if err != nil {
		return 0, err
	}
	return tx.DrawPackage(ctx, pkgKey, plan.PackageItem, plan.PackageQuota, q)
}

// CollectArgs rates one collection.
type CollectArgs struct {
	At time.Time `json:"at"`
}

// Kind implements river.JobArgs.
func (CollectArgs) Kind() string { return "usage_collection" }

// CollectWorker runs collections.
type CollectWorker struct {
	river.WorkerDefaults[CollectArgs]
	S *Service
}

// Work implements river.Worker.
func (w *CollectWorker) Work(ctx context.Context, job *river.Job[CollectArgs]) error {
	return w.S.Collect(ctx, job.Args.At)
}

// Margin is how long after its time a collection runs, so that every push received before the
// collection time has committed.
const Margin = time.Minute

// Tick enqueues every collection that is due and not yet run: the hourly ones at minute 15,
// the daily ones at 01:00, catching up after a pause. It is idempotent (unique jobs, and a
// collection runs once), so every replica may tick; the server's periodic job calls it each minute.
func (s *Service) Tick(ctx context.Context) error {
	now := s.clock.Now()
	for _, c := range []market.Cycle{market.CycleHourly, market.CycleDaily} {
		period, offset := schedule(c)
		last, err := s.db.LastCollection(ctx, period, offset)
		if err != nil {
			return err
		}
		for _, at := range DueCollections(c, last, now, Margin) {
			err := s.db.Write(ctx, func(tx *store.Tx) error {
				return tx.Enqueue(ctx, CollectArgs{At: at}, &river.InsertOpts{Queue: Queue, UniqueOpts: river.UniqueOpts{ByArgs: true}})
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// Queue is the River queue of collections (and of billing's statements).
const Queue = "metering"

// Register adds the collection worker, its queue, and the periodic tick that enqueues due
// collections every minute.
func (s *Service) Register(j *store.Jobs) {
	store.AddWorker(j, &CollectWorker{S: s})
	store.AddWorker(j, &tickWorker{s: s})
	j.Queue(Queue, 2)
	j.Periodic(river.NewPeriodicJob(river.PeriodicInterval(time.Minute), func() (river.JobArgs, *river.InsertOpts) {
		return tickArgs{}, &river.InsertOpts{Queue: Queue}
	}, &river.PeriodicJobOpts{RunOnStart: true}))
}

// tickArgs is metering's minute tick (Tick).
type tickArgs struct{}

// Kind implements river.JobArgs.
func (tickArgs) Kind() string { return "metering_tick" }

type tickWorker struct {
	river.WorkerDefaults[tickArgs]
	s *Service
}

func (w *tickWorker) Work(ctx context.Context, _ *river.Job[tickArgs]) error { return w.s.Tick(ctx) }
