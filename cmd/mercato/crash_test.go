package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

// TestCrashMidProvisioning SIGKILLs the server while hundreds of orders are being provisioned,
// restarts it on the same database, and checks that every order reaches its end, none is lost,
// and no instance is created twice.
func TestCrashMidProvisioning(t *testing.T) {
	t.Parallel()
	const n = 300
	merchant := sdktest.NewServer(t, sdktest.Options{Key: "crash-test-access-key"})
	merchant.Set(func(k *sdktest.Knobs) { k.Delay[sdktest.Every] = 15 * time.Millisecond }) // a real merchant takes a little while
	db := "sqlite:" + filepath.Join(t.TempDir(), "mercato.db")

	p1 := startServe(t, "--db", db, "--call-workers", "8")
	token := p1.seed(merchant.URL, merchant.Key)
	placeOrders(t, []*proc{p1}, token, n)
	for merchant.Count(kgp.ActivityNewInstance) < n/5 {
		time.Sleep(5 * time.Millisecond)
	}
	p1.kill()
	before := merchant.Instances()
	if before >= n {
		t.Fatalf("all %d instances were created before the kill; the test proves nothing", before)
	}

	// A second process on the same SQLite file is refused while the first runs; the first is
	// dead now, so this one starts, takes back the orphaned jobs and finishes the work.
	p2 := startServe(t, "--db", db, "--call-workers", "8")
	orders := waitCompleted(t, p2, n, 2*time.Minute)
	var ins instanceList
	p2.call("GET", "/api/v1/instances?limit=500", testOperatorToken, nil, &ins)
	ids := map[string]bool{}
	for _, in := range ins.Instances {
		if in.State != "ACTIVE" || in.InstanceID == "" || ids[in.InstanceID] {
			t.Fatalf("instance %+v (active, named, unique expected)", in)
		}
		ids[in.InstanceID] = true
	}
	if len(orders.Orders) != n || len(ids) != n || merchant.Instances() != n {
		t.Fatalf("%d orders, %d instances, merchant created %d; want %d each", len(orders.Orders), len(ids), merchant.Instances(), n)
	}
	t.Logf("killed after the merchant had created %d of %d instances; the restart recovered the rest (%d newInstance requests in all)",
		before, n, merchant.Count(kgp.ActivityNewInstance))
	p2.stop()
}

// TestSQLiteSingleProcess: a second server on a SQLite file that one already serves fails fast.
func TestSQLiteSingleProcess(t *testing.T) {
	t.Parallel()
	db := "sqlite:" + filepath.Join(t.TempDir(), "mercato.db")
	p := startServe(t, "--db", db)
	defer p.stop()
	var out, errb strings.Builder
	code := run([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, nil, &out, &errb)
	if code != exitFail || !strings.Contains(errb.String(), "in use by another mercato process") {
		t.Fatalf("second process: exit %d, %s", code, errb.String())
	}
}

// TestTwoServersOnePostgres runs two `mercato serve` processes on one PostgreSQL database and
// sends a burst of orders to both: every order is delivered, every merchant call is made once
// (no job is done twice), and both processes did part of the work.
func TestTwoServersOnePostgres(t *testing.T) {
	t.Parallel()
	const n = 200
	merchant := sdktest.NewServer(t, sdktest.Options{Key: "two-servers-access-key"})
	dsn := storetest.DSN(t, store.Postgres)
	keyFile := filepath.Join(t.TempDir(), "mercato.key") // replicas share their key file
	p1 := startServe(t, "--db", dsn, "--call-workers", "4", "--key-file", keyFile)
	p2 := startServe(t, "--db", dsn, "--call-workers", "4", "--key-file", keyFile)
	token := p1.seed(merchant.URL, merchant.Key)
	placeOrders(t, []*proc{p1, p2}, token, n)
	waitCompleted(t, p1, n, 2*time.Minute)
	// Orders complete when newInstance succeeds; the appInfo queries follow. Wait for them, then
	// a little longer, so that a duplicate would have time to show.
	for deadline := time.Now().Add(time.Minute); merchant.Count(kgp.ActivityQueryInstance) < n && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	if c, q := merchant.Count(kgp.ActivityNewInstance), merchant.Count(kgp.ActivityQueryInstance); c != n || q != n {
		t.Fatalf("merchant got %d newInstance and %d queryInstance requests, want %d each: a job ran twice", c, q, n)
	}
	w1, w2 := strings.Count(p1.log.String(), `msg="merchant call"`), strings.Count(p2.log.String(), `msg="merchant call"`)
	if w1 == 0 || w2 == 0 || w1+w2 != 2*n {
		t.Fatalf("calls made by process 1: %d, process 2: %d; want both > 0, %d in all", w1, w2, 2*n)
	}
	t.Logf("process 1 made %d calls, process 2 made %d", w1, w2)
	p1.stop()
	p2.stop()
}
