package api

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/cloud"
)

// The industrial-software cloud's routes for the OpenAPI document (docs/industrial-sdk.md).

// Request shapes of the cloud routes, named for the document.
type (
	pathRequest struct {
		Path string `json:"path"`
	}
	versionRequest struct {
		Version int `json:"version"`
	}
	upgradeRequest struct {
		Version string `json:"version"`
	}
	verifyRequest struct {
		OK    bool   `json:"ok"`
		Error string `json:"error,omitempty"`
	}
	upgradeNoticeView struct {
		CurrentVersion string `json:"current_version"`
		LatestVersion  string `json:"latest_version"`
		Upgrade        bool   `json:"upgrade"`
		Forced         bool   `json:"forced"`
		InstallMode    string `json:"install_mode"`
		Notes          string `json:"notes"`
	}
)

var licenseRequestReply = object{"id": "", "instance_key": "", "kind": "", "file_name": "", "device_sha256": "", "license": "",
	"issued_at": "", "expire_at": "", "verified_at": "", "verify_ok": false, "verify_error": ""}

var solutionReply = object{"id": "", "instance_key": "", "file_id": "", "version": 0, "user": "", "state": "", "result": "",
	"created_at": "", "updated_at": ""}

var cloudEndpoints = map[string]endpoint{
	"GET /api/v1/instances/{key}/cloud":                   {summary: "An instance's cloud drive: usage, quota, package", who: "its buyer, the operator", reply: driveView{}, status: http.StatusOK},
	"GET /api/v1/instances/{key}/cloud/files":             {summary: "List a folder of the drive", who: "its buyer, the operator", reply: object{"files": []fileView{}}, status: http.StatusOK, query: []string{"limit"}},
	"GET /api/v1/instances/{key}/cloud/file":              {summary: "A file of the drive by its path (?path=)", who: "its buyer, the operator", reply: fileView{}, status: http.StatusOK},
	"POST /api/v1/instances/{key}/cloud/folders":          {summary: "Create a folder", who: "its buyer", body: pathRequest{}, reply: fileView{}, status: http.StatusCreated},
	"POST /api/v1/instances/{key}/cloud/uploads":          {summary: "Begin a resumable upload (a new version of a file, or a new file)", who: "its buyer", body: cloud.UploadRequest{}, reply: uploadView{}, status: http.StatusCreated},
	"POST /api/v1/instances/{key}/cloud/files":            {summary: "Save content sent whole as the body (path or file_id, kind, sha256, base_version in the query)", who: "its buyer", reply: fileView{}, status: http.StatusOK},
	"GET /api/v1/instances/{key}/cloud/upgrade":           {summary: "The upgrade notice for the client's version (?version=)", who: "its buyer", reply: upgradeNoticeView{}, status: http.StatusOK},
	"POST /api/v1/instances/{key}/cloud/upgrade/confirm":  {summary: "Record that the client installed a version", who: "its buyer", body: upgradeRequest{}, reply: upgradeNoticeView{}, status: http.StatusOK},
	"POST /api/v1/instances/{key}/cloud/license-requests": {summary: "Request a license file or string bound to a device", who: "its buyer", body: cloud.LicenseInput{}, reply: licenseRequestReply, status: http.StatusCreated},
	"GET /api/v1/cloud/files/{id}":                        {summary: "Read a file's metadata and lock", who: "its instance's buyer, the operator", reply: fileView{}, status: http.StatusOK},
	"GET /api/v1/cloud/files/{id}/content":                {summary: "Download a file's content (?version= for an older one)", who: "its instance's buyer, the operator", status: http.StatusOK},
	"GET /api/v1/cloud/files/{id}/versions":               {summary: "A file's versions, newest first", who: "its instance's buyer, the operator", reply: object{"versions": []versionView{}}, status: http.StatusOK, query: []string{"limit"}},
	"POST /api/v1/cloud/files/{id}/checkout":              {summary: "Check a file out (exclusive)", who: "its instance's buyer", reply: fileView{}, status: http.StatusOK},
	"POST /api/v1/cloud/files/{id}/checkin":               {summary: "Check a file in (its holder only)", who: "its instance's buyer", reply: fileView{}, status: http.StatusOK},
	"POST /api/v1/cloud/files/{id}/release":               {summary: "Force-release another user's check-out", who: "the instance's buyer account, the operator", reply: fileView{}, status: http.StatusOK},
	"POST /api/v1/cloud/files/{id}/restore":               {summary: "Make an older version the latest (not while checked out)", who: "its instance's buyer", body: versionRequest{}, reply: fileView{}, status: http.StatusOK},
	"POST /api/v1/cloud/files/{id}/solutions":             {summary: "Submit a solve job for a file version", who: "its instance's buyer", body: versionRequest{}, reply: solutionReply, status: http.StatusCreated},
	"GET /api/v1/cloud/uploads/{id}":                      {summary: "An upload's progress (to resume it)", who: "its starter", reply: uploadView{}, status: http.StatusOK},
	"PUT /api/v1/cloud/uploads/{id}":                      {summary: "Send a part of an upload (Content-Range)", who: "its starter", reply: uploadView{}, status: http.StatusOK},
	"POST /api/v1/cloud/uploads/{id}/complete":            {summary: "Complete an upload: verify its SHA-256 and store the version", who: "its starter", reply: fileView{}, status: http.StatusOK},
	"DELETE /api/v1/cloud/uploads/{id}":                   {summary: "Abort an upload", who: "its starter", reply: uploadView{}, status: http.StatusOK},
	"GET /api/v1/cloud/solutions/{id}":                    {summary: "A solve job's state and result", who: "its submitter, the operator", reply: solutionReply, status: http.StatusOK},
	"POST /api/v1/cloud/license-requests/{id}/verify":     {summary: "Report whether the client verified its license", who: "its requester", body: verifyRequest{}, reply: licenseRequestReply, status: http.StatusOK},
	"GET /api/v1/cloud/license-key":                       {summary: "The public key licenses are signed with", who: "any", reply: object{"key_id": "", "algorithm": "", "public_key": ""}, status: http.StatusOK},
	"PUT /api/v1/cloud/packages/{sku}":                    {summary: "Set a spec's industrial-software package", who: "operator, seller of the spec", body: cloud.PackageRequest{}, reply: packageView{}, status: http.StatusOK},
	"GET /api/v1/cloud/packages/{sku}":                    {summary: "A spec's industrial-software package", who: "any", reply: packageView{}, status: http.StatusOK},
}
