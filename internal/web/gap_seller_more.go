package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/publish"
	"github.com/mercato-oss/mercato/internal/resale"
	"github.com/mercato-oss/mercato/internal/store"
)

// Kit notices (GET /api/v1/kit-notices: failed enterprise syncs the merchant was told of),
// changing a resale discount (PUT /api/v1/seller/discounts/{id}: value and validity) and
// editing a custom attribute template (PUT /api/v1/seller/attributes/{id}: name, description,
// values).

func (c *Console) registerGapSellerMore(mux *http.ServeMux) {
	mux.Handle("GET /seller/kit-notices", c.sellerRoute(c.gapKitNotices))
	mux.Handle("GET /seller/discounts/{id}/edit", c.sellerRoute(c.gapDiscountPage))
	mux.Handle("POST /seller/discounts/{id}/edit", c.sellerRoute(c.gapModifyDiscount))
	mux.Handle("GET /seller/attributes/{id}/edit", c.sellerRoute(c.gapAttributePage))
	mux.Handle("POST /seller/attributes/{id}/edit", c.sellerRoute(c.gapUpdateAttribute))
}

func (c *Console) gapKitNotices(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	list, next, err := c.svc.Enterprises.Notices(r.Context(), v, v.MerchantID, pageOf(r, 20))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "gap.notices.title")
	view.Nav = "seller/gap-notices"
	view.Data = map[string]any{"Notices": list, "Next": nextLink(r, next)}
	c.render(w, r, http.StatusOK, "gap_kit_notices", view)
}

// gapDiscount finds one of the merchant's discounts (another's is not in the list: 404).
func (c *Console) gapDiscount(r *http.Request, v market.Viewer) (*market.ResaleDiscount, error) {
	list, err := c.svc.Resale.Discounts(r.Context(), v, v.MerchantID, "")
	if err != nil {
		return nil, err
	}
	for _, d := range list {
		if d.ID == r.PathValue("id") {
			return d, nil
		}
	}
	return nil, market.Errorf(market.CodeNotFound, "discount %s not found", r.PathValue("id"))
}

func (c *Console) gapDiscountPage(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	d, err := c.gapDiscount(r, v)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	f := &form{Values: url.Values{"gap_discount": {strconv.FormatInt(d.Discount, 10)},
		"gap_from": {d.ValidFrom.In(c.cfg.Location).Format(time.DateOnly)}, "gap_to": {d.ValidTo.In(c.cfg.Location).Format(time.DateOnly)}},
		Errors: map[string]fieldErr{}}
	c.gapRenderDiscount(w, r, d, http.StatusOK, f)
}

func (c *Console) gapRenderDiscount(w http.ResponseWriter, r *http.Request, d *market.ResaleDiscount, status int, f *form) {
	view := c.newView(r, "gap.discount.title")
	view.Nav = "seller/discounts"
	view.Form = f
	view.Data = map[string]any{"Discount": d}
	c.render(w, r, status, "gap_discount", view)
}

// gapModifyDiscount changes a discount's value and validity; the resale service checks them
// (range, dates, the levels' order when it is authorized).
func (c *Console) gapModifyDiscount(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.sellerParse(w, r, 16<<10) {
		return
	}
	d, err := c.gapDiscount(r, v)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	f := newForm(r)
	req := resale.Request{ProductID: d.ProductID, Level: d.Level, PartnerID: d.PartnerID, CustomerID: d.CustomerID, Project: d.Project}
	if req.Discount, err = strconv.ParseInt(strings.TrimSpace(f.Get("gap_discount")), 10, 64); err != nil {
		f.Add("gap_discount", "gap.err.discount")
	}
	var ok bool
	if req.ValidFrom, ok = c.day(f.Get("gap_from")); !ok {
		f.Add("gap_from", "gap.err.date")
	}
	to, ok := c.day(f.Get("gap_to"))
	if !ok {
		f.Add("gap_to", "gap.err.date")
	}
	req.ValidTo = to.AddDate(0, 0, 1).Add(-time.Millisecond) // valid through that day, as a new discount
	if !f.Any() {
		_, err := c.svc.Resale.Modify(r.Context(), v, d.ID, req)
		if err == nil {
			c.sellerDone(w, r, "gap.flash.discount_changed", "/seller/discounts")
			return
		}
		if code := market.ErrorCode(err); code != market.CodeInvalid && code != market.CodeConflict {
			c.fail(w, r, err)
			return
		}
		f.Failed(c.sellerLocale(r), err, map[string]string{"discount": "gap_discount", "valid_from": "gap_from", "valid_to": "gap_to"})
		gapKey(f, "gap_discount", "gap.err.discount")
		gapKey(f, "gap_from", "gap.err.from")
		gapKey(f, "gap_to", "gap.err.to")
	}
	c.gapRenderDiscount(w, r, d, http.StatusUnprocessableEntity, f)
}

// gapAttribute finds one of the merchant's custom templates (a preset or another merchant's is
// the 404 page: a seller may not change them).
func (c *Console) gapAttribute(r *http.Request, v market.Viewer) (*market.AttributeTemplate, error) {
	list, err := c.svc.Publish.Templates(r.Context(), v, store.TemplateFilter{})
	if err != nil {
		return nil, err
	}
	for _, t := range list {
		if t.ID == r.PathValue("id") && t.Origin == "CUSTOM" {
			return t, nil
		}
	}
	return nil, market.Errorf(market.CodeNotFound, "attribute template %s not found", r.PathValue("id"))
}

func (c *Console) gapAttributePage(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	t, err := c.gapAttribute(r, v)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	f := &form{Values: url.Values{"gap_name": {t.Name}, "gap_description": {t.Description}, "gap_values": {strings.Join(t.Values, "\n")}},
		Errors: map[string]fieldErr{}}
	c.gapRenderAttribute(w, r, t, http.StatusOK, f)
}

func (c *Console) gapRenderAttribute(w http.ResponseWriter, r *http.Request, t *market.AttributeTemplate, status int, f *form) {
	view := c.newView(r, "gap.attr.title")
	view.Nav = "seller/attributes"
	view.Form = f
	view.Data = map[string]any{"Template": t}
	c.render(w, r, status, "gap_attribute", view)
}

func (c *Console) gapUpdateAttribute(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.sellerParse(w, r, 32<<10) {
		return
	}
	t, err := c.gapAttribute(r, v)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	f := newForm(r)
	req := publish.TemplateRequest{Name: strings.TrimSpace(f.Get("gap_name")), Description: strings.TrimSpace(f.Get("gap_description"))}
	for _, val := range strings.Split(f.Get("gap_values"), "\n") {
		if val = strings.TrimSpace(val); val != "" {
			req.Values = append(req.Values, val)
		}
	}
	_, err = c.svc.Publish.UpdateTemplate(r.Context(), v, t.ID, req)
	if err == nil {
		c.sellerDone(w, r, "seller.flash.attribute_saved", "/seller/attributes")
		return
	}
	if market.ErrorCode(err) != market.CodeInvalid {
		c.fail(w, r, err)
		return
	}
	f.Failed(c.sellerLocale(r), err, map[string]string{"name": "gap_name", "description": "gap_description", "values": "gap_values"})
	gapKey(f, "gap_name", "gap.err.attr_name")
	gapKey(f, "gap_description", "gap.err.attr_description")
	gapKey(f, "gap_values", "gap.err.attr_values")
	c.gapRenderAttribute(w, r, t, http.StatusUnprocessableEntity, f)
}
