package api

import (
	"context"
	"net/http"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
)

// Buyer endpoints: orders and instances. The operator may read them all; only a buyer places
// and changes orders.

// IdempotencyKeyHeader makes POST /api/v1/orders and instance changes safe to retry.
const IdempotencyKeyHeader = "Idempotency-Key"

func buyerOnly(c *caller) error {
	if c.buyer == nil {
		return market.Errorf(market.CodeForbidden, "orders are placed with a buyer's token")
	}
	return nil
}

func idempotencyKey(r *http.Request) (string, error) {
	k := r.Header.Get(IdempotencyKeyHeader)
	if len(k) > 128 {
		return "", market.Errorf(market.CodeInvalid, "%s is at most 128 characters", IdempotencyKeyHeader)
	}
	return k, nil
}

func (a *API) placeOrder(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := buyerOnly(c); err != nil {
		return err
	}
	var req order.PurchaseRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	var err error
	if req.IdempotencyKey, err = idempotencyKey(r); err != nil {
		return err
	}
	o, err := a.Orders.Purchase(r.Context(), c.buyer.CustomerID, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewOrder(o))
	return nil
}

func (a *API) listOrders(w http.ResponseWriter, r *http.Request, c *caller) error {
	q := r.URL.Query()
	f := store.OrderFilter{BuyerID: c.buyerID(), InstanceKey: q.Get("instance"), Limit: limit(r)}
	if c.operator {
		f.BuyerID, f.MerchantID = q.Get("buyer_id"), q.Get("merchant_id")
	}
	os, err := a.DB.Orders(r.Context(), f)
	if err != nil {
		return err
	}
	out := []orderView{}
	for _, o := range os {
		out = append(out, viewOrder(o))
	}
	writeJSON(w, http.StatusOK, map[string]any{"orders": out})
	return nil
}

func (a *API) getOrder(w http.ResponseWriter, r *http.Request, c *caller) error {
	o, err := a.ownedOrder(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewOrder(o))
	return nil
}

func (a *API) cancelRenewal(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := buyerOnly(c); err != nil {
		return err
	}
	o, err := a.Orders.CancelRenewal(r.Context(), c.buyer.CustomerID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewOrder(o))
	return nil
}

func (a *API) listInstances(w http.ResponseWriter, r *http.Request, c *caller) error {
	q := r.URL.Query()
	f := store.InstanceFilter{BuyerID: c.buyerID(), OrderID: q.Get("order_id"), State: market.InstanceState(q.Get("state")), Limit: limit(r)}
	if c.operator {
		f.BuyerID, f.MerchantID = q.Get("buyer_id"), q.Get("merchant_id")
	}
	ins, err := a.DB.Instances(r.Context(), f)
	if err != nil {
		return err
	}
	out := []instanceView{}
	merchants := map[string]*market.Merchant{}
	for _, in := range ins {
		out = append(out, viewInstance(in, a.merchant(r.Context(), merchants, in.MerchantID)))
	}
	writeJSON(w, http.StatusOK, map[string]any{"instances": out})
	return nil
}

// merchant loads a merchant once per request.
func (a *API) merchant(ctx context.Context, cache map[string]*market.Merchant, id string) *market.Merchant {
	if m, ok := cache[id]; ok {
		return m
	}
	m, err := a.DB.Merchant(ctx, id)
	if err != nil {
		m = nil
	}
	cache[id] = m
	return m
}

func (a *API) getInstance(w http.ResponseWriter, r *http.Request, c *caller) error {
	in, err := a.DB.Instance(r.Context(), r.PathValue("key"))
	if err != nil || (!c.operator && in.BuyerID != c.buyer.CustomerID) {
		return market.Errorf(market.CodeNotFound, "instance %s not found", r.PathValue("key"))
	}
	writeJSON(w, http.StatusOK, viewInstance(in, a.merchant(r.Context(), map[string]*market.Merchant{}, in.MerchantID)))
	return nil
}

// changeInstance serves renew, upgrade and convert, which share a request shape.
func (a *API) changeInstance(f func(ctx context.Context, buyerID, key string, req order.ChangeRequest) (*market.Order, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, c *caller) error {
		if err := buyerOnly(c); err != nil {
			return err
		}
		var req order.ChangeRequest
		if err := decode(r, &req); err != nil {
			return err
		}
		var err error
		if req.IdempotencyKey, err = idempotencyKey(r); err != nil {
			return err
		}
		o, err := f(r.Context(), c.buyer.CustomerID, r.PathValue("key"), req)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, viewOrder(o))
		return nil
	}
}

func (a *API) unsubscribe(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := buyerOnly(c); err != nil {
		return err
	}
	o, err := a.Orders.Unsubscribe(r.Context(), c.buyer.CustomerID, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewOrder(o))
	return nil
}
