package web

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/mercato-oss/mercato/internal/deploy"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Auto-deploy (docs/auto-deploy.md) in the consoles: a buyer fills the deployment form of an
// auto-deploy instance, reads the priced plan and deploys; a seller attaches templates to an
// asset and reads what RFS's constraints found; the operator keeps the price table.

func (c *Console) registerDeploy(mux *http.ServeMux) {
	mux.Handle("GET /my/instances/{key}/deploy", c.buyerRoute(c.deployPage))
	mux.Handle("POST /my/instances/{key}/deploy", c.buyerRoute(c.deploySubmit))
	mux.Handle("GET /my/deployments/{id}", c.buyerRoute(c.deploymentPage))
	mux.Handle("POST /seller/assets/{id}/templates", c.sellerRoute(c.templateAdd))
	mux.Handle("POST /seller/templates/{id}/delete", c.sellerRoute(c.templateDelete))
	mux.Handle("GET /operator/prices", c.operatorRoute(c.pricesPage))
	mux.Handle("POST /operator/prices", c.operatorRoute(c.priceSet))
	mux.Handle("POST /operator/prices/{type}/delete", c.operatorRoute(c.priceDelete))
}

// deployField is one field of the deployment form: the template's variable, its input name and
// what was typed.
type deployField struct {
	market.TemplateVariable
	Input, Value, Default string
	// Kind is how the field is typed: text, number, bool, secret or json (lists, maps, objects).
	Kind string
}

func fieldKind(v market.TemplateVariable) string {
	switch {
	case v.Sensitive:
		return "secret"
	case v.Type == "string" || v.Type == "":
		return "text"
	case v.Type == "number":
		return "number"
	case v.Type == "bool":
		return "bool"
	}
	return "json"
}

func (c *Console) deployPage(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.renderDeploy(w, r, v, http.StatusOK, nil, nil)
}

// renderDeploy renders an instance's deployment form; f holds what was typed and its errors,
// plan the plan of the answers when the buyer asked for it.
func (c *Console) renderDeploy(w http.ResponseWriter, r *http.Request, v market.Viewer, status int, f *form, plan *market.DeployPlan) {
	ctx, key := r.Context(), r.PathValue("key")
	in, err := c.svc.Orders.Instance(ctx, v, key)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	form, err := c.svc.Deploy.Form(ctx, v, key, "")
	if err != nil && market.ErrorCode(err) != market.CodeConflict {
		c.fail(w, r, err)
		return
	}
	var fields []deployField
	if form != nil {
		for _, tv := range form.Fields {
			df := deployField{TemplateVariable: tv, Input: "inputs." + tv.Name, Kind: fieldKind(tv)}
			if len(tv.Default) > 0 {
				var s string
				if json.Unmarshal(tv.Default, &s) == nil {
					df.Default = s
				} else {
					df.Default = string(tv.Default)
				}
			}
			df.Value = df.Default
			if f != nil && df.Kind != "secret" {
				df.Value = f.Get(df.Input)
			}
			fields = append(fields, df)
		}
	}
	deps, _, err := c.svc.Deploy.Deployments(ctx, v, deploy.DeploymentFilter{InstanceKey: key, Page: store.Page{Limit: 20}})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "deploy.title")
	view.Title = in.ID
	view.Nav = "instances"
	view.Form = f
	reqID := market.NewSecret(16)
	if f != nil && f.Get("request_id") != "" {
		reqID = f.Get("request_id") // a repeated submission is the same deployment
	}
	view.Data = map[string]any{"Instance": in, "Form": form, "Unavailable": form == nil, "Reason": errText(err), "Fields": fields,
		"Plan": plan, "Deployments": deps, "RequestID": reqID}
	w.Header().Set("Cache-Control", "no-store")
	c.render(w, r, status, "deploy", view)
}

// deploySubmit reads the form's answers and either shows the plan (action=plan) or deploys.
func (c *Console) deploySubmit(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	f := newForm(r)
	ctx, key := r.Context(), r.PathValue("key")
	form, err := c.svc.Deploy.Form(ctx, v, key, "")
	if err != nil {
		c.fail(w, r, err)
		return
	}
	req := deploy.DeployRequest{RequestID: f.Get("request_id"), Inputs: map[string]json.RawMessage{}}
	fields := map[string]string{}
	for _, tv := range form.Fields {
		name := "inputs." + tv.Name
		fields[name] = name
		raw, ok := inputJSON(fieldKind(tv), tv.Type, f.Get(name), r.PostForm.Has(name))
		if !ok {
			f.Add(name, "err.deploy_input")
			continue
		}
		if raw != nil {
			req.Inputs[tv.Name] = raw
		}
	}
	if f.Any() {
		c.renderDeploy(w, r, v, http.StatusUnprocessableEntity, f, nil)
		return
	}
	if f.Get("action") == "plan" {
		plan, err := c.svc.Deploy.Plan(ctx, v, key, req)
		if err != nil {
			if c.formError(w, r, f, err, fields) {
				c.renderDeploy(w, r, v, http.StatusUnprocessableEntity, f, nil)
			}
			return
		}
		c.renderDeploy(w, r, v, http.StatusOK, f, plan)
		return
	}
	d, err := c.svc.Deploy.Deploy(ctx, v, key, req)
	if err != nil {
		fields["plan.resources"] = "form"
		if c.formError(w, r, f, err, fields) {
			plan, _ := c.svc.Deploy.Plan(ctx, v, key, req)
			c.renderDeploy(w, r, v, http.StatusUnprocessableEntity, f, plan)
		}
		return
	}
	c.flash(ctx, "flash.deployed")
	http.Redirect(w, r, "/my/deployments/"+url.PathEscape(d.ID), http.StatusSeeOther)
}

// inputJSON turns what was typed in a field into the variable's JSON value: nil (left out, the
// default applies) for an empty field, false for an unchecked box. ok is false when the text
// is not a value of the type.
func inputJSON(kind, typ, text string, present bool) (json.RawMessage, bool) {
	if kind == "bool" {
		return json.RawMessage(strconv.FormatBool(present && text != "")), true
	}
	if text == "" {
		return nil, true
	}
	switch kind {
	case "text", "secret":
		if typ != "" && typ != "string" && !json.Valid([]byte(text)) {
			return nil, false
		}
		if typ != "" && typ != "string" {
			return json.RawMessage(text), true
		}
		b, _ := json.Marshal(text)
		return b, true
	case "number":
		if _, err := strconv.ParseFloat(strings.TrimSpace(text), 64); err != nil {
			return nil, false
		}
		return json.RawMessage(strings.TrimSpace(text)), true
	}
	if !json.Valid([]byte(text)) {
		return nil, false
	}
	return json.RawMessage(text), true
}

// errText is why a form is not available, for the page (the service's own words).
func errText(err error) string {
	if err == nil {
		return ""
	}
	var me *market.Error
	if errors.As(err, &me) {
		return me.Message
	}
	return ""
}

func (c *Console) deploymentPage(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	d, err := c.svc.Deploy.Deployment(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "deployment.title")
	view.Title = d.ID
	view.Nav = "instances"
	inputs := map[string]string{}
	for k, raw := range d.Inputs {
		inputs[k] = string(raw)
	}
	view.Data = map[string]any{"D": d, "Inputs": inputs, "Pending": d.State == market.DeploymentPending}
	w.Header().Set("Cache-Control", "no-store")
	c.render(w, r, http.StatusOK, "deployment", view)
}

// templateAdd attaches a template to an asset from a multipart form: a name, the asset version
// (empty: the newest) and the template's files: .tf and .tf.json files of the root module, or
// one .zip of the whole template with its modules' folders (browsers send file names without
// their folders). A template that breaks a rule is kept with its report, which the asset page
// shows.
func (c *Console) templateAdd(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
		return
	}
	f := newForm(r)
	f.Values = url.Values(r.MultipartForm.Value)
	req := deploy.TemplateRequest{Name: f.Get("template_name")}
	if s := strings.TrimSpace(f.Get("template_version")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			f.Add("template_version", "err.template_version")
		}
		req.Version = n
	}
	for _, fh := range r.MultipartForm.File["template_files"] {
		file, err := fh.Open()
		if err != nil {
			c.fail(w, r, err)
			return
		}
		b, err := io.ReadAll(file)
		file.Close()
		if err != nil {
			c.fail(w, r, err)
			return
		}
		if strings.HasSuffix(strings.ToLower(fh.Filename), ".zip") {
			files, err := unzipTemplate(b)
			if err != nil {
				f.Add("template_files", "err.template_zip")
				break
			}
			req.Files = append(req.Files, files...)
			continue
		}
		req.Files = append(req.Files, market.TemplateFile{Name: fh.Filename, Data: string(b)})
	}
	if len(req.Files) == 0 {
		f.Add("template_files", "err.required")
	}
	id := r.PathValue("id")
	if !f.Any() {
		_, err := c.svc.Deploy.AddTemplate(r.Context(), v, id, req)
		if err == nil {
			c.flash(r.Context(), "flash.template_added")
			http.Redirect(w, r, "/seller/assets/"+url.PathEscape(id)+"#templates", http.StatusSeeOther)
			return
		}
		if !c.formError(w, r, f, err, map[string]string{"name": "template_name", "version": "template_version", "files": "template_files"}) {
			return
		}
	}
	c.renderAsset(w, r, v, http.StatusUnprocessableEntity, f, "template")
}

func (c *Console) templateDelete(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	t, err := c.svc.Deploy.Template(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if err := c.svc.Deploy.DeleteTemplate(r.Context(), v, t.ID); err != nil {
		c.fail(w, r, err)
		return
	}
	c.flash(r.Context(), "flash.template_deleted")
	http.Redirect(w, r, "/seller/assets/"+url.PathEscape(t.AssetID)+"#templates", http.StatusSeeOther)
}

func (c *Console) pricesPage(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.renderPrices(w, r, v, http.StatusOK, nil)
}

func (c *Console) renderPrices(w http.ResponseWriter, r *http.Request, v market.Viewer, status int, f *form) {
	prices, err := c.svc.Deploy.Prices(r.Context(), v)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "prices.title")
	view.Nav = "prices"
	view.Form = f
	view.Data = map[string]any{"Prices": prices, "Currency": c.cfg.Currency, "Rows": []int{0, 1, 2},
		"LineFields": []string{"name", "unit", "price", "quantity"}, "Pers": []string{"hour", "month", "year", "once"}}
	c.render(w, r, status, "prices", view)
}

// priceSet sets a resource type's price lines from up to three rows of the form.
func (c *Console) priceSet(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	f := newForm(r)
	var req deploy.PriceRequest
	for i := range 3 {
		n := strconv.Itoa(i)
		name := strings.TrimSpace(f.Get("line_name_" + n))
		if name == "" {
			continue
		}
		price, err := market.ParseMoney(strings.TrimSpace(f.Get("line_price_" + n)))
		if err != nil {
			f.Add("line_price_"+n, "err.resource_price")
			continue
		}
		qty := int64(0)
		if s := strings.TrimSpace(f.Get("line_quantity_" + n)); s != "" {
			if qty, err = strconv.ParseInt(s, 10, 64); err != nil {
				f.Add("line_quantity_"+n, "err.quantity")
			}
		}
		req.Lines = append(req.Lines, market.PriceLine{Name: name, Unit: strings.TrimSpace(f.Get("line_unit_" + n)), Per: f.Get("line_per_" + n),
			Price: price, Quantity: qty})
	}
	if !f.Any() {
		_, err := c.svc.Deploy.SetPrice(r.Context(), v, strings.TrimSpace(f.Get("resource_type")), req)
		if err == nil {
			c.flash(r.Context(), "flash.price_set")
			http.Redirect(w, r, "/operator/prices", http.StatusSeeOther)
			return
		}
		fields := map[string]string{"lines": "line_name_0"}
		for i := range 3 {
			n := strconv.Itoa(i)
			for _, k := range []string{"name", "per", "price", "unit", "quantity"} {
				fields["lines["+n+"]."+k] = "line_" + k + "_" + n
			}
		}
		if !c.formError(w, r, f, err, fields) {
			return
		}
	}
	c.renderPrices(w, r, v, http.StatusUnprocessableEntity, f)
}

func (c *Console) priceDelete(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if err := c.svc.Deploy.DeletePrice(r.Context(), v, r.PathValue("type")); err != nil {
		c.fail(w, r, err)
		return
	}
	c.flash(r.Context(), "flash.price_deleted")
	http.Redirect(w, r, "/operator/prices", http.StatusSeeOther)
}

// Bounds of a template zip: RFS templates are small text files.
const (
	maxTemplateFiles = 200
	maxTemplateBytes = 8 << 20
)

// unzipTemplate reads a template's files from a zip, by their paths inside it (cleaned: no
// absolute paths, nothing outside the root), skipping folders; it refuses more than
// maxTemplateFiles files or maxTemplateBytes bytes once expanded.
func unzipTemplate(b []byte) ([]market.TemplateFile, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	var out []market.TemplateFile
	var total int64
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() {
			continue
		}
		name := path.Clean("/" + strings.ReplaceAll(zf.Name, "\\", "/"))[1:]
		if name == "" || len(out) == maxTemplateFiles {
			return nil, errors.New("too many files or an empty name")
		}
		rc, err := zf.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(io.LimitReader(rc, maxTemplateBytes-total+1))
		rc.Close()
		if err != nil {
			return nil, err
		}
		if total += int64(len(data)); total > maxTemplateBytes {
			return nil, errors.New("the template is too large")
		}
		out = append(out, market.TemplateFile{Name: name, Data: string(data)})
	}
	return out, nil
}
