package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/fulfil"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/server"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

// benchmarks are the `mercato bench` subcommands; each prints its figures next to a baseline
// measured in the same run, as one summary line (or JSON with --json).
var benchmarks = []struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) int
}{
	{"dispatch", "end-to-end provisioning to a local merchant, beside the bare job queue", benchDispatch},
	{"heartbeat", "signed license heartbeats over HTTP, durable when answered, beside signature verification alone", benchHeartbeat},
	{"usage", "signed 1000-record usage pushes over HTTP, beside raw inserts into the same engine", benchUsage},
	{"rate", "rate and bill 10 million stored usage records, beside recounting them from the records", benchRate},
	{"cloudsave", "save files and assemblies through the industrial SDK, beside copying the same bytes on the same disk", benchCloudSave},
	{"sync", "joint-operation user authorization synced to a local merchant, beside bare signed POSTs of the same bodies", benchSync},
	{"catalog", "storefront listing and full-text search over HTTP on 10,000 products, beside a bare indexed SELECT", benchCatalog},
	{"template", "validate a 25-module auto-deploy template against RFS's constraints, beside parsing it alone", benchTemplate},
	{"web", "the consoles' main pages for a buyer and a seller with 10,000 orders, beside the JSON API's answer for the same data", benchWeb},
}

// runBench dispatches to a benchmark.
func runBench(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && !isHelp(args[0]) {
		for _, b := range benchmarks {
			if b.name == args[0] {
				return b.run(args[1:], stdout, stderr)
			}
		}
		fmt.Fprintf(stderr, "mercato bench: unknown benchmark %q\n", args[0])
	}
	w := stdout
	if len(args) == 0 {
		w = stderr
	}
	fmt.Fprint(w, "usage: mercato bench BENCHMARK [flags]\n\n")
	for _, b := range benchmarks {
		fmt.Fprintf(w, "  %-10s %s\n", b.name, b.summary)
	}
	if len(args) > 0 && isHelp(args[0]) {
		return exitOK
	}
	return exitUsage
}

// dispatchResult is what `bench dispatch` measures.
type dispatchResult struct {
	Engine        string  `json:"engine"`
	Orders        int     `json:"orders"`
	OrdersPerSec  float64 `json:"orders_per_sec"`
	CallsPerSec   float64 `json:"merchant_calls_per_sec"`
	PickupP50MS   float64 `json:"pickup_p50_ms"`
	PickupP95MS   float64 `json:"pickup_p95_ms"`
	BurstP50MS    float64 `json:"burst_pickup_p50_ms"`
	BurstP95MS    float64 `json:"burst_pickup_p95_ms"`
	QueueJobsPerS float64 `json:"queue_baseline_jobs_per_sec"`
	Ratio         float64 `json:"ratio_calls_to_queue"`
}

func benchDispatch(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("bench dispatch", "[--orders N] [--db DSN] [--json]",
		"Place N orders against a local merchant and time them until every instance is active (two merchant\n"+
			"calls each: newInstance and queryInstance). Job pickup latency is the time from a call's insert to its\n"+
			"first attempt: during the burst (queueing included), and at rest (one order every 20 ms). The baseline is the same number of no-op jobs through a bare job queue on a fresh\n"+
			"database of the same engine, measured in the same run.", stderr)
	n := fs.Int("orders", 2000, "orders to place")
	dsn := fs.String("db", "", "database (default: SQLite in a temporary directory); PostgreSQL needs an empty schema")
	baseDSN := fs.String("baseline-db", "", "database for the queue baseline (default: another SQLite file, or the --db one)")
	asJSON := fs.Bool("json", false, "print the figures as JSON")
	if _, code, ok := parseCommand(fs, args, 0); !ok {
		return code
	}
	dir, err := os.MkdirTemp("", "mercato-bench-")
	if err != nil {
		return fail(stdio{nil, stdout, stderr}, "bench", err)
	}
	defer os.RemoveAll(dir)
	if *dsn == "" {
		*dsn = "sqlite:" + filepath.Join(dir, "dispatch.db")
	}
	if *baseDSN == "" {
		*baseDSN = "sqlite:" + filepath.Join(dir, "baseline.db")
		if !isSQLite(*dsn) {
			*baseDSN = *dsn
		}
	}
	ctx := context.Background()
	base, err := queueBaseline(ctx, *baseDSN, *n*2)
	if err != nil {
		return fail(stdio{nil, stdout, stderr}, "bench", err)
	}
	r, err := dispatch(ctx, *dsn, *n)
	if err != nil {
		return fail(stdio{nil, stdout, stderr}, "bench", err)
	}
	r.QueueJobsPerS, r.Ratio = base, r.CallsPerSec/base
	if *asJSON {
		json.NewEncoder(stdout).Encode(r)
		return exitOK
	}
	fmt.Fprintf(stdout, "dispatch: %.0f orders/s end-to-end (%.0f merchant calls/s), queue baseline %.0f jobs/s, ratio %.2f; pickup p50 %.1f ms p95 %.1f ms at rest, p50 %.0f ms p95 %.0f ms in the burst (%s, %d orders)\n",
		r.OrdersPerSec, r.CallsPerSec, r.QueueJobsPerS, r.Ratio, r.PickupP50MS, r.PickupP95MS, r.BurstP50MS, r.BurstP95MS, r.Engine, r.Orders)
	return exitOK
}

func isSQLite(dsn string) bool {
	return !slices.Contains([]string{"postgres", "postgresql"}, schemeOf(dsn))
}

func schemeOf(dsn string) string {
	for i := range len(dsn) {
		if dsn[i] == ':' {
			return dsn[:i]
		}
	}
	return ""
}

// dispatch runs the marketplace on dsn against a local merchant and measures n orders.
func dispatch(ctx context.Context, dsn string, n int) (*dispatchResult, error) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := server.New(ctx, server.Config{DB: dsn, KeyFile: benchKeyFile(), Site: "cn", CallWorkers: 20, AllowInsecureMerchants: true,
		OperatorToken: testOperatorToken, Log: log, Out: io.Discard})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	m, err := sdktest.Start(sdktest.Options{Key: "bench-access-key-000"})
	if err != nil {
		return nil, err
	}
	defer m.Close()
	nm, err := s.Catalog.CreateMerchant(ctx, market.AsOperator(), catalog.MerchantRequest{Name: "bench", ProductionURL: m.URL, AccessKey: m.Key})
	if err != nil {
		return nil, err
	}
	if _, err := s.Catalog.CreateProduct(ctx, market.AsOperator(), catalog.ProductRequest{MerchantID: nm.Merchant.ID, Name: "bench", Specs: []catalog.SpecRequest{
		{SkuCode: "bench-" + market.NewSecret(6), Name: "std", Charging: market.ChargingPeriod,
			Plans: []catalog.PlanRequest{{ProductID: "OFFIBENCH" + market.NewSecret(8), Period: market.PeriodMonth, Price: 1000}}}}}); err != nil {
		return nil, err
	}
	plans, _, err := s.DB.Storefront(ctx, store.StorefrontFilter{Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		return nil, err
	}
	b, _, err := s.Identity.CreateBuyer(ctx, market.AsOperator(), identity.BuyerRequest{Name: "bench"})
	if err != nil {
		return nil, err
	}
	if _, err := s.Billing.TopUp(ctx, market.AsOperator(), b.CustomerID, market.MaxAmount, "bench"); err != nil {
		return nil, err
	}
	if err := s.Start(ctx); err != nil {
		return nil, err
	}
	defer s.Queue.Stop(ctx)

	buy := func() error {
		_, err := s.Orders.Purchase(ctx, market.AsBuyer(b.CustomerID), order.PurchaseRequest{Items: []order.Item{{ProductID: plans[0].Plan.ProductID, PeriodNumber: 1}}})
		return err
	}
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	next := make(chan int)
	for range 8 {
		wg.Go(func() {
			for range next {
				if err := buy(); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	if err := awaitActive(ctx, s, m, n); err != nil {
		return nil, err
	}
	elapsed := time.Since(start).Seconds()
	r := &dispatchResult{Engine: string(s.DB.Dialect), Orders: n, OrdersPerSec: float64(n) / elapsed, CallsPerSec: float64(2*n) / elapsed}
	if r.BurstP50MS, r.BurstP95MS, err = pickupLatency(ctx, s.Queue, start); err != nil {
		return nil, err
	}
	rest := time.Now()
	const atRest = 100
	for range atRest {
		if err := buy(); err != nil {
			return nil, err
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := awaitActive(ctx, s, m, n+atRest); err != nil {
		return nil, err
	}
	r.PickupP50MS, r.PickupP95MS, err = pickupLatency(ctx, s.Queue, rest)
	return r, err
}

// awaitActive waits until n instances are active and their appInfo queries answered.
func awaitActive(ctx context.Context, s *server.Server, m *sdktest.Merchant, n int) error {
	for start := time.Now(); ; time.Sleep(5 * time.Millisecond) {
		active, err := s.DB.CountInstances(ctx, market.InstanceActive)
		if err != nil {
			return err
		}
		if active == n && m.Count(kgp.ActivityQueryInstance) >= n {
			return nil
		}
		if time.Since(start) > 10*time.Minute {
			return fmt.Errorf("only %d of %d instances active after 10 minutes", active, n)
		}
	}
}

// pickupLatency is the p50 and p95 of the time from insert to first attempt of the merchant calls
// inserted since a time.
func pickupLatency(ctx context.Context, q *river.Client[*sql.Tx], since time.Time) (p50, p95 float64, err error) {
	var ms []float64
	params := river.NewJobListParams().Kinds(fulfil.CallArgs{}.Kind()).States(rivertype.JobStateCompleted, rivertype.JobStateRunning).First(10000)
	res, err := q.JobList(ctx, params)
	if err != nil {
		return 0, 0, err
	}
	for _, j := range res.Jobs {
		if j.AttemptedAt != nil && !j.CreatedAt.Before(since) {
			ms = append(ms, float64(j.AttemptedAt.Sub(j.CreatedAt).Microseconds())/1000)
		}
	}
	if len(ms) == 0 {
		return 0, 0, fmt.Errorf("no completed calls to measure")
	}
	slices.Sort(ms)
	return ms[len(ms)/2], ms[len(ms)*95/100], nil
}

// noopArgs is the baseline's job: it does nothing, so the queue's own cost is all there is.
type noopArgs struct{ N int }

func (noopArgs) Kind() string { return "bench_noop" }

type noopWorker struct {
	river.WorkerDefaults[noopArgs]
	wg *sync.WaitGroup
}

func (w *noopWorker) Work(context.Context, *river.Job[noopArgs]) error { w.wg.Done(); return nil }

// queueBaseline inserts n no-op jobs in batches and measures how fast a bare queue with the same
// number of workers completes them.
func queueBaseline(ctx context.Context, dsn string, n int) (float64, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := db.Migrate(ctx, log); err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	jobs := store.NewJobs()
	store.AddWorker(jobs, &noopWorker{wg: &wg})
	jobs.Queue(river.QueueDefault, 20)
	q, err := db.NewQueue(jobs, store.QueueConfig{Clock: market.SystemClock{}, Log: log})
	if err != nil {
		return 0, err
	}
	if err := q.Start(ctx); err != nil {
		return 0, err
	}
	defer q.Stop(ctx)
	wg.Add(n)
	start := time.Now()
	for i := 0; i < n; i += 500 {
		batch := make([]river.InsertManyParams, 0, 500)
		for j := i; j < min(i+500, n); j++ {
			batch = append(batch, river.InsertManyParams{Args: noopArgs{N: j}})
		}
		if _, err := q.InsertMany(ctx, batch); err != nil {
			return 0, err
		}
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds(), nil
}

// testOperatorToken is the operator token of the servers the benchmarks and tests start.
const testOperatorToken = "op_bench_0123456789abcdefghijklmnopqrstuvwxyz"

// benchKeyFile is the key file of the servers the benchmarks start: beside their temporary
// databases, not in the working directory.
func benchKeyFile() string { return filepath.Join(os.TempDir(), "mercato-bench.key") }

// benchDB is the database a benchmark runs on: dsn when given, else a SQLite file called name in
// a fresh temporary directory, which cleanup removes.
func benchDB(dsn, name string) (string, func(), error) {
	if dsn != "" {
		return dsn, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "mercato-bench-")
	if err != nil {
		return "", nil, err
	}
	return "sqlite:" + filepath.Join(dir, name), func() { os.RemoveAll(dir) }, nil
}
