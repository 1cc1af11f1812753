package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/mercato-oss/mercato/internal/enterprise"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// The buyer's enterprise administration for joint-operation purchases (联营, docs/joint-operation.md):
// the buyer's enterprise (a buyer administers at most one, so its pages need no tenant in the
// path), its departments and users, the instances bound to it with their applications and
// authorizations, and the kit syncs with their retry — through the enterprise service, as
// /api/v1/enterprises/{tid}/… does.

func (c *Console) registerEnterprise(mux *http.ServeMux) {
	mux.Handle("GET /my/enterprise", c.buyerRoute(c.enterprisePage))
	mux.Handle("POST /my/enterprise", c.buyerRoute(c.createEnterprise))
	mux.Handle("POST /my/enterprise/rename", c.buyerRoute(c.withEnterprise(c.renameEnterprise)))
	mux.Handle("GET /my/enterprise/syncs", c.buyerRoute(c.withEnterprise(c.syncs)))
	mux.Handle("POST /my/enterprise/syncs/{id}/retry", c.buyerRoute(c.withEnterprise(c.retrySync)))
	c.registerEnterpriseOrg(mux)
	c.registerEnterpriseApps(mux)
}

// entHandler is an enterprise page's handler, given the buyer's enterprise.
type entHandler func(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise)

// myEnterprise is the enterprise v administers, or nil.
func (c *Console) myEnterprise(ctx context.Context, v market.Viewer) (*market.Enterprise, error) {
	list, _, err := c.svc.Enterprises.Enterprises(ctx, v, store.Page{Limit: 1})
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return list[0], nil
}

// withEnterprise runs h with the buyer's enterprise; a buyer without one goes to the page that
// creates it.
func (c *Console) withEnterprise(h entHandler) viewerHandler {
	return func(w http.ResponseWriter, r *http.Request, v market.Viewer) {
		e, err := c.myEnterprise(r.Context(), v)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		if e == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/my/enterprise", http.StatusSeeOther)
				return
			}
			c.notFound(w, r)
			return
		}
		h(w, r, v, e)
	}
}

// entView starts an enterprise page: tab is its entry in the enterprise's tabs.
func (c *Console) entView(r *http.Request, e *market.Enterprise, titleKey, tab string, f *form, which string) (*view, map[string]any) {
	view := c.newView(r, titleKey)
	view.Nav = "enterprise"
	view.Form = f
	if e != nil {
		view.Title = e.Name
	}
	data := map[string]any{"Enterprise": e, "Tab": tab, "Which": which}
	view.Data = data
	return view, data
}

// entForm parses a small enterprise form.
func entForm(w http.ResponseWriter, r *http.Request) (*form, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return nil, false
	}
	return newForm(r), true
}

// done ends a successful change: a flash and back to a page.
func (c *Console) done(w http.ResponseWriter, r *http.Request, flash, to string) {
	c.flash(r.Context(), flash)
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func (c *Console) enterprisePage(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	e, err := c.myEnterprise(r.Context(), v)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.renderEnterprise(w, r, v, e, http.StatusOK, nil, "")
}

// renderEnterprise renders the enterprise's overview, or the form that creates it.
func (c *Console) renderEnterprise(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise, status int, f *form, which string) {
	view, data := c.entView(r, e, "bent.title", "overview", f, which)
	if e != nil {
		ctx := r.Context()
		ds, err := c.svc.Enterprises.Departments(ctx, v, e.TenantID)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		bs, err := c.svc.Enterprises.Bindings(ctx, v, e.TenantID)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		bound := 0
		for _, b := range bs {
			if b.State == market.BindingBound {
				bound++
			}
		}
		data["Departments"] = len(ds)
		data["Bound"] = bound
	}
	c.render(w, r, status, "enterprise", view)
}

func (c *Console) createEnterprise(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	f, ok := entForm(w, r)
	if !ok {
		c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
		return
	}
	_, err := c.svc.Enterprises.CreateEnterprise(r.Context(), v, enterprise.EnterpriseRequest{Name: strings.TrimSpace(f.Get("ent_name")),
		TenantCode: strings.TrimSpace(f.Get("ent_code"))})
	if err != nil {
		if !formRefused(err) {
			c.fail(w, r, err)
			return
		}
		f.Failed(c.buyerLocale(r), err, map[string]string{"name": "ent_name", "tenant_code": "ent_code", "admin_id": "form"})
		e, _ := c.myEnterprise(r.Context(), v)
		c.renderEnterprise(w, r, v, e, http.StatusUnprocessableEntity, f, "create")
		return
	}
	c.done(w, r, "flash.ent_created", "/my/enterprise")
}

func (c *Console) renameEnterprise(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise) {
	f, ok := entForm(w, r)
	if !ok {
		c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
		return
	}
	if _, err := c.svc.Enterprises.RenameEnterprise(r.Context(), v, e.TenantID, strings.TrimSpace(f.Get("ren_name"))); err != nil {
		if !formRefused(err) {
			c.fail(w, r, err)
			return
		}
		f.Failed(c.buyerLocale(r), err, map[string]string{"name": "ren_name"})
		c.renderEnterprise(w, r, v, e, http.StatusUnprocessableEntity, f, "rename")
		return
	}
	c.done(w, r, "flash.ent_renamed", "/my/enterprise")
}

func (c *Console) syncs(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise) {
	list, next, err := c.svc.Enterprises.Syncs(r.Context(), v, store.SyncFilter{TenantID: e.TenantID, InstanceKey: r.URL.Query().Get("instance"), Page: pageOf(r, 50)})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view, data := c.entView(r, e, "bent.syncs", "syncs", nil, "")
	data["Syncs"] = list
	data["Next"] = nextLink(r, next)
	c.render(w, r, http.StatusOK, "enterprise_syncs", view)
}

// retrySync retries a failed sync (or sends a pending one now); one that waits for the syncs
// before it, or succeeded, cannot be, which the page says.
func (c *Console) retrySync(w http.ResponseWriter, r *http.Request, v market.Viewer, e *market.Enterprise) {
	_, err := c.svc.Enterprises.RetrySync(r.Context(), v, e.TenantID, r.PathValue("id"))
	switch {
	case err == nil:
		c.done(w, r, "flash.ent_sync_retried", "/my/enterprise/syncs")
	case market.ErrorCode(err) == market.CodeConflict:
		c.done(w, r, "flash.ent_sync_not_retried", "/my/enterprise/syncs")
	default:
		c.fail(w, r, err)
	}
}

// entPath is a path under the enterprise's pages with one escaped element.
func entPath(prefix, elem string) string {
	return "/my/enterprise/" + prefix + "/" + url.PathEscape(elem)
}

// nextAt is the next page's link of a list on the page at path: a page rendered as a form's
// answer is not at the form's address.
func nextAt(path string, next store.Cursor) string {
	if next.IsZero() {
		return ""
	}
	return path + "?" + url.Values{"after": {next.String()}}.Encode()
}
