package sdk

import (
	"net/http"
	"strings"

	"github.com/mercato-oss/mercato/kgp"
)

// serveBasic answers a 2.0 basic-interface POST.
func (h *Handler) serveBasic(r *http.Request, body []byte) *kgp.Response {
	if err := h.authBasic(r.URL.Query(), body); err != nil {
		return h.deny("v2", err)
	}
	req, err := kgp.DecodeBasic(body)
	if err != nil {
		return h.invalid(err)
	}
	ctx := r.Context()
	g := kgp.Gen2
	switch v := req.(type) {
	case kgp.NewInstance:
		return h.newInstance(ctx, &NewInstanceCall{OrderID: v.OrderID, OrderLineID: v.OrderLineID,
			BusinessID: v.BusinessID, TestFlag: isTest(v.TestFlag), Generation: g})
	case kgp.QueryInstance:
		return h.queryInstance(ctx, v.IDs(), isTest(v.TestFlag), g)
	case kgp.RefreshInstance:
		return h.refresh(ctx, v.InstanceID, v.ExpireTime, &RefreshInstanceCall{OrderID: v.OrderID,
			OrderLineID: v.OrderLineID, ProductID: v.ProductID, Scene: v.Scene, TestFlag: isTest(v.TestFlag), Generation: g})
	case kgp.UpdateInstanceStatus:
		return h.setStatus(ctx, v.InstanceID, &UpdateInstanceStatusCall{Status: v.Status, TestFlag: isTest(v.TestFlag), Generation: g})
	case kgp.ReleaseInstance:
		return h.release(ctx, v.InstanceID, &ReleaseInstanceCall{OrderID: v.OrderID, OrderLineID: v.OrderLineID,
			TestFlag: isTest(v.TestFlag), Generation: g})
	case kgp.UpgradeInstance:
		return h.upgrade(ctx, v.InstanceID, &UpgradeInstanceCall{OrderID: v.OrderID, OrderLineID: v.OrderLineID,
			TestFlag: isTest(v.TestFlag), Generation: g})
	case kgp.ChangeInstanceCheck:
		return h.changeCheck(ctx, v.InstanceID, &ChangeInstanceCheckCall{Product: *v.ProductInfo, TestFlag: isTest(v.TestFlag)})
	case kgp.OrderNotify:
		call := &OrderNotifyCall{OrderID: v.OrderID, OrderLineID: v.OrderLineID, TestFlag: isTest(v.TestFlag)}
		return answer(h.call("orderNotify", func() error { return h.m.OrderNotify(ctx, call) }))
	}
	return h.invalid(kgp.ErrUnknownActivity)
}

// serveLegacy answers a 1.0 GET call, mapping it onto the 2.0 calls: expireInstance and
// instanceStatus become status changes, trialToFormal and a negative orderAmount become the
// refresh scenes 2.0 names.
func (h *Handler) serveLegacy(r *http.Request) *kgp.Response {
	q := r.URL.Query()
	if err := h.authLegacy(q); err != nil {
		return h.deny("v1", err)
	}
	req, err := kgp.DecodeLegacy(q)
	if err != nil {
		return h.invalid(err)
	}
	ctx := r.Context()
	g := kgp.Gen1
	switch v := req.(type) {
	case kgp.LegacyNewInstance:
		return h.newInstance(ctx, &NewInstanceCall{OrderID: v.OrderID, BusinessID: v.BusinessID, ProductID: v.ProductID,
			ChargingMode: legacyCharging(v.ChargingMode), TestFlag: isTest(v.TestFlag), Generation: g, Legacy: &v})
	case kgp.LegacyQueryInstance:
		return h.queryInstance(ctx, v.IDs(), isTest(v.TestFlag), g)
	case kgp.LegacyRefreshInstance:
		scene := kgp.SceneRenewal
		if v.TrialToFormal == "1" {
			scene = kgp.SceneTrialToFormal
		} else if strings.HasPrefix(strings.TrimSpace(v.OrderAmount), "-") {
			scene = kgp.SceneUnsubscribeRenewalPeriod
		}
		return h.refresh(ctx, v.InstanceID, v.ExpireTime, &RefreshInstanceCall{OrderID: v.OrderID, ProductID: v.ProductID,
			Scene: scene, TestFlag: isTest(v.TestFlag), Generation: g, Legacy: &v})
	case kgp.LegacyExpireInstance:
		return h.setStatus(ctx, v.InstanceID, &UpdateInstanceStatusCall{Status: kgp.StatusFreeze, Expired: true,
			TestFlag: isTest(v.TestFlag), Generation: g})
	case kgp.LegacyInstanceStatus:
		status := kgp.StatusFreeze
		if v.InstanceStatus == kgp.StatusNormal {
			status = kgp.StatusUnfreeze
		}
		return h.setStatus(ctx, v.InstanceID, &UpdateInstanceStatusCall{Status: status, TestFlag: isTest(v.TestFlag), Generation: g})
	case kgp.LegacyReleaseInstance:
		return h.release(ctx, v.InstanceID, &ReleaseInstanceCall{OrderID: v.OrderID, TestFlag: isTest(v.TestFlag), Generation: g})
	case kgp.LegacyUpgrade:
		return h.upgrade(ctx, v.InstanceID, &UpgradeInstanceCall{OrderID: v.OrderID, TestFlag: isTest(v.TestFlag),
			Generation: g, Legacy: &v})
	}
	return h.invalid(kgp.ErrUnknownActivity)
}

// serveKit answers a kit sync POST of either generation.
func (h *Handler) serveKit(r *http.Request, name string, gen kgp.Generation, body []byte) *kgp.Response {
	scheme := "kit-v2"
	if gen == kgp.Gen1 {
		scheme = "kit-v1"
	}
	if err := h.authKit(r.Header.Get, gen, body); err != nil {
		return h.deny(scheme, err)
	}
	req, err := kgp.DecodeKit(name, gen, body)
	if err != nil {
		return h.invalid(err)
	}
	return h.kit(r.Context(), req, gen)
}

func isTest(flag string) bool { return flag == kgp.TestFlagDebug }

// legacyCharging maps the 1.0 numeric chargingMode; only 1 (period) and 3 (one-time) are
// documented (§12.18), anything else is left unknown.
func legacyCharging(mode int) kgp.ChargingMode {
	switch mode {
	case 1:
		return kgp.ChargingPeriod
	case 3:
		return kgp.ChargingOneTime
	}
	return ""
}
