package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/publish"
	"github.com/mercato-oss/mercato/internal/web"
)

// releaseDraft is a listing that passes the publishing rules, with one monthly spec.
func releaseDraft(code string) *publish.Draft {
	return &publish.Draft{
		Listing: market.Listing{Name: "Acme CRM " + code, Version: "V1.0", Category: "crm", Summary: "Customer relationship management for small teams",
			Description: strings.Repeat("Acme CRM keeps customers, deals and follow-ups in one place for small sales teams. ", 6),
			UsageGuide:  "Log in at the address in your order with the account we send you, then invite your team.",
			Agreement:   "Service agreement. The merchant processes personal data only to provide the service (privacy clause).",
			Logo:        &market.Image{Format: "PNG", Width: 120, Height: 120, Bytes: 20_000}, Public: true},
		Specs: []catalog.SpecRequest{{SkuCode: code + "-std", Name: "标准版", NameEN: "Standard", Charging: market.ChargingPeriod,
			Plans: []catalog.PlanRequest{{ProductID: "OFFI-" + strings.ToUpper(code) + "-STD-M", Period: market.PeriodMonth, Price: 100_000}}}},
	}
}

// submitted is a release application of the shop's merchant, drafted, debugged and submitted by
// its seller: what the operator reviews.
func (f *fixture) submitted(seller market.Viewer, code string) *market.Application {
	f.t.Helper()
	app, err := f.e.Publish.Create(f.e.Ctx, seller, publish.ApplicationRequest{Type: market.AppRelease, ProductID: "p-" + code, Draft: releaseDraft(code)})
	if err != nil {
		f.t.Fatal(err)
	}
	run, err := f.e.Dial.RunDebug(f.e.Ctx, seller, app.ProductID)
	if err != nil {
		f.t.Fatal(err)
	}
	f.e.Settle()
	if run, err = f.e.Dial.Run(f.e.Ctx, seller, run.ID); err != nil || run.State != market.RunPassed {
		f.t.Fatalf("debug run: %v %+v", err, run)
	}
	if app, err = f.e.Publish.Submit(f.e.Ctx, seller, app.ID); err != nil {
		f.t.Fatal(err)
	}
	return app
}

// TestOperatorReviewsApplications: the queue lists a submitted release; the operator rejects it
// with a comment at two fields (the seller reads them at those fields), the seller resubmits,
// and the operator approves: the product is released.
func TestOperatorReviewsApplications(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, seller := f.sellerClient()
	app := f.submitted(seller, "crm")
	c := f.operator()

	body := f.page(c, "zh-CN", "/operator/applications", http.StatusOK)
	if !strings.Contains(body, "/operator/applications/"+app.ID) || !strings.Contains(body, "商品发布") {
		t.Fatalf("the queue lacks the submitted release:\n%s", body)
	}
	if body = f.page(c, "en", "/operator/", http.StatusOK); !strings.Contains(body, `<p class="stat-value">1</p>`) {
		t.Errorf("the overview does not count the application")
	}
	path := "/operator/applications/" + app.ID
	body = f.page(c, "en", path, http.StatusOK)
	for _, want := range []string{"Acme CRM crm", "V1.0", `name="c.listing.name"`, `name="c.specs"`, `name="c.specs[0]"`, "Specification: 标准版", "Approve the application"} {
		if !strings.Contains(body, want) {
			t.Errorf("application page lacks %q", want)
		}
	}

	// A rejection needs a reason or a field comment; what was typed is kept.
	status, body, _ := f.post(c, path+"/reject", url.Values{"reason": {"  "}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-reason"`) {
		t.Fatalf("an empty rejection: %d", status)
	}
	linked(t, "empty rejection", body)
	status, _, h := f.post(c, path+"/reject", url.Values{"reason": {"Please fix the listing."}, "c.listing.name": {"Drop the code from the name."},
		"c.listing.version": {"Use <V2.0>\nplease"}, "c.specs": {""}, "c.specs[0]": {"Name the edition's users"}})
	if status != http.StatusSeeOther || h.Get("Location") != path {
		t.Fatalf("reject: %d %v", status, h)
	}
	d, err := f.e.Publish.Application(f.e.Ctx, seller, app.ID)
	if err != nil || d.State != market.AppRejected {
		t.Fatalf("after rejection: %v %+v", err, d)
	}
	rc := web.ParseReviewComments(d.Comment)
	if rc.Overall != "Please fix the listing." || rc.For("listing.name") != "Drop the code from the name." || rc.For("listing.version") != "Use <V2.0> please" ||
		rc.For("specs[0]") != "Name the edition's users" || len(rc.Fields) != 3 {
		t.Fatalf("the seller reads %q as %+v", d.Comment, rc)
	}
	// The seller console reads "FIELD: text" lines (seller_form.go).
	if want := "Please fix the listing.\nlisting.name: Drop the code from the name.\nlisting.version: Use <V2.0> please\nspecs[0]: Name the edition's users"; d.Comment != want {
		t.Errorf("the reason is %q, want %q", d.Comment, want)
	}
	body = f.page(c, "zh-CN", path, http.StatusOK)
	if !strings.Contains(body, html.EscapeString("Use <V2.0> please")) || strings.Contains(body, "<V2.0>") || !strings.Contains(body, "已驳回") || !strings.Contains(body, "规格：标准版") {
		t.Errorf("the rejected application's page lacks the escaped field comment")
	}
	// A decided application is not decided again.
	if _, _, h = f.post(c, path+"/approve", nil); h.Get("Location") != path {
		t.Fatalf("approving a rejected application: %v", h)
	}
	if d, _ = f.e.Publish.Application(f.e.Ctx, seller, app.ID); d.State != market.AppRejected {
		t.Fatalf("a rejected application was approved")
	}

	// The seller fixes and resubmits; the operator approves.
	fixed := releaseDraft("crm")
	fixed.Listing.Name = "Acme CRM"
	if _, err := f.e.Publish.Update(f.e.Ctx, seller, app.ID, publish.ApplicationRequest{Type: market.AppRelease, ProductID: app.ProductID, Draft: fixed}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Publish.Submit(f.e.Ctx, seller, app.ID); err != nil {
		t.Fatal(err)
	}
	status, _, _ = f.post(c, path+"/approve", url.Values{"comment": {"Welcome aboard"}})
	if status != http.StatusSeeOther {
		t.Fatalf("approve: %d", status)
	}
	if d, _ = f.e.Publish.Application(f.e.Ctx, seller, app.ID); d.State != market.AppApproved {
		t.Fatalf("after approval: %s", d.State)
	}
	body = f.page(c, "en", path, http.StatusOK)
	if !strings.Contains(body, "The application is approved") || !strings.Contains(body, "Welcome aboard") || strings.Contains(body, `action="`+path+`/approve"`) {
		t.Errorf("approved page: no flash, no comment in the history, or still a review form")
	}
}
