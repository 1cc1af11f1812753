package web

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/mercato-oss/mercato/internal/appeal"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/supervision"
)

// After the sale, the seller's tasks: unsubscription requests to review (and returned goods to
// inspect), and supervised service flows (confirm the buyer's requirement, deliver). The
// after-sale and supervision services decide whose turn it is; a refused step comes back to
// its form with the reason at its field.

func (c *Console) registerSellerAftersale(mux *http.ServeMux) {
	mux.Handle("GET /seller/unsubscriptions", c.sellerRoute(c.sellerUnsubs))
	mux.Handle("GET /seller/unsubscriptions/{id}", c.sellerRoute(c.sellerUnsub))
	mux.Handle("POST /seller/unsubscriptions/{id}/review", c.sellerRoute(c.sellerUnsubStep(false)))
	mux.Handle("POST /seller/unsubscriptions/{id}/inspect", c.sellerRoute(c.sellerUnsubStep(true)))
	mux.Handle("GET /seller/flows", c.sellerRoute(c.sellerFlows))
	mux.Handle("GET /seller/flows/{id}", c.sellerRoute(c.sellerFlow))
	mux.Handle("GET /seller/flows/{id}/files/{file}", c.sellerRoute(c.sellerFlowFile))
	mux.Handle("POST /seller/flows/{id}/confirm", c.sellerRoute(c.sellerFlowStep("confirm")))
	mux.Handle("POST /seller/flows/{id}/deliver", c.sellerRoute(c.sellerFlowStep("deliver")))
	mux.Handle("POST /seller/flows/{id}/appeal", c.sellerRoute(c.sellerFileAppeal))
}

var unsubStates = []market.UnsubState{market.UnsubPendingSeller, market.UnsubAwaitingInspect, market.UnsubAwaitingReturn, market.UnsubRefunding,
	market.UnsubRefunded, market.UnsubRejected, market.UnsubDispute, market.UnsubWithdrawn}

func (c *Console) sellerUnsubs(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	state := market.UnsubState(r.URL.Query().Get("state"))
	found := state == ""
	for _, s := range unsubStates {
		found = found || s == state
	}
	if !found {
		state = ""
	}
	list, next, err := c.svc.Aftersale.Unsubscriptions(r.Context(), v, store.UnsubFilter{State: state, Page: pageOf(r, 20)})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "seller.unsubs.title")
	view.Nav = "seller/unsubscriptions"
	view.Data = map[string]any{"Unsubs": list, "Next": nextLink(r, next), "State": string(state), "States": unsubStates, "Currency": c.cfg.Currency}
	c.render(w, r, http.StatusOK, "seller_unsubscriptions", view)
}

func (c *Console) sellerUnsub(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.renderSellerUnsub(w, r, v, http.StatusOK, nil)
}

func (c *Console) renderSellerUnsub(w http.ResponseWriter, r *http.Request, v market.Viewer, status int, f *form) {
	d, err := c.svc.Aftersale.Unsubscription(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "seller.unsub.title")
	view.Title = d.ID
	view.Nav = "seller/unsubscriptions"
	view.Form = f
	view.Data = map[string]any{"U": d, "Currency": c.cfg.Currency,
		"Reviewable": d.State == market.UnsubPendingSeller, "Inspectable": d.State == market.UnsubAwaitingInspect}
	c.render(w, r, status, "seller_unsubscription", view)
}

// sellerUnsubStep approves or rejects a request (review) or the returned goods (inspect); a
// rejection needs a note.
func (c *Console) sellerUnsubStep(inspect bool) viewerHandler {
	return func(w http.ResponseWriter, r *http.Request, v market.Viewer) {
		if !c.sellerParse(w, r, 16<<10) {
			return
		}
		f := newForm(r)
		id, approve, note := r.PathValue("id"), f.Get("decision") == "approve", strings.TrimSpace(f.Get("note"))
		act := c.svc.Aftersale.Review
		if inspect {
			act = c.svc.Aftersale.Inspect
		}
		if _, err := act(r.Context(), v, id, approve, note); err != nil {
			if code := market.ErrorCode(err); code != market.CodeInvalid {
				c.sellerRefused(w, r, err, "/seller/unsubscriptions/"+esc(id))
				return
			}
			f.Failed(c.sellerLocale(r), err, map[string]string{"note": "seller_note"})
			c.renderSellerUnsub(w, r, v, http.StatusUnprocessableEntity, f)
			return
		}
		c.sellerDone(w, r, "seller.flash.decided", "/seller/unsubscriptions/"+esc(id))
	}
}

var flowStates = []market.FlowState{market.FlowAwaitingConfirm, market.FlowDelivering, market.FlowAwaitingRequirement, market.FlowAwaitingAcceptance,
	market.FlowAccepted, market.FlowCompleted, market.FlowClosed}

func (c *Console) sellerFlows(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	state := market.FlowState(r.URL.Query().Get("state"))
	found := state == ""
	for _, s := range flowStates {
		found = found || s == state
	}
	if !found {
		state = ""
	}
	list, next, err := c.svc.Supervision.Flows(r.Context(), v, store.FlowFilter{State: state, Page: pageOf(r, 20)})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "seller.flows.title")
	view.Nav = "seller/flows"
	view.Data = map[string]any{"Flows": list, "Next": nextLink(r, next), "State": string(state), "States": flowStates}
	c.render(w, r, http.StatusOK, "seller_flows", view)
}

func (c *Console) sellerFlow(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.renderSellerFlow(w, r, v, http.StatusOK, nil)
}

func (c *Console) renderSellerFlow(w http.ResponseWriter, r *http.Request, v market.Viewer, status int, f *form) {
	fl, steps, err := c.svc.Supervision.Flow(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "seller.flow.title")
	view.Title = fl.ID
	view.Nav = "seller/flows"
	view.Form = f
	appeals, _, err := c.svc.Appeals.Appeals(r.Context(), v, store.AppealFilter{FlowID: fl.ID, Page: store.Page{Limit: 20}})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view.Data = map[string]any{"Flow": fl, "Steps": steps, "Appeals": appeals, "Currency": c.cfg.Currency,
		"Confirm": fl.State == market.FlowAwaitingConfirm && !fl.Frozen, "Deliver": fl.State == market.FlowDelivering && !fl.Frozen,
		"Appealable": !fl.Frozen && fl.State != market.FlowCompleted && fl.State != market.FlowClosed}
	c.render(w, r, status, "seller_flow", view)
}

// sellerFlowStep confirms (or rejects, with a reason) the buyer's requirement, or delivers.
func (c *Console) sellerFlowStep(which string) viewerHandler {
	return func(w http.ResponseWriter, r *http.Request, v market.Viewer) {
		files, ok := c.readStepFiles(w, r)
		if !ok {
			return
		}
		f := newForm(r)
		id, req := r.PathValue("id"), supervision.StepRequest{Text: strings.TrimSpace(f.Get("text")), Files: files}
		var err error
		if which == "confirm" {
			_, err = c.svc.Supervision.ConfirmRequirement(r.Context(), v, id, f.Get("decision") == "approve", req)
		} else {
			_, err = c.svc.Supervision.Deliver(r.Context(), v, id, req)
		}
		if err != nil {
			if market.ErrorCode(err) != market.CodeInvalid {
				c.sellerRefused(w, r, err, "/seller/flows/"+esc(id))
				return
			}
			f.Failed(c.sellerLocale(r), err, map[string]string{"text": "seller_text", "files": "seller_files"})
			c.renderSellerFlow(w, r, v, http.StatusUnprocessableEntity, f)
			return
		}
		c.sellerDone(w, r, "seller.flash.step_done", "/seller/flows/"+esc(id))
	}
}

// readStepFiles parses a step's form, multipart when it carries files (deliverables, proofs),
// and reads the files; the supervision service checks their number and sizes.
func (c *Console) readStepFiles(w http.ResponseWriter, r *http.Request) ([]supervision.File, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, supervision.MaxFiles*supervision.MaxFileSize+(256<<10))
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := r.ParseForm(); err != nil {
			c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
			return nil, false
		}
		return nil, true
	}
	if err := r.ParseMultipartForm(supervision.MaxFiles * supervision.MaxFileSize); err != nil {
		c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
		return nil, false
	}
	var files []supervision.File
	for _, fh := range r.MultipartForm.File["files"] {
		if fh.Size == 0 {
			continue
		}
		file, err := fh.Open()
		if err != nil {
			c.fail(w, r, fmt.Errorf("web: step file %s: %w", fh.Filename, err))
			return nil, false
		}
		content, err := io.ReadAll(io.LimitReader(file, supervision.MaxFileSize+1))
		file.Close()
		if err != nil {
			c.fail(w, r, fmt.Errorf("web: step file %s: %w", fh.Filename, err))
			return nil, false
		}
		files = append(files, supervision.File{Name: fh.Filename, ContentType: fh.Header.Get("Content-Type"), Content: content})
	}
	return files, true
}

// sellerFlowFile downloads a file of a flow's step, as an attachment (never shown inline: it is
// the other party's upload).
func (c *Console) sellerFlowFile(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	f, err := c.svc.Supervision.File(r.Context(), v, r.PathValue("id"), r.PathValue("file"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", "attachment; filename="+strconv.Quote(f.Name))
	h.Set("Cache-Control", "no-store")
	w.Write(f.Content)
}

// sellerFileAppeal files an appeal on a flow (a buyer step that waited too long, a dispute),
// with its reason, demand and evidence; the appeal service decides whether it may be filed.
func (c *Console) sellerFileAppeal(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	files, ok := c.readStepFiles(w, r)
	if !ok {
		return
	}
	f := newForm(r)
	id := r.PathValue("id")
	_, err := c.svc.Appeals.File(r.Context(), v, id, appeal.Request{Reason: strings.TrimSpace(f.Get("reason")), Demand: strings.TrimSpace(f.Get("demand")), Files: files})
	if err != nil {
		if code := market.ErrorCode(err); code != market.CodeInvalid {
			c.sellerRefused(w, r, err, "/seller/flows/"+esc(id))
			return
		}
		f.Failed(c.sellerLocale(r), err, map[string]string{"reason": "appeal_reason", "demand": "appeal_demand", "files": "appeal_files", "": "appeal_reason"})
		c.renderSellerFlow(w, r, v, http.StatusUnprocessableEntity, f)
		return
	}
	c.sellerDone(w, r, "seller.flash.appealed", "/seller/flows/"+esc(id))
}
