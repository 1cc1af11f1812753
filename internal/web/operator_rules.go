package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/hardware"
	"github.com/mercato-oss/mercato/internal/market"
)

// Purchase rules of a product, on its page: order notification, trial access restricted to a
// whitelist (a spec's trials or all), the whitelist, each spec's purchase limit and a hardware
// spec's stock. The order and hardware services decide, as for PUT /api/v1/products/{id}/
// order-notify, trial-access, trial-whitelist/{buyer}, /api/v1/specs/{sku}/purchase-limit and
// /stock. A spec's form fields are named FIELD-SKU, so that an error shows at that spec's form.

func (c *Console) registerOperatorRules(mux *http.ServeMux) {
	mux.Handle("POST /operator/products/{id}/order-notify", c.operatorRoute(c.operatorOrderNotify))
	mux.Handle("POST /operator/products/{id}/trial-access", c.operatorRoute(c.operatorTrialAccess))
	mux.Handle("POST /operator/products/{id}/trial-whitelist", c.operatorRoute(c.operatorWhitelist))
	mux.Handle("POST /operator/products/{id}/specs/{sku}/purchase-limit", c.operatorRoute(c.operatorPurchaseLimit))
	mux.Handle("POST /operator/products/{id}/specs/{sku}/stock", c.operatorRoute(c.operatorStock))
}

// opRules is what the product page shows of its purchase rules.
type opRules struct {
	Notify bool
	Limits map[string]market.PurchaseLimit
	Stocks map[string]market.Stock // hardware specs only; the zero stock when never set
}

func (c *Console) opPurchaseRules(r *http.Request, v market.Viewer, d *catalog.ProductDetail) (*opRules, error) {
	ctx := r.Context()
	notify, err := c.svc.Orders.OrderNotify(ctx, v, d.Product.ID)
	if err != nil {
		return nil, err
	}
	out := &opRules{Notify: notify, Limits: map[string]market.PurchaseLimit{}, Stocks: map[string]market.Stock{}}
	for _, sp := range d.Specs {
		if out.Limits[sp.SkuCode], err = c.svc.Orders.PurchaseLimit(ctx, sp.SkuCode); err != nil {
			return nil, err
		}
		if sp.Delivery == market.DeliveryHardware {
			st, err := c.svc.Hardware.Stock(ctx, sp.SkuCode)
			if err != nil && market.ErrorCode(err) != market.CodeNotFound {
				return nil, err
			}
			if err == nil {
				out.Stocks[sp.SkuCode] = *st
			}
		}
	}
	return out, nil
}

func opProductPath(r *http.Request) string {
	return "/operator/products/" + url.PathEscape(r.PathValue("id"))
}

func (c *Console) operatorOrderNotify(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	if err := c.svc.Orders.SetOrderNotify(r.Context(), v, r.PathValue("id"), r.PostForm.Get("on") == "true"); err != nil {
		c.fail(w, r, err)
		return
	}
	c.backTo(w, r, opProductPath(r), "op.flash.order_notify_set")
}

// operatorTrialAccess restricts trials (a spec's, or every spec's) to whitelisted buyers, or
// lifts the restriction.
func (c *Console) operatorTrialAccess(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	f := opForm(r)
	err := c.svc.Orders.TrialAccess(r.Context(), v, r.PathValue("id"), f.Get("trial_sku"), f.Get("restricted") == "true")
	if err != nil {
		if market.ErrorCode(err) != market.CodeInvalid {
			c.fail(w, r, err)
			return
		}
		c.opFailed(r, f, err, map[string]string{"sku_code": "trial_sku"})
		c.renderOpProduct(w, r, v, http.StatusUnprocessableEntity, f)
		return
	}
	c.backTo(w, r, opProductPath(r), "op.flash.trial_access_set")
}

// operatorWhitelist adds a buyer to the product's trial whitelist, or removes it.
func (c *Console) operatorWhitelist(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	f := opForm(r)
	on := f.Get("on") != "false"
	err := c.svc.Orders.Whitelist(r.Context(), v, r.PathValue("id"), strings.TrimSpace(f.Get("whitelist_buyer")), on)
	if err != nil {
		if market.ErrorCode(err) != market.CodeInvalid {
			c.fail(w, r, err)
			return
		}
		c.opFailed(r, f, err, map[string]string{"buyer_id": "whitelist_buyer"})
		c.renderOpProduct(w, r, v, http.StatusUnprocessableEntity, f)
		return
	}
	flash := "op.flash.whitelisted"
	if !on {
		flash = "op.flash.unwhitelisted"
	}
	c.backTo(w, r, opProductPath(r), flash)
}

// opSpecFailed records a refusal at a spec's form: the service's field names its field of the
// spec's form, FIELD-SKU; its message key is the field's own (op.err.FIELD).
func (c *Console) opSpecFailed(r *http.Request, f *form, err error, sku string, fields ...string) {
	m := map[string]string{}
	for _, fl := range fields {
		m[fl] = fl
	}
	c.opFailed(r, f, err, m)
	for _, fl := range fields {
		if e, ok := f.Errors[fl]; ok {
			delete(f.Errors, fl)
			f.Errors[fl+"-"+sku] = e
		}
	}
}

func (c *Console) operatorPurchaseLimit(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	f := opForm(r)
	sku := r.PathValue("sku")
	l := market.PurchaseLimit{SkuCode: sku, UntilExpiry: f.Get("until_expiry-"+sku) == "on"}
	n, err := strconv.Atoi(strings.TrimSpace(f.Get("per_user-" + sku)))
	if err != nil {
		f.Add("per_user-"+sku, "op.err.per_user")
	} else {
		l.PerUser = n
		if err = c.svc.Orders.SetPurchaseLimit(r.Context(), v, l); err != nil {
			if market.ErrorCode(err) != market.CodeInvalid {
				c.fail(w, r, err)
				return
			}
			c.opSpecFailed(r, f, err, sku, "per_user")
		}
	}
	if f.Any() {
		c.renderOpProduct(w, r, v, http.StatusUnprocessableEntity, f)
		return
	}
	c.backTo(w, r, opProductPath(r), "op.flash.limit_set")
}

func (c *Console) operatorStock(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	f := opForm(r)
	sku := r.PathValue("sku")
	req := hardware.StockRequest{ReturnAddress: strings.TrimSpace(f.Get("return_address-" + sku))}
	n, err := strconv.Atoi(strings.TrimSpace(f.Get("quantity-" + sku)))
	if err != nil {
		f.Add("quantity-"+sku, "op.err.quantity")
	} else {
		req.Quantity = n
		if _, err = c.svc.Hardware.SetStock(r.Context(), v, sku, req); err != nil {
			if code := market.ErrorCode(err); code != market.CodeInvalid && code != market.CodeConflict {
				c.fail(w, r, err)
				return
			}
			c.opSpecFailed(r, f, err, sku, "quantity", "return_address")
		}
	}
	if f.Any() {
		c.renderOpProduct(w, r, v, http.StatusUnprocessableEntity, f)
		return
	}
	c.backTo(w, r, opProductPath(r), "op.flash.stock_set")
}
