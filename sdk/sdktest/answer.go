package sdktest

import (
	"context"
	"errors"
	"net/http"

	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk"
)

// The SDK answers every request correctly; the knobs and faults that change what KooGallery
// sees rewrite its answer. Those that depend on the state before the request (a release of an
// unknown instance, a repeated kit add) look at it first, in snapshot.

// before is what rewrite needs to know of the state before the SDK served a request.
type before struct {
	unknown, released bool // the instance of a release
	held, missing     bool // some kit entity of the request was held, was not held
	overlapped        bool // another newInstance for the order line was in flight (RacyCreate)
}

// snapshot reads the state the faults f compare the answer with.
func (m *Merchant) snapshot(ctx context.Context, c *call, f Faults) before {
	var b before
	switch v := c.req.(type) {
	case kgp.ReleaseInstance:
		if f.ReleaseUnknownFails || f.ReleaseForgets {
			b.unknown, b.released = m.releaseState(ctx, v.InstanceID)
		}
	case kgp.LegacyReleaseInstance:
		if f.ReleaseUnknownFails || f.ReleaseForgets {
			b.unknown, b.released = m.releaseState(ctx, v.InstanceID)
		}
	case kgp.KitRequest:
		if f.KitAddRepeatFails || f.KitDeleteAbsentFails {
			_, keys := kitKeys(v)
			m.mu.Lock()
			for _, k := range keys {
				b.held, b.missing = b.held || m.kit[k], b.missing || !m.kit[k]
			}
			m.mu.Unlock()
		}
	}
	return b
}

// releaseState says whether the SDK never created an instance, or released it already.
func (m *Merchant) releaseState(ctx context.Context, id string) (unknown, released bool) {
	in, err := m.sdk.Instance(ctx, id)
	if errors.Is(err, sdk.ErrInstanceNotFound) {
		return true, false
	}
	return false, err == nil && in.Status == sdk.StatusReleased
}

// race serves a newInstance as a check-then-insert would: the check, a gap in which duplicates
// overlap, the insert. It reports whether another one for the same order line was in flight
// when this one ended.
func (m *Merchant) race(r *http.Request, c *call, serve func()) bool {
	line := c.query.Get("orderId") + "\x1f" + c.query.Get("productId") // 1.0 keys the product
	if v, ok := c.req.(kgp.NewInstance); ok {
		line = v.OrderID + "\x1f" + v.OrderLineID
	}
	m.mu.Lock()
	m.creating[line]++
	m.mu.Unlock()
	m.wait(r, raceWindow)
	serve()
	m.mu.Lock()
	defer m.mu.Unlock()
	overlapped := m.creating[line] > 1
	if m.creating[line]--; m.creating[line] == 0 {
		delete(m.creating, line)
	}
	return overlapped
}

// rewrite applies the knobs k to the SDK's answer resp to request c, and reports whether it
// changed anything.
func (m *Merchant) rewrite(c *call, resp *kgp.Response, k Knobs, b before) bool {
	f := k.Faults
	if resp.ResultCode == kgp.ResultInvalidParam && f.SkipFieldValidation && !c.kit {
		*resp = kgp.Response{ResultCode: kgp.ResultSuccess, ResultMsg: "success"}
		if c.activity == kgp.ActivityNewInstance {
			resp.InstanceID = c.businessID()
		}
		return true
	}
	if resp.ResultCode == kgp.ResultInstanceNotFound && f.ChangeAnyInstance && c.activity == kgp.ActivityChangeInstanceCheck {
		*resp = kgp.Response{ResultCode: kgp.ResultSuccess, ResultMsg: "success"}
		return true
	}
	if resp.ResultCode != kgp.ResultSuccess && resp.ResultCode != kgp.ResultProcessing {
		return false
	}
	if code, msg := refusal(c, f, b); code != "" {
		*resp = kgp.Response{ResultCode: code, ResultMsg: msg}
		return true
	}
	changed := false
	switch c.activity {
	case kgp.ActivityNewInstance:
		if f.NewIDPerDelivery || b.overlapped {
			resp.InstanceID, changed = c.businessID(), true
		}
		changed = m.pending(resp, k) || changed
	case kgp.ActivityQueryInstance:
		changed = m.polled(resp)
	}
	return m.appInfo(resp, k) || changed
}

// refusal is the failure a fault answers instead of the SDK's success, if any.
func refusal(c *call, f Faults, b before) (kgp.ResultCode, string) {
	switch v := c.req.(type) {
	case kgp.ReleaseInstance, kgp.LegacyReleaseInstance:
		switch {
		case f.ReleaseForgets && (b.unknown || b.released):
			return kgp.ResultInstanceNotFound, "instance not found"
		case f.ReleaseUnknownFails && b.unknown:
			return kgp.ResultInternalError, "no such instance"
		}
	case kgp.QueryInstance:
		if f.MaxQueryIDs > 0 && len(v.IDs()) > f.MaxQueryIDs {
			return kgp.ResultInvalidParam, "too many instanceIds"
		}
	case kgp.LegacyQueryInstance:
		if f.MaxQueryIDs > 0 && len(v.IDs()) > f.MaxQueryIDs {
			return kgp.ResultInvalidParam, "too many instanceIds"
		}
	case kgp.AuthSync:
		if f.MaxAuthSyncUsers > 0 && len(v.UserList) > f.MaxAuthSyncUsers {
			return kgp.ResultInvalidParam, "too many users"
		}
	}
	if v, ok := c.req.(kgp.KitRequest); ok {
		switch flag, _ := kitKeys(v); {
		case flag == kgp.FlagAdd && f.KitAddRepeatFails && b.held:
			return kgp.ResultInternalError, "already exists"
		case (flag == kgp.FlagDelete || flag == kgp.FlagCancel) && f.KitDeleteAbsentFails && b.missing:
			return kgp.ResultInternalError, "does not exist"
		}
	}
	return "", ""
}

// pending answers 000004 for an instance of Knobs.Async that queryInstance has not listed yet.
func (m *Merchant) pending(resp *kgp.Response, k Knobs) bool {
	id := resp.InstanceID
	if id == "" {
		return false
	}
	m.mu.Lock()
	left, tracked := m.async[id]
	if !tracked && k.Async {
		left, tracked = k.ReadyAfter, true
		m.async[id] = left
	}
	m.mu.Unlock()
	if !tracked || left < 0 {
		return false
	}
	*resp = kgp.Response{ResultCode: kgp.ResultProcessing, ResultMsg: "processing", InstanceID: id}
	return true
}

// polled leaves out of a queryInstance answer the Async instances still to be left out, and
// counts the query.
func (m *Merchant) polled(resp *kgp.Response) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	kept := resp.Info[:0]
	for _, info := range resp.Info {
		switch left, tracked := m.async[info.InstanceID]; {
		case !tracked || left < 0:
			kept = append(kept, info)
		case left == 0:
			m.async[info.InstanceID] = -1 // ready from now on
			kept = append(kept, info)
		default:
			m.async[info.InstanceID] = left - 1
		}
	}
	changed := len(kept) != len(resp.Info)
	resp.Info = kept
	return changed
}

// appInfo applies NoAppInfo, PlaintextAppInfo and AppInfoWrongKey to every appInfo of resp.
func (m *Merchant) appInfo(resp *kgp.Response, k Knobs) bool {
	all := []**kgp.AppInfo{&resp.AppInfo}
	for i := range resp.Info {
		all = append(all, &resp.Info[i].AppInfo)
	}
	changed := false
	for _, a := range all {
		if *a == nil {
			continue
		}
		switch {
		case k.NoAppInfo:
			*a = nil
		case k.PlaintextAppInfo || k.Faults.AppInfoWrongKey:
			*a = m.recrypt(**a, resp.EncryptType, k.PlaintextAppInfo)
		default:
			continue
		}
		changed = true
	}
	if changed && (k.NoAppInfo || k.PlaintextAppInfo) {
		resp.EncryptType = ""
	}
	return changed
}

// recrypt decrypts the credentials of a, then leaves them plain or encrypts them with a key
// KooGallery does not have.
func (m *Merchant) recrypt(a kgp.AppInfo, et kgp.EncryptType, plain bool) *kgp.AppInfo {
	for _, v := range []*string{&a.UserName, &a.Password} {
		if *v == "" || et == "" {
			continue
		}
		text, err := kgp.DecryptCredential(m.Key, et, *v)
		if err != nil {
			continue // not the SDK's encryption: leave it
		}
		if *v = text; !plain {
			*v, _ = kgp.EncryptCredential(m.Key+"-wrong", et, text)
		}
	}
	return &a
}
