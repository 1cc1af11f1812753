package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/mercato-oss/mercato/internal/aftersale"
	"github.com/mercato-oss/mercato/internal/appeal"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Large refunds and disputed returns (aftersale.Service: ApproveRefund, ResolveDispute) and
// appeals on service flows (appeal.Service.Decide): the operator's after-sale queues.

func (c *Console) registerOperatorAftersale(mux *http.ServeMux) {
	mux.Handle("GET /operator/refunds", c.operatorRoute(c.operatorRefunds))
	mux.Handle("GET /operator/refunds/{id}", c.operatorRoute(c.operatorRefund))
	mux.Handle("GET /operator/unsubscriptions", c.operatorRoute(c.operatorUnsubs))
	mux.Handle("POST /operator/refunds/{id}/approve", c.operatorRoute(c.operatorApproveRefund))
	mux.Handle("POST /operator/refunds/{id}/dispute", c.operatorRoute(c.operatorResolveDispute))
	mux.Handle("GET /operator/appeals", c.operatorRoute(c.operatorAppeals))
	mux.Handle("GET /operator/appeals/{id}", c.operatorRoute(c.operatorAppeal))
	mux.Handle("POST /operator/appeals/{id}/decide", c.operatorRoute(c.operatorDecideAppeal))
	mux.Handle("GET /operator/appeals/{id}/files/{file}", c.operatorRoute(c.operatorAppealFile))
}

// opLargeRefunds keeps the refunds that wait for the operator's approval.
func opLargeRefunds(list []*market.Unsubscription) []*market.Unsubscription {
	var out []*market.Unsubscription
	for _, u := range list {
		if u.Approval == market.ApprovalPending {
			out = append(out, u)
		}
	}
	return out
}

func (c *Console) operatorRefunds(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	ctx := r.Context()
	all := store.Page{Limit: store.MaxLimit}
	refunding, _, err := c.svc.Aftersale.Unsubscriptions(ctx, v, store.UnsubFilter{State: market.UnsubRefunding, Page: all})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	disputes, _, err := c.svc.Aftersale.Unsubscriptions(ctx, v, store.UnsubFilter{State: market.UnsubDispute, Page: all})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "op.refunds.title")
	view.Nav = "op-refunds"
	view.Data = map[string]any{"Large": opLargeRefunds(refunding), "Disputes": disputes, "Currency": c.cfg.Currency}
	c.render(w, r, http.StatusOK, "operator_refunds", view)
}

var opUnsubStates = []market.UnsubState{market.UnsubPendingSeller, market.UnsubRefunding, market.UnsubRefunded, market.UnsubRejected,
	market.UnsubWithdrawn, market.UnsubAwaitingReturn, market.UnsubAwaitingInspect, market.UnsubDispute}

// operatorUnsubs lists every unsubscription request, by state, buyer and merchant.
func (c *Console) operatorUnsubs(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	q := r.URL.Query()
	state := opOneOf(q.Get("state"), opUnsubStates)
	buyer, merchant := strings.TrimSpace(q.Get("buyer")), strings.TrimSpace(q.Get("merchant"))
	list, next, err := c.svc.Aftersale.Unsubscriptions(r.Context(), v, store.UnsubFilter{BuyerID: buyer, MerchantID: merchant, State: state, Page: pageOf(r, 30)})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "op.unsubs.title")
	view.Nav = "op-refunds"
	view.Data = map[string]any{"List": list, "Next": nextLink(r, next), "States": opChips(r, "state", opUnsubStates, state), "State": string(state),
		"Buyer": buyer, "Merchant": merchant, "Currency": c.cfg.Currency}
	c.render(w, r, http.StatusOK, "operator_unsubscriptions", view)
}

func (c *Console) operatorRefund(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	d, err := c.svc.Aftersale.Unsubscription(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.renderRefund(w, r, http.StatusOK, d, opForm(r))
}

func (c *Console) renderRefund(w http.ResponseWriter, r *http.Request, status int, d *aftersale.Detail, f *form) {
	view := c.newView(r, "op.refund.title")
	view.Title = d.ID
	view.Nav = "op-refunds"
	view.Form = f
	view.Data = map[string]any{"U": d, "Currency": c.cfg.Currency,
		"NeedsApproval": d.State == market.UnsubRefunding && d.Approval == market.ApprovalPending, "Disputed": d.State == market.UnsubDispute}
	c.render(w, r, status, "operator_refund", view)
}

func (c *Console) operatorApproveRefund(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	_, err := c.svc.Aftersale.ApproveRefund(r.Context(), v, r.PathValue("id"))
	c.afterDecision(w, r, "/operator/refunds/"+r.PathValue("id"), err, "op.flash.refund_approved", nil)
}

func (c *Console) operatorResolveDispute(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	f := opForm(r)
	var amount market.Money
	if s := strings.TrimSpace(f.Get("amount")); s != "" {
		var err error
		if amount, err = market.ParseMoney(s); err != nil || amount <= 0 {
			f.Add("amount", "op.err.amount")
		}
	}
	refund := f.Get("decision") == "refund"
	if f.Get("decision") != "refund" && f.Get("decision") != "reject" {
		f.Add("decision", "op.err.decision")
	}
	var err error
	if !f.Any() {
		_, err = c.svc.Aftersale.ResolveDispute(r.Context(), v, r.PathValue("id"), refund, amount, strings.TrimSpace(f.Get("note")))
	}
	c.afterDecision(w, r, "/operator/refunds/"+r.PathValue("id"), err, "op.flash.dispute_resolved", func(status int) {
		if err != nil {
			c.opFailed(r, f, err, map[string]string{"note": "note", "amount": "amount"})
		}
		d, lerr := c.svc.Aftersale.Unsubscription(r.Context(), v, r.PathValue("id"))
		if lerr != nil {
			c.fail(w, r, lerr)
			return
		}
		c.renderRefund(w, r, status, d, f)
	}, f)
}

// afterDecision answers an after-sale decision: back to path with a flash; a form error (the
// form's own, or the service's invalid) shows the page again through again; a decision someone
// made first is a flash.
func (c *Console) afterDecision(w http.ResponseWriter, r *http.Request, path string, err error, flash string, again func(status int), forms ...*form) {
	invalid := err != nil && market.ErrorCode(err) == market.CodeInvalid
	for _, f := range forms {
		invalid = invalid || f.Any()
	}
	switch {
	case invalid && again != nil:
		again(http.StatusUnprocessableEntity)
	case err == nil:
		c.backTo(w, r, path, flash)
	case market.ErrorCode(err) == market.CodeConflict:
		c.backTo(w, r, path, "op.flash.decided_already")
	default:
		c.fail(w, r, err)
	}
}

var opAppealStates = []market.AppealState{market.AppealOpen, market.AppealDecided}

func (c *Console) operatorAppeals(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	state := market.AppealOpen
	if s := r.URL.Query().Get("state"); s != "" {
		state = opOneOf(s, opAppealStates)
	}
	list, next, err := c.svc.Appeals.Appeals(r.Context(), v, store.AppealFilter{State: state, Page: pageOf(r, 20)})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	var states []opChip
	for _, s := range opAppealStates {
		states = append(states, opChip{Value: string(s), Href: opFilterLink(r, "state", string(s)), Current: s == state})
	}
	view := c.newView(r, "op.appeals.title")
	view.Nav = "op-appeals"
	view.Data = map[string]any{"Appeals": list, "Next": nextLink(r, next), "States": states, "Currency": c.cfg.Currency}
	c.render(w, r, http.StatusOK, "operator_appeals", view)
}

// opFlowStates are the states a RESUME decision may resume a flow at.
var opFlowStates = []market.FlowState{market.FlowAwaitingRequirement, market.FlowAwaitingConfirm, market.FlowDelivering, market.FlowAwaitingAcceptance}

func (c *Console) operatorAppeal(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	d, err := c.svc.Appeals.Appeal(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.renderAppeal(w, r, http.StatusOK, d, opForm(r))
}

func (c *Console) renderAppeal(w http.ResponseWriter, r *http.Request, status int, d *appeal.Detail, f *form) {
	view := c.newView(r, "op.appeal.title")
	view.Title = d.ID
	view.Nav = "op-appeals"
	view.Form = f
	view.Data = map[string]any{"A": d, "Currency": c.cfg.Currency, "FlowStates": opFlowStates,
		"Outcomes": []market.AppealOutcome{market.OutcomeResume, market.OutcomeComplete, market.OutcomeRefund}}
	c.render(w, r, status, "operator_appeal", view)
}

func (c *Console) operatorDecideAppeal(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	f := opForm(r)
	d := appeal.Decision{Outcome: market.AppealOutcome(f.Get("outcome")), Note: strings.TrimSpace(f.Get("note"))}
	if d.Outcome == market.OutcomeResume {
		d.ResumeAt = opOneOf(f.Get("resume_at"), opFlowStates)
		if d.ResumeAt == "" {
			f.Add("resume_at", "op.err.resume_at")
		}
	}
	if d.Outcome == market.OutcomeRefund {
		var err error
		if d.Refund, err = market.ParseMoney(strings.TrimSpace(f.Get("refund"))); err != nil || d.Refund <= 0 {
			f.Add("refund", "op.err.amount")
		}
	}
	var err error
	if !f.Any() {
		_, err = c.svc.Appeals.Decide(r.Context(), v, r.PathValue("id"), d)
	}
	c.afterDecision(w, r, "/operator/appeals/"+r.PathValue("id"), err, "op.flash.appeal_decided", func(status int) {
		if err != nil {
			c.opFailed(r, f, err, map[string]string{"note": "note", "outcome": "outcome", "refund": "refund", "amount": "refund", "resume_at": "resume_at"})
		}
		a, lerr := c.svc.Appeals.Appeal(r.Context(), v, r.PathValue("id"))
		if lerr != nil {
			c.fail(w, r, lerr)
			return
		}
		c.renderAppeal(w, r, status, a, f)
	}, f)
}

// operatorAppealFile downloads an appeal's attachment: always as a opDownload of opaque bytes, so
// that no file a party uploaded is rendered by the browser on the console's origin.
func (c *Console) operatorAppealFile(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	f, err := c.svc.Appeals.Attachment(r.Context(), v, r.PathValue("id"), r.PathValue("file"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	opDownload(w, f)
}

// opDownload sends an attachment as a opDownload of opaque bytes, never rendered on the console's
// origin (nosniff is on every answer).
func opDownload(w http.ResponseWriter, f *market.Attachment) {
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", "attachment; filename="+strconv.Quote(f.Name))
	h.Set("Cache-Control", "no-store")
	w.Write(f.Content)
}
