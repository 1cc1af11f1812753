package web

import (
	"net/http"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
)

// Money: the bills each collection made (every buyer's, or one's), the merchants' monthly
// statements (settlement) with their payout, and the ledger's account balances.

func (c *Console) registerOperatorMoney(mux *http.ServeMux) {
	mux.Handle("GET /operator/bills", c.operatorRoute(c.operatorBills))
	mux.Handle("GET /operator/statements", c.operatorRoute(c.operatorStatements))
	mux.Handle("POST /operator/statements/{merchant}/{month}/payout", c.operatorRoute(c.operatorPayout))
}

func (c *Console) operatorBills(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	buyer := strings.TrimSpace(r.URL.Query().Get("buyer"))
	bills, next, err := c.svc.Billing.Bills(r.Context(), v, buyer, pageOf(r, 30))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "op.bills.title")
	view.Nav = "op-bills"
	view.Data = map[string]any{"Bills": bills, "Next": nextLink(r, next), "Buyer": buyer, "Currency": c.cfg.Currency}
	c.render(w, r, http.StatusOK, "operator_bills", view)
}

func (c *Console) operatorStatements(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	merchant := strings.TrimSpace(r.URL.Query().Get("merchant"))
	list, err := c.svc.Billing.Statements(r.Context(), v, merchant, 100)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	ledger, err := c.svc.Billing.Ledger(r.Context(), v)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "op.statements.title")
	view.Nav = "op-statements"
	view.Data = map[string]any{"Statements": list, "Merchant": merchant, "Ledger": ledger, "Currency": c.cfg.Currency}
	c.render(w, r, http.StatusOK, "operator_statements", view)
}

// operatorPayout records a statement's settlement as paid out; a second payout of the same month
// is refused by the service and shown as a flash.
func (c *Console) operatorPayout(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	back := "/operator/statements"
	if m := r.PostForm.Get("back"); m != "" {
		back = safeNext(m)
	}
	_, err := c.svc.Billing.Payout(r.Context(), v, r.PathValue("merchant"), r.PathValue("month"))
	switch {
	case err == nil:
		c.backTo(w, r, back, "op.flash.paid_out")
	case market.ErrorCode(err) == market.CodeConflict:
		c.backTo(w, r, back, "op.flash.payout_refused")
	default:
		c.fail(w, r, err)
	}
}
