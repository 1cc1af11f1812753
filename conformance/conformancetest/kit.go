package conformancetest

import (
	"net/http"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/kgp"
)

// serveKit answers a kit call: x-sign (v2) or the authToken header (v1), the timestamp window,
// then fields (§3.3, §3.5, §5).
func (m *Merchant) serveKit(r *http.Request, name string, gen kgp.Generation, body []byte) *kgp.Response {
	key, h, check := m.cfg.KitKey, r.Header, !m.cfg.Faults.KitAcceptBadSignature
	if gen == kgp.Gen2 {
		if err := kgp.VerifyKit(key, h.Get("x-sign"), h.Get("x-timestamp"), h.Get("x-nonce"), body); err != nil && check {
			return refusal(err)
		}
		ts, err := kgp.ParseEpochMillis(h.Get("x-timestamp"))
		if err == nil {
			err = m.kit.Check(ts, h.Get("x-nonce"))
		}
		if err != nil {
			return refusal(err)
		}
	} else {
		if err := kgp.VerifyKitV1AuthToken(key, h.Get("authToken"), body); err != nil && check {
			return refusal(err)
		}
		_, stamp, err := kgp.KitV1Message(body) // kit v1 carries its time in the body
		var t time.Time
		if err == nil {
			t, err = kgp.ParseKitTimeStamp(stamp)
		}
		if err == nil {
			err = m.kitV1.Check(t, h.Get("authToken"))
		}
		if err != nil {
			return refusal(err)
		}
	}
	req, err := kgp.DecodeKit(name, gen, body)
	if err != nil {
		return refusal(err)
	}
	code := m.applyKit(req)
	return result(code, code.Meaning())
}

// applyKit keeps the kit data as a set of keys: tenant, application, department and user, each
// scoped by its tenant (and application), as the idempotency keys of §5 are.
func (m *Merchant) applyKit(req kgp.KitRequest) kgp.ResultCode {
	switch v := req.(type) {
	case kgp.TenantSync:
		return m.kitSet(v.Flag, "tenant/"+v.TenantID)
	case kgp.ApplicationSync:
		if m.cfg.ClientKey != nil {
			if _, err := kgp.DecryptClientSecret(m.cfg.ClientKey, v.ClientSecret); err != nil {
				return kgp.ResultInvalidParam
			}
		}
		return m.kitSet(v.Flag, "app/"+v.TenantID+"/"+v.AppID)
	case kgp.AuthSync:
		if limit := m.cfg.Faults.MaxAuthSyncUsers; limit > 0 && len(v.UserList) > limit {
			return kgp.ResultInvalidParam
		}
		keys := make([]string, len(v.UserList))
		for i, u := range v.UserList {
			keys[i] = "user/" + v.TenantID + "/" + v.AppID + "/" + u.UserName
		}
		return m.kitSet(v.Flag, keys...)
	case kgp.SingleOrgSync:
		return m.kitSet(v.Flag, "org/"+v.TenantID+"/"+v.OrgCode)
	case kgp.AllOrgSync:
		m.mu.Lock()
		for k := range m.kitData {
			if strings.HasPrefix(k, "org/"+v.TenantID+"/") {
				delete(m.kitData, k)
			}
		}
		for _, o := range v.OrgInfoList {
			m.kitData["org/"+v.TenantID+"/"+o.OrgCode] = true
		}
		m.mu.Unlock()
	}
	return kgp.ResultSuccess
}

// kitSet adds, modifies or deletes keys. A repeated add creates nothing new and a delete of
// absent data succeeds (§5), unless a fault says otherwise.
func (m *Merchant) kitSet(flag int, keys ...string) kgp.ResultCode {
	f := m.cfg.Faults
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		switch flag {
		case kgp.FlagAdd:
			if m.kitData[k] && f.KitAddRepeatFails {
				return kgp.ResultInternalError
			}
			m.kitData[k] = true
		case kgp.FlagModify:
			m.kitData[k] = true
		case kgp.FlagDelete, kgp.FlagCancel:
			if !m.kitData[k] && f.KitDeleteAbsentFails {
				return kgp.ResultInternalError
			}
			delete(m.kitData, k)
		}
	}
	return kgp.ResultSuccess
}
