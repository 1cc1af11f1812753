package web

import (
	"net/http"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/publish"
	"github.com/mercato-oss/mercato/internal/store"
)

// Attribute templates (rules §1.11): the preset attributes each category offers sellers for
// their SKUs, listed by category and created by the operator (publish.Service's rules).

func (c *Console) registerOperatorAttributes(mux *http.ServeMux) {
	mux.Handle("GET /operator/attributes", c.operatorRoute(c.operatorAttributes))
	mux.Handle("POST /operator/attributes", c.operatorRoute(c.operatorCreateAttribute))
}

func (c *Console) operatorAttributes(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.renderAttributes(w, r, v, http.StatusOK, opForm(r))
}

func (c *Console) renderAttributes(w http.ResponseWriter, r *http.Request, v market.Viewer, status int, f *form) {
	category := strings.TrimSpace(r.URL.Query().Get("category"))
	list, err := c.svc.Publish.Templates(r.Context(), v, store.TemplateFilter{Category: category})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "op.attrs.title")
	view.Nav = "op-attrs"
	view.Form = f
	view.Data = map[string]any{"List": list, "Category": category}
	c.render(w, r, status, "operator_attributes", view)
}

// operatorCreateAttribute creates a preset template; its values are one per line.
func (c *Console) operatorCreateAttribute(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	f := opForm(r)
	var values []string
	for _, line := range strings.Split(f.Get("values"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			values = append(values, line)
		}
	}
	_, err := c.svc.Publish.CreateTemplate(r.Context(), v, publish.TemplateRequest{Category: strings.TrimSpace(f.Get("category")),
		Type: f.Get("type"), Code: strings.TrimSpace(f.Get("code")), Name: strings.TrimSpace(f.Get("name")),
		Description: strings.TrimSpace(f.Get("description")), Values: values})
	if err != nil {
		if code := market.ErrorCode(err); code != market.CodeInvalid && code != market.CodeConflict {
			c.fail(w, r, err)
			return
		}
		c.opFailed(r, f, err, map[string]string{"category": "category", "type": "type", "code": "code", "name": "name", "description": "description", "values": "values"})
		c.renderAttributes(w, r, v, http.StatusUnprocessableEntity, f)
		return
	}
	c.backTo(w, r, "/operator/attributes", "op.flash.attribute_created")
}
