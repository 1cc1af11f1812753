package api

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Operator endpoints: merchants, keys, products, buyers, interface messages.

func (a *API) createMerchant(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req catalog.MerchantRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	nm, err := a.Catalog.CreateMerchant(r.Context(), v, req)
	if err != nil {
		return err
	}
	// The keys are shown in full only here.
	writeJSON(w, http.StatusCreated, map[string]any{
		"merchant": viewMerchant(nm.Merchant), "access_key": nm.Merchant.AccessKey, "kit_key": nm.Merchant.KitKey,
		"ak": nm.Key.AK, "sk": nm.Key.SK,
	})
	return nil
}

func (a *API) listMerchants(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	ms, err := a.Catalog.Merchants(r.Context(), v)
	if err != nil {
		return err
	}
	out := []merchantView{}
	for _, m := range ms {
		out = append(out, viewMerchant(m))
	}
	writeJSON(w, http.StatusOK, map[string]any{"merchants": out})
	return nil
}

func (a *API) getMerchant(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	m, err := a.Catalog.Merchant(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewMerchant(m))
	return nil
}

func (a *API) issueKey(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	k, err := a.Catalog.IssueKey(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]string{"ak": k.AK, "sk": k.SK, "merchant_id": k.MerchantID})
	return nil
}

func (a *API) createProduct(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req catalog.ProductRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	p, err := a.Catalog.CreateProduct(r.Context(), v, req)
	if err != nil {
		return err
	}
	specs := map[string]market.Spec{}
	for _, s := range p.Specs {
		specs[s.SkuCode] = s
	}
	plans := []catalogView{}
	for _, pl := range p.Plans {
		plans = append(plans, viewPlan(&p.Product, specs[pl.SkuCode], pl))
	}
	writeJSON(w, http.StatusCreated, map[string]any{"product_id": p.Product.ID, "merchant_id": p.Product.MerchantID, "name": p.Product.Name, "plans": plans})
	return nil
}

// catalogView is one purchasable plan.
type catalogView struct {
	ProductID   string          `json:"product_id"`
	ProductName string          `json:"product_name"`
	MerchantID  string          `json:"merchant_id"`
	SkuCode     string          `json:"sku_code"`
	SpecName    string          `json:"spec_name"`
	Charging    market.Charging `json:"charging"`
	Period      string          `json:"period,omitempty"`
	Price       market.Money    `json:"price"`
	Currency    string          `json:"currency"`
	TrialDays   int             `json:"trial_days,omitempty"`
}

func viewPlan(p *market.Product, s market.Spec, pl market.Plan) catalogView {
	return catalogView{pl.ProductID, p.Name, p.MerchantID, s.SkuCode, s.Name, s.Charging, pl.Period, pl.Price, pl.Currency, s.TrialDays}
}

func (a *API) listCatalog(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	es, err := a.Catalog.Catalog(r.Context())
	if err != nil {
		return err
	}
	out := []catalogView{}
	for _, e := range es {
		out = append(out, viewPlan(&e.Product, e.Spec, e.Plan))
	}
	writeJSON(w, http.StatusOK, map[string]any{"plans": out})
	return nil
}

func (a *API) createBuyer(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req identity.BuyerRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	b, token, err := a.Identity.CreateBuyer(r.Context(), v, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"customer_id": b.CustomerID, "name": b.Name, "email": b.Email,
		"mobile": b.Mobile, "token": token})
	return nil
}

func (a *API) listCalls(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	q := r.URL.Query()
	calls, err := a.Calls.Calls(r.Context(), v, store.CallFilter{MerchantID: q.Get("merchant_id"), InstanceKey: q.Get("instance"),
		State: market.CallState(q.Get("state")), Limit: limit(r)})
	if err != nil {
		return err
	}
	out := []callView{}
	for _, c := range calls {
		out = append(out, viewCall(c, nil))
	}
	writeJSON(w, http.StatusOK, map[string]any{"calls": out})
	return nil
}

func (a *API) getCall(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	c, atts, err := a.Calls.Call(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewCall(c, atts))
	return nil
}

func (a *API) restartCall(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	c, err := a.Calls.Restart(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, viewCall(c, nil))
	return nil
}
