package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/api"
	"github.com/mercato-oss/mercato/internal/fulfil"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace"
	"github.com/mercato-oss/mercato/internal/openapi"
	"github.com/mercato-oss/mercato/internal/store"
)

// AuthPath is where the joint-operation auth centre is served, under the public address: an
// enterprise's domainName is {PublicURL}/authc/{tenantCode}.
const AuthPath = "/authc"

// Server is a running marketplace: one process of `mercato serve`. Several may share one
// PostgreSQL database; River hands each job to exactly one of them.
type Server struct {
	Cfg   Config
	Site  Site
	Queue *river.Client[*sql.Tx]
	// Services are the marketplace's services, wired together.
	*marketplace.Services
	Handler http.Handler
	// Sandbox holds what the sandbox seeded, when --sandbox is on.
	Sandbox *Sandbox

	jobs    *jobMetrics
	started atomic.Bool // the job queue runs
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
	keys, err := store.LoadKeyFile(cfg.KeyFilePath(), true)
	if err != nil {
		db.Close()
		return nil, err
	}
	db.UseKeyring(keys)
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
	s := &Server{Cfg: cfg, Site: Sites[cfg.Site]}
	clock, log := cfg.Clock, cfg.Log
	// The sandbox's business time runs on a test clock the operator can move forward.
	var testClock api.TestClock
	if cfg.Sandbox {
		if _, wall := clock.(market.SystemClock); wall {
			clock = &market.OffsetClock{}
		}
		testClock, _ = clock.(api.TestClock)
		s.Cfg.Clock = clock
	}
	mcfg := marketplace.DefaultConfig(s.Site.Currency)
	mcfg.Calls = fulfil.Config{Workers: cfg.CallWorkers, PerMerchant: cfg.CallsPerMerchant, AllowInsecure: cfg.AllowInsecureMerchants}
	mcfg.Catalog.AllowInsecure = cfg.AllowInsecureMerchants
	// The eu site follows the international site's listing rules (English texts and support).
	mcfg.Publish.Site, mcfg.Publish.AllowIPProductionURL = "cn", cfg.AllowInsecureMerchants
	if cfg.Site != "cn" {
		mcfg.Publish.Site = "intl"
	}
	if err := cfg.Publishing.apply(&mcfg); err != nil {
		return nil, err
	}
	mcfg.Identity.OperatorToken = cfg.OperatorToken
	mcfg.Orders.GraceDays, mcfg.Orders.RetentionDays = cfg.GraceDays, cfg.RetentionDays
	mcfg.Billing.BillDay, mcfg.Billing.FeePerMille = cfg.BillDay, cfg.FeePerMille
	if err := cfg.AfterSale.apply(cfg.Site, &mcfg); err != nil {
		return nil, err
	}
	mcfg.Cloud.Blob = cfg.Blob
	cfg.Assets.apply(&mcfg, cfg.Blob, cfg.AllowInsecureMerchants)
	cfg.Deploy.apply(&mcfg)
	mcfg.Enterprise.AuthURL = strings.TrimSuffix(cfg.PublicURL, "/") + AuthPath
	mcfg.Enterprise.InFlight = cfg.CallsPerMerchant
	svc, err := marketplace.New(db, clock, log, mcfg)
	if err != nil {
		return nil, err
	}
	s.Services = svc
	if s.Queue, err = db.NewQueue(svc.Jobs(), store.QueueConfig{Clock: clock, Log: log}); err != nil {
		return nil, err
	}

	token, err := s.Identity.EnsureOperatorToken(ctx)
	if err != nil {
		return nil, err
	}
	if token != "" {
		fmt.Fprintf(cfg.Out, "operator token (generated once and stored; rotate with `mercato token rotate`): %s\n", token)
	}
	mux := http.NewServeMux()
	(&api.API{Catalog: s.Catalog, Identity: s.Identity, Orders: s.Orders, Calls: s.Calls, Metering: s.Metering, Billing: s.Billing,
		Licenses: s.Licenses, Cloud: s.Cloud, Assets: s.Assets, Enterprises: s.Enterprises, Publish: s.Publish, Dial: s.Dial, Notify: s.Notify, Resale: s.Resale,
		Aftersale: s.Aftersale, Supervision: s.Supervision, Appeals: s.Appeals, Hardware: s.Hardware, Vouchers: s.Vouchers, Renewal: s.Renewal, Inbox: s.Inbox, Deploy: s.Deploy,
		Clock: testClock, Log: log, Limiter: api.NewFailureLimiter(time.Second, 20)}).Register(mux)
	(&openapi.Handler{Clock: clock, Log: log, Catalog: s.Catalog, Orders: s.Orders, Usage: s.Metering, Licenses: s.Licenses}).Register(mux)
	authURL, _ := url.Parse(mcfg.Enterprise.AuthURL)
	s.AuthCentre.Routes(mux, authURL.Path, api.NewFailureLimiter(time.Second, 20))
	if !cfg.NoConsole {
		if err := s.mountConsole(mux); err != nil {
			return nil, err
		}
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", s.readyz)
	hm := newHTTPMetrics()
	s.jobs = newJobMetrics()
	mux.Handle("GET /metrics", metricsHandler(s.registry(hm, s.jobs)))
	s.Handler = observed(mux, hm, log)

	if cfg.Sandbox {
		if s.Sandbox, err = seedSandbox(ctx, s); err != nil {
			return nil, fmt.Errorf("sandbox: %w", err)
		}
	}
	return s, nil
}

// Tick enqueues whatever collections, statements and dial rounds are due now. The periodic jobs
// call it every minute; tests and the demo, which move a fake clock, call it after moving time.
func (s *Server) Tick(ctx context.Context) error {
	return errors.Join(s.Metering.Tick(ctx), s.Billing.Tick(ctx), s.Dial.Tick(ctx))
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
	// The queue runs until Serve stops it gracefully, not until ctx is cancelled: a cancelled
	// start context would cancel the merchant calls in flight, which the merchant may already
	// have acted on, and they would be sent again after a restart.
	s.jobs.follow(s.Queue)
	if err := s.Queue.Start(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	s.started.Store(true)
	return nil
}

// Serve answers HTTP on ln until ctx is done, then shuts down gracefully within the configured
// grace period: it stops accepting,
// lets requests in flight finish, and lets running jobs finish (a job cut short is retried by
// whichever process picks it up next).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.Handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() {
		if s.Cfg.TLSCert != "" {
			errc <- srv.ServeTLS(ln, s.Cfg.TLSCert, s.Cfg.TLSKey)
			return
		}
		errc <- srv.Serve(ln)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.Cfg.Log.Info("shutting down: finishing requests and merchant calls in flight", "grace", s.Cfg.ShutdownGrace)
	stop, cancel := context.WithTimeout(context.Background(), s.Cfg.ShutdownGrace)
	defer cancel()
	err := srv.Shutdown(stop)
	// Every heartbeat request has been answered, so its heartbeat is committed; Stop commits
	// any a handler cut short by the shutdown's deadline left queued.
	if lerr := s.Licenses.Stop(stop); lerr != nil {
		err = errors.Join(err, lerr)
	}
	s.started.Store(false)
	if qerr := s.Queue.Stop(stop); qerr != nil {
		// The grace period is over: what still runs is cancelled, and taken over at the next
		// start (on SQLite) or by another replica once River's rescuer sees it stuck.
		s.Cfg.Log.Warn("grace period over; cancelling the jobs still running", "err", qerr)
		hard, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if cerr := s.Queue.StopAndCancel(hard); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}
	return err
}

// Close commits the heartbeats still queued (when Serve did not) and releases the database.
func (s *Server) Close() error {
	stop, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return errors.Join(s.Licenses.Stop(stop), s.Cloud.Close(), s.Assets.Close(), s.DB.Close())
}
