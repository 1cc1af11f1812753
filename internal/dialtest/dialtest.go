// Package dialtest runs products' debug cases against their merchants' production interfaces:
// on a seller's request before release (rules §1.3: the cases a release needs, kept as the
// product's saved debug cases), and twice a day as dial tests (拨测, protocol §0.2) against every
// product on sale that has saved cases. Five days of failing dial tests freeze a product (hidden,
// no new orders); more than five interface-caused failed orders in a calendar month put it up
// for removal (rules §1.6). Every case goes with testFlag=1 through the call dispatcher's path.
package dialtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/fulfil"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/notify"
	"github.com/mercato-oss/mercato/internal/publish"
	"github.com/mercato-oss/mercato/internal/store"
)

// Config sets when dial tests run and what they lead to.
type Config struct {
	// Times are the daily dial rounds, "HH:MM" in Location: KooGallery dials "in the morning and
	// the afternoon" (protocol §0.2).
	Times    []string
	Location *time.Location
	// FailDays of failing dial tests in a row freeze a product (protocol §0.2, §7: 5).
	FailDays int
	// FailedOrders is how many interface-caused failed orders a calendar month allows; one more
	// puts the product up for removal (rules §1.6, §10 #20: more than 5).
	FailedOrders int
}

// DefaultConfig dials at 09:00 and 15:00 China time.
func DefaultConfig() Config {
	return Config{Times: []string{"09:00", "15:00"}, Location: time.FixedZone("CST", 8*3600), FailDays: 5, FailedOrders: 5}
}

// Queue is the River queue of debug runs and dial tests.
const Queue = "dialtest"

// Service runs debug cases and dial tests.
type Service struct {
	db      *store.DB
	clock   market.Clock
	calls   *fulfil.Dispatcher
	publish *publish.Service
	notify  *notify.Service
	cfg     Config
	times   []time.Duration // offsets of the rounds into a day
}

// New returns the dial-test service.
func New(db *store.DB, clock market.Clock, calls *fulfil.Dispatcher, pub *publish.Service, n *notify.Service, cfg Config) (*Service, error) {
	if db == nil || clock == nil || calls == nil || pub == nil || n == nil {
		return nil, errors.New("dialtest: New needs a database, a clock, the call dispatcher, publishing and the message centre")
	}
	if cfg.Location == nil || cfg.FailDays < 1 || cfg.FailedOrders < 0 || len(cfg.Times) == 0 {
		return nil, fmt.Errorf("dialtest: a location, at least one round, 1 or more fail days and 0 or more failed orders are needed")
	}
	s := &Service{db: db, clock: clock, calls: calls, publish: pub, notify: n, cfg: cfg}
	for _, t := range cfg.Times {
		at, err := time.Parse("15:04", t)
		if err != nil {
			return nil, fmt.Errorf("dialtest: round %q is not HH:MM", t)
		}
		s.times = append(s.times, time.Duration(at.Hour())*time.Hour+time.Duration(at.Minute())*time.Minute)
	}
	return s, nil
}

// Register adds the workers, their queue and the minute tick that starts due rounds. Periodic
// jobs run on the elected leader only; rounds and runs are unique, so a repeat does nothing.
func (s *Service) Register(j *store.Jobs) {
	store.AddWorker(j, &runWorker{s: s})
	store.AddWorker(j, &roundWorker{s: s})
	store.AddWorker(j, &tickWorker{s: s})
	j.Queue(Queue, 2)
	j.Periodic(river.NewPeriodicJob(river.PeriodicInterval(time.Minute), func() (river.JobArgs, *river.InsertOpts) {
		return tickArgs{}, &river.InsertOpts{Queue: Queue}
	}, &river.PeriodicJobOpts{RunOnStart: true}))
}

// RunDebug starts a run of a product's debug cases for its seller (or the operator); the result
// is read with Run once the job has run. An upgradable product's run includes the upgrade case.
func (s *Service) RunDebug(ctx context.Context, v market.Viewer, productID string) (*market.DebugRun, error) {
	var r *market.DebugRun
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		p, err := catalog.ProductFor(ctx, tx.Reader, v, productID, market.SellerOperations)
		if err != nil {
			return err
		}
		if p.Status == market.StatusDiscontinued {
			return market.Errorf(market.CodeConflict, "product %s is discontinued", productID)
		}
		now := s.clock.Now()
		// Runs are told apart by their start: a run started in the same millisecond as the
		// previous one (a stopped test clock) starts a millisecond later.
		last, _, err := tx.DebugRuns(ctx, productID, market.DebugSeller, store.Page{Limit: 1})
		if err != nil {
			return err
		}
		if len(last) > 0 && !now.After(last[0].StartedAt) {
			now = last[0].StartedAt.Add(time.Millisecond)
		}
		r = &market.DebugRun{ID: "run-" + strings.ToLower(market.NewSecret(12)), ProductID: p.ID, MerchantID: p.MerchantID, Kind: market.DebugSeller,
			RoundAt: now, State: market.RunRunning, StartedAt: now}
		if _, err := tx.InsertDebugRun(ctx, r); err != nil {
			return err
		}
		return tx.Enqueue(ctx, runArgs{RunID: r.ID}, &river.InsertOpts{Queue: Queue})
	})
	return r, err
}

// Run returns a run with its cases, for the product's sellers and the operator.
func (s *Service) Run(ctx context.Context, v market.Viewer, id string) (*market.DebugRun, error) {
	r, err := s.db.DebugRun(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := v.Check("debug run", id, "", r.MerchantID); err != nil {
		return nil, err
	}
	return r, nil
}

// Runs lists a product's runs of a kind ("" for both), newest first.
func (s *Service) Runs(ctx context.Context, v market.Viewer, productID string, kind market.DebugKind, p store.Page) ([]*market.DebugRun, store.Cursor, error) {
	if _, err := catalog.OwnProduct(ctx, s.db.Reader, v, productID); err != nil {
		return nil, store.Cursor{}, err
	}
	return s.db.DebugRuns(ctx, productID, kind, p)
}

// Saved returns a product's saved debug cases (its latest passed debug run).
func (s *Service) Saved(ctx context.Context, v market.Viewer, productID string) (*market.DebugRun, error) {
	if _, err := catalog.OwnProduct(ctx, s.db.Reader, v, productID); err != nil {
		return nil, err
	}
	return s.db.SavedDebugRun(ctx, productID)
}

// execute runs a stored, still running run's cases and records the outcome.
func (s *Service) execute(ctx context.Context, id string) error {
	r, err := s.db.DebugRun(ctx, id)
	if market.ErrorCode(err) == market.CodeNotFound {
		return river.JobCancel(err) // nothing to run: never retry it
	}
	if err != nil || r.State != market.RunRunning {
		return err
	}
	m, err := s.db.Merchant(ctx, r.MerchantID)
	if err != nil {
		return err
	}
	upgrade := false
	if r.Kind == market.DebugDial {
		saved, err := s.db.SavedDebugRun(ctx, r.ProductID)
		if err != nil {
			return err
		}
		upgrade = saved.Passed(market.CaseUpgrade)
	} else {
		l, err := s.publish.Listing(ctx, market.AsOperator(), r.ProductID)
		if err != nil {
			return err
		}
		upgrade = l.Upgradable || s.draftUpgradable(ctx, r.ProductID)
	}
	run(context.WithoutCancel(ctx), s.calls, s.clock, m, r, plan(r.ID, upgrade, s.clock.Now()))
	return s.db.Write(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		if ok, err := tx.FinishDebugRun(ctx, r); err != nil || !ok {
			return err
		}
		if r.Kind == market.DebugDial {
			return s.judge(ctx, tx, r)
		}
		return nil
	})
}

// draftUpgradable reads the upgradable flag of a product's latest release or modification
// draft: a product is debugged before its listing is approved.
func (s *Service) draftUpgradable(ctx context.Context, productID string) bool {
	for _, t := range []market.ApplicationType{market.AppModification, market.AppRelease} {
		if a, err := s.db.LatestApplication(ctx, productID, t); err == nil {
			var d publish.Draft
			return json.Unmarshal(a.Payload, &d) == nil && d.Listing.Upgradable
		}
	}
	return false
}

// runArgs runs one debug run or dial test.
type runArgs struct {
	RunID string `json:"run_id"`
}

// Kind implements river.JobArgs.
func (runArgs) Kind() string { return "debug_run" }

type runWorker struct {
	river.WorkerDefaults[runArgs]
	s *Service
}

func (w *runWorker) Work(ctx context.Context, job *river.Job[runArgs]) error {
	return w.s.execute(ctx, job.Args.RunID)
}

// Five cases of five seconds each, and the bookkeeping.
func (w *runWorker) Timeout(*river.Job[runArgs]) time.Duration {
	return 6*fulfil.Timeout + 30*time.Second
}
