package sdk_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk"
	"github.com/mercato-oss/mercato/sdk/sqlitestore"
)

func TestNewInstanceIsIdempotent(t *testing.T) {
	t.Parallel()
	for _, et := range []kgp.EncryptType{kgp.EncryptAES256, kgp.EncryptAES128} {
		t.Run("encryptType="+string(et), func(t *testing.T) {
			t.Parallel()
			b := setup(t, func(c *sdk.Config, _ *fakeMerchant) { c.EncryptType = et })
			first := b.newInstance2("CS1", "CS1-000001")
			wantCode(t, first, kgp.ResultSuccess)
			if first.InstanceID == "" || first.AppInfo != nil {
				t.Fatalf("2.0 newInstance answer %+v: want an instanceId and no appInfo", first)
			}
			again := b.newInstance2("CS1", "CS1-000001")
			wantCode(t, again, kgp.ResultSuccess)
			if again.InstanceID != first.InstanceID {
				t.Fatalf("repeat gave %s, first %s", again.InstanceID, first.InstanceID)
			}
			other := b.newInstance2("CS1", "CS1-000002")
			if other.InstanceID == first.InstanceID {
				t.Fatal("another order line got the same instance")
			}
			if n := b.m.count("newInstance"); n != 2 {
				t.Fatalf("merchant NewInstance called %d times, want 2", n)
			}
			q := b.query(first.InstanceID, "unknown-id", other.InstanceID)
			wantCode(t, q, kgp.ResultSuccess)
			if q.EncryptType != et || len(q.Info) != 2 || q.Info[0].InstanceID != first.InstanceID {
				t.Fatalf("queryInstance answer %+v", q)
			}
			app := q.Info[0].AppInfo
			if decrypt(t, et, app.UserName) != "admin" || decrypt(t, et, app.Password) != "s3cret-"+first.InstanceID[:8] {
				t.Fatalf("appInfo credentials do not decrypt to what the merchant returned: %+v", app)
			}
			if len(app.UserName) > kgp.MaxCredentialLen || app.FrontEndURL != "https://app.example.com/"+first.InstanceID {
				t.Fatalf("appInfo %+v", app)
			}
		})
	}
}

func TestConcurrentDuplicatesCreateOnce(t *testing.T) {
	t.Parallel()
	for _, g := range []kgp.Generation{kgp.Gen2, kgp.Gen1} {
		t.Run(fmt.Sprintf("gen%d", g), func(t *testing.T) {
			t.Parallel()
			release := make(chan struct{})
			b := setup(t, func(_ *sdk.Config, m *fakeMerchant) {
				m.provision = func(ctx context.Context, call *sdk.NewInstanceCall) (*sdk.Provisioned, error) {
					<-release // hold the first create open while the duplicates arrive
					return &sdk.Provisioned{AppInfo: &kgp.AppInfo{FrontEndURL: "https://x.example.com/"}}, nil
				}
			})
			const n = 20
			ids := make([]string, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Go(func() {
					<-start
					var resp *kgp.Response
					if g == kgp.Gen2 {
						resp = b.newInstance2("CSDUP", "CSDUP-000001")
					} else {
						resp = do(t, b.h, b.legacy(kgp.LegacyNewInstance{CustomerID: "c1", BusinessID: fmt.Sprintf("b%d", i),
							OrderID: "CSDUP", SkuCode: "sku", ProductID: "OFFI1"}))
					}
					if resp.ResultCode != kgp.ResultSuccess && resp.ResultCode != kgp.ResultProcessing {
						t.Errorf("duplicate %d: %s %s", i, resp.ResultCode, resp.ResultMsg)
					}
					ids[i] = resp.InstanceID
				})
			}
			close(start)
			time.AfterFunc(50*time.Millisecond, func() { close(release) })
			wg.Wait()
			for i, id := range ids {
				if id == "" || id != ids[0] {
					t.Fatalf("duplicate %d got instance %q, first %q", i, id, ids[0])
				}
			}
			if c := b.m.count("newInstance"); c != 1 {
				t.Fatalf("merchant NewInstance called %d times for 20 duplicates, want 1", c)
			}
		})
	}
}

func TestSlowProvisioningAnswersProcessing(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	b := setup(t, func(c *sdk.Config, m *fakeMerchant) {
		c.ProvisionBudget = 20 * time.Millisecond
		m.provision = func(ctx context.Context, call *sdk.NewInstanceCall) (*sdk.Provisioned, error) {
			<-release
			return &sdk.Provisioned{AppInfo: &kgp.AppInfo{FrontEndURL: "https://slow.example.com/", Password: "pw"}}, nil
		}
	})
	first := b.newInstance2("CSSLOW", "CSSLOW-000001")
	wantCode(t, first, kgp.ResultProcessing)
	if first.InstanceID == "" {
		t.Fatal("000004 without an instanceId")
	}
	dup := b.newInstance2("CSSLOW", "CSSLOW-000001")
	wantCode(t, dup, kgp.ResultProcessing)
	if dup.InstanceID != first.InstanceID {
		t.Fatalf("duplicate during provisioning got %s, want %s", dup.InstanceID, first.InstanceID)
	}
	q := b.query(first.InstanceID)
	wantCode(t, q, kgp.ResultSuccess)
	if len(q.Info) != 0 {
		close(release)
		t.Fatalf("pending instance answered %+v, want it left out until it is ready", q.Info)
	}
	close(release)
	eventually(t, "appInfo after provisioning", func() bool {
		q := b.query(first.InstanceID)
		return len(q.Info) == 1 && q.Info[0].AppInfo != nil
	})
	if c := b.m.count("newInstance"); c != 1 {
		t.Fatalf("NewInstance called %d times", c)
	}
}

// A process dies (here: closes) in the middle of an asynchronous provisioning; the next one on
// the same state directory finishes it under the same instance ID.
func TestRestartResumesProvisioning(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	started := make(chan struct{})
	slow := newFake()
	slow.provision = func(ctx context.Context, call *sdk.NewInstanceCall) (*sdk.Provisioned, error) {
		close(started)
		<-ctx.Done() // never finishes before the process goes away
		return nil, ctx.Err()
	}
	store1, err := sqlitestore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := sdk.Config{Key: testKey, Store: store1, Now: func() time.Time { return t0 }, ProvisionBudget: 10 * time.Millisecond}
	h1, err := sdk.NewHandler(cfg, slow)
	if err != nil {
		t.Fatal(err)
	}
	b := &bundle{t: t, h: h1, m: slow}
	first := b.newInstance2("CSRESTART", "CSRESTART-000001")
	wantCode(t, first, kgp.ResultProcessing)
	<-started
	if err := errors.Join(h1.Close(), store1.Close()); err != nil {
		t.Fatal(err)
	}

	fast := newFake()
	resumed := make(chan *sdk.NewInstanceCall, 1)
	fast.provision = func(ctx context.Context, call *sdk.NewInstanceCall) (*sdk.Provisioned, error) {
		resumed <- call
		return &sdk.Provisioned{AppInfo: &kgp.AppInfo{FrontEndURL: "https://resumed.example.com/", UserName: "u1"}}, nil
	}
	cfg.Store = openStore(t, dir) // the process restarts: the store is opened anew
	h2, err := sdk.NewHandler(cfg, fast)
	if err != nil {
		t.Fatal(err)
	}
	defer h2.Close()
	call := <-resumed
	if call.InstanceID != first.InstanceID || call.OrderID != "CSRESTART" || call.OrderLineID != "CSRESTART-000001" || call.Attempt != 2 {
		t.Fatalf("resumed call %+v, want instance %s attempt 2", call, first.InstanceID)
	}
	b2 := &bundle{t: t, h: h2, m: fast}
	b2.seq.Store(100)
	eventually(t, "resumed provisioning", func() bool {
		q := b2.query(first.InstanceID)
		return len(q.Info) == 1 && q.Info[0].AppInfo != nil && decrypt(t, kgp.EncryptAES256, q.Info[0].AppInfo.UserName) == "u1"
	})
	again := b2.newInstance2("CSRESTART", "CSRESTART-000001")
	wantCode(t, again, kgp.ResultSuccess)
	if again.InstanceID != first.InstanceID || fast.count("newInstance") != 1 {
		t.Fatalf("after restart: %s (want %s), %d creates", again.InstanceID, first.InstanceID, fast.count("newInstance"))
	}
}

func TestProvisioningFailures(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("p", 200)
	cases := []struct {
		name string
		err  error
		app  *kgp.AppInfo
		want kgp.ResultCode
	}{
		{"typed refusal", sdk.Errorf(kgp.ResultSoldOut, "no seats left"), nil, kgp.ResultSoldOut},
		{"plain error", errors.New("database down"), nil, kgp.ResultInternalError},
		{"credential too long once encrypted", nil, &kgp.AppInfo{FrontEndURL: "https://x/", Password: long}, kgp.ResultInternalError},
		{"panic", errors.New("panic"), nil, kgp.ResultInternalError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, func(_ *sdk.Config, m *fakeMerchant) {
				m.provision = func(_ context.Context, call *sdk.NewInstanceCall) (*sdk.Provisioned, error) {
					if call.Attempt > 1 { // the redelivery succeeds
						return &sdk.Provisioned{AppInfo: &kgp.AppInfo{FrontEndURL: "https://ok/"}}, nil
					}
					if tc.name == "panic" {
						panic("merchant bug")
					}
					return &sdk.Provisioned{AppInfo: tc.app}, tc.err
				}
			})
			resp := b.newInstance2("CSFAIL", "CSFAIL-000001")
			wantCode(t, resp, tc.want)
			if strings.Contains(resp.ResultMsg, "database") || strings.Contains(resp.ResultMsg, long) {
				t.Fatalf("internal detail leaked: %q", resp.ResultMsg)
			}
			retry := b.newInstance2("CSFAIL", "CSFAIL-000001")
			wantCode(t, retry, kgp.ResultSuccess)
			if retry.InstanceID == "" || b.m.count("newInstance") != 2 {
				t.Fatalf("retry %+v after %d calls", retry, b.m.count("newInstance"))
			}
			in, err := b.h.Instance(t.Context(), retry.InstanceID)
			if err != nil || in.Attempt != 2 || in.Provision != sdk.ProvisionReady {
				t.Fatalf("instance %+v, %v", in, err)
			}
		})
	}
}

// fakeOrders answers QueryOrder with one line of the given charging mode.
type fakeOrders struct {
	mode    kgp.ChargingMode
	product string
	mu      sync.Mutex
	calls   int
}

func (o *fakeOrders) QueryOrder(_ context.Context, orderID, lineID string) (*kgp.OrderInfo, error) {
	o.mu.Lock()
	o.calls++
	o.mu.Unlock()
	if strings.HasSuffix(lineID, "-fresh") { // a line the order query does not list
		lineID = orderID + "-000001"
	}
	return &kgp.OrderInfo{OrderID: orderID, OrderType: kgp.OrderNew, OrderLine: []kgp.OrderLine{{OrderLineID: lineID,
		ChargingMode: o.mode, ProductInfo: []kgp.ProductInfo{{ProductID: o.product, SkuCode: "sku-1"}}}}}, nil
}

func TestPayPerUseKeyedByProduct(t *testing.T) {
	t.Parallel()
	cases := []struct {
		mode kgp.ChargingMode
		same bool
	}{{kgp.ChargingOnDemand, true}, {kgp.ChargingPeriod, false}}
	for _, tc := range cases {
		t.Run(string(tc.mode), func(t *testing.T) {
			t.Parallel()
			orders := &fakeOrders{mode: tc.mode, product: "OFFI-PPU"}
			b := setup(t, func(c *sdk.Config, _ *fakeMerchant) { c.Orders = orders })
			a := b.newInstance2("CSPPU", "CSPPU-000001")
			c := b.newInstance2("CSPPU", "CSPPU-000002")
			wantCode(t, a, kgp.ResultSuccess)
			if (a.InstanceID == c.InstanceID) != tc.same {
				t.Fatalf("two lines of one product: %s and %s, same=%v wanted", a.InstanceID, c.InstanceID, tc.same)
			}
			b.newInstance2("CSPPU", "CSPPU-000001") // known line: answered without the open API
			if orders.calls != 2 {
				t.Fatalf("%d order queries, want 2", orders.calls)
			}
			call := b.m.lastCall("newInstance").(*sdk.NewInstanceCall)
			if call.Order == nil || call.Line == nil || call.ProductID != "OFFI-PPU" || call.ChargingMode != tc.mode {
				t.Fatalf("merchant did not get the order: %+v", call)
			}
			fresh := b.newInstance2("CSPPU", "CSPPU-fresh") // unknown to the order query: keyed by the line
			wantCode(t, fresh, kgp.ResultSuccess)
			if fresh.InstanceID == a.InstanceID || fresh.InstanceID == c.InstanceID {
				t.Fatal("a line missing from the order shared another line's instance")
			}
		})
	}
}

// Credentials are stored sealed under the encryptType of their day; a product switched to
// another type answers with them re-encrypted.
func TestEncryptTypeChange(t *testing.T) {
	t.Parallel()
	store := openStore(t, t.TempDir())
	open := func(et kgp.EncryptType) *bundle {
		h, err := sdk.NewHandler(sdk.Config{Key: testKey, Store: store, EncryptType: et, Now: func() time.Time { return t0 }}, newFake())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Close() })
		b := &bundle{t: t, h: h}
		b.seq.Store(int64(len(et)) * 1000 * int64(et[0]))
		return b
	}
	b1 := open(kgp.EncryptAES256)
	id := b1.newInstance2("CSENC", "CSENC-000001").InstanceID
	b1.h.Close()
	b2 := open(kgp.EncryptAES128)
	q := b2.query(id)
	if q.EncryptType != kgp.EncryptAES128 || decrypt(t, kgp.EncryptAES128, q.Info[0].AppInfo.UserName) != "admin" {
		t.Fatalf("after the switch: %+v", q)
	}
}
