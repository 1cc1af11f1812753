package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/mercato-oss/mercato/internal/hardware"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/publish"
	"github.com/mercato-oss/mercato/internal/store"
)

// Products as their merchant runs them: the list, a product's page (specs and plans, its
// applications, debug cases), and the quick applications on it: hide or unhide, remove.

func (c *Console) registerSellerProducts(mux *http.ServeMux) {
	mux.Handle("GET /seller/products", c.sellerRoute(c.sellerProducts))
	mux.Handle("GET /seller/products/{id}", c.sellerRoute(c.sellerProduct))
	mux.Handle("POST /seller/products/{id}/debug", c.sellerRoute(c.sellerRunDebug))
	mux.Handle("POST /seller/products/{id}/visibility", c.sellerRoute(c.sellerVisibility))
	mux.Handle("POST /seller/products/{id}/removal", c.sellerRoute(c.sellerRemoval))
	mux.Handle("POST /seller/products/{id}/regions", c.sellerRoute(c.sellerRegions))
	mux.Handle("POST /seller/products/{id}/stock/{sku}", c.sellerRoute(c.sellerStock))
	mux.Handle("GET /seller/debug-runs/{id}", c.sellerRoute(c.sellerDebugRun))
}

func (c *Console) sellerProducts(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	list, next, err := c.svc.Catalog.Products(r.Context(), v, v.MerchantID, pageOf(r, 20))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "seller.products.title")
	view.Nav = "seller/products"
	view.Data = map[string]any{"Products": list, "Next": nextLink(r, next)}
	c.render(w, r, http.StatusOK, "seller_products", view)
}

func (c *Console) sellerProduct(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.renderSellerProduct(w, r, v, http.StatusOK, nil)
}

// renderSellerProduct renders a product's page; f holds a removal form that failed.
func (c *Console) renderSellerProduct(w http.ResponseWriter, r *http.Request, v market.Viewer, status int, f *form) {
	ctx := r.Context()
	d, err := c.svc.Catalog.Product(ctx, v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	id := d.Product.ID
	apps, _, err := c.svc.Publish.Applications(ctx, v, store.ApplicationFilter{ProductID: id, Page: store.Page{Limit: 10}})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	runs, _, err := c.svc.Dial.Runs(ctx, v, id, market.DebugSeller, store.Page{Limit: 5})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	dials, _, err := c.svc.Dial.Runs(ctx, v, id, market.DebugDial, store.Page{Limit: 10})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "seller.product.title")
	view.Title = d.Product.Name
	view.Nav = "seller/products"
	view.Form = f
	// Hardware specs' stock, read for the stock forms (anyone may read stock).
	stocks := map[string]*market.Stock{}
	for _, sp := range d.Specs {
		if sp.Delivery != market.DeliveryHardware {
			continue
		}
		st, err := c.svc.Hardware.Stock(ctx, sp.SkuCode)
		if err != nil && market.ErrorCode(err) != market.CodeNotFound {
			c.fail(w, r, err)
			return
		}
		stocks[sp.SkuCode] = st
	}
	regions := ""
	if l, err := c.svc.Publish.Listing(ctx, v, id); err == nil && l != nil {
		regions = strings.Join(l.Regions, ", ")
	}
	view.Data = map[string]any{"Product": d.Product, "Detail": d, "Applications": apps, "Runs": runs, "Dials": dials, "Regions": regions, "Stocks": stocks, "StockSku": r.PathValue("sku"),
		"Listed": d.Product.Status.Listed(), "Draft": d.Product.Status == market.StatusDraft}
	c.render(w, r, status, "seller_product", view)
}

// sellerRunDebug runs the debug cases against the merchant's production interface; the run's
// page shows each case as it finishes.
func (c *Console) sellerRunDebug(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	run, err := c.svc.Dial.RunDebug(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.sellerRefused(w, r, err, "/seller/products/"+esc(r.PathValue("id")))
		return
	}
	c.sellerDone(w, r, "seller.flash.debug_started", "/seller/debug-runs/"+esc(run.ID))
}

func (c *Console) sellerDebugRun(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	run, err := c.svc.Dial.Run(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "seller.debug.title")
	view.Title = run.ID
	view.Nav = "seller/products"
	view.Data = map[string]any{"Run": run, "Running": run.State == market.RunRunning}
	c.render(w, r, http.StatusOK, "seller_debug_run", view)
}

// sellerVisibility submits a VISIBILITY application: hide the product (sold by its link only)
// or make it public again.
func (c *Console) sellerVisibility(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.sellerParse(w, r, 4<<10) {
		return
	}
	id := r.PathValue("id")
	vis := &publish.Visibility{}
	if p := r.PostForm.Get("public"); p != "" {
		public := p == "true"
		vis.Public = &public
	}
	// The specs form lists every spec with its hidden box; a box not sent is a public spec.
	if codes := r.PostForm["spec"]; len(codes) > 0 {
		vis.Specs = map[string]bool{}
		for _, code := range codes {
			vis.Specs[code] = false
		}
		for _, code := range r.PostForm["hidden"] {
			if _, ok := vis.Specs[code]; ok {
				vis.Specs[code] = true
			}
		}
	}
	app, err := c.svc.Publish.Create(r.Context(), v, publish.ApplicationRequest{Type: market.AppVisibility, ProductID: id,
		Visibility: vis, Submit: true})
	if err != nil {
		c.sellerRefused(w, r, err, "/seller/products/"+esc(id))
		return
	}
	c.sellerDone(w, r, "seller.flash.submitted", "/seller/applications/"+esc(app.ID))
}

// sellerRemoval submits a REMOVAL application for the product, or one of its specs.
func (c *Console) sellerRemoval(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.sellerParse(w, r, 16<<10) {
		return
	}
	f := newForm(r)
	id := r.PathValue("id")
	rm := &publish.Removal{SkuCode: strings.TrimSpace(f.Get("sku_code")), Reason: strings.TrimSpace(f.Get("reason"))}
	app, err := c.svc.Publish.Create(r.Context(), v, publish.ApplicationRequest{Type: market.AppRemoval, ProductID: id, Removal: rm, Submit: true})
	if err != nil {
		if code := market.ErrorCode(err); code != market.CodeInvalid && code != market.CodeConflict {
			c.fail(w, r, err)
			return
		}
		f.Failed(c.texts.locale(c.texts.pick(r), false, c.cfg.Location), err, map[string]string{"removal.reason": "seller_reason", "removal": "seller_reason",
			"removal.proofs": "seller_reason", "reason": "seller_reason", "sku_code": "seller_reason", "removal.sku_code": "seller_reason"})
		c.renderSellerProduct(w, r, v, http.StatusUnprocessableEntity, f)
		return
	}
	c.sellerDone(w, r, "seller.flash.submitted", "/seller/applications/"+esc(app.ID))
}

// sellerRegions sets the countries a listed product is sold in (a subset of the merchant's
// signing entity's; none: all of them).
func (c *Console) sellerRegions(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.sellerParse(w, r, 4<<10) {
		return
	}
	f := newForm(r)
	var regions []string
	for _, s := range strings.FieldsFunc(f.Get("regions"), func(r rune) bool { return r == ',' || r == ' ' || r == '，' }) {
		regions = append(regions, strings.ToUpper(s))
	}
	id := r.PathValue("id")
	if err := c.svc.Publish.SetRegions(r.Context(), v, id, regions); err != nil {
		if code := market.ErrorCode(err); code != market.CodeInvalid && code != market.CodeConflict {
			c.fail(w, r, err)
			return
		}
		f.Failed(c.sellerLocale(r), err, map[string]string{"regions": "seller_regions", "listing.regions": "seller_regions", "": "seller_regions"})
		c.renderSellerProduct(w, r, v, http.StatusUnprocessableEntity, f)
		return
	}
	c.sellerDone(w, r, "seller.flash.regions_saved", "/seller/products/"+esc(id))
}

// sellerStock sets a hardware spec's stock and the address returned goods go to.
func (c *Console) sellerStock(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.sellerParse(w, r, 8<<10) {
		return
	}
	f := newForm(r)
	id, sku := r.PathValue("id"), r.PathValue("sku")
	qty, err := strconv.Atoi(strings.TrimSpace(f.Get("quantity")))
	if err != nil {
		f.Add("seller_quantity", "seller.publish.not_number")
		c.renderSellerProduct(w, r, v, http.StatusUnprocessableEntity, f)
		return
	}
	if _, err := c.svc.Hardware.SetStock(r.Context(), v, sku, hardware.StockRequest{Quantity: qty, ReturnAddress: strings.TrimSpace(f.Get("return_address"))}); err != nil {
		if market.ErrorCode(err) != market.CodeInvalid {
			c.sellerRefused(w, r, err, "/seller/products/"+esc(id))
			return
		}
		f.Failed(c.sellerLocale(r), err, map[string]string{"quantity": "seller_quantity", "return_address": "seller_return_address"})
		c.renderSellerProduct(w, r, v, http.StatusUnprocessableEntity, f)
		return
	}
	c.sellerDone(w, r, "seller.flash.stock_saved", "/seller/products/"+esc(id))
}
