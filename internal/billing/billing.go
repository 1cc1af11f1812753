// Package billing keeps buyers' accounts and merchants' settlements: each usage collection
// becomes a bill per buyer, paid by the buyer's cash coupons and then its balance; a bill that
// leaves the balance below zero puts the instances it billed into arrears (each at its own
// settlement point, with its grace period) and a top-up that clears it takes them out; each
// month, on the bill day, the bill run settles every merchant's eligible sales (rules §8.4).
package billing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/ledger"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/metering"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/promo"
	"github.com/mercato-oss/mercato/internal/store"
)

// Config holds billing's tunables.
type Config struct {
	// BillDay is the day of the month merchants' statements for the previous month are made:
	// KooGallery's international site uses the 7th, the China site the 3rd or the 7th.
	BillDay int
	// FeePerMille is the platform's fee on a merchant's sales, in thousandths (50 = 5 %).
	FeePerMille int64
	// MinSettlement is the least a product type's eligible sales must come to before a bill run
	// settles them (rules §8.4: "cumulative bills of the same product type ≥ CNY 1,000"); less
	// stays held for a later run.
	MinSettlement market.Money
	// Incentives lower the fee by RebatePerMille (not below zero) for a merchant whose sales in
	// the month reach From (rules §8.4, the 2024 policy for 5 % products: +0 % below CNY
	// 500,000, +1 % to 1,000,000, +2 % above); the highest tier reached applies.
	Incentives []Incentive
}

// Incentive is one tier of the platform fee's incentive.
type Incentive struct {
	From           market.Money `json:"from"`
	RebatePerMille int64        `json:"rebate_permille"`
}

// DefaultConfig is the international site's bill day, a 5 % platform fee, the CNY 1,000 minimum
// and the 2024 incentive tiers (amounts in the site's currency).
func DefaultConfig() Config {
	return Config{BillDay: 7, FeePerMille: 50, MinSettlement: 1_000_000,
		Incentives: []Incentive{{From: 500_000_000, RebatePerMille: 10}, {From: 1_000_000_000, RebatePerMille: 20}}}
}

// Service bills usage and settles with merchants.
type Service struct {
	db       *store.DB
	clock    market.Clock
	log      *slog.Logger
	orders   *order.Service
	vouchers *promo.Service
	cfg      Config
}

// New returns the billing service; orders puts instances into arrears and out, vouchers pays
// bills with cash coupons.
func New(db *store.DB, clock market.Clock, log *slog.Logger, orders *order.Service, vouchers *promo.Service, cfg Config) (*Service, error) {
	if db == nil || clock == nil || log == nil || orders == nil || vouchers == nil {
		return nil, errors.New("billing: New needs a database, a clock, a logger, the order service and the voucher service")
	}
	if cfg.BillDay < 1 || cfg.BillDay > 28 || cfg.FeePerMille < 0 || cfg.FeePerMille > 1000 {
		return nil, fmt.Errorf("billing: bill day %d must be 1 to 28 and the fee %d‰ 0 to 1000", cfg.BillDay, cfg.FeePerMille)
	}
	if cfg.MinSettlement < 0 {
		return nil, fmt.Errorf("billing: the minimum settlement must not be negative")
	}
	for _, in := range cfg.Incentives {
		if in.From < 0 || in.RebatePerMille < 0 || in.RebatePerMille > 1000 {
			return nil, fmt.Errorf("billing: an incentive from %s lowers the fee by 0 to 1000‰, not %d‰", in.From, in.RebatePerMille)
		}
	}
	return &Service{db: db, clock: clock, log: log, orders: orders, vouchers: vouchers, cfg: cfg}, nil
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

// Bill turns a collection's fees into one bill per buyer and pays it, in the collection's
// transaction: the buyer's cash coupons first (and vouchers, when configured), then the balance,
// which may go below zero. A bill that leaves the balance below zero puts the instances it
// billed into arrears — those only: the buyer's other pay-per-use instances follow at their own
// collections (rules §8.4).
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
		balance, err := s.pay(ctx, tx, b, now)
		if err != nil {
			return err
		}
		if balance >= 0 {
			continue
		}
		for _, l := range b.Lines {
			if err := s.orders.InArrears(ctx, tx, l.InstanceKey); err != nil {
				return err
			}
		}
		s.log.Info("buyer in arrears", "buyer", id, "balance", balance, "bill", b.ID, "instances", len(b.Lines))
	}
	return nil
}

// pay pays a bill: each line is a sale of its instance's merchant.
func (s *Service) pay(ctx context.Context, tx *store.Tx, b *market.Bill, now time.Time) (market.Money, error) {
	items := make([]promo.Item, len(b.Lines))
	sales := make([]*market.Sale, len(b.Lines))
	for i, l := range b.Lines {
		e, err := tx.CatalogEntry(ctx, l.ProductID)
		if err != nil {
			return 0, err
		}
		items[i] = promo.Item{SaleRef: "bill:" + b.ID + ":" + l.InstanceKey, MerchantID: l.MerchantID, ProductID: e.Product.ID, SkuCode: e.Spec.SkuCode, Amount: l.Amount}
		sales[i] = &market.Sale{Ref: items[i].SaleRef, MerchantID: l.MerchantID, BuyerID: b.BuyerID, InstanceKey: l.InstanceKey,
			ProductID: e.Product.ID, Kind: e.Spec.Delivery, Gross: l.Amount, EffectiveAt: now, At: now}
	}
	deductions, err := s.vouchers.AutoRedeem(ctx, tx, b.BuyerID, items)
	if err != nil {
		return 0, err
	}
	for i, d := range deductions {
		sales[i].SellerDiscount, sales[i].PlatformDiscount = d.Seller, d.Platform
		sales[i].Cash = sales[i].Gross - d.Seller - d.Platform
	}
	return ledger.Pay(ctx, tx, b.BuyerID, b.ID, market.EntryDeduction, sales, ledger.Arrears, now)
}

// BillID names a buyer's bill for a collection.
func BillID(buyerID string, at time.Time) string {
	return fmt.Sprintf("BL%s-%s", at.UTC().Format("200601021504"), buyerID)
}

// TopUp credits a buyer's account once per ref (a payment's reference) and, if that clears the
// arrears, takes the buyer's instances out of arrears. It returns the new balance.
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
		if balance, _, err = ledger.TopUp(ctx, tx, buyerID, "topup:"+ref, amount, s.clock.Now()); err != nil {
			return err
		}
		if balance < 0 {
			return nil
		}
		n, err := s.orders.ArrearsCleared(ctx, tx, buyerID)
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
