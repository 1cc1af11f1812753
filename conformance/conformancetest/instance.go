package conformancetest

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/mercato-oss/mercato/kgp"
)

// orderKey is the idempotency key of newInstance: (orderId, orderLineId); 1.0 has no lines.
type orderKey struct{ order, line string }

type instance struct {
	id     string
	status string
	orders map[string]bool // renewal and upgrade orders applied, so that a repeat is not applied twice
}

// serveBasic answers a 2.0 call: signature, then timestamp and nonce, then fields (§3.4).
func (m *Merchant) serveBasic(r *http.Request, body []byte) *kgp.Response {
	f, q := m.cfg.Faults, r.URL.Query()
	if f.CreateBeforeAuth {
		if req, err := kgp.DecodeBasic(body); err == nil {
			if ni, ok := req.(kgp.NewInstance); ok {
				m.create(orderKey{ni.OrderID, ni.OrderLineID}, ni.BusinessID)
			}
		}
	}
	if !f.AcceptBadSignature {
		if err := kgp.VerifyBasic(m.cfg.Key, q.Get("signature"), q.Get("timestamp"), q.Get("nonce"), body); err != nil {
			return refusal(err)
		}
	}
	ts, err := kgp.ParseEpochMillis(q.Get("timestamp"))
	if err == nil {
		err = m.basic.Check(ts, q.Get("nonce"))
	}
	if err != nil {
		return refusal(err)
	}
	req, err := kgp.DecodeBasic(body)
	if err != nil {
		return m.invalid(err, body)
	}
	switch v := req.(type) {
	case kgp.NewInstance:
		id := m.create(orderKey{v.OrderID, v.OrderLineID}, v.BusinessID)
		if !m.slow(r) {
			return nil
		}
		return &kgp.Response{ResultCode: kgp.ResultSuccess, ResultMsg: "success", InstanceID: id}
	case kgp.QueryInstance:
		return m.query(v.IDs())
	case kgp.RefreshInstance:
		return m.apply(v.InstanceID, v.OrderID+"/"+v.OrderLineID, "")
	case kgp.UpdateInstanceStatus:
		return m.apply(v.InstanceID, "", v.Status)
	case kgp.ReleaseInstance:
		return m.release(v.InstanceID)
	case kgp.UpgradeInstance:
		return m.apply(v.InstanceID, v.OrderID+"/"+v.OrderLineID, "")
	case kgp.ChangeInstanceCheck:
		if m.cfg.Faults.ChangeAnyInstance {
			return result(kgp.ResultSuccess, "success")
		}
		return m.apply(v.InstanceID, "", "") // agrees to any change of an instance it has
	}
	return result(kgp.ResultSuccess, "success") // orderNotify
}

// serveLegacy answers a 1.0 GET call: authToken, then the timeStamp window, then fields.
func (m *Merchant) serveLegacy(r *http.Request) *kgp.Response {
	f, q := m.cfg.Faults, r.URL.Query()
	if !f.AcceptBadSignature {
		if err := kgp.VerifyAuthToken(m.cfg.Key, q); err != nil {
			return refusal(err)
		}
	}
	ts, err := kgp.ParseTimeStamp(q.Get("timeStamp"))
	if err == nil {
		err = m.legacy.Check(ts, q.Get("authToken"))
	}
	if err != nil {
		return refusal(err)
	}
	req, err := kgp.DecodeLegacy(q)
	if err != nil {
		return m.invalid(err, nil)
	}
	switch v := req.(type) {
	case kgp.LegacyNewInstance:
		id := m.create(orderKey{v.OrderID, ""}, v.BusinessID)
		if !m.slow(r) {
			return nil
		}
		resp := m.query([]string{id}) // 1.0 returns appInfo from newInstance (§6.1)
		if len(resp.Info) == 0 {
			return resp
		}
		resp.InstanceID, resp.AppInfo, resp.Info = id, resp.Info[0].AppInfo, nil
		return resp
	case kgp.LegacyQueryInstance:
		return m.query(v.IDs())
	case kgp.LegacyRefreshInstance:
		return m.apply(v.InstanceID, v.OrderID, "")
	case kgp.LegacyExpireInstance:
		return m.apply(v.InstanceID, "", kgp.StatusFreeze)
	case kgp.LegacyInstanceStatus:
		return m.apply(v.InstanceID, "", v.InstanceStatus)
	case kgp.LegacyReleaseInstance:
		return m.release(v.InstanceID)
	case kgp.LegacyUpgrade:
		return m.apply(v.InstanceID, v.OrderID, "")
	}
	return result(kgp.ResultSuccess, "success")
}

// invalid answers a request that failed decoding; with SkipFieldValidation a missing field is
// ignored and the request "succeeds", as merchants that bind requests without validating do.
func (m *Merchant) invalid(err error, body []byte) *kgp.Response {
	var fe *kgp.FieldError
	if !m.cfg.Faults.SkipFieldValidation || !errors.As(err, &fe) {
		return refusal(err)
	}
	var loose struct {
		BusinessID string `json:"businessId"`
	}
	json.Unmarshal(body, &loose)
	return &kgp.Response{ResultCode: kgp.ResultSuccess, ResultMsg: "success", InstanceID: loose.BusinessID}
}

// slow waits SlowNewInstance, and reports false when the caller gave up meanwhile.
func (m *Merchant) slow(r *http.Request) bool {
	d := m.cfg.Faults.SlowNewInstance
	if d == 0 {
		return true
	}
	select {
	case <-time.After(d):
		return true
	case <-r.Context().Done():
		return false
	}
}

// create returns the instance of k, creating it with the businessId of the first call as its ID
// (§4.1's recommendation). The lookup and the insert happen under one lock; that is what makes 20
// concurrent duplicates yield one instance.
func (m *Merchant) create(k orderKey, businessID string) string {
	f := m.cfg.Faults
	m.mu.Lock()
	defer m.mu.Unlock()
	if in, ok := m.byOrder[k]; ok && !f.NewIDPerRetry {
		return in.id
	}
	if f.RacyCreate { // the gap of a check-then-insert without a unique key
		m.mu.Unlock()
		time.Sleep(20 * time.Millisecond) // long enough for the duplicates to overlap on a busy machine
		m.mu.Lock()
	}
	in := &instance{id: businessID, orders: map[string]bool{}}
	m.byOrder[k], m.byID[in.id] = in, in
	return in.id
}

// query lists the known instances among ids with their credentials.
func (m *Merchant) query(ids []string) *kgp.Response {
	limit := m.cfg.Faults.MaxQueryIDs
	if limit == 0 {
		limit = kgp.MaxQueryInstances
	}
	if len(ids) > limit {
		return result(kgp.ResultInvalidParam, "too many instanceIds")
	}
	key, et := m.cfg.Key, m.cfg.EncryptType
	if m.cfg.Faults.AppInfoWrongKey {
		key += "-wrong"
	}
	resp := &kgp.Response{ResultCode: kgp.ResultSuccess, ResultMsg: "success", EncryptType: et}
	for _, id := range ids {
		m.mu.Lock()
		_, ok := m.byID[id]
		m.mu.Unlock()
		if !ok {
			continue
		}
		app := &kgp.AppInfo{FrontEndURL: "https://merchant.example.com/i/" + id, UserName: "admin", Password: "pw-" + kgp.NewIV()}
		if et != "" {
			var err error
			if app.UserName, err = kgp.EncryptCredential(key, et, app.UserName); err != nil {
				return result(kgp.ResultInternalError, err.Error())
			}
			if app.Password, err = kgp.EncryptCredential(key, et, app.Password); err != nil {
				return result(kgp.ResultInternalError, err.Error())
			}
		}
		resp.Info = append(resp.Info, kgp.InstanceInfo{InstanceID: id, AppInfo: app})
	}
	return resp
}

// apply records an order (renewal, upgrade) or a status on an instance; repeats change nothing.
func (m *Merchant) apply(id, order, status string) *kgp.Response {
	m.mu.Lock()
	defer m.mu.Unlock()
	in, ok := m.byID[id]
	if !ok {
		return result(kgp.ResultInstanceNotFound, "instance not found")
	}
	if order != "" {
		in.orders[order] = true
	}
	if status != "" {
		in.status = status
	}
	return result(kgp.ResultSuccess, "success")
}

// release marks an instance released. Releasing an unknown or released instance succeeds: a
// release may be a retry of one whose answer was lost (§4.5, §4.9).
func (m *Merchant) release(id string) *kgp.Response {
	f := m.cfg.Faults
	m.mu.Lock()
	defer m.mu.Unlock()
	in, ok := m.byID[id]
	switch {
	case !ok && f.ReleaseForgets:
		return result(kgp.ResultInstanceNotFound, "instance not found")
	case !ok && f.ReleaseUnknownFails:
		return result(kgp.ResultInternalError, "no such instance")
	case !ok:
		return result(kgp.ResultSuccess, "success")
	case f.ReleaseForgets:
		delete(m.byID, id)
	default:
		in.status = "RELEASED"
	}
	return result(kgp.ResultSuccess, "success")
}
