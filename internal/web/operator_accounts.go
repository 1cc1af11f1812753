package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
)

// The operator's actions on merchants, buyers, products and instances: a merchant's profile and
// production interface, its keys (rotated or issued, shown once), a product's freeze lifted; a
// buyer's sign-in token reissued (shown once), credit line and customer level; an instance
// released. Each through the service the JSON API calls for it.

func (c *Console) registerOperatorAccounts(mux *http.ServeMux) {
	mux.Handle("POST /operator/merchants/{id}", c.operatorRoute(c.operatorUpdateMerchant))
	mux.Handle("POST /operator/merchants/{id}/keys", c.operatorRoute(c.operatorMerchantKeys))
	mux.Handle("POST /operator/products/{id}/unfreeze", c.operatorRoute(c.operatorUnfreeze))
	mux.Handle("POST /operator/buyers/{id}/token", c.operatorRoute(c.operatorReissueToken))
	mux.Handle("POST /operator/buyers/{id}/credit", c.operatorRoute(c.operatorCredit))
	mux.Handle("POST /operator/buyers/{id}/level", c.operatorRoute(c.operatorLevel))
	mux.Handle("POST /operator/buyers/{id}/instances/{key}/release", c.operatorRoute(c.operatorRelease))
}

// operatorUpdateMerchant changes a merchant's name and production interface.
func (c *Console) operatorUpdateMerchant(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	f := opForm(r)
	name, url := strings.TrimSpace(f.Get("name")), strings.TrimSpace(f.Get("production_url"))
	gen, _ := strconv.Atoi(f.Get("generation"))
	sign := f.Get("require_body_sign") == "on"
	u := catalog.MerchantUpdate{Name: &name, ProductionURL: &url, RequireBodySign: &sign}
	if gen != 0 {
		u.Generation = &gen
	}
	if _, err := c.svc.Catalog.UpdateMerchant(r.Context(), v, r.PathValue("id"), u); err != nil {
		if market.ErrorCode(err) != market.CodeInvalid {
			c.fail(w, r, err)
			return
		}
		c.opFailed(r, f, err, map[string]string{"name": "name", "production_url": "production_url", "generation": "generation"})
		c.renderMerchant(w, r, v, http.StatusUnprocessableEntity, f, nil)
		return
	}
	c.backTo(w, r, "/operator/merchants/"+r.PathValue("id"), "op.flash.merchant_saved")
}

// operatorMerchantKeys rotates the access key or the kit key, or issues an open-API AK/SK, and
// shows the new secret once.
func (c *Console) operatorMerchantKeys(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	id := r.PathValue("id")
	var secrets []Setting
	switch r.PostForm.Get("key") {
	case "access":
		m, err := c.svc.Catalog.UpdateMerchant(r.Context(), v, id, catalog.MerchantUpdate{RotateAccessKey: true})
		if err != nil {
			c.fail(w, r, err)
			return
		}
		secrets = []Setting{{Name: "op.merchant.access_key", Value: m.AccessKey}}
	case "kit":
		m, err := c.svc.Catalog.UpdateMerchant(r.Context(), v, id, catalog.MerchantUpdate{RotateKitKey: true})
		if err != nil {
			c.fail(w, r, err)
			return
		}
		secrets = []Setting{{Name: "op.merchant.kit_key", Value: m.KitKey}}
	case "aksk":
		k, err := c.svc.Catalog.IssueKey(r.Context(), v, id)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		secrets = []Setting{{Name: "op.merchant.ak", Value: k.AK}, {Name: "op.merchant.sk", Value: k.SK}}
	default:
		c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
		return
	}
	// A fresh form: the page's own forms show the merchant as stored.
	c.renderMerchant(w, r, v, http.StatusOK, &form{Errors: map[string]fieldErr{}, Prefix: "f-"}, secrets)
}

// operatorUnfreeze lifts a product's freeze (five days of failed dial tests).
func (c *Console) operatorUnfreeze(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	back := safeNext(r.PostForm.Get("back"))
	switch err := c.svc.Publish.Unfreeze(r.Context(), v, r.PathValue("id")); {
	case err == nil:
		c.backTo(w, r, back, "op.flash.unfrozen")
	case market.ErrorCode(err) == market.CodeConflict:
		c.backTo(w, r, back, "op.flash.not_frozen")
	default:
		c.fail(w, r, err)
	}
}

func (c *Console) operatorReissueToken(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	token, err := c.svc.Identity.ReissueBuyerToken(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.renderBuyerWith(w, r, v, http.StatusOK, &form{Errors: map[string]fieldErr{}, Prefix: "f-"}, token)
}

// operatorCredit sets how far below zero the buyer may pay for credit-pay products.
func (c *Console) operatorCredit(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	f := opForm(r)
	limit, err := market.ParseMoney(strings.TrimSpace(f.Get("credit_limit")))
	if err != nil {
		f.Add("credit_limit", "op.err.amount")
	} else if err = c.svc.Billing.SetCreditLine(r.Context(), v, r.PathValue("id"), limit); err != nil {
		if market.ErrorCode(err) != market.CodeInvalid {
			c.fail(w, r, err)
			return
		}
		c.opFailed(r, f, err, map[string]string{"credit_limit": "credit_limit", "": "credit_limit"})
	}
	if f.Any() {
		c.renderBuyer(w, r, v, http.StatusUnprocessableEntity, f)
		return
	}
	c.backTo(w, r, "/operator/buyers/"+r.PathValue("id"), "op.flash.credit_set")
}

// operatorLevel sets the buyer's customer level ("" for none), which discounts may target.
func (c *Console) operatorLevel(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	f := opForm(r)
	if err := c.svc.Orders.SetCustomerLevel(r.Context(), v, r.PathValue("id"), strings.TrimSpace(f.Get("level"))); err != nil {
		if market.ErrorCode(err) != market.CodeInvalid {
			c.fail(w, r, err)
			return
		}
		c.opFailed(r, f, err, map[string]string{"level": "level", "": "level"})
		c.renderBuyer(w, r, v, http.StatusUnprocessableEntity, f)
		return
	}
	c.backTo(w, r, "/operator/buyers/"+r.PathValue("id"), "op.flash.level_set")
}

// operatorRelease releases a buyer's instance at once (the operator's release: a RELEASE order
// and the merchant's releaseInstance call), with a reason, from the buyer's page.
func (c *Console) operatorRelease(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	f := opForm(r)
	field := "reason-" + r.PathValue("key")
	switch _, err := c.svc.Orders.Release(r.Context(), v, r.PathValue("key"), strings.TrimSpace(f.Get(field))); {
	case err == nil:
		c.backTo(w, r, "/operator/buyers/"+r.PathValue("id"), "op.flash.released")
	case market.ErrorCode(err) == market.CodeInvalid:
		c.opFailed(r, f, err, map[string]string{"reason": field})
		c.renderBuyer(w, r, v, http.StatusUnprocessableEntity, f)
	case market.ErrorCode(err) == market.CodeConflict:
		c.backTo(w, r, "/operator/buyers/"+r.PathValue("id"), "op.flash.release_refused")
	default:
		c.fail(w, r, err)
	}
}
