package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/server"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

// logBuffer collects log lines concurrently.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *logBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestOperations: readiness follows the queue, /metrics exports the HTTP, merchant-call, queue
// and job metrics, and every request leaves an access-log line (probes at DEBUG only).
func TestOperations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	logs := &logBuffer{}
	cfg := server.DefaultConfig()
	cfg.DB, cfg.AllowInsecureMerchants, cfg.OperatorToken, cfg.Out = storetest.DSN(t, store.SQLite), true, testOperatorToken, io.Discard
	cfg.Log = slog.New(slog.NewJSONHandler(logs, nil))
	cfg.Clock = market.NewFakeClock(time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC))
	s, err := server.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	srv := httptest.NewServer(s.Handler)
	t.Cleanup(srv.Close)
	if code, body := get(t, srv.URL+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "job queue") {
		t.Fatalf("readyz before start: %d %q", code, body)
	}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Queue.Stop(context.Background()) })
	if code, body := get(t, srv.URL+"/readyz"); code != http.StatusOK {
		t.Fatalf("readyz: %d %q", code, body)
	}

	c := &client{t: t, base: srv.URL}
	fm := sdktest.NewServer(t, sdktest.Options{Key: "merchant-key-0001"})
	_, m := c.do("POST", "/api/v1/merchants", testOperatorToken, map[string]any{"name": "Acme", "production_url": fm.URL, "access_key": fm.Key})
	c.do("POST", "/api/v1/products", testOperatorToken, map[string]any{"merchant_id": str(m["merchant"].(map[string]any)["id"]), "name": "CRM",
		"specs": []any{map[string]any{"sku_code": "std", "name": "Std", "charging": "PERIOD",
			"plans": []any{map[string]any{"product_id": "OFFISTDM", "period": "month", "price": "0"}}}}})
	_, b := c.do("POST", "/api/v1/buyers", testOperatorToken, map[string]any{"name": "Ada"})
	c.do("POST", "/api/v1/orders", str(b["token"]), map[string]any{"items": []any{map[string]any{"product_id": "OFFISTDM", "period_number": 1}}})
	if err := s.DB.Settle(ctx, cfg.Clock.Now, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	c.do("GET", "/api/v1/orders/nope", str(b["token"]), nil)

	_, metrics := get(t, srv.URL+"/metrics")
	for _, want := range []string{
		`mercato_http_requests_total{method="POST",route="POST /api/v1/orders",status="201"} 1`,
		`mercato_http_requests_total{method="GET",route="GET /api/v1/orders/{id}",status="404"} 1`,
		`mercato_merchant_call_attempts_total{activity="newInstance",result="000000"} 1`,
		`mercato_merchant_call_seconds_count{activity="newInstance"} 1`,
		`mercato_job_run_seconds_count{kind="merchant_call"}`,
		`mercato_usage_records_total`, `mercato_license_heartbeats_total 0`, `go_goroutines`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	lines := logs.String()
	if !strings.Contains(lines, `"msg":"http","method":"POST","path":"/api/v1/orders","route":"POST /api/v1/orders","status":201`) {
		t.Errorf("no access-log line for the order:\n%s", lines)
	}
	if strings.Contains(lines, `"path":"/readyz"`) || strings.Contains(lines, `"path":"/metrics"`) {
		t.Errorf("probes logged at INFO:\n%s", lines)
	}
}
