package sdktest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk"
)

// call is what the Merchant reads from a request before the SDK sees it. The decoded request is
// nil when the request does not decode; the SDK then refuses it.
type call struct {
	activity kgp.Activity
	gen      kgp.Generation
	kit      bool
	body     []byte     // 2.0 and kit body
	rawQuery string     // the URL parameters as sent
	query    url.Values // the URL parameters
	req      any        // kgp.BasicRequest, kgp.LegacyRequest or kgp.KitRequest
}

// readCall classifies a request the way the SDK routes it: kit path, then GET (1.0) or POST.
func readCall(r *http.Request, body []byte) *call {
	c := &call{body: body, rawQuery: r.URL.RawQuery, query: r.URL.Query(), gen: kgp.Gen2}
	if name, gen, ok := kgp.ParseKitPath(r.URL.Path); ok {
		c.kit, c.gen, c.activity = true, gen, kgp.Activity(name)
		if req, err := kgp.DecodeKit(name, gen, body); err == nil {
			c.req = req
		}
		return c
	}
	if r.Method == http.MethodGet {
		c.gen, c.activity = kgp.Gen1, kgp.Activity(c.query.Get("activity"))
		if req, err := kgp.DecodeLegacy(c.query); err == nil {
			c.req = req
		}
		return c
	}
	var loose struct {
		Activity kgp.Activity `json:"activity"`
	}
	_ = json.Unmarshal(body, &loose) // a body that is not JSON has no activity
	c.activity = loose.Activity
	if req, err := kgp.DecodeBasic(body); err == nil {
		c.req = req
	}
	return c
}

// recorded is the form a request is recorded in: the 1.0 query string stands for its body.
func (c *call) recorded() Request {
	body := c.body
	if c.gen == kgp.Gen1 && !c.kit {
		body = []byte(c.rawQuery)
	}
	return Request{Activity: c.activity, Generation: c.gen, Kit: c.kit, Body: body}
}

// businessID is the businessId a newInstance carries, decoded or not.
func (c *call) businessID() string {
	if c.gen == kgp.Gen1 {
		return c.query.Get("businessId")
	}
	var loose struct {
		BusinessID string `json:"businessId"`
	}
	_ = json.Unmarshal(c.body, &loose)
	return loose.BusinessID
}

// ServeHTTP implements http.Handler: it records the request, applies Down and Delay, lets the
// faults rewrite the request, has the SDK answer it, and lets the knobs rewrite the answer. A
// request whose delay is cut short, by its caller or by Close, is aborted without an answer
// (http.ErrAbortHandler).
func (m *Merchant) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, sdk.DefaultMaxBodyBytes+1))
	if err != nil {
		http.Error(w, "request body unreadable", http.StatusBadRequest)
		return
	}
	c := readCall(r, body)
	i := m.record(c.recorded())
	m.mu.Lock()
	k := m.knobs // the maps are shared, and read only here, under the lock
	delay := k.delay(c.activity)
	m.mu.Unlock()
	if delay > 0 && !m.wait(r, delay) {
		panic(http.ErrAbortHandler) // no answer at all: the connection just closes
	}
	if k.Down {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		m.finish(i, http.StatusServiceUnavailable, "")
		return
	}
	f := k.Faults
	if f.CreateBeforeAuth && c.activity == kgp.ActivityNewInstance && c.req != nil {
		m.sdk.ServeHTTP(httptest.NewRecorder(), m.forged(r, c))
	}
	inner := m.resign(r, c, f)
	before := m.snapshot(r.Context(), c, f)
	rec := httptest.NewRecorder()
	if f.RacyCreate && c.activity == kgp.ActivityNewInstance {
		before.overlapped = m.race(r, c, func() { m.sdk.ServeHTTP(rec, inner) })
	} else {
		m.sdk.ServeHTTP(rec, inner)
	}
	resp, err := kgp.DecodeResponse(rec.Body.Bytes())
	if err != nil { // the SDK answers JSON; pass on whatever this is
		copyAnswer(w, rec)
		m.finish(i, rec.Code, "")
		return
	}
	changed := m.rewrite(c, resp, k, before)
	m.finish(i, rec.Code, resp.ResultCode)
	if !changed && !f.writeFaults() {
		copyAnswer(w, rec)
		return
	}
	m.write(w, rec.Code, c, resp, f)
}

// copyAnswer passes the SDK's answer on as it is.
func copyAnswer(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for name, v := range rec.Header() {
		w.Header()[name] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// writeFaults reports whether a fault changes how every answer is written.
func (f Faults) writeFaults() bool {
	return f.NoBodySign || f.LowercaseBodySign || f.WrongBodySignKey || f.NonJSON
}

// write encodes and signs a rewritten answer, as the SDK would unless a fault says otherwise.
// Body-Sign is set by direct map assignment: KooGallery matches its name case-sensitively.
func (m *Merchant) write(w http.ResponseWriter, status int, c *call, resp *kgp.Response, f Faults) {
	body, err := kgp.EncodeResponse(resp)
	if err != nil {
		body = []byte(`{"resultCode":"000005","resultMsg":"internal error"}`)
	}
	contentType := "application/json;charset=UTF-8"
	if f.NonJSON {
		body, contentType = []byte("success"), "text/plain"
	}
	key := m.Key
	if c.kit && m.KitKey != "" {
		key = m.KitKey
	}
	if f.WrongBodySignKey {
		key += "-wrong"
	}
	h := w.Header()
	h["Content-Type"] = []string{contentType}
	switch sig := kgp.BodySign(key, body); {
	case f.NoBodySign:
	case f.LowercaseBodySign:
		h["body-sign"] = []string{sig}
	default:
		h[kgp.BodySignHeader] = []string{sig}
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
