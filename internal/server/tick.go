package server

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/metering"
)

// The marketplace's clockwork: every minute the elected leader enqueues what has come due —
// usage collections (minute 15 hourly, 01:00 daily) and merchants' statements on the bill day.
// Both are idempotent, so a tick repeated or skipped loses nothing.

type tickArgs struct{}

func (tickArgs) Kind() string { return "tick" }

type tickWorker struct {
	river.WorkerDefaults[tickArgs]
	s *Server
}

func (w *tickWorker) Work(ctx context.Context, _ *river.Job[tickArgs]) error { return w.s.Tick(ctx) }

func tickJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(time.Minute), func() (river.JobArgs, *river.InsertOpts) {
		return tickArgs{}, &river.InsertOpts{Queue: metering.Queue}
	}, &river.PeriodicJobOpts{RunOnStart: true})
}

// Tick enqueues whatever collections and statements are due now. Tests and the demo, which move
// a fake clock, call it after moving time.
func (s *Server) Tick(ctx context.Context) error {
	return errors.Join(s.Metering.Tick(ctx), s.Billing.Tick(ctx))
}
