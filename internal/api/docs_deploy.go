package api

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/deploy"
)

// The auto-deploy routes for the OpenAPI document (docs/auto-deploy.md): templates on assets
// (sellers of the asset's merchant and the operator), the operator's price table, and the
// buyer's deployment form, plan and deployments.
var deployEndpoints = map[string]endpoint{
	"POST /api/v1/deploy/assets/{id}/templates": {summary: "Attach a Terraform template (HCL or .tf.json) to an asset version; it is validated against RFS's constraints and kept with its report (valid or not)",
		who: "seller admin or operations of the asset's merchant, operator", body: deploy.TemplateRequest{}, reply: deployTemplateView{}, status: http.StatusCreated},
	"GET /api/v1/deploy/templates":         {summary: "Templates with their reports, newest first (without files)", who: "seller (its merchant's), operator", reply: list{"templates", deployTemplateView{}}, status: http.StatusOK, query: []string{"limit", "cursor", "asset_id", "merchant_id", "valid"}},
	"GET /api/v1/deploy/templates/{id}":    {summary: "A template with its files, variables, resources and violations", who: "seller (its merchant's), operator", reply: deployTemplateView{}, status: http.StatusOK},
	"DELETE /api/v1/deploy/templates/{id}": {summary: "Delete a template (not the last valid one of an asset a product uses)", who: "seller admin or operations of its merchant, operator", status: http.StatusNoContent},
	"GET /api/v1/deploy/prices":            {summary: "The price table: each cloud resource type's price lines", who: "any", reply: object{"prices": []priceView{}}, status: http.StatusOK},
	"PUT /api/v1/deploy/prices/{type}":     {summary: "Set a resource type's price lines", who: "operator", body: deploy.PriceRequest{}, reply: priceView{}, status: http.StatusOK},
	"DELETE /api/v1/deploy/prices/{type}":  {summary: "Remove a resource type from the price table (its templates' deployments are blocked)", who: "operator", status: http.StatusNoContent},
	"GET /api/v1/instances/{key}/deploy/form": {summary: "The deployment form of an auto-deploy instance: the template and one field per variable",
		who: "buyer of the instance, its merchant's sellers, operator", reply: formView{}, status: http.StatusOK, query: []string{"template_id"}},
	"POST /api/v1/instances/{key}/deploy/plan": {summary: "Check the form's answers (errors per field, inputs.NAME) and price every resource; unpriced resources block deployment",
		who: "buyer of the instance, its merchant's sellers, operator", body: deploy.DeployRequest{}, reply: planView{}, status: http.StatusOK},
	"POST /api/v1/instances/{key}/deploy": {summary: "Deploy: store the deployment and hand it to the deployer as a job (the same request_id returns the first deployment)",
		who: "buyer of the instance", body: deploy.DeployRequest{}, reply: deploymentView{}, status: http.StatusAccepted},
	"GET /api/v1/deploy/deployments":      {summary: "Deployments, newest first; every answer redacted", who: "buyer (its own), seller (its merchant's), operator", reply: list{"deployments", deploymentView{}}, status: http.StatusOK, query: []string{"limit", "cursor", "state", "instance", "buyer_id", "merchant_id"}},
	"GET /api/v1/deploy/deployments/{id}": {summary: "A deployment: its plan, state, stack and outputs; sensitive answers redacted", who: "buyer (its own), seller (its merchant's), operator", reply: deploymentView{}, status: http.StatusOK},
}
