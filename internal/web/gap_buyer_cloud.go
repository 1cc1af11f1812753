package web

import (
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/isdk/cloudfs"
)

// The industrial-software cloud drive of an instance (数据在云), read-only, through the cloud
// service as the buyer's /api/v1/instances/{key}/cloud… and /api/v1/cloud/files/{id}… routes:
// the drive's usage, a folder's files, a file's version history, a version's download. Saving,
// checking out and restoring stay with the industrial client (the SDK).

func (c *Console) registerGapCloud(mux *http.ServeMux) {
	mux.Handle("GET /my/instances/{key}/cloud", c.buyerRoute(c.gapDrive))
	mux.Handle("GET /my/cloud/files/{id}", c.buyerRoute(c.gapCloudFile))
	mux.Handle("GET /my/cloud/files/{id}/content", c.buyerRoute(c.gapCloudDownload))
}

type gapCloudRow struct {
	*market.CloudFile
	Name   string
	Folder bool
}

func (c *Console) gapDrive(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	key := r.PathValue("key")
	view := c.newView(r, "gap.cloud.title")
	view.Title = key
	view.Nav = "instances"
	d, err := c.svc.Cloud.Drive(r.Context(), v, key)
	if market.ErrorCode(err) == market.CodeConflict {
		// an instance without a drive (its package keeps no data in the cloud, or it has ended)
		view.Data = map[string]any{"Key": key, "NoDrive": true, "Reason": err.Error()}
		c.render(w, r, http.StatusConflict, "gap_cloud", view)
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	folder := r.URL.Query().Get("folder")
	if folder == "" {
		folder = "/"
	}
	if folder != "/" {
		if folder, err = cloudfs.CleanPath(folder); err != nil {
			c.notFound(w, r)
			return
		}
	}
	after := r.URL.Query().Get("after")
	list, err := c.svc.Cloud.List(r.Context(), v, key, folder, after, 50)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	rows := make([]gapCloudRow, len(list))
	for i, f := range list {
		_, name := cloudfs.Split(f.Path)
		rows[i] = gapCloudRow{CloudFile: f, Name: name, Folder: f.Kind == market.KindFolder}
	}
	next := ""
	if len(list) == 50 {
		next = "?folder=" + url.QueryEscape(folder) + "&after=" + url.QueryEscape(list[len(list)-1].Path)
	}
	parent := ""
	if folder != "/" {
		parent, _ = cloudfs.Split(folder)
		if parent == "" {
			parent = "/"
		}
	}
	view.Data = map[string]any{"Key": key, "Drive": d, "Folder": folder, "Parent": parent, "Files": rows, "Next": next,
		"Used": gapBytes(d.Drive.UsedBytes), "Quota": gapBytes(d.Drive.QuotaBytes), "Reserved": gapBytes(d.Drive.Reserved)}
	c.render(w, r, http.StatusOK, "gap_cloud", view)
}

func (c *Console) gapCloudFile(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	f, err := c.svc.Cloud.File(r.Context(), v, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	var versions []*market.CloudVersion
	if f.Kind != market.KindFolder {
		if versions, err = c.svc.Cloud.Versions(r.Context(), v, f.ID, store.MaxLimit); err != nil {
			c.fail(w, r, err)
			return
		}
	}
	folder, name := cloudfs.Split(f.Path)
	if folder == "" {
		folder = "/"
	}
	sizes := make([]string, len(versions))
	for i, ver := range versions {
		sizes[i] = gapBytes(ver.Size)
	}
	view := c.newView(r, "gap.cloud.file_title")
	view.Title = name
	view.Nav = "instances"
	view.Data = map[string]any{"File": f, "Name": name, "Folder": folder, "Versions": versions, "Sizes": sizes, "Size": gapBytes(f.Size)}
	c.render(w, r, http.StatusOK, "gap_cloud_file", view)
}

// gapCloudDownload sends a version (the current one without ?version=) as an attachment, with
// ranges, like the API's download.
func (c *Console) gapCloudDownload(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	version := 0
	if s := r.URL.Query().Get("version"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			c.notFound(w, r)
			return
		}
		version = n
	}
	f, ver, content, err := c.svc.Cloud.Content(r.Context(), v, r.PathValue("id"), version)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	defer content.Close()
	_, name := cloudfs.Split(f.Path)
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	cd := mime.FormatMediaType("attachment", map[string]string{"filename": name})
	if cd == "" {
		cd = "attachment"
	}
	h.Set("Content-Disposition", cd)
	h.Set("Cache-Control", "private, no-store")
	h.Set("ETag", `"`+ver.SHA256+`"`)
	http.ServeContent(w, r, "", ver.CreatedAt, content)
}

// gapBytes is a size in bytes, KiB, MiB or GiB.
func gapBytes(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	f, i := float64(n), 0
	for f >= 1024 && i < len(units)-1 {
		f, i = f/1024, i+1
	}
	if i == 0 {
		return fmt.Sprintf("%d B", n)
	}
	return strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.1f", f), "0"), ".") + " " + units[i]
}
