package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Every merchant call (生产接口消息) with its attempts, filtered by merchant and state, through
// fulfil.Dispatcher as /api/v1/calls is; restart a failed call, or retry a pending one now.

func (c *Console) registerOperatorCalls(mux *http.ServeMux) {
	mux.Handle("GET /operator/calls", c.operatorRoute(c.operatorCalls))
	mux.Handle("GET /operator/calls/{id}", c.operatorRoute(c.operatorCall))
	mux.Handle("POST /operator/calls/{id}/restart", c.operatorRoute(c.operatorCallAction(true)))
	mux.Handle("POST /operator/calls/{id}/retry", c.operatorRoute(c.operatorCallAction(false)))
}

var opCallStates = []market.CallState{market.CallPending, market.CallSucceeded, market.CallFailed}

func (c *Console) operatorCalls(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	q := r.URL.Query()
	state := opOneOf(q.Get("state"), opCallStates)
	merchant := strings.TrimSpace(q.Get("merchant"))
	instance := strings.TrimSpace(q.Get("instance"))
	calls, next, err := c.svc.Calls.Calls(r.Context(), v, store.CallFilter{MerchantID: merchant, InstanceKey: instance, State: state, Page: pageOf(r, 30)})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "op.calls.title")
	view.Nav = "op-calls"
	view.Data = map[string]any{"Calls": calls, "Next": nextLink(r, next), "States": opChips(r, "state", opCallStates, state),
		"Merchant": merchant, "Instance": instance, "State": string(state)}
	c.render(w, r, http.StatusOK, "operator_calls", view)
}

// opAttemptView is an attempt with its bodies made readable.
type opAttemptView struct {
	*market.Attempt
	RequestText, ResponseText string
	Truncated                 bool
	LatencyMS                 int64
}

// opReadable shows a body as indented JSON when it is JSON, else as text (invalid UTF-8 escaped).
func opReadable(b []byte) string {
	var buf bytes.Buffer
	if json.Indent(&buf, b, "", "  ") == nil {
		return buf.String()
	}
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func (c *Console) operatorCall(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.renderCall(w, r, v, http.StatusOK, opForm(r))
}

func (c *Console) renderCall(w http.ResponseWriter, r *http.Request, v market.Viewer, status int, f *form) {
	call, atts, err := c.svc.Calls.Call(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	views := make([]opAttemptView, len(atts))
	for i, a := range atts {
		views[i] = opAttemptView{Attempt: a, RequestText: opReadable(a.Request), ResponseText: opReadable(a.Response),
			Truncated: a.ResponseSize > len(a.Response), LatencyMS: a.Latency.Milliseconds()}
	}
	view := c.newView(r, "op.call.title")
	view.Title = call.ID
	view.Nav = "op-calls"
	view.Form = f
	view.Data = map[string]any{"Call": call, "Request": opReadable(call.Request), "Attempts": views,
		"Restartable": call.State == market.CallFailed, "Retryable": call.State == market.CallPending}
	c.render(w, r, status, "operator_call", view)
}

// operatorCallAction restarts a failed call (a fresh retry window) or retries a pending one
// now; a call whose state moved meanwhile is a flash.
func (c *Console) operatorCallAction(restart bool) viewerHandler {
	return func(w http.ResponseWriter, r *http.Request, v market.Viewer) {
		if !c.parseForm(w, r) {
			return
		}
		id := r.PathValue("id")
		var err error
		flash := "op.flash.call_retried"
		if restart {
			_, err = c.svc.Calls.Restart(r.Context(), v, id)
			flash = "op.flash.call_restarted"
		} else {
			_, err = c.svc.Calls.RetryNow(r.Context(), v, id)
		}
		switch {
		case err == nil:
			c.backTo(w, r, "/operator/calls/"+id, flash)
		case market.ErrorCode(err) == market.CodeConflict:
			// Not restartable now (its order was refunded, or its state moved): the call's page
			// again with the service's reason.
			f := opForm(r)
			f.Errors["form"] = fieldErr{Key: "op.call.refused", Detail: market.ErrorMessage(err)}
			c.renderCall(w, r, v, http.StatusConflict, f)
		default:
			c.fail(w, r, err)
		}
	}
}
