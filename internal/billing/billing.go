// Package billing keeps buyers' accounts and merchants' settlements: each usage collection
// becomes a bill per buyer, deducted from the buyer's balance; a balance below zero freezes the
// buyer's pay-per-use instances and a top-up that clears it unfreezes them; each month, on the
// bill day, every merchant gets a statement (rules §8.4).
package billing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/metering"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
)

// Config holds billing's tunables.
type Config struct {
	// BillDay is the day of the month merchants' statements for the previous month are made:
	// KooGallery's international site uses the 7th, the China site the 3rd or the 7th.
	BillDay int
	// FeePerMille is the platform's fee on a merchant's sales, in thousandths (50 = 5 %).
	FeePerMille int64
}

// DefaultConfig is the international site's bill day and a 5 % platform fee.
func DefaultConfig() Config { return Config{BillDay: 7, FeePerMille: 50} }

// Service bills usage and settles with merchants.
type Service struct {
	db     *store.DB
	clock  market.Clock
	log    *slog.Logger
	orders *order.Service
	cfg    Config
}

// New returns the billing service; orders freezes and unfreezes instances for arrears.
func New(db *store.DB, clock market.Clock, log *slog.Logger, orders *order.Service, cfg Config) (*Service, error) {
	if db == nil || clock == nil || log == nil || orders == nil {
		return nil, errors.New("billing: New needs a database, a clock, a logger and the order service")
	}
	if cfg.BillDay < 1 || cfg.BillDay > 28 || cfg.FeePerMille < 0 || cfg.FeePerMille > 1000 {
		return nil, fmt.Errorf("billing: bill day %d must be 1 to 28 and the fee %d‰ 0 to 1000", cfg.BillDay, cfg.FeePerMille)
	}
	return &Service{db: db, clock: clock, log: log, orders: orders, cfg: cfg}, nil
}

// Register adds the statement worker and the periodic tick that enqueues statements on the
// bill day.
func (s *Service) Register(j *store.Jobs) {
	store.AddWorker(j, &StatementWorker{S: s})
	store.AddWorker(j, &tickWorker{s: s})
	j.Queue(metering.Queue, 2)
	j.Periodic(river.NewPeriodicJob(river.PeriodicInterval(time.Minute), func() (river.JobArgs, *river.InsertOpts) {
		return tickArgs{}, &river.InsertOpts{Queue: metering.Queue}
	}, &river.PeriodicJobOpts{RunOnStart: true}))
}

// tickArgs is billing's minute tick (Tick).
type tickArgs struct{}

// Kind implements river.JobArgs.
func (tickArgs) Kind() string { return "billing_tick" }

type tickWorker struct {
	river.WorkerDefaults[tickArgs]
	s *Service
}

func (w *tickWorker) Work(ctx context.Context, _ *river.Job[tickArgs]) error { return w.s.Tick(ctx) }

var _ metering.Biller = (*Service)(nil)

// Bill turns a collection's fees into one bill per buyer and deducts it, in the collection's
// transaction. A buyer whose balance goes below zero is in arrears: their pay-per-use instances
// are frozen.
func (s *Service) Bill(ctx context.Context, tx *store.Tx, c *metering.Collection) error {
	bills := map[string]*market.Bill{}
	var buyers []string
	now := s.clock.Now()
	for _, f := range c.Fees {
		b := bills[f.BuyerID]
		if b == nil {
			b = &market.Bill{ID: BillID(f.BuyerID, c.At), BuyerID: f.BuyerID, CycleAt: c.At, From: c.From, To: c.To, Currency: f.Currency, CreatedAt: now}
			bills[f.BuyerID] = b
			buyers = append(buyers, f.BuyerID)
		}
		b.Amount += f.Amount
		b.Lines = append(b.Lines, market.BillLine{InstanceKey: f.InstanceKey, MerchantID: f.MerchantID, ProductID: f.ProductID,
			Quantity: f.Quantity, FromPackage: f.FromPackage, Late: f.Late, Amount: f.Amount})
	}
	for _, id := range buyers {
		b := bills[id]
		fresh, err := tx.InsertBill(ctx, b)
		if err != nil || !fresh {
			return err
		}
		balance, _, err := tx.ApplyEntry(ctx, id, b.ID, market.EntryDeduction, -b.Amount, now)
		if err != nil {
			return err
		}
		if balance < 0 {
			n, err := s.orders.FreezeForArrears(ctx, tx, id)
			if err != nil {
				return err
			}
			s.log.Info("buyer in arrears", "buyer", id, "balance", balance, "bill", b.ID, "frozen", n)
		}
	}
	return nil
}

// BillID names a buyer's bill for a collection.
func BillID(buyerID string, at time.Time) string {
	return fmt.Sprintf("BL%s-%s", at.UTC().Format("200601021504"), buyerID)
}

// TopUp credits a buyer's account once per ref (a payment's reference) and, if that clears the
// arrears, unfreezes the buyer's pay-per-use instances. It returns the new balance.
func (s *Service) TopUp(ctx context.Context, v market.Viewer, buyerID string, amount market.Money, ref string) (market.Money, error) {
	if err := v.MustBeOperator(); err != nil {
		return 0, err
	}
	if amount <= 0 || amount > market.MaxAmount {
		return 0, market.Invalid("amount", "a top-up is a positive amount of at most %s", market.MaxAmount)
	}
	if ref == "" || len(ref) > 128 {
		return 0, market.Errorf(market.CodeInvalid, "a top-up needs a reference of 1 to 128 characters")
	}
	var balance market.Money
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Buyer(ctx, buyerID); err != nil {
			return err
		}
		var err error
		if balance, _, err = tx.ApplyEntry(ctx, buyerID, "topup:"+ref, market.EntryTopUp, amount, s.clock.Now()); err != nil {
			return err
		}
		if balance < 0 {
			return nil
		}
		n, err := s.orders.UnfreezeAfterTopUp(ctx, tx, buyerID)
		if n > 0 {
			s.log.Info("arrears cleared", "buyer", buyerID, "balance", balance, "unfrozen", n)
		}
		return err
	})
	return balance, err
}

// StatementArgs makes every merchant's statement for a month.
type StatementArgs struct {
	Month string `json:"month"` // yyyy-MM
}

// Kind implements river.JobArgs.
func (StatementArgs) Kind() string { return "merchant_statements" }

// StatementWorker makes statements.
type StatementWorker struct {
	river.WorkerDefaults[StatementArgs]
	S *Service
}

// Work implements river.Worker.
func (w *StatementWorker) Work(ctx context.Context, job *river.Job[StatementArgs]) error {
	return w.S.Settle(ctx, job.Args.Month)
}

// Settle makes every merchant's statement for month (yyyy-MM), once: settlement = sales −
// seller-borne vouchers − the platform fee on what remains (rules §8.4). Vouchers are not
// modelled yet, so they are zero.
func (s *Service) Settle(ctx context.Context, month string) error {
	from, err := time.Parse("2006-01", month)
	if err != nil {
		return market.Errorf(market.CodeInvalid, "month %q is not yyyy-MM", month)
	}
	to := from.AddDate(0, 1, 0)
	// A page of merchants per transaction: each statement is stored once (its key), so a run
	// cut short is finished by the next.
	for page := (store.Page{Limit: store.MaxLimit}); ; {
		merchants, next, err := s.db.Merchants(ctx, page)
		if err != nil {
			return err
		}
		err = s.db.Write(ctx, func(tx *store.Tx) error {
			for _, m := range merchants {
				sales, err := tx.MonthSales(ctx, m.ID, from, to)
				if err != nil {
					return err
				}
				st := &market.Statement{MerchantID: m.ID, Month: month, Sales: sales, CreatedAt: s.clock.Now()}
				st.Fee = market.Money((int64(st.Sales-st.Vouchers)*s.cfg.FeePerMille + 500) / 1000)
				st.Settlement = st.Sales - st.Vouchers - st.Fee
				if _, err := tx.InsertStatement(ctx, st); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil || next.IsZero() {
			return err
		}
		page.After = next
	}
}

// Tick enqueues the previous month's statements once the bill day has come; unique jobs and the
// statements' key make a repeat harmless.
func (s *Service) Tick(ctx context.Context) error {
	now := s.clock.Now().UTC()
	if now.Day() < s.cfg.BillDay {
		return nil
	}
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0).Format("2006-01")
	return s.db.Write(ctx, func(tx *store.Tx) error {
		return tx.Enqueue(ctx, StatementArgs{Month: month}, &river.InsertOpts{Queue: metering.Queue, UniqueOpts: river.UniqueOpts{ByArgs: true}})
	})
}
