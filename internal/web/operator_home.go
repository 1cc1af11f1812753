package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// The operator console (运营后台, docs/consoles.md#operator-console): review queues, merchants
// and buyers, every merchant call, money and the sandbox's test clock. Each page and action calls
// the service the JSON API calls for it, with the operator's viewer; the services decide.

func (c *Console) registerOperator(mux *http.ServeMux) {
	mux.Handle("GET /operator/{$}", c.operatorRoute(c.operatorHome))
	c.registerOperatorReview(mux)
	c.registerOperatorAftersale(mux)
	c.registerOperatorCalls(mux)
	c.registerOperatorParties(mux)
	c.registerOperatorAccounts(mux)
	c.registerOperatorExtras(mux)
	c.registerOperatorProducts(mux)
	c.registerOperatorFlows(mux)
	c.registerOperatorAttributes(mux)
	c.registerOperatorNewProduct(mux)
	c.registerOperatorOrders(mux)
	c.registerOperatorMoney(mux)
	c.registerOperatorConfig(mux)
	c.registerOperatorJoint(mux)
	c.registerOperatorRules(mux)
	c.registerOperatorShipping(mux)
	c.registerOperatorPackages(mux)
}

// opQueueCount is how many items wait in a queue: at most one page is counted, More says there
// are more than N.
type opQueueCount struct {
	N    int
	More bool
}

func opCountOf[T any](list []T, next store.Cursor, err error) (opQueueCount, error) {
	return opQueueCount{N: len(list), More: !next.IsZero()}, err
}

// operatorQueues counts what waits for the operator: the overview's cards and the side
// navigation's badges read the same numbers.
func (c *Console) operatorQueues(r *http.Request, v market.Viewer) (map[string]opQueueCount, error) {
	ctx := r.Context()
	all := store.Page{Limit: store.MaxLimit}
	out := map[string]opQueueCount{}
	var err error
	if out["applications"], err = opCountOf(c.svc.Publish.Applications(ctx, v, store.ApplicationFilter{State: market.AppPending, Queue: true, Page: all})); err != nil {
		return nil, err
	}
	refunds, next, err := c.svc.Aftersale.Unsubscriptions(ctx, v, store.UnsubFilter{State: market.UnsubRefunding, Page: all})
	if err != nil {
		return nil, err
	}
	out["refunds"] = opQueueCount{N: len(opLargeRefunds(refunds)), More: !next.IsZero()}
	if out["disputes"], err = opCountOf(c.svc.Aftersale.Unsubscriptions(ctx, v, store.UnsubFilter{State: market.UnsubDispute, Page: all})); err != nil {
		return nil, err
	}
	if out["appeals"], err = opCountOf(c.svc.Appeals.Appeals(ctx, v, store.AppealFilter{State: market.AppealOpen, Page: all})); err != nil {
		return nil, err
	}
	if out["failed_calls"], err = opCountOf(c.svc.Calls.Calls(ctx, v, store.CallFilter{State: market.CallFailed, Page: all})); err != nil {
		return nil, err
	}
	if out["pending_calls"], err = opCountOf(c.svc.Calls.Calls(ctx, v, store.CallFilter{State: market.CallPending, Page: all})); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *Console) operatorHome(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	queues, err := c.operatorQueues(r, v)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	merchants, _, err := c.svc.Catalog.Merchants(r.Context(), v, store.Page{Limit: 5})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "op.home.title")
	view.Nav = "op-home"
	view.Data = map[string]any{"Queues": queues, "Sandbox": c.cfg.Operator.Clock != nil, "Merchants": merchants}
	c.render(w, r, http.StatusOK, "operator_home", view)
}

// backTo redirects after an action to path with a flash message.
func (c *Console) backTo(w http.ResponseWriter, r *http.Request, path, flash string) {
	if flash != "" {
		c.flash(r.Context(), flash)
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// opFilterLink is the current page's address with one query parameter set (or removed when
// value is ""), for filter opChips; the list position is dropped.
func opFilterLink(r *http.Request, key, value string) string {
	q := url.Values{}
	for k, vs := range r.URL.Query() {
		if k != "after" {
			q[k] = vs
		}
	}
	if value == "" {
		q.Del(key)
	} else {
		q.Set(key, value)
	}
	if len(q) == 0 {
		return r.URL.Path
	}
	return r.URL.Path + "?" + q.Encode()
}

// opFailed records a service's refusal of an operator form at its fields: the message is
// op.err.FIELD when the catalogs have one, else the code's, with the service's text as detail.
// fields maps the service's field names to the form's; a field not in it is the form's own.
func (c *Console) opFailed(r *http.Request, f *form, err error, fields map[string]string) {
	var me *market.Error
	if !errors.As(err, &me) {
		f.Errors["form"] = fieldErr{Key: "error.code.internal"}
		return
	}
	l := c.texts.locale(c.texts.pick(r), false, c.cfg.Location)
	list := me.Details
	if len(list) == 0 {
		list = []market.FieldError{{Field: me.Field, Message: me.Message}}
	}
	for _, fe := range list {
		field, ok := fields[fe.Field]
		if !ok {
			field = "form"
		}
		key := "error.code." + string(me.Code)
		if l.Has("op.err." + field) {
			key = "op.err." + field
		}
		if _, taken := f.Errors[field]; !taken {
			f.Errors[field] = fieldErr{Key: key, Detail: fe.Message}
		}
	}
}

// opForm is a submitted operator form: its inputs' ids are "f-" and the field's name, which the
// error summary links to.
func opForm(r *http.Request) *form {
	f := newForm(r)
	f.Prefix = "f-"
	return f
}
