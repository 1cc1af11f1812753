package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/mercato-oss/mercato/internal/assets"
	"github.com/mercato-oss/mercato/internal/market"
)

// Asset centre endpoints (docs/review.md): a seller's images and packages, their versions
// (uploaded in resumable parts, or registered by URL), submission to the scan, appeals; the
// operator's review queue and decisions.

// registerAssets adds the asset centre's routes.
func (a *API) registerAssets(mux Mux) {
	mux.Handle("POST /api/v1/assets", a.auth(a.createAsset))
	mux.Handle("GET /api/v1/assets", a.auth(a.listAssets))
	mux.Handle("GET /api/v1/assets/{id}", a.auth(a.getAsset))
	mux.Handle("DELETE /api/v1/assets/{id}", a.auth(a.deleteAsset))
	mux.Handle("POST /api/v1/assets/{id}/uploads", a.auth(a.beginAssetUpload))
	mux.Handle("POST /api/v1/assets/{id}/versions", a.auth(a.registerAssetURL))
	mux.Handle("GET /api/v1/assets/{id}/versions/{n}/content", a.auth(a.downloadAsset))
	mux.Handle("POST /api/v1/assets/{id}/submit", a.auth(a.assetAction(a.submitAsset)))
	mux.Handle("POST /api/v1/assets/{id}/appeal", a.auth(a.assetAction(a.appealAsset)))
	mux.Handle("POST /api/v1/assets/{id}/decision", a.auth(a.assetAction(a.decideAsset)))
	mux.Handle("POST /api/v1/assets/{id}/rescan", a.auth(a.assetAction(a.rescanAsset)))
	mux.Handle("GET /api/v1/asset-uploads/{id}", a.auth(a.getAssetUpload))
	mux.Handle("PUT /api/v1/asset-uploads/{id}", a.auth(a.putAssetChunk))
	mux.Handle("POST /api/v1/asset-uploads/{id}/complete", a.auth(a.completeAssetUpload))
	mux.Handle("DELETE /api/v1/asset-uploads/{id}", a.auth(a.abortAssetUpload))
}

type assetView struct {
	ID              string   `json:"id"`
	MerchantID      string   `json:"merchant_id"`
	Kind            string   `json:"kind"`
	Name            string   `json:"name"`
	Description     string   `json:"description"`
	Arch            string   `json:"arch"`
	Regions         []string `json:"regions"`
	State           string   `json:"state"`
	Version         int      `json:"version"`
	ApprovedVersion int      `json:"approved_version"`
	ScanError       string   `json:"scan_error,omitempty"`
	ScanAttempts    int      `json:"scan_attempts,omitempty"`
	CreatedBy       string   `json:"created_by"`
	CreatedAt       string   `json:"created_at"`
	UpdatedAt       string   `json:"updated_at"`
}

func viewAsset(a *market.Asset) assetView {
	regions := a.Regions
	if regions == nil {
		regions = []string{}
	}
	return assetView{ID: a.ID, MerchantID: a.MerchantID, Kind: string(a.Kind), Name: a.Name, Description: a.Description, Arch: a.Arch,
		Regions: regions, State: string(a.State), Version: a.Version, ApprovedVersion: a.ApprovedVersion, ScanError: a.ScanError,
		ScanAttempts: a.ScanAttempts, CreatedBy: a.CreatedBy, CreatedAt: ts(a.CreatedAt), UpdatedAt: ts(a.UpdatedAt)}
}

type assetVersionView struct {
	Version    int    `json:"version"`
	Label      string `json:"label"`
	FileName   string `json:"file_name"`
	Size       int64  `json:"size"`
	SHA256     string `json:"sha256"`
	SourceURL  string `json:"source_url,omitempty"`
	FetchError string `json:"fetch_error,omitempty"`
	Ready      bool   `json:"ready"`
	State      string `json:"state"`
	// Report is mercato-scan's JSON report (schema mercato-scan/v1, docs/review.md).
	Report      json.RawMessage `json:"report,omitempty"`
	Appeal      string          `json:"appeal,omitempty"`
	Comment     string          `json:"comment,omitempty"`
	CreatedBy   string          `json:"created_by"`
	CreatedAt   string          `json:"created_at"`
	SubmittedAt string          `json:"submitted_at,omitempty"`
	DecidedAt   string          `json:"decided_at,omitempty"`
}

func viewAssetVersion(v *market.AssetVersion) assetVersionView {
	return assetVersionView{Version: v.N, Label: v.Label, FileName: v.FileName, Size: v.Size, SHA256: v.SHA256, SourceURL: v.SourceURL,
		FetchError: v.FetchError, Ready: v.Ready, State: string(v.State), Report: v.Report, Appeal: v.Appeal, Comment: v.Comment,
		CreatedBy: v.CreatedBy, CreatedAt: ts(v.CreatedAt), SubmittedAt: ts(v.SubmittedAt), DecidedAt: ts(v.DecidedAt)}
}

type assetEventView struct {
	Version int    `json:"version"`
	From    string `json:"from"`
	To      string `json:"to"`
	By      string `json:"by"`
	Comment string `json:"comment,omitempty"`
	At      string `json:"at"`
}

type assetDetailView struct {
	Asset    assetView          `json:"asset"`
	Versions []assetVersionView `json:"versions"`
	Events   []assetEventView   `json:"events"`
}

type assetUploadView struct {
	ID        string `json:"id"`
	AssetID   string `json:"asset_id"`
	Label     string `json:"label"`
	FileName  string `json:"file_name"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
	Offset    int64  `json:"offset"`
	State     string `json:"state"`
	Reason    string `json:"reason,omitempty"`
	Version   int    `json:"version,omitempty"`
	ExpiresAt string `json:"expires_at"`
	MaxChunk  int64  `json:"max_chunk"`
}

func (a *API) createAsset(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req assets.CreateRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	as, err := a.Assets.Create(r.Context(), v, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewAsset(&as))
	return nil
}

// listAssets lists the caller's assets; the operator's list of SUBMITTED or APPEALED assets is
// the review queue, longest waiting first.
func (a *API) listAssets(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	q := query(r)
	page, err := q.page()
	if err != nil {
		return err
	}
	state, err := enum(q, "state", market.AssetDraft, market.AssetSubmitted, market.AssetApproved, market.AssetRejected, market.AssetAppealed)
	if err != nil {
		return err
	}
	queue := v.IsOperator() && (state == market.AssetSubmitted || state == market.AssetAppealed)
	list, next, err := a.Assets.List(r.Context(), v, assets.ListFilter{MerchantID: q.q.Get("merchant_id"), State: state, Queue: queue, Page: page})
	if err != nil {
		return err
	}
	writeList(w, r, "assets", views(list, viewAsset), next)
	return nil
}

func (a *API) getAsset(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	d, err := a.Assets.Detail(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	out := assetDetailView{Asset: viewAsset(&d.Asset), Versions: views(d.Versions, viewAssetVersion), Events: make([]assetEventView, len(d.Events))}
	for i, e := range d.Events {
		out.Events[i] = assetEventView{Version: e.Version, From: string(e.From), To: string(e.To), By: e.By, Comment: e.Comment, At: ts(e.At)}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) deleteAsset(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	if err := a.Assets.Delete(r.Context(), v, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// assetAction serves the review's transitions, each answering the asset.
func (a *API) assetAction(act func(r *http.Request, w http.ResponseWriter, v market.Viewer, id string) (market.Asset, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
		as, err := act(r, w, v, r.PathValue("id"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, viewAsset(&as))
		return nil
	}
}

// Request shapes of the review's transitions.
type (
	assetAppealRequest struct {
		Reason string `json:"reason"`
	}
	assetDecisionRequest struct {
		Approve bool   `json:"approve"`
		Comment string `json:"comment"`
	}
)

func (a *API) submitAsset(r *http.Request, _ http.ResponseWriter, v market.Viewer, id string) (market.Asset, error) {
	return a.Assets.Submit(r.Context(), v, id)
}

func (a *API) appealAsset(r *http.Request, w http.ResponseWriter, v market.Viewer, id string) (market.Asset, error) {
	var req assetAppealRequest
	if err := decode(w, r, &req); err != nil {
		return market.Asset{}, err
	}
	return a.Assets.Appeal(r.Context(), v, id, req.Reason)
}

func (a *API) decideAsset(r *http.Request, w http.ResponseWriter, v market.Viewer, id string) (market.Asset, error) {
	var req assetDecisionRequest
	if err := decode(w, r, &req); err != nil {
		return market.Asset{}, err
	}
	return a.Assets.Decide(r.Context(), v, id, req.Approve, req.Comment)
}

func (a *API) rescanAsset(r *http.Request, _ http.ResponseWriter, v market.Viewer, id string) (market.Asset, error) {
	return a.Assets.Rescan(r.Context(), v, id)
}

func (a *API) registerAssetURL(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req assets.URLRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	ver, err := a.Assets.RegisterURL(r.Context(), v, r.PathValue("id"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewAssetVersion(ver))
	return nil
}

// downloadAsset streams a version's content, with ranges and its SHA-256.
func (a *API) downloadAsset(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		return market.Errorf(market.CodeInvalid, "the version must be a positive number")
	}
	ver, content, err := a.Assets.Content(r.Context(), v, r.PathValue("id"), n)
	if err != nil {
		return err
	}
	defer content.Close()
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+pathEscape(ver.FileName))
	h.Set("ETag", `"`+ver.SHA256+`"`)
	h.Set(HeaderSHA256, ver.SHA256)
	http.ServeContent(w, r, "", ver.CreatedAt, content)
	return nil
}

func (a *API) beginAssetUpload(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req assets.UploadRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	u, err := a.Assets.BeginUpload(r.Context(), v, r.PathValue("id"), req)
	return a.writeAssetUpload(w, http.StatusCreated, u, err)
}

func (a *API) getAssetUpload(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	u, err := a.Assets.Upload(r.Context(), v, r.PathValue("id"))
	return a.writeAssetUpload(w, http.StatusOK, u, err)
}

// putAssetChunk stores the request body at ?offset= (the upload's current offset: a client
// resumes from there after a failure); with ?complete=1 it also completes the upload.
func (a *API) putAssetChunk(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	q := r.URL.Query()
	offset, err := strconv.ParseInt(q.Get("offset"), 10, 64)
	if err != nil || offset < 0 {
		return market.Errorf(market.CodeInvalid, "offset must be the upload's current offset, a number")
	}
	if r.ContentLength > a.Assets.MaxChunk() {
		return market.Errorf(market.CodeInvalid, "one request carries at most %d bytes", a.Assets.MaxChunk())
	}
	body := http.MaxBytesReader(w, r.Body, a.Assets.MaxChunk()+1)
	u, err := a.Assets.WriteChunk(r.Context(), v, r.PathValue("id"), offset, body)
	if err != nil || q.Get("complete") != "1" {
		return a.writeAssetUpload(w, http.StatusOK, u, err)
	}
	ver, err := a.Assets.Complete(r.Context(), v, u.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewAssetVersion(ver))
	return nil
}

func (a *API) completeAssetUpload(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	ver, err := a.Assets.Complete(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewAssetVersion(ver))
	return nil
}

func (a *API) abortAssetUpload(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	if err := a.Assets.Abort(r.Context(), v, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) writeAssetUpload(w http.ResponseWriter, status int, u *market.AssetUpload, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, status, assetUploadView{ID: u.ID, AssetID: u.AssetID, Label: u.Label, FileName: u.FileName, Size: u.Size, SHA256: u.SHA256,
		Offset: u.Received, State: string(u.State), Reason: u.Reason, Version: u.Version, ExpiresAt: ts(u.ExpiresAt), MaxChunk: a.Assets.MaxChunk()})
	return nil
}
