package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/mercato-oss/mercato/internal/market"
)

// Jobs is what the feature packages run on the queue: their workers, the queues those workers
// take jobs from, with how many run at once, and their periodic jobs. Each feature adds its own
// in its Register function; the server then builds the queue from the whole (NewQueue).
type Jobs struct {
	workers  *river.Workers
	queues   map[string]int
	periodic []*river.PeriodicJob
}

// NewJobs returns an empty set of jobs.
func NewJobs() *Jobs {
	return &Jobs{workers: river.NewWorkers(), queues: map[string]int{}}
}

// AddWorker registers the worker of one job kind.
func AddWorker[T river.JobArgs](j *Jobs, w river.Worker[T]) { river.AddWorker(j.workers, w) }

// Queue declares a queue and how many of its jobs one process runs at once. A queue declared
// twice keeps the larger size.
func (j *Jobs) Queue(name string, workers int) { j.queues[name] = max(j.queues[name], workers) }

// Periodic adds a periodic job. Periodic jobs are enqueued by the elected leader only, so their
// work must be idempotent.
func (j *Jobs) Periodic(p *river.PeriodicJob) { j.periodic = append(j.periodic, p) }

// QueueConfig is how the queue runs.
type QueueConfig struct {
	// Clock is the business clock. A non-system clock (a test's fake clock, the demo's
	// accelerated one) is also River's clock, so scheduled jobs come due in business time.
	Clock market.Clock
	Log   *slog.Logger
}

// riverTime lets River read the business clock.
type riverTime struct{ clock market.Clock }

func (r riverTime) Now() time.Time { return r.clock.Now() }

// NowOrNil returns nil for the system clock, so that River uses the database's own time (one
// clock for every replica), and the business time otherwise.
func (r riverTime) NowOrNil() *time.Time {
	if _, ok := r.clock.(market.SystemClock); ok {
		return nil
	}
	t := r.clock.Now().UTC()
	return &t
}

// NewQueue builds the River client over this database for jobs and attaches it (SetQueue).
// Start it with Start; it shares every transaction of Write.
func (db *DB) NewQueue(jobs *Jobs, cfg QueueConfig) (*river.Client[*sql.Tx], error) {
	queues := map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}}
	for name, n := range jobs.queues {
		queues[name] = river.QueueConfig{MaxWorkers: n}
	}
	rc := &river.Config{
		Queues:  queues,
		Workers: jobs.workers,
		Logger:  slog.New(quieter{cfg.Log.Handler()}).With("component", "queue"),
		// Pick jobs up quickly: SQLite has no LISTEN/NOTIFY, so River polls.
		FetchCooldown:     20 * time.Millisecond,
		FetchPollInterval: 100 * time.Millisecond,
		// Completed jobs are kept a day for inspection; unique timers use their args, not history.
		CompletedJobRetentionPeriod: 24 * time.Hour,
		// Workers bound their own time (a merchant call is 5 s); a job still "running" after two
		// minutes belongs to a process that died, and another replica takes it over.
		JobTimeout:           time.Minute,
		RescueStuckJobsAfter: 2 * time.Minute,
		PeriodicJobs:         jobs.periodic,
	}
	if _, ok := cfg.Clock.(market.SystemClock); !ok && cfg.Clock != nil {
		rc.Test.Time = riverTime{cfg.Clock}
		// Business time may run much faster than real time: a job that runs for a real second
		// must not look stuck for business hours.
		rc.RescueStuckJobsAfter = 24 * 365 * time.Hour
	}
	client, err := river.NewClient(db.driver, rc)
	if err != nil {
		return nil, err
	}
	db.SetQueue(client)
	return client, nil
}

// PromoteDue makes scheduled and retrying jobs whose time has come available at once. River's
// scheduler does this every few seconds of real time; with a fake or accelerated clock, tests
// and the demo call PromoteDue after moving time so they need not wait for it.
func (db *DB) PromoteDue(ctx context.Context, now time.Time) (int, error) {
	res, err := db.queue.JobList(ctx, river.NewJobListParams().
		States(rivertype.JobStateScheduled, rivertype.JobStateRetryable).
		OrderBy(river.JobListOrderByScheduledAt, river.SortOrderAsc).First(1000))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, j := range res.Jobs {
		if j.ScheduledAt.After(now) {
			break
		}
		if _, err := db.queue.JobRetry(ctx, j.ID); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Idle reports whether no job is available or running: everything due has been worked.
func (db *DB) Idle(ctx context.Context, now time.Time) (bool, error) {
	res, err := db.queue.JobList(ctx, river.NewJobListParams().
		States(rivertype.JobStateAvailable, rivertype.JobStateRunning, rivertype.JobStatePending).First(1))
	if err != nil {
		return false, err
	}
	if len(res.Jobs) > 0 {
		return false, nil
	}
	res, err = db.queue.JobList(ctx, river.NewJobListParams().
		States(rivertype.JobStateScheduled, rivertype.JobStateRetryable).
		OrderBy(river.JobListOrderByScheduledAt, river.SortOrderAsc).First(1))
	if err != nil {
		return false, err
	}
	return len(res.Jobs) == 0 || res.Jobs[0].ScheduledAt.After(now), nil
}

// Settle promotes and waits until every job due at the business time now() has run: the queue is
// idle three polls in a row. Tests and the demo call it after each step on their fake clock.
func (db *DB) Settle(ctx context.Context, now func() time.Time, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for idle := 0; idle < 3; {
		if time.Now().After(deadline) {
			return fmt.Errorf("store: jobs still running after %s", timeout)
		}
		if _, err := db.PromoteDue(ctx, now()); err != nil {
			return err
		}
		ok, err := db.Idle(ctx, now())
		if err != nil {
			return err
		}
		if ok {
			idle++
		} else {
			idle = 0
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(15 * time.Millisecond):
		}
	}
	return nil
}

// quieter logs River's routine INFO lines (periodic jobs enqueued, leadership, maintenance) at
// DEBUG: they say the queue works, every few seconds. Warnings and errors pass unchanged.
type quieter struct{ slog.Handler }

func (q quieter) Enabled(ctx context.Context, l slog.Level) bool {
	if l == slog.LevelInfo {
		l = slog.LevelDebug
	}
	return q.Handler.Enabled(ctx, l)
}

func (q quieter) Handle(ctx context.Context, r slog.Record) error {
	if r.Level == slog.LevelInfo {
		r.Level = slog.LevelDebug
	}
	return q.Handler.Handle(ctx, r)
}

func (q quieter) WithAttrs(attrs []slog.Attr) slog.Handler {
	return quieter{q.Handler.WithAttrs(attrs)}
}

func (q quieter) WithGroup(name string) slog.Handler { return quieter{q.Handler.WithGroup(name)} }
