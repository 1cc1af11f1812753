package api

import (
	"github.com/mercato-oss/mercato/internal/market"
)

type enterpriseView struct {
	TenantID       string `json:"tenant_id"`
	TenantCode     string `json:"tenant_code"`
	Name           string `json:"name"`
	DomainName     string `json:"domain_name"`
	AdminID        string `json:"admin_id,omitempty"`
	TestMerchantID string `json:"test_merchant_id,omitempty"`
	CreatedAt      string `json:"created_at"`
	UpdatedAt      string `json:"updated_at"`
}

func viewEnterprise(e *market.Enterprise) enterpriseView {
	return enterpriseView{e.TenantID, e.TenantCode, e.Name, e.DomainName, e.AdminID, e.TestMerchantID, ts(e.CreatedAt), ts(e.UpdatedAt)}
}

type departmentView struct {
	OrgCode    string `json:"org_code"`
	Name       string `json:"name"`
	ParentCode string `json:"parent_code"`
	UpdatedAt  string `json:"updated_at"`
}

func viewDepartment(d *market.Department) departmentView {
	return departmentView{d.OrgCode, d.Name, d.ParentCode, ts(d.UpdatedAt)}
}

type userView struct {
	UserName     string `json:"user_name"`
	Name         string `json:"name"`
	Email        string `json:"email,omitempty"`
	Mobile       string `json:"mobile,omitempty"`
	OrgCode      string `json:"org_code"`
	Role         string `json:"role"`
	Enabled      bool   `json:"enabled"`
	Position     string `json:"position,omitempty"`
	EmployeeCode string `json:"employee_code,omitempty"`
	HasPassword  bool   `json:"has_password"`
	UpdatedAt    string `json:"updated_at"`
}

func viewUser(u *market.EnterpriseUser) userView {
	return userView{u.UserName, u.Name, u.Email, u.Mobile, u.OrgCode, u.Role, u.Enabled, u.Position, u.EmployeeCode, u.HasPassword, ts(u.UpdatedAt)}
}

type bindingView struct {
	InstanceKey string              `json:"instance_key"`
	MerchantID  string              `json:"merchant_id"`
	InstanceID  string              `json:"instance_id,omitempty"`
	OrderID     string              `json:"order_id,omitempty"`
	Test        bool                `json:"test,omitempty"`
	State       market.BindingState `json:"state"`
	UpdatedAt   string              `json:"updated_at"`
}

func viewBinding(b *market.Binding) bindingView {
	return bindingView{b.InstanceKey, b.MerchantID, b.InstanceID, b.OrderID, b.Test, b.State, ts(b.UpdatedAt)}
}

type appView struct {
	AppID       string `json:"app_id"`
	InstanceKey string `json:"instance_key"`
	Name        string `json:"name"`
	ClientID    string `json:"client_id"`
	CreatedAt   string `json:"created_at"`
}

func viewApp(a *market.TenantApp) appView {
	return appView{a.AppID, a.InstanceKey, a.Name, a.ClientID, ts(a.CreatedAt)}
}

type syncView struct {
	ID          string           `json:"id"`
	InstanceKey string           `json:"instance_key"`
	Kind        string           `json:"kind"`
	Flag        *int             `json:"flag,omitempty"`
	Users       int              `json:"users,omitempty"`
	Group       int64            `json:"group"`
	State       market.SyncState `json:"state"`
	CallID      string           `json:"call_id,omitempty"`
	CallState   market.CallState `json:"call_state,omitempty"`
	LastError   string           `json:"last_error,omitempty"`
	CreatedAt   string           `json:"created_at"`
	UpdatedAt   string           `json:"updated_at"`
}

func viewSync(s *market.KitSync) syncView {
	v := syncView{ID: s.ID, InstanceKey: s.InstanceKey, Kind: s.Kind, Users: s.Users, Group: s.Group, State: s.State, CallID: s.CallID,
		CallState: s.CallState, LastError: s.LastError, CreatedAt: ts(s.CreatedAt), UpdatedAt: ts(s.UpdatedAt)}
	if s.Flag >= 0 {
		v.Flag = &s.Flag
	}
	return v
}

type kitKeyView struct {
	MerchantID   string   `json:"merchant_id"`
	PublicKey    string   `json:"public_key"`
	Bits         int      `json:"bits"`
	RedirectURIs []string `json:"redirect_uris"`
	UpdatedAt    string   `json:"updated_at"`
}

func viewKitKey(k *market.KitKey) kitKeyView {
	return kitKeyView{k.MerchantID, k.PublicKey, k.Bits, k.RedirectURIs, ts(k.UpdatedAt)}
}

type noticeView struct {
	ID         string `json:"id"`
	MerchantID string `json:"merchant_id"`
	TenantID   string `json:"tenant_id"`
	CallID     string `json:"call_id"`
	Message    string `json:"message"`
	CreatedAt  string `json:"created_at"`
}

func viewNotice(n *market.KitNotice) noticeView {
	return noticeView{n.ID, n.MerchantID, n.TenantID, n.CallID, n.Message, ts(n.CreatedAt)}
}
