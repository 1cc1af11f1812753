package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk"
)

// The joint-operation kit syncs. Each is an upsert or a delete by the documented idempotency
// key, and a delete of something absent succeeds: the SDK already skips exact repeats, and
// these rules keep the data right when a repeat does get through.

func natKey(parts ...string) string { return strings.Join(parts, "|") }

// TenantSync binds (upserts), renames or removes the buyer's enterprise.
func (m *merchant) TenantSync(_ context.Context, c *sdk.TenantSyncCall) error {
	k := natKey(c.InstanceID, c.TenantID)
	return m.db.update(func(s *state) error {
		if c.Flag == kgp.FlagDelete {
			delete(s.Tenants, k)
			return nil
		}
		s.Tenants[k] = &tenant{InstanceID: c.InstanceID, TenantID: c.TenantID, Code: c.TenantCode, Name: c.Name, Domain: c.DomainName}
		return nil
	})
}

// ApplicationSync stores the application credential, proving the secret decrypts.
func (m *merchant) ApplicationSync(_ context.Context, c *sdk.ApplicationSyncCall) error {
	k := natKey(c.InstanceID, c.TenantID, c.AppID)
	decrypted, secret := false, ""
	if c.Flag != kgp.FlagDelete && m.priv != nil {
		// The plaintext secret is what the merchant sends to the auth centre's token endpoint
		// when its users sign in (sso.go).
		var err error
		if secret, err = kgp.DecryptClientSecret(m.priv, c.ClientSecret); err != nil {
			return sdk.Errorf(kgp.ResultInvalidParam, "clientSecret does not decrypt with our key")
		}
		decrypted = true
	}
	return m.db.update(func(s *state) error {
		if c.Flag == kgp.FlagDelete {
			delete(s.Apps, k)
			return nil
		}
		s.Apps[k] = &application{InstanceID: c.InstanceID, TenantID: c.TenantID, AppID: c.AppID, ClientID: c.ClientID, SecretDecrypted: decrypted, Secret: secret}
		return nil
	})
}

// AuthSync upserts, deletes or de-authorizes users; a cancelled authorization keeps the user
// (and its data) but refuses the login.
func (m *merchant) AuthSync(_ context.Context, c *sdk.AuthSyncCall) error {
	return m.db.update(func(s *state) error {
		for _, u := range c.UserList {
			k := natKey(c.InstanceID, c.TenantID, c.AppID, u.UserName)
			switch c.Flag {
			case kgp.FlagDelete:
				delete(s.Users, k)
			case kgp.FlagCancel:
				if p := s.Users[k]; p != nil {
					p.Authorized = false
				}
			default:
				s.Users[k] = &user{InstanceID: c.InstanceID, TenantID: c.TenantID, AppID: c.AppID, UserName: u.UserName,
					Name: u.Name, OrgCode: u.OrgCode, Role: u.Role, Enabled: u.Enable == "true", Authorized: true}
			}
		}
		return nil
	})
}

// SingleOrgSync upserts or deletes one department.
func (m *merchant) SingleOrgSync(_ context.Context, c *sdk.SingleOrgSyncCall) error {
	k := natKey(c.InstanceID, c.TenantID, c.OrgCode)
	return m.db.update(func(s *state) error {
		if c.Flag == kgp.FlagDelete {
			delete(s.Departments, k)
			return nil
		}
		s.Departments[k] = &department{InstanceID: c.InstanceID, TenantID: c.TenantID, OrgCode: c.OrgCode, Name: c.OrgName, Parent: c.ParentCode}
		return nil
	})
}

// AllOrgSync replaces the tenant's departments with the list: those not in it are removed.
func (m *merchant) AllOrgSync(_ context.Context, c *sdk.AllOrgSyncCall) error {
	prefix := natKey(c.InstanceID, c.TenantID) + "|"
	return m.db.update(func(s *state) error {
		for k := range s.Departments {
			if strings.HasPrefix(k, prefix) {
				delete(s.Departments, k)
			}
		}
		for _, o := range c.OrgInfoList {
			s.Departments[prefix+o.OrgCode] = &department{InstanceID: c.InstanceID, TenantID: c.TenantID, OrgCode: o.OrgCode, Name: o.OrgName, Parent: o.ParentCode}
		}
		return nil
	})
}

// scaledNumber writes a value × 10^4 as a JSON number: 37500 is 3.75.
func scaledNumber(v int64) json.Number {
	s := fmt.Sprintf("%d.%04d", v/1e4, v%1e4)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return json.Number(s)
}
