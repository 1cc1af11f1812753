package web

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/kgp"
)

// The seller console's pages that close its gaps against the JSON API: an order's market events
// with the merchant's upload (what the open API's market-event upload stores), kit notices,
// changing a resale discount, editing an attribute template (gap_seller_*.go).

func (c *Console) registerGapSeller(mux *http.ServeMux) {
	mux.Handle("GET /seller/orders/{id}/events", c.sellerRoute(c.gapEventsPage("/seller/orders")))
	mux.Handle("POST /seller/orders/{id}/events", c.sellerRoute(c.gapOpenEvent("/seller/orders")))
	mux.Handle("GET /seller/orders/{id}/events/{event}/content", c.sellerRoute(c.gapEventContent))
	mux.Handle("POST /seller/orders/{id}/events/{event}/upload", c.sellerRoute(c.gapUploadEvent))
	c.registerGapSellerMore(mux)
}

// gapUploadEvent stores characters or a file on one of the order's events, checked by the
// open API's own rules (kgp.EncodeEventUpload: length of the characters, size of the file).
func (c *Console) gapUploadEvent(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	r.Body = http.MaxBytesReader(w, r.Body, kgp.MaxEventFile+64<<10)
	f := &form{Values: url.Values{}, Errors: map[string]fieldErr{}}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		f.Add("gap_file", "gap.err.file")
		c.gapRenderEvents(w, r, v, "/seller/orders", http.StatusUnprocessableEntity, f)
		return
	}
	f.Values = r.MultipartForm.Value
	id, eventID := r.PathValue("id"), r.PathValue("event")
	list, err := c.svc.Orders.Events(r.Context(), v, id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	found := false
	for _, e := range list {
		found = found || e.ID == eventID
	}
	if !found {
		c.notFound(w, r)
		return
	}
	up := kgp.EventUpload{Type: kgp.EventCharacters, Characters: f.Get("gap_chars")}
	var file []byte
	if fhs := r.MultipartForm.File["gap_file"]; len(fhs) > 0 && fhs[0].Size > 0 {
		fh := fhs[0]
		rd, err := fh.Open()
		if err == nil {
			file, err = io.ReadAll(io.LimitReader(rd, kgp.MaxEventFile+1))
			rd.Close()
		}
		if err != nil {
			c.fail(w, r, err)
			return
		}
		up = kgp.EventUpload{Type: kgp.EventFile, FileName: path.Base(strings.ReplaceAll(fh.Filename, `\`, "/"))}
	}
	f.Values.Set("gap_event", eventID)
	if _, _, err := kgp.EncodeEventUpload(up, file); err != nil {
		var fe *kgp.FieldError
		field := "gap_chars"
		if errors.As(err, &fe) && fe.Field != "characters" {
			field = "gap_file"
		}
		f.Errors[field] = fieldErr{Key: "gap.err." + strings.TrimPrefix(field, "gap_"), Detail: err.Error()}
		c.gapRenderEvents(w, r, v, "/seller/orders", http.StatusUnprocessableEntity, f)
		return
	}
	if _, err := c.svc.Orders.UploadEvent(r.Context(), v, eventID, &up, file); err != nil {
		c.fail(w, r, err)
		return
	}
	c.flash(r.Context(), "gap.flash.event_uploaded")
	http.Redirect(w, r, "/seller/orders/"+url.PathEscape(id)+"/events", http.StatusSeeOther)
}
