package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// Enterprises, their departments and users (joint operation).

const enterpriseCols = `tenant_id, tenant_code, name, domain_name, admin_id, test_merchant_id, created_at, updated_at`

func scanEnterprise(r rowScanner) (*market.Enterprise, error) {
	var e market.Enterprise
	var created, updated int64
	err := r.Scan(&e.TenantID, &e.TenantCode, &e.Name, &e.DomainName, &e.AdminID, &e.TestMerchantID, &created, &updated)
	e.CreatedAt, e.UpdatedAt = fromMS(created), fromMS(updated)
	return &e, err
}

// InsertEnterprise stores a new enterprise.
func (tx *Tx) InsertEnterprise(ctx context.Context, e *market.Enterprise) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO enterprises (`+enterpriseCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		e.TenantID, e.TenantCode, e.Name, e.DomainName, e.AdminID, e.TestMerchantID, ms(e.CreatedAt), ms(e.UpdatedAt))
	return err
}

// Enterprise returns an enterprise by tenantId.
func (r Reader) Enterprise(ctx context.Context, tenantID string) (*market.Enterprise, error) {
	e, err := scanEnterprise(r.q.QueryRowContext(ctx, `SELECT `+enterpriseCols+` FROM enterprises WHERE tenant_id = $1`, tenantID))
	return e, notFound(err, "enterprise", tenantID)
}

// EnterpriseByCode returns an enterprise by tenantCode.
func (r Reader) EnterpriseByCode(ctx context.Context, code string) (*market.Enterprise, error) {
	e, err := scanEnterprise(r.q.QueryRowContext(ctx, `SELECT `+enterpriseCols+` FROM enterprises WHERE tenant_code = $1`, code))
	return e, notFound(err, "enterprise", code)
}

// EnterpriseFilter selects enterprises; empty fields match everything.
type EnterpriseFilter struct {
	AdminID        string
	TestMerchantID string
	Page           Page
}

// Enterprises lists a page of enterprises, by tenantId.
func (r Reader) Enterprises(ctx context.Context, f EnterpriseFilter) ([]*market.Enterprise, Cursor, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+enterpriseCols+` FROM enterprises
		WHERE ($1 = '' OR admin_id = $1) AND ($2 = '' OR test_merchant_id = $2) AND tenant_id > $3 ORDER BY tenant_id LIMIT $4`,
		f.AdminID, f.TestMerchantID, f.Page.After.ID, f.Page.limit()+1)
	list, err := collect(rows, err, scanEnterprise)
	return cut(list, err, f.Page, func(e *market.Enterprise) Cursor { return Cursor{ID: e.TenantID} })
}

// LockEnterprise marks an enterprise changed at at. It is the first statement of every change
// to an enterprise: on PostgreSQL the row lock it takes puts concurrent changes of one
// enterprise (and the syncs they cause) in one order; SQLite has one writer anyway.
func (tx *Tx) LockEnterprise(ctx context.Context, tenantID string, at time.Time) error {
	ok, err := affected(tx.q.ExecContext(ctx, `UPDATE enterprises SET updated_at = $2 WHERE tenant_id = $1`, tenantID, ms(at)))
	if err == nil && !ok {
		err = market.Errorf(market.CodeNotFound, "enterprise %s not found", tenantID)
	}
	return err
}

// RenameEnterprise changes an enterprise's name.
func (tx *Tx) RenameEnterprise(ctx context.Context, tenantID, name string) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE enterprises SET name = $2 WHERE tenant_id = $1`, tenantID, name)
	return err
}

const departmentCols = `tenant_id, org_code, name, parent_code, created_at, updated_at`

func scanDepartment(r rowScanner) (*market.Department, error) {
	var d market.Department
	var created, updated int64
	err := r.Scan(&d.TenantID, &d.OrgCode, &d.Name, &d.ParentCode, &created, &updated)
	d.CreatedAt, d.UpdatedAt = fromMS(created), fromMS(updated)
	return &d, err
}

// InsertDepartment stores a new department.
func (tx *Tx) InsertDepartment(ctx context.Context, d *market.Department) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO departments (`+departmentCols+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		d.TenantID, d.OrgCode, d.Name, d.ParentCode, ms(d.CreatedAt), ms(d.UpdatedAt))
	return err
}

// UpdateDepartment renames or moves a department.
func (tx *Tx) UpdateDepartment(ctx context.Context, d *market.Department) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE departments SET name = $3, parent_code = $4, updated_at = $5 WHERE tenant_id = $1 AND org_code = $2`,
		d.TenantID, d.OrgCode, d.Name, d.ParentCode, ms(d.UpdatedAt))
	return err
}

// DeleteDepartment removes a department.
func (tx *Tx) DeleteDepartment(ctx context.Context, tenantID, orgCode string) error {
	_, err := tx.q.ExecContext(ctx, `DELETE FROM departments WHERE tenant_id = $1 AND org_code = $2`, tenantID, orgCode)
	return err
}

// Departments lists every department of an enterprise, by orgCode. Trees are small (a few
// thousand departments at most) and are read whole: moves check for cycles, full syncs send
// them all.
func (r Reader) Departments(ctx context.Context, tenantID string) ([]*market.Department, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+departmentCols+` FROM departments WHERE tenant_id = $1 ORDER BY org_code`, tenantID)
	return collect(rows, err, scanDepartment)
}

// CountDepartmentUsers counts the users of a department.
func (r Reader) CountDepartmentUsers(ctx context.Context, tenantID, orgCode string) (int, error) {
	var n int
	err := r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM enterprise_users WHERE tenant_id = $1 AND org_code = $2`, tenantID, orgCode).Scan(&n)
	return n, err
}

const userCols = `tenant_id, user_name, name, email, mobile, org_code, role, enabled, position, employee_code, password_hash, created_at, updated_at`
const userColCount = 13

func scanUser(r rowScanner) (*market.EnterpriseUser, error) {
	var u market.EnterpriseUser
	var hash string
	var created, updated int64
	err := r.Scan(&u.TenantID, &u.UserName, &u.Name, &u.Email, &u.Mobile, &u.OrgCode, &u.Role, &u.Enabled, &u.Position, &u.EmployeeCode,
		&hash, &created, &updated)
	u.HasPassword, u.CreatedAt, u.UpdatedAt = hash != "", fromMS(created), fromMS(updated)
	return &u, err
}

// NewUser is a user to store with its password hash ("" when it has no password).
type NewUser struct {
	*market.EnterpriseUser
	PasswordHash string
}

// userChunk users per INSERT: 13 parameters a row stays far below both engines' limits.
const userChunk = 500

// InsertUsers stores new users, a chunk per statement.
func (tx *Tx) InsertUsers(ctx context.Context, users []NewUser) error {
	for start := 0; start < len(users); start += userChunk {
		chunk := users[start:min(start+userChunk, len(users))]
		var b strings.Builder
		b.WriteString(`INSERT INTO enterprise_users (` + userCols + `) VALUES `)
		args := make([]any, 0, len(chunk)*userColCount)
		for i, n := range chunk {
			if i > 0 {
				b.WriteByte(',')
			}
			tx.placeholders(&b, i*userColCount, userColCount)
			u := n.EnterpriseUser
			args = append(args, u.TenantID, u.UserName, u.Name, u.Email, u.Mobile, u.OrgCode, u.Role, u.Enabled, u.Position, u.EmployeeCode,
				n.PasswordHash, ms(u.CreatedAt), ms(u.UpdatedAt))
		}
		if _, err := tx.q.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// UpdateUser writes a user's fields (not its password, unless hash is not empty).
func (tx *Tx) UpdateUser(ctx context.Context, u *market.EnterpriseUser, hash string) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE enterprise_users SET name = $3, email = $4, mobile = $5, org_code = $6, role = $7, enabled = $8,
		position = $9, employee_code = $10, updated_at = $11, password_hash = CASE WHEN $12 = '' THEN password_hash ELSE $12 END
		WHERE tenant_id = $1 AND user_name = $2`,
		u.TenantID, u.UserName, u.Name, u.Email, u.Mobile, u.OrgCode, u.Role, u.Enabled, u.Position, u.EmployeeCode, ms(u.UpdatedAt), hash)
	return err
}

// DeleteUser removes a user.
func (tx *Tx) DeleteUser(ctx context.Context, tenantID, userName string) error {
	_, err := tx.q.ExecContext(ctx, `DELETE FROM enterprise_users WHERE tenant_id = $1 AND user_name = $2`, tenantID, userName)
	return err
}

// User returns a user and its password hash.
func (r Reader) User(ctx context.Context, tenantID, userName string) (*market.EnterpriseUser, string, error) {
	var u market.EnterpriseUser
	var hash string
	var created, updated int64
	err := r.q.QueryRowContext(ctx, `SELECT `+userCols+` FROM enterprise_users WHERE tenant_id = $1 AND user_name = $2`, tenantID, userName).
		Scan(&u.TenantID, &u.UserName, &u.Name, &u.Email, &u.Mobile, &u.OrgCode, &u.Role, &u.Enabled, &u.Position, &u.EmployeeCode,
			&hash, &created, &updated)
	u.HasPassword, u.CreatedAt, u.UpdatedAt = hash != "", fromMS(created), fromMS(updated)
	return &u, hash, notFound(err, "user", userName)
}

// UsersNamed returns the users of an enterprise among names, by name.
func (r Reader) UsersNamed(ctx context.Context, tenantID string, names []string) (map[string]*market.EnterpriseUser, error) {
	out := make(map[string]*market.EnterpriseUser, len(names))
	list, err := json.Marshal(names)
	if err != nil {
		return nil, err
	}
	rows, err := r.q.QueryContext(ctx, `SELECT `+userCols+` FROM enterprise_users WHERE tenant_id = $1 AND user_name IN `+r.jsonStrings(2),
		tenantID, string(list))
	users, err := collect(rows, err, scanUser)
	for _, u := range users {
		out[u.UserName] = u
	}
	return out, err
}

// UserFilter selects users of an enterprise.
type UserFilter struct {
	TenantID string
	OrgCode  string
	Page     Page
}

// Users lists a page of an enterprise's users, by userName.
func (r Reader) Users(ctx context.Context, f UserFilter) ([]*market.EnterpriseUser, Cursor, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+userCols+` FROM enterprise_users WHERE tenant_id = $1 AND ($2 = '' OR org_code = $2)
		AND user_name > $3 ORDER BY user_name LIMIT $4`, f.TenantID, f.OrgCode, f.Page.After.ID, f.Page.limit()+1)
	list, err := collect(rows, err, scanUser)
	return cut(list, err, f.Page, func(u *market.EnterpriseUser) Cursor { return Cursor{ID: u.UserName} })
}
