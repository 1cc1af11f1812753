package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/publish"
)

// Business plans (经营计划, rules §2): a joint-operation product's GMV and project count for the
// current year and the next two, submitted as a BUSINESS_PLAN application for review.

func (c *Console) registerSellerPlan(mux *http.ServeMux) {
	mux.Handle("GET /seller/products/{id}/plan", c.sellerRoute(c.sellerPlan))
	mux.Handle("POST /seller/products/{id}/plan", c.sellerRoute(c.sellerSubmitPlan))
}

// planRow is one year of the plan form.
type planRow struct {
	N                   int
	Year, GMV, Projects string
	Field               string // business_plan.years[N]
}

func (c *Console) sellerPlan(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	var rows []planRow
	app, err := c.svc.Publish.PlanOf(r.Context(), v, r.PathValue("id"))
	switch {
	case err == nil:
		var bp publish.BusinessPlan
		if json.Unmarshal(app.Payload, &bp) == nil {
			for i, y := range bp.Years {
				rows = append(rows, planRow{N: i, Year: strconv.Itoa(y.Year), GMV: amountInput(y.GMV), Projects: strconv.Itoa(y.Projects)})
			}
		}
	case market.ErrorCode(err) != market.CodeNotFound:
		c.fail(w, r, err)
		return
	}
	if len(rows) == 0 {
		year := time.Now().In(c.cfg.Location).Year()
		for i := range 3 {
			rows = append(rows, planRow{N: i, Year: strconv.Itoa(year + i)})
		}
	}
	c.renderSellerPlan(w, r, v, http.StatusOK, app, rows, problems{})
}

func (c *Console) renderSellerPlan(w http.ResponseWriter, r *http.Request, v market.Viewer, status int, current *market.Application, rows []planRow, probs problems) {
	d, err := c.svc.Catalog.Product(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if _, err := c.svc.Publish.Listing(r.Context(), v, d.Product.ID); err != nil { // its own sellers only
		c.fail(w, r, err)
		return
	}
	for i := range rows {
		rows[i].Field = fmt.Sprintf("business_plan.years[%d]", i)
	}
	view := c.newView(r, "seller.plan.title")
	view.Title = d.Product.Name
	view.Nav = "seller/products"
	view.Data = map[string]any{"Product": d.Product, "Current": current, "Rows": rows, "Problems": probs}
	c.render(w, r, status, "seller_plan", view)
}

func (c *Console) sellerSubmitPlan(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.sellerParse(w, r, 16<<10) {
		return
	}
	probs := problems{}
	var rows []planRow
	bp := &publish.BusinessPlan{}
	for i := range 3 {
		f := fmt.Sprintf("business_plan.years[%d]", i)
		row := planRow{N: i, Year: strings.TrimSpace(r.PostForm.Get(f + ".year")), GMV: strings.TrimSpace(r.PostForm.Get(f + ".gmv")),
			Projects: strings.TrimSpace(r.PostForm.Get(f + ".projects"))}
		var y publish.PlanYear
		var err error
		if y.Year, err = strconv.Atoi(row.Year); err != nil {
			probs.add(f+".year", "seller.publish.not_number", "")
		}
		if y.GMV, err = market.ParseMoney(row.GMV); err != nil {
			probs.add(f+".gmv", "seller.publish.not_amount", "")
		}
		if y.Projects, err = strconv.Atoi(row.Projects); err != nil {
			probs.add(f+".projects", "seller.publish.not_number", "")
		}
		rows, bp.Years = append(rows, row), append(bp.Years, y)
	}
	if !probs.Any() {
		app, err := c.svc.Publish.Create(r.Context(), v, publish.ApplicationRequest{Type: market.AppBusinessPlan, ProductID: r.PathValue("id"),
			BusinessPlan: bp, Submit: true})
		if err == nil {
			c.sellerDone(w, r, "seller.flash.submitted", "/seller/applications/"+esc(app.ID))
			return
		}
		known := map[string]bool{"form": true}
		for i := range rows {
			for _, s := range []string{".year", ".gmv", ".projects"} {
				known[fmt.Sprintf("business_plan.years[%d]%s", i, s)] = true
			}
		}
		if !probs.failed(c.sellerLocale(r), err, func(f string) string { return nearestField(f, known) }) {
			c.fail(w, r, err)
			return
		}
	}
	c.renderSellerPlan(w, r, v, http.StatusUnprocessableEntity, nil, rows, probs)
}
