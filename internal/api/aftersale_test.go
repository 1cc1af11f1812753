package api_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/api"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/store"
)

// TestAfterSaleEndpoints: the after-sale routes over HTTP: an ineligible unsubscription is 409
// with its rule, a bad amount 400 naming the field, and a buyer's request, vouchers, messages,
// flows, appeals, shipments and invoices work and stay the buyer's own.
func TestAfterSaleEndpoints(t *testing.T) {
	t.Parallel()
	e := marketplacetest.New(t, store.SQLite, marketplacetest.Options{})
	s := e.Shop("m-acme")
	mux := http.NewServeMux()
	(&api.API{Catalog: e.Catalog, Identity: e.Identity, Orders: e.Orders, Calls: e.Calls, Metering: e.Metering, Billing: e.Billing,
		Licenses: e.Licenses, Cloud: e.Cloud, Enterprises: e.Enterprises, Aftersale: e.Aftersale, Supervision: e.Supervision,
		Appeals: e.Appeals, Hardware: e.Hardware, Vouchers: e.Vouchers, Renewal: e.Renewal, Inbox: e.Inbox,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	buyer := func() (string, string) {
		b, token, err := e.Identity.CreateBuyer(e.Ctx, market.AsOperator(), identity.BuyerRequest{Name: "b", Email: "b@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Billing.TopUp(e.Ctx, market.AsOperator(), b.CustomerID, 100_000_000, "fixture"); err != nil {
			t.Fatal(err)
		}
		return b.CustomerID, token
	}
	alice, aliceToken := buyer()
	_, bobToken := buyer()
	do := func(token, method, path, body string, out any) int {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+"/api/v1"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if out != nil {
			if err := json.Unmarshal(b, out); err != nil {
				t.Fatalf("%s %s: %s", method, path, b)
			}
		}
		e.Settle()
		return resp.StatusCode
	}
	type apiError struct {
		Error struct{ Code, Message, Field string } `json:"error"`
	}
	var order struct {
		ID    string `json:"id"`
		Lines []struct {
			ID string `json:"id"`
		} `json:"lines"`
	}
	buy := func(plan string) string {
		t.Helper()
		if st := do(aliceToken, "POST", "/orders", `{"items":[{"product_id":"`+s.Plans[plan]+`","period_number":1}]}`, &order); st != 201 {
			t.Fatalf("buy %s: %d", plan, st)
		}
		return order.Lines[0].ID
	}
	plain, svc := buy("plain"), buy("svc")
	svcOrder := order.ID
	var el struct {
		Eligible bool   `json:"eligible"`
		Rule     string `json:"rule"`
	}
	if st := do(aliceToken, "GET", "/instances/"+plain+"/unsubscribe", "", &el); st != 200 || el.Eligible || !strings.Contains(el.Rule, "without service supervision") {
		t.Fatalf("eligibility %d %+v", st, el)
	}
	var ae apiError
	if st := do(aliceToken, "POST", "/instances/"+plain+"/unsubscribe", `{"amount":"1.000","reason":"x"}`, &ae); st != 409 || !strings.Contains(ae.Error.Message, "rules §3.1") {
		t.Fatalf("ineligible: %d %+v", st, ae)
	}
	if st := do(aliceToken, "POST", "/instances/"+svc+"/unsubscribe", `{"amount":"3000.000","reason":"x"}`, &ae); st != 400 || ae.Error.Field != "amount" {
		t.Fatalf("too much: %d %+v", st, ae)
	}
	if st := do(aliceToken, "POST", "/instances/"+svc+"/unsubscribe", `{"amount":"1.0001","reason":"x"}`, &ae); st != 400 || ae.Error.Field != "amount" {
		t.Fatalf("four decimals: %d %+v", st, ae)
	}
	var u struct {
		ID    string `json:"id"`
		State string `json:"state"`
	}
	if st := do(aliceToken, "POST", "/instances/"+svc+"/unsubscribe", `{"amount":"100.000","reason":"not needed","share_contact":true}`, &u); st != 201 || u.State != "PENDING_SELLER_REVIEW" {
		t.Fatalf("submit: %d %+v", st, u)
	}
	if st := do(bobToken, "GET", "/unsubscriptions/"+u.ID, "", &ae); st != 404 {
		t.Fatalf("another buyer reads it: %d", st)
	}
	var list struct {
		Unsubscriptions []json.RawMessage `json:"unsubscriptions"`
	}
	if st := do(aliceToken, "GET", "/unsubscriptions?state=PENDING_SELLER_REVIEW", "", &list); st != 200 || len(list.Unsubscriptions) != 1 {
		t.Fatalf("list %d %d", st, len(list.Unsubscriptions))
	}
	if st := do(aliceToken, "GET", "/unsubscriptions?state=LOST", "", &ae); st != 400 || ae.Error.Field != "state" {
		t.Fatalf("bad state filter: %d %+v", st, ae)
	}
	if st := do(aliceToken, "POST", "/orders/"+svcOrder+"/invoice", "", &ae); st != 409 {
		t.Fatalf("an invoice while an unsubscription is pending: %d", st)
	}
	if st := do(aliceToken, "POST", "/unsubscriptions/"+u.ID+"/withdraw", "", &u); st != 200 || u.State != "WITHDRAWN" {
		t.Fatalf("withdraw: %d %+v", st, u)
	}
	if st := do(aliceToken, "POST", "/orders/"+svcOrder+"/invoice", "", nil); st != 201 {
		t.Fatalf("invoice: %d", st)
	}
	if st := do(aliceToken, "POST", "/orders/"+svcOrder+"/invoice/return", "", nil); st != 200 {
		t.Fatalf("invoice return: %d", st)
	}
	// The flow, an appeal and its decision.
	var flow struct {
		ID    string `json:"id"`
		State string `json:"state"`
	}
	if st := do(aliceToken, "GET", "/instances/"+svc+"/flow", "", &flow); st != 200 || flow.State != "AWAITING_BUYER_REQUIREMENT" {
		t.Fatalf("flow %d %+v", st, flow)
	}
	if st := do(aliceToken, "POST", "/flows/"+flow.ID+"/requirement", `{"text":"a workshop","files":[{"name":"brief.txt","content":"YnJpZWY="}]}`, &flow); st != 200 || flow.State != "AWAITING_SELLER_CONFIRM_REQUIREMENT" {
		t.Fatalf("requirement %d %+v", st, flow)
	}
	var ap struct {
		ID    string `json:"id"`
		State string `json:"state"`
		DueAt string `json:"due_at"`
	}
	if st := do(aliceToken, "POST", "/flows/"+flow.ID+"/appeals", `{"reason":"no answer","demand":"confirm"}`, &ap); st != 201 || ap.State != "OPEN" || ap.DueAt == "" {
		t.Fatalf("appeal %d %+v", st, ap)
	}
	if st := do(marketplacetest.OperatorToken, "POST", "/appeals/"+ap.ID+"/decide", `{"outcome":"RESUME","resume_at":"SELLER_DELIVERING","note":"confirmed by phone"}`, &ap); st != 200 || ap.State != "DECIDED" {
		t.Fatalf("decision %d %+v", st, ap)
	}
	// Vouchers, messages, expiry policy, shipments, waybills, the ledger.
	if st := do(marketplacetest.OperatorToken, "POST", "/vouchers", `{"kind":"VOUCHER","buyer_id":"`+alice+`","amount":"10.000","scope":"ALL","valid_until":"2027-01-01T00:00:00Z"}`, &ae); st != 201 {
		t.Fatalf("issue a voucher: %d", st)
	}
	if st := do(aliceToken, "POST", "/vouchers", `{"kind":"VOUCHER","buyer_id":"`+alice+`","amount":"10.000","scope":"ALL","valid_until":"2027-01-01T00:00:00Z"}`, nil); st != 403 {
		t.Fatalf("a buyer issues a voucher: %d", st)
	}
	var vs struct {
		Vouchers []struct {
			Usable bool `json:"usable"`
		} `json:"vouchers"`
	}
	if st := do(aliceToken, "GET", "/vouchers", "", &vs); st != 200 || len(vs.Vouchers) != 1 || !vs.Vouchers[0].Usable {
		t.Fatalf("vouchers %d %+v", st, vs)
	}
	if st := do(bobToken, "GET", "/vouchers", "", &vs); st != 200 || len(vs.Vouchers) != 0 {
		t.Fatalf("another buyer's vouchers %d %+v", st, vs)
	}
	var msgs struct {
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	if st := do(aliceToken, "GET", "/messages?unread=true", "", &msgs); st != 200 || len(msgs.Messages) == 0 {
		t.Fatalf("messages %d %+v", st, msgs)
	}
	if st := do(bobToken, "POST", "/messages/"+msgs.Messages[0].ID+"/read", "", nil); st != 404 {
		t.Fatalf("another buyer marks a message read: %d", st)
	}
	if st := do(aliceToken, "POST", "/messages/"+msgs.Messages[0].ID+"/read", "", nil); st != 200 {
		t.Fatalf("mark read: %d", st)
	}
	if st := do(aliceToken, "PUT", "/instances/"+plain+"/expiry-policy", `{"policy":"AUTO_RENEW","period_number":1,"renewals":3}`, nil); st != 200 {
		t.Fatalf("expiry policy: %d", st)
	}
	hw := buy("hw")
	if st := do(aliceToken, "PUT", "/shipments/"+hw+"/address", `{"address":"9 Buyer Street"}`, nil); st != 200 {
		t.Fatalf("address: %d", st)
	}
	if st := do(marketplacetest.OperatorToken, "POST", "/waybills/SF/SF0001/events", `{"status":"IN_TRANSIT"}`, nil); st != 201 {
		t.Fatalf("waybill event: %d", st)
	}
	if st := do(aliceToken, "GET", "/ledger", "", nil); st != 403 {
		t.Fatalf("a buyer reads the ledger: %d", st)
	}
	var ledger struct {
		Accounts []struct {
			Account string `json:"account"`
		} `json:"accounts"`
	}
	if st := do(marketplacetest.OperatorToken, "GET", "/ledger", "", &ledger); st != 200 || len(ledger.Accounts) == 0 {
		t.Fatalf("ledger %d %+v", st, ledger)
	}
}
