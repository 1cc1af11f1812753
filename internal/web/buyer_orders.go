package web

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// "My KooGallery": the buyer's overview, orders and order pages.

func (c *Console) registerBuyer(mux *http.ServeMux) {
	mux.Handle("GET /my/{$}", c.buyerRoute(c.overview))
	mux.Handle("GET /my/orders", c.buyerRoute(c.orderList("orders", "orders.title", "orders")))
	mux.Handle("GET /my/orders/{id}", c.buyerRoute(c.orderPage))
	mux.Handle("POST /my/orders/{id}/cancel", c.buyerRoute(c.cancelRenewal))
	c.registerInstances(mux)
	c.registerBilling(mux)
	c.registerBuyerMore(mux)
	c.registerAftersale(mux)
}

// pageOf reads the list position of r (?after=cursor); a bad cursor is the first page.
func pageOf(r *http.Request, limit int) store.Page {
	p := store.Page{Limit: limit}
	if cur, err := store.ParseCursor(r.URL.Query().Get("after")); err == nil {
		p.After = cur
	}
	return p
}

func (c *Console) overview(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	ctx := r.Context()
	balance, _, err := c.svc.Billing.Account(ctx, v, v.BuyerID, 1)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	orders, _, err := c.svc.Orders.Orders(ctx, v, store.OrderFilter{Page: store.Page{Limit: 5}})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	ins, more, err := c.svc.Orders.Instances(ctx, v, store.InstanceFilter{State: market.InstanceActive, Page: store.Page{Limit: 5}})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "overview.title")
	view.Nav = "overview"
	view.Data = map[string]any{"Balance": balance, "Currency": c.cfg.Currency, "Orders": orders, "Instances": ins, "MoreInstances": !more.IsZero()}
	c.render(w, r, http.StatusOK, "overview", view)
}

// orderList serves a page of the viewer's orders (a buyer's own, a seller's merchant's: the order
// service narrows) with page's template, title and side-navigation entry.
func (c *Console) orderList(page, title, nav string) viewerHandler {
	return func(w http.ResponseWriter, r *http.Request, v market.Viewer) {
		list, next, err := c.svc.Orders.Orders(r.Context(), v, store.OrderFilter{Page: pageOf(r, 20)})
		if err != nil {
			c.fail(w, r, err)
			return
		}
		view := c.newView(r, title)
		view.Nav = nav
		view.Data = map[string]any{"Orders": list, "Next": nextLink(r, next)}
		c.render(w, r, http.StatusOK, page, view)
	}
}

// orderData reads the order of r's {id} with its instances and market events, the data every
// order page shows; ok is false when it answered r itself.
func (c *Console) orderData(w http.ResponseWriter, r *http.Request, v market.Viewer) (data map[string]any, o *market.Order, ok bool) {
	o, err := c.svc.Orders.Order(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return nil, nil, false
	}
	ins, _, err := c.svc.Orders.Instances(r.Context(), v, store.InstanceFilter{OrderID: o.ID, Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		c.fail(w, r, err)
		return nil, nil, false
	}
	return map[string]any{"Order": o, "Instances": ins, "GapEvents": c.gapEvents(r, v, o.ID)}, o, true
}

func (c *Console) orderPage(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	data, o, ok := c.orderData(w, r, v)
	if !ok {
		return
	}
	data["Cancellable"] = o.Type == market.OrderRenew && (o.Status == market.OrderProcessing || o.Status == market.OrderCompleted)
	view := c.newView(r, "order.title")
	view.Title = o.ID
	view.Nav = "orders"
	view.Data = data
	c.render(w, r, http.StatusOK, "order", view)
}

// cancelRenewal cancels a renewal change order that waits for the merchant's check.
func (c *Console) cancelRenewal(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	o, err := c.svc.Orders.CancelRenewal(r.Context(), v, r.PathValue("id"))
	if err != nil {
		if market.ErrorCode(err) == market.CodeConflict {
			c.flash(r.Context(), "flash.cancel_refused")
			http.Redirect(w, r, "/my/orders/"+r.PathValue("id"), http.StatusSeeOther)
			return
		}
		c.fail(w, r, err)
		return
	}
	c.flash(r.Context(), "flash.renewal_cancelled")
	http.Redirect(w, r, "/my/orders/"+o.ID, http.StatusSeeOther)
}
