package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Merchants and buyers: lists, details, creation (the new merchant's keys and the new buyer's
// token are shown once, on the answer page, as the JSON API answers them once), and a buyer's
// top-up (a payment received: billing.TopUp).

func (c *Console) registerOperatorParties(mux *http.ServeMux) {
	mux.Handle("GET /operator/merchants", c.operatorRoute(c.operatorMerchants))
	mux.Handle("POST /operator/merchants", c.operatorRoute(c.operatorCreateMerchant))
	mux.Handle("GET /operator/merchants/{id}", c.operatorRoute(c.operatorMerchant))
	mux.Handle("GET /operator/buyers", c.operatorRoute(c.operatorBuyers))
	mux.Handle("POST /operator/buyers", c.operatorRoute(c.operatorCreateBuyer))
	mux.Handle("GET /operator/buyers/{id}", c.operatorRoute(c.operatorBuyer))
	mux.Handle("POST /operator/buyers/{id}/topup", c.operatorRoute(c.operatorTopUp))
}

func (c *Console) operatorMerchants(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.renderMerchants(w, r, v, http.StatusOK, opForm(r), nil)
}

func (c *Console) renderMerchants(w http.ResponseWriter, r *http.Request, v market.Viewer, status int, f *form, created *catalog.NewMerchant) {
	list, next, err := c.svc.Catalog.Merchants(r.Context(), v, pageOf(r, 30))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "op.merchants.title")
	view.Nav = "op-merchants"
	view.Form = f
	view.Data = map[string]any{"Merchants": list, "Next": nextLink(r, next), "Created": created}
	if created != nil {
		w.Header().Set("Cache-Control", "no-store") // the keys are on this page
	}
	c.render(w, r, status, "operator_merchants", view)
}

func (c *Console) operatorCreateMerchant(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	f := opForm(r)
	req := catalog.MerchantRequest{ID: strings.TrimSpace(f.Get("id")), Name: strings.TrimSpace(f.Get("name")),
		ProductionURL: strings.TrimSpace(f.Get("production_url")), RequireBodySign: f.Get("require_body_sign") == "on"}
	if g := f.Get("generation"); g != "" {
		req.Generation, _ = strconv.Atoi(g)
	}
	nm, err := c.svc.Catalog.CreateMerchant(r.Context(), v, req)
	if err != nil {
		if code := market.ErrorCode(err); code != market.CodeInvalid && code != market.CodeConflict {
			c.fail(w, r, err)
			return
		}
		c.opFailed(r, f, err, map[string]string{"id": "id", "name": "name", "production_url": "production_url", "generation": "generation"})
		c.renderMerchants(w, r, v, http.StatusUnprocessableEntity, f, nil)
		return
	}
	c.renderMerchants(w, r, v, http.StatusCreated, opForm(r), nm)
}

func (c *Console) operatorMerchant(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.renderMerchant(w, r, v, http.StatusOK, opForm(r), nil)
}

// renderMerchant shows a merchant; secrets are keys just issued or rotated, shown this once.
func (c *Console) renderMerchant(w http.ResponseWriter, r *http.Request, v market.Viewer, status int, f *form, secrets []Setting) {
	ctx := r.Context()
	m, err := c.svc.Catalog.Merchant(ctx, v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	products, _, err := c.svc.Catalog.Products(ctx, v, m.ID, store.Page{Limit: 50})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	calls, _, err := c.svc.Calls.Calls(ctx, v, store.CallFilter{MerchantID: m.ID, Page: store.Page{Limit: 10}})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	statements, err := c.svc.Billing.Statements(ctx, v, m.ID, 12)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	users, err := c.svc.Identity.SellerUsers(ctx, v, m.ID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	kitKey, err := c.operatorKitKey(r, v, m.ID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "op.merchant.title")
	view.Title = m.Name
	view.Nav = "op-merchants"
	view.Form = f
	view.Data = map[string]any{"M": m, "Products": products, "Calls": calls, "Statements": statements, "Currency": c.cfg.Currency, "Secrets": secrets,
		"Users": users, "Roles": opSellerRoles, "KitKey": kitKey, "SpecRows": opSpecSuffixes(),
		"Chargings":  []market.Charging{market.ChargingPeriod, market.ChargingOneTime},
		"Deliveries": []market.Delivery{market.DeliverySaaS, market.DeliveryLicense, market.DeliveryService, market.DeliveryImage, market.DeliveryHardware}}
	if secrets != nil {
		w.Header().Set("Cache-Control", "no-store")
	}
	c.render(w, r, status, "operator_merchant", view)
}

func (c *Console) operatorBuyers(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.renderBuyers(w, r, v, http.StatusOK, opForm(r), nil, "")
}

func (c *Console) renderBuyers(w http.ResponseWriter, r *http.Request, v market.Viewer, status int, f *form, created *market.Buyer, token string) {
	list, next, err := c.svc.Identity.Buyers(r.Context(), v, pageOf(r, 30))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "op.buyers.title")
	view.Nav = "op-buyers"
	view.Form = f
	view.Data = map[string]any{"Buyers": list, "Next": nextLink(r, next), "Created": created, "Token": token}
	if created != nil {
		w.Header().Set("Cache-Control", "no-store") // the token is on this page
	}
	c.render(w, r, status, "operator_buyers", view)
}

func (c *Console) operatorCreateBuyer(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	f := opForm(r)
	b, token, err := c.svc.Identity.CreateBuyer(r.Context(), v, identity.BuyerRequest{Name: strings.TrimSpace(f.Get("name")),
		Email: strings.TrimSpace(f.Get("email")), Mobile: strings.TrimSpace(f.Get("mobile"))})
	if err != nil {
		if code := market.ErrorCode(err); code != market.CodeInvalid && code != market.CodeConflict {
			c.fail(w, r, err)
			return
		}
		c.opFailed(r, f, err, map[string]string{"name": "name", "email": "email", "mobile": "mobile"})
		c.renderBuyers(w, r, v, http.StatusUnprocessableEntity, f, nil, "")
		return
	}
	c.renderBuyers(w, r, v, http.StatusCreated, opForm(r), b, token)
}

func (c *Console) operatorBuyer(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.renderBuyer(w, r, v, http.StatusOK, opForm(r))
}

func (c *Console) renderBuyer(w http.ResponseWriter, r *http.Request, v market.Viewer, status int, f *form) {
	c.renderBuyerWith(w, r, v, status, f, "")
}

// renderBuyerWith shows a buyer; token is a sign-in token just issued, shown this once.
func (c *Console) renderBuyerWith(w http.ResponseWriter, r *http.Request, v market.Viewer, status int, f *form, token string) {
	ctx := r.Context()
	b, err := c.svc.Identity.Buyer(ctx, v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	balance, entries, err := c.svc.Billing.Account(ctx, v, b.CustomerID, 20)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	orders, _, err := c.svc.Orders.Orders(ctx, v, store.OrderFilter{BuyerID: b.CustomerID, Page: store.Page{Limit: 10}})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "op.buyer.title")
	view.Title = b.Name
	view.Nav = "op-buyers"
	view.Form = f
	instances, _, err := c.svc.Orders.Instances(ctx, v, store.InstanceFilter{BuyerID: b.CustomerID, Page: store.Page{Limit: 20}})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view.Data = map[string]any{"B": b, "Balance": balance, "Entries": entries, "Orders": orders, "Instances": instances, "Currency": c.cfg.Currency, "Token": token}
	if token != "" {
		w.Header().Set("Cache-Control", "no-store")
	}
	c.render(w, r, status, "operator_buyer", view)
}

// operatorTopUp records a payment received into a buyer's account.
func (c *Console) operatorTopUp(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	f := opForm(r)
	// The amount's and the reference's rules are the billing service's; the console only reads
	// the typed number.
	amount, err := market.ParseMoney(strings.TrimSpace(f.Get("amount")))
	if err != nil {
		f.Add("amount", "op.err.amount")
	}
	ref := strings.TrimSpace(f.Get("ref"))
	if !f.Any() {
		if _, err = c.svc.Billing.TopUp(r.Context(), v, r.PathValue("id"), amount, ref); err != nil {
			if market.ErrorCode(err) != market.CodeInvalid {
				c.fail(w, r, err)
				return
			}
			// The reference's refusal names no field.
			c.opFailed(r, f, err, map[string]string{"amount": "amount", "": "ref"})
		}
	}
	if f.Any() {
		c.renderBuyer(w, r, v, http.StatusUnprocessableEntity, f)
		return
	}
	c.backTo(w, r, "/operator/buyers/"+r.PathValue("id"), "op.flash.topped_up")
}
