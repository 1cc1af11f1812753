package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/server"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

// TestSandboxTestClock: in the sandbox, on the wall clock, a merchant pushes the last hour's
// usage and the operator runs the hourly collection at once: the buyer has the bill within
// seconds, not at minute 15. The clock also moves by a given duration, only forward, only for
// the operator.
func TestSandboxTestClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fm := sdktest.NewServer(t, sdktest.Options{Key: "sandbox-clock-access-key-1"})
	s, err := server.New(ctx, server.Config{DB: storetest.DSN(t, store.SQLite), KeyFile: filepath.Join(t.TempDir(), "mercato.key"), Site: "cn",
		CallWorkers: 2, Sandbox: true, SandboxSeed: server.SandboxSeed{URL: fm.URL, AccessKey: fm.Key},
		OperatorToken: testOperatorToken, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Out: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Queue.Stop(context.Background()) })
	srv := httptest.NewServer(s.Handler)
	t.Cleanup(srv.Close)
	c := &client{t: t, base: srv.URL}
	sb := s.Sandbox
	deadline := time.Now().Add(10 * time.Second)
	for sb.InstanceID == "" { // the merchant answers the sandbox's newInstance at start
		_, in := c.do("GET", "/api/v1/instances/"+sb.InstanceKey, testOperatorToken, nil)
		if sb.InstanceID = str(in["instance_id"]); sb.InstanceID == "" && time.Now().After(deadline) {
			t.Fatal("the sandbox instance was never provisioned")
		}
		time.Sleep(20 * time.Millisecond)
	}

	// The last completed hour's usage, as a merchant pushes it right after the hour.
	now := time.Now().UTC()
	begin := now.Truncate(time.Hour).Add(-time.Hour)
	rec := kgp.UsageRecord{InstanceID: sb.InstanceID, MeteringSN: "clock-1", RecordTime: kgp.FormatSdkDate(begin.Add(time.Hour)),
		BeginTime: kgp.FormatSdkDate(begin), EndTime: kgp.FormatSdkDate(begin.Add(time.Hour)), UsageValue: "100"}
	if code, r := c.signedPost("/api/mkp-openapi-public/global/v1/isv/usage-data", sb.AK, sb.SK, sb.AccessKey, usageBody(t, rec)); code != 200 {
		t.Fatalf("push: %d %+v", code, r)
	}
	if code, out := c.do("POST", "/api/v1/sandbox/collect", testOperatorToken, map[string]any{"cycle": "HOURLY"}); code != 202 || str(out["collection_at"]) == "" {
		t.Fatalf("collect: %d %v", code, out)
	}
	for {
		_, bills := c.do("GET", "/api/v1/bills", sb.BuyerToken, nil)
		if list, _ := bills["bills"].([]any); len(list) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no bill 10 s after the collection was run")
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Moving by a duration: forward only, the operator only.
	_, before := c.do("GET", "/api/v1/sandbox/clock", testOperatorToken, nil)
	code, after := c.do("POST", "/api/v1/sandbox/clock/advance", testOperatorToken, map[string]any{"duration": "36h"})
	t0, _ := time.Parse(time.RFC3339, str(before["now"]))
	t1, _ := time.Parse(time.RFC3339, str(after["now"]))
	if code != 200 || t1.Sub(t0) < 36*time.Hour || t1.Sub(t0) > 37*time.Hour {
		t.Fatalf("advance: %d %v → %v", code, before, after)
	}
	for _, bad := range []string{"-1h", "0s", "soon", "10000h"} {
		if code, _ := c.do("POST", "/api/v1/sandbox/clock/advance", testOperatorToken, map[string]any{"duration": bad}); code != 400 {
			t.Errorf("advance %q: %d", bad, code)
		}
	}
	if code, _ := c.do("POST", "/api/v1/sandbox/clock/advance", sb.BuyerToken, map[string]any{"duration": "1h"}); code != 403 {
		t.Errorf("a buyer moved the clock: %d", code)
	}
}
