package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/mercato-oss/mercato/internal/enterprise"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// The instances bound to the enterprise, their applications, and the users authorized on each.

func (c *Console) registerEnterpriseApps(mux *http.ServeMux) {
	mux.Handle("GET /my/enterprise/bindings", c.buyerRoute(c.withEnterprise(c.bindings)))
	mux.Handle("POST /my/enterprise/bindings", c.buyerRoute(c.withEnterprise(c.bind)))
	mux.Handle("POST /my/enterprise/bindings/{key}/unbind", c.buyerRoute(c.withEnterprise(c.unbind)))
	mux.Handle("POST /my/enterprise/bindings/{key}/apps", c.buyerRoute(c.withEnterprise(c.createApp)))
	mux.Handle("POST /my/enterprise/bindings/{key}/apps/{app}/delete", c.buyerRoute(c.withEnterprise(c.deleteApp)))
	mux.Handle("GET /my/enterprise/apps/{app}", c.buyerRoute(c.withEnterprise(c.appPage)))
	mux.Handle("POST /my/enterprise/apps/{app}/authorize", c.buyerRoute(c.withEnterprise(c.authorize)))
}

// boundView is a binding with its applications.
type boundView struct {
	*market.Binding
	Apps []*market.TenantApp
}

func (c *Console) bindings(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise) {
	c.renderBindings(w, r, v, e, http.StatusOK, nil, "")
}

// renderBindings renders the bindings page; which names the failed form (bind, or app:KEY).
func (c *Console) renderBindings(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise, status int, f *form, which string) {
	ctx := r.Context()
	bs, err := c.svc.Enterprises.Bindings(ctx, v, e.TenantID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	apps, err := c.svc.Enterprises.Apps(ctx, v, e.TenantID, "")
	if err != nil {
		c.fail(w, r, err)
		return
	}
	var bound []boundView
	var unbound []*market.Binding
	taken := map[string]bool{}
	for _, b := range bs {
		if b.State != market.BindingBound {
			unbound = append(unbound, b)
			continue
		}
		taken[b.InstanceKey] = true
		bv := boundView{Binding: b}
		for _, a := range apps {
			if a.InstanceKey == b.InstanceKey && !a.Deleted {
				bv.Apps = append(bv.Apps, a)
			}
		}
		bound = append(bound, bv)
	}
	// The bind form offers the buyer's active instances that are not bound; the service decides
	// which of them are joint-operation products.
	ins, _, err := c.svc.Orders.Instances(ctx, v, store.InstanceFilter{State: market.InstanceActive, Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	ins = slices.DeleteFunc(ins, func(in *market.Instance) bool { return taken[in.Key] })
	view, data := c.entView(r, e, "bent.bindings", "bindings", f, which)
	data["Bound"], data["Unbound"], data["Instances"] = bound, unbound, ins
	data["Preset"] = r.URL.Query().Get("instance")
	c.render(w, r, status, "enterprise_bindings", view)
}

func (c *Console) bind(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise) {
	f, ok := entForm(w, r)
	if !ok {
		c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
		return
	}
	if _, err := c.svc.Enterprises.Bind(r.Context(), v, e.TenantID, f.Get("bind_instance")); err != nil {
		if !formRefused(err) {
			c.fail(w, r, err)
			return
		}
		f.Failed(c.buyerLocale(r), err, map[string]string{"instance_key": "bind_instance", "": "bind_instance"})
		c.renderBindings(w, r, v, e, http.StatusUnprocessableEntity, f, "bind")
		return
	}
	c.done(w, r, "flash.ent_bound", "/my/enterprise/bindings")
}

func (c *Console) unbind(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise) {
	if err := c.svc.Enterprises.Unbind(r.Context(), v, e.TenantID, r.PathValue("key")); err != nil {
		c.fail(w, r, err)
		return
	}
	c.done(w, r, "flash.ent_unbound", "/my/enterprise/bindings")
}

func (c *Console) createApp(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise) {
	f, ok := entForm(w, r)
	if !ok {
		c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
		return
	}
	key := r.PathValue("key")
	a, err := c.svc.Enterprises.CreateApp(r.Context(), v, e.TenantID, key, enterprise.AppRequest{Name: strings.TrimSpace(f.Get("app_name"))})
	if err != nil {
		if !formRefused(err) {
			c.fail(w, r, err)
			return
		}
		f.Failed(c.buyerLocale(r), err, map[string]string{"name": "app_name"})
		c.renderBindings(w, r, v, e, http.StatusUnprocessableEntity, f, "app:"+key)
		return
	}
	c.done(w, r, "flash.app_created", entPath("apps", a.AppID))
}

func (c *Console) deleteApp(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise) {
	if err := c.svc.Enterprises.DeleteApp(r.Context(), v, e.TenantID, r.PathValue("key"), r.PathValue("app")); err != nil {
		c.fail(w, r, err)
		return
	}
	c.done(w, r, "flash.app_deleted", "/my/enterprise/bindings")
}

// appOf is one of the enterprise's applications (not deleted), or not found.
func (c *Console) appOf(r *http.Request, v market.Viewer, e *market.Enterprise) (*market.TenantApp, error) {
	apps, err := c.svc.Enterprises.Apps(r.Context(), v, e.TenantID, "")
	if err != nil {
		return nil, err
	}
	for _, a := range apps {
		if a.AppID == r.PathValue("app") && !a.Deleted {
			return a, nil
		}
	}
	return nil, market.Errorf(market.CodeNotFound, "application %s not found", r.PathValue("app"))
}

func (c *Console) appPage(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise) {
	c.renderApp(w, r, v, e, http.StatusOK, nil, "")
}

// renderApp renders an application: its authorized users (each with a cancel button) and the
// enterprise's other users to authorize.
func (c *Console) renderApp(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise, status int, f *form, which string) {
	ctx := r.Context()
	a, err := c.appOf(r, v, e)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	authorized, _, err := c.svc.Enterprises.AuthorizedUsers(ctx, v, e.TenantID, a.AppID, store.Page{Limit: store.MaxLimit})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	users, next, err := c.svc.Enterprises.Users(ctx, v, store.UserFilter{TenantID: e.TenantID, Page: pageOf(r, 100)})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	users = slices.DeleteFunc(users, func(u *market.EnterpriseUser) bool { return slices.Contains(authorized, u.UserName) })
	view, data := c.entView(r, e, "bent.app", "bindings", f, which)
	view.Title = a.Name
	data["App"], data["Authorized"], data["Users"], data["Next"] = a, authorized, users, nextAt(entPath("apps", a.AppID), next)
	data["Checked"] = map[string]bool{}
	if f != nil {
		checked := map[string]bool{}
		for _, n := range f.Values["auth_add"] {
			checked[n] = true
		}
		data["Checked"] = checked
	}
	c.render(w, r, status, "enterprise_app", view)
}

// authorize authorizes the checked users (auth_add) or cancels one user's authorization
// (auth_cancel), through the service's authorization change.
func (c *Console) authorize(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise) {
	f, ok := entForm(w, r)
	if !ok {
		c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
		return
	}
	a, err := c.appOf(r, v, e)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	add, cancel := f.Values["auth_add"], f.Values["auth_cancel"]
	res, err := c.svc.Enterprises.Authorize(r.Context(), v, e.TenantID, enterprise.AuthRequest{InstanceKey: a.InstanceKey, AppID: a.AppID, Add: add, Cancel: cancel})
	if err != nil {
		if !formRefused(err) {
			c.fail(w, r, err)
			return
		}
		fields := map[string]string{"add": "auth_add", "app_id": "form", "instance_key": "form"}
		for i := range add {
			fields[fmt.Sprintf("add[%d]", i)] = "auth_add"
		}
		for i := range cancel {
			fields[fmt.Sprintf("cancel[%d]", i)] = "auth_add"
		}
		f.Failed(c.buyerLocale(r), err, fields)
		c.renderApp(w, r, v, e, http.StatusUnprocessableEntity, f, "authorize")
		return
	}
	flash := "flash.auth_added"
	if res.Cancelled > 0 {
		flash = "flash.auth_cancelled"
	}
	c.done(w, r, flash, entPath("apps", a.AppID))
}
