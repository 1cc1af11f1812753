package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
)

// Upgrade rules of a listed product (rules §1.7): which spec or SKU an instance may move to.
// The form lists the rules with a row to add one; saving replaces the set, as the API's PUT
// does, and every rule the order service refuses is shown at its row.

func (c *Console) registerSellerRules(mux *http.ServeMux) {
	mux.Handle("GET /seller/products/{id}/rules", c.sellerRoute(c.sellerRules))
	mux.Handle("POST /seller/products/{id}/rules", c.sellerRoute(c.sellerSetRules))
}

// ruleRow is one row of the rules form.
type ruleRow struct {
	N                    int
	Source, Target, Step string
	Invalid              string // why a saved rule no longer holds
}

// skuRef reads "skuCode" or "skuCode/skuId".
func skuRef(s string) market.SKURef {
	code, id, _ := strings.Cut(strings.TrimSpace(s), "/")
	return market.SKURef{SkuCode: code, SkuID: id}
}

func refString(r market.SKURef) string {
	if r.SkuID != "" {
		return r.SkuCode + "/" + r.SkuID
	}
	return r.SkuCode
}

func (c *Console) sellerRules(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	// Rules are public (buyers read them to upgrade); the page that sets them is for the
	// product's own sellers: the publishing service's listing read tells them apart.
	if _, err := c.svc.Publish.Listing(r.Context(), v, r.PathValue("id")); err != nil {
		c.fail(w, r, err)
		return
	}
	rules, err := c.svc.Orders.UpgradeRules(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	var rows []ruleRow
	for i, ru := range rules {
		rows = append(rows, ruleRow{N: i, Source: refString(ru.Source), Target: refString(ru.Target), Step: stepString(ru.Step), Invalid: ru.Invalid})
	}
	c.renderSellerRules(w, r, v, http.StatusOK, rows, problems{})
}

func stepString(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// ruleChoice is a spec or SKU a rule may name.
type ruleChoice struct{ Ref, Label string }

func (c *Console) renderSellerRules(w http.ResponseWriter, r *http.Request, v market.Viewer, status int, rows []ruleRow, probs problems) {
	d, err := c.svc.Catalog.Product(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	var choices []ruleChoice
	for _, sp := range d.Specs {
		choices = append(choices, ruleChoice{sp.SkuCode, sp.Name})
		for _, k := range d.SKUs[sp.SkuCode] {
			choices = append(choices, ruleChoice{sp.SkuCode + "/" + k.ID, sp.Name + " · " + k.Name})
		}
	}
	rows = append(rows, ruleRow{N: len(rows)}) // the row to add one
	view := c.newView(r, "seller.rules.title")
	view.Title = d.Product.Name
	view.Nav = "seller/products"
	view.Data = map[string]any{"Product": d.Product, "Rows": rows, "Choices": choices, "Problems": probs}
	c.render(w, r, status, "seller_rules", view)
}

func (c *Console) sellerSetRules(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.sellerParse(w, r, 64<<10) {
		return
	}
	probs := problems{}
	var rows []ruleRow
	var reqs []order.RuleRequest
	n, _ := strconv.Atoi(r.PostForm.Get("rule_count"))
	for i := 0; i < min(n, 200); i++ {
		p := fmt.Sprintf("rules[%d].", i)
		row := ruleRow{Source: r.PostForm.Get(p + "source"), Target: r.PostForm.Get(p + "target"), Step: strings.TrimSpace(r.PostForm.Get(p + "step"))}
		if row.Source == "" && row.Target == "" || r.PostForm.Get(p+"remove") != "" {
			continue
		}
		row.N = len(rows)
		req := order.RuleRequest{Source: skuRef(row.Source), Target: skuRef(row.Target)}
		if row.Step != "" {
			step, err := strconv.ParseInt(row.Step, 10, 64)
			if err != nil {
				probs.add(fmt.Sprintf("rules[%d].step", row.N), "seller.publish.not_number", "")
			}
			req.Step = step
		}
		rows, reqs = append(rows, row), append(reqs, req)
	}
	if !probs.Any() {
		_, err := c.svc.Orders.SetUpgradeRules(r.Context(), v, r.PathValue("id"), reqs)
		if err == nil {
			c.sellerDone(w, r, "seller.flash.rules_saved", "/seller/products/"+esc(r.PathValue("id"))+"/rules")
			return
		}
		known := map[string]bool{"rules": true}
		for i := range rows {
			for _, f := range []string{"", ".source", ".target", ".step"} {
				known[fmt.Sprintf("rules[%d]%s", i, f)] = true
			}
		}
		if !probs.failed(c.sellerLocale(r), err, func(f string) string {
			if f == "" {
				return "rules"
			}
			return nearestField(f, known)
		}) {
			c.fail(w, r, err)
			return
		}
	}
	c.renderSellerRules(w, r, v, http.StatusUnprocessableEntity, rows, probs)
}
