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
// has up to opNewProductSpecs specs with one plan each: the first spec's fields are named
// spec_name, charging, …, the others' spec_name_2, charging_2, …; a further spec left without a
// name and a price is not sent. Its rules are the catalog's.

func (c *Console) registerOperatorNewProduct(mux *http.ServeMux) {
	mux.Handle("POST /operator/merchants/{id}/products", c.operatorRoute(c.operatorCreateProduct))
}

// opNewProductSpecs is how many specs the form has.
const opNewProductSpecs = 4

// opSpecSuffixes are the form's spec rows' field suffixes.
func opSpecSuffixes() []string {
	out := []string{""}
	for i := 2; i <= opNewProductSpecs; i++ {
		out = append(out, "_"+strconv.Itoa(i))
	}
	return out
}

// productFormField is where a catalog rule's failure is shown on the form; rows[i] is the suffix
// of the row the request's spec i came from.
func productFormField(field string, rows []string) string {
	switch field {
	case "id":
		return "product_id"
	case "name":
		return "product_name"
	case "category":
		return "category"
	}
	if !strings.HasPrefix(field, "specs") {
		return "form"
	}
	row := rows[0]
	rest := strings.TrimPrefix(field, "specs")
	if strings.HasPrefix(rest, "[") {
		if end := strings.Index(rest, "]"); end > 0 {
			if i, err := strconv.Atoi(rest[1:end]); err == nil && i >= 0 && i < len(rows) {
				row = rows[i]
			}
			rest = strings.TrimPrefix(rest[end+1:], ".")
		}
	}
	switch {
	case strings.HasPrefix(rest, "plans"):
		return "price" + row
	case strings.HasPrefix(rest, "charging"):
		return "charging" + row
	case strings.HasPrefix(rest, "delivery"):
		return "delivery" + row
	case strings.HasPrefix(rest, "trial_days"):
		return "trial_days" + row
	}
	return "spec_name" + row
}

func (c *Console) operatorCreateProduct(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	f := opForm(r)
	var specs []catalog.SpecRequest
	var rows []string
	for i, sfx := range opSpecSuffixes() {
		name, price := strings.TrimSpace(f.Get("spec_name"+sfx)), strings.TrimSpace(f.Get("price"+sfx))
		if i > 0 && name == "" && price == "" {
			continue // a row left empty
		}
		plan := catalog.PlanRequest{Period: f.Get("period" + sfx)}
		var err error
		if plan.Price, err = market.ParseMoney(price); err != nil {
			f.Add("price"+sfx, "op.err.amount")
		}
		trial := 0
		if s := strings.TrimSpace(f.Get("trial_days" + sfx)); s != "" {
			if trial, err = strconv.Atoi(s); err != nil {
				f.Add("trial_days"+sfx, "op.err.trial_days")
			}
		}
		specs = append(specs, catalog.SpecRequest{Name: name, Charging: market.Charging(f.Get("charging" + sfx)),
			Delivery: market.Delivery(f.Get("delivery" + sfx)), TrialDays: trial, Plans: []catalog.PlanRequest{plan}})
		rows = append(rows, sfx)
	}
	if !f.Any() {
		_, err := c.svc.Catalog.CreateProduct(r.Context(), v, catalog.ProductRequest{ID: strings.TrimSpace(f.Get("product_id")), MerchantID: r.PathValue("id"),
			Name: strings.TrimSpace(f.Get("product_name")), Category: strings.TrimSpace(f.Get("category")), Specs: specs})
		if err != nil {
			if code := market.ErrorCode(err); code != market.CodeInvalid && code != market.CodeConflict {
				c.fail(w, r, err)
				return
			}
			fields := map[string]string{}
			var me *market.Error
			if errors.As(err, &me) {
				fields[me.Field] = productFormField(me.Field, rows)
				for _, d := range me.Details {
					fields[d.Field] = productFormField(d.Field, rows)
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
