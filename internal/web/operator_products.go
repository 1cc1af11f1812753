package web

import (
	"net/http"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/supervision"
)

// A product as the operator sees it: its specs and plans, its dial tests and debug runs (read
// before lifting a freeze), credit pay; and the regions a merchant's signing entity may sell in
// and a buyer's country (publish.Service's region rules).

func (c *Console) registerOperatorProducts(mux *http.ServeMux) {
	mux.Handle("GET /operator/products/{id}", c.operatorRoute(c.operatorProduct))
	mux.Handle("POST /operator/products/{id}/credit-pay", c.operatorRoute(c.operatorCreditPay))
	mux.Handle("POST /operator/products/{id}/specs/{sku}/supervision", c.operatorRoute(c.operatorSupervision))
	mux.Handle("GET /operator/debug-runs/{id}", c.operatorRoute(c.operatorRun))
	mux.Handle("POST /operator/merchants/{id}/regions", c.operatorRoute(c.operatorRegions))
	mux.Handle("POST /operator/buyers/{id}/country", c.operatorRoute(c.operatorCountry))
}

func (c *Console) operatorProduct(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.renderOpProduct(w, r, v, http.StatusOK, opForm(r))
}

// renderOpProduct shows a product; f is the purchase-rule form refused, if any.
func (c *Console) renderOpProduct(w http.ResponseWriter, r *http.Request, v market.Viewer, status int, f *form) {
	ctx := r.Context()
	d, err := c.svc.Catalog.Product(ctx, v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	dials, _, err := c.svc.Dial.Runs(ctx, v, d.Product.ID, market.DebugDial, store.Page{Limit: 10})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	debugs, _, err := c.svc.Dial.Runs(ctx, v, d.Product.ID, market.DebugSeller, store.Page{Limit: 5})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	// Each spec's supervision template ("" when not supervised), as GET /api/v1/specs/{sku}/supervision.
	supervised := map[string]string{}
	for _, sp := range d.Specs {
		tpl, err := c.svc.Supervision.Spec(ctx, sp.SkuCode)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		supervised[sp.SkuCode] = string(tpl)
	}
	rules, err := c.opPurchaseRules(r, v, d)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "op.product.title")
	view.Title = d.Product.Name
	view.Nav = "op-merchants"
	view.Form = f
	view.Data = map[string]any{"P": d, "Dials": dials, "Debugs": debugs, "Currency": c.cfg.Currency, "Supervised": supervised,
		"Templates": []market.FlowTemplate{market.TemplateStandard, market.TemplateNoRequirement}, "Rules": rules}
	c.render(w, r, status, "operator_product", view)
}

// operatorCreditPay lets buyers with a credit line pay for the product on credit, or stops it.
func (c *Console) operatorCreditPay(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	id := r.PathValue("id")
	if err := c.svc.Billing.SetCreditPay(r.Context(), v, id, r.PostForm.Get("on") == "true"); err != nil {
		c.fail(w, r, err)
		return
	}
	c.backTo(w, r, "/operator/products/"+id, "op.flash.credit_pay_set")
}

// operatorSupervision sets a spec's service supervision for purchases from now on: none, or a
// flow template (supervision.Service.SetSpec).
func (c *Console) operatorSupervision(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	tpl := market.FlowTemplate(r.PostForm.Get("template"))
	req := supervision.SpecRequest{Supervised: tpl != "", Template: tpl}
	if _, err := c.svc.Supervision.SetSpec(r.Context(), v, r.PathValue("sku"), req); err != nil {
		c.fail(w, r, err)
		return
	}
	c.backTo(w, r, "/operator/products/"+r.PathValue("id"), "op.flash.supervision_set")
}

// operatorRun shows a dial or debug run's cases: each request, answer, result code and latency.
func (c *Console) operatorRun(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	run, err := c.svc.Dial.Run(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	type caseView struct {
		market.DebugCase
		RequestText, ResponseText string
		LatencyMS                 int64
	}
	cases := make([]caseView, len(run.Cases))
	for i, k := range run.Cases {
		cases[i] = caseView{DebugCase: k, RequestText: opReadable(k.Request), ResponseText: opReadable(k.Response), LatencyMS: k.Latency.Milliseconds()}
	}
	view := c.newView(r, "op.run.title")
	view.Title = run.ID
	view.Nav = "op-merchants"
	view.Data = map[string]any{"Run": run, "Cases": cases}
	c.render(w, r, http.StatusOK, "operator_run", view)
}

// opRegionList reads a comma- or space-separated list of region codes.
func opRegionList(s string) []string {
	return strings.FieldsFunc(strings.ToUpper(s), func(r rune) bool { return r == ',' || r == ' ' || r == '，' || r == '\n' })
}

func (c *Console) operatorRegions(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	f := opForm(r)
	if err := c.svc.Publish.SetSigningRegions(r.Context(), v, r.PathValue("id"), opRegionList(f.Get("regions"))); err != nil {
		if market.ErrorCode(err) != market.CodeInvalid {
			c.fail(w, r, err)
			return
		}
		f.Errors["regions"] = fieldErr{Key: "op.err.regions", Detail: market.ErrorMessage(err)}
		c.renderMerchant(w, r, v, http.StatusUnprocessableEntity, f, nil)
		return
	}
	c.backTo(w, r, "/operator/merchants/"+r.PathValue("id"), "op.flash.regions_set")
}

func (c *Console) operatorCountry(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	f := opForm(r)
	if err := c.svc.Publish.SetBuyerCountry(r.Context(), v, r.PathValue("id"), strings.ToUpper(strings.TrimSpace(f.Get("country")))); err != nil {
		if market.ErrorCode(err) != market.CodeInvalid {
			c.fail(w, r, err)
			return
		}
		f.Errors["country"] = fieldErr{Key: "op.err.country", Detail: market.ErrorMessage(err)}
		c.renderBuyer(w, r, v, http.StatusUnprocessableEntity, f)
		return
	}
	c.backTo(w, r, "/operator/buyers/"+r.PathValue("id"), "op.flash.country_set")
}
