package web

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// The buyer's in-site messages (站内信: reminders, results of unsubscriptions and appeals),
// through the inbox service as /api/v1/messages does. Opening a message marks it read; the list
// can show the unread ones only.

func (c *Console) registerMessages(mux *http.ServeMux) {
	mux.Handle("GET /my/messages", c.buyerRoute(c.messages))
	mux.Handle("GET /my/messages/{id}", c.buyerRoute(c.messagePage))
	mux.Handle("POST /my/messages/{id}/read", c.buyerRoute(c.markRead))
}

func (c *Console) messages(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	unread := r.URL.Query().Get("unread") == "1"
	list, next, err := c.svc.Inbox.Messages(r.Context(), v, store.MessageFilter{Unread: unread, Page: pageOf(r, 20)})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "bmsgs.title")
	view.Nav = "messages"
	view.Data = map[string]any{"Messages": list, "Next": nextLink(r, next), "Unread": unread}
	c.render(w, r, http.StatusOK, "messages", view)
}

// messagePage shows a message and marks it read: opening it is reading it.
func (c *Console) messagePage(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	ctx := r.Context()
	m, err := c.svc.Inbox.Message(ctx, v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if m.ReadAt.IsZero() {
		if err := c.svc.Inbox.MarkRead(ctx, v, m.ID); err != nil {
			c.fail(w, r, err)
			return
		}
	}
	view := c.newView(r, "bmsgs.item_title")
	view.Title = m.Subject
	view.Nav = "messages"
	view.Data = map[string]any{"Message": m}
	c.render(w, r, http.StatusOK, "messages_item", view)
}

// markRead marks a message read from the list, without opening it.
func (c *Console) markRead(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if err := c.svc.Inbox.MarkRead(r.Context(), v, r.PathValue("id")); err != nil {
		c.fail(w, r, err)
		return
	}
	c.flash(r.Context(), "flash.bmsg_read")
	back := "/my/messages"
	if r.URL.Query().Get("unread") == "1" {
		back += "?unread=1"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}
