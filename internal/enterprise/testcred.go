package enterprise

import (
	"context"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// TestCredential is what a seller gets when it applies for an application credential to test
// with (protocol §5): a test enterprise bound to no instance (instanceId and orderId are sent
// empty, testFlag 1), one department, one administrator who can sign in on the auth centre,
// and an application that user is authorized on. The merchant receives all of it as kit syncs.
type TestCredential struct {
	TenantID    string `json:"tenant_id"`
	TenantCode  string `json:"tenant_code"`
	DomainName  string `json:"domain_name"`
	InstanceKey string `json:"instance_key"`
	AppID       string `json:"app_id"`
	ClientID    string `json:"client_id"`
	UserName    string `json:"user_name"`
	// Password is the test user's, shown once.
	Password string `json:"password"`
}

// CreateTestCredential makes a test credential for merchant merchantID.
func (s *Service) CreateTestCredential(ctx context.Context, v market.Viewer, merchantID string) (*TestCredential, error) {
	if !v.MayActFor(merchantID) {
		return nil, market.Errorf(market.CodeNotFound, "merchant %s not found", merchantID)
	}
	now := s.clock.Now()
	code := "test-" + strings.ToLower(market.NewSecret(10))
	e := &market.Enterprise{TenantID: market.NewHexID(), TenantCode: code, DomainName: s.DomainName(code), TestMerchantID: merchantID,
		CreatedAt: now, UpdatedAt: now}
	d := &market.Department{TenantID: e.TenantID, OrgCode: "test-dept", Name: "Test department", CreatedAt: now, UpdatedAt: now}
	u := &market.EnterpriseUser{TenantID: e.TenantID, UserName: "test-admin", Name: "Test administrator", OrgCode: d.OrgCode,
		Role: market.UserRoleAdmin, Enabled: true, HasPassword: true, CreatedAt: now, UpdatedAt: now}
	cred := &TestCredential{TenantID: e.TenantID, TenantCode: code, DomainName: e.DomainName, InstanceKey: "test-" + market.NewHexID(),
		UserName: u.UserName, Password: market.NewSecret(16)}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		m, err := tx.Merchant(ctx, merchantID)
		if err != nil {
			return err
		}
		if m.KitKey == "" {
			return market.Errorf(market.CodeConflict, "merchant %s has no kit interfaces (no kit key)", merchantID)
		}
		e.Name = "Test enterprise of " + m.Name
		if err := tx.InsertEnterprise(ctx, e); err != nil {
			return err
		}
		if err := tx.InsertDepartment(ctx, d); err != nil {
			return err
		}
		if err := tx.InsertUsers(ctx, []store.NewUser{{EnterpriseUser: u, PasswordHash: HashPassword(cred.Password)}}); err != nil {
			return err
		}
		b := &market.Binding{InstanceKey: cred.InstanceKey, TenantID: e.TenantID, MerchantID: merchantID, Test: true, State: market.BindingBound,
			CreatedAt: now, UpdatedAt: now}
		if err := tx.PutBinding(ctx, b); err != nil {
			return err
		}
		if err := s.bound(ctx, tx, b, e); err != nil {
			return err
		}
		a, err := s.newApp(ctx, tx, e, b, "Test application")
		if err != nil {
			return err
		}
		cred.AppID, cred.ClientID = a.AppID, a.ClientID
		if err := tx.PutAuths(ctx, a.AppID, e.TenantID, map[string]string{u.UserName: userState(u)}, now); err != nil {
			return err
		}
		y, err := s.syncer(ctx, tx, b, e)
		if err != nil {
			return err
		}
		return y.queue(ctx, y.auth(a.AppID, kgp.FlagAdd, []kgp.User{kitUser(u)}))
	})
	if err != nil {
		return nil, err
	}
	return cred, nil
}
