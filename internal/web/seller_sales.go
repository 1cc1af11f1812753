package web

import (
	"net/http"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/metering"
	"github.com/mercato-oss/mercato/internal/store"
)

// What the merchant sold: orders, instances (each with its interface messages and usage), and
// the monthly statements. The order and billing services narrow every list to the seller's
// merchant.

func (c *Console) registerSellerSales(mux *http.ServeMux) {
	mux.Handle("GET /seller/orders", c.sellerRoute(c.orderList("seller_orders", "seller.orders.title", "seller/orders")))
	mux.Handle("GET /seller/orders/{id}", c.sellerRoute(c.sellerOrder))
	mux.Handle("GET /seller/instances", c.sellerRoute(c.sellerInstances))
	mux.Handle("GET /seller/instances/{key}", c.sellerRoute(c.sellerInstance))
	mux.Handle("GET /seller/instances/{key}/usage", c.sellerRoute(c.sellerUsage))
	mux.Handle("GET /seller/statements", c.sellerRoute(c.sellerStatements))
}

func (c *Console) sellerOrder(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	data, o, ok := c.orderData(w, r, v)
	if !ok {
		return
	}
	view := c.newView(r, "seller.order.title")
	view.Title = o.ID
	view.Nav = "seller/orders"
	view.Data = data
	c.render(w, r, http.StatusOK, "seller_order", view)
}

func (c *Console) sellerInstances(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	list, next, err := c.svc.Orders.Instances(r.Context(), v, store.InstanceFilter{Page: pageOf(r, 20)})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "seller.instances.title")
	view.Nav = "seller/instances"
	view.Data = map[string]any{"Instances": list, "Next": nextLink(r, next)}
	c.render(w, r, http.StatusOK, "seller_instances", view)
}

func (c *Console) sellerInstance(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	in, err := c.svc.Orders.Instance(r.Context(), v, r.PathValue("key"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	calls, _, err := c.svc.Calls.Calls(r.Context(), v, store.CallFilter{InstanceKey: in.Key, Page: store.Page{Limit: 20}})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "seller.instance.title")
	view.Title = in.ID
	view.Nav = "seller/instances"
	view.Data = map[string]any{"Instance": in, "Calls": calls,
		"Metered": in.Charging == market.ChargingOnDemand || in.Charging == market.ChargingOnDemandPkg}
	c.render(w, r, http.StatusOK, "seller_instance", view)
}

func (c *Console) sellerStatements(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	list, err := c.svc.Billing.Statements(r.Context(), v, v.MerchantID, 24)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "seller.statements.title")
	view.Nav = "seller/statements"
	view.Data = map[string]any{"Statements": list, "Currency": c.cfg.Currency}
	c.render(w, r, http.StatusOK, "seller_statements", view)
}

// sellerUsage shows an instance's usage per hour or per day as the metering service has it (a
// table the page's script draws as a chart). The buyer's bills are the buyer's; the merchant's
// share is in its statements.
func (c *Console) sellerUsage(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	in, hours, err := c.svc.Metering.Usage(r.Context(), v, r.PathValue("key"), metering.MaxHours)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	byDay := r.URL.Query().Get("by") == "day"
	points := make([]usagePoint, 0, len(hours))
	var total market.Quantity
	for i := len(hours) - 1; i >= 0; i-- { // newest first from the service; oldest first here
		h := hours[i]
		total += h.Quantity
		at := h.Hour
		if byDay {
			t := h.Hour.In(c.cfg.Location)
			at = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, c.cfg.Location)
			if n := len(points); n > 0 && points[n-1].At.Equal(at) {
				points[n-1].Quantity += h.Quantity
				points[n-1].Records += h.Records
				continue
			}
		}
		points = append(points, usagePoint{At: at, Quantity: h.Quantity, Records: h.Records})
	}
	view := c.newView(r, "seller.usage.title")
	view.Title = in.ID
	view.Nav = "seller/instances"
	view.Data = map[string]any{"Instance": in, "Points": points, "ByDay": byDay, "Total": total}
	c.render(w, r, http.StatusOK, "seller_usage", view)
}
