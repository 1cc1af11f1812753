package web

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Interface messages (生产接口消息): the merchant's calls, newest first, filtered by state or
// instance; a call's page with each attempt's request, answer, result code and latency; restart
// a failed call, retry a pending one now. The call service (fulfil.Dispatcher) decides who may.

func (c *Console) registerSellerCalls(mux *http.ServeMux) {
	mux.Handle("GET /seller/calls", c.sellerRoute(c.sellerCalls))
	mux.Handle("GET /seller/calls/{id}", c.sellerRoute(c.sellerCall))
	mux.Handle("POST /seller/calls/{id}/restart", c.sellerRoute(c.sellerCallAction(true)))
	mux.Handle("POST /seller/calls/{id}/retry", c.sellerRoute(c.sellerCallAction(false)))
}

var callStates = []market.CallState{market.CallPending, market.CallSucceeded, market.CallFailed}

func (c *Console) sellerCalls(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	q := r.URL.Query()
	state := market.CallState(q.Get("state"))
	found := state == ""
	for _, s := range callStates {
		found = found || s == state
	}
	if !found {
		state = ""
	}
	list, next, err := c.svc.Calls.Calls(r.Context(), v, store.CallFilter{State: state, InstanceKey: q.Get("instance"), Page: pageOf(r, 20)})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "seller.calls.title")
	view.Nav = "seller/calls"
	view.Data = map[string]any{"Calls": list, "Next": nextLink(r, next), "State": string(state), "States": callStates, "Instance": q.Get("instance")}
	c.render(w, r, http.StatusOK, "seller_calls", view)
}

// attemptView is an attempt with its bodies made readable (indented JSON when they are JSON).
type attemptView struct {
	*market.Attempt
	RequestText, ResponseText string
}

func (c *Console) sellerCall(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	call, atts, err := c.svc.Calls.Call(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	views := make([]attemptView, len(atts))
	for i, a := range atts {
		// Newest first, as the list is.
		views[len(atts)-1-i] = attemptView{a, readable(a.Request), readable(a.Response)}
	}
	view := c.newView(r, "seller.call.title")
	view.Title = call.ID
	view.Nav = "seller/calls"
	view.Data = map[string]any{"Call": call, "Request": readable(call.Request), "Attempts": views,
		"Restartable": call.State == market.CallFailed, "Retryable": call.State == market.CallPending}
	c.render(w, r, http.StatusOK, "seller_call", view)
}

// readable indents a JSON body; anything else (a 1.0 query string, HTML) is shown as it is.
func readable(b []byte) string {
	var out bytes.Buffer
	if json.Indent(&out, b, "", "  ") == nil {
		return out.String()
	}
	return string(b)
}

// sellerCallAction restarts a failed call (restart) or makes a pending call's next attempt now.
func (c *Console) sellerCallAction(restart bool) viewerHandler {
	return func(w http.ResponseWriter, r *http.Request, v market.Viewer) {
		id := r.PathValue("id")
		act, flash := c.svc.Calls.RetryNow, "seller.flash.retried"
		if restart {
			act, flash = c.svc.Calls.Restart, "seller.flash.restarted"
		}
		if _, err := act(r.Context(), v, id); err != nil {
			c.sellerRefused(w, r, err, "/seller/calls/"+esc(id))
			return
		}
		c.sellerDone(w, r, flash, "/seller/calls/"+esc(id))
	}
}
