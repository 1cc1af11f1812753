package api

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/appeal"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/supervision"
)

// Service supervision and appeals.

func (a *API) registerSupervision(mux Mux) {
	mux.Handle("PUT /api/v1/specs/{sku}/supervision", a.auth(a.setSupervision))
	mux.Handle("GET /api/v1/specs/{sku}/supervision", a.auth(a.getSupervision))
	mux.Handle("GET /api/v1/flows", a.auth(a.listFlows))
	mux.Handle("GET /api/v1/flows/{id}", a.auth(a.getFlow))
	mux.Handle("GET /api/v1/instances/{key}/flow", a.auth(a.instanceFlow))
	mux.Handle("POST /api/v1/flows/{id}/requirement", a.auth(a.flowStep(func(r *http.Request, v market.Viewer, req flowStepRequest) (*market.Flow, error) {
		return a.Supervision.SubmitRequirement(r.Context(), v, r.PathValue("id"), req.StepRequest)
	})))
	mux.Handle("POST /api/v1/flows/{id}/confirm", a.auth(a.flowStep(func(r *http.Request, v market.Viewer, req flowStepRequest) (*market.Flow, error) {
		return a.Supervision.ConfirmRequirement(r.Context(), v, r.PathValue("id"), req.Approve, req.StepRequest)
	})))
	mux.Handle("POST /api/v1/flows/{id}/deliver", a.auth(a.flowStep(func(r *http.Request, v market.Viewer, req flowStepRequest) (*market.Flow, error) {
		return a.Supervision.Deliver(r.Context(), v, r.PathValue("id"), req.StepRequest)
	})))
	mux.Handle("POST /api/v1/flows/{id}/accept", a.auth(a.flowStep(func(r *http.Request, v market.Viewer, req flowStepRequest) (*market.Flow, error) {
		return a.Supervision.Accept(r.Context(), v, r.PathValue("id"), req.Approve, req.StepRequest)
	})))
	mux.Handle("GET /api/v1/flows/{id}/files/{file}", a.auth(a.flowFile))
	mux.Handle("POST /api/v1/flows/{id}/appeals", a.auth(a.fileAppeal))
	mux.Handle("GET /api/v1/appeals", a.auth(a.listAppeals))
	mux.Handle("GET /api/v1/appeals/{id}", a.auth(a.getAppeal))
	mux.Handle("POST /api/v1/appeals/{id}/decide", a.auth(a.decideAppeal))
	mux.Handle("GET /api/v1/appeals/{id}/files/{file}", a.auth(a.appealFile))
}

// flowStepRequest is a step's text and files, and for the confirmation and the acceptance,
// whether the party agrees (false: it rejects, saying why in text).
type flowStepRequest struct {
	supervision.StepRequest
	Approve bool `json:"approve,omitempty"`
}

func (a *API) setSupervision(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req supervision.SpecRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	t, err := a.Supervision.SetSpec(r.Context(), v, r.PathValue("sku"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"sku_code": r.PathValue("sku"), "supervised": t != "", "template": t})
	return nil
}

func (a *API) getSupervision(w http.ResponseWriter, r *http.Request, _ market.Viewer) error {
	t, err := a.Supervision.Spec(r.Context(), r.PathValue("sku"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"sku_code": r.PathValue("sku"), "supervised": t != "", "template": t})
	return nil
}

func (a *API) listFlows(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	q := query(r)
	page, err := q.page()
	if err != nil {
		return err
	}
	state, err := enum(q, "state", market.FlowAwaitingRequirement, market.FlowAwaitingConfirm, market.FlowDelivering, market.FlowAwaitingAcceptance,
		market.FlowAccepted, market.FlowCompleted, market.FlowClosed)
	if err != nil {
		return err
	}
	list, next, err := a.Supervision.Flows(r.Context(), v, store.FlowFilter{BuyerID: q.q.Get("buyer_id"), MerchantID: q.q.Get("merchant_id"), State: state, Page: page})
	if err != nil {
		return err
	}
	out := make([]flowView, len(list))
	for i, f := range list {
		out[i] = viewFlow(f, nil)
	}
	writeList(w, r, "flows", out, next)
	return nil
}

func writeFlow(w http.ResponseWriter, f *market.Flow, steps []*market.Evidence, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewFlow(f, steps))
	return nil
}

func (a *API) getFlow(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	f, steps, err := a.Supervision.Flow(r.Context(), v, r.PathValue("id"))
	return writeFlow(w, f, steps, err)
}

func (a *API) instanceFlow(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	f, steps, err := a.Supervision.FlowOf(r.Context(), v, r.PathValue("key"))
	return writeFlow(w, f, steps, err)
}

// flowStep serves the parties' steps, which share a request shape and answer the flow.
func (a *API) flowStep(step func(r *http.Request, v market.Viewer, req flowStepRequest) (*market.Flow, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
		var req flowStepRequest
		if err := decode(w, r, &req); err != nil {
			return err
		}
		f, err := step(r, v, req)
		return writeFlow(w, f, nil, err)
	}
}

func (a *API) flowFile(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	f, err := a.Supervision.File(r.Context(), v, r.PathValue("id"), r.PathValue("file"))
	if err != nil {
		return err
	}
	writeAttachment(w, f)
	return nil
}

func (a *API) fileAppeal(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req appeal.Request
	if err := decode(w, r, &req); err != nil {
		return err
	}
	ap, err := a.Appeals.File(r.Context(), v, r.PathValue("id"), req)
	if err != nil {
		return err
	}
	d, err := a.Appeals.Appeal(r.Context(), v, ap.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewAppeal(d))
	return nil
}

func (a *API) listAppeals(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	q := query(r)
	page, err := q.page()
	if err != nil {
		return err
	}
	state, err := enum(q, "state", market.AppealOpen, market.AppealDecided)
	if err != nil {
		return err
	}
	list, next, err := a.Appeals.Appeals(r.Context(), v, store.AppealFilter{BuyerID: q.q.Get("buyer_id"), MerchantID: q.q.Get("merchant_id"), State: state, Page: page})
	if err != nil {
		return err
	}
	out := views(list, viewAppeal)
	writeList(w, r, "appeals", out, next)
	return nil
}

func (a *API) getAppeal(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	d, err := a.Appeals.Appeal(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewAppeal(d))
	return nil
}

func (a *API) decideAppeal(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req appeal.Decision
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if _, err := a.Appeals.Decide(r.Context(), v, r.PathValue("id"), req); err != nil {
		return err
	}
	return a.getAppeal(w, r, v)
}

func (a *API) appealFile(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	f, err := a.Appeals.Attachment(r.Context(), v, r.PathValue("id"), r.PathValue("file"))
	if err != nil {
		return err
	}
	writeAttachment(w, f)
	return nil
}
