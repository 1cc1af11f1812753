package web

import (
	"net/http"
	"net/url"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// The seller console (卖家中心), under /seller/: a merchant's products and their publishing,
// applications and review comments, interface messages, orders and instances, statements, keys,
// users and messages. Every read and action goes through the same services as
// /api/v1/seller/, which decide from the seller's viewer what it may see and do.

func (c *Console) registerSeller(mux *http.ServeMux) {
	mux.Handle("GET /seller/{$}", c.sellerRoute(c.sellerOverview))
	c.registerSellerProducts(mux)
	c.registerSellerApplications(mux)
	c.registerSellerModify(mux)
	c.registerSellerCalls(mux)
	c.registerSellerSales(mux)
	c.registerSellerRules(mux)
	c.registerSellerPlan(mux)
	c.registerSellerAttributes(mux)
	c.registerSellerDiscounts(mux)
	c.registerSellerAftersale(mux)
	c.registerSellerShipments(mux)
	c.registerSellerAccount(mux)
}

func (c *Console) sellerOverview(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	ctx := r.Context()
	m, err := c.svc.Catalog.Merchant(ctx, v, v.MerchantID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	products, _, err := c.svc.Catalog.Products(ctx, v, v.MerchantID, store.Page{Limit: 5})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	pending, _, err := c.svc.Publish.Applications(ctx, v, store.ApplicationFilter{State: market.AppPending, Page: store.Page{Limit: 20}})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	rejected, _, err := c.svc.Publish.Applications(ctx, v, store.ApplicationFilter{State: market.AppRejected, Page: store.Page{Limit: 5}})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	failed, _, err := c.svc.Calls.Calls(ctx, v, store.CallFilter{State: market.CallFailed, Page: store.Page{Limit: 5}})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	unread, _, err := c.svc.Notify.List(ctx, v, "", true, store.Page{Limit: 20})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "seller.overview.title")
	view.Nav = "seller/overview"
	view.Data = map[string]any{"Merchant": m, "Products": products, "Pending": len(pending), "Rejected": rejected,
		"Failed": failed, "Unread": len(unread), "MoreFailed": len(failed) == 5}
	c.render(w, r, http.StatusOK, "seller_overview", view)
}

// sellerParse reads a posted form (bodies up to limit) or answers the error page.
func (c *Console) sellerParse(w http.ResponseWriter, r *http.Request, limit int64) bool {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseForm(); err != nil {
		c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
		return false
	}
	return true
}

// sellerDone keeps a message for the next page and goes there.
func (c *Console) sellerDone(w http.ResponseWriter, r *http.Request, flashKey, to string) {
	if flashKey != "" {
		c.flash(r.Context(), flashKey)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// sellerRefused answers an action the service refused for a reason the seller can read (a
// conflict such as "only a failed call is restarted"): a page that says so, with the service's
// reason for English readers, and the way back. Anything else is the error page.
func (c *Console) sellerRefused(w http.ResponseWriter, r *http.Request, err error, back string) {
	code := market.ErrorCode(err)
	if code != market.CodeConflict && code != market.CodeInvalid {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "seller.refused.title")
	view.Data = map[string]any{"Detail": market.ErrorMessage(err), "Back": back}
	c.render(w, r, http.StatusConflict, "seller_refused", view)
}

// esc escapes an ID for a path.
func esc(id string) string { return url.PathEscape(id) }
