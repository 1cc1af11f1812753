package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
)

// A product put on sale by the operator at once (POST /api/v1/products: a release application
// created and approved together, recorded as the operator's), from the merchant's page. The form
// has one spec with one plan; more specs are the merchant's to publish from the seller console
// (or the JSON API). Its rules are the catalog's.

func (c *Console) registerOperatorNewProduct(mux *http.ServeMux) {
	mux.Handle("POST /operator/merchants/{id}/products", c.operatorRoute(c.operatorCreateProduct))
}

// productFormField is where a catalog rule's failure is shown on the one-spec form.
func productFormField(field string) string {
	switch {
	case field == "id":
		return "product_id"
	case field == "name":
		return "product_name"
	case field == "category":
		return "category"
	case strings.HasPrefix(field, "specs[0].plans"):
		return "price"
	case strings.HasPrefix(field, "specs[0].charging"):
		return "charging"
	case strings.HasPrefix(field, "specs[0].delivery"):
		return "delivery"
	case strings.HasPrefix(field, "specs[0].trial_days"):
		return "trial_days"
	case strings.HasPrefix(field, "specs"):
		return "spec_name"
	}
	return "form"
}

func (c *Console) operatorCreateProduct(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	f := opForm(r)
	plan := catalog.PlanRequest{Period: f.Get("period")}
	var err error
	if plan.Price, err = market.ParseMoney(strings.TrimSpace(f.Get("price"))); err != nil {
		f.Add("price", "op.err.amount")
	}
	trial := 0
	if s := strings.TrimSpace(f.Get("trial_days")); s != "" {
		if trial, err = strconv.Atoi(s); err != nil {
			f.Add("trial_days", "op.err.trial_days")
		}
	}
	if !f.Any() {
		_, err = c.svc.Catalog.CreateProduct(r.Context(), v, catalog.ProductRequest{ID: strings.TrimSpace(f.Get("product_id")), MerchantID: r.PathValue("id"),
			Name: strings.TrimSpace(f.Get("product_name")), Category: strings.TrimSpace(f.Get("category")),
			Specs: []catalog.SpecRequest{{Name: strings.TrimSpace(f.Get("spec_name")), Charging: market.Charging(f.Get("charging")),
				Delivery: market.Delivery(f.Get("delivery")), TrialDays: trial, Plans: []catalog.PlanRequest{plan}}}})
		if err != nil {
			if code := market.ErrorCode(err); code != market.CodeInvalid && code != market.CodeConflict {
				c.fail(w, r, err)
				return
			}
			fields := map[string]string{}
			var me *market.Error
			if errors.As(err, &me) {
				fields[me.Field] = productFormField(me.Field)
				for _, d := range me.Details {
					fields[d.Field] = productFormField(d.Field)
				}
			}
			c.opFailed(r, f, err, fields)
		}
	}
	if f.Any() {
		c.renderMerchant(w, r, v, http.StatusUnprocessableEntity, f, nil)
		return
	}
	c.backTo(w, r, "/operator/merchants/"+r.PathValue("id"), "op.flash.product_created")
}
