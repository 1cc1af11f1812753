package enterprise

import (
	"context"
	"fmt"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// Bind binds a joint-operation instance of the enterprise's administrator to the enterprise:
// its merchant receives the tenant (tenantSync 1), then the department tree (allOrgSync).
func (s *Service) Bind(ctx context.Context, v market.Viewer, tenantID, instanceKey string) (*market.Binding, error) {
	var b *market.Binding
	err := s.change(ctx, v, tenantID, func(tx *store.Tx, e *market.Enterprise) error {
		in, err := tx.Instance(ctx, instanceKey)
		if err != nil || in.BuyerID != e.AdminID || e.AdminID == "" {
			// Another buyer's instance looks like no instance at all.
			return market.Invalid("instance_key", "instance_key: %s is not an instance of the enterprise's administrator", instanceKey)
		}
		if in.State != market.InstanceActive {
			return market.Invalid("instance_key", "instance_key: instance %s is %s; only an active instance can be bound", instanceKey, in.State)
		}
		m, err := tx.Merchant(ctx, in.MerchantID)
		if err != nil {
			return err
		}
		if m.KitKey == "" {
			return market.Invalid("instance_key", "instance_key: %s is not a joint-operation product (its merchant has no kit interfaces)", instanceKey)
		}
		if old, err := tx.Binding(ctx, instanceKey); err == nil && old.State == market.BindingBound {
			return market.Errorf(market.CodeConflict, "instance %s is bound already", instanceKey)
		}
		now := s.clock.Now()
		b = &market.Binding{InstanceKey: instanceKey, TenantID: tenantID, MerchantID: in.MerchantID, InstanceID: in.ID, OrderID: in.OrderID,
			State: market.BindingBound, CreatedAt: now, UpdatedAt: now}
		if err := tx.PutBinding(ctx, b); err != nil {
			return err
		}
		return s.bound(ctx, tx, b, e)
	})
	return b, err
}

// bound queues what a new binding's merchant receives: the tenant, then the department tree.
func (s *Service) bound(ctx context.Context, tx *store.Tx, b *market.Binding, e *market.Enterprise) error {
	y, err := s.syncer(ctx, tx, b, e)
	if err != nil {
		return err
	}
	ds, err := tx.Departments(ctx, e.TenantID)
	if err != nil {
		return err
	}
	var orgs []kgp.KitRequest
	if len(ds) > 0 {
		orgs = one(y.allOrgs(ds))
	}
	return y.queue(ctx, one(y.tenant(kgp.FlagAdd)), orgs)
}

// Unbind ends a binding: its applications go, and its merchant is told (tenantSync 0) after
// everything queued before.
func (s *Service) Unbind(ctx context.Context, v market.Viewer, tenantID, instanceKey string) error {
	return s.change(ctx, v, tenantID, func(tx *store.Tx, e *market.Enterprise) error {
		b, err := s.boundIn(ctx, tx.Reader, tenantID, instanceKey)
		if err != nil {
			return err
		}
		apps, err := tx.Apps(ctx, tenantID, instanceKey)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		for _, a := range apps {
			if err := tx.DeleteApp(ctx, a.AppID, now); err != nil {
				return err
			}
		}
		y, err := s.syncer(ctx, tx, b, e)
		if err != nil {
			return err
		}
		if err := y.queue(ctx, one(y.tenant(kgp.FlagDelete))); err != nil {
			return err
		}
		return tx.SetBindingState(ctx, instanceKey, market.BindingUnbound, now)
	})
}

// boundIn returns a bound binding of the enterprise, or not found.
func (s *Service) boundIn(ctx context.Context, r store.Reader, tenantID, key string) (*market.Binding, error) {
	b, err := r.Binding(ctx, key)
	if err != nil || b.TenantID != tenantID || b.State != market.BindingBound {
		return nil, market.Errorf(market.CodeNotFound, "binding %s not found", key)
	}
	return b, nil
}

// Bindings lists an enterprise's bindings.
func (s *Service) Bindings(ctx context.Context, v market.Viewer, tenantID string) ([]*market.Binding, error) {
	if err := s.mayList(ctx, v, tenantID); err != nil {
		return nil, err
	}
	return s.db.Bindings(ctx, tenantID)
}

// AppRequest creates an application credential.
type AppRequest struct {
	Name string `json:"name"`
}

// CreateApp creates an application of a binding. Its client secret goes to the merchant
// encrypted with the merchant's uploaded RSA key (applicationSync 1); the marketplace keeps
// only its hash, for the auth centre.
func (s *Service) CreateApp(ctx context.Context, v market.Viewer, tenantID, instanceKey string, r AppRequest) (*market.TenantApp, error) {
	if err := checkName("name", r.Name, 64); err != nil {
		return nil, err
	}
	var a *market.TenantApp
	err := s.change(ctx, v, tenantID, func(tx *store.Tx, e *market.Enterprise) error {
		b, err := s.boundIn(ctx, tx.Reader, tenantID, instanceKey)
		if err != nil {
			return err
		}
		a, err = s.newApp(ctx, tx, e, b, r.Name)
		return err
	})
	return a, err
}

// newApp stores an application and queues its applicationSync.
func (s *Service) newApp(ctx context.Context, tx *store.Tx, e *market.Enterprise, b *market.Binding, name string) (*market.TenantApp, error) {
	k, err := tx.KitKey(ctx, b.MerchantID)
	if err != nil {
		return nil, market.Errorf(market.CodeConflict, "merchant %s has not uploaded the RSA public key client secrets are encrypted with", b.MerchantID)
	}
	pub, err := kgp.ParseRSAPublicKey(k.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("enterprise: stored kit key of %s: %w", b.MerchantID, err)
	}
	secret := market.NewSecret(40)
	sent, err := kgp.EncryptClientSecret(pub, secret)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	a := &market.TenantApp{AppID: "app" + market.NewHexID()[:20], InstanceKey: b.InstanceKey, TenantID: e.TenantID, MerchantID: b.MerchantID,
		Name: name, ClientID: market.NewHexID(), CreatedAt: now, UpdatedAt: now}
	if err := tx.InsertApp(ctx, a, HashSecret(secret), sent); err != nil {
		return nil, err
	}
	y, err := s.syncer(ctx, tx, b, e)
	if err != nil {
		return nil, err
	}
	return a, y.queue(ctx, one(y.app(a, sent, kgp.FlagAdd)))
}

// DeleteApp deletes an application and its authorizations (applicationSync 0).
func (s *Service) DeleteApp(ctx context.Context, v market.Viewer, tenantID, instanceKey, appID string) error {
	return s.change(ctx, v, tenantID, func(tx *store.Tx, e *market.Enterprise) error {
		b, err := s.boundIn(ctx, tx.Reader, tenantID, instanceKey)
		if err != nil {
			return err
		}
		a, err := tx.App(ctx, appID)
		if err != nil || a.InstanceKey != instanceKey || a.Deleted {
			return market.Errorf(market.CodeNotFound, "application %s not found", appID)
		}
		sent, err := tx.AppSecretSent(ctx, appID)
		if err != nil {
			return err
		}
		if err := tx.DeleteApp(ctx, appID, s.clock.Now()); err != nil {
			return err
		}
		y, err := s.syncer(ctx, tx, b, e)
		if err != nil {
			return err
		}
		return y.queue(ctx, one(y.app(a, sent, kgp.FlagDelete)))
	})
}

// Apps lists the applications of a binding ("" for every binding of the enterprise).
func (s *Service) Apps(ctx context.Context, v market.Viewer, tenantID, instanceKey string) ([]*market.TenantApp, error) {
	if err := s.mayList(ctx, v, tenantID); err != nil {
		return nil, err
	}
	return s.db.Apps(ctx, tenantID, instanceKey)
}
