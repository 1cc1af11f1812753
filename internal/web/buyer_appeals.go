package web

import (
	"net/http"
	"net/url"

	"github.com/mercato-oss/mercato/internal/appeal"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// The buyer's appeals (申诉, rules §4.3): filed from a flow's page, listed, and each with its
// log and the operator's decision, through the appeal service as /api/v1/appeals does.

func (c *Console) registerAppeals(mux *http.ServeMux) {
	mux.Handle("POST /my/flows/{id}/appeals", c.buyerRoute(c.fileAppeal))
	mux.Handle("GET /my/appeals", c.buyerRoute(c.appeals))
	mux.Handle("GET /my/appeals/{id}", c.buyerRoute(c.appealPage))
	mux.Handle("GET /my/appeals/{id}/files/{file}", c.buyerRoute(c.appealFile))
}

func (c *Console) fileAppeal(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	f, files, err := parseStepForm(w, r)
	if err != nil {
		c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
		return
	}
	a, err := c.svc.Appeals.File(r.Context(), v, r.PathValue("id"), appeal.Request{Reason: f.Get("ap_reason"), Demand: f.Get("ap_demand"), Files: files})
	if err != nil {
		if !formRefused(err) {
			c.fail(w, r, err)
			return
		}
		// The service checks the demand as a step's text: its errors are the demand's.
		f.Failed(c.buyerLocale(r), err, map[string]string{"reason": "ap_reason", "demand": "ap_demand", "text": "ap_demand", "files": "st_files"})
		c.renderFlow(w, r, v, http.StatusUnprocessableEntity, f, "appeal")
		return
	}
	c.flash(r.Context(), "flash.appeal_filed")
	http.Redirect(w, r, "/my/appeals/"+url.PathEscape(a.ID), http.StatusSeeOther)
}

func (c *Console) appeals(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	list, next, err := c.svc.Appeals.Appeals(r.Context(), v, store.AppealFilter{Page: pageOf(r, 20)})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "bappeals.title")
	view.Nav = "appeals"
	view.Data = map[string]any{"Appeals": list, "Next": nextLink(r, next)}
	c.render(w, r, http.StatusOK, "appeals", view)
}

func (c *Console) appealPage(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	d, err := c.svc.Appeals.Appeal(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "bappeal.title")
	view.Title = d.ID
	view.Nav = "appeals"
	view.Data = map[string]any{"Appeal": d, "Currency": c.cfg.Currency}
	c.render(w, r, http.StatusOK, "appeal", view)
}

func (c *Console) appealFile(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	a, err := c.svc.Appeals.Attachment(r.Context(), v, r.PathValue("id"), r.PathValue("file"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	writeDownload(w, a)
}
