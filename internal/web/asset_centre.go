package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	assetcentre "github.com/mercato-oss/mercato/internal/assets"
	"github.com/mercato-oss/mercato/internal/deploy"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// The asset centre (docs/review.md): a seller's images and packages, their versions, scan
// reports, submission and appeals; the operator's queue of appeals. The same page shows an
// asset to both, with the actions of the viewer's role.

func (c *Console) registerAssets(mux *http.ServeMux) {
	mux.Handle("GET /seller/assets", c.sellerRoute(c.assetList))
	mux.Handle("POST /seller/assets", c.sellerRoute(c.assetCreate))
	mux.Handle("GET /seller/assets/{id}", c.sellerRoute(c.assetPage))
	mux.Handle("POST /seller/assets/{id}/upload", c.sellerRoute(c.assetUpload))
	mux.Handle("POST /seller/assets/{id}/url", c.sellerRoute(c.assetAction("url")))
	mux.Handle("POST /seller/assets/{id}/submit", c.sellerRoute(c.assetAction("submit")))
	mux.Handle("POST /seller/assets/{id}/appeal", c.sellerRoute(c.assetAction("appeal")))
	mux.Handle("POST /seller/assets/{id}/delete", c.sellerRoute(c.assetAction("delete")))
	mux.Handle("GET /operator/assets", c.operatorRoute(c.assetList))
	mux.Handle("GET /operator/assets/{id}", c.operatorRoute(c.assetPage))
	mux.Handle("POST /operator/assets/{id}/decide", c.operatorRoute(c.assetAction("decide")))
}

// assetBase is where the viewer's asset pages are.
func assetBase(v market.Viewer) string {
	if v.IsOperator() {
		return "/operator/assets"
	}
	return "/seller/assets"
}

// assetList lists the seller's assets with the form for a new one; for the operator, the review
// queue (?state=APPEALED by default) or every asset.
func (c *Console) assetList(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.renderAssets(w, r, v, http.StatusOK, nil)
}

func (c *Console) renderAssets(w http.ResponseWriter, r *http.Request, v market.Viewer, status int, f *form) {
	filter := assetcentre.ListFilter{State: market.AssetState(r.URL.Query().Get("state")), Page: pageOf(r, 20)}
	if v.IsOperator() && r.URL.Query().Get("state") == "" {
		filter.State, filter.Queue = market.AssetAppealed, true
	}
	list, next, err := c.svc.Assets.List(r.Context(), v, filter)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "assets.title")
	view.Nav = "assets"
	view.Form = f
	view.Data = map[string]any{"Assets": list, "Next": nextLink(r, next), "Base": assetBase(v), "State": string(filter.State),
		"States": []market.AssetState{market.AssetDraft, market.AssetSubmitted, market.AssetApproved, market.AssetRejected, market.AssetAppealed}}
	c.render(w, r, status, "assets", view)
}

func (c *Console) assetCreate(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	f := newForm(r)
	regions := strings.FieldsFunc(f.Get("asset_regions"), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' })
	a, err := c.svc.Assets.Create(r.Context(), v, assetcentre.CreateRequest{Kind: market.AssetKind(f.Get("asset_kind")), Name: f.Get("asset_name"),
		Description: f.Get("asset_description"), Arch: f.Get("asset_arch"), Regions: regions})
	if err != nil {
		if !c.formError(w, r, f, err, map[string]string{"name": "asset_name", "kind": "asset_kind", "arch": "asset_arch", "regions": "asset_regions",
			"description": "asset_description"}) {
			return
		}
		c.renderAssets(w, r, v, http.StatusUnprocessableEntity, f)
		return
	}
	c.flash(r.Context(), "flash.asset_created")
	http.Redirect(w, r, assetBase(v)+"/"+url.PathEscape(a.ID), http.StatusSeeOther)
}

// scanFinding is what the asset page shows of a finding of mercato-scan's report (schema
// mercato-scan/v1, docs/review.md).
type scanFinding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Blocking bool   `json:"blocking"`
	Path     string `json:"path"`
	Evidence string `json:"evidence"`
	Detail   string `json:"detail"`
	ID       string `json:"id"`
	Package  string `json:"package"`
	Version  string `json:"version"`
	Fixed    string `json:"fixed"`
}

type scanReport struct {
	Passed   bool          `json:"passed"`
	Complete bool          `json:"complete"`
	Findings []scanFinding `json:"findings"`
	Warnings []string      `json:"warnings"`
	Errors   []string      `json:"errors"`
}

// versionView is a version with its report decoded.
type versionView struct {
	*market.AssetVersion
	Scan     *scanReport
	SizeText string
}

// byteSize shows a size in binary units: 812 B, 1.5 MiB, 20.0 GiB.
func byteSize(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	f, unit := float64(n)/1024, "KiB"
	for _, u := range []string{"MiB", "GiB", "TiB"} {
		if f < 1024 {
			break
		}
		f, unit = f/1024, u
	}
	return fmt.Sprintf("%.1f %s", f, unit)
}

func (c *Console) assetPage(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.renderAsset(w, r, v, http.StatusOK, nil, "")
}

// renderAsset renders an asset's page; f is a form that failed and which names it.
func (c *Console) renderAsset(w http.ResponseWriter, r *http.Request, v market.Viewer, status int, f *form, which string) {
	d, err := c.svc.Assets.Detail(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	versions := make([]versionView, 0, len(d.Versions))
	for _, ver := range d.Versions {
		vv := versionView{AssetVersion: ver, SizeText: byteSize(ver.Size)}
		if len(ver.Report) > 0 {
			var rep scanReport
			if json.Unmarshal(ver.Report, &rep) == nil {
				vv.Scan = &rep
			}
		}
		versions = append(versions, vv)
	}
	a := d.Asset
	templates, _, err := c.svc.Deploy.Templates(r.Context(), v, deploy.TemplateFilter{AssetID: a.ID, Page: store.Page{Limit: 50}})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "asset.title")
	view.Title = a.Name
	view.Nav = "assets"
	view.Form = f
	seller := v.Role == market.RoleSeller
	view.Data = map[string]any{"Asset": a, "Versions": versions, "Events": d.Events, "Base": assetBase(v), "Which": which, "Templates": templates,
		"CanAddTemplate": seller && a.Version > 0,
		"CanAddVersion":  seller && a.State != market.AssetSubmitted && a.State != market.AssetAppealed,
		"CanSubmit":      seller && a.State == market.AssetDraft && a.Version > 0,
		"CanAppeal":      seller && a.State == market.AssetRejected,
		"CanDelete":      seller && a.State != market.AssetSubmitted,
		"CanDecide":      v.IsOperator() && a.State == market.AssetAppealed}
	w.Header().Set("Cache-Control", "no-store")
	c.render(w, r, status, "asset", view)
}

// assetAction serves the asset page's small forms: register a URL, submit, appeal, delete (the
// seller's) and decide an appeal (the operator's). Each is the asset service's action; a refusal
// shows at its field on the asset page.
func (c *Console) assetAction(which string) viewerHandler {
	return func(w http.ResponseWriter, r *http.Request, v market.Viewer) {
		if !c.parseForm(w, r) {
			return
		}
		f := newForm(r)
		ctx, id := r.Context(), r.PathValue("id")
		var err error
		var done string // the flash message of success
		switch which {
		case "url":
			done = "flash.asset_url"
			_, err = c.svc.Assets.RegisterURL(ctx, v, id, assetcentre.URLRequest{Label: f.Get("version_label"), URL: strings.TrimSpace(f.Get("version_url")),
				SHA256: strings.TrimSpace(f.Get("version_sha256"))})
		case "submit":
			done = "flash.asset_submit"
			_, err = c.svc.Assets.Submit(ctx, v, id)
		case "appeal":
			done = "flash.asset_appeal"
			_, err = c.svc.Assets.Appeal(ctx, v, id, f.Get("asset_appeal"))
		case "delete":
			if err = c.svc.Assets.Delete(ctx, v, id); err == nil {
				c.flash(ctx, "flash.asset_deleted")
				http.Redirect(w, r, assetBase(v), http.StatusSeeOther)
				return
			}
		case "decide":
			done = "flash.asset_decide"
			_, err = c.svc.Assets.Decide(ctx, v, id, f.Get("decision") == "approve", f.Get("decide_comment"))
		}
		if err != nil {
			if !c.formError(w, r, f, err, map[string]string{"file_name": "version_url", "url": "version_url", "sha256": "version_sha256", "label": "version_label", "reason": "asset_appeal", "comment": "decide_comment"}) {
				return
			}
			c.renderAsset(w, r, v, http.StatusUnprocessableEntity, f, which)
			return
		}
		c.flash(ctx, done)
		http.Redirect(w, r, assetBase(v)+"/"+url.PathEscape(id), http.StatusSeeOther)
	}
}

// assetUpload takes a new version's file from a plain multipart form: it streams the file to a
// temporary file while hashing it, then hands it to the asset service as one resumable upload
// (declared size and SHA-256, chunks of the service's MaxChunk, complete). Large files are better
// sent through the JSON API's resumable upload, which survives a broken connection.
func (c *Console) assetUpload(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	f := &form{Values: url.Values{}, Errors: map[string]fieldErr{}}
	tmp, name, size, sum, err := c.receiveFile(r, f.Values)
	if tmp != "" {
		defer os.Remove(tmp)
	}
	if err != nil {
		c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
		return
	}
	if name == "" {
		f.Add("version_file", "err.required")
		c.renderAsset(w, r, v, http.StatusUnprocessableEntity, f, "upload")
		return
	}
	ctx := r.Context()
	err = func() error {
		u, err := c.svc.Assets.BeginUpload(ctx, v, r.PathValue("id"), assetcentre.UploadRequest{Label: f.Get("version_label"), FileName: name, Size: size, SHA256: sum})
		if err != nil {
			return err
		}
		file, err := os.Open(tmp)
		if err != nil {
			return err
		}
		defer file.Close()
		for off := int64(0); off < size; off += c.svc.Assets.MaxChunk() {
			if _, err := c.svc.Assets.WriteChunk(ctx, v, u.ID, off, io.LimitReader(file, c.svc.Assets.MaxChunk())); err != nil {
				return err
			}
		}
		_, err = c.svc.Assets.Complete(ctx, v, u.ID)
		return err
	}()
	if err != nil {
		if !c.formError(w, r, f, err, map[string]string{"file_name": "version_file", "size": "version_file", "sha256": "version_file", "label": "version_label"}) {
			return
		}
		c.renderAsset(w, r, v, http.StatusUnprocessableEntity, f, "upload")
		return
	}
	c.flash(ctx, "flash.asset_upload")
	http.Redirect(w, r, assetBase(v)+"/"+url.PathEscape(r.PathValue("id")), http.StatusSeeOther)
}

// receiveFile reads a multipart form: its small fields into values, its file (field "version_file") into
// a temporary file, hashed on the way. It returns the file's path, name, size and SHA-256.
func (c *Console) receiveFile(r *http.Request, values url.Values) (path, name string, size int64, sum string, err error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return "", "", 0, "", err
	}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return path, name, size, sum, nil
		}
		if err != nil {
			return path, name, size, sum, err
		}
		if p.FormName() != "version_file" {
			b, err := io.ReadAll(io.LimitReader(p, 4<<10))
			if err != nil {
				return path, name, size, sum, err
			}
			values.Set(p.FormName(), string(b))
			continue
		}
		if path != "" || p.FileName() == "" {
			continue // one file; an empty file input sends a part without a name
		}
		tmp, err := os.CreateTemp("", "mercato-console-upload-")
		if err != nil {
			return "", "", 0, "", err
		}
		path, name = tmp.Name(), p.FileName()
		h := sha256.New()
		size, err = io.Copy(io.MultiWriter(tmp, h), p)
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return path, name, size, "", fmt.Errorf("receive %s: %w", name, err)
		}
		sum = hex.EncodeToString(h.Sum(nil))
	}
}

// formError records a service's refusal in f for the page to show at its field, and reports
// whether it did: errors that are not the form's (not found, the server's faults) are answered
// here with their own page.
func (c *Console) formError(w http.ResponseWriter, r *http.Request, f *form, err error, fields map[string]string) bool {
	switch market.ErrorCode(err) {
	case market.CodeNotFound, market.CodeInternal, market.CodeUnauthorized, "":
		c.fail(w, r, err)
		return false
	}
	f.Failed(c.texts.locale(c.texts.pick(r), false, c.cfg.Location), err, fields)
	return true
}
