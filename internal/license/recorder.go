package license

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Recorder makes heartbeats durable by group commit. A heartbeat must be stored before it is
// acknowledged, but a commit per heartbeat caps a SQLite database (one writer) well below the
// rate licensed software can produce. Items that arrive while a batch is being committed, or
// within MaxDelay of the first of a batch, are committed together in one transaction, and each
// caller waits for its batch's commit: an answer is never sent for an item that is not stored,
// and a failed commit fails every item in it. T is what one item carries; a flush may write
// its results into items of a pointer type, for their callers to read once Record returns.
type Recorder[T any] struct {
	flush FlushFunc[T]
	cfg   RecorderConfig
	log   *slog.Logger

	mu    sync.RWMutex // guards state; senders hold it for reading while they send
	state int          // recorderNew, recorderRunning, recorderStopped
	in    chan *pending[T]
	done  chan struct{}

	batches, items, busy atomic.Uint64 // busy: nanoseconds spent in flush
}

// FlushFunc stores a batch in one transaction. It must not keep the slice.
type FlushFunc[T any] func(ctx context.Context, batch []T) error

// RecorderConfig tunes the group commit.
type RecorderConfig struct {
	// MaxBatch is the most items one transaction takes (default 500). A batch is committed as
	// soon as it is full.
	MaxBatch int
	// MaxDelay is how long a batch waits for company after its first heartbeat arrived (default
	// 1 ms). Heartbeats that queued while the previous batch committed go at once; the delay
	// only gathers more when the writer is idle, which costs that much latency at low load and
	// saves a commit per heartbeat at high load. Zero commits whatever is queued without waiting.
	MaxDelay time.Duration
	// FlushTimeout bounds one commit (default 30 s).
	FlushTimeout time.Duration
	// Committers is how many batches may commit at once (default 1). SQLite has one writer, so
	// more only queue behind it; PostgreSQL overlaps their fsyncs.
	Committers int
}

// DefaultRecorderConfig is what the server runs with.
func DefaultRecorderConfig() RecorderConfig {
	return RecorderConfig{MaxBatch: 500, MaxDelay: time.Millisecond, FlushTimeout: 30 * time.Second}
}

const (
	recorderNew = iota
	recorderRunning
	recorderStopped
)

// ErrRecorderStopped is returned for items offered to a recorder that is not running.
var ErrRecorderStopped = errors.New("license: heartbeat recorder is not running")

type pending[T any] struct {
	items []T
	at    time.Time // when it was queued: a batch's deadline is its first entry's at + MaxDelay
	err   chan error
}

// NewRecorder returns a recorder that stores batches with flush; zero fields of cfg take the
// defaults. Call Start before Record.
func NewRecorder[T any](flush FlushFunc[T], cfg RecorderConfig, log *slog.Logger) *Recorder[T] {
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = DefaultRecorderConfig().MaxBatch
	}
	if cfg.MaxDelay < 0 {
		cfg.MaxDelay = 0
	}
	if cfg.FlushTimeout <= 0 {
		cfg.FlushTimeout = DefaultRecorderConfig().FlushTimeout
	}
	if cfg.Committers <= 0 {
		cfg.Committers = 1
	}
	return &Recorder[T]{flush: flush, cfg: cfg, log: log, in: make(chan *pending[T], 4*cfg.MaxBatch), done: make(chan struct{})}
}

// Start starts the committing goroutine. Starting twice, or after Stop, does nothing.
func (r *Recorder[T]) Start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.state == recorderNew {
		r.state = recorderRunning
		var wg sync.WaitGroup
		for range r.cfg.Committers {
			wg.Go(r.run)
		}
		go func() { wg.Wait(); close(r.done) }()
	}
}

// Stop refuses new items, commits every one already queued, and returns when they are
// committed (their callers answered) or ctx ends. It may be called more than once.
func (r *Recorder[T]) Stop(ctx context.Context) error {
	r.mu.Lock()
	switch r.state {
	case recorderNew:
		r.state = recorderStopped
		close(r.in)
		close(r.done)
	case recorderRunning:
		r.state = recorderStopped
		close(r.in) // the loop drains what is queued, commits it, and exits
	}
	r.mu.Unlock()
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Record queues items and returns once they are committed, with the commit's error. If ctx
// ends first, Record returns its error, and the items may or may not be stored.
func (r *Recorder[T]) Record(ctx context.Context, items ...T) error {
	if len(items) == 0 {
		return nil
	}
	p := &pending[T]{items: items, at: time.Now(), err: make(chan error, 1)}
	r.mu.RLock()
	if r.state != recorderRunning {
		r.mu.RUnlock()
		return ErrRecorderStopped
	}
	select {
	case r.in <- p:
		r.mu.RUnlock()
	case <-ctx.Done():
		r.mu.RUnlock()
		return ctx.Err()
	}
	select {
	case err := <-p.err:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stats reports how many batches and items the recorder has committed, and how long its
// commits took in all.
func (r *Recorder[T]) Stats() (batches, items uint64, busy time.Duration) {
	return r.batches.Load(), r.items.Load(), time.Duration(r.busy.Load())
}

// run gathers batches and commits them, one at a time, until the input is closed and drained.
// Each of the Committers runs it; one gathers while another commits.
func (r *Recorder[T]) run() {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var batch []*pending[T]
	var rows []T
	for {
		first, ok := <-r.in
		if !ok {
			return
		}
		batch, rows = append(batch[:0], first), append(rows[:0], first.items...)
		open := r.gather(&batch, &rows, first.at.Add(r.cfg.MaxDelay), timer)
		r.commit(batch, rows)
		clear(batch) // let the answered requests go
		clear(rows)
		if !open {
			return
		}
	}
}

// gather adds queued items to the batch until it is full or its deadline passes. It
// reports false when the input was closed (the batch then holds the last heartbeats).
func (r *Recorder[T]) gather(batch *[]*pending[T], rows *[]T, deadline time.Time, timer *time.Timer) bool {
	add := func(p *pending[T]) {
		*batch, *rows = append(*batch, p), append(*rows, p.items...)
	}
	// First whatever queued while the previous batch committed: it has waited long enough.
	for len(*rows) < r.cfg.MaxBatch {
		select {
		case p, ok := <-r.in:
			if !ok {
				return false
			}
			add(p)
			continue
		default:
		}
		break
	}
	wait := time.Until(deadline)
	if len(*rows) >= r.cfg.MaxBatch || wait <= 0 {
		return true
	}
	timer.Reset(wait)
	defer timer.Stop()
	for len(*rows) < r.cfg.MaxBatch {
		select {
		case p, ok := <-r.in:
			if !ok {
				return false
			}
			add(p)
		case <-timer.C:
			return true
		}
	}
	return true
}

// commit stores one batch and answers everyone in it. A batch that fails is stored again one
// sender at a time, so that one sender's bad item fails that sender only, not everyone who
// happened to share its batch.
func (r *Recorder[T]) commit(batch []*pending[T], rows []T) {
	err := r.store(rows)
	if err == nil || len(batch) == 1 {
		if err != nil {
			r.log.Error("heartbeats not stored", "items", len(rows), "err", err)
		}
		for _, p := range batch {
			p.err <- err
		}
		return
	}
	r.log.Warn("heartbeat batch failed; storing its senders one by one", "senders", len(batch), "err", err)
	for _, p := range batch {
		err := r.store(p.items)
		if err != nil {
			r.log.Error("heartbeats not stored", "items", len(p.items), "err", err)
		}
		p.err <- err
	}
}

// store flushes rows within the flush timeout and counts what was stored.
func (r *Recorder[T]) store(rows []T) error {
	ctx, cancel := context.WithTimeout(context.Background(), r.cfg.FlushTimeout)
	defer cancel()
	start := time.Now()
	err := r.flush(ctx, rows)
	r.busy.Add(uint64(time.Since(start)))
	if err == nil {
		r.batches.Add(1)
		r.items.Add(uint64(len(rows)))
	}
	return err
}
