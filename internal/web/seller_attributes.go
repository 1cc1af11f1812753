package web

import (
	"net/http"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/publish"
	"github.com/mercato-oss/mercato/internal/store"
)

// Attribute templates (rules §1.11): the operator's presets, which sellers read, and the
// merchant's custom ones per category, which products copy when they are published.

func (c *Console) registerSellerAttributes(mux *http.ServeMux) {
	mux.Handle("GET /seller/attributes", c.sellerRoute(c.sellerAttributes))
	mux.Handle("POST /seller/attributes", c.sellerRoute(c.sellerCreateAttribute))
	mux.Handle("POST /seller/attributes/{id}/delete", c.sellerRoute(c.sellerDeleteAttribute))
}

func (c *Console) sellerAttributes(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.renderSellerAttributes(w, r, v, http.StatusOK, problems{}, nil)
}

func (c *Console) renderSellerAttributes(w http.ResponseWriter, r *http.Request, v market.Viewer, status int, probs problems, f *form) {
	list, err := c.svc.Publish.Templates(r.Context(), v, store.TemplateFilter{})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "seller.attrs.title")
	view.Nav = "seller/attributes"
	view.Form = f
	view.Data = map[string]any{"Templates": list, "Problems": probs}
	c.render(w, r, status, "seller_attributes", view)
}

func (c *Console) sellerCreateAttribute(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.sellerParse(w, r, 32<<10) {
		return
	}
	f := newForm(r)
	req := publish.TemplateRequest{Category: strings.TrimSpace(f.Get("category")), Type: f.Get("type"), Code: strings.TrimSpace(f.Get("code")),
		Name: strings.TrimSpace(f.Get("name")), Description: strings.TrimSpace(f.Get("description"))}
	for _, val := range strings.Split(f.Get("values"), "\n") {
		if val = strings.TrimSpace(val); val != "" {
			req.Values = append(req.Values, val)
		}
	}
	if _, err := c.svc.Publish.CreateTemplate(r.Context(), v, req); err != nil {
		probs := problems{}
		known := map[string]bool{"form": true, "category": true, "type": true, "code": true, "name": true, "description": true, "values": true}
		if !probs.failed(c.sellerLocale(r), err, func(field string) string { return nearestField(field, known) }) {
			c.fail(w, r, err)
			return
		}
		c.renderSellerAttributes(w, r, v, http.StatusUnprocessableEntity, probs, f)
		return
	}
	c.sellerDone(w, r, "seller.flash.attribute_saved", "/seller/attributes")
}

func (c *Console) sellerDeleteAttribute(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if err := c.svc.Publish.DeleteTemplate(r.Context(), v, r.PathValue("id")); err != nil {
		c.sellerRefused(w, r, err, "/seller/attributes")
		return
	}
	c.sellerDone(w, r, "seller.flash.attribute_deleted", "/seller/attributes")
}
