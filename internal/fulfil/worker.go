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
)

// Queue is the River queue of merchant calls.
const Queue = "merchant_calls"

// Backoff returns the wait before retry n (from 1); the last step repeats. The last attempt is
// made at the window's end, so a merchant that recovers within the window is always reached.
func Backoff(n int) time.Duration {
	steps := [...]time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute,
		20 * time.Minute, 30 * time.Minute, time.Hour}
	return steps[min(max(n, 1), len(steps))-1]
}

// busySnooze is how long a call whose merchant has every slot taken waits before it tries again.
const busySnooze = time.Second

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

// worker executes CallArgs jobs.
type worker struct {
	river.WorkerDefaults[CallArgs]
	d *Dispatcher
}

// errRetry marks a failed attempt inside the window: River retries the job at NextRetry.
var errRetry = errors.New("merchant call failed; retrying")

// Work makes one attempt. It is idempotent: a call that is no longer pending (a crash after the
// commit but before River recorded the job as done) is left alone.
func (w *worker) Work(ctx context.Context, job *river.Job[CallArgs]) error {
	d := w.d
	call, err := d.db.Call(ctx, job.Args.CallID)
	if err != nil {
		return err
	}
	if call.State != market.CallPending {
		return nil
	}
	a, err := d.activity(call.Activity)
	if err != nil {
		return river.JobCancel(err)
	}
	m, err := d.db.Merchant(ctx, call.MerchantID)
	if err != nil {
		return err
	}
	if !d.limit.acquire(m.ID) {
		return river.JobSnooze(d.busyWait())
	}
	// The attempt runs to its end even when the process is stopping: a merchant that received a
	// call must see its answer recorded, or the call would be sent again after a restart.
	out := d.caller.Send(context.WithoutCancel(ctx), m, call, call.Attempts+1)
	d.limit.release(m.ID, out.Attempt.Status != 0)
	d.observe(call.Activity, &out.Attempt)
	var next time.Time
	err = d.db.Write(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		current, err := tx.Call(ctx, call.ID)
		if err != nil || current.State != market.CallPending {
			return err // restarted, or finished by a twin worker: record nothing
		}
		if err := tx.InsertAttempt(ctx, &out.Attempt); err != nil {
			return err
		}
		now := d.clock.Now()
		call.Attempts, call.ResultCode, call.LastError, call.UpdatedAt = out.Attempt.N, out.Attempt.ResultCode, out.Failed(), now
		done := false
		if out.Response != nil {
			if done, err = a.Answered(ctx, tx, call, out.Response); err != nil {
				return err
			}
			if !done && call.LastError == "" {
				call.LastError = fmt.Sprintf("resultCode %s (%s)", out.Response.ResultCode, out.Response.ResultMsg)
			}
		}
		switch {
		case done:
			call.State, call.NextAttemptAt = market.CallSucceeded, time.Time{}
		case a.Once || !now.Before(call.Deadline):
			call.State, call.NextAttemptAt = market.CallFailed, time.Time{}
			if a.GaveUp != nil {
				if err := a.GaveUp(ctx, tx, call); err != nil {
					return err
				}
			}
		default:
			next = nextAttempt(now, job.Attempt, call.Deadline)
			call.NextAttemptAt = next
		}
		_, err = tx.UpdateCall(ctx, call, market.CallPending)
		return err
	})
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if call.LastError != "" {
		level = slog.LevelWarn
	}
	d.log.Log(ctx, level, "merchant call", "call", call.ID, "activity", call.Activity, "merchant", m.ID, "attempt", call.Attempts,
		"result", call.ResultCode, "error", call.LastError, "state", call.State, "latency", out.Attempt.Latency)
	if call.State == market.CallPending {
		return errRetry
	}
	return nil
}

// busyWait is the snooze of a call whose merchant is busy. On a clock that only moves when told
// to (tests), a snooze into the future would never come due, so the call is taken again at once.
func (d *Dispatcher) busyWait() time.Duration {
	if _, ok := d.clock.(market.SystemClock); ok {
		return busySnooze
	}
	return 0
}

// nextAttempt follows Backoff on the business clock and never goes past the deadline.
func nextAttempt(now time.Time, attempt int, deadline time.Time) time.Time {
	next := now.Add(Backoff(attempt))
	if next.After(deadline) {
		return deadline
	}
	return next
}

// NextRetry schedules the retry at the time the attempt recorded on the call.
func (w *worker) NextRetry(job *river.Job[CallArgs]) time.Time {
	if call, err := w.d.db.Call(context.Background(), job.Args.CallID); err == nil && !call.NextAttemptAt.IsZero() {
		return call.NextAttemptAt
	}
	return nextAttempt(w.d.clock.Now(), job.Attempt, job.Args.Deadline)
}

// Timeout bounds one attempt: the merchant's 5 s plus the bookkeeping around it.
func (w *worker) Timeout(*river.Job[CallArgs]) time.Duration { return Timeout + 25*time.Second }
