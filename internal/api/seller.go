package api

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
)

// The seller console's routes, /api/v1/seller/...: the merchant of the seller user's token is
// implied. The services decide what each role may do; the operator uses the /api/v1/ routes
// that name the merchant instead.

func (a *API) registerSeller(mux Mux) {
	mux.Handle("POST /api/v1/seller/login", http.HandlerFunc(a.sellerLogin))
	s := func(h handlerFunc) http.Handler { return a.auth(a.seller(h)) }
	mux.Handle("GET /api/v1/seller/users", s(a.listSellerUsers))
	mux.Handle("POST /api/v1/seller/users", s(a.createSellerUser))
	mux.Handle("PATCH /api/v1/seller/users/{id}", s(a.updateSellerUser))
	mux.Handle("POST /api/v1/seller/users/{id}/token", s(a.reissueSellerToken))
	mux.Handle("PUT /api/v1/seller/users/{id}/password", s(a.setSellerPassword))
	mux.Handle("GET /api/v1/seller/keys", s(a.listKeys))
	mux.Handle("POST /api/v1/seller/keys", s(a.issueKey))
	mux.Handle("DELETE /api/v1/seller/keys/{ak}", s(a.deleteKey))
	mux.Handle("POST /api/v1/seller/keys/rotate", s(a.rotateKey))
	mux.Handle("GET /api/v1/seller/notifications", s(a.listNotifications))
	mux.Handle("POST /api/v1/seller/notifications/{id}/read", s(a.readNotification))
	// What the existing routes serve for every role, narrowed to the seller's merchant by the
	// services: orders, instances, interface messages, usage, statements.
	for _, route := range []struct {
		pattern string
		h       handlerFunc
	}{
		{"GET /api/v1/seller/orders", a.listOrders}, {"GET /api/v1/seller/orders/{id}", a.getOrder},
		{"GET /api/v1/seller/instances", a.listInstances}, {"GET /api/v1/seller/instances/{key}", a.getInstance},
		{"GET /api/v1/seller/instances/{key}/usage", a.instanceUsage},
		{"GET /api/v1/seller/calls", a.listCalls}, {"GET /api/v1/seller/calls/{id}", a.getCall},
		{"POST /api/v1/seller/calls/{id}/restart", a.restartCall}, {"POST /api/v1/seller/calls/{id}/retry", a.retryCall},
		{"GET /api/v1/seller/statements", a.listStatements},
	} {
		mux.Handle(route.pattern, s(route.h))
	}
	a.registerSellerPublishing(mux, s)
	mux.Handle("POST /api/v1/merchants/{id}/users", a.auth(a.createSellerUser))
	mux.Handle("GET /api/v1/merchants/{id}/users", a.auth(a.listSellerUsers))
}

// seller refuses viewers other than seller users on the seller routes.
func (a *API) seller(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
		if v.Role != market.RoleSeller || v.MerchantID == "" {
			return market.Errorf(market.CodeForbidden, "/api/v1/seller/ is for seller users; the operator names the merchant under /api/v1/")
		}
		return h(w, r, v)
	}
}

// merchantOf is the merchant a route is about: the path's {id} on /api/v1/merchants/{id}/...,
// the seller's own on the seller routes.
func merchantOf(r *http.Request, v market.Viewer) string {
	if id := r.PathValue("id"); id != "" {
		return id
	}
	return v.MerchantID
}

type sellerUserView struct {
	ID         string            `json:"id"`
	MerchantID string            `json:"merchant_id"`
	Name       string            `json:"name"`
	Role       market.SellerRole `json:"role"`
	Disabled   bool              `json:"disabled"`
	CreatedBy  string            `json:"created_by"`
	CreatedAt  string            `json:"created_at"`
	Token      string            `json:"token,omitempty"` // only when it is issued
}

func viewSellerUser(u *market.SellerUser) sellerUserView {
	return sellerUserView{u.ID, u.MerchantID, u.Name, u.Role, u.Disabled, u.CreatedBy, ts(u.CreatedAt), ""}
}

// sellerLoginRequest signs a seller user in with its password.
type sellerLoginRequest struct {
	MerchantID string `json:"merchant_id"`
	Name       string `json:"name"`
	Password   string `json:"password"`
}

func (a *API) sellerLogin(w http.ResponseWriter, r *http.Request) {
	if !a.Limiter.Allow(r) {
		writeError(w, market.Errorf(market.CodeTooMany, "too many failed sign-ins from this address; wait a minute"))
		return
	}
	var req sellerLoginRequest
	if err := decode(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	u, token, err := a.Identity.Login(r.Context(), req.MerchantID, req.Name, req.Password)
	if err != nil {
		if market.ErrorCode(err) == market.CodeUnauthorized {
			a.Limiter.Failed(r)
		}
		a.fail(w, r, err)
		return
	}
	out := viewSellerUser(u)
	out.Token = token
	writeSecret(w, http.StatusOK, out)
}

func (a *API) listSellerUsers(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	us, err := a.Identity.SellerUsers(r.Context(), v, merchantOf(r, v))
	if err != nil {
		return err
	}
	out := views(us, viewSellerUser)
	writeJSON(w, http.StatusOK, map[string]any{"users": out})
	return nil
}

func (a *API) createSellerUser(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req identity.SellerUserRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	u, token, err := a.Identity.CreateSellerUser(r.Context(), v, merchantOf(r, v), req)
	if err != nil {
		return err
	}
	out := viewSellerUser(u)
	out.Token = token
	writeSecret(w, http.StatusCreated, out)
	return nil
}

func (a *API) updateSellerUser(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req identity.SellerUserUpdate
	if err := decode(w, r, &req); err != nil {
		return err
	}
	u, err := a.Identity.UpdateSellerUser(r.Context(), v, r.PathValue("id"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewSellerUser(u))
	return nil
}

func (a *API) reissueSellerToken(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	token, err := a.Identity.ReissueSellerToken(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeSecret(w, http.StatusCreated, map[string]string{"id": r.PathValue("id"), "token": token})
	return nil
}

func (a *API) setSellerPassword(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req identity.PasswordChange
	if err := decode(w, r, &req); err != nil {
		return err
	}
	return noContent(w, a.Identity.SetSellerPassword(r.Context(), v, r.PathValue("id"), req))
}

// apiKeyView is an AK/SK pair as listed: the SK is shown once, when issued.
type apiKeyView struct {
	AK        string `json:"ak"`
	CreatedAt string `json:"created_at"`
}

func (a *API) listKeys(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	keys, err := a.Catalog.APIKeys(r.Context(), v, v.MerchantID)
	if err != nil {
		return err
	}
	out := []apiKeyView{}
	for _, k := range keys {
		out = append(out, apiKeyView{k.AK, ts(k.CreatedAt)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": out})
	return nil
}

func (a *API) deleteKey(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	return noContent(w, a.Catalog.DeleteAPIKey(r.Context(), v, v.MerchantID, r.PathValue("ak")))
}

// rotateKeyRequest names the interface type whose key is rotated: basic or kit.
type rotateKeyRequest struct {
	Interface string `json:"interface"`
}

func (a *API) rotateKey(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req rotateKeyRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	key, err := a.Catalog.RotateKey(r.Context(), v, v.MerchantID, req.Interface)
	if err != nil {
		return err
	}
	writeSecret(w, http.StatusCreated, map[string]string{"interface": req.Interface, "key": key})
	return nil
}

type notificationView struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	Subject   string `json:"subject,omitempty"`
	Text      string `json:"text"`
	CreatedAt string `json:"created_at"`
	ReadAt    string `json:"read_at,omitempty"`
}

func (a *API) listNotifications(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	q := query(r)
	page, err := q.page()
	if err != nil {
		return err
	}
	unread, err := enum(q, "unread", "true", "false")
	if err != nil {
		return err
	}
	ns, next, err := a.Notify.List(r.Context(), v, "", unread == "true", page)
	if err != nil {
		return err
	}
	out := make([]notificationView, len(ns))
	for i, n := range ns {
		out[i] = notificationView{n.ID, n.Kind, n.Subject, n.Text, ts(n.CreatedAt), ts(n.ReadAt)}
	}
	writeList(w, r, "notifications", out, next)
	return nil
}

func (a *API) readNotification(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	return noContent(w, a.Notify.MarkRead(r.Context(), v, r.PathValue("id")))
}
