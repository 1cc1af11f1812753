package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/internal/hardware"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/promo"
	"github.com/mercato-oss/mercato/internal/store"
)

// A merchant's seller users (the operator gives each merchant its first admin), the carriers'
// waybill events (there is no carrier integration: the operator enters them) and the platform's
// vouchers: each through the service the JSON API calls for it.

func (c *Console) registerOperatorExtras(mux *http.ServeMux) {
	mux.Handle("POST /operator/merchants/{id}/users", c.operatorRoute(c.operatorCreateSellerUser))
	mux.Handle("GET /operator/waybills", c.operatorRoute(c.operatorWaybills))
	mux.Handle("POST /operator/waybills", c.operatorRoute(c.operatorTrack))
	mux.Handle("GET /operator/vouchers", c.operatorRoute(c.operatorVouchers))
	mux.Handle("POST /operator/vouchers", c.operatorRoute(c.operatorIssueVoucher))
	// A seller issues its merchant's vouchers, scoped to its own products, on the same page.
	mux.Handle("GET /seller/vouchers", c.sellerRoute(c.operatorVouchers))
	mux.Handle("POST /seller/vouchers", c.sellerRoute(c.operatorIssueVoucher))
}

// voucherPage is where the viewer's voucher page is, and its side-navigation entry.
func voucherPage(v market.Viewer) (path, nav string) {
	if v.IsOperator() {
		return "/operator/vouchers", "op-vouchers"
	}
	return "/seller/vouchers", "seller/vouchers"
}

var opSellerRoles = []market.SellerRole{market.SellerAdmin, market.SellerOperations, market.SellerFinance}

// operatorCreateSellerUser adds a user to a merchant, with a password to sign in to the seller
// console; the user's API token is shown once.
func (c *Console) operatorCreateSellerUser(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	f := opForm(r)
	u, token, err := c.svc.Identity.CreateSellerUser(r.Context(), v, r.PathValue("id"), identity.SellerUserRequest{
		Name: strings.TrimSpace(f.Get("user_name")), Role: market.SellerRole(f.Get("role")), Password: f.Get("password")})
	if err != nil {
		if code := market.ErrorCode(err); code != market.CodeInvalid && code != market.CodeConflict {
			c.fail(w, r, err)
			return
		}
		f.Values.Del("password") // a password is never sent back
		c.opFailed(r, f, err, map[string]string{"name": "user_name", "role": "role", "password": "password"})
		c.renderMerchant(w, r, v, http.StatusUnprocessableEntity, f, nil)
		return
	}
	c.renderMerchant(w, r, v, http.StatusCreated, &form{Errors: map[string]fieldErr{}, Prefix: "f-"},
		[]Setting{{Name: "op.user.created", Value: u.Name}, {Name: "op.user.token", Value: token}})
}

var opWaybillStates = []market.WaybillStatus{market.WaybillInTransit, market.WaybillSigned, market.WaybillException}

func (c *Console) operatorWaybills(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.renderWaybills(w, r, http.StatusOK, opForm(r))
}

func (c *Console) renderWaybills(w http.ResponseWriter, r *http.Request, status int, f *form) {
	view := c.newView(r, "op.waybills.title")
	view.Nav = "op-waybills"
	view.Form = f
	view.Data = map[string]any{"States": opWaybillStates}
	c.render(w, r, status, "operator_waybills", view)
}

// operatorTrack records a carrier's event on a waybill: a SIGNED event marks its shipments
// signed (hardware.Service.Track).
func (c *Console) operatorTrack(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	f := opForm(r)
	carrier, number := strings.TrimSpace(f.Get("carrier")), strings.TrimSpace(f.Get("number"))
	_, err := c.svc.Hardware.Track(r.Context(), v, carrier, number, hardware.EventRequest{Status: market.WaybillStatus(f.Get("status")), Text: strings.TrimSpace(f.Get("text"))})
	if err != nil {
		if code := market.ErrorCode(err); code != market.CodeInvalid && code != market.CodeNotFound && code != market.CodeConflict {
			c.fail(w, r, err)
			return
		}
		// A waybill no shipment carries is the number's error, not a missing page.
		c.opFailed(r, f, err, map[string]string{"carrier": "carrier", "number": "number", "status": "status", "text": "text", "": "number", "waybill": "number"})
		c.renderWaybills(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	c.backTo(w, r, "/operator/waybills", "op.flash.waybill_recorded")
}

func (c *Console) operatorVouchers(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.renderVouchers(w, r, v, http.StatusOK, opForm(r))
}

func (c *Console) renderVouchers(w http.ResponseWriter, r *http.Request, v market.Viewer, status int, f *form) {
	// The operator lists the platform's vouchers; the service narrows a seller to its merchant's.
	list, next, err := c.svc.Vouchers.Vouchers(r.Context(), v, store.VoucherFilter{Platform: true, Page: pageOf(r, 30)})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	path, nav := voucherPage(v)
	scopes := []market.VoucherScope{market.ScopeProduct, market.ScopeSpec, market.ScopeSKU}
	if v.IsOperator() {
		scopes = append([]market.VoucherScope{market.ScopeAll}, scopes...)
	}
	title, lead := "op.vouchers.title", "op.vouchers.lead"
	if !v.IsOperator() {
		title, lead = "gap.seller_vouchers.title", "gap.seller_vouchers.lead"
	}
	view := c.newView(r, title)
	view.Nav = nav
	view.Form = f
	view.Data = map[string]any{"Vouchers": list, "Next": nextLink(r, next), "Currency": c.cfg.Currency, "Base": path, "Title": title, "Lead": lead,
		"Kinds": []market.VoucherKind{market.KindVoucher, market.KindCashCoupon}, "Scopes": scopes}
	c.render(w, r, status, "operator_vouchers", view)
}

// operatorIssueVoucher issues a voucher to a buyer (the platform's, or a seller's own), valid through a day (in the site's
// zone); its rules (amount, scope, validity) are the voucher service's.
func (c *Console) operatorIssueVoucher(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	f := opForm(r)
	req := promo.IssueRequest{Kind: market.VoucherKind(f.Get("kind")), BuyerID: strings.TrimSpace(f.Get("buyer_id")),
		Scope: market.VoucherScope(f.Get("scope")), ScopeID: strings.TrimSpace(f.Get("scope_id"))}
	var err error
	if req.Amount, err = market.ParseMoney(strings.TrimSpace(f.Get("amount"))); err != nil {
		f.Add("amount", "op.err.amount")
	}
	if day, err := time.ParseInLocation("2006-01-02", f.Get("valid_until"), c.cfg.Location); err != nil {
		f.Add("valid_until", "op.err.valid_until")
	} else {
		req.ValidUntil = day.AddDate(0, 0, 1) // valid through that day
	}
	if !f.Any() {
		if _, err = c.svc.Vouchers.Issue(r.Context(), v, req); err != nil {
			if market.ErrorCode(err) != market.CodeInvalid {
				c.fail(w, r, err)
				return
			}
			c.opFailed(r, f, err, map[string]string{"kind": "kind", "buyer_id": "buyer_id", "amount": "amount", "scope": "scope_id",
				"scope_id": "scope_id", "valid_until": "valid_until"})
		}
	}
	if f.Any() {
		c.renderVouchers(w, r, v, http.StatusUnprocessableEntity, f)
		return
	}
	path, _ := voucherPage(v)
	c.backTo(w, r, path, "op.flash.voucher_issued")
}
