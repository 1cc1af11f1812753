package web_test

import (
	"bytes"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

func gapPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// gapPublish posts the publishing form with files (each name=content) in gap_desc_files.
func (f *fixture) gapPublish(c *http.Client, form url.Values, files map[string][]byte, lang string) (int, string, http.Header) {
	f.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for name, content := range files {
		w, _ := mw.CreateFormFile("gap_desc_files", name)
		w.Write(content)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/seller/applications/new", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept-Language", lang)
	res, err := c.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

// TestGapDescriptionImages: a description image uploaded with the publishing form lets a short
// description through and is stored with the draft; an image the rules refuse (too narrow) and a
// file that is no image are shown at the images' field, in both languages, and the images kept;
// the application's edit form lists the stored image.
func TestGapDescriptionImages(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.sellerUser(f.shop.M.ID, "alice", market.SellerOperations)
	form := sellerDraft()
	form.Set("listing.description", "Bookkeeping, with pictures.")
	form.Set("gap_desc_form", "1")
	form.Set("action", "submit")
	for lang, want := range map[string]string{"en": "A description image is JPG or PNG", "zh-CN": "宽 900–1200 像素"} {
		status, body, _ := f.gapPublish(c, form, map[string][]byte{"narrow.png": gapPNG(t, 500, 900), "notes.txt": []byte("not an image")}, lang)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-listing.description_images"`) || !strings.Contains(body, `value="PNG 500 900 `) {
			t.Fatalf("%s: a narrow image: %d", lang, status)
		}
		if lang == "en" && !strings.Contains(body, "not a JPG or PNG image") {
			t.Errorf("en: the unreadable file is not at the images' field")
		}
		status, body, _ = f.gapPublish(c, form, map[string][]byte{"narrow.png": gapPNG(t, 500, 900)}, lang)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-listing.description_images"`) || !strings.Contains(body, want) {
			t.Fatalf("%s: the service's rule on a narrow image: %d", lang, status)
		}
		if strings.Contains(body, `id="err-listing.description"`) {
			t.Errorf("%s: a short description with images is refused", lang)
		}
	}
	form.Set("action", "save")
	status, _, h := f.gapPublish(c, form, map[string][]byte{"wide.png": gapPNG(t, 1000, 900)}, "en")
	m := sellerAppLocation.FindStringSubmatch(h.Get("Location"))
	if status != http.StatusSeeOther || m == nil {
		t.Fatalf("save with an image: %d", status)
	}
	apps, _, err := f.e.Publish.Applications(f.e.Ctx, f.shop.Seller, store.ApplicationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range apps {
		found = found || a.ID == m[1] && strings.Contains(string(a.Payload), `"description_images":[{"format":"PNG","width":1000,"height":900`)
	}
	if !found {
		t.Fatal("the description image is not in the draft")
	}
	for _, lang := range []string{"en", "zh-CN"} {
		if status, body, _ := f.get(c, "/seller/applications/"+m[1]+"/edit", "Accept-Language", lang); status != http.StatusOK || !strings.Contains(body, `value="PNG 1000 900 `) {
			t.Errorf("%s edit form: %d", lang, status)
		}
	}
}
