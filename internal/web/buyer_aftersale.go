package web

import (
	"net/http"
	"strings"

	"github.com/mercato-oss/mercato/internal/aftersale"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Unsubscriptions: the instance page shows whether the instance may be unsubscribed and how
// (aftersale.Eligibility); the buyer submits a request, follows it in the list, and may withdraw
// it while the seller has not decided.

func (c *Console) registerAftersale(mux *http.ServeMux) {
	mux.Handle("POST /my/instances/{key}/unsubscribe", c.buyerRoute(c.unsubscribe))
	mux.Handle("GET /my/unsubscriptions", c.buyerRoute(c.unsubscriptions))
	mux.Handle("POST /my/unsubscriptions/{id}/withdraw", c.buyerRoute(c.withdraw))
}

func (c *Console) unsubscribe(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
		return
	}
	f := newForm(r)
	req := aftersale.SubmitRequest{Kind: market.UnsubKind(f.Get("kind")), Reason: strings.TrimSpace(f.Get("reason")),
		ShareContact: f.Get("share") == "yes"}
	if req.Reason == "" {
		f.Add("reason", "err.reason")
	}
	if s := strings.TrimSpace(f.Get("amount")); s != "" {
		m, err := market.ParseMoney(s)
		if err != nil || m <= 0 {
			f.Add("amount", "err.amount")
		}
		req.Amount = m
	}
	if !f.Any() {
		_, err := c.svc.Aftersale.Submit(r.Context(), v, r.PathValue("key"), req)
		if err == nil {
			c.flash(r.Context(), "flash.unsubscribed")
			http.Redirect(w, r, "/my/unsubscriptions", http.StatusSeeOther)
			return
		}
		if code := market.ErrorCode(err); code == market.CodeNotFound || code == market.CodeInternal || code == market.CodeUnauthorized {
			c.fail(w, r, err)
			return
		}
		f.Failed(c.texts.locale(c.texts.pick(r), false, c.cfg.Location), err, map[string]string{"kind": "kind", "amount": "amount", "reason": "reason"})
	}
	c.renderInstance(w, r, v, http.StatusUnprocessableEntity, f, "unsubscribe")
}

func (c *Console) unsubscriptions(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	list, next, err := c.svc.Aftersale.Unsubscriptions(r.Context(), v, store.UnsubFilter{Page: pageOf(r, 20)})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "unsubs.title")
	view.Nav = "unsubs"
	view.Data = map[string]any{"Unsubs": list, "Next": nextLink(r, next), "Currency": c.cfg.Currency}
	c.render(w, r, http.StatusOK, "unsubscriptions", view)
}

func (c *Console) withdraw(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if _, err := c.svc.Aftersale.Withdraw(r.Context(), v, r.PathValue("id")); err != nil {
		if market.ErrorCode(err) != market.CodeConflict {
			c.fail(w, r, err)
			return
		}
		c.flash(r.Context(), "flash.withdraw_refused")
	} else {
		c.flash(r.Context(), "flash.withdrawn")
	}
	http.Redirect(w, r, "/my/unsubscriptions", http.StatusSeeOther)
}
