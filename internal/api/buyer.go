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

func idempotencyKey(r *http.Request) (string, error) {
	k := r.Header.Get(IdempotencyKeyHeader)
	if len(k) > 128 {
		return "", market.Errorf(market.CodeInvalid, "%s is at most 128 characters", IdempotencyKeyHeader)
	}
	return k, nil
}

func (a *API) placeOrder(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req order.PurchaseRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	var err error
	if req.IdempotencyKey, err = idempotencyKey(r); err != nil {
		return err
	}
	o, err := a.Orders.Purchase(r.Context(), v, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewOrder(o))
	return nil
}

func (a *API) listOrders(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	q := r.URL.Query()
	f := store.OrderFilter{BuyerID: q.Get("buyer_id"), MerchantID: q.Get("merchant_id"), InstanceKey: q.Get("instance"), Limit: limit(r)}
	os, err := a.Orders.Orders(r.Context(), v, f)
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

func (a *API) getOrder(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	o, err := a.Orders.Order(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewOrder(o))
	return nil
}

func (a *API) cancelRenewal(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	o, err := a.Orders.CancelRenewal(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewOrder(o))
	return nil
}

func (a *API) listInstances(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	q := r.URL.Query()
	f := store.InstanceFilter{BuyerID: q.Get("buyer_id"), MerchantID: q.Get("merchant_id"), OrderID: q.Get("order_id"),
		State: market.InstanceState(q.Get("state")), Limit: limit(r)}
	ins, err := a.Orders.Instances(r.Context(), v, f)
	if err != nil {
		return err
	}
	out := []instanceView{}
	for _, in := range ins {
		info, err := a.Orders.AppInfo(r.Context(), v, in)
		out = append(out, viewInstance(in, info, err))
	}
	writeJSON(w, http.StatusOK, map[string]any{"instances": out})
	return nil
}

func (a *API) getInstance(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	in, err := a.Orders.Instance(r.Context(), v, r.PathValue("key"))
	if err != nil {
		return err
	}
	info, err := a.Orders.AppInfo(r.Context(), v, in)
	writeJSON(w, http.StatusOK, viewInstance(in, info, err))
	return nil
}

// changeInstance serves renew, upgrade and convert, which share a request shape.
func (a *API) changeInstance(f func(ctx context.Context, v market.Viewer, key string, req order.ChangeRequest) (*market.Order, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
		var req order.ChangeRequest
		if err := decode(r, &req); err != nil {
			return err
		}
		var err error
		if req.IdempotencyKey, err = idempotencyKey(r); err != nil {
			return err
		}
		o, err := f(r.Context(), v, r.PathValue("key"), req)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, viewOrder(o))
		return nil
	}
}

func (a *API) unsubscribe(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	o, err := a.Orders.Unsubscribe(r.Context(), v, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewOrder(o))
	return nil
}
