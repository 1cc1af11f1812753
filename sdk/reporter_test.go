package sdk_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/sdk"
	"github.com/mercato-oss/mercato/sdk/sqlitestore"
)

// fakeClock is a Clock that moves only when the test says.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
	added   chan struct{}
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{now: t, added: make(chan struct{}, 100)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.waiters = append(c.waiters, waiter{c.now.Add(d), ch})
	c.added <- struct{}{}
	return ch
}

// wait blocks until someone waits on the clock.
func (c *fakeClock) wait(t *testing.T) {
	t.Helper()
	select {
	case <-c.added:
	case <-time.After(10 * time.Second):
		t.Fatal("nobody waits on the clock")
	}
}

// set moves the clock to at and fires the waiters that are due.
func (c *fakeClock) set(at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = at
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(at) {
			w.ch <- at
		} else {
			kept = append(kept, w)
		}
	}
	c.waiters = kept
}

// reporterSetup returns a Reporter on a fresh store, pushing through a Client to a fake API.
func reporterSetup(t *testing.T, clock *fakeClock, script func(int, *http.Request, []byte) (int, string)) (*sdk.Reporter, *fakeAPI, *sqlitestore.Store) {
	t.Helper()
	c, api, _ := clientSetup(t, script)
	store := openStore(t, t.TempDir())
	r, err := sdk.NewReporter(sdk.ReporterConfig{Pusher: c, Store: store, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return r, api, store
}

func at(hhmm string) time.Time {
	t, _ := time.Parse("2006-01-02 15:04", "2025-03-14 "+hhmm)
	return t
}

func TestReporterPushesEachHourOnce(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(at("09:10"))
	failNext := false
	var mu sync.Mutex
	r, api, _ := reporterSetup(t, clock, func(int, *http.Request, []byte) (int, string) {
		mu.Lock()
		defer mu.Unlock()
		if failNext {
			failNext = false
			return http.StatusBadRequest, `{"error_code":"MKT.0102","error_msg":"Invalid body sign"}`
		}
		return http.StatusOK, ""
	})
	ctx := t.Context()
	for _, u := range []sdk.Usage{
		{InstanceID: "A", Amount: "1.5", At: at("09:15")},
		{InstanceID: "A", Amount: "2.25", At: at("09:40")},
		{InstanceID: "B", Amount: "1", At: at("09:59")},
		{InstanceID: "A", Amount: "0.0001", At: at("10:01")},
	} {
		if err := r.Record(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(runCtx) }()
	clock.wait(t) // the first flush had nothing closed
	if api.count() != 0 {
		t.Fatalf("pushed during the open hour")
	}
	clock.set(at("10:01")) // not yet: the hour is closed but the push waits for PushAt
	clock.set(at("10:02"))
	clock.wait(t)
	if api.count() != 1 || len(api.got()) != 2 {
		t.Fatalf("%d pushes, records %+v", api.count(), api.got())
	}
	a, b := api.got()[0], api.got()[1]
	if a.InstanceID != "A" || a.UsageValue != "3.75" || a.BeginTime != "20250314T090000Z" || a.EndTime != "20250314T100000Z" ||
		a.RecordTime != "20250314T100200Z" || b.InstanceID != "B" || b.UsageValue != "1" {
		t.Fatalf("records %+v", api.got())
	}
	if err := r.Record(ctx, sdk.Usage{InstanceID: "A", Amount: "5", At: at("09:30")}); !errors.Is(err, sdk.ErrWindowClosed) {
		t.Fatalf("usage in a reported hour: %v", err)
	}

	mu.Lock()
	failNext = true
	mu.Unlock()
	clock.set(at("11:02")) // the 10:00 window fails once...
	clock.wait(t)
	clock.set(at("11:03")) // ...and is retried a minute later with the same serial number
	clock.wait(t)
	if api.count() != 3 || len(api.got()) != 4 || api.got()[2].MeteringSN != api.got()[3].MeteringSN || api.got()[3].UsageValue != "0.0001" {
		t.Fatalf("%d pushes, records %+v", api.count(), api.got())
	}
	clock.set(at("12:02"))
	clock.wait(t)
	if api.count() != 3 {
		t.Fatalf("a delivered window was pushed again")
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v", err)
	}
}

// Undelivered windows survive a restart; delivered ones are never pushed again.
func TestReporterPersistsWindows(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c, api, _ := clientSetup(t, nil)
	clock := newFakeClock(at("09:30"))
	open := func() (*sdk.Reporter, *sqlitestore.Store) {
		store, err := sqlitestore.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		r, err := sdk.NewReporter(sdk.ReporterConfig{Pusher: c, Store: store, Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		return r, store
	}
	r, store := open()
	if err := r.Record(t.Context(), sdk.Usage{InstanceID: "A", Amount: "7", At: at("09:20")}); err != nil {
		t.Fatal(err)
	}
	store.Close()
	clock.set(at("10:05"))
	r, store = open()
	if n, err := r.Flush(t.Context()); n != 1 || err != nil {
		t.Fatalf("flush after restart: %d, %v", n, err)
	}
	store.Close()
	r, store = open()
	defer store.Close()
	if n, err := r.Flush(t.Context()); n != 0 || err != nil || api.count() != 1 {
		t.Fatalf("second flush: %d, %v, %d pushes", n, err, api.count())
	}
}

func TestReporterRejections(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(at("10:05"))
	r, api, _ := reporterSetup(t, clock, func(n int, _ *http.Request, _ []byte) (int, string) {
		if n == 0 {
			return http.StatusInternalServerError, `{"error_code":"MKT.9001","error_msg":"Instance ID not found.",
				"abnormal_usage_data":[{"instance_id":"GONE","index":0,"error_code":"MKT.9001","error_msg":"Instance ID not found."}]}`
		}
		return http.StatusOK, ""
	})
	ctx := t.Context()
	for _, tc := range []struct {
		u  sdk.Usage
		ok bool
	}{
		{sdk.Usage{InstanceID: "GONE", Amount: "1", At: at("09:10")}, true},
		{sdk.Usage{InstanceID: "OK", Amount: "2", At: at("09:10")}, true},
		{sdk.Usage{InstanceID: "OK", Amount: "0", At: at("09:10")}, false},
		{sdk.Usage{InstanceID: "OK", Amount: "-1", At: at("09:10")}, false},
		{sdk.Usage{InstanceID: "OK", Amount: "1.00001", At: at("09:10")}, false},
		{sdk.Usage{InstanceID: "", Amount: "1", At: at("09:10")}, false},
		{sdk.Usage{InstanceID: "OK", Amount: "1", At: at("09:10").Add(-22 * 24 * time.Hour)}, false},
		{sdk.Usage{InstanceID: "OK", Amount: "1", At: at("09:20"), RelatePkgInstance: "PKG"}, false},
	} {
		if err := r.Record(ctx, tc.u); (err == nil) != tc.ok {
			t.Fatalf("Record(%+v) = %v", tc.u, err)
		}
	}
	if _, err := r.Flush(ctx); err == nil {
		t.Fatal("the refused push reported no error")
	}
	if n, err := r.Flush(ctx); n != 1 || err != nil {
		t.Fatalf("second flush %d, %v: want the good window only", n, err)
	}
	if got := api.got()[len(api.got())-1]; got.InstanceID != "OK" || api.count() != 2 {
		t.Fatalf("%d pushes, last %+v", api.count(), got)
	}
	if _, err := sdk.NewReporter(sdk.ReporterConfig{Pusher: &sdk.Client{}, Store: &sqlitestore.Store{}, PushAt: 20 * time.Minute}); err == nil {
		t.Fatal("PushAt past minute 15 accepted")
	}
}
