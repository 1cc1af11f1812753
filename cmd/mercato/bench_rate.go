package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/server"
	"github.com/mercato-oss/mercato/internal/store"
)

// rateResult is what `bench rate` measures.
type rateResult struct {
	Engine         string  `json:"engine"`
	Records        int64   `json:"records"`
	Collections    int     `json:"collections"`
	Bills          int     `json:"bills"`
	RateSeconds    float64 `json:"rate_seconds"`
	RecountSeconds float64 `json:"recount_seconds"`
	SeedPerSec     float64 `json:"seed_records_per_sec"`
}

const rateCollections = 24

func benchRate(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("bench rate", "[--records N] [--db DSN] [--json]",
		"Store N usage records (default 10 million) over 100 pay-per-use instances and 24 hourly collections,\n"+
			"then rate and bill every collection. Rating reads the per-collection sums kept as records are stored; the\n"+
			"baseline is recounting the same collections straight from the records, in the same run.", stderr)
	n := fs.Int64("records", 10_000_000, "records to store and rate")
	dsn := fs.String("db", "", "database (default: SQLite in a temporary directory); PostgreSQL needs an empty schema")
	asJSON := fs.Bool("json", false, "print the figures as JSON")
	if _, code, ok := parseCommand(fs, args, 0); !ok {
		return code
	}
	s := stdio{nil, stdout, stderr}
	db, cleanup, err := benchDB(*dsn, "rate.db")
	if err != nil {
		return fail(s, "bench", err)
	}
	defer cleanup()
	*dsn = db
	r, err := rate(context.Background(), *dsn, *n)
	if err != nil {
		return fail(s, "bench", err)
	}
	if *asJSON {
		json.NewEncoder(stdout).Encode(r)
		return exitOK
	}
	fmt.Fprintf(stdout, "rate: %d records in %d collections rated and billed in %.2f s (%d bills); recount from the records %.2f s; stored at %.0f records/s (%s)\n",
		r.Records, r.Collections, r.RateSeconds, r.Bills, r.RecountSeconds, r.SeedPerSec, r.Engine)
	return exitOK
}

func rate(ctx context.Context, dsn string, n int64) (*rateResult, error) {
	clock := market.NewFakeClock(time.Now().UTC().Truncate(time.Hour))
	cfg := server.DefaultConfig()
	cfg.DB, cfg.KeyFile, cfg.Clock, cfg.Log, cfg.Out = dsn, benchKeyFile(), clock, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard
	cfg.OperatorToken = "op_" + market.NewSecret(40)
	s, err := server.New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	db := s.DB
	f, err := seedUsage(ctx, db, s.Catalog, clock.Now())
	if err != nil {
		return nil, err
	}
	seedStart := time.Now()
	first := clock.Now().Add(-rateCollections * time.Hour)
	const perTx = 20_000
	rows := make([]market.UsageRecord, 0, perTx)
	flush := func() error {
		err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.InsertUsage(ctx, rows)
			return err
		})
		rows = rows[:0]
		return err
	}
	for i := range n {
		in := f.instances[i%int64(len(f.instances))]
		k := i / int64(len(f.instances))
		begin := f.started.Add(time.Duration(k) * time.Second)
		cycle := first.Add(time.Duration(i%rateCollections)*time.Hour + 15*time.Minute)
		rows = append(rows, market.UsageRecord{MerchantID: f.merchant.ID, MeteringSN: fmt.Sprintf("r%011d", i), InstanceKey: in.Key, BuyerID: in.BuyerID,
			ProductID: in.ProductID, BeginAt: begin, EndAt: begin.Add(time.Second), RecordAt: begin, Quantity: 1_2345, ReceivedAt: begin, CycleAt: cycle})
		if len(rows) == perTx {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	seeded := time.Since(seedStart).Seconds()

	bill, m := s.Billing, s.Metering
	// Enough credit that no bill freezes anything: the bench measures rating, not merchant calls.
	if _, err := bill.TopUp(ctx, market.AsOperator(), f.instances[0].BuyerID, market.MaxAmount, "bench"); err != nil {
		return nil, err
	}
	start := time.Now()
	for c := range rateCollections {
		if err := m.Collect(ctx, first.Add(time.Duration(c)*time.Hour+15*time.Minute)); err != nil {
			return nil, err
		}
	}
	rated := time.Since(start).Seconds()
	start = time.Now()
	counts, err := db.RecountUsage(ctx)
	if err != nil {
		return nil, err
	}
	recount := time.Since(start).Seconds()
	var total int64
	for _, c := range counts {
		total += c.Records
		sums, err := db.UsageTotals(ctx, c.CycleAt)
		if err != nil {
			return nil, err
		}
		var q market.Quantity
		for _, t := range sums {
			q += t.Quantity
		}
		if q != c.Quantity {
			return nil, fmt.Errorf("collection %s: running sums say %s, the records %s", c.CycleAt, q, c.Quantity)
		}
	}
	if total != n {
		return nil, fmt.Errorf("recount found %d records, stored %d", total, n)
	}
	bills := 0
	for page := (store.Page{Limit: store.MaxLimit}); ; {
		list, next, err := db.Bills(ctx, "", page)
		if err != nil {
			return nil, err
		}
		bills += len(list)
		if next.IsZero() {
			break
		}
		page.After = next
	}
	return &rateResult{Engine: string(db.Dialect), Records: n, Collections: rateCollections, Bills: bills,
		RateSeconds: rated, RecountSeconds: recount, SeedPerSec: float64(n) / seeded}, nil
}
