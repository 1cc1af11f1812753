package sdktest_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

const (
	key    = "sdktest-basic-key-0123456789"
	kitKey = "sdktest-kit-key-9876543210"
)

// platform plays KooGallery against one test merchant: it signs each call as the platform
// would, with the real time, and reads the answer.
type platform struct {
	t *testing.T
	m *sdktest.Merchant
	c *http.Client
}

func setup(t *testing.T, o sdktest.Options) *platform {
	t.Helper()
	o.Key, o.KitKey = key, kitKey
	return &platform{t: t, m: sdktest.NewServer(t, o), c: &http.Client{Timeout: 10 * time.Second}}
}

// do sends a request and decodes the answer, which must carry a valid Body-Sign.
func (p *platform) do(r *http.Request, signKey string) (*kgp.Response, error) {
	p.t.Helper()
	resp, err := p.c.Do(r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, errors.New(resp.Status)
	}
	if err := kgp.VerifyBodySign(signKey, resp.Header.Get(kgp.BodySignHeader), body); err != nil {
		p.t.Fatalf("Body-Sign: %v", err)
	}
	return kgp.DecodeResponse(body)
}

// answer is do for a call that must get an answer.
func (p *platform) answer(r *http.Request, signKey string) *kgp.Response {
	p.t.Helper()
	resp, err := p.do(r, signKey)
	if err != nil {
		p.t.Fatal(err)
	}
	return resp
}

// signed is a 2.0 call signed now.
func (p *platform) signed(req kgp.BasicRequest) *http.Request {
	p.t.Helper()
	body, err := kgp.EncodeBasic(req)
	if err != nil {
		p.t.Fatal(err)
	}
	ts, nonce := kgp.FormatEpochMillis(time.Now()), kgp.NewIV()
	r, _ := http.NewRequest(http.MethodPost, p.m.URL+"?signature="+kgp.SignBasic(key, ts, nonce, body)+"&timestamp="+ts+"&nonce="+nonce, bytes.NewReader(body))
	return r
}

func (p *platform) basic(req kgp.BasicRequest) *kgp.Response {
	p.t.Helper()
	return p.answer(p.signed(req), key)
}

func (p *platform) legacy(req kgp.LegacyRequest) *kgp.Response {
	p.t.Helper()
	q, err := kgp.EncodeLegacy(req, key, time.Now())
	if err != nil {
		p.t.Fatal(err)
	}
	r, _ := http.NewRequest(http.MethodGet, p.m.URL+"?"+q, nil)
	return p.answer(r, key)
}

func (p *platform) kit(req kgp.KitRequest) *kgp.Response {
	p.t.Helper()
	body, err := kgp.EncodeKit(req, kgp.Gen2)
	if err != nil {
		p.t.Fatal(err)
	}
	r, _ := http.NewRequest(http.MethodPost, p.m.URL+kgp.KitPath(req.KitName(), kgp.Gen2), bytes.NewReader(body))
	ts, nonce := kgp.FormatEpochMillis(time.Now()), kgp.NewIV()
	r.Header.Set("x-sign", kgp.SignKit(kitKey, ts, nonce, body))
	r.Header.Set("x-timestamp", ts)
	r.Header.Set("x-nonce", nonce)
	return p.answer(r, kitKey)
}

func want(t *testing.T, resp *kgp.Response, code kgp.ResultCode) {
	t.Helper()
	if resp.ResultCode != code {
		t.Fatalf("resultCode %s (%s), want %s", resp.ResultCode, resp.ResultMsg, code)
	}
}

func newInstance(order, business string) kgp.NewInstance {
	return kgp.NewInstance{BusinessID: business, OrderID: order, OrderLineID: order + "-000001", TestFlag: "1"}
}

// TestServesBothGenerationsAndKits: one URL answers 2.0, 1.0 and kit calls through the SDK,
// keeps the merchant's records, and logs every request with its answer.
func TestServesBothGenerationsAndKits(t *testing.T) {
	t.Parallel()
	p := setup(t, sdktest.Options{})
	created := p.basic(newInstance("CS2", "b-2"))
	want(t, created, kgp.ResultSuccess)
	if created.InstanceID != "b-2" || created.AppInfo != nil {
		t.Fatalf("2.0 newInstance %+v: want the businessId as instanceId, no appInfo", created)
	}
	q := p.basic(kgp.QueryInstance{InstanceID: "b-2"})
	if len(q.Info) != 1 || q.Info[0].AppInfo == nil || q.EncryptType != kgp.EncryptAES256 {
		t.Fatalf("queryInstance %+v", q)
	}
	if u, err := kgp.DecryptCredential(key, q.EncryptType, q.Info[0].AppInfo.UserName); err != nil || u != "admin-b-2" {
		t.Fatalf("userName %q, %v", u, err)
	}
	old := p.legacy(kgp.LegacyNewInstance{CustomerID: "c", BusinessID: "b-1", OrderID: "CS1", ProductID: "OFFI-1", SkuCode: "gold"})
	if old.ResultCode != kgp.ResultSuccess || old.InstanceID != "b-1" || old.AppInfo == nil {
		t.Fatalf("1.0 newInstance %+v: want appInfo with it", old)
	}
	want(t, p.legacy(kgp.LegacyExpireInstance{InstanceID: "b-1", OrderID: "CS1"}), kgp.ResultSuccess)
	want(t, p.kit(kgp.TenantSync{InstanceID: "b-2", OrderID: "CS2", TenantID: "T1", TenantCode: "acme", Name: "Acme",
		DomainName: "https://acme.example", Flag: kgp.FlagAdd, TimeStamp: kgp.FormatKitTimeStamp(time.Now())}), kgp.ResultSuccess)

	if in, ok := p.m.Instance("b-1"); !ok || !in.Frozen || in.SkuCode != "gold" || p.m.Instances() != 2 {
		t.Fatalf("merchant's record %+v (%v), %d instances", in, ok, p.m.Instances())
	}
	var log []string
	for _, r := range p.m.Requests() {
		log = append(log, string(r.Activity)+" "+string(r.Result))
		if r.Status != http.StatusOK || r.Generation == 0 || len(r.Body) == 0 {
			t.Errorf("request %+v", r)
		}
	}
	if got := strings.Join(log, ", "); got != "newInstance 000000, queryInstance 000000, newInstance 000000, expireInstance 000000, tenantSync 000000" {
		t.Fatalf("requests: %s", got)
	}
}

// TestFailCountsDown: a scripted failure is the merchant's, so the SDK retries provisioning on
// the redelivery, under the same instanceId.
func TestFailCountsDown(t *testing.T) {
	t.Parallel()
	p := setup(t, sdktest.Options{})
	p.m.Set(func(k *sdktest.Knobs) { k.Fail[kgp.ActivityNewInstance], k.Fail[kgp.ActivityRefreshInstance] = 1, 2 })
	want(t, p.basic(newInstance("CSFAIL", "b-1")), kgp.ResultInternalError)
	again := p.basic(newInstance("CSFAIL", "b-2"))
	want(t, again, kgp.ResultSuccess)
	refresh := kgp.RefreshInstance{InstanceID: again.InstanceID, OrderID: "CSRENEW", OrderLineID: "CSRENEW-1", ExpireTime: "20300101000000", Scene: kgp.SceneRenewal}
	for _, code := range []kgp.ResultCode{kgp.ResultInternalError, kgp.ResultInternalError, kgp.ResultSuccess, kgp.ResultSuccess} {
		want(t, p.basic(refresh), code)
	}
	if in, _ := p.m.Instance(again.InstanceID); again.InstanceID != "b-1" || in.Refreshes != 1 || in.ExpireTime != "20300101000000" {
		t.Fatalf("instance %s: %+v; want b-1 refreshed once", again.InstanceID, in)
	}
}

// TestAsync: 000004, then the instance is left out of ReadyAfter queries, then ready.
func TestAsync(t *testing.T) {
	t.Parallel()
	p := setup(t, sdktest.Options{})
	p.m.Set(func(k *sdktest.Knobs) { k.Async, k.ReadyAfter = true, 2 })
	for _, business := range []string{"b-1", "b-2"} {
		resp := p.basic(newInstance("CSASYNC", business))
		if want(t, resp, kgp.ResultProcessing); resp.InstanceID != "b-1" {
			t.Fatalf("000004 with instanceId %q, want b-1", resp.InstanceID)
		}
	}
	q := kgp.QueryInstance{InstanceID: "b-1"}
	for i, listed := range []bool{false, false, true, true} {
		if got := p.basic(q); (len(got.Info) == 1 && got.Info[0].AppInfo != nil) != listed {
			t.Fatalf("query %d: %+v, listed %v wanted", i+1, got, listed)
		}
	}
	want(t, p.basic(newInstance("CSASYNC", "b-late")), kgp.ResultSuccess)
}

// TestNoAppInfo: the instance is listed, never with appInfo.
func TestNoAppInfo(t *testing.T) {
	t.Parallel()
	p := setup(t, sdktest.Options{})
	p.m.Set(func(k *sdktest.Knobs) { k.NoAppInfo = true })
	p.basic(newInstance("CSNOAPP", "b-1"))
	q := p.basic(kgp.QueryInstance{InstanceID: "b-1"})
	if len(q.Info) != 1 || q.Info[0].AppInfo != nil || q.EncryptType != "" {
		t.Fatalf("queryInstance %+v", q)
	}
	if old := p.legacy(kgp.LegacyNewInstance{CustomerID: "c", BusinessID: "b-2", OrderID: "CS1", ProductID: "P", SkuCode: "S"}); old.AppInfo != nil {
		t.Fatalf("1.0 newInstance %+v", old)
	}
}

// TestProvisionDelay takes the SDK's own asynchronous path: past the budget newInstance answers
// 000004, and queryInstance lists appInfo once the merchant's NewInstance has returned.
func TestProvisionDelay(t *testing.T) {
	t.Parallel()
	p := setup(t, sdktest.Options{ProvisionBudget: 10 * time.Millisecond})
	p.m.Set(func(k *sdktest.Knobs) { k.ProvisionDelay = 100 * time.Millisecond })
	want(t, p.basic(newInstance("CSSLOW", "b-1")), kgp.ResultProcessing)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if q := p.basic(kgp.QueryInstance{InstanceID: "b-1"}); len(q.Info) == 1 && q.Info[0].AppInfo != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no appInfo after the provisioning delay")
		}
	}
}

// TestDownDelayHang: 503 while down; a delay holds the answer; a hang outlasts the caller's
// budget, and Close ends it.
func TestDownDelayHang(t *testing.T) {
	t.Parallel()
	p := setup(t, sdktest.Options{})
	p.m.Set(func(k *sdktest.Knobs) { k.Down = true })
	if _, err := p.do(p.signed(newInstance("CSDOWN", "b-1")), key); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("down: %v", err)
	}
	p.m.Set(func(k *sdktest.Knobs) { k.Down, k.Delay[sdktest.Every] = false, 50*time.Millisecond })
	start := time.Now()
	want(t, p.basic(newInstance("CSDOWN", "b-2")), kgp.ResultSuccess)
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Fatalf("answered after %s, before the delay", d)
	}
	p.m.Set(func(k *sdktest.Knobs) { k.Delay[kgp.ActivityQueryInstance] = sdktest.Forever })
	p.c.Timeout = 200 * time.Millisecond
	if _, err := p.do(p.signed(kgp.QueryInstance{InstanceID: "b-2"}), key); err == nil || !errors.Is(err, context.DeadlineExceeded) && !strings.Contains(err.Error(), "Timeout") {
		t.Fatalf("hang answered: %v", err)
	}
	hanging := make(chan error)
	go func() { // still hanging when the merchant closes
		r, _ := http.NewRequest(http.MethodGet, p.m.URL+"?activity=queryInstance", nil)
		_, err := http.DefaultClient.Do(r)
		hanging <- err
	}()
	for len(p.m.Requests()) < 4 {
		time.Sleep(time.Millisecond)
	}
	closed := make(chan struct{})
	go func() { p.m.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for a hanging request")
	}
	if err := <-hanging; err == nil {
		t.Fatal("the hanging request got an answer")
	}
	if r := p.m.Requests(); r[0].Status != http.StatusServiceUnavailable || r[2].Status != 0 {
		t.Fatalf("recorded %+v", r)
	}
}
