package web

import (
	"net/http"
	"sort"
	"strings"

	"github.com/mercato-oss/mercato/internal/enterprise"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// The enterprise's departments (a tree) and users.

func (c *Console) registerEnterpriseOrg(mux *http.ServeMux) {
	mux.Handle("GET /my/enterprise/departments", c.buyerRoute(c.withEnterprise(c.departments)))
	mux.Handle("POST /my/enterprise/departments", c.buyerRoute(c.withEnterprise(c.addDepartment)))
	mux.Handle("POST /my/enterprise/departments/sync", c.buyerRoute(c.withEnterprise(c.syncDepartments)))
	mux.Handle("GET /my/enterprise/departments/{code}", c.buyerRoute(c.withEnterprise(c.departmentPage)))
	mux.Handle("POST /my/enterprise/departments/{code}", c.buyerRoute(c.withEnterprise(c.changeDepartment)))
	mux.Handle("POST /my/enterprise/departments/{code}/delete", c.buyerRoute(c.withEnterprise(c.deleteDepartment)))
	mux.Handle("GET /my/enterprise/users", c.buyerRoute(c.withEnterprise(c.entUsers)))
	mux.Handle("POST /my/enterprise/users", c.buyerRoute(c.withEnterprise(c.addUser)))
	mux.Handle("GET /my/enterprise/users/{name}", c.buyerRoute(c.withEnterprise(c.entUserPage)))
	mux.Handle("POST /my/enterprise/users/{name}", c.buyerRoute(c.withEnterprise(c.changeUser)))
	mux.Handle("POST /my/enterprise/users/{name}/delete", c.buyerRoute(c.withEnterprise(c.deleteUser)))
}

// depNode is a department in the tree the page shows.
type depNode struct {
	*market.Department
	Children []*depNode
}

// depOption is a department as a choice in a form: its path from the top.
type depOption struct {
	Code, Label string
}

// depTree arranges an enterprise's departments as a tree (siblings by name) and as the
// choices of a form (depth first).
func depTree(ds []*market.Department) ([]*depNode, []depOption) {
	nodes := make(map[string]*depNode, len(ds))
	for _, d := range ds {
		nodes[d.OrgCode] = &depNode{Department: d}
	}
	var roots []*depNode
	for _, d := range ds {
		n := nodes[d.OrgCode]
		if p, ok := nodes[d.ParentCode]; ok && d.ParentCode != "" {
			p.Children = append(p.Children, n)
		} else {
			roots = append(roots, n)
		}
	}
	var opts []depOption
	var walk func(list []*depNode, path []string)
	walk = func(list []*depNode, path []string) {
		sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
		for _, n := range list {
			p := append(path[:len(path):len(path)], n.Name)
			opts = append(opts, depOption{Code: n.OrgCode, Label: strings.Join(p, " / ")})
			walk(n.Children, p)
		}
	}
	walk(roots, nil)
	return roots, opts
}

func (c *Console) departments(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise) {
	c.renderDepartments(w, r, v, e, http.StatusOK, nil, "")
}

func (c *Console) renderDepartments(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise, status int, f *form, which string) {
	ds, err := c.svc.Enterprises.Departments(r.Context(), v, e.TenantID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view, data := c.entView(r, e, "bent.departments", "departments", f, which)
	data["Tree"], data["Options"] = depTree(ds)
	data["Count"] = len(ds)
	c.render(w, r, status, "enterprise_departments", view)
}

func (c *Console) addDepartment(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise) {
	f, ok := entForm(w, r)
	if !ok {
		c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
		return
	}
	_, err := c.svc.Enterprises.AddDepartment(r.Context(), v, e.TenantID, enterprise.DepartmentRequest{Name: strings.TrimSpace(f.Get("dep_name")),
		OrgCode: strings.TrimSpace(f.Get("dep_code")), ParentCode: f.Get("dep_parent")})
	if err != nil {
		if !formRefused(err) {
			c.fail(w, r, err)
			return
		}
		f.Failed(c.buyerLocale(r), err, map[string]string{"name": "dep_name", "org_code": "dep_code", "parent_code": "dep_parent"})
		c.renderDepartments(w, r, v, e, http.StatusUnprocessableEntity, f, "add")
		return
	}
	c.done(w, r, "flash.dep_added", "/my/enterprise/departments")
}

func (c *Console) syncDepartments(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise) {
	n, err := c.svc.Enterprises.SyncDepartments(r.Context(), v, e.TenantID)
	switch {
	case err == nil && n == 0:
		c.done(w, r, "flash.dep_sync_unbound", "/my/enterprise/departments")
	case err == nil:
		c.done(w, r, "flash.dep_synced", "/my/enterprise/syncs")
	case market.ErrorCode(err) == market.CodeConflict:
		c.done(w, r, "flash.dep_sync_empty", "/my/enterprise/departments")
	default:
		c.fail(w, r, err)
	}
}

func (c *Console) departmentPage(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise) {
	c.renderDepartment(w, r, v, e, http.StatusOK, nil, "")
}

// renderDepartment renders a department's page: its form (rename, move), its users, delete.
func (c *Console) renderDepartment(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise, status int, f *form, which string) {
	ctx := r.Context()
	ds, err := c.svc.Enterprises.Departments(ctx, v, e.TenantID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	var d *market.Department
	for _, x := range ds {
		if x.OrgCode == r.PathValue("code") {
			d = x
		}
	}
	if d == nil {
		c.notFound(w, r)
		return
	}
	users, next, err := c.svc.Enterprises.Users(ctx, v, store.UserFilter{TenantID: e.TenantID, OrgCode: d.OrgCode, Page: pageOf(r, 50)})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	_, opts := depTree(ds)
	view, data := c.entView(r, e, "bent.department", "departments", f, which)
	view.Title = d.Name
	data["Department"], data["Options"], data["Users"], data["Next"] = d, opts, users, nextAt(entPath("departments", d.OrgCode), next)
	c.render(w, r, status, "enterprise_department", view)
}

func (c *Console) changeDepartment(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise) {
	f, ok := entForm(w, r)
	if !ok {
		c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
		return
	}
	name, parent := strings.TrimSpace(f.Get("dep_name")), f.Get("dep_parent")
	code := r.PathValue("code")
	_, err := c.svc.Enterprises.ChangeDepartment(r.Context(), v, e.TenantID, code, enterprise.DepartmentChange{Name: &name, ParentCode: &parent})
	if err != nil {
		if !formRefused(err) {
			c.fail(w, r, err)
			return
		}
		f.Failed(c.buyerLocale(r), err, map[string]string{"name": "dep_name", "parent_code": "dep_parent"})
		c.renderDepartment(w, r, v, e, http.StatusUnprocessableEntity, f, "change")
		return
	}
	c.done(w, r, "flash.dep_changed", entPath("departments", code))
}

// deleteDepartment deletes an empty department; one with users or sub-departments stays, and
// its page says why.
func (c *Console) deleteDepartment(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise) {
	code := r.PathValue("code")
	err := c.svc.Enterprises.DeleteDepartment(r.Context(), v, e.TenantID, code)
	switch {
	case err == nil:
		c.done(w, r, "flash.dep_deleted", "/my/enterprise/departments")
	case market.ErrorCode(err) == market.CodeConflict:
		f := &form{Errors: map[string]fieldErr{"form": {Key: "err.dep_not_empty", Detail: serviceDetail(err)}}}
		c.renderDepartment(w, r, v, e, http.StatusConflict, f, "delete")
	default:
		c.fail(w, r, err)
	}
}
