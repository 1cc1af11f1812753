package web

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/market"
)

// The seller console (卖家中心) starts here: its home page under /seller/. Its pages (products
// and publishing, orders, instances, interface messages, usage and bills, statements, keys,
// sub-users, messages) are added one handler file each (seller_*.go), registered in
// registerSeller, with their entries in partials/nav_seller.html and their text in
// i18n/*/seller.json; docs/consoles.md has the checklist.

func (c *Console) registerSeller(mux *http.ServeMux) {
	mux.Handle("GET /seller/{$}", c.sellerRoute(c.sellerHome))
}

func (c *Console) sellerHome(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	m, err := c.svc.Catalog.Merchant(r.Context(), v, v.MerchantID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "seller.home.title")
	view.Nav = "seller-home"
	view.Data = map[string]any{"Merchant": m}
	c.render(w, r, http.StatusOK, "seller_home", view)
}
