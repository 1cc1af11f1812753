package web_test

import (
	"bytes"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/appeal"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/supervision"
)

// The buyer's service flows, appeals, messages and enterprise administration over plain HTTP.

// otherBuyer creates a second buyer and signs it in.
func (f *fixture) otherBuyer() (*http.Client, market.Viewer) {
	f.t.Helper()
	b, token, err := f.e.Identity.CreateBuyer(f.e.Ctx, market.AsOperator(), identity.BuyerRequest{Name: "Han Meimei", Email: "hmm@example.com"})
	if err != nil {
		f.t.Fatal(err)
	}
	return f.login(token), market.AsBuyer(b.CustomerID)
}

// supervised buys the shop's supervised SaaS plan for the fixture's buyer and returns its flow.
func (f *fixture) supervised() *market.Flow {
	f.t.Helper()
	f.e.Buy(f.buyer, f.shop, "saas", 1)
	list, _, err := f.e.Supervision.Flows(f.e.Ctx, f.buyer, store.FlowFilter{Page: store.Page{Limit: 1}})
	if err != nil || len(list) != 1 {
		f.t.Fatalf("flows: %v %v", list, err)
	}
	return list[0]
}

// postFiles posts a multipart form with fields and one file per name in files (name → content).
func (f *fixture) postFiles(c *http.Client, path string, fields url.Values, files map[string]string, header ...string) (int, string, http.Header) {
	f.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for name, content := range files {
		w, _ := mw.CreateFormFile("st_files", name)
		io.WriteString(w, content)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

const en = "en-US,en;q=0.9"

// TestBuyerFlowSteps walks a supervised purchase: requirement (refused empty, then sent with a
// file), the seller's confirmation and delivery through the service, a refused rejection, the
// acceptance; in both languages; another buyer sees 404 pages.
func TestBuyerFlowSteps(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.login(f.token)
	fl := f.supervised()
	page := "/my/flows/" + fl.ID

	for _, lang := range []string{"zh-CN", en} {
		status, body, _ := f.get(c, "/my/flows", "Accept-Language", lang)
		if status != http.StatusOK || !strings.Contains(body, page) {
			t.Fatalf("flows (%s): %d\n%s", lang, status, body)
		}
	}
	status, _, h := f.get(c, "/my/instances/"+fl.InstanceKey+"/flow")
	if status != http.StatusSeeOther || h.Get("Location") != page {
		t.Errorf("instance → flow: %d %s", status, h.Get("Location"))
	}
	if _, body, _ := f.get(c, "/my/instances/"+fl.InstanceKey); !strings.Contains(body, `href="/my/instances/`+fl.InstanceKey+`/flow"`) {
		t.Errorf("the instance page does not link to its flow")
	}
	// An instance without supervision: back to its page, which says so.
	plain := f.e.Buy(f.buyer, f.shop, "plain", 1).Lines[0].ID
	if status, _, h := f.get(c, "/my/instances/"+plain+"/flow"); status != http.StatusSeeOther || h.Get("Location") != "/my/instances/"+plain {
		t.Errorf("flow of an unsupervised instance: %d %v", status, h)
	}
	if _, body, _ := f.get(c, "/my/instances/"+plain); !strings.Contains(body, "此购买不受服务监管") {
		t.Errorf("the instance page does not say it has no flow")
	}
	status, body, _ := f.get(c, page)
	if status != http.StatusOK || !strings.Contains(body, `action="`+page+`/requirement"`) || !strings.Contains(body, "待提交需求") {
		t.Fatalf("flow page: %d\n%s", status, body)
	}

	// An acceptance before there is a delivery (a page out of date): refused, and said so.
	status, body, _ = f.post(c, page+"/accept", url.Values{"st_decision": {"accept"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "当前状态下无法执行此操作") {
		t.Fatalf("a stale acceptance: %d\n%s", status, body)
	}
	// An empty requirement is refused at its field, in Chinese; the file field stays.
	status, body, _ = f.postFiles(c, page+"/requirement", url.Values{"st_text": {""}}, nil)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-st_text"`) || !strings.Contains(body, "提交需求或驳回时必填") {
		t.Fatalf("empty requirement: %d\n%s", status, body)
	}
	// Too many files: refused at the files' field, in English, with the text kept.
	many := map[string]string{}
	for _, n := range []string{"a", "b", "c", "d", "e", "f"} {
		many[n+".txt"] = n
	}
	status, body, _ = f.postFiles(c, page+"/requirement", url.Values{"st_text": {"Deploy <b>for</b> 20 users"}}, many, "Accept-Language", en)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-st_files"`) || !strings.Contains(body, "Attach at most 5 files") ||
		!strings.Contains(body, html.EscapeString("Deploy <b>for</b> 20 users")) {
		t.Fatalf("too many files: %d\n%s", status, body)
	}
	status, _, h = f.postFiles(c, page+"/requirement", url.Values{"st_text": {"Deploy for 20 users"}}, map[string]string{"spec.txt": "twenty users"})
	if status != http.StatusSeeOther || h.Get("Location") != page {
		t.Fatalf("requirement: %d %v", status, h)
	}

	// The seller rejects it: the buyer sees why and edits it.
	seller := f.shop.Seller
	if _, err := f.e.Supervision.ConfirmRequirement(f.e.Ctx, seller, fl.ID, false, supervision.StepRequest{Text: "How many users exactly?"}); err != nil {
		t.Fatal(err)
	}
	_, body, _ = f.get(c, page)
	if !strings.Contains(body, "How many users exactly?") || !strings.Contains(body, `action="`+page+`/requirement"`) || !strings.Contains(body, "驳回了需求") {
		t.Fatalf("a rejected requirement:\n%s", body)
	}
	f.must2(f.post(c, page+"/requirement", url.Values{"st_text": {"Exactly 20 users"}}))
	if _, err := f.e.Supervision.ConfirmRequirement(f.e.Ctx, seller, fl.ID, true, supervision.StepRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Supervision.Deliver(f.e.Ctx, seller, fl.ID, supervision.StepRequest{Text: "Delivered: see the report",
		Files: []supervision.File{{Name: "report.html", Content: []byte("<script>alert(1)</script>")}}}); err != nil {
		t.Fatal(err)
	}
	status, body, _ = f.get(c, page, "Accept-Language", en)
	if status != http.StatusOK || !strings.Contains(body, "Awaiting your acceptance") || !strings.Contains(body, "report.html") || !strings.Contains(body, "spec.txt") {
		t.Fatalf("delivered flow: %d\n%s", status, body)
	}
	file := between(body, `href="`+page+`/files/`, `"`)
	_, _, fh := f.get(c, page+"/files/"+file)
	status, content, _ := f.get(c, page+"/files/"+file)
	if status != http.StatusOK || !strings.HasPrefix(fh.Get("Content-Disposition"), "attachment") || fh.Get("Content-Type") != "application/octet-stream" {
		t.Errorf("file: %d %v", status, fh)
	}
	if content != "<script>alert(1)</script>" && content != "twenty users" {
		t.Errorf("file content %q", content)
	}

	// A rejection needs a reason.
	status, body, _ = f.postFiles(c, page+"/accept", url.Values{"st_decision": {"reject"}}, nil, "Accept-Language", en)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-st_text"`) {
		t.Fatalf("reject without a reason: %d\n%s", status, body)
	}
	status, _, _ = f.post(c, page+"/accept", url.Values{"st_decision": {"accept"}, "st_text": {"Looks good"}})
	if status != http.StatusSeeOther {
		t.Fatalf("accept: %d", status)
	}
	got, _, err := f.e.Supervision.Flow(f.e.Ctx, f.buyer, fl.ID)
	if err != nil || got.State != market.FlowAccepted {
		t.Fatalf("after acceptance: %+v %v", got, err)
	}
	_, body, _ = f.get(c, page)
	if !strings.Contains(body, "您已确认验收") || strings.Contains(body, `action="`+page+`/accept"`) {
		t.Errorf("accepted flow page: flash missing or the form still there")
	}

	// A license skips the requirement: its flow starts with the seller's delivery.
	lic, _, err := f.e.Supervision.FlowOf(f.e.Ctx, f.buyer, f.e.Buy(f.buyer, f.shop, "lic", 1).Lines[0].ID)
	if err != nil || lic.Template != market.TemplateNoRequirement {
		t.Fatalf("license flow: %+v %v", lic, err)
	}
	_, body, _ = f.get(c, "/my/flows/"+lic.ID, "Accept-Language", en)
	if strings.Contains(body, ">Requirement</li>") || !strings.Contains(body, ">Delivery</li>") || !strings.Contains(body, "The seller is working on this step") {
		t.Errorf("license flow page:\n%s", body)
	}

	// Another buyer: 404 pages for the flow, its files and its steps.
	oc, _ := f.otherBuyer()
	for _, p := range []string{page, page + "/files/" + file, "/my/instances/" + fl.InstanceKey + "/flow"} {
		status, body, _ := f.get(oc, p)
		if p == "/my/instances/"+fl.InstanceKey+"/flow" {
			// Not its instance: back to the instance page, which is a 404.
			status, body, _ = f.get(oc, "/my/instances/"+fl.InstanceKey)
		}
		if status != http.StatusNotFound || !strings.Contains(body, "big-status") {
			t.Errorf("another buyer's %s: %d", p, status)
		}
	}
	if status, _, _ := f.post(oc, page+"/requirement", url.Values{"st_text": {"mine"}}); status != http.StatusNotFound {
		t.Errorf("another buyer's requirement: %d", status)
	}
}

// TestBuyerAppealsAndMessages files an appeal from a flow (a refused form first), follows it
// to the operator's decision, and reads the message the decision sends.
func TestBuyerAppealsAndMessages(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.login(f.token)
	fl := f.supervised()
	page := "/my/flows/" + fl.ID

	status, body, _ := f.postFiles(c, page+"/appeals", url.Values{"ap_reason": {""}, "ap_demand": {"A refund, please"}}, nil)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-ap_reason"`) || !strings.Contains(body, "A refund, please") ||
		!strings.Contains(body, "<details open>") {
		t.Fatalf("appeal without a reason: %d\n%s", status, body)
	}
	status, _, h := f.postFiles(c, page+"/appeals", url.Values{"ap_reason": {"The seller does not answer"}, "ap_demand": {"A refund"}},
		map[string]string{"chat.txt": "no answer"})
	if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/my/appeals/") {
		t.Fatalf("appeal: %d %v", status, h)
	}
	ap := h.Get("Location")
	id := strings.TrimPrefix(ap, "/my/appeals/")
	for _, lang := range []string{"zh-CN", en} {
		status, body, _ = f.get(c, "/my/appeals", "Accept-Language", lang)
		if status != http.StatusOK || !strings.Contains(body, ap) {
			t.Fatalf("appeals (%s): %d\n%s", lang, status, body)
		}
		status, body, _ = f.get(c, ap, "Accept-Language", lang)
		if status != http.StatusOK || !strings.Contains(body, "The seller does not answer") || !strings.Contains(body, "chat.txt") {
			t.Fatalf("appeal (%s): %d\n%s", lang, status, body)
		}
	}
	_, body, _ = f.get(c, ap)
	status, content, fh := f.get(c, ap+"/files/"+between(body, `href="`+ap+`/files/`, `"`))
	if status != http.StatusOK || content != "no answer" || !strings.Contains(fh.Get("Content-Disposition"), "chat.txt") {
		t.Errorf("the appeal's file: %d %q %v", status, content, fh)
	}
	_, body, _ = f.get(c, page)
	if !strings.Contains(body, "申诉冻结中") || strings.Contains(body, `action="`+page+`/requirement"`) {
		t.Errorf("the frozen flow still offers its step")
	}
	if _, err := f.e.Appeals.Decide(f.e.Ctx, market.AsOperator(), id, appeal.Decision{Outcome: market.OutcomeResume,
		ResumeAt: market.FlowAwaitingRequirement, Note: "The seller must answer within two days"}); err != nil {
		t.Fatal(err)
	}
	_, body, _ = f.get(c, ap, "Accept-Language", en)
	if !strings.Contains(body, "The flow resumes") || !strings.Contains(body, "The seller must answer within two days") {
		t.Errorf("decided appeal:\n%s", body)
	}

	// The decision's message: unread in the list, read once opened.
	for _, lang := range []string{"zh-CN", en} {
		status, body, _ = f.get(c, "/my/messages?unread=1", "Accept-Language", lang)
		if status != http.StatusOK || !strings.Contains(body, "The appeal on your order was decided") || !strings.Contains(body, `class="unread"`) {
			t.Fatalf("unread messages (%s): %d\n%s", lang, status, body)
		}
	}
	msg := "/my/messages/" + between(body, `href="/my/messages/`, `"`)
	for _, lang := range []string{"zh-CN", en} {
		status, body, _ = f.get(c, msg, "Accept-Language", lang)
		if status != http.StatusOK || !strings.Contains(body, id) {
			t.Fatalf("message (%s): %d\n%s", lang, status, body)
		}
	}
	_, body, _ = f.get(c, "/my/messages?unread=1")
	if strings.Contains(body, msg) {
		t.Errorf("an opened message is still unread")
	}

	oc, _ := f.otherBuyer()
	for _, p := range []string{ap, msg, "/my/appeals/" + id + "/files/x"} {
		if status, _, _ := f.get(oc, p); status != http.StatusNotFound {
			t.Errorf("another buyer's %s: %d", p, status)
		}
	}
	if status, _, _ := f.post(oc, msg+"/read", nil); status != http.StatusNotFound {
		t.Errorf("another buyer marks a message read: %d", status)
	}
	if status, _, _ := f.postFiles(oc, page+"/appeals", url.Values{"ap_reason": {"x"}, "ap_demand": {"y"}}, nil); status != http.StatusNotFound {
		t.Errorf("another buyer appeals: %d", status)
	}
	// Nothing listed for the other buyer.
	for _, p := range []string{"/my/flows", "/my/appeals", "/my/messages"} {
		if _, body, _ := f.get(oc, p); strings.Contains(body, fl.ID) || strings.Contains(body, id) {
			t.Errorf("another buyer's %s lists the first buyer's", p)
		}
	}
}
