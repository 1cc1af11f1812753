package api

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/assets"
)

// The asset centre's routes for the OpenAPI document (docs/review.md).

var assetEndpoints = map[string]endpoint{
	"POST /api/v1/assets": {summary: "Create an asset (IMAGE or PACKAGE) as a draft; its content comes by upload or URL", who: "seller admin or operations, the operator (with merchant_id)",
		body: assets.CreateRequest{}, reply: assetView{}, status: http.StatusCreated},
	"GET /api/v1/assets": {summary: "The caller's assets; the operator's list of SUBMITTED or APPEALED assets is the review queue, longest waiting first",
		who: "seller (any role), operator", reply: list{"assets", assetView{}}, status: http.StatusOK, query: []string{"limit", "cursor", "state", "merchant_id"}},
	"GET /api/v1/assets/{id}": {summary: "An asset with its versions (each with its scan report) and its review history",
		who: "seller of its merchant, operator", reply: assetDetailView{}, status: http.StatusOK},
	"DELETE /api/v1/assets/{id}": {summary: "Delete an asset and its content: a draft, or an asset no product uses",
		who: "seller admin or operations, operator", status: http.StatusNoContent},
	"POST /api/v1/assets/{id}/uploads": {summary: "Begin a resumable upload of a new version (checked against the size, name and format rules)",
		who: "seller admin or operations, operator", body: assets.UploadRequest{}, reply: assetUploadView{}, status: http.StatusCreated},
	"POST /api/v1/assets/{id}/versions": {summary: "Register a new version by URL: a job fetches its content",
		who: "seller admin or operations, operator", body: assets.URLRequest{}, reply: assetVersionView{}, status: http.StatusCreated},
	"GET /api/v1/assets/{id}/versions/{n}/content": {summary: "Download a version's content (ranges; X-Mercato-Sha256)",
		who: "seller of its merchant, operator", status: http.StatusOK},
	"POST /api/v1/assets/{id}/submit": {summary: "Submit the newest version for review: DRAFT → SUBMITTED, its scan queued",
		who: "seller admin or operations, operator", reply: assetView{}, status: http.StatusOK},
	"POST /api/v1/assets/{id}/appeal": {summary: "Appeal a rejection with the reason it is wrong: REJECTED → APPEALED",
		who: "seller admin or operations, operator", body: assetAppealRequest{}, reply: assetView{}, status: http.StatusOK},
	"POST /api/v1/assets/{id}/decision": {summary: "Decide an appeal with a comment: APPEALED → APPROVED or REJECTED",
		who: "operator", body: assetDecisionRequest{}, reply: assetView{}, status: http.StatusOK},
	"POST /api/v1/assets/{id}/rescan": {summary: "Queue the scan of a SUBMITTED asset again (after the scanner's retries ran out)",
		who: "operator", reply: assetView{}, status: http.StatusOK},
	"GET /api/v1/asset-uploads/{id}": {summary: "An upload's progress (its offset, to resume it)",
		who: "seller admin or operations of its merchant, operator", reply: assetUploadView{}, status: http.StatusOK},
	"PUT /api/v1/asset-uploads/{id}": {summary: "Send the next part of an upload (?offset= its current offset; ?complete=1 completes it too)",
		who: "seller admin or operations of its merchant, operator", reply: assetUploadView{}, status: http.StatusOK},
	"POST /api/v1/asset-uploads/{id}/complete": {summary: "Complete an upload: verify its SHA-256 and add the version as a draft",
		who: "seller admin or operations of its merchant, operator", reply: assetVersionView{}, status: http.StatusOK},
	"DELETE /api/v1/asset-uploads/{id}": {summary: "Abort an upload and delete its parts",
		who: "seller admin or operations of its merchant, operator", status: http.StatusNoContent},
}
