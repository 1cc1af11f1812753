// Package fulfiltest is a scriptable merchant production interface for the marketplace's tests:
// it verifies KooGallery's signatures with kgp, keeps instances idempotently, and can be told to
// fail, answer asynchronously or go down.
package fulfiltest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/kgp"
)

// Merchant is a fake production interface. Its exported knobs may be changed while it runs,
// under Lock.
type Merchant struct {
	Key        string
	Generation int
	URL        string

	sync.Mutex
	// Down answers every request with HTTP 503.
	Down bool
	// Fail answers the named activities with 000005 while their count is positive, counting down.
	Fail map[kgp.Activity]int
	// Async answers newInstance with 000004; queryInstance then lists the instance only after
	// ReadyAfter queries.
	Async      bool
	ReadyAfter int
	// NoAppInfo omits appInfo from queryInstance answers (the instance never becomes ready).
	NoAppInfo bool
	// Delay is added before every answer, as a real merchant's work would.
	Delay time.Duration

	prefix    string               // makes instanceIds globally unique, as the protocol wants
	instances map[string]*Instance // by instanceId
	byLine    map[string]string    // orderId/orderLineId -> instanceId
	requests  []Request
	queries   map[string]int
}

// Instance is the merchant's view of one instance.
type Instance struct {
	ID, OrderID, LineID, ProductID, SkuCode string
	ExpireTime                              string
	Frozen, Released                        bool
	Upgrades, Renewals                      int
}

// Request is one received call.
type Request struct {
	Activity kgp.Activity
	Body     []byte // 2.0 body or 1.0 query string
	Result   kgp.ResultCode
}

// New starts a fake merchant of generation gen (1 or 2) signing with key, stopped when t ends.
func New(t testing.TB, key string, gen int) *Merchant {
	m, stop := Start(key, gen)
	t.Cleanup(stop)
	return m
}

// Start starts a fake merchant outside a test (benchmarks); call stop when done.
func Start(key string, gen int) (m *Merchant, stop func()) {
	m = &Merchant{Key: key, Generation: gen, Fail: map[kgp.Activity]int{}, prefix: strings.ToLower(market.NewSecret(6)), instances: map[string]*Instance{},
		byLine: map[string]string{}, queries: map[string]int{}}
	srv := httptest.NewServer(m)
	m.URL = srv.URL + "/saas/produce"
	return m, srv.Close
}

// Requests returns the calls received so far.
func (m *Merchant) Requests() []Request {
	m.Lock()
	defer m.Unlock()
	return append([]Request(nil), m.requests...)
}

// Count returns how many calls of an activity were received.
func (m *Merchant) Count(a kgp.Activity) int {
	n := 0
	for _, r := range m.Requests() {
		if r.Activity == a {
			n++
		}
	}
	return n
}

// Instance returns the merchant's record of an instance.
func (m *Merchant) Instance(id string) (Instance, bool) {
	m.Lock()
	defer m.Unlock()
	in, ok := m.instances[id]
	if !ok {
		return Instance{}, false
	}
	return *in, true
}

// Instances returns how many instances the merchant created.
func (m *Merchant) Instances() int {
	m.Lock()
	defer m.Unlock()
	return len(m.instances)
}

func (m *Merchant) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	m.Lock()
	down, delay := m.Down, m.Delay
	m.Unlock()
	time.Sleep(delay)
	if down {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	var resp *kgp.Response
	var activity kgp.Activity
	if m.Generation == 1 {
		q := r.URL.Query()
		activity = kgp.Activity(q.Get("activity"))
		resp = m.legacy(q)
		body = []byte(r.URL.RawQuery)
	} else {
		q := r.URL.Query()
		if err := kgp.VerifyBasic(m.Key, q.Get("signature"), q.Get("timestamp"), q.Get("nonce"), body); err != nil {
			resp = &kgp.Response{ResultCode: kgp.ResultAuthFailed, ResultMsg: err.Error()}
		} else if req, err := kgp.DecodeBasic(body); err != nil {
			resp = &kgp.Response{ResultCode: kgp.ResultInvalidParam, ResultMsg: err.Error()}
		} else {
			activity = req.Activity()
			resp = m.basic(req)
		}
	}
	m.Lock()
	m.requests = append(m.requests, Request{Activity: activity, Body: body, Result: resp.ResultCode})
	m.Unlock()
	out, err := kgp.EncodeResponse(resp)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header()[kgp.BodySignHeader] = []string{kgp.BodySign(m.Key, out)}
	w.Header().Set("Content-Type", "application/json")
	w.Write(out)
}

// failing consumes one scripted failure of activity a.
func (m *Merchant) failing(a kgp.Activity) bool {
	if m.Fail[a] > 0 {
		m.Fail[a]--
		return true
	}
	return false
}

func ok() *kgp.Response { return &kgp.Response{ResultCode: kgp.ResultSuccess, ResultMsg: "success."} }

func (m *Merchant) basic(req kgp.BasicRequest) *kgp.Response {
	m.Lock()
	defer m.Unlock()
	if m.failing(req.Activity()) {
		return &kgp.Response{ResultCode: kgp.ResultInternalError, ResultMsg: "scripted failure"}
	}
	switch r := req.(type) {
	case kgp.NewInstance:
		in := m.create(r.OrderID, r.OrderLineID, "", "")
		code := kgp.ResultSuccess
		if m.Async {
			code = kgp.ResultProcessing
		}
		return &kgp.Response{ResultCode: code, ResultMsg: "success.", InstanceID: in.ID}
	case kgp.QueryInstance:
		return m.query(r.IDs())
	case kgp.RefreshInstance:
		return m.apply(r.InstanceID, func(in *Instance) { in.ExpireTime = r.ExpireTime; in.Renewals++ })
	case kgp.UpdateInstanceStatus:
		return m.apply(r.InstanceID, func(in *Instance) { in.Frozen = r.Status == kgp.StatusFreeze })
	case kgp.ReleaseInstance:
		if _, known := m.instances[r.InstanceID]; !known {
			return ok() // release is idempotent and does not require existence
		}
		return m.apply(r.InstanceID, func(in *Instance) { in.Released = true })
	case kgp.UpgradeInstance:
		return m.apply(r.InstanceID, func(in *Instance) { in.Upgrades++ })
	}
	return ok()
}

func (m *Merchant) legacy(q map[string][]string) *kgp.Response {
	if err := kgp.VerifyAuthToken(m.Key, q); err != nil {
		return &kgp.Response{ResultCode: kgp.ResultAuthFailed, ResultMsg: err.Error()}
	}
	req, err := kgp.DecodeLegacy(q)
	if err != nil {
		return &kgp.Response{ResultCode: kgp.ResultInvalidParam, ResultMsg: err.Error()}
	}
	m.Lock()
	defer m.Unlock()
	if m.failing(req.Activity()) {
		return &kgp.Response{ResultCode: kgp.ResultInternalError, ResultMsg: "scripted failure"}
	}
	switch r := req.(type) {
	case kgp.LegacyNewInstance:
		in := m.create(r.OrderID, r.ProductID, r.ProductID, r.SkuCode)
		in.ExpireTime = r.ExpireTime
		resp := &kgp.Response{ResultCode: kgp.ResultSuccess, ResultMsg: "success", InstanceID: in.ID, EncryptType: kgp.EncryptAES256}
		resp.AppInfo = m.appInfo(in)
		return resp
	case kgp.LegacyQueryInstance:
		return m.query(r.IDs())
	case kgp.LegacyRefreshInstance:
		return m.apply(r.InstanceID, func(in *Instance) { in.ExpireTime = r.ExpireTime; in.Renewals++; in.Frozen = false })
	case kgp.LegacyExpireInstance:
		return m.apply(r.InstanceID, func(in *Instance) { in.Frozen = true })
	case kgp.LegacyInstanceStatus:
		return m.apply(r.InstanceID, func(in *Instance) { in.Frozen = r.InstanceStatus == kgp.StatusFreeze })
	case kgp.LegacyReleaseInstance:
		if _, known := m.instances[r.InstanceID]; !known {
			return ok()
		}
		return m.apply(r.InstanceID, func(in *Instance) { in.Released = true })
	case kgp.LegacyUpgrade:
		return m.apply(r.InstanceID, func(in *Instance) { in.Upgrades++; in.SkuCode = r.SkuCode })
	}
	return ok()
}

// create returns the instance of an order line, creating it the first time (idempotency key:
// orderId + orderLineId in 2.0; 1.0 has no line ID, so orderId + productId).
func (m *Merchant) create(orderID, lineKey, productID, sku string) *Instance {
	key := orderID + "/" + lineKey
	if id, ok := m.byLine[key]; ok {
		return m.instances[id]
	}
	in := &Instance{ID: fmt.Sprintf("inst-%s-%04d", m.prefix, len(m.instances)+1), OrderID: orderID, LineID: lineKey, ProductID: productID, SkuCode: sku}
	m.instances[in.ID] = in
	m.byLine[key] = in.ID
	return in
}

func (m *Merchant) apply(id string, f func(*Instance)) *kgp.Response {
	in, ok := m.instances[id]
	if !ok {
		return &kgp.Response{ResultCode: kgp.ResultInstanceNotFound, ResultMsg: "no such instance"}
	}
	f(in)
	return &kgp.Response{ResultCode: kgp.ResultSuccess, ResultMsg: "success."}
}

func (m *Merchant) appInfo(in *Instance) *kgp.AppInfo {
	user, _ := kgp.EncryptCredential(m.Key, kgp.EncryptAES256, "admin-"+in.ID)
	pass, _ := kgp.EncryptCredential(m.Key, kgp.EncryptAES256, "pw-"+in.ID)
	return &kgp.AppInfo{FrontEndURL: "https://app.example/" + in.ID, AdminURL: "https://admin.example/" + in.ID, UserName: user, Password: pass}
}

func (m *Merchant) query(ids []string) *kgp.Response {
	resp := &kgp.Response{ResultCode: kgp.ResultSuccess, ResultMsg: "success.", EncryptType: kgp.EncryptAES256}
	for _, id := range ids {
		in, ok := m.instances[id]
		if !ok {
			continue
		}
		m.queries[id]++
		if m.Async && m.queries[id] <= m.ReadyAfter {
			continue
		}
		info := kgp.InstanceInfo{InstanceID: id}
		if !m.NoAppInfo {
			info.AppInfo = m.appInfo(in)
		}
		resp.Info = append(resp.Info, info)
	}
	return resp
}

// Decode is a helper for tests: the 2.0 body of a recorded request as a generic map.
func Decode(r Request) map[string]any {
	var v map[string]any
	json.Unmarshal(r.Body, &v)
	return v
}
