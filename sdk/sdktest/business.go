package sdktest

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk"
)

// business is the merchant's own code behind the SDK: it keeps a record of each instance and
// kit entity, fails when Knobs.Fail says so and takes Knobs.ProvisionDelay to provision.
type business struct{ m *Merchant }

var _ sdk.Merchant = business{}

// errScripted is the failure Knobs.Fail asks for; the SDK answers it with 000005.
var errScripted = errors.New("sdktest: scripted failure")

// fail consumes one scripted failure of the first of activities that has one left.
func (b business) fail(activities ...kgp.Activity) error {
	b.m.mu.Lock()
	defer b.m.mu.Unlock()
	for _, a := range activities {
		if b.m.knobs.Fail[a] > 0 {
			b.m.knobs.Fail[a]--
			return errScripted
		}
	}
	return nil
}

// change applies fn to the record of instance id.
func (b business) change(id string, fn func(in *Instance)) error {
	b.m.mu.Lock()
	defer b.m.mu.Unlock()
	in, ok := b.m.instances[id]
	if !ok {
		return sdk.ErrInstanceNotFound
	}
	fn(in)
	return nil
}

// NewInstance implements sdk.Merchant; a repeated attempt finds its record and keeps it.
func (b business) NewInstance(ctx context.Context, c *sdk.NewInstanceCall) (*sdk.Provisioned, error) {
	if err := b.fail(kgp.ActivityNewInstance); err != nil {
		return nil, err
	}
	b.m.mu.Lock()
	delay := b.m.knobs.ProvisionDelay
	b.m.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	id := c.InstanceID
	b.m.mu.Lock()
	if _, ok := b.m.instances[id]; !ok {
		in := &Instance{ID: id, OrderID: c.OrderID, OrderLineID: c.OrderLineID, ProductID: c.ProductID}
		if l := c.Legacy; l != nil {
			in.SkuCode, in.ExpireTime = l.SkuCode, l.ExpireTime
		}
		b.m.instances[id] = in
	}
	b.m.mu.Unlock()
	return &sdk.Provisioned{AppInfo: &kgp.AppInfo{FrontEndURL: "https://app.example/" + id, AdminURL: "https://admin.example/" + id,
		UserName: "admin-" + id, Password: "pw-" + id}}, nil
}

// QueryInstance implements sdk.Merchant: the SDK's stored appInfo is the answer.
func (b business) QueryInstance(context.Context, *sdk.QueryInstanceCall) ([]kgp.InstanceInfo, error) {
	return nil, b.fail(kgp.ActivityQueryInstance)
}

// RefreshInstance implements sdk.Merchant. A 1.0 refresh also ends a freeze: 1.0 has no
// unfreeze for a period instance (protocol §6.2).
func (b business) RefreshInstance(_ context.Context, c *sdk.RefreshInstanceCall) error {
	if err := b.fail(kgp.ActivityRefreshInstance); err != nil {
		return err
	}
	return b.change(c.Instance.ID, func(in *Instance) {
		in.ExpireTime, in.Refreshes = kgp.FormatExpireTime(c.ExpireTime), in.Refreshes+1
		in.Frozen = in.Frozen && c.Generation != kgp.Gen1
	})
}

// UpdateInstanceStatus implements sdk.Merchant, for 2.0 updateInstanceStatus and for 1.0
// expireInstance and instanceStatus.
func (b business) UpdateInstanceStatus(_ context.Context, c *sdk.UpdateInstanceStatusCall) error {
	a := kgp.ActivityUpdateInstanceStatus
	if c.Generation == kgp.Gen1 {
		a = kgp.ActivityInstanceStatus
		if c.Expired {
			a = kgp.ActivityExpireInstance
		}
	}
	if err := b.fail(a); err != nil {
		return err
	}
	return b.change(c.Instance.ID, func(in *Instance) { in.Frozen = c.Status == kgp.StatusFreeze })
}

// ReleaseInstance implements sdk.Merchant.
func (b business) ReleaseInstance(_ context.Context, c *sdk.ReleaseInstanceCall) error {
	if err := b.fail(kgp.ActivityReleaseInstance); err != nil {
		return err
	}
	err := b.change(c.Instance.ID, func(in *Instance) { in.Released = true })
	if errors.Is(err, sdk.ErrInstanceNotFound) { // nothing to release is a release done
		return nil
	}
	return err
}

// UpgradeInstance implements sdk.Merchant; 1.0 names the activity "upgrade".
func (b business) UpgradeInstance(_ context.Context, c *sdk.UpgradeInstanceCall) error {
	if err := b.fail(kgp.ActivityUpgradeInstance, kgp.ActivityUpgrade); err != nil {
		return err
	}
	return b.change(c.Instance.ID, func(in *Instance) {
		in.Upgrades++
		if l := c.Legacy; l != nil {
			in.SkuCode, in.ProductID = l.SkuCode, l.ProductID
		}
	})
}

// ChangeInstanceCheck implements sdk.Merchant: every change is possible.
func (b business) ChangeInstanceCheck(context.Context, *sdk.ChangeInstanceCheckCall) error {
	return b.fail(kgp.ActivityChangeInstanceCheck)
}

// OrderNotify implements sdk.Merchant.
func (b business) OrderNotify(context.Context, *sdk.OrderNotifyCall) error {
	return b.fail(kgp.ActivityOrderNotify)
}

// TenantSync implements sdk.Merchant.
func (b business) TenantSync(_ context.Context, c *sdk.TenantSyncCall) error {
	return b.sync(c.TenantSync)
}

// ApplicationSync implements sdk.Merchant: with Options.ClientKey the secret must decrypt.
func (b business) ApplicationSync(_ context.Context, c *sdk.ApplicationSyncCall) error {
	if key := b.m.opts.ClientKey; key != nil && c.Flag != kgp.FlagDelete {
		if _, err := kgp.DecryptClientSecret(key, c.ClientSecret); err != nil {
			return sdk.Errorf(kgp.ResultInvalidParam, "clientSecret does not decrypt with our key")
		}
	}
	return b.sync(c.ApplicationSync)
}

// AuthSync implements sdk.Merchant.
func (b business) AuthSync(_ context.Context, c *sdk.AuthSyncCall) error { return b.sync(c.AuthSync) }

// SingleOrgSync implements sdk.Merchant.
func (b business) SingleOrgSync(_ context.Context, c *sdk.SingleOrgSyncCall) error {
	return b.sync(c.SingleOrgSync)
}

// AllOrgSync implements sdk.Merchant: the tenant's departments become the list.
func (b business) AllOrgSync(_ context.Context, c *sdk.AllOrgSyncCall) error {
	if err := b.fail(kgp.KitAllOrgSync); err != nil {
		return err
	}
	prefix := "org/" + c.TenantID + "/"
	b.m.mu.Lock()
	defer b.m.mu.Unlock()
	for k := range b.m.kit {
		if strings.HasPrefix(k, prefix) {
			delete(b.m.kit, k)
		}
	}
	_, keys := kitKeys(c.AllOrgSync)
	for _, k := range keys {
		b.m.kit[k] = true
	}
	return nil
}

// sync adds (or modifies) or deletes the entities of a kit sync.
func (b business) sync(req kgp.KitRequest) error {
	if err := b.fail(kgp.Activity(req.KitName())); err != nil {
		return err
	}
	flag, keys := kitKeys(req)
	b.m.mu.Lock()
	defer b.m.mu.Unlock()
	for _, k := range keys {
		if flag == kgp.FlagDelete || flag == kgp.FlagCancel {
			delete(b.m.kit, k)
		} else {
			b.m.kit[k] = true
		}
	}
	return nil
}

// kitKeys names the entities a kit sync is about by their idempotency keys (protocol §5): the
// tenant, its applications, their users, its departments. An allOrgSync has no flag: -1 (0 is
// kgp.FlagDelete).
func kitKeys(req kgp.KitRequest) (flag int, keys []string) {
	switch v := req.(type) {
	case kgp.TenantSync:
		return v.Flag, []string{"tenant/" + v.TenantID}
	case kgp.ApplicationSync:
		return v.Flag, []string{"app/" + v.TenantID + "/" + v.AppID}
	case kgp.AuthSync:
		for _, u := range v.UserList {
			keys = append(keys, "user/"+v.TenantID+"/"+v.AppID+"/"+u.UserName)
		}
		return v.Flag, keys
	case kgp.SingleOrgSync:
		return v.Flag, []string{"org/" + v.TenantID + "/" + v.OrgCode}
	case kgp.AllOrgSync:
		for _, o := range v.OrgInfoList {
			keys = append(keys, "org/"+v.TenantID+"/"+o.OrgCode)
		}
	}
	return -1, keys
}
