package sdk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk"
)

const (
	testAK = "AKTEST0123456789"
	testSK = "SKTEST-secret-0123456789abcdef"
)

// fakeAPI plays KooGallery's open API: it verifies every signature the way the platform does
// and answers from a script.
type fakeAPI struct {
	t  *testing.T
	mu sync.Mutex
	// script answers the n-th request (from 0); nil answers success.
	script   func(n int, r *http.Request, body []byte) (int, string)
	requests []*http.Request
	records  []kgp.UsageRecord // every usage record received, repeats included
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	auth, err := kgp.ParseAPIGAuthorization(r.Header.Get("Authorization"))
	if err != nil || auth.Access != testAK {
		f.t.Errorf("Authorization %q: %v", r.Header.Get("Authorization"), err)
	}
	for _, h := range []string{"content-type", "host", "x-sdk-date"} {
		if !slices.Contains(auth.SignedHeaders, h) {
			f.t.Errorf("%s not signed: %v", h, auth.SignedHeaders)
		}
	}
	if err := kgp.VerifyAPIG(testSK, auth, &kgp.APIGRequest{Method: r.Method, URL: r.URL, Host: r.Host, Header: r.Header, Body: body}); err != nil {
		f.t.Errorf("APIG signature: %v", err)
	}
	if r.URL.Path == kgp.PathUsagePush {
		if err := kgp.VerifyUsage(testKey, r.Header.Get("signature"), r.Header.Get("ts"), r.Header.Get("nonce"), body); err != nil {
			f.t.Errorf("usage body signature: %v", err)
		}
		if canon, _ := kgp.CanonicalJSON(body); !bytes.Equal(canon, body) {
			f.t.Errorf("usage body not sent in canonical form: %s", body)
		}
		push, err := kgp.DecodeUsagePush(body)
		if err != nil {
			f.t.Errorf("usage body: %v", err)
		} else {
			f.mu.Lock()
			f.records = append(f.records, push.UsageRecords...)
			f.mu.Unlock()
		}
	}
	f.mu.Lock()
	n := len(f.requests)
	f.requests = append(f.requests, r)
	f.mu.Unlock()
	status, answer := http.StatusOK, ""
	if f.script != nil {
		status, answer = f.script(n, r, body)
	}
	if answer == "" {
		answer = defaultAnswer(r)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, answer)
}

func (f *fakeAPI) got() []kgp.UsageRecord {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.records)
}

func (f *fakeAPI) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

func defaultAnswer(r *http.Request) string {
	switch r.URL.Path {
	case kgp.PathOrderQuery:
		b, _ := json.Marshal(kgp.OrderQueryResponse{ResultCode: kgp.MKTSuccess, ResultMsg: "success", OrderInfo: &kgp.OrderInfo{
			OrderID: r.URL.Query().Get("orderId"), OrderType: kgp.OrderNew, CreateTime: "20250314092653",
			OrderLine: []kgp.OrderLine{{OrderLineID: r.URL.Query().Get("orderLineId"), ChargingMode: kgp.ChargingOnDemand,
				ProductInfo: []kgp.ProductInfo{{ProductID: "OFFI-PPU", SkuCode: "sku"}}}}}})
		return string(b)
	case kgp.PathLicenseActivate:
		r, _ := kgp.NewLicenseActivateResponse(kgp.LicenseCodeInfo{Status: kgp.LicenseAlive, ExpireTime: "20260101000000", ProductID: "p", Amount: 2, OrderID: "CS1"})
		b, _ := json.Marshal(r)
		return string(b)
	case kgp.PathLicenseHeartbeat:
		return `{"error_code":"92020000","error_msg":"success","data":{"license_code":"PL1","status":"ALIVE","activate_time":"20250101000000","extra":"ignored"}}`
	case kgp.PathLicenseBatch:
		return `{"error_code":"92020000","error_msg":"success","data":[{"license":"PL1","error_code":"92020000","error_msg":"success"}]}`
	}
	return `{"error_code":"MKT.0000","error_msg":"success"}`
}

// clientSetup starts a fake open API and a Client on it; sleeps collects the backoff waits.
func clientSetup(t *testing.T, script func(int, *http.Request, []byte) (int, string)) (*sdk.Client, *fakeAPI, *[]time.Duration) {
	t.Helper()
	api := &fakeAPI{t: t, script: script}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	var mu sync.Mutex
	sleeps := &[]time.Duration{}
	c, err := sdk.NewClient(sdk.ClientConfig{AK: testAK, SK: testSK, AccessKey: testKey, BaseURL: srv.URL,
		Retry: sdk.RetryPolicy{Attempts: 4, Base: time.Second, Max: 3 * time.Second},
		Sleep: func(_ context.Context, d time.Duration) error {
			mu.Lock()
			defer mu.Unlock()
			*sleeps = append(*sleeps, d)
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	return c, api, sleeps
}

func TestClientQueryOrder(t *testing.T) {
	t.Parallel()
	c, api, _ := clientSetup(t, nil)
	order, err := c.QueryOrder(t.Context(), "MOCKONDEMAND", "MOCKONDEMAND-000001")
	if err != nil {
		t.Fatal(err)
	}
	if order.OrderID != "MOCKONDEMAND" || order.OrderLine[0].ChargingMode != kgp.ChargingOnDemand {
		t.Fatalf("order %+v", order)
	}
	if q := api.requests[0].URL.Query(); q.Get("orderLineId") != "MOCKONDEMAND-000001" {
		t.Fatalf("query %v", q)
	}
}

func TestClientRetries(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		answers  []int // HTTP status per attempt; then success
		envelope string
		requests int
		sleeps   []time.Duration
		code     kgp.ErrorCode // of the error, "" for success
	}{
		{"5xx then success", []int{503, 502}, "", 3, []time.Duration{time.Second, 2 * time.Second}, ""},
		{"always 5xx", []int{500, 500, 500, 500}, `{"error_code":"MKT.0999","error_msg":"System internal error."}`, 4,
			[]time.Duration{time.Second, 2 * time.Second, 3 * time.Second}, kgp.MKTInternal},
		{"4xx is not retried", []int{400}, `{"error_code":"MKT.0101","error_msg":"Invalid parameter"}`, 1, nil, kgp.MKTInvalidParam},
		{"definite refusal on 500", []int{500}, `{"error_code":"MKT.9001","error_msg":"Instance ID not found."}`, 1, nil, kgp.MKTNoInstance},
		{"throttled", []int{429}, `{"error_code":"APIGW.0308","error_msg":"throttled"}`, 2, []time.Duration{time.Second}, ""},
		{"error envelope with 200", []int{200}, `{"resultCode":"MKT.0151","resultMsg":"No authority"}`, 1, nil, kgp.MKTNoAuthority},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, api, sleeps := clientSetup(t, func(n int, _ *http.Request, _ []byte) (int, string) {
				if n < len(tc.answers) {
					return tc.answers[n], tc.envelope
				}
				return http.StatusOK, ""
			})
			_, err := c.QueryOrder(t.Context(), "MOCKPERIODYEARNEW", "")
			if api.count() != tc.requests || !slices.Equal(*sleeps, tc.sleeps) {
				t.Fatalf("%d requests, waits %v; want %d, %v", api.count(), *sleeps, tc.requests, tc.sleeps)
			}
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var e *kgp.ErrorResponse
			if !errors.As(err, &e) || e.ErrorCode != tc.code {
				t.Fatalf("error %v, want *kgp.ErrorResponse %s", err, tc.code)
			}
		})
	}
}

// roundTripper sends calls for the primary host nowhere and the rest to a handler.
type roundTripper struct {
	down  string
	h     http.Handler
	hosts []string
	mu    sync.Mutex
}

func (rt *roundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	rt.hosts = append(rt.hosts, r.URL.Host)
	rt.mu.Unlock()
	if r.URL.Host == rt.down {
		return nil, fmt.Errorf("dial tcp: lookup %s: no such host", rt.down)
	}
	w := httptest.NewRecorder()
	r.Host = r.URL.Host
	rt.h.ServeHTTP(w, r)
	return w.Result(), nil
}

func TestClientFallsBackToTheChinaFallbackHost(t *testing.T) {
	t.Parallel()
	rt := &roundTripper{down: kgp.HostChina, h: &fakeAPI{t: t}}
	c, err := sdk.NewClient(sdk.ClientConfig{AK: testAK, SK: testSK, Site: sdk.SiteChina, HTTPClient: &http.Client{Transport: rt},
		Sleep: func(context.Context, time.Duration) error { t.Error("slept before the fallback"); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.QueryOrder(t.Context(), "MOCKONETIMENEW", "MOCKONETIMENEW-000001"); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rt.hosts, []string{kgp.HostChina, kgp.HostChinaFallback}) {
		t.Fatalf("hosts tried %v", rt.hosts)
	}
}

func usageRecords(n int) []kgp.UsageRecord {
	out := make([]kgp.UsageRecord, n)
	for i := range out {
		out[i] = kgp.UsageRecord{InstanceID: fmt.Sprintf("inst-%04d", i), RecordTime: "20250314T101000Z",
			BeginTime: "20250314T090000Z", EndTime: "20250314T100000Z", UsageValue: "1.5"}
	}
	return out
}

func TestPushUsage(t *testing.T) {
	t.Parallel()
	c, api, _ := clientSetup(t, func(n int, _ *http.Request, _ []byte) (int, string) {
		if n == 1 { // the second batch fails once: its retry must carry the same serial numbers
			return http.StatusServiceUnavailable, ""
		}
		return http.StatusOK, ""
	})
	if err := c.PushUsage(t.Context(), usageRecords(2500)); err != nil {
		t.Fatal(err)
	}
	if api.count() != 4 || len(api.got()) != 3500 {
		t.Fatalf("%d calls with %d records; want 4 calls (one retry) with 3500", api.count(), len(api.got()))
	}
	distinct := map[string]bool{}
	for _, r := range api.got() {
		if r.MeteringSN != sdk.MeteringSN(r.InstanceID, r.BeginTime, r.EndTime) {
			t.Fatalf("record %+v: metering_sn not derived from instance and window", r)
		}
		distinct[r.MeteringSN] = true
	}
	if len(distinct) != 2500 {
		t.Fatalf("%d distinct serial numbers, want 2500: the retry changed them", len(distinct))
	}
}

func TestPushUsageErrors(t *testing.T) {
	t.Parallel()
	c, api, _ := clientSetup(t, func(n int, _ *http.Request, _ []byte) (int, string) {
		if n == 1 {
			return http.StatusInternalServerError, `{"error_code":"MKT.9004","error_msg":"Record beginTime extends Limit.",
				"abnormal_usage_data":[{"instance_id":"inst-1001","index":1,"error_code":"MKT.9004","error_msg":"too old"}]}`
		}
		return http.StatusOK, ""
	})
	err := c.PushUsage(t.Context(), usageRecords(1500))
	var pe *sdk.PushError
	var er *kgp.ErrorResponse
	if !errors.As(err, &pe) || pe.Sent != 1000 || !errors.As(err, &er) || er.AbnormalUsageData[0].Index != 1 {
		t.Fatalf("error %v", err)
	}
	bad := usageRecords(2)
	bad[1].UsageValue = "0.00001"
	if err := c.PushUsage(t.Context(), bad); err == nil || !strings.Contains(err.Error(), "usage record 1") {
		t.Fatalf("invalid record: %v", err)
	}
	if api.count() != 2 {
		t.Fatalf("an invalid batch was sent: %d calls", api.count())
	}
}

func TestLicenses(t *testing.T) {
	t.Parallel()
	c, api, _ := clientSetup(t, nil)
	info, err := c.ActivateLicense(t.Context(), "PL1", &kgp.HeartbeatInfo{ThirdPartyAccount: "acct", IP: "10.0.0.1"})
	if err != nil || info.Status != kgp.LicenseAlive || info.Amount != 2 {
		t.Fatalf("activate %+v, %v", info, err)
	}
	hb, err := c.Heartbeat(t.Context(), "PL1", nil)
	if err != nil || hb.LicenseCode != "PL1" {
		t.Fatalf("heartbeat %+v, %v", hb, err)
	}
	reqs := make([]kgp.LicenseRequest, 150)
	for i := range reqs {
		reqs[i] = kgp.LicenseRequest{License: fmt.Sprintf("PL%d", i)}
	}
	if _, err := c.HeartbeatBatch(t.Context(), reqs); err != nil {
		t.Fatal(err)
	}
	if api.count() != 4 {
		t.Fatalf("%d calls, want 4 (activate, heartbeat, 2 batches)", api.count())
	}
	if _, err := c.Heartbeat(t.Context(), "", nil); err == nil {
		t.Fatal("empty license accepted")
	}
}
