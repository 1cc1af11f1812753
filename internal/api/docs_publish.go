package api

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/publish"
	"github.com/mercato-oss/mercato/internal/resale"
)

// The publishing routes for the OpenAPI document (docs/api.md, Sellers, Applications and
// Operator: publishing): the seller console under /api/v1/seller/ (seller users only; the
// operator and buyers get 403 there), application review, and the operator's publishing
// settings. Seller roles are the user's within its merchant: an admin may do what operations
// and finance may.

var rulesReply = object{"rules": []ruleView{}}

var publishEndpoints = map[string]endpoint{
	"POST /api/v1/seller/login": {summary: "Sign a seller user in with its password: a fresh token, the previous one stops working (failures count against the address)",
		who: "public", body: sellerLoginRequest{}, reply: sellerUserView{}, status: http.StatusOK},
	"GET /api/v1/seller/users":                    {summary: "The merchant's seller users", who: "seller admin", reply: object{"users": []sellerUserView{}}, status: http.StatusOK},
	"POST /api/v1/seller/users":                   {summary: "Add a seller user; its token is shown once", who: "seller admin", body: identity.SellerUserRequest{}, reply: sellerUserView{}, status: http.StatusCreated},
	"PATCH /api/v1/seller/users/{id}":             {summary: "Change a user's role, or disable it (not the admin itself)", who: "seller admin", body: identity.SellerUserUpdate{}, reply: sellerUserView{}, status: http.StatusOK},
	"POST /api/v1/seller/users/{id}/token":        {summary: "Issue a user a new token; the old one stops working", who: "the user itself, seller admin", reply: object{"id": "", "token": ""}, status: http.StatusCreated},
	"PUT /api/v1/seller/users/{id}/password":      {summary: "Set a user's password (its own needs the current one)", who: "the user itself, seller admin", body: identity.PasswordChange{}, status: http.StatusNoContent},
	"GET /api/v1/seller/keys":                     {summary: "The merchant's AKs (the SK is shown only when issued)", who: "seller admin or finance", reply: object{"keys": []apiKeyView{}}, status: http.StatusOK},
	"POST /api/v1/seller/keys":                    {summary: "Issue another open-API AK/SK pair (shown once)", who: "seller admin", reply: object{"ak": "", "sk": "", "merchant_id": ""}, status: http.StatusCreated},
	"DELETE /api/v1/seller/keys/{ak}":             {summary: "Revoke an AK/SK pair; a merchant keeps at least one", who: "seller admin", status: http.StatusNoContent},
	"POST /api/v1/seller/keys/rotate":             {summary: "Bind a fresh key to the basic or kit interfaces (shown once); the previous one verifies answers for 3 h", who: "seller admin", body: rotateKeyRequest{}, reply: object{"interface": "", "key": ""}, status: http.StatusCreated},
	"GET /api/v1/seller/notifications":            {summary: "The merchant's messages, newest first", who: "seller (any role)", reply: list{"notifications", notificationView{}}, status: http.StatusOK, query: []string{"limit", "cursor", "unread"}},
	"POST /api/v1/seller/notifications/{id}/read": {summary: "Mark a message read", who: "seller (any role)", status: http.StatusNoContent},

	"GET /api/v1/seller/orders":                {summary: "The merchant's orders", who: "seller (any role)", reply: list{"orders", orderView{}}, status: http.StatusOK, query: []string{"limit", "cursor", "buyer_id", "instance"}},
	"GET /api/v1/seller/orders/{id}":           {summary: "Read an order of the merchant", who: "seller (any role)", reply: orderView{}, status: http.StatusOK},
	"GET /api/v1/seller/instances":             {summary: "The merchant's instances", who: "seller (any role)", reply: list{"instances", instanceView{}}, status: http.StatusOK, query: []string{"limit", "cursor", "state", "buyer_id", "order_id"}},
	"GET /api/v1/seller/instances/{key}":       {summary: "Read an instance of the merchant with its login information", who: "seller (any role)", reply: instanceView{}, status: http.StatusOK},
	"GET /api/v1/seller/instances/{key}/usage": {summary: "An instance's usage per hour", who: "seller (any role)", reply: object{"instance_key": "", "instance_id": "", "hours": []hourView{}}, status: http.StatusOK, query: []string{"limit"}},
	"GET /api/v1/seller/calls":                 {summary: "The merchant's interface messages", who: "seller (any role)", reply: list{"calls", callView{}}, status: http.StatusOK, query: []string{"limit", "cursor", "state", "instance"}},
	"GET /api/v1/seller/calls/{id}":            {summary: "Read a call with every attempt", who: "seller (any role)", reply: callView{}, status: http.StatusOK},
	"POST /api/v1/seller/calls/{id}/restart":   {summary: "Restart a failed call with a fresh window", who: "seller admin or operations", reply: callView{}, status: http.StatusAccepted},
	"POST /api/v1/seller/calls/{id}/retry":     {summary: "Make a pending call's next attempt now", who: "seller admin or operations", reply: callView{}, status: http.StatusAccepted},
	"GET /api/v1/seller/statements":            {summary: "The merchant's monthly statements", who: "seller (any role)", reply: object{"statements": []statementView{}}, status: http.StatusOK, query: []string{"limit"}},

	"GET /api/v1/seller/products":                    {summary: "The merchant's products", who: "seller (any role)", reply: list{"products", productView{}}, status: http.StatusOK, query: []string{"limit", "cursor"}},
	"GET /api/v1/seller/products/{id}":               {summary: "A product with its status, specs, SKUs, plans and approved listing", who: "seller (any role) of the product's merchant", reply: productDetailView{}, status: http.StatusOK},
	"POST /api/v1/seller/products/{id}/debug":        {summary: "Run the product's debug cases (as a job; read the run for its cases)", who: "seller admin or operations of the product's merchant", reply: runView{}, status: http.StatusAccepted},
	"GET /api/v1/seller/products/{id}/debug":         {summary: "The product's debug runs and dial tests, newest first", who: "seller (any role) of the product's merchant", reply: list{"runs", runView{}}, status: http.StatusOK, query: []string{"limit", "cursor", "kind"}},
	"GET /api/v1/seller/debug-runs/{id}":             {summary: "A debug run or dial test with its cases", who: "seller (any role) of the product's merchant", reply: runView{}, status: http.StatusOK},
	"PUT /api/v1/seller/products/{id}/regions":       {summary: "Set a listed product's sales regions (none: all of the signing entity's)", who: "seller admin or operations of the product's merchant", body: regionsRequest{}, status: http.StatusNoContent},
	"PUT /api/v1/seller/products/{id}/upgrade-rules": {summary: "Replace a listed product's upgrade rules (once its saved debug cases pass the upgrade case)", who: "seller admin or operations of the product's merchant", body: rulesRequest{}, reply: rulesReply, status: http.StatusOK},
	"POST /api/v1/seller/products/{id}/visibility":   {summary: "Hide or unhide a product or its specs: a submitted VISIBILITY application", who: "seller admin or operations of the product's merchant", body: publish.Visibility{}, reply: applicationView{}, status: http.StatusCreated},
	"POST /api/v1/seller/products/{id}/removal":      {summary: "Remove a product, spec or SKU: a submitted REMOVAL application (approved at once where removals are not reviewed)", who: "seller admin or operations of the product's merchant", body: publish.Removal{}, reply: applicationView{}, status: http.StatusCreated},
	"GET /api/v1/seller/attributes":                  {summary: "Attribute templates: the operator's presets and the merchant's own", who: "seller (any role)", reply: object{"attributes": []templateView{}}, status: http.StatusOK, query: []string{"category", "type", "name"}},
	"POST /api/v1/seller/attributes":                 {summary: "Add a custom attribute template", who: "seller admin or operations", body: publish.TemplateRequest{}, reply: templateView{}, status: http.StatusCreated},
	"PUT /api/v1/seller/attributes/{id}":             {summary: "Change a custom template's name, description and values", who: "seller admin or operations of its merchant", body: publish.TemplateRequest{}, reply: templateView{}, status: http.StatusOK},
	"DELETE /api/v1/seller/attributes/{id}":          {summary: "Delete a custom template; listed products keep their copies", who: "seller admin or operations of its merchant", status: http.StatusNoContent},

	"GET /api/v1/seller/applications":                {summary: "My applications, newest first", who: "seller (any role)", reply: list{"applications", applicationView{}}, status: http.StatusOK, query: []string{"limit", "cursor", "type", "state", "product_id"}},
	"POST /api/v1/seller/applications":               {summary: "Create an application (a new product's release creates the product as a DRAFT); submit sends it to review", who: "seller admin or operations", body: publish.ApplicationRequest{}, reply: applicationView{}, status: http.StatusCreated},
	"GET /api/v1/seller/applications/{id}":           {summary: "An application with its content and transitions", who: "seller (any role) of its merchant", reply: applicationView{}, status: http.StatusOK},
	"PUT /api/v1/seller/applications/{id}":           {summary: "Edit a draft, or the latest rejected application", who: "seller admin or operations of its merchant", body: publish.ApplicationRequest{}, reply: applicationView{}, status: http.StatusOK},
	"DELETE /api/v1/seller/applications/{id}":        {summary: "Delete a draft or rejected application", who: "seller admin or operations of its merchant", status: http.StatusNoContent},
	"POST /api/v1/seller/applications/{id}/submit":   {summary: "Send to review; every broken rule is reported at once", who: "seller admin or operations of its merchant", reply: applicationView{}, status: http.StatusOK},
	"POST /api/v1/seller/applications/{id}/withdraw": {summary: "Take a pending application back to DRAFT, where its delivery methods allow", who: "seller admin or operations of its merchant", reply: applicationView{}, status: http.StatusOK},

	"GET /api/v1/seller/discounts":                  {summary: "The merchant's resale discounts with their state", who: "seller (any role)", reply: object{"discounts": []discountView{}}, status: http.StatusOK, query: []string{"product_id"}},
	"POST /api/v1/seller/discounts":                 {summary: "Create a resale discount (PENDING)", who: "seller admin or finance of the product's merchant", body: resale.Request{}, reply: discountView{}, status: http.StatusCreated},
	"PUT /api/v1/seller/discounts/{id}":             {summary: "Change a pending or authorized discount's value and validity", who: "seller admin or finance of its merchant", body: resale.Request{}, reply: discountView{}, status: http.StatusOK},
	"POST /api/v1/seller/discounts/{id}/authorize":  {summary: "Authorize a pending discount", who: "seller admin or finance of its merchant", reply: discountView{}, status: http.StatusOK},
	"POST /api/v1/seller/discounts/{id}/invalidate": {summary: "End a discount", who: "seller admin or finance of its merchant", reply: discountView{}, status: http.StatusOK},
	"GET /api/v1/seller/discounts/effective":        {summary: "The discount a settlement at a time uses for a reseller's customer (404 when none applies)", who: "seller admin or finance of the product's merchant", reply: discountView{}, status: http.StatusOK, query: []string{"product_id", "partner_id", "customer_id", "at"}},

	"POST /api/v1/merchants/{id}/users": {summary: "Add a seller user to a merchant (the operator creates its first admin); its token is shown once", who: "operator, seller admin of the merchant", body: identity.SellerUserRequest{}, reply: sellerUserView{}, status: http.StatusCreated},
	"GET /api/v1/merchants/{id}/users":  {summary: "A merchant's seller users", who: "operator, seller admin of the merchant", reply: object{"users": []sellerUserView{}}, status: http.StatusOK},

	"GET /api/v1/applications":               {summary: "Applications; state=PENDING_APPROVAL is the operator's review queue, oldest submission first", who: "operator, seller (any role; its merchant's)", reply: list{"applications", applicationView{}}, status: http.StatusOK, query: []string{"limit", "cursor", "type", "state", "merchant_id", "product_id"}},
	"POST /api/v1/applications":              {summary: "Create an application; the operator names merchant_id for a new product's release", who: "operator, seller admin or operations (its merchant's)", body: publish.ApplicationRequest{}, reply: applicationView{}, status: http.StatusCreated},
	"GET /api/v1/applications/{id}":          {summary: "An application with its content and transitions", who: "operator, seller (any role) of its merchant", reply: applicationView{}, status: http.StatusOK},
	"POST /api/v1/applications/{id}/approve": {summary: "Approve a pending application; its change takes effect at once", who: "operator", body: approveRequest{}, optionalBody: true, reply: applicationView{}, status: http.StatusOK},
	"POST /api/v1/applications/{id}/reject":  {summary: "Reject a pending application with a reason", who: "operator", body: rejectRequest{}, reply: applicationView{}, status: http.StatusOK},

	"GET /api/v1/products/{id}/upgrade-rules":   {summary: "A product's upgrade rules with their validity", who: "any (a product not on sale: its merchant's sellers and the operator)", reply: rulesReply, status: http.StatusOK},
	"POST /api/v1/products/{id}/unfreeze":       {summary: "Lift a dial-test freeze: the product takes orders again", who: "operator", status: http.StatusNoContent},
	"GET /api/v1/products/{id}/debug":           {summary: "A product's debug runs and dial tests, newest first", who: "operator, seller (any role) of the product's merchant", reply: list{"runs", runView{}}, status: http.StatusOK, query: []string{"limit", "cursor", "kind"}},
	"GET /api/v1/debug-runs/{id}":               {summary: "A debug run or dial test with its cases", who: "operator, seller (any role) of the product's merchant", reply: runView{}, status: http.StatusOK},
	"PUT /api/v1/merchants/{id}/regions":        {summary: "Set the regions the merchant's signing entity may sell in (none: no limit)", who: "operator", body: regionsRequest{}, status: http.StatusNoContent},
	"PUT /api/v1/buyers/{id}/country":           {summary: "Set the buyer's country, which decides where it may order", who: "operator", body: countryRequest{}, status: http.StatusNoContent},
	"GET /api/v1/attributes":                    {summary: "Attribute templates: presets and a merchant's custom ones", who: "operator, seller (any role; presets and its merchant's)", reply: object{"attributes": []templateView{}}, status: http.StatusOK, query: []string{"merchant_id", "category", "type", "name"}},
	"POST /api/v1/attributes":                   {summary: "Add a preset (no merchant_id) or a merchant's custom template", who: "operator, seller admin or operations (its merchant's custom ones)", body: publish.TemplateRequest{}, reply: templateView{}, status: http.StatusCreated},
	"GET /api/v1/catalog/specs/{sku}":           {summary: "A spec's link: its product with that spec alone, also when the spec is hidden", who: "any", reply: productDetailView{}, status: http.StatusOK},
	"POST /api/v1/instances/{key}/renew-change": {summary: "Renew into another spec, SKU or quantity along an upgrade rule, from 30 days before expiry", who: "its buyer", body: order.ChangeRequest{}, reply: orderView{}, status: http.StatusCreated},
}
