package api

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Merchants, keys, products, buyers, tokens and interface messages. Who may do what is the
// services' decision: the operator everything, a seller its own merchant's.

func (a *API) createMerchant(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req catalog.MerchantRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	nm, err := a.Catalog.CreateMerchant(r.Context(), v, req)
	if err != nil {
		return err
	}
	// The keys are shown in full only here.
	writeSecret(w, http.StatusCreated, map[string]any{
		"merchant": viewMerchant(nm.Merchant), "access_key": nm.Merchant.AccessKey, "kit_key": nm.Merchant.KitKey,
		"ak": nm.Key.AK, "sk": nm.Key.SK,
	})
	return nil
}

func (a *API) listMerchants(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	page, err := query(r).page()
	if err != nil {
		return err
	}
	ms, next, err := a.Catalog.Merchants(r.Context(), v, page)
	if err != nil {
		return err
	}
	out := views(ms, viewMerchant)
	writeList(w, r, "merchants", out, next)
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

func (a *API) updateMerchant(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req catalog.MerchantUpdate
	if err := decode(w, r, &req); err != nil {
		return err
	}
	m, err := a.Catalog.UpdateMerchant(r.Context(), v, r.PathValue("id"), req)
	if err != nil {
		return err
	}
	out := map[string]any{"merchant": viewMerchant(m)}
	if req.AccessKey != nil || req.RotateAccessKey {
		out["access_key"] = m.AccessKey // shown once, like at creation
	}
	if req.KitKey != nil || req.RotateKitKey {
		out["kit_key"] = m.KitKey
	}
	writeSecret(w, http.StatusOK, out)
	return nil
}

func (a *API) issueKey(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	k, err := a.Catalog.IssueKey(r.Context(), v, merchantOf(r, v))
	if err != nil {
		return err
	}
	writeSecret(w, http.StatusCreated, map[string]string{"ak": k.AK, "sk": k.SK, "merchant_id": k.MerchantID})
	return nil
}

func (a *API) createProduct(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req catalog.ProductRequest
	if err := decode(w, r, &req); err != nil {
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

type productView struct {
	ID         string        `json:"id"`
	MerchantID string        `json:"merchant_id"`
	Name       string        `json:"name"`
	CreatedAt  string        `json:"created_at"`
	Plans      []catalogView `json:"plans,omitempty"`
}

func (a *API) listProducts(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	page, err := query(r).page()
	if err != nil {
		return err
	}
	ps, next, err := a.Catalog.Products(r.Context(), v, r.URL.Query().Get("merchant_id"), page)
	if err != nil {
		return err
	}
	out := make([]productView, len(ps))
	for i, p := range ps {
		out[i] = productView{ID: p.ID, MerchantID: p.MerchantID, Name: p.Name, CreatedAt: ts(p.CreatedAt)}
	}
	writeList(w, r, "products", out, next)
	return nil
}

func (a *API) getProduct(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	d, err := a.Catalog.Product(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	out := productView{ID: d.Product.ID, MerchantID: d.Product.MerchantID, Name: d.Product.Name, CreatedAt: ts(d.Product.CreatedAt), Plans: []catalogView{}}
	for _, s := range d.Specs {
		for _, pl := range d.Plans[s.SkuCode] {
			out.Plans = append(out.Plans, viewPlan(d.Product, *s, *pl))
		}
	}
	writeJSON(w, http.StatusOK, out)
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
	// SkuID names the spec's SKU the plan prices, if the spec has SKUs.
	SkuID string `json:"sku_id,omitempty"`
}

func viewPlan(p *market.Product, s market.Spec, pl market.Plan) catalogView {
	return catalogView{pl.ProductID, p.Name, p.MerchantID, s.SkuCode, s.Name, s.Charging, pl.Period, pl.Price, pl.Currency, s.TrialDays, pl.SkuID}
}

func (a *API) listCatalog(w http.ResponseWriter, r *http.Request, _ market.Viewer) error {
	q := query(r)
	page, err := q.page()
	if err != nil {
		return err
	}
	charging, err := enum(q, "charging", market.ChargingPeriod, market.ChargingOneTime, market.ChargingOnDemand, market.ChargingOnDemandPkg)
	if err != nil {
		return err
	}
	es, next, err := a.Catalog.Catalog(r.Context(), store.StorefrontFilter{Query: q.q.Get("q"), MerchantID: q.q.Get("merchant_id"),
		Category: q.q.Get("category"), Charging: charging, Page: page})
	if err != nil {
		return err
	}
	out := make([]catalogView, len(es))
	for i, e := range es {
		out[i] = viewPlan(&e.Product, e.Spec, e.Plan)
	}
	writeList(w, r, "plans", out, next)
	return nil
}

type buyerView struct {
	CustomerID string `json:"customer_id"`
	Name       string `json:"name"`
	Email      string `json:"email,omitempty"`
	Mobile     string `json:"mobile,omitempty"`
	CreatedAt  string `json:"created_at"`
	Token      string `json:"token,omitempty"` // only when it is issued
}

func viewBuyer(b *market.Buyer) buyerView {
	return buyerView{CustomerID: b.CustomerID, Name: b.Name, Email: b.Email, Mobile: b.Mobile, CreatedAt: ts(b.CreatedAt)}
}

func (a *API) createBuyer(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req identity.BuyerRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	b, token, err := a.Identity.CreateBuyer(r.Context(), v, req)
	if err != nil {
		return err
	}
	out := viewBuyer(b)
	out.Token = token
	writeSecret(w, http.StatusCreated, out)
	return nil
}

func (a *API) listBuyers(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	page, err := query(r).page()
	if err != nil {
		return err
	}
	bs, next, err := a.Identity.Buyers(r.Context(), v, page)
	if err != nil {
		return err
	}
	out := views(bs, viewBuyer)
	writeList(w, r, "buyers", out, next)
	return nil
}

func (a *API) getBuyer(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	b, err := a.Identity.Buyer(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewBuyer(b))
	return nil
}

func (a *API) reissueBuyerToken(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	token, err := a.Identity.ReissueBuyerToken(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeSecret(w, http.StatusCreated, map[string]string{"customer_id": r.PathValue("id"), "token": token})
	return nil
}

func (a *API) rotateOperatorToken(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	token, err := a.Identity.RotateOperatorToken(r.Context(), v)
	if err != nil {
		return err
	}
	writeSecret(w, http.StatusCreated, map[string]string{"token": token})
	return nil
}

func (a *API) listCalls(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	q := query(r)
	page, err := q.page()
	if err != nil {
		return err
	}
	state, err := enum(q, "state", market.CallPending, market.CallSucceeded, market.CallFailed)
	if err != nil {
		return err
	}
	calls, next, err := a.Calls.Calls(r.Context(), v, store.CallFilter{MerchantID: q.q.Get("merchant_id"), InstanceKey: q.q.Get("instance"),
		State: state, Page: page})
	if err != nil {
		return err
	}
	out := make([]callView, len(calls))
	for i, c := range calls {
		out[i] = viewCall(c, nil)
	}
	writeList(w, r, "calls", out, next)
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

func (a *API) retryCall(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	c, err := a.Calls.RetryNow(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, viewCall(c, nil))
	return nil
}
