package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

// TestSIGTERMFinishesCallsInFlight: a server told to stop while merchant calls are in flight
// lets them finish and records their answers before it exits; after a restart nothing is sent
// twice and every order completes.
func TestSIGTERMFinishesCallsInFlight(t *testing.T) {
	t.Parallel()
	const n = 4
	merchant := sdktest.NewServer(t, sdktest.Options{Key: "shutdown-test-access-key"})
	merchant.Set(func(k *sdktest.Knobs) { k.Delay[kgp.ActivityNewInstance] = 1500 * time.Millisecond })
	db := "sqlite:" + filepath.Join(t.TempDir(), "mercato.db")
	p1 := startServe(t, "--db", db, "--call-workers", "8", "--calls-per-merchant", "8")
	token := p1.seed(merchant.URL, merchant.Key)
	placeOrders(t, []*proc{p1}, token, n)
	for merchant.Count(kgp.ActivityNewInstance) < n {
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	p1.stop() // SIGTERM with every newInstance in flight
	took := time.Since(start)
	if took < 500*time.Millisecond {
		t.Fatalf("the server exited %s after SIGTERM, without waiting for its calls:\n%s", took, p1.log)
	}
	if !strings.Contains(p1.log.String(), "shutting down") {
		t.Fatalf("no shutdown line:\n%s", p1.log)
	}
	p2 := startServe(t, "--db", db, "--call-workers", "8")
	waitCompleted(t, p2, n, time.Minute)
	if got := merchant.Count(kgp.ActivityNewInstance); got != n {
		t.Fatalf("the merchant received %d newInstance calls for %d orders: calls in flight were cut and sent again", got, n)
	}
	p2.stop()
}
