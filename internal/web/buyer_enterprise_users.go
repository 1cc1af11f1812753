package web

import (
	"net/http"
	"strings"

	"github.com/mercato-oss/mercato/internal/enterprise"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// The enterprise's users: the list (by department), adding one, a user's page (change, delete).

// userFields maps the enterprise service's user fields to the user forms' (for one user added,
// the service names them users[0].…).
func userFields() map[string]string {
	m := map[string]string{"users": "form"}
	for _, f := range []string{"user_name", "name", "email", "mobile", "org_code", "role", "password"} {
		m[f] = "usr_" + f
		m["users[0]."+f] = "usr_" + f
	}
	return m
}

func (c *Console) entUsers(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise) {
	c.renderUsers(w, r, v, e, http.StatusOK, nil, "")
}

func (c *Console) renderUsers(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise, status int, f *form, which string) {
	ctx := r.Context()
	org := r.URL.Query().Get("org")
	users, next, err := c.svc.Enterprises.Users(ctx, v, store.UserFilter{TenantID: e.TenantID, OrgCode: org, Page: pageOf(r, 50)})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	ds, err := c.svc.Enterprises.Departments(ctx, v, e.TenantID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	_, opts := depTree(ds)
	view, data := c.entView(r, e, "bent.users", "users", f, which)
	data["Users"], data["Next"], data["Options"], data["Org"] = users, nextLink(r, next), opts, org
	data["Names"] = depNames(opts)
	c.render(w, r, status, "enterprise_users", view)
}

// depNames maps a department's code to its path, for the user tables.
func depNames(opts []depOption) map[string]string {
	m := make(map[string]string, len(opts))
	for _, o := range opts {
		m[o.Code] = o.Label
	}
	return m
}

func (c *Console) addUser(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise) {
	f, ok := entForm(w, r)
	if !ok {
		c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
		return
	}
	enabled := f.Get("usr_enabled") != ""
	u := enterprise.UserRequest{UserName: strings.TrimSpace(f.Get("usr_user_name")), Name: strings.TrimSpace(f.Get("usr_name")),
		Email: strings.TrimSpace(f.Get("usr_email")), Mobile: strings.TrimSpace(f.Get("usr_mobile")), OrgCode: f.Get("usr_org_code"),
		Role: f.Get("usr_role"), Enabled: &enabled, Position: strings.TrimSpace(f.Get("usr_position")),
		EmployeeCode: strings.TrimSpace(f.Get("usr_employee_code")), Password: f.Get("usr_password")}
	if _, err := c.svc.Enterprises.AddUsers(r.Context(), v, e.TenantID, []enterprise.UserRequest{u}); err != nil {
		if !formRefused(err) {
			c.fail(w, r, err)
			return
		}
		f.Failed(c.buyerLocale(r), err, userFields())
		c.renderUsers(w, r, v, e, http.StatusUnprocessableEntity, f, "add")
		return
	}
	c.done(w, r, "flash.usr_added", "/my/enterprise/users")
}

func (c *Console) entUserPage(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise) {
	c.renderUser(w, r, v, e, http.StatusOK, nil, "")
}

func (c *Console) renderUser(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise, status int, f *form, which string) {
	ctx := r.Context()
	u, err := c.svc.Enterprises.User(ctx, v, e.TenantID, r.PathValue("name"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	ds, err := c.svc.Enterprises.Departments(ctx, v, e.TenantID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	_, opts := depTree(ds)
	view, data := c.entView(r, e, "bent.user", "users", f, which)
	view.Title = u.UserName
	data["User"], data["Options"], data["Names"] = u, opts, depNames(opts)
	c.render(w, r, status, "enterprise_user", view)
}

func (c *Console) changeUser(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise) {
	f, ok := entForm(w, r)
	if !ok {
		c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
		return
	}
	field := func(name string) *string { s := strings.TrimSpace(f.Get(name)); return &s }
	enabled := f.Get("usr_enabled") != ""
	ch := enterprise.UserChange{Name: field("usr_name"), Email: field("usr_email"), Mobile: field("usr_mobile"), OrgCode: field("usr_org_code"),
		Role: field("usr_role"), Enabled: &enabled, Position: field("usr_position"), EmployeeCode: field("usr_employee_code")}
	if pw := f.Get("usr_password"); pw != "" {
		ch.Password = &pw
	}
	name := r.PathValue("name")
	if _, err := c.svc.Enterprises.ChangeUser(r.Context(), v, e.TenantID, name, ch); err != nil {
		if !formRefused(err) {
			c.fail(w, r, err)
			return
		}
		f.Failed(c.buyerLocale(r), err, userFields())
		c.renderUser(w, r, v, e, http.StatusUnprocessableEntity, f, "change")
		return
	}
	c.done(w, r, "flash.usr_changed", entPath("users", name))
}

func (c *Console) deleteUser(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise) {
	if err := c.svc.Enterprises.DeleteUser(r.Context(), v, e.TenantID, r.PathValue("name")); err != nil {
		c.fail(w, r, err)
		return
	}
	c.done(w, r, "flash.usr_deleted", "/my/enterprise/users")
}
