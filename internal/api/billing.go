package api

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/metering"
	"github.com/mercato-oss/mercato/internal/store"
)

// Billing endpoints: accounts and top-ups, bills, usage per instance and hour, statements.

func (a *API) registerBilling(mux Mux) {
	mux.Handle("GET /api/v1/account", a.auth(a.getAccount))
	mux.Handle("GET /api/v1/buyers/{id}/account", a.auth(a.getAccount))
	mux.Handle("POST /api/v1/buyers/{id}/topup", a.auth(a.topUp))
	mux.Handle("GET /api/v1/bills", a.auth(a.listBills))
	mux.Handle("GET /api/v1/instances/{key}/usage", a.auth(a.instanceUsage))
	mux.Handle("GET /api/v1/statements", a.auth(a.listStatements))
}

// topUpRequest credits a buyer's account once per ref.
type topUpRequest struct {
	Amount market.Money `json:"amount"`
	Ref    string       `json:"ref"`
}

type hourView struct {
	Hour     string          `json:"hour"`
	Quantity market.Quantity `json:"quantity"`
	Records  int64           `json:"records"`
}

type statementView struct {
	MerchantID string       `json:"merchant_id"`
	Month      string       `json:"month"`
	Sales      market.Money `json:"sales"`
	Vouchers   market.Money `json:"vouchers"`
	Fee        market.Money `json:"fee"`
	Settlement market.Money `json:"settlement"`
	CreatedAt  string       `json:"created_at"`
}

type entryView struct {
	Ref     string       `json:"ref"`
	Kind    string       `json:"kind"`
	Amount  market.Money `json:"amount"`
	Balance market.Money `json:"balance"`
	At      string       `json:"at"`
}

func (a *API) getAccount(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	id := r.PathValue("id")
	if id == "" {
		if v.Role != market.RoleBuyer {
			return market.Errorf(market.CodeInvalid, "the operator reads /api/v1/buyers/{id}/account")
		}
		id = v.BuyerID
	}
	n, err := query(r).limit(store.MaxLimit)
	if err != nil {
		return err
	}
	balance, entries, err := a.Billing.Account(r.Context(), v, id, n)
	if err != nil {
		return err
	}
	out := []entryView{}
	for _, e := range entries {
		out = append(out, entryView{e.Ref, e.Kind, e.Amount, e.Balance, ts(e.At)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"buyer_id": id, "balance": balance, "entries": out})
	return nil
}

func (a *API) topUp(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req topUpRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	balance, err := a.Billing.TopUp(r.Context(), v, r.PathValue("id"), req.Amount, req.Ref)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"buyer_id": r.PathValue("id"), "balance": balance})
	return nil
}

type billLineView struct {
	InstanceKey string          `json:"instance_key"`
	ProductID   string          `json:"product_id"`
	Quantity    market.Quantity `json:"quantity"`
	FromPackage market.Quantity `json:"from_package"`
	Late        market.Quantity `json:"late"`
	Amount      market.Money    `json:"amount"`
}

type billView struct {
	ID       string         `json:"id"`
	BuyerID  string         `json:"buyer_id"`
	From     string         `json:"from"`
	To       string         `json:"to"`
	Collect  string         `json:"collected_at"`
	Amount   market.Money   `json:"amount"`
	Currency string         `json:"currency"`
	Lines    []billLineView `json:"lines"`
}

func (a *API) listBills(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	page, err := query(r).page()
	if err != nil {
		return err
	}
	bills, next, err := a.Billing.Bills(r.Context(), v, r.URL.Query().Get("buyer_id"), page)
	if err != nil {
		return err
	}
	out := []billView{}
	for _, b := range bills {
		bv := billView{ID: b.ID, BuyerID: b.BuyerID, From: ts(b.From), To: ts(b.To), Collect: ts(b.CycleAt), Amount: b.Amount, Currency: b.Currency}
		for _, l := range b.Lines {
			bv.Lines = append(bv.Lines, billLineView{l.InstanceKey, l.ProductID, l.Quantity, l.FromPackage, l.Late, l.Amount})
		}
		out = append(out, bv)
	}
	writeList(w, r, "bills", out, next)
	return nil
}

func (a *API) instanceUsage(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	n, err := query(r).limit(metering.MaxHours)
	if err != nil {
		return err
	}
	in, hours, err := a.Metering.Usage(r.Context(), v, r.PathValue("key"), n)
	if err != nil {
		return err
	}
	out := []hourView{}
	for _, h := range hours {
		out = append(out, hourView{ts(h.Hour), h.Quantity, h.Records})
	}
	writeJSON(w, http.StatusOK, map[string]any{"instance_key": in.Key, "instance_id": in.ID, "hours": out})
	return nil
}

func (a *API) listStatements(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	n, err := query(r).limit(store.MaxLimit)
	if err != nil {
		return err
	}
	list, err := a.Billing.Statements(r.Context(), v, r.URL.Query().Get("merchant_id"), n)
	if err != nil {
		return err
	}
	out := []statementView{}
	for _, s := range list {
		out = append(out, statementView{s.MerchantID, s.Month, s.Sales, s.Vouchers, s.Fee, s.Settlement, ts(s.CreatedAt)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"statements": out})
	return nil
}
