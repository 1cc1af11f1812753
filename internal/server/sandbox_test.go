package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/server"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

// TestSandbox starts the sandbox twice on one database: the first start buys the pay-per-use
// instance from the merchant (which then knows it), the second applies a changed URL and key
// (answers signed with the old key still verify), keeps the instance and the generated values,
// and the merchant's AK reads any mock order line, as mercato check makes them.
func TestSandbox(t *testing.T) {
	t.Parallel()
	dsn := storetest.DSN(t, store.SQLite)
	keyFile := filepath.Join(t.TempDir(), "mercato.key")
	first := sdktest.NewServer(t, sdktest.Options{Key: "sandbox-basic-access-key-01"})
	second := sdktest.NewServer(t, sdktest.Options{Key: "sandbox-basic-access-key-02"})
	seeds := []server.SandboxSeed{
		{URL: first.URL, AccessKey: first.Key, AK: "SANDBOXAK00000000001", SK: "sandbox-secret-key-0000000000000000000001"},
		{URL: second.URL, AccessKey: second.Key, AK: "SANDBOXAK00000000001", SK: "sandbox-secret-key-0000000000000000000002"},
	}
	var kitKey, instanceKey string
	for run, seed := range seeds {
		var out strings.Builder
		ctx := context.Background()
		clock := market.NewFakeClock(time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC))
		s, err := server.New(ctx, server.Config{DB: dsn, KeyFile: keyFile, Site: "intl", CallWorkers: 1, Sandbox: true, SandboxSeed: seed,
			OperatorToken: testOperatorToken, Clock: clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Out: &out})
		if err != nil {
			t.Fatalf("start %d: %v", run, err)
		}
		if err := s.Start(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.DB.Settle(ctx, clock.Now, time.Minute); err != nil {
			t.Fatal(err)
		}
		m, err := s.DB.Merchant(ctx, server.SandboxMerchantID)
		if err != nil || m.ProductionURL != seed.URL || m.AccessKey != seed.AccessKey || s.Sandbox.AK != seed.AK {
			t.Fatalf("start %d: sandbox merchant %+v, %v", run, m, err)
		}
		if k, err := s.DB.APIKey(ctx, seed.AK); err != nil || k.SK != seed.SK {
			t.Fatalf("start %d: the AK's SK is not the configured one: %v", run, err)
		}
		if run == 0 {
			kitKey, instanceKey = m.KitKey, s.Sandbox.InstanceKey
		} else if m.KitKey != kitKey || m.PreviousAccessKey != seeds[0].AccessKey || s.Sandbox.InstanceKey != instanceKey {
			t.Fatalf("restart: kit key kept %v, previous key %q, instance %s (was %s)", m.KitKey == kitKey, m.PreviousAccessKey, s.Sandbox.InstanceKey, instanceKey)
		}
		// The instance was bought from the first merchant, which created it, and starts a day back.
		in, err := s.DB.Instance(ctx, instanceKey)
		if _, known := first.Instance(in.ID); err != nil || in.State != market.InstanceActive || in.ID == "" || !known ||
			!in.CreatedAt.Before(clock.Now().Add(-23*time.Hour)) {
			t.Fatalf("start %d: sandbox instance %+v, %v", run, in, err)
		}
		if first.Count(kgp.ActivityNewInstance) != 1 {
			t.Fatalf("start %d: the merchant was asked %d times to create the instance", run, first.Count(kgp.ActivityNewInstance))
		}
		srv := httptest.NewServer(s.Handler)
		c := &client{t: t, base: srv.URL}
		for _, q := range []string{"orderId=MOCKONDEMAND", "orderId=MOCKPERIODYEARNEW&orderLineId=MOCKPERIODYEARNEW-run1234", "orderId=MOCKONETIMENEW-run5678"} {
			if code, got := c.signedGet("/api/mkp-openapi-public/global/v1/order/query?"+q, s.Sandbox.AK, s.Sandbox.SK); code != 200 || str(got["resultCode"]) != "MKT.0000" {
				t.Fatalf("mock order %s: %d %v", q, code, got)
			}
		}
		if code, cat := c.do("GET", "/api/v1/catalog", s.Sandbox.BuyerToken, nil); code != 200 || len(cat["plans"].([]any)) != 8 {
			t.Fatalf("catalog: %d %v", code, cat)
		}
		// The first start prints the instance as waiting for the merchant (the queue starts after
		// seeding); the second, its instanceId.
		want := []string{"is waiting for your merchant", "takes usage from"}[run]
		if !strings.Contains(out.String(), "MERCATO_SANDBOX_KIT_KEY="+kitKey) || !strings.Contains(out.String(), want) {
			t.Fatalf("start %d printed:\n%s", run, out.String())
		}
		srv.Close()
		s.Queue.Stop(ctx)
		s.Close()
	}
}
