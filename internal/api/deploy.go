package api

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/deploy"
	"github.com/mercato-oss/mercato/internal/market"
)

// Auto-deploy (docs/auto-deploy.md): templates on assets, the price table, and the buyer's
// form, plan and deployments.

func (a *API) registerDeploy(mux Mux) {
	mux.Handle("POST /api/v1/deploy/assets/{id}/templates", a.auth(a.addTemplate))
	mux.Handle("GET /api/v1/deploy/templates", a.auth(a.listDeployTemplates))
	mux.Handle("GET /api/v1/deploy/templates/{id}", a.auth(a.getDeployTemplate))
	mux.Handle("DELETE /api/v1/deploy/templates/{id}", a.auth(a.deleteDeployTemplate))
	mux.Handle("GET /api/v1/deploy/prices", a.auth(a.listPrices))
	mux.Handle("PUT /api/v1/deploy/prices/{type}", a.auth(a.setPrice))
	mux.Handle("DELETE /api/v1/deploy/prices/{type}", a.auth(a.deletePrice))
	mux.Handle("GET /api/v1/instances/{key}/deploy/form", a.auth(a.deployForm))
	mux.Handle("POST /api/v1/instances/{key}/deploy/plan", a.auth(a.deployPlan))
	mux.Handle("POST /api/v1/instances/{key}/deploy", a.auth(a.startDeployment))
	mux.Handle("GET /api/v1/deploy/deployments", a.auth(a.listDeployments))
	mux.Handle("GET /api/v1/deploy/deployments/{id}", a.auth(a.getDeployment))
}

type deployTemplateView struct {
	ID           string                     `json:"id"`
	AssetID      string                     `json:"asset_id"`
	AssetVersion int                        `json:"asset_version"`
	MerchantID   string                     `json:"merchant_id"`
	Name         string                     `json:"name"`
	Valid        bool                       `json:"valid"`
	Modules      int                        `json:"modules"`
	Depth        int                        `json:"depth"`
	Violations   []market.TemplateViolation `json:"violations"`
	Variables    []market.TemplateVariable  `json:"variables"`
	Resources    []market.TemplateResource  `json:"resources"`
	Outputs      []string                   `json:"outputs,omitempty"`
	Files        []market.TemplateFile      `json:"files,omitempty"`
	CreatedAt    string                     `json:"created_at"`
}

func viewDeployTemplate(t *market.DeployTemplate) deployTemplateView {
	return deployTemplateView{t.ID, t.AssetID, t.AssetVersion, t.MerchantID, t.Name, t.Valid, t.Modules, t.Depth, t.Violations, t.Variables,
		t.Resources, t.Outputs, t.Files, ts(t.CreatedAt)}
}

type priceView struct {
	ResourceType string             `json:"resource_type"`
	Lines        []market.PriceLine `json:"lines"`
	UpdatedAt    string             `json:"updated_at"`
}

func viewPrice(p *market.ResourcePrice) priceView {
	return priceView{p.ResourceType, p.Lines, ts(p.UpdatedAt)}
}

type formView struct {
	InstanceKey string                    `json:"instance_key"`
	AssetID     string                    `json:"asset_id"`
	Template    deployTemplateView        `json:"template"`
	Fields      []market.TemplateVariable `json:"fields"`
}

type deploymentView struct {
	ID          string            `json:"id"`
	InstanceKey string            `json:"instance_key"`
	OrderID     string            `json:"order_id"`
	BuyerID     string            `json:"buyer_id"`
	MerchantID  string            `json:"merchant_id"`
	SkuCode     string            `json:"sku_code"`
	AssetID     string            `json:"asset_id"`
	TemplateID  string            `json:"template_id"`
	RequestID   string            `json:"request_id"`
	State       string            `json:"state"`
	Inputs      map[string]any    `json:"inputs"`
	Plan        market.DeployPlan `json:"plan"`
	StackID     string            `json:"stack_id,omitempty"`
	Outputs     map[string]string `json:"outputs,omitempty"`
	Message     string            `json:"message,omitempty"`
	Attempts    int               `json:"attempts"`
	CreatedAt   string            `json:"created_at"`
	UpdatedAt   string            `json:"updated_at"`
	DeployedAt  string            `json:"deployed_at,omitempty"`
}

func viewDeployment(d *market.Deployment) deploymentView {
	inputs := make(map[string]any, len(d.Inputs))
	for k, v := range d.Inputs {
		inputs[k] = v
	}
	return deploymentView{d.ID, d.InstanceKey, d.OrderID, d.BuyerID, d.MerchantID, d.SkuCode, d.AssetID, d.TemplateID, d.RequestID, string(d.State),
		inputs, d.Plan, d.StackID, d.Outputs, d.Message, d.Attempts, ts(d.CreatedAt), ts(d.UpdatedAt), ts(d.DeployedAt)}
}

func (a *API) addTemplate(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req deploy.TemplateRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	t, err := a.Deploy.AddTemplate(r.Context(), v, r.PathValue("id"), req)
	if err != nil {
		return err
	}
	t.Files = nil
	writeJSON(w, http.StatusCreated, viewDeployTemplate(t))
	return nil
}

func (a *API) listDeployTemplates(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	q := query(r)
	page, err := q.page()
	if err != nil {
		return err
	}
	valid, err := enum(q, "valid", "true", "false")
	if err != nil {
		return err
	}
	list, next, err := a.Deploy.Templates(r.Context(), v, deploy.TemplateFilter{AssetID: q.q.Get("asset_id"), MerchantID: q.q.Get("merchant_id"),
		ValidOnly: valid == "true", Page: page})
	if err != nil {
		return err
	}
	writeList(w, r, "templates", views(list, viewDeployTemplate), next)
	return nil
}

func (a *API) getDeployTemplate(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	t, err := a.Deploy.Template(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewDeployTemplate(t))
	return nil
}

func (a *API) deleteDeployTemplate(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	return noContent(w, a.Deploy.DeleteTemplate(r.Context(), v, r.PathValue("id")))
}

func (a *API) listPrices(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	list, err := a.Deploy.Prices(r.Context(), v)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"prices": views(list, viewPrice)})
	return nil
}

func (a *API) setPrice(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req deploy.PriceRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	p, err := a.Deploy.SetPrice(r.Context(), v, r.PathValue("type"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewPrice(p))
	return nil
}

func (a *API) deletePrice(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	return noContent(w, a.Deploy.DeletePrice(r.Context(), v, r.PathValue("type")))
}

func (a *API) deployForm(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	f, err := a.Deploy.Form(r.Context(), v, r.PathValue("key"), query(r).q.Get("template_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, formView{f.InstanceKey, f.AssetID, viewDeployTemplate(f.Template), f.Fields})
	return nil
}

func (a *API) deployPlan(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req deploy.DeployRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	p, err := a.Deploy.Plan(r.Context(), v, r.PathValue("key"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, planView{*p, p.Deployable()})
	return nil
}

// planView is a plan with whether it may be deployed.
type planView struct {
	market.DeployPlan
	Deployable bool `json:"deployable"`
}

func (a *API) startDeployment(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req deploy.DeployRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	d, err := a.Deploy.Deploy(r.Context(), v, r.PathValue("key"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, viewDeployment(d))
	return nil
}

func (a *API) listDeployments(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	q := query(r)
	page, err := q.page()
	if err != nil {
		return err
	}
	state, err := enum(q, "state", market.DeploymentPending, market.DeploymentDeployed, market.DeploymentFailed)
	if err != nil {
		return err
	}
	list, next, err := a.Deploy.Deployments(r.Context(), v, deploy.DeploymentFilter{BuyerID: q.q.Get("buyer_id"), MerchantID: q.q.Get("merchant_id"),
		InstanceKey: q.q.Get("instance"), State: state, Page: page})
	if err != nil {
		return err
	}
	writeList(w, r, "deployments", views(list, viewDeployment), next)
	return nil
}

func (a *API) getDeployment(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	d, err := a.Deploy.Deployment(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewDeployment(d))
	return nil
}
