package enterprise

import (
	"context"
	"fmt"
	"net/mail"
	"sort"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// UserRequest adds a user. Enabled defaults to true, Role to "user". A user with a Password can
// sign in on the auth centre's login page.
type UserRequest struct {
	UserName     string `json:"user_name"`
	Name         string `json:"name"`
	Email        string `json:"email,omitempty"`
	Mobile       string `json:"mobile,omitempty"`
	OrgCode      string `json:"org_code"`
	Role         string `json:"role,omitempty"`
	Enabled      *bool  `json:"enabled,omitempty"`
	Position     string `json:"position,omitempty"`
	EmployeeCode string `json:"employee_code,omitempty"`
	Password     string `json:"password,omitempty"`
}

// UserChange changes a user; nil fields stay.
type UserChange struct {
	Name         *string `json:"name,omitempty"`
	Email        *string `json:"email,omitempty"`
	Mobile       *string `json:"mobile,omitempty"`
	OrgCode      *string `json:"org_code,omitempty"`
	Role         *string `json:"role,omitempty"`
	Enabled      *bool   `json:"enabled,omitempty"`
	Position     *string `json:"position,omitempty"`
	EmployeeCode *string `json:"employee_code,omitempty"`
	Password     *string `json:"password,omitempty"`
}

// MaxUsersPerRequest bounds one AddUsers call.
const MaxUsersPerRequest = 5000

// checkUser validates a user's fields against the enterprise's tree; prefix names the field
// path in errors ("users[3].").
func checkUser(u *market.EnterpriseUser, password *string, t tree, prefix string) error {
	switch {
	case !codePattern.MatchString(u.UserName):
		return market.Invalid(prefix+"user_name", "%suser_name must be 1 to 64 letters, digits, '.', '_', '@' or '-'", prefix)
	case checkName(prefix+"name", u.Name, 64) != nil:
		return market.Invalid(prefix+"name", "%sname must be 1 to 64 characters", prefix)
	case u.Email != "" && !isEmail(u.Email):
		return market.Invalid(prefix+"email", "%semail %q is not an address of at most 128 characters", prefix, u.Email)
	case len(u.Mobile) > 32 || len(u.Position) > 64 || len(u.EmployeeCode) > 64:
		return market.Invalid(prefix+"mobile", "%smobile is at most 32 characters, position and employee_code 64", prefix)
	case u.Role != market.UserRoleUser && u.Role != market.UserRoleAdmin:
		return market.Invalid(prefix+"role", "%srole must be user or admin", prefix)
	case password != nil && (len(*password) < 8 || len(*password) > 128):
		return market.Invalid(prefix+"password", "%spassword must be 8 to 128 characters", prefix)
	}
	if _, ok := t[u.OrgCode]; !ok {
		// The same answer whether the department is another enterprise's or nobody's.
		return market.Invalid(prefix+"org_code", "%sorg_code: %s is not a department of this enterprise", prefix, u.OrgCode)
	}
	return nil
}

func isEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && len(s) <= 128
}

// AddUsers adds users to an enterprise. Nothing is sent: a user reaches a merchant when it is
// authorized on one of its applications.
func (s *Service) AddUsers(ctx context.Context, v market.Viewer, tenantID string, reqs []UserRequest) ([]*market.EnterpriseUser, error) {
	if len(reqs) == 0 || len(reqs) > MaxUsersPerRequest {
		return nil, market.Invalid("users", "users: give 1 to %d users", MaxUsersPerRequest)
	}
	var out []*market.EnterpriseUser
	err := s.change(ctx, v, tenantID, func(tx *store.Tx, e *market.Enterprise) error {
		t, err := loadTree(ctx, tx.Reader, tenantID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		rows := make([]store.NewUser, len(reqs))
		names := make([]string, len(reqs))
		seen := make(map[string]bool, len(reqs))
		for i, r := range reqs {
			u := &market.EnterpriseUser{TenantID: tenantID, UserName: r.UserName, Name: r.Name, Email: r.Email, Mobile: r.Mobile, OrgCode: r.OrgCode,
				Role: r.Role, Enabled: r.Enabled == nil || *r.Enabled, Position: r.Position, EmployeeCode: r.EmployeeCode, CreatedAt: now, UpdatedAt: now}
			if u.Role == "" {
				u.Role = market.UserRoleUser
			}
			prefix := fmt.Sprintf("users[%d].", i)
			var pw *string
			if r.Password != "" {
				pw = &r.Password
			}
			if err := checkUser(u, pw, t, prefix); err != nil {
				return err
			}
			if seen[u.UserName] {
				return market.Invalid(prefix+"user_name", "%suser_name %s appears twice", prefix, u.UserName)
			}
			seen[u.UserName] = true
			rows[i], names[i] = store.NewUser{EnterpriseUser: u}, u.UserName
			if pw != nil {
				rows[i].PasswordHash, u.HasPassword = HashPassword(*pw), true
			}
			out = append(out, u)
		}
		taken, err := tx.UsersNamed(ctx, tenantID, names)
		if err != nil {
			return err
		}
		for i, n := range names {
			if taken[n] != nil {
				return &market.Error{Code: market.CodeConflict, Field: fmt.Sprintf("users[%d].user_name", i), Message: "user " + n + " exists"}
			}
		}
		return tx.InsertUsers(ctx, rows)
	})
	return out, err
}

// ChangeUser changes a user; the merchants of the applications it is authorized on receive the
// change (authSync 2) when it touches what authSync carries.
func (s *Service) ChangeUser(ctx context.Context, v market.Viewer, tenantID, userName string, c UserChange) (*market.EnterpriseUser, error) {
	var u *market.EnterpriseUser
	err := s.change(ctx, v, tenantID, func(tx *store.Tx, e *market.Enterprise) error {
		var err error
		if u, _, err = tx.User(ctx, tenantID, userName); err != nil {
			return err
		}
		for _, f := range []struct {
			to   *string
			from *string
		}{{&u.Name, c.Name}, {&u.Email, c.Email}, {&u.Mobile, c.Mobile}, {&u.OrgCode, c.OrgCode}, {&u.Role, c.Role},
			{&u.Position, c.Position}, {&u.EmployeeCode, c.EmployeeCode}} {
			if f.from != nil {
				*f.to = *f.from
			}
		}
		if c.Enabled != nil {
			u.Enabled = *c.Enabled
		}
		t, err := loadTree(ctx, tx.Reader, tenantID)
		if err != nil {
			return err
		}
		if err := checkUser(u, c.Password, t, ""); err != nil {
			return err
		}
		hash := ""
		if c.Password != nil {
			hash, u.HasPassword = HashPassword(*c.Password), true
		}
		u.UpdatedAt = s.clock.Now()
		if err := tx.UpdateUser(ctx, u, hash); err != nil {
			return err
		}
		return s.resync(ctx, tx, e, u, kgp.FlagModify)
	})
	return u, err
}

// DeleteUser removes a user; the merchants of the applications it was authorized on are told
// (authSync 0).
func (s *Service) DeleteUser(ctx context.Context, v market.Viewer, tenantID, userName string) error {
	return s.change(ctx, v, tenantID, func(tx *store.Tx, e *market.Enterprise) error {
		u, _, err := tx.User(ctx, tenantID, userName)
		if err != nil {
			return err
		}
		if err := s.resync(ctx, tx, e, u, kgp.FlagDelete); err != nil {
			return err
		}
		return tx.DeleteUser(ctx, tenantID, userName)
	})
}

// resync sends a user's change (flag 2, only where what the merchant has differs) or deletion
// (flag 0, everywhere it is authorized) to the applications it is authorized on.
func (s *Service) resync(ctx context.Context, tx *store.Tx, e *market.Enterprise, u *market.EnterpriseUser, flag int) error {
	auths, err := tx.UserAuths(ctx, e.TenantID, u.UserName)
	if err != nil || len(auths) == 0 {
		return err
	}
	state := userState(u)
	byBinding := map[string][]*market.TenantApp{}
	apps := make([]string, 0, len(auths))
	for id := range auths {
		apps = append(apps, id)
	}
	sort.Strings(apps)
	for _, id := range apps {
		if flag == kgp.FlagModify && auths[id] == state {
			continue
		}
		a, err := tx.App(ctx, id)
		if err != nil {
			return err
		}
		byBinding[a.InstanceKey] = append(byBinding[a.InstanceKey], a)
	}
	return s.eachBound(ctx, tx, e, func(y *syncer) error {
		var group []kgp.KitRequest
		for _, a := range byBinding[y.b.InstanceKey] {
			group = append(group, y.auth(a.AppID, flag, []kgp.User{kitUser(u)})...)
			if flag == kgp.FlagDelete {
				err = tx.DeleteAuths(ctx, a.AppID, []string{u.UserName})
			} else {
				err = tx.PutAuths(ctx, a.AppID, e.TenantID, map[string]string{u.UserName: state}, y.now)
			}
			if err != nil {
				return err
			}
		}
		return y.queue(ctx, group)
	})
}

// Users lists a page of an enterprise's users.
func (s *Service) Users(ctx context.Context, v market.Viewer, f store.UserFilter) ([]*market.EnterpriseUser, store.Cursor, error) {
	if err := s.mayList(ctx, v, f.TenantID); err != nil {
		return nil, store.Cursor{}, err
	}
	return s.db.Users(ctx, f)
}

// User returns a user: to the enterprise's administrator and the operator, and to the user.
func (s *Service) User(ctx context.Context, v market.Viewer, tenantID, userName string) (*market.EnterpriseUser, error) {
	if v.Role == market.RoleEnterpriseUser && (v.TenantID != tenantID || v.UserID != userName) {
		return nil, market.Errorf(market.CodeNotFound, "user %s not found", userName)
	}
	if _, err := s.visible(ctx, s.db.Reader, v, tenantID); err != nil {
		return nil, err
	}
	u, _, err := s.db.User(ctx, tenantID, userName)
	return u, err
}

// mayList lets the administrators of an enterprise (and the operator) list its people and
// syncs; its users see only themselves.
func (s *Service) mayList(ctx context.Context, v market.Viewer, tenantID string) error {
	e, err := s.visible(ctx, s.db.Reader, v, tenantID)
	if err != nil {
		return err
	}
	if !v.MayAdminister(e.AdminID, e.TestMerchantID) {
		return market.Errorf(market.CodeForbidden, "only the enterprise's administrator may list this")
	}
	return nil
}
