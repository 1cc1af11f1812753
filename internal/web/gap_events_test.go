package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/market"
)

// gapPostFile posts a multipart form with fields and, unless name is "", one file in field.
func (f *fixture) gapPostFile(c *http.Client, path string, fields url.Values, field, name, content, lang string) (int, string) {
	f.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if name != "" {
		w, _ := mw.CreateFormFile(field, name)
		io.WriteString(w, content)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept-Language", lang)
	res, err := c.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestGapOrderEvents: the buyer opens a market event on an order (an empty title refused at its
// field, in both languages), the merchant's seller uploads a text and then a file from the seller
// console (an empty upload refused at its field), the buyer downloads it as an attachment; the
// order pages list the events; another buyer and another merchant's seller get the 404 page.
func TestGapOrderEvents(t *testing.T) {
	t.Parallel()
	f := setup(t)
	o := f.e.Buy(f.buyer, f.shop, "plain", 1)
	c := f.login(f.token)
	base := "/my/orders/" + o.ID + "/events"
	for lang, want := range map[string]string{"en": "Give a title of 1 to 128 characters.", "zh-CN": "请填写1至128个字符的标题。"} {
		status, body := f.gapPostFile(c, base, url.Values{"gap_title": {""}}, "", "", "", lang)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-gap_title"`) || !strings.Contains(body, want) {
			t.Fatalf("%s: an empty title: %d", lang, status)
		}
	}
	if status, _, _ := f.post(c, base, url.Values{"gap_title": {"Acceptance report"}}); status != http.StatusSeeOther {
		t.Fatalf("open an event: %d", status)
	}
	events, err := f.e.Orders.Events(f.e.Ctx, f.buyer, o.ID)
	if err != nil || len(events) != 1 {
		t.Fatalf("events %v %v", events, err)
	}
	ev := events[0]
	for lang, want := range map[string]string{"en": "Nothing uploaded yet", "zh-CN": "尚未上传"} {
		status, body, _ := f.get(c, "/my/orders/"+o.ID, "Accept-Language", lang)
		if status != http.StatusOK || !strings.Contains(body, "Acceptance report") || !strings.Contains(body, want) {
			t.Fatalf("%s order page: %d", lang, status)
		}
	}

	s := f.sellerUser(f.shop.M.ID, "alice", market.SellerOperations)
	sbase := "/seller/orders/" + o.ID + "/events"
	for _, lang := range []string{"en", "zh-CN"} {
		if status, body, _ := f.get(s, sbase, "Accept-Language", lang); status != http.StatusOK || !strings.Contains(body, sbase+"/"+ev.ID+"/upload") {
			t.Fatalf("%s seller events page: %d", lang, status)
		}
	}
	status, body := f.gapPostFile(s, sbase+"/"+ev.ID+"/upload", url.Values{"gap_chars": {""}}, "", "", "", "en")
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-gap_chars"`) {
		t.Fatalf("an empty upload: %d", status)
	}
	if status, _ := f.gapPostFile(s, sbase+"/"+ev.ID+"/upload", url.Values{"gap_chars": {"all good"}}, "", "", "", "en"); status != http.StatusSeeOther {
		t.Fatalf("upload a text: %d", status)
	}
	status, content, h := f.get(c, base+"/"+ev.ID+"/content")
	if status != http.StatusOK || content != "all good" || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download the text: %d %q", status, content)
	}
	if status, _ := f.gapPostFile(s, sbase+"/"+ev.ID+"/upload", nil, "gap_file", "report.html", "<b>signed</b>", "zh-CN"); status != http.StatusSeeOther {
		t.Fatalf("upload a file: %d", status)
	}
	status, content, h = f.get(c, base+"/"+ev.ID+"/content")
	if status != http.StatusOK || content != "<b>signed</b>" || h.Get("Content-Type") != "application/octet-stream" || !strings.Contains(h.Get("Content-Disposition"), "report.html") {
		t.Fatalf("download the file: %d %q %v", status, content, h)
	}
	if _, body, _ := f.get(s, "/seller/orders/"+o.ID, "Accept-Language", "en"); !strings.Contains(body, "report.html") {
		t.Error("the seller's order page does not list the upload")
	}

	other, _ := f.otherBuyer()
	for _, p := range []string{base, base + "/" + ev.ID + "/content"} {
		if status, _, _ := f.get(other, p); status != http.StatusNotFound {
			t.Errorf("another buyer: %s %d", p, status)
		}
	}
	if status, _, _ := f.post(other, base, url.Values{"gap_title": {"x"}}); status != http.StatusNotFound {
		t.Errorf("another buyer opens an event: %d", status)
	}
	f.e.Shop("other")
	bob := f.sellerUser("other", "bob", market.SellerAdmin)
	if status, _, _ := f.get(bob, sbase); status != http.StatusNotFound {
		t.Errorf("another merchant's events page: %d", status)
	}
	if status, _ := f.gapPostFile(bob, sbase+"/"+ev.ID+"/upload", url.Values{"gap_chars": {"mine"}}, "", "", "", "en"); status != http.StatusNotFound {
		t.Errorf("another merchant uploads: %d", status)
	}
}
