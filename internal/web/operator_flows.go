package web

import (
	"net/http"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Service flows (service supervision, rules §4): every flow by state, buyer and merchant, and a
// flow's recorded steps, through supervision.Service as /api/v1/flows is. The parties act on
// them; the operator watches, and decides the appeals that freeze them.

func (c *Console) registerOperatorFlows(mux *http.ServeMux) {
	mux.Handle("GET /operator/flows", c.operatorRoute(c.operatorFlows))
	mux.Handle("GET /operator/flows/{id}", c.operatorRoute(c.operatorFlow))
	mux.Handle("GET /operator/flows/{id}/files/{file}", c.operatorRoute(c.operatorFlowFile))
}

var opFlowListStates = []market.FlowState{market.FlowAwaitingRequirement, market.FlowAwaitingConfirm, market.FlowDelivering,
	market.FlowAwaitingAcceptance, market.FlowAccepted, market.FlowCompleted, market.FlowClosed}

func (c *Console) operatorFlows(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	q := r.URL.Query()
	state := opOneOf(q.Get("state"), opFlowListStates)
	buyer, merchant := strings.TrimSpace(q.Get("buyer")), strings.TrimSpace(q.Get("merchant"))
	list, next, err := c.svc.Supervision.Flows(r.Context(), v, store.FlowFilter{BuyerID: buyer, MerchantID: merchant, State: state, Page: pageOf(r, 30)})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "op.flows.title")
	view.Nav = "op-flows"
	view.Data = map[string]any{"Flows": list, "Next": nextLink(r, next), "States": opChips(r, "state", opFlowListStates, state), "State": string(state),
		"Buyer": buyer, "Merchant": merchant}
	c.render(w, r, http.StatusOK, "operator_flows", view)
}

func (c *Console) operatorFlow(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	f, steps, err := c.svc.Supervision.Flow(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	appeals, _, err := c.svc.Appeals.Appeals(r.Context(), v, store.AppealFilter{FlowID: f.ID, Page: store.Page{Limit: 20}})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "op.flow.title")
	view.Title = f.ID
	view.Nav = "op-flows"
	view.Data = map[string]any{"F": f, "Steps": steps, "Appeals": appeals}
	c.render(w, r, http.StatusOK, "operator_flow", view)
}

// operatorFlowFile downloads a file a party attached to a flow's step (see operatorAppealFile).
func (c *Console) operatorFlowFile(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	f, err := c.svc.Supervision.File(r.Context(), v, r.PathValue("id"), r.PathValue("file"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	opDownload(w, f)
}
