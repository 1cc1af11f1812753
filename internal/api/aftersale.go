package api

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/aftersale"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// After-sale endpoints (docs/after-sale.md): unsubscription eligibility and requests, their
// review, returns and refunds; invoices; the operator's release of an instance. The services
// decide who may do what from the caller's viewer.

func (a *API) registerAfterSale(mux Mux) {
	mux.Handle("GET /api/v1/instances/{key}/unsubscribe", a.auth(a.eligibility))
	mux.Handle("POST /api/v1/instances/{key}/unsubscribe", a.auth(a.unsubscribe))
	mux.Handle("POST /api/v1/instances/{key}/release", a.auth(a.release))
	mux.Handle("GET /api/v1/unsubscriptions", a.auth(a.listUnsubs))
	mux.Handle("GET /api/v1/unsubscriptions/{id}", a.auth(a.getUnsub))
	mux.Handle("POST /api/v1/unsubscriptions/{id}/withdraw", a.auth(a.withdrawUnsub))
	mux.Handle("POST /api/v1/unsubscriptions/{id}/review", a.auth(a.reviewUnsub))
	mux.Handle("POST /api/v1/unsubscriptions/{id}/return", a.auth(a.returnGoods))
	mux.Handle("POST /api/v1/unsubscriptions/{id}/inspect", a.auth(a.inspectReturn))
	mux.Handle("POST /api/v1/unsubscriptions/{id}/approve", a.auth(a.approveRefund))
	mux.Handle("POST /api/v1/unsubscriptions/{id}/dispute", a.auth(a.resolveDispute))
	mux.Handle("POST /api/v1/orders/{id}/invoice", a.auth(a.issueInvoice))
	mux.Handle("POST /api/v1/orders/{id}/invoice/return", a.auth(a.returnInvoice))
	a.registerSupervision(mux)
	a.registerHardware(mux)
	a.registerMoney(mux)
	a.registerRenewal(mux)
}

// decision is a yes/no answer with a note: a review, an inspection.
type decision struct {
	Approve bool   `json:"approve"`
	Note    string `json:"note,omitempty"`
}

// disputeDecision is the operator's decision on a disputed return.
type disputeDecision struct {
	Refund bool         `json:"refund"`
	Amount market.Money `json:"amount,omitempty"`
	Note   string       `json:"note"`
}

// releaseRequest is the operator's release of an instance.
type releaseRequest struct {
	Reason string `json:"reason"`
}

type invoiceView struct {
	OrderID    string `json:"order_id"`
	State      string `json:"state"`
	IssuedAt   string `json:"issued_at"`
	ReturnedAt string `json:"returned_at,omitempty"`
}

func (a *API) eligibility(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	e, err := a.Aftersale.Eligibility(r.Context(), v, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewEligibility(e))
	return nil
}

func (a *API) unsubscribe(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req aftersale.SubmitRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	u, err := a.Aftersale.Submit(r.Context(), v, r.PathValue("key"), req)
	return writeUnsub(w, http.StatusCreated, u, err)
}

func writeUnsub(w http.ResponseWriter, status int, u *market.Unsubscription, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, status, viewUnsub(u))
	return nil
}

func (a *API) release(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req releaseRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	o, err := a.Orders.Release(r.Context(), v, r.PathValue("key"), req.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewOrder(o))
	return nil
}

func (a *API) listUnsubs(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	q := query(r)
	page, err := q.page()
	if err != nil {
		return err
	}
	state, err := enum(q, "state", market.UnsubPendingSeller, market.UnsubWithdrawn, market.UnsubRejected, market.UnsubRefunding,
		market.UnsubRefunded, market.UnsubAwaitingReturn, market.UnsubAwaitingInspect, market.UnsubDispute)
	if err != nil {
		return err
	}
	list, next, err := a.Aftersale.Unsubscriptions(r.Context(), v, store.UnsubFilter{BuyerID: q.q.Get("buyer_id"), MerchantID: q.q.Get("merchant_id"),
		State: state, Page: page})
	if err != nil {
		return err
	}
	out := views(list, viewUnsub)
	writeList(w, r, "unsubscriptions", out, next)
	return nil
}

func (a *API) getUnsub(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	d, err := a.Aftersale.Unsubscription(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewUnsubDetail(d))
	return nil
}

func (a *API) withdrawUnsub(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	u, err := a.Aftersale.Withdraw(r.Context(), v, r.PathValue("id"))
	return writeUnsub(w, http.StatusOK, u, err)
}

func (a *API) reviewUnsub(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req decision
	if err := decode(w, r, &req); err != nil {
		return err
	}
	u, err := a.Aftersale.Review(r.Context(), v, r.PathValue("id"), req.Approve, req.Note)
	return writeUnsub(w, http.StatusOK, u, err)
}

func (a *API) returnGoods(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req aftersale.ReturnRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	u, err := a.Aftersale.ReturnShipped(r.Context(), v, r.PathValue("id"), req)
	return writeUnsub(w, http.StatusOK, u, err)
}

func (a *API) inspectReturn(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req decision
	if err := decode(w, r, &req); err != nil {
		return err
	}
	u, err := a.Aftersale.Inspect(r.Context(), v, r.PathValue("id"), req.Approve, req.Note)
	return writeUnsub(w, http.StatusOK, u, err)
}

func (a *API) approveRefund(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	u, err := a.Aftersale.ApproveRefund(r.Context(), v, r.PathValue("id"))
	return writeUnsub(w, http.StatusOK, u, err)
}

func (a *API) resolveDispute(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req disputeDecision
	if err := decode(w, r, &req); err != nil {
		return err
	}
	u, err := a.Aftersale.ResolveDispute(r.Context(), v, r.PathValue("id"), req.Refund, req.Amount, req.Note)
	return writeUnsub(w, http.StatusOK, u, err)
}

func writeInvoice(w http.ResponseWriter, status int, inv *market.Invoice, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, status, invoiceView{inv.OrderID, inv.State, ts(inv.IssuedAt), ts(inv.ReturnedAt)})
	return nil
}

func (a *API) issueInvoice(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	inv, err := a.Aftersale.IssueInvoice(r.Context(), v, r.PathValue("id"))
	return writeInvoice(w, http.StatusCreated, inv, err)
}

func (a *API) returnInvoice(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	inv, err := a.Aftersale.ReturnInvoice(r.Context(), v, r.PathValue("id"))
	return writeInvoice(w, http.StatusOK, inv, err)
}
