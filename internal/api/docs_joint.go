package api

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/enterprise"
	"github.com/mercato-oss/mercato/internal/order"
)

// The joint-operation routes (docs/joint-operation.md) and the order extras (orderNotify
// settings, market events) for the OpenAPI document.

// Request shapes of those routes, named for the document.
type (
	nameRequest struct {
		Name string `json:"name"`
	}
	usersRequest struct {
		Users []enterprise.UserRequest `json:"users"`
	}
	bindRequest struct {
		InstanceKey string `json:"instance_key"`
	}
	enabledRequest struct {
		Enabled bool `json:"enabled"`
	}
)

var jointEndpoints = map[string]endpoint{
	"POST /api/v1/enterprises":                                   {summary: "Create an enterprise; its buyer becomes its administrator", who: "buyer, operator", body: enterprise.EnterpriseRequest{}, reply: enterpriseView{}, status: http.StatusCreated},
	"GET /api/v1/enterprises":                                    {summary: "List enterprises", who: "operator (every one), administrator (its own)", reply: list{"enterprises", enterpriseView{}}, status: http.StatusOK, query: []string{"limit", "cursor"}},
	"GET /api/v1/enterprises/{tid}":                              {summary: "Read an enterprise", who: "its administrator, the operator", reply: enterpriseView{}, status: http.StatusOK},
	"PATCH /api/v1/enterprises/{tid}":                            {summary: "Rename an enterprise (tenantSync to its merchants)", who: "its administrator, the operator", body: nameRequest{}, reply: enterpriseView{}, status: http.StatusOK},
	"POST /api/v1/enterprises/{tid}/departments":                 {summary: "Add a department (singleOrgSync)", who: "its administrator, the operator", body: enterprise.DepartmentRequest{}, reply: departmentView{}, status: http.StatusCreated},
	"GET /api/v1/enterprises/{tid}/departments":                  {summary: "The department tree", who: "its administrator, the operator", reply: list{"departments", departmentView{}}, status: http.StatusOK},
	"PATCH /api/v1/enterprises/{tid}/departments/{code}":         {summary: "Rename or move a department (singleOrgSync)", who: "its administrator, the operator", body: enterprise.DepartmentChange{}, reply: departmentView{}, status: http.StatusOK},
	"DELETE /api/v1/enterprises/{tid}/departments/{code}":        {summary: "Delete an empty department (singleOrgSync)", who: "its administrator, the operator", status: http.StatusNoContent},
	"POST /api/v1/enterprises/{tid}/departments/sync":            {summary: "Send the full department tree (allOrgSync) to every bound merchant", who: "its administrator, the operator", reply: object{"bindings": 0}, status: http.StatusAccepted},
	"POST /api/v1/enterprises/{tid}/users":                       {summary: "Add users", who: "its administrator, the operator", body: usersRequest{}, reply: object{"users": []userView{}}, status: http.StatusCreated},
	"GET /api/v1/enterprises/{tid}/users":                        {summary: "List users", who: "its administrator, the operator", reply: list{"users", userView{}}, status: http.StatusOK, query: []string{"limit", "cursor"}},
	"GET /api/v1/enterprises/{tid}/users/{name}":                 {summary: "Read a user", who: "its administrator, the operator", reply: userView{}, status: http.StatusOK},
	"PATCH /api/v1/enterprises/{tid}/users/{name}":               {summary: "Change a user (authSync where authorized)", who: "its administrator, the operator", body: enterprise.UserChange{}, reply: userView{}, status: http.StatusOK},
	"DELETE /api/v1/enterprises/{tid}/users/{name}":              {summary: "Delete a user (its authorizations are cancelled)", who: "its administrator, the operator", status: http.StatusNoContent},
	"POST /api/v1/enterprises/{tid}/bindings":                    {summary: "Bind a joint-operation instance to the enterprise (tenantSync)", who: "its administrator, the operator", body: bindRequest{}, reply: bindingView{}, status: http.StatusCreated},
	"GET /api/v1/enterprises/{tid}/bindings":                     {summary: "The enterprise's bound instances", who: "its administrator, the operator", reply: list{"bindings", bindingView{}}, status: http.StatusOK},
	"DELETE /api/v1/enterprises/{tid}/bindings/{key}":            {summary: "Unbind an instance (tenantSync delete)", who: "its administrator, the operator", status: http.StatusNoContent},
	"POST /api/v1/enterprises/{tid}/bindings/{key}/apps":         {summary: "Add an application to a bound instance (applicationSync)", who: "its administrator, the operator", body: enterprise.AppRequest{}, reply: appView{}, status: http.StatusCreated},
	"GET /api/v1/enterprises/{tid}/apps":                         {summary: "The enterprise's applications", who: "its administrator, the operator", reply: list{"apps", appView{}}, status: http.StatusOK},
	"DELETE /api/v1/enterprises/{tid}/bindings/{key}/apps/{app}": {summary: "Delete an application (applicationSync delete)", who: "its administrator, the operator", status: http.StatusNoContent},
	"GET /api/v1/enterprises/{tid}/apps/{app}/users":             {summary: "The users authorized on an application", who: "its administrator, the operator", reply: list{"users", ""}, status: http.StatusOK, query: []string{"limit", "cursor"}},
	"POST /api/v1/enterprises/{tid}/authorizations":              {summary: "Authorize or cancel users on an application (authSync, ≤ 500 a batch)", who: "its administrator, the operator", body: enterprise.AuthRequest{}, reply: enterprise.AuthResult{}, status: http.StatusAccepted},
	"GET /api/v1/enterprises/{tid}/syncs":                        {summary: "The enterprise's kit syncs, as interface messages", who: "its administrator, the operator", reply: list{"syncs", syncView{}}, status: http.StatusOK, query: []string{"limit", "cursor", "state"}},
	"POST /api/v1/enterprises/{tid}/syncs/{id}/retry":            {summary: "Retry a failed sync (and the ones waiting behind it)", who: "its administrator, the operator", reply: syncView{}, status: http.StatusAccepted},
	"PUT /api/v1/merchants/{id}/kit-key":                         {summary: "Upload the RSA public key client secrets are encrypted with, and the SSO redirect URIs", who: "operator, seller of the merchant", body: enterprise.KitKeyRequest{}, reply: kitKeyView{}, status: http.StatusOK},
	"GET /api/v1/merchants/{id}/kit-key":                         {summary: "The merchant's kit key and redirect URIs", who: "operator, seller of the merchant", reply: kitKeyView{}, status: http.StatusOK},
	"POST /api/v1/merchants/{id}/test-credentials":               {summary: "The seller's test credential: syncs with empty instanceId and orderId", who: "operator, seller of the merchant", reply: enterprise.TestCredential{}, status: http.StatusCreated},
	"GET /api/v1/kit-notices":                                    {summary: "Notices of failed syncs to the merchant", who: "operator, seller (its own)", reply: list{"notices", noticeView{}}, status: http.StatusOK, query: []string{"limit", "cursor"}},
	"PUT /api/v1/products/{id}/order-notify":                     {summary: "Turn orderNotify on or off for a product", who: "operator, seller of the product", body: enabledRequest{}, reply: object{"enabled": false}, status: http.StatusOK},
	"GET /api/v1/products/{id}/order-notify":                     {summary: "Whether a product's orders are notified", who: "operator, seller of the product", reply: object{"enabled": false}, status: http.StatusOK},
	"POST /api/v1/orders/{id}/events":                            {summary: "Open a market event on an order for the merchant to upload to", who: "anyone who sees the order", body: order.EventRequest{}, reply: eventView{}, status: http.StatusCreated},
	"GET /api/v1/orders/{id}/events":                             {summary: "An order's market events", who: "anyone who sees the order", reply: object{"events": []eventView{}}, status: http.StatusOK},
	"GET /api/v1/orders/{id}/events/{event}/content":             {summary: "What the merchant uploaded to an event", who: "anyone who sees the order", status: http.StatusOK},
}
