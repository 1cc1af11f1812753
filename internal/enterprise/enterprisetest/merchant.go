// Package enterprisetest is an independent joint-operation merchant for the marketplace's tests
// and benchmarks: the merchant SDK's handler (sdk/) serving a production URL, which verifies
// every kit call under both signature readings KooGallery merchants use — the raw bytes, and
// the body as Huawei's Java demo re-serialises it (protocol §14.2) — and records what it
// accepted.
package enterprisetest

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk"
	"github.com/mercato-oss/mercato/sdk/sqlitestore"
)

// Sync is one kit call the merchant accepted.
type Sync struct {
	Kind       string
	Generation kgp.Generation
	Flag       int // -1 for allOrgSync
	InstanceID string
	TenantID   string
	TestFlag   int
	AppID      string
	ClientID   string
	Secret     string   // applicationSync: the client secret, decrypted
	Users      []string // authSync: the users passed on
	UserList   []kgp.User
	Orgs       []kgp.OrgInfo // allOrgSync; singleOrgSync: the one department
}

// recorder is a merchant built on the SDK that records the kit calls it receives.
type recorder struct {
	sdk.Unimplemented
	priv *rsa.PrivateKey
	mu   sync.Mutex
	log  []Sync
	fail map[string]int // kind -> calls to refuse
}

func (r *recorder) add(s Sync) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail[s.Kind] > 0 {
		r.fail[s.Kind]--
		return sdk.Errorf(kgp.ResultInternalError, "scripted failure")
	}
	r.log = append(r.log, s)
	return nil
}

// NewInstance provisions at once, with a login address.
func (r *recorder) NewInstance(_ context.Context, c *sdk.NewInstanceCall) (*sdk.Provisioned, error) {
	return &sdk.Provisioned{AppInfo: &kgp.AppInfo{FrontEndURL: "https://app.example/" + c.InstanceID, UserName: "admin", Password: "secret"}}, nil
}

// TenantSync implements sdk.Merchant.
func (r *recorder) TenantSync(_ context.Context, c *sdk.TenantSyncCall) error {
	return r.add(Sync{Kind: kgp.KitTenantSync, Generation: c.Generation, Flag: c.Flag, InstanceID: c.InstanceID, TenantID: c.TenantID, TestFlag: c.TestFlag})
}

// ApplicationSync implements sdk.Merchant: the secret must decrypt with the merchant's key.
func (r *recorder) ApplicationSync(_ context.Context, c *sdk.ApplicationSyncCall) error {
	secret, err := kgp.DecryptClientSecret(r.priv, c.ClientSecret)
	if err != nil {
		return sdk.Errorf(kgp.ResultInvalidParam, "clientSecret does not decrypt: %v", err)
	}
	return r.add(Sync{Kind: kgp.KitApplicationSync, Generation: c.Generation, Flag: c.Flag, InstanceID: c.InstanceID, TenantID: c.TenantID,
		TestFlag: c.TestFlag, AppID: c.AppID, ClientID: c.ClientID, Secret: secret})
}

// AuthSync implements sdk.Merchant.
func (r *recorder) AuthSync(_ context.Context, c *sdk.AuthSyncCall) error {
	names := make([]string, len(c.UserList))
	for i, u := range c.UserList {
		names[i] = u.UserName
	}
	return r.add(Sync{Kind: kgp.KitAuthSync, Generation: c.Generation, Flag: c.Flag, InstanceID: c.InstanceID, TenantID: c.TenantID,
		TestFlag: c.TestFlag, AppID: c.AppID, Users: names, UserList: slices.Clone(c.UserList)})
}

// SingleOrgSync implements sdk.Merchant.
func (r *recorder) SingleOrgSync(_ context.Context, c *sdk.SingleOrgSyncCall) error {
	return r.add(Sync{Kind: kgp.KitSingleOrgSync, Generation: c.Generation, Flag: c.Flag, InstanceID: c.InstanceID, TenantID: c.TenantID,
		TestFlag: c.TestFlag, Orgs: []kgp.OrgInfo{{OrgCode: c.OrgCode, OrgName: c.OrgName, ParentCode: c.ParentCode}}})
}

// AllOrgSync implements sdk.Merchant.
func (r *recorder) AllOrgSync(_ context.Context, c *sdk.AllOrgSyncCall) error {
	return r.add(Sync{Kind: kgp.KitAllOrgSync, Generation: c.Generation, Flag: -1, InstanceID: c.InstanceID, TenantID: c.TenantID,
		TestFlag: c.TestFlag, Orgs: slices.Clone(c.OrgInfoList)})
}

// Merchant is a running joint-operation merchant. Every request reaches two SDK handlers: Raw
// gets it as sent, Demo gets it with its top-level keys reordered, so that its signature holds
// only under the demo's reading (which sorts the top level and re-serialises the rest). Both
// must accept it; the marketplace gets Raw's answer.
type Merchant struct {
	URL       string // the production URL to register
	Key       string
	KitKey    string
	PublicKey string // Base64 X.509 DER, to upload as the merchant's kit key
	Private   *rsa.PrivateKey

	raw, demo   *recorder
	hRaw, hDemo *sdk.Handler
	stores      []*sqlitestore.Store
	srv         *httptest.Server
	// OneReading skips the demo reading: a plain merchant, for benchmarks. Delay is added
	// before every answer, as a real merchant's work would. Set both before the first request.
	OneReading bool
	Delay      time.Duration

	mu         sync.Mutex
	mismatches []string
	// serving is held (shared) while a request runs through both handlers, so that Syncs
	// never compares the two readings halfway through one.
	serving sync.RWMutex
}

// TB is what Start needs of a test (or of a benchmark's stand-in).
type TB interface {
	TempDir() string
	Cleanup(func())
	Fatal(args ...any)
}

// Start runs a merchant whose RSA key is the repository's 3072-bit test key (rsaPEM, read by the
// caller), stopped when tb ends.
func Start(tb TB, rsaPEM []byte) *Merchant {
	m, err := start(tb.TempDir(), rsaPEM)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(m.Close)
	return m
}

// StartIn runs a merchant keeping its state in dir, outside a test; Close it when done.
func StartIn(dir string, rsaPEM []byte) (*Merchant, error) { return start(dir, rsaPEM) }

func start(dir string, rsaPEM []byte) (*Merchant, error) {
	priv, err := kgp.ParseRSAPrivateKey(string(rsaPEM))
	if err != nil {
		return nil, err
	}
	pub, err := kgp.MarshalRSAPublicKey(&priv.PublicKey)
	if err != nil {
		return nil, err
	}
	m := &Merchant{Key: "basic-key-" + strings.Repeat("k", 20), KitKey: "kit-key-" + strings.Repeat("j", 22), PublicKey: pub, Private: priv,
		raw: &recorder{priv: priv, fail: map[string]int{}}, demo: &recorder{priv: priv, fail: map[string]int{}}}
	for _, h := range []struct {
		dst *(*sdk.Handler)
		rec *recorder
		sub string
	}{{&m.hRaw, m.raw, "raw"}, {&m.hDemo, m.demo, "demo"}} {
		sub := dir + "/" + h.sub
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return nil, err
		}
		st, err := sqlitestore.Open(sub)
		if err != nil {
			m.Close()
			return nil, err
		}
		m.stores = append(m.stores, st)
		if *h.dst, err = sdk.NewHandler(sdk.Config{Key: m.Key, KitKey: m.KitKey, Store: st}, h.rec); err != nil {
			m.Close()
			return nil, err
		}
	}
	m.srv = httptest.NewServer(http.HandlerFunc(m.serve))
	m.URL = m.srv.URL + "/produce"
	return m, nil
}

// Close stops the merchant.
func (m *Merchant) Close() {
	if m.srv != nil {
		m.srv.Close()
	}
	for _, h := range []*sdk.Handler{m.hRaw, m.hDemo} {
		if h != nil {
			h.Close()
		}
	}
	for _, st := range m.stores {
		st.Close()
	}
}

func (m *Merchant) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	time.Sleep(m.Delay)
	m.serving.RLock()
	defer m.serving.RUnlock()
	raw := httptest.NewRecorder()
	m.hRaw.ServeHTTP(raw, clone(r, body))
	if _, _, kit := kgp.ParseKitPath(r.URL.Path); kit && !m.OneReading {
		reordered, err := reverseTopLevel(body)
		if err != nil {
			m.mismatch(fmt.Sprintf("%s: body is not a JSON object: %v", r.URL.Path, err))
		} else {
			demo := httptest.NewRecorder()
			m.hDemo.ServeHTTP(demo, clone(r, reordered))
			if resultCode(demo.Body.Bytes()) != resultCode(raw.Body.Bytes()) {
				m.mismatch(fmt.Sprintf("%s: raw reading answered %s, demo reading %s", r.URL.Path, raw.Body.String(), demo.Body.String()))
			}
		}
	}
	for k, v := range raw.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(raw.Code)
	w.Write(raw.Body.Bytes())
}

func resultCode(body []byte) string {
	var r struct {
		ResultCode string `json:"resultCode"`
	}
	json.Unmarshal(body, &r)
	return r.ResultCode
}

// clone gives each handler its own copy of the request. Its context does not end with the
// client's connection: both readings must finish a request the marketplace gave up on (a killed
// marketplace), or they would disagree about it.
func clone(r *http.Request, body []byte) *http.Request {
	c := r.Clone(context.WithoutCancel(r.Context()))
	c.Body, c.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	return c
}

func (m *Merchant) mismatch(s string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mismatches = append(m.mismatches, s)
}

// reverseTopLevel writes a JSON object with its top-level members in descending key order,
// their values byte for byte: the same data, another text, so that a raw-byte signature fails.
func reverseTopLevel(body []byte) ([]byte, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(members))
	for k := range members {
		keys = append(keys, k)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(keys)))
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(members[k])
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Syncs returns the kit calls accepted so far, in order, after checking that the demo reading
// accepted exactly what the raw reading did.
func (m *Merchant) Syncs() ([]Sync, error) {
	m.serving.Lock()
	defer m.serving.Unlock()
	m.mu.Lock()
	bad := slices.Clone(m.mismatches)
	m.mu.Unlock()
	if len(bad) > 0 {
		return nil, fmt.Errorf("%d kit calls failed a signature reading, first: %s", len(bad), bad[0])
	}
	m.raw.mu.Lock()
	defer m.raw.mu.Unlock()
	m.demo.mu.Lock()
	defer m.demo.mu.Unlock()
	if len(m.raw.log) != len(m.demo.log) && !m.OneReading {
		return nil, fmt.Errorf("raw reading accepted %d kit calls, demo reading %d", len(m.raw.log), len(m.demo.log))
	}
	return slices.Clone(m.raw.log), nil
}

// Fail makes the merchant refuse the next n calls of a kit interface with 000005.
func (m *Merchant) Fail(kind string, n int) {
	for _, r := range []*recorder{m.raw, m.demo} {
		r.mu.Lock()
		r.fail[kind] += n
		r.mu.Unlock()
	}
}
