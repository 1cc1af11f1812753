package api

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/aftersale"
	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
)

// endpoints describes every route for the OpenAPI document (spec.go); TestSpecCoversRoutes keeps
// it and Register in step. A new route is a line here and a line in Register.
var endpoints = map[string]endpoint{
	"GET /api/v1/sandbox/clock":          {summary: "The sandbox's business time", who: "operator (sandbox only)", reply: clockView{}, status: http.StatusOK},
	"POST /api/v1/sandbox/clock/advance": {summary: "Move the sandbox's business time forward", who: "operator (sandbox only)", body: advanceRequest{}, reply: clockView{}, status: http.StatusOK},
	"POST /api/v1/sandbox/collect":       {summary: "Move the sandbox's business time just past the next hourly or daily usage collection, and run it", who: "operator (sandbox only)", body: collectRequest{}, reply: collectView{}, status: http.StatusAccepted},
	"GET " + SpecPath:                    {summary: "This document", who: "public", reply: object{}, status: http.StatusOK},

	"POST /api/v1/merchants": {summary: "Create a merchant; its keys and first AK/SK are shown once", who: "operator",
		body: catalog.MerchantRequest{}, reply: object{"merchant": merchantView{}, "access_key": "", "kit_key": "", "ak": "", "sk": ""}, status: http.StatusCreated},
	"GET /api/v1/merchants":      {summary: "List merchants", who: "operator (every merchant), seller (its own)", reply: list{"merchants", merchantView{}}, status: http.StatusOK, query: []string{"limit", "cursor"}},
	"GET /api/v1/merchants/{id}": {summary: "Read a merchant", who: "operator, seller of the merchant", reply: merchantView{}, status: http.StatusOK},
	"PATCH /api/v1/merchants/{id}": {summary: "Change a merchant's name, production URL, generation or keys (rotated keys still verify answers for 3 h)",
		who: "operator, seller of the merchant", body: catalog.MerchantUpdate{}, reply: object{"merchant": merchantView{}, "access_key": "", "kit_key": ""}, status: http.StatusOK},
	"POST /api/v1/merchants/{id}/keys": {summary: "Issue another open-API AK/SK pair (shown once)", who: "operator, seller of the merchant", reply: object{"ak": "", "sk": "", "merchant_id": ""}, status: http.StatusCreated},

	"POST /api/v1/products": {summary: "Create a product with its specs and plans", who: "operator", body: catalog.ProductRequest{},
		reply: object{"product_id": "", "merchant_id": "", "name": "", "plans": []catalogView{}}, status: http.StatusCreated},
	"GET /api/v1/products":      {summary: "List products", who: "operator (any merchant's), seller (its own)", reply: list{"products", productView{}}, status: http.StatusOK, query: []string{"limit", "cursor", "merchant_id"}},
	"GET /api/v1/products/{id}": {summary: "Read a product with its plans", who: "any", reply: productView{}, status: http.StatusOK},
	"GET /api/v1/catalog":       {summary: "List the plans on sale", who: "any", reply: list{"plans", catalogView{}}, status: http.StatusOK, query: []string{"limit", "cursor"}},

	"POST /api/v1/buyers":            {summary: "Create a buyer; its token is shown once", who: "operator", body: identity.BuyerRequest{}, reply: buyerView{}, status: http.StatusCreated},
	"GET /api/v1/buyers":             {summary: "List buyers", who: "operator", reply: list{"buyers", buyerView{}}, status: http.StatusOK, query: []string{"limit", "cursor"}},
	"GET /api/v1/buyers/{id}":        {summary: "Read a buyer", who: "operator, the buyer", reply: buyerView{}, status: http.StatusOK},
	"POST /api/v1/buyers/{id}/token": {summary: "Issue a buyer a new token; the old one stops working", who: "operator", reply: object{"customer_id": "", "token": ""}, status: http.StatusCreated},
	"POST /api/v1/operator/token":    {summary: "Rotate the stored operator token", who: "operator", reply: object{"token": ""}, status: http.StatusCreated},

	"GET /api/v1/calls":               {summary: "List interface messages (merchant calls)", who: "operator, seller (its merchant's)", reply: list{"calls", callView{}}, status: http.StatusOK, query: []string{"limit", "cursor", "state", "merchant_id", "instance"}},
	"GET /api/v1/calls/{id}":          {summary: "Read a call with every attempt", who: "operator, seller of its merchant", reply: callView{}, status: http.StatusOK},
	"POST /api/v1/calls/{id}/restart": {summary: "Restart a failed call with a fresh window", who: "operator, seller of its merchant", reply: callView{}, status: http.StatusAccepted},
	"POST /api/v1/calls/{id}/retry":   {summary: "Make a pending call's next attempt now", who: "operator, seller of its merchant", reply: callView{}, status: http.StatusAccepted},

	"POST /api/v1/orders":                      {summary: "Buy: place and pay an order (Idempotency-Key header makes it safe to retry)", who: "buyer", body: order.PurchaseRequest{}, reply: orderView{}, status: http.StatusCreated},
	"GET /api/v1/orders":                       {summary: "List orders", who: "buyer (its own), seller (its merchant's), operator", reply: list{"orders", orderView{}}, status: http.StatusOK, query: []string{"limit", "cursor", "buyer_id", "merchant_id", "instance"}},
	"GET /api/v1/orders/{id}":                  {summary: "Read an order", who: "its buyer, seller or the operator", reply: orderView{}, status: http.StatusOK},
	"POST /api/v1/orders/{id}/cancel":          {summary: "Cancel a renewal whose period has not started (refunded)", who: "buyer", reply: orderView{}, status: http.StatusCreated},
	"GET /api/v1/instances":                    {summary: "List instances", who: "buyer (its own), seller (its merchant's), operator", reply: list{"instances", instanceView{}}, status: http.StatusOK, query: []string{"limit", "cursor", "state", "buyer_id", "merchant_id", "order_id"}},
	"GET /api/v1/instances/{key}":              {summary: "Read an instance with its login information", who: "its buyer, seller or the operator", reply: instanceView{}, status: http.StatusOK},
	"POST /api/v1/instances/{key}/renew":       {summary: "Renew: more periods from the current expiry", who: "buyer", body: order.ChangeRequest{}, reply: orderView{}, status: http.StatusCreated},
	"POST /api/v1/instances/{key}/upgrade":     {summary: "Upgrade to another spec of the product for the difference", who: "buyer", body: order.ChangeRequest{}, reply: orderView{}, status: http.StatusCreated},
	"POST /api/v1/instances/{key}/convert":     {summary: "Convert a trial to a paid instance", who: "buyer", body: order.ChangeRequest{}, reply: orderView{}, status: http.StatusCreated},
	"POST /api/v1/instances/{key}/unsubscribe": {summary: "Ask to unsubscribe (409 with the rule when not eligible; docs/after-sale.md)", who: "buyer", body: aftersale.SubmitRequest{}, reply: unsubView{}, status: http.StatusCreated},

	"GET /api/v1/account":               {summary: "The caller's balance and latest ledger entries", who: "buyer", reply: object{"buyer_id": "", "balance": market.Money(0), "entries": []entryView{}}, status: http.StatusOK, query: []string{"limit"}},
	"GET /api/v1/buyers/{id}/account":   {summary: "A buyer's balance and latest ledger entries", who: "operator, the buyer", reply: object{"buyer_id": "", "balance": market.Money(0), "entries": []entryView{}}, status: http.StatusOK, query: []string{"limit"}},
	"POST /api/v1/buyers/{id}/topup":    {summary: "Credit a buyer's balance once per ref", who: "operator", body: topUpRequest{}, reply: object{"buyer_id": "", "balance": market.Money(0)}, status: http.StatusOK},
	"GET /api/v1/bills":                 {summary: "List pay-per-use bills", who: "buyer (its own), operator", reply: list{"bills", billView{}}, status: http.StatusOK, query: []string{"limit", "cursor", "buyer_id"}},
	"GET /api/v1/instances/{key}/usage": {summary: "An instance's usage per hour", who: "its buyer, seller or the operator", reply: object{"instance_key": "", "instance_id": "", "hours": []hourView{}}, status: http.StatusOK, query: []string{"limit"}},
	"GET /api/v1/statements":            {summary: "Merchants' monthly statements", who: "operator, seller (its own)", reply: object{"statements": []statementView{}}, status: http.StatusOK, query: []string{"limit", "merchant_id"}},

	"GET /api/v1/instances/{key}/licenses":          {summary: "A license instance's codes", who: "its buyer, seller or the operator", reply: object{"licenses": []licenseView{}}, status: http.StatusOK},
	"POST /api/v1/instances/{key}/licenses/receive": {summary: "Confirm receipt of the codes, which lets them be activated", who: "its buyer, the operator", reply: object{"licenses": []licenseView{}}, status: http.StatusOK},
	"GET /api/v1/licenses/{code}/heartbeats":        {summary: "A code's activations and heartbeats", who: "its buyer, seller or the operator", reply: object{"heartbeats": []heartbeatView{}}, status: http.StatusOK, query: []string{"limit"}},
}
