package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/supervision"
)

// The buyer's service supervision (服务监管, docs/after-sale.md): the list of its supervised
// purchases' flows, a flow's page (steps, evidence log, files) and the buyer's steps — the
// requirement and the acceptance — through the supervision service, as POST /api/v1/flows/{id}/…
// does.

// registerBuyerMore registers the buyer's supervision, appeal, message and enterprise pages.
func (c *Console) registerBuyerMore(mux *http.ServeMux) {
	mux.Handle("GET /my/flows", c.buyerRoute(c.flows))
	mux.Handle("GET /my/flows/{id}", c.buyerRoute(c.flowPage))
	mux.Handle("GET /my/instances/{key}/flow", c.buyerRoute(c.instanceFlow))
	mux.Handle("POST /my/flows/{id}/requirement", c.buyerRoute(c.flowStep("requirement")))
	mux.Handle("POST /my/flows/{id}/accept", c.buyerRoute(c.flowStep("accept")))
	mux.Handle("GET /my/flows/{id}/files/{file}", c.buyerRoute(c.flowFile))
	c.registerAppeals(mux)
	c.registerMessages(mux)
	c.registerEnterprise(mux)
}

// buyerLocale is r's language, for mapping a service's refusal to a form's fields.
func (c *Console) buyerLocale(r *http.Request) *locale {
	return c.texts.locale(c.texts.pick(r), false, c.cfg.Location)
}

func (c *Console) flows(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	list, next, err := c.svc.Supervision.Flows(r.Context(), v, store.FlowFilter{Page: pageOf(r, 20)})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "bflows.title")
	view.Nav = "flows"
	view.Data = map[string]any{"Flows": list, "Next": nextLink(r, next)}
	c.render(w, r, http.StatusOK, "flows", view)
}

// instanceFlow sends the instance page's link to the instance's flow; an instance without one
// goes back to its page, which says so.
func (c *Console) instanceFlow(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	key := r.PathValue("key")
	f, _, err := c.svc.Supervision.FlowOf(r.Context(), v, key)
	if err != nil {
		if market.ErrorCode(err) != market.CodeNotFound {
			c.fail(w, r, err)
			return
		}
		c.flash(r.Context(), "flash.no_flow")
		http.Redirect(w, r, "/my/instances/"+url.PathEscape(key), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/my/flows/"+url.PathEscape(f.ID), http.StatusSeeOther)
}

func (c *Console) flowPage(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.renderFlow(w, r, v, http.StatusOK, nil, "")
}

// renderFlow renders a flow's page; f is a form that failed, which names it (requirement,
// accept, appeal).
func (c *Console) renderFlow(w http.ResponseWriter, r *http.Request, v market.Viewer, status int, f *form, which string) {
	ctx := r.Context()
	fl, steps, err := c.svc.Supervision.Flow(ctx, v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	appeals, _, err := c.svc.Appeals.Appeals(ctx, v, store.AppealFilter{FlowID: fl.ID, Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	open := !fl.Frozen && fl.State != market.FlowCompleted && fl.State != market.FlowClosed
	view := c.newView(r, "bflow.title")
	view.Title = fl.ID
	view.Nav = "flows"
	view.Form = f
	view.Data = map[string]any{"Flow": fl, "Steps": steps, "Appeals": appeals, "Which": which,
		"Requirement": open && fl.State == market.FlowAwaitingRequirement,
		"Acceptance":  open && fl.State == market.FlowAwaitingAcceptance,
		"Appealable":  open,
		"Stages":      flowStages(fl)}
	c.render(w, r, status, "flow", view)
}

// stage is one step of a flow's progress bar.
type stage struct {
	State   market.FlowState
	Done    bool
	Current bool
}

// flowStages is the flow's template's steps, with where the flow is.
func flowStages(f *market.Flow) []stage {
	all := []market.FlowState{market.FlowAwaitingRequirement, market.FlowAwaitingConfirm, market.FlowDelivering,
		market.FlowAwaitingAcceptance, market.FlowAccepted, market.FlowCompleted}
	if f.Template == market.TemplateNoRequirement {
		all = all[2:]
	}
	out := make([]stage, len(all))
	at := len(all) // CLOSED: none is current
	for i, s := range all {
		if s == f.State {
			at = i
		}
	}
	for i, s := range all {
		out[i] = stage{State: s, Done: i < at || f.State == market.FlowCompleted, Current: i == at}
	}
	return out
}

// maxStepBody bounds a step's form: its text and up to five files of 512 KiB, with room for
// the multipart framing; a file over its limit is refused by the service, at its field.
const maxStepBody = 2*supervision.MaxFiles*supervision.MaxFileSize + 1<<20

// parseStepForm reads a form that may carry files (multipart) and returns them.
func parseStepForm(w http.ResponseWriter, r *http.Request) (*form, []supervision.File, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxStepBody)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		if err := r.ParseForm(); err != nil {
			return nil, nil, err
		}
		return newForm(r), nil, nil
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		return nil, nil, err
	}
	f := newForm(r)
	var files []supervision.File
	for _, fh := range r.MultipartForm.File["st_files"] {
		if fh.Filename == "" && fh.Size == 0 {
			continue // an empty file input
		}
		if len(files) > supervision.MaxFiles {
			break // the service refuses more than MaxFiles; no need to read the rest
		}
		rd, err := fh.Open()
		if err != nil {
			return nil, nil, err
		}
		b, err := io.ReadAll(io.LimitReader(rd, supervision.MaxFileSize+1))
		rd.Close()
		if err != nil {
			return nil, nil, err
		}
		files = append(files, supervision.File{Name: fh.Filename, Content: b})
	}
	return f, files, nil
}

// formRefused reports a service error that belongs on a form (bad input, a conflict with the
// flow's state) rather than on an error page.
func formRefused(err error) bool {
	switch market.ErrorCode(err) {
	case market.CodeNotFound, market.CodeInternal, market.CodeUnauthorized, market.CodeForbidden:
		return false
	}
	var me *market.Error
	return errors.As(err, &me)
}

// serviceDetail is a service error's own sentence (shown in English after the translation).
func serviceDetail(err error) string {
	var me *market.Error
	if errors.As(err, &me) {
		return me.Message
	}
	return ""
}

// flowStep serves the buyer's two steps: the requirement, and the acceptance (accept, or reject
// with a reason).
func (c *Console) flowStep(which string) viewerHandler {
	return func(w http.ResponseWriter, r *http.Request, v market.Viewer) {
		f, files, err := parseStepForm(w, r)
		if err != nil {
			c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
			return
		}
		id := r.PathValue("id")
		req := supervision.StepRequest{Text: f.Get("st_text"), Files: files}
		flash := "flash.requirement_sent"
		switch which {
		case "requirement":
			_, err = c.svc.Supervision.SubmitRequirement(r.Context(), v, id, req)
		default:
			accept := f.Get("st_decision") == "accept"
			if !accept && f.Get("st_decision") != "reject" {
				f.Add("st_decision", "err.st_decision")
				c.renderFlow(w, r, v, http.StatusUnprocessableEntity, f, which)
				return
			}
			flash = "flash.delivery_rejected"
			if accept {
				flash = "flash.delivery_accepted"
			}
			_, err = c.svc.Supervision.Accept(r.Context(), v, id, accept, req)
		}
		if err != nil {
			if !formRefused(err) {
				c.fail(w, r, err)
				return
			}
			f.Failed(c.buyerLocale(r), err, map[string]string{"text": "st_text", "files": "st_files"})
			c.renderFlow(w, r, v, http.StatusUnprocessableEntity, f, which)
			return
		}
		c.flash(r.Context(), flash)
		http.Redirect(w, r, "/my/flows/"+url.PathEscape(id), http.StatusSeeOther)
	}
}

func (c *Console) flowFile(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	a, err := c.svc.Supervision.File(r.Context(), v, r.PathValue("id"), r.PathValue("file"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	writeDownload(w, a)
}

// writeDownload sends an attached file as a download, never as a page of this site: whatever
// it holds (HTML, SVG) is not rendered here.
func writeDownload(w http.ResponseWriter, a *market.Attachment) {
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	cd := mime.FormatMediaType("attachment", map[string]string{"filename": a.Name})
	if cd == "" {
		cd = "attachment" // a name FormatMediaType cannot carry: the browser picks one
	}
	h.Set("Content-Disposition", cd)
	h.Set("Cache-Control", "private, no-store")
	w.Write(a.Content)
}
