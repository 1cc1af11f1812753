package sdk

import (
	"context"
	"strconv"
	"strings"

	"github.com/mercato-oss/mercato/kgp"
)

// queryInstance answers with the login data of the instances asked for: pending ones are left out
// (KooGallery keeps polling), created ones are listed with the stored appInfo, or the merchant's
// fresher data and usage. Instances the SDK does not know are left out; when none is known the
// answer is 000003.
func (h *Handler) queryInstance(ctx context.Context, ids []string, test bool, g kgp.Generation) *kgp.Response {
	found, err := h.store.Instances(ctx, ids...)
	if err != nil {
		return h.storeFailed(err)
	}
	if len(ids) > 0 && len(found) == 0 {
		return failure(kgp.ResultInstanceNotFound, "instance not found")
	}
	call := &QueryInstanceCall{TestFlag: test, Generation: g}
	seen := map[string]bool{}
	var order []*Instance
	for _, id := range ids {
		in := found[id]
		if in == nil || seen[id] {
			continue
		}
		seen[id] = true
		order = append(order, in)
		if in.Provision == ProvisionReady && in.Status != StatusReleased {
			call.Instances = append(call.Instances, h.opened(in))
		}
	}
	extra := map[string]kgp.InstanceInfo{}
	if len(call.Instances) > 0 {
		var infos []kgp.InstanceInfo
		err := h.call("queryInstance", func() (err error) {
			infos, err = h.m.QueryInstance(ctx, call)
			return err
		})
		if err != nil {
			return answer(err)
		}
		for _, info := range infos {
			extra[info.InstanceID] = info
		}
	}
	resp := success()
	for _, in := range order {
		info := kgp.InstanceInfo{InstanceID: in.ID}
		switch {
		case in.Provision == ProvisionFailed:
			h.retryInBackground(ctx, in)
			continue // not ready: KooGallery keeps polling
		case in.Provision != ProvisionReady:
			continue
		case in.Status == StatusReleased:
		default:
			info.AppInfo, _ = h.present(in.AppInfo, in.EncryptType)
			if x, ok := extra[in.ID]; ok {
				info.UsageInfo = x.UsageInfo
				if x.AppInfo != nil {
					sealed, err := h.seal(x.AppInfo)
					if err != nil {
						h.log.Error("merchant queryInstance appInfo rejected", "instance", in.ID, "err", err)
						return failure(kgp.ResultInternalError, "internal error")
					}
					info.AppInfo = sealed
				}
			}
		}
		if info.AppInfo != nil {
			resp.EncryptType = h.cfg.EncryptType
		}
		resp.Info = append(resp.Info, info)
	}
	return resp
}

// lookup finds an instance that may still change: not released.
func (h *Handler) lookup(ctx context.Context, id string) (*Instance, *kgp.Response) {
	found, err := h.store.Instances(ctx, id)
	if err != nil {
		return nil, h.storeFailed(err)
	}
	in := found[id]
	if in == nil || in.Status == StatusReleased {
		return nil, failure(kgp.ResultInstanceNotFound, "instance not found")
	}
	return h.opened(in), nil
}

// once performs an operation at most once per key: a repeat of a done operation is answered
// with success without calling the merchant, a concurrent duplicate with 000005 (KooGallery
// retries it, and by then the first has finished). A failed operation is forgotten, so that
// its redelivery performs it.
func (h *Handler) once(ctx context.Context, activity, key string, change InstanceChange, fn func() error) *kgp.Response {
	state, err := h.store.ClaimOp(ctx, key, change.InstanceID)
	if err != nil {
		return h.storeFailed(err)
	}
	switch state {
	case OpDone:
		return success()
	case OpRunning:
		return failure(kgp.ResultInternalError, "the same request is being processed; retry later")
	}
	if err := h.call(activity, fn); err != nil {
		if aerr := h.store.AbandonOp(context.WithoutCancel(ctx), key); aerr != nil {
			h.log.Error("operation claim not released", "key", key, "err", aerr)
		}
		return answer(err)
	}
	if err := h.store.FinishOp(context.WithoutCancel(ctx), key, change); err != nil {
		_ = h.store.AbandonOp(context.WithoutCancel(ctx), key)
		return h.storeFailed(err)
	}
	return success()
}

func opKey(parts ...string) string { return strings.Join(parts, "\x1f") }

func (h *Handler) refresh(ctx context.Context, id, expire string, call *RefreshInstanceCall) *kgp.Response {
	in, resp := h.lookup(ctx, id)
	if resp != nil {
		return resp
	}
	at, err := kgp.ParseExpireTime(expire)
	if err != nil {
		return h.invalid(&kgp.FieldError{Field: "expireTime", Problem: "not yyyyMMddHHmmss"})
	}
	call.Instance, call.ExpireTime = in, at
	key := opKey("refresh", in.ID, call.OrderID, call.OrderLineID, call.Scene)
	change := InstanceChange{InstanceID: in.ID, ExpireTime: kgp.FormatExpireTime(at), ProductID: call.ProductID}
	return h.once(ctx, "refreshInstance", key, change, func() error { return h.m.RefreshInstance(ctx, call) })
}

func (h *Handler) setStatus(ctx context.Context, id string, call *UpdateInstanceStatusCall) *kgp.Response {
	in, resp := h.lookup(ctx, id)
	if resp != nil {
		return resp
	}
	target := StatusActive
	if call.Status == kgp.StatusFreeze {
		target = StatusFrozen
	}
	if in.Status == target {
		return success()
	}
	call.Instance = in
	key := opKey("status", in.ID, string(target), strconv.FormatInt(in.Version, 10))
	change := InstanceChange{InstanceID: in.ID, Status: target}
	return h.once(ctx, "updateInstanceStatus", key, change, func() error { return h.m.UpdateInstanceStatus(ctx, call) })
}

// release releases an instance once. Releasing an unknown or released instance succeeds with
// no side effect: KooGallery may repeat a release, and one it sends for an instance this
// merchant never created has nothing left to do.
func (h *Handler) release(ctx context.Context, id string, call *ReleaseInstanceCall) *kgp.Response {
	found, err := h.store.Instances(ctx, id)
	if err != nil {
		return h.storeFailed(err)
	}
	in := found[id]
	if in == nil || in.Status == StatusReleased {
		return success()
	}
	call.Instance = h.opened(in)
	change := InstanceChange{InstanceID: in.ID, Status: StatusReleased}
	return h.once(ctx, "releaseInstance", opKey("release", in.ID), change, func() error { return h.m.ReleaseInstance(ctx, call) })
}

func (h *Handler) upgrade(ctx context.Context, id string, call *UpgradeInstanceCall) *kgp.Response {
	in, resp := h.lookup(ctx, id)
	if resp != nil {
		return resp
	}
	call.Instance = in
	key := opKey("upgrade", in.ID, call.OrderID, call.OrderLineID)
	change := InstanceChange{InstanceID: in.ID}
	if call.Legacy != nil {
		key = opKey("upgrade", in.ID, call.OrderID, call.Legacy.SkuCode, call.Legacy.ProductID)
		change.ProductID = call.Legacy.ProductID
	}
	return h.once(ctx, "upgradeInstance", key, change, func() error { return h.m.UpgradeInstance(ctx, call) })
}

func (h *Handler) changeCheck(ctx context.Context, id string, call *ChangeInstanceCheckCall) *kgp.Response {
	in, resp := h.lookup(ctx, id)
	if resp != nil {
		return resp
	}
	call.Instance = in
	return answer(h.call("changeInstanceCheck", func() error { return h.m.ChangeInstanceCheck(ctx, call) }))
}
