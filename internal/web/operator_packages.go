package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/mercato-oss/mercato/internal/cloud"
	"github.com/mercato-oss/mercato/internal/market"
)

// A spec's industrial-software package (工业软件): the cloud drive on or off, the current
// version and which clients must upgrade to it, trials, install mode, the drive's quota, as
// PUT/GET /api/v1/cloud/packages/{sku}. The cloud service decides; an instance's upgrade notice
// (GET /api/v1/instances/{key}/cloud/upgrade) is checked here for a client version.

func (c *Console) registerOperatorPackages(mux *http.ServeMux) {
	mux.Handle("GET /operator/products/{id}/specs/{sku}/package", c.operatorRoute(c.operatorPackage))
	mux.Handle("POST /operator/products/{id}/specs/{sku}/package", c.operatorRoute(c.operatorSetPackage))
}

func (c *Console) operatorPackage(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.renderPackage(w, r, v, http.StatusOK, opForm(r))
}

func (c *Console) renderPackage(w http.ResponseWriter, r *http.Request, v market.Viewer, status int, f *form) {
	ctx := r.Context()
	d, err := c.svc.Catalog.Product(ctx, v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	var spec *market.Spec
	for _, sp := range d.Specs {
		if sp.SkuCode == r.PathValue("sku") {
			spec = sp
		}
	}
	if spec == nil {
		c.fail(w, r, market.Errorf(market.CodeNotFound, "spec %s not found", r.PathValue("sku")))
		return
	}
	pkg, err := c.svc.Cloud.Package(ctx, v, spec.SkuCode)
	switch {
	case market.ErrorCode(err) == market.CodeNotFound:
		pkg = nil // not a package yet
	case err != nil:
		c.fail(w, r, err)
		return
	}
	data := map[string]any{"P": d.Product, "Spec": spec, "Pkg": pkg, "Modes": []market.InstallMode{market.InstallSilent, market.InstallInteractive}}
	if pkg != nil && !f.Any() && len(f.Values) == 0 {
		// The form shows the package as stored.
		f.Values = url.Values{"version": {pkg.Version}, "forced_versions": {strings.Join(pkg.ForcedVersions, "\n")},
			"trial_days": {strconv.Itoa(pkg.TrialDays)}, "install_mode": {string(pkg.InstallMode)}, "notes": {pkg.Notes},
			"quota_mib": {strconv.FormatInt(pkg.QuotaBytes>>20, 10)}}
		for name, on := range map[string]bool{"data_in_cloud": pkg.DataInCloud, "forced_upgrade": pkg.ForcedUpgrade, "trial_supported": pkg.TrialSupported} {
			if on {
				f.Values.Set(name, "on")
			}
		}
	}
	view := c.newView(r, "op.pkg.title")
	view.Title = spec.Name
	view.Nav = "op-merchants"
	view.Form = f
	view.Data = data
	c.render(w, r, status, "operator_package", view)
}

// opPackageFields are the package request's fields, as the cloud service's messages name them,
// and the form's fields they are shown at.
var opPackageFields = []struct{ service, field string }{{"forced_versions", "forced_versions"}, {"version", "version"},
	{"trial_days", "trial_days"}, {"quota_bytes", "quota_mib"}, {"install_mode", "install_mode"}, {"notes", "notes"}}

func (c *Console) operatorSetPackage(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	f := opForm(r)
	req := cloud.PackageRequest{SkuCode: r.PathValue("sku"), DataInCloud: f.Get("data_in_cloud") == "on", Version: strings.TrimSpace(f.Get("version")),
		ForcedUpgrade: f.Get("forced_upgrade") == "on", TrialSupported: f.Get("trial_supported") == "on",
		InstallMode: market.InstallMode(f.Get("install_mode")), Notes: strings.TrimSpace(f.Get("notes"))}
	for _, l := range strings.Split(f.Get("forced_versions"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			req.ForcedVersions = append(req.ForcedVersions, l)
		}
	}
	if s := strings.TrimSpace(f.Get("trial_days")); s != "" && (req.TrialSupported || s != "0") {
		n, err := strconv.Atoi(s)
		if err != nil {
			f.Add("trial_days", "op.err.trial_days")
		}
		req.TrialDays = n
	}
	if s := strings.TrimSpace(f.Get("quota_mib")); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n > 1<<40 {
			f.Add("quota_mib", "op.err.quota_mib")
		}
		req.QuotaBytes = n << 20
	}
	if !f.Any() {
		if _, err := c.svc.Cloud.SetPackage(r.Context(), v, req); err != nil {
			var me *market.Error
			if !errors.As(err, &me) || me.Code != market.CodeInvalid {
				c.fail(w, r, err)
				return
			}
			// The cloud service names the field in its message, not in Field.
			placed := *me
			for _, pf := range opPackageFields {
				if placed.Field == "" && strings.Contains(me.Message, pf.service) {
					placed.Field = pf.field
				}
			}
			c.opFailed(r, f, &placed, map[string]string{"version": "version", "forced_versions": "forced_versions", "trial_days": "trial_days",
				"quota_mib": "quota_mib", "install_mode": "install_mode", "notes": "notes"})
		}
	}
	if f.Any() {
		c.renderPackage(w, r, v, http.StatusUnprocessableEntity, f)
		return
	}
	c.backTo(w, r, "/operator/products/"+url.PathEscape(r.PathValue("id"))+"/specs/"+url.PathEscape(r.PathValue("sku"))+"/package", "op.flash.package_saved")
}
