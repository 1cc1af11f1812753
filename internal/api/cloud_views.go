package api

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/mercato-oss/mercato/internal/cloud"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/isdk/cloudfs"
)

// pathEscape encodes a file name for Content-Disposition's filename* (RFC 5987).
func pathEscape(name string) string { return strings.ReplaceAll(url.PathEscape(name), "'", "%27") }

type driveView struct {
	InstanceKey   string      `json:"instance_key"`
	User          string      `json:"user"`
	UsedBytes     int64       `json:"used_bytes"`
	ReservedBytes int64       `json:"reserved_bytes"`
	QuotaBytes    int64       `json:"quota_bytes"`
	MaxChunk      int64       `json:"max_chunk"`
	Package       packageView `json:"package"`
}

type packageView struct {
	SkuCode        string   `json:"sku_code"`
	ProductID      string   `json:"product_id"`
	MerchantID     string   `json:"merchant_id"`
	DataInCloud    bool     `json:"data_in_cloud"`
	Version        string   `json:"version"`
	ForcedUpgrade  bool     `json:"forced_upgrade"`
	ForcedVersions []string `json:"forced_versions"`
	TrialSupported bool     `json:"trial_supported"`
	TrialDays      int      `json:"trial_days"`
	InstallMode    string   `json:"install_mode"`
	QuotaBytes     int64    `json:"quota_bytes"`
	Notes          string   `json:"notes"`
	UpdatedAt      string   `json:"updated_at"`
}

func viewPackage(p *market.IndustrialPackage) packageView {
	fv := p.ForcedVersions
	if fv == nil {
		fv = []string{}
	}
	return packageView{p.SkuCode, p.ProductID, p.MerchantID, p.DataInCloud, p.Version, p.ForcedUpgrade, fv, p.TrialSupported, p.TrialDays,
		string(p.InstallMode), p.QuotaBytes, p.Notes, ts(p.UpdatedAt)}
}

type fileView struct {
	ID           string `json:"id"`
	InstanceKey  string `json:"instance_key"`
	Path         string `json:"path"`
	Name         string `json:"name"`
	Kind         string `json:"kind"`
	Version      int    `json:"version"`
	Size         int64  `json:"size"`
	SHA256       string `json:"sha256,omitempty"`
	WorkState    string `json:"work_state,omitempty"` // CHECKIN or CHECKOUT; none for a folder
	CheckedOutBy string `json:"checked_out_by,omitempty"`
	CheckedOutAt string `json:"checked_out_at,omitempty"`
	CreatedBy    string `json:"created_by"`
	CreatedAt    string `json:"created_at"`
	UpdatedAt    string `json:"updated_at"`
}

func viewFile(f *market.CloudFile) fileView {
	_, name := cloudfs.Split(f.Path)
	state := string(f.State())
	if f.Kind == market.KindFolder {
		state = ""
	}
	return fileView{ID: f.ID, InstanceKey: f.InstanceKey, Path: f.Path, Name: name, Kind: string(f.Kind), Version: f.Version, Size: f.Size,
		SHA256: f.SHA256, WorkState: state, CheckedOutBy: f.CheckedOutBy, CheckedOutAt: ts(f.CheckedOutAt), CreatedBy: f.CreatedBy,
		CreatedAt: ts(f.CreatedAt), UpdatedAt: ts(f.UpdatedAt)}
}

type versionView struct {
	Version      int    `json:"version"`
	Size         int64  `json:"size"`
	SHA256       string `json:"sha256"`
	Author       string `json:"author"`
	RestoredFrom int    `json:"restored_from,omitempty"`
	CreatedAt    string `json:"created_at"`
}

type uploadView struct {
	ID          string             `json:"id"`
	InstanceKey string             `json:"instance_key"`
	Path        string             `json:"path"`
	Kind        market.FileKind    `json:"kind"`
	FileID      string             `json:"file_id,omitempty"`
	BaseVersion int                `json:"base_version,omitempty"`
	Size        int64              `json:"size"`
	SHA256      string             `json:"sha256"`
	Offset      int64              `json:"offset"` // bytes received: where the next request starts
	State       market.UploadState `json:"state"`
	Reason      string             `json:"reason,omitempty"`
	Version     int                `json:"version,omitempty"`
	ExpiresAt   string             `json:"expires_at"`
	MaxChunk    int64              `json:"max_chunk"`
}

func (a *API) upgradeNotice(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	n, err := a.Cloud.Upgrade(r.Context(), v, r.PathValue("key"), r.URL.Query().Get("version"))
	return writeNotice(w, n, err)
}

func (a *API) confirmUpgrade(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req struct {
		Version string `json:"version"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	n, err := a.Cloud.ConfirmUpgrade(r.Context(), v, r.PathValue("key"), req.Version)
	return writeNotice(w, n, err)
}

func writeNotice(w http.ResponseWriter, n *market.UpgradeNotice, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"current_version": n.CurrentVersion, "latest_version": n.LatestVersion, "upgrade": n.Upgrade,
		"forced": n.Forced, "install_mode": n.InstallMode, "notes": n.Notes})
	return nil
}

func (a *API) requestLicense(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req cloud.LicenseInput
	if err := decode(w, r, &req); err != nil {
		return err
	}
	l, err := a.Cloud.RequestLicense(r.Context(), v, r.PathValue("key"), req)
	return writeLicenseRequest(w, http.StatusCreated, l, err)
}

func (a *API) reportVerification(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req struct {
		OK    bool   `json:"ok"`
		Error string `json:"error,omitempty"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	l, err := a.Cloud.ReportVerification(r.Context(), v, r.PathValue("id"), req.OK, req.Error)
	return writeLicenseRequest(w, http.StatusOK, l, err)
}

func writeLicenseRequest(w http.ResponseWriter, status int, l *market.LicenseRequest, err error) error {
	if err != nil {
		return err
	}
	out := map[string]any{"id": l.ID, "instance_key": l.InstanceKey, "kind": l.Kind, "file_name": l.FileName, "device_sha256": l.DeviceSHA256,
		"license": l.License, "issued_at": ts(l.IssuedAt), "expire_at": ts(l.ExpireAt)}
	if !l.VerifiedAt.IsZero() {
		out["verified_at"], out["verify_ok"], out["verify_error"] = ts(l.VerifiedAt), l.VerifyOK, l.VerifyError
	}
	writeJSON(w, status, out)
	return nil
}

func (a *API) submitSolution(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req struct {
		Version int `json:"version,omitempty"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	s, err := a.Cloud.Solve(r.Context(), v, r.PathValue("id"), req.Version)
	return writeSolution(w, http.StatusCreated, s, err)
}

func (a *API) getSolution(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	s, err := a.Cloud.Solution(r.Context(), v, r.PathValue("id"))
	return writeSolution(w, http.StatusOK, s, err)
}

func writeSolution(w http.ResponseWriter, status int, s *market.Solution, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, status, map[string]any{"id": s.ID, "instance_key": s.InstanceKey, "file_id": s.FileID, "version": s.Version, "user": s.UserID,
		"state": s.State, "result": s.Result, "created_at": ts(s.CreatedAt), "updated_at": ts(s.UpdatedAt)})
	return nil
}

func (a *API) setPackage(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req cloud.PackageRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.SkuCode != "" && req.SkuCode != r.PathValue("sku") {
		return market.Errorf(market.CodeInvalid, "sku_code differs from the path's")
	}
	req.SkuCode = r.PathValue("sku")
	p, err := a.Cloud.SetPackage(r.Context(), v, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewPackage(p))
	return nil
}

func (a *API) getPackage(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	p, err := a.Cloud.Package(r.Context(), v, r.PathValue("sku"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewPackage(p))
	return nil
}
