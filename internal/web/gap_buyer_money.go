package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/mercato-oss/mercato/internal/aftersale"
	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// The buyer's vouchers and cash coupons (GET /api/v1/vouchers), the choice of them at checkout
// (order.PurchaseRequest.Vouchers: the order service redeems them before the balance pays), and
// the hardware return of an approved unsubscription (POST /api/v1/unsubscriptions/{id}/return).

func (c *Console) registerGapBuyer(mux *http.ServeMux) {
	mux.Handle("GET /my/vouchers", c.buyerRoute(c.gapVouchers))
	mux.Handle("GET /my/unsubscriptions/{id}/return", c.buyerRoute(c.gapReturnPage))
	mux.Handle("POST /my/unsubscriptions/{id}/return", c.buyerRoute(c.gapReturn))
	c.registerGapBuyerMore(mux)
}

func (c *Console) gapVouchers(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	state := market.VoucherState(r.URL.Query().Get("state"))
	switch state {
	case "", market.VoucherActive, market.VoucherUsed, market.VoucherInvalid:
	default:
		state = ""
	}
	list, next, err := c.svc.Vouchers.Vouchers(r.Context(), v, store.VoucherFilter{State: state, Page: pageOf(r, 20)})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	now := c.svc.Vouchers.Now()
	rows := make([]gapVoucher, len(list))
	for i, vo := range list {
		rows[i] = gapVoucher{Voucher: vo, Usable: vo.Usable(now)}
	}
	view := c.newView(r, "gap.vouchers.title")
	view.Nav = "gap-vouchers"
	view.Data = map[string]any{"Vouchers": rows, "Next": nextLink(r, next), "State": string(state), "Currency": c.cfg.Currency}
	c.render(w, r, http.StatusOK, "gap_vouchers", view)
}

type gapVoucher struct {
	*market.Voucher
	Usable bool
}

// gapCheckoutVouchers are the signed-in buyer's usable vouchers that may pay for something of
// product d, offered on the purchase form; the order service decides what each pays.
func (c *Console) gapCheckoutVouchers(r *http.Request, d *catalog.ProductDetail) []*market.Voucher {
	v, signed := viewerOf(r)
	if !signed || v.Role != market.RoleBuyer {
		return nil
	}
	list, _, err := c.svc.Vouchers.Vouchers(r.Context(), v, store.VoucherFilter{State: market.VoucherActive, Page: store.Page{Limit: 50}})
	if err != nil {
		return nil
	}
	now := c.svc.Vouchers.Now()
	var out []*market.Voucher
	for _, vo := range list {
		if vo.Usable(now) && gapCovers(vo, d) {
			out = append(out, vo)
		}
	}
	return out
}

func gapCovers(vo *market.Voucher, d *catalog.ProductDetail) bool {
	for _, sp := range d.Specs {
		if vo.Covers(d.Product.ID, sp.SkuCode, "") {
			return true
		}
		for _, k := range d.SKUs[sp.SkuCode] {
			if vo.Covers(d.Product.ID, sp.SkuCode, k.ID) {
				return true
			}
		}
	}
	return false
}

// gapChosenVouchers are the vouchers ticked on the purchase form.
func gapChosenVouchers(f *form) []string {
	var out []string
	for _, id := range f.Values["gap_voucher"] {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// gapVoucherError gives a refusal of the chosen vouchers (the order service's field
// "vouchers", mapped to gap_voucher) the console's own message.
func gapVoucherError(f *form) {
	if e, ok := f.Errors["gap_voucher"]; ok {
		e.Key = "gap.err.voucher"
		f.Errors["gap_voucher"] = e
	}
}

func (c *Console) gapReturnPage(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.gapRenderReturn(w, r, v, http.StatusOK, nil)
}

func (c *Console) gapRenderReturn(w http.ResponseWriter, r *http.Request, v market.Viewer, status int, f *form) {
	d, err := c.svc.Aftersale.Unsubscription(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "gap.return.title")
	view.Nav = "unsubs"
	view.Form = f
	view.Data = map[string]any{"Unsub": d, "Open": d.State == market.UnsubAwaitingReturn, "Currency": c.cfg.Currency}
	c.render(w, r, status, "gap_return", view)
}

// gapReturn records the goods sent back: carrier and waybill, checked by the service.
func (c *Console) gapReturn(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
		return
	}
	f := newForm(r)
	id := r.PathValue("id")
	req := aftersale.ReturnRequest{Carrier: strings.TrimSpace(f.Get("gap_carrier")), Waybill: strings.TrimSpace(f.Get("gap_waybill"))}
	_, err := c.svc.Aftersale.ReturnShipped(r.Context(), v, id, req)
	if err == nil {
		c.flash(r.Context(), "gap.flash.returned")
		http.Redirect(w, r, "/my/unsubscriptions/"+url.PathEscape(id)+"/return", http.StatusSeeOther)
		return
	}
	switch market.ErrorCode(err) {
	case market.CodeNotFound, market.CodeInternal, market.CodeUnauthorized, market.CodeForbidden:
		c.fail(w, r, err)
		return
	}
	f.Failed(c.texts.locale(c.texts.pick(r), false, c.cfg.Location), err, map[string]string{"carrier": "gap_carrier", "waybill": "gap_waybill"})
	for field, key := range map[string]string{"gap_carrier": "gap.err.carrier", "gap_waybill": "gap.err.waybill"} {
		if e, ok := f.Errors[field]; ok {
			e.Key = key
			f.Errors[field] = e
		}
	}
	c.gapRenderReturn(w, r, v, http.StatusUnprocessableEntity, f)
}
