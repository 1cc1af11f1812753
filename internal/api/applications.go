package api

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/publish"
	"github.com/mercato-oss/mercato/internal/store"
)

// Applications (rules §1.3): sellers draft, submit, withdraw and delete them under
// /api/v1/seller/applications; the operator reviews them under /api/v1/applications.

func (a *API) registerApplications(mux Mux) {
	mux.Handle("GET /api/v1/applications", a.auth(a.listApplications))
	mux.Handle("POST /api/v1/applications", a.auth(a.createApplication))
	mux.Handle("GET /api/v1/applications/{id}", a.auth(a.getApplication))
	mux.Handle("POST /api/v1/applications/{id}/approve", a.auth(a.approveApplication))
	mux.Handle("POST /api/v1/applications/{id}/reject", a.auth(a.rejectApplication))
}

func (a *API) registerSellerApplications(mux Mux, s func(handlerFunc) http.Handler) {
	mux.Handle("GET /api/v1/seller/applications", s(a.listApplications))
	mux.Handle("POST /api/v1/seller/applications", s(a.createApplication))
	mux.Handle("GET /api/v1/seller/applications/{id}", s(a.getApplication))
	mux.Handle("PUT /api/v1/seller/applications/{id}", s(a.updateApplication))
	mux.Handle("DELETE /api/v1/seller/applications/{id}", s(a.deleteApplication))
	mux.Handle("POST /api/v1/seller/applications/{id}/submit", s(a.appAction(a.Publish.Submit)))
	mux.Handle("POST /api/v1/seller/applications/{id}/withdraw", s(a.appAction(a.Publish.Withdraw)))
}

type transitionView struct {
	From    market.ApplicationState `json:"from,omitempty"`
	To      market.ApplicationState `json:"to"`
	By      string                  `json:"by"`
	Comment string                  `json:"comment,omitempty"`
	At      string                  `json:"at"`
}

type applicationView struct {
	ID          string                  `json:"id"`
	MerchantID  string                  `json:"merchant_id"`
	ProductID   string                  `json:"product_id"`
	Type        market.ApplicationType  `json:"type"`
	Target      string                  `json:"target,omitempty"`
	State       market.ApplicationState `json:"state"`
	Comment     string                  `json:"comment,omitempty"`
	SubmittedAt string                  `json:"submitted_at,omitempty"`
	DueAt       string                  `json:"due_at,omitempty"`
	CreatedBy   string                  `json:"created_by"`
	CreatedAt   string                  `json:"created_at"`
	UpdatedAt   string                  `json:"updated_at"`
	// Content is what the application asks for: the draft, visibility, removal or business
	// plan, as submitted.
	Content     json.RawMessage  `json:"content"`
	Transitions []transitionView `json:"transitions,omitempty"`
}

func viewApplication(app *market.Application, history []*market.Transition) applicationView {
	v := applicationView{ID: app.ID, MerchantID: app.MerchantID, ProductID: app.ProductID, Type: app.Type, Target: app.Target, State: app.State,
		Comment: app.Comment, SubmittedAt: ts(app.SubmittedAt), DueAt: ts(app.DueAt), CreatedBy: app.CreatedBy, CreatedAt: ts(app.CreatedAt),
		UpdatedAt: ts(app.UpdatedAt), Content: app.Payload}
	for _, t := range history {
		v.Transitions = append(v.Transitions, transitionView{t.From, t.To, t.By, t.Comment, ts(t.At)})
	}
	return v
}

func (a *API) listApplications(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	q := query(r)
	page, err := q.page()
	if err != nil {
		return err
	}
	typ, err := enum(q, "type", market.AppRelease, market.AppModification, market.AppVisibility, market.AppRemoval, market.AppBusinessPlan)
	if err != nil {
		return err
	}
	state, err := enum(q, "state", market.AppDraft, market.AppPending, market.AppApproved, market.AppRejected, market.AppDeleted)
	if err != nil {
		return err
	}
	// The operator's review queue (pending, oldest submission first) is the list of pending
	// applications on /api/v1/applications.
	queue := state == market.AppPending && v.IsOperator()
	apps, next, err := a.Publish.Applications(r.Context(), v, store.ApplicationFilter{MerchantID: q.q.Get("merchant_id"),
		ProductID: q.q.Get("product_id"), Type: typ, State: state, Queue: queue, Page: page})
	if err != nil {
		return err
	}
	out := make([]applicationView, len(apps))
	for i, app := range apps {
		out[i] = viewApplication(app, nil)
	}
	writeList(w, r, "applications", out, next)
	return nil
}

func (a *API) createApplication(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req publish.ApplicationRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	app, err := a.Publish.Create(r.Context(), v, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewApplication(app, nil))
	return nil
}

func (a *API) getApplication(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	d, err := a.Publish.Application(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewApplication(d.Application, d.Transitions))
	return nil
}

func (a *API) updateApplication(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req publish.ApplicationRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	app, err := a.Publish.Update(r.Context(), v, r.PathValue("id"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewApplication(app, nil))
	return nil
}

func (a *API) deleteApplication(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	return noContent(w, a.Publish.Delete(r.Context(), v, r.PathValue("id")))
}

// appAction serves submit and withdraw, which take no body.
func (a *API) appAction(f func(ctx context.Context, v market.Viewer, id string) (*market.Application, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
		app, err := f(r.Context(), v, r.PathValue("id"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, viewApplication(app, nil))
		return nil
	}
}

// approveRequest is an approval's optional comment; the body may be left out.
type approveRequest struct {
	Comment string `json:"comment,omitempty"`
}

// rejectRequest is a rejection's reason, which the seller reads.
type rejectRequest struct {
	Reason string `json:"reason"`
}

func (a *API) approveApplication(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req approveRequest
	if r.ContentLength != 0 {
		if err := decode(w, r, &req); err != nil {
			return err
		}
	}
	app, err := a.Publish.Approve(r.Context(), v, r.PathValue("id"), req.Comment)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewApplication(app, nil))
	return nil
}

func (a *API) rejectApplication(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req rejectRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	app, err := a.Publish.Reject(r.Context(), v, r.PathValue("id"), req.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewApplication(app, nil))
	return nil
}
