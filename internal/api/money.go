package api

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/promo"
	"github.com/mercato-oss/mercato/internal/store"
)

// Money after the sale: vouchers and cash coupons, credit lines and credit-pay products,
// customer levels, the ledger's accounts and statement payouts.

func (a *API) registerMoney(mux Mux) {
	mux.Handle("POST /api/v1/vouchers", a.auth(a.issueVoucher))
	mux.Handle("GET /api/v1/vouchers", a.auth(a.listVouchers))
	mux.Handle("GET /api/v1/vouchers/{id}", a.auth(a.getVoucher))
	mux.Handle("PUT /api/v1/buyers/{id}/credit", a.auth(a.setCredit))
	mux.Handle("PUT /api/v1/buyers/{id}/level", a.auth(a.setLevel))
	mux.Handle("PUT /api/v1/products/{id}/credit-pay", a.auth(a.setCreditPay))
	mux.Handle("GET /api/v1/ledger", a.auth(a.getLedger))
	mux.Handle("POST /api/v1/statements/{merchant}/{month}/payout", a.auth(a.payout))
}

// creditRequest sets a buyer's credit line.
type creditRequest struct {
	CreditLimit market.Money `json:"credit_limit"`
}

// levelRequest sets a buyer's customer level ("" for none).
type levelRequest struct {
	Level string `json:"level"`
}

type balanceView struct {
	Account string       `json:"account"`
	Balance market.Money `json:"balance"`
}

func (a *API) issueVoucher(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req promo.IssueRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	vo, err := a.Vouchers.Issue(r.Context(), v, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewVoucher(vo, true))
	return nil
}

func (a *API) listVouchers(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	q := query(r)
	page, err := q.page()
	if err != nil {
		return err
	}
	state, err := enum(q, "state", market.VoucherActive, market.VoucherUsed, market.VoucherInvalid)
	if err != nil {
		return err
	}
	list, next, err := a.Vouchers.Vouchers(r.Context(), v, store.VoucherFilter{BuyerID: q.q.Get("buyer_id"), State: state, Page: page})
	if err != nil {
		return err
	}
	out := make([]voucherView, len(list))
	for i, vo := range list {
		out[i] = viewVoucher(vo, vo.Usable(a.Vouchers.Now()))
	}
	writeList(w, r, "vouchers", out, next)
	return nil
}

func (a *API) getVoucher(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	vo, err := a.Vouchers.Voucher(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewVoucher(vo, vo.Usable(a.Vouchers.Now())))
	return nil
}

func (a *API) setCredit(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req creditRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := a.Billing.SetCreditLine(r.Context(), v, r.PathValue("id"), req.CreditLimit); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"buyer_id": r.PathValue("id"), "credit_limit": req.CreditLimit})
	return nil
}

func (a *API) setLevel(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req levelRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := a.Orders.SetCustomerLevel(r.Context(), v, r.PathValue("id"), req.Level); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"buyer_id": r.PathValue("id"), "level": req.Level})
	return nil
}

func (a *API) setCreditPay(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req enabledRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := a.Billing.SetCreditPay(r.Context(), v, r.PathValue("id"), req.Enabled); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"enabled": req.Enabled})
	return nil
}

func (a *API) getLedger(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	list, err := a.Billing.Ledger(r.Context(), v)
	if err != nil {
		return err
	}
	out := make([]balanceView, len(list))
	for i, b := range list {
		out[i] = balanceView{b.Account, b.Balance}
	}
	writeJSON(w, http.StatusOK, map[string]any{"accounts": out})
	return nil
}

func (a *API) payout(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	amount, err := a.Billing.Payout(r.Context(), v, r.PathValue("merchant"), r.PathValue("month"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"merchant_id": r.PathValue("merchant"), "month": r.PathValue("month"), "paid_out": amount})
	return nil
}
