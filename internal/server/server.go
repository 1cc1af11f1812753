package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/api"
	"github.com/mercato-oss/mercato/internal/billing"
	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/fulfil"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/license"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/metering"
	"github.com/mercato-oss/mercato/internal/openapi"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
)

// Server is a running marketplace: one process of `mercato serve`. Several may share one
// PostgreSQL database; River hands each job to exactly one of them.
type Server struct {
	Cfg      Config
	Site     Site
	DB       *store.DB
	Queue    *river.Client[*sql.Tx]
	Catalog  *catalog.Service
	Identity *identity.Service
	Orders   *order.Service
	Metering *metering.Service
	Billing  *billing.Service
	Licenses *license.Service
	Handler  http.Handler
	// Sandbox holds what the sandbox seeded, when --sandbox is on.
	Sandbox *Sandbox
}

// New opens and migrates the database, builds the services and the job queue (not started), and
// seeds the sandbox when asked.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	s, err := build(ctx, cfg, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func build(ctx context.Context, cfg Config, db *store.DB) (*Server, error) {
	if err := db.Migrate(ctx, cfg.Log); err != nil {
		return nil, err
	}
	s := &Server{Cfg: cfg, Site: Sites[cfg.Site], DB: db}
	s.Catalog = &catalog.Service{DB: db, Clock: cfg.Clock, AllowInsecure: cfg.AllowInsecureMerchants, Currency: s.Site.Currency}
	s.Identity = &identity.Service{DB: db, Clock: cfg.Clock}
	s.Orders = &order.Service{DB: db, Clock: cfg.Clock, Cfg: order.Config{GraceDays: cfg.GraceDays, RetentionDays: cfg.RetentionDays}, Log: cfg.Log}
	s.Licenses = license.New(db, cfg.Clock, cfg.Log, license.DefaultRecorderConfig)
	s.Orders.Licenses = s.Licenses

	s.Billing = &billing.Service{DB: db, Clock: cfg.Clock, Orders: s.Orders, Log: cfg.Log,
		Cfg: billing.Config{BillDay: cfg.BillDay, FeePerMille: cfg.FeePerMille}}
	s.Metering = &metering.Service{DB: db, Clock: cfg.Clock, Log: cfg.Log, Biller: s.Billing}

	workers := river.NewWorkers()
	caller := &fulfil.Caller{HTTP: fulfil.NewHTTPClient(cfg.AllowInsecureMerchants), Clock: cfg.Clock}
	river.AddWorker(workers, &fulfil.Worker{DB: db, Caller: caller, Handler: s.Orders, Log: cfg.Log})
	river.AddWorker(workers, &order.ExpiryWorker{S: s.Orders})
	river.AddWorker(workers, &order.ReleaseWorker{S: s.Orders})
	river.AddWorker(workers, &metering.CollectWorker{S: s.Metering})
	river.AddWorker(workers, &billing.StatementWorker{S: s.Billing})
	river.AddWorker(workers, &tickWorker{s: s})
	q, err := db.NewQueue(workers, store.QueueConfig{
		Workers:  map[string]int{fulfil.Queue: cfg.CallWorkers, order.TimerQueue: 4, metering.Queue: 2},
		Periodic: []*river.PeriodicJob{tickJob()},
		Clock:    cfg.Clock, Log: cfg.Log,
	})
	if err != nil {
		return nil, err
	}
	s.Queue = q

	if s.Cfg.OperatorToken == "" {
		s.Cfg.OperatorToken = "op_" + market.NewSecret(40)
		fmt.Fprintf(cfg.Out, "operator token (MERCATO_OPERATOR_TOKEN): %s\n", s.Cfg.OperatorToken)
	}
	mux := http.NewServeMux()
	(&api.API{DB: db, Clock: cfg.Clock, Catalog: s.Catalog, Identity: s.Identity, Orders: s.Orders, Billing: s.Billing,
		Licenses: s.Licenses, OperatorToken: s.Cfg.OperatorToken, Log: cfg.Log}).Register(mux)
	(&openapi.Handler{DB: db, Clock: cfg.Clock, Log: cfg.Log, Usage: s.Metering, Licenses: s.Licenses}).Register(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	s.Handler = mux

	if cfg.Sandbox {
		if s.Sandbox, err = seedSandbox(ctx, s); err != nil {
			return nil, fmt.Errorf("sandbox: %w", err)
		}
	}
	return s, nil
}

// Start starts working jobs, first taking back any a crash left running, and committing
// license heartbeats.
func (s *Server) Start(ctx context.Context) error {
	s.Licenses.Start()
	n, err := s.DB.RecoverOrphans(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		s.Cfg.Log.Info("recovered jobs left running by a previous process", "jobs", n)
	}
	return s.Queue.Start(ctx)
}

// Serve answers HTTP on ln until ctx is done, then shuts down gracefully: it stops accepting,
// lets requests in flight finish, and lets running jobs finish (a job cut short is retried by
// whichever process picks it up next).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.Handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	stop, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := srv.Shutdown(stop)
	// Every heartbeat request has been answered, so its heartbeat is committed; Stop commits
	// any a handler cut short by the shutdown's deadline left queued.
	if lerr := s.Licenses.Stop(stop); lerr != nil {
		err = errors.Join(err, lerr)
	}
	if qerr := s.Queue.Stop(stop); qerr != nil && !errors.Is(qerr, context.Canceled) {
		err = errors.Join(err, qerr)
	}
	return err
}

// Close commits the heartbeats still queued (when Serve did not) and releases the database.
func (s *Server) Close() error {
	stop, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return errors.Join(s.Licenses.Stop(stop), s.DB.Close())
}
