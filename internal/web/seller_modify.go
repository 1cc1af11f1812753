package web

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/publish"
)

// Modifications of a listed product (rules §1.4): the publishing form filled with the approved
// listing and the product's listed specs, which keep their billing and prices (only their names
// may change); new specs are added as in a release. Buyers see the listed version until the
// modification is approved. Editing and resubmitting it are the applications' (seller_applications.go).

func (c *Console) registerSellerModify(mux *http.ServeMux) {
	mux.Handle("GET /seller/products/{id}/modify", c.sellerRoute(c.sellerModify))
	mux.Handle("POST /seller/products/{id}/modify", c.sellerRoute(c.sellerCreateModification))
}

// sellerModify shows the modification form of a listed product: its approved listing and its
// listed specs.
func (c *Console) sellerModify(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	l, d, ok := c.modifiable(w, r, v)
	if !ok {
		return
	}
	c.renderDraftFormAt(w, r, http.StatusOK, nil, modificationForm(l, d.Specs), "/seller/products/"+esc(d.Product.ID)+"/modify")
}

// modifiable loads a product's listing and specs for its modification form.
func (c *Console) modifiable(w http.ResponseWriter, r *http.Request, v market.Viewer) (*market.Listing, *catalog.ProductDetail, bool) {
	l, err := c.svc.Publish.Listing(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return nil, nil, false
	}
	d, err := c.svc.Catalog.Product(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return nil, nil, false
	}
	return l, d, true
}

// sellerCreateModification creates a MODIFICATION application, saved or submitted; refused, the
// form comes back with every rule at its field and nothing stored.
func (c *Console) sellerCreateModification(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	l, pd, ok := c.modifiable(w, r, v)
	if !ok {
		return
	}
	logo, ok := c.readDraftForm(w, r)
	if !ok {
		return
	}
	action := "/seller/products/" + esc(pd.Product.ID) + "/modify"
	orig := &publish.Draft{Listing: *l}
	for _, sp := range pd.Specs { // a listed spec keeps its hidden flag (the form does not show it)
		orig.Specs = append(orig.Specs, catalog.SpecRequest{SkuCode: sp.SkuCode, Hidden: sp.Status == market.StatusOnSaleHidden})
	}
	d, f := parseDraft(r.PostForm, logo, orig)
	if r.PostForm.Get("action") == "add_spec" {
		f.addSpec()
		c.renderDraftFormAt(w, r, http.StatusOK, nil, f, action)
		return
	}
	if f.Problems.Any() {
		c.renderDraftFormAt(w, r, http.StatusUnprocessableEntity, nil, f, action)
		return
	}
	submit := r.PostForm.Get("action") == "submit"
	app, err := c.svc.Publish.Create(r.Context(), v, publish.ApplicationRequest{Type: market.AppModification, ProductID: pd.Product.ID, Draft: d, Submit: submit})
	if err != nil {
		if !f.Problems.failed(c.sellerLocale(r), err, f.fieldOf) {
			c.fail(w, r, err)
			return
		}
		c.renderDraftFormAt(w, r, http.StatusUnprocessableEntity, nil, f, action)
		return
	}
	c.sellerDone(w, r, map[bool]string{true: "seller.flash.submitted", false: "seller.flash.saved"}[submit], "/seller/applications/"+esc(app.ID))
}

// modificationForm is the form of a modification: the approved listing, the product's specs
// that are still listed (names only) and none new yet.
func modificationForm(l *market.Listing, specs []*market.Spec) *draftForm {
	d := &publish.Draft{Listing: *l}
	for _, sp := range specs {
		if sp.Status == market.StatusDiscontinued {
			continue
		}
		d.Specs = append(d.Specs, catalog.SpecRequest{SkuCode: sp.SkuCode, Name: sp.Name, NameEN: sp.NameEN})
	}
	return draftValues(d)
}
