package enterprise

import (
	"context"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// DepartmentRequest adds a department. OrgCode is generated when empty; ParentCode "" makes a
// top-level department.
type DepartmentRequest struct {
	OrgCode    string `json:"org_code,omitempty"`
	Name       string `json:"name"`
	ParentCode string `json:"parent_code,omitempty"`
}

// DepartmentChange renames or moves a department; nil fields stay.
type DepartmentChange struct {
	Name       *string `json:"name,omitempty"`
	ParentCode *string `json:"parent_code,omitempty"`
}

// maxDepartments bounds an enterprise's tree: a full sync carries all of it in one body.
const maxDepartments = 5000

// tree is an enterprise's departments by orgCode.
type tree map[string]*market.Department

func loadTree(ctx context.Context, r store.Reader, tenantID string) (tree, error) {
	ds, err := r.Departments(ctx, tenantID)
	t := make(tree, len(ds))
	for _, d := range ds {
		t[d.OrgCode] = d
	}
	return t, err
}

// check refuses a department whose parent is unknown, whose move makes a cycle, or whose name
// another department under the same parent has.
func (t tree) check(d *market.Department) error {
	if err := checkName("name", d.Name, 128); err != nil {
		return err
	}
	if d.ParentCode != "" {
		if _, ok := t[d.ParentCode]; !ok {
			return market.Invalid("parent_code", "parent_code: %s is not a department of this enterprise", d.ParentCode)
		}
		for p, steps := d.ParentCode, 0; p != ""; p, steps = t[p].ParentCode, steps+1 {
			if p == d.OrgCode || steps > len(t) {
				return market.Invalid("parent_code", "parent_code: moving %s under %s would make a cycle", d.OrgCode, d.ParentCode)
			}
		}
	}
	for _, o := range t {
		if o.OrgCode != d.OrgCode && o.ParentCode == d.ParentCode && o.Name == d.Name {
			return market.Invalid("name", "name: %s already names department %s at this level", d.Name, o.OrgCode)
		}
	}
	return nil
}

// AddDepartment adds a department and sends it to every bound merchant (singleOrgSync 1).
func (s *Service) AddDepartment(ctx context.Context, v market.Viewer, tenantID string, r DepartmentRequest) (*market.Department, error) {
	if r.OrgCode == "" {
		r.OrgCode = "D" + market.NewSecret(10)
	}
	if !codePattern.MatchString(r.OrgCode) {
		return nil, market.Invalid("org_code", "org_code must be 1 to 64 letters, digits, '.', '_', '@' or '-'")
	}
	now := s.clock.Now()
	d := &market.Department{TenantID: tenantID, OrgCode: r.OrgCode, Name: r.Name, ParentCode: r.ParentCode, CreatedAt: now, UpdatedAt: now}
	err := s.change(ctx, v, tenantID, func(tx *store.Tx, e *market.Enterprise) error {
		t, err := loadTree(ctx, tx.Reader, tenantID)
		if err != nil {
			return err
		}
		if _, dup := t[d.OrgCode]; dup {
			return &market.Error{Code: market.CodeConflict, Field: "org_code", Message: "department " + d.OrgCode + " exists"}
		}
		if len(t) >= maxDepartments {
			return market.Errorf(market.CodeConflict, "an enterprise has at most %d departments", maxDepartments)
		}
		if err := t.check(d); err != nil {
			return err
		}
		if err := tx.InsertDepartment(ctx, d); err != nil {
			return err
		}
		return s.eachBound(ctx, tx, e, func(y *syncer) error { return y.queue(ctx, one(y.org(d, kgp.FlagAdd))) })
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// ChangeDepartment renames or moves a department (singleOrgSync 2). Its users stay in it.
func (s *Service) ChangeDepartment(ctx context.Context, v market.Viewer, tenantID, orgCode string, c DepartmentChange) (*market.Department, error) {
	var d *market.Department
	err := s.change(ctx, v, tenantID, func(tx *store.Tx, e *market.Enterprise) error {
		t, err := loadTree(ctx, tx.Reader, tenantID)
		if err != nil {
			return err
		}
		old, ok := t[orgCode]
		if !ok {
			return market.Errorf(market.CodeNotFound, "department %s not found", orgCode)
		}
		next := *old
		if c.Name != nil {
			next.Name = *c.Name
		}
		if c.ParentCode != nil {
			next.ParentCode = *c.ParentCode
		}
		if err := t.check(&next); err != nil {
			return err
		}
		if next == *old {
			d = old
			return nil
		}
		next.UpdatedAt = s.clock.Now()
		d = &next
		if err := tx.UpdateDepartment(ctx, d); err != nil {
			return err
		}
		return s.eachBound(ctx, tx, e, func(y *syncer) error { return y.queue(ctx, one(y.org(d, kgp.FlagModify))) })
	})
	return d, err
}

// DeleteDepartment removes an empty department (no users, no sub-departments; singleOrgSync 0).
func (s *Service) DeleteDepartment(ctx context.Context, v market.Viewer, tenantID, orgCode string) error {
	return s.change(ctx, v, tenantID, func(tx *store.Tx, e *market.Enterprise) error {
		t, err := loadTree(ctx, tx.Reader, tenantID)
		if err != nil {
			return err
		}
		d, ok := t[orgCode]
		if !ok {
			return market.Errorf(market.CodeNotFound, "department %s not found", orgCode)
		}
		for _, o := range t {
			if o.ParentCode == orgCode {
				return market.Errorf(market.CodeConflict, "department %s has sub-department %s; move or delete it first", orgCode, o.OrgCode)
			}
		}
		if n, err := tx.CountDepartmentUsers(ctx, tenantID, orgCode); err != nil {
			return err
		} else if n > 0 {
			return market.Errorf(market.CodeConflict, "department %s has %d users; move them first", orgCode, n)
		}
		if err := tx.DeleteDepartment(ctx, tenantID, orgCode); err != nil {
			return err
		}
		return s.eachBound(ctx, tx, e, func(y *syncer) error { return y.queue(ctx, one(y.org(d, kgp.FlagDelete))) })
	})
}

// SyncDepartments sends the whole department tree to every bound merchant (allOrgSync), as
// binding does; an administrator runs it to repair a merchant's copy.
func (s *Service) SyncDepartments(ctx context.Context, v market.Viewer, tenantID string) (int, error) {
	n := 0
	err := s.change(ctx, v, tenantID, func(tx *store.Tx, e *market.Enterprise) error {
		ds, err := tx.Departments(ctx, tenantID)
		if err != nil {
			return err
		}
		if len(ds) == 0 {
			return market.Errorf(market.CodeConflict, "the enterprise has no departments to send")
		}
		return s.eachBound(ctx, tx, e, func(y *syncer) error {
			n++
			return y.queue(ctx, one(y.allOrgs(ds)))
		})
	})
	return n, err
}

// Departments lists an enterprise's departments.
func (s *Service) Departments(ctx context.Context, v market.Viewer, tenantID string) ([]*market.Department, error) {
	if _, err := s.visible(ctx, s.db.Reader, v, tenantID); err != nil {
		return nil, err
	}
	return s.db.Departments(ctx, tenantID)
}
