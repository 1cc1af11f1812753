package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/server"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
)

// TestSandbox seeds the sandbox from its configuration, twice on one database, and checks that the
// merchant's AK reads a mock order and that its pay-per-use instance is active.
func TestSandbox(t *testing.T) {
	t.Parallel()
	seed := server.SandboxSeed{AK: "SANDBOXAK00000000001", SK: "sandbox-secret-key-0000000000000000000001",
		AccessKey: "sandbox-basic-access-key-01", InstanceID: "3f1c2d9e-0000-4000-8000-00000000abcd"}
	dsn := storetest.DSN(t, store.SQLite)
	var out strings.Builder
	for run := range 2 {
		ctx := context.Background()
		s, err := server.New(ctx, server.Config{DB: dsn, Site: "intl", CallWorkers: 1, Sandbox: true, SandboxSeed: seed, OperatorToken: testOperatorToken,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Out: &out})
		if err != nil {
			t.Fatalf("start %d: %v", run, err)
		}
		m, err := s.DB.Merchant(ctx, server.SandboxMerchantID)
		if err != nil || m.AccessKey != "sandbox-basic-access-key-01" || s.Sandbox.AK != "SANDBOXAK00000000001" {
			t.Fatalf("sandbox merchant %+v, %v", m, err)
		}
		in, err := s.DB.InstanceByID(ctx, "3f1c2d9e-0000-4000-8000-00000000abcd")
		if err != nil || in.State != market.InstanceActive || in.Charging != market.ChargingOnDemand || in.MerchantID != m.ID {
			t.Fatalf("sandbox instance %+v, %v", in, err)
		}
		srv := httptest.NewServer(s.Handler)
		c := &client{t: t, base: srv.URL}
		if code, q := c.signedGet("/api/mkp-openapi-public/global/v1/order/query?orderId=MOCKONDEMAND", s.Sandbox.AK, s.Sandbox.SK); code != 200 || str(q["resultCode"]) != "MKT.0000" {
			t.Fatalf("mock order: %d %v", code, q)
		}
		if code, cat := c.do("GET", "/api/v1/catalog", s.Sandbox.BuyerToken, nil); code != 200 || len(cat["plans"].([]any)) != 8 {
			t.Fatalf("catalog: %d %v", code, cat)
		}
		if ins, _, _ := s.DB.Instances(ctx, store.InstanceFilter{MerchantID: m.ID}); len(ins) != 1 {
			t.Fatalf("%d sandbox instances after start %d", len(ins), run)
		}
		srv.Close()
		s.Close()
	}
	// The kit key was generated once and kept; the buyer token (stored hashed) is issued anew at
	// every start without MERCATO_SANDBOX_BUYER_TOKEN.
	if strings.Count(out.String(), "MERCATO_SANDBOX_KIT_KEY") != 1 || strings.Count(out.String(), "MERCATO_SANDBOX_BUYER_TOKEN") != 2 ||
		strings.Count(out.String(), "(generated)") != 3 {
		t.Fatalf("printed:\n%s", out.String())
	}
}
