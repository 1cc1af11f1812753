package fulfil

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// Retry windows (protocol §7, rules §9.2): create, upgrade and order notification are retried for
// three hours, everything else for one.
const (
	LongWindow  = 3 * time.Hour
	ShortWindow = time.Hour
)

// Window returns the retry window of an activity.
func Window(activity string) time.Duration {
	switch kgp.Activity(activity) {
	case kgp.ActivityNewInstance, kgp.ActivityUpgradeInstance, kgp.ActivityUpgrade, kgp.ActivityOrderNotify, kgp.ActivityQueryInstance:
		return LongWindow
	}
	return ShortWindow
}

// Backoff is the wait before each retry; the last entry repeats. The last attempt is made at
// the window's end, so a merchant that recovers within the window is always reached.
var Backoff = []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 20 * time.Minute, 30 * time.Minute, time.Hour}

// Handler applies what merchants answer to the marketplace's state. The order lifecycle
// implements it; fulfil stays ignorant of orders and instances.
type Handler interface {
	// Answered runs in the transaction that records a signed, well-formed answer. It returns
	// whether the call is complete; false (e.g. a failure code, or queryInstance without appInfo
	// yet) retries it within its window.
	Answered(ctx context.Context, tx *store.Tx, call *market.Call, r *kgp.Response) (bool, error)
	// GaveUp runs in the transaction that marks a call failed after its window.
	GaveUp(ctx context.Context, tx *store.Tx, call *market.Call) error
	// Restartable says whether a failed call may be restarted by hand.
	Restartable(ctx context.Context, tx *store.Tx, call *market.Call) error
}

// CallArgs is the durable job that makes one call; River retries it until the call's deadline.
type CallArgs struct {
	CallID   string    `json:"call_id"`
	Deadline time.Time `json:"deadline"`
}

// Kind implements river.JobArgs.
func (CallArgs) Kind() string { return "merchant_call" }

// InsertOpts gives calls their own queue and enough attempts that the deadline, not River,
// decides when to stop.
func (CallArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 1000}
}

// Queue is the River queue of merchant calls.
const Queue = "merchant_calls"

// Worker executes CallArgs jobs.
type Worker struct {
	river.WorkerDefaults[CallArgs]
	DB      *store.DB
	Caller  *Caller
	Handler Handler
	Log     *slog.Logger
}

// errRetry marks a failed attempt inside the window: River retries the job at NextRetry.
var errRetry = errors.New("merchant call failed; retrying")

// Work makes one attempt. It is idempotent: a call that is no longer pending (a crash after the
// commit but before River recorded the job as done) is left alone.
func (w *Worker) Work(ctx context.Context, job *river.Job[CallArgs]) error {
	call, err := w.DB.Call(ctx, job.Args.CallID)
	if err != nil {
		return err
	}
	if call.State != market.CallPending {
		return nil
	}
	m, err := w.DB.Merchant(ctx, call.MerchantID)
	if err != nil {
		return err
	}
	out := w.Caller.Send(ctx, m, call, call.Attempts+1)
	var done bool
	err = w.DB.Write(ctx, func(tx *store.Tx) error {
		current, err := tx.Call(ctx, call.ID)
		if err != nil || current.State != market.CallPending {
			return err // restarted, or finished by a twin worker: record nothing
		}
		if err := tx.InsertAttempt(ctx, &out.Attempt); err != nil {
			return err
		}
		call.Attempts, call.ResultCode, call.LastError = out.Attempt.N, out.Attempt.ResultCode, out.Failed()
		call.UpdatedAt = w.Caller.Clock.Now()
		if out.Response != nil {
			if done, err = w.Handler.Answered(ctx, tx, call, out.Response); err != nil {
				return err
			}
			if !done && call.LastError == "" {
				call.LastError = fmt.Sprintf("resultCode %s (%s)", out.Response.ResultCode, out.Response.ResultMsg)
			}
		}
		switch {
		case done:
			call.State = market.CallSucceeded
		case !call.UpdatedAt.Before(call.Deadline):
			call.State = market.CallFailed
			if err := w.Handler.GaveUp(ctx, tx, call); err != nil {
				return err
			}
		}
		_, err = tx.UpdateCall(ctx, call, market.CallPending)
		return err
	})
	if err != nil {
		return err
	}
	w.Log.Info("merchant call", "call", call.ID, "activity", call.Activity, "merchant", m.ID, "attempt", call.Attempts,
		"result", call.ResultCode, "error", call.LastError, "state", call.State, "latency", out.Attempt.Latency)
	if call.State == market.CallPending {
		return errRetry
	}
	return nil
}

// NextRetry follows Backoff on the business clock and never goes past the deadline.
func (w *Worker) NextRetry(job *river.Job[CallArgs]) time.Time {
	i := min(job.Attempt-1, len(Backoff)-1)
	next := w.Caller.Clock.Now().Add(Backoff[max(i, 0)])
	if next.After(job.Args.Deadline) {
		return job.Args.Deadline
	}
	return next
}

// Timeout bounds one attempt: the merchant's 5 s plus the bookkeeping around it.
func (w *Worker) Timeout(*river.Job[CallArgs]) time.Duration { return Timeout + 25*time.Second }

// Enqueue stores a new call and its job in tx. The call starts its retry window now.
func Enqueue(ctx context.Context, tx *store.Tx, clock market.Clock, call *market.Call, at time.Time) error {
	now := clock.Now()
	call.State, call.CreatedAt, call.UpdatedAt = market.CallPending, now, now
	if call.ID == "" {
		call.ID = market.NewUUID()
	}
	start := now
	if at.After(now) {
		start = at
	}
	call.Deadline = start.Add(Window(call.Activity))
	if err := tx.InsertCall(ctx, call); err != nil {
		return err
	}
	opts := CallArgs{}.InsertOpts()
	if at.After(now) {
		opts.ScheduledAt = at
	}
	return tx.Enqueue(ctx, CallArgs{CallID: call.ID, Deadline: call.Deadline}, &opts)
}

// Restart puts a failed call back in the queue with a fresh window, as the seller console's
// "restart" does, if the handler allows it.
func Restart(ctx context.Context, db *store.DB, clock market.Clock, h Handler, callID string) (*market.Call, error) {
	var call *market.Call
	err := db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if call, err = tx.Call(ctx, callID); err != nil {
			return err
		}
		if call.State != market.CallFailed {
			return market.Errorf(market.CodeConflict, "call %s is %s; only a failed call can be restarted", callID, call.State)
		}
		if err := h.Restartable(ctx, tx, call); err != nil {
			return err
		}
		now := clock.Now()
		call.State, call.Deadline, call.UpdatedAt = market.CallPending, now.Add(Window(call.Activity)), now
		if _, err := tx.UpdateCall(ctx, call, market.CallFailed); err != nil {
			return err
		}
		return tx.Enqueue(ctx, CallArgs{CallID: call.ID, Deadline: call.Deadline}, nil)
	})
	return call, err
}
