package api

import (
	"context"
	"encoding/base64"
	"net/http"
	"strconv"

	"github.com/mercato-oss/mercato/internal/cloud"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/isdk/cloudfs"
)

// Industrial-software cloud endpoints (docs/api.md, docs/industrial-sdk.md): an instance's drive
// (files, versions, check-out, uploads), its package's upgrade notices and license requests, and
// solve jobs. The desktop client (isdk) uses the buyer's token; the buyer console the same.

// registerCloud adds the cloud routes.
func (a *API) registerCloud(mux Mux) {
	mux.Handle("GET /api/v1/instances/{key}/cloud", a.auth(a.getDrive))
	mux.Handle("GET /api/v1/instances/{key}/cloud/files", a.auth(a.listCloudFiles))
	mux.Handle("GET /api/v1/instances/{key}/cloud/file", a.auth(a.cloudFileByPath))
	mux.Handle("POST /api/v1/instances/{key}/cloud/folders", a.auth(a.createFolder))
	mux.Handle("POST /api/v1/instances/{key}/cloud/uploads", a.auth(a.beginUpload))
	mux.Handle("POST /api/v1/instances/{key}/cloud/files", a.auth(a.saveWhole))
	mux.Handle("GET /api/v1/instances/{key}/cloud/upgrade", a.auth(a.upgradeNotice))
	mux.Handle("POST /api/v1/instances/{key}/cloud/upgrade/confirm", a.auth(a.confirmUpgrade))
	mux.Handle("POST /api/v1/instances/{key}/cloud/license-requests", a.auth(a.requestLicense))

	mux.Handle("GET /api/v1/cloud/files/{id}", a.auth(a.getCloudFile))
	mux.Handle("GET /api/v1/cloud/files/{id}/content", a.auth(a.downloadCloudFile))
	mux.Handle("GET /api/v1/cloud/files/{id}/versions", a.auth(a.listVersions))
	mux.Handle("POST /api/v1/cloud/files/{id}/checkout", a.auth(a.fileAction(a.Cloud.CheckOut)))
	mux.Handle("POST /api/v1/cloud/files/{id}/checkin", a.auth(a.fileAction(a.Cloud.CheckIn)))
	mux.Handle("POST /api/v1/cloud/files/{id}/release", a.auth(a.fileAction(a.Cloud.Release)))
	mux.Handle("POST /api/v1/cloud/files/{id}/restore", a.auth(a.restoreVersion))
	mux.Handle("POST /api/v1/cloud/files/{id}/solutions", a.auth(a.submitSolution))
	mux.Handle("GET /api/v1/cloud/uploads/{id}", a.auth(a.getUpload))
	mux.Handle("PUT /api/v1/cloud/uploads/{id}", a.auth(a.putChunk))
	mux.Handle("POST /api/v1/cloud/uploads/{id}/complete", a.auth(a.completeUpload))
	mux.Handle("DELETE /api/v1/cloud/uploads/{id}", a.auth(a.abortUpload))
	mux.Handle("GET /api/v1/cloud/solutions/{id}", a.auth(a.getSolution))
	mux.Handle("POST /api/v1/cloud/license-requests/{id}/verify", a.auth(a.reportVerification))
	mux.Handle("GET /api/v1/cloud/license-key", a.auth(a.licenseKey))
	mux.Handle("PUT /api/v1/cloud/packages/{sku}", a.auth(a.setPackage))
	mux.Handle("GET /api/v1/cloud/packages/{sku}", a.auth(a.getPackage))
}

func (a *API) getDrive(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	d, err := a.Cloud.Drive(r.Context(), v, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, driveView{InstanceKey: d.Drive.InstanceKey, User: d.User, UsedBytes: d.Drive.UsedBytes,
		ReservedBytes: d.Drive.Reserved, QuotaBytes: d.Drive.QuotaBytes, MaxChunk: a.Cloud.MaxChunk(), Package: viewPackage(d.Package)})
	return nil
}

func (a *API) listCloudFiles(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	q := r.URL.Query()
	folder := q.Get("folder")
	if folder == "" {
		folder = "/"
	}
	n, err := query(r).limit(store.MaxLimit)
	if err != nil {
		return err
	}
	fs, err := a.Cloud.List(r.Context(), v, r.PathValue("key"), folder, q.Get("after"), n)
	if err != nil {
		return err
	}
	out := views(fs, viewFile)
	writeJSON(w, http.StatusOK, map[string]any{"files": out})
	return nil
}

func writeFile(w http.ResponseWriter, status int, f *market.CloudFile, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, status, viewFile(f))
	return nil
}

func (a *API) cloudFileByPath(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	f, err := a.Cloud.FileByPath(r.Context(), v, r.PathValue("key"), r.URL.Query().Get("path"))
	return writeFile(w, http.StatusOK, f, err)
}

func (a *API) createFolder(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req struct {
		Path string `json:"path"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	f, err := a.Cloud.CreateFolder(r.Context(), v, r.PathValue("key"), req.Path)
	return writeFile(w, http.StatusCreated, f, err)
}

func (a *API) getCloudFile(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	f, err := a.Cloud.File(r.Context(), v, r.PathValue("id"))
	return writeFile(w, http.StatusOK, f, err)
}

// fileAction serves the lock changes: check-out, check-in, release.
func (a *API) fileAction(act func(ctx context.Context, v market.Viewer, id string) (*market.CloudFile, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
		f, err := act(r.Context(), v, r.PathValue("id"))
		return writeFile(w, http.StatusOK, f, err)
	}
}

func (a *API) restoreVersion(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req struct {
		Version int `json:"version"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	f, err := a.Cloud.Restore(r.Context(), v, r.PathValue("id"), req.Version)
	return writeFile(w, http.StatusOK, f, err)
}

func (a *API) listVersions(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	n, err := query(r).limit(store.MaxLimit)
	if err != nil {
		return err
	}
	vs, err := a.Cloud.Versions(r.Context(), v, r.PathValue("id"), n)
	if err != nil {
		return err
	}
	out := make([]versionView, len(vs))
	for i, ver := range vs {
		out[i] = versionView{Version: ver.Version, Size: ver.Size, SHA256: ver.SHA256, Author: ver.Author, RestoredFrom: ver.RestoredFrom, CreatedAt: ts(ver.CreatedAt)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"versions": out})
	return nil
}

// downloadCloudFile streams a version's content, with ranges (a client resumes a download) and
// the SHA-256 to check it against.
func (a *API) downloadCloudFile(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	version := 0
	if s := r.URL.Query().Get("version"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return market.Errorf(market.CodeInvalid, "version must be a positive number")
		}
		version = n
	}
	f, ver, content, err := a.Cloud.Content(r.Context(), v, r.PathValue("id"), version)
	if err != nil {
		return err
	}
	defer content.Close()
	_, name := cloudfs.Split(f.Path)
	ctype := "application/octet-stream"
	if f.Kind == market.KindAssembly {
		ctype = "application/zip"
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+pathEscape(name))
	h.Set("ETag", `"`+ver.SHA256+`"`)
	h.Set(HeaderSHA256, ver.SHA256)
	h.Set(HeaderVersion, strconv.Itoa(ver.Version))
	http.ServeContent(w, r, "", ver.CreatedAt, content)
	return nil
}

// Headers of a download.
const (
	HeaderSHA256  = "X-Mercato-Sha256"
	HeaderVersion = "X-Mercato-Version"
)

func (a *API) beginUpload(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req cloud.UploadRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	u, err := a.Cloud.BeginUpload(r.Context(), v, r.PathValue("key"), req)
	return a.writeUpload(w, http.StatusCreated, u, err)
}

// saveWhole saves content sent whole as the body (at most max_chunk bytes); what it saves is
// named in the query: path or file_id, kind, sha256, base_version.
func (a *API) saveWhole(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	q := r.URL.Query()
	req := cloud.UploadRequest{FileID: q.Get("file_id"), Path: q.Get("path"), Kind: market.FileKind(q.Get("kind")), SHA256: q.Get("sha256"), Size: r.ContentLength}
	if req.Size < 0 {
		return market.Errorf(market.CodeInvalid, "a whole save needs a Content-Length")
	}
	if s := q.Get("base_version"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return market.Errorf(market.CodeInvalid, "base_version must be a version number")
		}
		req.BaseVersion = n
	}
	if req.Size > a.Cloud.MaxChunk() {
		return market.Errorf(market.CodeInvalid, "one request carries at most %d bytes: upload larger content in parts", a.Cloud.MaxChunk())
	}
	f, err := a.Cloud.SaveWhole(r.Context(), v, r.PathValue("key"), req, http.MaxBytesReader(w, r.Body, a.Cloud.MaxChunk()+1))
	return writeFile(w, http.StatusOK, f, err)
}

func (a *API) getUpload(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	u, err := a.Cloud.Upload(r.Context(), v, r.PathValue("id"))
	return a.writeUpload(w, http.StatusOK, u, err)
}

// putChunk stores the request body at ?offset=; with ?complete=1 it also completes the upload,
// which saves a small file's client a round trip.
func (a *API) putChunk(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	q := r.URL.Query()
	offset, err := strconv.ParseInt(q.Get("offset"), 10, 64)
	if err != nil || offset < 0 {
		return market.Errorf(market.CodeInvalid, "offset must be the upload's current offset, a number")
	}
	if r.ContentLength > a.Cloud.MaxChunk() {
		return market.Errorf(market.CodeInvalid, "one request carries at most %d bytes", a.Cloud.MaxChunk())
	}
	body := http.MaxBytesReader(w, r.Body, a.Cloud.MaxChunk()+1)
	u, err := a.Cloud.WriteChunk(r.Context(), v, r.PathValue("id"), offset, body)
	if err != nil || q.Get("complete") != "1" {
		return a.writeUpload(w, http.StatusOK, u, err)
	}
	f, err := a.Cloud.Complete(r.Context(), v, u.ID)
	return writeFile(w, http.StatusOK, f, err)
}

func (a *API) completeUpload(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	f, err := a.Cloud.Complete(r.Context(), v, r.PathValue("id"))
	return writeFile(w, http.StatusOK, f, err)
}

func (a *API) abortUpload(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	if err := a.Cloud.Abort(r.Context(), v, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) writeUpload(w http.ResponseWriter, status int, u *market.Upload, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, status, uploadView{ID: u.ID, InstanceKey: u.InstanceKey, Path: u.Path, Kind: u.Kind, FileID: u.FileID, BaseVersion: u.BaseVersion,
		Size: u.Size, SHA256: u.SHA256, Offset: u.Received, State: u.State, Reason: u.Reason, Version: u.Version,
		ExpiresAt: ts(u.ExpiresAt), MaxChunk: a.Cloud.MaxChunk()})
	return nil
}

func (a *API) licenseKey(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	pub, err := a.Cloud.PublicKey(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"key_id": cloud.KeyID, "algorithm": "Ed25519", "public_key": base64.StdEncoding.EncodeToString(pub)})
	return nil
}
