package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/kgp"
)

const (
	key    = "demo-basic-key-0123456789"
	kitKey = "demo-kit-key-9876543210"
)

var t0 = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// demo is a running merchant and a KooGallery stand-in that signs for it.
type demo struct {
	t   *testing.T
	h   http.Handler
	cl  io.Closer
	dir string
	seq atomic.Int64
}

func start(t *testing.T, dir string, mod func(*config)) *demo {
	t.Helper()
	cfg := config{Key: key, KitKey: kitKey, StateDir: dir, Now: func() time.Time { return t0 },
		// The budget leaves room for a slow machine (or -race): only slow specs may exceed it.
		SlowDelay: 600 * time.Millisecond, ProvisionBudget: 300 * time.Millisecond, PublicURL: "https://demo.test"}
	if mod != nil {
		mod(&cfg)
	}
	h, cl, err := newApp(cfg)
	if err != nil {
		t.Fatal(err)
	}
	d := &demo{t: t, h: h, cl: cl, dir: dir}
	d.seq.Store(time.Now().UnixNano() % 1e9) // nonces and kit timeStamps unique across restarts
	return d
}

func (d *demo) close() {
	if err := d.cl.Close(); err != nil {
		d.t.Fatal(err)
	}
}

func (d *demo) serve(r *http.Request, k string) *kgp.Response {
	d.t.Helper()
	w := httptest.NewRecorder()
	d.h.ServeHTTP(w, r)
	if err := kgp.VerifyBodySign(k, w.Header().Get(kgp.BodySignHeader), w.Body.Bytes()); err != nil {
		d.t.Fatalf("Body-Sign: %v", err)
	}
	resp, err := kgp.DecodeResponse(w.Body.Bytes())
	if err != nil {
		d.t.Fatal(err)
	}
	return resp
}

func (d *demo) basic(req kgp.BasicRequest) *kgp.Response {
	d.t.Helper()
	body, err := kgp.EncodeBasic(req)
	if err != nil {
		d.t.Fatal(err)
	}
	ts, nonce := kgp.FormatEpochMillis(t0), fmt.Sprintf("nonce-%d", d.seq.Add(1))
	u := "/saasproduce?signature=" + kgp.SignBasic(key, ts, nonce, body) + "&timestamp=" + ts + "&nonce=" + nonce
	return d.serve(httptest.NewRequest(http.MethodPost, u, strings.NewReader(string(body))), key)
}

func (d *demo) legacy(req kgp.LegacyRequest) *kgp.Response {
	d.t.Helper()
	q, err := kgp.EncodeLegacy(req, key, t0.Add(time.Duration(d.seq.Add(1))*time.Millisecond%time.Second))
	if err != nil {
		d.t.Fatal(err)
	}
	return d.serve(httptest.NewRequest(http.MethodGet, "/saasproduce?"+q, nil), key)
}

func (d *demo) kit(req kgp.KitRequest, g kgp.Generation) *kgp.Response {
	d.t.Helper()
	body, err := kgp.EncodeKit(req, g)
	if err != nil {
		d.t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/saasproduce"+kgp.KitPath(req.KitName(), g), strings.NewReader(string(body)))
	if g == kgp.Gen1 {
		tok, _ := kgp.KitV1AuthToken(kitKey, body)
		r.Header.Set("authToken", tok)
	} else {
		ts, nonce := kgp.FormatEpochMillis(t0), fmt.Sprintf("kit-%d", d.seq.Add(1))
		r.Header.Set("x-sign", kgp.SignKit(kitKey, ts, nonce, body))
		r.Header.Set("x-timestamp", ts)
		r.Header.Set("x-nonce", nonce)
	}
	return d.serve(r, kitKey)
}

// kitTS is a fresh body timeStamp: kit v1 refuses an identical body as a replay.
func (d *demo) kitTS() string {
	return kgp.FormatKitTimeStamp(t0.Add(time.Duration(d.seq.Add(1)%30000) * time.Millisecond))
}

func (d *demo) page(id string) int {
	w := httptest.NewRecorder()
	d.h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/-/app/"+id, nil))
	return w.Code
}

func want(t *testing.T, resp *kgp.Response, code kgp.ResultCode) {
	t.Helper()
	if resp.ResultCode != code {
		t.Fatalf("resultCode %s (%s), want %s", resp.ResultCode, resp.ResultMsg, code)
	}
}

func (d *demo) newInstance(order string) *kgp.Response {
	return d.basic(kgp.NewInstance{BusinessID: fmt.Sprintf("biz-%d", d.seq.Add(1)), OrderID: order, OrderLineID: order + "-000001", TestFlag: "1"})
}

// appInfo polls queryInstance until the instance has login data.
func (d *demo) appInfo(id string, et kgp.EncryptType) (user, pass string) {
	d.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		q := d.basic(kgp.QueryInstance{InstanceID: id})
		if len(q.Info) == 1 && q.Info[0].AppInfo != nil {
			a := q.Info[0].AppInfo
			u, err1 := kgp.DecryptCredential(key, et, a.UserName)
			p, err2 := kgp.DecryptCredential(key, et, a.Password)
			if err1 != nil || err2 != nil || a.FrontEndURL != "https://demo.test/-/app/"+id {
				d.t.Fatalf("appInfo %+v: %v %v", a, err1, err2)
			}
			return u, p
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("no appInfo for %s", id)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestPeriodLifecycle(t *testing.T) {
	t.Parallel()
	for _, et := range []kgp.EncryptType{kgp.EncryptAES256, kgp.EncryptAES128} {
		t.Run("encryptType="+string(et), func(t *testing.T) {
			t.Parallel()
			d := start(t, t.TempDir(), func(c *config) { c.EncryptType = et })
			defer d.close()
			resp := d.newInstance("CSPERIOD")
			want(t, resp, kgp.ResultSuccess)
			id := resp.InstanceID
			if again := d.newInstance("CSPERIOD"); again.InstanceID != id {
				t.Fatalf("repeat gave %s, want %s", again.InstanceID, id)
			}
			if u, p := d.appInfo(id, et); !strings.HasPrefix(u, "admin-") || len(p) != 16 {
				t.Fatalf("credentials %q %q", u, p)
			}
			steps := []struct {
				req  kgp.BasicRequest
				code kgp.ResultCode
				page int
			}{
				{kgp.RefreshInstance{ExpireTime: "20260314000000", InstanceID: id, OrderID: "CSRENEW", OrderLineID: "CSRENEW-000001", Scene: kgp.SceneRenewal}, kgp.ResultSuccess, 200},
				{kgp.UpdateInstanceStatus{InstanceID: id, Status: kgp.StatusFreeze}, kgp.ResultSuccess, 403},
				{kgp.UpdateInstanceStatus{InstanceID: id, Status: kgp.StatusFreeze}, kgp.ResultSuccess, 403},
				{kgp.UpdateInstanceStatus{InstanceID: id, Status: kgp.StatusUnfreeze}, kgp.ResultSuccess, 200},
				{kgp.UpgradeInstance{InstanceID: id, OrderID: "CSUP", OrderLineID: "CSUP-000001"}, kgp.ResultSuccess, 200},
				{kgp.ChangeInstanceCheck{InstanceID: id, ProductInfo: &kgp.ProductInfo{ProductID: "p", SkuCode: "s", LinearValue: 5}}, kgp.ResultSuccess, 200},
				{kgp.OrderNotify{OrderID: "CSPERIOD", OrderLineID: "CSPERIOD-000001", TestFlag: "1"}, kgp.ResultSuccess, 200},
				{kgp.UpdateInstanceStatus{InstanceID: "unknown", Status: kgp.StatusFreeze}, kgp.ResultInstanceNotFound, 200},
				{kgp.ReleaseInstance{InstanceID: id}, kgp.ResultSuccess, 410},
				{kgp.ReleaseInstance{InstanceID: id}, kgp.ResultSuccess, 410},
				{kgp.ReleaseInstance{InstanceID: "never-existed"}, kgp.ResultSuccess, 410},
			}
			for i, s := range steps {
				want(t, d.basic(s.req), s.code)
				if got := d.page(id); got != s.page {
					t.Fatalf("step %d (%T): page %d, want %d", i, s.req, got, s.page)
				}
			}
		})
	}
}

func TestSlowSpecProvisionsInTheBackground(t *testing.T) {
	t.Parallel()
	d := start(t, t.TempDir(), nil)
	defer d.close()
	resp := d.newInstance("CSSLOW1")
	want(t, resp, kgp.ResultProcessing)
	if again := d.newInstance("CSSLOW1"); again.InstanceID != resp.InstanceID {
		t.Fatalf("duplicate during provisioning: %s, want %s", again.InstanceID, resp.InstanceID)
	}
	d.appInfo(resp.InstanceID, kgp.EncryptAES256)
}

// The merchant stops in the middle of a slow provisioning; started again on the same state
// directory it finishes it, under the same instance ID and with one set of credentials.
func TestRestartDuringSlowProvisioning(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d := start(t, dir, func(c *config) { c.SlowDelay = time.Hour })
	resp := d.newInstance("CSSLOWRESTART")
	want(t, resp, kgp.ResultProcessing)
	d.close()

	d = start(t, dir, nil)
	defer d.close()
	u, p := d.appInfo(resp.InstanceID, kgp.EncryptAES256)
	again := d.newInstance("CSSLOWRESTART")
	want(t, again, kgp.ResultSuccess)
	if again.InstanceID != resp.InstanceID {
		t.Fatalf("after restart: %s, want %s", again.InstanceID, resp.InstanceID)
	}
	if u2, p2 := d.appInfo(resp.InstanceID, kgp.EncryptAES256); u2 != u || p2 != p {
		t.Fatal("credentials changed")
	}
}

func TestLegacyGeneration(t *testing.T) {
	t.Parallel()
	d := start(t, t.TempDir(), nil)
	defer d.close()
	req := kgp.LegacyNewInstance{CustomerID: "c1", BusinessID: "b1", OrderID: "CSV1", SkuCode: "gold", ProductID: "OFFI-1", Amount: 20, TrialFlag: "1"}
	resp := d.legacy(req)
	want(t, resp, kgp.ResultSuccess)
	if resp.AppInfo == nil || resp.EncryptType != kgp.EncryptAES256 {
		t.Fatalf("1.0 newInstance answered %+v", resp)
	}
	id := resp.InstanceID
	for _, r := range []kgp.LegacyRequest{
		kgp.LegacyRefreshInstance{OrderID: "CSV1R", InstanceID: id, ExpireTime: "20260101000000", TrialToFormal: "1"},
		kgp.LegacyExpireInstance{InstanceID: id, OrderID: "CSV1"},
		kgp.LegacyInstanceStatus{InstanceID: id, InstanceStatus: kgp.StatusNormal},
		kgp.LegacyUpgrade{InstanceID: id, OrderID: "CSV1U", SkuCode: "platinum", ProductID: "OFFI-2", Amount: 50},
		kgp.LegacyQueryInstance{InstanceID: id},
		kgp.LegacyReleaseInstance{InstanceID: id, OrderID: "CSV1"},
	} {
		want(t, d.legacy(r), kgp.ResultSuccess)
	}
	slow := d.legacy(kgp.LegacyNewInstance{CustomerID: "c1", BusinessID: "b2", OrderID: "CSV1S", SkuCode: "slow-sku", ProductID: "OFFI-3"})
	want(t, slow, kgp.ResultProcessing)
}

func TestUsageEndpoint(t *testing.T) {
	t.Parallel()
	d := start(t, t.TempDir(), nil)
	defer d.close()
	id := d.newInstance("CSUSE").InstanceID
	post := func(form url.Values) int {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/-/usage", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		d.h.ServeHTTP(w, r)
		return w.Code
	}
	for _, tc := range []struct {
		form url.Values
		code int
	}{
		{url.Values{"instance": {id}, "amount": {"2.5"}}, http.StatusNoContent},
		{url.Values{"instance": {id}, "amount": {"0"}}, http.StatusBadRequest},
		{url.Values{"instance": {"nope"}, "amount": {"1"}}, http.StatusNotFound},
	} {
		if got := post(tc.form); got != tc.code {
			t.Fatalf("usage %v: HTTP %d, want %d", tc.form, got, tc.code)
		}
	}
}
