package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

// TestCrashDuringUsagePushes SIGKILLs the server while clients push usage, restarts it, and
// checks that every acknowledged record is stored exactly once, that every unacknowledged push
// is stored whole or not at all, and that pushing the unacknowledged ones again stores each record
// once.
func TestCrashDuringUsagePushes(t *testing.T) {
	t.Parallel()
	const instances, batches = 100, 40
	merchant := sdktest.NewServer(t, sdktest.Options{Key: "usage-crash-access-key"})
	dbPath := filepath.Join(t.TempDir(), "mercato.db")
	p1 := startServe(t, "--db", "sqlite:"+dbPath, "--call-workers", "8")
	var m struct {
		Merchant struct{ ID string }
		AK, SK   string
	}
	p1.call("POST", "/api/v1/merchants", testOperatorToken, map[string]any{"name": "Acme", "production_url": merchant.URL, "access_key": merchant.Key}, &m)
	p1.call("POST", "/api/v1/products", testOperatorToken, map[string]any{"merchant_id": m.Merchant.ID, "name": "API",
		"specs": []any{map[string]any{"sku_code": "api", "name": "Calls", "charging": "ON_DEMAND",
			"plans": []any{map[string]any{"product_id": "OFFIAPI", "price": "0.01"}}}}}, nil)
	var b struct{ Token string }
	p1.call("POST", "/api/v1/buyers", testOperatorToken, map[string]any{"name": "buyer"}, &b)
	for i := range instances {
		p1.call("POST", "/api/v1/orders", b.Token, map[string]any{"items": []any{map[string]any{"product_id": "OFFIAPI"}}}, nil, "Idempotency-Key", fmt.Sprint(i))
	}
	var list instanceList
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		list = instanceList{}
		p1.call("GET", "/api/v1/instances?state=ACTIVE&limit=500", testOperatorToken, nil, &list)
		if len(list.Instances) == instances {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d instances active", len(list.Instances), instances)
		}
	}
	created := time.Now().Truncate(time.Second)
	time.Sleep(8 * time.Second) // windows start at creation and must end by now + 1 min

	// Batch b holds 1000 distinct windows: record n of instance n%100, beginning up to 6 s after
	// creation, each of a different length.
	pushes := make([][]byte, batches)
	for bn := range pushes {
		var p kgp.UsagePush
		for i := range kgp.MaxUsageRecords {
			n := bn*kgp.MaxUsageRecords + i
			r := n / instances
			begin := created.Add(time.Duration(r/60) * time.Second)
			end := begin.Add(time.Duration(r%60+1) * time.Second)
			p.UsageRecords = append(p.UsageRecords, kgp.UsageRecord{InstanceID: list.Instances[n%instances].InstanceID,
				MeteringSN: fmt.Sprintf("crash-%06d", n), RecordTime: kgp.FormatSdkDate(end), BeginTime: kgp.FormatSdkDate(begin),
				EndTime: kgp.FormatSdkDate(end), UsageValue: "1"})
		}
		raw, _ := json.Marshal(p)
		pushes[bn], _ = kgp.CanonicalJSON(raw)
	}
	push := func(p *proc, body []byte) bool {
		u, _ := url.Parse(p.base + kgp.PathUsagePush)
		req, _ := http.NewRequest(http.MethodPost, u.String(), bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(kgp.HeaderSdkDate, kgp.FormatSdkDate(time.Now()))
		ts, nonce := kgp.FormatEpochMillis(time.Now()), market.NewUUID()
		sig, _ := kgp.SignUsage(merchant.Key, ts, nonce, body)
		req.Header.Set("signature", sig)
		req.Header.Set("ts", ts)
		req.Header.Set("nonce", nonce)
		authz, _ := kgp.SignAPIG(m.AK, m.SK, &kgp.APIGRequest{Method: "POST", URL: u, Host: u.Host, Header: req.Header, Body: body}, "content-type", "host")
		req.Header.Set("Authorization", authz)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var r kgp.ErrorResponse
		json.NewDecoder(resp.Body).Decode(&r)
		if r.ErrorCode != kgp.MKTSuccess && resp.StatusCode != 0 {
			t.Errorf("push answered %d %+v", resp.StatusCode, r)
		}
		return resp.StatusCode == http.StatusOK && r.ErrorCode == kgp.MKTSuccess
	}

	acked := make([]bool, batches)
	var mu sync.Mutex
	var kill sync.Once
	var wg sync.WaitGroup
	next := make(chan int)
	killed := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for bn := range next {
				ok := push(p1, pushes[bn])
				mu.Lock()
				acked[bn] = ok
				n := count(acked)
				mu.Unlock()
				if n >= batches/4 {
					kill.Do(func() { p1.kill(); close(killed) })
				}
			}
		})
	}
	go func() {
		defer close(next)
		for bn := range batches {
			select {
			case next <- bn:
			case <-killed:
				return
			}
		}
	}()
	wg.Wait()
	if count(acked) >= batches {
		t.Fatal("every push was acknowledged before the kill; the test proves nothing")
	}

	// Every acknowledged push is stored whole, every other one whole or not at all.
	stored := storedBatches(t, dbPath, batches)
	for bn, n := range stored {
		if acked[bn] && n != kgp.MaxUsageRecords || n != 0 && n != kgp.MaxUsageRecords {
			t.Fatalf("push %d (acknowledged %v) has %d of %d records stored", bn, acked[bn], n, kgp.MaxUsageRecords)
		}
	}
	// Push everything again after a restart: each record is stored once.
	p2 := startServe(t, "--db", "sqlite:"+dbPath)
	for bn := range pushes {
		if !push(p2, pushes[bn]) {
			t.Fatalf("push %d refused after the restart", bn)
		}
	}
	p2.stop()
	for bn, n := range storedBatches(t, dbPath, batches) {
		if n != kgp.MaxUsageRecords {
			t.Fatalf("push %d: %d records stored after the re-push", bn, n)
		}
	}
	t.Logf("killed with %d of %d pushes acknowledged; %d were stored", count(acked), batches, countNonZero(stored))
}

func count(b []bool) (n int) {
	for _, v := range b {
		if v {
			n++
		}
	}
	return n
}

func countNonZero(v []int) (n int) {
	for _, x := range v {
		if x > 0 {
			n++
		}
	}
	return n
}

// storedBatches opens the database (no server may hold it) and counts each push's records, after
// checking that the running sums match the records.
func storedBatches(t *testing.T, path string, batches int) []int {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	counts, err := db.RecountUsage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var recorded int64
	for _, c := range counts {
		sums, err := db.UsageTotals(ctx, c.CycleAt)
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		for _, s := range sums {
			n += s.Records
		}
		if n != c.Records {
			t.Fatalf("collection %v: running sums count %d records, the table %d", c.CycleAt, n, c.Records)
		}
		recorded += c.Records
	}
	out := make([]int, batches)
	sns, err := db.MeteringSNs(ctx, "crash-")
	if err != nil {
		t.Fatal(err)
	}
	for _, sn := range sns {
		var n int
		fmt.Sscanf(sn, "crash-%06d", &n)
		out[n/kgp.MaxUsageRecords]++
	}
	if int64(len(sns)) != recorded {
		t.Fatalf("%d metering_sn, %d records", len(sns), recorded)
	}
	return out
}
