// Package fulfil makes the marketplace's calls to merchants' production interfaces: it builds and
// signs each request exactly as KooGallery does, sends it with a 5-second budget, verifies and
// records the answer, and retries a failed call as a durable job until its window closes.
//
// fulfil knows no feature. Each feature registers the activities it sends (Handle): the retry
// window of each, and what the feature does with an answer, a call given up on, or a restart.
package fulfil

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/prometheus/client_golang/prometheus"
)

// Retry windows (protocol §7, rules §9.2): create, upgrade and order notification are retried for
// three hours, everything else for one.
const (
	LongWindow  = 3 * time.Hour
	ShortWindow = time.Hour
)

// Activity is one merchant interface a feature sends, and what the feature does with its calls.
type Activity struct {
	// Name is the kgp activity or kit interface name, as calls store it.
	Name   string
	Window time.Duration
	// Answered runs in the transaction that records a signed, well-formed answer. It returns
	// whether the call is complete; false (a failure code, or queryInstance without appInfo yet)
	// retries it within its window.
	Answered func(ctx context.Context, tx *store.Tx, call *market.Call, r *kgp.Response) (bool, error)
	// GaveUp, if set, runs in the transaction that marks a call failed after its window.
	GaveUp func(ctx context.Context, tx *store.Tx, call *market.Call) error
	// Restartable, if set, says whether a failed call may be restarted by hand.
	Restartable func(ctx context.Context, tx *store.Tx, call *market.Call) error
	// Once fails a call at its first failed attempt instead of retrying it within Window: the
	// kit syncs are not retried automatically, someone decides to (protocol §5, §7). Window is
	// then the window of a restart's one attempt.
	Once bool
}

// Succeeded is the Answered of calls whose success code is all there is to learn.
func Succeeded(_ context.Context, _ *store.Tx, _ *market.Call, r *kgp.Response) (bool, error) {
	return r.ResultCode == kgp.ResultSuccess, nil
}

// Config tunes the dispatcher.
type Config struct {
	// Workers is how many calls one process sends at once; PerMerchant how many of them may go
	// to one merchant, so that a merchant that hangs does not hold every worker.
	Workers     int
	PerMerchant int
	// AllowInsecure allows plain-HTTP and non-public merchant addresses (sandbox, tests).
	AllowInsecure bool
}

// DefaultConfig returns the production defaults.
func DefaultConfig() Config { return Config{Workers: 20, PerMerchant: 4} }

// Dispatcher sends merchant calls: features enqueue them in their transactions, its worker sends
// them, and the activity each was registered with decides what an answer means.
type Dispatcher struct {
	db         *store.DB
	clock      market.Clock
	log        *slog.Logger
	cfg        Config
	caller     *Caller
	limit      *merchantLimit
	activities map[string]*Activity
	calls      *prometheus.CounterVec   // attempts by activity and result
	latency    *prometheus.HistogramVec // attempt latency by activity
}

// New returns a dispatcher over db. Merchant calls go through client (NewHTTPClient in
// production).
func New(db *store.DB, clock market.Clock, log *slog.Logger, client *http.Client, cfg Config) (*Dispatcher, error) {
	if db == nil || clock == nil || log == nil || client == nil {
		return nil, errors.New("fulfil: New needs a database, a clock, a logger and an HTTP client")
	}
	if cfg.Workers < 1 || cfg.PerMerchant < 1 {
		return nil, fmt.Errorf("fulfil: %d workers, %d per merchant: both must be at least 1", cfg.Workers, cfg.PerMerchant)
	}
	return &Dispatcher{db: db, clock: clock, log: log, cfg: cfg, caller: &Caller{HTTP: client, Clock: clock},
		limit: newMerchantLimit(cfg.PerMerchant), activities: map[string]*Activity{},
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mercato_merchant_call_attempts_total",
			Help: "Attempts of merchant calls by activity and result: the resultCode, or the failure (http_5xx, no_answer, invalid)."},
			[]string{"activity", "result"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "mercato_merchant_call_seconds",
			Help: "Latency of merchant call attempts that got an answer.", Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5}},
			[]string{"activity"}),
	}, nil
}

// Collectors returns the dispatcher's metrics, for the server's registry.
func (d *Dispatcher) Collectors() []prometheus.Collector {
	return []prometheus.Collector{d.calls, d.latency}
}

// observe counts one attempt.
func (d *Dispatcher) observe(activity string, a *market.Attempt) {
	result := a.ResultCode
	switch {
	case result != "":
	case a.Status == 0:
		result = "no_answer"
	case a.Status != 200:
		result = fmt.Sprintf("http_%d", a.Status)
	default:
		result = "invalid"
	}
	d.calls.WithLabelValues(activity, result).Inc()
	if a.Status != 0 {
		d.latency.WithLabelValues(activity).Observe(a.Latency.Seconds())
	}
}

// Handle registers activities. A name registered twice, or an activity without Answered or a
// window, is a wiring mistake: Handle panics at start-up rather than fail a call later.
func (d *Dispatcher) Handle(acts ...Activity) {
	for _, a := range acts {
		if a.Name == "" || a.Answered == nil || a.Window <= 0 {
			panic(fmt.Sprintf("fulfil: activity %q needs a name, Answered and a window", a.Name))
		}
		if _, dup := d.activities[a.Name]; dup {
			panic(fmt.Sprintf("fulfil: activity %q registered twice", a.Name))
		}
		d.activities[a.Name] = &a
	}
}

// Register adds the call worker and its queue.
func (d *Dispatcher) Register(j *store.Jobs) {
	store.AddWorker(j, &worker{d: d})
	j.Queue(Queue, d.cfg.Workers)
}

func (d *Dispatcher) activity(name string) (*Activity, error) {
	a, ok := d.activities[name]
	if !ok {
		return nil, fmt.Errorf("fulfil: no feature registered activity %q", name)
	}
	return a, nil
}

// Enqueue stores a new call and its job in tx; the call is first sent at at (now if earlier)
// and its retry window starts then.
func (d *Dispatcher) Enqueue(ctx context.Context, tx *store.Tx, call *market.Call, at time.Time) error {
	a, err := d.activity(call.Activity)
	if err != nil {
		return err
	}
	now, start := d.clock.Now(), at
	if start.Before(now) {
		start = now
	}
	call.State, call.CreatedAt, call.UpdatedAt, call.NextAttemptAt = market.CallPending, now, now, start
	if call.ID == "" {
		call.ID = market.NewUUID()
	}
	call.Deadline = start.Add(a.Window)
	opts := CallArgs{}.InsertOpts()
	if at.After(now) {
		opts.ScheduledAt = at
	}
	if call.JobID, err = tx.EnqueueJob(ctx, CallArgs{CallID: call.ID, Deadline: call.Deadline}, &opts); err != nil {
		return err
	}
	return tx.InsertCall(ctx, call)
}
