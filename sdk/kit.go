package sdk

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"

	"github.com/mercato-oss/mercato/kgp"
)

// Kit syncs are made idempotent by remembering, per entity, a hash of the state the merchant
// last accepted: a sync that would not change it (a repeated add, a repeated delete) is
// answered with success without reaching the merchant. The entity keys are the documented
// idempotency keys: instance + tenant (+ app, + userName | + orgCode).

const stateDeleted = "deleted"

// kitState is the state hash of an entity: "deleted", or a hash of its content.
func kitState(deleted bool, content any) string {
	if deleted {
		return stateDeleted
	}
	b, _ := json.Marshal(content)
	sum := sha256.Sum256(b)
	return base64.RawStdEncoding.EncodeToString(sum[:])
}

// kit dispatches a verified kit sync.
func (h *Handler) kit(ctx context.Context, req kgp.KitRequest, g kgp.Generation) *kgp.Response {
	switch v := req.(type) {
	case kgp.TenantSync:
		del := v.Flag == kgp.FlagDelete
		states := map[string]string{opKey(v.InstanceID, v.TenantID): kitState(del, []string{v.TenantCode, v.Name, v.DomainName})}
		return h.kitSync(ctx, kgp.KitTenantSync, states, del, func([]string) error {
			return h.m.TenantSync(ctx, &TenantSyncCall{TenantSync: v, Generation: g})
		})
	case kgp.ApplicationSync:
		del := v.Flag == kgp.FlagDelete
		states := map[string]string{opKey(v.InstanceID, v.TenantID, v.AppID): kitState(del, []string{v.ClientID, v.ClientSecret})}
		return h.kitSync(ctx, kgp.KitApplicationSync, states, del, func([]string) error {
			return h.m.ApplicationSync(ctx, &ApplicationSyncCall{ApplicationSync: v, Generation: g})
		})
	case kgp.SingleOrgSync:
		del := v.Flag == kgp.FlagDelete
		states := map[string]string{opKey(v.InstanceID, v.TenantID, v.OrgCode): kitState(del, []string{v.OrgName, v.ParentCode})}
		return h.kitSync(ctx, kgp.KitSingleOrgSync, states, del, func([]string) error {
			return h.m.SingleOrgSync(ctx, &SingleOrgSyncCall{SingleOrgSync: v, Generation: g})
		})
	case kgp.AllOrgSync:
		orgs := slices.Clone(v.OrgInfoList)
		slices.SortFunc(orgs, func(a, b kgp.OrgInfo) int { return cmp.Compare(a.OrgCode, b.OrgCode) })
		states := map[string]string{opKey(v.InstanceID, v.TenantID): kitState(false, orgs)}
		return h.kitSync(ctx, kgp.KitAllOrgSync, states, false, func([]string) error {
			return h.m.AllOrgSync(ctx, &AllOrgSyncCall{AllOrgSync: v, Generation: g})
		})
	case kgp.AuthSync:
		return h.authSync(ctx, v, g)
	}
	return h.invalid(errors.New("sdk: unknown kit interface"))
}

// authSync passes on only the users whose state changes; a sync in which none changes is
// answered without a call.
func (h *Handler) authSync(ctx context.Context, v kgp.AuthSync, g kgp.Generation) *kgp.Response {
	states := make(map[string]string, len(v.UserList))
	byKey := make(map[string]kgp.User, len(v.UserList))
	for _, u := range v.UserList {
		k := opKey(v.InstanceID, v.TenantID, v.AppID, u.UserName)
		switch v.Flag {
		case kgp.FlagDelete:
			states[k] = stateDeleted
		case kgp.FlagCancel:
			states[k] = "cancelled"
		default:
			states[k] = kitState(false, u)
		}
		byKey[k] = u
	}
	return h.kitSync(ctx, kgp.KitAuthSync, states, v.Flag == kgp.FlagDelete || v.Flag == kgp.FlagCancel, func(changed []string) error {
		call := &AuthSyncCall{AuthSync: v, Generation: g}
		want := make(map[string]bool, len(changed))
		for _, k := range changed {
			want[k] = true
		}
		call.UserList = make([]kgp.User, 0, len(changed))
		for _, u := range v.UserList { // request order; a user listed twice counts as its last entry
			k := opKey(v.InstanceID, v.TenantID, v.AppID, u.UserName)
			if want[k] && byKey[k] == u {
				call.UserList = append(call.UserList, u)
				delete(byKey, k)
			}
		}
		return h.m.AuthSync(ctx, call)
	})
}

// kitSync calls fn with the keys whose state differs from the stored one, and stores their new
// state once fn succeeds. A delete the merchant answers with ErrInstanceNotFound succeeded:
// there was nothing to delete.
func (h *Handler) kitSync(ctx context.Context, kind string, states map[string]string, del bool, fn func(changed []string) error) *kgp.Response {
	keys := make([]string, 0, len(states))
	for k := range states {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	stored, err := h.store.KitHashes(ctx, kind, keys)
	if err != nil {
		return h.storeFailed(err)
	}
	var changed []string
	for _, k := range keys {
		if stored[k] != states[k] {
			changed = append(changed, k)
		}
	}
	if len(changed) == 0 {
		h.log.Debug("kit sync repeats the stored state; skipped", "kind", kind)
		return success()
	}
	err = h.call(kind, func() error { return fn(changed) })
	if err != nil && del && errors.Is(err, ErrInstanceNotFound) {
		err = nil
	}
	if err != nil {
		return answer(err)
	}
	next := make(map[string]string, len(changed))
	for _, k := range changed {
		next[k] = states[k]
	}
	if err := h.store.SetKitHashes(context.WithoutCancel(ctx), kind, next); err != nil {
		return h.storeFailed(err)
	}
	return success()
}
