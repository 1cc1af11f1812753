package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/mercato-oss/mercato/internal/enterprise"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Joint operation (联营): the enterprises every buyer administers, each one's kit-sync log with
// the retry its administrator has, the notices of failed syncs to merchants, and on a merchant's
// page its kit key (the RSA public key client secrets are encrypted with, and the SSO redirect
// URIs) and a test credential. The enterprise service decides, as for /api/v1/enterprises,
// /api/v1/kit-notices and /api/v1/merchants/{id}/kit-key.

func (c *Console) registerOperatorJoint(mux *http.ServeMux) {
	mux.Handle("GET /operator/enterprises", c.operatorRoute(c.operatorEnterprises))
	mux.Handle("GET /operator/enterprises/{tid}", c.operatorRoute(c.operatorEnterprise))
	mux.Handle("POST /operator/enterprises/{tid}/syncs/{id}/retry", c.operatorRoute(c.operatorRetrySync))
	mux.Handle("GET /operator/kit-notices", c.operatorRoute(c.operatorKitNotices))
	mux.Handle("POST /operator/merchants/{id}/kit-key", c.operatorRoute(c.operatorPutKitKey))
	mux.Handle("POST /operator/merchants/{id}/test-credentials", c.operatorRoute(c.operatorTestCredential))
}

func (c *Console) operatorEnterprises(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	list, next, err := c.svc.Enterprises.Enterprises(r.Context(), v, pageOf(r, 30))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "op.ent.title")
	view.Nav = "op-enterprises"
	view.Data = map[string]any{"Enterprises": list, "Next": nextLink(r, next)}
	c.render(w, r, http.StatusOK, "operator_enterprises", view)
}

// operatorEnterprise is an enterprise with its departments, users (the first 50), bound instances,
// applications and kit syncs (by instance); the administrator changes them, the operator reads.
func (c *Console) operatorEnterprise(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	ctx := r.Context()
	e, err := c.svc.Enterprises.Enterprise(ctx, v, r.PathValue("tid"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	bindings, err := c.svc.Enterprises.Bindings(ctx, v, e.TenantID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	deps, err := c.svc.Enterprises.Departments(ctx, v, e.TenantID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	users, moreUsers, err := c.svc.Enterprises.Users(ctx, v, store.UserFilter{TenantID: e.TenantID, Page: store.Page{Limit: 50}})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	apps, err := c.svc.Enterprises.Apps(ctx, v, e.TenantID, "")
	if err != nil {
		c.fail(w, r, err)
		return
	}
	instance := r.URL.Query().Get("instance")
	syncs, next, err := c.svc.Enterprises.Syncs(ctx, v, store.SyncFilter{TenantID: e.TenantID, InstanceKey: instance, Page: pageOf(r, 50)})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "op.ent.one")
	view.Title = e.Name
	view.Nav = "op-enterprises"
	view.Data = map[string]any{"E": e, "Bindings": bindings, "Syncs": syncs, "Next": nextLink(r, next), "Instance": instance,
		"Departments": deps, "Users": users, "MoreUsers": !moreUsers.IsZero(), "Apps": apps}
	c.render(w, r, http.StatusOK, "operator_enterprise", view)
}

// operatorRetrySync retries a failed sync (or sends a pending one now); one that waits for the
// syncs before it, or succeeded, cannot be, which the flash says.
func (c *Console) operatorRetrySync(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	tid := r.PathValue("tid")
	back := "/operator/enterprises/" + url.PathEscape(tid)
	_, err := c.svc.Enterprises.RetrySync(r.Context(), v, tid, r.PathValue("id"))
	switch {
	case err == nil:
		c.backTo(w, r, back, "op.flash.sync_retried")
	case market.ErrorCode(err) == market.CodeConflict:
		c.backTo(w, r, back, "op.flash.sync_not_retried")
	default:
		c.fail(w, r, err)
	}
}

func (c *Console) operatorKitNotices(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	merchant := r.URL.Query().Get("merchant")
	list, next, err := c.svc.Enterprises.Notices(r.Context(), v, merchant, pageOf(r, 50))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "op.notices.title")
	view.Nav = "op-notices"
	view.Data = map[string]any{"Notices": list, "Next": nextLink(r, next), "Merchant": merchant}
	c.render(w, r, http.StatusOK, "operator_kit_notices", view)
}

// operatorKitKey is a merchant's kit key, nil when none is uploaded yet.
func (c *Console) operatorKitKey(r *http.Request, v market.Viewer, merchantID string) (*market.KitKey, error) {
	k, err := c.svc.Enterprises.KitKey(r.Context(), v, merchantID)
	if market.ErrorCode(err) == market.CodeNotFound {
		return nil, nil
	}
	return k, err
}

// operatorPutKitKey uploads a merchant's kit key and redirect URIs (one a line).
func (c *Console) operatorPutKitKey(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	f := opForm(r)
	var uris []string
	for _, l := range strings.Split(f.Get("redirect_uris"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			uris = append(uris, l)
		}
	}
	_, err := c.svc.Enterprises.PutKitKey(r.Context(), v, r.PathValue("id"), enterprise.KitKeyRequest{PublicKey: strings.TrimSpace(f.Get("public_key")), RedirectURIs: uris})
	if err != nil {
		if market.ErrorCode(err) != market.CodeInvalid {
			c.fail(w, r, err)
			return
		}
		c.opFailed(r, f, err, map[string]string{"public_key": "public_key", "redirect_uris": "redirect_uris"})
		c.renderMerchant(w, r, v, http.StatusUnprocessableEntity, f, nil)
		return
	}
	c.backTo(w, r, "/operator/merchants/"+url.PathEscape(r.PathValue("id")), "op.flash.kit_key_saved")
}

// operatorTestCredential makes a test enterprise for the merchant; its administrator's password
// is shown this once.
func (c *Console) operatorTestCredential(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	cred, err := c.svc.Enterprises.CreateTestCredential(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.renderMerchant(w, r, v, http.StatusCreated, &form{Errors: map[string]fieldErr{}, Prefix: "f-"}, []Setting{
		{Name: "op.testcred.tenant_id", Value: cred.TenantID}, {Name: "op.testcred.tenant_code", Value: cred.TenantCode},
		{Name: "op.testcred.domain", Value: cred.DomainName}, {Name: "op.testcred.instance_key", Value: cred.InstanceKey},
		{Name: "op.testcred.app_id", Value: cred.AppID}, {Name: "op.testcred.client_id", Value: cred.ClientID},
		{Name: "op.testcred.user_name", Value: cred.UserName}, {Name: "op.testcred.password", Value: cred.Password}})
}
