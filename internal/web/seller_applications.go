package web

import (
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/publish"
	"github.com/mercato-oss/mercato/internal/store"
)

// Applications (我的申请): the list, an application's page with its review history, the
// publishing form for a new product and for editing a draft or the latest rejected application
// (with the operator's comments at their fields), submit, withdraw and delete.

func (c *Console) registerSellerApplications(mux *http.ServeMux) {
	mux.Handle("GET /seller/applications", c.sellerRoute(c.sellerApplications))
	mux.Handle("GET /seller/applications/new", c.sellerRoute(c.sellerNewRelease))
	mux.Handle("POST /seller/applications/new", c.sellerRoute(c.sellerCreateRelease))
	mux.Handle("GET /seller/applications/{id}", c.sellerRoute(c.sellerApplication))
	mux.Handle("GET /seller/applications/{id}/edit", c.sellerRoute(c.sellerEditApplication))
	mux.Handle("POST /seller/applications/{id}/edit", c.sellerRoute(c.sellerUpdateApplication))
	mux.Handle("POST /seller/applications/{id}/submit", c.sellerRoute(c.sellerAppAction(c.svc.Publish.Submit, "seller.flash.submitted")))
	mux.Handle("POST /seller/applications/{id}/withdraw", c.sellerRoute(c.sellerAppAction(c.svc.Publish.Withdraw, "seller.flash.withdrawn")))
	mux.Handle("POST /seller/applications/{id}/delete", c.sellerRoute(c.sellerDeleteApplication))
}

// appStates are the states the list filters by.
var appStates = []market.ApplicationState{market.AppDraft, market.AppPending, market.AppApproved, market.AppRejected}

func (c *Console) sellerApplications(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	state := market.ApplicationState(r.URL.Query().Get("state"))
	found := state == ""
	for _, s := range appStates {
		found = found || s == state
	}
	if !found {
		state = ""
	}
	list, next, err := c.svc.Publish.Applications(r.Context(), v, store.ApplicationFilter{State: state, Page: pageOf(r, 20)})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "seller.apps.title")
	view.Nav = "seller/applications"
	view.Data = map[string]any{"Applications": list, "Next": nextLink(r, next), "State": string(state), "States": appStates}
	c.render(w, r, http.StatusOK, "seller_applications", view)
}

func (c *Console) sellerApplication(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	d, err := c.svc.Publish.Application(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	app := d.Application
	data := map[string]any{"App": app, "Transitions": d.Transitions, "Currency": c.cfg.Currency,
		"Editable":  (app.State == market.AppDraft || app.State == market.AppRejected) && isDraftType(app.Type),
		"Deletable": app.State == market.AppDraft || app.State == market.AppRejected,
		"Pending":   app.State == market.AppPending}
	if isDraftType(app.Type) {
		var dr publish.Draft
		if err := json.Unmarshal(app.Payload, &dr); err == nil {
			f := draftValues(&dr)
			if app.State == market.AppRejected {
				f.Problems, f.Comment = reviewComments(app.Comment, f.known())
			}
			data["Draft"], data["Form"] = &dr, f
		}
	} else {
		var content map[string]any
		_ = json.Unmarshal(app.Payload, &content)
		data["Content"] = content
	}
	view := c.newView(r, "seller.app.title")
	view.Title = app.ID
	view.Nav = "seller/applications"
	view.Data = data
	c.render(w, r, http.StatusOK, "seller_application", view)
}

func isDraftType(t market.ApplicationType) bool {
	return t == market.AppRelease || t == market.AppModification
}

// sellerNewRelease shows the empty publishing form.
func (c *Console) sellerNewRelease(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.renderDraftForm(w, r, http.StatusOK, nil, newDraftForm())
}

// renderDraftForm renders the publishing form: for a new product (app nil) or an application.
func (c *Console) renderDraftForm(w http.ResponseWriter, r *http.Request, status int, app *market.Application, f *draftForm) {
	c.renderDraftFormAt(w, r, status, app, f, "/seller/applications/new")
}

// renderDraftFormAt renders the publishing form posting to action (a new release, or a
// product's modification) or, for an application, to its edit address.
func (c *Console) renderDraftFormAt(w http.ResponseWriter, r *http.Request, status int, app *market.Application, f *draftForm, action string) {
	view := c.newView(r, "seller.publish.title")
	view.Nav = "seller/applications"
	if strings.HasSuffix(action, "/modify") {
		view.TitleKey = "seller.modify.title"
	}
	if app != nil {
		view.TitleKey, view.Title = "seller.publish.edit_title", app.ID
		action = "/seller/applications/" + esc(app.ID) + "/edit"
	}
	view.Data = map[string]any{"App": app, "F": f, "Action": action, "Modify": view.TitleKey == "seller.modify.title" || (app != nil && app.Type == market.AppModification)}
	w.Header().Set("Cache-Control", "no-store")
	c.render(w, r, status, "seller_publish", view)
}

// readDraftForm parses the publishing form (multipart when a logo is uploaded).
func (c *Console) readDraftForm(w http.ResponseWriter, r *http.Request) (*multipart.FileHeader, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<20)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := r.ParseMultipartForm(6 << 20); err != nil {
			c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
			return nil, false
		}
		gapReadDescImages(r)
		if fhs := r.MultipartForm.File["logo_file"]; len(fhs) > 0 && fhs[0].Size > 0 {
			return fhs[0], true
		}
		return nil, true
	}
	if err := r.ParseForm(); err != nil {
		c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
		return nil, false
	}
	return nil, true
}

// sellerCreateRelease creates a release application: saved as a draft, or submitted at once
// (then every broken rule is shown at its field and nothing is stored).
func (c *Console) sellerCreateRelease(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	logo, ok := c.readDraftForm(w, r)
	if !ok {
		return
	}
	d, f := parseDraft(r.PostForm, logo, nil)
	if r.PostForm.Get("action") == "add_spec" {
		f.addSpec()
		c.renderDraftForm(w, r, http.StatusOK, nil, f)
		return
	}
	if f.Problems.Any() {
		c.renderDraftForm(w, r, http.StatusUnprocessableEntity, nil, f)
		return
	}
	submit := r.PostForm.Get("action") == "submit"
	app, err := c.svc.Publish.Create(r.Context(), v, publish.ApplicationRequest{Type: market.AppRelease, Draft: d, Submit: submit})
	if err != nil {
		if !f.Problems.failed(c.sellerLocale(r), err, f.fieldOf) {
			c.fail(w, r, err)
			return
		}
		c.renderDraftForm(w, r, http.StatusUnprocessableEntity, nil, f)
		return
	}
	c.sellerDone(w, r, map[bool]string{true: "seller.flash.submitted", false: "seller.flash.saved"}[submit], "/seller/applications/"+esc(app.ID))
}

// editableDraft loads an application whose draft the form edits.
func (c *Console) editableDraft(ctx context.Context, v market.Viewer, id string) (*market.Application, *publish.Draft, error) {
	d, err := c.svc.Publish.Application(ctx, v, id)
	if err != nil {
		return nil, nil, err
	}
	if !isDraftType(d.Type) {
		return nil, nil, market.Errorf(market.CodeNotFound, "application %s has no draft to edit", id)
	}
	var dr publish.Draft
	if err := json.Unmarshal(d.Payload, &dr); err != nil {
		return nil, nil, fmt.Errorf("web: application %s: draft: %w", id, err)
	}
	return d.Application, &dr, nil
}

func (c *Console) sellerEditApplication(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	app, dr, err := c.editableDraft(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if app.State != market.AppDraft && app.State != market.AppRejected {
		c.sellerDone(w, r, "seller.flash.not_editable", "/seller/applications/"+esc(app.ID))
		return
	}
	f := draftValues(dr)
	if app.State == market.AppRejected {
		f.Problems, f.Comment = reviewComments(app.Comment, f.known())
	}
	c.renderDraftForm(w, r, http.StatusOK, app, f)
}

// sellerUpdateApplication saves the edited draft and, when asked, submits it; a refused submit
// leaves the edits saved and shows every broken rule at its field.
func (c *Console) sellerUpdateApplication(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	app, orig, err := c.editableDraft(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	logo, ok := c.readDraftForm(w, r)
	if !ok {
		return
	}
	d, f := parseDraft(r.PostForm, logo, orig)
	if r.PostForm.Get("action") == "add_spec" {
		f.addSpec()
		c.renderDraftForm(w, r, http.StatusOK, app, f)
		return
	}
	if f.Problems.Any() {
		c.renderDraftForm(w, r, http.StatusUnprocessableEntity, app, f)
		return
	}
	l := c.sellerLocale(r)
	if _, err := c.svc.Publish.Update(r.Context(), v, app.ID, publish.ApplicationRequest{Type: app.Type, Draft: d}); err != nil {
		if !f.Problems.failed(l, err, f.fieldOf) {
			c.fail(w, r, err)
			return
		}
		c.renderDraftForm(w, r, http.StatusUnprocessableEntity, app, f)
		return
	}
	if r.PostForm.Get("action") != "submit" {
		c.sellerDone(w, r, "seller.flash.saved", "/seller/applications/"+esc(app.ID))
		return
	}
	if _, err := c.svc.Publish.Submit(r.Context(), v, app.ID); err != nil {
		if !f.Problems.failed(l, err, f.fieldOf) {
			c.fail(w, r, err)
			return
		}
		f.Problems.add("form", "seller.publish.saved_not_submitted", "")
		c.renderDraftForm(w, r, http.StatusUnprocessableEntity, app, f)
		return
	}
	c.sellerDone(w, r, "seller.flash.submitted", "/seller/applications/"+esc(app.ID))
}

// sellerAppAction serves submit and withdraw from the application's page.
func (c *Console) sellerAppAction(act func(ctx context.Context, v market.Viewer, id string) (*market.Application, error), flash string) viewerHandler {
	return func(w http.ResponseWriter, r *http.Request, v market.Viewer) {
		id := r.PathValue("id")
		if _, err := act(r.Context(), v, id); err != nil {
			if market.ErrorCode(err) == market.CodeInvalid {
				// Broken rules: the form shows them at their fields.
				app, dr, lerr := c.editableDraft(r.Context(), v, id)
				if lerr == nil {
					f := draftValues(dr)
					f.Problems.failed(c.sellerLocale(r), err, f.fieldOf)
					c.renderDraftForm(w, r, http.StatusUnprocessableEntity, app, f)
					return
				}
			}
			c.sellerRefused(w, r, err, "/seller/applications/"+esc(id))
			return
		}
		c.sellerDone(w, r, flash, "/seller/applications/"+esc(id))
	}
}

func (c *Console) sellerDeleteApplication(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if err := c.svc.Publish.Delete(r.Context(), v, r.PathValue("id")); err != nil {
		c.sellerRefused(w, r, err, "/seller/applications/"+esc(r.PathValue("id")))
		return
	}
	c.sellerDone(w, r, "seller.flash.deleted", "/seller/applications")
}

// sellerLocale is the request's locale, for choosing message keys.
func (c *Console) sellerLocale(r *http.Request) *locale {
	return c.texts.locale(c.texts.pick(r), false, c.cfg.Location)
}
