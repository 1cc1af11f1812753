package enterprise

import (
	"context"
	"regexp"
	"unicode/utf8"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// codePattern is what tenant codes, department codes and user names may be made of: they travel
// in URLs (the auth centre's path, the JSON API's) and in kit bodies (at most 64 characters).
var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// EnterpriseRequest creates an enterprise.
type EnterpriseRequest struct {
	Name       string `json:"name"`
	TenantCode string `json:"tenant_code"`
	// AdminID is the buyer who administers the enterprise: the buyer itself when a buyer
	// creates it; the operator names one.
	AdminID string `json:"admin_id,omitempty"`
}

// CreateEnterprise makes a buyer the administrator of a new enterprise. A buyer administers at
// most one.
func (s *Service) CreateEnterprise(ctx context.Context, v market.Viewer, r EnterpriseRequest) (*market.Enterprise, error) {
	switch {
	case v.Role == market.RoleBuyer && (r.AdminID == "" || r.AdminID == v.BuyerID):
		r.AdminID = v.BuyerID
	case v.IsOperator() && r.AdminID != "":
	case v.IsOperator():
		return nil, market.Invalid("admin_id", "admin_id: the operator names the buyer who administers the enterprise")
	default:
		return nil, market.Errorf(market.CodeForbidden, "only a buyer (for itself) or the operator may create an enterprise")
	}
	if err := checkName("name", r.Name, 255); err != nil {
		return nil, err
	}
	if !codePattern.MatchString(r.TenantCode) {
		return nil, market.Invalid("tenant_code", "tenant_code must be 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit")
	}
	now := s.clock.Now()
	e := &market.Enterprise{TenantID: market.NewHexID(), TenantCode: r.TenantCode, Name: r.Name, DomainName: s.DomainName(r.TenantCode),
		AdminID: r.AdminID, CreatedAt: now, UpdatedAt: now}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Buyer(ctx, r.AdminID); err != nil {
			return market.Invalid("admin_id", "admin_id: buyer %s not found", r.AdminID)
		}
		if others, _, err := tx.Enterprises(ctx, store.EnterpriseFilter{AdminID: r.AdminID, Page: store.Page{Limit: 1}}); err != nil {
			return err
		} else if len(others) > 0 {
			return market.Errorf(market.CodeConflict, "buyer %s already administers enterprise %s", r.AdminID, others[0].TenantID)
		}
		if _, err := tx.EnterpriseByCode(ctx, r.TenantCode); err == nil {
			return &market.Error{Code: market.CodeConflict, Field: "tenant_code", Message: "tenant_code " + r.TenantCode + " is taken"}
		}
		return tx.InsertEnterprise(ctx, e)
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// Enterprise returns an enterprise v sees.
func (s *Service) Enterprise(ctx context.Context, v market.Viewer, tenantID string) (*market.Enterprise, error) {
	return s.visible(ctx, s.db.Reader, v, tenantID)
}

// Enterprises lists the enterprises v sees: the operator's all, a buyer's own, a seller's test
// enterprises, an enterprise user's own.
func (s *Service) Enterprises(ctx context.Context, v market.Viewer, p store.Page) ([]*market.Enterprise, store.Cursor, error) {
	f := store.EnterpriseFilter{Page: p}
	switch v.Role {
	case market.RoleOperator:
	case market.RoleBuyer:
		f.AdminID = v.BuyerID
	case market.RoleSeller:
		f.TestMerchantID = v.MerchantID
	case market.RoleEnterpriseUser:
		e, err := s.visible(ctx, s.db.Reader, v, v.TenantID)
		if err != nil {
			return nil, store.Cursor{}, err
		}
		return []*market.Enterprise{e}, store.Cursor{}, nil
	}
	if f.AdminID == "" && f.TestMerchantID == "" && !v.IsOperator() {
		return nil, store.Cursor{}, market.Errorf(market.CodeForbidden, "no enterprises to see")
	}
	return s.db.Enterprises(ctx, f)
}

// RenameEnterprise changes an enterprise's name and tells every bound merchant (tenantSync 2).
func (s *Service) RenameEnterprise(ctx context.Context, v market.Viewer, tenantID, name string) (*market.Enterprise, error) {
	if err := checkName("name", name, 255); err != nil {
		return nil, err
	}
	var out *market.Enterprise
	err := s.change(ctx, v, tenantID, func(tx *store.Tx, e *market.Enterprise) error {
		e.Name, out = name, e
		if err := tx.RenameEnterprise(ctx, tenantID, name); err != nil {
			return err
		}
		return s.eachBound(ctx, tx, e, func(y *syncer) error { return y.queue(ctx, one(y.tenant(kgp.FlagModify))) })
	})
	return out, err
}

// eachBound runs fn with a syncer for every bound binding of e, in instance-key order (the
// order their locks are taken in, so that changes never wait on each other in a cycle).
func (s *Service) eachBound(ctx context.Context, tx *store.Tx, e *market.Enterprise, fn func(y *syncer) error) error {
	bs, err := tx.Bindings(ctx, e.TenantID)
	if err != nil {
		return err
	}
	for _, b := range bs {
		if b.State != market.BindingBound {
			continue
		}
		if gone, err := released(ctx, tx, b); err != nil || gone {
			if err != nil {
				return err
			}
			continue
		}
		y, err := s.syncer(ctx, tx, b, e)
		if err != nil {
			return err
		}
		if err := fn(y); err != nil {
			return err
		}
	}
	return nil
}

func one(r kgp.KitRequest) []kgp.KitRequest { return []kgp.KitRequest{r} }

// checkName refuses an empty or too long display name.
func checkName(field, v string, max int) error {
	if n := utf8.RuneCountInString(v); n < 1 || n > max || !utf8.ValidString(v) {
		return market.Invalid(field, "%s must be 1 to %d characters", field, max)
	}
	return nil
}

// released reports whether a binding's instance was released (unsubscribed, or expired past
// retention), and then unbinds it: the merchant dropped the instance and its enterprise data
// with releaseInstance, so nothing more is sent to it, not even tenantSync 0.
func released(ctx context.Context, tx *store.Tx, b *market.Binding) (bool, error) {
	if b.Test {
		return false, nil
	}
	in, err := tx.Instance(ctx, b.InstanceKey)
	if err != nil {
		return false, err
	}
	if in.State != market.InstanceReleased {
		return false, nil
	}
	return true, tx.SetBindingState(ctx, b.InstanceKey, market.BindingUnbound, in.UpdatedAt)
}
