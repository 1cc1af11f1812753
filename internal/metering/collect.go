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
		var order []string
		for _, t := range totals {
			records += t.Records
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
			f.Quantity += t.Quantity
			f.Late += t.Late
			if t.PkgKey != "" {
				used, err := s.drawPackage(ctx, tx, t.PkgKey, t.Quantity)
				if err != nil {
					return err
				}
				f.FromPackage += used
			}
		}
		var sum market.Money
		for i, key := range order {
			f := fees[key]
			plan, err := s.plan(ctx, f.ProductID)
			if err != nil {
				return err
			}
			if i == 0 {
				c.From, c.To = CycleOf(plan.Cycle, at)
			}
			if f.Amount, err = Charge(plan, f.Quantity-f.FromPackage); err != nil {
				return err
			}
			f.Currency = plan.Currency
			sum += f.Amount
			c.Fees = append(c.Fees, *f)
		}
		if err := tx.InsertCollection(ctx, at, s.clock.Now(), records, sum); err != nil {
			return err
		}
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
