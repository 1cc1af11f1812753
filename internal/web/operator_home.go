package web

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/market"
)

// The operator console (运营后台) starts here: its home page under /operator/. Its pages (review
// queues, merchants and buyers, calls, collections and bill runs, settlement, configuration, the
// sandbox's clock) are added one handler file each (operator_*.go), registered in
// registerOperator, with their entries in partials/nav_operator.html and their text in
// i18n/*/operator.json; docs/consoles.md has the checklist.

func (c *Console) registerOperator(mux *http.ServeMux) {
	mux.Handle("GET /operator/{$}", c.operatorRoute(c.operatorHome))
}

func (c *Console) operatorHome(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	merchants, next, err := c.svc.Catalog.Merchants(r.Context(), v, pageOf(r, 20))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "operator.home.title")
	view.Nav = "operator-home"
	view.Data = map[string]any{"Merchants": merchants, "Next": nextLink(r, next)}
	c.render(w, r, http.StatusOK, "operator_home", view)
}
