package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
)

// Upgrades: the instance page offers the plans an upgrade rule of the product allows from the
// instance's spec, with the same period; the order service prices and checks the change.

// upgradeOption is a plan an instance may be upgraded to.
type upgradeOption struct {
	Spec string
	Plan *market.Plan
}

// upgradeOptions lists the plans in may move to; none when the product has no valid rule from
// its spec (or cannot be read: the page then simply offers no upgrade).
func (c *Console) upgradeOptions(ctx context.Context, v market.Viewer, in *market.Instance) []upgradeOption {
	if in.State != market.InstanceActive || in.Trial || in.Charging != market.ChargingPeriod {
		return nil
	}
	e, err := c.svc.Catalog.Entry(ctx, v, in.ProductID)
	if err != nil {
		return nil
	}
	rules, err := c.svc.Orders.UpgradeRules(ctx, v, e.Product.ID)
	if err != nil {
		return nil
	}
	var targets []string
	for _, r := range rules {
		if r.Invalid == "" && r.Source.SkuCode == in.SkuCode && r.Target.SkuCode != in.SkuCode {
			targets = append(targets, r.Target.SkuCode)
		}
	}
	if len(targets) == 0 {
		return nil
	}
	d, err := c.svc.Catalog.Product(ctx, v, e.Product.ID)
	if err != nil {
		return nil
	}
	var out []upgradeOption
	for _, sp := range d.Specs {
		if !slices.Contains(targets, sp.SkuCode) {
			continue
		}
		for _, p := range d.Plans[sp.SkuCode] {
			if p.Period == in.Period {
				out = append(out, upgradeOption{Spec: sp.Name, Plan: p})
			}
		}
	}
	return out
}

// upgrade moves the instance to the chosen plan.
func (c *Console) upgrade(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
		return
	}
	f := newForm(r)
	if f.Get("plan") == "" {
		f.Add("plan", "err.plan")
		c.renderInstance(w, r, v, http.StatusUnprocessableEntity, f, "upgrade")
		return
	}
	key := "web-upgrade-" + f.Get("key")
	if len(key) > 128 {
		key = ""
	}
	o, err := c.svc.Orders.Upgrade(r.Context(), v, r.PathValue("key"), order.ChangeRequest{ProductID: f.Get("plan"), IdempotencyKey: key})
	if err != nil {
		if code := market.ErrorCode(err); code == market.CodeNotFound || code == market.CodeInternal || code == market.CodeUnauthorized {
			c.fail(w, r, err)
			return
		}
		f.Failed(c.texts.locale(c.texts.pick(r), false, c.cfg.Location), err, map[string]string{"product_id": "plan", "balance": "form"})
		c.renderInstance(w, r, v, http.StatusUnprocessableEntity, f, "upgrade")
		return
	}
	c.flash(r.Context(), "flash.upgrade")
	http.Redirect(w, r, "/my/orders/"+url.PathEscape(o.ID), http.StatusSeeOther)
}
