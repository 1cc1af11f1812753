package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
)

// Market events of an order (GET and POST /api/v1/orders/{id}/events, …/{event}/content):
// the order page lists them; the events page lists them, opens one (anyone who sees the order
// may) and, for the merchant, uploads to one (gap_seller.go). Both consoles share the handlers,
// each under its own orders' address.

func (c *Console) registerGapBuyerMore(mux *http.ServeMux) {
	mux.Handle("GET /my/orders/{id}/events", c.buyerRoute(c.gapEventsPage("/my/orders")))
	mux.Handle("POST /my/orders/{id}/events", c.buyerRoute(c.gapOpenEvent("/my/orders")))
	mux.Handle("GET /my/orders/{id}/events/{event}/content", c.buyerRoute(c.gapEventContent))
	c.registerGapCloud(mux)
}

// gapEvents are an order's market events for its page (none when they cannot be read: the
// order itself was read by the caller).
func (c *Console) gapEvents(r *http.Request, v market.Viewer, orderID string) []*market.MarketEvent {
	list, err := c.svc.Orders.Events(r.Context(), v, orderID)
	if err != nil {
		return nil
	}
	return list
}

func (c *Console) gapEventsPage(base string) viewerHandler {
	return func(w http.ResponseWriter, r *http.Request, v market.Viewer) {
		c.gapRenderEvents(w, r, v, base, http.StatusOK, nil)
	}
}

func (c *Console) gapRenderEvents(w http.ResponseWriter, r *http.Request, v market.Viewer, base string, status int, f *form) {
	o, err := c.svc.Orders.Order(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	list, err := c.svc.Orders.Events(r.Context(), v, o.ID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "gap.events.title")
	view.Title = o.ID
	view.Nav = "orders"
	if v.Role == market.RoleSeller {
		view.Nav = "seller/orders"
	}
	view.Form = f
	view.Data = map[string]any{"Order": o, "Events": list, "Base": base, "Seller": v.Role == market.RoleSeller}
	c.render(w, r, status, "gap_events", view)
}

// gapOpenEvent opens a market event on the order for the merchant to upload to.
func (c *Console) gapOpenEvent(base string) viewerHandler {
	return func(w http.ResponseWriter, r *http.Request, v market.Viewer) {
		r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
		if err := r.ParseForm(); err != nil {
			c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
			return
		}
		f := newForm(r)
		id := r.PathValue("id")
		_, err := c.svc.Orders.OpenEvent(r.Context(), v, id, order.EventRequest{Title: strings.TrimSpace(f.Get("gap_title"))})
		if err == nil {
			c.flash(r.Context(), "gap.flash.event_opened")
			http.Redirect(w, r, base+"/"+url.PathEscape(id)+"/events", http.StatusSeeOther)
			return
		}
		if code := market.ErrorCode(err); code != market.CodeInvalid {
			c.fail(w, r, err)
			return
		}
		f.Failed(c.texts.locale(c.texts.pick(r), false, c.cfg.Location), err, map[string]string{"title": "gap_title"})
		gapKey(f, "gap_title", "gap.err.title")
		c.gapRenderEvents(w, r, v, base, http.StatusUnprocessableEntity, f)
	}
}

// gapEventContent sends what the merchant uploaded to an event as a download (a file by its
// name, characters as a .txt), never as a page of this site.
func (c *Console) gapEventContent(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	e, b, err := c.svc.Orders.EventContent(r.Context(), v, r.PathValue("id"), r.PathValue("event"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	name := e.FileName
	switch e.Kind {
	case market.EventFile:
	case market.EventCharacters:
		name = "event-" + e.ID + ".txt"
	default:
		c.notFound(w, r)
		return
	}
	writeDownload(w, &market.Attachment{Name: name, Content: b})
}

// gapKey gives a field's refusal the console's own message.
func gapKey(f *form, field, key string) {
	if e, ok := f.Errors[field]; ok {
		e.Key = key
		f.Errors[field] = e
	}
}
