package web

import (
	"net/http"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/metering"
	"github.com/mercato-oss/mercato/internal/store"
)

// The buyer's usage, bills and account.

func (c *Console) registerBilling(mux *http.ServeMux) {
	mux.Handle("GET /my/bills", c.buyerRoute(c.bills))
	mux.Handle("GET /my/account", c.buyerRoute(c.account))
}

// usagePoint is one bar of the usage chart and one row of its table.
type usagePoint struct {
	At       time.Time
	Quantity market.Quantity
	Records  int64
}

// usageBill is a bill line of the instance beside its bill.
type usageBill struct {
	Bill *market.Bill
	Line market.BillLine
}

// usage shows an instance's usage per hour or per day (?by=day) as a table, which the page's
// script draws as a chart, with the instance's bill lines beside it.
func (c *Console) usage(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	ctx := r.Context()
	in, hours, err := c.svc.Metering.Usage(ctx, v, r.PathValue("key"), metering.MaxHours)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	byDay := r.URL.Query().Get("by") == "day"
	points := make([]usagePoint, 0, len(hours))
	// Hours come newest first; the chart and table read oldest first.
	for i := len(hours) - 1; i >= 0; i-- {
		h := hours[i]
		at := h.Hour
		if byDay {
			t := h.Hour.In(c.cfg.Location)
			at = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, c.cfg.Location)
			if n := len(points); n > 0 && points[n-1].At.Equal(at) {
				points[n-1].Quantity += h.Quantity
				points[n-1].Records += h.Records
				continue
			}
		}
		points = append(points, usagePoint{At: at, Quantity: h.Quantity, Records: h.Records})
	}
	bills, _, err := c.svc.Billing.Bills(ctx, v, "", store.Page{Limit: store.MaxLimit})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	var lines []usageBill
	var total market.Money
	for _, b := range bills {
		for _, l := range b.Lines {
			if l.InstanceKey == in.Key {
				lines = append(lines, usageBill{Bill: b, Line: l})
				total += l.Amount
			}
		}
	}
	view := c.newView(r, "usage.title")
	view.Title = in.ID
	view.Nav = "instances"
	view.Data = map[string]any{"Instance": in, "Points": points, "ByDay": byDay, "Bills": lines, "Total": total, "Currency": c.cfg.Currency}
	c.render(w, r, http.StatusOK, "usage", view)
}

func (c *Console) bills(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	list, next, err := c.svc.Billing.Bills(r.Context(), v, "", pageOf(r, 20))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "bills.title")
	view.Nav = "bills"
	view.Data = map[string]any{"Bills": list, "Next": nextLink(r, next)}
	c.render(w, r, http.StatusOK, "bills", view)
}

// account shows the balance and its latest entries. Top-ups are recorded by the operator (a
// payment received: billing.TopUp is the operator's), so the page says how to add funds.
func (c *Console) account(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	balance, entries, err := c.svc.Billing.Account(r.Context(), v, v.BuyerID, 50)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "account.title")
	view.Nav = "account"
	view.Data = map[string]any{"Balance": balance, "Entries": entries, "Currency": c.cfg.Currency, "BuyerID": v.BuyerID}
	c.render(w, r, http.StatusOK, "account", view)
}
