package web

import (
	"net/http"
	"strings"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
)

// The merchant's account: keys (rotating one shows the new secret once, on the answer to the
// rotation itself, never stored in the session), sub-users, and the message centre.

func (c *Console) registerSellerAccount(mux *http.ServeMux) {
	mux.Handle("GET /seller/keys", c.sellerRoute(c.sellerKeys))
	mux.Handle("POST /seller/keys/rotate", c.sellerRoute(c.sellerRotateKey))
	mux.Handle("POST /seller/keys", c.sellerRoute(c.sellerIssueKey))
	mux.Handle("POST /seller/keys/{ak}/delete", c.sellerRoute(c.sellerDeleteKey))
	mux.Handle("GET /seller/users", c.sellerRoute(c.sellerUsers))
	mux.Handle("POST /seller/users", c.sellerRoute(c.sellerCreateUser))
	mux.Handle("POST /seller/users/{id}", c.sellerRoute(c.sellerUpdateUser))
	mux.Handle("POST /seller/password", c.sellerRoute(c.sellerPassword))
	mux.Handle("GET /seller/messages", c.sellerRoute(c.sellerMessages))
	mux.Handle("POST /seller/messages/{id}/read", c.sellerRoute(c.sellerReadMessage))
}

func (c *Console) sellerKeys(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.renderSellerKeys(w, r, v, "", "", nil)
}

// renderSellerKeys renders the keys page; iface and secret are a key just rotated, issued an
// AK/SK pair just issued (each shown this once).
func (c *Console) renderSellerKeys(w http.ResponseWriter, r *http.Request, v market.Viewer, iface, secret string, issued *market.APIKey) {
	keys, err := c.svc.Catalog.APIKeys(r.Context(), v, v.MerchantID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "seller.keys.title")
	view.Nav = "seller/keys"
	view.Data = map[string]any{"Keys": keys, "Interface": iface, "Secret": secret, "Issued": issued, "Admin": v.SellerRole == market.SellerAdmin || v.SellerRole == ""}
	w.Header().Set("Cache-Control", "no-store")
	c.render(w, r, http.StatusOK, "seller_keys", view)
}

func (c *Console) sellerRotateKey(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.sellerParse(w, r, 4<<10) {
		return
	}
	iface := r.PostForm.Get("interface")
	if iface != catalog.InterfaceBasic && iface != catalog.InterfaceKit {
		c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
		return
	}
	secret, err := c.svc.Catalog.RotateKey(r.Context(), v, v.MerchantID, iface)
	if err != nil {
		c.sellerRefused(w, r, err, "/seller/keys")
		return
	}
	c.renderSellerKeys(w, r, v, iface, secret, nil)
}

// sellerIssueKey issues an AK/SK pair for the open API; the SK is shown once.
func (c *Console) sellerIssueKey(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	k, err := c.svc.Catalog.IssueKey(r.Context(), v, v.MerchantID)
	if err != nil {
		c.sellerRefused(w, r, err, "/seller/keys")
		return
	}
	c.renderSellerKeys(w, r, v, "", "", k)
}

// sellerDeleteKey revokes an AK/SK pair (the service keeps the merchant's last one).
func (c *Console) sellerDeleteKey(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if err := c.svc.Catalog.DeleteAPIKey(r.Context(), v, v.MerchantID, r.PathValue("ak")); err != nil {
		c.sellerRefused(w, r, err, "/seller/keys")
		return
	}
	c.sellerDone(w, r, "seller.flash.key_deleted", "/seller/keys")
}

func (c *Console) sellerUsers(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.renderSellerUsers(w, r, v, http.StatusOK, nil, nil, "")
}

// renderSellerUsers renders the users page; f is a creation that failed, created and token a
// user just created with its token (shown once).
func (c *Console) renderSellerUsers(w http.ResponseWriter, r *http.Request, v market.Viewer, status int, f *form, created *market.SellerUser, token string) {
	users, err := c.svc.Identity.SellerUsers(r.Context(), v, v.MerchantID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "seller.users.title")
	view.Nav = "seller/users"
	view.Form = f
	view.Data = map[string]any{"Users": users, "Created": created, "Token": token, "Admin": v.SellerRole == market.SellerAdmin || v.SellerRole == "",
		"Roles": []market.SellerRole{market.SellerAdmin, market.SellerOperations, market.SellerFinance}}
	w.Header().Set("Cache-Control", "no-store")
	c.render(w, r, status, "seller_users", view)
}

// sellerPassword changes the signed-in user's own password (with the current one).
func (c *Console) sellerPassword(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.sellerParse(w, r, 8<<10) {
		return
	}
	f := newForm(r)
	err := c.svc.Identity.SetSellerPassword(r.Context(), v, v.UserID, identity.PasswordChange{Current: f.Get("current"), Password: f.Get("new_password")})
	if err != nil {
		if market.ErrorCode(err) != market.CodeInvalid {
			c.fail(w, r, err)
			return
		}
		f.Values.Del("current")
		f.Values.Del("new_password")
		f.Failed(c.sellerLocale(r), err, map[string]string{"current": "seller_current", "password": "seller_new_password"})
		c.renderSellerUsers(w, r, v, http.StatusUnprocessableEntity, f, nil, "")
		return
	}
	c.sellerDone(w, r, "seller.flash.password_changed", "/seller/users")
}

func (c *Console) sellerCreateUser(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.sellerParse(w, r, 16<<10) {
		return
	}
	f := newForm(r)
	u, token, err := c.svc.Identity.CreateSellerUser(r.Context(), v, v.MerchantID, identity.SellerUserRequest{
		Name: strings.TrimSpace(f.Get("name")), Role: market.SellerRole(f.Get("role")), Password: f.Get("password")})
	if err != nil {
		if code := market.ErrorCode(err); code != market.CodeInvalid && code != market.CodeConflict {
			c.fail(w, r, err)
			return
		}
		f.Values.Del("password")
		f.Failed(c.sellerLocale(r), err, map[string]string{"name": "seller_name", "role": "seller_role", "password": "seller_password"})
		c.renderSellerUsers(w, r, v, http.StatusUnprocessableEntity, f, nil, "")
		return
	}
	c.renderSellerUsers(w, r, v, http.StatusCreated, nil, u, token)
}

func (c *Console) sellerMessages(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	unread := r.URL.Query().Get("unread") == "true"
	list, next, err := c.svc.Notify.List(r.Context(), v, "", unread, pageOf(r, 20))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "seller.messages.title")
	view.Nav = "seller/messages"
	view.Data = map[string]any{"Messages": list, "Next": nextLink(r, next), "Unread": unread}
	c.render(w, r, http.StatusOK, "seller_messages", view)
}

func (c *Console) sellerReadMessage(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if err := c.svc.Notify.MarkRead(r.Context(), v, r.PathValue("id")); err != nil {
		c.sellerRefused(w, r, err, "/seller/messages")
		return
	}
	c.sellerDone(w, r, "", "/seller/messages")
}

// sellerUpdateUser changes a user's role, or disables or enables it (an admin cannot demote or
// disable itself: the service refuses, and the page says so).
func (c *Console) sellerUpdateUser(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.sellerParse(w, r, 4<<10) {
		return
	}
	var u identity.SellerUserUpdate
	if role := market.SellerRole(r.PostForm.Get("role")); role != "" {
		u.Role = &role
	}
	if d := r.PostForm.Get("disabled"); d != "" {
		disabled := d == "true"
		u.Disabled = &disabled
	}
	if _, err := c.svc.Identity.UpdateSellerUser(r.Context(), v, r.PathValue("id"), u); err != nil {
		c.sellerRefused(w, r, err, "/seller/users")
		return
	}
	c.sellerDone(w, r, "seller.flash.user_updated", "/seller/users")
}
