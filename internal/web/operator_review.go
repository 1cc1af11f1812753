package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/publish"
	"github.com/mercato-oss/mercato/internal/store"
)

// The applications review queue (rules §1.3): releases, modifications, visibility changes,
// removals and business plans, approved or rejected through publish.Service as
// /api/v1/applications/{id}/approve and /reject are.

func (c *Console) registerOperatorReview(mux *http.ServeMux) {
	mux.Handle("GET /operator/applications", c.operatorRoute(c.operatorApplications))
	mux.Handle("GET /operator/applications/{id}", c.operatorRoute(c.operatorApplication))
	mux.Handle("POST /operator/applications/{id}/approve", c.operatorRoute(c.operatorApprove))
	mux.Handle("POST /operator/applications/{id}/reject", c.operatorRoute(c.operatorReject))
}

var (
	opAppTypes  = []market.ApplicationType{market.AppRelease, market.AppModification, market.AppVisibility, market.AppRemoval, market.AppBusinessPlan}
	opAppStates = []market.ApplicationState{market.AppPending, market.AppApproved, market.AppRejected, market.AppDraft}
)

// opOneOf returns s if it is one of allowed, else "" (no filter).
func opOneOf[T ~string](s string, allowed []T) T {
	for _, a := range allowed {
		if string(a) == s {
			return a
		}
	}
	return ""
}

// opChip is one filter link.
type opChip struct {
	Value, Href string
	Current     bool
}

func opChips[T ~string](r *http.Request, key string, values []T, current T) []opChip {
	out := []opChip{{Value: "", Href: opFilterLink(r, key, ""), Current: current == ""}}
	for _, v := range values {
		out = append(out, opChip{Value: string(v), Href: opFilterLink(r, key, string(v)), Current: v == current})
	}
	return out
}

func (c *Console) operatorApplications(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	q := r.URL.Query()
	typ := opOneOf(q.Get("type"), opAppTypes)
	state := market.AppPending
	if s := q.Get("state"); s != "" {
		state = opOneOf(s, opAppStates)
	}
	apps, next, err := c.svc.Publish.Applications(r.Context(), v, store.ApplicationFilter{MerchantID: q.Get("merchant"), Type: typ, State: state,
		Queue: state == market.AppPending, Page: pageOf(r, 20)})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	stateChips := []opChip{}
	for _, s := range opAppStates {
		stateChips = append(stateChips, opChip{Value: string(s), Href: opFilterLink(r, "state", string(s)), Current: s == state})
	}
	view := c.newView(r, "op.apps.title")
	view.Nav = "op-apps"
	view.Data = map[string]any{"Apps": apps, "Next": nextLink(r, next), "Types": opChips(r, "type", opAppTypes, typ), "States": stateChips,
		"State": state, "Now": c.opNow()}
	c.render(w, r, http.StatusOK, "operator_applications", view)
}

// appPage is an application's page: what it asks for, its history, and the review form.
type appPage struct {
	App      *publish.ApplicationDetail
	Draft    *publish.Draft
	Content  string // the content as indented JSON, for the types without a dedicated view
	Fields   []opReviewField
	Comments ReviewComments // the last rejection's, by field
	Pending  bool
	Overdue  bool
	// History is the application's transitions, a rejection's reason read as its comments.
	History  []historyItem
	Currency string
}

// historyItem is one transition of an application.
type historyItem struct {
	*market.Transition
	Comments ReviewComments
}

func (c *Console) loadApplication(r *http.Request, v market.Viewer) (*appPage, error) {
	d, err := c.svc.Publish.Application(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	p := &appPage{App: d, Pending: d.State == market.AppPending, Currency: c.cfg.Currency}
	p.Overdue = p.Pending && !d.DueAt.IsZero() && c.opNow().After(d.DueAt)
	var specs []string
	if d.Type == market.AppRelease || d.Type == market.AppModification {
		var draft publish.Draft
		if json.Unmarshal(d.Payload, &draft) == nil {
			p.Draft = &draft
			for _, sp := range draft.Specs {
				specs = append(specs, sp.Name)
			}
		}
	}
	p.Fields = fieldsToReview(d.Type, specs)
	for _, t := range d.Transitions {
		h := historyItem{Transition: t}
		if t.To == market.AppRejected {
			h.Comments = parseReviewComments(t.Comment).labelled(p.Fields)
		}
		p.History = append(p.History, h)
	}
	var buf bytes.Buffer
	if json.Indent(&buf, d.Payload, "", "  ") == nil {
		p.Content = buf.String()
	}
	if d.State == market.AppRejected {
		p.Comments = parseReviewComments(d.Comment).labelled(p.Fields)
	}
	return p, nil
}

func (c *Console) operatorApplication(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	p, err := c.loadApplication(r, v)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.renderApplication(w, r, http.StatusOK, p, opForm(r))
}

func (c *Console) renderApplication(w http.ResponseWriter, r *http.Request, status int, p *appPage, f *form) {
	view := c.newView(r, "op.app.title")
	view.Title = p.App.ID
	view.Nav = "op-apps"
	view.Form = f
	view.Data = p
	c.render(w, r, status, "operator_application", view)
}

func (c *Console) operatorApprove(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	id := r.PathValue("id")
	_, err := c.svc.Publish.Approve(r.Context(), v, id, r.PostForm.Get("comment"))
	c.afterReview(w, r, v, err, "op.flash.approved")
}

// operatorReject rejects with an overall comment and comments per field (operator_comments.go).
func (c *Console) operatorReject(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	p, err := c.loadApplication(r, v)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	var fields []FieldComment
	for _, field := range p.Fields {
		fields = append(fields, FieldComment{Field: field.Name, Text: r.PostForm.Get("c." + field.Name)})
	}
	reason := composeReviewComments(r.PostForm.Get("reason"), fields)
	if _, err = c.svc.Publish.Reject(r.Context(), v, p.App.ID, reason); market.ErrorCode(err) == market.CodeInvalid {
		// The only rule is the reason's length (1 to 2000 characters, comments included).
		f := opForm(r)
		f.Errors["reason"] = fieldErr{Key: "op.review.err_reason", Detail: market.ErrorMessage(err)}
		c.renderApplication(w, r, http.StatusUnprocessableEntity, p, f)
		return
	}
	c.afterReview(w, r, v, err, "op.flash.rejected")
}

// afterReview answers a decision: back to the application with a flash, or, when someone else
// decided first, with a flash saying so.
func (c *Console) afterReview(w http.ResponseWriter, r *http.Request, v market.Viewer, err error, flash string) {
	path := "/operator/applications/" + r.PathValue("id")
	switch {
	case err == nil:
		c.backTo(w, r, path, flash)
	case market.ErrorCode(err) == market.CodeConflict:
		c.backTo(w, r, path, "op.flash.not_pending")
	default:
		c.fail(w, r, err)
	}
}

// opNow is the business time the consoles compare deadlines with: the test clock's in the
// sandbox, else the wall clock.
func (c *Console) opNow() time.Time {
	if c.cfg.Operator.Clock != nil {
		return c.cfg.Operator.Clock.Now()
	}
	return time.Now()
}
