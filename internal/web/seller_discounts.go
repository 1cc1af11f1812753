package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/resale"
	"github.com/mercato-oss/mercato/internal/store"
)

// Resale discounts (rules §1.9): what the merchant grants its resellers at product, partner or
// customer level, with a validity period; a new discount counts once authorized. The resale
// service checks the levels' order (product > partner > customer) and the roles (admin or
// finance).

func (c *Console) registerSellerDiscounts(mux *http.ServeMux) {
	mux.Handle("GET /seller/discounts", c.sellerRoute(c.sellerDiscounts))
	mux.Handle("POST /seller/discounts", c.sellerRoute(c.sellerCreateDiscount))
	mux.Handle("POST /seller/discounts/{id}/authorize", c.sellerRoute(c.sellerDiscountAction(true)))
	mux.Handle("POST /seller/discounts/{id}/invalidate", c.sellerRoute(c.sellerDiscountAction(false)))
}

// discountLevels are the levels the form offers.
var discountLevels = []string{resale.LevelProduct, resale.LevelPartner, resale.LevelCustomer}

func (c *Console) sellerDiscounts(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.renderSellerDiscounts(w, r, v, http.StatusOK, problems{}, nil)
}

func (c *Console) renderSellerDiscounts(w http.ResponseWriter, r *http.Request, v market.Viewer, status int, probs problems, f *form) {
	list, err := c.svc.Resale.Discounts(r.Context(), v, v.MerchantID, "")
	if err != nil {
		c.fail(w, r, err)
		return
	}
	products, _, err := c.svc.Catalog.Products(r.Context(), v, v.MerchantID, store.Page{Limit: store.MaxLimit})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "seller.discounts.title")
	view.Nav = "seller/discounts"
	view.Form = f
	view.Data = map[string]any{"Discounts": list, "Products": products, "Levels": discountLevels, "Problems": probs}
	c.render(w, r, status, "seller_discounts", view)
}

// day reads a date input (YYYY-MM-DD) as the start of that day in the site's zone.
func (c *Console) day(s string) (time.Time, bool) {
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), c.cfg.Location)
	return t, err == nil
}

func (c *Console) sellerCreateDiscount(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.sellerParse(w, r, 16<<10) {
		return
	}
	f := newForm(r)
	probs := problems{}
	req := resale.Request{ProductID: f.Get("product_id"), Level: f.Get("level"), PartnerID: strings.TrimSpace(f.Get("partner_id")),
		CustomerID: strings.TrimSpace(f.Get("customer_id")), Project: strings.TrimSpace(f.Get("project"))}
	var err error
	if req.Discount, err = strconv.ParseInt(strings.TrimSpace(f.Get("discount")), 10, 64); err != nil {
		probs.add("discount", "seller.publish.not_number", "")
	}
	var ok bool
	if req.ValidFrom, ok = c.day(f.Get("valid_from")); !ok {
		probs.add("valid_from", "seller.discounts.not_date", "")
	}
	to, ok := c.day(f.Get("valid_to"))
	if !ok {
		probs.add("valid_to", "seller.discounts.not_date", "")
	}
	req.ValidTo = to.AddDate(0, 0, 1).Add(-time.Millisecond) // valid through that day
	if !probs.Any() {
		_, err := c.svc.Resale.Create(r.Context(), v, req)
		if err == nil {
			c.sellerDone(w, r, "seller.flash.discount_saved", "/seller/discounts")
			return
		}
		known := map[string]bool{"form": true, "product_id": true, "level": true, "partner_id": true, "customer_id": true, "discount": true,
			"valid_from": true, "valid_to": true, "project": true}
		if !probs.failed(c.sellerLocale(r), err, func(field string) string { return nearestField(field, known) }) {
			c.fail(w, r, err)
			return
		}
	}
	c.renderSellerDiscounts(w, r, v, http.StatusUnprocessableEntity, probs, f)
}

// sellerDiscountAction authorizes a pending discount or invalidates one.
func (c *Console) sellerDiscountAction(authorize bool) viewerHandler {
	return func(w http.ResponseWriter, r *http.Request, v market.Viewer) {
		act, flash := c.svc.Resale.Invalidate, "seller.flash.discount_invalidated"
		if authorize {
			act, flash = c.svc.Resale.Authorize, "seller.flash.discount_authorized"
		}
		if _, err := act(r.Context(), v, r.PathValue("id")); err != nil {
			c.sellerRefused(w, r, err, "/seller/discounts")
			return
		}
		c.sellerDone(w, r, flash, "/seller/discounts")
	}
}
