package sdk_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk"
	"github.com/mercato-oss/mercato/sdk/sqlitestore"
)

const (
	testKey    = "a1b2c3d4-e5f6-7890-abcd-ef1234567890"
	testKitKey = "kit-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
)

// t0 is the handler's clock in every test: requests are signed at t0 unless a test says not.
var t0 = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// fakeMerchant counts calls and lets a test shape NewInstance.
type fakeMerchant struct {
	sdk.Unimplemented
	mu    sync.Mutex
	calls map[string]int
	last  map[string]any
	// provision, when set, replaces the default NewInstance body.
	provision func(ctx context.Context, call *sdk.NewInstanceCall) (*sdk.Provisioned, error)
	// fail, when set, is returned by every method but NewInstance and QueryInstance.
	fail error
}

func newFake() *fakeMerchant { return &fakeMerchant{calls: map[string]int{}, last: map[string]any{}} }

func (m *fakeMerchant) record(name string, call any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls[name]++
	m.last[name] = call
}

func (m *fakeMerchant) count(name string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.calls[name]
}

func (m *fakeMerchant) total() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, c := range m.calls {
		n += c
	}
	return n
}

func (m *fakeMerchant) lastCall(name string) any {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.last[name]
}

func (m *fakeMerchant) NewInstance(ctx context.Context, call *sdk.NewInstanceCall) (*sdk.Provisioned, error) {
	m.record("newInstance", call)
	if m.provision != nil {
		return m.provision(ctx, call)
	}
	return &sdk.Provisioned{AppInfo: &kgp.AppInfo{FrontEndURL: "https://app.example.com/" + call.InstanceID,
		AdminURL: "https://admin.example.com/", UserName: "admin", Password: "s3cret-" + call.InstanceID[:8]}}, nil
}

func (m *fakeMerchant) RefreshInstance(_ context.Context, c *sdk.RefreshInstanceCall) error {
	m.record("refreshInstance", c)
	return m.fail
}

func (m *fakeMerchant) UpdateInstanceStatus(_ context.Context, c *sdk.UpdateInstanceStatusCall) error {
	m.record("updateInstanceStatus", c)
	return m.fail
}

func (m *fakeMerchant) ReleaseInstance(_ context.Context, c *sdk.ReleaseInstanceCall) error {
	m.record("releaseInstance", c)
	return m.fail
}

func (m *fakeMerchant) UpgradeInstance(_ context.Context, c *sdk.UpgradeInstanceCall) error {
	m.record("upgradeInstance", c)
	return m.fail
}

func (m *fakeMerchant) OrderNotify(_ context.Context, c *sdk.OrderNotifyCall) error {
	m.record("orderNotify", c)
	return m.fail
}

func (m *fakeMerchant) TenantSync(_ context.Context, c *sdk.TenantSyncCall) error {
	m.record("tenantSync", c)
	return m.fail
}

func (m *fakeMerchant) ApplicationSync(_ context.Context, c *sdk.ApplicationSyncCall) error {
	m.record("applicationSync", c)
	return m.fail
}

func (m *fakeMerchant) AuthSync(_ context.Context, c *sdk.AuthSyncCall) error {
	m.record("authSync", c)
	return m.fail
}

func (m *fakeMerchant) SingleOrgSync(_ context.Context, c *sdk.SingleOrgSyncCall) error {
	m.record("singleOrgSync", c)
	return m.fail
}

func (m *fakeMerchant) AllOrgSync(_ context.Context, c *sdk.AllOrgSyncCall) error {
	m.record("allOrgSync", c)
	return m.fail
}

// bundle is what setup returns: a handler on its own store, the fake behind it, and the store
// for direct inspection.
type bundle struct {
	t     *testing.T
	h     *sdk.Handler
	m     *fakeMerchant
	store *sqlitestore.Store
	dir   string
	seq   atomic.Int64
}

// setup builds a handler with the test keys. mod may adjust the config (and the fake) first.
func setup(t *testing.T, mod func(*sdk.Config, *fakeMerchant)) *bundle {
	t.Helper()
	dir := t.TempDir()
	store := openStore(t, dir)
	m := newFake()
	cfg := sdk.Config{Key: testKey, KitKey: testKitKey, Store: store, Now: func() time.Time { return t0 }}
	if mod != nil {
		mod(&cfg, m)
	}
	h, err := sdk.NewHandler(cfg, m)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return &bundle{t: t, h: h, m: m, store: store, dir: dir}
}

// openStore opens the SQLite store in dir, closed when the test ends (after the handlers on it,
// whose cleanups registered later run first).
func openStore(tb testing.TB, dir string) *sqlitestore.Store {
	tb.Helper()
	store, err := sqlitestore.Open(dir)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	return store
}

// nonce returns a fresh nonce.
func (b *bundle) nonce() string {
	return fmt.Sprintf("N%015d%s", b.seq.Add(1), strings.Repeat("x", 16))
}

// basic signs a 2.0 request at t0 with a fresh nonce.
func (b *bundle) basic(req kgp.BasicRequest) *http.Request {
	b.t.Helper()
	body, err := kgp.EncodeBasic(req)
	if err != nil {
		b.t.Fatal(err)
	}
	return signedBasic(testKey, body, t0, b.nonce())
}

func signedBasic(key string, body []byte, at time.Time, nonce string) *http.Request {
	ts := kgp.FormatEpochMillis(at)
	target := "/saasproduce?signature=" + kgp.SignBasic(key, ts, nonce, body) + "&timestamp=" + ts + "&nonce=" + nonce
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(string(body)))
	r.Header.Set("Content-Type", "application/json;charset=utf8")
	return r
}

// legacy signs a 1.0 GET at t0.
func (b *bundle) legacy(req kgp.LegacyRequest) *http.Request {
	b.t.Helper()
	q, err := kgp.EncodeLegacy(req, testKey, t0)
	if err != nil {
		b.t.Fatal(err)
	}
	return httptest.NewRequest(http.MethodGet, "/saasproduce?"+q, nil)
}

// kit signs a kit sync at t0 for generation g.
func (b *bundle) kit(req kgp.KitRequest, g kgp.Generation) *http.Request {
	b.t.Helper()
	body, err := kgp.EncodeKit(req, g)
	if err != nil {
		b.t.Fatal(err)
	}
	return signedKit(b.t, testKitKey, req.KitName(), g, body, t0, b.nonce())
}

func signedKit(t *testing.T, key, name string, g kgp.Generation, body []byte, at time.Time, nonce string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/saasproduce"+kgp.KitPath(name, g), strings.NewReader(string(body)))
	r.Header.Set("Content-Type", "application/json")
	if g == kgp.Gen1 {
		tok, err := kgp.KitV1AuthToken(key, body)
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("authToken", tok)
		return r
	}
	ts := kgp.FormatEpochMillis(at)
	r.Header.Set("x-sign", kgp.SignKit(key, ts, nonce, body))
	r.Header.Set("x-timestamp", ts)
	r.Header.Set("x-nonce", nonce)
	return r
}

// do serves r and decodes the answer, checking what every answer must be: HTTP 200 (unless
// want says otherwise), JSON, and signed with a valid Body-Sign.
func do(t *testing.T, h http.Handler, r *http.Request) *kgp.Response {
	t.Helper()
	key := testKey
	if _, _, kit := kgp.ParseKitPath(r.URL.Path); kit {
		key = testKitKey
	}
	return doSigned(t, h, r, key)
}

// doSigned is do with the key expected in Body-Sign.
func doSigned(t *testing.T, h http.Handler, r *http.Request, key string) *kgp.Response {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	sign := w.Result().Header[kgp.BodySignHeader]
	if len(sign) != 1 {
		t.Fatalf("Body-Sign header %q, want one", sign)
	}
	if err := kgp.VerifyBodySign(key, sign[0], w.Body.Bytes()); err != nil {
		t.Fatalf("Body-Sign: %v", err)
	}
	resp, err := kgp.DecodeResponse(w.Body.Bytes())
	if err != nil {
		t.Fatalf("answer %q: %v", w.Body.String(), err)
	}
	if w.Code != http.StatusOK && w.Code != http.StatusMethodNotAllowed {
		t.Fatalf("HTTP %d", w.Code)
	}
	return resp
}

// newInstance2 delivers a 2.0 newInstance with a fresh businessId.
func (b *bundle) newInstance2(order, line string) *kgp.Response {
	return do(b.t, b.h, b.basic(kgp.NewInstance{BusinessID: fmt.Sprintf("biz-%d", b.seq.Add(1)), OrderID: order, OrderLineID: line, TestFlag: "1"}))
}

// query asks for the given instances.
func (b *bundle) query(ids ...string) *kgp.Response {
	return do(b.t, b.h, b.basic(kgp.QueryInstance{InstanceID: strings.Join(ids, ",")}))
}

func wantCode(t *testing.T, resp *kgp.Response, code kgp.ResultCode) {
	t.Helper()
	if resp.ResultCode != code {
		t.Fatalf("resultCode %s (%s), want %s", resp.ResultCode, resp.ResultMsg, code)
	}
}

// decrypt opens an encrypted appInfo credential.
func decrypt(t *testing.T, et kgp.EncryptType, v string) string {
	t.Helper()
	plain, err := kgp.DecryptCredential(testKey, et, v)
	if err != nil {
		t.Fatalf("decrypt %q: %v", v, err)
	}
	return plain
}

// eventually polls cond, for background work that finishes on its own (not business time).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
