package web

import (
	"net/http"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Orders and instances across buyers and merchants (order.Service, as /api/v1/orders and
// /api/v1/instances answer the operator), filtered by buyer, merchant and state.

func (c *Console) registerOperatorOrders(mux *http.ServeMux) {
	mux.Handle("GET /operator/orders", c.operatorRoute(c.operatorOrders))
	mux.Handle("GET /operator/orders/{id}", c.operatorRoute(c.operatorOrder))
	mux.Handle("GET /operator/instances", c.operatorRoute(c.operatorInstances))
}

func (c *Console) operatorOrders(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	q := r.URL.Query()
	buyer, merchant := strings.TrimSpace(q.Get("buyer")), strings.TrimSpace(q.Get("merchant"))
	list, next, err := c.svc.Orders.Orders(r.Context(), v, store.OrderFilter{BuyerID: buyer, MerchantID: merchant, Page: pageOf(r, 30)})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "op.orders.title")
	view.Nav = "op-orders"
	view.Data = map[string]any{"Orders": list, "Next": nextLink(r, next), "Buyer": buyer, "Merchant": merchant}
	c.render(w, r, http.StatusOK, "operator_orders", view)
}

func (c *Console) operatorOrder(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.renderOpOrder(w, r, v, http.StatusOK, opForm(r))
}

// renderOpOrder shows an order; f is the market-event form refused, if any.
func (c *Console) renderOpOrder(w http.ResponseWriter, r *http.Request, v market.Viewer, status int, f *form) {
	o, err := c.svc.Orders.Order(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	ins, _, err := c.svc.Orders.Instances(r.Context(), v, store.InstanceFilter{OrderID: o.ID, Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	// The order's calls: its instances' calls that carry the order (calls are filtered by
	// instance, not by order).
	// A renewal, change or unsubscription order acts on an instance another order made.
	keys := []string{}
	if o.InstanceKey != "" {
		keys = append(keys, o.InstanceKey)
	}
	for _, in := range ins {
		if in.Key != o.InstanceKey {
			keys = append(keys, in.Key)
		}
	}
	var mine []*market.Call
	for _, key := range keys {
		calls, _, err := c.svc.Calls.Calls(r.Context(), v, store.CallFilter{InstanceKey: key, Page: store.Page{Limit: store.MaxLimit}})
		if err != nil {
			c.fail(w, r, err)
			return
		}
		for _, call := range calls {
			if call.OrderID == o.ID {
				mine = append(mine, call)
			}
		}
	}
	events, err := c.svc.Orders.Events(r.Context(), v, o.ID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "op.order.title")
	view.Title = o.ID
	view.Nav = "op-orders"
	view.Form = f
	view.Data = map[string]any{"Order": o, "Instances": ins, "Calls": mine, "Events": events}
	c.render(w, r, status, "operator_order", view)
}

var opInstanceStates = []market.InstanceState{market.InstancePending, market.InstanceProvisioning, market.InstanceActive, market.InstanceFrozen,
	market.InstanceReleased, market.InstanceFailed}

func (c *Console) operatorInstances(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	q := r.URL.Query()
	buyer, merchant := strings.TrimSpace(q.Get("buyer")), strings.TrimSpace(q.Get("merchant"))
	state := opOneOf(q.Get("state"), opInstanceStates)
	list, next, err := c.svc.Orders.Instances(r.Context(), v, store.InstanceFilter{BuyerID: buyer, MerchantID: merchant, State: state, Page: pageOf(r, 30)})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "op.instances.title")
	view.Nav = "op-instances"
	view.Data = map[string]any{"Instances": list, "Next": nextLink(r, next), "Buyer": buyer, "Merchant": merchant, "State": string(state),
		"States": opChips(r, "state", opInstanceStates, state)}
	c.render(w, r, http.StatusOK, "operator_instances", view)
}
