package api

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/publish"
	"github.com/mercato-oss/mercato/internal/store"
)

// Products as their sellers run them: details with status, debug cases and dial tests,
// regions, upgrade rules, hiding and removal; attribute templates; the operator's freeze lift
// and region settings; spec links and renewal changes for buyers.

func (a *API) registerSellerPublishing(mux Mux, s func(handlerFunc) http.Handler) {
	mux.Handle("GET /api/v1/seller/products", s(a.listProducts))
	mux.Handle("GET /api/v1/seller/products/{id}", s(a.getSellerProduct))
	mux.Handle("POST /api/v1/seller/products/{id}/debug", s(a.runDebug))
	mux.Handle("GET /api/v1/seller/products/{id}/debug", s(a.listDebugRuns))
	mux.Handle("GET /api/v1/seller/debug-runs/{id}", s(a.getDebugRun))
	mux.Handle("PUT /api/v1/seller/products/{id}/regions", s(a.setRegions))
	mux.Handle("PUT /api/v1/seller/products/{id}/upgrade-rules", s(a.setRules))
	mux.Handle("POST /api/v1/seller/products/{id}/visibility", s(a.quickApplication(market.AppVisibility)))
	mux.Handle("POST /api/v1/seller/products/{id}/removal", s(a.quickApplication(market.AppRemoval)))
	mux.Handle("GET /api/v1/seller/attributes", s(a.listTemplates))
	mux.Handle("POST /api/v1/seller/attributes", s(a.createTemplate))
	mux.Handle("PUT /api/v1/seller/attributes/{id}", s(a.updateTemplate))
	mux.Handle("DELETE /api/v1/seller/attributes/{id}", s(a.deleteTemplate))
	a.registerSellerApplications(mux, s)
	a.registerSellerDiscounts(mux, s)

	mux.Handle("GET /api/v1/products/{id}/upgrade-rules", a.auth(a.getRules))
	mux.Handle("POST /api/v1/products/{id}/unfreeze", a.auth(a.unfreeze))
	mux.Handle("GET /api/v1/products/{id}/debug", a.auth(a.listDebugRuns))
	mux.Handle("GET /api/v1/debug-runs/{id}", a.auth(a.getDebugRun))
	mux.Handle("PUT /api/v1/merchants/{id}/regions", a.auth(a.setSigningRegions))
	mux.Handle("PUT /api/v1/buyers/{id}/country", a.auth(a.setBuyerCountry))
	mux.Handle("GET /api/v1/attributes", a.auth(a.listTemplates))
	mux.Handle("POST /api/v1/attributes", a.auth(a.createTemplate))
	mux.Handle("GET /api/v1/catalog/specs/{sku}", a.auth(a.getSpecLink))
	mux.Handle("POST /api/v1/instances/{key}/renew-change", a.auth(a.changeInstance(a.Orders.RenewChange)))
}

func (a *API) getSellerProduct(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	d, err := a.Catalog.Product(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	l, err := a.Publish.Listing(r.Context(), v, d.Product.ID)
	if err != nil {
		return err
	}
	out := viewProductDetail(d)
	out.Listing = l
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) getSpecLink(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	d, err := a.Catalog.Spec(r.Context(), v, r.PathValue("sku"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewProductDetail(d))
	return nil
}

func (a *API) runDebug(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	run, err := a.Dial.RunDebug(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, viewRun(run))
	return nil
}

func (a *API) listDebugRuns(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	q := query(r)
	page, err := q.page()
	if err != nil {
		return err
	}
	kind, err := enum(q, "kind", market.DebugSeller, market.DebugDial)
	if err != nil {
		return err
	}
	runs, next, err := a.Dial.Runs(r.Context(), v, r.PathValue("id"), kind, page)
	if err != nil {
		return err
	}
	out := views(runs, viewRun)
	writeList(w, r, "runs", out, next)
	return nil
}

func (a *API) getDebugRun(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	run, err := a.Dial.Run(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewRun(run))
	return nil
}

type regionsRequest struct {
	Regions []string `json:"regions"`
}

func (a *API) setRegions(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req regionsRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	return noContent(w, a.Publish.SetRegions(r.Context(), v, r.PathValue("id"), req.Regions))
}

func (a *API) setSigningRegions(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req regionsRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	return noContent(w, a.Publish.SetSigningRegions(r.Context(), v, r.PathValue("id"), req.Regions))
}

type countryRequest struct {
	Country string `json:"country"`
}

func (a *API) setBuyerCountry(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req countryRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	return noContent(w, a.Publish.SetBuyerCountry(r.Context(), v, r.PathValue("id"), req.Country))
}

type rulesRequest struct {
	Rules []order.RuleRequest `json:"rules"`
}

func (a *API) setRules(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req rulesRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	rules, err := a.Orders.SetUpgradeRules(r.Context(), v, r.PathValue("id"), req.Rules)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"rules": viewRules(rules)})
	return nil
}

func (a *API) getRules(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	rules, err := a.Orders.UpgradeRules(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"rules": viewRules(rules)})
	return nil
}

// quickApplication creates and submits a visibility or removal application for the product
// in the path, as the seller console's Hide and Remove buttons do.
func (a *API) quickApplication(typ market.ApplicationType) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
		req := publish.ApplicationRequest{Type: typ, ProductID: r.PathValue("id"), Submit: true}
		if typ == market.AppVisibility {
			req.Visibility = &publish.Visibility{}
			if err := decode(w, r, req.Visibility); err != nil {
				return err
			}
		} else {
			req.Removal = &publish.Removal{}
			if err := decode(w, r, req.Removal); err != nil {
				return err
			}
		}
		app, err := a.Publish.Create(r.Context(), v, req)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, viewApplication(app, nil))
		return nil
	}
}

func (a *API) unfreeze(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	return noContent(w, a.Publish.Unfreeze(r.Context(), v, r.PathValue("id")))
}

func (a *API) listTemplates(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	q := query(r)
	typ, err := enum(q, "type", "QUANTITY", "ENUMERATION")
	if err != nil {
		return err
	}
	tpls, err := a.Publish.Templates(r.Context(), v, store.TemplateFilter{MerchantID: q.q.Get("merchant_id"), Category: q.q.Get("category"),
		Type: typ, Name: q.q.Get("name")})
	if err != nil {
		return err
	}
	out := views(tpls, viewTemplate)
	writeJSON(w, http.StatusOK, map[string]any{"attributes": out})
	return nil
}

func (a *API) createTemplate(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req publish.TemplateRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	t, err := a.Publish.CreateTemplate(r.Context(), v, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewTemplate(t))
	return nil
}

func (a *API) updateTemplate(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req publish.TemplateRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	t, err := a.Publish.UpdateTemplate(r.Context(), v, r.PathValue("id"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewTemplate(t))
	return nil
}

func (a *API) deleteTemplate(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	return noContent(w, a.Publish.DeleteTemplate(r.Context(), v, r.PathValue("id")))
}
