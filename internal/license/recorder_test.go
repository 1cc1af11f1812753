package license

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// fakeStore is a FlushFunc that can hold a commit until released and fail chosen batches.
type fakeStore struct {
	mu        sync.Mutex
	committed map[string]bool
	sizes     []int
	hold      chan struct{} // when set, each flush waits for it to be closed
	entered   chan struct{} // receives once per flush as it starts
	fail      func(n int) error
}

func newFakeStore() *fakeStore {
	return &fakeStore{committed: map[string]bool{}, entered: make(chan struct{}, 1000)}
}

func (f *fakeStore) flush(ctx context.Context, hbs []market.Heartbeat) error { // a FlushFunc[market.Heartbeat]
	f.entered <- struct{}{}
	if f.hold != nil {
		<-f.hold
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.sizes)
	f.sizes = append(f.sizes, len(hbs))
	if f.fail != nil {
		if err := f.fail(n); err != nil {
			return err
		}
	}
	for _, h := range hbs {
		f.committed[h.ThirdPartyAccount] = true
	}
	return nil
}

func (f *fakeStore) isCommitted(who string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.committed[who]
}

func (f *fakeStore) batchSizes() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int(nil), f.sizes...)
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func hb(who string) market.Heartbeat {
	return market.Heartbeat{LicenseCode: "PLX", Kind: market.HeartbeatHeartbeat, ThirdPartyAccount: who}
}

// queued waits until n entries wait in the recorder's input (no business time is involved).
func queued(t *testing.T, r *Recorder[market.Heartbeat], n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); len(r.in) < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d heartbeats queued", len(r.in), n)
		}
	}
}

// recordAll records one heartbeat per caller, concurrently, and returns each caller's error.
func recordAll(r *Recorder[market.Heartbeat], f *fakeStore, callers int, ackedUncommitted *atomic.Int32) (wait func() []error) {
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			who := fmt.Sprintf("caller-%d", i)
			errs[i] = r.Record(context.Background(), hb(who))
			if errs[i] == nil && !f.isCommitted(who) {
				ackedUncommitted.Add(1)
			}
		})
	}
	return func() []error { wg.Wait(); return errs }
}

func TestRecorderAcknowledgesOnlyAfterCommit(t *testing.T) {
	t.Parallel()
	f := newFakeStore()
	f.hold = make(chan struct{})
	r := NewRecorder(f.flush, RecorderConfig{MaxBatch: 1000, MaxDelay: 0}, quiet())
	r.Start()
	t.Cleanup(func() { r.Stop(context.Background()) })
	var bad atomic.Int32
	var returned atomic.Int32
	// The first heartbeat's commit is held while 199 more arrive.
	go func() { r.Record(context.Background(), hb("first")); returned.Add(1) }()
	<-f.entered
	wait := recordAll(r, f, 199, &bad)
	queued(t, r, 199)
	if n := returned.Load(); n != 0 {
		t.Fatalf("%d callers answered before any commit", n)
	}
	close(f.hold)
	for i, err := range wait() {
		if err != nil {
			t.Fatalf("caller %d: %v", i, err)
		}
	}
	if bad.Load() != 0 {
		t.Fatalf("%d heartbeats acknowledged before their commit", bad.Load())
	}
	// Everyone who queued during the first commit went in the second.
	if sizes := f.batchSizes(); len(sizes) != 2 || sizes[0] != 1 || sizes[1] != 199 {
		t.Fatalf("batches %v, want [1 199]", sizes)
	}
	if b, n, _ := r.Stats(); b != 2 || n != 200 {
		t.Fatalf("stats: %d batches, %d heartbeats", b, n)
	}
}

func TestRecorderBatching(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		cfg      RecorderConfig
		callers  int
		maxSize  int
		batchMax int // most batches expected
	}{
		{"full batches go at once", RecorderConfig{MaxBatch: 10, MaxDelay: time.Hour}, 100, 10, 10},
		{"delay gathers an idle writer's company", RecorderConfig{MaxBatch: 1000, MaxDelay: 200 * time.Millisecond}, 50, 50, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeStore()
			r := NewRecorder(f.flush, tc.cfg, quiet())
			r.Start()
			var bad atomic.Int32
			for i, err := range recordAll(r, f, tc.callers, &bad)() {
				if err != nil {
					t.Fatalf("caller %d: %v", i, err)
				}
			}
			r.Stop(context.Background())
			sizes, total := f.batchSizes(), 0
			for _, s := range sizes {
				total += s
				if s > tc.maxSize {
					t.Fatalf("batch of %d, at most %d allowed: %v", s, tc.maxSize, sizes)
				}
			}
			if total != tc.callers || len(sizes) > tc.batchMax || bad.Load() != 0 {
				t.Fatalf("batches %v (%d heartbeats, %d acknowledged early)", sizes, total, bad.Load())
			}
		})
	}
}

func TestRecorderFailedCommitFailsEveryWaiter(t *testing.T) {
	t.Parallel()
	f := newFakeStore()
	f.hold = make(chan struct{})
	boom := errors.New("disk full")
	var full atomic.Bool
	full.Store(true)
	f.fail = func(n int) error {
		if n >= 1 && full.Load() {
			return boom
		}
		return nil
	}
	r := NewRecorder(f.flush, RecorderConfig{MaxDelay: 0}, quiet())
	r.Start()
	t.Cleanup(func() { r.Stop(context.Background()) })
	go r.Record(context.Background(), hb("first"))
	<-f.entered
	var bad atomic.Int32
	wait := recordAll(r, f, 50, &bad)
	queued(t, r, 50)
	close(f.hold)
	for i, err := range wait() {
		if !errors.Is(err, boom) {
			t.Fatalf("caller %d of the failed batch: %v", i, err)
		}
	}
	// The recorder goes on after a failure.
	full.Store(false)
	if err := r.Record(context.Background(), hb("after")); err != nil || !f.isCommitted("after") {
		t.Fatalf("after a failed batch: %v", err)
	}
}

func TestRecorderStopCommitsQueued(t *testing.T) {
	t.Parallel()
	f := newFakeStore()
	f.hold = make(chan struct{})
	r := NewRecorder(f.flush, RecorderConfig{MaxBatch: 1000, MaxDelay: 0}, quiet())
	r.Start()
	var bad atomic.Int32
	firstDone := make(chan error)
	go func() { firstDone <- r.Record(context.Background(), hb("first")) }()
	<-f.entered // the first commit is in progress and held
	wait := recordAll(r, f, 99, &bad)
	queued(t, r, 99)
	stopped := make(chan error)
	go func() { stopped <- r.Stop(context.Background()) }()
	select {
	case err := <-stopped:
		t.Fatalf("Stop returned (%v) while a commit was in progress", err)
	case <-time.After(20 * time.Millisecond):
	}
	close(f.hold)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if err := <-firstDone; err != nil {
		t.Fatal(err)
	}
	for i, err := range wait() {
		if err != nil {
			t.Fatalf("caller %d queued before Stop: %v", i, err)
		}
	}
	if bad.Load() != 0 || len(f.batchSizes()) != 2 {
		t.Fatalf("%d acknowledged before commit; batches %v", bad.Load(), f.batchSizes())
	}
	if err := r.Record(context.Background(), hb("late")); !errors.Is(err, ErrRecorderStopped) {
		t.Fatalf("record after stop: %v", err)
	}
	if err := r.Stop(context.Background()); err != nil {
		t.Fatalf("second stop: %v", err)
	}
}

func TestRecorderNotStarted(t *testing.T) {
	t.Parallel()
	f := newFakeStore()
	r := NewRecorder(f.flush, RecorderConfig{}, quiet())
	if err := r.Record(context.Background(), hb("x")); !errors.Is(err, ErrRecorderStopped) {
		t.Fatalf("record before start: %v", err)
	}
	if err := r.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.Start() // after Stop: stays stopped
	if err := r.Record(context.Background(), hb("x")); !errors.Is(err, ErrRecorderStopped) {
		t.Fatalf("record after stop and start: %v", err)
	}
}

func TestRecorderCallerGivesUp(t *testing.T) {
	t.Parallel()
	f := newFakeStore()
	f.hold = make(chan struct{})
	r := NewRecorder(f.flush, RecorderConfig{MaxDelay: 0}, quiet())
	r.Start()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() { errc <- r.Record(ctx, hb("impatient")) }()
	<-f.entered
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller: %v", err)
	}
	close(f.hold)
	r.Stop(context.Background())
	if !f.isCommitted("impatient") {
		t.Fatal("a heartbeat whose caller left was not committed")
	}
}

func TestRecorderCommitters(t *testing.T) {
	t.Parallel()
	f := newFakeStore()
	f.hold = make(chan struct{})
	r := NewRecorder(f.flush, RecorderConfig{MaxDelay: 0, Committers: 3}, quiet())
	r.Start()
	var bad atomic.Int32
	wait := recordAll(r, f, 60, &bad)
	for range 3 { // three batches commit at once
		<-f.entered
	}
	close(f.hold)
	for i, err := range wait() {
		if err != nil {
			t.Fatalf("caller %d: %v", i, err)
		}
	}
	if err := r.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range f.batchSizes() {
		total += n
	}
	if total != 60 || bad.Load() != 0 {
		t.Fatalf("batches %v, %d acknowledged early", f.batchSizes(), bad.Load())
	}
}

// TestRecorderBadItemFailsOnlyItsSender: a batch that fails because of one sender's item (a NUL
// that PostgreSQL refuses, say) is stored again sender by sender, so only that sender fails.
func TestRecorderBadItemFailsOnlyItsSender(t *testing.T) {
	t.Parallel()
	f := newFakeStore()
	f.hold = make(chan struct{})
	poison := errors.New("invalid byte sequence")
	f.fail = func(int) error { return nil }
	r := NewRecorder(func(ctx context.Context, hbs []market.Heartbeat) error {
		for _, h := range hbs {
			if h.ThirdPartyAccount == "caller-7" {
				f.entered <- struct{}{} // counted as a flush, not stored
				return poison
			}
		}
		return f.flush(ctx, hbs)
	}, RecorderConfig{MaxDelay: 0}, quiet())
	r.Start()
	t.Cleanup(func() { r.Stop(context.Background()) })
	go r.Record(context.Background(), hb("first"))
	<-f.entered
	var bad atomic.Int32
	wait := recordAll(r, f, 20, &bad)
	queued(t, r, 20)
	close(f.hold)
	for i, err := range wait() {
		if (i == 7) != errors.Is(err, poison) || i != 7 && err != nil {
			t.Fatalf("caller %d: %v", i, err)
		}
	}
	if bad.Load() != 0 {
		t.Fatalf("%d acknowledged without being stored", bad.Load())
	}
}
