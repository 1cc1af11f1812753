package api

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/aftersale"
	"github.com/mercato-oss/mercato/internal/appeal"
	"github.com/mercato-oss/mercato/internal/hardware"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/promo"
	"github.com/mercato-oss/mercato/internal/renewal"
	"github.com/mercato-oss/mercato/internal/supervision"
)

// The after-sale routes for the OpenAPI document (docs/after-sale.md). The buyer's request to
// unsubscribe (POST /api/v1/instances/{key}/unsubscribe) is in docs.go, where the route was.

var (
	specFlowReply = object{"sku_code": "", "supervised": false, "template": ""}
	limitReply    = object{"sku_code": "", "per_user": 0, "until_expiry": false}
)

var afterSaleEndpoints = map[string]endpoint{
	"GET /api/v1/instances/{key}/unsubscribe":    {summary: "Whether and how the instance can be unsubscribed, and the rule that forbids it", who: "its buyer, seller or the operator", reply: eligibilityView{}, status: http.StatusOK},
	"POST /api/v1/instances/{key}/release":       {summary: "End an instance without a refund (releaseInstance)", who: "operator", body: releaseRequest{}, reply: orderView{}, status: http.StatusCreated},
	"GET /api/v1/unsubscriptions":                {summary: "My unsubscriptions (buyer), Unsubscriptions (seller)", who: "buyer, seller, operator", reply: list{"unsubscriptions", unsubView{}}, status: http.StatusOK, query: []string{"limit", "cursor", "state", "buyer_id", "merchant_id"}},
	"GET /api/v1/unsubscriptions/{id}":           {summary: "A request with its log; the buyer's contact when shared", who: "its buyer, seller or the operator", reply: unsubView{}, status: http.StatusOK},
	"POST /api/v1/unsubscriptions/{id}/withdraw": {summary: "Withdraw a request (before the seller's decision, or before sending goods back)", who: "its buyer", reply: unsubView{}, status: http.StatusOK},
	"POST /api/v1/unsubscriptions/{id}/review":   {summary: "Approve or reject a request", who: "seller of its merchant", body: decision{}, reply: unsubView{}, status: http.StatusOK},
	"POST /api/v1/unsubscriptions/{id}/return":   {summary: "Enter the return shipment of approved hardware", who: "its buyer", body: aftersale.ReturnRequest{}, reply: unsubView{}, status: http.StatusOK},
	"POST /api/v1/unsubscriptions/{id}/inspect":  {summary: "Accept returned goods, or report an exception (DISPUTE)", who: "seller of its merchant", body: decision{}, reply: unsubView{}, status: http.StatusOK},
	"POST /api/v1/unsubscriptions/{id}/approve":  {summary: "Approve a large refund", who: "operator", reply: unsubView{}, status: http.StatusOK},
	"POST /api/v1/unsubscriptions/{id}/dispute":  {summary: "Decide a disputed return: refund or reject", who: "operator", body: disputeDecision{}, reply: unsubView{}, status: http.StatusOK},
	"POST /api/v1/orders/{id}/invoice":           {summary: "Record an invoice issued for the order", who: "its buyer", reply: invoiceView{}, status: http.StatusCreated},
	"POST /api/v1/orders/{id}/invoice/return":    {summary: "Return the order's invoice (needed before unsubscribing)", who: "its buyer", reply: invoiceView{}, status: http.StatusOK},

	"PUT /api/v1/specs/{sku}/supervision":   {summary: "Make a spec supervised, with its service-flow template, or not", who: "operator, seller of the spec", body: supervision.SpecRequest{}, reply: specFlowReply, status: http.StatusOK},
	"GET /api/v1/specs/{sku}/supervision":   {summary: "A spec's supervision", who: "any", reply: specFlowReply, status: http.StatusOK},
	"GET /api/v1/flows":                     {summary: "Service flows", who: "buyer (its own), seller (its merchant's), operator", reply: list{"flows", flowView{}}, status: http.StatusOK, query: []string{"limit", "cursor", "state", "buyer_id", "merchant_id"}},
	"GET /api/v1/flows/{id}":                {summary: "A service flow with its evidence log", who: "its buyer, seller or the operator", reply: flowView{}, status: http.StatusOK},
	"GET /api/v1/instances/{key}/flow":      {summary: "An instance's service flow with its evidence log", who: "its buyer, seller or the operator", reply: flowView{}, status: http.StatusOK},
	"POST /api/v1/flows/{id}/requirement":   {summary: "Submit (or edit) the requirement", who: "its buyer", body: flowStepRequest{}, reply: flowView{}, status: http.StatusOK},
	"POST /api/v1/flows/{id}/confirm":       {summary: "Confirm (approve) or reject the requirement", who: "seller of its merchant", body: flowStepRequest{}, reply: flowView{}, status: http.StatusOK},
	"POST /api/v1/flows/{id}/deliver":       {summary: "Deliver: the result and the deliverable files", who: "seller of its merchant", body: flowStepRequest{}, reply: flowView{}, status: http.StatusOK},
	"POST /api/v1/flows/{id}/accept":        {summary: "Accept (approve) or reject the delivery; acceptance starts the validity", who: "its buyer", body: flowStepRequest{}, reply: flowView{}, status: http.StatusOK},
	"GET /api/v1/flows/{id}/files/{file}":   {summary: "Download a file of a flow's step", who: "its buyer, seller or the operator", status: http.StatusOK},
	"POST /api/v1/flows/{id}/appeals":       {summary: "Appeal: the flow is frozen until the operator decides", who: "its buyer, seller of its merchant", body: appeal.Request{}, reply: appealView{}, status: http.StatusCreated},
	"GET /api/v1/appeals":                   {summary: "Appeals with their deadline (3 working days) and whether it passed", who: "buyer, seller, operator", reply: list{"appeals", appealView{}}, status: http.StatusOK, query: []string{"limit", "cursor", "state", "buyer_id", "merchant_id"}},
	"GET /api/v1/appeals/{id}":              {summary: "An appeal with its log", who: "its flow's buyer, seller or the operator", reply: appealView{}, status: http.StatusOK},
	"POST /api/v1/appeals/{id}/decide":      {summary: "Decide an appeal: resume at a state, complete, or refund", who: "operator", body: appeal.Decision{}, reply: appealView{}, status: http.StatusOK},
	"GET /api/v1/appeals/{id}/files/{file}": {summary: "Download a file of an appeal", who: "its flow's buyer, seller or the operator", status: http.StatusOK},

	"PUT /api/v1/specs/{sku}/stock":                   {summary: "Set a hardware spec's stock and return address", who: "operator, seller of the spec", body: hardware.StockRequest{}, reply: stockView{}, status: http.StatusOK},
	"GET /api/v1/specs/{sku}/stock":                   {summary: "A hardware spec's stock", who: "any", reply: stockView{}, status: http.StatusOK},
	"GET /api/v1/shipments":                           {summary: "Hardware shipments", who: "buyer (its own), seller (its merchant's), operator", reply: list{"shipments", shipmentView{}}, status: http.StatusOK, query: []string{"limit", "cursor", "state", "buyer_id", "merchant_id"}},
	"GET /api/v1/shipments/{key}":                     {summary: "An instance's shipment with its waybill's events", who: "its buyer, seller or the operator", reply: shipmentView{}, status: http.StatusOK},
	"PUT /api/v1/shipments/{key}/address":             {summary: "Set the delivery address (before shipping only)", who: "its buyer", body: addressRequest{}, reply: shipmentView{}, status: http.StatusOK},
	"POST /api/v1/shipments/{key}/ship":               {summary: "Ship the goods: carrier and waybill", who: "seller of its merchant", body: hardware.ShipRequest{}, reply: shipmentView{}, status: http.StatusOK},
	"POST /api/v1/waybills/{carrier}/{number}/events": {summary: "Enter a waybill event as the carrier shows it", who: "operator", body: hardware.EventRequest{}, reply: waybillEventView{}, status: http.StatusCreated},

	"POST /api/v1/vouchers":                             {summary: "Issue a voucher or cash coupon to a buyer", who: "operator (platform's), seller (its products')", body: promo.IssueRequest{}, reply: voucherView{}, status: http.StatusCreated},
	"GET /api/v1/vouchers":                              {summary: "Vouchers", who: "buyer (its own), seller (its issues), operator", reply: list{"vouchers", voucherView{}}, status: http.StatusOK, query: []string{"limit", "cursor", "state", "buyer_id"}},
	"GET /api/v1/vouchers/{id}":                         {summary: "A voucher", who: "its buyer, its issuer, the operator", reply: voucherView{}, status: http.StatusOK},
	"PUT /api/v1/buyers/{id}/credit":                    {summary: "Set a buyer's credit line for credit-pay products", who: "operator", body: creditRequest{}, reply: object{"buyer_id": "", "credit_limit": market.Money(0)}, status: http.StatusOK},
	"PUT /api/v1/buyers/{id}/level":                     {summary: "Set a buyer's customer level (grace and retention)", who: "operator", body: levelRequest{}, reply: object{"buyer_id": "", "level": ""}, status: http.StatusOK},
	"PUT /api/v1/products/{id}/credit-pay":              {summary: "Sell a product on credit: settled after the buyer repays", who: "operator", body: enabledRequest{}, reply: object{"enabled": false}, status: http.StatusOK},
	"GET /api/v1/ledger":                                {summary: "Merchants' held and payable accounts and the platform's", who: "operator, seller (its own)", reply: object{"accounts": []balanceView{}}, status: http.StatusOK},
	"POST /api/v1/statements/{merchant}/{month}/payout": {summary: "Record a statement paid out to its merchant", who: "operator", reply: object{"merchant_id": "", "month": "", "paid_out": market.Money(0)}, status: http.StatusOK},

	"PUT /api/v1/instances/{key}/expiry-policy":            {summary: "Set the expiry policy: auto-renew, do not renew, or default", who: "its buyer", body: renewal.PolicyRequest{}, reply: renewalView{}, status: http.StatusOK},
	"GET /api/v1/instances/{key}/expiry-policy":            {summary: "An instance's expiry policy", who: "its buyer, seller or the operator", reply: renewalView{}, status: http.StatusOK},
	"GET /api/v1/messages":                                 {summary: "In-site messages: reminders and results", who: "buyer (its own), operator", reply: list{"messages", messageView{}}, status: http.StatusOK, query: []string{"limit", "cursor", "buyer_id", "unread"}},
	"POST /api/v1/messages/{id}/read":                      {summary: "Mark a message read", who: "its buyer", reply: object{"id": ""}, status: http.StatusOK},
	"PUT /api/v1/specs/{sku}/purchase-limit":               {summary: "Limit purchases of a spec per buyer, or until the earlier one expires", who: "operator, seller of the spec", body: limitRequest{}, reply: limitReply, status: http.StatusOK},
	"GET /api/v1/specs/{sku}/purchase-limit":               {summary: "A spec's purchase limit", who: "any", reply: limitReply, status: http.StatusOK},
	"PUT /api/v1/products/{id}/trial-access":               {summary: "Restrict a product's trials to whitelisted buyers, or open them", who: "operator, seller of the product", body: trialAccessRequest{}, reply: trialAccessRequest{}, status: http.StatusOK},
	"PUT /api/v1/products/{id}/trial-whitelist/{buyer}":    {summary: "Add a buyer to the trial whitelist", who: "operator, seller of the product", reply: object{"product_id": "", "buyer_id": "", "whitelisted": false}, status: http.StatusOK},
	"DELETE /api/v1/products/{id}/trial-whitelist/{buyer}": {summary: "Remove a buyer from the trial whitelist", who: "operator, seller of the product", reply: object{"product_id": "", "buyer_id": "", "whitelisted": false}, status: http.StatusOK},
}
